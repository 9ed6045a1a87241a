//! The expand stage, between load and parse: rewrites each Markdown file into the Markdown the
//! parser reads, for notes written for other tools.
//!
//! - Obsidian's `%%comments%%` (inline and multi-line) are removed before anything else sees them,
//!   so they never reach HTML, search, practice cards or the Anki export.
//! - mdBook's `{{#include}}`, `{{#rustdoc_include}}`, `{{#playground}}` (with line ranges and
//!   anchors) are replaced by the file they name; `{{#title}}` sets the page title; `\{{#…}}` stays
//!   literal, and so does a directive in an inline code span.
//! - An image whose destination has spaces (Typora writes them) is made one CommonMark accepts,
//!   and Typora's `[TOC]` line is dropped (the page shows its table of contents anyway).
//! - Hugo and Zola shortcodes, which studybook does not run, are warnings naming them.
//!
//! The expanded text keeps a [`SourceMap`], so a diagnostic found later points into the file as
//! written (or into the included file), not into the expanded text.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use crate::diagnostics::{Diagnostic, LineIndex, Position};
use crate::load::Source;

/// Where each part of an expanded text came from.
#[derive(Debug)]
pub struct SourceMap {
    files: Vec<Origin>,
    segments: Vec<Segment>,
    /// Line starts of the expanded text, to turn a diagnostic's position back into an offset.
    expanded_lines: LineIndex,
}

#[derive(Debug)]
struct Origin {
    display_path: PathBuf,
    text: String,
    lines: LineIndex,
}

/// A run of the expanded text: copied from `file` at `src_start` (`copied`), or written by the
/// expand stage itself at that place (a `# ` prefix, a `<`).
#[derive(Debug, Clone, Copy)]
struct Segment {
    out_start: usize,
    file: usize,
    src_start: usize,
    copied: bool,
}

impl SourceMap {
    /// The file and position that a byte offset of the expanded text comes from.
    pub fn locate(&self, offset: usize) -> (&Path, Position) {
        let i = self
            .segments
            .partition_point(|s| s.out_start <= offset)
            .saturating_sub(1);
        let Some(seg) = self.segments.get(i) else {
            let first = &self.files[0];
            return (&first.display_path, Position { line: 1, column: 1 });
        };
        let origin = &self.files[seg.file];
        let src = if seg.copied {
            seg.src_start + (offset - seg.out_start.min(offset))
        } else {
            seg.src_start
        };
        (
            &origin.display_path,
            origin.lines.position(&origin.text, src),
        )
    }

    /// Points a diagnostic made against the expanded text at the file as written.
    pub fn remap(&self, expanded: &str, d: &mut Diagnostic) {
        if d.position.line == 0 || d.file != self.files[0].display_path {
            return;
        }
        let Some(offset) = self.expanded_lines.offset(expanded, d.position) else {
            return;
        };
        let (file, position) = self.locate(offset);
        d.file = file.to_path_buf();
        d.position = position;
    }
}

/// Expands one source. Sources that need nothing keep their text and get no map.
pub fn expand(root: &Path, source: Source) -> (Source, Vec<Diagnostic>) {
    if !needs_expanding(&source.text) {
        return (source, Vec::new());
    }
    let mut b = Builder {
        root,
        out: String::with_capacity(source.text.len()),
        files: Vec::new(),
        segments: Vec::new(),
        diagnostics: Vec::new(),
        stack: Vec::new(),
        title: None,
    };
    let top = b.add_file(source.display_path.clone(), source.text.clone());
    if let Ok(real) = root.join(&source.display_path).canonicalize() {
        b.stack.push(real);
    }
    b.expand_file(top);
    if b.out == source.text && b.title.is_none() {
        return (source, b.diagnostics);
    }
    let expanded_lines = LineIndex::new(&b.out);
    let map = SourceMap {
        files: b.files,
        segments: b.segments,
        expanded_lines,
    };
    let expanded = Source {
        text: b.out,
        map: Some(Arc::new(map)),
        directive_title: b.title,
        ..source
    };
    (expanded, b.diagnostics)
}

