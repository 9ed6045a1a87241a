//! Study mode: the practice page (every interview question as a flash card), the bilingual
//! glossary, the study-order page with its prerequisite graph drawn at build time, and the Anki
//! export. Scheduling itself runs in the reader's browser (`static/js/srs.js`).

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Serialize;
use tera::Context;

use crate::cache::RenderCache;
use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::highlight::CodeTheme;
use crate::index::{PageId, SiteIndex};
use crate::layout::SiteData;
use crate::math::{escape, MathRenderer};
use crate::parse::Page;
use crate::render::{self, Doc, RenderEnv, Rendered};
use crate::strings::Strings;

/// The id a card's progress is stored under: the page's URL without `.html` and the question's
/// anchor (`q-` + hash of the question text). Editing an answer keeps it; rewording the
/// question, or moving the page, starts the card afresh.
pub fn card_id(page_url: &str, question_id: &str) -> String {
    format!("{}#{question_id}", page_url.trim_end_matches(".html"))
}

#[derive(Serialize)]
struct Choice<'a> {
    value: String,
    label: &'a str,
}

#[derive(Serialize)]
struct Card<'a> {
    id: String,
    topic: &'a str,
    topic_url: &'a str,
    /// `topic_url#question-anchor`, relative to the site root.
    url: String,
    /// The title of the heading the question sits under.
    section: Option<&'a str>,
    category: &'a str,
    /// Tag slugs, space-separated (for the filter).
    tags: String,
    question_html: String,
    answer_html: String,
}

#[derive(Serialize)]
struct PracticeView<'a> {
    cards: Vec<Card<'a>>,
    categories: Vec<Choice<'a>>,
    tags: Vec<Choice<'a>>,
    topics: Vec<Choice<'a>>,
}

#[derive(Serialize)]
struct GlossaryEntry<'a> {
    name: &'a str,
    url: &'a str,
    /// The page title, when `name` is an alias.
    topic: Option<&'a str>,
    /// The page's names in the other script.
    others: Vec<&'a str>,
}

#[derive(Serialize)]
struct GlossaryView<'a> {
    latin: Vec<GlossaryEntry<'a>>,
    cjk: Vec<GlossaryEntry<'a>>,
}

#[derive(Serialize)]
struct TopicLink<'a> {
    title: &'a str,
    url: &'a str,
}

#[derive(Serialize)]
struct StudyTopic<'a> {
    title: &'a str,
    url: &'a str,
    summary: Option<&'a str>,
    prerequisites: Vec<TopicLink<'a>>,
}

#[derive(Serialize)]
struct Level<'a> {
    depth: usize,
    topics: Vec<StudyTopic<'a>>,
}

#[derive(Serialize)]
struct StudyOrderView<'a> {
    levels: Vec<Level<'a>>,
    svg: String,
}

/// The study pages as (template, output path, context), for the layout stage to render.
pub fn contexts<'a>(
    site: &'a SiteData<'a>,
    base: &Context,
) -> Vec<(&'static str, String, Context)> {
    let ctx = |kind: &str| {
        let mut ctx = base.clone();
        ctx.insert("root", ".");
        ctx.insert("kind", kind);
        ctx
    };
    let mut practice = ctx("practice");
    practice.insert("practice", &practice_view(site));
    let mut glossary = ctx("glossary");
    glossary.insert("glossary", &glossary_view(site.pages));
    let mut study = ctx("study-order");
    study.insert("study", &study_order_view(site));
    vec![
        ("practice.html", "practice.html".into(), practice),
        ("glossary.html", "glossary.html".into(), glossary),
        ("study-order.html", "study-order.html".into(), study),
    ]
}

/// Questions per topic URL (every topic, zero included), for the index's mastery display.
pub fn question_counts(site: &SiteData<'_>) -> BTreeMap<String, usize> {
    site.pages
        .iter()
        .zip(site.rendered)
        .map(|(p, r)| (p.url.clone(), r.questions.len()))
        .collect()
}

