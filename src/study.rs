//! Study mode: the practice page (every interview question as a flash card), the bilingual
//! glossary and the study-order page with its prerequisite graph drawn at build time. Scheduling
//! itself runs in the reader's browser (`static/js/srs.js`); the Anki export is `export::anki`.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;
use tera::Context;

use crate::index::SiteIndex;
use crate::math::without_tex;
use crate::parse::Page;
use crate::print::rebase;
use crate::render::Rendered;
use crate::site_data::SiteData;
use crate::studymap::{Layers, Topic};

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
    /// On the first Chinese name of each pinyin initial: that initial, as a group heading.
    letter: Option<String>,
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
    glossary.insert("glossary", &glossary_view(site));
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
            label: site.title(id),
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
                topic: site.title(id),
                topic_url: &page.url,
                url: format!("{}#{}", page.url, q.id),
                section: section_title(page, &site.rendered[id], q.section.as_deref()),
                category: &page.category,
                tags: tag_slugs.join(" "),
                // Written for the topic's folder; the practice page sits at the root.
                question_html: without_tex(&rebase(&q.question_html, &page.url, &empty, "")),
                answer_html: without_tex(&rebase(&q.answer_html, &page.url, &empty, "")),
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

fn glossary_view<'a>(site: &'a SiteData<'a>) -> GlossaryView<'a> {
    let mut latin = Vec::new();
    let mut cjk = Vec::new();
    for (id, page) in site.pages.iter().enumerate() {
        let title = site.title(id);
        let names: Vec<&str> = std::iter::once(title)
            .chain(page.meta.aliases.iter().map(String::as_str))
            .collect();
        for (i, &name) in names.iter().enumerate() {
            let script = crate::text::has_cjk(name);
            let entry = GlossaryEntry {
                name,
                url: &page.url,
                topic: (i > 0).then_some(title),
                others: names
                    .iter()
                    .copied()
                    .filter(|&n| crate::text::has_cjk(n) != script)
                    .collect(),
                letter: None,
            };
            if script {
                cjk.push(entry);
            } else {
                latin.push(entry);
            }
        }
    }
    latin.sort_by_cached_key(|e| (e.name.to_lowercase(), e.name));
    cjk.sort_by_cached_key(|e| crate::collate::sort_key(e.name));
    let mut last = String::new();
    for e in &mut cjk {
        let letter = crate::collate::initial(e.name);
        if letter != last {
            last.clone_from(&letter);
            e.letter = Some(letter);
        }
    }
    GlossaryView { latin, cjk }
}

fn study_order_view<'a>(site: &'a SiteData<'a>) -> StudyOrderView<'a> {
    let graph = site.graph;
    let mut levels: Vec<Level<'a>> = Vec::new();
    for &id in &graph.study_order {
        let depth = graph.depth.get(id).copied().unwrap_or(0);
        let page = &site.pages[id];
        let topic = StudyTopic {
            title: site.title(id),
            url: &page.url,
            summary: page.meta.summary.as_deref(),
            prerequisites: graph.prerequisites[id]
                .iter()
                .map(|&p| TopicLink {
                    title: site.title(p),
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
    let topics: Vec<Topic> = site
        .pages
        .iter()
        .enumerate()
        .map(|(id, p)| Topic {
            title: site.title(id),
            url: &p.url,
        })
        .collect();
    let layers = Layers::new(&graph.study_order, &graph.depth, &graph.prerequisites);
    let svg = crate::studymap::svg(&topics, &layers);
    StudyOrderView { levels, svg }
}

/// A heading's text from its id (questions record the id of the heading above them), math as
/// readable text.
pub fn section_title<'a>(page: &Page, rendered: &'a Rendered, id: Option<&str>) -> Option<&'a str> {
    let id = id?;
    let i = page.headings.iter().position(|h| h.id == id)?;
    rendered.headings.get(i).map(|h| h.text.as_str())
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
}
