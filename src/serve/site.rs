//! The site `serve` keeps in memory, updated edit by edit through the same pipeline stages as
//! `build` ([`Analyzed::update`]). One owned value: the watcher thread holds it and publishes
//! snapshots. After [`LiveSite::finish`] its files and diagnostics equal a full build's.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use crate::build::{self, Analyzed, BuildOptions, Silent};
use crate::cache::RenderCache;
use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::index::PageId;
use crate::layout::{self, Fingerprints};
use crate::output::Collected;

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
    /// book.toml's warnings, kept for incremental updates (which do not read it again).
    config_diagnostics: Vec<Diagnostic>,
    /// What each topic page's layout read, as of the analyzed site.
    fingerprints: Fingerprints,
    /// Template errors of each topic page's last layout, by page.
    page_diagnostics: Vec<Vec<Diagnostic>>,
    /// Diagnostics of the last site-wide layout (index, tags, print, study pages, assets).
    site_wide_diagnostics: Vec<Diagnostic>,
    /// Work that lags behind an incremental update until [`LiveSite::finish`]: the site-wide
    /// outputs, and the topic pages that only the site view (the navigation) changed for.
    deferred: Option<BTreeSet<PageId>>,
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
            cache: RenderCache::open(&root.join(crate::cache::CACHE_FILE)),
            analyzed: None,
            files: Files::new(),
            diagnostics: Vec::new(),
            config_diagnostics: Vec::new(),
            fingerprints: Fingerprints::default(),
            page_diagnostics: Vec::new(),
            site_wide_diagnostics: Vec::new(),
            deferred: None,
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
                        full |= match page_change(known.is_some(), self.root.join(rel).is_file()) {
                            // Gone, and never a page: unless a diagnostic names it (a page
                            // refused for its name), nothing to do.
                            PageChange::Nothing => self.diagnostics.iter().any(|d| d.file == *rel),
                            _ => true,
                        }
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
        self.deferred.is_some()
    }

    /// Work deferred past the reload: the site-wide outputs, each of which reads every page,
    /// and the topic pages only the navigation changed for.
    pub fn finish(&mut self) -> Update {
        let (Some(a), Some(config), Some(pages)) =
            (&self.analyzed, &self.config, self.deferred.take())
        else {
            return Update::default();
        };
        let ids: Vec<PageId> = pages.into_iter().collect();
        let mut laid_out = Vec::new();
        let shared = Collected::default();
        let diagnostics = build::assemble(&self.root, config, a, &shared, |site, tera, sink| {
            laid_out = layout::layout_pages(site, tera, &ids);
            layout::layout_shared(site, tera, sink)
        });
        let page_urls: HashSet<&str> = a.pages.iter().map(|p| p.url.as_str()).collect();
        let mut files: Files = self
            .files
            .iter()
            .filter(|(path, _)| page_urls.contains(path.as_str()))
            .map(|(p, b)| (p.clone(), b.clone()))
            .collect();
        let mut touched = BTreeSet::new();
        for f in shared.into_files() {
            touched.insert(f.path.clone());
            files.insert(f.path, f.bytes.into());
        }
        take_pages(
            laid_out,
            &mut files,
            &mut touched,
            &mut self.page_diagnostics,
        );
        let changed = changed_paths(&self.files, &files, Some(&touched));
        self.files = files;
        self.site_wide_diagnostics = diagnostics;
        self.collect_diagnostics();
        Update {
            changed,
            incremental: true,
        }
    }

    fn page_id(&self, rel: &Path) -> Option<PageId> {
        let a = self.analyzed.as_ref()?;
        // The path from the site root, as the watcher gives it (also when the notes are the root).
        a.pages.iter().position(|p| p.source.display_path == rel)
    }

    /// The full pipeline, in memory.
    pub fn rebuild(&mut self) -> Update {
        let (config, diags) = build::load_config(&BuildOptions {
            root: self.root.clone(),
            ..BuildOptions::default()
        });
        self.config_diagnostics = diags;
        self.deferred = None;
        let Some(config) = config else {
            self.config = None;
            self.analyzed = None;
            self.page_diagnostics.clear();
            self.site_wide_diagnostics.clear();
            self.collect_diagnostics();
            return Update::default();
        };
        let analyzed = build::analyze(&self.root, &config, &self.cache, &Silent);
        let all: Vec<PageId> = (0..analyzed.pages.len()).collect();
        let mut page_diagnostics = vec![Vec::new(); all.len()];
        let mut fingerprints = Fingerprints::default();
        let collected = Collected::default();
        let diagnostics = build::assemble(
            &self.root,
            &config,
            &analyzed,
            &collected,
            |site, tera, sink| {
                fingerprints = layout::fingerprints(site);
                for laid in layout::layout_pages(site, tera, &all) {
                    match laid.result {
                        Ok(file) => sink.put(file),
                        Err(d) => page_diagnostics[laid.page] = d,
                    }
                }
                layout::layout_shared(site, tera, sink)
            },
        );
        let files: Files = collected
            .into_files()
            .into_iter()
            .map(|f| (f.path, f.bytes.into()))
            .collect();
        let changed = changed_paths(&self.files, &files, None);
        self.files = files;
        self.fingerprints = fingerprints;
        self.page_diagnostics = page_diagnostics;
        self.site_wide_diagnostics = diagnostics;
        self.config = Some(config);
        self.analyzed = Some(analyzed);
        self.collect_diagnostics();
        Update {
            changed,
            incremental: false,
        }
    }

    /// Takes the edited pages through the pipeline ([`Analyzed::update`]) and lays out the
    /// pages whose layout reads something that changed: the pages rendered again and those
    /// whose fingerprint moved. When the site view moved (a title in the navigation), the other
    /// pages follow in [`LiveSite::finish`]. None when the edit needs a full rebuild.
    fn update_pages(&mut self, edited: &BTreeSet<PageId>) -> Option<Update> {
        let config = self.config.as_ref()?;
        let a = self.analyzed.as_mut()?;
        let rendered = a.update(&self.root, config, &self.cache, edited).ok()?;
        let tera = a.tera.as_ref().ok()?;
        let site = a.site_data(config);
        let after = layout::fingerprints(&site);
        let before = std::mem::replace(&mut self.fingerprints, after);
        let after = &self.fingerprints;
        let mut now: BTreeSet<PageId> = rendered;
        now.extend(
            (0..after.pages.len()).filter(|&id| before.pages.get(id) != after.pages.get(id)),
        );
        let mut deferred = self.deferred.take().unwrap_or_default();
        if before.site != after.site {
            deferred.extend(0..after.pages.len());
        }
        deferred.retain(|id| !now.contains(id));
        let ids: Vec<PageId> = now.into_iter().collect();
        let mut files = self.files.clone();
        let mut touched: BTreeSet<String> = BTreeSet::new();
        let laid_out = layout::layout_pages(&site, tera, &ids);
        take_pages(
            laid_out,
            &mut files,
            &mut touched,
            &mut self.page_diagnostics,
        );
        if before.site != after.site {
            // The sidebar of every page reads the titles from this one small script.
            let nav = layout::nav_data(&site);
            touched.insert(nav.path.clone());
            files.insert(nav.path, nav.bytes.into());
        }
        let changed = changed_paths(&self.files, &files, Some(&touched));
        self.files = files;
        self.deferred = Some(deferred);
        self.collect_diagnostics();
        Some(Update {
            changed,
            incremental: true,
        })
    }

    /// The site's diagnostics as a full build reports them.
    fn collect_diagnostics(&mut self) {
        let mut diags = self.config_diagnostics.clone();
        if let Some(a) = &self.analyzed {
            diags.extend(build::analysis_diagnostics(a));
        }
        diags.extend(self.page_diagnostics.iter().flatten().cloned());
        diags.extend(self.site_wide_diagnostics.iter().cloned());
        crate::diagnostics::sort(&mut diags);
        self.diagnostics = diags;
    }
}