fn practice_view<'a>(site: &'a SiteData<'a>) -> PracticeView<'a> {
    let empty = std::collections::HashMap::new();
    let mut cards = Vec::new();
    let mut topics = Vec::new();
    let mut used_categories = HashSet::new();
    let mut used_tags = HashSet::new();
    for &id in &site.index.order {
        let page = &site.pages[id];
        let questions = &site.rendered[id].questions;
        if questions.is_empty() {
            continue;
        }
        topics.push(Choice {
            value: page.url.clone(),
            label: &page.title,
        });
        used_categories.insert(page.category.as_str());
        let tag_slugs: Vec<String> = page
            .meta
            .tags
            .iter()
            .map(|t| SiteIndex::tag_slug(t))
            .collect();
        used_tags.extend(tag_slugs.iter().cloned());
        for q in questions {
            cards.push(Card {
                id: card_id(&page.url, &q.id),
                topic: &page.title,
                topic_url: &page.url,
                url: format!("{}#{}", page.url, q.id),
                section: section_title(page, q.section.as_deref()),
                category: &page.category,
                tags: tag_slugs.join(" "),
                // Written for the topic's folder; the practice page sits at the root.
                question_html: crate::print::rebase(&q.question_html, &page.url, &empty, ""),
                answer_html: crate::print::rebase(&q.answer_html, &page.url, &empty, ""),
            });
        }
    }
    let categories = site
        .index
        .categories
        .iter()
        .filter(|c| used_categories.contains(c.key.as_str()))
        .map(|c| Choice {
            value: c.key.clone(),
            label: if c.key.is_empty() {
                &site.strings.topics
            } else {
                &c.title
            },
        })
        .collect();
    let tags = site
        .index
        .tags
        .iter()
        .filter(|t| used_tags.contains(&t.slug))
        .map(|t| Choice {
            value: t.slug.clone(),
            label: &t.name,
        })
        .collect();
    PracticeView {
        cards,
        categories,
        tags,
        topics,
    }
}

/// Whether a name is written in CJK script (Han, kana or Hangul anywhere in it).
pub fn is_cjk(name: &str) -> bool {
    name.chars().any(|c| {
        matches!(c as u32,
            0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF
            | 0xAC00..=0xD7AF | 0x20000..=0x2FFFF)
    })
}

fn glossary_view(pages: &[Page]) -> GlossaryView<'_> {
    let mut latin = Vec::new();
    let mut cjk = Vec::new();
    for page in pages {
        let names: Vec<&str> = std::iter::once(page.title.as_str())
            .chain(page.meta.aliases.iter().map(String::as_str))
            .collect();
        for (i, &name) in names.iter().enumerate() {
            let script = is_cjk(name);
            let entry = GlossaryEntry {
                name,
                url: &page.url,
                topic: (i > 0).then_some(page.title.as_str()),
                others: names
                    .iter()
                    .copied()
                    .filter(|&n| is_cjk(n) != script)
                    .collect(),
            };
            if script {
                cjk.push(entry);
            } else {
                latin.push(entry);
            }
        }
    }
    latin.sort_by_cached_key(|e| (e.name.to_lowercase(), e.name));
    cjk.sort_by_key(|e| e.name);
    GlossaryView { latin, cjk }
}

fn study_order_view<'a>(site: &'a SiteData<'a>) -> StudyOrderView<'a> {
    let graph = site.graph;
    let mut levels: Vec<Level<'a>> = Vec::new();
    for &id in &graph.study_order {
        let depth = graph.depth.get(id).copied().unwrap_or(0);
        let page = &site.pages[id];
        let topic = StudyTopic {
            title: &page.title,
            url: &page.url,
            summary: page.meta.summary.as_deref(),
            prerequisites: graph.prerequisites[id]
                .iter()
                .map(|&p| TopicLink {
                    title: &site.pages[p].title,
                    url: &site.pages[p].url,
                })
                .collect(),
        };
        match levels.iter_mut().find(|l| l.depth == depth) {
            Some(level) => level.topics.push(topic),
            None => levels.push(Level {
                depth,
                topics: vec![topic],
            }),
        }
    }
    levels.sort_by_key(|l| l.depth);
    let svg = prerequisite_svg(
        site.pages,
        &graph.study_order,
        &graph.depth,
        &graph.prerequisites,
    );
    StudyOrderView { levels, svg }
}

