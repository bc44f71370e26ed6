//! Trace diff, A vs B: both traces' spans merged by operation path (the chain of
//! `service:operation` from the root, siblings with the same pair merged, as Jaeger's trace DAG
//! keys its nodes), then one tree with each node's count, total, self and critical-path time in
//! A and in B, and what changed.
use rustc_hash::FxHashMap;

use super::paths::PathLinks;
use crate::core::analysis::TraceAnalysis;
use crate::core::model::{Sym, Trace};

/// How a node of the merged tree differs between A and B.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DiffStatus {
    /// In both, and no figure moved by more than [`DiffConfig`] allows.
    Same,
    /// In both, with another count or a total or critical-path time that moved.
    Changed,
    /// Only in B.
    Added,
    /// Only in A.
    Removed,
}

/// When a node counts as changed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DiffConfig {
    /// A time that moves by more than this share of the larger value …
    pub relative: f64,
    /// … and by more than this many ns has changed.
    pub absolute_ns: i64,
}

impl Default for DiffConfig {
    fn default() -> Self {
        Self {
            relative: 0.1,
            absolute_ns: 100_000,
        }
    }
}

/// One side's figures of a node (zero where the side lacks it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct NodeFigures {
    /// Spans merged into the node.
    pub count: usize,
    /// Their summed duration, ns.
    pub total_ns: i64,
    /// Their summed self time, ns.
    pub self_ns: i64,
    /// Their summed time on the critical path, ns.
    pub critical_ns: i64,
}

/// One node of the merged tree.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DiffNode {
    /// The service.
    pub service: String,
    /// The operation.
    pub operation: String,
    /// Depth in the merged tree (roots are 0).
    pub depth: usize,
    /// The parent node's index in [`TraceDiff::nodes`].
    pub parent: Option<usize>,
    /// A's figures.
    pub a: NodeFigures,
    /// B's figures.
    pub b: NodeFigures,
    /// Same, changed, added (only in B) or removed (only in A).
    pub status: DiffStatus,
}

/// The change of one operation's time on the critical path, B − A.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OperationDelta {
    /// The service.
    pub service: String,
    /// The operation.
    pub operation: String,
    /// B's critical-path time minus A's, ns.
    pub delta_ns: i64,
}

/// The diff of two traces.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TraceDiff {
    /// A's trace ID.
    pub a: String,
    /// B's trace ID.
    pub b: String,
    /// A's duration, ns.
    pub duration_a_ns: i64,
    /// B's duration, ns.
    pub duration_b_ns: i64,
    /// The merged tree in pre-order (siblings by when they first start, in either trace).
    pub nodes: Vec<DiffNode>,
    /// Per operation, the change of its critical-path time, largest |delta| first (zero deltas
    /// left out).
    pub critical_delta_by_operation: Vec<OperationDelta>,
}

impl TraceDiff {
    /// The nodes' tree by reference (nodes are in pre-order, so parents come first).
    fn links(&self) -> PathLinks {
        let mut links = PathLinks::new();
        for node in &self.nodes {
            links.push(node.parent.map(|p| p as u32));
        }
        links
    }

    /// Node `i`'s path, `service:operation` from the root down (a deep one shortened, see
    /// [`PathLinks::path`]).
    pub fn path(&self, i: usize) -> Vec<String> {
        self.path_with(&self.links(), i)
    }

    fn path_with(&self, links: &PathLinks, i: usize) -> Vec<String> {
        links.path(i as u32, |n| {
            self.nodes
                .get(n as usize)
                .map(|node| format!("{}:{}", node.service, node.operation))
                .unwrap_or_default()
        })
    }

    /// How many nodes have each status: (same, changed, added, removed).
    pub fn status_counts(&self) -> (usize, usize, usize, usize) {
        let count = |s| self.nodes.iter().filter(|n| n.status == s).count();
        (
            count(DiffStatus::Same),
            count(DiffStatus::Changed),
            count(DiffStatus::Added),
            count(DiffStatus::Removed),
        )
    }

