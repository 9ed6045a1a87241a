//! Render cache for math and highlighted code: in memory during a build, on disk between builds.
//!
//! Entries are keyed by a 128-bit hash of everything that affects the output (engine version,
//! options, input). Only entries used by the last build are written back, so the file never grows
//! with edits that were undone. On disk each entry is its key, the text's length, the packed
//! length, an xxh3 checksum and the LZ4-packed text ([`Packed`]); a file damaged anywhere is
//! ignored as a whole.

use std::collections::{HashMap, HashSet};
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use xxhash_rust::xxh3::Xxh3;

use crate::packed::Packed;

/// Where render results are kept between builds, relative to the site root.
pub const CACHE_FILE: &str = ".studybook/cache/render.bin";

/// The file starts with this line and a format number; a file from another version is ignored.
const MAGIC: &[u8] = b"studybook render cache\n";
const FORMAT: u32 = 2;

#[derive(Default)]
pub struct RenderCache {
    path: Option<PathBuf>,
    /// Loaded from `path` but never written back (`studybook check` writes nothing).
    read_only: bool,
    /// The file is read on a background thread while the pipeline loads and parses the content
    /// (tens of MB on a large site); the first lookup waits for it.
    pending: Mutex<Option<JoinHandle<HashMap<u128, Packed>>>>,
    store: OnceLock<Store>,
    used: Mutex<HashSet<u128>>,
    pub hits: AtomicUsize,
    pub misses: AtomicUsize,
    /// Nanoseconds spent rendering the misses (KaTeX and syntect), summed over threads: the part
    /// of a cold build no layout or writing change can shorten.
    rendering: AtomicU64,
}

struct Store {
    /// Packed: KaTeX's markup for a formula is a few KB of repetitive spans.
    entries: RwLock<HashMap<u128, Packed>>,
    /// How many entries came from the file.
    loaded: usize,
}

/// The entries of the file at `path`, streamed from disk: none when it is missing, from another
/// format, or damaged anywhere (a damaged cache is ignored, not an error). The checksums find
/// damage; an entry that still does not unpack is rendered anew when looked up.
fn read_file(path: &Path) -> HashMap<u128, Packed> {
    let Ok(file) = std::fs::File::open(path) else {
        return HashMap::new();
    };
    read_entries(&mut BufReader::new(file)).unwrap_or_default()
}

fn read_entries(r: &mut impl Read) -> Option<HashMap<u128, Packed>> {
    let mut head = [0u8; MAGIC.len() + 4];
    r.read_exact(&mut head).ok()?;
    if &head[..MAGIC.len()] != MAGIC || head[MAGIC.len()..] != FORMAT.to_le_bytes() {
        return None;
    }
    let mut entries = HashMap::new();
    loop {
        let mut key = [0u8; 16];
        match r.read_exact(&mut key) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Some(entries),
            Err(_) => return None,
        }
        let mut head = [0u8; 16];
        r.read_exact(&mut head).ok()?;
        let len = u32::from_le_bytes(head[..4].try_into().ok()?) as usize;
        let packed_len = u32::from_le_bytes(head[4..8].try_into().ok()?) as usize;
        let checksum = u64::from_le_bytes(head[8..].try_into().ok()?);
        let mut bytes = vec![0u8; packed_len];
        r.read_exact(&mut bytes).ok()?;
        if xxhash_rust::xxh3::xxh3_64(&bytes) != checksum {
            return None;
        }
        entries.insert(u128::from_le_bytes(key), Packed::from_parts(bytes, len));
    }
}

