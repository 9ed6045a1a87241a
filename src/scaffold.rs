//! `studybook init` and `studybook new`: files a new site or page starts from. Never overwrites.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

use crate::slug::slugify;

const BOOK_TOML: &str = r#"[book]
title = "My Study Notes"
description = "Notes for interviews and exams."
language = "en"          # "en" or "zh-CN" for the theme's labels

[output.html]
# For GitHub Pages project sites: site-url = "/<repository>/"

[math]
macros = { "\\R" = "\\mathbb{R}" }
"#;

const GITIGNORE: &str = "book/\n.studybook/\n";

const SITE_INTRO: &str = "---\ntitle: My Study Notes\n---\nStart with [[Softmax]].\n";

const CATEGORY: &str = "---\ntitle: Basics\nweight: 10\n---\nThe first topics.\n";

const FIRST_PAGE: &str = r#"---
title: Softmax
aliases: [softmax function, 归一化指数函数]
tags: [basics]
summary: Turns a vector of scores into probabilities.
---
Softmax maps scores $z \in \R^K$ to probabilities:

$$
\operatorname{softmax}(z)_i = \frac{e^{z_i}}{\sum_{j=1}^{K} e^{z_j}}
$$

## Stable implementation

```python
import numpy as np

def softmax(z):
    z = z - z.max()          # same result, no overflow
    e = np.exp(z)
    return e / e.sum()
```

> [!QUESTION] Why subtract the maximum before exponentiating?
> Softmax is invariant to adding a constant to every score, and $e^{z}$ overflows for large $z$.
"#;

/// The rest of a page `studybook new` writes. The question is an example inside a comment: a
/// placeholder callout would become a real "…" card in practice and count as a question.
const NEW_PAGE_BODY: &str = r#"aliases: []
tags: []
prerequisites: []
summary: ""
---

## Idea

## Interview questions

<!-- Each question is a callout: its first line the question, the lines after it the answer.
> [!QUESTION] Why does this work?
> Because …
-->
"#;

/// Creates a new site in `dir`. Existing files are kept as they are.
pub fn init(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let files: [(&str, &str); 5] = [
        ("book.toml", BOOK_TOML),
        (".gitignore", GITIGNORE),
        ("content/_index.md", SITE_INTRO),
        ("content/basics/_index.md", CATEGORY),
        ("content/basics/softmax.md", FIRST_PAGE),
    ];
    let mut created = Vec::new();
    for (rel, text) in files {
        let path = dir.join(rel);
        if path.exists() {
            continue;
        }
        crate::fsutil::write(&path, text.as_bytes())?;
        created.push(path);
    }
    Ok(created)
}

/// Adds `content/[category/]<slug>.md` for a title. Refuses to replace an existing file.
pub fn new_page(root: &Path, title: &str, category: Option<&str>) -> anyhow::Result<PathBuf> {
    let title = title.trim();
    if title.is_empty() {
        bail!("the title is empty");
    }
    let (config, _) = crate::config::Config::load(root);
    let src = config
        .map(|c| c.src)
        .unwrap_or_else(|| PathBuf::from("content"));
    let mut path = root.join(src);
    if let Some(cat) = category {
        path.push(cat);
    }
    path.push(format!("{}.md", slugify(title, "page")));
    if path.exists() {
        bail!("{} already exists", path.display());
    }
    let yaml_title = serde_json::to_string(title).context("title")?;
    let text = format!("---\ntitle: {yaml_title}\n{NEW_PAGE_BODY}");
    crate::fsutil::write(&path, text.as_bytes())?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("book.toml"), "[book]\ntitle = \"Mine\"\n").unwrap();
        let created = init(dir.path()).unwrap();
        assert_eq!(created.len(), 4);
        assert!(std::fs::read_to_string(dir.path().join("book.toml"))
            .unwrap()
            .contains("Mine"));
    }

    #[test]
    fn new_page_uses_a_slug_and_refuses_to_replace() {
        let dir = tempfile::tempdir().unwrap();
        let p = new_page(dir.path(), "批归一化 BatchNorm", Some("training")).unwrap();
        assert!(p.ends_with("content/training/批归一化-batchnorm.md"));
        assert!(std::fs::read_to_string(&p)
            .unwrap()
            .contains("title: \"批归一化 BatchNorm\""));
        assert!(new_page(dir.path(), "批归一化 BatchNorm", Some("training")).is_err());
    }
}
