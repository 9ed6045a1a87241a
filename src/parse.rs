//! Front matter and the Markdown outline of each source: everything the index needs
//! before any page is rendered.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

use crate::diagnostics::{Diagnostic, Position};
use crate::frontmatter::{self, FrontMatter};
use crate::load::Source;
use crate::slug::{heading_id, slugify, UniqueIds};
use crate::text::markdown_options;

pub const CATEGORY_FILE: &str = "_index.md";

/// Output paths of the pages the site generates itself. A topic page that would be written to
/// one (or into the tag folder) is an error here, so `build` and `serve` drop it alike.
pub const GENERATED_PAGES: [&str; 6] = [
    "index.html",
    "404.html",
    "print.html",
    "practice.html",
    "glossary.html",
    "study-order.html",
];

/// Print views other than `print.html` are `print-<category>.html` at the site root, a name
/// topic pages may not take.
pub const PRINT_VIEW_PREFIX: &str = "print-";

/// The folder of generated tag pages (`tags/index.html`, `tags/<tag>.html`).
pub const TAGS_DIR: &str = "tags";

/// Why a page may not be written to `url`, if it may not.
fn reserved(url: &str) -> Option<String> {
    if GENERATED_PAGES.contains(&url) {
        Some(format!("{url} is a page the site writes itself"))
    } else if url.starts_with(&format!("{TAGS_DIR}/")) {
        Some(format!(
            "{TAGS_DIR}/ holds the tag pages the site writes itself"
        ))
    } else if url.starts_with(PRINT_VIEW_PREFIX) && !url.contains('/') {
        Some(format!(
            "{PRINT_VIEW_PREFIX}*.html at the top are the print views the site writes itself"
        ))
    } else {
        None
    }
}

/// mdBook's and GitHub's folder page: `cli/README.md` is `cli/index.html`; at the top of the
/// content folder it is the site introduction, like `_index.md`.
const README_FILE: &str = "README.md";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    pub id: String,
}

/// A topic page, parsed but not rendered.
#[derive(Debug, Clone)]
pub struct Page {
    pub source: Source,
    /// Output path relative to the site root, with `/` separators: `gan/wgan.html`.
    pub url: String,
    /// The file stem as a slug: `wgan`.
    pub slug: String,
    /// The category key: the slugified folder path, `""` for top-level pages.
    pub category: String,
    pub title: String,
    pub meta: FrontMatter,
    pub body_offset: usize,
    /// The title came from a leading `# Heading`, which the page then does not repeat.
    pub title_from_h1: bool,
    /// Headings in document order (the title heading excluded), with their final ids.
    pub headings: Vec<Heading>,
    /// The id of the `# Title` heading the page took its title from (shown by the template).
    pub title_id: Option<String>,
    /// Obsidian block ids (`^id` at the end of a paragraph or list item), without the `^`.
    pub block_ids: Vec<String>,
}

impl Page {
    /// How many folders deep the output file is: `gan/wgan.html` is 1.
    pub fn depth(&self) -> usize {
        self.url.matches('/').count()
    }
}

/// A folder's `_index.md`: its title, weight and introduction.
#[derive(Debug, Clone)]
pub struct CategoryMeta {
    pub key: String,
    pub headings: Vec<Heading>,
    pub meta: FrontMatter,
    pub source: Source,
    pub body_offset: usize,
}

#[derive(Debug, Default)]
pub struct Parsed {
    pub pages: Vec<Page>,
    pub categories: Vec<CategoryMeta>,
    pub diagnostics: Vec<Diagnostic>,
}