/// A cheap test that skips the Markdown parse for the many files with nothing to expand.
fn needs_expanding(text: &str) -> bool {
    ["%%", "{{", "{%", "![", "[TOC]", "[toc]"]
        .iter()
        .any(|marker| text.contains(marker))
}

struct Builder<'r> {
    root: &'r Path,
    out: String,
    files: Vec<Origin>,
    segments: Vec<Segment>,
    diagnostics: Vec<Diagnostic>,
    /// The files being included, outermost first: an include of one of them is a cycle.
    stack: Vec<PathBuf>,
    title: Option<String>,
}

/// What replaces a range of a file.
enum Edit {
    /// The range is dropped (a comment, the `\` of an escaped directive, `{{#title}}`).
    Remove,
    /// Text written at the start of an empty range.
    Insert(&'static str),
    /// An mdBook include directive.
    Include(Directive),
}

struct Directive {
    kind: IncludeKind,
    path: String,
    selection: Selection,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum IncludeKind {
    Include,
    Rustdoc,
}

/// Which lines of an included file: all, a 1-based inclusive range, or an anchor's lines.
enum Selection {
    All,
    Lines(Option<usize>, Option<usize>),
    Anchor(String),
}

impl Builder<'_> {
    fn add_file(&mut self, display_path: PathBuf, text: String) -> usize {
        self.files.push(Origin {
            display_path,
            lines: LineIndex::new(&text),
            text,
        });
        self.files.len() - 1
    }

    fn position(&self, file: usize, offset: usize) -> Position {
        let f = &self.files[file];
        f.lines.position(&f.text, offset)
    }

    fn warn(&mut self, file: usize, offset: usize, message: String, help: &str) {
        let d = Diagnostic::warning(
            &self.files[file].display_path,
            self.position(file, offset),
            message,
        )
        .with_help(help);
        self.diagnostics.push(d);
    }

    fn error(&mut self, file: usize, offset: usize, message: String, help: &str) {
        let d = Diagnostic::error(
            &self.files[file].display_path,
            self.position(file, offset),
            message,
        )
        .with_help(help);
        self.diagnostics.push(d);
    }

    fn copy(&mut self, file: usize, range: Range<usize>) {
        if range.is_empty() {
            return;
        }
        self.segments.push(Segment {
            out_start: self.out.len(),
            file,
            src_start: range.start,
            copied: true,
        });
        let text = &self.files[file].text[range];
        self.out.push_str(text);
    }

    fn insert(&mut self, file: usize, at: usize, text: &str) {
        self.segments.push(Segment {
            out_start: self.out.len(),
            file,
            src_start: at,
            copied: false,
        });
        self.out.push_str(text);
    }

    /// Copies a Markdown file into the output with its edits applied.
    fn expand_file(&mut self, file: usize) {
        let edits = self.edits(file);
        let mut at = 0;
        for (range, edit) in edits {
            self.copy(file, at..range.start);
            match edit {
                Edit::Remove => {}
                Edit::Insert(text) => self.insert(file, range.start, text),
                Edit::Include(d) => {
                    if !self.include(file, range.start, d) {
                        self.copy(file, range.clone());
                    }
                }
            }
            at = range.end;
        }
        let end = self.files[file].text.len();
        self.copy(file, at..end);
    }

