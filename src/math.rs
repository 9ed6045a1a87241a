//! TeX to HTML with KaTeX at build time (one engine per thread, inside the `katex` crate),
//! behind the render cache.

use std::collections::BTreeMap;

use crate::cache::{key, RenderCache};
use crate::html::escape;

pub struct MathRenderer<'a> {
    cache: &'a RenderCache,
    inline: katex::Opts,
    display: katex::Opts,
    macros_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MathError {
    pub message: String,
    /// 0-based character offset into the TeX source, when KaTeX names one.
    pub char_offset: Option<usize>,
}

impl<'a> MathRenderer<'a> {
    pub fn new(macros: &BTreeMap<String, String>, cache: &'a RenderCache) -> Self {
        let opts = |display: bool| {
            let mut opts = katex::Opts::default();
            opts.set_display_mode(display);
            opts.set_throw_on_error(true);
            for (name, body) in macros {
                opts.add_macro(name.clone(), body.clone());
            }
            opts
        };
        let macros_key = serde_json::to_string(macros).unwrap_or_default();
        Self {
            cache,
            inline: opts(false),
            display: opts(true),
            macros_key,
        }
    }

    /// The HTML of `tex`, and whether KaTeX ran (true) or the cache answered (false).
    pub fn fetch(&self, tex: &str, display: bool) -> Result<(String, bool), MathError> {
        let mode = if display { "display" } else { "inline" };
        let k = key(&[
            "math",
            katex::KATEX_VERSION,
            OUTPUT_FORMAT,
            &self.macros_key,
            mode,
            tex,
        ]);
        self.cache.fetch(k, || {
            let opts = if display { &self.display } else { &self.inline };
            katex::render_with_opts(tex, opts)
                .map(|html| compact(&html))
                .map_err(to_math_error)
        })
    }
}

/// Starts a KaTeX engine on every worker thread (each thread has its own, and starting one takes
/// tens of milliseconds), in the background: called before the content is loaded, so the
/// engines are up by the time the first page is rendered. Only for a cold build: a warm one
/// renders few formulas or none.
pub fn start_engines() {
    rayon::spawn_broadcast(|_| {
        let _ = katex::render("x");
    });
}

/// Part of the cache key: bump it whenever [`compact`] changes.
const OUTPUT_FORMAT: &str = "compact-5";

/// KaTeX's HTML without bytes a browser ignores: the MathML namespace (an HTML parser gives
/// `<math>` that namespace itself), the `;` that ends every inline style, digits of lengths
/// beyond a thousandth of an em and their leading zero (`.25em`), and the quotes around attribute values that need none. Formulas are most
/// of a page's weight, so these few bytes each add up. The outer `class="katex"` and
/// `class="katex-display"` keep their quotes: tools that read the HTML back (the Anki export)
/// look for them.
fn compact(html: &str) -> String {
    // KaTeX escapes quotes in text, so `;"` only ever ends a style attribute.
    let html = html
        .replace(" xmlns=\"http://www.w3.org/1998/Math/MathML\"", "")
        .replace(";\"", "\"");
    let mut out = String::with_capacity(html.len());
    let mut rest = html.as_str();
    while let Some(at) = rest.find("=\"") {
        let (before, after) = (&rest[..at], &rest[at + 2..]);
        let Some(len) = after.find('"') else { break };
        let value = if before.ends_with(" style") {
            std::borrow::Cow::Owned(compact_lengths(&after[..len]))
        } else {
            std::borrow::Cow::Borrowed(&after[..len])
        };
        let next = after[len + 1..].chars().next();
        // Links keep their quotes: later stages rewrite `href="…"` (`\href` in a formula).
        let bare = !value.is_empty()
            && !before.ends_with(" href")
            && !matches!(&*value, "katex" | "katex-display")
            && !value.contains(|c: char| c.is_whitespace() || "\"'=<>`/".contains(c))
            && matches!(next, Some(' ' | '>'));
        out.push_str(before);
        if bare {
            out.push('=');
            out.push_str(&value);
        } else {
            out.push_str("=\"");
            out.push_str(&value);
            out.push('"');
        }
        rest = &after[len + 1..];
    }
    out.push_str(rest);
    out
}

