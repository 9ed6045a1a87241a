//! A property test over the whole pipeline: Markdown generated from a grammar of nasty
//! fragments (unbalanced `$`, `[[`, `]]`, `|`, `#`, `> [!`, backticks, HTML, CJK, emoji, RTL
//! marks, combining characters, deep nesting, headings, front matter fragments) is built into a
//! temporary folder, and the build must not panic, its output must stay linear in its input, and
//! every HTML page it writes must have balanced block tags.
//!
//! `cargo test --test fuzz` runs 256 cases (proptest's default). A longer run:
//!
//! ```text
//! PROPTEST_CASES=5000 cargo test --release --test fuzz
//! ```
//!
//! Raw HTML passes through Markdown as CommonMark says, so an author's own broken HTML is the
//! author's: the grammar's HTML fragments are balanced (a backslash before one never escapes its
//! opening tag), and a line never starts with `<` (an HTML block would pass the lines after it
//! through raw, `<` and all).

use std::path::Path;

use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::Config;

use studybook::build::{self, BuildOptions, Silent};

/// Pieces of a line's text.
const FRAGMENTS: &[&str] = &[
    " ",
    " ",
    "word",
    "Page A",
    "$",
    "$$",
    "\\$",
    "$x^2$",
    "$\\frac{a}{b}",
    "$\\nope{x}$",
    "$$\\sum_i x_i$$",
    "^",
    "_",
    "{",
    "}",
    "[[",
    "]]",
    "[[Page A]]",
    "[[Page B#Sec]]",
    "[[#Sec]]",
    "[[nope]]",
    "[[Page A|alias]]",
    "|",
    "||",
    "#",
    "##",
    "`",
    "``",
    "```",
    "`code $x$`",
    "*",
    "**",
    "_",
    "~~",
    "[",
    "]",
    "(",
    ")",
    "[x](b.md)",
    "[y](../../up.md)",
    "![i](nope.png)",
    "[^1]",
    "<",
    ">",
    "&",
    "&amp;",
    "&#0;",
    "&#x202e;",
    "\\",
    "{#id}",
    // A space first: after the `\\` fragment an opening tag would be escaped into text and
    // leave its closing tag stray, the author's broken HTML rather than studybook's.
    " <span>s</span>",
    " <div>d</div>",
    " <details><summary>s</summary>x</details>",
    " <!-- c -->",
    " <script>alert(1)</script>",
    "<b>",
    "</b>",
    "批归一化",
    "面试回答",
    "，",
    "😀",
    "👩\u{200d}👩\u{200d}👧",
    "\u{200f}",
    "\u{202e}",
    "\u{2067}",
    "e\u{301}",
    "a\u{300}\u{301}\u{302}\u{303}",
    "\u{feff}",
    "\t",
    "\0",
    "\x1b[31m",
    "\x07",
    "> [!",
    "[!QUESTION]",
    "---",
    "===",
    "- ",
    "1. ",
    "+++",
    ":",
    "title:",
];

/// How a line starts.
const PREFIXES: &[&str] = &[
    "",
    "",
    "",
    "# ",
    "## ",
    "### Sec",
    "###### ",
    "> ",
    "> [!QUESTION] ",
    "> [!NOTE]- ",
    "> [!TIP]+ ",
    "> [!",
    "> [!WEIRD] ",
    "- ",
    "1. ",
    "    ",
    "  - ",
    "| ",
    "|---|---|",
    "```",
    "```math",
    "~~~",
    "$$",
    "---",
    "***",
    "title: ",
    "[^1]: ",
    "[ref]: ",
];

/// What a page's text may start with.
const FRONT_MATTER: &[&str] = &[
    "",
    "---\ntitle: Page A\n---\n",
    "---\ntitle: Page B\naliases: [Page A, \"$\", \"[[\"]\ntags: [x, 批]\n---\n",
    "---\ntitle: [\n---\n",
    "---\ntitle: T\nprerequisites: [Page A, nope]\n---\n",
    "---\ntitle: 42\ntags: {a: 1}\n---\n",
    "---\n---\n",
    "---\n",
    "---\ntitle: x\n",
    "+++\ntitle = 1\n+++\n",
    "\u{feff}---\ntitle: BOM\n---\n",
];

fn line() -> impl Strategy<Value = String> {
    (
        0..4usize,
        select(PREFIXES),
        prop::collection::vec(select(FRAGMENTS), 0..10),
        select(&["\n", "\r\n"][..]),
    )
        .prop_map(|(depth, prefix, fragments, end)| {
            // A backslash before `<` would leave the rest of an HTML fragment raw and unbalanced.
            let mut text = fragments.concat().replace("\\<", "\\ <");
            // Not an HTML block, which would pass the lines after it through raw.
            if text.trim_start().starts_with('<') {
                text.insert(0, 'x');
            }
            format!("{}{prefix}{text}{end}", "> ".repeat(depth))
        })
}

/// Quotes, callouts or lists nested `depth` deep, one level a line.
fn nesting() -> impl Strategy<Value = String> {
    (
        1..120usize,
        select(&["> [!QUESTION] Q", "> [!NOTE]", "> ", "- ", "1. "][..]),
    )
        .prop_map(|(depth, marker)| {
            let indent = if marker.starts_with('>') { "> " } else { "   " };
            (0..depth)
                .map(|level| format!("{}{marker}{level}\n", indent.repeat(level)))
                .collect()
        })
}