    /// Every edit of one file, sorted and not overlapping.
    fn edits(&mut self, file: usize) -> Vec<(Range<usize>, Edit)> {
        let text = self.files[file].text.clone();
        let code = code_ranges(&text);
        let in_code = |i: usize| code.inline.iter().any(|r| r.contains(&i));
        let in_any_code = |i: usize| in_code(i) || code.blocks.iter().any(|r| r.contains(&i));
        let mut edits: Vec<(Range<usize>, Edit)> = Vec::new();
        // Comments first: nothing inside one is expanded or warned about.
        let mut from = 0;
        while let Some(i) = text[from..].find("%%").map(|i| from + i) {
            if in_any_code(i) {
                from = i + 2;
                continue;
            }
            let end = match text[i + 2..].find("%%") {
                Some(j) => i + 2 + j + 2,
                None => {
                    self.warn(
                        file,
                        i,
                        "this `%%` comment is never closed: the rest of the file is left out, as Obsidian does".into(),
                        "close the comment with `%%`, or write `\\%%` for two percent signs",
                    );
                    text.len()
                }
            };
            edits.push((whole_lines(&text, i..end), Edit::Remove));
            from = end;
        }
        let comments: Vec<Range<usize>> = edits.iter().map(|(r, _)| r.clone()).collect();
        let in_comment = |i: usize| comments.iter().any(|r| r.contains(&i));
        self.directives(file, &text, &in_code, &in_comment, &mut edits);
        let in_code_or_math = |i: usize| in_any_code(i) || code.math.iter().any(|r| r.contains(&i));
        self.shortcodes(file, &text, &in_code_or_math, &in_comment);
        // Typora's `[TOC]` line: the page's table of contents is already beside it.
        let mut line_start = 0;
        for line in text.split_inclusive('\n') {
            let marker = line.trim();
            if (marker == "[TOC]" || marker == "[toc]")
                && !in_any_code(line_start)
                && !in_comment(line_start)
            {
                edits.push((line_start..line_start + line.len(), Edit::Remove));
            }
            line_start += line.len();
        }
        for dest in spaced_image_destinations(&text) {
            if !in_any_code(dest.start) && !in_comment(dest.start) {
                edits.push((dest.start..dest.start, Edit::Insert("<")));
                edits.push((dest.end..dest.end, Edit::Insert(">")));
            }
        }
        edits.sort_by_key(|(r, _)| (r.start, r.end));
        edits
    }

    /// mdBook's `{{#…}}` directives.
    fn directives(
        &mut self,
        file: usize,
        text: &str,
        in_code: &dyn Fn(usize) -> bool,
        in_comment: &dyn Fn(usize) -> bool,
        edits: &mut Vec<(Range<usize>, Edit)>,
    ) {
        let mut from = 0;
        while let Some(i) = text[from..].find("{{#").map(|i| from + i) {
            from = i + 3;
            if in_code(i) || in_comment(i) {
                continue;
            }
            if i > 0 && text.as_bytes()[i - 1] == b'\\' {
                edits.push((i - 1..i, Edit::Remove));
                continue;
            }
            let Some(len) = text[i..].find("}}") else {
                continue;
            };
            let end = i + len + 2;
            let inner = text[i + 3..i + len].trim();
            let (name, args) = inner
                .split_once(char::is_whitespace)
                .map_or((inner, ""), |(n, a)| (n, a.trim()));
            from = end;
            match name {
                "include" | "playground" | "rustdoc_include" => {
                    let kind = if name == "rustdoc_include" {
                        IncludeKind::Rustdoc
                    } else {
                        IncludeKind::Include
                    };
                    let spec = args.split_whitespace().next().unwrap_or("");
                    let (path, selection) = parse_selection(spec);
                    edits.push((
                        i..end,
                        Edit::Include(Directive {
                            kind,
                            path: path.to_string(),
                            selection,
                        }),
                    ));
                }
                "title" => {
                    self.title = Some(args.to_string());
                    edits.push((whole_lines(text, i..end), Edit::Remove));
                }
                _ => self.warn(
                    file,
                    i,
                    format!("mdBook directive `{{{{#{name}}}}}` is not supported: shown as written"),
                    "studybook expands {{#include}}, {{#rustdoc_include}}, {{#playground}} and {{#title}}",
                ),
            }
        }
    }

