//! Layered ("Sugiyama") layout of a directed graph for drawing: node centres, an SVG path per
//! edge and a place for each edge's label. Used by the service dependency graph and the
//! per-trace operation graph.
//!
//! Cycle removal, layering, crossing reduction and x coordinates come from the `rust-sugiyama`
//! crate, one layout per connected component; components are placed side by side. This module
//! adds what the crate leaves out: layers are spaced for labels, edges become curves (down to a
//! lower layer, around for edges that go back up, a loop for a self-call), and labels are
//! placed along their edge where they overlap no node and no other label.
//!
//! ```text
//!   ┌──────┐            caller: edges leave the bottom centre …
//!   │  a   │
//!   └──┬───┘
//!      │  12 calls      … the label sits on the curve where nothing else is …
//!   ┌──▼───┐
//!   │  b   │            … and enter the callee's top centre.
//!   └──────┘
//! ```

/// Space between components and around the drawing.
const MARGIN: f64 = 24.0;
/// Horizontal space between nodes of one layer.
const NODE_SPACING: f64 = 36.0;
/// Vertical gap between layers (room for edge labels).
const LAYER_GAP: f64 = 70.0;
/// Components are put side by side up to this width, then on a new row.
const MAX_ROW_WIDTH: f64 = 1100.0;
/// Graphs with more nodes skip the layout's transposition step (see `place_nodes`).
const TRANSPOSE_LIMIT: usize = 150;
/// Space kept between a label and anything else.
const LABEL_PAD: f64 = 2.0;

/// A box: centre and size.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Rect {
    /// Centre, x.
    pub x: f64,
    /// Centre, y.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

impl Rect {
    /// True when the two boxes share area (touching edges do not count).
    pub fn overlaps(&self, other: &Rect) -> bool {
        (self.x - other.x).abs() < (self.width + other.width) / 2.0
            && (self.y - other.y).abs() < (self.height + other.height) / 2.0
    }

    fn grown(&self, by: f64) -> Rect {
        Rect {
            width: self.width + 2.0 * by,
            height: self.height + 2.0 * by,
            ..*self
        }
    }
}

/// How one edge is drawn.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EdgeRoute {
    /// SVG path data (`M … C …`), ending at the target's border (draw an arrow head there).
    pub path: String,
    /// Where the label goes (its centre and size).
    pub label: Rect,
}

/// A laid-out graph: `nodes[i]` is the box of input node `i`, `edges[j]` the route of input
/// edge `j`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GraphLayout {
    /// Node boxes.
    pub nodes: Vec<Rect>,
    /// Edge routes.
    pub edges: Vec<EdgeRoute>,
    /// Drawing width.
    pub width: f64,
    /// Drawing height.
    pub height: f64,
}

/// Lays out nodes of the given sizes (width, height) joined by `edges` (from, to), each edge
/// with a label of the given size. Edges naming a node that does not exist are drawn nowhere
/// (an empty path).
pub fn layout_graph(
    sizes: &[(f64, f64)],
    edges: &[(usize, usize)],
    label_sizes: &[(f64, f64)],
) -> GraphLayout {
    let mut nodes: Vec<Rect> = sizes
        .iter()
        .map(|&(width, height)| Rect {
            x: 0.0,
            y: 0.0,
            width,
            height,
        })
        .collect();
    if nodes.is_empty() {
        return GraphLayout::default();
    }
    let (width, mut height) = place_nodes(&mut nodes, edges);
    let mut routes = Vec::with_capacity(edges.len());
    let mut taken: Vec<Rect> = Vec::new();
    for (index, &(from, to)) in edges.iter().enumerate() {
        let (Some(a), Some(b)) = (nodes.get(from), nodes.get(to)) else {
            routes.push(EdgeRoute::default());
            continue;
        };
        // Two edges between the same pair in opposite directions are drawn apart.
        let has_reverse = from != to && edges.iter().any(|&(f, t)| f == to && t == from);
        let offset = if has_reverse {
            if from < to {
                -8.0
            } else {
                8.0
            }
        } else {
            0.0
        };
        let curve = edge_curve(a, b, from == to, offset);
        let (label_width, label_height) = label_sizes.get(index).copied().unwrap_or((0.0, 0.0));
        let label = place_label(&curve, label_width, label_height, &nodes, &taken);
        taken.push(label);
        height = height.max(label.y + label.height / 2.0 + LABEL_PAD);
        routes.push(EdgeRoute {
            path: curve.to_svg(),
            label,
        });
    }
    let width = taken
        .iter()
        .map(|l| l.x + l.width / 2.0 + LABEL_PAD)
        .fold(width, f64::max);
    GraphLayout {
        nodes,
        edges: routes,
        width: width + MARGIN,
        height: height + MARGIN,
    }
}

