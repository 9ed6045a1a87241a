//! studybook: a static study-site generator.
//!
//! The pipeline runs `config → load → parse → index → render → graph → layout → write`; each stage
//! is a module that takes the previous stage's data and returns its own. [`build`] runs it.

pub mod build;
pub mod cache;
pub mod collate;
pub mod config;
pub mod diagnostics;
pub mod frontmatter;
pub mod fsutil;
pub mod graph;
pub mod highlight;
pub mod index;
pub mod lang;
pub mod layout;
pub mod load;
pub mod math;
pub mod mathtext;
pub mod parse;
pub mod print;
pub mod render;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod slug;
pub mod strings;
pub mod study;
pub mod studymap;
pub mod theme;
pub mod write;
