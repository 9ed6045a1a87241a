//! The default theme (this repository's `templates/` and `static/`, embedded in the binary) and a
//! site's own files, which override the defaults by name.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use include_dir::{include_dir, Dir};
use walkdir::WalkDir;

use crate::diagnostics::{Diagnostic, Position};

static DEFAULT_TEMPLATES: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/templates");
static DEFAULT_STATIC: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/static");

pub const TEMPLATES_DIR: &str = "templates";
pub const STATIC_DIR: &str = "static";

/// A theme file and where it came from (for error messages).
#[derive(Debug, Clone)]
pub struct ThemeFile<T> {
    pub content: T,
    /// The site's own file, relative to the site root; None for the built-in default.
    pub site_path: Option<PathBuf>,
}

#[derive(Debug, Default)]
pub struct Theme {
    /// Template name (`partials/toc.html`) to source.
    pub templates: BTreeMap<String, ThemeFile<String>>,
    /// Output path (`katex/katex.min.css`) to bytes.
    pub statics: BTreeMap<String, ThemeFile<Vec<u8>>>,
}

impl Theme {
    pub fn load(root: &Path) -> (Theme, Vec<Diagnostic>) {
        let mut theme = Theme::default();
        let mut diags = Vec::new();
        for (name, bytes) in embedded(&DEFAULT_TEMPLATES) {
            let content = String::from_utf8_lossy(bytes).into_owned();
            theme.templates.insert(
                name,
                ThemeFile {
                    content,
                    site_path: None,
                },
            );
        }
        for (name, bytes) in embedded(&DEFAULT_STATIC) {
            theme.statics.insert(
                name,
                ThemeFile {
                    content: bytes.to_vec(),
                    site_path: None,
                },
            );
        }
        for (name, path) in site_files(root, TEMPLATES_DIR, &mut diags) {
            match std::fs::read(root.join(&path)).map(String::from_utf8) {
                Ok(Ok(content)) => {
                    theme.templates.insert(
                        name,
                        ThemeFile {
                            content,
                            site_path: Some(path),
                        },
                    );
                }
                Ok(Err(_)) => diags.push(Diagnostic::error(
                    path,
                    Position::default(),
                    "the template is not valid UTF-8",
                )),
                Err(e) => diags.push(Diagnostic::error(
                    path,
                    Position::default(),
                    format!("cannot read: {e}"),
                )),
            }
        }
        for (name, path) in site_files(root, STATIC_DIR, &mut diags) {
            match std::fs::read(root.join(&path)) {
                Ok(content) => {
                    theme.statics.insert(
                        name,
                        ThemeFile {
                            content,
                            site_path: Some(path),
                        },
                    );
                }
                Err(e) => diags.push(Diagnostic::error(
                    path,
                    Position::default(),
                    format!("cannot read: {e}"),
                )),
            }
        }
        (theme, diags)
    }

    /// Where a template's errors should point: the site's file, or the built-in theme.
    pub fn template_path(&self, name: &str) -> PathBuf {
        self.templates
            .get(name)
            .and_then(|t| t.site_path.clone())
            .unwrap_or_else(|| Path::new("(built-in theme)").join(TEMPLATES_DIR).join(name))
    }
}

fn embedded<'a>(dir: &'a Dir<'a>) -> Vec<(String, &'a [u8])> {
    let mut out = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for f in d.files() {
            out.push((f.path().to_string_lossy().replace('\\', "/"), f.contents()));
        }
        stack.extend(d.dirs());
    }
    out
}

/// Files under `root/folder`, as (name relative to the folder, path relative to the root).
fn site_files(root: &Path, folder: &str, diags: &mut Vec<Diagnostic>) -> Vec<(String, PathBuf)> {
    let base = root.join(folder);
    if !base.is_dir() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for entry in WalkDir::new(&base).sort_by_file_name() {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                let rel = e.path().strip_prefix(&base).unwrap_or(e.path());
                let name = rel.to_string_lossy().replace('\\', "/");
                if !name.split('/').any(|part| part.starts_with('.')) {
                    out.push((name, Path::new(folder).join(rel)));
                }
            }
            Ok(_) => {}
            Err(e) => diags.push(Diagnostic::error(
                folder,
                Position::default(),
                format!("cannot read: {e}"),
            )),
        }
    }
    out
}
