//! Small text helpers shared by the stages.

/// Runs of whitespace (newlines, tabs, CJK full-width spaces) as one `sep`, trimmed at both ends:
/// how names, questions and search text are compared and shown.
pub fn squash_whitespace(s: &str, sep: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push_str(sep);
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn runs_of_whitespace_become_one_separator() {
        assert_eq!(
            super::squash_whitespace("  a \n\t b\u{3000}c ", " "),
            "a b c"
        );
        assert_eq!(
            super::squash_whitespace("deep  learning", "_"),
            "deep_learning"
        );
        assert_eq!(super::squash_whitespace(" \n ", " "), "");
    }
}
