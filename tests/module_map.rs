//! The module map has no cycle: a stage never reaches back to a later one. Read from the `use`
//! lines (`crate::module`) of every source file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let rel = entry.path().strip_prefix(&src).unwrap();
        let module = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if module == "main" || module == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let deps = edges.entry(module.clone()).or_default();
        for (i, _) in text.match_indices("crate::") {
            let name: String = text[i + 7..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            if !name.is_empty() && name != module {
                deps.insert(name);
            }
        }
    }
    edges
}

/// A cycle through `from`, if there is one, as the list of modules on it.
fn cycle(edges: &BTreeMap<String, BTreeSet<String>>, from: &str) -> Option<Vec<String>> {
    let mut stack = vec![(from.to_string(), vec![from.to_string()])];
    let mut seen = BTreeSet::new();
    while let Some((node, path)) = stack.pop() {
        for next in edges.get(&node).into_iter().flatten() {
            if next == from {
                let mut cycle = path.clone();
                cycle.push(next.clone());
                return Some(cycle);
            }
            if seen.insert(next.clone()) {
                let mut longer = path.clone();
                longer.push(next.clone());
                stack.push((next.clone(), longer));
            }
        }
    }
    None
}

#[test]
fn the_module_graph_has_no_cycle() {
    let edges = graph();
    assert!(edges.contains_key("build") && edges.contains_key("render"));
    for module in edges.keys() {
        if let Some(c) = cycle(&edges, module) {
            panic!("modules import each other in a circle: {}", c.join(" → "));
        }
    }
}

#[test]
fn stages_never_reach_a_later_stage() {
    let order = [
        "config", "load", "parse", "index", "render", "graph", "layout", "write",
    ];
    let edges = graph();
    for (i, stage) in order.iter().enumerate() {
        for later in &order[i + 1..] {
            assert!(
                !edges[*stage].contains(*later),
                "{stage} uses {later}, a later stage"
            );
        }
    }
}
