//! Writes the output folder: only files whose bytes changed are rewritten, files the previous
//! build wrote and this one did not are removed, and nothing else is touched.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::fsutil::{self, IoError};

/// The list of files this tool wrote, kept inside the output folder.
pub const MANIFEST: &str = ".studybook-manifest";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Relative to the output folder, with `/` separators.
    pub path: String,
    pub bytes: Vec<u8>,
}

impl OutputFile {
    pub fn new(path: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        Self {
            path: path.into(),
            bytes: bytes.into(),
        }
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WriteStats {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

pub fn write_output(dest: &Path, files: &[OutputFile]) -> Result<WriteStats, IoError> {
    let mut stats = WriteStats::default();
    fsutil::create_dir_all(dest)?;
    let previous = read_manifest(dest);
    let current: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    // Comparing and writing are independent per file (and I/O-bound): in parallel.
    let changed: Vec<bool> = {
        use rayon::prelude::*;
        files
            .par_iter()
            .map(|file| {
                let path = dest.join(&file.path);
                let same = std::fs::metadata(&path)
                    .is_ok_and(|m| m.len() == file.bytes.len() as u64)
                    && same_content(&path, &file.bytes);
                if !same {
                    fsutil::write(&path, &file.bytes)?;
                }
                Ok(!same)
            })
            .collect::<Result<_, IoError>>()?
    };
    stats.written = changed.iter().filter(|&&c| c).count();
    stats.unchanged = changed.len() - stats.written;
    for old in previous.iter().filter(|p| !current.contains(p.as_str())) {
        if let Some(path) = safe_join(dest, old) {
            fsutil::remove_file(&path)?;
            stats.removed += 1;
            remove_empty_parents(dest, &path);
        }
    }
    let manifest: String = current.iter().map(|p| format!("{p}\n")).collect();
    fsutil::write(&dest.join(MANIFEST), manifest.as_bytes())?;
    Ok(stats)
}

/// Whether the file holds exactly `bytes`, read in blocks (print.html can be 100 MB).
fn same_content(path: &Path, bytes: &[u8]) -> bool {
    use std::io::Read;
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
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
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
}

fn read_manifest(dest: &Path) -> Vec<String> {
    std::fs::read_to_string(dest.join(MANIFEST))
        .map(|s| {
            s.lines()
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Joins a manifest entry to the output folder, refusing anything that could leave it.
fn safe_join(dest: &Path, rel: &str) -> Option<PathBuf> {
    let p = Path::new(rel);
    p.components()
        .all(|c| matches!(c, std::path::Component::Normal(_)))
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

    #[test]
    fn rewrites_only_changes_and_removes_only_its_own_files() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("book");
        std::fs::create_dir_all(&dest).unwrap();
        std::fs::write(dest.join("CNAME"), "mine").unwrap();
        let s = write_output(
            &dest,
            &[
                OutputFile::new("a.html", "A"),
                OutputFile::new("x/b.html", "B"),
            ],
        )
        .unwrap();
        assert_eq!(
            s,
            WriteStats {
                written: 2,
                unchanged: 0,
                removed: 0
            }
        );
        let s = write_output(&dest, &[OutputFile::new("a.html", "A2")]).unwrap();
        assert_eq!(
            s,
            WriteStats {
                written: 1,
                unchanged: 0,
                removed: 1
            }
        );
        assert!(!dest.join("x").exists(), "empty folder left behind");
        let s = write_output(&dest, &[OutputFile::new("a.html", "A2")]).unwrap();
        assert_eq!(s.unchanged, 1);
        assert_eq!(std::fs::read_to_string(dest.join("CNAME")).unwrap(), "mine");
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
    fn manifest_cannot_reach_outside() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("book");
        std::fs::create_dir_all(&dest).unwrap();
        std::fs::write(dir.path().join("precious.txt"), "keep").unwrap();
        std::fs::write(dest.join(MANIFEST), "../precious.txt\n/etc/passwd\n").unwrap();
        write_output(&dest, &[]).unwrap();
        assert!(dir.path().join("precious.txt").exists());
    }
}
