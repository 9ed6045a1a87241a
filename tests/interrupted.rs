//! A build killed with SIGKILL while it writes the output folder leaves every page whole (the
//! old file or the new one, never a truncated one), and the next build removes the temporary
//! files the killed one left behind.
#![cfg(unix)]

mod common;

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::Site;

const PAGES: usize = 300;

/// Writes `PAGES` topic pages in ten folders; `edition` goes into every page's text.
fn write_pages(site: &Site, edition: usize) {
    for i in 0..PAGES {
        let mut text = format!("---\ntitle: Topic {i}\n---\nEdition {edition}.\n\n");
        for section in 0..8 {
            text.push_str(&format!(
                "## Section {section}\n\nTopic {i} links to [[Topic {}]]. {}\n\n",
                (i + 1) % PAGES,
                "Words of the page, repeated to give the writer some bytes to write. ".repeat(12)
            ));
        }
        site.write(&format!("content/part{}/topic-{i}.md", i % 10), &text);
    }
}

/// Every HTML file of the output folder.
fn html_files(book: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(book)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| e.into_path())
        .collect()
}

/// Identity and age of each file: a rename gives a new inode, a rewrite a new time.
fn stamps(files: &[PathBuf]) -> Vec<Option<(u64, i64, i64)>> {
    files
        .iter()
        .map(|f| {
            std::fs::metadata(f)
                .ok()
                .map(|m| (m.ino(), m.mtime(), m.mtime_nsec()))
        })
        .collect()
}

fn temp_files(book: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(book)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains(".studybook-tmp-"))
        .map(|e| e.into_path())
        .collect()
}

/// Starts `studybook build`, waits until the first output file changes and kills it at once.
/// Returns false when the build finished before it could be killed.
fn kill_during_write(site: &Site, files: &[PathBuf]) -> bool {
    let before = stamps(files);
    let mut child = Command::new(env!("CARGO_BIN_EXE_studybook"))
        .args(["build", "-q"])
        .current_dir(site.root())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        if stamps(files) != before {
            child.kill().unwrap();
            child.wait().unwrap();
            return true;
        }
        assert!(Instant::now() < deadline, "the build never started writing");
        std::thread::sleep(Duration::from_micros(200));
    }
}

#[test]
fn a_build_killed_while_writing_leaves_only_whole_pages() {
    let site = Site::empty();
    site.write("book.toml", "[book]\ntitle = \"Interrupted\"\n");
    site.write("content/_index.md", "---\ntitle: Home\n---\nHome.\n");
    write_pages(&site, 0);
    let first = site.cli(&["build", "-q"]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let book = site.root().join("book");
    let files = html_files(&book);
    assert!(files.len() > PAGES, "{} pages", files.len());

    let mut kills = 0;
    let mut mixed = 0;
    for edition in 1..=12 {
        write_pages(&site, edition);
        if !kill_during_write(&site, &files) {
            continue;
        }
        kills += 1;
        let mut editions = std::collections::BTreeSet::new();
        for file in html_files(&book) {
            let html = std::fs::read_to_string(&file).unwrap();
            assert!(
                html.trim_end().ends_with("</html>"),
                "{} is cut off after {} bytes",
                file.display(),
                html.len()
            );
            if let Some(at) = html.find("Edition ") {
                editions.insert(html[at..].split('.').next().unwrap().to_string());
            }
        }
        // Old and new pages side by side: the kill came in the middle of the writing.
        if editions.len() > 1 {
            mixed += 1;
        }
        if mixed >= 3 {
            break;
        }
    }
    eprintln!("{kills} kills, {mixed} of them while old and new pages stood side by side");
    assert!(
        mixed > 0,
        "no kill landed while pages were written ({kills} kills)"
    );

    let last = site.cli(&["build", "-q"]);
    assert!(last.status.success());
    assert_eq!(temp_files(&book), Vec::<PathBuf>::new());
    for file in html_files(&book) {
        assert!(std::fs::read_to_string(&file)
            .unwrap()
            .trim_end()
            .ends_with("</html>"));
    }
}
