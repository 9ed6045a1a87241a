//! Markdown to HTML for one document: links resolved and checked, math and code rendered,
//! headings given ids, callouts and interview questions built, plain text kept for search.
//!
//! Rendering is a pure function of the document and the site index, so pages render in parallel.

use std::collections::{BTreeSet, HashSet};
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Parser, Tag, TagEnd};
use serde::Serialize;

use crate::cache::RenderCache;
use crate::diagnostics::{Diagnostic, LineIndex};
use crate::highlight::{CodeTheme, StyleClass};
use crate::html::{escape, is_external};
use crate::index::{Lookup, PageId, SiteIndex};
use crate::inline::{self, Piece};
use crate::load::expand::SourceMap;
use crate::math::{self, MathRenderer};
use crate::notetest::blocks::{read_fence, OUTPUT_FENCE};
use crate::packed::Packed;
use crate::parse::{Heading, Page};
use crate::strings::Strings;
use crate::text::markdown_options;
use crate::text::squash_whitespace;

mod callouts;
mod embeds;
mod links;

use callouts::*;
pub use callouts::{question_id, CalloutKind};
use embeds::*;
use links::*;

/// What rendering needs from the rest of the site.
pub struct RenderEnv<'a> {
    pub pages: &'a [Page],
    pub index: &'a SiteIndex,
    pub math: &'a MathRenderer<'a>,
    pub cache: &'a RenderCache,
    pub code: &'a CodeTheme,
    /// Non-Markdown files of the content folder, relative to it.
    pub assets: &'a HashSet<PathBuf>,
    pub strings: &'a Strings,
    /// `[build] unresolved-links = "warn"`: a link to a note not written yet is a warning and is
    /// shown as unresolved (Obsidian's way), not an error.
    pub unresolved_links_warn: bool,
}

/// One Markdown document to render: a topic page or a category introduction.
pub struct Doc<'a> {
    pub display_path: &'a Path,
    /// Path relative to the content folder.
    pub rel_path: &'a Path,
    pub text: &'a str,
    pub body_offset: usize,
    pub headings: &'a [Heading],
    /// Drop the leading `# Title` heading (it became the page title).
    pub skip_h1: bool,
    /// The page being rendered, for `[[#heading]]` links; None for category introductions.
    pub page: Option<PageId>,
    /// Output folder depth, for relative links.
    pub depth: usize,
    /// Where the expanded text came from, so diagnostics point into the file as written.
    pub map: Option<&'a SourceMap>,
}

impl<'a> Doc<'a> {
    pub fn of_page(page: &'a Page, id: PageId) -> Self {
        Doc {
            display_path: &page.source.display_path,
            rel_path: &page.source.rel_path,
            text: &page.source.text,
            body_offset: page.body_offset,
            headings: &page.headings,
            skip_h1: page.title_from_h1,
            page: Some(id),
            depth: page.depth(),
            map: page.source.map.as_deref(),
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    /// The heading as plain text, math as readable Unicode ([`crate::mathtext`]).
    pub title: String,
    /// The heading as HTML, math rendered by KaTeX, links left out (the entry is a link).
    pub html: String,
    pub children: Vec<TocEntry>,
}

/// A heading or title shown outside its page: as plain text (math as readable Unicode) and as
/// HTML (math rendered by KaTeX), never as TeX source.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Shown {
    pub text: String,
    pub html: String,
}

/// A `[!QUESTION]` callout: an interview question and its answer.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Question {
    pub id: String,
    pub question: String,
    /// The question and answer as HTML, formulas with their TeX (the Anki export reads it;
    /// pages show them through [`crate::math::without_tex`]).
    pub question_html: String,
    pub answer_html: String,
    /// The id of the heading the question sits under, if any.
    pub section: Option<String>,
}

/// Plain text under one heading, for the search index.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Section {
    pub id: Option<String>,
    pub heading: String,
    pub text: String,
}

#[derive(Debug, Default)]
pub struct Rendered {
    /// The body, packed: a large site holds every page's at once.
    pub html: Packed,
    pub toc: Vec<TocEntry>,
    /// Every heading in document order, as [`Doc::headings`] lists them.
    pub headings: Vec<Shown>,
    /// The page title when it has math; None when the title is plain text as written.
    pub title: Option<Shown>,
    pub links_out: Vec<PageId>,
    pub questions: Vec<Question>,
    pub sections: Vec<Section>,
    /// Files of the content folder this document uses (images, downloads).
    pub assets: Vec<PathBuf>,
    pub diagnostics: Vec<Diagnostic>,
    pub formulas: usize,
    /// Formulas KaTeX rendered now rather than the cache (errors count as neither).
    pub formulas_rendered: usize,
    /// Highlight classes the code blocks use: the stylesheet styles these.
    pub code_classes: BTreeSet<StyleClass>,
}

/// Renders one document.
pub fn render(env: &RenderEnv<'_>, doc: &Doc<'_>) -> Rendered {
    Renderer::new(env, doc).run()
}

