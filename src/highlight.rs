//! Code highlighting with syntect at build time: CSS classes in the HTML, one stylesheet with a
//! light and a dark theme.

use std::collections::HashSet;
use std::sync::LazyLock;

use syntect::highlighting::{Color, Theme, ThemeSet};
use syntect::html::{css_for_theme_with_class_style, ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

use crate::cache::{key, RenderCache};
use crate::html::escape;

/// Part of the cache key: bump it whenever the HTML made for the same code changes.
const OUTPUT_FORMAT: &str = "pruned-1";

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// syntect's defaults plus bat's extra grammars (TOML, CUDA, Dockerfile…), loaded once from binary dumps.
static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(two_face::syntax::extra_newlines);
static THEMES: LazyLock<ThemeSet> = LazyLock::new(ThemeSet::load_defaults);

/// Names people write after the fence that the grammars know under another token.
fn canonical(lang: &str) -> &str {
    match lang {
        "py" | "python3" | "numpy" => "python",
        "c++" | "cc" | "hpp" | "cxx" => "cpp",
        "sh" | "shell" | "zsh" | "console" => "bash",
        "yml" => "yaml",
        "cu" | "cuda" => "cuda",
        "rs" => "rust",
        "js" => "javascript",
        "ts" => "typescript",
        other => other,
    }
}

fn syntax(lang: &str) -> Option<&'static SyntaxReference> {
    let lang = canonical(lang);
    SYNTAXES.find_syntax_by_token(lang).or_else(|| {
        // CUDA is C++ with a few keywords; a C++ grammar reads it well when no CUDA grammar is present.
        (lang == "cuda")
            .then(|| SYNTAXES.find_syntax_by_token("cpp"))
            .flatten()
    })
}

/// A fenced code block as `<pre><code>` with highlight classes. An unknown or missing language
/// gives plain escaped text.
pub fn highlight(lang: &str, code: &str, cache: &RenderCache) -> String {
    let lang_class = if lang.is_empty() {
        String::new()
    } else {
        format!(" class=\"language-{}\"", escape(lang))
    };
    let Some(syntax) = syntax(lang) else {
        return format!(
            "<pre class=\"code\" tabindex=\"0\"><code{lang_class}>{}</code></pre>",
            escape(code)
        );
    };
    let k = key(&[
        "code",
        env!("CARGO_PKG_VERSION"),
        OUTPUT_FORMAT,
        &syntax.name,
        code,
    ]);
    let inner = cache
        .get_or_render(k, || {
            let mut gen =
                ClassedHTMLGenerator::new_with_class_style(syntax, &SYNTAXES, CLASS_STYLE);
            for line in LinesWithEndings::from(code) {
                gen.parse_html_for_line_which_includes_newline(line)?;
            }
            Ok::<_, syntect::Error>(prune(&gen.finalize()))
        })
        .unwrap_or_else(|_| escape(code));
    // tabindex: a code block that scrolls sideways must be reachable by keyboard.
    format!("<pre class=\"code hl-code\" tabindex=\"0\"><code{lang_class}>{inner}</code></pre>")
}

/// Every class that some bundled theme styles. syntect marks every scope, most of which no theme
/// colours (`meta.generic-name`, …); spans made only of those are dropped, which shrinks
/// highlighted code to about half without changing how it looks in any theme.
static STYLED_CLASSES: LazyLock<HashSet<String>> = LazyLock::new(|| {
    let mut classes = HashSet::new();
    for theme in THEMES.themes.values() {
        if let Ok(css) = css_for_theme_with_class_style(theme, CLASS_STYLE) {
            let selectors = css
                .split('{')
                .map(|chunk| chunk.rsplit('}').next().unwrap_or(""));
            for sel in selectors {
                for word in sel.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_')) {
                    if word.starts_with("hl-") {
                        classes.insert(word.to_string());
                    }
                }
            }
        }
    }
    classes
});

