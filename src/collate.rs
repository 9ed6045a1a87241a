//! Alphabetical order as Chinese readers expect it: Chinese names sort by their pinyin (from the
//! `pinyin` crate's dictionary, not a table of our own) among the Latin names, and are filed
//! under the initial of their pinyin beside the Latin letters: 批归一化 (pī guī yī huà) under P.

use pinyin::ToPinyin;

/// The key names sort by: Latin text lowercased, each Chinese character replaced by its pinyin
/// and a space (so 批归一化 sorts as "pi gui yi hua "), then the name itself to break ties.
pub fn sort_key(name: &str) -> (String, String) {
    let mut key = String::with_capacity(name.len() * 2);
    for c in name.chars() {
        match c.to_pinyin() {
            Some(p) => {
                key.push_str(p.plain());
                key.push(' ');
            }
            None => key.extend(c.to_lowercase()),
        }
    }
    (key, name.to_string())
}

/// The group a name is filed under: `A`–`Z` by its first Latin letter or its first character's
/// pinyin, `0–9` for digits, `…` for anything else.
pub fn initial(name: &str) -> String {
    let first = name.trim_start().chars().next().unwrap_or(' ');
    let letter = match first.to_pinyin() {
        Some(p) => p.plain().chars().next(),
        None => Some(first),
    };
    match letter {
        Some(c) if c.is_ascii_alphabetic() => c.to_ascii_uppercase().to_string(),
        Some(c) if c.is_ascii_digit() => "0–9".to_string(),
        _ => "…".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_sorts_by_pinyin_among_latin_names() {
        let mut names = vec![
            "批归一化",
            "交并比",
            "Pooling",
            "感受野",
            "Adam",
            "池化",
            "GAN",
        ];
        names.sort_by_key(|n| sort_key(n));
        // chi hua, gan shou ye, jiao bing bi, pi gui yi hua: pinyin order, not code point order.
        assert_eq!(
            names,
            [
                "Adam",
                "池化",
                "GAN",
                "感受野",
                "交并比",
                "批归一化",
                "Pooling"
            ]
        );
    }

    #[test]
    fn initials_come_from_pinyin() {
        assert_eq!(initial("批归一化"), "P");
        assert_eq!(initial("感受野"), "G");
        assert_eq!(initial("softmax"), "S");
        assert_eq!(initial("3D"), "0–9");
        assert_eq!(initial("バッチ"), "…");
    }
}
