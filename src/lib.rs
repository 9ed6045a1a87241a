//! studybook: a static study-site generator.
//!
//! # The module map
//! The pipeline runs stage by stage; each stage is a module that takes the previous stage's data
//! and returns its own, and no stage reaches back (`tests/module_map.rs` keeps the `use` graph
//! free of cycles). [`build`] runs the stages, for `build`, `check`, `serve` and `export` alike.
//!
//! | stage | module | makes |
//! |---|---|---|
//! | 1 | [`config`] | `Config` from `book.toml` |
//! | 2 | [`load`] | the sources of the content folder |
//! | 3 | [`parse`] (with [`frontmatter`], [`slug`]) | `Page`s: front matter, outline, heading ids |
//! | 4 | [`index`] | the title/alias/slug lookup, categories, tags, reading order |
//! | 5 | [`render`] (with [`math`], [`highlight`]) | each page's HTML, TOC, links, questions |
//! | 6 | [`graph`] | backlinks, prerequisites, study order |
//! | 7 | [`layout`] (with [`study`], [`print`], [`search`]) | every output file, from Tera templates |
//! | 8 | [`write`] | the output folder, atomically, never outside it |
//!
//! Beside the stages: [`build`] (the runs: full, check, and `Analyzed::update` for one edit),
//! [`site_data`] (what layout reads), [`theme`] (templates and static files), [`cache`],
//! [`diagnostics`], [`strings`] (UI words), [`html`], [`fsutil`], [`scaffold`] (`init`, `new`),
//! [`export`] (Anki) and [`serve`] (watcher, HTTP server and reload channel over `build`).
//!
//! A new page feature goes where its data is made: a field on `Rendered` (render) or on the page
//! view (layout). `serve` follows it without change: it lays out again every page whose view
//! (`layout::fingerprints`) changed.

pub mod build;
pub mod cache;
pub mod config;
pub mod diagnostics;
pub mod export;
pub mod frontmatter;
pub mod fsutil;
pub mod github_pages;
pub mod graph;
pub mod highlight;
pub mod html;
pub mod index;
pub mod layout;
pub mod load;
pub mod math;
pub mod notetest;
pub mod output;
pub mod parse;
pub mod print;
pub mod render;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod site_data;
pub mod sitemap;
pub mod slug;
pub mod strings;
pub mod study;
pub mod text;
pub mod theme;
pub mod write;
