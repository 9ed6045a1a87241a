//! Writes the output folder: only files whose bytes changed are rewritten, files the previous
//! build wrote and this one did not are removed, and nothing else is touched. The manifest lists
//! every file with its size and modification time and the hash of the inputs it was made from,
//! so a build from the same inputs can keep the folder as it is ([`Writer`]'s `reuse`).
//!
//! Two guarantees hold even against a hostile or damaged output folder:
//! - nothing outside the output folder is written or removed: every path is checked component by
//!   component on disk, and a symbolic link found inside the folder is never followed (a link
//!   where a folder or file belongs is replaced, and reported);
//! - a reader never sees a half-written file: each file is written to a temporary file beside it
//!   and renamed into place, so a killed build leaves the old or the new file, never a truncated
//!   one. Temporary files a killed build left behind are removed by the next build.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use crate::fsutil::{self, IoError};
use crate::output::{OutputFile, Sink};

/// The list of files this tool wrote, kept inside the output folder.
pub const MANIFEST: &str = ".studybook-manifest";

/// Marks temporary files: `.<name>.studybook-tmp-<pid>-<n>`, removed by the next build if a
/// build was killed before renaming them.
const TEMP_MARK: &str = ".studybook-tmp-";

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WriteStats {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
    /// Symbolic links inside the output folder that stood where a file or folder of the site
    /// belongs: each was replaced (the link itself, never its target). `(path, link target)`.
    pub replaced_links: Vec<(String, PathBuf)>,
    /// Files of the previous build that were left in place because this build had errors.
    pub kept: usize,
    /// The previous build's files were all kept as they are: made from the same inputs, and
    /// still in place ([`crate::output::Sink::reuse`]).
    pub reused: bool,
}

/// What to do with files the previous build wrote and this one does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stale {
    /// Remove them: the build is complete.
    Remove,
    /// Keep them and keep listing them: the build had errors, so a page that failed to lay out
    /// (or any page the error touched) keeps the file the last good build wrote.
    Keep,
}

/// Writes the files of one build as they are put ([`Sink`]), from any thread, so no one holds
/// the whole site; [`Writer::finish`] then deals with what the previous build wrote and this one
/// did not, and writes the manifest. A second file for a path already written is refused and
/// reported by the caller ([`Writer::finish`] returns the first I/O error; later files are
/// skipped once one happened).
pub struct Writer {
    dest: PathBuf,
    previous: Manifest,
    /// The files of this build, with their stamps.
    current: Mutex<BTreeMap<String, Stamp>>,
    written: AtomicUsize,
    unchanged: AtomicUsize,
    reused: AtomicBool,
    replaced: Mutex<Vec<(String, PathBuf)>>,
    failed: Mutex<Option<IoError>>,
}

impl Writer {
    /// Makes the output folder and removes the temporary files a killed build left in it.
    pub fn open(dest: &Path) -> Result<Self, IoError> {
        fsutil::create_dir_all(dest)?;
        remove_stale_temp_files(dest);
        Ok(Self {
            dest: dest.to_path_buf(),
            previous: Manifest::read(dest),
            current: Mutex::default(),
            written: AtomicUsize::new(0),
            unchanged: AtomicUsize::new(0),
            reused: AtomicBool::new(false),
            replaced: Mutex::default(),
            failed: Mutex::default(),
        })
    }

    /// Writes one file unless its bytes are already there. Returns whether it was written, and
    /// the file's modification time on disk.
    fn write(&self, file: &OutputFile) -> Result<(bool, Option<u128>), IoError> {
        let dest = &self.dest;
        let Some(path) = safe_join(dest, &file.path) else {
            return Err(refused(dest, &file.path));
        };
        let links = prepare_parents(dest, &path)?;
        lock(&self.replaced).extend(links);
        let same = is_plain_file(&path) && same_content(&path, &file.bytes);
        if !same {
            if let Some(link) = replace_link(dest, &path)? {
                lock(&self.replaced).push(link);
            }
            write_atomically(&path, &file.bytes)?;
        }
        Ok((
            !same,
            std::fs::symlink_metadata(&path)
                .ok()
                .and_then(|m| modified(&m)),
        ))
    }

