//! Lays the site out with Tera: topic pages, the topic index, tag pages, the print view, 404,
//! sitemap and static assets. Templates see small view structs, never the internal model.

use std::collections::BTreeMap;

use serde::Serialize;
use tera::{Context, Tera};

use crate::diagnostics::Diagnostic;
use crate::graph::LinkGraph;
use crate::index::{category_anchor, PageId, SiteIndex};
use crate::output::{OutputFile, Sink};
use crate::print;
use crate::render::{Question, TocEntry};
use crate::site_data::SiteData;
use crate::theme::Theme;

impl SiteData<'_> {
    /// A page's title as readers see it outside its own page: math as readable text, never TeX.
    pub fn title(&self, id: PageId) -> &str {
        self.rendered
            .get(id)
            .and_then(|r| r.title.as_ref())
            .map_or(&self.pages[id].title, |t| &t.text)
    }

    /// Rendered HTML as pages show it: in an English site, Chinese runs marked `lang="zh"` so
    /// each script gets its own fonts and punctuation widths ([`crate::lang`]).
    pub fn body(&self, html: String) -> String {
        match self.config.language {
            crate::config::Language::En => match crate::lang::mark_chinese(&html) {
                std::borrow::Cow::Borrowed(_) => html,
                marked => marked.into_owned(),
            },
            crate::config::Language::ZhCn => html,
        }
    }

    /// A page's title as HTML, math rendered by KaTeX.
    pub fn title_html(&self, id: PageId) -> String {
        match self.rendered.get(id).and_then(|r| r.title.as_ref()) {
            Some(t) => t.html.clone(),
            None => crate::html::escape(&self.pages[id].title),
        }
    }
}

#[derive(Serialize)]
struct SiteView<'a> {
    title: &'a str,
    description: &'a str,
    language: &'a str,
    authors: &'a [String],
    site_url: Option<&'a str>,
    repository_url: Option<&'a str>,
    search: bool,
    nav: Vec<NavCategory<'a>>,
    page_count: usize,
}

#[derive(Serialize)]
struct NavCategory<'a> {
    key: &'a str,
    title: &'a str,
    anchor: String,
    pages: Vec<NavLink<'a>>,
}

/// An entry of the navigation: a page (nested by `level` when SUMMARY.md nests it), or a draft
/// chapter with no `url`.
#[derive(Serialize)]
struct NavLink<'a> {
    title: &'a str,
    url: Option<&'a str>,
    level: u8,
    summary: Option<&'a str>,
}

#[derive(Serialize, Clone)]
struct Link<'a> {
    title: &'a str,
    /// Relative to the site root.
    url: String,
    summary: Option<&'a str>,
}

#[derive(Serialize)]
struct PageView<'a> {
    title: &'a str,
    /// The id of the title heading, when the page took its title from its `# Heading`.
    title_id: Option<&'a str>,
    /// `date` and `updated` (or `lastmod`) from the front matter, as written.
    date: Option<&'a str>,
    updated: Option<&'a str>,
    /// The title as HTML: math rendered, for the page's own heading.
    title_html: String,
    slug: &'a str,
    url: &'a str,
    summary: Option<&'a str>,
    body: String,
    toc: &'a [TocEntry],
    tags: Vec<TagLink<'a>>,
    aliases: &'a [String],
    prerequisites: Vec<Link<'a>>,
    backlinks: Vec<Link<'a>>,
    prev: Option<Link<'a>>,
    next: Option<Link<'a>>,
    /// Previous and next follow the study order (true) or the contents (false).
    nav_by_study_order: bool,
    questions: &'a [Question],
    edit_url: Option<String>,
    category: Option<NavCategoryRef<'a>>,
    source_path: String,
}

#[derive(Serialize)]
struct NavCategoryRef<'a> {
    title: &'a str,
    url: String,
}

#[derive(Serialize)]
struct TagLink<'a> {
    name: &'a str,
    url: String,
    count: usize,
}

