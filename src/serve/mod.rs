//! `studybook serve`: builds the site into memory, serves it on loopback, rebuilds what an edit
//! touches and tells the browser over Server-Sent Events.
//!
//! The watcher thread owns the [`LiveSite`] and publishes immutable [`Snapshot`]s through a
//! `watch` channel; request handlers only read the latest snapshot.

pub mod change;
pub mod http;
mod memory;
pub mod site;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use notify::RecursiveMode;
use notify_debouncer_full::{new_debouncer, DebounceEventResult, DebouncedEvent};
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
    /// The version in which each output path last changed. The channel keeps only the latest
    /// snapshot, so a client whose event stream skipped versions (two updates published before
    /// it was sent the first) learns from this what changed since the version it saw.
    pub history: Arc<BTreeMap<String, u64>>,
}

impl Snapshot {
    /// The `update` event the browser script reads, for a client last sent version `seen`: its
    /// `changed` covers every version since then.
    pub fn event_json(&self, seen: Option<u64>) -> String {
        let changed: Vec<&str> = match seen {
            Some(seen) if seen + 1 < self.version => self
                .history
                .iter()
                .filter(|(_, &version)| version > seen)
                .map(|(path, _)| path.as_str())
                .collect(),
            _ => self.changed.iter().map(String::as_str).collect(),
        };
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
            "changed": changed,
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
    memory::release_freed();
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
        errors: errors_of(&site.diagnostics),
        ..Snapshot::default()
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
    watched: Vec<Watched>,
}

/// A folder watched recursively, and which folder it was when the watch was set.
struct Watched {
    path: PathBuf,
    identity: Identity,
}

/// What tells one folder from another of the same name: device and inode on Unix. Elsewhere only
/// whether a folder is there, and events that name the folder itself do the rest.
type Identity = (u64, u64);

fn identity(path: &Path) -> Option<Identity> {
    let meta = std::fs::metadata(path).ok().filter(|m| m.is_dir())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        Some((meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        Some((0, 0))
    }
}

impl Watcher {
    /// The folders the site reads, relative to the root.
    fn dirs(site: &LiveSite) -> [PathBuf; 3] {
        let content = site
            .config()
            .map_or(Path::new("content"), |c| c.src.as_path());
        [
            content.to_path_buf(),
            crate::theme::TEMPLATES_DIR.into(),
            crate::theme::STATIC_DIR.into(),
        ]
    }

    /// Watches the site's folders that exist and are not watched yet; returns those it added.
    fn watch_new_dirs(&mut self, site: &LiveSite) -> Vec<PathBuf> {
        let mut added = Vec::new();
        for rel in Self::dirs(site) {
            let dir = site.root().join(&rel);
            let Some(identity) = identity(&dir) else {
                continue;
            };
            if self.watched.iter().any(|w| w.path == dir) {
                continue;
            }
            match self.debouncer.watch(&dir, RecursiveMode::Recursive) {
                Ok(()) => {
                    self.watched.push(Watched {
                        path: dir,
                        identity,
                    });
                    added.push(rel);
                }
                Err(e) => eprintln!("warning: cannot watch {}: {e}", dir.display()),
            }
        }
        added
    }

    /// Watches again the folders that were replaced: moved away and back, deleted and made anew,
    /// swapped by an editor or a checkout. The old watch followed the old folder or went away with
    /// it, so every later edit would be missed. A folder counts as replaced when an event names it
    /// or it is no longer the same folder (or gone). Returns the folders, relative to the root,
    /// that are watched anew: their files may have changed unseen, so the caller rebuilds.
    fn rewatch_replaced(&mut self, site: &LiveSite, named: &[&Path]) -> Vec<PathBuf> {
        let debouncer = &mut self.debouncer;
        self.watched.retain(|w| {
            let same = !named.contains(&w.path.as_path()) && identity(&w.path) == Some(w.identity);
            if !same {
                // The watch may be gone already (notify drops it when the folder moves away).
                let _ = debouncer.unwatch(&w.path);
            }
            same
        });
        self.watch_new_dirs(site)
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
                    memory::release_freed();
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
        let Some(events) = drain(message, &rx) else {
            break;
        };
        let started = Instant::now();
        let (content, build_dir) = site
            .config()
            .map(|c| (c.src.clone(), c.build_dir.clone()))
            .unwrap_or_else(|| ("content".into(), "book".into()));
        let named: Vec<&Path> = events
            .iter()
            .filter(|e| !e.kind.is_access())
            .flat_map(|e| e.paths.iter().map(PathBuf::as_path))
            .collect();
        let mut changes: Vec<Change> = Vec::new();
        let rewatched = watcher.rewatch_replaced(&site, &named);
        for rel in rewatched.iter().map(PathBuf::as_path).chain(
            named
                .iter()
                .map(|path| path.strip_prefix(&root).unwrap_or(path)),
        ) {
            let change = classify(rel, &content, &build_dir);
            if change != Change::Ignored && !changes.contains(&change) {
                changes.push(change);
            }
        }
        if changes.is_empty() {
            continue;
        }
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
                ..Snapshot::default()
            }
        } else {
            Snapshot {
                files: previous.files.clone(),
                version: previous.version + 1,
                errors,
                ..Snapshot::default()
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
        publish_version(&publish, snapshot);
        memory::release_freed();
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
            publish_version(
                publish,
                Snapshot {
                    files: previous.files.clone(),
                    version: previous.version + 1,
                    errors,
                    ..Snapshot::default()
                },
            );
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
        publish_version(
            publish,
            Snapshot {
                files: site.files.clone(),
                version: previous.version + 1,
                changed: std::mem::take(pending).into_iter().collect(),
                ..Snapshot::default()
            },
        );
    }
}

/// Publishes the next version, its changed paths recorded in the history it carries on.
fn publish_version(publish: &watch::Sender<Arc<Snapshot>>, mut snapshot: Snapshot) {
    let mut history = BTreeMap::clone(&publish.borrow().history);
    for path in &snapshot.changed {
        history.insert(path.clone(), snapshot.version);
    }
    snapshot.history = Arc::new(history);
    let _ = publish.send(Arc::new(snapshot));
}

/// Everything the watcher has queued, merged with the message just received: while one update
/// runs, saves pile up, and applying them one by one would put the site ever further behind the
/// files (a thousand saves, a thousand updates). None when the server is stopping.
fn drain(first: Message, rx: &mpsc::Receiver<Message>) -> Option<Vec<DebouncedEvent>> {
    let mut events = Vec::new();
    let mut next = Some(first);
    while let Some(message) = next {
        match message {
            Message::Quit => return None,
            Message::Events(Ok(batch)) => events.extend(batch),
            // The watcher's own errors (a watch limit reached): nothing to apply.
            Message::Events(Err(_)) => {}
        }
        next = rx.try_recv().ok();
    }
    Some(events)
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

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{DataChange, ModifyKind};
    use notify::{Event, EventKind};

    /// A copy of the `basic` fixture, canonical as `run` makes the root.
    fn fixture() -> (tempfile::TempDir, PathBuf) {
        let dir = site::tests::fixture_named("basic");
        let root = std::fs::canonicalize(dir.path()).unwrap();
        (dir, root)
    }

    fn saved(path: &Path) -> Message {
        let event = Event::new(EventKind::Modify(ModifyKind::Data(DataChange::Any)))
            .add_path(path.to_path_buf());
        Message::Events(Ok(vec![DebouncedEvent::new(event, Instant::now())]))
    }

    #[test]
    fn saves_queued_during_an_update_are_applied_as_one() {
        let (_dir, root) = fixture();
        let site = LiveSite::new(&root);
        let (publish, snapshots) = watch::channel(Arc::new(Snapshot::default()));
        let watcher = Watcher {
            debouncer: new_debouncer(DEBOUNCE, None, |_: DebounceEventResult| {}).unwrap(),
            watched: Vec::new(),
        };
        let page = root.join("content/gan/wgan.md");
        let text = std::fs::read_to_string(&page).unwrap();
        let (tx, rx) = mpsc::channel();
        for i in 0..100 {
            std::fs::write(&page, format!("{text}\nSave number {i}.\n")).unwrap();
            tx.send(saved(&page)).unwrap();
        }
        // The loop ends when the channel is empty and closed, before the idle-time work.
        drop(tx);
        watch_loop(site, watcher, rx, publish, true);
        let last = snapshots.borrow();
        assert_eq!(last.version, 1, "one update for the queued saves");
        assert!(last.changed.iter().any(|p| p == "gan/wgan.html"));
        let html = String::from_utf8_lossy(&last.files["gan/wgan.html"]).into_owned();
        assert!(html.contains("Save number 99."), "the last save is shown");
    }

    fn changed_in(event: &str) -> Vec<String> {
        let value: serde_json::Value = serde_json::from_str(event).unwrap();
        serde_json::from_value(value["changed"].clone()).unwrap()
    }

    #[test]
    fn a_client_that_skipped_versions_is_told_everything_they_changed() {
        let (publish, snapshots) = watch::channel(Arc::new(Snapshot::default()));
        for (version, changed) in [(1, "a.html"), (2, "b.html"), (3, "index.html")] {
            publish_version(
                &publish,
                Snapshot {
                    version,
                    changed: vec![changed.to_string()],
                    ..Snapshot::default()
                },
            );
        }
        let latest = snapshots.borrow().clone();
        // Sent version 1, then version 3: version 2's page changed too.
        assert_eq!(
            changed_in(&latest.event_json(Some(1))),
            ["b.html", "index.html"]
        );
        assert_eq!(changed_in(&latest.event_json(Some(2))), ["index.html"]);
        assert_eq!(changed_in(&latest.event_json(None)), ["index.html"]);
    }

    #[test]
    fn a_stop_request_among_queued_saves_stops_without_applying_them() {
        let (tx, rx) = mpsc::channel();
        tx.send(saved(Path::new("/site/content/a.md"))).unwrap();
        tx.send(Message::Quit).unwrap();
        assert!(drain(saved(Path::new("/site/content/b.md")), &rx).is_none());
        tx.send(saved(Path::new("/site/content/a.md"))).unwrap();
        tx.send(saved(Path::new("/site/content/b.md"))).unwrap();
        let events = drain(saved(Path::new("/site/content/c.md")), &rx).unwrap();
        assert_eq!(events.len(), 3);
    }
}
