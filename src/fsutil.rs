//! File-system calls that carry the path into every error.

use std::io;
use std::path::{Path, PathBuf};

/// Its message already says the cause, so the cause is not also its `source()`: an error chain
/// printed whole says each thing once.
#[derive(Debug, thiserror::Error)]
#[error("{action} {}: {cause}", path.display())]
pub struct IoError {
    pub action: &'static str,
    pub path: PathBuf,
    pub cause: io::Error,
}

pub(crate) fn wrap<'a>(
    action: &'static str,
    path: &'a Path,
) -> impl FnOnce(io::Error) -> IoError + 'a {
    move |cause| IoError {
        action,
        path: path.to_path_buf(),
        cause,
    }
}

pub fn read(path: &Path) -> Result<Vec<u8>, IoError> {
    std::fs::read(path).map_err(wrap("cannot read", path))
}

pub fn write(path: &Path, bytes: &[u8]) -> Result<(), IoError> {
    if let Some(parent) = path.parent() {
        create_dir_all(parent)?;
    }
    std::fs::write(path, bytes).map_err(wrap("cannot write", path))
}

pub fn create_dir_all(path: &Path) -> Result<(), IoError> {
    std::fs::create_dir_all(path).map_err(wrap("cannot create folder", path))
}

pub fn remove_file(path: &Path) -> Result<(), IoError> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(wrap("cannot remove", path)(e)),
        _ => Ok(()),
    }
}

/// Like `fs::canonicalize`, but for a path that may not exist yet: the longest existing
/// ancestor is resolved and the rest appended.
pub fn absolute(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut existing = abs.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(canon) = existing.canonicalize() {
            return rest.iter().rev().fold(canon, |p: PathBuf, c| p.join(c));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return abs,
        }
    }
}
