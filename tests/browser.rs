//! Runs the real-browser tests (tests/browser/*.test.mjs, Node's test runner driving Debian's
//! headless Chromium through playwright-core) against sites built here.
//!
//! Without /usr/bin/chromium the test says so and passes, except under CI (`CI` set), where a
//! missing browser is a failure: .ci/run installs it.

mod common;

use std::path::Path;
use std::process::Command;

use common::Site;

fn chromium() -> Option<String> {
    let path = std::env::var("CHROMIUM_PATH").unwrap_or_else(|_| "/usr/bin/chromium".into());
    Path::new(&path).exists().then_some(path)
}

fn ensure_node_modules(dir: &Path) {
    if dir.join("node_modules/playwright-core").exists()
        && dir.join("node_modules/axe-core").exists()
    {
        return;
    }
    let status = Command::new("npm")
        .args(["install", "--no-audit", "--no-fund"])
        .current_dir(dir)
        .status();
    assert!(
        status.is_ok_and(|s| s.success()),
        "npm install in {} failed",
        dir.display()
    );
}

#[test]
fn browser_suite() {
    let Some(chromium) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have Debian's chromium: apt-get install -y chromium"
        );
        eprintln!("SKIPPED browser tests: no /usr/bin/chromium (apt-get install -y chromium)");
        return;
    };
    let browser_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    ensure_node_modules(&browser_dir);

    let fixture = Site::copy_of("basic");
    let report = fixture.build();
    assert!(
        report.generated.diagnostics.is_empty(),
        "{:?}",
        report.generated.diagnostics
    );

    // An Obsidian vault, built from its root as it is.
    let vault = Site::copy_of("vault");
    let vault_report = vault.build();
    assert!(
        vault_report.generated.diagnostics.is_empty(),
        "{:?}",
        vault_report.generated.diagnostics
    );

    // This repository's own study site, built with its cache so math is not rendered again.
    let repo_site = tempfile::tempdir().unwrap();
    let opts = studybook::build::BuildOptions {
        root: Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf(),
        dest: Some(repo_site.path().join("book")),
        site_url: None,
    };
    let repo_report = studybook::build::build(&opts, &studybook::build::Silent).unwrap();
    assert!(
        !repo_report.generated.has_errors(),
        "{:?}",
        repo_report.generated.diagnostics
    );

    let mut tests: Vec<_> = std::fs::read_dir(&browser_dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
        .collect();
    tests.sort();
    let output = Command::new("node")
        .arg("--test")
        .arg("--test-concurrency=1")
        .args(&tests)
        .env("CHROMIUM_PATH", chromium)
        .env("FIXTURE_SITE", fixture.root().join("book"))
        .env("FIXTURE_ROOT", fixture.root())
        .env("VAULT_SITE", vault.root().join("book"))
        .env("REPO_SITE", repo_site.path().join("book"))
        .env("STUDYBOOK_BIN", env!("CARGO_BIN_EXE_studybook"))
        .current_dir(&browser_dir)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let summary: Vec<&str> = stdout.lines().filter(|l| l.starts_with("# ")).collect();
    eprintln!("browser tests:\n{}", summary.join("\n"));
    assert!(
        output.status.success(),
        "browser tests failed:\n{stdout}\n{stderr}"
    );
    assert!(
        summary
            .iter()
            .any(|l| l.starts_with("# pass ") && l != &"# pass 0"),
        "no browser test ran:\n{stdout}"
    );
}