/// Sets every node's centre; returns the right and bottom extent of the boxes.
fn place_nodes(nodes: &mut [Rect], edges: &[(usize, usize)]) -> (f64, f64) {
    let vertices: Vec<(u32, (f64, f64))> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (i as u32, (n.width, n.height)))
        .collect();
    // One edge per ordered pair, no self-loops, no cycles: rust-sugiyama 0.4 can loop forever
    // on some dense cyclic graphs (its own cycle removal does not prevent it), so edges that
    // close a cycle are reversed here first; they are still drawn in their real direction.
    let pairs = acyclic_pairs(nodes.len(), edges);
    let config = rust_sugiyama::configure::Config {
        vertex_spacing: NODE_SPACING,
        // Transposition improves crossings a little and costs much on big graphs.
        transpose: nodes.len() <= TRANSPOSE_LIMIT,
        ..Default::default()
    };
    let components = rust_sugiyama::from_vertices_and_edges(&vertices, &pairs, &config);

    let tallest = nodes.iter().map(|n| n.height).fold(0.0, f64::max);
    // Each component in its own coordinates: x from its left edge, layer numbers for y.
    struct Component {
        members: Vec<(usize, f64, usize)>,
        width: f64,
        layers: usize,
    }
    let components: Vec<Component> = components
        .into_iter()
        .map(|(coords, _, _)| {
            // The crate's y is a layer's position; turn it into a layer number, then space
            // layers by the tallest box plus a gap for labels.
            let mut layer_ys: Vec<f64> = coords.iter().map(|(_, (_, y))| *y).collect();
            layer_ys.sort_by(f64::total_cmp);
            layer_ys.dedup_by(|a, b| (*a - *b).abs() < 1e-6);
            let half_width = |id: usize| nodes.get(id).map_or(0.0, |n| n.width / 2.0);
            let min_x = coords
                .iter()
                .map(|(id, (x, _))| x - half_width(*id))
                .fold(f64::INFINITY, f64::min);
            let max_x = coords
                .iter()
                .map(|(id, (x, _))| x + half_width(*id))
                .fold(f64::NEG_INFINITY, f64::max);
            let members = coords
                .iter()
                .map(|(id, (x, y))| (*id, x - min_x, layer_ys.partition_point(|v| *v < y - 1e-6)))
                .collect();
            Component {
                members,
                width: (max_x - min_x).max(0.0),
                layers: layer_ys.len(),
            }
        })
        .collect();
    // Components fill rows ("shelves") up to a readable width, largest first.
    let row_limit = components
        .iter()
        .map(|c| c.width)
        .fold(MAX_ROW_WIDTH, f64::max);
    let mut order: Vec<usize> = (0..components.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(components.get(i).map_or(0, |c| c.members.len())));
    let layer_height = tallest + LAYER_GAP;
    let (mut x, mut row_top, mut row_layers) = (MARGIN, MARGIN, 0usize);
    let mut right: f64 = 0.0;
    let mut bottom: f64 = 0.0;
    let mut placed = vec![false; nodes.len()];
    for component in order.iter().filter_map(|&i| components.get(i)) {
        if x > MARGIN && x + component.width > MARGIN + row_limit {
            row_top += row_layers as f64 * layer_height;
            x = MARGIN;
            row_layers = 0;
        }
        for &(id, dx, layer) in &component.members {
            let Some(node) = nodes.get_mut(id) else {
                continue;
            };
            node.x = x + dx;
            node.y = row_top + tallest / 2.0 + layer as f64 * layer_height;
            right = right.max(node.x + node.width / 2.0);
            bottom = bottom.max(node.y + node.height / 2.0);
            if let Some(flag) = placed.get_mut(id) {
                *flag = true;
            }
        }
        row_layers = row_layers.max(component.layers);
        x += component.width + MARGIN * 2.0;
    }
    let mut offset_x = right + MARGIN;
    // Anything the layout did not return (it should not happen) goes on a row below.
    let mut x = MARGIN;
    let row_y = bottom + LAYER_GAP + tallest / 2.0;
    for (node, done) in nodes.iter_mut().zip(&placed) {
        if !*done {
            node.x = x + node.width / 2.0;
            node.y = row_y;
            x += node.width + NODE_SPACING;
            bottom = bottom.max(row_y + node.height / 2.0);
            offset_x = offset_x.max(x + MARGIN);
        }
    }
    (offset_x - MARGIN, bottom)
}

