//! Reads the content folder: Markdown sources and the other files that sit beside them.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::diagnostics::{Diagnostic, Position};

/// One Markdown file of the content folder.
#[derive(Debug, Clone)]
pub struct Source {
    /// Path relative to the content folder, with `/` separators.
    pub rel_path: PathBuf,
    /// Path relative to the site root, for diagnostics.
    pub display_path: PathBuf,
    pub text: String,
}

/// Everything found in the content folder.
#[derive(Debug, Default)]
pub struct Loaded {
    pub sources: Vec<Source>,
    /// Non-Markdown files (images, data), relative to the content folder.
    pub assets: Vec<PathBuf>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Walks `content_dir` in a stable order. Hidden files and folders are skipped.
pub fn load(root: &Path, content_dir: &Path) -> Loaded {
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
    let walker = WalkDir::new(&abs)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e
                    .path()
                    .map(|p| relative(root, p))
                    .unwrap_or_else(|| content_dir.to_path_buf());
                loaded.diagnostics.push(Diagnostic::error(
                    path,
                    Position::default(),
                    format!("cannot read: {e}"),
                ));
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(&abs)
            .unwrap_or(entry.path())
            .to_path_buf();
        let display_path = relative(root, entry.path());
        if rel.extension().is_some_and(|e| e == "md") {
            match std::fs::read(entry.path()) {
                Ok(bytes) => {
                    match String::from_utf8(bytes) {
                        Ok(text) => {
                            let (text, warning) = strip_nul(&display_path, text);
                            loaded.diagnostics.extend(warning);
                            loaded.sources.push(Source {
                                rel_path: rel,
                                display_path,
                                text,
                            })
                        }
                        Err(e) => {
                            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
                            let text = String::from_utf8_lossy(valid);
                            let pos = crate::diagnostics::LineIndex::new(&text)
                                .position(&text, text.len());
                            loaded.diagnostics.push(
                            Diagnostic::error(display_path, pos, "the file is not valid UTF-8")
                                .with_help("save it as UTF-8 (most editors have an \"encoding\" option)"),
                        );
                        }
                    }
                }
                Err(e) => loaded.diagnostics.push(Diagnostic::error(
                    display_path,
                    Position::default(),
                    format!("cannot read: {e}"),
                )),
            }
        } else {
            loaded.assets.push(rel);
        }
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
