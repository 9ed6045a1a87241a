//! `sitemap.xml` and `robots.txt`. The sitemap protocol accepts absolute URLs only, so the base
//! is `site-url` when it is a full URL, or the GitHub Pages host of a github.com
//! `git-repository-url` followed by the `site-url` path; without either the sitemap is left out
//! with one warning that says what to set.

use crate::config::CONFIG_FILE;
use crate::diagnostics::{Diagnostic, Position};
use crate::output::OutputFile;
use crate::site_data::SiteData;

/// The sitemap and robots files for a site with a `site-url`, or the warning that says why
/// there are none. A site without `site-url` (read from disk, say) gets neither and no warning.
pub fn files(site: &SiteData<'_>) -> (Vec<OutputFile>, Option<Diagnostic>) {
    let Some(site_url) = site.config.site_url.as_deref() else {
        return (Vec::new(), None);
    };
    let Some(base) = absolute_base(site_url, site.config.git_repository_url.as_deref()) else {
        return (Vec::new(), Some(missing_host(site_url)));
    };
    let mut urls = vec!["index.html".to_string()];
    urls.extend(site.index.order.iter().map(|&p| site.pages[p].url.clone()));
    urls.extend(
        site.index
            .tags
            .iter()
            .map(|t| format!("tags/{}.html", t.slug)),
    );
    let mut out = vec![OutputFile::new("sitemap.xml", sitemap_xml(&base, &urls))];
    // A site's own static/robots.txt says more than this default; it is copied instead.
    if !site.theme.statics.contains_key("robots.txt") {
        out.push(OutputFile::new("robots.txt", robots_txt(&base)));
    }
    (out, None)
}

/// The absolute address of the site root, with a trailing slash, when one can be known.
pub fn absolute_base(site_url: &str, repository_url: Option<&str>) -> Option<String> {
    let with_slash = |u: String| if u.ends_with('/') { u } else { u + "/" };
    if is_full_url(site_url) {
        return Some(with_slash(site_url.to_string()));
    }
    let host = github_pages_host(repository_url?)?;
    Some(with_slash(format!(
        "{host}/{}",
        site_url.trim_start_matches('/')
    )))
}

/// The site's path without its trailing slash (`/notes` for `/notes/` and for
/// `https://user.github.io/notes/`): `404.html` is served at any missing path, so its links start
/// there, and work on any host that serves the site at that path (a local server included).
pub fn root_path(site_url: &str) -> &str {
    let path = if is_full_url(site_url) {
        let after_scheme = &site_url[site_url.find("//").map_or(0, |i| i + 2)..];
        after_scheme.find('/').map_or("", |i| &after_scheme[i..])
    } else {
        site_url
    };
    path.trim_end_matches('/')
}

fn is_full_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    ["https://", "http://"]
        .iter()
        .any(|scheme| lower.len() > scheme.len() && lower.starts_with(scheme))
}

/// `https://github.com/<owner>/<repo>` → `https://<owner>.github.io`, the host GitHub Pages
/// serves the owner's sites from (host names are lower case).
fn github_pages_host(repository_url: &str) -> Option<String> {
    let lower = repository_url.trim().to_ascii_lowercase();
    let rest = [
        "https://github.com/",
        "http://github.com/",
        "https://www.github.com/",
    ]
    .iter()
    .find_map(|prefix| lower.strip_prefix(prefix))?;
    let mut parts = rest.split('/');
    let owner = parts.next().filter(|o| !o.is_empty())?;
    parts.next().filter(|repo| !repo.is_empty())?;
    Some(format!("https://{owner}.github.io"))
}

fn missing_host(site_url: &str) -> Diagnostic {
    let path = site_url.trim_matches('/');
    let example = if path.is_empty() {
        "https://<user>.github.io/".to_string()
    } else {
        format!("https://<user>.github.io/{path}/")
    };
    Diagnostic::warning(
        CONFIG_FILE,
        Position::default(),
        format!(
            "sitemap.xml not written: site-url \"{site_url}\" is a path, and a sitemap needs absolute URLs"
        ),
    )
    .with_help(format!(
        "set [output.html] site-url to the full address (\"{example}\"), or git-repository-url to the site's github.com repository"
    ))
}