    /// The diff as `tracagg compare --json` writes it (and the page exports it): times in µs,
    /// `nodes` in pre-order with `path`, `status` and both sides' figures,
    /// `critical_delta_by_operation` largest |delta| first.
    pub fn to_json(&self) -> serde_json::Value {
        let us = |ns: i64| ns as f64 / 1000.0;
        let links = self.links();
        let nodes: Vec<serde_json::Value> = self
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| {
                serde_json::json!({
                    "path": self.path_with(&links, i), "service": n.service, "operation": n.operation,
                    "count_a": n.a.count, "count_b": n.b.count,
                    "total_us_a": us(n.a.total_ns), "total_us_b": us(n.b.total_ns),
                    "self_us_a": us(n.a.self_ns), "self_us_b": us(n.b.self_ns),
                    "critical_us_a": us(n.a.critical_ns), "critical_us_b": us(n.b.critical_ns),
                    "status": n.status, "depth": n.depth, "parent": n.parent,
                })
            })
            .collect();
        let deltas: Vec<serde_json::Value> = self
            .critical_delta_by_operation
            .iter()
            .map(|d| {
                serde_json::json!({
                    "service": d.service, "operation": d.operation, "delta_us": us(d.delta_ns),
                })
            })
            .collect();
        serde_json::json!({
            "a": self.a, "b": self.b,
            "duration_us_a": us(self.duration_a_ns), "duration_us_b": us(self.duration_b_ns),
            "summary": self.summary(),
            "nodes": nodes, "critical_delta_by_operation": deltas,
        })
    }

    /// One sentence: "B is 1.2 s (+40 %) slower; 3 operations changed, 1 added, 1 removed;
    /// most of the change is payment: charge (+900 ms on the critical path)".
    pub fn summary(&self) -> String {
        use crate::core::view_model::format_duration_ns;
        let delta = self.duration_b_ns.saturating_sub(self.duration_a_ns);
        let percent = if self.duration_a_ns > 0 {
            format!(
                " ({:+.0} %)",
                delta as f64 * 100.0 / self.duration_a_ns as f64
            )
        } else {
            String::new()
        };
        let speed = match delta.signum() {
            1 => format!("B is {}{percent} slower than A", format_duration_ns(delta)),
            -1 => format!(
                "B is {}{percent} faster than A",
                format_duration_ns(delta.saturating_neg())
            ),
            _ => "A and B take as long".to_string(),
        };
        let (_, changed, added, removed) = self.status_counts();
        let mut out = format!("{speed}; {changed} changed, {added} only in B, {removed} only in A");
        if let Some(top) = self.critical_delta_by_operation.first() {
            let sign = if top.delta_ns >= 0 { "+" } else { "−" };
            out.push_str(&format!(
                "; the largest change on the critical path is {}: {} ({sign}{})",
                top.service,
                top.operation,
                format_duration_ns(top.delta_ns.saturating_abs())
            ));
        }
        out
    }
}

/// One trace's spans merged by operation path: node figures and the tree. Keys are the
/// trace's interned strings (no copies, a fast hash): a trace of 50,000 operations merges in
/// a few milliseconds.
struct PathTree<'t> {
    /// Per node: (parent, service, operation, figures), in order of first appearance.
    nodes: Vec<(Option<usize>, &'t str, &'t str, NodeFigures)>,
    /// Per node: its first span's start after the trace's start, ns (siblings are shown in
    /// this order).
    first_start: Vec<i64>,
}

impl<'t> PathTree<'t> {
    /// Merges `trace`'s spans (pre-order, so a parent's node exists before its children's).
    fn of(trace: &'t Trace, analysis: &TraceAnalysis) -> Self {
        let mut index: FxHashMap<(Option<usize>, Sym, Sym), usize> = FxHashMap::default();
        let mut tree = PathTree {
            nodes: Vec::new(),
            first_start: Vec::new(),
        };
        let mut node_of_span: Vec<usize> = Vec::with_capacity(trace.spans.len());
        for (i, span) in trace.spans.iter().enumerate() {
            let parent = span.parent.and_then(|p| node_of_span.get(p.get()).copied());
            let next = tree.nodes.len();
            let node = *index
                .entry((parent, span.service, span.operation))
                .or_insert(next);
            if node == next {
                tree.nodes.push((
                    parent,
                    trace.str(span.service),
                    trace.str(span.operation),
                    NodeFigures::default(),
                ));
                tree.first_start.push(i64::MAX);
            }
            let offset = span.start_ns.saturating_sub(trace.start_ns);
            tree.first_start[node] = tree.first_start[node].min(offset);
            node_of_span.push(node);
            let figures = &mut tree.nodes[node].3;
            figures.count += 1;
            figures.total_ns = figures.total_ns.saturating_add(span.duration_ns);
            figures.self_ns = figures
                .self_ns
                .saturating_add(analysis.self_ns.get(i).copied().unwrap_or(0));
            figures.critical_ns = figures
                .critical_ns
                .saturating_add(analysis.critical_path.span_ns.get(i).copied().unwrap_or(0));
        }
        tree
    }
}

