//! What a file-system event means for the site: one small function, so the watcher stays dumb.

use std::path::{Component, Path};

/// What changed, judged from the path alone (whether a page was added, removed or edited is
/// decided against the site in memory, see [`page_change`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A Markdown file of the content folder, relative to the site root.
    Page(std::path::PathBuf),
    /// Another file of the content folder (image, data).
    Asset,
    Template,
    /// A theme file of `static/`; `css` when it is a stylesheet.
    Static {
        css: bool,
    },
    Config,
    /// The build output, the cache, hidden files, editor swap and backup files.
    Ignored,
}

/// Classifies a path relative to the site root. `content` and `build_dir` are the site's folders.
pub fn classify(rel: &Path, content: &Path, build_dir: &Path) -> Change {
    let hidden = rel.components().any(|c| match c {
        Component::Normal(s) => s.to_string_lossy().starts_with('.'),
        _ => true,
    });
    let name = rel
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if hidden || is_editor_scratch(&name) || rel.starts_with(build_dir) {
        return Change::Ignored;
    }
    // Notes kept at the site root (a vault, `src = "."`): `content` is `.`, which every path is in.
    let content: std::path::PathBuf = content
        .components()
        .filter(|c| *c != Component::CurDir)
        .collect();
    if rel == Path::new(crate::config::CONFIG_FILE) {
        Change::Config
    } else if rel.starts_with(crate::theme::TEMPLATES_DIR) {
        Change::Template
    } else if rel.starts_with(crate::theme::STATIC_DIR) {
        Change::Static {
            css: rel.extension().is_some_and(|e| e == "css"),
        }
    } else if rel.starts_with(&content) && !rel.starts_with("node_modules") {
        if crate::fsutil::is_markdown(rel) {
            Change::Page(rel.to_path_buf())
        } else {
            Change::Asset
        }
    } else {
        Change::Ignored
    }
}

/// Files editors write beside the real one while saving: vim's `.swp` and `4913`, emacs's `#x#`
/// and `x~`, and temporary names used for rename-and-replace saves.
fn is_editor_scratch(name: &str) -> bool {
    name == "4913"
        || name.ends_with('~')
        || (name.starts_with('#') && name.ends_with('#'))
        || [".swp", ".swx", ".swo", ".tmp", ".bak", ".crdownload"]
            .iter()
            .any(|ext| name.ends_with(ext))
}

/// How a page path changed, from whether the site knew it and whether the file is there now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageChange {
    Edited,
    Added,
    Removed,
    /// Created and deleted again before the watcher looked (an editor's temporary file).
    Nothing,
}

pub fn page_change(known: bool, exists: bool) -> PageChange {
    match (known, exists) {
        (true, true) => PageChange::Edited,
        (false, true) => PageChange::Added,
        (true, false) => PageChange::Removed,
        (false, false) => PageChange::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(path: &str) -> Change {
        classify(Path::new(path), Path::new("content"), Path::new("book"))
    }

    #[test]
    fn classifies_site_files() {
        assert_eq!(
            c("content/gan/wgan.md"),
            Change::Page("content/gan/wgan.md".into())
        );
        assert_eq!(c("content/img/a.png"), Change::Asset);
        assert_eq!(c("templates/page.html"), Change::Template);
        assert_eq!(c("static/css/style.css"), Change::Static { css: true });
        assert_eq!(c("static/js/site.js"), Change::Static { css: false });
        assert_eq!(c("book.toml"), Change::Config);
    }

    #[test]
    fn ignores_output_cache_hidden_and_editor_files() {
        for path in [
            "book/index.html",
            ".studybook/cache/render.bin",
            "content/.wgan.md.swp",
            "content/gan/wgan.md~",
            "content/gan/4913",
            "content/gan/#wgan.md#",
            "content/.#wgan.md",
            "content/gan/wgan.md.tmp",
            ".git/index",
            "notes.txt",
        ] {
            assert_eq!(c(path), Change::Ignored, "{path}");
        }
    }

    #[test]
    fn notes_at_the_site_root_are_content() {
        let c = |p: &str| classify(Path::new(p), Path::new("."), Path::new("book"));
        assert_eq!(c("Inbox/Daily.MD"), Change::Page("Inbox/Daily.MD".into()));
        assert_eq!(c("Attachments/a.png"), Change::Asset);
        assert_eq!(c("templates/page.html"), Change::Template);
        assert_eq!(c("book/index.html"), Change::Ignored);
        assert_eq!(c(".obsidian/workspace.json"), Change::Ignored);
        assert_eq!(c("book.toml"), Change::Config);
    }

    #[test]
    fn page_changes_follow_the_site_in_memory() {
        assert_eq!(page_change(true, true), PageChange::Edited);
        assert_eq!(page_change(false, true), PageChange::Added);
        assert_eq!(page_change(true, false), PageChange::Removed);
        assert_eq!(page_change(false, false), PageChange::Nothing);
    }
}