/// `edges` as the layout needs them: valid, without self-loops and duplicates, and acyclic —
/// every edge that closes a cycle in a depth-first search (a back edge) is reversed.
/// Iterative, O(nodes + edges).
fn acyclic_pairs(node_count: usize, edges: &[(usize, usize)]) -> Vec<(u32, u32)> {
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); node_count];
    for &(from, to) in edges {
        if from != to && to < node_count {
            if let Some(list) = out.get_mut(from) {
                list.push(to);
            }
        }
    }
    #[derive(Clone, Copy, PartialEq)]
    enum Visit {
        New,
        OnStack,
        Done,
    }
    let mut visit = vec![Visit::New; node_count];
    let mut back_edges = std::collections::HashSet::new();
    for start in 0..node_count {
        if visit.get(start) != Some(&Visit::New) {
            continue;
        }
        if let Some(v) = visit.get_mut(start) {
            *v = Visit::OnStack;
        }
        let mut stack = vec![(start, 0usize)];
        while let Some((node, next)) = stack.last().copied() {
            let Some(&target) = out.get(node).and_then(|list| list.get(next)) else {
                if let Some(v) = visit.get_mut(node) {
                    *v = Visit::Done;
                }
                stack.pop();
                continue;
            };
            if let Some(top) = stack.last_mut() {
                top.1 += 1;
            }
            match visit.get(target) {
                Some(Visit::New) => {
                    if let Some(v) = visit.get_mut(target) {
                        *v = Visit::OnStack;
                    }
                    stack.push((target, 0));
                }
                Some(Visit::OnStack) => {
                    back_edges.insert((node, target));
                }
                _ => {}
            }
        }
    }
    let mut pairs: Vec<(u32, u32)> = edges
        .iter()
        .filter(|(from, to)| from != to && *from < node_count && *to < node_count)
        .map(|&(from, to)| {
            if back_edges.contains(&(from, to)) {
                (to as u32, from as u32)
            } else {
                (from as u32, to as u32)
            }
        })
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

/// A cubic Bézier curve.
#[derive(Debug, Clone, Copy)]
struct Curve {
    points: [(f64, f64); 4],
}

impl Curve {
    fn at(&self, t: f64) -> (f64, f64) {
        let u = 1.0 - t;
        let [p0, p1, p2, p3] = self.points;
        let weights = [u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t];
        let x = weights[0] * p0.0 + weights[1] * p1.0 + weights[2] * p2.0 + weights[3] * p3.0;
        let y = weights[0] * p0.1 + weights[1] * p1.1 + weights[2] * p2.1 + weights[3] * p3.1;
        (x, y)
    }

    fn to_svg(self) -> String {
        let [p0, p1, p2, p3] = self.points;
        format!(
            "M{:.1},{:.1} C{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}",
            p0.0, p0.1, p1.0, p1.1, p2.0, p2.1, p3.0, p3.1
        )
    }
}