    /// Hugo (`{{< x >}}`, `{{% x %}}`) and Zola (`{{ x(…) }}`, `{% x(…) %}`) shortcodes: warned about.
    fn shortcodes(
        &mut self,
        file: usize,
        text: &str,
        in_code: &dyn Fn(usize) -> bool,
        in_comment: &dyn Fn(usize) -> bool,
    ) {
        let mut found = Vec::new();
        for open in ["{{<", "{{%", "{{", "{%"] {
            for (i, _) in text.match_indices(open) {
                if in_code(i) || in_comment(i) || found.iter().any(|(j, _)| *j == i) {
                    continue;
                }
                let rest = text[i + open.len()..].trim_start();
                let name: String = rest
                    .trim_start_matches(['/', '-'])
                    .trim_start()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
                    .collect();
                let zola = open.len() == 2;
                let is_shortcode = !name.is_empty()
                    && (!zola || rest[name.len().min(rest.len())..].starts_with('('));
                if is_shortcode && !rest.starts_with('#') {
                    found.push((i, name));
                }
            }
        }
        for (i, name) in found {
            self.warn(
                file,
                i,
                format!("shortcode `{name}` is not run by studybook: shown as written"),
                "replace it with Markdown (an image, a link, a callout) or remove it",
            );
        }
    }

    /// Copies the file a directive names. False (with an error) when it cannot be included.
    fn include(&mut self, file: usize, at: usize, d: Directive) -> bool {
        let base = self
            .root
            .join(&self.files[file].display_path)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let path = base.join(&d.path);
        let root = self
            .root
            .canonicalize()
            .unwrap_or_else(|_| self.root.into());
        let real = match path.canonicalize() {
            Ok(p) => p,
            Err(_) => {
                self.error(
                    file,
                    at,
                    format!("included file `{}` does not exist", d.path),
                    "give a path relative to this file",
                );
                return false;
            }
        };
        if !real.starts_with(&root) {
            self.error(
                file,
                at,
                format!("included file `{}` is outside the site folder", d.path),
                "include only files inside the site",
            );
            return false;
        }
        if self.stack.contains(&real) {
            let chain: Vec<String> = self
                .stack
                .iter()
                .chain([&real])
                .map(|p| p.strip_prefix(&root).unwrap_or(p).display().to_string())
                .collect();
            self.error(
                file,
                at,
                format!("include cycle: {}", chain.join(" → ")),
                "remove one of the includes",
            );
            return false;
        }
        let text = match std::fs::read(&real).map(String::from_utf8) {
            Ok(Ok(t)) => t,
            _ => {
                self.error(
                    file,
                    at,
                    format!("included file `{}` is not readable UTF-8 text", d.path),
                    "include text files only",
                );
                return false;
            }
        };
        let display = real.strip_prefix(&root).unwrap_or(&real).to_path_buf();
        let markdown = crate::fsutil::is_markdown(&real);
        let included = self.add_file(display, text);
        self.stack.push(real);
        match (&d.selection, d.kind) {
            (Selection::All, IncludeKind::Include) if markdown => self.expand_file(included),
            _ => {
                let lines = self.select_lines(file, at, included, &d);
                for (range, hidden) in lines {
                    if hidden {
                        self.insert(included, range.start, "# ");
                    }
                    self.copy(included, range);
                }
            }
        }
        self.stack.pop();
        true
    }

