//! The analyzed site as the page-making stages read it: the layout stage and the study pages
//! both take it, so it lives apart from either.

use std::collections::BTreeMap;

use crate::config::Config;
use crate::graph::LinkGraph;
use crate::index::SiteIndex;
use crate::parse::Page;
use crate::render::Rendered;
use crate::strings::Strings;
use crate::theme::Theme;

/// Everything the layout stage reads.
pub struct SiteData<'a> {
    pub config: &'a Config,
    pub pages: &'a [Page],
    pub index: &'a SiteIndex,
    pub rendered: &'a [Rendered],
    pub graph: &'a LinkGraph,
    /// Rendered `_index.md` introductions by category key ("" is the site introduction).
    pub intros: &'a BTreeMap<String, Rendered>,
    pub theme: &'a Theme,
    pub strings: &'a Strings,
}
