//! Study mode: the practice page (every interview question as a flash card), the bilingual
//! glossary and the study-order page with its prerequisite graph drawn at build time. Scheduling
//! itself runs in the reader's browser (`static/js/srs.js`); the Anki export is `export::anki`.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;
use tera::Context;

use crate::html::escape;
use crate::index::{PageId, SiteIndex};
use crate::parse::Page;
use crate::site_data::SiteData;

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

/// A heading's title from its id (questions record the id of the heading above them).
pub fn section_title<'a>(page: &'a Page, id: Option<&str>) -> Option<&'a str> {
    let id = id?;
    page.headings
        .iter()
        .find(|h| h.id == id)
        .map(|h| h.text.as_str())
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
    fn long_titles_fit_their_box() {
        let long = "A very long topic title that cannot fit in one node box";
        let fitted = fit(long);
        assert!(fitted.ends_with('…') && text_width(&fitted) <= NODE_W);
        assert_eq!(fit("GAN"), "GAN");
    }
}
