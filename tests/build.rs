//! Builds fixture sites into temporary folders and checks the HTML they produce.

mod common;

use common::{html_files, urls, Site};

#[test]
fn basic_site_builds_clean_with_every_site_file() {
    let site = Site::copy_of("basic");
    let report = site.build();
    let shorts: Vec<String> = report
        .generated
        .diagnostics
        .iter()
        .map(|d| d.short())
        .collect();
    assert!(shorts.is_empty(), "{shorts:#?}");
    for f in [
        "index.html",
        "gan/gan.html",
        "gan/wgan.html",
        "training/批归一化.html",
        "geometry/iou.html",
        "tags/index.html",
        "tags/gan.html",
        "tags/归一化.html",
        "print.html",
        "404.html",
        "sitemap.xml",
        ".nojekyll",
        "css/highlight.css",
        "css/style.css",
        "js/site.js",
        "katex/katex.min.css",
        "katex/fonts/KaTeX_Main-Regular.woff2",
        "gan/disjoint.svg",
    ] {
        assert!(site.exists(f), "missing {f}");
    }
    assert_eq!(report.generated.stats.pages, 4);
}

#[test]
fn math_is_rendered_at_build_time_and_no_dollars_remain() {
    let site = Site::copy_of("basic");
    site.build();
    let wgan = site.out("gan/wgan.html");
    assert!(wgan.contains("<span class=\"katex-display\">"));
    assert!(
        wgan.contains("mathbb"),
        "the \\R macro from book.toml expanded"
    );
    for (path, html) in html_files(&site.root().join("book")) {
        let text_only: String = html
            .split("<annotation")
            .map(|s| s.split("</annotation>").last().unwrap())
            .collect();
        assert!(!text_only.contains("$$"), "stray $$ in {path}");
        assert!(
            !html.contains("katex.min.js") && !html.contains("auto-render"),
            "math JavaScript in {path}"
        );
    }
}

#[test]
fn code_is_highlighted_with_classes_and_one_stylesheet_has_both_themes() {
    let site = Site::copy_of("basic");
    site.build();
    let wgan = site.out("gan/wgan.html");
    assert!(
        wgan.contains("<pre class=\"code hl-code\" tabindex=\"0\"><code class=\"language-rust\">")
    );
    let css = site.out("css/highlight.css");
    assert!(css.contains("prefers-color-scheme: dark"));
    assert!(css.contains("[data-theme=\"dark\"]"));
    assert!(
        css.contains(".hl-code i{font-style:normal}"),
        "runs are upright unless styled"
    );
    // One short class per token run, and a rule in the stylesheet for each class used.
    let code = wgan.split("language-rust\">").nth(1).unwrap();
    let code = &code[..code.find("</pre>").unwrap()];
    let classes: Vec<&str> = code
        .split("<i class=")
        .skip(1)
        .map(|s| &s[..s.find('>').unwrap()])
        .collect();
    assert!(!classes.is_empty(), "{code}");
    for class in classes {
        assert!(class.len() <= 8 && !class.contains('"'), "{class}");
        assert!(
            css.contains(&format!(" .hl-code .{class}{{")),
            "{class} in {css}"
        );
    }
}

#[test]
fn print_views_per_category_link_to_each_other() {
    let site = Site::copy_of("basic");
    site.build();
    let gan = site.out("print-cat-gan.html");
    assert!(gan.contains("id=\"p-gan-wgan\""));
    assert!(
        !gan.contains("<section class=\"print-page\" id=\"p-training-"),
        "other categories have their own view"
    );
    // Every view lists the others; the small fixture also has the whole book in print.html.
    assert!(gan.contains("href=\"print.html\""));
    assert!(gan.contains("href=\"print-cat-training.html\""));
    let book = site.out("print.html");
    assert!(book.contains("href=\"print-cat-gan.html\""));
    // A link from a GAN topic to a topic elsewhere goes to that topic's view.
    assert!(
        gan.contains("href=\"print-cat-training.html#p-training-"),
        "{}",
        &gan[..gan.len().min(3000)]
    );
}

