//! Study mode on the basic fixture: the practice, glossary and study-order pages, the links to
//! them, and the Anki export.

mod common;

use common::{urls, Site};

#[test]
fn practice_page_has_every_question_as_a_card_with_rendered_answers() {
    let site = Site::copy_of("basic");
    let report = site.build();
    assert!(
        report.generated.diagnostics.is_empty(),
        "{:?}",
        report.generated.diagnostics
    );
    let html = site.out("practice.html");
    assert_eq!(
        html.matches("<li class=\"card\"").count(),
        2,
        "two questions in the fixture"
    );
    assert!(html.contains("What is mode collapse?"));
    assert!(html.contains("Why clip the critic"));
    // Card ids: page URL without .html + question anchor, the same anchor the topic page uses.
    let wgan = site.out("gan/wgan.html");
    let anchor = wgan
        .split("callout-question\" id=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap();
    assert!(html.contains(&format!("data-card=\"gan/wgan#{anchor}\"")));
    assert!(html.contains(&format!("href=\"./gan/wgan.html#{anchor}\"")));
    // Answers are rendered at build time: KaTeX markup, no TeX delimiters left.
    let answers: Vec<&str> = html
        .split("<div class=\"card-answer-body\">")
        .skip(1)
        .collect();
    assert!(
        answers.iter().all(|a| a.contains("class=\"katex\"")),
        "math in both answers"
    );
    assert!(!html.contains("$1$") && !html.contains("$z$"));
    // Filters list what the cards carry.
    assert!(html.contains("<option value=\"generative-models\">#generative-models</option>"));
    assert!(html.contains("<option value=\"gan/gan.html\">GAN</option>"));
    assert!(html.contains("data-tags=\"gan generative-models\""));
    assert!(html.contains("js/practice.js"));
    for url in urls(&html) {
        if url.starts_with("./") && !url.contains('?') {
            let path = url.trim_start_matches("./").split('#').next().unwrap();
            assert!(site.exists(path), "practice.html links to missing {path}");
        }
    }
}

#[test]
fn glossary_pairs_latin_and_cjk_names_and_study_order_draws_the_graph() {
    let site = Site::copy_of("basic");
    site.build();
    let g = site.out("glossary.html");
    let latin = g
        .split("id=\"glossary-latin\"")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    let cjk = g
        .split("id=\"glossary-cjk\"")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    // Every title and alias, in its script's table, beside its names in the other script.
    assert!(
        latin.contains("<a href=\"./gan/wgan.html\">WGAN</a></th><td lang=\"zh\">瓦瑟斯坦GAN</td>")
    );
    assert!(cjk.contains("<a href=\"./gan/gan.html\">生成对抗网络</a></th><td>GAN · Generative Adversarial Network</td>"));
    assert!(cjk.contains("批归一化") && !latin.contains(">批归一化</a></th>"));
    // Sorted, case-insensitively.
    let names: Vec<&str> = latin
        .split("<th scope=\"row\"><a href=\"")
        .skip(1)
        .map(|r| r.split('>').nth(1).unwrap().split('<').next().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(names, sorted);
    assert!(names.contains(&"Wasserstein GAN") && names.contains(&"BN"));

    let s = site.out("study-order.html");
    assert!(s.contains("<svg class=\"study-graph\""));
    // GAN comes before Wasserstein GAN: one edge, GAN in the first column.
    assert!(s.contains("data-from=\"gan/gan.html\" data-to=\"gan/wgan.html\""));
    assert_eq!(s.matches("class=\"sg-edge\"").count(), 1);
    let step1 = s
        .split("id=\"step-0\"")
        .nth(1)
        .unwrap()
        .split("</section>")
        .next()
        .unwrap();
    let step2 = s
        .split("id=\"step-1\"")
        .nth(1)
        .unwrap()
        .split("</section>")
        .next()
        .unwrap();
    assert!(step1.contains(">GAN</a>") && step2.contains(">Wasserstein GAN</a>"));
    assert!(!s.contains("<script src=\"./js/graph"), "no graph library");
}

#[test]
fn footer_index_and_topic_pages_link_the_study_pages() {
    let site = Site::copy_of("basic");
    site.build();
    let index = site.out("index.html");
    for page in ["practice.html", "glossary.html", "study-order.html"] {
        assert!(
            index.contains(&format!("href=\"{page}\"")),
            "index links {page}"
        );
        assert!(
            site.out("gan/wgan.html")
                .contains(&format!("href=\"../{page}")),
            "footer links {page}"
        );
    }
    assert!(index.contains("data-study-topic=\"gan/wgan.html\" data-total=\"1\""));
    assert!(
        !index.contains("data-study-topic=\"geometry/iou.html\""),
        "no questions, no mastery"
    );
    let wgan = site.out("gan/wgan.html");
    assert!(wgan.contains("data-study-page=\"gan/wgan.html\""));
    assert!(wgan.contains("href=\"../practice.html#topic=gan/wgan.html\""));
    assert!(wgan.contains("css/study.css") && wgan.contains("js/srs.js"));
}

#[test]
fn anki_export_writes_an_importable_tab_separated_file() {
    let site = Site::copy_of("basic");
    let out = site.root().join("deck.txt");
    let run = site.cli(&["export", "anki", ".", "--out", out.to_str().unwrap()]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(String::from_utf8_lossy(&run.stderr).contains("exported 2 cards"));
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        &lines[..5],
        [
            "#separator:tab",
            "#html:true",
            "#notetype:Basic",
            "#deck:Fixture Notes",
            "#tags column:3"
        ]
    );
    let notes: Vec<Vec<&str>> = lines[5..].iter().map(|l| l.split('\t').collect()).collect();
    assert_eq!(notes.len(), 2);
    assert!(
        notes.iter().all(|n| n.len() == 3),
        "front, back, tags: {notes:?}"
    );
    assert_eq!(notes[0][0], "\"What is mode collapse?\"");
    assert_eq!(
        notes[0][1],
        "\"<p>The generator maps many \\(z\\) to few outputs.</p><p><small>GAN › Loss</small></p>\""
    );
    assert_eq!(notes[1][2], "\"gan generative-models\"");
    assert!(
        !text.contains("katex"),
        "KaTeX HTML replaced by Anki's delimiters"
    );

    // Display math, book.toml macros and code, with the deck named in book.toml.
    site.write(
        "book.toml",
        "[book]\ntitle = \"T\"\n[anki]\ndeck = \"ML::Interview\"\n[math]\nmacros = { \"\\\\R\" = \"\\\\mathbb{R}\" }\n",
    );
    site.write(
        "content/extra.md",
        "# Extra\n\n> [!QUESTION] What is $x \\in \\R$?\n> A \"real\" number: see [[GAN]].\n>\n> $$\\int_0^1 x\\,dx$$\n>\n> ```python\n> def f(x):\n>     return x < 1\n> ```\n",
    );
    let run = site.cli(&["export", "anki", ".", "--out", "-"]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let text = String::from_utf8(run.stdout).unwrap();
    assert!(text.contains("#deck:ML::Interview\n"));
    let line = text.lines().find(|l| l.contains("What is")).unwrap();
    assert!(
        line.starts_with("\"What is \\(x \\in \\mathbb{R}\\)?\"\t"),
        "{line}"
    );
    assert!(line.contains("\\[\\int_0^1 x\\,dx\\]"), "{line}");
    assert!(
        line.contains("<pre><code>def f(x):<br>    return x &lt; 1</code></pre>"),
        "{line}"
    );
    assert!(line.contains("A “real” number"), "{line}");
    assert!(line.contains("see GAN.") && !line.contains("<a "), "{line}");
}

#[test]
fn anki_export_of_a_broken_site_reports_and_exits_1() {
    let site = Site::copy_of("basic");
    site.write("book.toml", "[book\n");
    let run = site.cli(&["export", "anki", "."]);
    assert_eq!(run.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&run.stderr).contains("book.toml"));
    assert!(!site.root().join("anki.txt").exists());
}

#[test]
fn practice_messages_follow_the_site_language() {
    let site = Site::copy_of("basic");
    let toml = std::fs::read_to_string(site.root().join("book.toml")).unwrap();
    site.write(
        "book.toml",
        &toml.replace("[book]\n", "[book]\nlanguage = \"zh-CN\"\n"),
    );
    let report = site.build();
    assert!(
        report.generated.diagnostics.is_empty(),
        "{:?}",
        report.generated.diagnostics
    );
    let practice = site.out("practice.html");
    assert!(
        practice.contains("data-msg-next-review=\"下次复习：{when}\""),
        "{practice}"
    );
    assert!(practice.contains("data-msg-days=\"{n}天\""));
    assert!(!practice.contains("Next review"));
}
