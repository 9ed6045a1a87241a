//! `studybook test` on the fixture site `notetest`: Python, C++ and Bash blocks that pass, fail,
//! print the wrong thing, run too long, must fail, build on each other or are skipped.

mod common;

use common::Site;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every failure of the fixture, as the first line of its report.
const FAILURES: &[&str] = &[
    "FAILED content/bash.md:11:1 (bash): echo \"about to fail\" >&2",
    "FAILED content/bash.md:17:1 (bash): printf 'a\\nb\\n'",
    "FAILED content/bash.md:26:1 (bash): sleep 30",
    "FAILED content/cpp.md:16:1 (cpp): #include <algorithm>",
    "FAILED content/cpp.md:24:1 (cpp): #include <cstdio>",
    "FAILED content/cpp.md:55:1 (cpp): int main() { volatile bool on = true; while (on) {} }",
    "FAILED content/cpp.md:66:1 (cpp): int twice(int x) { return x * 2 }",
    "FAILED content/python.md:27:1 (python): import math",
    "FAILED content/python.md:35:1 (python): def iou(a, b):",
    "FAILED content/python.md:60:1 (python): while True:",
];

#[test]
fn failures_are_reported_at_their_block_and_a_second_run_is_cached() {
    let site = Site::copy_of("notetest");
    let out = site.cli(&["test"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let reported: Vec<&str> = stdout.lines().filter(|l| l.starts_with("FAILED")).collect();
    assert_eq!(reported, FAILURES, "{stdout}");
    // The mismatches carry a unified diff; the errors their exit code and stderr.
    assert!(
        stdout.contains("  --- expected\n  +++ actual\n  @@ -1 +1 @@\n  -0.5\n  +1.0\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  @@ -1,3 +1,4 @@\n   0\n   1\n   2\n  +3\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "  command: bash -e -o pipefail main.sh\n  exit code: 1\n  stderr:\n    about to fail\n"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("File \"content/python.md\", line 30"),
        "the traceback names the note's own line: {stdout}"
    );
    assert!(stdout.contains("timed out after 1s"), "{stdout}");
    assert!(
        stdout.contains("content/cpp.md:19: int main(): Assertion"),
        "C++ asserts name the note's line: {stdout}"
    );
    assert!(
        stdout.contains("  group: broken (blocks at lines 66, 70)\n  command: c++ -std=c++17 -Wall -Wextra -Werror main.cpp -o main\n  does not compile\n")
            && stdout.contains("    content/cpp.md:67:32: error: expected"),
        "a compile error is reported at the block it is in, at the note's line: {stdout}"
    );
    assert!(
        stdout.contains("23 tests: 10 passed, 10 failed, 3 skipped, 0 cached in "),
        "{stdout}"
    );

    let again = text(&site.cli(&["test"]).stdout);
    assert!(
        again.contains("23 tests: 10 passed, 10 failed, 3 skipped, 10 cached in "),
        "passes come from the cache, failures run again: {again}"
    );
    let forced = text(&site.cli(&["test", "--no-cache", "--lang", "bash"]).stdout);
    assert!(
        forced.contains("7 tests: 3 passed, 3 failed, 1 skipped, 0 cached in "),
        "{forced}"
    );
}

#[test]
fn filter_by_tag_or_path_and_by_language() {
    let site = Site::copy_of("notetest");
    let out = site.cli(&[
        "test", "--filter", "numerics", "--lang", "python", "-j", "1",
    ]);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("8 tests: 4 passed, 3 failed, 1 skipped"),
        "{stdout}"
    );
    let out = site.cli(&["test", "--filter", "cpp.md", "--lang", "python"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.starts_with("0 tests: 0 passed"), "{stdout}");
    let out = site.cli(&["test", "--lang", "cobol"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("use one of python, cpp, c, rust, bash, javascript"));
}

#[test]
fn a_missing_toolchain_is_reported_once_and_its_blocks_skipped_unless_required() {
    let site = Site::copy_of("notetest");
    site.write(
        "book.toml",
        "[test.cpp]\ncommand = \"studybook-no-such-compiler\"\n",
    );
    let out = site.cli(&["test", "--lang", "cpp"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(
        stderr.lines().filter(|l| l.contains("toolchain")).collect::<Vec<_>>(),
        ["warning: no cpp toolchain: `studybook-no-such-compiler` not found; 9 blocks not run (install one, or set [test.cpp] command in book.toml)"],
    );
    assert!(text(&out.stdout).contains("8 tests: 0 passed, 0 failed, 8 skipped"));

    let out = site.cli(&["test", "--lang", "cpp", "--require"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("error: no cpp toolchain"));
    assert!(text(&out.stdout).contains("8 tests: 0 passed, 7 failed, 1 skipped"));
}

#[test]
fn bad_attributes_are_errors_in_test_and_check_and_build_runs_no_code() {
    let site = Site::empty();
    site.write(
        "content/p.md",
        "# P\n\n```bash {run}\ntouch ran-at-build-time\necho hi\n```\n\n```output\nhi\n```\n\n\
         ```python {run timout=3s}\nprint(1)\n```\n",
    );
    let out = site.cli(&["check"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("unknown code block attribute `timout`"),
        "{stderr}"
    );
    assert!(stderr.contains("content/p.md:12:16"), "{stderr}");

    site.write(
        "content/p.md",
        "# P\n\n```bash {run}\ntouch ran-at-build-time\necho hi\n```\n\n```output\nhi\n```\n",
    );
    let report = site.build();
    assert!(report.generated.diagnostics.is_empty());
    let html = site.out("p.html");
    assert!(
        html.contains("<span class=\"tested-mark\">✓ tested · Bash</span>"),
        "{html}"
    );
    assert!(html.contains("<div class=\"code-output-label\">Output</div>"));
    let ran = walkdir::WalkDir::new(site.root())
        .into_iter()
        .filter_map(Result::ok)
        .any(|e| e.file_name() == "ran-at-build-time");
    assert!(!ran, "build ran a block");

    let out = site.cli(&["test"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("1 test: 1 passed"));
    assert!(
        !site.root().join("ran-at-build-time").exists(),
        "a test runs in its own temp folder"
    );
}
