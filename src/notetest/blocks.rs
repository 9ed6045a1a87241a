//! Finds the runnable blocks of a page with the same Markdown parser the site is rendered with,
//! pairs each with the `output` fence after it, and gathers the blocks of a group into one test.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

use super::fence::{self, Fence, TestAttrs};
use super::lang::Lang;
use crate::diagnostics::{Diagnostic, LineIndex, Position};
use crate::frontmatter;
use crate::load::Source;
use crate::parse::markdown_options;

/// The info word of a fence that holds the expected stdout of the block before it.
pub const OUTPUT_FENCE: &str = "output";

/// One runnable fenced block.
#[derive(Debug, Clone)]
pub struct Block {
    /// The Markdown file, relative to the site root.
    pub file: PathBuf,
    /// Where the opening fence is.
    pub position: Position,
    /// The line of the first line of code.
    pub code_line: usize,
    pub code: String,
    pub attrs: TestAttrs,
    /// The `output` fence after the block: its expected stdout.
    pub expected: Option<String>,
}

impl Block {
    /// The first line that is not blank, to name the block in a report.
    pub fn first_line(&self) -> &str {
        self.code
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim()
    }

    #[cfg(test)]
    pub(crate) fn for_test(code: &str) -> Block {
        Block {
            file: "content/t.md".into(),
            position: Position { line: 1, column: 1 },
            code_line: 2,
            code: code.into(),
            attrs: TestAttrs::default(),
            expected: None,
        }
    }
}

/// A page's runnable blocks and the problems found in their attributes.
#[derive(Debug, Default)]
pub struct PageBlocks {
    pub blocks: Vec<Block>,
    /// Front matter tags, for `--filter`.
    pub tags: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads a fence's info string and turns its problems into diagnostics at file:line:col.
/// `fence_start` is the byte offset of the opening fence in `text`.
pub fn read_fence(
    file: &Path,
    text: &str,
    lines: &LineIndex,
    fence_start: usize,
    info: &str,
) -> (Fence, Vec<Diagnostic>) {
    let (fence, problems) = fence::parse(info);
    let line_end = text[fence_start..]
        .find('\n')
        .map_or(text.len(), |n| fence_start + n);
    let info_start = text[fence_start..line_end]
        .find(info)
        .map_or(fence_start, |n| fence_start + n);
    let diags = problems
        .into_iter()
        .map(|p| {
            let pos = lines.position(text, info_start + p.offset);
            let d = if p.is_error {
                Diagnostic::error(file, pos, p.message)
            } else {
                Diagnostic::warning(file, pos, p.message)
            };
            Diagnostic { help: p.help, ..d }
        })
        .collect();
    (fence, diags)
}

/// Every runnable block of one Markdown file, in order.
pub fn extract(source: &Source) -> PageBlocks {
    let text = source.text.as_str();
    let split = frontmatter::split(text);
    let (meta, _) = frontmatter::parse(&source.display_path, text, &split);
    let lines = LineIndex::new(text);
    let mut page = PageBlocks {
        tags: meta.tags,
        ..PageBlocks::default()
    };
    let body = &text[split.body_offset..];
    // The block being read: its fence, where it starts, its code.
    let mut open: Option<(Fence, usize, String)> = None;
    // The runnable block just closed, which an `output` fence right after belongs to.
    let mut awaiting_output: Option<usize> = None;
    for (event, range) in Parser::new_ext(body, markdown_options()).into_offset_iter() {
        let start = range.start + split.body_offset;
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let info = match kind {
                    CodeBlockKind::Fenced(info) => info.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                let (fence, diags) = read_fence(&source.display_path, text, &lines, start, &info);
                page.diagnostics.extend(diags);
                open = Some((fence, start, String::new()));
            }
            Event::Text(t) => {
                if let Some((_, _, code)) = open.as_mut() {
                    code.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                let Some((fence, fence_start, code)) = open.take() else {
                    continue;
                };
                if fence.lang == OUTPUT_FENCE && fence.test.is_none() {
                    if let Some(i) = awaiting_output.take() {
                        page.blocks[i].expected = Some(code);
                    }
                    continue;
                }
                awaiting_output = None;
                let Some(attrs) = fence.test else { continue };
                if attrs.lang.is_none() {
                    continue;
                }
                let position = lines.position(text, fence_start);
                page.blocks.push(Block {
                    file: source.display_path.clone(),
                    position,
                    code_line: position.line + 1,
                    code,
                    attrs,
                    expected: None,
                });
                awaiting_output = Some(page.blocks.len() - 1);
            }
            // Only an `output` fence right after the block is its output: anything else between
            // them (a paragraph, a heading) ends the wait.
            Event::Start(_) | Event::Rule | Event::Html(_) => awaiting_output = None,
            _ => {}
        }
    }
    page
}

/// One test: a block alone, or the blocks of a group in page order.
#[derive(Debug, Clone)]
pub struct Job {
    pub lang: Lang,
    pub blocks: Vec<Block>,
    pub skip: bool,
    pub should_fail: bool,
    pub ignore_whitespace: bool,
    /// The longest timeout any block asks for.
    pub timeout: Option<Duration>,
}

impl Job {
    /// Where the test is reported: its last block, which holds `main` in a compiled group.
    pub fn last(&self) -> &Block {
        self.blocks.last().expect("a job has at least one block")
    }