pub fn parse(sources: Vec<Source>) -> Parsed {
    let mut parsed = Parsed::default();
    let mut outputs: HashMap<String, PathBuf> = HashMap::new();
    let intros: Vec<PathBuf> = sources
        .iter()
        .filter(|s| s.rel_path.file_name().is_some_and(|n| n == CATEGORY_FILE))
        .filter_map(|s| s.rel_path.parent().map(Path::to_path_buf))
        .collect();
    for source in sources {
        let split = frontmatter::split(&source.text);
        let body_offset = split.body_offset;
        let (meta, diags) = frontmatter::parse(&source.display_path, &source.text, &split);
        parsed.diagnostics.extend(diags);
        let category = category_key(&source.rel_path);
        let folder = source.rel_path.parent().unwrap_or(Path::new(""));
        let readme = is_readme(&source.rel_path) && !intros.iter().any(|p| p == folder);
        if source
            .rel_path
            .file_name()
            .is_some_and(|n| n == CATEGORY_FILE)
            || (readme && category.is_empty())
        {
            let headings = headings_of(&source.text[body_offset..]);
            parsed.categories.push(CategoryMeta {
                key: category,
                headings,
                meta,
                source,
                body_offset,
            });
            continue;
        }
        if meta.draft {
            continue;
        }
        let stem = source
            .rel_path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let slug = if readme {
            "index".to_string()
        } else {
            slugify(meta.slug.as_deref().unwrap_or(&stem), "page")
        };
        let url = if category.is_empty() {
            format!("{slug}.html")
        } else {
            format!("{category}/{slug}.html")
        };
        if let Some(first) = outputs.insert(url.clone(), source.display_path.clone()) {
            parsed.diagnostics.push(
                Diagnostic::error(
                    &source.display_path,
                    Position::default(),
                    format!(
                        "this page and {} would both be written to {url}",
                        first.display()
                    ),
                )
                .with_help("rename one of the files"),
            );
            continue;
        }
        if let Some(why) = reserved(&url) {
            parsed.diagnostics.push(
                Diagnostic::error(&source.display_path, Position::default(), why).with_help(
                    "rename the file or its folder; put the site introduction in content/_index.md",
                ),
            );
            continue;
        }
        let Outline {
            starts_with_h1,
            mut headings,
            tags,
            block_ids,
        } = outline(&source.text[body_offset..]);
        let explicit_title = source.directive_title.clone().or(meta.title.clone());
        let title_from_h1 = explicit_title.is_none() && starts_with_h1;
        let h1 = title_from_h1.then(|| headings.remove(0));
        // Typora notes often start at `###`: without a `#`, the first heading of any level names the page.
        let first_heading = headings.first().map(|h| h.text.clone());
        let mut ids = UniqueIds::default();
        let title_id = h1.as_ref().map(|h| ids.claim(h.id_base()));
        let title = explicit_title
            .or(h1.map(|h| h.text))
            .or(first_heading)
            .unwrap_or_else(|| stem.clone());
        let mut meta = meta;
        for tag in tags {
            if !meta.tags.iter().any(|t| t.eq_ignore_ascii_case(&tag)) {
                meta.tags.push(tag);
            }
        }
        parsed.pages.push(Page {
            source,
            url,
            slug,
            category,
            title,
            meta,
            body_offset,
            title_from_h1,
            headings: assign_ids(headings, &mut ids),
            title_id,
            block_ids,
        });
    }
    parsed
}

/// `README.md` in any case, mdBook's and GitHub's folder page.
fn is_readme(rel_path: &Path) -> bool {
    rel_path
        .file_name()
        .is_some_and(|n| n.to_string_lossy().eq_ignore_ascii_case(README_FILE))
}

/// The category key of a file: its folder path, each part slugified.
fn category_key(rel_path: &Path) -> String {
    rel_path
        .parent()
        .map(|p| {
            p.components()
                .map(|c| slugify(&c.as_os_str().to_string_lossy(), "folder"))
                .collect::<Vec<_>>()
                .join("/")
        })
        .unwrap_or_default()
}

/// A heading as written.
struct RawHeading {
    level: u8,
    custom_id: Option<String>,
    /// The text as shown, math as its TeX.
    text: String,
    /// The text without its math, which the id is made from.
    id_text: String,
}

