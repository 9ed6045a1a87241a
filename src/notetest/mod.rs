//! `studybook test`: runs the code blocks of the notes marked runnable and checks their output,
//! the way rustdoc runs doc examples.
//!
//! [`blocks`] finds the blocks with the site's Markdown parser, [`toolchain`] finds each
//! language's interpreter or compiler, [`runner`] runs one test in a temp folder, [`cache`] skips
//! tests that passed before unchanged, and [`report`] words the results. `build`, `serve` and
//! `check` only read the attributes ([`fence`]) and never run code.

pub mod blocks;
pub mod cache;
pub mod fence;
pub mod lang;
pub mod report;
pub mod runner;
pub mod toolchain;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::config::{Config, NoSiteFolder};
use crate::diagnostics::{self, Diagnostic, Position};
use blocks::Job;
use cache::PassCache;
use lang::Lang;
use runner::{Failure, Outcome};
use toolchain::{Missing, Toolchain};

#[derive(Debug, Clone, Default)]
pub struct TestOptions {
    /// The site folder.
    pub root: PathBuf,
    /// Tests run at once; 0 is one per core.
    pub jobs: usize,
    /// Only pages whose path contains this, or that have this tag.
    pub filter: Option<String>,
    /// Only blocks of this language.
    pub lang: Option<Lang>,
    /// Run every test, even those that passed before unchanged.
    pub no_cache: bool,
    /// A missing toolchain fails its blocks instead of skipping them.
    pub require: bool,
}

/// Hears of each finished test (a progress bar on a terminal, nothing in tests).
pub trait Progress: Sync {
    fn start(&self, _tests: usize) {}
    fn finished(&self) {}
}

pub struct Silent;
impl Progress for Silent {}

/// How one test ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Passed,
    /// Passed before, unchanged since: not run.
    Cached,
    /// Marked `{skip}`.
    Skipped,
    /// Its language has no toolchain here.
    NoToolchain,
    Failed(Failure),
}

#[derive(Debug, Clone)]
pub struct TestResult {
    pub job: Job,
    pub status: Status,
}

#[derive(Debug, Default)]
pub struct TestReport {
    pub results: Vec<TestResult>,
    /// One per language without a toolchain.
    pub missing: Vec<Missing>,
    /// Configuration and attribute problems.
    pub diagnostics: Vec<Diagnostic>,
    /// Missing toolchains count as failures (`--require`).
    pub require: bool,
    pub elapsed: Duration,
}

/// The counts of the summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    /// Of the passed, those served from the cache.
    pub cached: usize,
}

impl TestReport {
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for r in &self.results {
            match &r.status {
                Status::Passed => c.passed += 1,
                Status::Cached => {
                    c.passed += 1;
                    c.cached += 1;
                }
                Status::Skipped => c.skipped += 1,
                Status::NoToolchain if self.require => c.failed += 1,
                Status::NoToolchain => c.skipped += 1,
                Status::Failed(_) => c.failed += 1,
            }
        }
        c
    }

    /// A test failed, a required toolchain is missing, or an attribute is wrong: exit code 1.
    pub fn failed(&self) -> bool {
        self.counts().failed > 0 || self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Runs the runnable blocks of the site at `opts.root`. Errors only when there is no site to
/// test; every problem with the notes is in the report.
pub fn run(opts: &TestOptions, progress: &dyn Progress) -> Result<TestReport, NoSiteFolder> {
    let started = Instant::now();
    if !opts.root.is_dir() {
        return Err(NoSiteFolder(opts.root.clone()));
    }
    let (config, mut diags) = Config::load(&opts.root);
    let Some(config) = config else {
        return Ok(TestReport {
            diagnostics: diags,
            ..TestReport::default()
        });
    };
    let jobs = collect(opts, &config.src, &mut diags);
    let mut tools: BTreeMap<Lang, Result<Toolchain, Missing>> = BTreeMap::new();
    for job in &jobs {
        if !job.skip {
            tools
                .entry(job.lang)
                .or_insert_with(|| toolchain::find(job.lang, &config.test));
        }
    }
    let cache_path = opts.root.join(cache::CACHE_FILE);
    let cache = PassCache::load(&cache_path);
    let timeout = config.test.timeout.unwrap_or(runner::DEFAULT_TIMEOUT);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.jobs)
        .build()
        .ok();
    progress.start(jobs.len());
    let run_one = |job: Job| -> (TestResult, Option<u128>) {
        let tool = tools.get(&job.lang).and_then(|t| t.as_ref().ok());
        let key = tool.map(|tool| cache::job_key(&job, tool, timeout.as_millis()));
        let status = match (tool, key) {
            _ if job.skip => Status::Skipped,
            (Some(_), Some(key)) if !opts.no_cache && cache.contains(key) => Status::Cached,
            (Some(tool), _) => match runner::run(&job, tool, timeout) {
                Outcome::Passed => Status::Passed,
                Outcome::Failed(f) => Status::Failed(f),
            },
            (None, _) => Status::NoToolchain,
        };
        progress.finished();
        (TestResult { job, status }, key)
    };
    let ran: Vec<_> = match &pool {
        Some(pool) => pool.install(|| jobs.into_par_iter().map(run_one).collect()),
        None => jobs.into_iter().map(run_one).collect(),
    };
    let keys_where = |pred: fn(&Status) -> bool| -> Vec<u128> {
        ran.iter()
            .filter(|(r, _)| pred(&r.status))
            .filter_map(|(_, k)| *k)
            .collect()
    };
    let passed = keys_where(|s| matches!(s, Status::Passed | Status::Cached));
    let failed = keys_where(|s| matches!(s, Status::Failed(_)));
    let results = ran.into_iter().map(|(r, _)| r).collect();
    let whole_site = opts.filter.is_none() && opts.lang.is_none();
    if let Err(e) = cache.save(&cache_path, &passed, &failed, whole_site) {
        diags.push(Diagnostic::warning(
            cache::CACHE_FILE,
            Position::default(),
            format!("test cache not saved: {e}"),
        ));
    }
    diagnostics::sort(&mut diags);
    Ok(TestReport {
        results,
        missing: tools.into_values().filter_map(Result::err).collect(),
        diagnostics: diags,
        require: opts.require,
        elapsed: started.elapsed(),
    })
}

/// The tests of every selected page, in file order, with the problems found on the way.
fn collect(opts: &TestOptions, content: &std::path::Path, diags: &mut Vec<Diagnostic>) -> Vec<Job> {
    let loaded = crate::load::load(&opts.root, content);
    diags.extend(loaded.diagnostics);
    let mut jobs = Vec::new();
    for source in &loaded.sources {
        let page = blocks::extract(source);
        diags.extend(page.diagnostics);
        if !selected(opts, source, &page.tags) {
            continue;
        }
        let (page_jobs, group_diags) = blocks::jobs(page.blocks);
        diags.extend(group_diags);
        jobs.extend(
            page_jobs
                .into_iter()
                .filter(|j| opts.lang.is_none_or(|l| l == j.lang)),
        );
    }
    jobs
}

/// `--filter`: a page is selected by a part of its path or by one of its tags.
fn selected(opts: &TestOptions, source: &crate::load::Source, tags: &[String]) -> bool {
    let Some(filter) = opts.filter.as_deref() else {
        return true;
    };
    let path = source.display_path.to_string_lossy().replace('\\', "/");
    path.contains(filter) || tags.iter().any(|t| t.eq_ignore_ascii_case(filter))
}
