//! Code highlighting with syntect at build time. Each token run becomes at most one `<span>`
//! with one short class that stands for its style in the light and in the dark theme (see
//! [`classes`]); runs of one style are merged, and plain text gets no span. The stylesheet is
//! written for exactly the classes a site uses.

mod classes;
mod contrast;

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write;
use std::sync::{LazyLock, RwLock};

use syntect::highlighting::{Color, FontStyle, Highlighter, Style, Theme, ThemeSet};
use syntect::parsing::{ParseState, Scope, ScopeStack, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

use crate::cache::{key, RenderCache};
use crate::html::escape;

use classes::Palette;
pub use classes::StyleClass;

/// Part of the cache key: bump it whenever the HTML made for the same code changes.
const OUTPUT_FORMAT: &str = "compact-4";

/// The themes used when `[highlight]` names none.
pub const DEFAULT_LIGHT: &str = "InspiredGitHub";
pub const DEFAULT_DARK: &str = "base16-ocean.dark";

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

/// The names of the themes one can pick in `[highlight]`.
pub fn theme_names() -> Vec<&'static str> {
    THEMES.themes.keys().map(String::as_str).collect()
}

/// One theme, its colours raised to AA contrast, and the palette its classes are numbered in.
struct Side {
    name: String,
    theme: Theme,
    palette: Palette,
}

impl Side {
    fn load(name: &str) -> Result<Self, String> {
        let theme = THEMES.themes.get(name).ok_or_else(|| {
            format!(
                "unknown highlight theme `{name}`; available: {}",
                theme_names().join(", ")
            )
        })?;
        let theme = contrast::readable(theme);
        Ok(Self {
            name: name.to_string(),
            palette: Palette::of(&theme),
            theme,
        })
    }
}

/// The light and the dark theme a site highlights its code with.
pub struct CodeTheme {
    light: Side,
    dark: Side,
    /// The look of every scope stack met so far. Finding it walks both themes' rules, and the
    /// same few hundred stacks recur in every block of a language: a fifth of highlighting time
    /// went there when each block found them anew.
    looks: RwLock<HashMap<Vec<Scope>, Look>>,
}

/// A highlighted block and the classes it uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Highlighted {
    pub html: String,
    pub classes: Vec<StyleClass>,
}

/// What one scope stack looks like: its class (None for plain text) and whether its style shows
/// on whitespace (a background or an underline), which decides if spaces may join a run.
#[derive(Clone, Copy)]
struct Look {
    class: Option<StyleClass>,
    shows_on_space: bool,
}

impl CodeTheme {
    /// The themes `[highlight]` names; an unknown name is an error that lists the known ones.
    pub fn new(light: &str, dark: &str) -> Result<Self, String> {
        Ok(Self {
            light: Side::load(light)?,
            dark: Side::load(dark)?,
            looks: RwLock::default(),
        })
    }

    /// The default pair, for when the configured one cannot be loaded (the error is reported).
    pub fn fallback() -> Self {
        Self::new(DEFAULT_LIGHT, DEFAULT_DARK).expect("the default themes are bundled")
    }

    /// A fenced code block as `<pre><code>` with highlight classes. An unknown or missing
    /// language gives plain escaped text.
    pub fn highlight(&self, lang: &str, code: &str, cache: &RenderCache) -> Highlighted {
        let lang_class = if lang.is_empty() {
            String::new()
        } else {
            format!(" class=\"language-{}\"", escape(lang))
        };
        let plain = || Highlighted {
            html: body_text(code),
            classes: Vec::new(),
        };
        let syntax = syntax(lang);
        let inner = match syntax {
            None => plain(),
            Some(syntax) => {
                let k = key(&[
                    "code",
                    env!("CARGO_PKG_VERSION"),
                    OUTPUT_FORMAT,
                    &self.light.name,
                    &self.dark.name,
                    &syntax.name,
                    code,
                ]);
                cache
                    .get_or_render(k, || self.render(syntax, code).map(|h| to_cache(&h)))
                    .ok()
                    .and_then(|value| from_cache(&value))
                    .unwrap_or_else(plain)
            }
        };
        let class = if syntax.is_some() {
            "code hl-code"
        } else {
            "code"
        };
        // tabindex: a code block that scrolls sideways must be reachable by keyboard.
        Highlighted {
            html: format!(
                "<pre class=\"{class}\" tabindex=\"0\"><code{lang_class}>{}</code></pre>",
                inner.html
            ),
            classes: inner.classes,
        }
    }

