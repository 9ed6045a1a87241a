//! The offline search index: `search-index.js`, a script that assigns the index to
//! `window.studybookSearch`, so the same files search from file://, a Pages subpath and `serve`
//! (a `<script>` tag, never fetch). Documents are page sections; `static/js/search.js` tokenises
//! queries exactly as [`tokens`] does here and ranks with the weights computed here.
//!
//! Format (see docs/SEARCH.md): `p` pages `[url, title, first doc]`; `d` docs `[anchor, heading]`,
//! a page's docs contiguous and its first doc its top (anchor ""); `t` terms sorted in UTF-16
//! order (JavaScript's string order, for binary search and prefix scans); `w`, `fw` the weights
//! the postings' codes stand for. The postings of consecutive terms are in `search/postings-N.js`
//! buckets (`b`: each bucket's first term), section and page postings per term as strings of
//! [`varints`], loaded and decoded only for the terms a query uses. The section texts, needed
//! only for snippets, are in `search/text-N.js` shards (`x`: each shard's first doc), loaded for
//! the results shown.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::output::{OutputFile, Sink};
use crate::parse::Page;
use crate::render::Rendered;
use crate::text::is_cjk;

/// The index the theme's search box loads; the text shards are `search/text-N.js` beside it.
pub const INDEX_FILE: &str = "search-index.js";

/// Weight of a term in a page title, an alias, a tag; in a section heading; in body text.
pub const TITLE: u32 = 100;
pub const ALIAS: u32 = 80;
pub const TAG: u32 = 30;
pub const HEADING: u32 = 40;
pub const BODY: u32 = 10;
/// Longer Latin "words" are data (hashes, base64), not something anyone types.
const MAX_WORD: usize = 40;

/// Folds full-width ASCII and the ideographic space to their ASCII forms.
fn fold(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// Harman's S-stemmer: folds English plurals only ("weights" → "weight", "queries" → "query").
/// Snowball's English stemmer merged more words on this repository's notes, but the extra merges
/// are either found anyway by prefix matching ("learn" → "learning") or wrong for study notes
/// ("operation" = "operator", "generative" = "generator"); see docs/SEARCH.md.
fn stem(word: &str) -> std::borrow::Cow<'_, str> {
    use std::borrow::Cow;
    if word.len() <= 3 || !word.bytes().all(|b| b.is_ascii_lowercase()) {
        return Cow::Borrowed(word);
    }
    if let Some(base) = word.strip_suffix("ies") {
        if !base.ends_with('e') && !base.ends_with('a') {
            return Cow::Owned(format!("{base}y"));
        }
    }
    if let Some(base) = word.strip_suffix("es") {
        if !base.ends_with('a') && !base.ends_with('e') && !base.ends_with('o') {
            return Cow::Owned(format!("{base}e"));
        }
    }
    if word.ends_with('s') && !word.ends_with("us") && !word.ends_with("ss") {
        return Cow::Borrowed(&word[..word.len() - 1]);
    }
    Cow::Borrowed(word)
}

/// Greek letters by their TeX names, lowercase, with KaTeX's variant forms.
const GREEK: &[(char, &str)] = &[
    ('α', "alpha"),
    ('β', "beta"),
    ('γ', "gamma"),
    ('δ', "delta"),
    ('ε', "epsilon"),
    ('ϵ', "epsilon"),
    ('ζ', "zeta"),
    ('η', "eta"),
    ('θ', "theta"),
    ('ϑ', "theta"),
    ('ι', "iota"),
    ('κ', "kappa"),
    ('λ', "lambda"),
    ('μ', "mu"),
    ('ν', "nu"),
    ('ξ', "xi"),
    ('ο', "omicron"),
    ('π', "pi"),
    ('ϖ', "pi"),
    ('ρ', "rho"),
    ('ϱ', "rho"),
    ('σ', "sigma"),
    ('ς', "sigma"),
    ('τ', "tau"),
    ('υ', "upsilon"),
    ('φ', "phi"),
    ('ϕ', "phi"),
    ('χ', "chi"),
    ('ψ', "psi"),
    ('ω', "omega"),
];

