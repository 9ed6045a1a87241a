//! mdBook's `SUMMARY.md`: the book's order, nesting, part titles and draft chapters.
//!
//! When the content folder has one, it orders the navigation (sidebar, previous/next, print view)
//! instead of folders and weights, and it is not a page itself.

use std::path::{Path, PathBuf};

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

use crate::diagnostics::{Diagnostic, LineIndex};

pub const SUMMARY_FILE: &str = "SUMMARY.md";

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    pub items: Vec<SummaryItem>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SummaryItem {
    /// A `# Part title` after the summary's own title.
    Part(String),
    /// A chapter: `path` is None for a draft (`[Draft]()`), listed but not linked.
    /// `level` is 0 for prefix and suffix chapters and top-level numbered ones.
    Chapter {
        title: String,
        path: Option<PathBuf>,
        level: u8,
    },
}

/// Reads a SUMMARY.md of the content folder `folder`. A chapter whose file does not exist is a
/// warning and listed as a draft; one that leaves the folder is an error.
pub fn parse(display_path: &Path, text: &str, folder: &Path) -> (Summary, Vec<Diagnostic>) {
    let mut summary = Summary::default();
    let mut diags = Vec::new();
    let lines = LineIndex::new(text);
    let mut list_depth: u8 = 0;
    let mut seen_title = false;
    let mut heading: Option<String> = None;
    let mut link: Option<(String, String, usize)> = None;
    for (event, range) in Parser::new_ext(text, crate::text::markdown_options()).into_offset_iter()
    {
        match event {
            Event::Start(Tag::List(_)) => list_depth += 1,
            Event::End(TagEnd::List(_)) => list_depth = list_depth.saturating_sub(1),
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            }) => heading = Some(String::new()),
            Event::End(TagEnd::Heading(HeadingLevel::H1)) => {
                let title = heading.take().unwrap_or_default().trim().to_string();
                if seen_title {
                    summary.items.push(SummaryItem::Part(title));
                }
                seen_title = true;
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                link = Some((dest_url.to_string(), String::new(), range.start));
            }
            Event::End(TagEnd::Link) => {
                let Some((dest, title, at)) = link.take() else {
                    continue;
                };
                let path = if dest.trim().is_empty() {
                    None
                } else {
                    let decoded = percent_encoding::percent_decode_str(dest.trim())
                        .decode_utf8_lossy()
                        .into_owned();
                    // `./chapter_1.md`, as `mdbook init` writes it, is `chapter_1.md`.
                    let path: PathBuf = Path::new(decoded.split('#').next().unwrap_or(""))
                        .components()
                        .filter(|c| !matches!(c, std::path::Component::CurDir))
                        .collect();
                    if path.is_absolute()
                        || path
                            .components()
                            .any(|c| matches!(c, std::path::Component::ParentDir))
                    {
                        diags.push(Diagnostic::error(
                            display_path,
                            lines.position(text, at),
                            format!("chapter `{dest}` is outside the book's folder"),
                        ));
                        continue;
                    }
                    if !folder.join(&path).is_file() {
                        diags.push(
                            Diagnostic::warning(
                                display_path,
                                lines.position(text, at),
                                format!(
                                    "chapter file `{}` does not exist: listed as a draft",
                                    path.display()
                                ),
                            )
                            .with_help("create the file, or write the chapter as `[Title]()`"),
                        );
                        None
                    } else {
                        Some(path)
                    }
                };
                summary.items.push(SummaryItem::Chapter {
                    title: title.trim().to_string(),
                    path,
                    level: list_depth.saturating_sub(1),
                });
            }
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) => {
                if let Some((_, title, _)) = link.as_mut() {
                    title.push_str(&t);
                } else if let Some(h) = heading.as_mut() {
                    h.push_str(&t);
                }
            }
            _ => {}
        }
    }
    (summary, diags)
}

impl Summary {
    /// The chapter files in book order.
    pub fn chapter_paths(&self) -> impl Iterator<Item = &Path> {
        self.items.iter().filter_map(|i| match i {
            SummaryItem::Chapter {
                path: Some(path), ..
            } => Some(path.as_path()),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for f in files {
            let p = dir.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        }
        dir
    }

    #[test]
    fn parts_nesting_drafts_and_prefix_chapters() {
        let dir = folder(&[
            "README.md",
            "ch1.md",
            "ch1/nested.md",
            "last one.md",
            "appendix.md",
        ]);
        let text = "# Summary\n\n[Introduction](README.md)\n\n# 基础\n\n- [Chapter 1](./ch1.md)\n    - [Nested `code`](ch1/nested.md)\n- [Draft]()\n\n---\n\n# Part Two\n- [Last](last%20one.md)\n\n[Appendix](appendix.md)\n";
        let (s, d) = parse(Path::new("src/SUMMARY.md"), text, dir.path());
        assert!(d.is_empty(), "{d:?}");
        let chapter = |title: &str, path: Option<&str>, level| SummaryItem::Chapter {
            title: title.into(),
            path: path.map(PathBuf::from),
            level,
        };
        assert_eq!(
            s.items,
            vec![
                chapter("Introduction", Some("README.md"), 0),
                SummaryItem::Part("基础".into()),
                chapter("Chapter 1", Some("ch1.md"), 0),
                chapter("Nested code", Some("ch1/nested.md"), 1),
                chapter("Draft", None, 0),
                SummaryItem::Part("Part Two".into()),
                chapter("Last", Some("last one.md"), 0),
                chapter("Appendix", Some("appendix.md"), 0),
            ]
        );
        assert_eq!(s.chapter_paths().count(), 5);
    }

    #[test]
    fn a_chapter_outside_the_book_is_an_error() {
        let dir = folder(&[]);
        let (s, d) = parse(
            Path::new("src/SUMMARY.md"),
            "# S\n- [x](../x.md)\n- [y](y.md)\n",
            dir.path(),
        );
        assert_eq!(d.len(), 2);
        assert!(d[0].is_error());
        assert_eq!(d[0].position.line, 2);
        assert!(
            d[1].message.contains("listed as a draft"),
            "{}",
            d[1].message
        );
        assert_eq!(s.chapter_paths().count(), 0);
    }
}
