//! Small text helpers shared by the stages.

use std::time::Duration;

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

/// `10s`, `500ms`, `2m`, or a bare number of seconds.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: f64 = number.parse().ok()?;
    let seconds = match unit {
        "ms" => n / 1000.0,
        "" | "s" => n,
        "m" | "min" => n * 60.0,
        _ => return None,
    };
    (seconds > 0.0 && seconds.is_finite()).then(|| Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

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

    #[test]
    fn durations_read_like_people_write_them() {
        use super::parse_duration;
        assert_eq!(parse_duration("10s"), Some(Duration::from_secs(10)));
        assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Some(Duration::from_secs(120)));
        assert_eq!(parse_duration("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse_duration("0s"), None);
        assert_eq!(parse_duration("soon"), None);
    }
}