/// A word that is one Greek letter is indexed and searched as its name, so `θ`, `theta` and
/// `\theta` all find a formula with θ (formulas are indexed as readable text: see
/// [`crate::mathtext`]).
fn greek_name(word: &str) -> Option<&'static str> {
    let mut chars = word.chars();
    let (c, None) = (chars.next()?, chars.next()) else {
        return None;
    };
    GREEK.iter().find(|(g, _)| *g == c).map(|(_, name)| *name)
}

/// The index terms of `text`, in order: lowercased, plural-folded Latin words and numbers, and
/// for each CJK run every character and every pair of adjacent characters, so any CJK word of
/// two or more characters is found as its bigrams without a dictionary.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    each_token(text, |t| out.push(t.to_string()));
    out
}

/// Calls `each` with the terms [`tokens`] lists, from one reused buffer: indexing a site meets
/// the same words again and again, and only a new one needs a string of its own.
fn each_token(text: &str, mut each: impl FnMut(&str)) {
    let mut word = String::new();
    let mut run: Vec<char> = Vec::new();
    let mut term = String::new();
    let flush_word = |word: &mut String, each: &mut dyn FnMut(&str)| {
        if !word.is_empty() && word.chars().count() <= MAX_WORD {
            match greek_name(word) {
                Some(name) => each(name),
                None => each(&stem(word)),
            }
        }
        word.clear();
    };
    let mut flush_run = |run: &mut Vec<char>, each: &mut dyn FnMut(&str)| {
        for i in 0..run.len() {
            term.clear();
            term.push(run[i]);
            each(&term);
            if let Some(&next) = run.get(i + 1) {
                term.push(next);
                each(&term);
            }
        }
        run.clear();
    };
    // ASCII, most of any text, needs neither folding nor Unicode case tables.
    let folded = text.chars().flat_map(|c| {
        let (ascii, other) = if c.is_ascii() {
            (Some(c.to_ascii_lowercase()), None)
        } else {
            (None, Some(fold(c).to_lowercase()))
        };
        ascii.into_iter().chain(other.into_iter().flatten())
    });
    for c in folded {
        if is_cjk(c) {
            flush_word(&mut word, &mut each);
            run.push(c);
        } else if c.is_alphanumeric() {
            flush_run(&mut run, &mut each);
            word.push(c);
        } else {
            flush_word(&mut word, &mut each);
            flush_run(&mut run, &mut each);
        }
    }
    flush_word(&mut word, &mut each);
    flush_run(&mut run, &mut each);
}

/// The body weight of a term seen `tf` times in a section: more mentions count, with a cap.
fn body_weight(tf: u32) -> u32 {
    BODY + 2 * (tf - 1).min(5)
}

/// A page as the index lists it. Written as the array `[url, title, first doc]` to keep the
/// index small.
struct PageEntry<'a> {
    url: &'a str,
    title: &'a str,
    /// Its top doc; the page's docs follow it contiguously.
    first_doc: u32,
}

impl Serialize for PageEntry<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (self.url, self.title, self.first_doc).serialize(s)
    }
}

/// A section: its anchor (`""` for the page's top), heading, and the text snippets come from
/// (written to a text shard).
struct DocEntry<'a> {
    anchor: &'a str,
    heading: &'a str,
    text: &'a str,
}

#[derive(Serialize)]
struct IndexFile<'a> {
    v: u32,
    p: Vec<PageEntry<'a>>,
    d: Vec<(&'a str, &'a str)>,
    x: Vec<u32>,
    /// The first term of each postings bucket.
    b: Vec<u32>,
    t: Vec<&'a str>,
    /// Weights by code, of section and of page postings.
    w: Vec<u32>,
    fw: Vec<u32>,
}

/// Roughly how much section text goes in one shard: a results list loads a few shards, not all.
const SHARD_BYTES: usize = 64 * 1024;
/// Roughly how many postings characters go in one bucket: a query loads one or two.
const BUCKET_BYTES: usize = 64 * 1024;

/// Term → (doc or page id → weight), ids in ascending order. The terms are sorted when written.
type Postings = HashMap<String, Vec<(u32, u32)>>;