/// Removes classes no theme styles from syntect's spans, and spans left with no class.
fn prune(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut kept = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if let Some(after) = rest.strip_prefix("<span class=\"") {
            let end = after.find("\">").unwrap_or(after.len());
            let classes: Vec<&str> = after[..end]
                .split(' ')
                .filter(|c| STYLED_CLASSES.contains(*c))
                .collect();
            kept.push(!classes.is_empty());
            if !classes.is_empty() {
                out.push_str("<span class=\"");
                out.push_str(&classes.join(" "));
                out.push_str("\">");
            }
            rest = &after[(end + 2).min(after.len())..];
        } else if let Some(after) = rest.strip_prefix("</span>") {
            if kept.pop().unwrap_or(true) {
                out.push_str("</span>");
            }
            rest = after;
        } else {
            out.push('<');
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    out
}

/// The names of the themes one can pick in `[highlight]`.
pub fn theme_names() -> Vec<&'static str> {
    THEMES.themes.keys().map(String::as_str).collect()
}

/// One stylesheet: the light theme by default, the dark one under `prefers-color-scheme: dark`
/// (unless the reader chose light) and under `data-theme="dark"`. The two sets of rules never
/// apply at once, so a more specific rule of one theme cannot leak into the other.
pub fn stylesheet(light: &str, dark: &str) -> Result<String, String> {
    let theme_css = |name: &str| -> Result<String, String> {
        let theme = THEMES.themes.get(name).ok_or_else(|| {
            format!(
                "unknown highlight theme `{name}`; available: {}",
                theme_names().join(", ")
            )
        })?;
        css_for_theme_with_class_style(&readable(theme), CLASS_STYLE).map_err(|e| e.to_string())
    };
    let light_css = theme_css(light)?;
    let dark_css = theme_css(dark)?;
    Ok(format!(
        "/* Code highlighting: {light} (light), {dark} (dark). Generated by studybook. */\n{}\n@media not (prefers-color-scheme: dark) {{\n{}}}\n{}\n@media (prefers-color-scheme: dark) {{\n{}}}\n",
        scope(&light_css, ":root[data-theme=\"light\"]"),
        scope(&light_css, ":root:not([data-theme=\"dark\"])"),
        scope(&dark_css, ":root[data-theme=\"dark\"]"),
        scope(&dark_css, ":root:not([data-theme=\"light\"])"),
    ))
}

/// WCAG AA asks for a contrast of 4.5:1 for text.
const MIN_CONTRAST: f64 = 4.5;

/// A copy of the theme whose text colours all reach AA contrast against its background: colours
/// that fall short are moved towards black (light themes) or white (dark themes) until they do.
fn readable(theme: &Theme) -> Theme {
    let mut theme = theme.clone();
    let bg = theme.settings.background.unwrap_or(Color::WHITE);
    if let Some(fg) = theme.settings.foreground.as_mut() {
        *fg = with_contrast(*fg, bg);
    }
    for item in &mut theme.scopes {
        // A scope may paint its own background (and text on it may inherit the theme's colour).
        let own_bg = item.style.background.unwrap_or(bg);
        let fg = item.style.foreground.or(theme.settings.foreground);
        if let Some(fg) = fg {
            let fixed = with_contrast(fg, own_bg);
            if fixed != fg || item.style.foreground.is_some() {
                item.style.foreground = Some(fixed);
            }
        }
    }
    theme
}

fn luminance(c: Color) -> f64 {
    let channel = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v <= 0.03928 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b)
}

fn contrast(a: Color, b: Color) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The colour nearest to `fg` (in 5% steps towards black or white, away from the background
/// first) that reaches the minimum contrast on `bg`; on a mid-tone background where neither
/// gets there, black or white, whichever contrasts more.
fn with_contrast(fg: Color, bg: Color) -> Color {
    if contrast(fg, bg) >= MIN_CONTRAST {
        return fg;
    }
    let grey = |v: u8| Color {
        r: v,
        g: v,
        b: v,
        a: fg.a,
    };
    let towards = |target: u8| {
        (1..=20).find_map(|step| {
            let t = f64::from(step) / 20.0;
            let mix = |v: u8| (f64::from(v) * (1.0 - t) + f64::from(target) * t).round() as u8;
            let c = Color {
                r: mix(fg.r),
                g: mix(fg.g),
                b: mix(fg.b),
                a: fg.a,
            };
            (contrast(c, bg) >= MIN_CONTRAST).then_some(c)
        })
    };
    let (first, second) = if contrast(grey(0), bg) >= contrast(grey(255), bg) {
        (0, 255)
    } else {
        (255, 0)
    };
    towards(first)
        .or_else(|| towards(second))
        .unwrap_or(grey(first))
}

/// Prefixes every selector of a flat stylesheet (no nested blocks) with `scope`.
fn scope(css: &str, scope: &str) -> String {
    let mut out = String::with_capacity(css.len() * 2);
    let mut rest = css;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        let selectors = strip_comments(&rest[..open]);
        let scoped: Vec<String> = selectors
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| format!("{scope} {s}"))
            .collect();
        if !scoped.is_empty() {
            out.push_str(&scoped.join(", "));
            out.push_str(&rest[open..=close]);
            out.push('\n');
        }
        rest = &rest[close + 1..];
    }
    out
}

