//! `studybook export anki`: the site's interview questions as an Anki text import, analyzed by
//! the same pipeline as `build`.

use std::collections::BTreeMap;
use std::path::Path;

use crate::cache::RenderCache;
use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::html::escape;
use crate::index::SiteIndex;
use crate::parse::Page;
use crate::render::Rendered;
use crate::study::section_title;

/// The Anki export of a site, with whatever the pipeline reported on the way.
pub struct AnkiExport {
    pub text: String,
    pub cards: usize,
    pub deck: String,
}

/// Renders the site's questions (without writing the site) and lays them out for Anki.
/// None when `book.toml` cannot be used; its diagnostics say why.
pub fn export_anki(root: &Path) -> (Option<AnkiExport>, Vec<Diagnostic>) {
    let (config, mut diags) = Config::load(root);
    let Some(config) = config else {
        return (None, diags);
    };
    // The same analysis as `build`, so both report the same problems (a prerequisite cycle…).
    let cache = RenderCache::open(&root.join(crate::cache::CACHE_FILE));
    let analyzed = crate::build::analyze(root, &config, &cache, &crate::build::Silent);
    let _ = cache.finish_rendering();
    diags.extend(crate::build::analysis_diagnostics(&analyzed));
    let (pages, index, rendered) = (&analyzed.pages, &analyzed.index, &analyzed.rendered);
    let (text, cards) = anki_tsv(&config, pages, index, rendered);
    let export = AnkiExport {
        text,
        cards,
        deck: config.anki_deck.clone(),
    };
    crate::diagnostics::sort(&mut diags);
    (Some(export), diags)
}

/// Anki's text import format: header lines, then one note per line (front, back, tags), each
/// field quoted so HTML attributes and tabs cannot split it.
pub fn anki_tsv(
    config: &Config,
    pages: &[Page],
    index: &SiteIndex,
    rendered: &[Rendered],
) -> (String, usize) {
    let mut out = format!(
        "#separator:tab\n#html:true\n#notetype:Basic\n#deck:{}\n#tags column:3\n",
        config.anki_deck.replace(['\n', '\r'], " ")
    );
    let mut count = 0;
    for &id in &index.order {
        let page = &pages[id];
        for q in &rendered[id].questions {
            let front = to_anki_html(&q.question_html, &config.math_macros);
            let mut back = to_anki_html(&q.answer_html, &config.math_macros);
            let place = match section_title(page, q.section.as_deref()) {
                Some(s) => format!("{} › {}", page.title, s),
                None => page.title.clone(),
            };
            back.push_str(&format!("<p><small>{}</small></p>", escape(&place)));
            let mut tags: Vec<String> = page.meta.tags.iter().map(|t| anki_tag(t)).collect();
            let category = anki_tag(&page.category.replace('/', "::"));
            if !category.is_empty() && !tags.contains(&category) {
                tags.push(category);
            }
            let fields = [front, back, tags.join(" ")].map(|f| quote(&f));
            out.push_str(&fields.join("\t"));
            out.push('\n');
            count += 1;
        }
    }
    (out, count)
}

/// A CSV-style quoted field: Anki then reads tabs, newlines and quotes inside it as text.
fn quote(field: &str) -> String {
    format!("\"{}\"", field.replace('"', "\"\""))
}

fn anki_tag(t: &str) -> String {
    crate::text::squash_whitespace(t, "_")
}

