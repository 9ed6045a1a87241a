//! The unit the page-making stages hand to the write stage, and the sink they hand it through.

/// One file of the output folder, made in memory by the layout stage for the write stage.
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

/// Where the page-making stages put each file as soon as it is made: the output folder for
/// `build` (the write stage's `Writer`), memory for `serve` ([`Collected`]). Nothing holds the
/// whole site unless it keeps it.
pub trait Sink: Sync {
    fn put(&self, file: OutputFile);

    /// Asked before the site is laid out: true when this sink already holds every file of a site
    /// made from these `inputs` and has kept them, so nothing need be put.
    fn reuse(&self, _inputs: u64) -> bool {
        false
    }
}

/// Files kept in memory, in the order they were put.
#[derive(Debug, Default)]
pub struct Collected(std::sync::Mutex<Vec<OutputFile>>);

impl Collected {
    pub fn into_files(self) -> Vec<OutputFile> {
        self.0.into_inner().expect("no panic holds it")
    }
}

impl Sink for Collected {
    fn put(&self, file: OutputFile) {
        self.0.lock().expect("no panic holds it").push(file);
    }
}

/// Files dropped as they come: `studybook check` runs every stage and writes nothing.
#[derive(Debug, Default)]
pub struct Discarded;

impl Sink for Discarded {
    fn put(&self, _: OutputFile) {}
}
