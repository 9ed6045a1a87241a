//! Bad input gets a clear diagnostic at file:line:col, never a panic; the build still writes
//! every page and exits 1.

mod common;

use common::Site;
use serde_json::Value;

fn check_json(site: &Site) -> (Option<i32>, Vec<Value>) {
    let out = site.cli(&["check", "--format", "json"]);
    let diags: Vec<Value> = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code(), diags)
}

fn find<'a>(diags: &'a [Value], needle: &str) -> &'a Value {
    diags
        .iter()
        .find(|d| d["message"].as_str().unwrap().contains(needle))
        .unwrap_or_else(|| panic!("no diagnostic containing {needle:?} in {diags:#?}"))
}

fn at(d: &Value) -> String {
    format!(
        "{}:{}:{}",
        d["file"].as_str().unwrap(),
        d["line"],
        d["column"]
    )
}

#[test]
fn every_problem_is_reported_with_its_position_and_a_fix() {
    let site = Site::copy_of("broken");
    std::fs::write(site.root().join("content/latin1.md"), b"caf\xe9\n").unwrap();
    let (code, diags) = check_json(&site);
    assert_eq!(code, Some(1));

    let d = find(&diags, "no page named [[Batch Normalisation]]");
    assert_eq!(at(d), "content/a.md:4:5");
    assert_eq!(d["help"], "did you mean [[Batch Normalization]]?");
    assert_eq!(d["severity"], "error");

    let d = find(&diags, "[[intro]] is ambiguous");
    assert_eq!(at(d), "content/a.md:5:6");
    let msg = d["message"].as_str().unwrap();
    assert!(
        msg.contains("content/x/intro.md") && msg.contains("content/y/intro.md"),
        "{msg}"
    );

    let d = find(&diags, "no heading `Forward pass` in Batch Normalization");
    assert_eq!(at(d), "content/a.md:5:20");
    assert_eq!(
        d["help"],
        "did you mean [[Batch Normalization#Backward pass]]?"
    );

    let d = find(&diags, "math error: Undefined control sequence: \\nope");
    assert_eq!(
        at(d),
        "content/a.md:6:16",
        "points at the bad command inside the formula"
    );

    let d = find(&diags, "image `missing.png` not found");
    assert_eq!(
        (at(d).as_str(), d["severity"].as_str()),
        ("content/a.md:6:27", Some("warning"))
    );

    let d = find(&diags, "unknown callout type `[!WEIRD]`");
    assert_eq!(d["severity"], "warning");
    assert_eq!(d["line"], 8);

    let d = find(&diags, "prerequisite cycle: ");
    assert!(
        d["message"].as_str().unwrap().contains("C → D → C")
            || d["message"].as_str().unwrap().contains("D → C → D")
    );

    let d = find(&diags, "invalid front matter");
    assert_eq!(d["file"], "content/e.md");
    // Where the YAML parser saw the unclosed list end: in the file, not inside the YAML.
    assert_eq!(at(d), "content/e.md:4:7");

    let d = find(&diags, "not valid UTF-8");
    assert_eq!(d["file"], "content/latin1.md");
    assert_eq!(d["line"], 1);

    let d = find(&diags, "unknown key `book.titel`");
    assert_eq!(at(d), "book.toml:3:1");
    assert_eq!(d["help"], "did you mean `book.title`?");
}

#[test]
fn build_with_errors_still_writes_every_page_and_exits_1() {
    let site = Site::copy_of("broken");
    let out = site.cli(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("content/a.md:4:5"), "{stderr}");
    assert!(
        stderr.contains("See [[Batch Normalisation]] here."),
        "the source line is shown: {stderr}"
    );
    let a = std::fs::read_to_string(site.root().join("book/a.html")).unwrap();
    assert!(
        a.contains("class=\"math-error\""),
        "the bad formula is visible in the page"
    );
    assert!(site.root().join("book/bn.html").exists());
    assert!(
        stderr.lines().last().unwrap().contains("errors"),
        "one summary line at the end: {stderr}"
    );
}

#[test]
fn template_errors_name_the_template_and_line() {
    let site = Site::copy_of("basic");
    site.write("templates/tag.html", "{% extends \"base.html\" %}\n{% block main %}\n{{ tag.name | nosuchfilter }}\n{% endblock main %}\n");
    let (code, diags) = check_json(&site);
    assert_eq!(code, Some(1));
    let d = find(&diags, "template error");
    assert_eq!(d["file"], "templates/tag.html");
    assert_eq!(d["line"], 3);
}

#[test]
fn init_makes_a_site_that_builds_and_new_adds_a_page() {
    let site = Site::empty();
    let out = site.cli(&["init", "."]);
    assert!(out.status.success());
    let out = site.cli(&["new", "Receptive Field", "--category", "basics"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = site.cli(&["build"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(site
        .root()
        .join("book/basics/receptive-field.html")
        .exists());
    assert!(site.root().join("book/basics/softmax.html").exists());
    let gitignore = std::fs::read_to_string(site.root().join(".gitignore")).unwrap();
    assert!(gitignore.contains("book/") && gitignore.contains(".studybook/"));
}

#[test]
fn a_missing_site_folder_is_a_usage_error_and_creates_nothing() {
    let site = Site::empty();
    for command in ["build", "check"] {
        let out = site.cli(&[command, "no-such-site"]);
        assert_eq!(out.status.code(), Some(2), "{command}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("there is no site folder at no-such-site"),
            "{stderr}"
        );
    }
    assert!(!site.root().join("no-such-site").exists());
}

#[test]
fn a_broken_book_toml_stops_the_build_with_its_position() {
    let site = Site::empty();
    site.write("book.toml", "[book\n");
    site.write("content/a.md", "# A\n");
    let out = site.cli(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("invalid book.toml") && stderr.contains("book.toml:1:6"),
        "{stderr}"
    );
    assert!(
        !stderr.contains(" → "),
        "no output folder is named: {stderr}"
    );
    assert!(!site.root().join("book").exists(), "nothing is written");
}