struct Renderer<'e, 'd> {
    env: &'e RenderEnv<'e>,
    doc: &'d Doc<'d>,
    lines: LineIndex,
    out: Vec<Event<'d>>,
    result: Rendered,
    links: HashSet<PageId>,
    assets: HashSet<PathBuf>,
    heading_no: usize,
    heading_start: Option<usize>,
    skipping_h1: bool,
    seen_block: bool,
    quotes: Vec<Quote>,
    code: Option<(String, String)>,
    section: Section,
    /// The text of the heading being read, math as readable text.
    heading_text: String,
    /// The events of the skipped `# Title` heading, for a title with math.
    h1_events: Vec<Event<'d>>,
    question_ids: crate::slug::UniqueIds,
    /// For callouts already closed into one HTML event of `out`, keyed by that event's index:
    /// the same block as a question's answer shows it, with every question inside cut to a
    /// one-line pointer. A nested question is its own card, so an answer never copies it, and
    /// 1,000 nested questions cost linear, not quadratic, output.
    answer_forms: std::collections::BTreeMap<usize, String>,
    /// Open links: bare URLs and tags are not linked inside one.
    link_depth: usize,
    /// The image being read: its alt text events are collected, then replaced by one element.
    image: Option<ImageCapture>,
    /// Output positions of the open paragraphs and list items, for Obsidian block ids.
    block_starts: Vec<usize>,
    /// The pages embedding this document (`![[Note]]`), outermost first: embedding one is a cycle.
    embed_stack: Vec<PageId>,
    /// The wikilink just read names a note not written yet (and that is only a warning).
    unresolved: bool,
}

impl<'e, 'd> Renderer<'e, 'd> {
    fn new(env: &'e RenderEnv<'e>, doc: &'d Doc<'d>) -> Self {
        Self {
            env,
            doc,
            lines: LineIndex::new(doc.text),
            out: Vec::new(),
            result: Rendered::default(),
            links: HashSet::new(),
            assets: HashSet::new(),
            heading_no: 0,
            heading_start: None,
            skipping_h1: false,
            seen_block: false,
            quotes: Vec::new(),
            code: None,
            section: Section::default(),
            heading_text: String::new(),
            h1_events: Vec::new(),
            question_ids: Default::default(),
            answer_forms: Default::default(),
            link_depth: 0,
            image: None,
            block_starts: Vec::new(),
            embed_stack: Vec::new(),
            unresolved: false,
        }
    }