/// A style's lengths to three decimals without a leading zero: `top:-2.40029em;height:0.5em`
/// as `top:-2.4em;height:.5em`. A thousandth of an em is a sixtieth of a pixel at 16px, and
/// KaTeX's four or five decimals are a tenth of a formula's weight.
fn compact_lengths(style: &str) -> String {
    let mut out = String::with_capacity(style.len());
    let mut rest = style;
    while let Some(at) = rest.find(|c: char| c.is_ascii_digit() || c == '.') {
        out.push_str(&rest[..at]);
        let len = rest[at..]
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len() - at);
        let number = &rest[at..at + len];
        match number.parse::<f64>() {
            Ok(value) if number.contains('.') => {
                let rounded = format!("{value:.3}");
                let rounded = rounded.trim_end_matches('0').trim_end_matches('.');
                let rounded = rounded
                    .strip_prefix('0')
                    .filter(|r| !r.is_empty())
                    .unwrap_or(rounded);
                out.push_str(if rounded.is_empty() { "0" } else { rounded });
            }
            _ => out.push_str(number),
        }
        rest = &rest[at + len..];
    }
    out.push_str(rest);
    out
}

/// A formula's HTML as pages show it: without the TeX source KaTeX keeps in the MathML
/// (`<semantics>…<annotation encoding="application/x-tex">`), which neither the visible HTML nor
/// a screen reader uses. The render stage keeps it in questions, where the Anki export reads it.
pub fn without_tex(html: &str) -> String {
    const OPEN: &str = "<math><semantics>";
    const ANNOTATION: &str = "<annotation encoding=\"application/x-tex\">";
    const CLOSE: &str = "</annotation></semantics></math>";
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(OPEN) {
        out.push_str(&rest[..at]);
        out.push_str("<math>");
        rest = &rest[at + OPEN.len()..];
        // KaTeX escapes `<` in TeX, so the annotation's end is the first `</annotation>`.
        match (rest.find(ANNOTATION), rest.find(CLOSE)) {
            (Some(a), Some(c)) if a < c => {
                out.push_str(&rest[..a]);
                out.push_str("</math>");
                rest = &rest[c + CLOSE.len()..];
            }
            _ => out.push_str("<semantics>"),
        }
    }
    out.push_str(rest);
    out
}

fn to_math_error(e: katex::Error) -> MathError {
    let text = match e {
        katex::Error::JsExecError(s)
        | katex::Error::JsInitError(s)
        | katex::Error::JsValueError(s) => s,
        other => other.to_string(),
    };
    // The JS engine reports the thrown value in Rust debug form: `String("ParseError: …")`.
    let text = match text
        .strip_prefix("String(\"")
        .and_then(|t| t.strip_suffix("\")"))
    {
        Some(inner) => inner.replace("\\\"", "\"").replace("\\\\", "\\"),
        None => text,
    };
    let text = text
        .trim_start_matches("ParseError: ")
        .trim_start_matches("KaTeX parse error: ");
    let (message, char_offset) = match text.split_once(" at position ") {
        Some((msg, rest)) => {
            let n: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
            (
                msg.to_string(),
                n.parse::<usize>().ok().map(|n| n.saturating_sub(1)),
            )
        }
        None => (text.lines().next().unwrap_or(text).to_string(), None),
    };
    MathError {
        message,
        char_offset,
    }
}

/// The visible stand-in for a formula KaTeX refused: the TeX source and the reason.
pub fn error_html(tex: &str, error: &MathError, display: bool) -> String {
    let tag = if display { "div" } else { "span" };
    format!(
        "<{tag} class=\"math-error\" role=\"note\" title=\"{}\"><code>{}</code> <span class=\"math-error-message\">{}</span></{tag}>",
        escape(&error.message),
        escape(tex),
        escape(&error.message)
    )
}

