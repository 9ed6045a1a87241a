//! YAML front matter between `---` lines. YAML stays behind this module so the parser can be swapped.

use serde::{Deserialize, Deserializer};

use crate::diagnostics::{Diagnostic, LineIndex, Position};

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct FrontMatter {
    pub title: Option<String>,
    #[serde(deserialize_with = "names")]
    pub aliases: Vec<String>,
    #[serde(deserialize_with = "tag_list")]
    pub tags: Vec<String>,
    #[serde(deserialize_with = "one_or_many")]
    pub prerequisites: Vec<String>,
    pub summary: Option<String>,
    pub weight: Option<i64>,
    pub draft: bool,
    /// Hugo and Zola's summary; used when `summary` is not given.
    pub description: Option<String>,
    /// When the page was written and last changed (Hugo `lastmod`, Zola `updated`), as written.
    #[serde(deserialize_with = "scalar")]
    pub date: Option<String>,
    #[serde(alias = "lastmod", deserialize_with = "scalar")]
    pub updated: Option<String>,
    /// The output file name instead of the source file's (Hugo, Zola).
    pub slug: Option<String>,
    /// Hugo's categories are a taxonomy like tags: they become tags.
    #[serde(deserialize_with = "tag_list")]
    pub categories: Vec<String>,
    #[serde(deserialize_with = "one_or_many")]
    pub keywords: Vec<String>,
    #[serde(alias = "author", deserialize_with = "one_or_many")]
    pub authors: Vec<String>,
    /// Zola's `[taxonomies]`: its `tags` and `categories` become tags.
    pub taxonomies: Taxonomies,
    /// Zola's and Hugo's free-form `[extra]`/`params`: accepted, not used.
    pub extra: Option<serde_json::Value>,
    /// Obsidian Publish's switch: `publish: false` keeps a note private, like `draft: true`.
    pub publish: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Taxonomies {
    #[serde(deserialize_with = "tag_list")]
    pub tags: Vec<String>,
    #[serde(deserialize_with = "tag_list")]
    pub categories: Vec<String>,
}

impl FrontMatter {
    /// Folds the fields other tools spell differently into studybook's own: `description` into
    /// `summary`, categories and taxonomies into `tags`; drops URL aliases (Hugo and Zola redirects,
    /// not names).
    fn normalize(mut self) -> Self {
        if self.summary.is_none() {
            self.summary = self.description.take();
        }
        let extra_tags = std::mem::take(&mut self.categories)
            .into_iter()
            .chain(std::mem::take(&mut self.taxonomies.tags))
            .chain(std::mem::take(&mut self.taxonomies.categories));
        for tag in extra_tags {
            if !self.tags.contains(&tag) {
                self.tags.push(tag);
            }
        }
        self.aliases.retain(|a| !a.starts_with('/'));
        if self.publish == Some(false) {
            self.draft = true;
        }
        self
    }
}

const KNOWN_FIELDS: &[&str] = &[
    "title",
    "aliases",
    "tags",
    "prerequisites",
    "summary",
    "weight",
    "draft",
    "description",
    "date",
    "updated",
    "lastmod",
    "slug",
    "categories",
    "keywords",
    "authors",
    "author",
    "taxonomies",
    "extra",
    "publish",
];

/// Settings other tools read that change what they publish, which studybook does not
/// implement: each is a warning. Any other field is the writer's own (an Obsidian property, a
/// Hugo param) and is kept, unused, without a word, unless it looks like a misspelt known field.
const UNSUPPORTED_FIELDS: &[(&str, &str)] = &[
    ("layout", "Hugo"),
    ("type", "Hugo"),
    ("url", "Hugo"),
    ("outputs", "Hugo"),
    ("cascade", "Hugo"),
    ("headless", "Hugo"),
    ("build", "Hugo"),
    ("publishdate", "Hugo"),
    ("publishDate", "Hugo"),
    ("expirydate", "Hugo"),
    ("expiryDate", "Hugo"),
    ("menu", "Hugo"),
    ("menus", "Hugo"),
    ("resources", "Hugo"),
    ("template", "Zola"),
    ("page_template", "Zola"),
    ("path", "Zola"),
    ("render", "Zola"),
    ("redirect_to", "Zola"),
    ("sort_by", "Zola"),
    ("paginate_by", "Zola"),
    ("in_search_index", "Zola"),
    ("cssclasses", "Obsidian"),
    ("cssclass", "Obsidian"),
    ("permalink", "Obsidian Publish"),
];

/// Any scalar (a TOML date, a YAML number) as its text.
fn scalar<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(one_or_many(d)?.into_iter().next())
}