#[derive(Serialize)]
struct IndexView<'a> {
    intro: Option<String>,
    categories: Vec<IndexCategory<'a>>,
    tags: Vec<TagLink<'a>>,
    alphabetical: Vec<Letter<'a>>,
    study_order: Vec<StudyStep<'a>>,
}

#[derive(Serialize)]
struct IndexCategory<'a> {
    key: &'a str,
    title: &'a str,
    anchor: String,
    intro: Option<String>,
    pages: Vec<Link<'a>>,
}

#[derive(Serialize)]
struct Letter<'a> {
    letter: String,
    entries: Vec<AzEntry<'a>>,
}

#[derive(Serialize)]
struct AzEntry<'a> {
    name: &'a str,
    url: String,
    /// The page title when `name` is an alias.
    alias_of: Option<&'a str>,
}

#[derive(Serialize)]
struct StudyStep<'a> {
    title: &'a str,
    url: String,
    depth: usize,
    prerequisites: Vec<&'a str>,
}

#[derive(Serialize)]
struct TagView<'a> {
    name: &'a str,
    slug: &'a str,
    pages: Vec<Link<'a>>,
}

#[derive(Serialize)]
struct PrintPage<'a> {
    title: &'a str,
    title_html: String,
    anchor: String,
    body: String,
}

/// Compiles the theme's templates. Errors name the template file and its line.
pub fn templates(theme: &Theme) -> Result<Tera, Vec<Diagnostic>> {
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html", ".xml"]);
    let sources: Vec<(&str, &str)> = theme
        .templates
        .iter()
        .map(|(n, f)| (n.as_str(), f.content.as_str()))
        .collect();
    tera.add_raw_templates(sources)
        .map_err(|e| theme.template_errors(None, &e))?;
    Ok(tera)
}

/// Lays out the whole site into `sink`, each page as soon as it is made. The site-wide pages are
/// made one after another (the print views are most of a large site's bytes) beside the topic
/// pages, so no core waits on them at the end.
pub fn layout(site: &SiteData<'_>, tera: &Tera, sink: &dyn Sink) -> Vec<Diagnostic> {
    use rayon::prelude::*;
    let base = base_context(site);
    let (mut diags, shared): (Vec<Diagnostic>, _) = rayon::join(
        || {
            (0..site.pages.len())
                .into_par_iter()
                .flat_map_iter(|id| match layout_page(site, tera, &base, id) {
                    Ok(file) => {
                        sink.put(file);
                        Vec::new()
                    }
                    Err(e) => e,
                })
                .collect()
        },
        || layout_shared(site, tera, sink),
    );
    diags.extend(shared);
    diags
}

/// The context every template sees.
fn base_context(site: &SiteData<'_>) -> Context {
    let mut base = Context::new();
    base.insert("site", &site_view(site));
    base.insert("t", site.strings);
    base.insert(
        "ts",
        &crate::strings::StudyStrings::for_language(site.config.language),
    );
    base
}

/// One topic page laid out: its file, or the template's errors (the page is then not written,
/// so the last good build's file stays).
pub struct LaidOut {
    pub page: PageId,
    pub result: Result<OutputFile, Vec<Diagnostic>>,
}

/// Lays out the topic pages `ids`: the ones an edit affects, for `serve`.
pub fn layout_pages(site: &SiteData<'_>, tera: &Tera, ids: &[PageId]) -> Vec<LaidOut> {
    use rayon::prelude::*;
    let base = base_context(site);
    ids.par_iter()
        .map(|&id| LaidOut {
            page: id,
            result: layout_page(site, tera, &base, id),
        })
        .collect()
}

fn layout_page(
    site: &SiteData<'_>,
    tera: &Tera,
    base: &Context,
    id: PageId,
) -> Result<OutputFile, Vec<Diagnostic>> {
    let page = &site.pages[id];
    let mut ctx = base.clone();
    ctx.insert("root", &root_of(page.depth()));
    ctx.insert("kind", "page");
    ctx.insert("page", &page_view(site, id));
    tera.render("page.html", &ctx)
        .map(|html| OutputFile::new(page.url.clone(), html))
        .map_err(|e| site.theme.template_errors(Some("page.html"), &e))
}

