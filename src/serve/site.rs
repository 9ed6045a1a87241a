//! The site `serve` keeps in memory, updated edit by edit through the same pipeline stages as
//! `build`. One owned value: the watcher thread holds it and publishes snapshots.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use crate::build::{self, Analyzed, BuildOptions, Silent};
use crate::cache::RenderCache;
use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::index::{PageId, SiteIndex};
use crate::layout;
use crate::load::Source;
use crate::math::MathRenderer;
use crate::parse::{self, Page};
use crate::render::{self, Doc, RenderEnv};

use super::change::{page_change, Change, PageChange};

/// Output path to bytes; `Bytes` so a snapshot for the server is a cheap copy.
pub type Files = BTreeMap<String, axum::body::Bytes>;

pub struct LiveSite {
    root: PathBuf,
    config: Option<Config>,
    cache: RenderCache,
    analyzed: Option<Analyzed>,
    pub files: Files,
    pub diagnostics: Vec<Diagnostic>,
    /// Site-wide outputs (index, tags, print and study pages, search index) lag behind an
    /// incremental update until [`LiveSite::finish`].
    deferred: bool,
    /// book.toml's warnings, kept for incremental updates (which do not read it again).
    config_diagnostics: Vec<Diagnostic>,
}

/// What one update did.
#[derive(Debug, Default)]
pub struct Update {
    /// Output paths whose bytes changed, appeared or went away.
    pub changed: BTreeSet<String>,
    /// True when the update took the incremental path.
    pub incremental: bool,
}

