//! The site index: name lookup (titles, aliases, slugs, stems), categories, tags and reading order.
//! Built from all parsed pages before any page is rendered, so rendering is a pure function.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::parse::{CategoryMeta, Page};
use crate::slug::slugify;

pub type PageId = usize;

/// How a name matched: titles and aliases win over slugs and file stems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    TitleOrAlias,
    PathOrStem,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Found(PageId),
    Ambiguous(Vec<PageId>),
    Missing { suggestions: Vec<String> },
}

#[derive(Debug, Clone)]
pub struct Category {
    pub key: String,
    pub title: String,
    pub weight: i64,
    /// Pages in reading order.
    pub pages: Vec<PageId>,
}

#[derive(Debug, Clone)]
pub struct Tag {
    pub name: String,
    pub slug: String,
    pub pages: Vec<PageId>,
}

#[derive(Debug, Default)]
pub struct SiteIndex {
    names: HashMap<String, Vec<(Rank, PageId)>>,
    /// Every title and alias, for "did you mean" suggestions.
    display_names: Vec<String>,
    /// Categories in reading order; the top-level pages form the category with key "".
    pub categories: Vec<Category>,
    /// Pages in reading order: category by category.
    pub order: Vec<PageId>,
    /// Each page's place in `order` (None for none), so that a page finds its neighbours without
    /// a scan of the whole order.
    place: Vec<Option<usize>>,
    /// Pages by source path relative to the content folder, for `.md` links.
    by_source: HashMap<PathBuf, PageId>,
    /// Tags sorted by slug.
    pub tags: Vec<Tag>,
}

/// Case- and space-insensitive form of a name.
pub fn normalize(name: &str) -> String {
    crate::text::squash_whitespace(name, " ").to_lowercase()
}

impl SiteIndex {
    pub fn build(pages: &[Page], metas: &[CategoryMeta]) -> SiteIndex {
        let mut index = SiteIndex::default();
        for (id, page) in pages.iter().enumerate() {
            let stem = page
                .source
                .rel_path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let path = page
                .source
                .rel_path
                .with_extension("")
                .to_string_lossy()
                .replace('\\', "/");
            let url_path = page.url.trim_end_matches(".html").to_string();
            for name in std::iter::once(&page.title).chain(&page.meta.aliases) {
                index.add(name, Rank::TitleOrAlias, id);
                index.display_names.push(name.clone());
            }
            for name in [&stem, &page.slug, &path, &url_path] {
                index.add(name, Rank::PathOrStem, id);
            }
            index.by_source.insert(page.source.rel_path.clone(), id);
        }
        index.display_names.sort();
        index.display_names.dedup();
        index.categories = categories(pages, metas);
        index.order = index
            .categories
            .iter()
            .flat_map(|c| c.pages.iter().copied())
            .collect();
        index.place = vec![None; pages.len()];
        for (i, &id) in index.order.iter().enumerate() {
            index.place[id] = Some(i);
        }
        index.tags = tags(pages);
        index
    }

    /// The page read from `rel_path` (relative to the content folder).
    pub fn page_at(&self, rel_path: &Path) -> Option<PageId> {
        self.by_source.get(rel_path).copied()
    }

    /// Where the page comes in reading order.
    pub fn place(&self, id: PageId) -> Option<usize> {
        self.place.get(id).copied().flatten()
    }

    fn add(&mut self, name: &str, rank: Rank, id: PageId) {
        let entry = self.names.entry(normalize(name)).or_default();
        if !entry.iter().any(|&(r, p)| p == id && r <= rank) {
            entry.retain(|&(_, p)| p != id);
            entry.push((rank, id));
        }
    }

    /// Finds the page a link names. `name` may be a title, alias, slug, file stem or path.
    pub fn lookup(&self, name: &str) -> Lookup {
        let key = normalize(name.trim_end_matches(".md"));
        if let Some(candidates) = self.names.get(&key) {
            let best = candidates.iter().map(|c| c.0).min();
            let mut ids: Vec<PageId> = candidates
                .iter()
                .filter(|c| Some(c.0) == best)
                .map(|c| c.1)
                .collect();
            ids.sort_unstable();
            ids.dedup();
            return if ids.len() == 1 {
                Lookup::Found(ids[0])
            } else {
                Lookup::Ambiguous(ids)
            };
        }
        Lookup::Missing {
            suggestions: self.suggest(name),
        }
    }

