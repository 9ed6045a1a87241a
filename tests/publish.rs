//! Publishing: sitemap.xml and robots.txt with absolute URLs, files a custom domain needs kept in
//! the output folder, and `studybook --version`.

mod common;

use common::Site;

/// The basic fixture with its `[output.html]` table replaced.
fn site_with_output_html(table: &str) -> Site {
    let site = Site::copy_of("basic");
    site.write(
        "book.toml",
        &format!("[book]\ntitle = \"Fixture Notes\"\n\n[output.html]\n{table}\n"),
    );
    site
}

fn warnings(site: &Site) -> Vec<String> {
    site.build()
        .generated
        .diagnostics
        .iter()
        .map(|d| format!("{}{}", d.short(), d.help.as_deref().unwrap_or("")))
        .collect()
}

#[test]
fn a_full_site_url_gives_the_sitemap_its_urls() {
    let site = site_with_output_html("site-url = \"https://notes.example.com/ml\"");
    assert_eq!(warnings(&site), Vec::<String>::new());
    let sitemap = site.out("sitemap.xml");
    assert!(sitemap.contains("<loc>https://notes.example.com/ml/index.html</loc>"));
    assert!(sitemap.contains("<loc>https://notes.example.com/ml/gan/wgan.html</loc>"));
    assert!(sitemap.contains(
        "<loc>https://notes.example.com/ml/training/%E6%89%B9%E5%BD%92%E4%B8%80%E5%8C%96.html</loc>"
    ));
    assert_eq!(
        site.out("robots.txt"),
        "User-agent: *\nAllow: /\n\nSitemap: https://notes.example.com/ml/sitemap.xml\n"
    );
    // 404.html is served at any missing path: its links start at the site's path, not the host.
    assert!(site.out("404.html").contains("href=\"/ml/css/style.css\""));
}

#[test]
fn a_path_site_url_takes_its_host_from_a_github_repository() {
    let site = site_with_output_html(
        "site-url = \"/notes/\"\ngit-repository-url = \"https://github.com/Someone/notes\"",
    );
    assert_eq!(warnings(&site), Vec::<String>::new());
    let sitemap = site.out("sitemap.xml");
    assert!(sitemap.contains("<loc>https://someone.github.io/notes/index.html</loc>"));
    assert!(sitemap.contains("<loc>https://someone.github.io/notes/tags/gan.html</loc>"));
    assert!(
        !sitemap.contains("<loc>/"),
        "no relative URL is left: {sitemap}"
    );
    assert!(site
        .out("robots.txt")
        .contains("Sitemap: https://someone.github.io/notes/sitemap.xml"));
}

#[test]
fn a_path_site_url_with_no_host_skips_the_sitemap_with_one_warning() {
    let site = site_with_output_html(
        "site-url = \"/notes/\"\ngit-repository-url = \"https://gitlab.com/someone/notes\"",
    );
    let warnings = warnings(&site);
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert!(
        warnings[0].contains("sitemap.xml not written")
            && warnings[0].contains("https://<user>.github.io/notes/")
            && warnings[0].contains("git-repository-url"),
        "{}",
        warnings[0]
    );
    assert!(!site.exists("sitemap.xml"));
    assert!(!site.exists("robots.txt"));
    // A previous build's sitemap, now stale, is removed with the other files studybook wrote.
    let built = site_with_output_html("site-url = \"https://x.example/\"");
    built.build();
    built.write("book.toml", "[output.html]\nsite-url = \"/notes/\"\n");
    built.build();
    assert!(!built.exists("sitemap.xml") && !built.exists("robots.txt"));
}

#[test]
fn a_site_without_site_url_has_no_sitemap_and_no_warning() {
    let site = site_with_output_html("");
    assert_eq!(warnings(&site), Vec::<String>::new());
    assert!(!site.exists("sitemap.xml") && !site.exists("robots.txt"));
}

#[test]
fn a_sites_own_robots_txt_wins() {
    let site = Site::copy_of("basic");
    site.write("static/robots.txt", "User-agent: *\nDisallow: /drafts/\n");
    assert_eq!(warnings(&site), Vec::<String>::new());
    assert_eq!(
        site.out("robots.txt"),
        "User-agent: *\nDisallow: /drafts/\n"
    );
    assert!(site.exists("sitemap.xml"));
}

/// A custom domain needs a `CNAME` file next to index.html when the site is published from a
/// branch: one in static/ is copied, and one put into the output folder by hand is never removed.
#[test]
fn a_cname_file_is_kept_in_the_output_folder() {
    let site = Site::copy_of("basic");
    site.write("static/CNAME", "notes.example.com\n");
    site.build();
    assert_eq!(site.out("CNAME"), "notes.example.com\n");

    let by_hand = Site::copy_of("basic");
    by_hand.build();
    by_hand.write("book/CNAME", "notes.example.com\n");
    by_hand.write(
        "content/gan/wgan.md",
        "---\ntitle: Wasserstein GAN\n---\nEdited.\n",
    );
    by_hand.build();
    assert_eq!(by_hand.out("CNAME"), "notes.example.com\n");
}

/// The KaTeX version decides how every formula renders, so it is part of the version line.
#[test]
fn version_names_studybook_and_katex() {
    let out = Site::empty().cli(&["--version"]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!(
            "studybook {} (KaTeX {})\n",
            env!("CARGO_PKG_VERSION"),
            katex::KATEX_VERSION.trim()
        )
    );
}