/// `aliases: A, B` given as one string is split at commas, as Obsidian does.
fn names<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let (items, one) = items(d)?;
    Ok(split_items(items, one, &[',']))
}

/// `tags: a, b` or `tags: a b` given as one string is split as Obsidian does; a leading `#` is dropped.
fn tag_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let (items, one) = items(d)?;
    Ok(split_items(items, one, &[',', ' '])
        .into_iter()
        .map(|t| t.trim_start_matches('#').to_string())
        .filter(|t| !t.is_empty())
        .collect())
}

fn split_items(items: Vec<String>, one: bool, separators: &[char]) -> Vec<String> {
    if !one {
        return items;
    }
    items
        .iter()
        .flat_map(|s| s.split(separators))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// Accepts `tags: gan` as well as `tags: [gan]`; numbers are taken as their text.
fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(items(d)?.0)
}

/// The items of a one-or-many field, and whether it was given as one value.
fn items<'de, D: Deserializer<'de>>(d: D) -> Result<(Vec<String>, bool), D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Item {
        Text(String),
        Int(i64),
        Float(f64),
        Bool(bool),
    }
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(Item),
        Many(Vec<Item>),
        Nothing(()),
    }
    let text = |i: Item| match i {
        Item::Text(s) => s,
        Item::Int(n) => n.to_string(),
        Item::Float(f) => f.to_string(),
        Item::Bool(b) => b.to_string(),
    };
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(i) => (vec![text(i)], true),
        OneOrMany::Many(v) => (v.into_iter().map(text).collect(), false),
        OneOrMany::Nothing(()) => (Vec::new(), false),
    })
}

/// The front matter of one file, and where the Markdown body begins.
#[derive(Debug, Clone, Default)]
pub struct Split<'a> {
    pub yaml: Option<&'a str>,
    /// Byte offset of the front matter text in the file.
    pub yaml_offset: usize,
    /// The front matter is Hugo/Zola TOML between `+++` lines, not YAML.
    pub toml: bool,
    /// The file opens a front matter block that never closes: an error at line 1.
    pub unclosed: bool,
    /// Byte offset of the body in the file.
    pub body_offset: usize,
}

pub fn split(text: &str) -> Split<'_> {
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let rest = &text[bom..];
    let first_line_end = rest.find('\n').map_or(rest.len(), |i| i + 1);
    let fence = rest[..first_line_end].trim_end();
    let no_front_matter = Split {
        body_offset: bom,
        ..Split::default()
    };
    if fence != "---" && fence != "+++" {
        return no_front_matter;
    }
    let toml = fence == "+++";
    let yaml_start = bom + first_line_end;
    let mut pos = yaml_start;
    for line in text[yaml_start..].split_inclusive('\n') {
        let t = line.trim_end();
        if t == fence || (!toml && t == "...") {
            let body_offset = pos + line.len();
            return Split {
                yaml: Some(&text[yaml_start..pos]),
                yaml_offset: yaml_start,
                toml,
                unclosed: false,
                body_offset,
            };
        }
        pos += line.len();
    }
    Split {
        unclosed: true,
        ..no_front_matter
    }
}

/// Parses the front matter of one file. Errors and warnings point at lines of the file, not of the
/// front matter block.
pub fn parse(
    file: &std::path::Path,
    text: &str,
    split: &Split<'_>,
) -> (FrontMatter, Vec<Diagnostic>) {
    if split.unclosed {
        let fence = &text[split.body_offset..].trim_start()[..3];
        let d = Diagnostic::error(
            file,
            Position { line: 1, column: 1 },
            format!("the front matter opened here is never closed by a `{fence}` line"),
        )
        .with_help(format!(
            "end the front matter with a `{fence}` line, or remove this line if it is not front matter"
        ));
        return (FrontMatter::default(), vec![d]);
    }
    let Some(yaml) = split.yaml else {
        return (FrontMatter::default(), Vec::new());
    };
    let lines = LineIndex::new(text);
    let yaml_line = lines.position(text, split.yaml_offset).line;
    if yaml.trim().is_empty() {
        return (FrontMatter::default(), Vec::new());
    }
    if split.toml {
        return parse_toml(file, text, split, yaml);
    }
    match serde_yaml::from_str::<FrontMatter>(yaml) {
        Ok(fm) => {
            let keys = unknown_fields(yaml);
            (fm.normalize(), unknown_warnings(file, yaml_line, keys))
        }
        Err(e) => {
            let pos = e
                .location()
                .map(|l| Position {
                    line: yaml_line + l.line() - 1,
                    column: l.column(),
                })
                .unwrap_or(Position {
                    line: yaml_line,
                    column: 1,
                });
            let msg = e.to_string();
            let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
            let d = Diagnostic::error(file, pos, format!("invalid front matter: {msg}")).with_help(
                "front matter is YAML: `title: Text`, `tags: [a, b]`, `weight: 10`; quote values that contain `: `",
            );
            (FrontMatter::default(), vec![d])
        }
    }
}