impl RawHeading {
    /// The id before it is made unique: the custom one, else from the text without math (from
    /// the TeX only when the heading is nothing but math).
    fn id_base(&self) -> String {
        if let Some(id) = &self.custom_id {
            return id.clone();
        }
        let id = heading_id(&self.id_text, "");
        if id.is_empty() {
            heading_id(&self.text, "section")
        } else {
            id
        }
    }
}

struct Outline {
    starts_with_h1: bool,
    headings: Vec<RawHeading>,
    /// Inline `#tags` of the text (not in code, links or headings).
    tags: Vec<String>,
    block_ids: Vec<String>,
}

/// Collects headings, inline tags and block ids in document order. Rendering consumes the same
/// heading list in the same order.
fn outline(body: &str) -> Outline {
    let mut out = Outline {
        starts_with_h1: false,
        headings: Vec::new(),
        tags: Vec::new(),
        block_ids: Vec::new(),
    };
    let mut current: Option<RawHeading> = None;
    let mut first_block = true;
    let mut in_link = 0usize;
    let mut in_code = false;
    let mut last_text = String::new();
    for event in Parser::new_ext(body, markdown_options()) {
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                out.starts_with_h1 |= first_block && level == HeadingLevel::H1;
                first_block = false;
                current = Some(RawHeading {
                    level: level as u8,
                    custom_id: id.map(|s| s.to_string()),
                    text: String::new(),
                    id_text: String::new(),
                });
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(mut h) = current.take() {
                    h.text = h.text.trim().to_string();
                    out.headings.push(h);
                }
            }
            Event::Text(t) | Event::Code(t) if current.is_some() => {
                if let Some(h) = current.as_mut() {
                    h.text.push_str(&t);
                    h.id_text.push_str(&t);
                }
            }
            Event::InlineMath(t) => {
                if let Some(h) = current.as_mut() {
                    h.text.push_str(&t);
                }
            }
            Event::Start(Tag::CodeBlock(_)) => {
                first_block = false;
                in_code = true;
            }
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Text(_) if in_code => {}
            Event::Text(t) => {
                if in_link == 0 {
                    out.tags
                        .extend(inline_tags(&t).into_iter().map(|(_, tag)| tag.to_string()));
                }
                last_text = t.to_string();
            }
            Event::Start(Tag::Link { .. }) => in_link += 1,
            Event::End(TagEnd::Link) => in_link = in_link.saturating_sub(1),
            Event::End(TagEnd::Paragraph | TagEnd::Item) => {
                if let Some((_, id)) = block_id(&last_text) {
                    out.block_ids.push(id.to_string());
                }
                last_text.clear();
            }
            Event::Start(_) => {
                first_block = false;
                last_text.clear();
            }
            _ => {}
        }
    }
    out
}

/// Obsidian's inline `#tag` and `#nested/tag` in a run of text: byte range of the `#tag` and the
/// tag. A tag starts the text or follows whitespace, and is not only digits (`#1` is not a tag).
pub fn inline_tags(text: &str) -> Vec<(std::ops::Range<usize>, &str)> {
    let mut found = Vec::new();
    for (i, _) in text.match_indices('#') {
        let before = text[..i].chars().next_back();
        if before.is_some_and(|c| !c.is_whitespace()) {
            continue;
        }
        let name_len: usize = text[i + 1..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '/'))
            .map(char::len_utf8)
            .sum();
        let name = text[i + 1..i + 1 + name_len].trim_end_matches('/');
        if !name.is_empty() && !name.chars().all(|c| c.is_ascii_digit()) {
            found.push((i..i + 1 + name.len(), name));
        }
    }
    found
}