/// Term → (doc or page → weight), both in ascending id order.
#[derive(Default)]
struct Inverted {
    sections: Postings,
    pages: Postings,
}

impl Inverted {
    /// Pages are added in ascending order, each term once per page ([`page_terms`]).
    fn add_page_field(&mut self, page: u32, terms: Terms) {
        for (t, weight) in terms {
            self.pages.entry(t).or_default().push((page, weight));
        }
    }

    /// Sections are added in ascending order, each term once per section ([`section_terms`]).
    fn add_section(&mut self, doc: u32, terms: Terms) {
        for (t, weight) in terms {
            self.sections.entry(t).or_default().push((doc, weight));
        }
    }

    /// Appends the postings of pages and docs that all come after this index's.
    fn absorb(&mut self, later: Inverted) {
        for (mine, theirs) in [
            (&mut self.pages, later.pages),
            (&mut self.sections, later.sections),
        ] {
            for (term, list) in theirs {
                match mine.get_mut(&term) {
                    Some(postings) => postings.extend(list),
                    None => {
                        mine.insert(term, list);
                    }
                }
            }
        }
    }
}

/// Terms with their weights in one field or section.
type Terms = Vec<(String, u32)>;

/// The weighted terms of a page's title (as shown), aliases and tags (the best weight per term).
fn page_terms(page: &Page, title: &str) -> Terms {
    let fields = std::iter::once((title, TITLE))
        .chain(page.meta.aliases.iter().map(|a| (a.as_str(), ALIAS)))
        .chain(page.meta.tags.iter().map(|t| (t.as_str(), TAG)));
    let mut best: BTreeMap<String, u32> = BTreeMap::new();
    for (text, weight) in fields {
        for t in tokens(text) {
            let w = best.entry(t).or_default();
            *w = (*w).max(weight);
        }
    }
    best.into_iter().collect()
}

/// The weighted terms of one section: body mentions, plus the heading's terms once each.
fn section_terms(heading: &str, text: &str) -> Terms {
    let mut weights: HashMap<String, u32> = HashMap::new();
    each_token(text, |t| match weights.get_mut(t) {
        Some(n) => *n += 1,
        None => {
            weights.insert(t.to_string(), 1);
        }
    });
    for n in weights.values_mut() {
        *n = body_weight(*n);
    }
    let mut seen = std::collections::HashSet::new();
    each_token(heading, |t| {
        if seen.insert(t.to_string()) {
            *weights.entry(t.to_string()).or_default() += HEADING;
        }
    });
    weights.into_iter().collect()
}

/// Digits of the postings strings: 5 bits of value plus a continuation bit, in characters JSON
/// and JavaScript strings carry unescaped.
const DIGITS: &[u8; 64] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";

/// `n` as little-endian groups of 5 bits, every group but the last flagged with 32.
fn push_varint(out: &mut String, mut n: u32) {
    loop {
        let low = (n & 31) as usize;
        n >>= 5;
        if n == 0 {
            out.push(DIGITS[low] as char);
            return;
        }
        out.push(DIGITS[low | 32] as char);
    }
}

/// Postings as a string of varints, one per posting: `id delta * 16 + weight code`, where the
/// code is the weight's position in `weights` (a handful of distinct values: see [`CODES`]).
fn varints(list: &[(u32, u32)], weights: &[u32]) -> String {
    let mut out = String::with_capacity(list.len() * 2);
    let mut last = 0;
    for &(id, w) in list {
        let code = weights.binary_search(&w).expect("a listed weight") as u32;
        push_varint(&mut out, (id - last) * CODES + code);
        last = id;
    }
    out
}

/// How many distinct weights a postings list may use: heading or not × 6 body levels fit in 16.
const CODES: u32 = 16;

/// The distinct weights of `map`'s postings, ascending: the table the codes index.
fn weight_table(map: &Postings) -> Vec<u32> {
    let mut w: Vec<u32> = map
        .values()
        .flat_map(|m| m.iter().map(|&(_, w)| w))
        .collect();
    w.sort_unstable();
    w.dedup();
    assert!(
        w.len() <= CODES as usize,
        "more distinct weights than codes"
    );
    w
}