    /// The lines of an included file that a directive selects, each with whether it is hidden
    /// (`{{#rustdoc_include}}` keeps the lines around the selection as hidden `# ` lines).
    fn select_lines(
        &mut self,
        file: usize,
        at: usize,
        included: usize,
        d: &Directive,
    ) -> Vec<(Range<usize>, bool)> {
        let text = &self.files[included].text;
        let mut lines = Vec::new();
        let mut start = 0;
        for line in text.split_inclusive('\n') {
            lines.push(start..start + line.len());
            start += line.len();
        }
        let is_anchor = |r: &Range<usize>| {
            let l = &text[r.clone()];
            l.contains("ANCHOR:") || l.contains("ANCHOR_END:")
        };
        let chosen: Vec<bool> = match &d.selection {
            Selection::All => vec![true; lines.len()],
            Selection::Lines(from, to) => (1..=lines.len())
                .map(|n| from.is_none_or(|f| n >= f) && to.is_none_or(|t| n <= t))
                .collect(),
            Selection::Anchor(name) => {
                let begin = lines.iter().position(|r| {
                    anchor_name(&text[r.clone()], "ANCHOR:").is_some_and(|n| n == name)
                });
                let Some(begin) = begin else {
                    let path = d.path.clone();
                    self.error(
                        file,
                        at,
                        format!("no `ANCHOR: {name}` in `{path}`"),
                        "mark the lines with `// ANCHOR: name` and `// ANCHOR_END: name`",
                    );
                    return Vec::new();
                };
                let text = &self.files[included].text;
                let end = lines[begin..]
                    .iter()
                    .position(|r| {
                        anchor_name(&text[r.clone()], "ANCHOR_END:").is_some_and(|n| n == name)
                    })
                    .map_or(lines.len(), |e| begin + e);
                (0..lines.len()).map(|n| n > begin && n < end).collect()
            }
        };
        let text = &self.files[included].text;
        let anchored = matches!(d.selection, Selection::Anchor(_));
        lines
            .into_iter()
            .zip(chosen)
            .filter(|(r, _)| !(anchored && is_anchor(r)))
            .filter_map(|(r, keep)| match (keep, d.kind) {
                (true, _) => Some((r, false)),
                (false, IncludeKind::Rustdoc) if !text[r.clone()].trim().is_empty() => {
                    Some((r, true))
                }
                (false, _) => None,
            })
            .collect()
    }
}

/// `path:anchor`, `path:N`, `path:N:M`, `path::M`, `path:N:`.
fn parse_selection(spec: &str) -> (&str, Selection) {
    let mut parts = spec.splitn(3, ':');
    let path = parts.next().unwrap_or("");
    let first = parts.next();
    let second = parts.next();
    let number = |s: Option<&str>| s.and_then(|s| s.trim().parse::<usize>().ok());
    let selection = match (first, second) {
        (None, _) => Selection::All,
        (Some(a), None) if a.parse::<usize>().is_ok() => {
            Selection::Lines(number(Some(a)), number(Some(a)))
        }
        (Some(a), None) if !a.is_empty() => Selection::Anchor(a.to_string()),
        (Some(a), Some(b)) => Selection::Lines(number(Some(a)), number(Some(b))),
        _ => Selection::All,
    };
    (path, selection)
}

/// The anchor named on a line like `// ANCHOR: name`.
fn anchor_name<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    let after = &line[line.find(marker)? + marker.len()..];
    after.split_whitespace().next()
}