fn sitemap_xml(base: &str, urls: &[String]) -> String {
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    let base = crate::html::escape(base);
    for url in urls {
        xml.push_str(&format!(
            "  <url><loc>{base}{}</loc></url>\n",
            encode_path(url)
        ));
    }
    xml.push_str("</urlset>\n");
    xml
}

/// Percent-encodes each path segment (Chinese file names included); `.`, `-` and `_` stay.
fn encode_path(url: &str) -> String {
    url.split('/')
        .map(|part| {
            percent_encoding::utf8_percent_encode(part, percent_encoding::NON_ALPHANUMERIC)
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("/")
        .replace("%2E", ".")
        .replace("%2D", "-")
        .replace("%5F", "_")
}

fn robots_txt(base: &str) -> String {
    format!("User-agent: *\nAllow: /\n\nSitemap: {base}sitemap.xml\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_site_url_is_the_base() {
        assert_eq!(
            absolute_base("https://user.github.io/notes", None).as_deref(),
            Some("https://user.github.io/notes/")
        );
        assert_eq!(
            absolute_base("HTTPS://notes.example.com/", Some("https://gitlab.com/a/b")).as_deref(),
            Some("HTTPS://notes.example.com/")
        );
    }

    #[test]
    fn a_path_takes_the_host_from_a_github_repository() {
        for repo in [
            "https://github.com/User/notes",
            "https://github.com/User/notes.git",
            "https://github.com/user/notes/",
            "https://www.github.com/user/notes/tree/main",
        ] {
            assert_eq!(
                absolute_base("/notes/", Some(repo)).as_deref(),
                Some("https://user.github.io/notes/"),
                "{repo}"
            );
        }
        assert_eq!(
            absolute_base("/", Some("https://github.com/user/user.github.io")).as_deref(),
            Some("https://user.github.io/")
        );
    }

    #[test]
    fn a_path_without_a_github_repository_has_no_base() {
        assert_eq!(absolute_base("/notes/", None), None);
        assert_eq!(
            absolute_base("/notes/", Some("https://gitlab.com/user/notes")),
            None
        );
        assert_eq!(
            absolute_base("/notes/", Some("https://github.com/user")),
            None
        );
        assert_eq!(absolute_base("https://", None), None);
    }

    #[test]
    fn the_root_path_leaves_out_scheme_and_host() {
        assert_eq!(root_path("/notes/"), "/notes");
        assert_eq!(root_path("https://user.github.io/notes/"), "/notes");
        assert_eq!(root_path("https://notes.example.com/"), "");
        assert_eq!(root_path("https://notes.example.com"), "");
        assert_eq!(root_path("/"), "");
    }

    #[test]
    fn the_warning_says_what_to_set() {
        let d = missing_host("/notes/");
        assert!(
            d.message.contains("sitemap.xml not written"),
            "{}",
            d.message
        );
        let help = d.help.unwrap();
        assert!(help.contains("https://<user>.github.io/notes/"), "{help}");
        assert!(help.contains("git-repository-url"), "{help}");
    }

    #[test]
    fn locs_are_absolute_and_encoded() {
        let xml = sitemap_xml(
            "https://u.github.io/n/",
            &["index.html".into(), "training/批归一化.html".into()],
        );
        assert!(xml.contains("<loc>https://u.github.io/n/index.html</loc>"));
        assert!(xml.contains(
            "<loc>https://u.github.io/n/training/%E6%89%B9%E5%BD%92%E4%B8%80%E5%8C%96.html</loc>"
        ));
        assert_eq!(
            robots_txt("https://u.github.io/n/"),
            "User-agent: *\nAllow: /\n\nSitemap: https://u.github.io/n/sitemap.xml\n"
        );
    }
}