#[test]
fn every_link_is_relative_and_names_an_html_file_that_exists() {
    let site = Site::copy_of("basic");
    site.build();
    let dest = site.root().join("book");
    for (path, html) in html_files(&dest) {
        if path == "404.html" {
            assert!(urls(&html)
                .iter()
                .filter(|u| u.starts_with('/'))
                .all(|u| u.starts_with("/notes/")));
            continue;
        }
        let dir = std::path::Path::new(&path).parent().unwrap().to_path_buf();
        for url in urls(&html) {
            if url.starts_with("https://example.com/edit/") {
                continue;
            }
            assert!(
                !url.starts_with('/') && !url.contains("://"),
                "{path}: absolute URL {url}"
            );
            let file = url.split('#').next().unwrap();
            if file.is_empty() {
                continue;
            }
            let target = dest.join(&dir).join(file);
            assert!(target.exists(), "{path}: {url} does not exist");
        }
    }
    let gan = site.out("gan/gan.html");
    let links = urls(&gan);
    assert!(
        links.contains(&"../training/批归一化.html#训练与测试".to_string()),
        "CJK link with anchor: {links:?}"
    );
    assert!(links.contains(&"../gan/wgan.html#weight-clipping".to_string()));
}

#[test]
fn cjk_titles_file_names_and_aliases() {
    let site = Site::copy_of("basic");
    site.build();
    let bn = site.out("training/批归一化.html");
    assert!(bn.contains("<title>批归一化 · Fixture Notes</title>"));
    assert!(bn.contains("<h2 id=\"训练与测试\">"));
    let index = site.out("index.html");
    assert!(index.contains(">批归一化</a>"));
    assert!(
        index.contains(">Batch Normalization</a> <span class=\"alias-of\">→ 批归一化</span>"),
        "A–Z lists aliases"
    );
}

#[test]
fn backlinks_prerequisites_tags_and_navigation() {
    let site = Site::copy_of("basic");
    site.build();
    let gan = site.out("gan/gan.html");
    let backlinks = gan
        .split("Referenced by")
        .nth(1)
        .expect("a backlinks section");
    assert!(backlinks.contains("Wasserstein GAN") && backlinks.contains("批归一化"));
    let wgan = site.out("gan/wgan.html");
    assert!(
        wgan.contains("Learn first:</span> <a href=\"../gan/gan.html\">GAN</a>"),
        "prerequisites shown"
    );
    assert!(wgan.contains("rel=\"prev\" href=\"../gan/gan.html\""));
    assert!(wgan.contains("href=\"../tags/generative-models.html\""));
    let tag = site.out("tags/gan.html");
    assert!(tag.contains("Wasserstein GAN") && tag.contains(">GAN</a>"));
    assert!(wgan.contains("https://example.com/edit/main/content/gan/wgan.md"));
    let index = site.out("index.html");
    let order = index.split("id=\"study-order\"").nth(1).unwrap();
    assert!(order.find(">GAN</a>").unwrap() < order.find(">Wasserstein GAN</a>").unwrap());
}

#[test]
fn print_page_has_every_topic_with_in_page_links() {
    let site = Site::copy_of("basic");
    site.build();
    let print = site.out("print.html");
    assert!(print.contains("id=\"p-gan-wgan\""));
    assert!(
        print.contains("href=\"#p-gan-wgan--weight-clipping\""),
        "links between topics become anchors"
    );
    assert!(print.contains("id=\"p-gan-wgan--weight-clipping\""));
    assert!(print.contains("src=\"gan/disjoint.svg\""));
    let sitemap = site.out("sitemap.xml");
    assert!(sitemap.contains("<loc>https://example.github.io/notes/gan/wgan.html</loc>"));
}

#[test]
fn second_build_renders_no_math_and_rewrites_nothing() {
    let site = Site::copy_of("basic");
    let first = site.build().generated.stats;
    assert!(first.cache_misses > 0);
    assert!(first.formulas_rendered > 0);
    let second = site.build().generated.stats;
    assert_eq!(
        second.cache_misses, 0,
        "everything came from .studybook/cache"
    );
    assert_eq!(second.formulas, first.formulas);
    assert_eq!(second.formulas_rendered, 0);
    assert_eq!(second.write.written, 0);
}

#[test]
fn site_overrides_a_partial_template_and_a_static_file() {
    let site = Site::copy_of("basic");
    site.write(
        "templates/partials/toc.html",
        "<nav class=\"my-toc\">{% for h in page.toc %}[{{ h.title }}]{% endfor %}</nav>",
    );
    site.write("static/css/style.css", "body { color: rebeccapurple; }");
    let report = site.build();
    assert!(
        report.generated.diagnostics.is_empty(),
        "{:?}",
        report.generated.diagnostics
    );
    let wgan = site.out("gan/wgan.html");
    assert!(wgan.contains("<nav class=\"my-toc\">[Weight clipping][Footnotes]</nav>"));
    assert!(
        wgan.contains("class=\"sidebar\""),
        "the rest of the theme is kept"
    );
    assert_eq!(site.out("css/style.css"), "body { color: rebeccapurple; }");
}

