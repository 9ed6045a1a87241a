//! The link graph: backlinks, prerequisites ("learn first") and a study order that respects them.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::diagnostics::Diagnostic;
use crate::frontmatter;
use crate::index::{Lookup, PageId, SiteIndex};
use crate::parse::Page;

#[derive(Debug, Default)]
pub struct LinkGraph {
    /// For each page, the pages that link to it, in reading order.
    pub backlinks: Vec<Vec<PageId>>,
    /// For each page, its resolved prerequisites.
    pub prerequisites: Vec<Vec<PageId>>,
    /// Every page after its prerequisites; ties broken by reading order.
    pub study_order: Vec<PageId>,
    /// For each page, the length of its longest prerequisite chain (0 for a starting topic).
    pub depth: Vec<usize>,
    pub diagnostics: Vec<Diagnostic>,
}

pub fn build(pages: &[Page], index: &SiteIndex, links_out: &[&[PageId]]) -> LinkGraph {
    let n = pages.len();
    let mut position = vec![usize::MAX; n];
    for (pos, &id) in index.order.iter().enumerate() {
        position[id] = pos;
    }
    let mut graph = LinkGraph {
        backlinks: vec![Vec::new(); n],
        ..LinkGraph::default()
    };
    for (from, targets) in links_out.iter().enumerate() {
        for &to in targets.iter() {
            graph.backlinks[to].push(from);
        }
    }
    for list in &mut graph.backlinks {
        list.sort_by_key(|&p| position[p]);
        list.dedup();
    }
    graph.prerequisites = pages
        .iter()
        .enumerate()
        .map(|(id, p)| resolve_prerequisites(id, p, index, &mut graph.diagnostics))
        .collect();
    if let Some(cycle) = find_cycle(&graph.prerequisites) {
        let names: Vec<&str> = cycle.iter().map(|&i| pages[i].title.as_str()).collect();
        let first = &pages[cycle[0]];
        let next = &pages[cycle[1]];
        let split = frontmatter::split(&first.source.text);
        let pos =
            frontmatter::value_position(&first.source.text, &split, "prerequisites", &next.title);
        graph.diagnostics.push(
            Diagnostic::error(
                &first.source.display_path,
                pos,
                format!("prerequisite cycle: {}", names.join(" → ")),
            )
            .with_help(
                "a prerequisite must be learned before the page; remove one link of the cycle",
            ),
        );
    }
    (graph.study_order, graph.depth) = study_order(&graph.prerequisites, &position);
    graph
}

fn resolve_prerequisites(
    id: PageId,
    page: &Page,
    index: &SiteIndex,
    diags: &mut Vec<Diagnostic>,
) -> Vec<PageId> {
    let mut out = Vec::new();
    let split = frontmatter::split(&page.source.text);
    for name in &page.meta.prerequisites {
        let pos = || frontmatter::value_position(&page.source.text, &split, "prerequisites", name);
        match index.lookup(name) {
            Lookup::Found(target) if target == id => diags.push(Diagnostic::error(
                &page.source.display_path,
                pos(),
                format!("`{name}` is this page itself and cannot be its own prerequisite"),
            )),
            Lookup::Found(target) => {
                if !out.contains(&target) {
                    out.push(target);
                }
            }
            Lookup::Ambiguous(_) => diags.push(
                Diagnostic::error(
                    &page.source.display_path,
                    pos(),
                    format!("prerequisite `{name}` names several pages"),
                )
                .with_help("use the page title or its folder path"),
            ),
            Lookup::Missing { suggestions } => {
                let mut d = Diagnostic::error(
                    &page.source.display_path,
                    pos(),
                    format!("unknown prerequisite `{name}`"),
                );
                if let Some(s) = suggestions.first() {
                    d = d.with_help(format!("did you mean `{s}`?"));
                }
                diags.push(d);
            }
        }
    }
    out
}

/// One cycle of the prerequisite graph, as a closed path (first == last), if there is any.
fn find_cycle(edges: &[Vec<PageId>]) -> Option<Vec<PageId>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    let mut marks = vec![Mark::New; edges.len()];
    for start in 0..edges.len() {
        if marks[start] != Mark::New {
            continue;
        }
        // Iterative depth-first search; `path` holds the active chain.
        let mut stack = vec![(start, 0usize)];
        let mut path = vec![start];
        marks[start] = Mark::Active;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&to) = edges[node].get(*next) {
                *next += 1;
                match marks[to] {
                    Mark::Active => {
                        let at = path.iter().position(|&p| p == to).unwrap_or(0);
                        let mut cycle = path[at..].to_vec();
                        cycle.push(to);
                        return Some(cycle);
                    }
                    Mark::New => {
                        marks[to] = Mark::Active;
                        stack.push((to, 0));
                        path.push(to);
                    }
                    Mark::Done => {}
                }
            } else {
                marks[node] = Mark::Done;
                stack.pop();
                path.pop();
            }
        }
    }
    None
}

/// Kahn's algorithm, always taking the available page that comes first in reading order.
/// Pages caught in a cycle follow at the end, in reading order.
fn study_order(prereqs: &[Vec<PageId>], position: &[usize]) -> (Vec<PageId>, Vec<usize>) {
    let n = prereqs.len();
    let mut waiting: Vec<usize> = prereqs.iter().map(Vec::len).collect();
    let mut dependents = vec![Vec::new(); n];
    for (page, list) in prereqs.iter().enumerate() {
        for &p in list {
            dependents[p].push(page);
        }
    }
    let mut depth = vec![0usize; n];
    let mut ready: BinaryHeap<Reverse<(usize, PageId)>> = (0..n)
        .filter(|&p| waiting[p] == 0)
        .map(|p| Reverse((position[p], p)))
        .collect();
    let mut order = Vec::with_capacity(n);
    while let Some(Reverse((_, page))) = ready.pop() {
        order.push(page);
        for &d in &dependents[page] {
            depth[d] = depth[d].max(depth[page] + 1);
            waiting[d] -= 1;
            if waiting[d] == 0 {
                ready.push(Reverse((position[d], d)));
            }
        }
    }
    if order.len() < n {
        let mut rest: Vec<PageId> = (0..n).filter(|p| waiting[*p] > 0).collect();
        rest.sort_by_key(|&p| position[p]);
        order.extend(rest);
    }
    (order, depth)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn study_order_respects_prerequisites_and_reading_order() {
        // 0 needs 2; 1 needs nothing; 2 needs nothing.
        let prereqs = vec![vec![2], vec![], vec![]];
        let (order, depth) = study_order(&prereqs, &[0, 1, 2]);
        assert_eq!(order, vec![1, 2, 0]);
        assert_eq!(depth, vec![1, 0, 0]);
    }

    #[test]
    fn finds_a_cycle() {
        let edges = vec![vec![1], vec![2], vec![0], vec![]];
        let cycle = find_cycle(&edges).unwrap();
        assert_eq!(cycle.first(), cycle.last());
        assert_eq!(cycle.len(), 4);
        assert!(find_cycle(&[vec![1], vec![]]).is_none());
    }
}