    /// Removes (or, with [`Stale::Keep`], keeps listing) the files of the previous build that
    /// this one did not write, and writes the manifest, with `inputs` when the next build may
    /// reuse this one's files (a build with no errors and nothing to report from layout).
    pub fn finish(self, stale: Stale, inputs: Option<u64>) -> Result<WriteStats, IoError> {
        if let Some(e) = lock(&self.failed).take() {
            return Err(e);
        }
        let dest = &self.dest;
        let mut listed: BTreeMap<String, Option<Stamp>> = lock(&self.current)
            .iter()
            .map(|(p, stamp)| (p.clone(), Some(*stamp)))
            .collect();
        let mut stats = WriteStats {
            written: self.written.into_inner(),
            unchanged: self.unchanged.into_inner(),
            reused: self.reused.into_inner(),
            ..WriteStats::default()
        };
        let mut replaced = self.replaced.into_inner().expect("no panic holds it");
        for (old, stamp) in &self.previous.files {
            // Files this build wrote, and any line the old manifest repeats, are listed already.
            if listed.contains_key(old) {
                continue;
            }
            let Some(path) = safe_join(dest, old) else {
                continue;
            };
            if stale == Stale::Keep {
                if std::fs::symlink_metadata(&path).is_ok() {
                    stats.kept += 1;
                    listed.insert(old.clone(), *stamp);
                }
                continue;
            }
            // A folder on the way that is a link would make the removal reach outside: leave it.
            if parents_are_real(dest, &path) {
                fsutil::remove_file(&path)?;
                stats.removed += 1;
                remove_empty_parents(dest, &path);
            }
        }
        let manifest = Manifest {
            inputs: inputs.filter(|_| stale == Stale::Remove),
            files: listed.into_iter().collect(),
        };
        let manifest_path = dest.join(MANIFEST);
        replaced.extend(replace_link(dest, &manifest_path)?);
        write_atomically(&manifest_path, manifest.text().as_bytes())?;
        replaced.sort();
        stats.replaced_links = replaced;
        Ok(stats)
    }
}

