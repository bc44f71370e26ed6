//! The per-trace graph (as Jaeger UI's "Trace Graph"): one node per (service, operation) of the
//! trace with its span count, total and self time and errors, and an edge from a parent
//! span's operation to a child span's operation with the number of such calls. Recursive calls
//! (an operation calling itself) are self-loops. Laid out with [`layout_graph`].
use std::collections::HashMap;

use crate::core::model::{Sym, Trace};
use crate::core::view_model::graph::graph_layout::{EdgeRoute, Rect};
use crate::core::view_model::graph::service_graph::{
    edge_label, keep_busiest, keep_busiest_nodes, place, text_box_width,
};
use crate::core::view_model::trace_list::format_duration_ns;

/// Height of an operation box (three lines of text).
pub const OPERATION_NODE_HEIGHT: f64 = 58.0;

/// One operation of the trace.
#[derive(Debug, Clone, PartialEq)]
pub struct OperationNode {
    /// Service name.
    pub service: String,
    /// Operation name.
    pub operation: String,
    /// Spans of this operation.
    pub count: usize,
    /// Sum of their durations (ns).
    pub total_ns: i64,
    /// Sum of their self times (ns).
    pub self_ns: i64,
    /// Spans with error status.
    pub errors: usize,
    /// Where the box is.
    pub rect: Rect,
}

impl OperationNode {
    /// The third line of the box: `"3× · 12.3 ms · self 4 ms"`.
    pub fn figures(&self) -> String {
        let mut text = format!(
            "{}× · {} · self {}",
            self.count,
            format_duration_ns(self.total_ns),
            format_duration_ns(self.self_ns)
        );
        if self.errors > 0 {
            text.push_str(&format!(" · {} err", self.errors));
        }
        text
    }
}

/// Calls from one operation to another.
#[derive(Debug, Clone, PartialEq)]
pub struct OperationEdge {
    /// Calling operation (index into `nodes`).
    pub from: usize,
    /// Called operation.
    pub to: usize,
    /// Calls (child spans).
    pub calls: usize,
    /// Of them with error status.
    pub errors: usize,
    /// How it is drawn.
    pub route: EdgeRoute,
}

impl OperationEdge {
    /// The label on the edge.
    pub fn label(&self) -> String {
        edge_label(self.calls, self.errors)
    }
}

/// The laid-out operation graph of one trace.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OperationGraph {
    /// Operations, in order of first appearance (pre-order).
    pub nodes: Vec<OperationNode>,
    /// Calls.
    pub edges: Vec<OperationEdge>,
    /// Drawing width.
    pub width: f64,
    /// Drawing height.
    pub height: f64,
    /// Edges left out of the drawing (the least busy, or touching a hidden operation; see
    /// `MAX_DRAWN_EDGES`).
    pub hidden_edges: usize,
    /// Operations left out of the drawing (those with the fewest spans; see
    /// `MAX_DRAWN_NODES`).
    pub hidden_nodes: usize,
}