fn write_entries<'a>(
    w: &mut impl Write,
    entries: impl Iterator<Item = (u128, &'a Packed)>,
) -> std::io::Result<()> {
    w.write_all(MAGIC)?;
    w.write_all(&FORMAT.to_le_bytes())?;
    for (key, value) in entries {
        let (bytes, len) = value.parts();
        let too_long = || std::io::Error::other("a cache entry over 4 GB");
        w.write_all(&key.to_le_bytes())?;
        w.write_all(&u32::try_from(len).map_err(|_| too_long())?.to_le_bytes())?;
        w.write_all(
            &u32::try_from(bytes.len())
                .map_err(|_| too_long())?
                .to_le_bytes(),
        )?;
        w.write_all(&xxhash_rust::xxh3::xxh3_64(bytes).to_le_bytes())?;
        w.write_all(bytes)?;
    }
    w.flush()
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

    /// True when there is no cache file yet: every formula will be rendered.
    pub fn is_cold(&self) -> bool {
        self.path.as_ref().is_none_or(|p| !p.exists())
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
        let hit = self
            .store()
            .entries
            .read()
            .expect("cache lock")
            .get(&key)
            .and_then(Packed::try_unpack);
        if let Some(hit) = hit {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return Ok((hit, false));
        }
        let started = Instant::now();
        let html = render()?;
        self.rendering
            .fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
        self.misses.fetch_add(1, Ordering::Relaxed);
        self.store()
            .entries
            .write()
            .expect("cache lock")
            .insert(key, Packed::new(&html));
        Ok((html, true))
    }

    /// The time spent rendering misses so far, summed over threads.
    pub fn rendering(&self) -> Duration {
        Duration::from_nanos(self.rendering.load(Ordering::Relaxed))
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
        let mut keys: Vec<u128> = used
            .iter()
            .copied()
            .filter(|k| entries.contains_key(k))
            .collect();
        keys.sort_unstable();
        // Streamed to a temporary file and renamed: a killed build leaves the old cache whole.
        let dir = path.parent().unwrap_or(Path::new("."));
        crate::fsutil::create_dir_all(dir)?;
        let mut temp = tempfile::NamedTempFile::new_in(dir)
            .map_err(crate::fsutil::wrap("cannot write", dir))?;
        let temp_path = temp.path().to_path_buf();
        write_entries(
            &mut BufWriter::new(temp.as_file_mut()),
            keys.iter().map(|k| (*k, &entries[k])),
        )
        .map_err(crate::fsutil::wrap("cannot write", &temp_path))?;
        temp.persist(path)
            .map_err(|e| crate::fsutil::wrap("cannot replace", path)(e.error))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendering_time_counts_misses_only() {
        let c = RenderCache::in_memory();
        assert_eq!(c.rendering(), Duration::ZERO);
        c.get_or_render::<()>(1, || {
            std::thread::sleep(Duration::from_millis(2));
            Ok("one".into())
        })
        .unwrap();
        let after_miss = c.rendering();
        assert!(after_miss >= Duration::from_millis(2), "{after_miss:?}");
        c.get_or_render::<()>(1, || panic!("must be cached"))
            .unwrap();
        assert_eq!(c.rendering(), after_miss);
    }

    #[test]
    fn read_only_cache_loads_but_never_writes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.bin");
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
        let path = dir.path().join("c.bin");
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

    #[test]
    fn damaged_or_foreign_files_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.bin");
        let c = RenderCache::open(&path);
        c.get_or_render::<()>(1, || Ok("one ".repeat(100))).unwrap();
        c.get_or_render::<()>(2, || Ok("two".into())).unwrap();
        c.save().unwrap();
        let whole = std::fs::read(&path).unwrap();
        assert_eq!(read_file(&path).len(), 2);
        // Cut anywhere (a full disk, say): the file is ignored, never half-read.
        for cut in [MAGIC.len(), MAGIC.len() + 4 + 10, whole.len() - 1] {
            std::fs::write(&path, &whole[..cut]).unwrap();
            assert!(read_file(&path).is_empty(), "cut at {cut}");
        }
        let mut flipped = whole.clone();
        let last = flipped.len() - 2;
        flipped[last] ^= 0xff;
        std::fs::write(&path, &flipped).unwrap();
        assert!(read_file(&path).is_empty(), "a flipped bit is caught");
        std::fs::write(&path, br#"{"format":1,"entries":[]}"#).unwrap();
        assert!(read_file(&path).is_empty(), "the old JSON cache is ignored");
    }

    #[test]
    fn an_entry_that_does_not_unpack_is_rendered_anew() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.bin");
        let garbage = Packed::from_parts(vec![0xff; 8], 40);
        let mut file = std::fs::File::create(&path).unwrap();
        write_entries(&mut file, [(7u128, &garbage)].into_iter()).unwrap();
        let c = RenderCache::open(&path);
        let v = c.get_or_render::<()>(7, || Ok("fresh".into())).unwrap();
        assert_eq!(v, "fresh");
        assert_eq!(c.misses.load(Ordering::Relaxed), 1);
    }
}
