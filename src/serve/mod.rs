//! `studybook serve`: builds the site into memory, serves it on loopback, rebuilds what an edit
//! touches and tells the browser over Server-Sent Events.
//!
//! The watcher thread owns the [`LiveSite`] and publishes immutable [`Snapshot`]s through a
//! `watch` channel; request handlers only read the latest snapshot.

pub mod change;
pub mod http;
pub mod site;

use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use notify::RecursiveMode;
use notify_debouncer_full::{new_debouncer, DebounceEventResult};
use termcolor::{ColorChoice, StandardStream};
use tokio::sync::watch;

use crate::diagnostics::{self, Diagnostic};
pub use change::{classify, Change};
pub use site::{Files, LiveSite};

/// How long edits must pause before the deferred site-wide outputs are made.
const IDLE: Duration = Duration::from_millis(300);

/// How long the watcher waits for an editor to finish saving before rebuilding.
const DEBOUNCE: Duration = Duration::from_millis(20);

pub struct ServeOptions {
    pub root: PathBuf,
    pub port: u16,
    pub bind: IpAddr,
    pub open: bool,
    pub quiet: bool,
}

/// What the server shows: the last good site, and the current build errors.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub files: Files,
    /// Counts publications; the page knows the version it was served at.
    pub version: u64,
    /// Output paths changed since the previous version.
    pub changed: Vec<String>,
    pub errors: Vec<Diagnostic>,
}

impl Snapshot {
    /// The `update` event the browser script reads.
    pub fn event_json(&self) -> String {
        let errors: Vec<_> = self
            .errors
            .iter()
            .map(|d| {
                serde_json::json!({
                    "file": d.file.to_string_lossy().replace('\\', "/"),
                    "line": d.position.line,
                    "column": d.position.column,
                    "message": d.message,
                    "help": d.help,
                })
            })
            .collect();
        serde_json::json!({
            "version": self.version,
            "changed": self.changed,
            "errors": errors,
        })
        .to_string()
    }
}

enum Message {
    Events(DebounceEventResult),
    Quit,
}