/// A page's title as results show it: math as readable text.
fn shown_title<'a>(page: &'a Page, r: &'a Rendered) -> &'a str {
    r.title.as_ref().map_or(&page.title, |t| &t.text)
}

/// Pages tokenised together: enough to keep every core busy, few enough that their partial
/// postings (a few KB per page, in many small strings) stay small beside the index.
const TOKENIZE_CHUNK: usize = 256;

/// The documents and postings of every page, before serialisation.
struct Built<'a> {
    pages: Vec<PageEntry<'a>>,
    docs: Vec<DocEntry<'a>>,
    inverted: Inverted,
}

fn collect<'a>(pages: &'a [Page], rendered: &'a [Rendered]) -> Built<'a> {
    let mut built = Built {
        pages: Vec::with_capacity(pages.len()),
        docs: Vec::new(),
        inverted: Inverted::default(),
    };
    for (page, r) in pages.iter().zip(rendered) {
        built.pages.push(PageEntry {
            url: &page.url,
            title: shown_title(page, r),
            first_doc: built.docs.len() as u32,
        });
        // The first doc is always the page's top, so a title hit links to the page itself.
        if has_top_doc(r) {
            built.docs.push(DocEntry {
                anchor: "",
                heading: "",
                text: "",
            });
        }
        built.docs.extend(r.sections.iter().map(|s| DocEntry {
            anchor: s.id.as_deref().unwrap_or(""),
            heading: &s.heading,
            text: &s.text,
        }));
    }
    // Tokenising is the costly part and independent per page: in parallel, each worker indexing
    // a run of pages into postings of its own, merged in page order (so every list stays
    // ascending), a chunk of pages at a time so that only one chunk's partial postings are held.
    use rayon::prelude::*;
    for start in (0..pages.len()).step_by(TOKENIZE_CHUNK) {
        let chunk = start..(start + TOKENIZE_CHUNK).min(pages.len());
        let partials: Vec<Inverted> = chunk
            .into_par_iter()
            .fold(Inverted::default, |mut inv, pid| {
                let (page, r) = (&pages[pid], &rendered[pid]);
                inv.add_page_field(pid as u32, page_terms(page, shown_title(page, r)));
                let first = built.pages[pid].first_doc + u32::from(has_top_doc(r));
                for (doc, s) in (first..).zip(&r.sections) {
                    inv.add_section(doc, section_terms(&s.heading, &s.text));
                }
                inv
            })
            .collect();
        for partial in partials {
            built.inverted.absorb(partial);
        }
    }
    built
}

/// Whether a page's docs start with its top: when its first section has a heading of its own.
fn has_top_doc(r: &Rendered) -> bool {
    r.sections.first().is_none_or(|s| s.id.is_some())
}

/// A JavaScript statement that parses `value` from a JSON string: faster to load than the same
/// data as an object literal.
fn json_parse_js<T: Serialize>(prefix: &str, value: &T, suffix: &str) -> String {
    let json = serde_json::to_string(value).expect("the index serialises");
    let literal = serde_json::to_string(&json).expect("a string serialises");
    format!("{prefix}JSON.parse({literal}){suffix};\n")
}

