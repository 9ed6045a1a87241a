//! Chinese runs in English pages marked `lang="zh"`. The theme's Latin-first font stack then sets
//! Latin punctuation (’ “ ”) narrow in English text, while `[lang|="zh"]` gives Chinese runs the
//! CJK-first stack, whose quotes are full-width as Chinese readers expect.

use std::borrow::Cow;

/// Elements whose text is left alone: code keeps its monospace font, math its own fonts.
const SKIPPED: &[(&str, &str)] = &[
    ("<pre", "</pre>"),
    ("<code", "</code>"),
    ("<script", "</script>"),
    ("<style", "</style>"),
    ("<math", "</math>"),
    ("<svg", "</svg>"),
];

/// Han, kana, Hangul, CJK punctuation and full-width forms: what a Chinese run is made of.
fn is_core(c: char) -> bool {
    crate::text::is_cjk(c) || matches!(c as u32, 0x3000..=0x303F | 0xFF00..=0xFFEF)
}

/// Curly quotes belong to the run they touch: full-width beside Chinese, narrow beside Latin.
fn is_quote(c: char) -> bool {
    matches!(c, '“' | '”' | '‘' | '’')
}

/// `html` (a rendered page body) with each Chinese run of its text wrapped in
/// `<span lang=zh>`; unchanged when it has no Chinese. Only text with Chinese is touched: the rest
/// is copied in bulk, and a skipped element (code, math) is passed over in one search for its end.
pub fn mark_chinese(html: &str) -> Cow<'_, str> {
    if !has_chinese(html) {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    // `html[..copied]` is in `out` already.
    let mut copied = 0;
    let mut at = 0;
    while at < html.len() {
        let rest = &html[at..];
        if rest.starts_with('<') {
            let end = rest.find('>').map_or(html.len(), |i| at + i + 1);
            at = match skipped_until(&html[at..end]) {
                Some(close) => html[end..].find(close).map_or(html.len(), |i| end + i),
                None => end,
            };
            continue;
        }
        let end = rest.find('<').map_or(html.len(), |i| at + i);
        let text = &html[at..end];
        if has_chinese(text) {
            out.push_str(&html[copied..at]);
            wrap_runs(text, &mut out);
            copied = end;
        }
        at = end;
    }
    out.push_str(&html[copied..]);
    Cow::Owned(out)
}

/// The closing tag that ends the element `tag` opens, when its text is left alone. A
/// self-closed tag (`<svg/>`) opens nothing.
fn skipped_until(tag: &str) -> Option<&'static str> {
    if tag.ends_with("/>") {
        return None;
    }
    let name_end = tag.find([' ', '>', '/'])?;
    SKIPPED
        .iter()
        .find(|(open, _)| open.len() == name_end && tag.starts_with(open))
        .map(|(_, close)| *close)
}

/// Whether `text` has a character of a Chinese run; ASCII, most text, is told at once.
fn has_chinese(text: &str) -> bool {
    !text.is_ascii() && text.chars().any(is_core)
}

/// Appends `text` with its runs of Chinese (and the quotes touching them) wrapped.
fn wrap_runs(text: &str, out: &mut String) {
    // Most text between tags (all of a formula's) has no Chinese.
    if !has_chinese(text) {
        out.push_str(text);
        return;
    }
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let joins = |k: usize| {
            let c = chars[k].1;
            is_core(c)
                || (is_quote(c)
                    && (k > 0 && is_core(chars[k - 1].1)
                        || k + 1 < chars.len() && is_core(chars[k + 1].1)))
        };
        if !joins(i) {
            out.push(chars[i].1);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && joins(i) {
            i += 1;
        }
        let from = chars[start].0;
        let to = chars.get(i).map_or(text.len(), |&(b, _)| b);
        out.push_str("<span lang=zh>");
        out.push_str(&text[from..to]);
        out.push_str("</span>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_runs_and_their_quotes_are_marked_code_and_math_are_not() {
        let html = "<p>The earth mover’s “WGAN” is 瓦瑟斯坦GAN, and 它的“搬运”代价。</p><pre><code>中文</code></pre><p><code>批</code> <span class=\"katex\"><math><mtext>中</mtext></math></span></p>";
        assert_eq!(
            mark_chinese(html),
            "<p>The earth mover’s “WGAN” is <span lang=zh>瓦瑟斯坦</span>GAN, and <span lang=zh>它的“搬运”代价。</span></p><pre><code>中文</code></pre><p><code>批</code> <span class=\"katex\"><math><mtext>中</mtext></math></span></p>"
        );
    }

    #[test]
    fn a_self_closed_or_unclosed_element_leaves_the_text_around_it_marked() {
        assert_eq!(
            mark_chinese("<svg/>中<code x=\"1\">码</code>文<pre>未完"),
            "<svg/><span lang=zh>中</span><code x=\"1\">码</code><span lang=zh>文</span><pre>未完"
        );
    }

    #[test]
    fn english_only_html_is_returned_as_it_is() {
        assert!(matches!(
            mark_chinese("<p>plain ’ “x”</p>"),
            Cow::Borrowed(_)
        ));
    }
}
