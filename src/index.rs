//! The site index: name lookup (titles, aliases, slugs, stems), categories, tags and reading order.
//! Built from all parsed pages before any page is rendered, so rendering is a pure function.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::parse::{CategoryMeta, Heading, Page};
use crate::slug::{heading_id, slugify};
use crate::summary::{Summary, SummaryItem};

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
    /// The category's entries in the navigation: its pages, nested and with drafts when a
    /// SUMMARY.md gives them.
    pub nav: Vec<NavItem>,
}

/// One entry of the navigation tree.
#[derive(Debug, Clone, PartialEq)]
pub struct NavItem {
    pub title: String,
    /// Relative to the site root; None for a draft chapter (listed, not linked).
    pub url: Option<String>,
    pub page: Option<PageId>,
    /// Nesting depth, 0 at the top.
    pub level: u8,
}

impl NavItem {
    fn page(pages: &[Page], id: PageId, level: u8) -> NavItem {
        NavItem {
            title: pages[id].title.clone(),
            url: Some(pages[id].url.clone()),
            page: Some(id),
            level,
        }
    }
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

/// The index page's anchor for a category (`cat-training`; `topics` for the top level).
pub fn category_anchor(key: &str) -> String {
    if key.is_empty() {
        "topics".into()
    } else {
        format!("cat-{}", key.replace('/', "-"))
    }
}

impl SiteIndex {
    pub fn build(pages: &[Page], metas: &[CategoryMeta]) -> SiteIndex {
        Self::build_book(pages, metas, None)
    }

    /// The index, ordered by an mdBook SUMMARY.md when there is one.
    pub fn build_book(
        pages: &[Page],
        metas: &[CategoryMeta],
        summary: Option<&Summary>,
    ) -> SiteIndex {
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
            // Obsidian links by the shortest path that is unique: every trailing part names the page.
            for (i, _) in path.match_indices('/') {
                index.add(&path[i + 1..], Rank::PathOrStem, id);
            }
            index.by_source.insert(page.source.rel_path.clone(), id);
        }
        index.display_names.sort();
        index.display_names.dedup();
        index.categories = match summary {
            Some(summary) => book_categories(pages, metas, summary),
            None => categories(pages, metas, &|_| true),
        };
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

    /// The anchor on `page` that a link fragment names: a heading's id or text, the title's id,
    /// or an Obsidian block id (`^id`).
    pub fn heading_id(page: &Page, fragment: &str) -> Option<String> {
        find_anchor(
            &page.headings,
            page.title_id.as_deref(),
            &page.block_ids,
            fragment,
        )
    }

    pub fn category(&self, key: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.key == key)
    }

    pub fn tag_slug(name: &str) -> String {
        slugify(name, "tag")
    }
}

/// Categories in SUMMARY.md order: the chapters before the first part title, then one category
/// per part. Pages the summary does not list follow, by folder.
/// The anchor a link fragment names among a document's headings, title id and block ids.
/// Accepts the id (percent-encoded or not), the heading text, GitHub's id of a heading with
/// math (made from its TeX), and the id older studybook versions gave.
pub fn find_anchor(
    headings: &[Heading],
    title_id: Option<&str>,
    block_ids: &[String],
    fragment: &str,
) -> Option<String> {
    let decoded = percent_encoding::percent_decode_str(fragment).decode_utf8_lossy();
    let f = decoded.trim();
    if let Some(block) = f.strip_prefix('^') {
        return block_ids.iter().any(|b| b == block).then(|| f.to_string());
    }
    let as_id = heading_id(f, "");
    if title_id.is_some_and(|t| t == f || t == as_id) {
        return title_id.map(str::to_string);
    }
    let wanted = normalize(f);
    let legacy = slugify(f, "");
    headings
        .iter()
        .find(|h| h.id == f)
        .or_else(|| headings.iter().find(|h| normalize(&h.text) == wanted))
        .or_else(|| headings.iter().find(|h| !as_id.is_empty() && h.id == as_id))
        .or_else(|| headings.iter().find(|h| heading_id(&h.text, "") == f))
        .or_else(|| {
            headings
                .iter()
                .find(|h| !legacy.is_empty() && slugify(&h.text, "") == legacy)
        })
        .map(|h| h.id.clone())
}