    fn render(&self, syntax: &SyntaxReference, code: &str) -> Result<Highlighted, syntect::Error> {
        // This block's own copy first: no lock and no shared cache line for every token.
        let mut looks: HashMap<Vec<Scope>, Look> = HashMap::new();
        let mut look = |stack: &[Scope]| -> Look {
            if let Some(look) = looks.get(stack) {
                return *look;
            }
            let look = self.look_of(stack);
            looks.insert(stack.to_vec(), look);
            look
        };
        let mut out = Runs::default();
        let mut state = ParseState::new(syntax);
        let mut stack = ScopeStack::new();
        for line in LinesWithEndings::from(code) {
            let mut at = 0;
            for (pos, op) in state.parse_line(line, &SYNTAXES)? {
                if pos > at {
                    out.push(&line[at..pos], look(stack.as_slice()));
                    at = pos;
                }
                stack.apply(&op)?;
            }
            if at < line.len() {
                out.push(&line[at..], look(stack.as_slice()));
            }
        }
        Ok(out.finish())
    }

    /// The look of `stack`, from the shared cache or worked out from both themes.
    fn look_of(&self, stack: &[Scope]) -> Look {
        let known = self
            .looks
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(stack)
            .copied();
        known.unwrap_or_else(|| {
            let look = self.look(
                Highlighter::new(&self.light.theme).style_for_stack(stack),
                Highlighter::new(&self.dark.theme).style_for_stack(stack),
            );
            self.looks
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .insert(stack.to_vec(), look);
            look
        })
    }

    fn look(&self, light: Style, dark: Style) -> Look {
        let class = StyleClass {
            light: self.light.palette.number(light),
            dark: self.dark.palette.number(dark),
        };
        let shows = |side: &Side, s: Style| {
            s.background != side.palette.default_background()
                || s.font_style.contains(FontStyle::UNDERLINE)
        };
        Look {
            class: (class.light != 0 || class.dark != 0).then_some(class),
            shows_on_space: shows(&self.light, light) || shows(&self.dark, dark),
        }
    }

    /// One stylesheet: the light theme by default, the dark one under `prefers-color-scheme:
    /// dark` (unless the reader chose light) and under `data-theme="dark"`. The two sets of rules
    /// never apply at once, so a more specific rule of one theme cannot leak into the other.
    /// It styles exactly the classes in `used`.
    pub fn stylesheet<'a>(&self, used: impl IntoIterator<Item = &'a StyleClass>) -> String {
        let used: BTreeSet<StyleClass> = used.into_iter().copied().collect();
        let rules = |side: &Side, scope: &str, pick: fn(StyleClass) -> u32| {
            let p = &side.palette;
            let mut css = format!(
                "{scope} .hl-code{{color:{};background-color:{}}}\n",
                css_colour(p.default_foreground()),
                css_colour(p.default_background())
            );
            for class in &used {
                let Some(style) = p.style(pick(*class)) else {
                    continue;
                };
                let decls = declarations(style, p);
                if !decls.is_empty() {
                    let _ = writeln!(css, "{scope} .hl-code .{}{{{decls}}}", class.name());
                }
            }
            css
        };
        let (light, dark) = (&self.light, &self.dark);
        format!(
            "/* Code highlighting: {} (light), {} (dark). Generated by studybook. */\n.hl-code i{{font-style:normal}}\n{}@media not (prefers-color-scheme: dark) {{\n{}}}\n{}@media (prefers-color-scheme: dark) {{\n{}}}\n",
            light.name,
            dark.name,
            rules(light, ":root[data-theme=\"light\"]", |c| c.light),
            rules(light, ":root:not([data-theme=\"dark\"])", |c| c.light),
            rules(dark, ":root[data-theme=\"dark\"]", |c| c.dark),
            rules(dark, ":root:not([data-theme=\"light\"])", |c| c.dark),
        )
    }
}

