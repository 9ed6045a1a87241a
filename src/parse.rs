//! Front matter and the Markdown outline of each source: everything the index needs
//! before any page is rendered.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::diagnostics::{Diagnostic, Position};
use crate::frontmatter::{self, FrontMatter};
use crate::load::Source;
use crate::slug::{slugify, UniqueIds};

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

/// The Markdown dialect, shared by every stage that parses Markdown.
pub fn markdown_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_MATH
        | Options::ENABLE_WIKILINKS
}

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
    for source in sources {
        let split = frontmatter::split(&source.text);
        let body_offset = split.body_offset;
        let (meta, diags) = frontmatter::parse(&source.display_path, &source.text, &split);
        parsed.diagnostics.extend(diags);
        let category = category_key(&source.rel_path);
        if source
            .rel_path
            .file_name()
            .is_some_and(|n| n == CATEGORY_FILE)
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
        let slug = slugify(&stem, "page");
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
        } = outline(&source.text[body_offset..]);
        let title_from_h1 = meta.title.is_none() && starts_with_h1;
        let h1 = title_from_h1.then(|| headings.remove(0).2);
        let title = meta.title.clone().or(h1).unwrap_or_else(|| stem.clone());
        parsed.pages.push(Page {
            source,
            url,
            slug,
            category,
            title,
            meta,
            body_offset,
            title_from_h1,
            headings: assign_ids(headings),
        });
    }
    parsed
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

/// A heading as written: level, custom id, text.
type RawHeading = (u8, Option<String>, String);

struct Outline {
    starts_with_h1: bool,
    headings: Vec<RawHeading>,
}

/// Collects headings in document order. Rendering consumes the same list in the same order.
fn outline(body: &str) -> Outline {
    let mut headings = Vec::new();
    let mut starts_with_h1 = false;
    let mut current: Option<(HeadingLevel, Option<String>, String)> = None;
    let mut first_block = true;
    for event in Parser::new_ext(body, markdown_options()) {
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                starts_with_h1 |= first_block && level == HeadingLevel::H1;
                first_block = false;
                current = Some((level, id.map(|s| s.to_string()), String::new()));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, id, text)) = current.take() {
                    headings.push((level as u8, id, text.trim().to_string()));
                }
            }
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) => {
                if let Some((_, _, text)) = current.as_mut() {
                    text.push_str(&t);
                }
            }
            Event::Start(_) => first_block = false,
            _ => {}
        }
    }
    Outline {
        starts_with_h1,
        headings,
    }
}

/// Gives each heading its id: the custom one, or the slug of its text, made unique in the page.
pub fn assign_ids(raw: Vec<RawHeading>) -> Vec<Heading> {
    let mut ids = UniqueIds::default();
    raw.into_iter()
        .map(|(level, custom, text)| {
            let id = ids.claim(custom.unwrap_or_else(|| slugify(&text, "section")));
            Heading { level, text, id }
        })
        .collect()
}

/// The headings of a category introduction (which never takes its title from a heading).
pub fn headings_of(body: &str) -> Vec<Heading> {
    assign_ids(outline(body).headings)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn source(path: &str, text: &str) -> Source {
        Source {
            rel_path: path.into(),
            display_path: Path::new("content").join(path),
            text: text.into(),
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
