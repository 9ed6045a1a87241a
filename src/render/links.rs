//! Link resolution: wikilinks, relative `.md` links, anchors and Zola's `@/` links, resolved
//! against the site index with suggestions for what does not resolve.

use super::*;

/// Characters escaped in one segment of a link to a content file.
pub(super) const PATH_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

pub(super) fn closest_heading<'a>(
    headings: impl Iterator<Item = &'a str>,
    wanted: &str,
) -> Option<&'a str> {
    let wanted = crate::index::normalize(wanted);
    headings
        .map(|h| {
            (
                strsim::normalized_levenshtein(&crate::index::normalize(h), &wanted),
                h,
            )
        })
        .filter(|(s, _)| *s >= 0.4)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, h)| h)
}

pub(super) fn split_fragment(dest: &str) -> (&str, Option<&str>) {
    match dest.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (dest, None),
    }
}

impl<'e, 'd> Renderer<'e, 'd> {
    pub(super) fn link_href(&mut self, dest: &str, wiki: bool, offset: usize) -> String {
        if wiki {
            return self.wikilink(dest, offset);
        }
        if is_external(dest) {
            return dest.to_string();
        }
        if let Some(fragment) = dest.strip_prefix('#') {
            return self.same_page_anchor(fragment, offset);
        }
        if let Some(path) = dest.strip_prefix("@/") {
            return self.content_link(path, offset);
        }
        if dest.starts_with('/') {
            self.warning(
                offset,
                format!("absolute link `{dest}` breaks when the site is opened from a file or a subpath"),
                Some("use a path relative to this page, such as `../basics/batchnorm.md`".into()),
            );
            return dest.to_string();
        }
        let (path_part, fragment) = split_fragment(dest);
        let decoded = percent_encoding::percent_decode_str(path_part)
            .decode_utf8_lossy()
            .into_owned();
        let Some(target) = self.resolve_relative(&decoded) else {
            self.error(
                offset,
                format!("link `{dest}` leaves the content folder"),
                Some("link only to pages and files inside the content folder".into()),
            );
            return dest.to_string();
        };
        if crate::fsutil::is_markdown(&target) {
            let page = self.env.index.page_at(&target);
            if page.is_none() {
                if let Some(href) = self.intro_href(&target) {
                    return href;
                }
            }
            let Some(id) = page else {
                let stem = target
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let help = self
                    .env
                    .index
                    .suggest(&stem)
                    .first()
                    .map(|s| format!("did you mean [[{s}]]?"));
                self.error(offset, format!("no page at `{}`", target.display()), help);
                return dest.to_string();
            };
            return self.page_href(id, fragment, offset);
        }
        // mdBook books link to chapters by their output name too: `cli/index.html`.
        if target.extension().is_some_and(|e| e == "html") {
            let url = target.to_string_lossy().replace('\\', "/");
            if let Some(id) = self.env.pages.iter().position(|p| p.url == url) {
                return self.page_href(id, fragment, offset);
            }
        }
        if self.env.assets.contains(&target) {
            let href = self.asset_href(&target);
            self.assets.insert(target);
            return match fragment {
                Some(f) => format!("{href}#{f}"),
                None => href,
            };
        } else {
            self.error(
                offset,
                format!("link to `{}`, which does not exist", target.display()),
                None,
            );
        }
        dest.to_string()
    }

    /// A link to a folder introduction (`_index.md`, or the top `README.md`), which has no page of
    /// its own: the site index, at the folder's category.
    pub(super) fn intro_href(&self, target: &Path) -> Option<String> {
        let name = target.file_name()?.to_string_lossy();
        let folder = target.parent().unwrap_or(Path::new(""));
        let top_readme = name.eq_ignore_ascii_case("README.md") && folder.as_os_str().is_empty();
        if name != crate::parse::CATEGORY_FILE && !top_readme {
            return None;
        }
        let key = folder
            .components()
            .map(|c| crate::slug::slugify(&c.as_os_str().to_string_lossy(), "folder"))
            .collect::<Vec<_>>()
            .join("/");
        let anchor = if key.is_empty() {
            String::new()
        } else {
            format!("#{}", crate::index::category_anchor(&key))
        };
        Some(format!("{}index.html{anchor}", self.root_prefix()))
    }

    /// Zola's `@/folder/page.md#anchor`: a page by its path from the content root.
    pub(super) fn content_link(&mut self, dest: &str, offset: usize) -> String {
        let (path, fragment) = split_fragment(dest);
        let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
        let page = self
            .env
            .pages
            .iter()
            .position(|p| p.source.rel_path == Path::new(decoded.as_ref()));
        match page {
            Some(id) => self.page_href(id, fragment, offset),
            None => {
                self.error(
                    offset,
                    format!("no page at `@/{path}`"),
                    Some(
                        "`@/` links name a file from the content folder, e.g. `@/blog/post.md`"
                            .into(),
                    ),
                );
                "#".into()
            }
        }
    }

