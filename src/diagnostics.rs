//! One diagnostic type shared by every pipeline stage, and its printing.
//!
//! Stages never print: they return diagnostics, and the command line prints them all at
//! the end, sorted, with the offending source line shown.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use codespan_reporting::diagnostic::{Diagnostic as Report, Label};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor};
use serde::Serialize;

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
pub fn print_human(
    diags: &[Diagnostic],
    root: &Path,
    out: &mut dyn termcolor::WriteColor,
) -> std::io::Result<()> {
    let mut files = SimpleFiles::new();
    let mut ids: HashMap<&Path, usize> = HashMap::new();
    let config = term::Config::default();
    for d in diags {
        let id = *ids.entry(d.file.as_path()).or_insert_with(|| {
            let text = std::fs::read(root.join(&d.file))
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default();
            files.add(d.file.display().to_string(), text)
        });
        let mut report = match d.severity {
            Severity::Error => Report::error(),
            Severity::Warning => Report::warning(),
        }
        .with_message(&d.message);
        let source = files.get(id).map(|f| f.source().as_str()).unwrap_or("");
        match byte_range(source, d.position) {
            Some(range) => report = report.with_labels(vec![Label::primary(id, range)]),
            None => {
                report = report.with_notes(vec![format!(
                    "in {}{}",
                    d.file.display(),
                    if d.position.line > 0 {
                        format!(":{}:{}", d.position.line, d.position.column)
                    } else {
                        String::new()
                    }
                )])
            }
        }
        if let Some(help) = &d.help {
            report.notes.push(format!("help: {help}"));
        }
        if term::emit(out, &config, &files, &report).is_err() {
            writeln!(out, "{}", d.short())?;
        }
    }
    Ok(())
}

/// The byte range of one character at `pos`, or None when the position is not inside the text.
fn byte_range(text: &str, pos: Position) -> Option<std::ops::Range<usize>> {
    if pos.line == 0 {
        return None;
    }
    let line_start = if pos.line == 1 {
        0
    } else {
        text.match_indices('\n').nth(pos.line - 2)?.0 + 1
    };
    let line = text[line_start..].split('\n').next()?;
    let (offset, ch) = line
        .char_indices()
        .nth(pos.column.saturating_sub(1))
        .unwrap_or((line.len(), ' '));
    let start = line_start + offset;
    let end = (start + ch.len_utf8()).min(text.len());
    Some(start..end.max(start))
}

pub fn print_json(diags: &[Diagnostic], out: &mut dyn Write) -> std::io::Result<()> {
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
    fn byte_range_points_at_the_character() {
        let text = "one\n批归一化\n";
        let r = byte_range(text, Position { line: 2, column: 2 }).unwrap();
        assert_eq!(&text[r], "归");
        assert!(byte_range(text, Position { line: 9, column: 1 }).is_none());
    }
}