/// An Obsidian block id ending a paragraph or list item: ` ^id`. The byte offset where the
/// marker (with its leading space) starts, and the id.
pub fn block_id(text: &str) -> Option<(usize, &str)> {
    let trimmed = text.trim_end();
    let caret = trimmed.rfind('^')?;
    let id = &trimmed[caret + 1..];
    let valid = !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    let before = trimmed[..caret].chars().next_back();
    (valid && before.is_none_or(char::is_whitespace)).then(|| {
        let start = trimmed[..caret].trim_end().len();
        (start, id)
    })
}

/// Gives each heading its id: the custom one, or the mdBook/GitHub id of its text, made unique
/// in the page.
fn assign_ids(raw: Vec<RawHeading>, ids: &mut UniqueIds) -> Vec<Heading> {
    raw.into_iter()
        .map(|h| {
            let id = ids.claim(h.id_base());
            Heading {
                level: h.level,
                text: h.text,
                id,
            }
        })
        .collect()
}

/// The headings of a category introduction (which never takes its title from a heading).
pub fn headings_of(body: &str) -> Vec<Heading> {
    assign_ids(outline(body).headings, &mut UniqueIds::default())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn source(path: &str, text: &str) -> Source {
        Source {
            rel_path: path.into(),
            display_path: Path::new("content").join(path),
            text: text.into(),
            ..Source::default()
        }
    }

    /// Parses a site given as (path under content/, text) pairs: for other modules' tests.
    pub(crate) fn parse_files(files: &[(&str, &str)]) -> Parsed {
        parse(files.iter().map(|(p, t)| source(p, t)).collect())
    }

    #[test]
    fn title_from_front_matter_heading_or_file() {
        let p = parse(vec![
            source("a/wgan.md", "---\ntitle: Wasserstein GAN\n---\n# Intro\n"),
            source("a/b.md", "# 批归一化\n\n## 训练\n## 训练\n"),
            source("plain.md", "text"),
        ]);
        assert!(p.diagnostics.is_empty());
        assert_eq!(p.pages[0].title, "Wasserstein GAN");
        assert_eq!(p.pages[0].headings[0].id, "intro");
        assert_eq!(p.pages[1].title, "批归一化");
        assert!(p.pages[1].title_from_h1);
        let ids: Vec<_> = p.pages[1].headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["训练", "训练-1"]);
        assert_eq!(p.pages[2].title, "plain");
        assert_eq!(p.pages[0].url, "a/wgan.html");
        assert_eq!(p.pages[2].depth(), 0);
    }

    #[test]
    fn inline_tags_and_block_ids_outside_code() {
        let p = parse(vec![source(
            "x.md",
            "---\ntags: ml\n---\nA #cv note, [#not](x.md). ^intro\n\n```cpp\n#include <x>\n```\n\n- item ^item-2\n",
        )]);
        assert_eq!(p.pages[0].meta.tags, ["ml", "cv"]);
        assert_eq!(p.pages[0].block_ids, ["intro", "item-2"]);
    }

    #[test]
    fn custom_heading_id() {
        let p = parse(vec![source("x.md", "## Train vs test {#train-vs-test}\n")]);
        assert_eq!(p.pages[0].headings[0].id, "train-vs-test");
        assert_eq!(p.pages[0].headings[0].text, "Train vs test");
    }

    #[test]
    fn duplicate_output_is_an_error() {
        let p = parse(vec![source("Foo Bar.md", "a"), source("foo-bar.md", "b")]);
        assert_eq!(p.pages.len(), 1);
        assert!(p.diagnostics[0].message.contains("foo-bar.html"));
    }

    #[test]
    fn drafts_and_categories() {
        let p = parse(vec![
            source("gan/_index.md", "---\ntitle: GANs\nweight: 3\n---\nIntro"),
            source("gan/x.md", "---\ndraft: true\n---\n"),
        ]);
        assert!(p.pages.is_empty());
        assert_eq!(p.categories[0].key, "gan");
        assert_eq!(p.categories[0].meta.weight, Some(3));
    }
}
