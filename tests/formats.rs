//! Notes written for other tools build unchanged: an mdBook book, an Obsidian vault, Typora
//! notes and a Hugo/Zola content folder, each a fixture site under tests/fixtures/.

mod common;

use std::path::Path;
use std::process::Command;

use common::{html_files, urls, Site};

/// A page's HTML without the `<span lang="zh">` marks an English site puts around Chinese runs
/// (they hold text only), so assertions read the markup the formats produce.
fn out(site: &Site, rel: &str) -> String {
    let html = site.out(rel);
    let mark = "<span lang=zh>";
    let mut plain = String::with_capacity(html.len());
    let mut rest = html.as_str();
    while let Some(at) = rest.find(mark) {
        plain.push_str(&rest[..at]);
        rest = &rest[at + mark.len()..];
        let end = rest.find("</span>").unwrap_or(rest.len());
        plain.push_str(&rest[..end]);
        rest = rest.get(end + "</span>".len()..).unwrap_or("");
    }
    plain.push_str(rest);
    plain
}

fn messages(site: &Site) -> Vec<String> {
    site.build()
        .generated
        .diagnostics
        .iter()
        .map(|d| d.short())
        .collect()
}

/// Every text file of the output that a reader or the search box sees.
fn published_text(dest: &Path) -> Vec<(String, String)> {
    let mut files = html_files(dest);
    for extra in ["search-index.js", "js/nav-data.js"] {
        if let Ok(text) = std::fs::read_to_string(dest.join(extra)) {
            files.push((extra.to_string(), text));
        }
    }
    files
}

fn assert_absent(dest: &Path, needles: &[&str]) {
    for (path, text) in published_text(dest) {
        for needle in needles {
            assert!(!text.contains(needle), "{path} contains {needle:?}");
        }
    }
}

#[test]
fn an_mdbook_book_builds_in_summary_order_with_its_includes() {
    let site = Site::copy_of("mdbook");
    assert_eq!(messages(&site), Vec::<String>::new());
    assert!(!site.exists("summary.html") && !site.exists("SUMMARY.html"));
    assert!(!site.exists("readme.html") && !site.exists("cli/readme.html"));
    assert!(
        site.exists("cli/index.html"),
        "README.md is its folder's index.html"
    );

    let nav = out(&site, "js/nav-data.js");
    let order: Vec<usize> = [
        "\"Introduction\"",
        "\"张量 Tensors\"",
        "\"Broadcasting 广播\"",
        "\"Autograd\"",
        "\"Optimizers\",\"url\":null",
        "\"基础 Basics\"",
        "\"The CLI\"",
        "\"build\"",
        "\"Appendix\"",
        "\"Command line\"",
    ]
    .iter()
    .map(|s| nav.find(s).unwrap_or_else(|| panic!("{s} not in {nav}")))
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{nav}");
    assert!(
        nav.contains("\"level\":1,\"title\":\"Broadcasting 广播\""),
        "{nav}"
    );

    let broadcasting = out(&site, "basics/broadcasting.html");
    assert!(broadcasting.contains("rel=\"prev\" href=\"../basics/tensors.html\""));
    assert!(broadcasting.contains("rel=\"next\" href=\"../basics/autograd.html\""));
    let links = urls(&broadcasting);
    for href in [
        "../basics/tensors.html#11-标量向量张量之间的联系",
        "../basics/tensors.html#--open-flag",
        "../cli/index.html",
    ] {
        assert!(links.iter().any(|l| l == href), "{href} not in {links:?}");
    }
    assert!(broadcasting.contains("<h1 id=\"broadcasting-广播\">"));

    let tensors = out(&site, "basics/tensors.html");
    assert!(
        tensors.contains("<title>张量 Tensors"),
        "{{#title}} names the page"
    );
    assert!(tensors.contains("<h2 id=\"11-标量向量张量之间的联系\">"));
    assert!(tensors.contains("<h2 id=\"--open-flag\">"));
    // Highlighted: one short class per token run (the function name after `fn`).
    assert!(tensors.contains("</i> <i class=ge>main</i>"));
    assert!(
        !tensors.contains("ANCHOR"),
        "anchor lines are not part of an include"
    );
    assert!(
        tensors.contains("<code class=\"language-rust\"><i class=fc>use</i>"),
        "a ::2 range"
    );
    assert!(
        tensors.contains("write {{#include file.rs}};"),
        "\\{{# stays literal"
    );
    assert!(tensors.contains("<code>{{#include file.rs}}</code>"));
    assert!(
        out(&site, "cli/build.html").contains("<h2 id=\"options\">"),
        "nested .md include"
    );

    let print = out(&site, "print.html");
    let at = |s: &str| print.find(s).unwrap();
    assert!(at("id=\"p-basics-tensors\"") < at("id=\"p-basics-broadcasting\""));
    assert!(at("id=\"p-basics-broadcasting\"") < at("id=\"p-basics-autograd\""));
    assert!(at("id=\"p-basics-autograd\"") < at("id=\"p-cli-index\""));
    assert!(site
        .out("practice.html")
        .contains("Why is reverse mode cheaper"));
    assert!(out(&site, "appendix.html").contains("href=\"index.html\""));
}