impl Sink for Writer {
    fn put(&self, file: OutputFile) {
        if lock(&self.failed).is_some() {
            return;
        }
        // A second file for a path keeps neither its bytes nor its stamp: the first one stands.
        match lock(&self.current).entry(file.path.clone()) {
            Entry::Occupied(_) => return,
            Entry::Vacant(slot) => slot.insert(Stamp {
                size: file.bytes.len() as u64,
                modified: None,
            }),
        };
        match self.write(&file) {
            Ok((written, modified)) => {
                if let Some(stamp) = lock(&self.current).get_mut(&file.path) {
                    stamp.modified = modified;
                }
                let count = if written {
                    &self.written
                } else {
                    &self.unchanged
                };
                count.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => {
                lock(&self.failed).get_or_insert(e);
            }
        };
    }

    /// True, and every file of the previous build kept as this build's, when that build was made
    /// from the same `inputs` (see `build::inputs_fingerprint`) and each of its files is still in
    /// place with the size and modification time it was written with: the folder already holds
    /// what this build would write.
    fn reuse(&self, inputs: u64) -> bool {
        let dest = &self.dest;
        let Manifest {
            inputs: Some(was),
            files,
        } = &self.previous
        else {
            return false;
        };
        let in_place = |(rel, stamp): &(String, Option<Stamp>)| {
            let (Some(path), Some(stamp)) = (safe_join(dest, rel), stamp) else {
                return false;
            };
            stamp.modified.is_some()
                && parents_are_real(dest, &path)
                && std::fs::symlink_metadata(&path).is_ok_and(|m| {
                    m.is_file() && m.len() == stamp.size && modified(&m) == stamp.modified
                })
        };
        if *was != inputs || lock(&self.failed).is_some() || !files.iter().all(in_place) {
            return false;
        }
        let mut current = lock(&self.current);
        for (rel, stamp) in files {
            current.insert(rel.clone(), stamp.unwrap_or_default());
        }
        self.unchanged.fetch_add(files.len(), Ordering::Relaxed);
        self.reused.store(true, Ordering::Relaxed);
        true
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().expect("no panic holds it")
}

fn refused(dest: &Path, rel: &str) -> IoError {
    IoError {
        action: "refusing to write outside the output folder",
        path: dest.join(rel),
        cause: io::Error::new(io::ErrorKind::InvalidInput, "the path leaves the folder"),
    }
}

/// Writes `bytes` to a temporary file beside `path` and renames it over `path`. Renaming replaces
/// a symbolic link itself, never the file it points to.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), IoError> {
    use std::io::Write;
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let name = path.file_name().unwrap_or(OsStr::new("file"));
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(name);
    temp_name.push(format!(
        "{TEMP_MARK}{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let temp = path.with_file_name(temp_name);
    let result = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)
        .and_then(|mut f| f.write_all(bytes))
        .map_err(fsutil::wrap("cannot write", &temp))
        .and_then(|()| std::fs::rename(&temp, path).map_err(fsutil::wrap("cannot replace", path)));
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// Removes the temporary files of a build that was killed between writing and renaming.
fn remove_stale_temp_files(dest: &Path) {
    let walk = walkdir::WalkDir::new(dest).follow_links(false).min_depth(1);
    for entry in walk.into_iter().filter_map(Result::ok) {
        let is_temp = entry.file_type().is_file()
            && entry.file_name().to_string_lossy().starts_with('.')
            && entry.file_name().to_string_lossy().contains(TEMP_MARK);
        if is_temp {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Creates the folders between `dest` and `path`. A link where a folder belongs is removed and a
/// real folder made in its place (the link's target is left alone); the replaced links are returned.
fn prepare_parents(dest: &Path, path: &Path) -> Result<Vec<(String, PathBuf)>, IoError> {
    let mut replaced = Vec::new();
    let Some(parent) = path.parent() else {
        return Ok(replaced);
    };
    let rel = parent.strip_prefix(dest).unwrap_or(Path::new(""));
    let mut dir = dest.to_path_buf();
    for component in rel.components() {
        dir.push(component);
        match std::fs::symlink_metadata(&dir) {
            Ok(m) if m.file_type().is_symlink() => {
                replaced.extend(replace_link(dest, &dir)?);
                create_dir(&dir)?;
            }
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                return Err(IoError {
                    action: "cannot create folder",
                    path: dir,
                    cause: io::Error::new(
                        io::ErrorKind::AlreadyExists,
                        "a file of that name is in the way; remove it",
                    ),
                })
            }
            Err(_) => create_dir(&dir)?,
        }
    }
    Ok(replaced)
}

fn create_dir(dir: &Path) -> Result<(), IoError> {
    match std::fs::create_dir(dir) {
        // Another thread made it between the check and now.
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && is_real_dir(dir) => Ok(()),
        other => other.map_err(fsutil::wrap("cannot create folder", dir)),
    }
}

fn is_real_dir(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
}

fn is_plain_file(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file())
}

/// Removes the link at `path`, if there is one, and says where it pointed.
fn replace_link(dest: &Path, path: &Path) -> Result<Option<(String, PathBuf)>, IoError> {
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if !is_link {
        return Ok(None);
    }
    let target = std::fs::read_link(path).unwrap_or_default();
    fsutil::remove_file(path)?;
    let rel = path.strip_prefix(dest).unwrap_or(path);
    Ok(Some((rel.to_string_lossy().replace('\\', "/"), target)))
}

/// True when every folder between `dest` and `path` is a real folder, not a link.
fn parents_are_real(dest: &Path, path: &Path) -> bool {
    let Some(rel) = path.parent().and_then(|p| p.strip_prefix(dest).ok()) else {
        return false;
    };
    let mut dir = dest.to_path_buf();
    rel.components().all(|c| {
        dir.push(c);
        is_real_dir(&dir)
    })
}

/// Whether the file holds exactly `bytes`, read in blocks (print.html can be 100 MB).
fn same_content(path: &Path, bytes: &[u8]) -> bool {
    use std::io::Read;
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    if file.metadata().map(|m| m.len()).ok() != Some(bytes.len() as u64) {
        return false;
    }
    let mut block = vec![0u8; 256 * 1024];
    let mut offset = 0;
    loop {
        match file.read(&mut block) {
            Ok(0) => return offset == bytes.len(),
            Ok(n) => {
                if bytes.get(offset..offset + n) != Some(&block[..n]) {
                    return false;
                }
                offset += n;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
}

/// What the manifest says of a file: its size and, once it is on disk, its modification time in
/// nanoseconds since the Unix epoch. A file edited by hand changes one or the other.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
struct Stamp {
    size: u64,
    modified: Option<u128>,
}

fn modified(m: &std::fs::Metadata) -> Option<u128> {
    let since = m.modified().ok()?.duration_since(std::time::UNIX_EPOCH);
    since.ok().map(|d| d.as_nanos())
}

/// The list of files a build wrote: a header line with the hash of its inputs (when the next
/// build may reuse its files), then a line per file, `path<TAB>size<TAB>modified`. Lines of
/// older manifests (`path<TAB>size`, or the path alone) still name a file the next build removes
/// if it does not write it again, and are never reused.
#[derive(Debug, Default, PartialEq)]
struct Manifest {
    inputs: Option<u64>,
    files: Vec<(String, Option<Stamp>)>,
}

/// The header's start; the format number follows (3 since files carry their modification time).
const MANIFEST_HEADER: &str = "# studybook manifest ";
const MANIFEST_FORMAT: u32 = 3;

impl Manifest {
    fn read(dest: &Path) -> Manifest {
        let path = dest.join(MANIFEST);
        if !is_plain_file(&path) {
            return Manifest::default();
        }
        std::fs::read_to_string(path)
            .map(|text| Manifest::parse(&text))
            .unwrap_or_default()
    }

    fn parse(text: &str) -> Manifest {
        let mut manifest = Manifest::default();
        for line in text.lines().filter(|l| !l.is_empty()) {
            if let Some(rest) = line.strip_prefix(MANIFEST_HEADER) {
                manifest.inputs = rest
                    .split_whitespace()
                    .find_map(|w| w.strip_prefix("inputs="))
                    .and_then(|h| u64::from_str_radix(h, 16).ok());
                continue;
            }
            manifest.files.push(Manifest::file_line(line));
        }
        manifest
    }

    /// A file's line: the path, then the size and the time when they parse as numbers.
    fn file_line(line: &str) -> (String, Option<Stamp>) {
        fn last_number(s: &str) -> Option<(&str, u128)> {
            let (rest, n) = s.rsplit_once('\t')?;
            Some((rest, n.parse().ok()?))
        }
        let Some((rest, last)) = last_number(line) else {
            return (line.to_string(), None);
        };
        match last_number(rest) {
            Some((path, size)) => (
                path.to_string(),
                Some(Stamp {
                    size: size as u64,
                    modified: Some(last),
                }),
            ),
            None => (
                rest.to_string(),
                Some(Stamp {
                    size: last as u64,
                    modified: None,
                }),
            ),
        }
    }

    fn text(&self) -> String {
        let mut out = format!("{MANIFEST_HEADER}{MANIFEST_FORMAT}");
        if let Some(h) = self.inputs {
            out.push_str(&format!(" inputs={h:016x}"));
        }
        out.push('\n');
        for (path, stamp) in &self.files {
            match stamp {
                Some(Stamp {
                    size,
                    modified: Some(t),
                }) => out.push_str(&format!("{path}\t{size}\t{t}\n")),
                Some(Stamp {
                    size,
                    modified: None,
                }) => out.push_str(&format!("{path}\t{size}\n")),
                None => out.push_str(&format!("{path}\n")),
            }
        }
        out
    }
}

/// Joins a relative output path to the output folder, refusing anything that could leave it by
/// its text (`..`, a root, a prefix). Links on disk are handled by the callers.
fn safe_join(dest: &Path, rel: &str) -> Option<PathBuf> {
    let p = Path::new(rel);
    (!rel.is_empty() && p.components().all(|c| matches!(c, Component::Normal(_))))
        .then(|| dest.join(p))
}

fn remove_empty_parents(dest: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == dest || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One whole build's files through the writer, in parallel as `build` puts them.
    fn write_output(
        dest: &Path,
        files: &[OutputFile],
        stale: Stale,
    ) -> Result<WriteStats, IoError> {
        use rayon::prelude::*;
        let writer = Writer::open(dest)?;
        files.par_iter().for_each(|f| writer.put(f.clone()));
        writer.finish(stale, None)
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = walkdir::WalkDir::new(dir)
            .min_depth(1)
            .into_iter()
            .filter_map(Result::ok)
            .map(|e| {
                e.path()
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        v.sort();
        v
    }

    #[test]
    fn rewrites_only_changes_and_removes_only_its_own_files() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("book");
        std::fs::create_dir_all(&dest).unwrap();
        std::fs::write(dest.join("CNAME"), "mine").unwrap();
        let files = [
            OutputFile::new("a.html", "A"),
            OutputFile::new("x/b.html", "B"),
        ];
        let s = write_output(&dest, &files, Stale::Remove).unwrap();
        assert_eq!((s.written, s.unchanged, s.removed), (2, 0, 0));
        let s = write_output(&dest, &[OutputFile::new("a.html", "A2")], Stale::Remove).unwrap();
        assert_eq!((s.written, s.unchanged, s.removed), (1, 0, 1));
        assert!(!dest.join("x").exists(), "empty folder left behind");
        let s = write_output(&dest, &[OutputFile::new("a.html", "A2")], Stale::Remove).unwrap();
        assert_eq!(s.unchanged, 1);
        assert_eq!(std::fs::read_to_string(dest.join("CNAME")).unwrap(), "mine");
    }

    #[test]
    fn a_build_with_errors_keeps_the_previous_files() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("book");
        let files = [
            OutputFile::new("index.html", "I"),
            OutputFile::new("basics/a.html", "A"),
        ];
        write_output(&dest, &files, Stale::Remove).unwrap();
        let s = write_output(&dest, &files[..1], Stale::Keep).unwrap();
        assert_eq!((s.removed, s.kept), (0, 1));
        assert_eq!(
            std::fs::read_to_string(dest.join("basics/a.html")).unwrap(),
            "A"
        );
        // Still listed: the next good build removes it.
        let s = write_output(&dest, &files[..1], Stale::Remove).unwrap();
        assert_eq!(s.removed, 1);
        assert!(!dest.join("basics").exists());
    }

    #[test]
    fn content_is_compared_block_by_block() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let big: Vec<u8> = (0..600_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &big).unwrap();
        assert!(same_content(&path, &big));
        let mut changed = big.clone();
        *changed.last_mut().unwrap() ^= 1;
        assert!(!same_content(&path, &changed));
        assert!(!same_content(&path, &big[..big.len() - 1]));
        assert!(!same_content(&dir.path().join("missing"), b""));
    }

    #[test]
    fn manifest_cannot_reach_outside_by_its_text() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("book");
        std::fs::create_dir_all(&dest).unwrap();
        let precious = dir.path().join("precious.txt");
        std::fs::write(&precious, "keep").unwrap();
        let absolute = precious.to_string_lossy().into_owned();
        std::fs::write(
            dest.join(MANIFEST),
            format!("../precious.txt\n{absolute}\n"),
        )
        .unwrap();
        write_output(&dest, &[], Stale::Remove).unwrap();
        assert!(precious.exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_linked_folder_inside_the_output_is_replaced_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("book");
        let outside = dir.path().join("outside");
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("sentinel.txt"), "keep").unwrap();
        write_output(&dest, &[OutputFile::new("css/a.css", "A")], Stale::Remove).unwrap();
        std::fs::remove_dir_all(dest.join("css")).unwrap();
        std::os::unix::fs::symlink("../outside", dest.join("css")).unwrap();
        let mut manifest = std::fs::read_to_string(dest.join(MANIFEST)).unwrap();
        manifest.push_str("css/sentinel.txt\n");
        std::fs::write(dest.join(MANIFEST), manifest).unwrap();

        let s = write_output(&dest, &[OutputFile::new("css/a.css", "A")], Stale::Remove).unwrap();
        assert_eq!(names(&outside), ["sentinel.txt"], "nothing written outside");
        assert_eq!(
            std::fs::read_to_string(outside.join("sentinel.txt")).unwrap(),
            "keep"
        );
        assert!(is_real_dir(&dest.join("css")));
        assert_eq!(
            std::fs::read_to_string(dest.join("css/a.css")).unwrap(),
            "A"
        );
        assert_eq!(
            s.replaced_links,
            [("css".into(), PathBuf::from("../outside"))]
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_linked_file_is_replaced_and_its_target_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("book");
        std::fs::create_dir_all(&dest).unwrap();
        let outside = dir.path().join("passwords.txt");
        std::fs::write(&outside, "secret").unwrap();
        std::os::unix::fs::symlink(&outside, dest.join("404.html")).unwrap();
        // Same bytes as the target: the link must still go.
        let s = write_output(
            &dest,
            &[OutputFile::new("404.html", "secret")],
            Stale::Remove,
        )
        .unwrap();
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), "secret");
        assert!(is_plain_file(&dest.join("404.html")));
        assert_eq!(s.replaced_links.len(), 1);
        let s = write_output(&dest, &[OutputFile::new("404.html", "new")], Stale::Remove).unwrap();
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), "secret");
        assert!(s.replaced_links.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn a_removal_never_passes_through_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("book");
        let outside = dir.path().join("outside");
        std::fs::create_dir_all(outside.join("sub")).unwrap();
        std::fs::write(outside.join("sub/old.html"), "keep").unwrap();
        std::fs::create_dir_all(&dest).unwrap();
        std::os::unix::fs::symlink(&outside, dest.join("t")).unwrap();
        std::fs::write(dest.join(MANIFEST), "t/sub/old.html\n").unwrap();
        write_output(&dest, &[], Stale::Remove).unwrap();
        assert!(outside.join("sub/old.html").exists());
    }

    #[test]
    fn temp_files_of_a_killed_build_are_cleaned_up() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("book");
        std::fs::create_dir_all(dest.join("a")).unwrap();
        let stale = dest.join("a/.x.html.studybook-tmp-99-3");
        std::fs::write(&stale, "half").unwrap();
        std::fs::write(dest.join("a/.keep"), "user's").unwrap();
        write_output(&dest, &[OutputFile::new("a/x.html", "X")], Stale::Remove).unwrap();
        assert!(!stale.exists());
        assert!(dest.join("a/.keep").exists());
        assert_eq!(
            names(&dest),
            [".studybook-manifest", "a", "a/.keep", "a/x.html"]
        );
    }

    #[test]
    fn a_file_where_a_folder_belongs_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("book");
        std::fs::create_dir_all(&dest).unwrap();
        std::fs::write(dest.join("tags"), "user's file").unwrap();
        let e =
            write_output(&dest, &[OutputFile::new("tags/a.html", "A")], Stale::Remove).unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("tags") && text.contains("in the way"),
            "{text}"
        );
        assert_eq!(
            std::fs::read_to_string(dest.join("tags")).unwrap(),
            "user's file"
        );
    }