    fn run(mut self) -> Rendered {
        let body = &self.doc.text[self.doc.body_offset..];
        for (event, range) in Parser::new_ext(body, markdown_options()).into_offset_iter() {
            let range = (range.start + self.doc.body_offset)..(range.end + self.doc.body_offset);
            self.event(event, range);
        }
        self.finish_section();
        self.result.title = self.title();
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, std::mem::take(&mut self.out).into_iter());
        self.result.html = Packed::new(&crate::math::without_tex(&html));
        self.result.toc = toc(self.doc.headings, &self.result.headings);
        let mut links: Vec<PageId> = self.links.into_iter().collect();
        links.sort_unstable();
        self.result.links_out = links;
        let mut assets: Vec<PathBuf> = self.assets.into_iter().collect();
        assets.sort();
        self.result.assets = assets;
        self.result
    }

    /// The file and position an offset of the text comes from (through includes and removed
    /// comments, when the expand stage changed the text).
    fn locate(&self, offset: usize) -> (PathBuf, crate::diagnostics::Position) {
        match self.doc.map {
            Some(map) => {
                let (file, pos) = map.locate(offset);
                (file.to_path_buf(), pos)
            }
            None => (
                self.doc.display_path.to_path_buf(),
                self.lines.position(self.doc.text, offset),
            ),
        }
    }

    fn error(&mut self, offset: usize, message: String, help: Option<String>) {
        let (file, pos) = self.locate(offset);
        let mut d = Diagnostic::error(file, pos, message);
        d.help = help;
        self.result.diagnostics.push(d);
    }

    fn warning(&mut self, offset: usize, message: String, help: Option<String>) {
        let (file, pos) = self.locate(offset);
        let mut d = Diagnostic::warning(file, pos, message);
        d.help = help;
        self.result.diagnostics.push(d);
    }

    /// The relative path from this document's output folder to the site root: `../..`-style.
    fn root_prefix(&self) -> String {
        "../".repeat(self.doc.depth)
    }

    fn event(&mut self, event: Event<'d>, range: Range<usize>) {
        if self.skipping_h1 {
            if matches!(event, Event::End(TagEnd::Heading(_))) {
                self.skipping_h1 = false;
            } else {
                self.h1_events.push(event);
            }
            return;
        }
        if let Some((_, code)) = self.code.as_mut() {
            match event {
                Event::Text(t) => code.push_str(&t),
                Event::End(TagEnd::CodeBlock) => self.end_code(range),
                _ => {}
            }
            return;
        }
        if self.callout_title_event(&event) {
            return;
        }
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                let first = !self.seen_block;
                self.seen_block = true;
                if first && level == HeadingLevel::H1 && self.doc.skip_h1 {
                    self.skipping_h1 = true;
                    return;
                }
                self.heading_start = Some(self.out.len());
            }
            Event::End(TagEnd::Heading(level)) => self.end_heading(level),
            Event::Start(Tag::CodeBlock(kind)) => {
                self.seen_block = true;
                let info = match kind {
                    pulldown_cmark::CodeBlockKind::Fenced(info) => info.to_string(),
                    pulldown_cmark::CodeBlockKind::Indented => String::new(),
                };
                self.code = Some((info, String::new()));
            }
            Event::InlineMath(tex) => self.math(tex, false, range),
            Event::DisplayMath(tex) => self.math(tex, true, range),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let wiki = matches!(link_type, LinkType::WikiLink { .. });
                let href = self.link_href(&dest_url, wiki, range.start);
                self.link_depth += 1;
                if std::mem::take(&mut self.unresolved) {
                    self.out.push(Event::InlineHtml(
                        format!(
                            "<a class=\"unresolved-link\" title=\"{}\">",
                            escape(&self.env.strings.not_written_yet)
                        )
                        .into(),
                    ));
                    return;
                }
                self.out.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url: href.into(),
                    title,
                    id,
                }));
            }
            Event::End(TagEnd::Link) => {
                self.link_depth = self.link_depth.saturating_sub(1);
                self.out.push(event);
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                ..
            }) if self.image.is_none() => {
                self.image = Some(ImageCapture {
                    wiki: matches!(link_type, LinkType::WikiLink { .. }),
                    dest: dest_url.to_string(),
                    title: title.to_string(),
                    offset: range.start,
                    start: self.out.len(),
                });
            }
            Event::End(TagEnd::Image) => self.end_image(),
            Event::Start(Tag::Paragraph) | Event::Start(Tag::Item) => {
                self.seen_block = true;
                self.block_starts.push(self.out.len());
                self.out.push(event);
            }
            Event::Start(Tag::BlockQuote(_)) => {
                self.seen_block = true;
                self.start_quote(range);
            }
            Event::End(TagEnd::BlockQuote(kind)) => self.end_quote(kind),
            Event::Start(Tag::Table(align)) => {
                self.seen_block = true;
                self.out
                    .push(Event::Html("<div class=\"table-wrap\">".into()));
                self.out.push(Event::Start(Tag::Table(align)));
            }
            Event::End(TagEnd::Table) => {
                self.out.push(Event::End(TagEnd::Table));
                self.out.push(Event::Html("</div>".into()));
            }
            Event::Text(t) => self.text(t, range),
            Event::Code(t) => {
                self.plain(&t);
                self.out.push(Event::Code(t));
            }
            Event::SoftBreak | Event::HardBreak => {
                self.plain(" ");
                self.out.push(event);
            }
            Event::End(TagEnd::Paragraph | TagEnd::Item) => {
                self.block_starts.pop();
                self.plain(" ");
                self.out.push(event);
            }
            Event::End(TagEnd::TableCell) => {
                self.plain(" ");
                self.out.push(event);
            }
            Event::Start(_) => {
                self.seen_block = true;
                self.out.push(event);
            }
            other => self.out.push(other),
        }
    }

    /// A run of text: an Obsidian block id at its end becomes the block's id; highlights, bare
    /// URLs and `#tags` become elements.
    fn text(&mut self, t: CowStr<'d>, range: Range<usize>) {
        if t.contains('$') {
            self.warn_unclosed_math(range.clone());
        }
        if self.image.is_some() {
            self.plain(&t);
            self.out.push(Event::Text(t));
            return;
        }
        let mut t = t;
        let line_ends_here = self.doc.text[range.end.min(self.doc.text.len())..]
            .trim_start_matches([' ', '\t'])
            .chars()
            .next()
            .is_none_or(|c| c == '\n' || c == '\r');
        if self.heading_start.is_none() && line_ends_here {
            let known = |id: &str| {
                self.doc
                    .page
                    .is_some_and(|p| self.env.pages[p].block_ids.iter().any(|b| b == id))
            };
            if let Some((cut, id)) = crate::parse::block_id(&t).filter(|(_, id)| known(id)) {
                let id = id.to_string();
                self.block_anchor(&id);
                t = CowStr::from(t[..cut].to_string());
            }
        }
        let scan = inline::Scan {
            links_and_tags: self.link_depth == 0 && self.heading_start.is_none(),
        };
        let pieces = inline::split(&t, scan);
        if let [Piece::Text(_)] = pieces.as_slice() {
            self.plain(&t);
            self.out.push(Event::Text(t));
            return;
        }
        for piece in pieces {
            match piece {
                Piece::Text(s) => {
                    self.plain(s);
                    self.out.push(Event::Text(s.to_string().into()));
                }
                Piece::Mark(s) => {
                    self.plain(s);
                    self.out.push(Event::InlineHtml("<mark>".into()));
                    self.out.push(Event::Text(s.to_string().into()));
                    self.out.push(Event::InlineHtml("</mark>".into()));
                }
                Piece::Url(s, href) => {
                    self.plain(s);
                    self.out.push(Event::InlineHtml(
                        format!("<a href=\"{}\">{}</a>", escape(&href), escape(s)).into(),
                    ));
                }
                Piece::Tag(s, name) if self.doc.page.is_some() => {
                    self.plain(s);
                    let href = format!(
                        "{}tags/{}.html",
                        self.root_prefix(),
                        SiteIndex::tag_slug(name)
                    );
                    self.out.push(Event::InlineHtml(
                        format!(
                            "<a class=\"tag\" href=\"{}\">{}</a>",
                            escape(&href),
                            escape(s)
                        )
                        .into(),
                    ));
                }
                Piece::Tag(s, _) => {
                    self.plain(s);
                    self.out.push(Event::Text(s.to_string().into()));
                }
            }
        }
    }

    /// Gives the innermost open paragraph or list item the id `^id`, so `[[Note#^id]]` lands there.
    fn block_anchor(&mut self, id: &str) {
        let id = escape(&format!("^{id}"));
        let start = self.block_starts.last().copied();
        match start.and_then(|i| self.out.get(i).map(|e| (i, e))) {
            Some((i, Event::Start(Tag::Paragraph))) => {
                self.out[i] = Event::Html(format!("<p id=\"{id}\">").into());
            }
            Some((i, Event::Start(Tag::Item))) => {
                self.out[i] = Event::Html(format!("<li id=\"{id}\">").into());
            }
            _ => self.out.push(Event::InlineHtml(
                format!("<span id=\"{id}\"></span>").into(),
            )),
        }
    }

    /// Appends words to the current search section, or to the heading being read.
    fn plain(&mut self, text: &str) {
        self.plain_with_source(text, text);
    }

    /// Like [`Self::plain`], where the words shown (`text`) differ from the source that a
    /// question's id hashes (`source`: a formula's TeX, so ids stay as they were).
    fn plain_with_source(&mut self, text: &str, source: &str) {
        if let Some(Quote::Callout(c)) = self.quotes.last_mut() {
            if c.state == CalloutState::Title {
                c.title_text.push_str(source);
            }
        }
        if self.heading_start.is_none() {
            self.section.text.push_str(text);
        } else {
            self.heading_text.push_str(text);
        }
    }

    /// The page title as text and HTML when it has math: a `# Title` heading's events, or a
    /// front-matter title read as one line of Markdown.
    fn title(&mut self) -> Option<Shown> {
        let events: Vec<Event<'d>> = if self.doc.skip_h1 {
            std::mem::take(&mut self.h1_events)
        } else {
            let title = self.doc.page.and_then(|id| {
                self.env.pages[id]
                    .meta
                    .title
                    .clone()
                    .filter(|t| t.contains('$'))
            })?;
            Parser::new_ext(&title, markdown_options())
                .map(Event::into_static)
                .collect()
        };
        if !events
            .iter()
            .any(|e| matches!(e, Event::InlineMath(_) | Event::DisplayMath(_)))
        {
            return None;
        }
        let mut text = String::new();
        let mut shown: Vec<Event<'d>> = Vec::new();
        for event in events {
            match event {
                Event::InlineMath(tex) | Event::DisplayMath(tex) => {
                    let (html, readable) = self.formula(&tex, false);
                    text.push_str(&readable);
                    shown.push(Event::InlineHtml(html.into()));
                }
                Event::Text(t) | Event::Code(t) => {
                    text.push_str(&t);
                    shown.push(Event::Text(t));
                }
                Event::Start(Tag::Paragraph | Tag::Link { .. })
                | Event::End(TagEnd::Paragraph | TagEnd::Link) => {}
                other => shown.push(other),
            }
        }
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, shown.into_iter());
        Some(Shown {
            text: text.split_whitespace().collect::<Vec<_>>().join(" "),
            html: crate::math::without_tex(&html),
        })
    }

    /// A formula's HTML and readable text, from the cache; TeX for both when KaTeX refuses it
    /// (the body's copy of the formula reports the error).
    fn formula(&self, tex: &str, display: bool) -> (String, String) {
        match self.env.math.fetch(tex, display).map(|(html, _)| html) {
            Ok(html) => {
                let text = crate::mathtext::readable(&html).unwrap_or_else(|| tex.to_string());
                (html, text)
            }
            Err(_) => (escape(tex), tex.to_string()),
        }
    }

    fn finish_section(&mut self) {
        let mut s = std::mem::take(&mut self.section);
        s.text = squash_whitespace(&s.text, " ");
        if !s.text.is_empty() || s.id.is_some() {
            self.result.sections.push(s);
        }
    }

    fn end_heading(&mut self, level: HeadingLevel) {
        let Some(start) = self.heading_start.take() else {
            return;
        };
        let inner_events: Vec<Event<'d>> = self.out.drain(start..).collect();
        let text = std::mem::take(&mut self.heading_text)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        // Outside the page the heading is itself a link: its own links are left out.
        let mut shown_html = String::new();
        pulldown_cmark::html::push_html(
            &mut shown_html,
            inner_events
                .iter()
                .filter(|e| !matches!(e, Event::Start(Tag::Link { .. }) | Event::End(TagEnd::Link)))
                .cloned(),
        );
        self.result.headings.push(Shown {
            text: text.clone(),
            html: crate::math::without_tex(&shown_html),
        });
        let mut inner = String::new();
        pulldown_cmark::html::push_html(&mut inner, inner_events.into_iter());
        let heading = self.doc.headings.get(self.heading_no);
        self.heading_no += 1;
        let id = heading.map_or_else(|| crate::slug::slugify(&text, "section"), |h| h.id.clone());
        let n = level as u8;
        self.out.push(Event::Html(
            // The `#` link beside each heading is added by the theme's script (site.js): in
            // every heading of every page it would weigh more than the heading.
            format!("<h{n} id=\"{id}\">{inner}</h{n}>\n", id = escape(&id)).into(),
        ));
        self.finish_section();
        self.section = Section {
            id: Some(id),
            heading: text,
            text: String::new(),
        };
    }

    fn end_code(&mut self, range: Range<usize>) {
        let Some((info, code)) = self.code.take() else {
            return;
        };
        let (fence, diags) = read_fence(
            self.doc.display_path,
            self.doc.text,
            &self.lines,
            range.start,
            &info,
        );
        self.result.diagnostics.extend(diags);
        let lang = fence.lang.as_str();
        if lang == "math" {
            self.math(CowStr::from(code), true, range);
            return;
        }
        let code = if lang == "rust" {
            hide_rustdoc_lines(&code)
        } else {
            code
        };
        let strings = self.env.strings;
        let html = if lang == OUTPUT_FENCE && fence.test.is_none() {
            format!(
                "<div class=\"code-output\"><div class=\"code-output-label\">{}</div>{}</div>",
                escape(&strings.output),
                self.env.code.highlight("", &code, self.env.cache).html
            )
        } else {
            let highlighted = self.env.code.highlight(lang, &code, self.env.cache);
            self.result.code_classes.extend(highlighted.classes);
            let html = highlighted.html;
            // `studybook test` runs this block: say so, with the language it runs as.
            match fence.test.filter(|t| !t.skip).and_then(|t| t.lang) {
                Some(run_as) => format!(
                    "<div class=\"tested-code\"><span class=\"tested-mark\">✓ {} · {}</span>{html}</div>",
                    escape(&strings.tested),
                    run_as.label()
                ),
                None => html,
            }
        };
        self.out.push(Event::Html(html.into()));
        if matches!(lang, "dataview" | "dataviewjs" | "query" | "tasks") {
            self.warning(
                range.start,
                format!("`{lang}` blocks (an Obsidian plugin's queries) are shown as their source: studybook does not run them"),
                Some("replace the query with the list it produces, or with [[links]]".into()),
            );
        }
        if lang == "mermaid" {
            self.warning(
                range.start,
                "mermaid diagrams are shown as their source: studybook does not draw them".into(),
                Some(
                    "draw the diagram as an SVG image beside the page to show it as a picture"
                        .into(),
                ),
            );
            self.out.push(Event::Html(
                format!(
                    "<p class=\"code-note\">{}</p>\n",
                    escape(&self.env.strings.mermaid_note)
                )
                .into(),
            ));
        }
    }

    fn math(&mut self, tex: CowStr<'d>, display: bool, range: Range<usize>) {
        self.result.formulas += 1;
        let html = match self.env.math.fetch(&tex, display) {
            Ok((html, fresh)) => {
                self.result.formulas_rendered += usize::from(fresh);
                let readable = crate::mathtext::readable(&html);
                self.plain_with_source(readable.as_deref().unwrap_or(&tex), &tex);
                html
            }
            Err(e) => {
                self.plain(&tex);
                let offset = self.tex_offset(&tex, &range, e.char_offset);
                self.error(
                    offset,
                    format!("math error: {}", e.message),
                    Some(
                        "KaTeX supports most LaTeX math; see its list of supported functions"
                            .into(),
                    ),
                );
                math::error_html(&tex, &e, display)
            }
        };
        self.out.push(Event::InlineHtml(html.into()));
    }

    /// A `$` left as text where TeX follows is math the author never closed; without a warning
    /// it silently shows as literal text. One warning per text run is enough to find it.
    fn warn_unclosed_math(&mut self, range: Range<usize>) {
        let text = self.doc.text;
        let Some((at, kind)) = text[range.clone()].match_indices('$').find_map(|(i, _)| {
            let at = range.start + i;
            math::unclosed_at(text, at).map(|kind| (at, kind))
        }) else {
            return;
        };
        let (message, help) = match kind {
            math::Unclosed::Inline => (
                "`$` starts a formula that is not closed in its paragraph, so it shows as text",
                "close it with `$`, or write `\\$` for a literal dollar sign (currency)",
            ),
            math::Unclosed::Display => (
                "`$$` starts display math that is not closed in its paragraph, so it shows as text",
                "close it with `$$` (a blank line ends the paragraph), or write `\\$` for a literal dollar sign",
            ),
        };
        self.warning(at, message.into(), Some(help.into()));
    }

    /// Where in the file KaTeX's character offset into the TeX points.
    fn tex_offset(&self, tex: &str, range: &Range<usize>, char_offset: Option<usize>) -> usize {
        let source = &self.doc.text[range.clone()];
        let Some(start) = source.find(tex) else {
            return range.start;
        };
        let within = char_offset.map_or(0, |n| {
            tex.char_indices().nth(n).map_or(tex.len(), |(i, _)| i)
        });
        range.start + start + within
    }

    // --- callouts ---
}