/// Whether two times differ by more than `config` allows.
fn moved(a: i64, b: i64, config: &DiffConfig) -> bool {
    let delta = a.saturating_sub(b).saturating_abs();
    delta > config.absolute_ns && delta as f64 > config.relative * a.max(b) as f64
}

/// The diff of A and B (each with its analysis).
pub fn diff_traces(
    a: (&Trace, &TraceAnalysis),
    b: (&Trace, &TraceAnalysis),
    config: &DiffConfig,
) -> TraceDiff {
    let (tree_a, tree_b) = (PathTree::of(a.0, a.1), PathTree::of(b.0, b.1));
    // Merged nodes: (parent, service, operation) → merged index; A's first, then B's.
    let mut merged: FxHashMap<(Option<usize>, &str, &str), usize> = FxHashMap::default();
    let mut entries: Vec<(Option<usize>, &str, &str, NodeFigures, NodeFigures)> = Vec::new();
    let mut first_start: Vec<i64> = Vec::new();
    for (side, tree) in [(0, &tree_a), (1, &tree_b)] {
        let mut map_node: Vec<usize> = Vec::with_capacity(tree.nodes.len());
        for (k, &(parent, service, operation, ref figures)) in tree.nodes.iter().enumerate() {
            let parent = parent.map(|p| map_node[p]);
            let next = entries.len();
            let node = *merged.entry((parent, service, operation)).or_insert(next);
            if node == next {
                entries.push((
                    parent,
                    service,
                    operation,
                    NodeFigures::default(),
                    NodeFigures::default(),
                ));
                first_start.push(i64::MAX);
            }
            first_start[node] = first_start[node].min(tree.first_start[k]);
            if side == 0 {
                entries[node].3 = *figures;
            } else {
                entries[node].4 = *figures;
            }
            map_node.push(node);
        }
    }
    // Pre-order over the merged tree, siblings by when they first start in either trace.
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); entries.len()];
    let mut roots = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        match entry.0 {
            Some(p) => children[p].push(i),
            None => roots.push(i),
        }
    }
    roots.sort_by_key(|&i| first_start[i]);
    for list in &mut children {
        list.sort_by_key(|&i| first_start[i]);
    }
    let mut order = Vec::with_capacity(entries.len());
    let mut stack: Vec<(usize, usize)> = roots.iter().rev().map(|&r| (r, 0)).collect();
    while let Some((node, depth)) = stack.pop() {
        order.push((node, depth));
        stack.extend(children[node].iter().rev().map(|&c| (c, depth + 1)));
    }
    let mut new_index = vec![0usize; entries.len()];
    for (position, &(node, _)) in order.iter().enumerate() {
        new_index[node] = position;
    }
    let mut nodes: Vec<DiffNode> = Vec::with_capacity(order.len());
    for &(node, depth) in &order {
        let (parent, service, operation, fa, fb) = &entries[node];
        let status = match (fa.count, fb.count) {
            (0, _) => DiffStatus::Added,
            (_, 0) => DiffStatus::Removed,
            (ca, cb)
                if ca != cb
                    || moved(fa.total_ns, fb.total_ns, config)
                    || moved(fa.critical_ns, fb.critical_ns, config) =>
            {
                DiffStatus::Changed
            }
            _ => DiffStatus::Same,
        };
        nodes.push(DiffNode {
            service: service.to_string(),
            operation: operation.to_string(),
            depth,
            parent: parent.map(|p| new_index[p]),
            a: *fa,
            b: *fb,
            status,
        });
    }
    let mut by_operation: FxHashMap<(&str, &str), i64> = FxHashMap::default();
    for node in &nodes {
        let delta = node.b.critical_ns.saturating_sub(node.a.critical_ns);
        let entry = by_operation
            .entry((&node.service, &node.operation))
            .or_default();
        *entry = entry.saturating_add(delta);
    }
    let mut critical_delta_by_operation: Vec<OperationDelta> = by_operation
        .into_iter()
        .filter(|(_, delta)| *delta != 0)
        .map(|((service, operation), delta_ns)| OperationDelta {
            service: service.to_string(),
            operation: operation.to_string(),
            delta_ns,
        })
        .collect();
    critical_delta_by_operation.sort_by(|x, y| {
        y.delta_ns
            .saturating_abs()
            .cmp(&x.delta_ns.saturating_abs())
            .then_with(|| (&x.service, &x.operation).cmp(&(&y.service, &y.operation)))
    });
    TraceDiff {
        a: a.0.trace_id.clone(),
        b: b.0.trace_id.clone(),
        duration_a_ns: a.0.duration_ns(),
        duration_b_ns: b.0.duration_ns(),
        nodes,
        critical_delta_by_operation,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::analysis::analyze_trace;
    use crate::core::analysis::quality::test_support::{s, trace};

    /// A checkout: frontend → (cart, payment ×n [, cache]).
    fn checkout(id: &str, payment_ms: i64, payments: usize, cache: bool) -> Trace {
        let ms = 1_000_000;
        let mut root = s("r", None, "frontend", "GET /checkout");
        root.dur = (20 + (payment_ms + 1) * payments as i64) * ms;
        let mut spans = vec![root];
        let mut cart = s("c", Some("r"), "cart", "get");
        cart.start = ms;
        cart.dur = 10 * ms;
        spans.push(cart);
        let ids: Vec<String> = (0..payments).map(|i| format!("p{i}")).collect();
        for (i, pid) in ids.iter().enumerate() {
            let mut pay = s(pid, Some("r"), "payment", "charge");
            pay.start = (12 + (payment_ms + 1) * i as i64) * ms;
            pay.dur = payment_ms * ms;
            spans.push(pay);
        }
        if cache {
            let mut hit = s("k", Some("c"), "cache", "GET");
            hit.start = 2 * ms;
            hit.dur = ms;
            spans.push(hit);
        }
        trace(id, spans)
    }

    #[test]
    fn merges_by_path_and_marks_changes() {
        let a = checkout("a", 100, 1, true);
        let b = checkout("b", 300, 2, false);
        let (aa, ab) = (analyze_trace(&a), analyze_trace(&b));
        let diff = diff_traces((&a, &aa), (&b, &ab), &DiffConfig::default());
        let find = |op: &str| diff.nodes.iter().find(|n| n.operation == op).unwrap();
        assert_eq!(find("GET /checkout").status, DiffStatus::Changed);
        let path_of = |name: &str| {
            let i = diff
                .nodes
                .iter()
                .position(|n| n.operation == name)
                .expect("node");
            diff.path(i)
        };
        assert_eq!(path_of("GET /checkout"), ["frontend:GET /checkout"]);
        let pay = find("charge");
        assert_eq!((pay.a.count, pay.b.count), (1, 2));
        assert_eq!(pay.status, DiffStatus::Changed);
        assert_eq!(
            path_of(&pay.operation),
            ["frontend:GET /checkout", "payment:charge"]
        );
        assert_eq!(find("get").status, DiffStatus::Same);
        let cache = find("GET");
        assert_eq!(cache.status, DiffStatus::Removed);
        assert_eq!(cache.depth, 2);
        assert_eq!(
            cache.parent,
            Some(
                diff.nodes
                    .iter()
                    .position(|n| n.operation == "get")
                    .unwrap()
            )
        );
        // Pre-order: every parent comes before its children.
        for (i, node) in diff.nodes.iter().enumerate() {
            assert!(node.parent.is_none_or(|p| p < i));
        }
        let top = &diff.critical_delta_by_operation[0];
        assert_eq!(
            (top.service.as_str(), top.operation.as_str()),
            ("payment", "charge")
        );
        assert_eq!(top.delta_ns, 500 * 1_000_000);
        assert!(
            diff.summary()
                .starts_with("B is 501 ms (+414 %) slower than A"),
            "{}",
            diff.summary()
        );
    }

    #[test]
    fn a_trace_against_itself_is_the_same_everywhere() {
        let a = checkout("a", 100, 3, true);
        let analysis = analyze_trace(&a);
        let diff = diff_traces((&a, &analysis), (&a, &analysis), &DiffConfig::default());
        assert!(diff.nodes.iter().all(|n| n.status == DiffStatus::Same));
        assert!(diff.critical_delta_by_operation.is_empty());
    }
}
