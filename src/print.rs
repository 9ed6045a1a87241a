//! Print views put many topics on one page, for reading offline and printing: one view per
//! category (in parts when a category is large) and, while it stays small enough for a browser
//! to open, the whole book in `print.html`. Each topic's ids get a per-topic prefix; links
//! between topics become anchors in the same view or links to the view that holds the target.

use std::collections::HashMap;

use crate::html::is_external;
use crate::index::PageId;
use crate::parse::PRINT_VIEW_PREFIX as VIEW_PREFIX;

/// The most page text one print view holds. Views stay under 20 MB: rebased ids and links add a
/// few percent to the bodies, and the frame around them is small.
pub const VIEW_BUDGET: usize = 16_000_000;

/// One print file: its path at the site root, its title and its topics in reading order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    pub path: String,
    pub title: String,
    pub pages: Vec<PageId>,
}

/// The print views of a site: each category's topics (`(name, title, pages)` in reading order,
/// the name unique and fit for a file name),
/// split into parts of at most `budget` bytes of body (`size` gives a page's), and the whole book
/// in `print.html` when all of it fits one budget. Without it, `print.html` lists the views.
pub fn plan(
    categories: &[(String, &str, &[PageId])],
    size: impl Fn(PageId) -> usize,
    budget: usize,
    book_title: &str,
) -> (Option<View>, Vec<View>) {
    let total: usize = categories.iter().flat_map(|c| c.2).map(|&p| size(p)).sum();
    let book = (total <= budget).then(|| View {
        path: "print.html".into(),
        title: book_title.to_string(),
        pages: categories
            .iter()
            .flat_map(|c| c.2.iter().copied())
            .collect(),
    });
    let mut views = Vec::new();
    for (name, title, pages) in categories {
        let (title, pages) = (*title, *pages);
        if pages.is_empty() {
            continue;
        }
        let mut parts: Vec<Vec<PageId>> = vec![Vec::new()];
        let mut filled = 0;
        for &p in pages {
            let n = size(p);
            let last = parts.last_mut().expect("one part at least");
            if !last.is_empty() && filled + n > budget {
                parts.push(Vec::new());
                filled = 0;
            }
            parts.last_mut().expect("one part at least").push(p);
            filled += n;
        }
        let stem = format!("{VIEW_PREFIX}{name}");
        let count = parts.len();
        for (i, part) in parts.into_iter().enumerate() {
            let (path, title) = if count == 1 {
                (format!("{stem}.html"), title.to_string())
            } else {
                (
                    format!("{stem}-{}.html", i + 1),
                    format!("{title} ({}/{count})", i + 1),
                )
            };
            views.push(View {
                path,
                title,
                pages: part,
            });
        }
    }
    (book, views)
}

/// Where a topic sits in the print views: the file and the anchor of its section.
#[derive(Debug, Clone)]
pub struct Place<'a> {
    pub file: &'a str,
    pub anchor: String,
}

/// Each topic's place, by page URL, when `views` are the print files.
pub fn places<'a>(
    views: &'a [View],
    url: impl Fn(PageId) -> &'a str,
) -> HashMap<&'a str, Place<'a>> {
    let mut out = HashMap::new();
    for view in views {
        for &p in &view.pages {
            let u = url(p);
            out.insert(
                u,
                Place {
                    file: &view.path,
                    anchor: page_anchor(u),
                },
            );
        }
    }
    out
}

/// The id of a topic's section in `print.html`.
pub fn page_anchor(url: &str) -> String {
    format!("p-{}", url.trim_end_matches(".html").replace('/', "-"))
}

const PLACEHOLDER: &str = "<!--studybook:print-body:";

/// Stands for the body of the `i`-th page in the print template's output.
pub fn body_placeholder(i: usize) -> String {
    format!("{PLACEHOLDER}{i}-->")
}

/// Replaces every body placeholder in `html` with `body(i)` (or nothing, for an unknown `i`).
pub fn fill_bodies(html: &str, body: impl Fn(usize) -> Option<String>) -> String {
    let mut out = String::with_capacity(html.len() * 2);
    let mut rest = html;
    while let Some(at) = rest.find(PLACEHOLDER) {
        out.push_str(&rest[..at]);
        let after = &rest[at + PLACEHOLDER.len()..];
        let Some(end) = after.find("-->") else { break };
        if let Some(text) = after[..end].parse().ok().and_then(&body) {
            out.push_str(&text);
        }
        rest = &after[end + 3..];
    }
    out.push_str(rest);
    out
}

/// Rewrites the `id`, `href` and `src` attributes of a page body (written for `page_url`) so it
/// reads correctly inside the print view `here` at the site root.
pub fn rebase(html: &str, page_url: &str, places: &HashMap<&str, Place<'_>>, here: &str) -> String {
    let own = page_anchor(page_url);
    let dir = page_url.rsplit_once('/').map_or("", |(d, _)| d);
    let mut out = String::with_capacity(html.len() + html.len() / 16);
    let mut rest = html;
    while let Some((at, attr)) = next_attr(rest) {
        let value_start = at + attr.len();
        let Some(len) = rest[value_start..].find('"') else {
            break;
        };
        let value = &rest[value_start..value_start + len];
        out.push_str(&rest[..value_start]);
        let new = match attr {
            " id=\"" => format!("{own}--{value}"),
            " href=\"" => rebase_href(value, dir, &own, places, here),
            _ => rebase_path(value, dir),
        };
        out.push_str(&new);
        rest = &rest[value_start + len..];
    }
    out.push_str(rest);
    out
}

