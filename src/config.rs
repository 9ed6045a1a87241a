//! `book.toml`: the site configuration, with defaults for every key.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostics::{Diagnostic, LineIndex, Position};

pub const CONFIG_FILE: &str = "book.toml";

/// The folder given as the site does not exist: every command that reads a site stops with this
/// (exit 2) rather than, say, creating `<folder>/book`.
#[derive(Debug, thiserror::Error)]
#[error("there is no site folder at {}: give the folder that holds book.toml and content/, or create one with `studybook init`", .0.display())]
pub struct NoSiteFolder(pub PathBuf);

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub title: String,
    pub description: String,
    pub authors: Vec<String>,
    pub language: Language,
    /// The content folder, relative to the root.
    pub src: PathBuf,
    /// The output folder, relative to the root (or absolute).
    pub build_dir: PathBuf,
    /// Where book.toml sets `build-dir`, so a refused folder names the line that chose it.
    pub build_dir_set_at: Option<Position>,
    /// Absolute base URL with a trailing slash, e.g. `/ml-notes/` or `https://x.github.io/ml-notes/`.
    pub site_url: Option<String>,
    pub git_repository_url: Option<String>,
    pub edit_url_template: Option<String>,
    pub math_macros: BTreeMap<String, String>,
    pub light_theme: String,
    pub dark_theme: String,
    pub search: bool,
    pub anki_deck: String,
    pub test: TestConfig,
}

/// `[test]`: how `studybook test` runs the notes' code.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TestConfig {
    /// The time limit of a block without `{timeout=…}`.
    pub timeout: Option<std::time::Duration>,
    /// `[test.python]`, `[test.cpp]`…, by language name.
    pub tools: BTreeMap<String, ToolConfig>,
}

/// The interpreter or compiler of one language, and its flags (replacing the defaults).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct ToolConfig {
    pub command: Option<String>,
    pub flags: Option<Vec<String>>,
}