fn book_categories(pages: &[Page], metas: &[CategoryMeta], summary: &Summary) -> Vec<Category> {
    let by_path: HashMap<&std::path::Path, PageId> = pages
        .iter()
        .enumerate()
        .map(|(id, p)| (p.source.rel_path.as_path(), id))
        .collect();
    let intro = metas
        .iter()
        .find(|m| m.key.is_empty())
        .map(|m| &m.source.rel_path);
    let new_category = |key: String, title: String| Category {
        key,
        title,
        weight: 0,
        pages: Vec::new(),
        nav: Vec::new(),
    };
    let mut cats = vec![new_category(String::new(), String::new())];
    let mut placed = std::collections::HashSet::new();
    for item in &summary.items {
        match item {
            SummaryItem::Part(title) => {
                let key = format!("part-{}", cats.len());
                cats.push(new_category(key, title.clone()));
            }
            SummaryItem::Chapter { title, path, level } => {
                let cat = cats.last_mut().expect("there is always a category");
                let id = path.as_deref().and_then(|p| by_path.get(p).copied());
                match (id, path) {
                    (Some(id), _) if placed.insert(id) => {
                        cat.pages.push(id);
                        cat.nav.push(NavItem::page(pages, id, *level));
                    }
                    (Some(_), _) => {}
                    (None, Some(p)) if Some(p) == intro => cat.nav.push(NavItem {
                        title: title.clone(),
                        url: Some("index.html".into()),
                        page: None,
                        level: *level,
                    }),
                    (None, _) => cat.nav.push(NavItem {
                        title: title.clone(),
                        url: None,
                        page: None,
                        level: *level,
                    }),
                }
            }
        }
    }
    cats.retain(|c| !c.nav.is_empty());
    cats.extend(categories(pages, metas, &|id| !placed.contains(&id)));
    cats
}

/// Categories by folder, ordered by weight and title, over the pages `include` accepts.
fn categories(
    pages: &[Page],
    metas: &[CategoryMeta],
    include: &dyn Fn(PageId) -> bool,
) -> Vec<Category> {
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
                nav: Vec::new(),
            },
        );
    }
    for (id, page) in pages.iter().enumerate().filter(|(id, _)| include(*id)) {
        let cat = by_key.entry(page.category.clone()).or_insert_with(|| {
            let folder = page.source.rel_path.parent().and_then(|p| p.file_name());
            Category {
                key: page.category.clone(),
                title: folder
                    .map(|f| f.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                weight: 0,
                pages: Vec::new(),
                nav: Vec::new(),
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
        cat.nav = cat
            .pages
            .iter()
            .map(|&id| NavItem::page(pages, id, 0))
            .collect();
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
    fn github_anchors_title_ids_and_block_ids_resolve() {
        let (pages, _) = site(&[(
            "x.md",
            "# 第一章 张量\n\n## 1.1 标量、向量、张量之间的联系\n\n## The $\\alpha$ term\n\nA claim. ^claim-1\n",
        )]);
        let p = &pages[0];
        assert_eq!(p.title_id.as_deref(), Some("第一章-张量"));
        let ids: Vec<&str> = p.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["11-标量向量张量之间的联系", "the--term"]);
        let find = |f: &str| SiteIndex::heading_id(p, f);
        assert_eq!(find("11-标量向量张量之间的联系").as_deref(), Some(ids[0]));
        assert_eq!(
            find("11-%E6%A0%87%E9%87%8F%E5%90%91%E9%87%8F%E5%BC%A0%E9%87%8F%E4%B9%8B%E9%97%B4%E7%9A%84%E8%81%94%E7%B3%BB").as_deref(),
            Some(ids[0])
        );
        assert_eq!(find("the-alpha-term").as_deref(), Some("the--term"));
        assert_eq!(find("第一章-张量").as_deref(), Some("第一章-张量"));
        assert_eq!(find("^claim-1").as_deref(), Some("^claim-1"));
        assert_eq!(find("^nope"), None);
    }

    #[test]
    fn heading_by_text_or_id() {
        let (pages, _) = site(&[("x.md", "## GIoU and DIoU\n## Custom {#c}\n")]);
        assert_eq!(
            SiteIndex::heading_id(&pages[0], "GIoU and DIoU").as_deref(),
            Some("giou-and-diou")
        );
        assert_eq!(
            SiteIndex::heading_id(&pages[0], "giou-and-diou").as_deref(),
            Some("giou-and-diou")
        );
        assert_eq!(
            SiteIndex::heading_id(&pages[0], "Custom").as_deref(),
            Some("c")
        );
        assert_eq!(SiteIndex::heading_id(&pages[0], "nope"), None);
    }
}
