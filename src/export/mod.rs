//! Exports of the analyzed site for other tools.

pub mod anki;