    #[test]
    fn the_manifest_keeps_stamps_and_inputs_and_reads_old_lines() {
        let stamp = |size, modified| Some(Stamp { size, modified });
        let m = Manifest {
            inputs: Some(0xabc),
            files: vec![
                (
                    "a b.html".into(),
                    stamp(12, Some(1_733_000_000_123_456_789)),
                ),
                ("x\ty.html".into(), None),
                ("c.html".into(), stamp(3, None)),
            ],
        };
        assert_eq!(Manifest::parse(&m.text()), m);
        let format_2 = Manifest::parse(
            "# studybook manifest 2 inputs=0000000000000abc\na.html\t12\ncss/x.css\n",
        );
        assert_eq!(format_2.inputs, Some(0xabc));
        assert_eq!(
            format_2.files,
            [
                ("a.html".into(), stamp(12, None)),
                ("css/x.css".into(), None)
            ]
        );
    }

    #[test]
    fn a_folder_from_the_same_inputs_is_reused_only_while_every_file_is_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("book");
        let files = [
            OutputFile::new("a.html", "A"),
            OutputFile::new("t/b.html", "BB"),
        ];
        let first = Writer::open(&dest).unwrap();
        assert!(!first.reuse(7), "nothing to reuse yet");
        files.iter().for_each(|f| first.put(f.clone()));
        first.finish(Stale::Remove, Some(7)).unwrap();