/// mdBook hides the lines of a Rust example that start with `# ` (setup the reader need not see);
/// `##` at the start stands for a literal `#`.
fn hide_rustdoc_lines(code: &str) -> String {
    code.split_inclusive('\n')
        .filter_map(|line| {
            let t = line.trim_start();
            if t.starts_with("##") {
                let indent = &line[..line.len() - t.len()];
                Some(format!("{indent}{}", &t[1..]))
            } else if t.starts_with("# ") || t.trim_end() == "#" {
                None
            } else {
                Some(line.to_string())
            }
        })
        .collect()
}

fn plain_text(events: &[Event<'_>]) -> String {
    let mut s = String::new();
    for e in events {
        match e {
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                s.push_str(t)
            }
            Event::SoftBreak | Event::HardBreak => s.push(' '),
            _ => {}
        }
    }
    s.trim().to_string()
}

/// Nests headings into a tree: each heading holds the deeper ones that follow it. `shown` are
/// the same headings as rendered.
fn toc(headings: &[Heading], shown: &[Shown]) -> Vec<TocEntry> {
    fn insert(list: &mut Vec<TocEntry>, entry: TocEntry) {
        match list.last_mut() {
            Some(last) if last.level < entry.level => insert(&mut last.children, entry),
            _ => list.push(entry),
        }
    }
    let mut tree = Vec::new();
    for (i, h) in headings.iter().enumerate().filter(|(_, h)| h.level <= 4) {
        let (title, html) = match shown.get(i) {
            Some(s) => (s.text.clone(), s.html.clone()),
            None => (h.text.clone(), escape(&h.text)),
        };
        insert(
            &mut tree,
            TocEntry {
                level: h.level,
                id: h.id.clone(),
                title,
                html,
                children: Vec::new(),
            },
        );
    }
    tree
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixture {
        pages: Vec<Page>,
        index: SiteIndex,
        assets: HashSet<PathBuf>,
        cache: RenderCache,
        strings: Strings,
    }

    fn fixture(files: &[(&str, &str)]) -> Fixture {
        let parsed = crate::parse::tests::parse_files(files);
        let index = SiteIndex::build(&parsed.pages, &parsed.categories);
        Fixture {
            pages: parsed.pages,
            index,
            assets: HashSet::from([PathBuf::from("geo/box.svg")]),
            cache: RenderCache::in_memory(),
            strings: Strings::for_language(crate::config::Language::En),
        }
    }

    fn render_page(f: &Fixture, id: PageId) -> Rendered {
        let math = MathRenderer::new(&Default::default(), &f.cache);
        let env = RenderEnv {
            pages: &f.pages,
            index: &f.index,
            math: &math,
            cache: &f.cache,
            code: &CodeTheme::fallback(),
            assets: &f.assets,
            strings: &f.strings,
            unresolved_links_warn: false,
        };
        render(&env, &Doc::of_page(&f.pages[id], id))
    }

    const BN: &str = "---\ntitle: Batch Normalization\naliases: [BN, 批归一化]\n---\n## Train vs test {#train-vs-test}\n\nText.\n\n## Backward pass\n";

    #[test]
    fn every_link_form_resolves() {
        let f = fixture(&[
            ("train/bn.md", BN),
            (
                "geo/iou.md",
                "# IoU\n\n[[批归一化]] [[BN|the BN page]] [[Batch Normalization#Backward pass]] [[#Code]]\n[md](../train/bn.md#train-vs-test) ![b](box.svg) [ext](https://example.com)\n\n## Code\n",
            ),
        ]);
        let r = render_page(&f, 1);
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        assert!(
            r.html
                .unpack()
                .contains("href=\"../train/bn.html\">批归一化</a>"),
            "{}",
            r.html
        );
        assert!(r
            .html
            .unpack()
            .contains("href=\"../train/bn.html\">the BN page</a>"));
        assert!(r
            .html
            .unpack()
            .contains("href=\"../train/bn.html#backward-pass\""));
        assert!(r.html.unpack().contains("href=\"#code\""));
        assert!(r
            .html
            .unpack()
            .contains("href=\"../train/bn.html#train-vs-test\""));
        assert!(r.html.unpack().contains("href=\"https://example.com\""));
        assert_eq!(r.links_out, vec![0]);
        assert_eq!(r.assets, vec![PathBuf::from("geo/box.svg")]);
        assert!(
            !r.html.unpack().contains("<h1"),
            "the title heading is not repeated"
        );
    }

    #[test]
    fn broken_links_point_at_the_source_with_suggestions() {
        let f = fixture(&[
            ("train/bn.md", BN),
            ("x.md", "---\ntitle: X\n---\nSee [[Batch Normalisation]].\n\nAnd [[BN#Forward]] and [y](nope.md) and ![i](gone.png).\n"),
        ]);
        let r = render_page(&f, 1);
        let msgs: Vec<String> = r.diagnostics.iter().map(|d| d.short()).collect();
        assert_eq!(msgs.len(), 4, "{msgs:#?}");
        assert!(
            msgs[0].starts_with("content/x.md:4:5: error: no page named [[Batch Normalisation]]"),
            "{}",
            msgs[0]
        );
        assert!(
            msgs[0].contains("did you mean [[Batch Normalization]]?"),
            "{}",
            msgs[0]
        );
        assert!(
            msgs[1].starts_with(
                "content/x.md:6:5: error: no heading `Forward` in Batch Normalization"
            ),
            "{}",
            msgs[1]
        );
        assert!(msgs[2].contains("no page at `nope.md`"), "{}", msgs[2]);
        assert!(
            msgs[3].contains("warning: image `gone.png` not found"),
            "{}",
            msgs[3]
        );
    }

    #[test]
    fn math_renders_and_errors_point_into_the_tex() {
        let f = fixture(&[(
            "m.md",
            "Inline $a^2$ and\n\n$$\\frac{1}{2}$$\n\nbad: $x + \\nope$\n\n```math\nE=mc^2\n```\n",
        )]);
        let r = render_page(&f, 0);
        assert_eq!(r.formulas, 4);
        assert_eq!(
            r.html.unpack().matches("class=\"katex\"").count(),
            3,
            "{}",
            r.html
        );
        assert!(r.html.unpack().contains("katex-display"));
        assert!(!r.html.unpack().contains("$$"));
        assert!(r.html.unpack().contains("class=\"math-error\""));
        assert_eq!(r.diagnostics.len(), 1);
        assert_eq!(
            r.diagnostics[0].short().split(": error").next().unwrap(),
            "content/m.md:5:11"
        );
    }

    #[test]
    fn callouts_and_questions() {
        let f = fixture(&[(
            "q.md",
            "> [!NOTE]\n> Plain note.\n\n> [!QUESTION] Why is $\\sigma$ used?\n> Because **reasons**.\n\n> [!TIP]- Folded\n> hidden\n\n> [!WEIRD]\n> x\n\n> just a quote\n",
        )]);
        let r = render_page(&f, 0);
        assert!(r.html.unpack().contains("<div class=\"callout callout-note\" role=\"note\">\n<p class=\"callout-title\">Note</p>"), "{}", r.html);
        assert!(r
            .html
            .unpack()
            .contains("<details class=\"callout callout-question\" id=\"q-"));
        assert!(r.html.unpack().contains("<details class=\"callout callout-tip\">\n<summary class=\"callout-title\">Folded</summary>"));
        assert!(r.html.unpack().contains("<blockquote>"));
        assert!(!r.html.unpack().contains("[!"), "{}", r.html);
        assert_eq!(r.questions.len(), 1);
        assert_eq!(r.questions[0].question, "Why is \\sigma used?");
        assert!(r.questions[0]
            .answer_html
            .contains("<strong>reasons</strong>"));
        assert!(r.questions[0].question_html.contains("katex"));
        assert_eq!(r.diagnostics.len(), 1);
        assert!(r.diagnostics[0]
            .message
            .contains("unknown callout type `[!WEIRD]`"));
    }

    #[test]
    fn a_nested_question_is_its_own_card_not_part_of_its_parents_answer() {
        let f = fixture(&[(
            "q.md",
            "> [!QUESTION] Outer?\n> outer answer\n>\n> > [!NOTE]\n> > note text\n> >\n> > > [!QUESTION] Inner?\n> > > inner answer\n",
        )]);
        let r = render_page(&f, 0);
        let [inner, outer] = &r.questions[..] else {
            panic!("{:?}", r.questions)
        };
        assert_eq!(
            (inner.question.as_str(), outer.question.as_str()),
            ("Inner?", "Outer?")
        );
        assert!(inner.answer_html.contains("inner answer"));
        assert!(
            outer.answer_html.contains("outer answer") && outer.answer_html.contains("note text")
        );
        assert!(
            !outer.answer_html.contains("inner answer"),
            "{}",
            outer.answer_html
        );
        assert!(
            outer.answer_html.contains(
                "<p class=\"callout-follow-up\"><span class=\"callout-label\">Q</span> Inner?</p>"
            ),
            "{}",
            outer.answer_html
        );
        // The page itself still shows everything, nested.
        assert!(
            r.html.unpack().contains("inner answer")
                && r.html.unpack().matches("<details").count() == 2
        );
    }

    #[test]
    fn deeply_nested_questions_cost_linear_output() {
        let depth = 300;
        let mut text = String::new();
        for level in 1..=depth {
            text.push_str(&"> ".repeat(level));
            text.push_str(&format!("[!QUESTION] Question {level}?\n"));
            text.push_str(&"> ".repeat(level));
            text.push_str(&format!("answer {level}\n"));
        }
        let f = fixture(&[("deep.md", &text)]);
        let r = render_page(&f, 0);
        assert_eq!(r.questions.len(), depth);
        let answers: usize = r.questions.iter().map(|q| q.answer_html.len()).sum();
        // Each answer holds its own text and a pointer to the next question: about 100 bytes.
        assert!(answers < 200 * depth, "{answers} bytes of answers");
        assert!(
            r.html.unpack().len() < 5 * text.len(),
            "{} bytes of page",
            r.html.unpack().len()
        );
    }

    #[test]
    fn an_unclosed_formula_is_a_warning_at_its_dollar() {
        let f = fixture(&[(
            "m.md",
            "It costs $5, or \\$x^2.\n\nThe loss $\\frac{a}{b} is\n\n$$\n\\sum_i x_i\n\n$$\n\nClosed $x^2$ and $$y$$.\n\n`$x^2` in code\n",
        )]);
        let r = render_page(&f, 0);
        let msgs: Vec<String> = r.diagnostics.iter().map(|d| d.short()).collect();
        assert_eq!(msgs.len(), 3, "{msgs:#?}");
        assert!(msgs[0].starts_with("content/m.md:3:10: warning: `$` starts a formula that is not closed in its paragraph"), "{}", msgs[0]);
        assert!(
            msgs[0].contains("write `\\$` for a literal dollar sign (currency)"),
            "{}",
            msgs[0]
        );
        assert!(
            msgs[1].starts_with("content/m.md:5:1: warning: `$$` starts display math"),
            "{}",
            msgs[1]
        );
        assert!(
            msgs[2].starts_with("content/m.md:8:1: warning: `$$`"),
            "{}",
            msgs[2]
        );
    }

    #[test]
    fn display_math_cut_by_a_list_marker_is_a_warning() {
        // `+ ` at the start of a line inside `$$` starts a list and ends the paragraph.
        let f = fixture(&[("m.md", "$$\na\n+ b\n$$\n\n$$\na\n+b\n$$\n")]);
        let r = render_page(&f, 0);
        let lines: Vec<usize> = r.diagnostics.iter().map(|d| d.position.line).collect();
        assert_eq!(lines, [1, 4], "{:?}", r.diagnostics);
        assert_eq!(r.formulas, 1);
    }

    #[test]
    fn headings_code_toc_and_sections() {
        let f = fixture(&[("c.md", "Intro words.\n\n## 面试回答\n\n中文 text\n\n### Code\n\n```python {run}\nx = 1 < 2\n```\n\n```klingon\nqapla'\n```\n")]);
        let r = render_page(&f, 0);
        assert!(
            r.html
                .unpack()
                .contains("<h2 id=\"面试回答\">面试回答</h2>"),
            "{}",
            r.html
        );
        assert!(r.html.unpack().contains("hl-code"));
        assert!(
            r.html.unpack().contains(
                "<pre class=\"code\" tabindex=\"0\"><code class=\"language-klingon\">qapla"
            ),
            "{}",
            r.html
        );
        assert_eq!(r.toc.len(), 1);
        assert_eq!(r.toc[0].children[0].id, "code");
        assert_eq!(r.sections[0].text, "Intro words.");
        assert_eq!(r.sections[1].heading, "面试回答");
        assert_eq!(r.sections[1].text, "中文 text");
    }

    #[test]
    fn runnable_blocks_are_marked_and_highlighted_in_every_spelling() {
        let f = fixture(&[(
            "r.md",
            "```python,run\nx = 1\n```\n\n```output\n1 < 2\n```\n\n```{.cpp .run .skip}\nint main() {}\n```\n\n```bash {run timout=1s}\ntrue\n```\n",
        )]);
        let r = render_page(&f, 0);
        // mdBook's `python,run` was once taken whole as the language and left unhighlighted.
        assert!(r.html.unpack().contains("<div class=\"tested-code\"><span class=\"tested-mark\">✓ tested · Python</span><pre class=\"code hl-code\" tabindex=\"0\"><code class=\"language-python\">"), "{}", r.html);
        assert!(r.html.unpack().contains("<div class=\"code-output\"><div class=\"code-output-label\">Output</div><pre class=\"code\" tabindex=\"0\"><code>1 &lt; 2\n</code></pre></div>"), "{}", r.html);
        assert_eq!(
            r.html.unpack().matches("tested-mark").count(),
            2,
            "a skipped block has no mark"
        );
        let diags: Vec<String> = r.diagnostics.iter().map(|d| d.short()).collect();
        assert_eq!(
            diags,
            ["content/r.md:13:14: error: unknown code block attribute `timout` (did you mean `timeout`?)"]
        );
    }

    #[test]
    fn other_tools_code_blocks_and_embed_helpers() {
        assert_eq!(
            hide_rustdoc_lines("# use x;\n#[derive(Debug)]\n## not hidden\nfn main() {}\n#\n"),
            "#[derive(Debug)]\n# not hidden\nfn main() {}\n"
        );
        assert_eq!(parse_size("300"), Some((300, None)));
        assert_eq!(parse_size("300x200"), Some((300, Some(200))));
        assert_eq!(parse_size("a cat"), None);
        let html = "<h2 id=\"a\">A</h2>\n<p>x</p>\n<h3 id=\"b\">B</h3>\n<h2 id=\"c\">C</h2>\n<p id=\"^k\">k</p>\n";
        assert_eq!(
            section_html(html, "a"),
            Some("<h2 id=\"a\">A</h2>\n<p>x</p>\n<h3 id=\"b\">B</h3>\n")
        );
        assert_eq!(section_html(html, "^k"), Some("<p id=\"^k\">k</p>"));
        // Found by tests/fuzz.rs: a heading inside a quote took the quote's end tag with it,
        // and the page embedding that section closed an element it never opened.
        let quoted = "<blockquote>\n<h1 id=\"s\">S</h1>\n<p>a<br>b<!-- </x> --><img src=\"i\"/></p>\n</blockquote>\n<p>after</p>\n";
        assert_eq!(
            section_html(quoted, "s"),
            Some("<h1 id=\"s\">S</h1>\n<p>a<br>b<!-- </x> --><img src=\"i\"/></p>\n")
        );
        let f = fixture(&[(
            "d.md",
            "```mermaid\ngraph TD; A-->B\n```\n\n```dataview\nLIST\n```\n",
        )]);
        let r = render_page(&f, 0);
        let msgs: Vec<String> = r.diagnostics.iter().map(|d| d.short()).collect();
        assert_eq!(msgs.len(), 2, "{msgs:#?}");
        assert!(msgs[0]
            .starts_with("content/d.md:1:1: warning: mermaid diagrams are shown as their source"));
        assert!(msgs[1].starts_with("content/d.md:5:1: warning: `dataview` blocks"));
        assert!(r.html.unpack().contains("class=\"code-note\""));
    }

    #[test]
    fn math_in_headings_and_titles_is_shown_rendered_or_as_readable_text() {
        let f = fixture(&[(
            "w.md",
            "# Loss $\\lvert\\theta\\rvert$\n\n## Why $n_{\\text{critic}} = 5$ and [[w]]\n\nWe use $\\log 2$.\n\n> [!QUESTION] Is $\\theta$ small?\n> Yes.\n",
        )]);
        let r = render_page(&f, 0);
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        let entry = &r.toc[0];
        assert_eq!(entry.title, "Why n_critic = 5 and w");
        assert!(
            entry.html.starts_with("Why <span class=\"katex\">"),
            "{}",
            entry.html
        );
        assert!(!entry.html.contains("<a "), "no link inside the TOC link");
        assert_eq!(r.sections[0].heading, "Why n_critic = 5 and w");
        assert_eq!(r.sections[0].text, "We use log 2. Is θ small? Yes.");
        let title = r.title.as_ref().expect("a title with math");
        assert_eq!(title.text, "Loss |θ|");
        assert!(title.html.contains("katex"));
        // The question's id still hashes its TeX, so readers' progress is kept.
        assert_eq!(r.questions[0].id, question_id("Is \\theta small?"));
    }
}
