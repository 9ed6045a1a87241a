//! The info string of a fenced code block: its language and the attributes that make it a test.
//!
//! Three spellings are accepted, so notes written for other tools keep working:
//! `python {run timeout=5s}` (studybook), `python,run,should-fail` (mdBook) and
//! `{.python .run group=demo}` (Pandoc and Obsidian). The same parser serves `studybook test`,
//! the "tested" mark of the site and the attribute checks of `build`/`check`.

use std::time::Duration;

use super::lang::Lang;

/// The attributes that turn a block into a test.
const ATTRIBUTES: &[&str] = &[
    "run",
    "skip",
    "should-fail",
    "ignore-whitespace",
    "timeout",
    "group",
];

/// A fenced block's info string, read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Fence {
    /// The language word as written (`py`, `c++`), empty when there is none.
    pub lang: String,
    /// Set when the block carries any test attribute.
    pub test: Option<TestAttrs>,
}

/// How a runnable block is run and judged.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TestAttrs {
    pub lang: Option<Lang>,
    pub skip: bool,
    pub should_fail: bool,
    pub ignore_whitespace: bool,
    pub timeout: Option<Duration>,
    /// Blocks of one page with the same group run as one program, in order.
    pub group: Option<String>,
}

/// A problem in an info string, at a byte offset into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FenceProblem {
    pub offset: usize,
    pub message: String,
    pub help: Option<String>,
    /// An error for a runnable block; a warning for a likely typo on a plain block.
    pub is_error: bool,
}

/// A word of the info string and where it starts.
struct Word<'a> {
    text: &'a str,
    offset: usize,
}

/// Reads an info string. Problems come back beside the result, which is always usable.
pub fn parse(info: &str) -> (Fence, Vec<FenceProblem>) {
    let (lang, attrs) = split(info);
    let mut fence = Fence {
        lang: lang
            .as_ref()
            .map_or_else(String::new, |w| w.text.to_string()),
        test: None,
    };
    let mut test = TestAttrs::default();
    let mut runnable = false;
    let mut problems = Vec::new();
    let mut unknown = Vec::new();
    for word in &attrs {
        let (name, value) = match word.text.split_once('=') {
            Some((n, v)) => (n, Some(v.trim_matches('"'))),
            None => (word.text, None),
        };
        let problem = |message: String, help: Option<&str>| FenceProblem {
            offset: word.offset,
            message,
            help: help.map(str::to_string),
            is_error: true,
        };
        match (name, value) {
            ("run", None) => {}
            ("skip", None) => test.skip = true,
            ("should-fail", None) => test.should_fail = true,
            ("ignore-whitespace", None) => test.ignore_whitespace = true,
            ("timeout", Some(v)) => match crate::text::parse_duration(v) {
                Some(d) => test.timeout = Some(d),
                None => problems.push(problem(
                    format!("`timeout={v}` is not a duration"),
                    Some("write it like `timeout=10s`, `timeout=500ms` or `timeout=2m`"),
                )),
            },
            ("group", Some(v)) if !v.is_empty() => test.group = Some(v.to_string()),
            ("timeout" | "group", _) => problems.push(problem(
                format!("`{name}` needs a value"),
                Some(if name == "group" {
                    "write it like `group=softmax`"
                } else {
                    "write it like `timeout=10s`"
                }),
            )),
            ("run" | "skip" | "should-fail" | "ignore-whitespace", Some(_)) => problems.push(
                problem(format!("`{name}` takes no value"), Some("write it alone")),
            ),
            _ => {
                unknown.push(word);
                continue;
            }
        }
        runnable = true;
    }
    if runnable {
        test.lang = Lang::from_name(&fence.lang);
        if test.lang.is_none() {
            let at = lang.as_ref().map_or(0, |w| w.offset);
            problems.push(FenceProblem {
                offset: at,
                message: if fence.lang.is_empty() {
                    "a runnable block needs a language".to_string()
                } else {
                    format!("`{}` blocks cannot be run", fence.lang)
                },
                help: Some(format!("runnable languages: {}", Lang::NAMES.join(", "))),
                is_error: true,
            });
        }
    }
    for word in unknown {
        let name = word.text.split('=').next().unwrap_or(word.text);
        let near = ATTRIBUTES
            .iter()
            .map(|a| (strsim::levenshtein(a, name), *a))
            .min()
            .filter(|(d, _)| *d <= 2);
        // A runnable block's attributes are all studybook's; on a plain block only a likely typo
        // of one is reported, since other tools put their own attributes there.
        if runnable || near.is_some() {
            problems.push(FenceProblem {
                offset: word.offset,
                message: format!("unknown code block attribute `{name}`"),
                help: Some(match near {
                    Some((_, a)) => format!("did you mean `{a}`?"),
                    None => format!("known attributes: {}", ATTRIBUTES.join(", ")),
                }),
                is_error: runnable,
            });
        }
    }
    fence.test = runnable.then_some(test);
    (fence, problems)
}

