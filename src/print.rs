//! The print view puts every topic on one page: each page's ids get a per-page prefix, and links
//! between topics become in-page anchors.

use std::collections::BTreeMap;

use crate::html::is_external;

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
/// reads correctly inside `print.html` at the site root.
pub fn rebase(html: &str, page_url: &str, anchors: &BTreeMap<&str, String>) -> String {
    let own = anchors
        .get(page_url)
        .cloned()
        .unwrap_or_else(|| page_anchor(page_url));
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
            " href=\"" => rebase_href(value, dir, &own, anchors),
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

fn rebase_href(value: &str, dir: &str, own: &str, anchors: &BTreeMap<&str, String>) -> String {
    if let Some(frag) = value.strip_prefix('#') {
        return format!("#{own}--{frag}");
    }
    if is_external(value) || value.starts_with('/') {
        return value.to_string();
    }
    let (path, frag) = value
        .split_once('#')
        .map_or((value, None), |(p, f)| (p, Some(f)));
    let target = join(dir, path);
    match anchors.get(target.as_str()) {
        Some(anchor) => match frag {
            Some(f) => format!("#{anchor}--{f}"),
            None => format!("#{anchor}"),
        },
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
        let anchors = BTreeMap::from([
            ("gan/wgan.html", page_anchor("gan/wgan.html")),
            ("basics/bn.html", page_anchor("basics/bn.html")),
        ]);
        let html = r##"<h2 id="code">C</h2><a href="#code">x</a><a href="../basics/bn.html#train">bn</a><a href="../basics/bn.html">b</a><img src="fig.svg"><a href="https://x.org/a">e</a>"##;
        let out = rebase(html, "gan/wgan.html", &anchors);
        assert_eq!(
            out,
            r##"<h2 id="p-gan-wgan--code">C</h2><a href="#p-gan-wgan--code">x</a><a href="#p-basics-bn--train">bn</a><a href="#p-basics-bn">b</a><img src="gan/fig.svg"><a href="https://x.org/a">e</a>"##
        );
    }
}
