//! Runs the pipeline: `generate` makes the whole site in memory, `build` also writes it.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::cache::RenderCache;
use crate::config::Config;
use crate::diagnostics::{self, Diagnostic, Position};
use crate::fsutil::{self, IoError};
use crate::graph;
use crate::graph::LinkGraph;
use crate::highlight::CodeTheme;
use crate::index::SiteIndex;
use crate::layout::{self, SiteData};
use crate::load;
use crate::math::MathRenderer;
use crate::parse::{self, CategoryMeta, Page};
use crate::render::{self, Doc, RenderEnv, Rendered};
use crate::strings::Strings;
use crate::theme::{Theme, STATIC_DIR, TEMPLATES_DIR};
use crate::write::{self, OutputFile, WriteStats};

/// Where render results are kept between builds.
pub const CACHE_FILE: &str = ".studybook/cache/render.json";

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

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    pub pages: usize,
    pub formulas: usize,
    /// Of those, the ones KaTeX rendered in this build (the rest came from the cache).
    pub formulas_rendered: usize,
    /// Render-cache lookups (math and code) answered from the cache, and rendered anew.
    pub cache_hits: usize,
    pub cache_misses: usize,
    pub write: WriteStats,
    pub elapsed: Duration,
}

/// The site as files in memory, with every diagnostic found on the way.
#[derive(Debug, Default)]
pub struct Generated {
    pub files: Vec<OutputFile>,
    pub diagnostics: Vec<Diagnostic>,
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
    #[error("there is no site folder at {}: give the folder that holds book.toml and content/, or create one with `studybook init`", .0.display())]
    NoSiteFolder(PathBuf),
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
        return Err(BuildError::NoSiteFolder(opts.root.clone()));
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
    let cache = RenderCache::open(&opts.root.join(CACHE_FILE));
    let mut generated = generate(&opts.root, &config, &cache, progress);
    diags.append(&mut generated.diagnostics);
    generated.diagnostics = diags;
    diagnostics::sort(&mut generated.diagnostics);
    generated.stats.write = write::write_output(&dest, &generated.files)?;
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
    let mut generated = generate(&opts.root, &config, &cache, &Silent);
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
        if dest == folder || dest.starts_with(&folder) || folder.starts_with(&dest) {
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
    pub index: SiteIndex,
    pub rendered: Vec<Rendered>,
    pub intros: BTreeMap<String, Rendered>,
    pub graph: LinkGraph,
    /// The `[highlight]` themes pages were highlighted with.
    pub code: CodeTheme,
    /// Theme, load and parse diagnostics; render and graph ones stay with their results.
    pub diagnostics: Vec<Diagnostic>,
}

/// The whole site in memory.
pub fn generate(
    root: &Path,
    config: &Config,
    cache: &RenderCache,
    progress: &dyn Progress,
) -> Generated {
    let started = Instant::now();
    let analyzed = analyze(root, config, cache, progress);
    let cache_saved = cache.finish_rendering();
    let mut generated = assemble(root, config, &analyzed, true, layout::layout);
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
        write: WriteStats::default(),
        elapsed: started.elapsed(),
    };
    generated
}

/// Loads, parses, indexes and renders every page, and builds the link graph.
pub fn analyze(
    root: &Path,
    config: &Config,
    cache: &RenderCache,
    progress: &dyn Progress,
) -> Analyzed {
    let mut diags = Vec::new();
    let (theme, theme_diags) = Theme::load(root);
    diags.extend(theme_diags);
    let tera = layout::templates(&theme);
    let loaded = load::load(root, &config.src);
    diags.extend(loaded.diagnostics);
    let parsed = parse::parse(loaded.sources);
    diags.extend(parsed.diagnostics);
    let pages = parsed.pages;
    let index = SiteIndex::build(&pages, &parsed.categories);
    let strings = Strings::for_language(config.language);
    let assets: HashSet<PathBuf> = loaded.assets.iter().cloned().collect();
    let math = MathRenderer::new(&config.math_macros, cache);
    let code = code_theme(config, &mut diags);
    let env = RenderEnv {
        pages: &pages,
        index: &index,
        math: &math,
        cache,
        code: &code,
        assets: &assets,
        strings: &strings,
    };
    progress.start(pages.len());
    let rendered: Vec<Rendered> = (0..pages.len())
        .into_par_iter()
        .map(|id| {
            let r = render::render(&env, &Doc::of_page(&pages[id], id));
            progress.page_rendered();
            r
        })
        .collect();
    let intros = render_intros(&env, &parsed.categories);
    let links: Vec<&[usize]> = rendered.iter().map(|r| r.links_out.as_slice()).collect();
    let graph = graph::build(&pages, &index, &links);
    Analyzed {
        theme,
        tera,
        strings,
        assets: loaded.assets,
        pages,
        categories: parsed.categories,
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

/// Lays the analyzed site out with `lay` (all pages for `build`, the changed ones for `serve`) and
/// adds the files every build has: search index, highlight styles, theme statics, content assets.
/// `serve` leaves the search index out (`with_search` false) and adds it after the reload.
pub fn assemble(
    root: &Path,
    config: &Config,
    a: &Analyzed,
    with_search: bool,
    lay: impl FnOnce(&SiteData<'_>, &tera::Tera) -> (Vec<OutputFile>, Vec<Diagnostic>),
) -> Generated {
    let mut diags = analysis_diagnostics(a);
    let mut files = Vec::new();
    match &a.tera {
        Ok(tera) => {
            let (laid_out, layout_diags) = lay(&a.site_data(config), tera);
            files = laid_out;
            diags.extend(layout_diags);
        }
        Err(e) => diags.extend(e.iter().cloned()),
    }
    if config.search && with_search {
        files.extend(crate::search::output(&a.pages, &a.rendered));
    }
    let used = a
        .rendered
        .iter()
        .chain(a.intros.values())
        .flat_map(|r| &r.code_classes);
    files.push(OutputFile::new(
        "css/highlight.css",
        a.code.stylesheet(used),
    ));
    for (name, file) in &a.theme.statics {
        files.push(OutputFile::new(name.clone(), file.content.clone()));
    }
    for asset in &a.assets {
        let path = root.join(&config.src).join(asset);
        match fsutil::read(&path) {
            Ok(bytes) => files.push(OutputFile::new(
                asset.to_string_lossy().replace('\\', "/"),
                bytes,
            )),
            Err(e) => diags.push(Diagnostic::error(
                path.strip_prefix(root).unwrap_or(&path),
                Position::default(),
                e.source.to_string(),
            )),
        }
    }
    duplicate_outputs(&mut files, &mut diags);
    diagnostics::sort(&mut diags);
    Generated {
        files,
        diagnostics: diags,
        stats: Stats::default(),
    }
}

/// Two sources for one output path (a content file named like a theme file, say): keep the first, report it.
fn duplicate_outputs(files: &mut Vec<OutputFile>, diags: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::new();
    files.retain(|f| {
        if seen.insert(f.path.clone()) {
            true
        } else {
            diags.push(
                Diagnostic::error(
                    &f.path,
                    Position::default(),
                    format!("two files would be written to {}", f.path),
                )
                .with_help("rename the content or static file"),
            );
            false
        }
    });
}