/// Hugo/Zola front matter between `+++` lines. Dates become their text.
fn parse_toml(
    file: &std::path::Path,
    text: &str,
    split: &Split<'_>,
    toml_text: &str,
) -> (FrontMatter, Vec<Diagnostic>) {
    let lines = LineIndex::new(text);
    let yaml_line = lines.position(text, split.yaml_offset).line;
    let parsed = toml::from_str::<toml::Table>(toml_text).and_then(|table| {
        let keys: Vec<(String, usize)> = table
            .keys()
            .filter(|k| !KNOWN_FIELDS.contains(&k.as_str()))
            .map(|k| {
                let line = toml_text
                    .lines()
                    .position(|l| l.trim_start().starts_with(k.as_str()));
                (k.clone(), line.unwrap_or(0))
            })
            .collect();
        let value = dates_as_text(toml::Value::Table(table));
        value.try_into::<FrontMatter>().map(|fm| (fm, keys))
    });
    match parsed {
        Ok((fm, keys)) => (fm.normalize(), unknown_warnings(file, yaml_line, keys)),
        Err(e) => {
            let pos = e
                .span()
                .map(|s| lines.position(text, split.yaml_offset + s.start))
                .unwrap_or(Position {
                    line: yaml_line,
                    column: 1,
                });
            let d = Diagnostic::error(
                file,
                pos,
                format!("invalid front matter: {}", e.message().trim()),
            )
            .with_help("`+++` front matter is TOML: `title = \"Text\"`, `tags = [\"a\", \"b\"]`, `draft = true`");
            (FrontMatter::default(), vec![d])
        }
    }
}

/// TOML dates and times, as the text they were written as.
fn dates_as_text(value: toml::Value) -> toml::Value {
    match value {
        toml::Value::Datetime(d) => toml::Value::String(d.to_string()),
        toml::Value::Table(t) => {
            toml::Value::Table(t.into_iter().map(|(k, v)| (k, dates_as_text(v))).collect())
        }
        toml::Value::Array(a) => toml::Value::Array(a.into_iter().map(dates_as_text).collect()),
        other => other,
    }
}

/// Warnings for the unknown fields that matter: another tool's setting studybook does not
/// implement, or a misspelt known field.
fn unknown_warnings(
    file: &std::path::Path,
    first_line: usize,
    keys: Vec<(String, usize)>,
) -> Vec<Diagnostic> {
    keys.into_iter()
        .filter_map(|(key, line)| {
            let pos = Position {
                line: first_line + line,
                column: 1,
            };
            if let Some((_, tool)) = UNSUPPORTED_FIELDS.iter().find(|(k, _)| *k == key) {
                let d = Diagnostic::warning(
                    file,
                    pos,
                    format!(
                        "front matter field `{key}` ({tool}) is not used by studybook: ignored"
                    ),
                )
                .with_help("docs/MIGRATING.md says what studybook does instead");
                return Some(d);
            }
            let close = KNOWN_FIELDS
                .iter()
                .map(|k| (strsim::levenshtein(k, &key), k))
                .min()
                .filter(|(d, _)| *d <= 2 && key.len() >= 3)?;
            Some(
                Diagnostic::warning(file, pos, format!("unknown front matter field `{key}`"))
                    .with_help(format!("did you mean `{}`?", close.1)),
            )
        })
        .collect()
}

/// Unknown top-level keys with their 0-based line inside the YAML.
fn unknown_fields(yaml: &str) -> Vec<(String, usize)> {
    let Ok(serde_yaml::Value::Mapping(map)) = serde_yaml::from_str::<serde_yaml::Value>(yaml)
    else {
        return Vec::new();
    };
    map.keys()
        .filter_map(|k| k.as_str())
        .filter(|k| !KNOWN_FIELDS.contains(k))
        .map(|k| {
            let line = yaml.lines().position(|l| l.starts_with(k)).unwrap_or(0);
            (k.to_string(), line)
        })
        .collect()
}