#[test]
fn an_obsidian_vault_builds_from_its_root_without_book_toml() {
    let site = Site::copy_of("vault");
    assert_eq!(messages(&site), Vec::<String>::new());
    assert!(!site.exists(".obsidian") && !site.exists("book.toml"));
    let dest = site.root().join("book");
    assert_absent(&dest, &["SECRET", "%%", "![[", "[[激活", "==参数"]);

    let cnn = out(&site, "深度学习/卷积神经网络.html");
    assert!(cnn.contains("<mark>参数量远小于全连接层</mark>"));
    assert!(cnn.contains("<a class=\"tag\" href=\"../tags/cnn-basics.html\">#cnn/basics</a>"));
    assert!(site.exists("tags/cnn-basics.html") && site.exists("tags/深度学习.html"));
    assert!(
        cnn.contains("src=\"../Attachments/%E7%BD%91%E7%BB%9C%E7%BB%93%E6%9E%84.svg\" alt=\"网络结构.svg\" width=\"300\""),
        "a vault image found by name, with its size"
    );
    assert!(site.exists("Attachments/网络结构.svg"));
    assert!(
        urls(&cnn)
            .iter()
            .any(|u| u == "../深度学习/激活函数.html#^def"),
        "a block reference"
    );
    assert!(
        cnn.contains("<div class=\"embed\">\n<p class=\"embed-title\"><a href=\"../深度学习/激活函数.html#relu\">激活函数</a></p>\n<h2 id=\"relu\">"),
        "a heading embed"
    );
    assert!(
        !cnn.contains("<h2 id=\"sigmoid\">"),
        "only the embedded section"
    );
    assert!(
        cnn.contains(".html\">激活</a></td>"),
        "an aliased link in a table"
    );
    assert!(cnn.contains(
        "<details class=\"callout callout-note\">\n<summary class=\"callout-title\">总结</summary>"
    ));
    assert!(site
        .out("深度学习/激活函数.html")
        .contains("<p id=\"^def\">ReLU"));

    let daily = out(&site, "inbox/daily-note.html");
    assert!(daily.contains(
        "<p class=\"embed-title\"><a href=\"../深度学习/卷积神经网络.html\">卷积神经网络</a></p>"
    ));
    assert!(daily.contains("<a href=\"https://pytorch.org/docs/stable/nn.html\">"));

    let practice = out(&site, "practice.html");
    assert!(practice.contains("为什么卷积层的参数比全连接层少"));
    let anki = site.cli(&["export", "anki", ".", "--out", "-"]);
    let deck = String::from_utf8_lossy(&anki.stdout);
    assert!(
        deck.contains("权重在空间位置之间共享") && !deck.contains("SECRET"),
        "{deck}"
    );
}