/// A `$` the Markdown parser left unpaired, when what follows it looks like TeX.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unclosed {
    Inline,
    Display,
}

/// Whether the `$` at byte `at` of `text`, which the Markdown parser left as plain text, opens
/// math that was never closed in its paragraph: a `$$` that starts its line or is followed by
/// TeX, or a `$` followed by TeX (a backslash command, `^`, `_` or `{` in the word after it).
/// An escaped `\$` and the second `$` of a `$$` are not openers. Currency (`$5`) is not TeX.
pub fn unclosed_at(text: &str, at: usize) -> Option<Unclosed> {
    let before = &text[..at];
    let backslashes = before.bytes().rev().take_while(|&b| b == b'\\').count();
    if backslashes % 2 == 1 || before.ends_with('$') {
        return None;
    }
    let display = text[at..].starts_with("$$");
    let after = &text[at + if display { 2 } else { 1 }..];
    // The word after the dollar; a few dozen characters are enough to see TeX.
    let word: String = after
        .chars()
        .take_while(|c| !c.is_whitespace())
        .take(64)
        .collect();
    let looks_like_tex = word.contains(['^', '_', '{'])
        || word
            .as_bytes()
            .windows(2)
            .any(|w| w[0] == b'\\' && w[1].is_ascii_alphabetic());
    // Only indentation and block markers before a `$$` line; looking back a few characters is
    // enough, and keeps a long line of dollars linear.
    let starts_line = display && {
        let mut prefix = before.chars().rev().take_while(|&c| c != '\n');
        prefix
            .by_ref()
            .take(32)
            .all(|c| c.is_whitespace() || matches!(c, '>' | '-' | '*' | '+'))
            && prefix.next().is_none()
    };
    if display {
        (looks_like_tex || starts_line).then_some(Unclosed::Display)
    } else {
        looks_like_tex.then_some(Unclosed::Inline)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl MathRenderer<'_> {
        fn render(&self, tex: &str, display: bool) -> Result<String, MathError> {
            self.fetch(tex, display).map(|(html, _)| html)
        }
    }

    #[test]
    fn lengths_keep_three_decimals() {
        assert_eq!(
            compact_lengths(
                "top:-2.40029em;margin-right:0.05em;height:1em;width:0.0001em;x:10.9996em"
            ),
            "top:-2.4em;margin-right:.05em;height:1em;width:0em;x:11em"
        );
        assert_eq!(compact_lengths("height:0.69444em"), "height:.694em");
    }

    #[test]
    fn compact_drops_quotes_zeros_and_the_tex_annotation() {
        let katex = r##"<span class="katex"><span class="katex-mathml"><math xmlns="http://www.w3.org/1998/Math/MathML"><semantics><mrow><mover accent="true"><mi>x</mi><mo>^</mo></mover></mrow><annotation encoding="application/x-tex">\hat x &lt; 1</annotation></semantics></math></span><span class="katex-html" aria-hidden="true"><span class="base"><span class="strut" style="height:0.69444em;vertical-align:-0.05em;"></span><a href="#a">a</a><span class="mord accent">x</span></span></span></span>"##;
        let html = compact(katex);
        assert!(html.contains("<mover accent=true>"), "{html}");
        assert!(
            html.contains("<span class=strut style=height:.694em;vertical-align:-.05em>"),
            "{html}"
        );
        assert!(html.contains("<span class=\"mord accent\">"), "{html}");
        assert!(
            html.contains("<a href=\"#a\">"),
            "links keep their quotes: {html}"
        );
        assert!(
            html.starts_with("<span class=\"katex\"><span class=katex-mathml><math><semantics>"),
            "{html}"
        );
        let shown = without_tex(&html);
        assert!(shown.contains("<math><mrow><mover accent=true>"), "{shown}");
        assert!(shown.contains("</mover></mrow></math></span>"), "{shown}");
        assert!(
            !shown.contains("hat x") && !shown.contains("semantics"),
            "{shown}"
        );
        assert_eq!(without_tex("<p>no math</p>"), "<p>no math</p>");
    }

    #[test]
    fn renders_inline_and_display() {
        let cache = RenderCache::in_memory();
        let m = MathRenderer::new(&BTreeMap::new(), &cache);
        let html = m.render("x^2", false).unwrap();
        assert!(html.contains("class=\"katex\""));
        let html = m.render("\\frac{a}{b}", true).unwrap();
        assert!(html.contains("katex-display"));
    }

    #[test]
    fn macros_apply() {
        let cache = RenderCache::in_memory();
        let macros = BTreeMap::from([("\\R".to_string(), "\\mathbb{R}".to_string())]);
        let m = MathRenderer::new(&macros, &cache);
        assert!(m.render("x \\in \\R", false).unwrap().contains("mathbb"));
    }

    #[test]
    fn errors_carry_the_position() {
        let cache = RenderCache::in_memory();
        let m = MathRenderer::new(&BTreeMap::new(), &cache);
        let e = m.render("a + \\frac{1}{", false).unwrap_err();
        assert!(e.message.starts_with("Unexpected end of input"), "{e:?}");
        let e = m.render("x + \\undefinedmacro", false).unwrap_err();
        assert!(e.message.contains("Undefined control sequence"), "{e:?}");
        assert_eq!(e.char_offset, Some(4));
    }

    #[test]
    fn unpaired_dollars_that_open_tex_are_found() {
        let at = |text: &str| unclosed_at(text, text.find('$').unwrap());
        assert_eq!(at("see $\\alpha + 1"), Some(Unclosed::Inline));
        assert_eq!(at("see $x^2 + 1"), Some(Unclosed::Inline));
        assert_eq!(at("$a_1"), Some(Unclosed::Inline));
        assert_eq!(at("$$\n\\frac{a}{b}"), Some(Unclosed::Display));
        assert_eq!(at("text\n> $$"), Some(Unclosed::Display));
        assert_eq!(at("a $$\\sum_i"), Some(Unclosed::Display));
        // Currency, escapes and prose stay quiet.
        assert_eq!(at("costs $5 and $10"), None);
        assert_eq!(at("cost \\$x^2"), None);
        assert_eq!(at("a $$ b"), None);
        assert_eq!(at("$ x^2"), None);
        assert_eq!(unclosed_at("$$x^2", 1), None, "the second `$` of `$$`");
        assert_eq!(
            at("\\\\$x^2"),
            Some(Unclosed::Inline),
            "an escaped backslash"
        );
    }

    #[test]
    fn output_drops_bytes_browsers_ignore() {
        let cache = RenderCache::in_memory();
        let m = MathRenderer::new(&BTreeMap::new(), &cache);
        let html = m
            .fetch("x^2 \\quad \\text{a;\"b\"}", false)
            .map(|(h, _)| h)
            .unwrap();
        assert!(html.contains("<math><semantics>"), "{html}");
        assert!(!html.contains(";\""), "{html}");
        assert!(
            html.contains("<span class=\"katex\"><span class=katex-mathml>"),
            "{html}"
        );
        assert!(html.contains("<span class=strut style=height:"), "{html}");
        assert!(html.contains("class=\"mord mathnormal\""), "{html}");
        assert!(html.contains("a;&quot;b&quot;"), "{html}");
    }

    #[test]
    fn second_render_is_cached() {
        let cache = RenderCache::in_memory();
        let m = MathRenderer::new(&BTreeMap::new(), &cache);
        m.render("y", false).unwrap();
        m.render("y", false).unwrap();
        assert_eq!(cache.hits.load(std::sync::atomic::Ordering::Relaxed), 1);
    }
}