/// Rendered HTML made fit for an Anki field: KaTeX output back to `\(…\)` / `\[…\]` (from the
/// TeX KaTeX keeps in its MathML annotation, with the site's macros expanded, since Anki's
/// MathJax does not know them), highlighted code back to a plain `<pre>`, and one line.
pub fn to_anki_html(html: &str, macros: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    loop {
        let next = [
            ("<span class=\"katex-display\">", true),
            ("<span class=\"katex\">", false),
        ]
        .into_iter()
        .filter_map(|(tag, display)| rest.find(tag).map(|i| (i, display)))
        .min_by_key(|(i, _)| *i);
        let pre = rest.find("<pre");
        match (next, pre) {
            (Some((i, display)), p) if p.is_none_or(|p| i < p) => {
                out.push_str(&rest[..i]);
                let end = i + element_len(&rest[i..], "span");
                let tex = annotation(&rest[i..end]).unwrap_or_default();
                let tex = expand_macros(tex.trim(), macros);
                if display {
                    out.push_str(&format!("\\[{tex}\\]"));
                } else {
                    out.push_str(&format!("\\({tex}\\)"));
                }
                rest = &rest[end..];
            }
            (_, Some(p)) => {
                out.push_str(&rest[..p]);
                let end = p + element_len(&rest[p..], "pre");
                out.push_str("<pre><code>");
                let code = strip_tags(&rest[p..end]);
                out.push_str(&code.trim_end_matches('\n').replace('\n', "<br>"));
                out.push_str("</code></pre>");
                rest = &rest[end..];
            }
            _ => break,
        }
    }
    out.push_str(rest);
    unlink(&out)
        .replace(['\n', '\r', '\t'], " ")
        .trim()
        .to_string()
}

/// The length of the element starting at `s` (an opening `<tag`), through its matching close.
fn element_len(s: &str, tag: &str) -> usize {
    let (open, close) = (format!("<{tag}"), format!("</{tag}>"));
    let mut depth = 0usize;
    let mut i = 0;
    while i < s.len() {
        let rest = &s[i..];
        if rest.starts_with(&close) {
            depth = depth.saturating_sub(1);
            i += close.len();
            if depth == 0 {
                return i;
            }
        } else if rest.starts_with(&open) {
            depth += 1;
            i += open.len();
        } else {
            i += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
    s.len()
}

/// The TeX source KaTeX keeps in its MathML, still HTML-escaped (it goes back into HTML).
fn annotation(katex_html: &str) -> Option<&str> {
    let open = "<annotation encoding=\"application/x-tex\">";
    let start = katex_html.find(open)? + open.len();
    let len = katex_html[start..].find("</annotation>")?;
    Some(&katex_html[start..start + len])
}

/// Expands the site's macros, arguments included (`\norm{x}` with `\left\lVert #1 \right\rVert`),
/// as KaTeX would. Macros may use each other; expansion stops after a fixed depth, so a macro
/// that names itself cannot loop.
fn expand_macros(tex: &str, macros: &BTreeMap<String, String>) -> String {
    const DEPTH: usize = 16;
    let mut out = tex.to_string();
    for _ in 0..DEPTH {
        let next = expand_once(&out, macros);
        if next == out {
            break;
        }
        out = next;
    }
    out
}

fn expand_once(tex: &str, macros: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(tex.len());
    let mut rest = tex;
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        let after_slash = &rest[i + 1..];
        let name_len = match after_slash.chars().next() {
            Some(c) if c.is_ascii_alphabetic() => after_slash
                .find(|c: char| !c.is_ascii_alphabetic())
                .unwrap_or(after_slash.len()),
            Some(c) => c.len_utf8(),
            None => 0,
        };
        let name = &rest[i..i + 1 + name_len];
        rest = &after_slash[name_len..];
        let Some(body) = macros.get(name) else {
            out.push_str(name);
            continue;
        };
        let arity = (1..=9)
            .rev()
            .find(|n| body.contains(&format!("#{n}")))
            .unwrap_or(0);
        let mut args = Vec::with_capacity(arity);
        for _ in 0..arity {
            let (arg, after) = next_argument(rest);
            args.push(arg);
            rest = after;
        }
        let mut expanded = body.clone();
        for (n, arg) in args.iter().enumerate() {
            expanded = expanded.replace(&format!("#{}", n + 1), arg);
        }
        out.push_str(&expanded);
    }
    out.push_str(rest);
    out
}

/// One TeX macro argument: a `{…}` group (without its braces), a control sequence or one
/// character, after any spaces. Returns it and the text after it.
fn next_argument(tex: &str) -> (&str, &str) {
    let tex = tex.trim_start();
    let mut chars = tex.char_indices();
    match chars.next() {
        Some((_, '{')) => {
            let mut depth = 0usize;
            for (i, c) in tex.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            return (&tex[1..i], &tex[i + 1..]);
                        }
                    }
                    _ => {}
                }
            }
            (&tex[1..], "")
        }
        Some((_, '\\')) => {
            let rest = &tex[1..];
            let len = match rest.chars().next() {
                Some(c) if c.is_ascii_alphabetic() => rest
                    .find(|c: char| !c.is_ascii_alphabetic())
                    .unwrap_or(rest.len()),
                Some(c) => c.len_utf8(),
                None => 0,
            };
            (&tex[..1 + len], &tex[1 + len..])
        }
        Some((_, c)) => (&tex[..c.len_utf8()], &tex[c.len_utf8()..]),
        None => ("", ""),
    }
}