        let again = Writer::open(&dest).unwrap();
        assert!(!again.reuse(8), "other inputs");
        assert!(again.reuse(7));
        let s = again.finish(Stale::Remove, Some(7)).unwrap();
        assert!(
            s.reused && s.written == 0 && s.removed == 0 && s.unchanged == 2,
            "{s:?}"
        );
        assert_eq!(
            std::fs::read_to_string(dest.join("t/b.html")).unwrap(),
            "BB"
        );

        // A hand edit that keeps the size shows in the modification time.
        let b = dest.join("t/b.html");
        let written = std::fs::metadata(&b).unwrap().modified().unwrap();
        std::fs::write(&b, "CC").unwrap();
        let later = written + std::time::Duration::from_secs(2);
        std::fs::File::options()
            .write(true)
            .open(&b)
            .unwrap()
            .set_modified(later)
            .unwrap();
        assert!(
            !Writer::open(&dest).unwrap().reuse(7),
            "a file edited by hand at the same size"
        );
        std::fs::write(&b, "edited by hand").unwrap();
        assert!(
            !Writer::open(&dest).unwrap().reuse(7),
            "a file of another size"
        );
        std::fs::remove_file(dest.join("t/b.html")).unwrap();
        assert!(!Writer::open(&dest).unwrap().reuse(7), "a file gone");
        std::fs::remove_dir(dest.join("t")).unwrap();
        std::os::unix::fs::symlink(dir.path(), dest.join("t")).unwrap();
        std::fs::write(dir.path().join("b.html"), "BB").unwrap();
        assert!(
            !Writer::open(&dest).unwrap().reuse(7),
            "a folder on the way is a link"
        );

        let failed = Writer::open(&dest).unwrap();
        failed.put(OutputFile::new("a.html", "A"));
        failed.finish(Stale::Keep, Some(7)).unwrap();
        let after_errors = Writer::open(&dest).unwrap();
        assert!(
            !after_errors.reuse(7),
            "a build with errors leaves nothing to reuse"
        );
    }

    #[test]
    fn a_second_file_for_a_path_leaves_the_first_and_its_size() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("book");
        let writer = Writer::open(&dest).unwrap();
        writer.put(OutputFile::new("a.html", "first"));
        writer.put(OutputFile::new("a.html", "2nd, longer"));
        writer.finish(Stale::Remove, Some(3)).unwrap();
        assert_eq!(
            std::fs::read_to_string(dest.join("a.html")).unwrap(),
            "first"
        );
        assert!(
            Writer::open(&dest).unwrap().reuse(3),
            "the manifest has the stamp of the file on disk"
        );
    }
}
