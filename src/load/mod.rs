//! Reads the content folder: Markdown sources and the other files that sit beside them.
//!
//! The content folder may be the site root itself (an Obsidian vault, a folder of notes), so the
//! site's own files (book.toml, the output, theme and cache folders, dot-folders such as
//! `.obsidian` and `.git`) are never read as content. Symlinks that stay inside the site are
//! followed; one that leaves it, or a loop, is a warning naming the link and its target.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::config::{Config, CONFIG_FILE};
use crate::diagnostics::{Diagnostic, Position};
pub mod expand;

use crate::summary::{self, Summary, SUMMARY_FILE};
use expand::SourceMap;

/// One Markdown file of the content folder, after the expand stage.
#[derive(Debug, Clone, Default)]
pub struct Source {
    /// Path relative to the content folder, with `/` separators.
    pub rel_path: PathBuf,
    /// Path relative to the site root, for diagnostics.
    pub display_path: PathBuf,
    pub text: String,
    /// Where the expanded text came from, when expanding changed it (includes, comments).
    pub map: Option<std::sync::Arc<SourceMap>>,
    /// A title set by mdBook's `{{#title …}}`.
    pub directive_title: Option<String>,
}

/// Everything found in the content folder.
#[derive(Debug, Default)]
pub struct Loaded {
    pub sources: Vec<Source>,
    /// Non-Markdown files (images, data), relative to the content folder.
    pub assets: Vec<PathBuf>,
    /// mdBook's `SUMMARY.md`, when the content folder has one: the book's order.
    pub summary: Option<Summary>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Folders and files of the site root that are never content, even when the content folder is
/// the root: the site's configuration, theme, cache and packages.
const SITE_FILES: &[&str] = &[
    CONFIG_FILE,
    crate::theme::TEMPLATES_DIR,
    crate::theme::STATIC_DIR,
    "node_modules",
];

/// Walks the content folder in a stable order and expands every Markdown file.
pub fn load(root: &Path, config: &Config) -> Loaded {
    let content_dir = &config.src;
    let mut loaded = Loaded::default();
    let abs = root.join(content_dir);
    if !abs.is_dir() {
        loaded.diagnostics.push(
            Diagnostic::error(
                content_dir,
                Position::default(),
                "the content folder does not exist",
            )
            .with_help("create it with `studybook init`, or set [book] src in book.toml"),
        );
        return loaded;
    }
    let real_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let root_abs = crate::fsutil::absolute(root);
    let build_dir = crate::fsutil::absolute(&root.join(&config.build_dir));
    let excluded: Vec<PathBuf> = SITE_FILES
        .iter()
        .map(PathBuf::from)
        .chain(
            build_dir
                .strip_prefix(&root_abs)
                .ok()
                .map(Path::to_path_buf),
        )
        .collect();
    let mut walker = WalkDir::new(&abs)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e
                    .path()
                    .map(|p| relative(root, p))
                    .unwrap_or_else(|| content_dir.to_path_buf());
                let message = match e.loop_ancestor() {
                    Some(target) => format!(
                        "symlink `{}` loops back to `{}`: not followed",
                        path.display(),
                        relative(root, target).display()
                    ),
                    None => format!("cannot read: {e}"),
                };
                let d = if e.loop_ancestor().is_some() {
                    Diagnostic::warning(path, Position::default(), message)
                } else {
                    Diagnostic::error(path, Position::default(), message)
                };
                loaded.diagnostics.push(d);
                continue;
            }
        };
        let hidden = entry.depth() > 0 && entry.file_name().to_string_lossy().starts_with('.');
        let site_file = entry.depth() > 0 && excluded.contains(&relative(root, entry.path()));
        if hidden || site_file {
            if entry.file_type().is_dir() {
                walker.skip_current_dir();
            }
            continue;
        }
        let display_path = relative(root, entry.path());
        if entry.path_is_symlink() {
            let target = std::fs::canonicalize(entry.path());
            if !target.as_ref().is_ok_and(|t| t.starts_with(&real_root)) {
                let shown =
                    target.unwrap_or_else(|_| std::fs::read_link(entry.path()).unwrap_or_default());
                loaded.diagnostics.push(
                    Diagnostic::warning(
                        &display_path,
                        Position::default(),
                        format!(
                            "symlink `{}` points outside the site, to `{}`: not published",
                            display_path.display(),
                            shown.display()
                        ),
                    )
                    .with_help("copy the file into the site, or link to something inside it"),
                );
                if entry.file_type().is_dir() {
                    walker.skip_current_dir();
                }
                continue;
            }
        }
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(&abs)
            .unwrap_or(entry.path())
            .to_path_buf();
        if !crate::fsutil::is_markdown(&rel) {
            loaded.assets.push(rel);
            continue;
        }
        let Some(text) = read_text(entry.path(), &display_path, &mut loaded.diagnostics) else {
            continue;
        };
        let (text, warning) = strip_nul(&display_path, text);
        loaded.diagnostics.extend(warning);
        if rel == Path::new(SUMMARY_FILE) {
            let (summary, diags) = summary::parse(&display_path, &text, &abs);
            loaded.diagnostics.extend(diags);
            loaded.summary = Some(summary);
            continue;
        }
        let (source, diags) = expand::expand(
            root,
            Source {
                rel_path: rel,
                display_path,
                text,
                ..Source::default()
            },
        );
        loaded.diagnostics.extend(diags);
        loaded.sources.push(source);
    }
    loaded
}

