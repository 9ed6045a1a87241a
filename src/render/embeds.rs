//! Images and embeds: vault images by name with their size, `![[Note]]` and `![[Note#Heading]]`
//! embedded with a link to their page, and missing files shown as such, never as broken images.

use super::*;

pub(super) struct ImageCapture {
    pub(super) wiki: bool,
    pub(super) dest: String,
    pub(super) title: String,
    pub(super) offset: usize,
    /// Where the alt text events start in the output.
    pub(super) start: usize,
}

/// File types `![[file]]` shows as an image; other files are linked.
pub(super) const IMAGE_EXTENSIONS: &[&str] =
    &["png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "avif"];

/// A file that could not be shown: its label, visibly marked, instead of a broken element.
pub(super) fn missing(label: &str, dest: &str) -> String {
    let label = if label.trim().is_empty() { dest } else { label };
    format!(
        "<span class=\"missing-file\" title=\"{}\">{}</span>",
        escape(dest),
        escape(label)
    )
}

/// Obsidian's embed size: `300` (width) or `300x200`.
pub(super) fn parse_size(alt: &str) -> Option<(u32, Option<u32>)> {
    let (w, h) = match alt.split_once('x') {
        Some((w, h)) => (w, Some(h)),
        None => (alt, None),
    };
    let w = w.trim().parse().ok()?;
    match h {
        Some(h) => Some((w, Some(h.trim().parse().ok()?))),
        None => Some((w, None)),
    }
}

/// The part of a rendered page a `#Heading` or `#^block` embed shows: the heading and what
/// follows it up to the next heading of the same or a higher level, or the block's element.
pub(super) fn section_html<'h>(html: &'h str, anchor: &str) -> Option<&'h str> {
    let attr = format!(" id=\"{}\"", escape(anchor));
    let at = html.find(&attr)?;
    let start = html[..at].rfind('<')?;
    let tag: String = html[start + 1..at].to_string();
    if let Some(level) = tag.strip_prefix('h').and_then(|l| l.parse::<u8>().ok()) {
        let end = (1..=level)
            .filter_map(|l| html[at..].find(&format!("<h{l} ")).map(|i| at + i))
            .min()
            .unwrap_or(html.len());
        // A heading inside a quote, list or callout: the section ends where that container does.
        return Some(balanced_prefix(&html[start..end]));
    }
    let close = format!("</{tag}>");
    let end = html[at..]
        .find(&close)
        .map_or(html.len(), |i| at + i + close.len());
    Some(&html[start..end])
}

/// The longest start of `html` that closes no element it did not open: rendered HTML escapes
/// every `<` in text, so each one starts a tag or a comment.
fn balanced_prefix(html: &str) -> &str {
    const VOID: &[&str] = &[
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr",
    ];
    let mut depth = 0usize;
    let mut at = 0;
    while let Some(i) = html[at..].find('<') {
        let start = at + i;
        let rest = &html[start..];
        let end = if rest.starts_with("<!--") {
            rest.find("-->").map_or(html.len(), |e| start + e + 3)
        } else {
            rest.find('>').map_or(html.len(), |e| start + e + 1)
        };
        let tag = &html[start..end];
        let name: String = tag
            .trim_start_matches(['<', '/'])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if tag.starts_with("</") {
            if depth == 0 {
                return &html[..start];
            }
            depth -= 1;
        } else if !tag.starts_with("<!") && !tag.ends_with("/>") && !VOID.contains(&name.as_str()) {
            depth += 1;
        }
        at = end;
    }
    html
}

impl<'e, 'd> Renderer<'e, 'd> {
    /// Replaces an image's events by its element: an `<img>`, an embedded note, or, for a file
    /// that is missing, its alt text marked as missing (never a broken `<img>`).
    pub(super) fn end_image(&mut self) {
        let Some(img) = self.image.take() else {
            self.out.push(Event::End(TagEnd::Image));
            return;
        };
        let inner: Vec<Event<'d>> = self.out.drain(img.start..).collect();
        let alt = plain_text(&inner);
        let html = if img.wiki {
            self.wiki_embed(&img.dest, &alt, img.offset)
        } else {
            self.image_html(&img.dest, &img.title, &alt, img.offset)
        };
        self.out.push(Event::InlineHtml(html.into()));
    }