/// Splits an info string into its language word and its attribute words.
fn split(info: &str) -> (Option<Word<'_>>, Vec<Word<'_>>) {
    let words = words(info);
    let mut words = words.into_iter();
    let Some(first) = words.next() else {
        return (None, Vec::new());
    };
    if first.braced {
        // Pandoc: `{.python .run}`: the first class is the language.
        let mut all: Vec<_> = std::iter::once(first).chain(words).collect();
        let lang = all
            .iter()
            .position(|w| w.dotted)
            .map(|i| all.remove(i).word);
        return (lang, all.into_iter().map(|w| w.word).collect());
    }
    // Only braced words are attributes after a language: `python title="a.py"` is another tool's.
    let attrs = words.filter(|w| w.braced || w.comma).map(|w| w.word);
    (Some(first.word), attrs.collect())
}

struct Token<'a> {
    word: Word<'a>,
    /// Inside `{…}`.
    braced: bool,
    /// Written `.name`.
    dotted: bool,
    /// After a comma that joins it to the language: `python,run`.
    comma: bool,
}

/// The words of an info string, split at spaces, commas and braces, with their offsets.
fn words(info: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = None;
    let mut comma = false;
    for (i, c) in info.char_indices() {
        if c.is_whitespace() || matches!(c, ',' | '{' | '}') {
            if let Some(s) = start.take() {
                out.extend(token(info, s..i, depth > 0, comma));
            }
            match c {
                '{' => depth += 1,
                '}' => depth = depth.saturating_sub(1),
                ',' => comma = depth == 0,
                _ => {}
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.extend(token(info, s..info.len(), depth > 0, comma));
    }
    out
}

fn token(
    info: &str,
    range: std::ops::Range<usize>,
    braced: bool,
    comma: bool,
) -> Option<Token<'_>> {
    let raw = &info[range.clone()];
    let text = raw.trim_start_matches('.');
    (!text.is_empty()).then(|| Token {
        word: Word {
            text,
            offset: range.start + (raw.len() - text.len()),
        },
        braced,
        dotted: raw.starts_with('.'),
        comma,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(info: &str) -> Fence {
        let (fence, problems) = parse(info);
        assert!(problems.is_empty(), "{info}: {problems:?}");
        fence
    }

    #[test]
    fn three_spellings_of_a_runnable_block() {
        for info in ["python {run}", "python,run", "{.python .run}", "py {.run}"] {
            let fence = ok(info);
            let test = fence.test.expect(info);
            assert_eq!(test.lang, Some(Lang::Python), "{info}");
        }
        assert_eq!(ok("{.python .run}").lang, "python");
    }

    #[test]
    fn every_attribute() {
        let t = ok("cpp {run should-fail ignore-whitespace timeout=2s group=demo}")
            .test
            .unwrap();
        assert!(t.should_fail && t.ignore_whitespace && !t.skip);
        assert_eq!(t.timeout, Some(Duration::from_secs(2)));
        assert_eq!(t.group.as_deref(), Some("demo"));
        assert_eq!(t.lang, Some(Lang::Cpp));
        let t = ok("bash,run,skip").test.unwrap();
        assert!(t.skip);
        assert_eq!(t.lang, Some(Lang::Bash));
        // A test attribute alone makes the block a test.
        assert!(ok("c {should-fail}").test.is_some());
    }

    #[test]
    fn plain_blocks_and_other_tools_attributes_are_left_alone() {
        assert_eq!(
            ok("python"),
            Fence {
                lang: "python".into(),
                test: None
            }
        );
        assert_eq!(ok(""), Fence::default());
        assert!(ok("{.python .numberLines}").test.is_none());
        assert!(ok("rust,ignore").test.is_none());
        assert!(ok("python title=\"softmax.py\"").test.is_none());
    }

    #[test]
    fn problems_point_into_the_info_string() {
        let (_, p) = parse("python {run timout=5s}");
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].offset, 12);
        assert!(p[0].is_error);
        assert_eq!(p[0].help.as_deref(), Some("did you mean `timeout`?"));

        let (_, p) = parse("python {rnu}");
        assert!(!p[0].is_error, "a typo on a plain block is a warning");
        assert_eq!(p[0].offset, 8);

        let (_, p) = parse("haskell {run}");
        assert_eq!(p[0].offset, 0);
        assert!(p[0].message.contains("`haskell` blocks cannot be run"));

        let (_, p) = parse("bash {run timeout=soon}");
        assert!(p[0].message.contains("not a duration"), "{p:?}");
        let (_, p) = parse("bash {run group}");
        assert!(p[0].message.contains("needs a value"), "{p:?}");
    }
}
