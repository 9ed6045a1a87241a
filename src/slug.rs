//! Slugs for file names and heading ids: readable, Unicode-preserving, URL-safe.

/// Lowercases and keeps Unicode letters and digits (CJK included); runs of anything else become
/// one `-`. Returns `fallback` when nothing is left.
pub fn slugify(text: &str, fallback: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() || c == '_' {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.extend(c.to_lowercase());
        } else {
            dash = true;
        }
    }
    if out.is_empty() {
        fallback.to_string()
    } else {
        out
    }
}

/// Makes ids unique within one page: the second `intro` becomes `intro-1`, and so on.
#[derive(Debug, Default)]
pub struct UniqueIds {
    seen: std::collections::HashSet<String>,
}

impl UniqueIds {
    pub fn claim(&mut self, base: String) -> String {
        if self.seen.insert(base.clone()) {
            return base;
        }
        (1..)
            .map(|n| format!("{base}-{n}"))
            .find(|candidate| !self.seen.contains(candidate))
            .inspect(|id| {
                self.seen.insert(id.clone());
            })
            .unwrap_or(base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_and_cjk() {
        assert_eq!(slugify("Train vs. Test!", "x"), "train-vs-test");
        assert_eq!(slugify("面试回答", "x"), "面试回答");
        assert_eq!(
            slugify("BN 的反向传播 (backward)", "x"),
            "bn-的反向传播-backward"
        );
        assert_eq!(slugify("  ", "section"), "section");
        assert_eq!(slugify("GIoU & DIoU", "x"), "giou-diou");
    }

    #[test]
    fn ids_are_unique() {
        let mut ids = UniqueIds::default();
        assert_eq!(ids.claim("a".into()), "a");
        assert_eq!(ids.claim("a".into()), "a-1");
        assert_eq!(ids.claim("a".into()), "a-2");
        assert_eq!(ids.claim("a-1".into()), "a-1-1");
    }
}
