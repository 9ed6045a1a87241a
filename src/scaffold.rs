//! `studybook init` and `studybook new`: files a new site or page starts from, and the GitHub
//! Pages workflow. Never overwrites.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

use crate::github_pages;
use crate::slug::slugify;

const BOOK_TOML: &str = r#"[book]
title = "My Study Notes"
description = "Notes for interviews and exams."
language = "en"          # "en" or "zh-CN" for the theme's labels

[output.html]
# On GitHub Pages: site-url = "https://<user>.github.io/<repository>/"
# (the workflow `studybook init --github-pages` writes passes it for you)

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

/// Files that show a folder already holds notes (studybook's, an mdBook, a Hugo site or an
/// Obsidian vault): `init --github-pages` then adds the workflow alone.
const SITE_MARKERS: [&str; 4] = ["book.toml", "content", "src/SUMMARY.md", ".obsidian"];

/// `studybook init --github-pages`: the Pages workflow, plus the starter site when `dir` holds
/// no notes yet. An existing workflow is an error rather than silently kept, since the new one
/// would pin another version.
pub fn init_github_pages(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    crate::fsutil::create_dir_all(dir)?;
    let placement = github_pages::Placement::of(dir)?;
    let workflow = &placement.workflow;
    if workflow.exists() {
        bail!(
            "{} already exists; delete it to write the workflow for studybook {}",
            workflow.display(),
            env!("CARGO_PKG_VERSION")
        );
    }
    let mut created = if SITE_MARKERS.iter().any(|m| dir.join(m).exists()) {
        Vec::new()
    } else {
        init(dir)?
    };
    crate::fsutil::write(workflow, placement.workflow_text().as_bytes())?;
    created.push(placement.workflow);
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
    let text = format!(
        "---\ntitle: {yaml_title}\naliases: []\ntags: []\nprerequisites: []\nsummary: \"\"\n---\n\n## Idea\n\n## Interview questions\n\n> [!QUESTION] …\n> …\n"
    );
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
    fn github_pages_in_an_empty_folder_writes_the_site_and_the_workflow() {
        let dir = tempfile::tempdir().unwrap();
        let created = init_github_pages(dir.path()).unwrap();
        assert_eq!(created.len(), 6, "{created:?}");
        assert!(dir.path().join("content/basics/softmax.md").exists());
        assert!(
            std::fs::read_to_string(dir.path().join(github_pages::WORKFLOW_PATH))
                .unwrap()
                .contains("studybook build")
        );
    }

    #[test]
    fn github_pages_in_existing_notes_writes_the_workflow_alone() {
        for marker in ["src/SUMMARY.md", "book.toml", ".obsidian/app.json"] {
            let dir = tempfile::tempdir().unwrap();
            crate::fsutil::write(&dir.path().join(marker), b"").unwrap();
            let created = init_github_pages(dir.path()).unwrap();
            assert_eq!(
                created,
                vec![dir.path().join(github_pages::WORKFLOW_PATH)],
                "{marker}"
            );
            let again = init_github_pages(dir.path()).unwrap_err().to_string();
            assert!(again.contains("already exists"), "{again}");
        }
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
