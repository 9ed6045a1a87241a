//! `studybook init` and `studybook new`: files a new site or page starts from, and the GitHub
//! Pages workflow. Never overwrites.

use std::path::{Component, Path, PathBuf};

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
    let content = root.join(src);
    let mut path = content.clone();
    if let Some(cat) = category {
        path.push(category_folder(cat)?);
        // A folder on the way may be a symbolic link out of the content folder: ask the disk.
        if !crate::fsutil::absolute(&path).starts_with(crate::fsutil::absolute(&content)) {
            bail!(
                "--category `{}` leads out of the content folder through a symbolic link",
                cat.escape_debug()
            );
        }
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

/// A `--category` is a folder path inside the content folder: `training` or `cv/detection`.
/// Anything that could leave it (`..`, an absolute path, a drive) is refused before a file is
/// written, and so is a hidden folder, whose pages the build would skip.
fn category_folder(category: &str) -> anyhow::Result<&Path> {
    let path = Path::new(category);
    let inside = path.components().all(|c| match c {
        Component::Normal(name) => !name.to_string_lossy().starts_with('.'),
        Component::CurDir => true,
        _ => false,
    });
    if !inside || category.trim().is_empty() {
        bail!(
            "--category `{}` is not a folder inside the content folder; use a name such as `training` or `cv/detection`, without `..`, a leading `/` or a leading `.`",
            category.escape_debug()
        );
    }
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

    #[test]
    fn a_category_never_leaves_the_content_folder() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        let absolute = dir.path().join("abs").display().to_string();
        for bad in ["../../x", "..", "a/../../b", &absolute, ".hidden", "", " "] {
            let err = new_page(&site, "T", Some(bad)).unwrap_err().to_string();
            assert!(
                err.contains("is not a folder inside the content folder"),
                "{bad}: {err}"
            );
        }
        let written: Vec<_> = walkdir::WalkDir::new(dir.path())
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .collect();
        assert!(written.is_empty(), "{written:?}");
        let p = new_page(&site, "T", Some("cv/detection")).unwrap();
        assert!(p.ends_with("content/cv/detection/t.md"));
    }

    #[cfg(unix)]
    #[test]
    fn a_category_through_a_link_out_of_the_content_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        std::fs::create_dir_all(site.join("content")).unwrap();
        std::fs::create_dir_all(dir.path().join("outside")).unwrap();
        std::os::unix::fs::symlink("../../outside", site.join("content/out")).unwrap();
        let err = new_page(&site, "T", Some("out/deeper")).unwrap_err();
        assert!(
            err.to_string()
                .contains("`out/deeper` leads out of the content folder through a symbolic link"),
            "{err}"
        );
        assert_eq!(
            std::fs::read_dir(dir.path().join("outside"))
                .unwrap()
                .count(),
            0
        );
    }
}