    pub(super) fn image_html(
        &mut self,
        dest: &str,
        title: &str,
        alt: &str,
        offset: usize,
    ) -> String {
        let title_attr = if title.is_empty() {
            String::new()
        } else {
            format!(" title=\"{}\"", escape(title))
        };
        if is_external(dest) || dest.starts_with('#') {
            return format!(
                "<img src=\"{}\" alt=\"{}\"{title_attr}>",
                escape(dest),
                escape(alt)
            );
        }
        match self.image_target(dest, offset) {
            Some(target) => format!(
                "<img src=\"{}\" alt=\"{}\"{title_attr}>",
                escape(&self.asset_href(&target)),
                escape(alt)
            ),
            None => missing(alt, dest),
        }
    }

    /// The content file a Markdown image names: relative to the page, else (as Obsidian and
    /// Typora resolve them) from the content root or by its unique file name. Warns when none.
    pub(super) fn image_target(&mut self, dest: &str, offset: usize) -> Option<PathBuf> {
        let (path_part, _) = split_fragment(dest);
        let decoded = percent_encoding::percent_decode_str(path_part)
            .decode_utf8_lossy()
            .into_owned();
        let relative = self.resolve_relative(&decoded);
        if let Some(target) = relative.as_ref().filter(|t| self.env.assets.contains(*t)) {
            self.assets.insert(target.clone());
            return Some(target.clone());
        }
        if !decoded.starts_with("..") {
            if let Ok(target) = self.asset_by_name(&decoded) {
                self.assets.insert(target.clone());
                return Some(target);
            }
        }
        match relative {
            Some(target) => self.warning(
                offset,
                format!("image `{}` not found", target.display()),
                Some("put the image next to the page and link it relatively".into()),
            ),
            None => self.warning(
                offset,
                format!("image `{dest}` is outside the content folder: not published"),
                Some("copy the image into the notes folder and link it relatively".into()),
            ),
        }
        None
    }

    /// A content file by its path from the content root or by its file name anywhere (Obsidian's
    /// shortest unique path). Err holds every candidate when there is not exactly one.
    pub(super) fn asset_by_name(&self, name: &str) -> Result<PathBuf, Vec<PathBuf>> {
        let wanted = Path::new(name.trim_start_matches("./").trim_start_matches('/'));
        if self.env.assets.contains(wanted) {
            return Ok(wanted.to_path_buf());
        }
        let mut found: Vec<PathBuf> = self
            .env
            .assets
            .iter()
            .filter(|a| a.ends_with(wanted))
            .cloned()
            .collect();
        found.sort();
        if found.len() == 1 {
            Ok(found.remove(0))
        } else {
            Err(found)
        }
    }

    /// A link from this document to a content file, relative to its output folder.
    pub(super) fn asset_href(&self, target: &Path) -> String {
        let path: Vec<String> = target
            .components()
            .map(|c| {
                percent_encoding::utf8_percent_encode(
                    &c.as_os_str().to_string_lossy(),
                    PATH_SEGMENT,
                )
                .to_string()
            })
            .collect();
        format!("{}{}", self.root_prefix(), path.join("/"))
    }

