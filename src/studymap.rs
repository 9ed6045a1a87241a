//! The study map: the prerequisite graph as SVG, drawn at build time with the standard layered
//! layout (Sugiyama): one column per depth, edges that skip columns routed through placeholder
//! slots, each column ordered by the barycentre of its neighbours to cross fewer edges, full
//! titles wrapped at body size. No script lays it out; the page's script only zooms it and marks
//! the topics the reader has visited or practised.

use std::collections::HashMap;

use crate::html::escape;
use crate::index::PageId;

/// Body-size text: the map is read at 100% zoom.
const FONT: f32 = 16.0;
const LINE: f32 = 20.0;
const NODE_W: f32 = 210.0;
const PAD_X: f32 = 10.0;
const PAD_Y: f32 = 9.0;
const COL_GAP: f32 = 80.0;
const ROW_GAP: f32 = 14.0;
/// Height of the slot an edge takes where it passes a column.
const DUMMY_H: f32 = 6.0;
const MARGIN: f32 = 12.0;
/// Barycentre sweeps (down and up count one each); the best order seen is kept.
const SWEEPS: usize = 12;

/// One topic of the map.
pub struct Topic<'a> {
    pub title: &'a str,
    pub url: &'a str,
}

/// A slot in a column: a topic, or a point an edge passes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Slot {
    Topic(PageId),
    /// The `n`th placeholder of the edge `edge`.
    Pass {
        edge: usize,
        n: usize,
    },
}

/// The columns of the map, each in drawing order top to bottom, and the edges as chains of slots.
#[derive(Debug)]
pub struct Layers {
    columns: Vec<Vec<Slot>>,
    /// Each edge as its slots from prerequisite to topic.
    chains: Vec<Vec<Slot>>,
}

impl Layers {
    /// Builds the columns: `order` is the study order (the first order of each column), `depth`
    /// each page's column, `prerequisites` the edges.
    pub fn new(order: &[PageId], depth: &[usize], prerequisites: &[Vec<PageId>]) -> Layers {
        let col = |id: PageId| depth.get(id).copied().unwrap_or(0);
        let count = order.iter().map(|&id| col(id) + 1).max().unwrap_or(0);
        let mut columns: Vec<Vec<Slot>> = vec![Vec::new(); count];
        for &id in order {
            columns[col(id)].push(Slot::Topic(id));
        }
        let mut chains = Vec::new();
        for &id in order {
            for &pre in &prerequisites[id] {
                let edge = chains.len();
                let mut chain = vec![Slot::Topic(pre)];
                for (n, c) in (col(pre) + 1..col(id)).enumerate() {
                    let slot = Slot::Pass { edge, n };
                    columns[c].push(slot);
                    chain.push(slot);
                }
                chain.push(Slot::Topic(id));
                chains.push(chain);
            }
        }
        let mut layers = Layers { columns, chains };
        layers.order_by_barycentre();
        layers
    }

    /// Neighbours of each slot in the column before (`up`) or after it.
    fn neighbours(&self, before: bool) -> HashMap<Slot, Vec<Slot>> {
        let mut map: HashMap<Slot, Vec<Slot>> = HashMap::new();
        for chain in &self.chains {
            for pair in chain.windows(2) {
                let (from, to) = if before {
                    (pair[1], pair[0])
                } else {
                    (pair[0], pair[1])
                };
                map.entry(from).or_default().push(to);
            }
        }
        map
    }

    /// Edge crossings between adjacent columns: the layout's measure of tangle.
    pub fn crossings(&self) -> usize {
        let position = self.positions();
        let mut total = 0;
        for c in 1..self.columns.len() {
            let mut segments: Vec<(usize, usize)> = Vec::new();
            for chain in &self.chains {
                for pair in chain.windows(2) {
                    if position[&pair[1]].0 == c {
                        segments.push((position[&pair[0]].1, position[&pair[1]].1));
                    }
                }
            }
            for (i, a) in segments.iter().enumerate() {
                for b in &segments[i + 1..] {
                    if (a.0 < b.0 && a.1 > b.1) || (a.0 > b.0 && a.1 < b.1) {
                        total += 1;
                    }
                }
            }
        }
        total
    }