/// What laying out a topic page reads from the rest of the site, as hashes: the site view every
/// template sees, and per page its own view without its rendered body, outline and questions (a
/// page rendered again is laid out again anyway). `serve` lays out again exactly the pages whose
/// hash changed, so whatever a view reads of other pages is followed with no list to keep.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fingerprints {
    pub site: u64,
    pub pages: Vec<u64>,
}

pub fn fingerprints(site: &SiteData<'_>) -> Fingerprints {
    use rayon::prelude::*;
    let pages = (0..site.pages.len())
        .into_par_iter()
        .map(|id| {
            let mut view = page_frame(site, id);
            view.toc = &[];
            view.questions = &[];
            hash_of(&view)
        })
        .collect();
    Fingerprints {
        site: hash_of(&site_view(site)),
        pages,
    }
}

fn hash_of(value: &impl Serialize) -> u64 {
    struct Hasher(xxhash_rust::xxh3::Xxh3);
    impl std::io::Write for Hasher {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.update(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut hasher = Hasher(xxhash_rust::xxh3::Xxh3::new());
    serde_json::to_writer(&mut hasher, value).expect("views serialize");
    hasher.0.digest()
}

/// Lays out everything but the topic pages into `sink`: index, tags, print views, study pages,
/// 404, sitemap. One file at a time: a print view can be 16 MB.
pub fn layout_shared(site: &SiteData<'_>, tera: &Tera, sink: &dyn Sink) -> Vec<Diagnostic> {
    let diags = std::cell::RefCell::new(Vec::new());
    let base = base_context(site);
    // The template's HTML, or its errors reported and nothing written.
    let laid = |template: &str, ctx: &Context| match tera.render(template, ctx) {
        Ok(html) => Some(html),
        Err(e) => {
            let errors = site.theme.template_errors(Some(template), &e);
            diags.borrow_mut().extend(errors);
            None
        }
    };
    let render = |template: &str, path: String, ctx: Context| {
        if let Some(html) = laid(template, &ctx) {
            sink.put(OutputFile::new(path, html));
        }
    };

    sink.put(nav_data(site));

    let mut ctx = base.clone();
    ctx.insert("root", ".");
    ctx.insert("kind", "index");
    ctx.insert("index", &index_view(site));
    ctx.insert("question_counts", &crate::study::question_counts(site));
    render("index.html", "index.html".into(), ctx);

    let tag_links = tag_links(site);
    let mut ctx = base.clone();
    ctx.insert("root", "..");
    ctx.insert("kind", "tags");
    ctx.insert("tags", &tag_links);
    render("tags.html", "tags/index.html".into(), ctx);
    for tag in &site.index.tags {
        let mut ctx = base.clone();
        ctx.insert("root", "..");
        ctx.insert("kind", "tag");
        let pages = tag.pages.iter().map(|&p| link(site, p)).collect();
        ctx.insert(
            "tag",
            &TagView {
                name: &tag.name,
                slug: &tag.slug,
                pages,
            },
        );
        render("tag.html", format!("tags/{}.html", tag.slug), ctx);
    }

    let plan = print_plan(site);
    for (path, ctx) in print_contexts(site, &base, &plan) {
        if let Some(html) = laid("print.html", &ctx) {
            let bytes = print_bodies(site, &plan, &path, &html);
            sink.put(OutputFile::new(path, bytes));
        }
    }

    for (template, path, ctx) in crate::study::contexts(site, &base) {
        render(template, path, ctx);
    }

    let mut ctx = base.clone();
    let root_404 = site
        .config
        .site_url
        .as_deref()
        .map(crate::sitemap::root_path);
    ctx.insert("root", root_404.unwrap_or("."));
    ctx.insert("kind", "404");
    render("404.html", "404.html".into(), ctx);

    let (sitemap_files, sitemap_warning) = crate::sitemap::files(site);
    for file in sitemap_files {
        sink.put(file);
    }
    let mut diags = diags.into_inner();
    diags.extend(sitemap_warning);
    sink.put(OutputFile::new(".nojekyll", ""));
    diags
}

/// The topic tree as a script (`js/nav-data.js`) that the default sidebar builds itself from.
/// One shared file instead of the whole tree in every page keeps pages small on large sites
/// (1,000 topics would otherwise add ~90 KB to each page), and works from file:// like any script.
pub fn nav_data(site: &SiteData<'_>) -> OutputFile {
    let nav: Vec<serde_json::Value> = site_view(site)
        .nav
        .iter()
        .map(|c| {
            let pages: Vec<serde_json::Value> =
                c.pages.iter().map(|p| serde_json::json!({ "title": p.title, "url": p.url, "level": p.level })).collect();
            serde_json::json!({ "key": c.key, "title": c.title, "anchor": c.anchor, "pages": pages })
        })
        .collect();
    let json = serde_json::to_string(&nav).expect("the nav serializes");
    OutputFile::new("js/nav-data.js", format!("window.studybookNav = {json};\n"))
}

fn root_of(depth: usize) -> String {
    if depth == 0 {
        ".".into()
    } else {
        vec![".."; depth].join("/")
    }
}

fn site_view<'a>(site: &'a SiteData<'a>) -> SiteView<'a> {
    let c = site.config;
    SiteView {
        title: &c.title,
        description: &c.description,
        language: c.language.code(),
        authors: &c.authors,
        site_url: c.site_url.as_deref(),
        repository_url: c.git_repository_url.as_deref(),
        search: c.search,
        nav: site
            .index
            .categories
            .iter()
            .map(|cat| NavCategory {
                key: &cat.key,
                title: &cat.title,
                anchor: category_anchor(&cat.key),
                pages: cat
                    .nav
                    .iter()
                    .map(|item| NavLink {
                        // A page's title as text (math readable); a draft chapter's as listed.
                        title: item.page.map_or(item.title.as_str(), |p| site.title(p)),
                        url: item.url.as_deref(),
                        level: item.level,
                        summary: item
                            .page
                            .and_then(|p| site.pages[p].meta.summary.as_deref()),
                    })
                    .collect(),
            })
            .collect(),
        page_count: site.pages.len(),
    }
}

fn link<'a>(site: &'a SiteData<'a>, id: PageId) -> Link<'a> {
    let p = &site.pages[id];
    Link {
        title: site.title(id),
        url: p.url.clone(),
        summary: p.meta.summary.as_deref(),
    }
}

/// The order previous/next links follow: the study order when any page has prerequisites (each
/// topic then comes after the topics it builds on), else the contents' reading order. The flag
/// is true for the study order; pages say which order their links follow.
pub fn nav_order<'a>(index: &'a SiteIndex, graph: &'a LinkGraph) -> (&'a [PageId], bool) {
    if graph.prerequisites.iter().any(|p| !p.is_empty()) {
        (&graph.study_order, true)
    } else {
        (&index.order, false)
    }
}

fn page_view<'a>(site: &'a SiteData<'a>, id: PageId) -> PageView<'a> {
    PageView {
        body: site.body(site.rendered[id].html.unpack()),
        ..page_frame(site, id)
    }
}

/// A page's view without its body, which is the costly part (Chinese runs are marked in it) and
/// which [`fingerprints`] leaves out.
fn page_frame<'a>(site: &'a SiteData<'a>, id: PageId) -> PageView<'a> {
    let page = &site.pages[id];
    let rendered = &site.rendered[id];
    let (order, by_study_order) = nav_order(site.index, site.graph);
    let pos = if by_study_order {
        order.iter().position(|&p| p == id)
    } else {
        site.index.place(id)
    };
    let prev = pos
        .and_then(|i| i.checked_sub(1))
        .map(|i| link(site, order[i]));
    let next = pos.and_then(|i| order.get(i + 1)).map(|&p| link(site, p));
    let source_path = page
        .source
        .display_path
        .to_string_lossy()
        .replace('\\', "/");
    let edit_url = site
        .config
        .edit_url_template
        .as_ref()
        .map(|t| t.replace("{path}", &source_path));
    let category = site
        .index
        .category(&page.category)
        .filter(|c| !c.key.is_empty())
        .map(|c| NavCategoryRef {
            title: &c.title,
            url: format!("index.html#{}", category_anchor(&c.key)),
        });
    PageView {
        title: site.title(id),
        title_id: page.title_id.as_deref(),
        date: page.meta.date.as_deref(),
        updated: page.meta.updated.as_deref(),
        title_html: site.title_html(id),
        slug: &page.slug,
        url: &page.url,
        summary: page.meta.summary.as_deref(),
        body: String::new(),
        toc: &rendered.toc,
        tags: page
            .meta
            .tags
            .iter()
            .map(|t| {
                let slug = SiteIndex::tag_slug(t);
                let count = site
                    .index
                    .tags
                    .iter()
                    .find(|x| x.slug == slug)
                    .map_or(0, |x| x.pages.len());
                TagLink {
                    name: t,
                    url: format!("tags/{slug}.html"),
                    count,
                }
            })
            .collect(),
        aliases: &page.meta.aliases,
        prerequisites: site
            .graph
            .prerequisites
            .get(id)
            .map(|l| l.iter().map(|&p| link(site, p)).collect())
            .unwrap_or_default(),
        backlinks: site
            .graph
            .backlinks
            .get(id)
            .map(|l| l.iter().map(|&p| link(site, p)).collect())
            .unwrap_or_default(),
        prev,
        next,
        nav_by_study_order: by_study_order,
        questions: &rendered.questions,
        edit_url,
        category,
        source_path,
    }
}

fn tag_links<'a>(site: &'a SiteData<'a>) -> Vec<TagLink<'a>> {
    site.index
        .tags
        .iter()
        .map(|t| TagLink {
            name: &t.name,
            url: format!("tags/{}.html", t.slug),
            count: t.pages.len(),
        })
        .collect()
}

fn index_view<'a>(site: &'a SiteData<'a>) -> IndexView<'a> {
    let categories = site
        .index
        .categories
        .iter()
        .map(|cat| IndexCategory {
            key: &cat.key,
            title: &cat.title,
            anchor: category_anchor(&cat.key),
            intro: site
                .intros
                .get(&cat.key)
                .filter(|_| !cat.key.is_empty())
                .map(|r| site.body(r.html.unpack())),
            pages: cat.pages.iter().map(|&p| link(site, p)).collect(),
        })
        .collect();
    let study_order = site
        .graph
        .study_order
        .iter()
        .map(|&p| StudyStep {
            title: site.title(p),
            url: site.pages[p].url.clone(),
            depth: site.graph.depth.get(p).copied().unwrap_or(0),
            prerequisites: site.graph.prerequisites[p]
                .iter()
                .map(|&q| site.title(q))
                .collect(),
        })
        .collect();
    IndexView {
        intro: site.intros.get("").map(|r| site.body(r.html.unpack())),
        categories,
        tags: tag_links(site),
        alphabetical: alphabetical(site),
        study_order,
    }
}

/// Titles and aliases, grouped by first letter, Chinese names by their pinyin among the Latin
/// ones ([`crate::collate`]); names in other scripts share one group at the end.
fn alphabetical<'a>(site: &'a SiteData<'a>) -> Vec<Letter<'a>> {
    let mut entries: Vec<((String, String), AzEntry<'a>)> = Vec::new();
    for (id, page) in site.pages.iter().enumerate() {
        let title = site.title(id);
        entries.push((
            crate::collate::sort_key(title),
            AzEntry {
                name: title,
                url: page.url.clone(),
                alias_of: None,
            },
        ));
        for alias in &page.meta.aliases {
            entries.push((
                crate::collate::sort_key(alias),
                AzEntry {
                    name: alias,
                    url: page.url.clone(),
                    alias_of: Some(title),
                },
            ));
        }
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let mut letters: BTreeMap<(u8, String), Vec<AzEntry<'a>>> = BTreeMap::new();
    for (_, entry) in entries {
        let letter = crate::collate::initial(entry.name);
        let rank = match letter.as_str() {
            "0–9" => 1,
            "…" => 2,
            _ => 0,
        };
        letters.entry((rank, letter)).or_default().push(entry);
    }
    letters
        .into_iter()
        .map(|((_, letter), entries)| Letter { letter, entries })
        .collect()
}

#[derive(Serialize)]
struct PrintViewLink<'a> {
    title: &'a str,
    url: &'a str,
    current: bool,
}

/// The print views (see [`print::plan`]) as template contexts, by output path. Their page bodies
/// are placeholders that [`print_bodies`] fills in after the template ran: the site's text then
/// never passes through the template engine's values (on 1,000 pages that is ~100 MB copied
/// twice). Every view lists every other, so a reader can go from one to the next.
fn print_contexts(
    site: &SiteData<'_>,
    base: &Context,
    (book, views): &(Option<print::View>, Vec<print::View>),
) -> Vec<(String, Context)> {
    let all: Vec<&print::View> = book.iter().chain(views).collect();
    let links = |here: &str| -> Vec<PrintViewLink<'_>> {
        all.iter()
            .map(|v| PrintViewLink {
                title: &v.title,
                url: &v.path,
                current: v.path == here,
            })
            .collect()
    };
    let mut out = Vec::new();
    let context = |view: &print::View, pages: Vec<PrintPage<'_>>| {
        let mut ctx = base.clone();
        ctx.insert("root", ".");
        ctx.insert("kind", "print");
        ctx.insert("view_title", &view.title);
        ctx.insert("views", &links(&view.path));
        ctx.insert("pages", &pages);
        ctx
    };
    for view in &all {
        let pages = view
            .pages
            .iter()
            .map(|&id| PrintPage {
                title: site.title(id),
                title_html: site.title_html(id),
                anchor: print::page_anchor(&site.pages[id].url),
                body: print::body_placeholder(id),
            })
            .collect();
        out.push((view.path.clone(), context(view, pages)));
    }
    if book.is_none() {
        // print.html stays the entry point (the footer links to it): here it lists the views.
        let index = print::View {
            path: "print.html".into(),
            title: site.config.title.clone(),
            pages: Vec::new(),
        };
        out.push((index.path.clone(), context(&index, Vec::new())));
    }
    out
}