    pub(super) fn wikilink(&mut self, dest: &str, offset: usize) -> String {
        let (name, fragment) = split_fragment(dest);
        // In a table, `[[Note\|label]]` escapes the alias bar from the table; the `\` is not the name's.
        let name = name.trim().trim_end_matches('\\');
        if name.is_empty() {
            return self.same_page_anchor(fragment.unwrap_or(""), offset);
        }
        match self.env.index.lookup(name) {
            Lookup::Found(id) => self.page_href(id, fragment, offset),
            Lookup::Ambiguous(ids) => {
                let list: Vec<String> = ids
                    .iter()
                    .map(|&i| {
                        format!(
                            "{} ({})",
                            self.env.pages[i].title,
                            self.env.pages[i].source.display_path.display()
                        )
                    })
                    .collect();
                self.error(
                    offset,
                    format!("[[{name}]] is ambiguous: it names {}", list.join(", ")),
                    Some(
                        "link with the folder path, e.g. [[folder/page]], or with the title".into(),
                    ),
                );
                "#".into()
            }
            Lookup::Missing { suggestions } => {
                // `[[paper.pdf]]`: a link to a file of the notes, found by name like an embed.
                if let Some(target) = Path::new(name)
                    .extension()
                    .and_then(|_| self.asset_by_name(name).ok())
                {
                    let href = self.asset_href(&target);
                    self.assets.insert(target);
                    return href;
                }
                let help = if suggestions.is_empty() {
                    "link to a page title, alias, or file name".to_string()
                } else {
                    format!(
                        "did you mean {}?",
                        suggestions
                            .iter()
                            .map(|s| format!("[[{s}]]"))
                            .collect::<Vec<_>>()
                            .join(" or ")
                    )
                };
                if self.env.unresolved_links_warn {
                    self.unresolved = true;
                    self.warning(
                        offset,
                        format!("no page named [[{name}]]: shown as not written yet"),
                        Some(help),
                    );
                } else {
                    self.error(offset, format!("no page named [[{name}]]"), Some(help));
                }
                "#".into()
            }
        }
    }

    pub(super) fn page_href(
        &mut self,
        id: PageId,
        fragment: Option<&str>,
        offset: usize,
    ) -> String {
        let target = &self.env.pages[id];
        if Some(id) != self.doc.page {
            self.links.insert(id);
        }
        let mut href = if Some(id) == self.doc.page {
            String::new()
        } else {
            format!("{}{}", "../".repeat(self.doc.depth), target.url)
        };
        if let Some(fragment) = fragment {
            match SiteIndex::heading_id(target, fragment) {
                Some(hid) => {
                    href.push('#');
                    href.push_str(&hid);
                }
                None => {
                    let help =
                        closest_heading(target.headings.iter().map(|h| h.text.as_str()), fragment)
                            .map(|h| format!("did you mean [[{}#{h}]]?", target.title));
                    let msg = format!("no heading `{fragment}` in {}", target.title);
                    self.error(offset, msg, help);
                }
            }
        }
        if href.is_empty() {
            href = target
                .url
                .rsplit('/')
                .next()
                .unwrap_or(&target.url)
                .to_string();
        }
        href
    }

    pub(super) fn same_page_anchor(&mut self, fragment: &str, offset: usize) -> String {
        let page = self.doc.page.map(|id| &self.env.pages[id]);
        let found = crate::index::find_anchor(
            self.doc.headings,
            page.and_then(|p| p.title_id.as_deref()),
            page.map_or(&[][..], |p| &p.block_ids),
            fragment,
        );
        match found {
            Some(id) => format!("#{id}"),
            None if fragment.starts_with("fn") || fragment.starts_with("q-") => {
                format!("#{fragment}")
            }
            None => {
                let help =
                    closest_heading(self.doc.headings.iter().map(|h| h.text.as_str()), fragment)
                        .map(|h| format!("did you mean [[#{h}]]?"));
                self.error(
                    offset,
                    format!("no heading `{fragment}` on this page"),
                    help,
                );
                format!("#{fragment}")
            }
        }
    }

    /// A relative link resolved against the document's folder; None when it leaves the content folder.
    pub(super) fn resolve_relative(&self, path: &str) -> Option<PathBuf> {
        let base = self.doc.rel_path.parent().unwrap_or(Path::new(""));
        let mut parts: Vec<String> = base
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        for comp in Path::new(path).components() {
            match comp {
                Component::ParentDir => {
                    parts.pop()?;
                }
                Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
                Component::CurDir => {}
                _ => return None,
            }
        }
        Some(parts.iter().collect())
    }
}
