//! What the reader sees, checked on built output: the scaffolded page, counts in both languages,
//! math in headings outside the page body, Chinese-aware order.

mod common;

use common::Site;

#[test]
fn a_new_page_has_no_placeholder_card_and_one_question_is_singular() {
    let site = Site::empty();
    assert!(site.cli(&["init", "."]).status.success());
    assert!(site
        .cli(&["new", "Receptive Field", "--category", "basics"])
        .status
        .success());
    let out = site.cli(&["build"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = site.out("basics/receptive-field.html");
    assert!(
        !page.contains("question-count"),
        "no question count: {page}"
    );
    assert!(!page.contains("data-question"), "no placeholder question");
    let practice = site.out("practice.html");
    assert!(
        !practice.contains("data-topic=\"basics/receptive-field.html\""),
        "no placeholder card in practice"
    );
    // The starter page has one question: the count reads as one.
    let softmax = site.out("basics/softmax.html");
    assert!(
        softmax.contains(">1 interview question</a>"),
        "{}",
        softmax
            .lines()
            .find(|l| l.contains("question-count"))
            .unwrap_or("no count")
    );

    let toml = std::fs::read_to_string(site.root().join("book.toml")).unwrap();
    site.write(
        "book.toml",
        &toml.replace("language = \"en\"", "language = \"zh-CN\""),
    );
    assert!(site.cli(&["build"]).status.success());
    assert!(site.out("basics/softmax.html").contains(">1 道面试题</a>"));
}

/// Chinese runs in an English site are marked where a body is laid out: the page and every print
/// view that holds it show the marks; a Chinese site marks nothing.
#[test]
fn chinese_runs_are_marked_in_english_sites_only() {
    let site = Site::empty();
    assert!(site.cli(&["init", "."]).status.success());
    site.write(
        "content/basics/mixed.md",
        "# Mixed\n\nSoftmax 的导数 is short.\n",
    );
    let marked = "Softmax <span lang=zh>的导数</span> is short.";
    assert!(site.cli(&["build"]).status.success());
    let views = ["basics/mixed.html", "print.html", "print-cat-basics.html"];
    for view in views {
        assert!(site.out(view).contains(marked), "{view}");
    }
    let toml = std::fs::read_to_string(site.root().join("book.toml")).unwrap();
    site.write(
        "book.toml",
        &toml.replace("language = \"en\"", "language = \"zh-CN\""),
    );
    assert!(site.cli(&["build"]).status.success());
    for view in views {
        let html = site.out(view);
        assert!(html.contains("Softmax 的导数 is short."), "{view}");
        assert!(!html.contains("<span lang=zh>"), "{view}");
    }
}

/// A page whose title and a heading have math, added to the basic fixture.
const CRITIC: &str = "---\ntags: [gan]\nprerequisites: [WGAN]\n---\n# Why $n_{\\text{critic}} = 5$\n\nSee [[WGAN]] and [[GAN]].\n\n## The ratio $\\theta$\n\n> [!QUESTION] Why train the critic more?\n> So it is near optimal.\n";

#[test]
fn math_in_titles_and_headings_never_shows_as_tex() {
    let site = Site::copy_of("basic");
    site.write("content/gan/critic.md", CRITIC);
    let report = site.build();
    assert!(
        report.generated.diagnostics.is_empty(),
        "{:?}",
        report.generated.diagnostics
    );
    let readable = "Why n_critic = 5";
    let mut outputs = common::html_files(&site.root().join("book"));
    for js in ["js/nav-data.js", "search-index.js"] {
        outputs.push((js.to_string(), site.out(js)));
    }
    for (path, text) in &outputs {
        assert!(
            !text.contains("Why n_{\\text{critic}}"),
            "{path} shows the title's TeX"
        );
        assert!(
            !text.contains("The ratio \\theta"),
            "{path} shows a heading's TeX"
        );
    }
    let find = |path: &str| &outputs.iter().find(|(p, _)| p == path).unwrap().1;
    // Lists of titles show the readable text: sidebar, index, A–Z, tags, glossary, practice,
    // backlinks and previous/next of the neighbours, search results.
    for path in [
        "js/nav-data.js",
        "index.html",
        "tags/gan.html",
        "glossary.html",
        "practice.html",
        "gan/wgan.html",
        "search-index.js",
    ] {
        assert!(find(path).contains(readable), "{path} lacks the title");
    }
    let wgan = find("gan/wgan.html");
    let backlinks = wgan.split("class=\"backlinks\"").nth(1).unwrap();
    assert!(backlinks.contains(readable));
    // The page's own heading, the print view's heading and the TOC render the math.
    let page = find("gan/critic.html");
    // The title heading has an id when it came from the page's `# Title`.
    let h1 = page
        .split("<h1")
        .nth(1)
        .and_then(|h| h.split_once('>'))
        .unwrap()
        .1
        .split("</h1>")
        .next()
        .unwrap();
    assert!(h1.starts_with("Why <span class=\"katex\">"), "{h1}");
    let toc = page.split("<nav class=\"toc\"").nth(1).unwrap();
    let toc = toc.split("</nav>").next().unwrap();
    assert!(toc.contains("The ratio <span class=\"katex\">"), "{toc}");
    let print = find("print.html");
    assert!(print.contains("-title\">Why <span class=\"katex\">"));
    // The practice card names its section as readable text.
    assert!(find("practice.html").contains(" › The ratio θ"));
}

/// The names in an HTML fragment's links, in order.
fn link_texts(html: &str) -> Vec<&str> {
    html.split("<a href=\"")
        .skip(1)
        .map(|a| a.split('>').nth(1).unwrap().split('<').next().unwrap())
        .collect()
}

#[test]
fn chinese_names_sort_by_pinyin_under_their_initials() {
    let site = Site::copy_of("basic");
    site.build();
    // Code point order would be 批, 瓦, 生; pinyin order is pī, shēng, wǎ.
    let g = site.out("glossary.html");
    let cjk = g.split("id=\"glossary-cjk\"").nth(1).unwrap();
    let cjk = cjk.split("</table>").next().unwrap();
    let names: Vec<&str> = link_texts(cjk)
        .into_iter()
        .filter(|n| studybook::text::has_cjk(n))
        .collect();
    assert_eq!(names, ["批归一化", "生成对抗网络", "瓦瑟斯坦GAN"]);
    for letter in ["P", "S", "W"] {
        assert!(cjk.contains(&format!("scope=\"rowgroup\">{letter}</th>")));
    }
    // The A–Z index files them under P, S and W beside the Latin names.
    let index = site.out("index.html");
    let az = index.split("id=\"a-z\"").nth(1).unwrap();
    let group = |letter: &str| {
        let start = format!("<h3 class=\"az-letter\">{letter}</h3>");
        let part = az
            .split(start.as_str())
            .nth(1)
            .unwrap_or_else(|| panic!("no {letter}"));
        link_texts(part.split("</ul>").next().unwrap())
    };
    assert!(group("P").contains(&"批归一化"));
    assert!(group("S").contains(&"生成对抗网络"));
    assert_eq!(group("W"), ["瓦瑟斯坦GAN", "Wasserstein GAN", "WGAN"]);
    assert!(!az.contains("<h3 class=\"az-letter\">…</h3>"));
}

/// The previous and next links of a built page, as (href, text), and the line that names their order.
fn page_nav(html: &str) -> (Option<String>, Option<String>, String) {
    let nav = html.split("<nav class=\"page-nav\"").nth(1).unwrap();
    let href = |class: &str| {
        nav.split(&format!("class=\"{class}\" rel=\"{class}\" href=\""))
            .nth(1)
            .map(|r| r.split('"').next().unwrap().to_string())
    };
    let order = nav.split("class=\"page-nav-order\">").nth(1).unwrap();
    let order = order.split("</p>").next().unwrap().to_string();
    (href("prev"), href("next"), order)
}

#[test]
fn previous_and_next_follow_the_study_order_and_say_so() {
    let site = Site::empty();
    site.write("book.toml", "[book]\ntitle = \"T\"\n");
    // In the contents, Applied comes first; it builds on Basics, so in study order it comes after.
    site.write(
        "content/a/applied.md",
        "---\ntitle: Applied\nprerequisites: [Basics]\n---\nText.\n",
    );
    site.write("content/b/basics.md", "---\ntitle: Basics\n---\nText.\n");
    let report = site.build();
    assert!(report.generated.diagnostics.is_empty());
    let (prev, next, order) = page_nav(&site.out("a/applied.html"));
    assert_eq!(prev.as_deref(), Some("../b/basics.html"));
    assert_eq!(next, None);
    assert!(order.contains("follow the study order"), "{order}");
    let (prev, next, _) = page_nav(&site.out("b/basics.html"));
    assert_eq!((prev, next.as_deref()), (None, Some("../a/applied.html")));

    // Without prerequisites, the contents' order, and the page says that instead.
    site.write("content/a/applied.md", "---\ntitle: Applied\n---\nText.\n");
    site.build();
    let (prev, next, order) = page_nav(&site.out("a/applied.html"));
    assert_eq!((prev, next.as_deref()), (None, Some("../b/basics.html")));
    assert!(order.contains("order of the contents"), "{order}");
}
