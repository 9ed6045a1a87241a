//! Runs the pipeline: `generate` makes the whole site in memory, `build` also writes it.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::cache::{RenderCache, CACHE_FILE};
use crate::config::{Config, NoSiteFolder};
use crate::diagnostics::{self, Diagnostic, Position};
use crate::fsutil::{self, IoError};
use crate::graph;
use crate::graph::LinkGraph;
use crate::highlight::CodeTheme;
use crate::index::{PageId, SiteIndex};
use crate::layout;
use crate::load;
use crate::math::MathRenderer;
use crate::output::{Discarded, OutputFile, Sink};
use crate::parse::{self, CategoryMeta, Page};
use crate::render::{self, Doc, RenderEnv, Rendered};
use crate::site_data::SiteData;
use crate::strings::Strings;
use crate::theme::{Theme, STATIC_DIR, TEMPLATES_DIR};
use crate::write::{Stale, WriteStats, Writer};

/// Reports progress to whoever shows it (a progress bar on a terminal, nothing in tests).
pub trait Progress: Sync {
    fn start(&self, _pages: usize) {}
    fn page_rendered(&self) {}
}

pub struct Silent;
impl Progress for Silent {}

#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub root: PathBuf,
    /// Overrides `[build] build-dir`.
    pub dest: Option<PathBuf>,
    /// Overrides `[output.html] site-url`.
    pub site_url: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    pub pages: usize,
    pub formulas: usize,
    /// Of those, the ones KaTeX rendered in this build (the rest came from the cache).
    pub formulas_rendered: usize,
    /// Render-cache lookups (math and code) answered from the cache, and rendered anew.
    pub cache_hits: usize,
    pub cache_misses: usize,
    /// Time KaTeX and syntect took for the misses, summed over threads.
    pub rendering: Duration,
    pub write: WriteStats,
    pub elapsed: Duration,
}

/// What making the site found: every diagnostic, and the figures. The files themselves went to
/// a [`Sink`] as they were made.
#[derive(Debug, Default)]
pub struct Generated {
    pub diagnostics: Vec<Diagnostic>,
    /// The hash of everything the layout read ([`inputs_fingerprint`]), when laying out reported
    /// nothing: a later build from the same inputs may keep these files.
    pub inputs: Option<u64>,
    pub stats: Stats,
}