fn page() -> impl Strategy<Value = String> {
    let block = prop_oneof![
        8 => line(),
        2 => Just("\n".to_string()),
        1 => nesting(),
    ];
    (select(FRONT_MATTER), prop::collection::vec(block, 0..30))
        .prop_map(|(front, blocks)| format!("{front}{}", blocks.concat()))
}

/// The names of block elements whose tags must balance in every page.
const BLOCKS: &[&str] = &[
    "html",
    "head",
    "body",
    "main",
    "nav",
    "aside",
    "header",
    "footer",
    "article",
    "section",
    "div",
    "p",
    "details",
    "summary",
    "blockquote",
    "ul",
    "ol",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "td",
    "th",
    "pre",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
];

/// Checks that the block elements of `html` open and close in order. Script, style and comment
/// contents are skipped; attribute values may hold `>`.
fn balanced(html: &str) -> Result<(), String> {
    let mut open: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            let end = after.find("-->").ok_or("an unclosed comment")?;
            rest = &after[end + 3..];
            continue;
        }
        let closing = rest.starts_with("</");
        let name_start = if closing { 2 } else { 1 };
        let name: String = rest[name_start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() {
            rest = &rest[1..];
            continue;
        }
        let end = tag_end(rest).ok_or_else(|| format!("an unclosed <{name} tag"))?;
        let self_closing = rest[..end].ends_with("/>");
        rest = &rest[end..];
        if !closing && (name == "script" || name == "style") {
            let close = format!("</{name}");
            let at = rest
                .find(&close)
                .ok_or_else(|| format!("an unclosed <{name}>"))?;
            rest = &rest[at..];
            continue;
        }
        if !BLOCKS.contains(&name.as_str()) || self_closing {
            continue;
        }
        if closing {
            match open.pop() {
                Some(top) if top == name => {}
                top => return Err(format!("</{name}> closes {top:?}; open: {open:?}")),
            }
        } else {
            open.push(name);
        }
    }
    if open.is_empty() {
        Ok(())
    } else {
        Err(format!("never closed: {open:?}"))
    }
}

/// The index just past the `>` that ends the tag `tag` starts with, skipping quoted values.
fn tag_end(tag: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in tag.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// Builds `pages` in `root` (emptied first, its render cache kept) and checks the output.
fn build_and_check(root: &Path, pages: &[(&str, &str)]) -> Result<(), TestCaseError> {
    for dir in ["content", "book"] {
        let _ = std::fs::remove_dir_all(root.join(dir));
    }
    std::fs::create_dir_all(root.join("content/sub")).unwrap();
    std::fs::write(root.join("book.toml"), "[book]\ntitle = \"Fuzz\"\n").unwrap();
    std::fs::write(root.join("content/_index.md"), "Home.\n").unwrap();
    for (path, text) in pages {
        std::fs::write(root.join("content").join(path), text).unwrap();
    }
    let report = build::build(
        &BuildOptions {
            root: root.to_path_buf(),
            ..Default::default()
        },
        &Silent,
    )
    .map_err(|e| TestCaseError::fail(format!("the build stopped: {e}")))?;
    let generated = &report.generated;

    let input: usize = pages.iter().map(|(_, text)| text.len()).sum();
    let files: Vec<walkdir::DirEntry> = walkdir::WalkDir::new(&report.dest)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .collect();
    let output: u64 = files
        .iter()
        .map(|e| e.metadata().map_or(0, |m| m.len()))
        .sum();
    // The theme and site-wide pages cost a fixed amount; each input byte appears in a few
    // outputs (page, print view, search index, practice); a formula adds KaTeX's markup.
    let bound = (600_000 + 40 * input + 6_000 * generated.stats.formulas) as u64;
    prop_assert!(
        output <= bound,
        "{output} bytes out for {input} bytes in and {} formulas",
        generated.stats.formulas
    );

    for file in files
        .iter()
        .filter(|f| f.path().extension().is_some_and(|e| e == "html"))
    {
        let path = file.path().display();
        let html = std::fs::read_to_string(file.path())
            .map_err(|e| TestCaseError::fail(format!("{path}: {e}")))?;
        prop_assert!(!html.contains('\0'), "{path} holds a NUL");
        if let Err(e) = balanced(&html) {
            return Err(TestCaseError::fail(format!("{path}: {e}")));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(Config {
        failure_persistence: None,
        ..Config::default()
    })]

    #[test]
    fn any_markdown_builds_into_balanced_pages_of_linear_size(a in page(), b in page()) {
        thread_local! {
            static SITE: tempfile::TempDir = tempfile::tempdir().unwrap();
        }
        SITE.with(|site| build_and_check(site.path(), &[("a.md", &a), ("sub/b.md", &b)]))?;
    }
}

#[test]
fn the_balance_check_finds_what_it_should() {
    assert!(balanced("<div class=\"a>b\"><p>x<br><img src=x /></p><script>if (a<b) {}</script><!-- <div> --></div>").is_ok());
    assert!(balanced("<div><p></div>").is_err());
    assert!(balanced("<details><summary>x</summary>").is_err());
    assert!(balanced("<div><!-- unclosed").is_err());
}

/// Inputs the property test found, kept so they are tried on every run.
#[test]
fn found_cases_build_balanced() {
    let dir = tempfile::tempdir().unwrap();
    // An embedded section whose heading sits inside a quote.
    let a =
        "---\ntitle: Page B\naliases: [Page A, \"$\", \"[[\"]\ntags: [x, 批]\n---\n> # [[#Sec]]\n";
    let b = "---\ntitle: [\n---\n> [![[Page B#Sec]]\n";
    build_and_check(dir.path(), &[("a.md", a), ("sub/b.md", b)]).unwrap();
}
