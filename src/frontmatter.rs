//! YAML front matter between `---` lines. YAML stays behind this module so the parser can be swapped.

use serde::{Deserialize, Deserializer};

use crate::diagnostics::{Diagnostic, LineIndex, Position};

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct FrontMatter {
    pub title: Option<String>,
    #[serde(deserialize_with = "one_or_many")]
    pub aliases: Vec<String>,
    #[serde(deserialize_with = "one_or_many")]
    pub tags: Vec<String>,
    #[serde(deserialize_with = "one_or_many")]
    pub prerequisites: Vec<String>,
    pub summary: Option<String>,
    pub weight: Option<i64>,
    pub draft: bool,
}

const KNOWN_FIELDS: &[&str] = &[
    "title",
    "aliases",
    "tags",
    "prerequisites",
    "summary",
    "weight",
    "draft",
];

/// Accepts `tags: gan` as well as `tags: [gan]`; numbers are taken as their text.
fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Item {
        Text(String),
        Int(i64),
        Float(f64),
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
    };
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(i) => vec![text(i)],
        OneOrMany::Many(v) => v.into_iter().map(text).collect(),
        OneOrMany::Nothing(()) => Vec::new(),
    })
}

/// The front matter of one file, and where the Markdown body begins.
#[derive(Debug, Clone, Default)]
pub struct Split<'a> {
    pub yaml: Option<&'a str>,
    /// Byte offset of the YAML text in the file.
    pub yaml_offset: usize,
    pub body: &'a str,
    /// Byte offset of the body in the file.
    pub body_offset: usize,
}

pub fn split(text: &str) -> Split<'_> {
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let rest = &text[bom..];
    let first_line_end = rest.find('\n').map_or(rest.len(), |i| i + 1);
    if rest[..first_line_end].trim_end() != "---" {
        return Split {
            yaml: None,
            yaml_offset: 0,
            body: rest,
            body_offset: bom,
        };
    }
    let yaml_start = bom + first_line_end;
    let mut pos = yaml_start;
    for line in text[yaml_start..].split_inclusive('\n') {
        let t = line.trim_end();
        if t == "---" || t == "..." {
            let body_offset = pos + line.len();
            return Split {
                yaml: Some(&text[yaml_start..pos]),
                yaml_offset: yaml_start,
                body: &text[body_offset..],
                body_offset,
            };
        }
        pos += line.len();
    }
    // No closing line: treat the whole file as Markdown; the parser reports it.
    Split {
        yaml: None,
        yaml_offset: 0,
        body: rest,
        body_offset: bom,
    }
}

/// Parses the YAML of one file. Errors and warnings point at lines of the file, not of the YAML block.
pub fn parse(
    file: &std::path::Path,
    text: &str,
    split: &Split<'_>,
) -> (FrontMatter, Vec<Diagnostic>) {
    let Some(yaml) = split.yaml else {
        return (FrontMatter::default(), Vec::new());
    };
    let lines = LineIndex::new(text);
    let yaml_line = lines.position(text, split.yaml_offset).line;
    if yaml.trim().is_empty() {
        return (FrontMatter::default(), Vec::new());
    }
    match serde_yaml::from_str::<FrontMatter>(yaml) {
        Ok(fm) => {
            let warnings = unknown_fields(yaml)
                .into_iter()
                .map(|(key, line)| {
                    let pos = Position {
                        line: yaml_line + line,
                        column: 1,
                    };
                    let help = KNOWN_FIELDS
                        .iter()
                        .map(|k| (strsim::levenshtein(k, &key), k))
                        .min()
                        .filter(|(d, _)| *d <= 2)
                        .map(|(_, k)| format!("did you mean `{k}`?"))
                        .unwrap_or_else(|| format!("known fields: {}", KNOWN_FIELDS.join(", ")));
                    Diagnostic::warning(file, pos, format!("unknown front matter field `{key}`"))
                        .with_help(help)
                })
                .collect();
            (fm, warnings)
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
        assert_eq!(s.body, "# Body\n");
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
    fn no_front_matter() {
        let s = split("# Title\n");
        assert!(s.yaml.is_none());
        assert_eq!(s.body_offset, 0);
    }
}