/// Puts `search-index.js`, its postings and its text shards for these pages into `sink`
/// (`rendered[i]` is `pages[i]` rendered), each as soon as it is made.
pub fn output(pages: &[Page], rendered: &[Rendered], sink: &dyn Sink) {
    let Built {
        pages,
        docs,
        inverted,
    } = collect(pages, rendered);
    let mut terms: Vec<&str> = inverted
        .sections
        .keys()
        .chain(inverted.pages.keys())
        .map(String::as_str)
        .collect();
    terms.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
    terms.dedup();
    // Postings go out as one ASCII string per kind, terms separated by commas: one-byte JS
    // strings that load faster than JSON and are split into per-term strings on load.
    let lists = |map: &Postings, weights: &[u32]| -> Vec<String> {
        terms
            .iter()
            .map(|t| varints(map.get(*t).map_or(&[][..], Vec::as_slice), weights))
            .collect()
    };
    let (w, fw) = (
        weight_table(&inverted.sections),
        weight_table(&inverted.pages),
    );
    let (s, f) = (lists(&inverted.sections, &w), lists(&inverted.pages, &fw));
    // Postings go in buckets of consecutive terms, so a query loads only the few it needs.
    let mut buckets: Vec<std::ops::Range<usize>> = Vec::new();
    let mut size = BUCKET_BYTES;
    for i in 0..terms.len() {
        if size >= BUCKET_BYTES {
            buckets.push(i..i);
            size = 0;
        }
        size += s[i].len() + f[i].len() + 2;
        buckets.last_mut().expect("a bucket").end = i + 1;
    }

    let mut shards: Vec<(u32, Vec<&str>)> = Vec::new();
    let mut size = SHARD_BYTES;
    for (id, doc) in docs.iter().enumerate() {
        if size >= SHARD_BYTES {
            shards.push((id as u32, Vec::new()));
            size = 0;
        }
        size += doc.text.len();
        shards.last_mut().expect("a shard").1.push(doc.text);
    }
    let file = IndexFile {
        v: 2,
        p: pages,
        d: docs.iter().map(|d| (d.anchor, d.heading)).collect(),
        x: shards.iter().map(|s| s.0).collect(),
        b: buckets.iter().map(|r| r.start as u32).collect(),
        t: terms,
        w,
        fw,
    };
    sink.put(OutputFile::new(
        INDEX_FILE,
        json_parse_js("window.studybookSearch=", &file, ""),
    ));
    for (n, range) in buckets.iter().enumerate() {
        // Plain ASCII string literals: the cheapest data a script can carry.
        let (s, f) = (s[range.clone()].join(","), f[range.clone()].join(","));
        sink.put(OutputFile::new(
            format!("search/postings-{n}.js"),
            format!("studybookSearchPostings({n},\"{s}\",\"{f}\");\n"),
        ));
    }
    for (n, (_, texts)) in shards.iter().enumerate() {
        sink.put(OutputFile::new(
            format!("search/text-{n}.js"),
            json_parse_js(&format!("studybookSearchText({n},"), texts, ")"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::Section;

    fn toks(s: &str) -> Vec<String> {
        tokens(s)
    }

    #[test]
    fn latin_words_are_lowercased_split_on_punctuation_and_plurals_folded() {
        assert_eq!(
            toks("Weight-Clipping keeps the critic's weights (1-Lipschitz)!"),
            [
                "weight",
                "clipping",
                "keep",
                "the",
                "critic",
                "s",
                "weight",
                "1",
                "lipschitz"
            ]
        );
        assert_eq!(
            toks("queries boxes loss focus gas"),
            ["query", "boxe", "loss", "focus", "gas"]
        );
    }

    #[test]
    fn numbers_and_accented_words_are_kept() {
        assert_eq!(
            toks("ResNet-50 in 2015, 3.14"),
            ["resnet", "50", "in", "2015", "3", "14"]
        );
        assert_eq!(toks("Fréchet distance"), ["fréchet", "distance"]);
    }

    #[test]
    fn cjk_runs_become_unigrams_and_bigrams() {
        assert_eq!(
            toks("批归一化"),
            ["批", "批归", "归", "归一", "一", "一化", "化"]
        );
        assert_eq!(toks("训练，测试"), ["训", "训练", "练", "测", "测试", "试"]);
        assert_eq!(toks("学"), ["学"]);
    }

    #[test]
    fn mixed_text_switches_between_scripts() {
        assert_eq!(
            toks("BN训练时用batch统计量"),
            [
                "bn", "训", "训练", "练", "练时", "时", "时用", "用", "batch", "统", "统计", "计",
                "计量", "量"
            ]
        );
        assert_eq!(
            toks("瓦瑟斯坦GAN"),
            ["瓦", "瓦瑟", "瑟", "瑟斯", "斯", "斯坦", "坦", "gan"]
        );
    }

    #[test]
    fn full_width_characters_are_folded() {
        assert_eq!(toks("ＢＮ　１２３"), ["bn", "123"]);
        assert_eq!(toks("训练（ＧＡＮ）"), ["训", "训练", "练", "gan"]);
    }

    #[test]
    fn symbols_and_overlong_words_are_dropped() {
        assert_eq!(toks("$\\frac{a}{b}$ → ≤ …"), ["frac", "a", "b"]);
        assert!(toks(&"x".repeat(41)).is_empty());
    }

    /// A page as (path, front matter, sections as (anchor, heading, text)).
    type PageSpec<'a> = (&'a str, &'a str, &'a [(Option<&'a str>, &'a str, &'a str)]);

    fn site(pages: &[PageSpec]) -> (Vec<Page>, Vec<Rendered>) {
        let sources = pages
            .iter()
            .map(|(path, front, _)| crate::load::Source {
                rel_path: (*path).into(),
                display_path: std::path::Path::new("content").join(path),
                text: format!("---\n{front}\n---\nbody\n"),
                ..Default::default()
            })
            .collect();
        let parsed = crate::parse::parse(sources);
        let rendered = pages
            .iter()
            .map(|(_, _, sections)| Rendered {
                sections: sections
                    .iter()
                    .map(|(id, heading, text)| Section {
                        id: id.map(str::to_string),
                        heading: heading.to_string(),
                        text: text.to_string(),
                    })
                    .collect(),
                ..Rendered::default()
            })
            .collect();
        (parsed.pages, rendered)
    }

    /// The ranking search.js computes, for exact query terms: every term must match; a page field
    /// hit counts fully on the page's top doc and a quarter on its other sections, which are shown
    /// only when a query term is in their own heading or text.
    fn rank(built: &Built, query: &str) -> Vec<String> {
        let page_of = |doc: u32| {
            built
                .pages
                .iter()
                .rposition(|p| p.first_doc <= doc)
                .unwrap() as u32
        };
        let mut scores: Option<BTreeMap<u32, u32>> = None;
        let mut in_section = std::collections::HashSet::new();
        let words = tokens(query);
        let cjk_pairs: Vec<&String> = words.iter().filter(|t| t.chars().count() == 2).collect();
        let terms: Vec<&String> = words
            .iter()
            .filter(|t| !t.chars().all(is_cjk) || cjk_pairs.is_empty() || t.chars().count() == 2)
            .collect();
        for t in terms {
            let mut this = BTreeMap::new();
            for doc in 0..built.docs.len() as u32 {
                let pid = page_of(doc);
                let sw = built
                    .inverted
                    .sections
                    .get(t)
                    .and_then(|m| m.iter().find(|p| p.0 == doc))
                    .map(|p| p.1);
                let pw = built
                    .inverted
                    .pages
                    .get(t)
                    .and_then(|m| m.iter().find(|p| p.0 == pid))
                    .map(|p| p.1);
                let first = built.pages[pid as usize].first_doc == doc;
                if sw.is_some() {
                    in_section.insert(doc);
                }
                let w = sw.unwrap_or(0) + pw.map_or(0, |w| if first { w } else { w / 4 });
                if w > 0 {
                    this.insert(doc, w);
                }
            }
            scores = Some(match scores {
                None => this,
                Some(prev) => prev
                    .into_iter()
                    .filter_map(|(d, w)| this.get(&d).map(|x| (d, w + x)))
                    .collect(),
            });
        }
        let mut hits: Vec<(u32, u32)> = scores
            .unwrap_or_default()
            .into_iter()
            .filter(|(d, _)| {
                in_section.contains(d) || built.pages[page_of(*d) as usize].first_doc == *d
            })
            .collect();
        hits.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        hits.iter()
            .map(|(d, _)| {
                let p = &built.pages[page_of(*d) as usize];
                format!("{}#{}", p.url, built.docs[*d as usize].anchor)
            })
            .collect()
    }

    #[test]
    fn title_beats_alias_beats_heading_beats_body() {
        let (pages, rendered) = site(&[
            (
                "body.md",
                "title: Other",
                &[(None, "", "a note on dropout in passing")],
            ),
            (
                "heading.md",
                "title: Regularisation",
                &[
                    (None, "", "intro"),
                    (Some("dropout"), "Dropout", "drops units"),
                ],
            ),
            (
                "alias.md",
                "title: Random Masking\naliases: [Dropout]",
                &[(None, "", "masks")],
            ),
            ("title.md", "title: Dropout", &[(None, "", "drops")]),
        ]);
        let built = collect(&pages, &rendered);
        assert_eq!(
            rank(&built, "dropout"),
            [
                "title.html#",
                "alias.html#",
                "heading.html#dropout",
                "body.html#"
            ]
        );
    }

    #[test]
    fn all_terms_must_match_and_a_title_lifts_its_sections() {
        let (pages, rendered) = site(&[
            (
                "wgan.md",
                "title: WGAN",
                &[
                    (None, "", "critic"),
                    (Some("clip"), "Weight clipping", "clip the weights"),
                ],
            ),
            (
                "other.md",
                "title: Other",
                &[(Some("w"), "Weight decay", "decay shrinks")],
            ),
        ]);
        let built = collect(&pages, &rendered);
        assert_eq!(rank(&built, "wgan weights"), ["wgan.html#clip"]);
        // A title alone finds the page's top, not every section under the title.
        assert_eq!(rank(&built, "wgan"), ["wgan.html#"]);
        assert_eq!(rank(&built, "weight")[0], "wgan.html#clip");
        // A page with no intro text still gets a top doc for its title.
        assert_eq!(built.docs.len(), 4);
    }

    #[test]
    fn chinese_words_inside_sentences_are_found_by_their_bigrams() {
        let (pages, rendered) = site(&[
            (
                "bn.md",
                "title: 批归一化",
                &[
                    (None, "", "把每个通道标准化"),
                    (Some("t"), "训练与测试", "训练时用批统计量"),
                ],
            ),
            ("x.md", "title: 其他", &[(None, "", "练习训话")]),
        ]);
        let built = collect(&pages, &rendered);
        assert_eq!(rank(&built, "训练"), ["bn.html#t"]);
        assert_eq!(rank(&built, "统计量"), ["bn.html#t"]);
        assert_eq!(rank(&built, "归一化"), ["bn.html#"]);
    }

    /// The value a generated script passes to JSON.parse.
    fn parsed(js: &str, prefix: &str, suffix: &str) -> serde_json::Value {
        let first_line = js.split_inclusive('\n').next().unwrap();
        let literal = first_line
            .strip_prefix(prefix)
            .and_then(|s| s.strip_suffix(suffix))
            .unwrap();
        let json: String = serde_json::from_str(literal).unwrap();
        serde_json::from_str(&json).unwrap()
    }

    fn decode(s: &str) -> Vec<u32> {
        let mut out = Vec::new();
        let (mut n, mut shift) = (0, 0);
        for b in s.bytes() {
            let v = DIGITS.iter().position(|&d| d == b).unwrap() as u32;
            n |= (v & 31) << shift;
            if v & 32 == 0 {
                out.push(n);
                (n, shift) = (0, 0);
            } else {
                shift += 5;
            }
        }
        out
    }

    #[test]
    fn postings_encode_id_deltas_and_weight_codes() {
        let map = [(0, 10), (1, 40), (3, 10), (100_000, 12)];
        let weights = [10, 12, 40];
        let s = varints(&map, &weights);
        assert!(s.bytes().all(|b| DIGITS.contains(&b)));
        // Consecutive ids with a small code take one character each; 5 bits more per character.
        assert_eq!(s.len(), 1 + 1 + 2 + 5);
        assert_eq!(decode(&s), [0, 16 + 2, 2 * 16, 99_997 * 16 + 1]);
    }

    #[test]
    fn every_weight_the_index_can_give_fits_in_a_code() {
        let mut sections = Postings::new();
        for tf in 1..=12 {
            sections.insert(format!("b{tf}"), [(0, body_weight(tf))].into());
            sections.insert(format!("h{tf}"), [(0, HEADING + body_weight(tf))].into());
        }
        sections.insert("h".into(), [(0, HEADING)].into());
        assert_eq!(weight_table(&sections).len(), 13);
    }

    #[test]
    fn index_is_a_script_with_sorted_terms_postings_and_text_shards() {
        let (pages, rendered) = site(&[
            (
                "a.md",
                "title: Alpha",
                &[(None, "", "beta beta \u{FB00} 𠀀")],
            ),
            ("b.md", "title: Beta", &[(None, "", "gamma")]),
        ]);
        let sink = crate::output::Collected::default();
        output(&pages, &rendered, &sink);
        let files = sink.into_files();
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [INDEX_FILE, "search/postings-0.js", "search/text-0.js"]
        );
        let js = String::from_utf8(files[0].bytes.clone()).unwrap();
        let v = parsed(&js, "window.studybookSearch=JSON.parse(", ");\n");
        let terms: Vec<&str> = v["t"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        // UTF-16 order puts U+20000 (a surrogate pair) before U+FB00, as JavaScript compares.
        assert_eq!(terms, ["alpha", "beta", "gamma", "𠀀", "\u{FB00}"]);
        assert_eq!(v["p"][1], serde_json::json!(["b.html", "Beta", 1]));
        assert_eq!(v["d"][1], serde_json::json!(["", ""]));
        assert_eq!(v["x"], serde_json::json!([0]));
        assert_eq!(v["b"], serde_json::json!([0]));
        assert_eq!(v["w"], serde_json::json!([BODY, body_weight(2)]));
        assert_eq!(v["fw"], serde_json::json!([TITLE]));
        // A bucket: per kind an ASCII string of comma-separated per-term lists.
        let bucket = String::from_utf8(files[1].bytes.clone()).unwrap();
        let args = bucket
            .strip_prefix("studybookSearchPostings(0,\"")
            .and_then(|b| b.strip_suffix("\");\n"))
            .unwrap();
        let (s, f) = args.split_once("\",\"").unwrap();
        let s: Vec<Vec<u32>> = s.split(',').map(decode).collect();
        let f: Vec<Vec<u32>> = f.split(',').map(decode).collect();
        assert_eq!(s.len(), 5);
        assert_eq!(s[1], [1]); // "beta": doc 0, twice in the body (code 1)
        assert_eq!(f[1], [16]); // "beta": page 1's title (code 0)
        assert!(f[2].is_empty());
        let text = String::from_utf8(files[2].bytes.clone()).unwrap();
        let texts = parsed(&text, "studybookSearchText(0,JSON.parse(", "));\n");
        assert_eq!(texts, serde_json::json!(["beta beta \u{FB00} 𠀀", "gamma"]));
    }

    #[test]
    fn long_texts_are_split_into_shards() {
        let long = "word ".repeat(SHARD_BYTES / 5 + 1);
        let (pages, rendered) = site(&[
            ("a.md", "title: A", &[(None, "", long.as_str())]),
            ("b.md", "title: B", &[(None, "", "short")]),
            ("c.md", "title: C", &[(None, "", "short")]),
        ]);
        let sink = crate::output::Collected::default();
        output(&pages, &rendered, &sink);
        let files = sink.into_files();
        let js = String::from_utf8(files[0].bytes.clone()).unwrap();
        let v = parsed(&js, "window.studybookSearch=JSON.parse(", ");\n");
        assert_eq!(v["x"], serde_json::json!([0, 1]));
        assert_eq!(files.len(), 1 + 1 + 2);
    }

    #[test]
    fn many_postings_are_split_into_buckets_of_consecutive_terms() {
        let text: String = (0..40_000).map(|n| format!("w{n} ")).collect();
        let (pages, rendered) = site(&[("a.md", "title: A", &[(None, "", text.as_str())])]);
        let sink = crate::output::Collected::default();
        output(&pages, &rendered, &sink);
        let files = sink.into_files();
        let js = String::from_utf8(files[0].bytes.clone()).unwrap();
        let v = parsed(&js, "window.studybookSearch=JSON.parse(", ");\n");
        let starts = v["b"].as_array().unwrap();
        assert!(starts.len() > 1, "{starts:?}");
        let buckets = files
            .iter()
            .filter(|f| f.path.starts_with("search/postings-"));
        assert_eq!(buckets.count(), starts.len());
    }
}