#[test]
fn a_site_without_theme_folders_or_book_toml_builds() {
    let site = Site::empty();
    site.write("content/a.md", "# Alpha\n\nText with $x$.\n");
    let report = site.build();
    assert!(
        report.generated.diagnostics.is_empty(),
        "{:?}",
        report.generated.diagnostics
    );
    assert!(site
        .out("a.html")
        .contains("<title>Alpha · Study Notes</title>"));
}

#[test]
fn output_folder_keeps_foreign_files_and_drops_stale_pages() {
    let site = Site::copy_of("basic");
    site.build();
    std::fs::write(site.root().join("book/CNAME"), "notes.example.com").unwrap();
    std::fs::remove_file(site.root().join("content/geometry/iou.md")).unwrap();
    let report = site.build();
    assert!(!site.exists("geometry/iou.html"));
    assert_eq!(site.out("CNAME"), "notes.example.com");
    assert!(report.generated.stats.write.removed >= 1);
}

#[test]
fn unsafe_destinations_are_refused_and_nothing_is_written() {
    let site = Site::copy_of("basic");
    for dest in ["content", "content/out", ".", "..", "static", "templates"] {
        let out = site.cli(&["build", "--dest", dest]);
        assert_eq!(
            out.status.code(),
            Some(2),
            "dest {dest}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stderr).contains("refusing to build into"));
    }
    assert!(!site.root().join("content/out").exists());
    assert!(!site.root().join("content/index.html").exists());
}

#[test]
fn katex_assets_match_the_crate_version() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let shipped = std::fs::read_to_string(root.join("static/katex/VERSION")).unwrap();
    assert_eq!(shipped.trim(), katex::KATEX_VERSION.trim());
    let css = std::fs::read_to_string(root.join("static/katex/katex.min.css")).unwrap();
    assert!(root.join("static/katex/LICENSE").exists());
    for font in css
        .split("url(")
        .skip(1)
        .map(|s| s.split(')').next().unwrap())
    {
        assert!(
            root.join("static/katex").join(font).exists(),
            "katex.min.css names {font}, which is not shipped"
        );
    }
}

/// A warm build of unchanged notes keeps the output folder as it is, and any change to what the
/// site is made from (a note, a template, a file of the site removed) builds it again.
#[test]
fn unchanged_notes_reuse_the_output_and_any_change_builds_again() {
    let site = Site::copy_of("basic");
    site.write(
        "content/gan/broken.md",
        "# Broken\n\nA lone $\\alpha before the end.\n",
    );
    let first = site.build();
    assert!(!first.generated.stats.write.reused);
    let warnings = |r: &studybook::build::BuildReport| {
        r.generated
            .diagnostics
            .iter()
            .map(|d| d.short())
            .collect::<Vec<_>>()
    };
    assert!(
        !warnings(&first).is_empty(),
        "the unclosed math is reported"
    );
    assert!(!first.generated.has_errors());
    let before = html_files(&site.root().join("book"));

    let second = site.build();
    assert!(second.generated.stats.write.reused);
    assert_eq!(second.generated.stats.write.written, 0);
    assert_eq!(
        warnings(&second),
        warnings(&first),
        "reported again, unchanged"
    );
    assert_eq!(html_files(&site.root().join("book")), before);

    site.write(
        "content/gan/broken.md",
        "# Broken\n\nMended: see [[WGAN]].\n",
    );
    let edited = site.build();
    assert!(!edited.generated.stats.write.reused);
    assert!(site.out("gan/broken.html").contains("Mended"));
    assert!(site.out("print.html").contains("Mended"));

    std::fs::remove_file(site.root().join("book/tags/gan.html")).unwrap();
    let restored = site.build();
    assert!(!restored.generated.stats.write.reused);
    assert!(site.exists("tags/gan.html"));

    site.write(
        "templates/partials/footer.html",
        "<footer class=\"site-footer\">Own footer</footer>\n",
    );
    let themed = site.build();
    assert!(!themed.generated.stats.write.reused);
    assert!(site.out("gan/wgan.html").contains("Own footer"));
    assert!(site.build().generated.stats.write.reused);
    // Another program (the command line, not this test) builds again once, then reuses.
    let said = |args: &[&str]| String::from_utf8_lossy(&site.cli(args).stderr).into_owned();
    assert!(!said(&["build"]).contains("already up to date"));
    let again = said(&["build"]);
    assert!(
        again.contains("5 pages") && again.contains("(already up to date)"),
        "{again}"
    );
}