#[test]
fn typora_notes_keep_their_titles_links_and_images() {
    let site = Site::copy_of("typora");
    assert_eq!(
        messages(&site),
        ["卷积.md:9:1: warning: image `../Library/Application Support/typora-user-images/image-20231001151245.png` is outside the content folder: not published (copy the image into the notes folder and link it relatively)"]
    );
    let conv = out(&site, "卷积.html");
    assert!(
        conv.contains("<h1>卷积的定义</h1>"),
        "the first heading of any level is the title"
    );
    assert!(conv
        .contains("<a href=\"https://pytorch.org/docs/stable/generated/torch.nn.Conv2d.html\">"));
    assert!(conv.contains("<a href=\"http://www.example.com\">www.example.com</a>"));
    assert!(conv.contains("<img src=\"assets/conv%20diagram.svg\" alt=\"卷积示意图\">"));
    assert!(conv.contains("<span class=\"missing-file\""));
    assert!(!conv.contains("![截屏"), "never raw text");
    assert!(urls(&out(&site, "池化.html"))
        .iter()
        .any(|u| u == "卷积.html#卷积的定义"));
}

#[test]
fn hugo_and_zola_content_leaves_drafts_out() {
    let site = Site::copy_of("hugo");
    let report = build_with_site_url(&site);
    let msgs: Vec<String> = report.iter().map(|d| d.short()).collect();
    assert_eq!(
        msgs,
        ["content/posts/attention.md:21:1: warning: shortcode `youtube` is not run by studybook: shown as written (replace it with Markdown (an image, a link, a callout) or remove it)"]
    );
    let dest = site.root().join("book");
    assert_absent(&dest, &["DRAFT-SECRET", "+++", "unfinished"]);
    let attention = out(&site, "posts/attention.html");
    assert!(attention.contains("<h1>注意力机制 Attention</h1>"));
    assert!(attention.contains("Scaled dot-product attention in one page."));
    assert!(attention.contains("<time datetime=\"2024-03-01\">"));
    assert!(attention.contains("href=\"../posts/position-encoding.html#sinusoidal\""));
    assert!(
        !attention.contains("/old/attention/"),
        "a URL alias is not a name"
    );
    assert!(site.exists("tags/transformer.html") && site.exists("tags/transformers.html"));
    let sitemap = out(&site, "sitemap.xml");
    assert!(
        sitemap.contains("posts/position-encoding.html</loc><lastmod>2024-02-11</lastmod>"),
        "{sitemap}"
    );
    assert!(
        sitemap.contains("posts/attention.html</loc><lastmod>2024-04-02</lastmod>"),
        "{sitemap}"
    );
}

fn build_with_site_url(site: &Site) -> Vec<studybook::diagnostics::Diagnostic> {
    studybook::build::build(
        &studybook::build::BuildOptions {
            root: site.root().to_path_buf(),
            site_url: Some("https://example.org/notes/".into()),
            ..Default::default()
        },
        &studybook::build::Silent,
    )
    .unwrap()
    .generated
    .diagnostics
}

#[test]
fn every_format_passes_linkchecker() {
    if Command::new("linkchecker")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have linkchecker: apt-get install -y linkchecker"
        );
        eprintln!("SKIPPED: no linkchecker (apt-get install -y linkchecker)");
        return;
    }
    for name in ["mdbook", "vault", "typora", "hugo"] {
        let site = Site::copy_of(name);
        site.build();
        let out = Command::new("linkchecker")
            .args(["--no-status", "--no-warnings", "--check-extern"])
            .arg("--ignore-url=^https?:")
            .arg(site.root().join("book/index.html"))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{name}: linkchecker found broken links:\n{text}"
        );
        assert!(text.contains("0 errors found"), "{name}:\n{text}");
    }
}