    /// The closest titles and aliases to a name that matched nothing, best first.
    pub fn suggest(&self, name: &str) -> Vec<String> {
        let wanted = normalize(name);
        let mut scored: Vec<(f64, &String)> = self
            .display_names
            .iter()
            .map(|n| {
                let n_norm = normalize(n);
                let long_enough = n_norm.chars().count() >= 3 && wanted.chars().count() >= 3;
                let score = if long_enough && (n_norm.contains(&wanted) || wanted.contains(&n_norm))
                {
                    0.9
                } else {
                    strsim::normalized_levenshtein(&wanted, &n_norm)
                };
                (score, n)
            })
            .filter(|(s, _)| *s >= 0.5)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        scored.into_iter().take(3).map(|(_, n)| n.clone()).collect()
    }

    /// The heading id on `page` that a link fragment names: an id, or a heading's text.
    pub fn heading_id<'a>(page: &'a Page, fragment: &str) -> Option<&'a str> {
        let by_id = page.headings.iter().find(|h| h.id == fragment);
        let slug = slugify(fragment, "");
        let wanted = normalize(fragment);
        by_id
            .or_else(|| page.headings.iter().find(|h| normalize(&h.text) == wanted))
            .or_else(|| page.headings.iter().find(|h| h.id == slug))
            .map(|h| h.id.as_str())
    }

    pub fn category(&self, key: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.key == key)
    }

    pub fn tag_slug(name: &str) -> String {
        slugify(name, "tag")
    }
}

