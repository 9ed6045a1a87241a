//! Bad input and a damaged output folder: a clear error at file:line:col, never a panic, nothing
//! written or removed outside the output folder, and a failed build keeps the last good site.

mod common;

use std::path::Path;

use common::Site;

/// Every file under `dir` with its bytes, to compare a folder before and after a build.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().display().to_string();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect();
    files.sort();
    files
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[cfg(unix)]
#[test]
fn links_inside_the_output_folder_are_never_followed() {
    let site = Site::copy_of("basic");
    let outside = site.root().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("sentinel.txt"), "keep").unwrap();
    let secret = site.root().join("secret.txt");
    std::fs::write(&secret, "do not overwrite").unwrap();
    assert_eq!(site.cli(&["build", "-q"]).status.code(), Some(0));

    // The reproduction: css/ becomes a link out, and the manifest names a file out there.
    let book = site.root().join("book");
    std::fs::remove_dir_all(book.join("css")).unwrap();
    std::os::unix::fs::symlink("../outside", book.join("css")).unwrap();
    let mut manifest = std::fs::read_to_string(book.join(".studybook-manifest")).unwrap();
    manifest.push_str("css/sentinel.txt\n");
    std::fs::write(book.join(".studybook-manifest"), manifest).unwrap();
    std::fs::remove_file(book.join("404.html")).unwrap();
    std::os::unix::fs::symlink(&secret, book.join("404.html")).unwrap();
    let before = snapshot(&outside);

    let out = site.cli(&["build"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(snapshot(&outside), before, "outside/ changed");
    assert_eq!(
        std::fs::read_to_string(&secret).unwrap(),
        "do not overwrite"
    );
    assert!(book.join("css").is_dir() && !book.join("css").is_symlink());
    assert!(
        site.out("css/style.css").contains("--"),
        "theme CSS written inside"
    );
    assert!(site.out("404.html").contains("<html"));
    let text = stderr(&out);
    assert!(
        text.contains("replaced a symbolic link to ../outside") && text.contains("404.html"),
        "{text}"
    );
}

#[test]
fn a_broken_template_keeps_the_last_good_site_and_is_reported_once() {
    let site = Site::copy_of("basic");
    assert_eq!(site.cli(&["build", "-q"]).status.code(), Some(0));
    let before = snapshot(&site.root().join("book"));
    site.write("templates/page.html", "{{ nope }}\n");

    let out = site.cli(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stderr(&out);
    assert_eq!(
        text.matches("Variable `nope` is not defined").count(),
        1,
        "{text}"
    );
    assert!(text.contains("templates/page.html:1:4"), "{text}");
    // Every page the last good build wrote is still there, unchanged where it failed.
    let after = snapshot(&site.root().join("book"));
    for (path, bytes) in &before {
        let now = after.iter().find(|(p, _)| p == path);
        assert!(now.is_some(), "{path} was removed by a failed build");
        if path.ends_with(".html") && path.contains('/') && !path.starts_with("tags/") {
            assert_eq!(&now.unwrap().1, bytes, "{path} was overwritten");
        }
    }
    // The next good build still knows those files as its own.
    std::fs::remove_file(site.root().join("templates/page.html")).unwrap();
    std::fs::remove_file(site.root().join("content/geometry/iou.md")).unwrap();
    assert_eq!(site.cli(&["build", "-q"]).status.code(), Some(0));
    assert!(!site.exists("geometry/iou.html"));
}

#[test]
fn an_emptied_base_template_is_blamed_on_the_sites_file() {
    let site = Site::copy_of("basic");
    site.write("templates/base.html", "");
    let out = site.cli(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stderr(&out);
    assert!(!text.contains("(built-in theme)"), "{text}");
    assert!(
        text.contains("`base.html` has no block `main`")
            && text.contains("templates/base.html:1:1"),
        "{text}"
    );
    assert_eq!(text.matches("has no block `main`").count(), 1, "{text}");
}

#[test]
fn circular_templates_are_blamed_on_the_sites_file() {
    let site = Site::copy_of("basic");
    site.write("templates/base.html", "{% extends \"page.html\" %}\n");
    let out = site.cli(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stderr(&out);
    assert!(
        text.contains("templates use each other in a circle: base.html → page.html → base.html"),
        "{text}"
    );
    assert!(text.contains("templates/base.html:1:1"), "{text}");
}

#[test]
fn a_file_in_the_way_of_a_folder_is_named_once() {
    let site = Site::copy_of("basic");
    std::fs::create_dir_all(site.root().join("book")).unwrap();
    std::fs::write(site.root().join("book/tags"), "mine").unwrap();
    let out = site.cli(&["build"]);
    assert_eq!(out.status.code(), Some(2));
    let text = stderr(&out);
    assert!(text.contains("book/tags"), "{text}");
    assert_eq!(text.matches("in the way").count(), 1, "{text}");
    assert!(!text.contains("os error 17): File exists"), "{text}");
    assert_eq!(
        std::fs::read_to_string(site.root().join("book/tags")).unwrap(),
        "mine"
    );
}

/// One list of the pages the site writes itself: every generated HTML file is on it (or is a
/// tag page), and a topic page named like any of them is an error naming the Markdown file.
#[test]
fn pages_named_like_generated_ones_are_refused_by_name() {
    let site = Site::copy_of("basic");
    let report = site.build();
    let topic_urls: Vec<String> = common::html_files(&site.root().join("book"))
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| p.contains('/') && !p.starts_with("tags/"))
        .collect();
    for (path, _) in common::html_files(&site.root().join("book")) {
        let generated = studybook::parse::GENERATED_PAGES.contains(&path.as_str())
            || path.starts_with(&format!("{}/", studybook::parse::TAGS_DIR))
            || path.starts_with(studybook::parse::PRINT_VIEW_PREFIX);
        assert!(
            generated || topic_urls.contains(&path),
            "{path} is written by the site but not on the list of generated pages"
        );
    }
    assert!(!report.generated.has_errors());
    for name in studybook::parse::GENERATED_PAGES {
        let md = name.replace(".html", ".md");
        site.write(&format!("content/{md}"), "# Mine\n\nText.\n");
    }
    site.write("content/tags/index.md", "# Tags of mine\n");
    site.write("content/print-cat-gan.md", "# Mine\n");
    let out = site.cli(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stderr(&out);
    for name in studybook::parse::GENERATED_PAGES {
        let md = name.replace(".html", ".md");
        assert!(
            text.contains(&format!("content/{md}"))
                && text.contains(&format!("{name} is a page the site writes itself")),
            "{md}: {text}"
        );
    }
    assert!(text.contains("content/tags/index.md"), "{text}");
    assert!(
        text.contains("content/print-cat-gan.md") && text.contains("print views"),
        "{text}"
    );
    assert!(!text.contains("two files would be written"), "{text}");
}
