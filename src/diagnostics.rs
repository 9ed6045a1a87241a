//! One diagnostic type shared by every pipeline stage, and its printing.
//!
//! Stages never print: they return diagnostics, and the command line prints them all at
//! the end, sorted, with the offending source line shown.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use termcolor::{Color, ColorSpec, WriteColor};

use crate::snippet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A 1-based line and column (columns count characters, not bytes). Line 0 means "the whole file".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Path relative to the site root, as the user would type it.
    pub file: PathBuf,
    #[serde(flatten)]
    pub position: Position,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(file: impl Into<PathBuf>, position: Position, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, file.into(), position, message.into())
    }

    pub fn warning(
        file: impl Into<PathBuf>,
        position: Position,
        message: impl Into<String>,
    ) -> Self {
        Self::new(Severity::Warning, file.into(), position, message.into())
    }

    fn new(severity: Severity, file: PathBuf, position: Position, message: String) -> Self {
        Self {
            severity,
            file,
            position,
            message,
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:col: severity: message`, the one-line form used in tests and logs.
    pub fn short(&self) -> String {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut s = format!(
            "{}:{}:{}: {sev}: {}",
            self.file.display(),
            self.position.line,
            self.position.column,
            self.message
        );
        if let Some(help) = &self.help {
            s.push_str(&format!(" ({help})"));
        }
        s
    }
}

/// Maps byte offsets of one text to line/column positions.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { starts }
    }

    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let column = text.get(start..offset).map_or(1, |s| s.chars().count() + 1);
        Position {
            line: line + 1,
            column,
        }
    }

    /// The text of 1-based line `line`, without its line break; None past the end or for 0.
    pub fn line<'t>(&self, text: &'t str, line: usize) -> Option<&'t str> {
        let start = *self.starts.get(line.checked_sub(1)?)?;
        let end = self.starts.get(line).map_or(text.len(), |&next| next - 1);
        text.get(start..end)
    }
}

impl LineIndex {
    /// The byte offset of a position in `text`; None when the text has no such line.
    pub fn offset(&self, text: &str, pos: Position) -> Option<usize> {
        let start = *self.starts.get(pos.line.checked_sub(1)?)?;
        let line = text.get(start..)?;
        let within = line
            .char_indices()
            .nth(pos.column.saturating_sub(1))
            .map_or(line.len(), |(i, _)| i);
        Some(start + within)
    }
}

/// Sorts diagnostics by file and position, errors before warnings at the same place.
/// Sorts by file and position, and says each thing once: one broken template fails every page
/// that uses it with the same error.
pub fn sort(diags: &mut Vec<Diagnostic>) {
    diags.sort_by(|a, b| {
        (&a.file, a.position, a.severity, &a.message, &a.help)
            .cmp(&(&b.file, b.position, b.severity, &b.message, &b.help))
    });
    diags.dedup();
}

/// Prints diagnostics the way a compiler does: the message, the source line and a caret.
///
/// Everything taken from the site (file names, messages quoting it, the source line) goes
/// through [`crate::snippet`], so no page can send escape sequences to the terminal or flood it.
pub fn print_human(diags: &[Diagnostic], root: &Path, out: &mut dyn WriteColor) -> io::Result<()> {
    let mut sources: HashMap<&Path, Option<(String, LineIndex)>> = HashMap::new();
    for d in diags {
        let source = sources
            .entry(d.file.as_path())
            .or_insert_with(|| read_source(&root.join(&d.file)));
        let line = source
            .as_ref()
            .and_then(|(text, index)| index.line(text, d.position.line));
        print_one(d, line, out)?;
    }
    Ok(())
}

/// The text of a regular file, for showing its lines; anything else (a folder, a pipe) is not
/// read, and invalid UTF-8 shows as replacement characters.
fn read_source(path: &Path) -> Option<(String, LineIndex)> {
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return None;
    }
    let text = String::from_utf8_lossy(&std::fs::read(path).ok()?).into_owned();
    let index = LineIndex::new(&text);
    Some((text, index))
}

fn print_one(d: &Diagnostic, line: Option<&str>, out: &mut dyn WriteColor) -> io::Result<()> {
    let (label, color) = match d.severity {
        Severity::Error => ("error", Color::Red),
        Severity::Warning => ("warning", Color::Yellow),
    };
    let mut strong = ColorSpec::new();
    strong.set_bold(true);
    let mut severity = strong.clone();
    severity.set_fg(Some(color));
    let mut gutter = strong.clone();
    gutter.set_fg(Some(Color::Blue));

    out.set_color(&severity)?;
    write!(out, "{label}")?;
    out.set_color(&strong)?;
    writeln!(out, ": {}", snippet::escape_controls(&d.message))?;
    out.reset()?;

    let number = d.position.line.to_string();
    let pad = " ".repeat(number.len());
    out.set_color(&gutter)?;
    write!(out, "{pad}--> ")?;
    out.reset()?;
    write!(
        out,
        "{}",
        snippet::escape_controls(&d.file.display().to_string())
    )?;
    if d.position.line > 0 {
        write!(out, ":{}:{}", d.position.line, d.position.column)?;
    }
    writeln!(out)?;

    if let Some(line) = line {
        let shown = snippet::excerpt(line, d.position.column, snippet::MAX_WIDTH);
        out.set_color(&gutter)?;
        writeln!(out, "{pad} |")?;
        write!(out, "{number} | ")?;
        out.reset()?;
        writeln!(out, "{}", shown.text)?;
        out.set_color(&gutter)?;
        write!(out, "{pad} | ")?;
        out.set_color(&severity)?;
        writeln!(
            out,
            "{}{}",
            " ".repeat(shown.caret_column),
            "^".repeat(shown.caret_width)
        )?;
        out.reset()?;
    }
    if let Some(help) = &d.help {
        out.set_color(&gutter)?;
        write!(out, "{pad} = ")?;
        out.reset()?;
        writeln!(out, "help: {}", snippet::escape_controls(help))?;
    }
    writeln!(out)
}

pub fn print_json(diags: &[Diagnostic], out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, diags)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_not_bytes() {
        let text = "ab\n批归一化 $x$\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, 0), Position { line: 1, column: 1 });
        let dollar = text.find('$').unwrap();
        assert_eq!(idx.position(text, dollar), Position { line: 2, column: 6 });
    }

    #[test]
    fn lines_are_found_by_number() {
        let text = "one\r\n批归一化\n\nlast";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line(text, 1), Some("one\r"));
        assert_eq!(idx.line(text, 2), Some("批归一化"));
        assert_eq!(idx.line(text, 3), Some(""));
        assert_eq!(idx.line(text, 4), Some("last"));
        assert_eq!(idx.line(text, 5), None);
        assert_eq!(idx.line(text, 0), None);
    }

    fn printed(text: &str, d: &Diagnostic) -> String {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("content")).unwrap();
        std::fs::write(dir.path().join(&d.file), text).unwrap();
        let mut out = termcolor::NoColor::new(Vec::new());
        print_human(std::slice::from_ref(d), dir.path(), &mut out).unwrap();
        String::from_utf8(out.into_inner()).unwrap()
    }

    #[test]
    fn the_source_line_is_shown_with_a_caret_under_the_column() {
        let d = Diagnostic::error("content/a.md", Position { line: 2, column: 3 }, "bad $")
            .with_help("write \\$");
        assert_eq!(
            printed("---\n批归$x\n", &d),
            "error: bad $\n --> content/a.md:2:3\n  |\n2 | 批归$x\n  |     ^\n  = help: write \\$\n\n"
        );
    }

    #[test]
    fn nothing_from_the_page_reaches_the_terminal_raw() {
        let line = format!(
            "{}\x1b]0;PWNED\x07{}",
            "x".repeat(30_000),
            "y".repeat(30_000)
        );
        let d = Diagnostic::warning(
            "content/a.md",
            Position {
                line: 1,
                column: 30_001,
            },
            "link `\x1b[2J` is odd",
        );
        let shown = printed(&line, &d);
        assert!(
            !shown.contains('\x1b') && !shown.contains('\x07'),
            "{shown:?}"
        );
        assert!(shown.contains("\\u{1b}]0;PWNED\\u{7}"), "{shown}");
        assert!(shown.contains("link `\\u{1b}[2J` is odd"), "{shown}");
        assert!(shown.len() < 400, "{} bytes: {shown}", shown.len());
    }
}