fn categories(pages: &[Page], metas: &[CategoryMeta]) -> Vec<Category> {
    let mut by_key: BTreeMap<String, Category> = BTreeMap::new();
    for meta in metas {
        let folder = meta.source.rel_path.parent().and_then(|p| p.file_name());
        let title = meta
            .meta
            .title
            .clone()
            .or_else(|| folder.map(|f| f.to_string_lossy().into_owned()))
            .unwrap_or_default();
        by_key.insert(
            meta.key.clone(),
            Category {
                key: meta.key.clone(),
                title,
                weight: meta.meta.weight.unwrap_or(0),
                pages: Vec::new(),
            },
        );
    }
    for (id, page) in pages.iter().enumerate() {
        let cat = by_key.entry(page.category.clone()).or_insert_with(|| {
            let folder = page.source.rel_path.parent().and_then(|p| p.file_name());
            Category {
                key: page.category.clone(),
                title: folder
                    .map(|f| f.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                weight: 0,
                pages: Vec::new(),
            }
        });
        cat.pages.push(id);
    }
    let mut cats: Vec<Category> = by_key
        .into_values()
        .filter(|c| !c.pages.is_empty() || c.key.is_empty())
        .collect();
    for cat in &mut cats {
        cat.pages
            .sort_by(|&a, &b| page_order(&pages[a]).cmp(&page_order(&pages[b])));
    }
    // Order by the chain of (weight, title) from the top folder down, so subfolders follow their parent.
    let sort_key = |cat: &Category, all: &[Category]| -> Vec<(i64, String)> {
        let parts: Vec<&str> = if cat.key.is_empty() {
            Vec::new()
        } else {
            cat.key.split('/').collect()
        };
        (1..=parts.len())
            .map(|n| {
                let prefix = parts[..n].join("/");
                all.iter()
                    .find(|c| c.key == prefix)
                    .map(|c| (c.weight, c.title.to_lowercase()))
                    .unwrap_or((0, prefix))
            })
            .collect()
    };
    let keys: Vec<Vec<(i64, String)>> = cats.iter().map(|c| sort_key(c, &cats)).collect();
    let mut order: Vec<usize> = (0..cats.len()).collect();
    order.sort_by(|&a, &b| keys[a].cmp(&keys[b]));
    let mut sorted: Vec<Option<Category>> = cats.into_iter().map(Some).collect();
    order
        .into_iter()
        .filter_map(|i| sorted[i].take())
        .filter(|c| !c.pages.is_empty())
        .collect()
}

fn page_order(page: &Page) -> (i64, String, String) {
    (
        page.meta.weight.unwrap_or(0),
        page.title.to_lowercase(),
        page.url.clone(),
    )
}

fn tags(pages: &[Page]) -> Vec<Tag> {
    let mut by_slug: BTreeMap<String, Tag> = BTreeMap::new();
    for (id, page) in pages.iter().enumerate() {
        for name in &page.meta.tags {
            let slug = SiteIndex::tag_slug(name);
            let tag = by_slug.entry(slug.clone()).or_insert_with(|| Tag {
                name: name.clone(),
                slug,
                pages: Vec::new(),
            });
            // Pages come in id order, so a page naming a tag twice is the last one pushed.
            if tag.pages.last() != Some(&id) {
                tag.pages.push(id);
            }
        }
    }
    let mut tags: Vec<Tag> = by_slug.into_values().collect();
    for tag in &mut tags {
        tag.pages.sort_by(|&a, &b| {
            pages[a]
                .title
                .to_lowercase()
                .cmp(&pages[b].title.to_lowercase())
        });
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(files: &[(&str, &str)]) -> (Vec<Page>, SiteIndex) {
        let parsed = crate::parse::tests::parse_files(files);
        let index = SiteIndex::build(&parsed.pages, &parsed.categories);
        (parsed.pages, index)
    }

    #[test]
    fn lookup_by_title_alias_slug_and_stem() {
        let (_, idx) = site(&[
            (
                "training/batchnorm.md",
                "---\ntitle: Batch Normalization\naliases: [BN, 批归一化]\n---\n",
            ),
            (
                "gan/wgan.md",
                "---\ntitle: Wasserstein GAN\naliases: [WGAN]\n---\n",
            ),
        ]);
        assert_eq!(idx.lookup("batch  normalization"), Lookup::Found(0));
        assert_eq!(idx.lookup("批归一化"), Lookup::Found(0));
        assert_eq!(idx.lookup("batchnorm"), Lookup::Found(0));
        assert_eq!(idx.lookup("training/batchnorm"), Lookup::Found(0));
        assert_eq!(idx.lookup("wgan"), Lookup::Found(1));
        match idx.lookup("WGNA") {
            Lookup::Missing { suggestions } => assert_eq!(suggestions[0], "WGAN"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn ambiguous_names_list_candidates() {
        let (_, idx) = site(&[("a/intro.md", "x"), ("b/intro.md", "y")]);
        assert_eq!(idx.lookup("intro"), Lookup::Ambiguous(vec![0, 1]));
        assert_eq!(idx.lookup("a/intro"), Lookup::Found(0));
    }

    #[test]
    fn title_beats_stem() {
        let (_, idx) = site(&[
            (
                "a/gan.md",
                "---\ntitle: Generative Adversarial Network\n---\n",
            ),
            ("b/x.md", "---\ntitle: GAN\n---\n"),
        ]);
        assert_eq!(idx.lookup("gan"), Lookup::Found(1));
    }

    #[test]
    fn categories_and_order_follow_weights() {
        let (pages, idx) = site(&[
            ("z/_index.md", "---\ntitle: First\nweight: 1\n---\n"),
            ("a/_index.md", "---\ntitle: Second\nweight: 2\n---\n"),
            ("a/p.md", "---\ntitle: P\n---\n"),
            ("z/q.md", "---\ntitle: Q\nweight: 2\ntags: [gan]\n---\n"),
            (
                "z/r.md",
                "---\ntitle: R\nweight: 1\ntags: [gan, GAN]\n---\n",
            ),
        ]);
        let titles: Vec<_> = idx.order.iter().map(|&i| pages[i].title.as_str()).collect();
        assert_eq!(titles, ["R", "Q", "P"]);
        assert_eq!(idx.categories[0].title, "First");
        assert_eq!(idx.tags.len(), 1);
        assert_eq!(idx.tags[0].pages.len(), 2);
    }

    #[test]
    fn heading_by_text_or_id() {
        let (pages, _) = site(&[("x.md", "## GIoU and DIoU\n## Custom {#c}\n")]);
        assert_eq!(
            SiteIndex::heading_id(&pages[0], "GIoU and DIoU"),
            Some("giou-and-diou")
        );
        assert_eq!(
            SiteIndex::heading_id(&pages[0], "giou-and-diou"),
            Some("giou-and-diou")
        );
        assert_eq!(SiteIndex::heading_id(&pages[0], "Custom"), Some("c"));
        assert_eq!(SiteIndex::heading_id(&pages[0], "nope"), None);
    }
}