impl LiveSite {
    /// Builds the whole site in memory.
    pub fn new(root: &Path) -> LiveSite {
        let mut site = LiveSite {
            root: root.to_path_buf(),
            config: None,
            cache: RenderCache::open(&root.join(build::CACHE_FILE)),
            analyzed: None,
            files: Files::new(),
            diagnostics: Vec::new(),
            config_diagnostics: Vec::new(),
            deferred: false,
        };
        site.rebuild();
        site
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn config(&self) -> Option<&Config> {
        self.config.as_ref()
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// Keeps the render cache for the next `build` or `serve`.
    pub fn save_cache(&self) {
        let _ = self.cache.save();
    }

    /// Applies a batch of changes: edited pages take the incremental path, anything else
    /// (config, templates, static files, assets, pages added or removed) a full rebuild.
    pub fn apply(&mut self, changes: &[Change]) -> Update {
        let mut edited = BTreeSet::new();
        let mut full = false;
        for change in changes {
            match change {
                Change::Ignored => {}
                Change::Page(rel) => match self.page_id(rel) {
                    Some(id)
                        if page_change(true, self.root.join(rel).is_file())
                            == PageChange::Edited =>
                    {
                        edited.insert(id);
                    }
                    known => {
                        full |= page_change(known.is_some(), self.root.join(rel).is_file())
                            != PageChange::Nothing
                    }
                },
                _ => full = true,
            }
        }
        if !full && !edited.is_empty() {
            if let Some(update) = self.update_pages(&edited) {
                return update;
            }
        }
        if full || !edited.is_empty() {
            return self.rebuild();
        }
        Update::default()
    }

    /// True while [`LiveSite::finish`] has work to do.
    pub fn has_deferred(&self) -> bool {
        self.deferred
    }

    /// Work deferred past the reload: the site-wide outputs, each of which reads every page. The
    /// edited page and its dependents are served before them.
    pub fn finish(&mut self) -> Update {
        let (Some(a), Some(config), true) = (&self.analyzed, &self.config, self.deferred) else {
            return Update::default();
        };
        self.deferred = false;
        let generated = build::assemble(&self.root, config, a, true, layout::layout_shared);
        let page_urls: HashSet<&str> = a.pages.iter().map(|p| p.url.as_str()).collect();
        let mut files: Files = self
            .files
            .iter()
            .filter(|(path, _)| page_urls.contains(path.as_str()))
            .map(|(p, b)| (p.clone(), b.clone()))
            .collect();
        let mut touched = BTreeSet::new();
        for f in generated.files {
            touched.insert(f.path.clone());
            files.insert(f.path, f.bytes.into());
        }
        let changed = changed_paths(&self.files, &files, Some(&touched));
        self.files = files;
        let mut diags = self.config_diagnostics.clone();
        diags.extend(generated.diagnostics);
        crate::diagnostics::sort(&mut diags);
        self.diagnostics = diags;
        Update {
            changed,
            incremental: true,
        }
    }

    fn page_id(&self, rel: &Path) -> Option<PageId> {
        let a = self.analyzed.as_ref()?;
        a.pages.iter().position(|p| {
            self.config
                .as_ref()
                .is_some_and(|c| c.src.join(&p.source.rel_path) == rel)
        })
    }

    /// The full pipeline, in memory.
    pub fn rebuild(&mut self) -> Update {
        let (config, mut diags) = build::load_config(&BuildOptions {
            root: self.root.clone(),
            ..BuildOptions::default()
        });
        let Some(config) = config else {
            self.config = None;
            self.analyzed = None;
            self.diagnostics = diags;
            return Update::default();
        };
        self.config_diagnostics = diags.clone();
        let analyzed = build::analyze(&self.root, &config, &self.cache, &Silent);
        let generated = build::assemble(&self.root, &config, &analyzed, true, layout::layout);
        diags.extend(generated.diagnostics);
        crate::diagnostics::sort(&mut diags);
        let files: Files = generated
            .files
            .into_iter()
            .map(|f| (f.path, f.bytes.into()))
            .collect();
        let changed = changed_paths(&self.files, &files, None);
        self.files = files;
        self.diagnostics = diags;
        self.config = Some(config);
        self.analyzed = Some(analyzed);
        self.deferred = false;
        Update {
            changed,
            incremental: false,
        }
    }

    /// Re-parses and re-renders the edited pages, re-renders pages whose links may resolve
    /// differently, and lays out only the pages whose output depends on what changed. None when
    /// the edit changes the set of outputs (a page became a draft, its URL moved): rebuild.
    fn update_pages(&mut self, edited: &BTreeSet<PageId>) -> Option<Update> {
        let config = self.config.as_ref()?;
        let a = self.analyzed.as_mut()?;
        let before = Deps::of(a);
        // Normalized old and new names of pages whose titles, aliases or headings changed.
        let mut names: Vec<String> = Vec::new();
        let mut renamed: BTreeSet<PageId> = BTreeSet::new();
        for &id in edited {
            let old = &a.pages[id];
            let path = self.root.join(&old.source.display_path);
            let text = String::from_utf8(std::fs::read(&path).ok()?).ok()?;
            let mut parsed = parse::parse(vec![Source {
                rel_path: old.source.rel_path.clone(),
                display_path: old.source.display_path.clone(),
                text,
            }]);
            let page = parsed.pages.pop().filter(|p| p.url == old.url)?;
            if link_names(old) != link_names(&page) {
                renamed.insert(id);
                for p in [old, &page] {
                    names.push(crate::index::normalize(&p.title));
                    names.extend(p.meta.aliases.iter().map(|n| crate::index::normalize(n)));
                }
            }
            let file = page.source.display_path.clone();
            a.diagnostics.retain(|d| d.file != file);
            a.diagnostics.extend(parsed.diagnostics);
            a.pages[id] = page;
        }
        a.index = SiteIndex::build(&a.pages, &a.categories);
        let to_render = pages_to_render(a, edited, &renamed, &names);
        let link_names_changed = !renamed.is_empty();
        let assets: HashSet<PathBuf> = a.assets.iter().cloned().collect();
        let math = MathRenderer::new(&config.math_macros, &self.cache);
        let env = RenderEnv {
            pages: &a.pages,
            index: &a.index,
            math: &math,
            cache: &self.cache,
            code: &a.code,
            assets: &assets,
            strings: &a.strings,
        };
        let fresh: Vec<_> = {
            use rayon::prelude::*;
            to_render
                .par_iter()
                .map(|&id| render::render(&env, &Doc::of_page(&a.pages[id], id)))
                .collect()
        };
        if link_names_changed {
            a.intros = build::render_intros(&env, &a.categories);
        }
        for (id, r) in to_render.iter().zip(fresh) {
            a.rendered[*id] = r;
        }
        let links: Vec<&[usize]> = a.rendered.iter().map(|r| r.links_out.as_slice()).collect();
        a.graph = crate::graph::build(&a.pages, &a.index, &links);
        let after = Deps::of(a);
        let affected: Vec<PageId> = affected_pages(&before, &after, &to_render)
            .into_iter()
            .collect();
        // Only the affected topic pages now; the site-wide pages after the reload (`finish`).
        let tera = a.tera.as_ref().ok()?;
        let site = a.site_data(config);
        let (mut laid_out, layout_diags) = layout::layout_pages(&site, tera, &affected);
        if before.nav != after.nav {
            // The sidebar of every page reads the titles from this one small script.
            laid_out.push(layout::nav_data(&site));
        }
        let mut files = self.files.clone();
        let mut touched: BTreeSet<String> = BTreeSet::new();
        for f in laid_out {
            touched.insert(f.path.clone());
            files.insert(f.path, f.bytes.into());
        }
        let changed = changed_paths(&self.files, &files, Some(&touched));
        self.files = files;
        self.deferred = true;
        let mut diags = self.config_diagnostics.clone();
        diags.extend(build::analysis_diagnostics(a));
        diags.extend(layout_diags);
        crate::diagnostics::sort(&mut diags);
        self.diagnostics = diags;
        Some(Update {
            changed,
            incremental: true,
        })
    }
}

/// Output paths that differ between two versions of the site; `only` limits the byte comparison
/// to the paths rewritten this time (the rest were carried over unchanged).
fn changed_paths(old: &Files, new: &Files, only: Option<&BTreeSet<String>>) -> BTreeSet<String> {
    let mut changed: BTreeSet<String> = old
        .keys()
        .filter(|k| !new.contains_key(*k))
        .cloned()
        .collect();
    for (path, bytes) in new {
        if only.is_some_and(|o| !o.contains(path)) && old.contains_key(path) {
            continue;
        }
        if old.get(path) != Some(bytes) {
            changed.insert(path.clone());
        }
    }
    changed
}

/// The pages whose rendering may change: the edited ones and, when names changed, those that
/// linked to a renamed page, those with link problems (their messages list names) and those whose
/// text mentions an old or new name (a link that may now resolve, or become ambiguous).
fn pages_to_render(
    a: &Analyzed,
    edited: &BTreeSet<PageId>,
    renamed: &BTreeSet<PageId>,
    names: &[String],
) -> Vec<PageId> {
    use rayon::prelude::*;
    if renamed.is_empty() {
        return edited.iter().copied().collect();
    }
    (0..a.pages.len())
        .into_par_iter()
        .filter(|id| {
            let r = &a.rendered[*id];
            edited.contains(id)
                || r.links_out.iter().any(|t| renamed.contains(t))
                || !r.diagnostics.is_empty()
                || {
                    let text = crate::index::normalize(&a.pages[*id].source.text);
                    names
                        .iter()
                        .any(|n| !n.is_empty() && text.contains(n.as_str()))
                }
        })
        .collect()
}

/// Everything other pages can see of a page through links: when it changes, every link may
/// resolve differently (a new alias can fix a broken link anywhere).
fn link_names(p: &Page) -> (&str, &[String], Vec<&str>) {
    (
        &p.title,
        &p.meta.aliases,
        p.headings.iter().map(|h| h.id.as_str()).collect(),
    )
}

/// A category's key and title, and its pages' titles and summaries.
type NavCategory = (String, String, Vec<(String, Option<String>)>);

/// What a topic page's layout reads from other pages: the navigation tree (when a template uses
/// `site.nav`; the default theme reads it from `js/nav-data.js`) and, per page, the title and
/// summary of its backlinks, prerequisites, previous and next pages, and its tags' page counts.
#[derive(Clone, PartialEq)]
pub struct Deps {
    /// The navigation tree, in `js/nav-data.js` and, for `uses_nav` themes, in every page.
    nav: Vec<NavCategory>,
    uses_nav: bool,
    per_page: Vec<PageDeps>,
}

/// A linked page as another page shows it: role (0 backlink, 1 prerequisite, 2 previous, 3 next),
/// id, title, summary.
type Neighbour = (u8, PageId, String, Option<String>);
type PageDeps = (Vec<Neighbour>, Vec<usize>);

impl Deps {
    pub fn of(a: &Analyzed) -> Deps {
        let uses_nav = a
            .theme
            .templates
            .values()
            .any(|t| strip_comments(&t.content).contains("site.nav"));
        let nav = a
            .index
            .categories
            .iter()
            .map(|c| {
                let pages = c
                    .pages
                    .iter()
                    .map(|&p| (a.pages[p].title.clone(), a.pages[p].meta.summary.clone()))
                    .collect();
                (c.key.clone(), c.title.clone(), pages)
            })
            .collect();
        let tag_count: BTreeMap<&str, usize> = a
            .index
            .tags
            .iter()
            .map(|t| (t.slug.as_str(), t.pages.len()))
            .collect();
        let mut position = vec![usize::MAX; a.pages.len()];
        for (i, &p) in a.index.order.iter().enumerate() {
            position[p] = i;
        }
        let neighbour = |role: u8, p: PageId| -> Neighbour {
            (
                role,
                p,
                a.pages[p].title.clone(),
                a.pages[p].meta.summary.clone(),
            )
        };
        let per_page = a
            .pages
            .iter()
            .enumerate()
            .map(|(id, p)| {
                let counts = p
                    .meta
                    .tags
                    .iter()
                    .map(|t| {
                        tag_count
                            .get(SiteIndex::tag_slug(t).as_str())
                            .copied()
                            .unwrap_or(0)
                    })
                    .collect();
                let mut links: Vec<Neighbour> = Vec::new();
                for &b in a.graph.backlinks.get(id).into_iter().flatten() {
                    links.push(neighbour(0, b));
                }
                for &q in a.graph.prerequisites.get(id).into_iter().flatten() {
                    links.push(neighbour(1, q));
                }
                let pos = position[id];
                if let Some(&prev) = pos.checked_sub(1).and_then(|i| a.index.order.get(i)) {
                    links.push(neighbour(2, prev));
                }
                if let Some(&next) = a.index.order.get(pos.wrapping_add(1)) {
                    links.push(neighbour(3, next));
                }
                (links, counts)
            })
            .collect();
        Deps {
            nav,
            uses_nav,
            per_page,
        }
    }
}

/// Template source without its `{# comments #}`.
fn strip_comments(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{#") {
        out.push_str(&rest[..start]);
        rest = rest[start..]
            .find("#}")
            .map_or("", |end| &rest[start + end + 2..]);
    }
    out.push_str(rest);
    out
}

/// The topic pages to lay out again: every page when a navigation the templates use changed,
/// else the re-rendered pages and those whose linked pages or tag counts changed.
pub fn affected_pages(before: &Deps, after: &Deps, rendered: &[PageId]) -> BTreeSet<PageId> {
    if (after.uses_nav && before.nav != after.nav) || before.per_page.len() != after.per_page.len()
    {
        return (0..after.per_page.len()).collect();
    }
    let mut out: BTreeSet<PageId> = rendered.iter().copied().collect();
    for (id, (b, a)) in before.per_page.iter().zip(&after.per_page).enumerate() {
        if b != a {
            out.insert(id);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic");
        for entry in walkdir::WalkDir::new(&src) {
            let entry = entry.unwrap();
            let to = dir.path().join(entry.path().strip_prefix(&src).unwrap());
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&to).unwrap();
            } else {
                std::fs::copy(entry.path(), &to).unwrap();
            }
        }
        dir
    }

    fn edit(root: &Path, rel: &str, f: impl FnOnce(String) -> String) {
        let path = root.join(rel);
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        std::fs::write(&path, f(text)).unwrap();
    }

    /// Every output file of the live site equals a fresh full build of the same sources.
    fn assert_equals_full_build(site: &mut LiveSite) {
        site.finish();
        let root = site.root();
        let (config, _) = Config::load(root);
        let full = build::generate(root, &config.unwrap(), &RenderCache::in_memory(), &Silent);
        let full: BTreeMap<String, Vec<u8>> =
            full.files.into_iter().map(|f| (f.path, f.bytes)).collect();
        let live: BTreeMap<String, Vec<u8>> = site
            .files
            .iter()
            .map(|(p, b)| (p.clone(), b.to_vec()))
            .collect();
        assert_eq!(
            live.keys().collect::<Vec<_>>(),
            full.keys().collect::<Vec<_>>()
        );
        for (path, bytes) in &full {
            assert!(live[path] == *bytes, "{path} differs from a full build");
        }
    }

    fn apply(site: &mut LiveSite, rel: &str) -> Update {
        let change =
            super::super::change::classify(Path::new(rel), Path::new("content"), Path::new("book"));
        site.apply(&[change])
    }

    #[test]
    fn body_edit_is_incremental_and_equals_a_full_build() {
        let dir = fixture();
        let mut site = LiveSite::new(dir.path());
        assert!(!site.has_errors(), "{:?}", site.diagnostics);
        edit(dir.path(), "content/gan/wgan.md", |t| {
            t.replace(
                "## Weight clipping",
                "A new paragraph.\n\n## Weight clipping",
            )
        });
        let update = apply(&mut site, "content/gan/wgan.md");
        assert!(update.incremental);
        assert!(update.changed.contains("gan/wgan.html"));
        assert!(!update.changed.contains("gan/gan.html"));
        assert_equals_full_build(&mut site);
    }

    #[test]
    fn title_tag_and_link_edits_equal_a_full_build() {
        let dir = fixture();
        let mut site = LiveSite::new(dir.path());
        type Edit = fn(String) -> String;
        let steps: [(&str, Edit); 5] = [
            // Moves the page in reading order: previous and next links change around it.
            ("content/gan/wgan.md", |t| {
                t.replace("weight: 20", "weight: -5")
            }),
            ("content/gan/wgan.md", |t| {
                t.replace("title: Wasserstein GAN", "title: Wasserstein GAN (critic)")
            }),
            ("content/gan/wgan.md", |t| {
                t.replace("tags: [gan, generative-models]", "tags: [gan, distances]")
            }),
            ("content/geometry/iou.md", |t| {
                t.replace("## Code", "Compare [[GAN]].\n\n## Code")
            }),
            ("content/gan/wgan.md", |t| {
                t.replace(
                    "aliases: [WGAN, 瓦瑟斯坦GAN]",
                    "aliases: [瓦瑟斯坦GAN, Batch Normalization]",
                )
            }),
        ];
        for (rel, f) in steps {
            edit(dir.path(), rel, f);
            let update = apply(&mut site, rel);
            assert!(update.incremental, "{rel}");
            assert_equals_full_build(&mut site);
        }
    }

    #[test]
    fn a_title_change_updates_the_sidebar_data_before_the_site_wide_pages() {
        let dir = fixture();
        let mut site = LiveSite::new(dir.path());
        edit(dir.path(), "content/gan/wgan.md", |t| {
            t.replace("title: Wasserstein GAN", "title: Earth-Mover GAN")
        });
        let update = apply(&mut site, "content/gan/wgan.md");
        assert!(update.changed.contains("gan/wgan.html"));
        assert!(update.changed.contains("js/nav-data.js"));
        assert!(!update.changed.contains("index.html"), "deferred");
        assert!(site.has_deferred());
        assert!(site.finish().changed.contains("index.html"));
        assert_equals_full_build(&mut site);
    }

    #[test]
    fn added_and_deleted_pages_equal_a_full_build() {
        let dir = fixture();
        let mut site = LiveSite::new(dir.path());
        edit(dir.path(), "content/gan/dcgan.md", |_| {
            "---\ntitle: DCGAN\ntags: [gan]\n---\nConvolutional [[GAN]].\n".into()
        });
        let update = apply(&mut site, "content/gan/dcgan.md");
        assert!(update.changed.contains("gan/dcgan.html"));
        assert_equals_full_build(&mut site);
        std::fs::remove_file(dir.path().join("content/gan/dcgan.md")).unwrap();
        let update = apply(&mut site, "content/gan/dcgan.md");
        assert!(update.changed.contains("gan/dcgan.html"));
        assert!(!site.files.contains_key("gan/dcgan.html"));
        assert_equals_full_build(&mut site);
    }

    #[test]
    fn dependents_follow_links_titles_tags_and_navigation() {
        let n = |role: u8, id: PageId, title: &str| (role, id, title.to_string(), None);
        // A links to C; B is next to C in reading order; A and C share a tag.
        let before = Deps {
            nav: Vec::new(),
            uses_nav: false,
            per_page: vec![
                (vec![n(3, 1, "B")], vec![1]),
                (vec![n(2, 0, "A"), n(3, 2, "C")], vec![]),
                (vec![n(0, 0, "A"), n(2, 1, "B")], vec![1]),
            ],
        };
        // B's body changed, nothing else: only B.
        assert_eq!(affected_pages(&before, &before, &[1]), BTreeSet::from([1]));
        // A's title changed: C shows it as a backlink, B as its previous page.
        let mut after = before.clone();
        after.per_page[1].0[0].2 = "A2".into();
        after.per_page[2].0[0].2 = "A2".into();
        assert_eq!(
            affected_pages(&before, &after, &[0]),
            BTreeSet::from([0, 1, 2])
        );
        // A tag of A and C gains a page: both show the new count.
        let mut after = before.clone();
        after.per_page[0].1 = vec![2];
        after.per_page[2].1 = vec![2];
        assert_eq!(
            affected_pages(&before, &after, &[1]),
            BTreeSet::from([0, 1, 2])
        );
        // A theme that puts the navigation in every page: a title change reaches them all.
        let mut renamed = before.clone();
        renamed.nav = vec![(String::new(), "Topics".into(), vec![("A2".into(), None)])];
        assert_eq!(affected_pages(&before, &renamed, &[0]), BTreeSet::from([0]));
        let with_nav = |title: &str| Deps {
            nav: vec![(String::new(), "Topics".into(), vec![(title.into(), None)])],
            uses_nav: true,
            per_page: before.per_page.clone(),
        };
        assert_eq!(
            affected_pages(&with_nav("A"), &with_nav("A2"), &[0]).len(),
            3
        );
    }

    #[test]
    fn template_comments_do_not_count_as_uses() {
        assert_eq!(strip_comments("a{# site.nav #}b{#x#}c"), "abc");
        assert_eq!(strip_comments("{{ site.nav }}{# open"), "{{ site.nav }}");
    }

    #[test]
    fn editor_scratch_files_change_nothing() {
        let dir = fixture();
        let mut site = LiveSite::new(dir.path());
        let update = apply(&mut site, "content/gan/.wgan.md.swp");
        assert!(update.changed.is_empty());
    }
}