/// Removes NUL characters, which no page means to contain and which would otherwise reach the
/// HTML (and the front matter parser) as they are. One warning names the first.
pub fn strip_nul(display_path: &Path, text: String) -> (String, Option<Diagnostic>) {
    let Some(first) = text.find('\0') else {
        return (text, None);
    };
    let count = text.matches('\0').count();
    let pos = crate::diagnostics::LineIndex::new(&text).position(&text, first);
    let warning = Diagnostic::warning(
        display_path,
        pos,
        format!(
            "the file contains {count} NUL character{}; {} removed",
            if count == 1 { "" } else { "s" },
            if count == 1 { "it is" } else { "they are" }
        ),
    )
    .with_help("a NUL usually means a binary file saved as .md, or a broken editor save");
    (text.replace('\0', ""), Some(warning))
}

/// Reads and expands one Markdown file again (for `serve` after an edit).
pub fn reload(root: &Path, old: &Source) -> Option<(Source, Vec<Diagnostic>)> {
    let text = String::from_utf8(std::fs::read(root.join(&old.display_path)).ok()?).ok()?;
    Some(expand::expand(
        root,
        Source {
            rel_path: old.rel_path.clone(),
            display_path: old.display_path.clone(),
            text,
            ..Source::default()
        },
    ))
}

/// A file's text, or a diagnostic saying why it cannot be read.
fn read_text(path: &Path, display_path: &Path, diags: &mut Vec<Diagnostic>) -> Option<String> {
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Some(text),
            Err(e) => {
                let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
                let text = String::from_utf8_lossy(valid);
                let pos = crate::diagnostics::LineIndex::new(&text).position(&text, text.len());
                diags.push(
                    Diagnostic::error(display_path, pos, "the file is not valid UTF-8")
                        .with_help("save it as UTF-8 (most editors have an \"encoding\" option)"),
                );
                None
            }
        },
        Err(e) => {
            diags.push(Diagnostic::error(
                display_path,
                Position::default(),
                format!("cannot read: {e}"),
            ));
            None
        }
    }
}

fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_characters_are_removed_with_a_warning_at_the_first() {
        let path = Path::new("content/a.md");
        let (text, warning) = strip_nul(path, "# A\n批\0x\0\n".to_string());
        assert_eq!(text, "# A\n批x\n");
        assert_eq!(
            warning.unwrap().short(),
            "content/a.md:2:2: warning: the file contains 2 NUL characters; they are removed (a NUL usually means a binary file saved as .md, or a broken editor save)"
        );
        assert_eq!(strip_nul(path, "clean".into()), ("clean".to_string(), None));
    }
}