const NODE_W: f32 = 190.0;
const NODE_H: f32 = 30.0;
const COL_GAP: f32 = 70.0;
const ROW_H: f32 = 44.0;
const PAD: f32 = 8.0;

/// An estimate of text width at 13px: CJK characters are square, Latin ones about half as wide.
fn text_width(s: &str) -> f32 {
    s.chars()
        .map(|c| if is_cjk(&c.to_string()) { 13.0 } else { 7.2 })
        .sum()
}

fn fit(title: &str) -> String {
    let max = NODE_W - 16.0;
    if text_width(title) <= max {
        return title.to_string();
    }
    let mut out = String::new();
    for c in title.chars() {
        if text_width(&out) + text_width(&c.to_string()) + 8.0 > max {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// The prerequisite graph as inline SVG: one column per depth, topics in study order within a
/// column, an arrow from each prerequisite to the topic that needs it. Drawn here so the page
/// needs no script and no graph library.
pub fn prerequisite_svg(
    pages: &[Page],
    order: &[PageId],
    depth: &[usize],
    prerequisites: &[Vec<PageId>],
) -> String {
    let mut place: BTreeMap<PageId, (f32, f32)> = BTreeMap::new();
    let mut rows: BTreeMap<usize, usize> = BTreeMap::new();
    for &id in order {
        let d = depth.get(id).copied().unwrap_or(0);
        let row = rows.entry(d).or_insert(0);
        place.insert(
            id,
            (
                PAD + d as f32 * (NODE_W + COL_GAP),
                PAD + *row as f32 * ROW_H,
            ),
        );
        *row += 1;
    }
    let cols = rows.keys().max().map_or(0, |d| d + 1);
    let max_rows = rows.values().copied().max().unwrap_or(0);
    let width = 2.0 * PAD + cols as f32 * NODE_W + cols.saturating_sub(1) as f32 * COL_GAP;
    let height = 2.0 * PAD + max_rows.saturating_sub(1) as f32 * ROW_H + NODE_H;
    let mut svg = format!(
        "<svg class=\"study-graph\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\">\n<defs><marker id=\"sg-arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\"/></marker></defs>\n"
    );
    for &id in order {
        let Some(&(x2, y2)) = place.get(&id) else {
            continue;
        };
        for pre in &prerequisites[id] {
            let Some(&(x1, y1)) = place.get(pre) else {
                continue;
            };
            let (sx, sy, ex, ey) = (x1 + NODE_W, y1 + NODE_H / 2.0, x2, y2 + NODE_H / 2.0);
            let mid = (sx + ex) / 2.0;
            svg.push_str(&format!(
                "<path class=\"sg-edge\" data-from=\"{}\" data-to=\"{}\" d=\"M{sx},{sy} C{mid},{sy} {mid},{ey} {ex},{ey}\" marker-end=\"url(#sg-arrow)\"/>\n",
                escape(&pages[*pre].url),
                escape(&pages[id].url)
            ));
        }
    }
    for &id in order {
        let (x, y) = place[&id];
        let page = &pages[id];
        svg.push_str(&format!(
            "<a class=\"sg-node\" href=\"{}\"><title>{}</title><rect x=\"{x}\" y=\"{y}\" width=\"{NODE_W}\" height=\"{NODE_H}\" rx=\"6\"/><text x=\"{}\" y=\"{}\">{}</text></a>\n",
            escape(&page.url),
            escape(&page.title),
            x + 8.0,
            y + NODE_H / 2.0 + 4.5,
            escape(&fit(&page.title))
        ));
    }
    svg.push_str("</svg>");
    svg
}

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
    let loaded = crate::load::load(root, &config.src);
    diags.extend(loaded.diagnostics);
    let parsed = crate::parse::parse(loaded.sources);
    diags.extend(parsed.diagnostics);
    let pages = parsed.pages;
    let index = SiteIndex::build(&pages, &parsed.categories);
    let strings = Strings::for_language(config.language);
    let cache = RenderCache::open(&root.join(crate::build::CACHE_FILE));
    let math = MathRenderer::new(&config.math_macros, &cache);
    let assets: HashSet<PathBuf> = loaded.assets.iter().cloned().collect();
    // Anki shows code uncoloured: any theme pair will do if the configured one is unknown.
    let code = CodeTheme::new(&config.light_theme, &config.dark_theme)
        .unwrap_or_else(|_| CodeTheme::fallback());
    let env = RenderEnv {
        pages: &pages,
        index: &index,
        math: &math,
        cache: &cache,
        code: &code,
        assets: &assets,
        strings: &strings,
    };
    let rendered: Vec<Rendered> = {
        use rayon::prelude::*;
        (0..pages.len())
            .into_par_iter()
            .map(|id| render::render(&env, &Doc::of_page(&pages[id], id)))
            .collect()
    };
    for r in &rendered {
        diags.extend(r.diagnostics.iter().cloned());
    }
    let (text, cards) = anki_tsv(&config, &pages, &index, &rendered);
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

/// A heading's title from its id (questions record the id of the heading above them).
fn section_title<'a>(page: &'a Page, id: Option<&str>) -> Option<&'a str> {
    let id = id?;
    page.headings
        .iter()
        .find(|h| h.id == id)
        .map(|h| h.text.as_str())
}

fn anki_tag(t: &str) -> String {
    t.split_whitespace().collect::<Vec<_>>().join("_")
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

fn expand_macros(tex: &str, macros: &BTreeMap<String, String>) -> String {
    let mut out = tex.to_string();
    for (name, body) in macros {
        let mut result = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(i) = rest.find(name.as_str()) {
            let after = &rest[i + name.len()..];
            result.push_str(&rest[..i]);
            if after.starts_with(|c: char| c.is_ascii_alphabetic()) {
                result.push_str(name);
            } else {
                result.push_str(body);
            }
            rest = after;
        }
        result.push_str(rest);
        out = result;
    }
    out
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
    use crate::render::question_id;

    #[test]
    fn card_ids_follow_the_question_text_not_the_answer() {
        let id = card_id("gan/wgan.html", &question_id("Why clip the weights?"));
        assert!(id.starts_with("gan/wgan#q-"), "{id}");
        // The answer is no part of the id; spacing of the question is not either.
        assert_eq!(
            id,
            card_id("gan/wgan.html", &question_id("Why  clip the\nweights?"))
        );
        assert_ne!(
            id,
            card_id(
                "gan/wgan.html",
                &question_id("Why clip the critic's weights?")
            )
        );
        assert_ne!(
            id,
            card_id("gan/gan.html", &question_id("Why clip the weights?"))
        );
        assert_eq!(card_id("训练/批归一化.html", "q-1"), "训练/批归一化#q-1");
    }

    #[test]
    fn scripts_are_told_apart() {
        assert!(is_cjk("批归一化"));
        assert!(is_cjk("瓦瑟斯坦GAN"));
        assert!(is_cjk("バッチ"));
        assert!(!is_cjk("Batch Normalization"));
        assert!(!is_cjk("Émile 3D"));
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

    #[test]
    fn svg_text_is_escaped_and_long_titles_fit() {
        let long = "A very long topic title that cannot fit in one node box";
        let fitted = fit(long);
        assert!(fitted.ends_with('…') && text_width(&fitted) <= NODE_W);
        assert_eq!(fit("GAN"), "GAN");
    }
}