impl OperationGraph {
    /// Builds the graph of `trace`; `self_ns` are its spans' self times (from the analysis).
    pub fn build(trace: &Trace, self_ns: &[i64]) -> Self {
        let mut index: HashMap<(Sym, Sym), usize> = HashMap::new();
        let mut nodes: Vec<OperationNode> = Vec::new();
        let mut node_of_span = Vec::with_capacity(trace.spans.len());
        for (i, span) in trace.spans.iter().enumerate() {
            let node = *index
                .entry((span.service, span.operation))
                .or_insert_with(|| {
                    nodes.push(OperationNode {
                        service: trace.str(span.service).to_string(),
                        operation: trace.str(span.operation).to_string(),
                        count: 0,
                        total_ns: 0,
                        self_ns: 0,
                        errors: 0,
                        rect: Rect::default(),
                    });
                    nodes.len() - 1
                });
            node_of_span.push(node);
            if let Some(acc) = nodes.get_mut(node) {
                acc.count += 1;
                acc.total_ns = acc.total_ns.saturating_add(span.duration_ns);
                acc.self_ns = acc
                    .self_ns
                    .saturating_add(self_ns.get(i).copied().unwrap_or(0));
                acc.errors += usize::from(span.is_error());
            }
        }
        let mut edge_index: HashMap<(usize, usize), usize> = HashMap::new();
        let mut edges: Vec<OperationEdge> = Vec::new();
        for (i, span) in trace.spans.iter().enumerate() {
            let Some(parent) = span.parent else { continue };
            let (Some(&from), Some(&to)) = (node_of_span.get(parent.get()), node_of_span.get(i))
            else {
                continue;
            };
            let edge = *edge_index.entry((from, to)).or_insert_with(|| {
                edges.push(OperationEdge {
                    from,
                    to,
                    calls: 0,
                    errors: 0,
                    route: EdgeRoute::default(),
                });
                edges.len() - 1
            });
            if let Some(acc) = edges.get_mut(edge) {
                acc.calls += 1;
                acc.errors += usize::from(span.is_error());
            }
        }
        let edges_before = edges.len();
        let hidden_nodes = keep_busiest_nodes(
            &mut nodes,
            &mut edges,
            |n| n.count,
            |e| (&mut e.from, &mut e.to),
        );
        let hidden_edges = (edges_before - edges.len()) + keep_busiest(&mut edges, |e| e.calls);
        let sizes: Vec<(f64, f64)> = nodes
            .iter()
            .map(|n| {
                let width = text_box_width(&[&n.operation, &n.service, &n.figures()]);
                (width, OPERATION_NODE_HEIGHT)
            })
            .collect();
        let edge_labels: Vec<(usize, usize, String)> =
            edges.iter().map(|e| (e.from, e.to, e.label())).collect();
        let layout = place(&sizes, &edge_labels);
        for (node, rect) in nodes.iter_mut().zip(layout.nodes) {
            node.rect = rect;
        }
        for (edge, route) in edges.iter_mut().zip(layout.edges) {
            edge.route = route;
        }
        Self {
            nodes,
            edges,
            width: layout.width,
            height: layout.height,
            hidden_edges,
            hidden_nodes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::analysis::self_times;
    use crate::core::analysis::test_trace::build;
    use crate::core::model::SpanKind::*;

    /// A trace parsed from Zipkin JSON made of `(id, parent, name)` spans.
    fn zipkin_trace(spans: &[(usize, Option<usize>, String)]) -> Trace {
        let items: Vec<String> = spans
            .iter()
            .map(|(id, parent, name)| {
                let parent = parent.map_or(String::new(), |p| format!(r#","parentId":"{p:016x}""#));
                format!(
                    r#"{{"traceId":"0000000000000abc","id":"{id:016x}"{parent},"name":"{name}","timestamp":{},"duration":10,"localEndpoint":{{"serviceName":"s"}}}}"#,
                    1_600_000_000_000_000u64 + *id as u64
                )
            })
            .collect();
        let json = format!("[{}]", items.join(","));
        let parsed = crate::core::format::parse_file("t.json", json.as_bytes()).expect("parses");
        parsed.traces.into_iter().next().expect("one trace").build()
    }

    #[test]
    fn huge_graphs_draw_their_busiest_operations_only() {
        use crate::core::view_model::graph::service_graph::MAX_DRAWN_NODES;
        let roots: Vec<_> = (1..=7_000)
            .map(|i| (i, None, format!("root-{i}")))
            .collect();
        let chain: Vec<_> = (1..=10_000)
            .map(|i| (i, (i > 1).then(|| i - 1), format!("level-{i}")))
            .collect();
        let mut fan: Vec<_> = vec![(1, None, "root".to_string())];
        fan.extend((2..=7_000).map(|i| (i, Some(1), format!("op-{}", i % 6_000))));
        for spans in [roots, chain, fan] {
            let trace = zipkin_trace(&spans);
            let graph = OperationGraph::build(&trace, &crate::core::analysis::self_times(&trace));
            assert_eq!(graph.nodes.len(), MAX_DRAWN_NODES);
            assert!(graph.hidden_nodes > 0);
            assert_eq!(graph.nodes.len() + graph.hidden_nodes, {
                let mut names: Vec<_> = spans.iter().map(|s| s.2.clone()).collect();
                names.sort();
                names.dedup();
                names.len()
            });
            assert!(graph
                .edges
                .iter()
                .all(|e| e.from < graph.nodes.len() && e.to < graph.nodes.len()));
            assert!(graph.width.is_finite() && graph.height.is_finite());
        }
    }

    #[test]
    fn spans_of_one_operation_share_a_node() {
        let trace = build(&[
            ("r", None, "api", 0, 100, Server, false),
            ("a", Some("r"), "db", 10, 30, Client, false),
            ("b", Some("r"), "db", 40, 60, Client, true),
        ]);
        let self_ns = self_times(&trace);
        let graph = OperationGraph::build(&trace, &self_ns);
        assert_eq!(graph.nodes.len(), 3);
        assert_eq!(graph.edges.len(), 2);
        let root = &graph.nodes[0];
        assert_eq!((root.count, root.total_ns, root.self_ns), (1, 100, 60));
        assert_eq!(root.figures(), "1× · 100 ns · self 60 ns");
        let failing = graph
            .edges
            .iter()
            .find(|e| e.errors == 1)
            .expect("error edge");
        assert_eq!(failing.label(), "1 call · 1 err");
        assert!(graph.nodes[1].rect.y > root.rect.y);
    }

    #[test]
    fn hotrod_operations_merge_repeated_calls() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/otlp/api-v3-getTrace-response.json");
        let bytes = std::fs::read(path).expect("fixture");
        let mut set = crate::core::model::TraceSet::new();
        crate::core::load::load_into(&mut set, "hotrod", &bytes).expect("loads");
        let trace = set.traces().first().expect("one trace");
        let self_ns = self_times(trace);
        let graph = OperationGraph::build(trace, &self_ns);
        let spans: usize = graph.nodes.iter().map(|n| n.count).sum();
        assert_eq!(spans, 40);
        let calls: usize = graph.edges.iter().map(|e| e.calls).sum();
        assert_eq!(calls, 39, "every span but the root has a parent");
        assert!(graph.nodes.len() < 40, "repeated operations share a node");
        let redis = graph.nodes.iter().filter(|n| n.service == "redis-manual");
        let (count, errors) = redis.fold((0, 0), |(c, e), n| (c + n.count, e + n.errors));
        assert_eq!((count, errors), (14, 3));
        let layout = crate::core::view_model::graph::graph_layout::GraphLayout {
            nodes: graph.nodes.iter().map(|n| n.rect).collect(),
            edges: graph.edges.iter().map(|e| e.route.clone()).collect(),
            width: graph.width,
            height: graph.height,
        };
        crate::core::view_model::graph::graph_layout::tests::assert_readable(&layout);
    }

    #[test]
    fn a_large_generated_trace_draws_its_busiest_calls() {
        // 20,000 generated spans make thousands of operation-to-operation edges; drawing them
        // all once took minutes (label placement is quadratic in edges).
        let mut json = Vec::new();
        crate::core::generate::write_trace(
            &mut json,
            20_000,
            crate::core::generate::GenFormat::Jaeger,
            7,
        )
        .expect("generates");
        let mut set = crate::core::model::TraceSet::new();
        crate::core::load::load_into(&mut set, "big", &json).expect("loads");
        let trace = set.traces().first().expect("trace");
        let self_ns = self_times(trace);
        let (done, finished) = std::sync::mpsc::channel();
        let trace = std::sync::Arc::clone(trace);
        std::thread::spawn(move || {
            let _ = done.send(OperationGraph::build(&trace, &self_ns));
        });
        let graph = finished
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("built in time");
        assert_eq!(
            graph.edges.len(),
            crate::core::view_model::graph::service_graph::MAX_DRAWN_EDGES
        );
        assert!(graph.hidden_edges > 0);
        // The busiest first, so what is left out had no more calls than what is drawn.
        assert!(graph.edges.windows(2).all(|w| w[0].calls >= w[1].calls));
    }
}