#[test]
fn markdown_extensions_symlinks_and_unclosed_front_matter() {
    let site = Site::empty();
    site.write("content/a.MD", "# Upper case extension\n");
    site.write("content/real/note.md", "# Real\n");
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(elsewhere.path().join("secret.md"), "# Outside\n").unwrap();
    site.write("content/b.md", "---\ntitle: B\n\nno closing line\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::symlink;
        symlink(
            site.root().join("content/real"),
            site.root().join("content/linked"),
        )
        .unwrap();
        symlink(
            elsewhere.path().join("secret.md"),
            site.root().join("content/leak.md"),
        )
        .unwrap();
        symlink(
            site.root().join("content"),
            site.root().join("content/real/loop"),
        )
        .unwrap();
    }
    let msgs = messages(&site);
    assert!(site.exists("a.html"), "a.MD is a page");
    assert!(!site.exists("a.MD"));
    assert!(
        msgs.iter().any(|m| m
            .starts_with("content/b.md:1:1: error: the front matter opened here is never closed")),
        "{msgs:#?}"
    );
    #[cfg(unix)]
    {
        assert!(
            site.exists("linked/note.html"),
            "a symlinked folder inside the site is followed"
        );
        assert!(!site.exists("leak.html"));
        assert!(
            msgs.iter().any(
                |m| m.contains("symlink `content/leak.md` points outside the site")
                    && m.contains("secret.md`")
            ),
            "{msgs:#?}"
        );
        assert!(
            msgs.iter().any(|m| m.contains("loops back to")),
            "{msgs:#?}"
        );
    }
}

#[test]
fn embed_cycles_ambiguous_names_and_missing_includes_are_errors_at_their_place() {
    let site = Site::empty();
    site.write("content/a.md", "# A\n\n![[B]]\n");
    site.write("content/b.md", "# B\n\nText.\n\n![[A]]\n");
    site.write("content/x/pic.png", "png");
    site.write("content/y/pic.png", "png");
    site.write(
        "content/c.md",
        "# C\n\n![[pic.png]]\n\n{{#include nope.rs}}\n",
    );
    site.write("content/Release 1.2.md", "# Release 1.2\n\nShipped.\n");
    site.write(
        "content/d.md",
        "# D\n\n![[Release 1.2]]\n\nThe [[notes.pdf]].\n",
    );
    site.write("content/files/notes.pdf", "%PDF");
    let msgs = messages(&site);
    assert!(
        out(&site, "d.html").contains("<p>Shipped.</p>"),
        "a note with a dot in its name is embedded"
    );
    assert!(
        out(&site, "d.html").contains("<a href=\"files/notes.pdf\">notes.pdf</a>"),
        "[[file.pdf]] links the file"
    );
    assert!(site.exists("files/notes.pdf"));
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("content/a.md:3:1: error: embed cycle: A → B → A")),
        "{msgs:#?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("content/b.md:5:1: error: embed cycle: B → A → B")),
        "{msgs:#?}"
    );
    assert!(
        msgs.iter().any(|m| m.starts_with(
            "content/c.md:3:1: error: ![[pic.png]] is ambiguous: it names x/pic.png, y/pic.png"
        )),
        "{msgs:#?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m
                .starts_with("content/c.md:5:1: error: included file `nope.rs` does not exist")),
        "{msgs:#?}"
    );
}

#[test]
fn links_to_notes_not_written_yet_can_be_warnings() {
    let site = Site::copy_of("vault");
    site.write(
        "Inbox/Ideas.md",
        "# Ideas\n\nLater: [[Transformer 注意力]].\n",
    );
    let report = site.build();
    assert!(report.generated.has_errors(), "an error by default");
    site.write("book.toml", "[build]\nunresolved-links = \"warn\"\n");
    let msgs = messages(&site);
    assert_eq!(msgs.len(), 1, "{msgs:#?}");
    assert!(msgs[0].starts_with("Inbox/Ideas.md:3:8: warning: no page named [[Transformer 注意力]]: shown as not written yet"), "{}", msgs[0]);
    assert!(out(&site, "inbox/ideas.html")
        .contains("<a class=\"unresolved-link\" title=\"Not written yet\">Transformer 注意力</a>"));
}
