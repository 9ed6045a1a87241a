//! HTML text escaping, shared by every stage that writes HTML or XML.

/// `<`, `>`, `&`, `"` and `'` as entities: safe in text and in quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    pulldown_cmark_escape::escape_html(&mut out, s).expect("writing to a String cannot fail");
    out
}

/// Whether a link leaves the site: it has a URL scheme (RFC 3986: a letter, then letters, digits,
/// `+`, `-` or `.`, then `:` before any `/`, `?` or `#`) or starts with `//`.
pub fn is_external(url: &str) -> bool {
    if url.starts_with("//") {
        return true;
    }
    let Some(colon) = url.find(':') else {
        return false;
    };
    let scheme = &url[..colon];
    scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
}

#[cfg(test)]
mod tests {
    use super::is_external;

    #[test]
    fn external_links_have_a_scheme() {
        for url in [
            "https://x.org",
            "mailto:a@b",
            "//cdn.x/a.js",
            "a+b:c",
            "svn+ssh://h",
        ] {
            assert!(is_external(url), "{url}");
        }
        for url in ["../a.md", "a.md#x:y", ":x", "1a:b", "a/b:c", "", "#top"] {
            assert!(!is_external(url), "{url}");
        }
    }

    #[test]
    fn escapes_text_and_attribute_quotes() {
        assert_eq!(
            super::escape("a<b & \"c\" 'd'>"),
            "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;"
        );
    }
}
