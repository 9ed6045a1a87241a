//! Render cache for math and highlighted code: in memory during a build, on disk between builds.
//!
//! Entries are keyed by a 128-bit hash of everything that affects the output (engine version,
//! options, input). Only entries used by the last build are written back, so the file never grows
//! with edits that were undone.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, RwLock};
use std::thread::JoinHandle;

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::Xxh3;

/// Where render results are kept between builds, relative to the site root.
pub const CACHE_FILE: &str = ".studybook/cache/render.json";

const FORMAT: u32 = 1;

#[derive(Deserialize)]
struct OnDisk {
    format: u32,
    entries: Vec<(String, String)>,
}

/// The same file, written from borrowed entries (no copy of tens of MB of HTML).
#[derive(Serialize)]
struct OnDiskRef<'a> {
    format: u32,
    entries: Vec<(String, &'a str)>,
}

#[derive(Default)]
pub struct RenderCache {
    path: Option<PathBuf>,
    /// Loaded from `path` but never written back (`studybook check` writes nothing).
    read_only: bool,
    /// The file is read and parsed on a background thread while the pipeline loads and parses
    /// the content (tens of MB on a large site); the first lookup waits for it.
    pending: Mutex<Option<JoinHandle<HashMap<u128, String>>>>,
    store: OnceLock<Store>,
    used: Mutex<HashSet<u128>>,
    pub hits: AtomicUsize,
    pub misses: AtomicUsize,
}

struct Store {
    entries: RwLock<HashMap<u128, String>>,
    /// How many entries came from the file.
    loaded: usize,
}

fn read_file(path: &Path) -> HashMap<u128, String> {
    std::fs::read(path)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<OnDisk>(&bytes).ok())
        .filter(|d| d.format == FORMAT)
        .map(|d| {
            d.entries
                .into_iter()
                .filter_map(|(k, v)| u128::from_str_radix(&k, 16).ok().map(|k| (k, v)))
                .collect()
        })
        .unwrap_or_default()
}

/// Hashes a sequence of strings unambiguously (each part is length-prefixed).
pub fn key(parts: &[&str]) -> u128 {
    let mut h = Xxh3::new();
    for p in parts {
        h.update(&(p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    h.digest128()
}

impl RenderCache {
    /// An in-memory cache (tests, `check`).
    pub fn in_memory() -> Self {
        Self::default()
    }

    /// Starts loading the cache file if it is there and readable; a damaged file is ignored,
    /// not an error.
    pub fn open(path: &Path) -> Self {
        let file = path.to_path_buf();
        let loader = std::thread::spawn(move || read_file(&file));
        Self {
            path: Some(path.to_path_buf()),
            pending: Mutex::new(Some(loader)),
            ..Self::default()
        }
    }

    /// Like `open`, but the file is never written.
    pub fn open_read_only(path: &Path) -> Self {
        Self {
            read_only: true,
            ..Self::open(path)
        }
    }

    /// Called once every page is rendered: saves the cache (unless read-only) and frees its
    /// entries, which the layout stage no longer needs. Later lookups render anew.
    pub fn finish_rendering(&self) -> Result<(), crate::fsutil::IoError> {
        let saved = if self.read_only { Ok(()) } else { self.save() };
        *self.store().entries.write().expect("cache lock") = HashMap::new();
        saved
    }

    fn store(&self) -> &Store {
        self.store.get_or_init(|| {
            let pending = self.pending.lock().expect("cache lock").take();
            let entries = pending.and_then(|h| h.join().ok()).unwrap_or_default();
            Store {
                loaded: entries.len(),
                entries: RwLock::new(entries),
            }
        })
    }

    pub fn get_or_render<E>(
        &self,
        key: u128,
        render: impl FnOnce() -> Result<String, E>,
    ) -> Result<String, E> {
        self.fetch(key, render).map(|(html, _)| html)
    }

    /// Like `get_or_render`, and says whether the value was rendered now (true) or cached.
    pub fn fetch<E>(
        &self,
        key: u128,
        render: impl FnOnce() -> Result<String, E>,
    ) -> Result<(String, bool), E> {
        self.used.lock().expect("cache lock").insert(key);
        if let Some(hit) = self.store().entries.read().expect("cache lock").get(&key) {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return Ok((hit.clone(), false));
        }
        let html = render()?;
        self.misses.fetch_add(1, Ordering::Relaxed);
        self.store()
            .entries
            .write()
            .expect("cache lock")
            .insert(key, html.clone());
        Ok((html, true))
    }

    /// Writes the entries this build used, if anything changed since loading.
    pub fn save(&self) -> Result<(), crate::fsutil::IoError> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let used = self.used.lock().expect("cache lock");
        if self.misses.load(Ordering::Relaxed) == 0 && used.len() == self.store().loaded {
            return Ok(());
        }
        let entries = self.store().entries.read().expect("cache lock");
        let mut list: Vec<(String, &str)> = used
            .iter()
            .filter_map(|k| entries.get(k).map(|v| (format!("{k:032x}"), v.as_str())))
            .collect();
        list.sort_unstable();
        let bytes = serde_json::to_vec(&OnDiskRef {
            format: FORMAT,
            entries: list,
        })
        .expect("cache serializes");
        crate::fsutil::write(path, &bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_only_cache_loads_but_never_writes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.json");
        let c = RenderCache::open_read_only(&path);
        c.get_or_render::<()>(1, || Ok("one".into())).unwrap();
        c.finish_rendering().unwrap();
        assert!(!path.exists());
        let c = RenderCache::open(&path);
        c.get_or_render::<()>(1, || Ok("one".into())).unwrap();
        c.finish_rendering().unwrap();
        assert!(path.exists());
        let again = c
            .get_or_render::<()>(1, || Ok("rendered again".into()))
            .unwrap();
        assert_eq!(again, "rendered again", "entries are freed after rendering");
    }

    #[test]
    fn keys_are_unambiguous() {
        assert_ne!(key(&["ab", "c"]), key(&["a", "bc"]));
    }

    #[test]
    fn round_trip_through_disk_keeps_only_used_entries() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.json");
        let c = RenderCache::open(&path);
        c.get_or_render::<()>(1, || Ok("one".into())).unwrap();
        c.get_or_render::<()>(2, || Ok("two".into())).unwrap();
        c.save().unwrap();
        let c = RenderCache::open(&path);
        let v = c
            .get_or_render::<()>(1, || panic!("must be cached"))
            .unwrap();
        assert_eq!(v, "one");
        assert_eq!(c.hits.load(Ordering::Relaxed), 1);
        c.save().unwrap();
        let c = RenderCache::open(&path);
        assert_eq!(c.store().loaded, 1);
    }
}
