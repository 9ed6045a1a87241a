//! Remembers the tests that passed, by a hash of everything that decides the result: the
//! program, the expected output, the attributes, the command, its flags and its version. A test
//! whose hash is known passed before and is not run again.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::blocks::Job;
use super::toolchain::Toolchain;
use crate::cache::key;
use crate::fsutil::{self, IoError};

/// Where the hashes of passed tests are kept, beside the render cache.
pub const CACHE_FILE: &str = ".studybook/cache/notetest.json";

/// Part of every key: bump it when the way a test is run or judged changes.
const FORMAT: &str = "notetest-1";

#[derive(Serialize, Deserialize, Default)]
struct OnDisk {
    passed: Vec<String>,
}

#[derive(Debug, Default)]
pub struct PassCache {
    known: HashSet<u128>,
}

impl PassCache {
    /// Reads the file; a missing or damaged one is an empty cache.
    pub fn load(path: &Path) -> Self {
        let known = std::fs::read(path)
            .ok()
            .and_then(|b| serde_json::from_slice::<OnDisk>(&b).ok())
            .unwrap_or_default()
            .passed
            .iter()
            .filter_map(|k| u128::from_str_radix(k, 16).ok())
            .collect();
        Self { known }
    }

    pub fn contains(&self, key: u128) -> bool {
        self.known.contains(&key)
    }

    /// Writes the keys of the tests that pass now. A run of every test keeps only those;
    /// a run of a subset also keeps what it did not run, minus what failed now.
    pub fn save(
        &self,
        path: &Path,
        passed: &[u128],
        failed: &[u128],
        whole_site: bool,
    ) -> Result<(), IoError> {
        let mut keep: HashSet<u128> = if whole_site {
            HashSet::new()
        } else {
            self.known.clone()
        };
        keep.extend(passed);
        for k in failed {
            keep.remove(k);
        }
        let mut passed: Vec<String> = keep.iter().map(|k| format!("{k:032x}")).collect();
        passed.sort();
        let json = serde_json::to_vec(&OnDisk { passed }).unwrap_or_default();
        fsutil::write(path, &json)
    }
}

/// The hash of one test with its toolchain and time limit.
pub fn job_key(job: &Job, tool: &Toolchain, timeout_ms: u128) -> u128 {
    let blocks: Vec<_> = job.blocks.iter().collect();
    let program = job.lang.program(&blocks);
    let flags = tool.flags.join("\0");
    let timeout = timeout_ms.to_string();
    let switches = format!("{}{}", job.should_fail, job.ignore_whitespace);
    let mut parts: Vec<&str> = vec![
        FORMAT,
        job.lang.name(),
        &tool.command,
        &flags,
        &tool.version,
        &timeout,
        &switches,
    ];
    for (name, text) in &program {
        parts.extend([*name, text.as_str()]);
    }
    for b in &job.blocks {
        parts.push(b.expected.as_deref().unwrap_or("\0none"));
    }
    key(&parts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notetest::blocks::Block;
    use crate::notetest::lang::Lang;

    fn job(code: &str) -> Job {
        Job {
            lang: Lang::Bash,
            blocks: vec![Block::for_test(code)],
            skip: false,
            should_fail: false,
            ignore_whitespace: false,
            timeout: None,
        }
    }

    fn tool(version: &str) -> Toolchain {
        Toolchain {
            lang: Lang::Bash,
            command: "bash".into(),
            flags: vec![],
            version: version.into(),
        }
    }

    #[test]
    fn the_key_changes_with_code_output_version_and_attributes() {
        let base = job_key(&job("echo 1\n"), &tool("5.2"), 10_000);
        assert_eq!(base, job_key(&job("echo 1\n"), &tool("5.2"), 10_000));
        assert_ne!(base, job_key(&job("echo 2\n"), &tool("5.2"), 10_000));
        assert_ne!(base, job_key(&job("echo 1\n"), &tool("5.3"), 10_000));
        assert_ne!(base, job_key(&job("echo 1\n"), &tool("5.2"), 5_000));
        let mut j = job("echo 1\n");
        j.should_fail = true;
        assert_ne!(base, job_key(&j, &tool("5.2"), 10_000));
        let mut j = job("echo 1\n");
        j.blocks[0].expected = Some("1\n".into());
        assert_ne!(base, job_key(&j, &tool("5.2"), 10_000));
    }

    #[test]
    fn saved_passes_are_loaded_and_failures_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".studybook/cache/notetest.json");
        PassCache::default()
            .save(&path, &[1, 2], &[], true)
            .unwrap();
        let cache = PassCache::load(&path);
        assert!(cache.contains(1) && cache.contains(2));
        cache.save(&path, &[3], &[2], false).unwrap();
        let cache = PassCache::load(&path);
        assert!(cache.contains(1) && !cache.contains(2) && cache.contains(3));
        cache.save(&path, &[3], &[], true).unwrap();
        assert!(!PassCache::load(&path).contains(1));
    }
}
