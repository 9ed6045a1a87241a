//! Bad input in the text of pages and arguments, tried as a new user would: what reaches the
//! terminal, what reaches the HTML, formulas left open, inputs that grow output quadratically, and
//! a `new --category` that points outside the content folder.

mod common;

use common::Site;

fn site_with(pages: &[(&str, &str)]) -> Site {
    let site = Site::empty();
    site.write("book.toml", "[book]\ntitle = \"T\"\n");
    site.write("content/_index.md", "---\ntitle: Home\n---\nHome.\n");
    for (path, text) in pages {
        site.write(&format!("content/{path}"), text);
    }
    site
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Control characters in what the CLI printed, other than line breaks.
fn controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| c.is_control() && *c != '\n')
        .collect()
}

#[test]
fn escape_sequences_in_a_page_never_reach_the_terminal() {
    let site = site_with(&[(
        "a.md",
        "---\ntitle: A\n---\n\x1b]0;PWNED\x07 See \u{202e}[[gone\x1b]].\n",
    )]);
    let out = site.cli(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stderr(&out);
    assert_eq!(controls(&text), [], "{text:?}");
    assert!(text.contains("content/a.md:4:17"), "{text}");
    assert!(text.contains("no page named [[gone\\u{1b}]]"), "{text}");
    assert!(
        text.contains("4 | \\u{1b}]0;PWNED\\u{7} See \\u{202e}[[gone\\u{1b}]]."),
        "the source line is shown, escaped: {text}"
    );
}

#[test]
fn a_long_line_is_shown_as_a_window_around_the_caret() {
    let line = format!("{} [[nowhere]] {}", "词".repeat(25_000), "x".repeat(25_000));
    let site = site_with(&[("a.md", &format!("---\ntitle: A\n---\n{line}\n"))]);
    let out = site.cli(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stderr(&out);
    assert!(text.len() < 2_000, "{} bytes printed", text.len());
    assert!(text.contains("content/a.md:4:25002"), "{text}");
    let source = text
        .lines()
        .find(|l| l.starts_with("4 | "))
        .unwrap_or_else(|| panic!("{text}"));
    let caret = text
        .lines()
        .skip_while(|l| *l != source)
        .nth(1)
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        source.starts_with("4 | ...词") && source.ends_with("x..."),
        "{source}"
    );
    // The caret sits under `[[`: each 词 before it takes two terminal columns.
    let prefix = &source[..source.find("[[").unwrap()];
    let columns = prefix
        .chars()
        .map(|c| if c == '词' { 2 } else { 1 })
        .sum::<usize>();
    assert_eq!(caret.find('^'), Some(columns), "{source}\n{caret}");
}

#[test]
fn a_binary_file_named_md_is_one_short_error() {
    let site = site_with(&[]);
    let mut bytes = b"\x1b]0;PWNED\x07 line one\n".to_vec();
    bytes.extend((0..=255u8).cycle().take(200_000));
    std::fs::write(site.root().join("content/blob.md"), bytes).unwrap();
    let out = site.cli(&["build"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stderr(&out);
    assert_eq!(controls(&text), [], "{text:?}");
    assert!(text.len() < 2_000, "{} bytes printed", text.len());
    assert!(
        text.contains("content/blob.md:3:118") && text.contains("not valid UTF-8"),
        "{text}"
    );
}

#[test]
fn nul_characters_are_removed_from_the_output_with_a_warning() {
    let site = site_with(&[(
        "a.md",
        "---\ntitle: \"Ti\0tle\"\n---\nBody \0text.\n\n```\ncode\0\n```\n",
    )]);
    let out = site.cli(&["build"]);
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("warning: the file contains 3 NUL characters; they are removed")
            && text.contains("content/a.md:2:11"),
        "{text}"
    );
    let page = site.out("a.html");
    assert!(!page.contains('\0'));
    assert!(
        page.contains("Title") && page.contains("Body text."),
        "{page}"
    );
}

#[test]
fn an_unclosed_formula_is_a_warning_with_help_on_escaping_currency() {
    let site = site_with(&[(
        "m.md",
        "---\ntitle: M\n---\nThe loss $\\frac{1}{n} \\sum_i \\ell_i is small.\n\nPrices: $5 and \\$x^2.\n\n$$\n\\sum_i x_i\n\n$$\n",
    )]);
    let out = site.cli(&["build"]);
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains(
            "warning: `$` starts a formula that is not closed in its paragraph, so it shows as text"
        ) && text.contains("content/m.md:4:10"),
        "{text}"
    );
    assert!(
        text.contains(
            "help: close it with `$`, or write `\\$` for a literal dollar sign (currency)"
        ),
        "{text}"
    );
    assert!(
        text.contains("content/m.md:8:1") && text.contains("content/m.md:11:1"),
        "{text}"
    );
    assert_eq!(text.matches("warning: `$").count(), 3, "{text}");
}

#[test]
fn nested_questions_grow_the_practice_page_linearly() {
    let depth = 300;
    let mut page = String::from("---\ntitle: Deep\n---\n");
    for level in 1..=depth {
        let quote = "> ".repeat(level);
        page.push_str(&format!(
            "{quote}[!QUESTION] Question {level}?\n{quote}Answer {level}.\n"
        ));
    }
    let site = site_with(&[("deep.md", &page)]);
    let out = site.cli(&["build", "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let practice = site.out("practice.html");
    assert_eq!(practice.matches("<li class=\"card\"").count(), depth);
    // Before, each card copied every question nested in it: 300 levels made 12 MB.
    assert!(
        practice.len() < 4 * page.len(),
        "{} bytes of practice page for {} bytes of input",
        practice.len(),
        page.len()
    );
    let answer_of = |n: usize| {
        let card = practice
            .split("<li class=\"card\"")
            .find(|c| c.contains(&format!("Question {n}?</div>")))
            .unwrap();
        card[card.find("card-answer-body").unwrap()..].to_string()
    };
    let first = answer_of(1);
    assert!(
        first.contains("Answer 1.") && !first.contains("Answer 2."),
        "{first}"
    );
    assert!(
        first.contains("Question 2?"),
        "a pointer to the follow-up: {first}"
    );
}

#[test]
fn a_category_outside_the_content_folder_is_refused() {
    // The site sits one folder down, so even a regression writes only inside the temporary folder.
    let sandbox = Site::empty();
    sandbox.write("site/book.toml", "[book]\ntitle = \"T\"\n");
    sandbox.write("site/content/_index.md", "Home.\n");
    let absolute = sandbox.root().join("abs").display().to_string();
    for category in ["../../x", "../x", "a/../../x", absolute.as_str()] {
        let out = sandbox.cli(&["new", "T", "--category", category, "--root", "site"]);
        let text = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{category}: {text}");
        assert!(
            text.contains(&format!(
                "--category `{category}` is not a folder inside the content folder"
            )),
            "{text}"
        );
    }
    let mut written: Vec<_> = walkdir::WalkDir::new(sandbox.root())
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(sandbox.root()).unwrap().to_owned())
        .collect();
    written.sort();
    assert_eq!(
        written,
        ["site/book.toml", "site/content/_index.md"].map(std::path::PathBuf::from)
    );
}