    /// Each slot's (column, row).
    fn positions(&self) -> HashMap<Slot, (usize, usize)> {
        let mut position = HashMap::new();
        for (c, column) in self.columns.iter().enumerate() {
            for (r, &slot) in column.iter().enumerate() {
                position.insert(slot, (c, r));
            }
        }
        position
    }

    /// Sweeps left to right and back, sorting each column by the mean row of its neighbours in
    /// the column just swept; a slot with no such neighbour keeps its row. Keeps the order with
    /// the fewest crossings.
    fn order_by_barycentre(&mut self) {
        let before = self.neighbours(true);
        let after = self.neighbours(false);
        let mut best = (self.crossings(), self.columns.clone());
        for sweep in 0..SWEEPS {
            let forward = sweep % 2 == 0;
            let (neighbours, range): (&HashMap<Slot, Vec<Slot>>, Vec<usize>) = if forward {
                (&before, (1..self.columns.len()).collect())
            } else {
                (
                    &after,
                    (0..self.columns.len().saturating_sub(1)).rev().collect(),
                )
            };
            for c in range {
                let position = self.positions();
                let mut keyed: Vec<(f32, usize, Slot)> = self.columns[c]
                    .iter()
                    .enumerate()
                    .map(|(row, &slot)| {
                        let rows: Vec<usize> = neighbours
                            .get(&slot)
                            .map(|n| n.iter().map(|s| position[s].1).collect())
                            .unwrap_or_default();
                        let key = if rows.is_empty() {
                            row as f32
                        } else {
                            rows.iter().sum::<usize>() as f32 / rows.len() as f32
                        };
                        (key, row, slot)
                    })
                    .collect();
                keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                self.columns[c] = keyed.into_iter().map(|(_, _, s)| s).collect();
            }
            let crossings = self.crossings();
            if crossings < best.0 {
                best = (crossings, self.columns.clone());
            }
        }
        self.columns = best.1;
    }
}

/// A width estimate at the map's font size: CJK characters are square, Latin ones narrower.
fn text_width(s: &str) -> f32 {
    s.chars()
        .map(|c| {
            if crate::text::is_cjk(c) {
                FONT
            } else if c.is_ascii_uppercase() || c == 'm' || c == 'w' {
                0.68 * FONT
            } else if c == ' ' || c == 'i' || c == 'l' || c == 'j' || c == '.' || c == ',' {
                0.3 * FONT
            } else {
                0.53 * FONT
            }
        })
        .sum()
}

/// A title broken into lines that fit the box: at spaces for Latin text, anywhere in CJK runs,
/// and inside a word only when the word alone is wider than the box.
pub fn wrap(title: &str, width: f32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    // Pieces that may not be split: Latin words with their trailing space, single CJK characters.
    let mut pieces: Vec<String> = Vec::new();
    for c in title.chars() {
        let cjk = crate::text::is_cjk(c);
        match pieces.last_mut() {
            Some(last)
                if !cjk
                    && !last.ends_with(' ')
                    && !last.chars().last().is_some_and(crate::text::is_cjk) =>
            {
                last.push(c)
            }
            _ => pieces.push(c.to_string()),
        }
    }
    for piece in pieces {
        if !line.is_empty() && text_width(&format!("{line}{}", piece.trim_end())) > width {
            lines.push(line.trim_end().to_string());
            line.clear();
        }
        if line.is_empty() && text_width(piece.trim_end()) > width {
            for c in piece.chars() {
                if !line.is_empty() && text_width(&format!("{line}{c}")) > width {
                    lines.push(line.clone());
                    line.clear();
                }
                line.push(c);
            }
            continue;
        }
        line.push_str(&piece);
    }
    if !line.trim().is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
}