/// Widens a removed range to its whole lines when nothing else is on them, so a comment on lines
/// of its own leaves no blank line behind.
fn whole_lines(text: &str, r: Range<usize>) -> Range<usize> {
    let line_start = text[..r.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[r.end..]
        .find('\n')
        .map_or(text.len(), |i| r.end + i + 1);
    let before_blank = text[line_start..r.start].trim().is_empty();
    let after_blank = text[r.end..line_end].trim().is_empty();
    if before_blank && after_blank {
        line_start..line_end
    } else {
        r
    }
}

/// Inline code spans and code blocks, where nothing is expanded.
struct CodeRanges {
    inline: Vec<Range<usize>>,
    blocks: Vec<Range<usize>>,
    /// Math, where `{{f(x)}}` is TeX, not a shortcode.
    math: Vec<Range<usize>>,
}

fn code_ranges(text: &str) -> CodeRanges {
    let mut ranges = CodeRanges {
        inline: Vec::new(),
        blocks: Vec::new(),
        math: Vec::new(),
    };
    let mut block_start = None;
    let parser = Parser::new_ext(text, crate::text::markdown_options()).into_offset_iter();
    for (event, range) in parser {
        match event {
            Event::Code(_) => ranges.inline.push(range),
            Event::InlineMath(_) | Event::DisplayMath(_) => ranges.math.push(range),
            Event::Start(Tag::CodeBlock(_)) => block_start = Some(range.start),
            Event::End(TagEnd::CodeBlock) => {
                if let Some(s) = block_start.take() {
                    ranges.blocks.push(s..range.end);
                }
            }
            _ => {}
        }
    }
    ranges
}

/// Image destinations with spaces that CommonMark rejects, like Typora's
/// `![x](../Library/Application Support/typora-user-images/x.png)`: the destination's range.
fn spaced_image_destinations(text: &str) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    for (i, _) in text.match_indices("![") {
        let line_end = text[i..].find('\n').map_or(text.len(), |e| i + e);
        let Some(alt_end) = text[i + 2..line_end].find(']').map(|e| i + 2 + e) else {
            continue;
        };
        if !text[alt_end..].starts_with("](") {
            continue;
        }
        let dest_start = alt_end + 2;
        let Some(close) = text[dest_start..line_end].find(')') else {
            continue;
        };
        let dest = &text[dest_start..dest_start + close];
        let trimmed = dest.trim_end();
        let titled = trimmed.ends_with('"') || trimmed.ends_with('\'');
        if dest.contains(' ') && !dest.starts_with('<') && !titled && !dest.trim().is_empty() {
            found.push(dest_start..dest_start + close);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(files: &[(&str, &str)]) -> (Source, Vec<Diagnostic>, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        for (p, t) in files {
            let path = dir.path().join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, t).unwrap();
        }
        let (p, t) = files[0];
        let (s, d) = expand(
            dir.path(),
            Source {
                rel_path: p.trim_start_matches("src/").into(),
                display_path: p.into(),
                text: t.into(),
                ..Source::default()
            },
        );
        (s, d, dir)
    }

    #[test]
    fn comments_are_removed_inline_and_on_their_own_lines() {
        let (s, d, _dir) = run(&[(
            "n.md",
            "Public %%secret%% text.\n%%\nprivate\nlines\n%%\nAfter `%%code%%`.\n",
        )]);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(s.text, "Public  text.\nAfter `%%code%%`.\n");
    }

    #[test]
    fn includes_with_lines_and_anchors_map_back() {
        let code = "fn a() {}\n// ANCHOR: main\nfn main() {}\n// ANCHOR_END: main\nfn z() {}\n";
        let (s, d, _dir) = run(&[
            (
                "src/ch.md",
                "```rust\n{{#include code.rs:main}}\n```\n{{#include code.rs:1}}\n{{#include code.rs::1}}{{#include code.rs:5:}}\\{{#include x}}\n{{#include missing.rs}}\n",
            ),
            ("src/code.rs", code),
        ]);
        assert_eq!(
            s.text,
            "```rust\nfn main() {}\n\n```\nfn a() {}\n\nfn a() {}\nfn z() {}\n{{#include x}}\n{{#include missing.rs}}\n"
        );
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].short().split(": error").next(), Some("src/ch.md:6:1"));
        let map = s.map.unwrap();
        let (file, pos) = map.locate(s.text.find("fn main").unwrap());
        assert_eq!(file, Path::new("src/code.rs"));
        assert_eq!(pos.line, 3);
    }

    #[test]
    fn rustdoc_include_hides_the_other_lines_and_cycles_are_errors() {
        let (s, d, _dir) = run(&[
            (
                "a.md",
                "{{#rustdoc_include c.rs:2}}\n{{#include b.md}}\n{{#title Custom}}\n",
            ),
            ("c.rs", "use x;\nfn main() {}\n"),
            ("b.md", "B {{#include a.md}}\n"),
        ]);
        assert!(s.text.starts_with("# use x;\nfn main() {}\n"), "{}", s.text);
        assert_eq!(s.directive_title.as_deref(), Some("Custom"));
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].message.contains("include cycle"), "{}", d[0].message);
        assert_eq!(d[0].file, Path::new("b.md"));
    }

    #[test]
    fn typora_image_paths_toc_and_shortcodes() {
        let (s, d, _dir) = run(&[(
            "t.md",
            "![截屏](../Library/Application Support/x.png)\n\n{{< figure src=\"a.png\" >}}\n\n`{{< kept >}}`\n[TOC]\n",
        )]);
        assert!(s.text.ends_with("`{{< kept >}}`\n"), "{}", s.text);
        let (toc_only, _, _dir) = run(&[("toc.md", "[TOC]\n# A\n")]);
        assert_eq!(toc_only.text, "# A\n");
        assert!(s
            .text
            .starts_with("![截屏](<../Library/Application Support/x.png>)"));
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].message.contains("shortcode `figure`"));
        assert_eq!(d[0].position.line, 3);
    }
}
