//! Inline syntax that CommonMark leaves as text but notes from other tools rely on:
//! Obsidian's `==highlight==` and `#tags`, and GFM's bare `https://` and `www.` autolinks
//! (Typora and GitHub link them; pulldown-cmark does not).
//!
//! Works on one text run at a time, so nothing inside code, math or an existing link is touched.

use std::ops::Range;

/// A piece of a text run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    /// `==text==`: the text between the markers.
    Mark(&'a str),
    /// A bare URL and the address it links to.
    Url(&'a str, String),
    /// `#tag`: the text as written and the tag name.
    Tag(&'a str, &'a str),
}

/// What to look for in a run: links and tags are not made inside a link or a heading.
#[derive(Debug, Clone, Copy)]
pub struct Scan {
    pub links_and_tags: bool,
}

/// Splits a text run into pieces. A run with none of the syntax is one `Text` piece.
pub fn split(text: &str, scan: Scan) -> Vec<Piece<'_>> {
    let mut found: Vec<(Range<usize>, Piece<'_>)> = marks(text);
    if scan.links_and_tags {
        for (r, url) in urls(text) {
            if !found.iter().any(|(f, _)| overlaps(f, &r)) {
                found.push((r.clone(), Piece::Url(&text[r], url)));
            }
        }
        for (r, name) in crate::parse::inline_tags(text) {
            if !found.iter().any(|(f, _)| overlaps(f, &r)) {
                found.push((r.clone(), Piece::Tag(&text[r], name)));
            }
        }
    }
    if found.is_empty() {
        return vec![Piece::Text(text)];
    }
    found.sort_by_key(|(r, _)| r.start);
    let mut pieces = Vec::new();
    let mut at = 0;
    for (r, piece) in found {
        if r.start > at {
            pieces.push(Piece::Text(&text[at..r.start]));
        }
        pieces.push(piece);
        at = r.end;
    }
    if at < text.len() {
        pieces.push(Piece::Text(&text[at..]));
    }
    pieces
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// `==text==` with no space just inside the markers, so `a == b` stays text.
fn marks(text: &str) -> Vec<(Range<usize>, Piece<'_>)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(open) = text[from..].find("==").map(|i| from + i) {
        let inner_start = open + 2;
        let Some(close) = text[inner_start..].find("==").map(|i| inner_start + i) else {
            break;
        };
        let inner = &text[inner_start..close];
        let tight = !inner.is_empty()
            && !inner.starts_with(char::is_whitespace)
            && !inner.ends_with(char::is_whitespace)
            && !inner.starts_with('=');
        if tight {
            found.push((open..close + 2, Piece::Mark(inner)));
            from = close + 2;
        } else {
            from = inner_start;
        }
    }
    found
}

/// Bare `http://`, `https://` and `www.` URLs, by GFM's autolink rule: the URL runs to the next
/// whitespace or `<`, without trailing punctuation (and without an unbalanced closing `)`).
/// Full-width CJK punctuation also ends a URL.
fn urls(text: &str) -> Vec<(Range<usize>, String)> {
    let mut found = Vec::new();
    let mut from = 0;
    while from < text.len() {
        let next = ["https://", "http://", "www."]
            .iter()
            .filter_map(|p| text[from..].find(p).map(|i| (from + i, *p)))
            .min_by_key(|(i, _)| *i);
        let Some((start, prefix)) = next else { break };
        // GFM wants whitespace or `*_~(` before a URL; Chinese text puts one right after a
        // character or a full-width colon, so any character that cannot be part of a URL will do.
        let boundary = text[..start].chars().next_back().is_none_or(|c| {
            c.is_whitespace()
                || "*_~(".contains(c)
                || !(c.is_ascii_alphanumeric() || "/:@.-_%+=&?#".contains(c))
        });
        let len = text[start..]
            .find(|c: char| c.is_whitespace() || c == '<')
            .unwrap_or(text.len() - start);
        let mut url = &text[start..start + len];
        loop {
            // GFM's trailing punctuation, and CJK full-width punctuation, which Chinese notes
            // write right after a URL.
            let trimmed = url.trim_end_matches([
                '?', '!', '.', ',', ':', '*', '_', '~', '\'', '"', '。', '，', '、', '；', '：',
                '）', '！', '？',
            ]);
            let trimmed = if trimmed.ends_with(')')
                && trimmed.matches(')').count() > trimmed.matches('(').count()
            {
                &trimmed[..trimmed.len() - 1]
            } else {
                trimmed
            };
            if trimmed.len() == url.len() {
                break;
            }
            url = trimmed;
        }
        let has_host =
            url.len() > prefix.len() && url[prefix.len()..].contains(|c: char| c.is_alphanumeric());
        if boundary && has_host {
            let href = if prefix == "www." {
                format!("http://{url}")
            } else {
                url.to_string()
            };
            found.push((start..start + url.len(), href));
            from = start + url.len();
        } else {
            from = start + prefix.len();
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: Scan = Scan {
        links_and_tags: true,
    };

    #[test]
    fn highlights_but_not_comparisons() {
        assert_eq!(
            split("a ==重点== b", ALL),
            vec![Piece::Text("a "), Piece::Mark("重点"), Piece::Text(" b")]
        );
        assert_eq!(
            split("if a == b and c == d", ALL),
            vec![Piece::Text("if a == b and c == d")]
        );
    }

    #[test]
    fn bare_urls_without_trailing_punctuation() {
        assert_eq!(
            split("见：https://pytorch.org/docs。 and (www.example.com).", ALL),
            vec![
                Piece::Text("见："),
                Piece::Url(
                    "https://pytorch.org/docs",
                    "https://pytorch.org/docs".into()
                ),
                Piece::Text("。 and ("),
                Piece::Url("www.example.com", "http://www.example.com".into()),
                Piece::Text(")."),
            ]
        );
        assert_eq!(
            split("not a url: https://", ALL),
            vec![Piece::Text("not a url: https://")]
        );
    }

    #[test]
    fn tags_not_in_urls_or_numbers() {
        assert_eq!(
            split("#ml/cv see https://x.org/#frag and #1", ALL),
            vec![
                Piece::Tag("#ml/cv", "ml/cv"),
                Piece::Text(" see "),
                Piece::Url("https://x.org/#frag", "https://x.org/#frag".into()),
                Piece::Text(" and #1"),
            ]
        );
        assert_eq!(
            split(
                "#ml",
                Scan {
                    links_and_tags: false
                }
            ),
            vec![Piece::Text("#ml")]
        );
    }
}
