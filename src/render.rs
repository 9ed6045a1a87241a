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
use crate::math::{self, MathRenderer};
use crate::notetest::blocks::{read_fence, OUTPUT_FENCE};
use crate::parse::{markdown_options, Heading, Page};
use crate::strings::Strings;
use crate::text::squash_whitespace;

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
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
    pub children: Vec<TocEntry>,
}

/// A `[!QUESTION]` callout: an interview question and its answer.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Question {
    pub id: String,
    pub question: String,
    pub question_html: String,
    pub answer_html: String,
    /// The heading the question sits under, if any.
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
    pub html: String,
    pub toc: Vec<TocEntry>,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalloutKind {
    Note,
    Tip,
    Important,
    Warning,
    Caution,
    Question,
}

impl CalloutKind {
    /// GitHub's five kinds, Obsidian's common aliases, and QUESTION.
    fn parse(name: &str) -> Option<Self> {
        Some(match name.to_ascii_lowercase().as_str() {
            "note" | "info" | "abstract" | "summary" | "example" | "quote" => Self::Note,
            "tip" | "hint" | "success" | "check" | "done" => Self::Tip,
            "important" => Self::Important,
            "warning" | "attention" => Self::Warning,
            "caution" | "danger" | "error" | "bug" | "failure" => Self::Caution,
            "question" | "faq" | "help" => Self::Question,
            _ => return None,
        })
    }

    fn class(self) -> &'static str {
        match self {
            Self::Note => "note",
            Self::Tip => "tip",
            Self::Important => "important",
            Self::Warning => "warning",
            Self::Caution => "caution",
            Self::Question => "question",
        }
    }

    /// The title a callout without one shows, in the site's language.
    fn label(self, strings: &Strings) -> &str {
        match self {
            Self::Note => &strings.note,
            Self::Tip => &strings.tip,
            Self::Important => &strings.important,
            Self::Warning => &strings.warning,
            Self::Caution => &strings.caution,
            Self::Question => &strings.question,
        }
    }
}

/// How a callout folds: GitHub's never, Obsidian's `-` (closed) and `+` (open). Questions fold closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fold {
    None,
    Closed,
    Open,
}

enum Quote {
    Plain,
    Callout(Callout),
}

struct Callout {
    kind: CalloutKind,
    fold: Fold,
    /// Marker characters (`[!NOTE]-`) still to drop from the first text events.
    marker_left: usize,
    state: CalloutState,
    title_start: usize,
    title_end: usize,
    body_start: usize,
    /// The title as plain text (math as TeX), for question ids and search.
    title_text: String,
    section: Option<String>,
}