/// The language of the theme's UI strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Language {
    #[default]
    En,
    ZhCn,
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::ZhCn => "zh-CN",
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Raw {
    #[serde(default)]
    book: RawBook,
    #[serde(default)]
    build: RawBuild,
    #[serde(default)]
    output: RawOutput,
    #[serde(default)]
    math: RawMath,
    #[serde(default)]
    highlight: RawHighlight,
    #[serde(default)]
    search: RawSearch,
    #[serde(default)]
    anki: RawAnki,
    #[serde(default)]
    test: RawTest,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct RawBook {
    title: Option<String>,
    description: Option<String>,
    #[serde(default)]
    authors: Vec<String>,
    language: Option<String>,
    src: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct RawBuild {
    build_dir: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
struct RawOutput {
    #[serde(default)]
    html: RawHtml,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct RawHtml {
    site_url: Option<String>,
    git_repository_url: Option<String>,
    edit_url_template: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct RawMath {
    #[serde(default)]
    macros: BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct RawHighlight {
    light_theme: Option<String>,
    dark_theme: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct RawSearch {
    enable: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
struct RawAnki {
    deck: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct RawTest {
    timeout: Option<String>,
    python: Option<ToolConfig>,
    cpp: Option<ToolConfig>,
    c: Option<ToolConfig>,
    rust: Option<ToolConfig>,
    bash: Option<ToolConfig>,
    javascript: Option<ToolConfig>,
}

/// Every key the configuration knows, as dotted paths. `*` accepts any key below it.
const KNOWN_KEYS: &[&str] = &[
    "book",
    "book.title",
    "book.description",
    "book.authors",
    "book.language",
    "book.src",
    "build",
    "build.build-dir",
    "output",
    "output.html",
    "output.html.site-url",
    "output.html.git-repository-url",
    "output.html.edit-url-template",
    "math",
    "math.macros",
    "math.macros.*",
    "highlight",
    "highlight.light-theme",
    "highlight.dark-theme",
    "search",
    "search.enable",
    "anki",
    "anki.deck",
    "test",
    "test.timeout",
    "test.python",
    "test.python.command",
    "test.python.flags",
    "test.cpp",
    "test.cpp.command",
    "test.cpp.flags",
    "test.c",
    "test.c.command",
    "test.c.flags",
    "test.rust",
    "test.rust.command",
    "test.rust.flags",
    "test.bash",
    "test.bash.command",
    "test.bash.flags",
    "test.javascript",
    "test.javascript.command",
    "test.javascript.flags",
];

impl Default for Config {
    fn default() -> Self {
        Self::from_raw(Raw::default()).0
    }
}

impl Config {
    /// Reads `book.toml` under `root`. A missing file is the default configuration.
    /// Returns the config (None when it cannot be used) and its diagnostics.
    pub fn load(root: &Path) -> (Option<Config>, Vec<Diagnostic>) {
        let path = root.join(CONFIG_FILE);
        let text = match std::fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(t) => t,
                Err(_) => {
                    let d = Diagnostic::error(
                        CONFIG_FILE,
                        Position::default(),
                        "book.toml is not valid UTF-8",
                    );
                    return (None, vec![d]);
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => {
                let d = Diagnostic::error(
                    CONFIG_FILE,
                    Position::default(),
                    format!("cannot read book.toml: {e}"),
                );
                return (None, vec![d]);
            }
        };
        Self::parse(&text)
    }

    pub fn parse(text: &str) -> (Option<Config>, Vec<Diagnostic>) {
        let lines = LineIndex::new(text);
        let at = |offset: usize| lines.position(text, offset);
        let raw: Raw = match toml::from_str(text) {
            Ok(raw) => raw,
            Err(e) => {
                let pos = e.span().map(|s| at(s.start)).unwrap_or_default();
                let d = Diagnostic::error(
                    CONFIG_FILE,
                    pos,
                    format!("invalid book.toml: {}", e.message()),
                );
                return (None, vec![d]);
            }
        };
        let mut diags = unknown_keys(text)
            .into_iter()
            .map(|(key, offset)| {
                Diagnostic::warning(
                    CONFIG_FILE,
                    at(offset),
                    format!("unknown key `{key}` in book.toml"),
                )
                .with_help(suggest_key(&key))
            })
            .collect::<Vec<_>>();
        let (mut config, problems) = Self::from_raw(raw);
        diags.extend(
            problems
                .into_iter()
                .map(|m| Diagnostic::error(CONFIG_FILE, Position::default(), m)),
        );
        config.build_dir_set_at = key_offset(text, &["build", "build-dir"]).map(at);
        config.math_macros.retain(|name, _| {
            let valid = is_macro_name(name);
            if !valid {
                let pos = key_offset(text, &["math", "macros", name])
                    .map(at)
                    .unwrap_or_default();
                diags.push(
                    Diagnostic::error(
                        CONFIG_FILE,
                        pos,
                        format!("`{name}` is not a TeX macro name"),
                    )
                    .with_help(
                        "a macro name is a backslash and letters, written \"\\\\norm\" in TOML",
                    ),
                );
            }
            valid
        });
        (Some(config), diags)
    }

    fn from_raw(raw: Raw) -> (Config, Vec<String>) {
        let mut problems = Vec::new();
        let language = match raw.book.language.as_deref() {
            None | Some("en") => Language::En,
            Some("zh-CN") | Some("zh") | Some("zh-Hans") => Language::ZhCn,
            Some(other) => {
                problems.push(format!(
                    "unsupported [book] language `{other}`: use \"en\" or \"zh-CN\""
                ));
                Language::En
            }
        };
        let site_url =
            raw.output
                .html
                .site_url
                .map(|u| if u.ends_with('/') { u } else { format!("{u}/") });
        let title = raw.book.title.unwrap_or_else(|| "Study Notes".to_string());
        let test = TestConfig {
            timeout: raw.test.timeout.and_then(|t| {
                let d = crate::text::parse_duration(&t);
                if d.is_none() {
                    problems.push(format!(
                        "[test] timeout `{t}` is not a duration: write it like \"10s\" or \"500ms\""
                    ));
                }
                d
            }),
            tools: [
                ("python", raw.test.python),
                ("cpp", raw.test.cpp),
                ("c", raw.test.c),
                ("rust", raw.test.rust),
                ("bash", raw.test.bash),
                ("javascript", raw.test.javascript),
            ]
            .into_iter()
            .filter_map(|(name, tool)| Some((name.to_string(), tool?)))
            .collect(),
        };
        let config = Config {
            anki_deck: raw.anki.deck.unwrap_or_else(|| title.clone()),
            title,
            description: raw.book.description.unwrap_or_default(),
            authors: raw.book.authors,
            language,
            src: normalized(raw.book.src.unwrap_or_else(|| PathBuf::from("content"))),
            build_dir: normalized(raw.build.build_dir.unwrap_or_else(|| PathBuf::from("book"))),
            build_dir_set_at: None,
            site_url,
            git_repository_url: raw.output.html.git_repository_url,
            edit_url_template: raw.output.html.edit_url_template,
            math_macros: raw.math.macros,
            light_theme: raw
                .highlight
                .light_theme
                .unwrap_or_else(|| "InspiredGitHub".into()),
            dark_theme: raw
                .highlight
                .dark_theme
                .unwrap_or_else(|| "base16-ocean.dark".into()),
            search: raw.search.enable.unwrap_or(true),
            test,
        };
        (config, problems)
    }
}

/// `./content/` and `content` are one folder: the watcher compares paths by their components.
fn normalized(path: PathBuf) -> PathBuf {
    path.components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect()
}

/// `\name` (letters) or `\` and one other character: what KaTeX accepts as a macro to define.
fn is_macro_name(name: &str) -> bool {
    let Some(rest) = name.strip_prefix('\\') else {
        return false;
    };
    let mut chars = rest.chars();
    match (chars.next(), chars.as_str()) {
        (Some(c), "") => !c.is_whitespace(),
        (Some(_), _) => rest.chars().all(|c| c.is_ascii_alphabetic()),
        (None, _) => false,
    }
}

/// The byte offset of the key at `path` (`["math", "macros", "\\R"]`) in the document.
fn key_offset(text: &str, path: &[&str]) -> Option<usize> {
    let table = toml::de::DeTable::parse(text).ok()?;
    let mut current = table.get_ref();
    for (i, name) in path.iter().enumerate() {
        let (key, value) = current.iter().find(|(k, _)| k.get_ref() == name)?;
        if i + 1 == path.len() {
            return Some(key.span().start);
        }
        let toml::de::DeValue::Table(inner) = value.get_ref() else {
            return None;
        };
        current = inner;
    }
    None
}

/// Keys in the document that the configuration does not know, with their byte offsets.
fn unknown_keys(text: &str) -> Vec<(String, usize)> {
    let Ok(table) = toml::de::DeTable::parse(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    walk(table.get_ref(), "", &mut out);
    out
}

fn walk(table: &toml::de::DeTable<'_>, prefix: &str, out: &mut Vec<(String, usize)>) {
    for (key, value) in table {
        let path = if prefix.is_empty() {
            key.get_ref().to_string()
        } else {
            format!("{prefix}.{}", key.get_ref())
        };
        let wildcard = format!("{prefix}.*");
        if KNOWN_KEYS.contains(&wildcard.as_str()) {
            continue;
        }
        if !KNOWN_KEYS.contains(&path.as_str()) {
            out.push((path, key.span().start));
            continue;
        }
        if let toml::de::DeValue::Table(inner) = value.get_ref() {
            walk(inner, &path, out);
        }
    }
}

fn suggest_key(key: &str) -> String {
    let best = KNOWN_KEYS
        .iter()
        .filter(|k| !k.ends_with('*'))
        .map(|k| (strsim::levenshtein(k, key), k))
        .min();
    match best {
        Some((d, k)) if d <= 3 => format!("did you mean `{k}`?"),
        _ => {
            "known sections: [book], [build], [output.html], [math], [highlight], [search], [anki], [test]"
                .into()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_is_the_default() {
        let (c, d) = Config::parse("");
        assert_eq!(c.unwrap(), Config::default());
        assert!(d.is_empty());
    }

    #[test]
    fn unknown_key_warns_with_its_line() {
        let (c, d) = Config::parse(
            "[book]\ntitle = \"T\"\ntitel = \"x\"\n\n[output.html]\nsite-url = \"/notes\"\n",
        );
        let c = c.unwrap();
        assert_eq!(c.title, "T");
        assert_eq!(c.site_url.as_deref(), Some("/notes/"));
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].position.line, 3);
        assert!(d[0].message.contains("book.titel"), "{}", d[0].message);
        assert_eq!(d[0].help.as_deref(), Some("did you mean `book.title`?"));
    }

    #[test]
    fn a_macro_name_must_be_a_tex_command() {
        let text =
            "[math]\nmacros = { \"\\\\R\" = \"\\\\mathbb{R}\", \"\" = \"x\", \"norm\" = \"y\" }\n";
        let (c, d) = Config::parse(text);
        let c = c.unwrap();
        assert_eq!(c.math_macros.keys().collect::<Vec<_>>(), ["\\R"]);
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(
            d.iter().all(|d| d.is_error() && d.position.line == 2),
            "{d:?}"
        );
        assert_eq!(d[0].position.column, 35);
        assert!(d[1].message.contains("`norm` is not a TeX macro name"));
    }

    #[test]
    fn folders_are_normalized_and_build_dir_is_located() {
        let (c, _) =
            Config::parse("[book]\nsrc = \"./content/\"\n[build]\nbuild-dir = \"./out\"\n");
        let c = c.unwrap();
        assert_eq!(c.src, PathBuf::from("content"));
        assert_eq!(c.build_dir, PathBuf::from("out"));
        assert_eq!(c.build_dir_set_at, Some(Position { line: 4, column: 1 }));
    }

    #[test]
    fn macros_accept_any_name() {
        let (c, d) = Config::parse("[math]\nmacros = { \"\\\\R\" = \"\\\\mathbb{R}\" }\n");
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(
            c.unwrap().math_macros.get("\\R").map(String::as_str),
            Some("\\mathbb{R}")
        );
    }

    #[test]
    fn test_section_sets_commands_flags_and_timeout() {
        let (c, d) = Config::parse(
            "[test]\ntimeout = \"30s\"\n[test.cpp]\ncommand = \"clang++\"\nflags = [\"-std=c++20\"]\n[test.pyton]\n",
        );
        let test = c.unwrap().test;
        assert_eq!(test.timeout, Some(std::time::Duration::from_secs(30)));
        assert_eq!(test.tools["cpp"].command.as_deref(), Some("clang++"));
        assert_eq!(
            test.tools["cpp"].flags.as_deref(),
            Some(&["-std=c++20".to_string()][..])
        );
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].help.as_deref(), Some("did you mean `test.python`?"));
        let (_, d) = Config::parse("[test]\ntimeout = \"soon\"\n");
        assert!(d[0].message.contains("not a duration"), "{d:?}");
    }

    #[test]
    fn syntax_error_has_a_position() {
        let (c, d) = Config::parse("[book]\ntitle = \n");
        assert!(c.is_none());
        assert_eq!(d[0].position.line, 2);
    }
}