impl Generated {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// A failure that stops the build before the site can be judged: exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Io(#[from] IoError),
    #[error("refusing to build into {}: {reason}", dest.display())]
    UnsafeDestination { dest: PathBuf, reason: String },
    #[error(transparent)]
    NoSiteFolder(#[from] NoSiteFolder),
}

#[derive(Debug)]
pub struct BuildReport {
    pub generated: Generated,
    pub dest: PathBuf,
}

/// Loads the configuration with command-line overrides applied.
pub fn load_config(opts: &BuildOptions) -> (Option<Config>, Vec<Diagnostic>) {
    let (config, diags) = Config::load(&opts.root);
    let config = config.map(|mut c| {
        if let Some(dest) = &opts.dest {
            c.build_dir = dest.clone();
        }
        if let Some(url) = &opts.site_url {
            c.site_url = Some(if url.ends_with('/') {
                url.clone()
            } else {
                format!("{url}/")
            });
        }
        c
    });
    (config, diags)
}

/// Builds the site and writes it. Diagnostics (even errors) come back in the report; the
/// output is still written so a reader sees every page, with errors marked in place.
pub fn build(opts: &BuildOptions, progress: &dyn Progress) -> Result<BuildReport, BuildError> {
    let started = Instant::now();
    // Without this, a mistyped folder would be created as `<folder>/book`.
    if !opts.root.is_dir() {
        return Err(NoSiteFolder(opts.root.clone()).into());
    }
    let (config, mut diags) = load_config(opts);
    let Some(config) = config else {
        return Ok(BuildReport {
            generated: Generated {
                diagnostics: diags,
                ..Generated::default()
            },
            dest: PathBuf::new(),
        });
    };
    let dest = resolve_destination(&opts.root, &config)?;
    let writer = Writer::open(&dest)?;
    let cache = RenderCache::open(&opts.root.join(CACHE_FILE));
    let mut generated = generate(&opts.root, &config, &cache, progress, &writer);
    diags.append(&mut generated.diagnostics);
    generated.diagnostics = diags;
    diagnostics::sort(&mut generated.diagnostics);
    // A build with errors never removes a page the last good build wrote.
    let stale = if generated.has_errors() {
        Stale::Keep
    } else {
        Stale::Remove
    };
    let inputs = generated.inputs.filter(|_| !generated.has_errors());
    generated.stats.write = writer.finish(stale, inputs)?;
    for (path, target) in &generated.stats.write.replaced_links {
        generated.diagnostics.push(
            Diagnostic::warning(
                dest.join(path),
                Position::default(),
                format!(
                    "replaced a symbolic link to {} with the site's own {}",
                    target.display(),
                    path
                ),
            )
            .with_help("links inside the output folder are never followed: nothing was written or removed outside it"),
        );
    }
    generated.stats.elapsed = started.elapsed();
    Ok(BuildReport { generated, dest })
}

/// Runs every stage but writing: `studybook check`.
pub fn check(opts: &BuildOptions) -> Generated {
    let (config, mut diags) = load_config(opts);
    let Some(config) = config else {
        return Generated {
            diagnostics: diags,
            ..Generated::default()
        };
    };
    if let Err(e) = resolve_destination(&opts.root, &config) {
        diags.push(Diagnostic::error(
            crate::config::CONFIG_FILE,
            Position::default(),
            e.to_string(),
        ));
    }
    let cache = RenderCache::open_read_only(&opts.root.join(CACHE_FILE));
    let mut generated = generate(&opts.root, &config, &cache, &Silent, &Discarded);
    diags.append(&mut generated.diagnostics);
    diagnostics::sort(&mut diags);
    generated.diagnostics = diags;
    generated
}

/// The output folder, refused when writing there could damage the sources.
pub fn resolve_destination(root: &Path, config: &Config) -> Result<PathBuf, BuildError> {
    let root_abs = fsutil::absolute(root);
    let dest = fsutil::absolute(&root.join(&config.build_dir));
    let refuse = |reason: String| {
        let reason = match config.build_dir_set_at {
            Some(at) => format!(
                "{reason} (build-dir is set at {}:{}:{})",
                crate::config::CONFIG_FILE,
                at.line,
                at.column
            ),
            None => reason,
        };
        Err(BuildError::UnsafeDestination {
            dest: dest.clone(),
            reason,
        })
    };
    if dest == root_abs || root_abs.starts_with(&dest) {
        return refuse("it is or contains the site folder".into());
    }
    for (name, folder) in [
        ("content", &config.src),
        ("templates", &PathBuf::from(TEMPLATES_DIR)),
        ("static", &PathBuf::from(STATIC_DIR)),
    ] {
        let folder = fsutil::absolute(&root.join(folder));
        // Notes kept at the site root (a vault, `src = "."`): the load stage never reads the
        // output folder, so it may sit inside them.
        let inside_root_notes = folder == root_abs && dest.starts_with(&folder);
        if !inside_root_notes
            && (dest == folder || dest.starts_with(&folder) || folder.starts_with(&dest))
        {
            return refuse(format!(
                "it is, contains or is inside the {name} folder {}",
                folder.display()
            ));
        }
    }
    Ok(dest)
}

/// The pipeline's data up to the link graph: what `serve` keeps in memory between edits.
pub struct Analyzed {
    pub theme: Theme,
    pub tera: Result<tera::Tera, Vec<Diagnostic>>,
    pub strings: Strings,
    /// Non-Markdown files of the content folder, relative to it.
    pub assets: Vec<PathBuf>,
    pub pages: Vec<Page>,
    pub categories: Vec<CategoryMeta>,
    /// mdBook's SUMMARY.md, which orders the index when there is one.
    pub summary: Option<crate::summary::Summary>,
    pub index: SiteIndex,
    pub rendered: Vec<Rendered>,
    pub intros: BTreeMap<String, Rendered>,
    pub graph: LinkGraph,
    /// The `[highlight]` themes pages were highlighted with.
    pub code: CodeTheme,
    /// Theme, load and parse diagnostics; render and graph ones stay with their results.
    pub diagnostics: Vec<Diagnostic>,
}

/// Makes the whole site, each file put into `sink` as soon as it is laid out.
pub fn generate(
    root: &Path,
    config: &Config,
    cache: &RenderCache,
    progress: &dyn Progress,
    sink: &dyn Sink,
) -> Generated {
    let started = Instant::now();
    let analyzed = analyze(root, config, cache, progress);
    let cache_saved = cache.finish_rendering();
    let inputs = inputs_fingerprint(root, config, &analyzed);
    // A warm build of unchanged notes: the output folder already holds every file.
    let laid_out = if sink.reuse(inputs) {
        Vec::new()
    } else {
        assemble(root, config, &analyzed, sink, layout::layout)
    };
    let mut generated = Generated {
        inputs: laid_out.is_empty().then_some(inputs),
        diagnostics: laid_out,
        ..Generated::default()
    };
    generated
        .diagnostics
        .extend(analysis_diagnostics(&analyzed));
    diagnostics::sort(&mut generated.diagnostics);
    if let Err(e) = cache_saved {
        generated.diagnostics.push(Diagnostic::warning(
            CACHE_FILE,
            Position::default(),
            format!("cache not saved: {e}"),
        ));
    }
    generated.stats = Stats {
        pages: analyzed.pages.len(),
        formulas: analyzed
            .rendered
            .iter()
            .chain(analyzed.intros.values())
            .map(|r| r.formulas)
            .sum(),
        formulas_rendered: analyzed
            .rendered
            .iter()
            .chain(analyzed.intros.values())
            .map(|r| r.formulas_rendered)
            .sum(),
        cache_hits: cache.hits.load(std::sync::atomic::Ordering::Relaxed),
        cache_misses: cache.misses.load(std::sync::atomic::Ordering::Relaxed),
        rendering: cache.rendering(),
        write: WriteStats::default(),
        elapsed: started.elapsed(),
    };
    generated
}

/// The hash of everything the files after the analysis are made from: this program (its size
/// and time, so a rebuilt binary never reuses an old site), the configuration, the theme, every
/// note's text as loaded (includes expanded) and every content asset's size and time. Rendered
/// math and code are functions of these. Two builds with the same hash write the same files.
pub fn inputs_fingerprint(root: &Path, config: &Config, a: &Analyzed) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    let mut part = |bytes: &[u8]| {
        h.update(&(bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    let stamp = |path: &Path| {
        std::fs::metadata(path).map_or_else(
            |_| "missing".to_string(),
            |m| format!("{} {:?}", m.len(), m.modified().ok()),
        )
    };
    part(env!("CARGO_PKG_VERSION").as_bytes());
    part(
        std::env::current_exe()
            .map(|exe| stamp(&exe))
            .unwrap_or_default()
            .as_bytes(),
    );
    part(format!("{config:?}").as_bytes());
    part(format!("{:?}", a.summary).as_bytes());
    for (name, file) in &a.theme.templates {
        part(name.as_bytes());
        part(file.content.as_bytes());
    }
    for (name, file) in &a.theme.statics {
        part(name.as_bytes());
        part(&file.content);
    }
    for page in &a.pages {
        part(page.source.display_path.as_os_str().as_encoded_bytes());
        part(page.source.text.as_bytes());
    }
    for category in &a.categories {
        part(category.source.display_path.as_os_str().as_encoded_bytes());
        part(category.source.text.as_bytes());
    }
    for asset in &a.assets {
        part(asset.as_os_str().as_encoded_bytes());
        part(stamp(&root.join(&config.src).join(asset)).as_bytes());
    }
    h.digest()
}

/// Loads, parses, indexes and renders every page, and builds the link graph.
pub fn analyze(
    root: &Path,
    config: &Config,
    cache: &RenderCache,
    progress: &dyn Progress,
) -> Analyzed {
    if cache.is_cold() {
        crate::math::start_engines();
    }
    let mut diags = Vec::new();
    let (theme, theme_diags) = Theme::load(root);
    diags.extend(theme_diags);
    let tera = layout::templates(&theme);
    let loaded = load::load(root, config);
    diags.extend(loaded.diagnostics);
    let parsed = parse::parse(loaded.sources);
    diags.extend(parsed.diagnostics);
    let pages = parsed.pages;
    let assets = assets_beside_pages(&config.src, loaded.assets, &pages, &mut diags);
    let index = SiteIndex::build_book(&pages, &parsed.categories, loaded.summary.as_ref());
    let strings = Strings::for_language(config.language);
    let math = MathRenderer::new(&config.math_macros, cache);
    let code = code_theme(config, &mut diags);
    let all: Vec<PageId> = (0..pages.len()).collect();
    progress.start(pages.len());
    let env = RenderEnv {
        pages: &pages,
        index: &index,
        math: &math,
        cache,
        code: &code,
        assets: &assets.iter().cloned().collect(),
        strings: &strings,
        unresolved_links_warn: config.unresolved_links_warn,
    };
    let rendered = render_pages(&env, &all, progress);
    let intros = render_intros(&env, &parsed.categories);
    let graph = link_graph(&pages, &index, &rendered);
    Analyzed {
        theme,
        tera,
        strings,
        assets,
        pages,
        categories: parsed.categories,
        summary: loaded.summary,
        index,
        rendered,
        intros,
        graph,
        code,
        diagnostics: diags,
    }
}

/// The configured highlight themes; an unknown name is reported and the defaults used instead.
pub fn code_theme(config: &Config, diags: &mut Vec<Diagnostic>) -> CodeTheme {
    CodeTheme::new(&config.light_theme, &config.dark_theme).unwrap_or_else(|e| {
        diags.push(Diagnostic::error(
            crate::config::CONFIG_FILE,
            Position::default(),
            e,
        ));
        CodeTheme::fallback()
    })
}

/// The one render loop: pages in parallel, each a pure function of the page and the index.
/// Longest first from one shared queue: the pages with the most to render (formulas are most
/// of a cold build) start early, and the short ones fill the cores at the end.
fn render_pages(env: &RenderEnv<'_>, ids: &[PageId], progress: &dyn Progress) -> Vec<Rendered> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let mut queue: Vec<usize> = (0..ids.len()).collect();
    queue.sort_by_key(|&i| std::cmp::Reverse(env.pages[ids[i]].source.text.len()));
    let next = AtomicUsize::new(0);
    let done: Vec<Vec<(usize, Rendered)>> = rayon::broadcast(|_| {
        let mut mine = Vec::new();
        while let Some(&i) = queue.get(next.fetch_add(1, Ordering::Relaxed)) {
            let id = ids[i];
            mine.push((i, render::render(env, &Doc::of_page(&env.pages[id], id))));
            progress.page_rendered();
        }
        mine
    });
    let mut slots: Vec<Option<Rendered>> =
        std::iter::repeat_with(|| None).take(ids.len()).collect();
    for (i, r) in done.into_iter().flatten() {
        slots[i] = Some(r);
    }
    slots
        .into_iter()
        .map(|r| r.expect("every queued page was rendered"))
        .collect()
}

fn link_graph(pages: &[Page], index: &SiteIndex, rendered: &[Rendered]) -> LinkGraph {
    let links: Vec<&[usize]> = rendered.iter().map(|r| r.links_out.as_slice()).collect();
    graph::build(pages, index, &links)
}

/// Content files other than pages, less any that would be written where a page goes
/// (`content/a.html` beside `content/a.md`): an error naming the file, the same in build and serve.
fn assets_beside_pages(
    src: &Path,
    assets: Vec<PathBuf>,
    pages: &[Page],
    diags: &mut Vec<Diagnostic>,
) -> Vec<PathBuf> {
    let urls: HashMap<&str, &Path> = pages
        .iter()
        .map(|p| (p.url.as_str(), p.source.display_path.as_path()))
        .collect();
    assets
        .into_iter()
        .filter(|asset| {
            let out = asset.to_string_lossy().replace('\\', "/");
            let Some(page) = urls.get(out.as_str()) else {
                return true;
            };
            diags.push(
                Diagnostic::error(
                    src.join(asset),
                    Position::default(),
                    format!(
                        "this file and the page {} would both be written to {out}",
                        page.display()
                    ),
                )
                .with_help("rename one of the files"),
            );
            false
        })
        .collect()
}

/// Why an edit cannot be applied page by page: the whole site is built again instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NeedsRebuild;

impl Analyzed {
    /// Takes new sources for some pages through parse, index, render and graph, and swaps them
    /// into the site. Every step that can fail (reading, an output path that moves, a page that
    /// becomes a draft) comes before the first change, so a refused edit leaves the site as it
    /// was. Returns the pages rendered again: the edited ones and, when names changed, those
    /// whose links may resolve differently.
    pub fn update(
        &mut self,
        root: &Path,
        config: &Config,
        cache: &RenderCache,
        edited: &BTreeSet<PageId>,
    ) -> Result<BTreeSet<PageId>, NeedsRebuild> {
        let mut fresh = Vec::with_capacity(edited.len());
        for &id in edited {
            let (source, expand_diags) =
                load::reload(root, &self.pages[id].source).ok_or(NeedsRebuild)?;
            // A page with NUL characters goes through the full load, which reports them.
            if source.text.contains('\0') {
                return Err(NeedsRebuild);
            }
            let mut parsed = parse::parse(vec![source]);
            parsed.diagnostics.extend(expand_diags);
            let page = parsed.pages.pop().ok_or(NeedsRebuild)?;
            if page.url != self.pages[id].url {
                return Err(NeedsRebuild);
            }
            fresh.push((id, page, parsed.diagnostics));
        }
        // From here on nothing fails.
        let mut renamed = BTreeSet::new();
        let mut names: Vec<String> = Vec::new();
        let ids: BTreeSet<PageId> = fresh.iter().map(|(id, _, _)| *id).collect();
        for (id, page, diags) in fresh {
            let old = &self.pages[id];
            if link_names(old) != link_names(&page) {
                renamed.insert(id);
                for p in [old, &page] {
                    names.push(crate::index::normalize(&p.title));
                    names.extend(p.meta.aliases.iter().map(|n| crate::index::normalize(n)));
                }
            }
            let file = page.source.display_path.clone();
            self.diagnostics.retain(|d| d.file != file);
            self.diagnostics.extend(diags);
            self.pages[id] = page;
        }
        self.index = SiteIndex::build_book(&self.pages, &self.categories, self.summary.as_ref());
        let to_render = self.pages_to_render(&ids, &renamed, &names);
        let math = MathRenderer::new(&config.math_macros, cache);
        let env = RenderEnv {
            pages: &self.pages,
            index: &self.index,
            math: &math,
            cache,
            code: &self.code,
            assets: &self.assets.iter().cloned().collect(),
            strings: &self.strings,
            unresolved_links_warn: config.unresolved_links_warn,
        };
        let ids: Vec<PageId> = to_render.iter().copied().collect();
        let fresh = render_pages(&env, &ids, &Silent);
        if !renamed.is_empty() {
            self.intros = render_intros(&env, &self.categories);
        }
        for (id, r) in ids.iter().zip(fresh) {
            self.rendered[*id] = r;
        }
        self.graph = link_graph(&self.pages, &self.index, &self.rendered);
        Ok(to_render)
    }

    /// The pages whose rendering may change: the edited ones and, when names changed, those
    /// that linked to a renamed page, those with link problems (their messages list names) and
    /// those whose text mentions an old or new name (a link that may now resolve, or become
    /// ambiguous).
    fn pages_to_render(
        &self,
        edited: &BTreeSet<PageId>,
        renamed: &BTreeSet<PageId>,
        names: &[String],
    ) -> BTreeSet<PageId> {
        // A page that embeds (`![[…]]`) an edited page, directly or through another embed, shows
        // its content: its links include every page embedded on the way.
        let embeds_edited = |id: &PageId| {
            self.pages[*id].source.text.contains("![[")
                && self.rendered[*id]
                    .links_out
                    .iter()
                    .any(|t| edited.contains(t))
        };
        if renamed.is_empty() {
            return (0..self.pages.len())
                .filter(|id| edited.contains(id) || embeds_edited(id))
                .collect();
        }
        (0..self.pages.len())
            .into_par_iter()
            .filter(|id| {
                let r = &self.rendered[*id];
                edited.contains(id)
                    || embeds_edited(id)
                    || r.links_out.iter().any(|t| renamed.contains(t))
                    || !r.diagnostics.is_empty()
                    || {
                        let text = crate::index::normalize(&self.pages[*id].source.text);
                        names
                            .iter()
                            .any(|n| !n.is_empty() && text.contains(n.as_str()))
                    }
            })
            .collect()
    }
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

impl Analyzed {
    /// What the layout stage reads of the analyzed site.
    pub fn site_data<'a>(&'a self, config: &'a Config) -> SiteData<'a> {
        SiteData {
            config,
            pages: &self.pages,
            index: &self.index,
            rendered: &self.rendered,
            graph: &self.graph,
            intros: &self.intros,
            theme: &self.theme,
            strings: &self.strings,
        }
    }
}

/// Renders the `_index.md` introductions, by category key.
pub fn render_intros(
    env: &RenderEnv<'_>,
    categories: &[CategoryMeta],
) -> BTreeMap<String, Rendered> {
    categories
        .iter()
        .map(|c| {
            let doc = Doc {
                display_path: &c.source.display_path,
                rel_path: &c.source.rel_path,
                text: &c.source.text,
                body_offset: c.body_offset,
                headings: &c.headings,
                skip_h1: false,
                page: None,
                depth: 0,
                map: c.source.map.as_deref(),
            };
            (c.key.clone(), render::render(env, &doc))
        })
        .collect()
}

/// Every diagnostic of the stages up to the link graph.
pub fn analysis_diagnostics(a: &Analyzed) -> Vec<Diagnostic> {
    let mut diags = a.diagnostics.clone();
    for r in a.rendered.iter().chain(a.intros.values()) {
        diags.extend(r.diagnostics.iter().cloned());
    }
    diags.extend(a.graph.diagnostics.iter().cloned());
    diags
}

/// Lays the analyzed site out with `lay` (every page for `build`, the site-wide pages for
/// `serve`) and adds the files every build has: search index, highlight styles, theme statics,
/// content assets, each put into `sink`. Returns the diagnostics of these steps; the analysis
/// keeps its own.
pub fn assemble(
    root: &Path,
    config: &Config,
    a: &Analyzed,
    sink: &dyn Sink,
    lay: impl FnOnce(&SiteData<'_>, &tera::Tera, &dyn Sink) -> Vec<Diagnostic> + Send,
) -> Vec<Diagnostic> {
    let sink = FirstWins {
        sink,
        seen: Mutex::default(),
        twice: Mutex::default(),
    };
    // The search index reads only the rendered pages: made beside the layout, it keeps both
    // cores busy through the layout's one-thread stretches (the print views).
    let (mut diags, ()) = rayon::join(
        || match &a.tera {
            Ok(tera) => lay(&a.site_data(config), tera, &sink),
            Err(e) => e.clone(),
        },
        || {
            if config.search {
                crate::search::output(&a.pages, &a.rendered, &sink);
            }
        },
    );
    let used = a
        .rendered
        .iter()
        .chain(a.intros.values())
        .flat_map(|r| &r.code_classes);
    sink.put(OutputFile::new(
        "css/highlight.css",
        a.code.stylesheet(used),
    ));
    for (name, file) in &a.theme.statics {
        sink.put(OutputFile::new(name.clone(), file.content.clone()));
    }
    for asset in &a.assets {
        let path = root.join(&config.src).join(asset);
        match fsutil::read(&path) {
            Ok(bytes) => sink.put(OutputFile::new(
                asset.to_string_lossy().replace('\\', "/"),
                bytes,
            )),
            Err(e) => diags.push(Diagnostic::error(
                path.strip_prefix(root).unwrap_or(&path),
                Position::default(),
                e.cause.to_string(),
            )),
        }
    }
    for path in sink.twice.into_inner().expect("no panic holds it") {
        diags.push(
            Diagnostic::error(
                &path,
                Position::default(),
                format!("two files would be written to {path}"),
            )
            .with_help("rename the content or static file"),
        );
    }
    diagnostics::sort(&mut diags);
    diags
}

/// Two sources for one output path (a content file named like a theme file, say): the first is
/// kept and the others reported.
struct FirstWins<'s> {
    sink: &'s dyn Sink,
    seen: Mutex<HashSet<String>>,
    twice: Mutex<Vec<String>>,
}

impl Sink for FirstWins<'_> {
    fn put(&self, file: OutputFile) {
        if self
            .seen
            .lock()
            .expect("no panic holds it")
            .insert(file.path.clone())
        {
            self.sink.put(file);
        } else {
            self.twice
                .lock()
                .expect("no panic holds it")
                .push(file.path);
        }
    }
}
