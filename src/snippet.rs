//! Source text as a terminal may safely show it in a diagnostic.
//!
//! A page is untrusted input: an escape sequence in it (`\x1b]0;…\x07` retitles the terminal),
//! a bidirectional override that reorders what the reader sees, or a 50,000-character line must
//! not reach the terminal as it is. Control characters are shown as `\u{1b}`-style escapes, a
//! long line as a window around the caret with `...` on the cut sides (as rustc does), and the
//! caret is placed by display width so it sits under the right CJK character.

use std::borrow::Cow;

use unicode_width::UnicodeWidthChar;

/// The widest source excerpt shown, in terminal columns.
pub const MAX_WIDTH: usize = 100;

/// Display columns a tab takes in an excerpt.
const TAB_WIDTH: usize = 4;

const CUT: &str = "...";

/// One source line cut and escaped for the terminal, with where its caret goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excerpt {
    pub text: String,
    /// Display columns before the caret.
    pub caret_column: usize,
    /// Display columns the caret covers: two under a CJK character.
    pub caret_width: usize,
}

/// True for characters that act on a terminal or reorder text instead of showing a glyph:
/// C0 and C1 controls, DEL, and the bidirectional marks, embeddings, overrides and isolates.
fn acts_on_terminal(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// How one character of a source line is shown.
enum Shown {
    Itself(char),
    Spaces(usize),
    Escaped(char),
}

impl Shown {
    fn of(c: char) -> Self {
        match c {
            '\t' => Shown::Spaces(TAB_WIDTH),
            c if acts_on_terminal(c) => Shown::Escaped(c),
            c => Shown::Itself(c),
        }
    }

    fn width(&self) -> usize {
        match self {
            Shown::Itself(c) => c.width().unwrap_or(0),
            Shown::Spaces(n) => *n,
            Shown::Escaped(c) => c.escape_unicode().count(),
        }
    }

    fn push_to(&self, out: &mut String) {
        match self {
            Shown::Itself(c) => out.push(*c),
            Shown::Spaces(n) => out.extend(std::iter::repeat_n(' ', *n)),
            Shown::Escaped(c) => out.extend(c.escape_unicode()),
        }
    }
}

/// A message or file name with every character that acts on the terminal escaped; line breaks
/// and tabs are kept, since messages use them.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text
        .chars()
        .any(|c| acts_on_terminal(c) && c != '\n' && c != '\t')
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' | '\t' => out.push(c),
            c => Shown::of(c).push_to(&mut out),
        }
    }
    Cow::Owned(out)
}

/// The part of `line` (without its line break) to show under a diagnostic at the 1-based
/// character `column`, at most about `max_width` columns wide.
pub fn excerpt(line: &str, column: usize, max_width: usize) -> Excerpt {
    let line = line.strip_suffix('\r').unwrap_or(line);
    let cells: Vec<Shown> = line.chars().map(Shown::of).collect();
    let widths: Vec<usize> = cells.iter().map(Shown::width).collect();
    let caret = column.saturating_sub(1).min(cells.len());
    // A zero-width character still costs room, so a line of combining marks is cut too.
    let room = |i: usize| widths[i].max(1);
    let total: usize = (0..cells.len()).map(room).sum();
    let (from, to) = if total <= max_width {
        (0, cells.len())
    } else {
        let budget = max_width.saturating_sub(2 * CUT.len()).max(1);
        let mut used = if caret < cells.len() { room(caret) } else { 1 };
        let (mut from, mut to) = (caret, (caret + 1).min(cells.len()));
        // A third of the room before the caret, the rest after it, then whatever is left before.
        while from > 0 && used + room(from - 1) <= budget / 3 {
            from -= 1;
            used += room(from);
        }
        while to < cells.len() && used + room(to) <= budget {
            used += room(to);
            to += 1;
        }
        while from > 0 && used + room(from - 1) <= budget {
            from -= 1;
            used += room(from);
        }
        (from, to)
    };
    let mut text = String::new();
    if from > 0 {
        text.push_str(CUT);
    }
    for cell in &cells[from..to] {
        cell.push_to(&mut text);
    }
    if to < cells.len() {
        text.push_str(CUT);
    }
    let cut_before = if from > 0 { CUT.len() } else { 0 };
    Excerpt {
        text,
        caret_column: cut_before + widths[from..caret].iter().sum::<usize>(),
        caret_width: widths.get(caret).copied().unwrap_or(1).max(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_are_shown_not_sent() {
        let e = excerpt("see \x1b]0;PWNED\x07 here", 5, MAX_WIDTH);
        assert_eq!(e.text, "see \\u{1b}]0;PWNED\\u{7} here");
        assert!(!e.text.chars().any(char::is_control));
        assert_eq!(e.caret_column, 4);
        assert_eq!(e.caret_width, "\\u{1b}".len());
        assert_eq!(escape_controls("a\u{202e}b\nc\0"), "a\\u{202e}b\nc\\u{0}");
        assert!(matches!(escape_controls("plain 中文"), Cow::Borrowed(_)));
    }

    #[test]
    fn the_caret_sits_under_the_cjk_character() {
        // Column 3 is `一`; each CJK character before it takes two terminal columns.
        let e = excerpt("批归一化 $x", 3, MAX_WIDTH);
        assert_eq!(e.text, "批归一化 $x");
        assert_eq!(e.caret_column, 4);
        assert_eq!(e.caret_width, 2);
        let tab = excerpt("\tx", 2, MAX_WIDTH);
        assert_eq!((tab.text.as_str(), tab.caret_column), ("    x", 4));
    }

    #[test]
    fn a_long_line_is_a_window_around_the_caret() {
        let line = format!("{}<here>{}", "a".repeat(30_000), "b".repeat(20_000));
        let e = excerpt(&line, 30_001, 80);
        assert!(
            e.text.starts_with("...a") && e.text.ends_with("b..."),
            "{}",
            e.text
        );
        assert!(e.text.len() <= 80, "{}", e.text.len());
        assert_eq!(&e.text[e.caret_column..e.caret_column + 6], "<here>");
        // At the line's ends only one side is cut.
        let start = excerpt(&line, 1, 80);
        assert!(start.text.starts_with("aaa") && start.text.ends_with("..."));
        assert_eq!(start.caret_column, 0);
        let end = excerpt(&line, 50_007, 80);
        assert!(end.text.starts_with("...") && end.text.ends_with('b'));
        assert_eq!(end.caret_column, end.text.len());
    }

    #[test]
    fn zero_width_characters_do_not_widen_the_window() {
        let line = format!("x{}", "\u{301}".repeat(50_000));
        let e = excerpt(&line, 1, 80);
        assert!(e.text.chars().count() <= 80, "{}", e.text.chars().count());
        assert!(e.text.ends_with(CUT));
    }
}