/// The 1-based line of the first occurrence of `needle` at or after `after_key:` in the YAML block.
pub fn value_position(text: &str, split: &Split<'_>, key: &str, needle: &str) -> Position {
    let Some(yaml) = split.yaml else {
        return Position::default();
    };
    let key_at = yaml.find(&format!("{key}:")).unwrap_or(0);
    let offset = yaml[key_at..].find(needle).map_or(key_at, |i| key_at + i);
    LineIndex::new(text).position(text, split.yaml_offset + offset)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn splits_and_parses() {
        let text = "---\ntitle: WGAN\naliases: [瓦瑟斯坦GAN]\ntags: gan\n---\n# Body\n";
        let s = split(text);
        assert_eq!(&text[s.body_offset..], "# Body\n");
        let (fm, d) = parse(Path::new("a.md"), text, &s);
        assert!(d.is_empty());
        assert_eq!(fm.title.as_deref(), Some("WGAN"));
        assert_eq!(fm.aliases, vec!["瓦瑟斯坦GAN"]);
        assert_eq!(fm.tags, vec!["gan"]);
    }

    #[test]
    fn yaml_error_points_into_the_file() {
        let text = "---\ntitle: ok\ntags: [a, b\nsummary: x\n---\nbody\n";
        let s = split(text);
        let (_, d) = parse(Path::new("a.md"), text, &s);
        assert_eq!(d.len(), 1);
        assert_eq!(
            (d[0].position.line, d[0].position.column),
            (4, 8),
            "{:?}",
            d[0]
        );
        assert!(d[0].is_error());
    }

    #[test]
    fn wrong_type_is_an_error_with_line() {
        let text = "---\ntitle: ok\nweight: heavy\n---\n";
        let (_, d) = parse(Path::new("a.md"), text, &split(text));
        assert_eq!(d[0].position.line, 3);
        assert!(d[0].message.contains("weight"), "{}", d[0].message);
    }

    #[test]
    fn unknown_field_warns() {
        let text = "---\ntitle: ok\ntag: [x]\n---\n";
        let (_, d) = parse(Path::new("a.md"), text, &split(text));
        assert_eq!(d[0].position.line, 3);
        assert_eq!(d[0].help.as_deref(), Some("did you mean `tags`?"));
    }

    #[test]
    fn toml_front_matter_with_dates_taxonomies_and_drafts() {
        let text = "+++\ntitle = \"卷积\"\ndescription = \"d\"\ndate = 2024-03-01\ndraft = true\nslug = \"conv\"\n\n[taxonomies]\ntags = [\"cv\"]\n\n[extra]\ntoc = true\n+++\nBody\n";
        let s = split(text);
        assert!(s.toml);
        assert_eq!(&text[s.body_offset..], "Body\n");
        let (fm, d) = parse(Path::new("a.md"), text, &s);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(fm.title.as_deref(), Some("卷积"));
        assert_eq!(fm.summary.as_deref(), Some("d"));
        assert_eq!(fm.date.as_deref(), Some("2024-03-01"));
        assert!(fm.draft);
        assert_eq!(fm.slug.as_deref(), Some("conv"));
        assert_eq!(fm.tags, vec!["cv"]);
    }

    #[test]
    fn toml_error_and_unclosed_front_matter_point_at_lines() {
        let text = "+++\ntitle = \"x\"\nweight = \n+++\n";
        let (_, d) = parse(Path::new("a.md"), text, &split(text));
        assert_eq!(d[0].position.line, 3, "{d:?}");
        let text = "---\ntitle: x\n\nNo closing line.\n";
        let (_, d) = parse(Path::new("a.md"), text, &split(text));
        assert_eq!(d.len(), 1);
        assert!(d[0].is_error());
        assert_eq!(d[0].position, Position { line: 1, column: 1 });
        assert!(d[0].message.contains("never closed"), "{}", d[0].message);
    }

    #[test]
    fn string_tags_and_aliases_are_split_like_obsidian() {
        let text = "---\ntags: ml, cv nlp\naliases: 卷积, Conv\ncategories: [Deep Learning]\nlastmod: 2024-01-02\n---\n";
        let (fm, d) = parse(Path::new("a.md"), text, &split(text));
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(fm.tags, vec!["ml", "cv", "nlp", "Deep Learning"]);
        assert_eq!(fm.aliases, vec!["卷积", "Conv"]);
        assert_eq!(fm.updated.as_deref(), Some("2024-01-02"));
    }

    #[test]
    fn own_properties_pass_other_tools_settings_warn_and_publish_false_is_a_draft() {
        let text = "---\nstatus: reading\ncreated: 2024-01-01\ntypora-root-url: ../\nlayout: wide\npublish: false\n---\n";
        let (fm, d) = parse(Path::new("a.md"), text, &split(text));
        assert!(fm.draft);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].position.line, 5);
        assert!(d[0].message.contains("`layout` (Hugo)"), "{}", d[0].message);
    }

    #[test]
    fn no_front_matter() {
        let s = split("# Title\n");
        assert!(s.yaml.is_none());
        assert_eq!(s.body_offset, 0);
    }
}