pub fn run(opts: &ServeOptions) -> anyhow::Result<()> {
    // Absolute, so the watcher's paths and the site's agree.
    let root = std::fs::canonicalize(&opts.root)
        .map_err(|e| anyhow::anyhow!("cannot serve {}: {e}", opts.root.display()))?;
    let started = Instant::now();
    let site = LiveSite::new(&root);
    print_diagnostics(&site.diagnostics, &root);
    if !opts.quiet {
        eprintln!(
            "built {} files in memory in {:.2}s",
            site.files.len(),
            started.elapsed().as_secs_f64()
        );
    }
    let first = Snapshot {
        files: site.files.clone(),
        version: 0,
        changed: Vec::new(),
        errors: errors_of(&site.diagnostics),
    };
    let (publish, snapshots) = watch::channel(Arc::new(first));

    let (tx, rx) = mpsc::channel();
    let events_tx = tx.clone();
    let mut debouncer = new_debouncer(DEBOUNCE, None, move |r| {
        let _ = events_tx.send(Message::Events(r));
    })?;
    debouncer.watch(&root, RecursiveMode::NonRecursive)?;
    let mut watcher = Watcher {
        debouncer,
        watched: Vec::new(),
    };
    watcher.watch_new_dirs(&site);
    let quiet = opts.quiet;
    let worker = std::thread::spawn(move || watch_loop(site, watcher, rx, publish, quiet));

    if !opts.bind.is_loopback() {
        eprintln!(
            "warning: serving on {} makes the site reachable from other machines; use it only on a network you trust",
            opts.bind
        );
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let result = runtime.block_on(async {
        let wanted = SocketAddr::new(opts.bind, opts.port);
        let listener = tokio::net::TcpListener::bind(wanted).await.map_err(|e| {
            let hint = if e.kind() == std::io::ErrorKind::AddrInUse {
                format!(" (another server uses port {}: try --port {})", opts.port, opts.port.wrapping_add(1))
            } else {
                String::new()
            };
            anyhow::anyhow!("cannot listen on {wanted}: {e}{hint}")
        })?;
        let addr = listener.local_addr()?;
        let url = format!("http://{addr}/");
        println!("serving {} at {url} (Ctrl+C to stop)", root.display());
        std::io::stdout().flush()?;
        if opts.open {
            open_browser(&url);
        }
        tokio::select! {
            served = axum::serve(listener, http::router(snapshots, opts.bind.is_loopback())) => served.map_err(anyhow::Error::from),
            _ = tokio::signal::ctrl_c() => Ok(()),
        }
    });
    let _ = tx.send(Message::Quit);
    let _ = worker.join();
    runtime.shutdown_timeout(Duration::from_millis(100));
    result
}

/// The file watcher: the root itself without recursion (book.toml, so editors that replace the
/// file by renaming work, and new folders), and content/, templates/ and static/ recursively once
/// they exist.
struct Watcher {
    debouncer: notify_debouncer_full::Debouncer<
        notify::RecommendedWatcher,
        notify_debouncer_full::RecommendedCache,
    >,
    watched: Vec<PathBuf>,
}

impl Watcher {
    fn watch_new_dirs(&mut self, site: &LiveSite) {
        let content = site
            .config()
            .map_or(Path::new("content"), |c| c.src.as_path());
        for dir in [
            content,
            Path::new(crate::theme::TEMPLATES_DIR),
            Path::new(crate::theme::STATIC_DIR),
        ] {
            let dir = site.root().join(dir);
            if dir.is_dir() && !self.watched.contains(&dir) {
                match self.debouncer.watch(&dir, RecursiveMode::Recursive) {
                    Ok(()) => self.watched.push(dir),
                    Err(e) => eprintln!("warning: cannot watch {}: {e}", dir.display()),
                }
            }
        }
    }
}

/// Applies each batch of file events to the site and publishes what the browser should see.
fn watch_loop(
    mut site: LiveSite,
    mut watcher: Watcher,
    rx: mpsc::Receiver<Message>,
    publish: watch::Sender<Arc<Snapshot>>,
    quiet: bool,
) {
    let root = site.root().to_path_buf();
    // Output paths changed since the last good site was published (they pile up during errors).
    let mut pending: std::collections::BTreeSet<String> = Default::default();
    loop {
        let message = if site.has_deferred() {
            match rx.recv_timeout(IDLE) {
                Ok(m) => m,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    finish(&mut site, &publish, &mut pending, quiet);
                    continue;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        } else {
            match rx.recv() {
                Ok(m) => m,
                Err(_) => break,
            }
        };
        let Message::Events(result) = message else {
            break;
        };
        let Ok(events) = result else { continue };
        let started = Instant::now();
        let (content, build_dir) = site
            .config()
            .map(|c| (c.src.clone(), c.build_dir.clone()))
            .unwrap_or_else(|| ("content".into(), "book".into()));
        let mut changes: Vec<Change> = Vec::new();
        for event in &events {
            if event.kind.is_access() {
                continue;
            }
            for path in &event.paths {
                let rel = path.strip_prefix(&root).unwrap_or(path);
                let change = classify(rel, &content, &build_dir);
                if change != Change::Ignored && !changes.contains(&change) {
                    changes.push(change);
                }
            }
        }
        if changes.is_empty() {
            continue;
        }
        watcher.watch_new_dirs(&site);
        let had_errors = !publish.borrow().errors.is_empty();
        let update = site.apply(&changes);
        pending.extend(update.changed);
        let previous = publish.borrow().clone();
        let errors = errors_of(&site.diagnostics);
        if !errors.is_empty() || had_errors {
            print_diagnostics(&site.diagnostics, &root);
        }
        let snapshot = if errors.is_empty() {
            Snapshot {
                files: site.files.clone(),
                version: previous.version + 1,
                changed: std::mem::take(&mut pending).into_iter().collect(),
                errors,
            }
        } else {
            Snapshot {
                files: previous.files.clone(),
                version: previous.version + 1,
                changed: Vec::new(),
                errors,
            }
        };
        if !quiet {
            eprintln!(
                "{} {} output{} changed in {:.0} ms ({})",
                if snapshot.errors.is_empty() {
                    "rebuilt:"
                } else {
                    "build failed, serving the last good site:"
                },
                snapshot.changed.len(),
                if snapshot.changed.len() == 1 { "" } else { "s" },
                started.elapsed().as_secs_f64() * 1000.0,
                if update.incremental {
                    "incremental"
                } else {
                    "full"
                },
            );
        }
        let _ = publish.send(Arc::new(snapshot));
    }
    site.save_cache();
}

/// Makes the site-wide outputs deferred past the reload once the edits pause.
fn finish(
    site: &mut LiveSite,
    publish: &watch::Sender<Arc<Snapshot>>,
    pending: &mut std::collections::BTreeSet<String>,
    quiet: bool,
) {
    let started = Instant::now();
    let later = site.finish();
    pending.extend(later.changed);
    let previous = publish.borrow().clone();
    let errors = errors_of(&site.diagnostics);
    if !errors.is_empty() {
        if previous.errors.is_empty() {
            print_diagnostics(&site.diagnostics, site.root());
            let _ = publish.send(Arc::new(Snapshot {
                files: previous.files.clone(),
                version: previous.version + 1,
                changed: Vec::new(),
                errors,
            }));
        }
    } else if !pending.is_empty() {
        if !quiet {
            eprintln!(
                "site-wide pages updated: {} output{} changed in {:.0} ms",
                pending.len(),
                if pending.len() == 1 { "" } else { "s" },
                started.elapsed().as_secs_f64() * 1000.0
            );
        }
        let _ = publish.send(Arc::new(Snapshot {
            files: site.files.clone(),
            version: previous.version + 1,
            changed: std::mem::take(pending).into_iter().collect(),
            errors: Vec::new(),
        }));
    }
}

fn errors_of(diags: &[Diagnostic]) -> Vec<Diagnostic> {
    diags.iter().filter(|d| d.is_error()).cloned().collect()
}

fn print_diagnostics(diags: &[Diagnostic], root: &Path) {
    let mut err = StandardStream::stderr(ColorChoice::Never);
    let _ = diagnostics::print_human(diags, root, &mut err);
    let _ = err.flush();
}

/// Opens the URL in the desktop's browser; failing to is not an error worth stopping for.
fn open_browser(url: &str) {
    let program = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if let Err(e) = std::process::Command::new(program).arg(url).spawn() {
        eprintln!("could not open a browser ({e}); open {url} yourself");
    }
}