/// The map as inline SVG at its natural size (the page's frame scrolls it).
pub fn svg(topics: &[Topic<'_>], layers: &Layers) -> String {
    let text_w = NODE_W - 2.0 * PAD_X;
    let lines: HashMap<PageId, Vec<String>> = layers
        .columns
        .iter()
        .flatten()
        .filter_map(|s| match s {
            Slot::Topic(id) => Some((*id, wrap(topics[*id].title, text_w))),
            Slot::Pass { .. } => None,
        })
        .collect();
    let height_of = |slot: &Slot| match slot {
        Slot::Topic(id) => lines[id].len().max(1) as f32 * LINE + 2.0 * PAD_Y,
        Slot::Pass { .. } => DUMMY_H,
    };
    let column_height = |column: &Vec<Slot>| -> f32 {
        column.iter().map(height_of).sum::<f32>() + column.len().saturating_sub(1) as f32 * ROW_GAP
    };
    let tallest = layers.columns.iter().map(column_height).fold(0.0, f32::max);
    // Each slot's top-left corner: columns start centred on the tallest, then each slot moves
    // towards the mean height of its neighbours (sweeping right, then left), keeping its order
    // and the gaps, so edges run as level as the order allows.
    let mut top: HashMap<Slot, f32> = HashMap::new();
    for column in &layers.columns {
        let mut y = (tallest - column_height(column)) / 2.0;
        for slot in column {
            top.insert(*slot, y);
            y += height_of(slot) + ROW_GAP;
        }
    }
    let (before, after) = (layers.neighbours(true), layers.neighbours(false));
    for sweep in 0..4 {
        let (neighbours, columns): (_, Vec<&Vec<Slot>>) = if sweep % 2 == 0 {
            (&before, layers.columns.iter().collect())
        } else {
            (&after, layers.columns.iter().rev().collect())
        };
        for column in columns {
            let mut floor = f32::MIN;
            for slot in column {
                let h = height_of(slot);
                let centres: Vec<f32> = neighbours
                    .get(slot)
                    .map(|n| n.iter().map(|s| top[s] + height_of(s) / 2.0).collect())
                    .unwrap_or_default();
                let wanted = if centres.is_empty() {
                    top[slot]
                } else {
                    centres.iter().sum::<f32>() / centres.len() as f32 - h / 2.0
                };
                let y = wanted.max(floor);
                top.insert(*slot, y);
                floor = y + h + ROW_GAP;
            }
        }
    }
    let lowest = top.values().copied().fold(f32::MAX, f32::min);
    let bottom = top
        .iter()
        .map(|(s, y)| y - lowest + height_of(s))
        .fold(0.0, f32::max);
    let mut place: HashMap<Slot, (f32, f32)> = HashMap::new();
    for (c, column) in layers.columns.iter().enumerate() {
        let x = MARGIN + c as f32 * (NODE_W + COL_GAP);
        for slot in column {
            place.insert(*slot, (x, MARGIN + top[slot] - lowest));
        }
    }
    let cols = layers.columns.len();
    let width = 2.0 * MARGIN + cols as f32 * NODE_W + cols.saturating_sub(1) as f32 * COL_GAP;
    let height = 2.0 * MARGIN + bottom;
    let mut out = format!(
        "<svg class=\"study-graph\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" data-width=\"{width}\" data-crossings=\"{}\" role=\"group\">\n<defs><marker id=\"sg-arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\"/></marker></defs>\n",
        layers.crossings()
    );
    let mid = |slot: &Slot| place[slot].1 + height_of(slot) / 2.0;
    for chain in &layers.chains {
        let (Some(Slot::Topic(from)), Some(Slot::Topic(to))) = (chain.first(), chain.last()) else {
            continue;
        };
        let first = &chain[0];
        let (mut x, mut y) = (place[first].0 + NODE_W, mid(first));
        let mut d = format!("M{x},{y}");
        for slot in &chain[1..] {
            let (left, right, ny) = (place[slot].0, place[slot].0 + NODE_W, mid(slot));
            let bend = (x + left) / 2.0;
            d.push_str(&format!(" C{bend},{y} {bend},{ny} {left},{ny}"));
            if matches!(slot, Slot::Pass { .. }) {
                d.push_str(&format!(" L{right},{ny}"));
            }
            (x, y) = (right, ny);
        }
        out.push_str(&format!(
            "<path class=\"sg-edge\" data-from=\"{}\" data-to=\"{}\" d=\"{d}\" marker-end=\"url(#sg-arrow)\"/>\n",
            escape(topics[*from].url),
            escape(topics[*to].url)
        ));
    }
    for column in &layers.columns {
        for slot in column {
            let Slot::Topic(id) = slot else { continue };
            let (x, y) = place[slot];
            let topic = &topics[*id];
            let h = height_of(slot);
            out.push_str(&format!(
                "<a class=\"sg-node\" href=\"{url}\" data-topic=\"{url}\"><rect x=\"{x}\" y=\"{y}\" width=\"{NODE_W}\" height=\"{h}\" rx=\"6\"/><text x=\"{tx}\" y=\"{ty}\">",
                url = escape(topic.url),
                tx = x + PAD_X,
                ty = y + PAD_Y + LINE - 5.0,
            ));
            for (i, line) in lines[id].iter().enumerate() {
                let lang = if crate::text::has_cjk(line) {
                    " lang=\"zh\""
                } else {
                    ""
                };
                if i == 0 {
                    out.push_str(&format!("<tspan{lang}>{}</tspan>", escape(line)));
                } else {
                    out.push_str(&format!(
                        "<tspan x=\"{}\" dy=\"{LINE}\"{lang}>{}</tspan>",
                        x + PAD_X,
                        escape(line)
                    ));
                }
            }
            out.push_str("</text></a>\n");
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_wrap_at_spaces_and_in_cjk_runs_never_cut() {
        let lines = wrap("Vanishing and Exploding Gradients", 190.0);
        assert_eq!(lines.join(" "), "Vanishing and Exploding Gradients");
        assert!(lines.len() >= 2, "{lines:?}");
        assert!(lines.iter().all(|l| text_width(l) <= 190.0), "{lines:?}");
        let zh = wrap("卷积神经网络的感受野与空洞卷积计算", 100.0);
        assert_eq!(zh.concat(), "卷积神经网络的感受野与空洞卷积计算");
        assert!(zh.iter().all(|l| text_width(l) <= 100.0), "{zh:?}");
        assert_eq!(wrap("GAN", 190.0), ["GAN"]);
    }

    /// Two chains whose study order interleaves them: a→c and b→d drawn in the order a, b / d, c
    /// cross once; the barycentre order puts d under b.
    #[test]
    fn barycentre_ordering_untangles_crossed_edges() {
        let depth = [0, 0, 1, 1];
        let prerequisites = vec![vec![], vec![], vec![0], vec![1]];
        // Study order lists d (3) before c (2).
        let layers = Layers::new(&[0, 1, 3, 2], &depth, &prerequisites);
        assert_eq!(layers.crossings(), 0);
        assert_eq!(layers.columns[1], [Slot::Topic(2), Slot::Topic(3)]);
    }

    /// An edge that skips a column passes through a placeholder slot in it, and is drawn
    /// through that slot rather than across the topics in between.
    #[test]
    fn long_edges_pass_through_their_own_slot() {
        let depth = [0, 1, 2];
        let prerequisites = vec![vec![], vec![0], vec![0, 1]];
        let layers = Layers::new(&[0, 1, 2], &depth, &prerequisites);
        assert_eq!(layers.columns[1].len(), 2);
        let topics: Vec<Topic> = ["A", "B", "C"]
            .iter()
            .map(|t| Topic { title: t, url: t })
            .collect();
        let svg = svg(&topics, &layers);
        assert_eq!(svg.matches("class=\"sg-edge\"").count(), 3);
        assert_eq!(svg.matches("class=\"sg-node\"").count(), 3);
        assert!(
            svg.contains(" L"),
            "the long edge runs straight through its slot"
        );
    }
}