/// The first ` id="`, ` href="` or ` src="` in `s`. Scans each `="` once: searching for each
/// name separately rescans the rest of the page for names it lacks, quadratic on long pages.
fn next_attr(s: &str) -> Option<(usize, &'static str)> {
    let mut from = 0;
    while let Some(i) = s[from..].find("=\"") {
        let eq = from + i;
        for attr in [" id=\"", " href=\"", " src=\""] {
            let name = &attr[..attr.len() - 2];
            if s[..eq].ends_with(name) {
                return Some((eq - name.len(), attr));
            }
        }
        from = eq + 2;
    }
    None
}

fn rebase_href(
    value: &str,
    dir: &str,
    own: &str,
    places: &HashMap<&str, Place<'_>>,
    here: &str,
) -> String {
    if let Some(frag) = value.strip_prefix('#') {
        return format!("#{own}--{frag}");
    }
    if is_external(value) || value.starts_with('/') {
        return value.to_string();
    }
    let (path, frag) = value
        .split_once('#')
        .map_or((value, None), |(p, f)| (p, Some(f)));
    // Pages link to each other percent-encoded (`training/%E6%89%B9.html`); places are by URL.
    let target = join(
        dir,
        &percent_encoding::percent_decode_str(path).decode_utf8_lossy(),
    );
    match places.get(target.as_str()) {
        Some(place) => {
            let file = if place.file == here { "" } else { place.file };
            match frag {
                Some(f) => format!("{file}#{}--{f}", place.anchor),
                None => format!("{file}#{}", place.anchor),
            }
        }
        None => rebase_path(value, dir),
    }
}

fn rebase_path(value: &str, dir: &str) -> String {
    if is_external(value)
        || value.starts_with('/')
        || value.starts_with('#')
        || value.starts_with("data:")
    {
        return value.to_string();
    }
    join(dir, value)
}

/// Resolves `path` (relative, may contain `..`) against the folder `dir`, giving a root-relative path.
fn join(dir: &str, path: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in path.split('/') {
        match part {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            p => parts.push(p),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_in_order() {
        let html = format!(
            "<a>{}</a><b>{}</b>{}",
            body_placeholder(0),
            body_placeholder(1),
            body_placeholder(9)
        );
        let filled = fill_bodies(&html, |i| (i < 2).then(|| format!("body{i}")));
        assert_eq!(filled, "<a>body0</a><b>body1</b>");
    }

    #[test]
    fn links_become_anchors_and_paths_are_rebased() {
        let views = [View {
            path: "print.html".into(),
            title: "Book".into(),
            pages: vec![0, 1],
        }];
        let urls = ["gan/wgan.html", "basics/bn.html"];
        let places = places(&views, |p| urls[p]);
        let html = r##"<h2 id="code">C</h2><a href="#code">x</a><a href="../basics/bn.html#train">bn</a><a href="../basics/bn.html">b</a><img src="fig.svg"><a href="https://x.org/a">e</a>"##;
        let out = rebase(html, "gan/wgan.html", &places, "print.html");
        assert_eq!(
            out,
            r##"<h2 id="p-gan-wgan--code">C</h2><a href="#p-gan-wgan--code">x</a><a href="#p-basics-bn--train">bn</a><a href="#p-basics-bn">b</a><img src="gan/fig.svg"><a href="https://x.org/a">e</a>"##
        );
    }

    #[test]
    fn links_to_a_topic_in_another_view_name_its_file() {
        let views = [
            View {
                path: "print-cat-gan.html".into(),
                title: "GAN".into(),
                pages: vec![0],
            },
            View {
                path: "print-cat-basics.html".into(),
                title: "Basics".into(),
                pages: vec![1],
            },
        ];
        let urls = ["gan/wgan.html", "basics/bn.html"];
        let places = places(&views, |p| urls[p]);
        let out = rebase(
            r##"<a href="../basics/bn.html#train">bn</a>"##,
            "gan/wgan.html",
            &places,
            "print-cat-gan.html",
        );
        assert_eq!(
            out,
            r##"<a href="print-cat-basics.html#p-basics-bn--train">bn</a>"##
        );
    }

    #[test]
    fn large_categories_split_into_parts_and_the_book_only_while_small() {
        let gan: Vec<PageId> = (0..5).collect();
        let basics: Vec<PageId> = vec![5];
        let cats = [
            ("cat-gan".to_string(), "GAN", gan.as_slice()),
            ("topics".to_string(), "Topics", basics.as_slice()),
        ];
        let (book, views) = plan(&cats, |_| 10, 100, "Book");
        assert_eq!(book.unwrap().pages, vec![0, 1, 2, 3, 4, 5]);
        assert_eq!(views.len(), 2);
        assert_eq!(views[0].path, "print-cat-gan.html");
        assert_eq!(views[1].path, "print-topics.html");
        let (book, views) = plan(&cats, |_| 10, 25, "Book");
        assert!(book.is_none(), "60 bytes do not fit 25");
        let paths: Vec<&str> = views.iter().map(|v| v.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "print-cat-gan-1.html",
                "print-cat-gan-2.html",
                "print-cat-gan-3.html",
                "print-topics.html"
            ]
        );
        assert_eq!(views[2].title, "GAN (3/3)");
        assert_eq!(views[2].pages, vec![4]);
        let (_, views) = plan(&cats, |p| if p == 0 { 500 } else { 10 }, 25, "Book");
        assert_eq!(
            views[0].pages,
            vec![0],
            "a page larger than the budget still gets a view"
        );
    }
}
