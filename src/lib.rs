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
//! | 2 | [`load`] (with [`summary`]) | the sources of the notes folder, and an mdBook's SUMMARY.md |
//! | 2½ | [`load::expand`] | includes, `%%comments%%`, `+++` front matter resolved, with a source map |
//! | 3 | [`parse`] (with [`frontmatter`], [`slug`]) | `Page`s: front matter, outline, heading ids |
//! | 4 | [`index`] | the title/alias/slug lookup, categories, tags, reading order |
//! | 5 | [`render`] (links, callouts, embeds; with [`math`], [`mathtext`], [`highlight`], [`inline`]) | each page's HTML, TOC, links, questions |
//! | 6 | [`graph`] | backlinks, prerequisites, study order |
//! | 7 | [`layout`] (with [`study`], [`studymap`], [`print`], [`search`], [`sitemap`], [`lang`], [`collate`]) | every [`output`] file, from Tera templates, each put into an [`output::Sink`] as soon as it is made |
//! | 8 | [`write`] | the output folder, file by file as they come, atomically, never outside it |
//!
//! Beside the stages: [`build`] (the runs: full, check, and `Analyzed::update` for one edit),
//! [`site_data`] (what layout reads), [`theme`] (templates and static files), [`cache`] (with [`packed`], text held compressed),
//! [`diagnostics`] (with [`snippet`], safe source lines), [`strings`] (UI words), [`html`],
//! [`text`], [`fsutil`], [`scaffold`] (`init`, `new`) and [`github_pages`] (the workflow `init`
//! writes), [`export`] (Anki), [`notetest`] (`studybook test`) and [`serve`] (watcher, HTTP
//! server and reload channel over `build`).
//!
//! A new page feature goes where its data is made: a field on `Rendered` (render) or on the page
//! view (layout). `serve` follows it without change: it lays out again every page whose view
//! (`layout::fingerprints`) changed.

pub mod build;
pub mod cache;
pub mod collate;
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
pub mod inline;
pub mod lang;
pub mod layout;
pub mod load;
pub mod math;
pub mod mathtext;
pub mod notetest;
pub mod output;
pub mod packed;
pub mod parse;
pub mod print;
pub mod render;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod site_data;
pub mod sitemap;
pub mod slug;
pub mod snippet;
pub mod strings;
pub mod study;
pub mod studymap;
pub mod summary;
pub mod text;
pub mod theme;
pub mod write;