/// The curve of an edge from box `a` to box `b` (see the module diagram).
fn edge_curve(a: &Rect, b: &Rect, is_self: bool, offset: f64) -> Curve {
    let (half_a, half_b) = (a.height / 2.0, b.height / 2.0);
    if is_self {
        // A loop on the right side.
        let x = a.x + a.width / 2.0;
        return Curve {
            points: [
                (x, a.y - half_a / 2.0),
                (x + 40.0, a.y - half_a),
                (x + 40.0, a.y + half_a),
                (x, a.y + half_a / 2.0),
            ],
        };
    }
    if b.y > a.y + 1.0 {
        // Down to a lower layer.
        let start = (a.x + offset, a.y + half_a);
        let end = (b.x + offset, b.y - half_b);
        let bend = (end.1 - start.1) / 2.0;
        return Curve {
            points: [start, (start.0, start.1 + bend), (end.0, end.1 - bend), end],
        };
    }
    if b.y < a.y - 1.0 {
        // Back up (an edge of a cycle): leave from the side and enter the target's bottom.
        let side = if b.x >= a.x { 1.0 } else { -1.0 };
        let start = (a.x + side * a.width / 2.0, a.y + offset);
        let end = (b.x + offset, b.y + half_b);
        return Curve {
            points: [
                start,
                (start.0 + side * 60.0, start.1),
                (end.0, end.1 + 50.0),
                end,
            ],
        };
    }
    // Same layer: an arc below, from bottom to bottom.
    let start = (a.x + offset, a.y + half_a);
    let end = (b.x + offset, b.y + half_b);
    Curve {
        points: [start, (start.0, start.1 + 45.0), (end.0, end.1 + 45.0), end],
    }
}