fn strip_comments(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        rest = rest[start..]
            .find("*/")
            .map_or("", |end| &rest[start + end + 2..]);
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_ml_notes_need() {
        for lang in [
            "python", "cpp", "rust", "bash", "yaml", "json", "toml", "cuda", "py", "sh",
        ] {
            assert!(syntax(lang).is_some(), "{lang}");
        }
    }

    #[test]
    fn highlights_with_classes_and_escapes_unknown() {
        let cache = RenderCache::in_memory();
        let html = highlight("python", "def f(x):\n    return x < 1\n", &cache);
        assert!(html.contains("<span class=\"hl-"), "{html}");
        assert!(html.contains("&lt;"));
        let plain = highlight("klingon", "a < b", &cache);
        assert_eq!(
            plain,
            "<pre class=\"code\" tabindex=\"0\"><code class=\"language-klingon\">a &lt; b</code></pre>"
        );
    }

    #[test]
    fn stylesheet_has_both_themes() {
        let css = stylesheet("InspiredGitHub", "base16-ocean.dark").unwrap();
        assert!(
            css.contains(":root[data-theme=\"light\"] .hl-code"),
            "{}",
            &css[..300]
        );
        assert!(css.contains(
            "@media not (prefers-color-scheme: dark) {\n:root:not([data-theme=\"dark\"]) .hl-"
        ));
        assert!(css.contains(
            "@media (prefers-color-scheme: dark) {\n:root:not([data-theme=\"light\"]) .hl-"
        ));
        assert!(css.contains(":root[data-theme=\"dark\"] .hl-"));
        assert!(stylesheet("nope", "base16-ocean.dark")
            .unwrap_err()
            .contains("available"));
    }

    #[test]
    fn prune_drops_unstyled_spans_and_keeps_text() {
        let styled = STYLED_CLASSES.iter().next().unwrap().clone();
        let html = format!(
            "<span class=\"hl-nothing-styles-this\"><span class=\"{styled} hl-zzz\">a &lt; b</span> c</span>"
        );
        assert_eq!(
            prune(&html),
            format!("<span class=\"{styled}\">a &lt; b</span> c")
        );
        let cache = RenderCache::in_memory();
        let full = highlight("python", "def f(x):\n    return x  # note\n", &cache);
        assert!(full.contains("hl-comment"), "{full}");
        assert!(!full.contains("hl-generic-name"), "{full}");
    }

    #[test]
    fn every_theme_colour_reaches_aa_contrast() {
        for name in ["InspiredGitHub", "base16-ocean.dark", "Solarized (light)"] {
            let theme = readable(&THEMES.themes[name]);
            for item in &theme.scopes {
                let bg = item.style.background.or(theme.settings.background).unwrap();
                if let Some(fg) = item.style.foreground {
                    let possible = contrast(Color::BLACK, bg)
                        .max(contrast(Color::WHITE, bg))
                        .min(MIN_CONTRAST);
                    assert!(
                        contrast(fg, bg) >= possible - 1e-9,
                        "{name}: {fg:?} on {bg:?}"
                    );
                }
            }
        }
        let grey = Color {
            r: 0x96,
            g: 0x98,
            b: 0x96,
            a: 0xff,
        };
        assert!(
            contrast(grey, Color::WHITE) < MIN_CONTRAST,
            "the fix is needed"
        );
    }

    #[test]
    fn scope_prefixes_each_selector() {
        assert_eq!(
            scope("/* c */ .a, .b { color: red; }", ":root"),
            ":root .a, :root .b{ color: red; }\n"
        );
    }
}
