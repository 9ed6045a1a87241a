//! Short class names for highlighted code. A token's class stands for its style in the light
//! theme and in the dark one: each style is numbered within its theme, and the two numbers are
//! written in one letter each for the commonest styles. The numbering is a pure function of the
//! theme (its plain text first, then the style of each rule in theme order, then every other
//! mix of its colours and font styles), so cached HTML stays valid, and a name decodes back to
//! its styles, so the stylesheet can be written for exactly the classes a site uses.

use std::collections::HashMap;

use syntect::highlighting::{Color, FontStyle, Style, Theme};

/// Every style one theme can give a token, numbered.
#[derive(Debug, Clone)]
pub struct Palette {
    styles: Vec<Style>,
    numbers: HashMap<Style, u32>,
}

impl Palette {
    pub fn of(theme: &Theme) -> Self {
        let plain = Style {
            foreground: theme.settings.foreground.unwrap_or(Color::BLACK),
            background: theme.settings.background.unwrap_or(Color::WHITE),
            font_style: FontStyle::empty(),
        };
        let mut palette = Self {
            styles: Vec::new(),
            numbers: HashMap::new(),
        };
        palette.add(plain);
        for item in &theme.scopes {
            palette.add(plain.apply(item.style));
        }
        // A token can take its colour from one rule and its font style from another.
        let mut foregrounds = vec![plain.foreground];
        let mut backgrounds = vec![plain.background];
        let mut fonts = vec![FontStyle::empty()];
        for item in &theme.scopes {
            let m = item.style;
            for (value, list) in [
                (m.foreground, &mut foregrounds),
                (m.background, &mut backgrounds),
            ] {
                if let Some(c) = value.filter(|c| !list.contains(c)) {
                    list.push(c);
                }
            }
            if let Some(f) = m.font_style.filter(|f| !fonts.contains(f)) {
                fonts.push(f);
            }
        }
        for &font_style in &fonts {
            for &background in &backgrounds {
                for &foreground in &foregrounds {
                    palette.add(Style {
                        foreground,
                        background,
                        font_style,
                    });
                }
            }
        }
        palette
    }

    fn add(&mut self, style: Style) {
        if !self.numbers.contains_key(&style) {
            self.numbers.insert(style, self.styles.len() as u32);
            self.styles.push(style);
        }
    }

    pub fn default_foreground(&self) -> Color {
        self.styles[0].foreground
    }

    pub fn default_background(&self) -> Color {
        self.styles[0].background
    }

    /// The style's number; 0 is the theme's plain text. A style the palette lacks (syntect only
    /// mixes what the theme's rules set, so this does not happen) counts as plain text.
    pub fn number(&self, style: Style) -> u32 {
        self.numbers.get(&style).copied().unwrap_or(0)
    }

    /// The style numbered `n`, if the number is one this palette gives.
    pub fn style(&self, n: u32) -> Option<Style> {
        self.styles.get(n as usize).copied()
    }
}

/// A token's style in both themes, as the numbers their palettes give.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StyleClass {
    pub light: u32,
    pub dark: u32,
}

const LETTERS: &[u8; 26] = b"abcdefghijklmnopqrstuvwxyz";
const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
/// Width of the long form: `_` and this many base-36 digits.
const LONG: u32 = 3;

impl StyleClass {
    /// The class name: one lowercase letter per theme for the first 26 styles of each (plain
    /// text and the styles of the first rules), else `_` and three base-36 digits. Lowercase
    /// only, since class names match case-insensitively in quirks mode.
    pub fn name(self) -> String {
        let mut out = String::with_capacity(2);
        for n in [self.light, self.dark] {
            if let Some(&c) = LETTERS.get(n as usize) {
                out.push(char::from(c));
            } else {
                out.push('_');
                let mut v = n - LETTERS.len() as u32;
                let mut digits = [b'0'; LONG as usize];
                for d in digits.iter_mut().rev() {
                    *d = DIGITS[(v % 36) as usize];
                    v /= 36;
                }
                out.extend(digits.iter().map(|&d| char::from(d)));
            }
        }
        out
    }

    /// Reads a name written by [`StyleClass::name`].
    pub fn parse(name: &str) -> Option<Self> {
        let mut bytes = name.bytes();
        let mut next = || -> Option<u32> {
            let first = bytes.next()?;
            if first.is_ascii_lowercase() {
                return Some(u32::from(first - b'a'));
            }
            if first != b'_' {
                return None;
            }
            let mut v = 0u32;
            for _ in 0..LONG {
                let d = char::from(bytes.next()?).to_digit(36)?;
                v = v * 36 + d;
            }
            Some(v + LETTERS.len() as u32)
        };
        let class = Self {
            light: next()?,
            dark: next()?,
        };
        bytes.next().is_none().then_some(class)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::highlight::THEMES;

    #[test]
    fn names_are_short_and_read_back() {
        for (light, dark, name) in [
            (1, 2, "bc"),
            (0, 25, "az"),
            (26, 3, "_000d"),
            (1322, 30, "_100_004"),
        ] {
            let class = StyleClass { light, dark };
            assert_eq!(class.name(), name);
            assert_eq!(StyleClass::parse(name), Some(class));
        }
        assert_eq!(StyleClass::parse("a"), None);
        assert_eq!(StyleClass::parse("abc"), None);
        assert_eq!(StyleClass::parse("A1"), None);
    }

    #[test]
    fn style_numbers_round_trip_and_rule_styles_come_first() {
        for name in ["InspiredGitHub", "base16-ocean.dark"] {
            let theme = &THEMES.themes[name];
            let palette = Palette::of(theme);
            let plain = palette.style(0).unwrap();
            assert_eq!(plain.font_style, FontStyle::empty());
            let rules = theme.scopes.len() as u32;
            for item in &theme.scopes {
                let style = plain.apply(item.style);
                let n = palette.number(style);
                assert!(n <= rules, "{name}: {n}");
                assert_eq!(palette.style(n), Some(style));
            }
            assert_eq!(palette.number(plain), 0);
        }
    }
}