/// Links point into the site, which Anki does not have: keep their text only.
fn unlink(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find("<a ") {
        out.push_str(&rest[..i]);
        rest = rest[i..].split_once('>').map_or("", |(_, after)| after);
    }
    out.push_str(rest);
    out.replace("</a>", "")
}

fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macros_expand_with_their_arguments_and_never_loop() {
        let macros: BTreeMap<String, String> = [
            ("\\norm", "\\left\\lVert #1 \\right\\rVert"),
            ("\\R", "\\mathbb{R}"),
            ("\\pair", "(#1, #2)"),
            ("\\loop", "\\loop x"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(
            expand_macros("\\norm{x_{1}} \\in \\R^n", &macros),
            "\\left\\lVert x_{1} \\right\\rVert \\in \\mathbb{R}^n"
        );
        assert_eq!(expand_macros("\\pair a\\beta", &macros), "(a, \\beta)");
        assert_eq!(expand_macros("\\Real \\R", &macros), "\\Real \\mathbb{R}");
        assert!(expand_macros("\\loop", &macros).starts_with("\\loop x x"));
        assert_eq!(
            expand_macros("\\norm", &macros),
            "\\left\\lVert  \\right\\rVert"
        );
    }
    #[test]
    fn katex_goes_back_to_anki_delimiters_and_code_to_pre() {
        let macros = BTreeMap::from([("\\R".to_string(), "\\mathbb{R}".to_string())]);
        let html = "<p>Keep <span class=\"katex\"><span class=\"katex-mathml\"><math><semantics><mrow><mn>1</mn></mrow><annotation encoding=\"application/x-tex\">x \\in \\R^n, a &lt; b, \\Rho</annotation></semantics></math></span><span class=\"katex-html\" aria-hidden=\"true\"><span class=\"base\"><span class=\"strut\"></span></span></span></span>-Lipschitz.</p>\n<p><span class=\"katex-display\"><span class=\"katex\"><span class=\"katex-mathml\"><math><annotation encoding=\"application/x-tex\">\\sum_i x_i</annotation></math></span><span class=\"katex-html\"><span>x</span></span></span></span></p>\n<pre class=\"code hl-code\"><code class=\"language-rust\"><span class=\"hl-k\">fn</span> f() {\n    1 &lt; 2\n}</code></pre>";
        let out = to_anki_html(html, &macros);
        assert_eq!(
            out,
            "<p>Keep \\(x \\in \\mathbb{R}^n, a &lt; b, \\Rho\\)-Lipschitz.</p> <p>\\[\\sum_i x_i\\]</p> <pre><code>fn f() {<br>    1 &lt; 2<br>}</code></pre>"
        );
    }
    #[test]
    fn fields_are_quoted_and_links_unwrapped() {
        assert_eq!(quote("a\t\"b\""), "\"a\t\"\"b\"\"\"");
        assert_eq!(
            to_anki_html(
                "<p>See <a href=\"../gan.html#x\">GAN</a>.</p>",
                &BTreeMap::new()
            ),
            "<p>See GAN.</p>"
        );
    }
}