/// What a style changes from the theme's plain text, as CSS declarations.
fn declarations(style: Style, palette: &Palette) -> String {
    let mut decls = Vec::new();
    if style.foreground != palette.default_foreground() {
        decls.push(format!("color:{}", css_colour(style.foreground)));
    }
    if style.background != palette.default_background() {
        decls.push(format!("background-color:{}", css_colour(style.background)));
    }
    for (flag, decl) in [
        (FontStyle::BOLD, "font-weight:bold"),
        (FontStyle::ITALIC, "font-style:italic"),
        (FontStyle::UNDERLINE, "text-decoration:underline"),
    ] {
        if style.font_style.contains(flag) {
            decls.push(decl.to_string());
        }
    }
    decls.join(";")
}

fn css_colour(c: Color) -> String {
    if c.a == 0xFF {
        format!("#{:02x}{:02x}{:02x}", c.r, c.g, c.b)
    } else {
        format!("#{:02x}{:02x}{:02x}{:02x}", c.r, c.g, c.b, c.a)
    }
}

/// Code as HTML text: inside an element only `<` and `&` need escaping, so `>` and quotes,
/// common in code, stay one byte.
fn body_text(code: &str) -> String {
    let mut out = String::with_capacity(code.len() + code.len() / 8);
    let mut rest = code;
    while let Some(i) = rest.find(['<', '&']) {
        out.push_str(&rest[..i]);
        out.push_str(if rest.as_bytes()[i] == b'<' {
            "&lt;"
        } else {
            "&amp;"
        });
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
    out
}

/// Builds the HTML of a block from token runs: one `<i>` per run of one class (the shortest
/// element: `<i class=xx>` and `</i>` are 16 bytes where a span takes 22; the stylesheet sets
/// them upright), whitespace
/// folded into the run around it when no background or underline would show on it.
#[derive(Default)]
struct Runs {
    html: String,
    open: Option<StyleClass>,
    /// Whitespace waiting to see whether the next run continues the open span.
    pending: String,
    classes: BTreeSet<StyleClass>,
}

impl Runs {
    fn push(&mut self, text: &str, look: Look) {
        if !look.shows_on_space && text.chars().all(char::is_whitespace) {
            self.pending.push_str(text);
            return;
        }
        // Spaces join the open span only if its style does not show on them.
        if look.class != self.open || (look.shows_on_space && !self.pending.is_empty()) {
            self.close();
            self.flush_pending();
            if let Some(class) = look.class {
                self.classes.insert(class);
                let _ = write!(self.html, "<i class={}>", class.name());
                self.open = Some(class);
            }
        }
        self.flush_pending();
        self.html.push_str(&body_text(text));
    }

    fn flush_pending(&mut self) {
        if !self.pending.is_empty() {
            self.html.push_str(&body_text(&self.pending));
            self.pending.clear();
        }
    }

    fn close(&mut self) {
        if self.open.take().is_some() {
            self.html.push_str("</i>");
        }
    }

    fn finish(mut self) -> Highlighted {
        self.close();
        self.flush_pending();
        Highlighted {
            html: self.html,
            classes: self.classes.into_iter().collect(),
        }
    }
}

/// The cache keeps a block as its class names on the first line, then its HTML.
fn to_cache(h: &Highlighted) -> String {
    let names: Vec<String> = h.classes.iter().map(|c| c.name()).collect();
    format!("{}\n{}", names.join(" "), h.html)
}

fn from_cache(value: &str) -> Option<Highlighted> {
    let (names, html) = value.split_once('\n')?;
    let classes = names
        .split(' ')
        .filter(|n| !n.is_empty())
        .map(StyleClass::parse)
        .collect::<Option<Vec<_>>>()?;
    Some(Highlighted {
        html: html.to_string(),
        classes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn theme() -> CodeTheme {
        CodeTheme::new(DEFAULT_LIGHT, DEFAULT_DARK).unwrap()
    }

    #[test]
    fn shared_looks_give_each_block_what_a_fresh_theme_gives() {
        let rust = "pub fn f(x: &str) -> u8 { /* c */ x.len() as u8 }\n";
        let python = "def f(x):\n    return x  # c\n";
        let seasoned = theme();
        let cache = RenderCache::in_memory();
        seasoned.highlight("python", python, &cache);
        seasoned.highlight("rust", "let s = \"q\";\n", &cache);
        let fresh = theme();
        assert_eq!(
            seasoned.highlight("rust", rust, &cache),
            fresh.highlight("rust", rust, &RenderCache::in_memory())
        );
    }

    /// The spans of `html` as (class, text) pairs, checking they are never nested.
    fn spans(html: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut rest = html;
        while let Some(at) = rest.find("<i class=") {
            let after = &rest[at + "<i class=".len()..];
            let (name, after) = after.split_once('>').unwrap();
            let (text, after) = after.split_once("</i>").unwrap();
            assert!(!text.contains("<i "), "nested run in {html}");
            out.push((name.to_string(), text.to_string()));
            rest = after;
        }
        out
    }

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
        let h = theme().highlight("python", "def f(x):\n    return x < 1\n", &cache);
        assert!(
            h.html.starts_with(
                "<pre class=\"code hl-code\" tabindex=\"0\"><code class=\"language-python\">"
            ),
            "{}",
            h.html
        );
        assert!(h.html.contains("<i class="), "{}", h.html);
        assert!(h.html.contains("&lt;"));
        let plain = theme().highlight("klingon", "a < \"b\"", &cache);
        assert_eq!(
            plain.html,
            "<pre class=\"code\" tabindex=\"0\"><code class=\"language-klingon\">a &lt; \"b\"</code></pre>"
        );
        assert!(plain.classes.is_empty());
    }

    #[test]
    fn one_short_class_per_run_and_plain_text_bare() {
        let cache = RenderCache::in_memory();
        let code = "import numpy as np\n\ndef f(x, alpha=2.0):\n    \"\"\"Doc.\"\"\"\n    # one\n    # two\n    out = np.maximum(x, 0.0) * 3\n    return out\n";
        let h = theme().highlight("python", code, &cache);
        let spans = spans(&h.html);
        assert!(!spans.is_empty());
        for (name, _) in &spans {
            assert!(StyleClass::parse(name).is_some(), "{name}");
            assert!(name.len() <= 8, "{name}");
        }
        // No two neighbouring spans of one class: runs of one style are one span, and spaces
        // between them join it.
        let html = h.html.replace([' ', '\n'], "");
        for (name, _) in &spans {
            assert!(
                !html.contains(&format!("</i><i class={name}>")),
                "{}",
                h.html
            );
        }
        let comments: Vec<_> = spans.iter().filter(|(_, t)| t.contains("# one")).collect();
        assert!(comments[0].1.contains("# two"), "{}", h.html);
        // Plain names have no span; the text reads back whole.
        assert!(!spans.iter().any(|(_, t)| t.trim() == "out"), "{}", h.html);
        let text: String = {
            let mut t = h.html.clone();
            while let Some(a) = t.find('<') {
                let b = a + t[a..].find('>').unwrap();
                t.replace_range(a..=b, "");
            }
            t
        };
        assert_eq!(
            text.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&"),
            code
        );
    }

    /// Blocks like the benchmark corpus's (its generator's templates). Nested scope spans made
    /// about 20 times the code; one `<i>` per run makes under 3 times: a styled token costs 16
    /// bytes of `<i class=xx>` and `</i>`, and these blocks style about one token in three.
    #[test]
    fn html_stays_under_three_times_the_source() {
        let cache = RenderCache::in_memory();
        let blocks = [
            ("python", "import numpy as np\n\ndef softmax_k3(x, alpha=4.0):\n    \"\"\"Compute loss gradient for a batch.\"\"\"\n    out = np.asarray(x, dtype=np.float32)\n    h12 = np.maximum(z3, 0.0) * 17\n    if acc5.mean() > 9:\n        acc5 = acc5 - acc5.mean()\n    probs2 = np.exp(y4 - y4.max())\n    for i in range(12):\n        feat9[i % len(feat9)] += 0.7 * i\n    # model layer loss\n    score1 = grad3 @ grad3.T\n    return out\n"),
            ("rust", "use std::collections::HashMap;\n\n/// Compute loss batch.\npub fn attention_m2(xs: &[f32], alpha: f32, mean: f32, var: f32) -> Vec<f32> {\n    let mut out = Vec::with_capacity(xs.len());\n    let mut acc = 0.0f32;\n    let mut counts: HashMap<usize, usize> = HashMap::new();\n    for (i, &x) in xs.iter().enumerate() {\n        let h3 = x * alpha + 12.0;\n        acc += (z7 - mean).powi(2);\n        if y2 > 33.0 { out.push(y2); }\n        counts.entry(i % 5).and_modify(|c| *c += 1).or_insert(1);\n    }\n    out.push(acc / xs.len().max(1) as f32);\n    out\n}\n"),
            ("cpp", "#include <algorithm>\n#include <cmath>\n#include <vector>\n\ntemplate <typename T>\nstd::vector<T> iou_x7(const std::vector<T>& xs, T alpha, T mean, T var) {\n    std::vector<T> out;\n    T acc = 0;\n    for (std::size_t i = 0; i < xs.size(); ++i) {\n        T acc94 = xs[i] * alpha + static_cast<T>(45);\n        // proposal sample query\n        T h83 = (xs[i] - mean) / std::sqrt(var + 1e-7);\n        acc += std::pow(h83 - mean, 2);\n    }\n    out.push_back(acc);\n    return out;\n}\n"),
        ];
        let (mut html, mut source) = (0, 0);
        for (lang, code) in blocks {
            let h = theme().highlight(lang, code, &cache);
            html += h.html.len();
            source += code.len();
        }
        assert!(
            html <= 3 * source,
            "{html} bytes of HTML for {source} of code"
        );
    }

    #[test]
    fn spaces_stay_out_of_underlined_or_shaded_runs() {
        let class = Some(StyleClass { light: 1, dark: 1 });
        let plain = Look {
            class: None,
            shows_on_space: false,
        };
        for (shows, html) in [
            (false, "<i class=bb>a b</i>"),
            (true, "<i class=bb>a</i> <i class=bb>b</i>"),
        ] {
            let look = Look {
                class,
                shows_on_space: shows,
            };
            let mut runs = Runs::default();
            runs.push("a", look);
            runs.push(" ", plain);
            runs.push("b", look);
            assert_eq!(runs.finish().html, html);
        }
    }

    #[test]
    fn cache_keeps_the_compact_html_and_its_classes() {
        let cache = RenderCache::in_memory();
        let code = "fn main() { let x = \"s\"; }\n";
        let first = theme().highlight("rust", code, &cache);
        let again = theme().highlight("rust", code, &cache);
        assert_eq!(cache.hits.load(std::sync::atomic::Ordering::Relaxed), 1);
        assert_eq!(first, again);
        assert!(!first.classes.is_empty());
    }

    #[test]
    fn stylesheet_styles_exactly_the_used_classes_in_both_themes() {
        let cache = RenderCache::in_memory();
        let t = theme();
        let h = t.highlight("python", "def f(x):\n    return \"s\"  # note\n", &cache);
        let css = t.stylesheet(&h.classes);
        assert!(
            css.contains(":root[data-theme=\"light\"] .hl-code{"),
            "{css}"
        );
        assert!(css.contains(
            "@media not (prefers-color-scheme: dark) {\n:root:not([data-theme=\"dark\"]) .hl-code"
        ));
        assert!(css.contains(
            "@media (prefers-color-scheme: dark) {\n:root:not([data-theme=\"light\"]) .hl-code"
        ));
        assert!(css.contains(":root[data-theme=\"dark\"] .hl-code ."));
        let used: BTreeSet<String> = spans(&h.html).into_iter().map(|(n, _)| n).collect();
        let styled: BTreeSet<String> = css
            .lines()
            .filter_map(|l| l.split(" .hl-code .").nth(1))
            .map(|r| r.split('{').next().unwrap().to_string())
            .collect();
        assert_eq!(used, styled, "{css}");
        assert!(CodeTheme::new("nope", DEFAULT_DARK)
            .err()
            .unwrap()
            .contains("available"));
    }

    #[test]
    fn classes_carry_the_readable_theme_colours() {
        let t = theme();
        let light = Highlighter::new(&t.light.theme);
        let raw = Highlighter::new(&THEMES.themes[DEFAULT_LIGHT]);
        // A comment: InspiredGitHub's grey is below AA on white and is darkened.
        let stack = [
            Scope::new("source.python").unwrap(),
            Scope::new("comment.line.number-sign.python").unwrap(),
        ];
        let fixed = light.style_for_stack(&stack);
        assert_ne!(fixed.foreground, raw.style_for_stack(&stack).foreground);
        let class = t.look(fixed, fixed).class.unwrap();
        let css = t.stylesheet([&class]);
        assert!(css.contains(&css_colour(fixed.foreground)), "{css}");
    }
}
