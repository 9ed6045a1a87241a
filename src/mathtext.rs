//! Formulas as readable plain text, for places that show text rather than HTML: search snippets,
//! the search index, page titles in the sidebar and other lists. Read from the MathML that KaTeX
//! writes beside its HTML, so `\lvert\theta\rvert \le \sum_i x_i` becomes `|θ| ≤ ∑_i x_i`:
//! Unicode symbols instead of TeX commands, `_` and `^` for sub- and superscripts.

/// A node of KaTeX's MathML: an element with children, or text.
#[derive(Debug)]
enum Node {
    Element {
        name: String,
        /// `accent="true"`: a hat or bar over its base.
        accent: bool,
        /// `mathvariant="double-struck"`: ℝ, 𝔼.
        double_struck: bool,
        children: Vec<Node>,
    },
    Text(String),
}

/// The readable text of the formula in `katex_html` (KaTeX's output for one formula), or None
/// when it holds no MathML.
pub fn readable(katex_html: &str) -> Option<String> {
    let start = katex_html.find("<math")?;
    let end = katex_html[start..].find("</math>")? + start + "</math>".len();
    let tree = parse(&katex_html[start..end]);
    let mut out = String::new();
    for node in &tree {
        write(node, &mut out);
    }
    Some(tidy(&out))
}

/// Parses the MathML subset KaTeX writes (no comments, no CDATA; attribute values quoted or,
/// after the math module's compaction, bare).
fn parse(xml: &str) -> Vec<Node> {
    let mut stack: Vec<(String, bool, bool, Vec<Node>)> =
        vec![(String::new(), false, false, Vec::new())];
    let mut rest = xml;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('<') {
            let Some(gt) = after.find('>') else { break };
            let tag = &after[..gt];
            rest = &after[gt + 1..];
            if let Some(name) = tag.strip_prefix('/') {
                if stack.len() > 1 && stack.last().is_some_and(|(n, ..)| n == name.trim()) {
                    close(&mut stack);
                }
                continue;
            }
            let self_closing = tag.ends_with('/');
            let tag = tag.trim_end_matches('/');
            let name = tag.split_whitespace().next().unwrap_or("").to_string();
            let accent = has_attribute(tag, "accent", "true");
            let double_struck = has_attribute(tag, "mathvariant", "double-struck");
            stack.push((name, accent, double_struck, Vec::new()));
            if self_closing {
                close(&mut stack);
            }
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            let text = unescape(&rest[..end]);
            rest = &rest[end..];
            stack.last_mut().expect("the root").3.push(Node::Text(text));
        }
    }
    while stack.len() > 1 {
        close(&mut stack);
    }
    stack.pop().map(|(.., c)| c).unwrap_or_default()
}

/// Whether the start tag's text (`mover accent=true`) sets `name` to `value`.
fn has_attribute(tag: &str, name: &str, value: &str) -> bool {
    tag.split_whitespace().any(|a| {
        a.strip_prefix(name)
            .and_then(|v| v.strip_prefix('='))
            .is_some_and(|v| v.trim_matches('"') == value)
    })
}

/// An element being parsed: name, accent, double-struck, children so far.
type Open = (String, bool, bool, Vec<Node>);

/// Ends the innermost open element, adding it to its parent.
fn close(stack: &mut Vec<Open>) {
    let (name, accent, double_struck, children) = stack.pop().expect("an open element");
    stack.last_mut().expect("the root").3.push(Node::Element {
        name,
        accent,
        double_struck,
        children,
    });
}

/// A letter in its double-struck form: the common ones have their own code points.
fn double_struck(c: char) -> char {
    match c {
        'C' => 'ℂ',
        'H' => 'ℍ',
        'N' => 'ℕ',
        'P' => 'ℙ',
        'Q' => 'ℚ',
        'R' => 'ℝ',
        'Z' => 'ℤ',
        'A'..='Z' => char::from_u32(0x1D538 + (c as u32 - 'A' as u32)).unwrap_or(c),
        'a'..='z' => char::from_u32(0x1D552 + (c as u32 - 'a' as u32)).unwrap_or(c),
        '0'..='9' => char::from_u32(0x1D7D8 + (c as u32 - '0' as u32)).unwrap_or(c),
        _ => c,
    }
}

fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let Some(semi) = after.find(';').filter(|&n| n <= 10) else {
            out.push('&');
            rest = after;
            continue;
        };
        let entity = &after[..semi];
        let c = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            _ => entity
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &after[semi + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Operators read with a space on each side: relations, arrows and binary operators.
fn spaced(op: &str) -> bool {
    matches!(
        op,
        "=" | "≠"
            | "<"
            | ">"
            | "≤"
            | "≥"
            | "≈"
            | "≡"
            | "∼"
            | "≃"
            | "≅"
            | "∝"
            | "∈"
            | "∉"
            | "⊂"
            | "⊆"
            | "⊃"
            | "⊇"
            | "→"
            | "←"
            | "↦"
            | "⇒"
            | "⇐"
            | "⟹"
            | "⟸"
            | "⇔"
            | "⟺"
            | "+"
            | "−"
            | "-"
            | "±"
            | "∓"
            | "×"
            | "⋅"
            | "·"
            | "∘"
            | "⊙"
            | "⊗"
            | "⊕"
            | "∪"
            | "∩"
            | "∧"
            | "∨"
            | ":="
            | "≔"
    )
}

fn text_of(nodes: &[Node]) -> String {
    let mut out = String::new();
    for n in nodes {
        write(n, &mut out);
    }
    out
}

/// A sub- or superscript, an operand of `/`: in parentheses when it is more than one word.
fn operand(node: &Node) -> String {
    let s = tidy(&text_of(std::slice::from_ref(node)));
    let simple = s
        .chars()
        .all(|c| c.is_alphanumeric() || c == '\'' || c == '′')
        || (s.starts_with('(') && s.ends_with(')'))
        || (s.starts_with("√(") && s.ends_with(')'))
        || (s.starts_with('{') && s.ends_with('}'));
    if simple {
        s
    } else {
        format!("({s})")
    }
}

/// A combining mark for an accent KaTeX writes as `<mover accent="true">`.
fn combining(accent: &str) -> Option<char> {
    Some(match accent {
        "^" | "ˆ" => '\u{302}',
        "~" | "˜" => '\u{303}',
        "‾" | "¯" | "ˉ" | "_" => '\u{304}',
        "˙" | "." => '\u{307}',
        "¨" => '\u{308}',
        "→" | "⃗" => '\u{20D7}',
        _ => return None,
    })
}

/// The base of a sub- or superscript, without the trailing space of `\max` or `\log`
/// (KaTeX's function application sign), so the script stays attached: `max_x`.
fn base(node: &Node, out: &mut String) {
    let mut s = String::new();
    write(node, &mut s);
    out.push_str(s.trim_end_matches(|c: char| c.is_whitespace() || c == '\u{2061}'));
}

/// A space after `∑_i`, `max_x` and the like, so the operand that follows reads apart.
fn after_operator(name: &str, base: &Node, out: &mut String) {
    // `\sum` is an `mo`; `\max` a name followed by the function application sign.
    let operator = matches!(base, Node::Element { name, .. } if name == "mo")
        || text_of(std::slice::from_ref(base)).ends_with('\u{2061}');
    if operator || name.starts_with("munder") {
        out.push(' ');
    }
}

fn write(node: &Node, out: &mut String) {
    let (name, accent, children) = match node {
        Node::Text(t) => {
            out.push_str(t);
            return;
        }
        Node::Element {
            double_struck: true,
            children,
            ..
        } => {
            out.extend(text_of(children).chars().map(double_struck));
            return;
        }
        Node::Element {
            name,
            accent,
            children,
            ..
        } => (name.as_str(), *accent, children),
    };
    let elements: Vec<&Node> = children
        .iter()
        .filter(|c| matches!(c, Node::Element { .. }))
        .collect();
    match name {
        "annotation" | "annotation-xml" | "mphantom" => {}
        "mo" => {
            let op = text_of(children);
            let op = op.trim();
            if spaced(op) {
                out.push(' ');
                out.push_str(op);
                out.push(' ');
            } else if op == "," || op == ";" {
                out.push_str(op);
                out.push(' ');
            } else {
                out.push_str(op);
            }
        }
        "mspace" => out.push(' '),
        "mtext" => out.push_str(&text_of(children).replace('\u{a0}', " ")),
        "msub" | "munder" if elements.len() == 2 => {
            base(elements[0], out);
            out.push('_');
            out.push_str(&operand(elements[1]));
            after_operator(name, elements[0], out);
        }
        "msup" if elements.len() == 2 => {
            base(elements[0], out);
            let sup = operand(elements[1]);
            // Primes and stars read as they are: f′, x*.
            if !matches!(sup.as_str(), "′" | "″" | "∗" | "*") {
                out.push('^');
            }
            out.push_str(&sup);
        }
        "mover" if elements.len() == 2 => {
            base(elements[0], out);
            let over = tidy(&text_of(std::slice::from_ref(elements[1])));
            match combining(&over).filter(|_| accent) {
                Some(mark) => out.push(mark),
                None => {
                    out.push('^');
                    out.push_str(&operand(elements[1]));
                }
            }
        }
        "msubsup" | "munderover" if elements.len() == 3 => {
            base(elements[0], out);
            out.push('_');
            out.push_str(&operand(elements[1]));
            out.push('^');
            out.push_str(&operand(elements[2]));
            after_operator(name, elements[0], out);
        }
        "mfrac" if elements.len() == 2 => {
            out.push_str(&operand(elements[0]));
            out.push('/');
            out.push_str(&operand(elements[1]));
        }
        "msqrt" => {
            out.push('√');
            let s = tidy(&text_of(children));
            if s.chars().count() > 1 {
                out.push_str(&format!("({s})"));
            } else {
                out.push_str(&s);
            }
        }
        "mroot" if elements.len() == 2 => {
            out.push_str(&operand(elements[1]));
            out.push('√');
            out.push_str(&operand(elements[0]));
        }
        "mtable" => {
            let rows: Vec<String> = elements
                .iter()
                .map(|row| tidy(&text_of(std::slice::from_ref(*row))))
                .filter(|r| !r.is_empty())
                .collect();
            out.push_str(&rows.join("; "));
        }
        "mtd" => {
            out.push_str(&text_of(children));
            out.push(' ');
        }
        _ => out.push_str(&text_of(children)),
    }
}

/// Collapses runs of spaces, drops spaces just inside brackets and invisible operators.
fn tidy(s: &str) -> String {
    // Invisible operators: function application reads as a space, the others as nothing.
    // KaTeX's divides sign stands for \lvert, \mid and `|`: a bar reads as a bar.
    let s: String = s
        .chars()
        .filter(|c| !matches!(c, '\u{2062}'..='\u{2064}' | '\u{200B}'))
        .map(|c| match c {
            '\u{2061}' => ' ',
            '∣' => '|',
            c => c,
        })
        .collect();
    let collapsed = s.split_whitespace().collect::<Vec<_>>().join(" ");
    collapsed
        .replace("( ", "(")
        .replace(" )", ")")
        .replace("[ ", "[")
        .replace(" ]", "]")
        .replace(" ,", ",")
        .replace(",;", ";")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::RenderCache;
    use crate::math::MathRenderer;

    fn text(tex: &str) -> String {
        let cache = RenderCache::in_memory();
        let m = MathRenderer::new(&Default::default(), &cache);
        let html = m.fetch(tex, false).unwrap().0;
        let shown = crate::math::without_tex(&html);
        assert_eq!(
            readable(&shown),
            readable(&html),
            "pages without the TeX read the same"
        );
        readable(&html).unwrap()
    }

    #[test]
    fn symbols_become_unicode_and_scripts_underscores() {
        assert_eq!(text("n_{\\text{critic}} = 5"), "n_critic = 5");
        assert_eq!(text("\\lvert\\theta\\rvert \\le 1"), "|θ| ≤ 1");
        assert_eq!(text("\\log 2"), "log 2");
        assert_eq!(text("\\hat k_l = d_l(k_l-1)+1"), "k̂_l = d_l(k_l − 1) + 1");
        assert_eq!(text("\\sum_{i=1}^{n} x_i^2"), "∑_(i = 1)^n x_i^2");
        assert_eq!(text("\\frac{a+b}{2}"), "(a + b)/2");
        assert_eq!(text("\\sqrt{d_k}"), "√(d_k)");
        assert_eq!(text("x \\in \\mathbb{R}^n"), "x ∈ ℝ^n");
        assert_eq!(text("a < b \\;\\&\\; c"), "a < b & c");
        assert_eq!(text("\\min_G \\max_{D} V"), "min_G max_D V");
        assert_eq!(text("\\frac{x-\\mu}{\\sqrt{\\sigma^2}}"), "(x − μ)/√(σ^2)");
        assert_eq!(text("\\lvert A \\cap B \\rvert"), "|A ∩ B|");
    }

    #[test]
    fn aligned_rows_are_separated() {
        let t = text("\\begin{aligned} r_l &= r_{l-1} + 1 \\\\ j_l &= 2 \\end{aligned}");
        assert_eq!(t, "r_l = r_(l − 1) + 1; j_l = 2");
    }

    #[test]
    fn html_without_mathml_has_no_text() {
        assert_eq!(readable("<span>x</span>"), None);
    }
}