#[derive(PartialEq, Eq)]
enum CalloutState {
    /// Before the first paragraph.
    Start,
    /// Inside the first line, which is the title.
    Title,
    Body,
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
    question_ids: crate::slug::UniqueIds,
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
            question_ids: Default::default(),
        }
    }

    fn run(mut self) -> Rendered {
        let body = &self.doc.text[self.doc.body_offset..];
        for (event, range) in Parser::new_ext(body, markdown_options()).into_offset_iter() {
            let range = (range.start + self.doc.body_offset)..(range.end + self.doc.body_offset);
            self.event(event, range);
        }
        self.finish_section();
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, self.out.into_iter());
        self.result.html = html;
        self.result.toc = toc(self.doc.headings);
        let mut links: Vec<PageId> = self.links.into_iter().collect();
        links.sort_unstable();
        self.result.links_out = links;
        let mut assets: Vec<PathBuf> = self.assets.into_iter().collect();
        assets.sort();
        self.result.assets = assets;
        self.result
    }

    fn error(&mut self, offset: usize, message: String, help: Option<String>) {
        let pos = self.lines.position(self.doc.text, offset);
        let mut d = Diagnostic::error(self.doc.display_path, pos, message);
        d.help = help;
        self.result.diagnostics.push(d);
    }

    fn warning(&mut self, offset: usize, message: String, help: Option<String>) {
        let pos = self.lines.position(self.doc.text, offset);
        let mut d = Diagnostic::warning(self.doc.display_path, pos, message);
        d.help = help;
        self.result.diagnostics.push(d);
    }

    fn event(&mut self, event: Event<'d>, range: Range<usize>) {
        if self.skipping_h1 {
            if matches!(event, Event::End(TagEnd::Heading(_))) {
                self.skipping_h1 = false;
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
                self.out.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url: href.into(),
                    title,
                    id,
                }));
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                self.image(&dest_url, range.start);
                self.out.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
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
            Event::Text(t) => {
                self.plain(&t);
                self.out.push(Event::Text(t));
            }
            Event::Code(t) => {
                self.plain(&t);
                self.out.push(Event::Code(t));
            }
            Event::SoftBreak | Event::HardBreak => {
                self.plain(" ");
                self.out.push(event);
            }
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::TableCell) => {
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

    /// Appends words to the current search section (not while inside a heading).
    fn plain(&mut self, text: &str) {
        if let Some(Quote::Callout(c)) = self.quotes.last_mut() {
            if c.state == CalloutState::Title {
                c.title_text.push_str(text);
            }
        }
        if self.heading_start.is_none() {
            self.section.text.push_str(text);
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
        let text = plain_text(&inner_events);
        let mut inner = String::new();
        pulldown_cmark::html::push_html(&mut inner, inner_events.into_iter());
        let heading = self.doc.headings.get(self.heading_no);
        self.heading_no += 1;
        let id = heading.map_or_else(|| crate::slug::slugify(&text, "section"), |h| h.id.clone());
        let n = level as u8;
        self.out.push(Event::Html(
            format!(
                "<h{n} id=\"{id}\">{inner}<a class=\"heading-anchor\" href=\"#{id}\" aria-label=\"{}\">#</a></h{n}>\n",
                escape(&self.env.strings.permalink),
                id = escape(&id)
            )
            .into(),
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
    }

    fn math(&mut self, tex: CowStr<'d>, display: bool, range: Range<usize>) {
        self.result.formulas += 1;
        self.plain(&tex);
        let html = match self.env.math.fetch(&tex, display) {
            Ok((html, fresh)) => {
                self.result.formulas_rendered += usize::from(fresh);
                html
            }
            Err(e) => {
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

    fn link_href(&mut self, dest: &str, wiki: bool, offset: usize) -> String {
        if wiki {
            return self.wikilink(dest, offset);
        }
        if is_external(dest) {
            return dest.to_string();
        }
        if let Some(fragment) = dest.strip_prefix('#') {
            return self.same_page_anchor(fragment, offset);
        }
        if dest.starts_with('/') {
            self.warning(
                offset,
                format!("absolute link `{dest}` breaks when the site is opened from a file or a subpath"),
                Some("use a path relative to this page, such as `../basics/batchnorm.md`".into()),
            );
            return dest.to_string();
        }
        let (path_part, fragment) = split_fragment(dest);
        let decoded = percent_encoding::percent_decode_str(path_part)
            .decode_utf8_lossy()
            .into_owned();
        let Some(target) = self.resolve_relative(&decoded) else {
            self.error(
                offset,
                format!("link `{dest}` leaves the content folder"),
                Some("link only to pages and files inside the content folder".into()),
            );
            return dest.to_string();
        };
        if target.extension().is_some_and(|e| e == "md") {
            let page = self.env.index.page_at(&target);
            let Some(id) = page else {
                let stem = target
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let help = self
                    .env
                    .index
                    .suggest(&stem)
                    .first()
                    .map(|s| format!("did you mean [[{s}]]?"));
                self.error(offset, format!("no page at `{}`", target.display()), help);
                return dest.to_string();
            };
            return self.page_href(id, fragment, offset);
        }
        if self.env.assets.contains(&target) {
            self.assets.insert(target);
        } else {
            self.error(
                offset,
                format!("link to `{}`, which does not exist", target.display()),
                None,
            );
        }
        dest.to_string()
    }

    fn wikilink(&mut self, dest: &str, offset: usize) -> String {
        let (name, fragment) = split_fragment(dest);
        let name = name.trim();
        if name.is_empty() {
            return self.same_page_anchor(fragment.unwrap_or(""), offset);
        }
        match self.env.index.lookup(name) {
            Lookup::Found(id) => self.page_href(id, fragment, offset),
            Lookup::Ambiguous(ids) => {
                let list: Vec<String> = ids
                    .iter()
                    .map(|&i| {
                        format!(
                            "{} ({})",
                            self.env.pages[i].title,
                            self.env.pages[i].source.display_path.display()
                        )
                    })
                    .collect();
                self.error(
                    offset,
                    format!("[[{name}]] is ambiguous: it names {}", list.join(", ")),
                    Some(
                        "link with the folder path, e.g. [[folder/page]], or with the title".into(),
                    ),
                );
                "#".into()
            }
            Lookup::Missing { suggestions } => {
                let help = if suggestions.is_empty() {
                    "link to a page title, alias, or file name".to_string()
                } else {
                    format!(
                        "did you mean {}?",
                        suggestions
                            .iter()
                            .map(|s| format!("[[{s}]]"))
                            .collect::<Vec<_>>()
                            .join(" or ")
                    )
                };
                self.error(offset, format!("no page named [[{name}]]"), Some(help));
                "#".into()
            }
        }
    }

    fn page_href(&mut self, id: PageId, fragment: Option<&str>, offset: usize) -> String {
        let target = &self.env.pages[id];
        if Some(id) != self.doc.page {
            self.links.insert(id);
        }
        let mut href = if Some(id) == self.doc.page {
            String::new()
        } else {
            format!("{}{}", "../".repeat(self.doc.depth), target.url)
        };
        if let Some(fragment) = fragment {
            match SiteIndex::heading_id(target, fragment) {
                Some(hid) => {
                    href.push('#');
                    href.push_str(hid);
                }
                None => {
                    let help =
                        closest_heading(target.headings.iter().map(|h| h.text.as_str()), fragment)
                            .map(|h| format!("did you mean [[{}#{h}]]?", target.title));
                    let msg = format!("no heading `{fragment}` in {}", target.title);
                    self.error(offset, msg, help);
                }
            }
        }
        if href.is_empty() {
            href = target
                .url
                .rsplit('/')
                .next()
                .unwrap_or(&target.url)
                .to_string();
        }
        href
    }

    fn same_page_anchor(&mut self, fragment: &str, offset: usize) -> String {
        let found = self
            .doc
            .headings
            .iter()
            .find(|h| h.id == fragment)
            .or_else(|| {
                let wanted = crate::index::normalize(fragment);
                self.doc
                    .headings
                    .iter()
                    .find(|h| crate::index::normalize(&h.text) == wanted)
            })
            .map(|h| h.id.clone());
        match found {
            Some(id) => format!("#{id}"),
            None if fragment.starts_with("fn") || fragment.starts_with("q-") => {
                format!("#{fragment}")
            }
            None => {
                let help =
                    closest_heading(self.doc.headings.iter().map(|h| h.text.as_str()), fragment)
                        .map(|h| format!("did you mean [[#{h}]]?"));
                self.error(
                    offset,
                    format!("no heading `{fragment}` on this page"),
                    help,
                );
                format!("#{fragment}")
            }
        }
    }

    fn image(&mut self, dest: &str, offset: usize) {
        if is_external(dest) || dest.starts_with('#') {
            return;
        }
        let (path_part, _) = split_fragment(dest);
        let decoded = percent_encoding::percent_decode_str(path_part)
            .decode_utf8_lossy()
            .into_owned();
        match self.resolve_relative(&decoded) {
            Some(target) if self.env.assets.contains(&target) => {
                self.assets.insert(target);
            }
            Some(target) => self.warning(
                offset,
                format!("image `{}` not found", target.display()),
                Some("put the image next to the page and link it relatively".into()),
            ),
            None => self.warning(
                offset,
                format!("image `{dest}` is outside the content folder"),
                None,
            ),
        }
    }

    /// A relative link resolved against the document's folder; None when it leaves the content folder.
    fn resolve_relative(&self, path: &str) -> Option<PathBuf> {
        let base = self.doc.rel_path.parent().unwrap_or(Path::new(""));
        let mut parts: Vec<String> = base
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        for comp in Path::new(path).components() {
            match comp {
                Component::ParentDir => {
                    parts.pop()?;
                }
                Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
                Component::CurDir => {}
                _ => return None,
            }
        }
        Some(parts.iter().collect())
    }

    // --- callouts ---

    fn start_quote(&mut self, range: Range<usize>) {
        let source = &self.doc.text[range.clone()];
        let first_line = source.lines().next().unwrap_or("");
        let marker = first_line.trim_start().trim_start_matches('>').trim_start();
        let parsed = marker.strip_prefix("[!").and_then(|rest| {
            let end = rest.find(']')?;
            let name = &rest[..end];
            let after = &rest[end + 1..];
            let fold = match after.chars().next() {
                Some('-') => Fold::Closed,
                Some('+') => Fold::Open,
                _ => Fold::None,
            };
            let marker_len = 2 + name.chars().count() + 1 + usize::from(fold != Fold::None);
            Some((name.to_string(), fold, marker_len))
        });
        let Some((name, fold, marker_len)) =
            parsed.filter(|(n, _, _)| !n.is_empty() && !n.contains(char::is_whitespace))
        else {
            self.quotes.push(Quote::Plain);
            self.out.push(Event::Start(Tag::BlockQuote(None)));
            return;
        };
        let kind = CalloutKind::parse(&name).unwrap_or_else(|| {
            self.warning(
                range.start,
                format!("unknown callout type `[!{name}]`, shown as a note"),
                Some("use NOTE, TIP, IMPORTANT, WARNING, CAUTION or QUESTION".into()),
            );
            CalloutKind::Note
        });
        let fold = if kind == CalloutKind::Question && fold == Fold::None {
            Fold::Closed
        } else {
            fold
        };
        self.quotes.push(Quote::Callout(Callout {
            kind,
            fold,
            marker_left: marker_len,
            state: CalloutState::Start,
            title_start: 0,
            title_end: 0,
            body_start: 0,
            title_text: String::new(),
            section: self.section.id.clone(),
        }));
    }

    /// Handles the events of a callout's first line. Returns true when the event was consumed.
    fn callout_title_event(&mut self, event: &Event<'d>) -> bool {
        let Some(Quote::Callout(c)) = self.quotes.last_mut() else {
            return false;
        };
        match (&c.state, event) {
            (CalloutState::Start, Event::Start(Tag::Paragraph)) => {
                c.state = CalloutState::Title;
                c.title_start = self.out.len();
                true
            }
            (CalloutState::Start, _) => {
                // A callout whose first block is not a paragraph: no title line.
                c.state = CalloutState::Body;
                c.title_start = self.out.len();
                c.title_end = self.out.len();
                c.body_start = self.out.len();
                false
            }
            (CalloutState::Title, Event::Text(t)) if c.marker_left > 0 => {
                let n = t.chars().count();
                if n <= c.marker_left {
                    c.marker_left -= n;
                } else {
                    let rest: String = t.chars().skip(c.marker_left).collect();
                    c.marker_left = 0;
                    let rest = rest.trim_start().to_string();
                    c.title_text.push_str(&rest);
                    if !rest.is_empty() {
                        self.out.push(Event::Text(rest.into()));
                    }
                }
                true
            }
            (CalloutState::Title, Event::SoftBreak | Event::HardBreak) => {
                c.state = CalloutState::Body;
                c.title_end = self.out.len();
                self.out.push(Event::Start(Tag::Paragraph));
                c.body_start = self.out.len() - 1;
                true
            }
            (CalloutState::Title, Event::End(TagEnd::Paragraph)) => {
                c.state = CalloutState::Body;
                c.title_end = self.out.len();
                c.body_start = self.out.len();
                true
            }
            _ => false,
        }
    }

    fn end_quote(&mut self, kind: Option<pulldown_cmark::BlockQuoteKind>) {
        match self.quotes.pop() {
            Some(Quote::Callout(c)) => self.end_callout(c),
            _ => self.out.push(Event::End(TagEnd::BlockQuote(kind))),
        }
    }

    fn end_callout(&mut self, c: Callout) {
        let title_end = if c.state == CalloutState::Title {
            self.out.len()
        } else {
            c.title_end
        };
        let body_start = if c.state == CalloutState::Title {
            self.out.len()
        } else {
            c.body_start
        };
        let body: Vec<Event<'d>> = self.out.drain(body_start..).collect();
        let title: Vec<Event<'d>> = self.out.drain(c.title_start..title_end).collect();
        self.out.truncate(c.title_start);
        let strings = self.env.strings;
        let mut title_html = String::new();
        pulldown_cmark::html::push_html(&mut title_html, title.iter().cloned());
        let title_text = squash_whitespace(&c.title_text, " ");
        if title_html.trim().is_empty() {
            title_html = escape(c.kind.label(strings));
        }
        let mut body_html = String::new();
        pulldown_cmark::html::push_html(&mut body_html, body.into_iter());
        let class = c.kind.class();
        let html = if c.kind == CalloutKind::Question {
            let id = self.question_ids.claim(question_id(&title_text));
            self.result.questions.push(Question {
                id: id.clone(),
                question: title_text,
                question_html: title_html.clone(),
                answer_html: body_html.clone(),
                section: c.section,
            });
            let open = if c.fold == Fold::Open { " open" } else { "" };
            format!(
                "<details class=\"callout callout-question\" id=\"{id}\" data-question{open}>\n<summary class=\"callout-title\"><span class=\"callout-label\">{}</span> {title_html}</summary>\n<div class=\"callout-body\">\n{body_html}</div>\n</details>\n",
                escape(&strings.question)
            )
        } else if c.fold == Fold::None {
            format!(
                "<div class=\"callout callout-{class}\" role=\"note\">\n<p class=\"callout-title\">{title_html}</p>\n<div class=\"callout-body\">\n{body_html}</div>\n</div>\n"
            )
        } else {
            let open = if c.fold == Fold::Open { " open" } else { "" };
            format!(
                "<details class=\"callout callout-{class}\"{open}>\n<summary class=\"callout-title\">{title_html}</summary>\n<div class=\"callout-body\">\n{body_html}</div>\n</details>\n"
            )
        };
        self.out.push(Event::Html(html.into()));
    }
}

/// A stable, readable-enough id for a question: `q-` and a short hash of its text.
pub fn question_id(question: &str) -> String {
    let normalized = squash_whitespace(question, " ");
    format!(
        "q-{:08x}",
        xxhash_rust::xxh3::xxh3_64(normalized.as_bytes()) as u32
    )
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

fn closest_heading<'a>(headings: impl Iterator<Item = &'a str>, wanted: &str) -> Option<&'a str> {
    let wanted = crate::index::normalize(wanted);
    headings
        .map(|h| {
            (
                strsim::normalized_levenshtein(&crate::index::normalize(h), &wanted),
                h,
            )
        })
        .filter(|(s, _)| *s >= 0.4)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, h)| h)
}

fn split_fragment(dest: &str) -> (&str, Option<&str>) {
    match dest.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (dest, None),
    }
}

/// Nests headings into a tree: each heading holds the deeper ones that follow it.
fn toc(headings: &[Heading]) -> Vec<TocEntry> {
    fn insert(list: &mut Vec<TocEntry>, entry: TocEntry) {
        match list.last_mut() {
            Some(last) if last.level < entry.level => insert(&mut last.children, entry),
            _ => list.push(entry),
        }
    }
    let mut tree = Vec::new();
    for h in headings.iter().filter(|h| h.level <= 4) {
        insert(
            &mut tree,
            TocEntry {
                level: h.level,
                id: h.id.clone(),
                title: h.text.clone(),
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
            r.html.contains("href=\"../train/bn.html\">批归一化</a>"),
            "{}",
            r.html
        );
        assert!(r.html.contains("href=\"../train/bn.html\">the BN page</a>"));
        assert!(r.html.contains("href=\"../train/bn.html#backward-pass\""));
        assert!(r.html.contains("href=\"#code\""));
        assert!(r.html.contains("href=\"../train/bn.html#train-vs-test\""));
        assert!(r.html.contains("href=\"https://example.com\""));
        assert_eq!(r.links_out, vec![0]);
        assert_eq!(r.assets, vec![PathBuf::from("geo/box.svg")]);
        assert!(!r.html.contains("<h1"), "the title heading is not repeated");
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
        assert_eq!(r.html.matches("class=\"katex\"").count(), 3, "{}", r.html);
        assert!(r.html.contains("katex-display"));
        assert!(!r.html.contains("$$"));
        assert!(r.html.contains("class=\"math-error\""));
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
        assert!(r.html.contains("<div class=\"callout callout-note\" role=\"note\">\n<p class=\"callout-title\">Note</p>"), "{}", r.html);
        assert!(r
            .html
            .contains("<details class=\"callout callout-question\" id=\"q-"));
        assert!(r.html.contains("<details class=\"callout callout-tip\">\n<summary class=\"callout-title\">Folded</summary>"));
        assert!(r.html.contains("<blockquote>"));
        assert!(!r.html.contains("[!"), "{}", r.html);
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
    fn headings_code_toc_and_sections() {
        let f = fixture(&[("c.md", "Intro words.\n\n## 面试回答\n\n中文 text\n\n### Code\n\n```python {run}\nx = 1 < 2\n```\n\n```klingon\nqapla'\n```\n")]);
        let r = render_page(&f, 0);
        assert!(
            r.html.contains(
                "<h2 id=\"面试回答\">面试回答<a class=\"heading-anchor\" href=\"#面试回答\""
            ),
            "{}",
            r.html
        );
        assert!(r.html.contains("hl-code"));
        assert!(
            r.html.contains(
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
        assert!(r.html.contains("<div class=\"tested-code\"><span class=\"tested-mark\">✓ tested · Python</span><pre class=\"code hl-code\" tabindex=\"0\"><code class=\"language-python\">"), "{}", r.html);
        assert!(r.html.contains("<div class=\"code-output\"><div class=\"code-output-label\">Output</div><pre class=\"code\" tabindex=\"0\"><code>1 &lt; 2\n</code></pre></div>"), "{}", r.html);
        assert_eq!(
            r.html.matches("tested-mark").count(),
            2,
            "a skipped block has no mark"
        );
        let diags: Vec<String> = r.diagnostics.iter().map(|d| d.short()).collect();
        assert_eq!(
            diags,
            ["content/r.md:13:14: error: unknown code block attribute `timout` (did you mean `timeout`?)"]
        );
    }
}