/// The first spot along `curve` (middle first, then outwards) where a label of this size
/// overlaps no node and no label placed before; failing that, the same spots moved sideways;
/// failing that, the middle.
fn place_label(curve: &Curve, width: f64, height: f64, nodes: &[Rect], taken: &[Rect]) -> Rect {
    const STEPS: [f64; 13] = [
        0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.2, 0.8, 0.14, 0.86, 0.08, 0.92,
    ];
    let is_free = |candidate: &Rect| {
        let padded = candidate.grown(LABEL_PAD);
        padded.x - padded.width / 2.0 >= 0.0
            && padded.y - padded.height / 2.0 >= 0.0
            && !nodes.iter().any(|n| n.overlaps(&padded))
            && !taken.iter().any(|l| l.overlaps(&padded))
    };
    let at = |t: f64, shift: f64| {
        let (x, y) = curve.at(t);
        Rect {
            x: x + shift,
            y,
            width,
            height,
        }
    };
    let shifts = [
        0.0,
        width / 2.0 + 6.0,
        -(width / 2.0 + 6.0),
        width + 12.0,
        -(width + 12.0),
    ];
    for shift in shifts {
        for t in STEPS {
            let candidate = at(t, shift);
            if is_free(&candidate) {
                return candidate;
            }
        }
    }
    at(0.5, 0.0)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Panics when any two node boxes overlap, a label overlaps a node or another label, or
    /// anything lies outside the drawing.
    pub(crate) fn assert_readable(layout: &GraphLayout) {
        let inside = |r: &Rect| {
            r.x - r.width / 2.0 >= -0.01
                && r.y - r.height / 2.0 >= -0.01
                && r.x + r.width / 2.0 <= layout.width + 0.01
                && r.y + r.height / 2.0 <= layout.height + 0.01
        };
        for (i, a) in layout.nodes.iter().enumerate() {
            assert!(inside(a), "node {i} outside");
            for (j, b) in layout.nodes.iter().enumerate().skip(i + 1) {
                assert!(!a.overlaps(b), "nodes {i} and {j} overlap");
            }
        }
        let labels: Vec<&Rect> = layout
            .edges
            .iter()
            .map(|e| &e.label)
            .filter(|l| l.width > 0.0)
            .collect();
        for (i, label) in labels.iter().enumerate() {
            assert!(inside(label), "label {i} outside");
            for (j, node) in layout.nodes.iter().enumerate() {
                assert!(!label.overlaps(node), "label {i} overlaps node {j}");
            }
            for (j, other) in labels.iter().enumerate().skip(i + 1) {
                assert!(!label.overlaps(other), "labels {i} and {j} overlap");
            }
        }
    }

    #[test]
    fn a_chain_goes_down_and_labels_sit_between_layers() {
        let sizes = [(80.0, 40.0), (60.0, 40.0), (100.0, 40.0)];
        let edges = [(0, 1), (1, 2)];
        let labels = [(50.0, 14.0), (50.0, 14.0)];
        let layout = layout_graph(&sizes, &edges, &labels);
        let (a, b, c) = (layout.nodes[0], layout.nodes[1], layout.nodes[2]);
        assert!(a.y < b.y && b.y < c.y);
        let first = &layout.edges[0];
        assert!(first.path.starts_with('M'));
        assert!(first.label.y > a.y + a.height / 2.0 && first.label.y < b.y - b.height / 2.0);
        assert_readable(&layout);
    }

    #[test]
    fn cycles_self_loops_and_unknown_nodes_do_not_break_it() {
        let sizes = [(80.0, 40.0), (60.0, 40.0), (70.0, 40.0)];
        let edges = [(0, 1), (1, 2), (2, 0), (1, 1), (1, 0), (0, 9)];
        let labels = [(40.0, 14.0); 6];
        let layout = layout_graph(&sizes, &edges, &labels);
        assert_eq!(layout.edges.len(), 6);
        assert_eq!(layout.edges[5].path, "");
        assert!(!layout.edges[3].path.is_empty());
        assert_ne!(layout.edges[0].path, layout.edges[4].path);
        assert_readable(&layout);
        assert_eq!(layout_graph(&[], &[], &[]), GraphLayout::default());
    }

    #[test]
    fn dense_cycles_do_not_hang_the_layout() {
        // rust-sugiyama 0.4 never returns on this graph as it is (found by the property test).
        let edges = [
            (0, 1),
            (0, 2),
            (0, 3),
            (1, 4),
            (1, 5),
            (2, 0),
            (2, 1),
            (3, 1),
            (3, 2),
            (3, 4),
            (3, 5),
            (4, 1),
            (4, 2),
            (4, 5),
            (5, 2),
            (5, 4),
        ];
        let pairs = acyclic_pairs(6, &edges);
        // Kahn's algorithm removes every node of an acyclic graph.
        let mut incoming = [0usize; 6];
        for &(_, to) in &pairs {
            incoming[to as usize] += 1;
        }
        let mut ready: Vec<usize> = (0..6).filter(|&v| incoming[v] == 0).collect();
        let mut removed = 0;
        while let Some(v) = ready.pop() {
            removed += 1;
            for &(from, to) in &pairs {
                if from as usize == v {
                    incoming[to as usize] -= 1;
                    if incoming[to as usize] == 0 {
                        ready.push(to as usize);
                    }
                }
            }
        }
        assert_eq!(removed, 6, "acyclic: {pairs:?}");
        let (done, finished) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let sizes = [(60.0, 40.0); 6];
            let labels = [(40.0, 14.0); 16];
            let _ = done.send(layout_graph(&sizes, &edges, &labels));
        });
        let layout = finished
            .recv_timeout(std::time::Duration::from_secs(20))
            .expect("the layout finishes");
        assert_eq!(layout.nodes.len(), 6);
        let nodes_only = GraphLayout {
            edges: Vec::new(),
            ..layout
        };
        assert_readable(&nodes_only);
    }

    #[test]
    fn a_large_graph_lays_out() {
        // 600 operations in a wide tree with cross links, as a trace with many distinct
        // operation names makes.
        let sizes = vec![(160.0, 58.0); 600];
        let mut edges: Vec<(usize, usize)> = (1..600).map(|i| (i / 8, i)).collect();
        edges.extend((0..100).map(|i| (i * 5 % 600, (i * 37 + 11) % 600)));
        let labels = vec![(56.0, 16.0); edges.len()];
        let layout = layout_graph(&sizes, &edges, &labels);
        let nodes_only = GraphLayout {
            edges: Vec::new(),
            ..layout
        };
        assert_readable(&nodes_only);
    }

    /// Property tests run natively (proptest is a native dev-dependency).
    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(150))]
            /// Any graph — cycles, self-calls, duplicates, disconnected parts — lays out without
            /// panicking and stays readable.
            #[test]
            fn any_graph_is_readable(
                widths in proptest::collection::vec(30.0f64..240.0, 1..22),
                raw_edges in proptest::collection::vec((0usize..22, 0usize..22), 0..40),
            ) {
                let sizes: Vec<(f64, f64)> = widths.iter().map(|w| (*w, 40.0)).collect();
                let n = sizes.len();
                let mut edges: Vec<(usize, usize)> = raw_edges.iter().map(|(a, b)| (a % n, b % n)).collect();
                edges.sort_unstable();
                edges.dedup();
                let labels = vec![(56.0, 14.0); edges.len()];
                let layout = layout_graph(&sizes, &edges, &labels);
                let nodes_only = GraphLayout { edges: Vec::new(), ..layout.clone() };
                assert_readable(&nodes_only);
            }
        }
    }
}
