//! Callouts and interview questions: GitHub's and Obsidian's `> [!KIND]` blocks, folding, and
//! the question cards collected for practice (a question nested in a question is its own card).

use super::*;

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
    /// GitHub's five kinds, every Obsidian type and alias, and QUESTION.
    pub(super) fn parse(name: &str) -> Option<Self> {
        Some(match name.to_ascii_lowercase().as_str() {
            "note" | "info" | "abstract" | "summary" | "tldr" | "example" | "quote" | "cite"
            | "todo" => Self::Note,
            "tip" | "hint" | "success" | "check" | "done" => Self::Tip,
            "important" => Self::Important,
            "warning" | "attention" => Self::Warning,
            "caution" | "danger" | "error" | "bug" | "failure" | "fail" | "missing" => {
                Self::Caution
            }
            "question" | "faq" | "help" => Self::Question,
            _ => return None,
        })
    }

    pub(super) fn class(self) -> &'static str {
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
    pub(super) fn label(self, strings: &Strings) -> &str {
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
pub(super) enum Fold {
    None,
    Closed,
    Open,
}

pub(super) enum Quote {
    Plain,
    Callout(Callout),
}

pub(super) struct Callout {
    pub(super) kind: CalloutKind,
    pub(super) fold: Fold,
    /// Marker characters (`[!NOTE]-`) still to drop from the first text events.
    pub(super) marker_left: usize,
    pub(super) state: CalloutState,
    pub(super) title_start: usize,
    pub(super) title_end: usize,
    pub(super) body_start: usize,
    /// The title as plain text (math as TeX), for question ids and search.
    pub(super) title_text: String,
    pub(super) section: Option<String>,
}

#[derive(PartialEq, Eq)]
pub(super) enum CalloutState {
    /// Before the first paragraph.
    Start,
    /// Inside the first line, which is the title.
    Title,
    Body,
}

/// A stable, readable-enough id for a question: `q-` and a short hash of its text.
pub fn question_id(question: &str) -> String {
    let normalized = squash_whitespace(question, " ");
    format!(
        "q-{:08x}",
        xxhash_rust::xxh3::xxh3_64(normalized.as_bytes()) as u32
    )
}

impl<'e, 'd> Renderer<'e, 'd> {
    pub(super) fn start_quote(&mut self, range: Range<usize>) {
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
    pub(super) fn callout_title_event(&mut self, event: &Event<'d>) -> bool {
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
                // The question ends here: its last word and the answer's first stay apart.
                self.section.text.push(' ');
                c.state = CalloutState::Body;
                c.title_end = self.out.len();
                self.out.push(Event::Start(Tag::Paragraph));
                c.body_start = self.out.len() - 1;
                true
            }
            (CalloutState::Title, Event::End(TagEnd::Paragraph)) => {
                self.section.text.push(' ');
                c.state = CalloutState::Body;
                c.title_end = self.out.len();
                c.body_start = self.out.len();
                true
            }
            _ => false,
        }
    }

    pub(super) fn end_quote(&mut self, kind: Option<pulldown_cmark::BlockQuoteKind>) {
        match self.quotes.pop() {
            Some(Quote::Callout(c)) => self.end_callout(c),
            _ => self.out.push(Event::End(TagEnd::BlockQuote(kind))),
        }
    }

    pub(super) fn end_callout(&mut self, c: Callout) {
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
        // Callouts closed inside this one, and how an answer shows them.
        let inner_forms = self.answer_forms.split_off(&c.title_start);
        let answer_body_html = (!inner_forms.is_empty()).then(|| {
            let events = body.iter().enumerate().map(|(i, e)| {
                inner_forms
                    .get(&(body_start + i))
                    .map_or_else(|| e.clone(), |form| Event::Html(form.clone().into()))
            });
            let mut html = String::new();
            pulldown_cmark::html::push_html(&mut html, events);
            html
        });
        let mut body_html = String::new();
        pulldown_cmark::html::push_html(&mut body_html, body.into_iter());
        let class = c.kind.class();
        let html = if c.kind == CalloutKind::Question {
            let id = self.question_ids.claim(question_id(&title_text));
            self.answer_forms.insert(
                c.title_start,
                format!(
                    "<p class=\"callout-follow-up\"><span class=\"callout-label\">{}</span> {}</p>\n",
                    escape(&strings.question),
                    title_html.trim()
                ),
            );
            self.result.questions.push(Question {
                id: id.clone(),
                question: title_text,
                question_html: title_html.clone(),
                answer_html: answer_body_html.unwrap_or_else(|| body_html.clone()),
                section: c.section,
            });
            let open = if c.fold == Fold::Open { " open" } else { "" };
            format!(
                "<details class=\"callout callout-question\" id=\"{id}\" data-question{open}>\n<summary class=\"callout-title\"><span class=\"callout-label\">{}</span> {title_html}</summary>\n<div class=\"callout-body\">\n{body_html}</div>\n</details>\n",
                escape(&strings.question)
            )
        } else {
            let block = |body_html: &str| {
                if c.fold == Fold::None {
                    format!(
                        "<div class=\"callout callout-{class}\" role=\"note\">\n<p class=\"callout-title\">{title_html}</p>\n<div class=\"callout-body\">\n{body_html}</div>\n</div>\n"
                    )
                } else {
                    let open = if c.fold == Fold::Open { " open" } else { "" };
                    format!(
                        "<details class=\"callout callout-{class}\"{open}>\n<summary class=\"callout-title\">{title_html}</summary>\n<div class=\"callout-body\">\n{body_html}</div>\n</details>\n"
                    )
                }
            };
            if let Some(answer_body_html) = answer_body_html {
                self.answer_forms
                    .insert(c.title_start, block(&answer_body_html));
            }
            block(&body_html)
        };
        self.out.push(Event::Html(html.into()));
    }
}
