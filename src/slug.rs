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

/// A heading's id by the rule mdBook and GitHub share, so anchors written for either resolve:
/// lowercase; letters, digits, `-` and `_` kept (CJK included); each whitespace character
/// becomes `-`; every other character is dropped. `## `--open`` is `--open`,
/// `## 1.1 标量、向量` is `11-标量向量`. Returns `fallback` when nothing is left.
pub fn heading_id(text: &str, fallback: &str) -> String {
    let id: String = text
        .trim()
        .chars()
        .flat_map(|c| {
            let keep = if c.is_alphanumeric() || c == '_' || c == '-' {
                Some(c)
            } else if c.is_whitespace() {
                Some('-')
            } else {
                None
            };
            keep.into_iter().flat_map(char::to_lowercase)
        })
        .collect();
    if id.is_empty() {
        fallback.to_string()
    } else {
        id
    }
}

/// Makes ids unique within one page: the second `intro` becomes `intro-1`, and so on.
///
/// Each base remembers the next suffix to try, so claiming the same base n times costs O(n)
/// rather than O(n²): 20,000 identical `## Same` headings took 43 s when every claim counted up
/// from 1.
#[derive(Debug, Default)]
pub struct UniqueIds {
    seen: std::collections::HashSet<String>,
    next_suffix: std::collections::HashMap<String, usize>,
    /// Candidate ids tried, to show in tests that the work stays linear.
    #[cfg(test)]
    probes: usize,
}

impl UniqueIds {
    pub fn claim(&mut self, base: String) -> String {
        if self.seen.insert(base.clone()) {
            return base;
        }
        let next = self.next_suffix.entry(base.clone()).or_insert(1);
        loop {
            let candidate = format!("{base}-{next}");
            *next += 1;
            #[cfg(test)]
            {
                self.probes += 1;
            }
            if self.seen.insert(candidate.clone()) {
                return candidate;
            }
        }
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
    fn heading_ids_follow_mdbook_and_github() {
        assert_eq!(heading_id("--open", "s"), "--open");
        assert_eq!(heading_id("SUMMARY.md", "s"), "summarymd");
        assert_eq!(
            heading_id("1.1 标量、向量、张量之间的联系", "s"),
            "11-标量向量张量之间的联系"
        );
        assert_eq!(heading_id("GIoU & DIoU", "s"), "giou--diou");
        assert_eq!(
            heading_id("snake_case and Ünïcode", "s"),
            "snake_case-and-ünïcode"
        );
        assert_eq!(heading_id("!!!", "section"), "section");
    }

    #[test]
    fn ids_are_unique() {
        let mut ids = UniqueIds::default();
        assert_eq!(ids.claim("a".into()), "a");
        assert_eq!(ids.claim("a".into()), "a-1");
        assert_eq!(ids.claim("a".into()), "a-2");
        assert_eq!(ids.claim("a-1".into()), "a-1-1");
    }

    #[test]
    fn a_suffix_taken_by_another_heading_is_skipped() {
        let mut ids = UniqueIds::default();
        assert_eq!(ids.claim("same-1".into()), "same-1");
        assert_eq!(ids.claim("same".into()), "same");
        assert_eq!(ids.claim("same".into()), "same-2");
        assert_eq!(ids.claim("same".into()), "same-3");
    }

    #[test]
    fn many_identical_headings_cost_linear_work() {
        let mut ids = UniqueIds::default();
        let claimed: Vec<String> = (0..20_000).map(|_| ids.claim("same".into())).collect();
        assert_eq!(claimed[..3], ["same", "same-1", "same-2"]);
        assert_eq!(claimed[19_999], "same-19999");
        // One candidate per repeated claim; counting up from 1 every time tried 2e8.
        assert_eq!(ids.probes, 19_999);
    }
}