/// Puts freshly laid-out topic pages into `files`; a page whose layout failed keeps its previous
/// file, and its template errors replace the ones it had.
fn take_pages(
    laid_out: Vec<layout::LaidOut>,
    files: &mut Files,
    touched: &mut BTreeSet<String>,
    page_diagnostics: &mut [Vec<Diagnostic>],
) {
    for laid in laid_out {
        match laid.result {
            Ok(f) => {
                touched.insert(f.path.clone());
                files.insert(f.path, f.bytes.into());
                page_diagnostics[laid.page].clear();
            }
            Err(d) => page_diagnostics[laid.page] = d,
        }
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

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    fn fixture() -> tempfile::TempDir {
        fixture_named("basic")
    }

    /// A writable copy of the fixture site `tests/fixtures/<name>`.
    pub(in crate::serve) fn fixture_named(name: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let src = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
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
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        std::fs::write(&path, f(text)).unwrap();
    }

    /// Every output file and every diagnostic of the live site equals a fresh full build.
    fn assert_equals_full_build(site: &mut LiveSite) {
        site.finish();
        let root = site.root();
        let (config, mut diags) = build::load_config(&BuildOptions {
            root: root.to_path_buf(),
            ..BuildOptions::default()
        });
        let files = Collected::default();
        let full = build::generate(
            root,
            &config.unwrap(),
            &RenderCache::in_memory(),
            &Silent,
            &files,
        );
        diags.extend(full.diagnostics);
        crate::diagnostics::sort(&mut diags);
        let short = |d: &[Diagnostic]| d.iter().map(Diagnostic::short).collect::<Vec<_>>();
        assert_eq!(short(&site.diagnostics), short(&diags));
        let full: BTreeMap<String, Vec<u8>> = files
            .into_files()
            .into_iter()
            .map(|f| (f.path, f.bytes))
            .collect();
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
    fn a_vault_note_edit_is_incremental_and_equals_a_full_build() {
        let dir = fixture_named("vault");
        let mut site = LiveSite::new(dir.path());
        assert!(!site.has_errors(), "{:?}", site.diagnostics);
        let note = "深度学习/激活函数.md";
        edit(dir.path(), note, |t| t.replace("计算简单", "计算非常简单"));
        let change =
            super::super::change::classify(Path::new(note), Path::new("."), Path::new("book"));
        let update = site.apply(&[change]);
        assert!(update.incremental);
        assert!(update.changed.contains("深度学习/激活函数.html"));
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
        assert!(update.incremental);
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

    /// The scripted edits a writer makes, each through the incremental path (or the rebuild the
    /// site decides on), each compared with a fresh full build: files and diagnostics.
    #[test]
    fn scripted_edits_equal_a_full_build_after_each_step() {
        let dir = fixture();
        let root = dir.path();
        let mut site = LiveSite::new(root);
        type Edit = fn(String) -> String;
        let steps: Vec<(&str, Edit)> = vec![
            ("content/gan/wgan.md", |t| {
                t.replace("## Weight clipping", "More text.\n\n## Weight clipping")
            }),
            ("content/gan/wgan.md", |t| {
                t.replace("title: Wasserstein GAN", "title: Earth-Mover GAN")
            }),
            ("content/gan/wgan.md", |t| {
                t.replace(
                    "aliases: [WGAN, 瓦瑟斯坦GAN]",
                    "aliases: [WGAN2, 瓦瑟斯坦GAN]",
                )
            }),
            ("content/gan/wgan.md", |t| {
                t.replace("tags: [gan, generative-models]", "tags: [gan, distances]")
            }),
            ("content/gan/wgan.md", |t| {
                t.replace("## Weight clipping", "## Clipping the weights")
            }),
            // A page named like a generated one: an error naming it, in build and serve alike.
            ("content/practice.md", |_| "# Practice\n\nMine.\n".into()),
            ("content/practice.md", |_| String::new()),
            ("content/gan/dcgan.md", |_| {
                "---\ntitle: DCGAN\ntags: [gan]\n---\nConvolutional [[GAN]].\n".into()
            }),
            ("content/gan/dcgan.md", |_| String::new()),
            // A template error on one page only must stay reported after the site-wide update.
            ("templates/page.html", |_| {
                "{% extends \"base.html\" %}{% block main %}{% if page.slug == \"iou\" %}{{ nope }}{% endif %}{{ page.body | safe }}{% endblock main %}".into()
            }),
            ("content/gan/wgan.md", |t| {
                t.replace("More text.", "Other text.")
            }),
            ("templates/page.html", |_| {
                "{% extends \"base.html\" %}{% block main %}{{ page.body | safe }}{% endblock main %}".into()
            }),
            // A theme that shows the navigation in every page: a title change reaches them all.
            ("templates/page.html", |_| {
                "{% extends \"base.html\" %}{% block main %}{% for c in site.nav %}{% for p in c.pages %}{{ p.title }};{% endfor %}{% endfor %}{{ page.body | safe }}{% endblock main %}".into()
            }),
            ("content/gan/wgan.md", |t| {
                t.replace("title: Earth-Mover GAN", "title: Wasserstein GAN")
            }),
        ];
        for (i, (rel, f)) in steps.into_iter().enumerate() {
            let path = root.join(rel);
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let new = f(text);
            if new.is_empty() {
                std::fs::remove_file(&path).unwrap();
            } else {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, new).unwrap();
            }
            apply(&mut site, rel);
            if i == 5 {
                assert!(
                    site.diagnostics
                        .iter()
                        .any(|d| d.file == Path::new("content/practice.md") && d.is_error()),
                    "{:?}",
                    site.diagnostics
                );
            }
            assert_equals_full_build(&mut site);
        }
    }

    #[test]
    fn a_template_error_on_one_page_survives_the_site_wide_update() {
        let dir = fixture();
        let mut site = LiveSite::new(dir.path());
        edit(dir.path(), "templates/page.html", |_| {
            "{% extends \"base.html\" %}{% block main %}{% if page.slug == \"iou\" %}{{ nope }}{% endif %}{% endblock main %}".into()
        });
        apply(&mut site, "templates/page.html");
        edit(dir.path(), "content/geometry/iou.md", |t| {
            format!("{t}\nMore.\n")
        });
        let update = apply(&mut site, "content/geometry/iou.md");
        assert!(update.incremental);
        assert!(site.has_errors());
        site.finish();
        assert!(site.has_errors(), "the overlay would lose the error");
    }

    #[test]
    fn a_content_folder_written_with_dot_slash_is_watched() {
        let dir = fixture();
        let root = dir.path();
        edit(root, "book.toml", |t| {
            t.replace("[book]\n", "[book]\nsrc = \"./content\"\n")
        });
        let mut site = LiveSite::new(root);
        let content = site.config().unwrap().src.clone();
        edit(root, "content/gan/wgan.md", |t| {
            format!("{t}\nFresh words.\n")
        });
        let change = super::super::change::classify(
            Path::new("content/gan/wgan.md"),
            &content,
            Path::new("book"),
        );
        let update = site.apply(&[change]);
        assert!(update.changed.contains("gan/wgan.html"), "{update:?}");
    }

    #[test]
    fn editor_scratch_files_change_nothing() {
        let dir = fixture();
        let mut site = LiveSite::new(dir.path());
        let update = apply(&mut site, "content/gan/.wgan.md.swp");
        assert!(update.changed.is_empty());
    }
}
