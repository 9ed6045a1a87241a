//! Theme colours raised to WCAG AA contrast, so highlighted code stays readable whatever theme
//! a site picks.

use syntect::highlighting::{Color, Theme};

/// WCAG AA asks for a contrast of 4.5:1 for text.
pub const MIN_CONTRAST: f64 = 4.5;

/// A copy of the theme whose text colours all reach AA contrast against its background: colours
/// that fall short are moved towards black (light themes) or white (dark themes) until they do.
pub fn readable(theme: &Theme) -> Theme {
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

pub fn contrast(a: Color, b: Color) -> f64 {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::highlight::THEMES;

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
}