    /// `![[file.png|300]]`, `![[file.pdf]]`, `![[Note]]`, `![[Note#Heading]]`, `![[Note#^id]]`.
    pub(super) fn wiki_embed(&mut self, dest: &str, alt: &str, offset: usize) -> String {
        let (name, fragment) = split_fragment(dest);
        let name = name.trim().trim_end_matches('\\');
        let size = parse_size(alt);
        let file_ext = Path::new(name)
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        let note = |this: &mut Self| match this.env.index.lookup(name) {
            Lookup::Found(id) => this.embed_page(id, fragment, offset),
            _ => {
                this.wikilink(dest, offset);
                missing(name, name)
            }
        };
        if file_ext.as_deref().is_none_or(|e| e == "md") {
            return note(self);
        }
        match self.asset_by_name(name) {
            // A note whose name has a dot in it: `![[Release 1.2]]`.
            Err(candidates)
                if candidates.is_empty()
                    && matches!(self.env.index.lookup(name), Lookup::Found(_)) =>
            {
                note(self)
            }
            Ok(target) => {
                self.assets.insert(target.clone());
                let href = escape(&self.asset_href(&target));
                let label = if size.is_some() || alt.is_empty() || alt == name {
                    name.rsplit('/').next().unwrap_or(name)
                } else {
                    alt
                };
                if file_ext
                    .as_deref()
                    .is_some_and(|e| IMAGE_EXTENSIONS.contains(&e))
                {
                    let size_attrs = match size {
                        Some((w, Some(h))) => format!(" width=\"{w}\" height=\"{h}\""),
                        Some((w, None)) => format!(" width=\"{w}\""),
                        None => String::new(),
                    };
                    format!("<img src=\"{href}\" alt=\"{}\"{size_attrs}>", escape(label))
                } else {
                    format!("<a href=\"{href}\">{}</a>", escape(label))
                }
            }
            Err(candidates) if candidates.is_empty() => {
                self.warning(
                    offset,
                    format!("file `{name}` not found in the notes folder"),
                    Some(
                        "check the file name; embeds find files anywhere in the notes folder"
                            .into(),
                    ),
                );
                missing(name, name)
            }
            Err(candidates) => {
                let list: Vec<String> =
                    candidates.iter().map(|c| c.display().to_string()).collect();
                self.error(
                    offset,
                    format!("![[{name}]] is ambiguous: it names {}", list.join(", ")),
                    Some("write more of the path, e.g. ![[folder/file.png]]".into()),
                );
                missing(name, name)
            }
        }
    }

    /// Another note's rendered content in this page, with a link to it.
    pub(super) fn embed_page(
        &mut self,
        id: PageId,
        fragment: Option<&str>,
        offset: usize,
    ) -> String {
        let target = &self.env.pages[id];
        if Some(id) == self.doc.page || self.embed_stack.contains(&id) {
            let chain: Vec<&str> = self
                .embed_stack
                .iter()
                .chain(self.doc.page.iter())
                .chain([&id])
                .map(|&p| self.env.pages[p].title.as_str())
                .collect();
            self.error(
                offset,
                format!("embed cycle: {}", chain.join(" → ")),
                Some("remove one of the ![[…]] embeds".into()),
            );
            return missing(&target.title, &target.title);
        }
        let href = self.page_href(id, fragment, offset);
        let doc = Doc {
            depth: self.doc.depth,
            ..Doc::of_page(target, id)
        };
        let mut nested = Renderer::new(self.env, &doc);
        nested.embed_stack = self.embed_stack.clone();
        nested.embed_stack.extend(self.doc.page);
        let rendered = nested.run();
        // The embedded content's links are links of this page too (its HTML holds them), and a
        // change to any page embedded on the way must re-render this one.
        self.links.extend(
            rendered
                .links_out
                .iter()
                .filter(|&&p| Some(p) != self.doc.page),
        );
        self.assets.extend(rendered.assets.iter().cloned());
        if let Some(cycle) = rendered
            .diagnostics
            .iter()
            .find(|d| d.message.starts_with("embed cycle"))
        {
            let message = cycle.message.clone();
            self.error(
                offset,
                message,
                Some("remove one of the ![[…]] embeds".into()),
            );
        }
        let anchor = fragment.and_then(|f| SiteIndex::heading_id(target, f));
        let html = rendered.html.unpack();
        let body = match &anchor {
            Some(anchor) => section_html(&html, anchor).unwrap_or(&html),
            None => &html,
        };
        let in_paragraph = self
            .block_starts
            .last()
            .and_then(|&i| self.out.get(i))
            .is_some_and(|e| match e {
                Event::Start(Tag::Paragraph) => true,
                Event::Html(h) => h.starts_with("<p"),
                _ => false,
            });
        let (close, open) = if in_paragraph {
            ("</p>\n", "\n<p>")
        } else {
            ("", "")
        };
        format!(
            "{close}<div class=\"embed\">\n<p class=\"embed-title\"><a href=\"{}\">{}</a></p>\n{body}</div>{open}",
            escape(&href),
            escape(&target.title)
        )
    }
}
