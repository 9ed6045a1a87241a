//! The search index on the fixture site: what `search-index.js` holds, and `[search] enable = false`.

mod common;

use common::{fixture, Site};
use serde_json::Value;

/// The value a generated script passes to JSON.parse.
fn parsed(js: &str, prefix: &str, suffix: &str) -> Value {
    let first_line = js.split_inclusive('\n').next().unwrap();
    let literal = first_line
        .strip_prefix(prefix)
        .and_then(|s| s.strip_suffix(suffix))
        .unwrap_or_else(|| panic!("{prefix}… parses a JSON string"));
    let json: String = serde_json::from_str(literal).unwrap();
    serde_json::from_str(&json).unwrap()
}

/// The index a built site's `search-index.js` assigns, and every section's text from the shards.
fn index_of(site: &Site) -> (Value, Vec<String>) {
    let ix = parsed(
        &site.out("search-index.js"),
        "window.studybookSearch=JSON.parse(",
        ");\n",
    );
    let mut texts = Vec::new();
    for n in 0..ix["x"].as_array().unwrap().len() {
        let shard = parsed(
            &site.out(&format!("search/text-{n}.js")),
            &format!("studybookSearchText({n},JSON.parse("),
            "));\n",
        );
        texts.extend(strs(&shard).into_iter().map(String::from));
    }
    (ix, texts)
}

fn strs(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect()
}

#[test]
fn fixture_index_has_pages_sections_and_cjk_terms() {
    let site = Site::copy_of("basic");
    let report = site.build();
    let d = &report.generated.diagnostics;
    assert!(d.is_empty(), "{d:?}");
    let (ix, texts) = index_of(&site);
    let pages: Vec<(&str, &str)> = ix["p"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_str().unwrap(), p[1].as_str().unwrap()))
        .collect();
    assert!(pages.contains(&("training/批归一化.html", "批归一化")));
    assert!(pages.contains(&("gan/wgan.html", "Wasserstein GAN")));
    assert_eq!(pages.len(), 4);

    let docs = ix["d"].as_array().unwrap();
    assert_eq!(docs.len(), texts.len());
    let section = |anchor: &str| docs.iter().position(|d| d[0] == anchor).unwrap();
    let bn = section("训练与测试");
    assert_eq!(docs[bn][1], "训练与测试");
    assert!(texts[bn].contains("训练时用批统计量"));
    assert_eq!(docs[section("weight-clipping")][1], "Weight clipping");
    // Fenced code is left out of the text; math is readable text, never TeX.
    assert!(texts.iter().all(|t| !t.contains("np.log")));
    assert!(texts.iter().any(|t| t.contains("𝔼_(x ∼ P_r)")), "{texts:?}");
    assert!(texts.iter().all(|t| !t.contains("\\mathbb")));

    let terms = strs(&ix["t"]);
    for t in [
        "训练",
        "训",
        "瓦瑟",
        "wgan",
        "clipping",
        "weight",
        "lipschitz",
        "2008",
    ] {
        assert!(terms.contains(&t), "missing term {t}");
    }
    // Math is indexed as its readable text, not its TeX; fenced code is not indexed at all.
    assert!(!terms.contains(&"mathbb"));
    assert!(terms.contains(&"𝔼"));
    for t in ["bce", "iter_mut", "clamp", "numpy"] {
        assert!(!terms.contains(&t), "code term {t} indexed");
    }
    let mut sorted = terms.clone();
    sorted.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
    assert_eq!(terms, sorted, "terms in JavaScript string order");
    assert_eq!(ix["b"], serde_json::json!([0]), "one postings bucket");
    let bucket = site.out("search/postings-0.js");
    assert!(bucket.starts_with("studybookSearchPostings(0,\""));
    assert_eq!(
        bucket.matches(',').count(),
        2 * (terms.len() - 1) + 2,
        "a list per term and kind, then the bucket number and the two strings as arguments"
    );

    let page = site.out("gan/wgan.html");
    // The box's controls are made by search.js (the browser suite checks the combobox).
    assert!(page.contains(r#"data-search-slot"#) && page.contains(r#"data-placeholder=""#));
    assert!(page.contains(r#"data-root="..""#));
    assert!(page.contains(r#"<script src="../js/search.js" defer></script>"#));
    assert!(page.contains(r#"href="../css/search.css""#));
}

#[test]
fn search_disabled_writes_no_index_and_no_search_box() {
    let site = Site::copy_of("basic");
    site.build();
    assert!(site.exists("search-index.js"));
    let toml = std::fs::read_to_string(fixture("basic").join("book.toml")).unwrap();
    site.write("book.toml", &format!("{toml}\n[search]\nenable = false\n"));
    let report = site.build();
    let d = &report.generated.diagnostics;
    assert!(d.is_empty(), "{d:?}");
    assert!(
        !site.exists("search-index.js"),
        "the stale index is removed"
    );
    let page = site.out("gan/wgan.html");
    assert!(!page.contains("search.js"));
    assert!(!page.contains("search.css"));
    assert!(!page.contains("data-search-slot"));
}