/// The site's print views: the whole book while it is small enough, and the category views.
fn print_plan(site: &SiteData<'_>) -> (Option<print::View>, Vec<print::View>) {
    let categories: Vec<(String, &str, &[PageId])> = site
        .index
        .categories
        .iter()
        .map(|c| {
            (
                category_anchor(&c.key),
                c.title.as_str(),
                c.pages.as_slice(),
            )
        })
        .collect();
    print::plan(
        &categories,
        |p| site.rendered[p].html.len(),
        print::VIEW_BUDGET,
        &site.config.title,
    )
}

/// A print view as the template wrote it, with each page body rewritten for that view.
fn print_bodies(
    site: &SiteData<'_>,
    (book, views): &(Option<print::View>, Vec<print::View>),
    view: &str,
    html: &str,
) -> String {
    // Inside the whole book every topic is an anchor away; elsewhere links go to the category views.
    let targets = match book {
        Some(b) if view == b.path => std::slice::from_ref(b),
        _ => views.as_slice(),
    };
    let places = print::places(targets, |p| site.pages[p].url.as_str());
    let body = |id: usize| {
        let page = site.pages.get(id)?;
        let html = print::rebase(&site.rendered[id].html.unpack(), &page.url, &places, view);
        Some(site.body(html))
    };
    print::fill_bodies(html, body)
}
