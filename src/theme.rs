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

impl Theme {
    /// Tera's error as diagnostics at the template file and line that cause it. An error Tera
    /// finds in a built-in template because of a site's override (an emptied `base.html`, a
    /// circle of `extends`) is reported at the site's file: that is the one to fix.
    pub fn template_errors(&self, rendering: Option<&str>, e: &tera::Error) -> Vec<Diagnostic> {
        let help = rendering.map(|name| format!("while rendering `{name}`"));
        let at_start = Position { line: 1, column: 1 };
        let mut diags = match e.kind() {
            tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => {
                let span = r.span();
                let pos = Position {
                    line: span.start_line,
                    column: span.start_col + 1,
                };
                vec![self.template_error(r.filename(), pos, r.message())]
            }
            tera::ErrorKind::CircularExtend {
                inheritance_chain: chain,
                ..
            }
            | tera::ErrorKind::CircularInclude {
                include_chain: chain,
                ..
            } => {
                let blamed = chain
                    .iter()
                    .find(|n| self.is_site(n))
                    .or(chain.first())
                    .map_or("", String::as_str);
                let message = format!(
                    "templates use each other in a circle: {}",
                    chain.join(" → ")
                );
                vec![self.template_error(blamed, at_start, &message)]
            }
            tera::ErrorKind::MissingParent { current, parent } => {
                let message = format!(
                    "extends `{parent}`, which is neither in templates/ nor in the built-in theme"
                );
                vec![self.template_error(current, at_start, &message)]
            }
            tera::ErrorKind::TemplateNotFound(name) => {
                let message = format!("the template `{name}` does not exist");
                vec![self.template_error(rendering.unwrap_or(name), Position::default(), &message)]
            }
            _ => self.joined_reports(rendering.unwrap_or(""), &e.to_string()),
        };
        for d in &mut diags {
            if d.help.is_none() {
                d.help = help.clone();
            }
        }
        diags
    }

    /// One template error at `name`:`pos`, moved to the site's own parent template when a
    /// built-in template fills a block that the site's override dropped.
    fn template_error(&self, name: &str, pos: Position, message: &str) -> Diagnostic {
        let missing_block = message
            .strip_prefix("Block `")
            .and_then(|m| m.split_once("` is not defined in any parent template"));
        let parent = self.site_parent(name).filter(|_| !self.is_site(name));
        if let (Some((block, _)), Some(parent)) = (missing_block, parent) {
            return Diagnostic::error(
                self.template_path(&parent),
                Position { line: 1, column: 1 },
                format!("template error: `{parent}` has no block `{block}`, which the built-in templates fill"),
            )
            .with_help(format!(
                "add `{{% block {block} %}}{{% endblock {block} %}}` to {parent}, or override the templates that extend it"
            ));
        }
        Diagnostic::error(
            self.template_path(name),
            pos,
            format!("template error: {message}"),
        )
    }

    /// Tera's reference checks join several reports into one message (`error: …` then
    /// `--> name:line:col`) and keep no structure: only here is its text read.
    fn joined_reports(&self, rendering: &str, text: &str) -> Vec<Diagnostic> {
        let mut reports: Vec<(&str, &str, Position)> = Vec::new();
        for line in text.lines() {
            if let Some(message) = line.strip_prefix("error: ") {
                reports.push((message, rendering, Position::default()));
            } else if let (Some(last), Some(place)) =
                (reports.last_mut(), line.trim_start().strip_prefix("--> "))
            {
                let mut parts = place.rsplitn(3, ':');
                if let (Some(col), Some(line_no), Some(name)) =
                    (parts.next(), parts.next(), parts.next())
                {
                    last.1 = name;
                    last.2 = Position {
                        line: line_no.parse().unwrap_or(0),
                        column: col.parse().unwrap_or(0),
                    };
                }
            }
        }
        if reports.is_empty() {
            reports.push((text, rendering, Position::default()));
        }
        reports
            .into_iter()
            .map(|(message, name, pos)| self.template_error(name, pos, message))
            .collect()
    }

    fn is_site(&self, name: &str) -> bool {
        self.templates
            .get(name)
            .is_some_and(|t| t.site_path.is_some())
    }

    /// The nearest template up `name`'s `extends` chain that the site provides.
    fn site_parent(&self, name: &str) -> Option<String> {
        let mut current = name.to_string();
        for _ in 0..self.templates.len() {
            let content = &self.templates.get(&current)?.content;
            let parent = extends_of(content)?;
            if self.is_site(&parent) {
                return Some(parent);
            }
            current = parent;
        }
        None
    }
}

/// The template named by `{% extends "…" %}`, if the template extends one.
fn extends_of(content: &str) -> Option<String> {
    let rest = content.split("{%").skip(1).find_map(|tag| {
        tag.trim_start_matches('-')
            .trim_start()
            .strip_prefix("extends")
    })?;
    let rest = rest.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let name = rest[1..].split(quote).next()?;
    Some(name.to_string())
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
