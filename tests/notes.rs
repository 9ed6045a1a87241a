//! The repository's own study notes (content/) are part of the product: they build with no
//! diagnostics, no page is an island, and every runnable block passes `studybook test`.

mod common;

use std::path::Path;
use std::process::Command;

use studybook::build::{self, BuildOptions, Silent};
use studybook::notetest::{self, lang::Lang, TestOptions};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_study_site_builds_with_zero_warnings_and_no_island() {
    let dest = tempfile::tempdir().unwrap();
    let opts = BuildOptions {
        root: repo().to_path_buf(),
        dest: Some(dest.path().join("book")),
        site_url: None,
    };
    let report = build::build(&opts, &Silent).unwrap();
    let diags: Vec<String> = report
        .generated
        .diagnostics
        .iter()
        .map(|d| d.short())
        .collect();
    assert!(diags.is_empty(), "{diags:#?}");
    assert!(
        report.generated.stats.pages >= 40,
        "the syllabus has at least 40 topics"
    );
    for (path, html) in common::html_files(&dest.path().join("book")) {
        if path.contains('/') && !path.starts_with("tags/") {
            let body = html.split("<div class=\"content\">").nth(1).unwrap_or("");
            let body = body.split("<section class=\"backlinks\"").next().unwrap();
            assert!(body.contains(".html"), "{path} links to no other topic");
            assert!(
                html.contains("class=\"backlinks\""),
                "{path} has no page linking to it"
            );
            assert!(
                html.contains("data-question"),
                "{path} has no interview question"
            );
        }
    }
    link_checker(&dest.path().join("book"));
}

/// Debian's `linkchecker` crawls the built site from file:// and must find no broken link.
fn link_checker(dest: &Path) {
    let found = Command::new("linkchecker")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have linkchecker: apt-get install -y linkchecker"
        );
        eprintln!("SKIPPED link check: linkchecker not found (apt-get install -y linkchecker)");
        return;
    }
    let out = Command::new("linkchecker")
        .args([
            "--no-status",
            "--no-warnings",
            "--threads",
            "4",
            "--output",
            "text",
        ])
        .arg(dest.join("index.html"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "linkchecker found broken links:\n{text}"
    );
    assert!(text.contains("0 errors found"), "{text}");
}

/// The notes' runnable blocks (Python with NumPy, C++ programs) pass through the same library
/// function as `studybook test`.
#[test]
fn runnable_blocks_pass() {
    let has_numpy = Command::new("python3")
        .args(["-c", "import numpy"])
        .status()
        .is_ok_and(|s| s.success());
    if !has_numpy {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have NumPy: pip install numpy"
        );
        eprintln!("SKIPPED runnable blocks: python3 with NumPy not found (pip install numpy)");
        return;
    }
    let report = notetest::run(
        &TestOptions {
            root: repo().to_path_buf(),
            // CI has every toolchain the notes use (.ci/run installs g++).
            require: std::env::var_os("CI").is_some(),
            ..TestOptions::default()
        },
        &notetest::Silent,
    )
    .unwrap();
    let diags: Vec<String> = report.diagnostics.iter().map(|d| d.short()).collect();
    assert!(diags.is_empty(), "{diags:#?}");
    let failures: Vec<String> = report
        .results
        .iter()
        .filter_map(notetest::report::failure)
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let python = report
        .results
        .iter()
        .filter(|r| r.job.lang == Lang::Python)
        .count();
    assert!(
        python >= 40,
        "expected a runnable block on most pages, found {python}"
    );
    for line in notetest::report::missing(&report) {
        eprintln!("SKIPPED {line}");
    }
    eprintln!("{}", notetest::report::summary(&report));
}