    pub fn group(&self) -> Option<&str> {
        self.blocks[0].attrs.group.as_deref()
    }
}

/// Makes the tests of one page: each ungrouped block alone, each group as one test placed where
/// its first block is. A group whose blocks are in different languages is an error.
pub fn jobs(blocks: Vec<Block>) -> (Vec<Job>, Vec<Diagnostic>) {
    let mut jobs: Vec<Job> = Vec::new();
    let mut groups: BTreeMap<String, usize> = BTreeMap::new();
    let mut diags = Vec::new();
    for block in blocks {
        let Some(lang) = block.attrs.lang else {
            continue;
        };
        if let Some(&i) = block.attrs.group.as_ref().and_then(|g| groups.get(g)) {
            let job: &mut Job = &mut jobs[i];
            if job.lang != lang {
                diags.push(
                    Diagnostic::error(
                        &block.file,
                        block.position,
                        format!(
                            "group `{}` mixes {} and {} blocks",
                            block.attrs.group.as_deref().unwrap_or_default(),
                            job.lang.name(),
                            lang.name()
                        ),
                    )
                    .with_help("a group runs as one program: give this block another group"),
                );
                continue;
            }
            job.skip |= block.attrs.skip;
            job.should_fail |= block.attrs.should_fail;
            job.ignore_whitespace |= block.attrs.ignore_whitespace;
            job.timeout = job.timeout.max(block.attrs.timeout);
            job.blocks.push(block);
            continue;
        }
        if let Some(g) = &block.attrs.group {
            groups.insert(g.clone(), jobs.len());
        }
        jobs.push(Job {
            lang,
            skip: block.attrs.skip,
            should_fail: block.attrs.should_fail,
            ignore_whitespace: block.attrs.ignore_whitespace,
            timeout: block.attrs.timeout,
            blocks: vec![block],
        });
    }
    (jobs, diags)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(text: &str) -> PageBlocks {
        extract(&Source {
            rel_path: "p.md".into(),
            display_path: "content/p.md".into(),
            text: text.into(),
        })
    }

    #[test]
    fn runnable_blocks_with_their_output_and_position() {
        let p = page(
            "---\ntags: [nn]\n---\n# 标题\n\n```python {run}\nprint(1)\n```\n\n```output\n1\n```\n\n\
             ```python\nnot run\n```\n\n> [!NOTE]\n> ```bash,run\n> echo hi\n> ```\n\nText.\n\n```output\nnot its output\n```\n",
        );
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
        assert_eq!(p.tags, ["nn"]);
        assert_eq!(p.blocks.len(), 2);
        let py = &p.blocks[0];
        assert_eq!(py.position, Position { line: 6, column: 1 });
        assert_eq!(py.code_line, 7);
        assert_eq!(py.code, "print(1)\n");
        assert_eq!(py.expected.as_deref(), Some("1\n"));
        let sh = &p.blocks[1];
        assert_eq!(
            sh.position,
            Position {
                line: 19,
                column: 3
            }
        );
        assert_eq!(sh.code, "echo hi\n");
        assert_eq!(sh.expected, None, "a paragraph stands between");
        assert_eq!(sh.first_line(), "echo hi");
    }

    #[test]
    fn attribute_problems_are_diagnostics_at_their_column() {
        let p = page("Intro\n\n```python {run timout=3s}\nx = 1\n```\n");
        assert_eq!(p.diagnostics.len(), 1);
        assert_eq!(
            p.diagnostics[0].short(),
            "content/p.md:3:16: error: unknown code block attribute `timout` (did you mean `timeout`?)"
        );
    }

    #[test]
    fn groups_become_one_job_in_order() {
        let p = page(
            "```python {run group=a}\nx = 1\n```\n\n```python {run}\nalone\n```\n\n\
             ```python {run group=a timeout=3s}\nassert x == 1\n```\n\n```bash {run group=a}\necho\n```\n",
        );
        let (jobs, diags) = jobs(p.blocks);
        assert_eq!(jobs.len(), 2);
        assert_eq!(jobs[0].blocks.len(), 2);
        assert_eq!(jobs[0].group(), Some("a"));
        assert_eq!(jobs[0].timeout, Some(Duration::from_secs(3)));
        assert_eq!(jobs[0].last().code, "assert x == 1\n");
        assert_eq!(jobs[1].blocks[0].code, "alone\n");
        assert_eq!(diags.len(), 1);
        assert!(diags[0].message.contains("mixes python and bash"));
    }
}
