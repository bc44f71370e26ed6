//! The service dependency graph of the loaded traces, laid out as a layered DAG for drawing.
//!
//! Nodes are services (span and error counts; a service only known as the remote side of a
//! client span has no spans), edges are calls between services (from
//! `analysis::dependencies`). Layout: [`layout_graph`]. Box and label sizes follow the text
//! length in the monospace font the UI draws with, so labels never overlap.
use std::collections::HashMap;
use std::sync::Arc;

use crate::core::analysis::{dependencies, service_stats, Dependency, ServiceStats};
use crate::core::backend::BackendDependency;
use crate::core::model::Trace;
use crate::core::view_model::graph::graph_layout::{layout_graph, EdgeRoute, GraphLayout, Rect};

/// Font size of graph labels, CSS px (monospace).
pub const GRAPH_FONT_PX: f64 = 12.0;
/// Width of one character of that font, with a safety margin (monospace fonts use ~0.6 em).
pub const GRAPH_CHAR_PX: f64 = 7.6;
/// Height of a node box with two lines of text.
pub const NODE_HEIGHT: f64 = 44.0;
/// Height of an edge label.
pub const EDGE_LABEL_HEIGHT: f64 = 16.0;
/// At most this many edges are drawn (the busiest): more make an unreadable drawing and a slow
/// layout. The graphs say how many they leave out.
pub const MAX_DRAWN_EDGES: usize = 250;

/// Characters of a name a graph box shows (longer names end in `…`; the tooltip has more).
pub const GRAPH_NAME_CHARS: usize = 60;

/// A name as a graph box shows it (see [`GRAPH_NAME_CHARS`]).
pub(crate) fn graph_name(name: &str) -> String {
    crate::core::view_model::shorten(name, GRAPH_NAME_CHARS)
}

/// At most this many nodes are laid out and drawn (the busiest; see [`keep_busiest_nodes`]).
pub const MAX_DRAWN_NODES: usize = 250;

/// A service in the graph.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceNode {
    /// Service name.
    pub name: String,
    /// Spans of the service (0 for a service only seen as a remote peer).
    pub span_count: usize,
    /// Of them failed.
    pub error_count: usize,
    /// error_count ÷ span_count.
    pub error_rate: f64,
    /// Known only from a backend's dependency links (no span counts).
    pub from_backend: bool,
    /// Where the box is.
    pub rect: Rect,
}

impl ServiceNode {
    /// The second line of the box: `"40 spans · 3 errors"`, `"not instrumented"`, or
    /// `"from the backend"` (a node of [`ServiceGraph::from_links`], whose spans are unknown).
    pub fn detail(&self) -> String {
        if self.from_backend {
            return "from the backend".to_string();
        }
        if self.span_count == 0 {
            return "not instrumented".to_string();
        }
        let spans = plural(self.span_count, "span");
        if self.error_count == 0 {
            spans
        } else {
            format!("{spans} · {}", plural(self.error_count, "error"))
        }
    }
}

/// A call edge between two services (indices into `nodes`).
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceEdge {
    /// Calling service.
    pub from: usize,
    /// Called service.
    pub to: usize,
    /// Calls seen.
    pub calls: usize,
    /// Calls that failed.
    pub errors: usize,
    /// Median call latency (ns).
    pub p50_ns: f64,
    /// 95th percentile call latency (ns).
    pub p95_ns: f64,
    /// How it is drawn.
    pub route: EdgeRoute,
}

impl ServiceEdge {
    /// The label on the edge: `"14 calls · 3 err"`.
    pub fn label(&self) -> String {
        edge_label(self.calls, self.errors)
    }
}

/// The laid-out graph.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ServiceGraph {
    /// Services.
    pub nodes: Vec<ServiceNode>,
    /// Calls.
    pub edges: Vec<ServiceEdge>,
    /// Drawing width.
    pub width: f64,
    /// Drawing height.
    pub height: f64,
    /// Edges left out of the drawing (the least busy; see [`MAX_DRAWN_EDGES`]).
    pub hidden_edges: usize,
    /// Services left out of the drawing (those with the fewest spans; see `MAX_DRAWN_NODES`).
    pub hidden_nodes: usize,
}

impl ServiceGraph {
    /// Builds and lays out the graph of `traces`.
    pub fn build(traces: &[Arc<Trace>]) -> Self {
        Self::counted(traces).laid_out()
    }

    /// The graph of `traces` not laid out yet: counting goes over every span, the layout
    /// over the services only, so the page runs the two in separate tasks.
    pub fn counted(traces: &[Arc<Trace>]) -> Self {
        Self::from_counts(&service_stats(traces), &dependencies(traces))
    }

    /// The graph, not laid out, of services with their figures (`service_stats`) and the
    /// calls between them (`dependencies`): each goes over every span, so the page computes
    /// them in separate tasks.
    pub fn from_counts(services: &[ServiceStats], calls: &[Dependency]) -> Self {
        let mut nodes: Vec<ServiceNode> = services
            .iter()
            .map(|s| ServiceNode {
                name: s.service.clone(),
                span_count: s.span_count,
                error_count: s.error_count,
                error_rate: s.error_rate,
                from_backend: false,
                rect: Rect::default(),
            })
            .collect();
        let mut index: HashMap<String, usize> = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.name.clone(), i))
            .collect();
        let mut edges: Vec<ServiceEdge> = Vec::new();
        for d in calls {
            let from = node_named(&mut nodes, &mut index, &d.parent, false);
            let to = node_named(&mut nodes, &mut index, &d.child, false);
            edges.push(ServiceEdge {
                from,
                to,
                calls: d.call_count,
                errors: d.error_count,
                p50_ns: d.p50_ns,
                p95_ns: d.p95_ns,
                route: EdgeRoute::default(),
            });
        }
        Self {
            nodes,
            edges,
            ..Self::default()
        }
    }

    /// The graph of dependency links a backend reports (Jaeger's `/api/dependencies`, Zipkin's
    /// `/api/v2/dependencies`): services without span counts, calls with their counts.
    pub fn from_links(links: &[BackendDependency]) -> Self {
        let mut nodes: Vec<ServiceNode> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut edges = Vec::new();
        for link in links {
            let from = node_named(&mut nodes, &mut index, &link.parent, true);
            let to = node_named(&mut nodes, &mut index, &link.child, true);
            edges.push(ServiceEdge {
                from,
                to,
                calls: usize::try_from(link.calls).unwrap_or(usize::MAX),
                errors: usize::try_from(link.errors).unwrap_or(usize::MAX),
                p50_ns: 0.0,
                p95_ns: 0.0,
                route: EdgeRoute::default(),
            });
        }
        Self {
            nodes,
            edges,
            ..Self::default()
        }
        .laid_out()
    }

    /// This graph laid out: only its busiest [`MAX_DRAWN_EDGES`] edges are kept (the others
    /// are counted in `hidden_edges`), and every node and edge gets its place.
    pub fn laid_out(self) -> Self {
        let Self {
            mut nodes,
            mut edges,
            hidden_edges,
            ..
        } = self;
        let edges_before = edges.len();
        let hidden_nodes = keep_busiest_nodes(
            &mut nodes,
            &mut edges,
            |n| n.span_count,
            |e| (&mut e.from, &mut e.to),
        );
        let hidden_edges =
            hidden_edges + (edges_before - edges.len()) + keep_busiest(&mut edges, |e| e.calls);
        let sizes: Vec<(f64, f64)> = nodes
            .iter()
            .map(|n| (text_box_width(&[&n.name, &n.detail()]), NODE_HEIGHT))
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

    /// The index of the service called `name`.
    pub fn node_index(&self, name: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.name == name)
    }
}

/// Keeps the [`MAX_DRAWN_NODES`] nodes with the most spans (ties: first listed, so a trace's
/// top operations stay), drops the edges that touch a dropped node and renumbers the rest;
/// returns how many nodes were dropped. The layout's cost grows with the nodes: 7,000 distinct
/// operations trapped the page's WebAssembly.
pub(crate) fn keep_busiest_nodes<N, E>(
    nodes: &mut Vec<N>,
    edges: &mut Vec<E>,
    count: impl Fn(&N) -> usize,
    ends: impl Fn(&mut E) -> (&mut usize, &mut usize),
) -> usize {
    if nodes.len() <= MAX_DRAWN_NODES {
        return 0;
    }
    let dropped = nodes.len() - MAX_DRAWN_NODES;
    let mut order: Vec<usize> = (0..nodes.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(nodes.get(i).map_or(0, &count)));
    let mut kept = vec![false; nodes.len()];
    for &i in order.iter().take(MAX_DRAWN_NODES) {
        kept[i] = true;
    }
    // New index of each kept node, in the old order.
    let mut renumbered = vec![usize::MAX; nodes.len()];
    let mut next = 0;
    for (i, keep) in kept.iter().enumerate() {
        if *keep {
            renumbered[i] = next;
            next += 1;
        }
    }
    let mut i = 0;
    nodes.retain(|_| {
        i += 1;
        kept[i - 1]
    });
    edges.retain_mut(|edge| {
        let (from, to) = ends(edge);
        match (renumbered.get(*from), renumbered.get(*to)) {
            (Some(&f), Some(&t)) if f != usize::MAX && t != usize::MAX => {
                (*from, *to) = (f, t);
                true
            }
            _ => false,
        }
    });
    dropped
}

/// Keeps the [`MAX_DRAWN_EDGES`] edges with the most calls (ties: first listed); returns how
/// many were dropped.
pub(crate) fn keep_busiest<E>(edges: &mut Vec<E>, calls: impl Fn(&E) -> usize) -> usize {
    if edges.len() <= MAX_DRAWN_EDGES {
        return 0;
    }
    let dropped = edges.len() - MAX_DRAWN_EDGES;
    edges.sort_by_key(|e| std::cmp::Reverse(calls(e)));
    edges.truncate(MAX_DRAWN_EDGES);
    dropped
}

/// The index of the node called `name`, added (with no spans) when missing.
fn node_named(
    nodes: &mut Vec<ServiceNode>,
    index: &mut HashMap<String, usize>,
    name: &str,
    from_backend: bool,
) -> usize {
    if let Some(&i) = index.get(name) {
        return i;
    }
    nodes.push(ServiceNode {
        name: name.to_string(),
        span_count: 0,
        error_count: 0,
        error_rate: 0.0,
        from_backend,
        rect: Rect::default(),
    });
    index.insert(name.to_string(), nodes.len() - 1);
    nodes.len() - 1
}

/// Lays out boxes of `sizes` and edges `(from, to, label)`, labels sized for the graph font.
pub(crate) fn place(sizes: &[(f64, f64)], edges: &[(usize, usize, String)]) -> GraphLayout {
    let pairs: Vec<(usize, usize)> = edges.iter().map(|(from, to, _)| (*from, *to)).collect();
    let labels: Vec<(f64, f64)> = edges
        .iter()
        .map(|(_, _, label)| (label_width(label), EDGE_LABEL_HEIGHT))
        .collect();
    layout_graph(sizes, &pairs, &labels)
}

/// `"1 span"`, `"3 spans"`.
pub(crate) fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// `"14 calls · 3 err"`.
pub(crate) fn edge_label(calls: usize, errors: usize) -> String {
    let calls = plural(calls, "call");
    if errors == 0 {
        calls
    } else {
        format!("{calls} · {errors} err")
    }
}

/// Width of a box holding these lines of graph text, with padding.
pub(crate) fn text_box_width(lines: &[&str]) -> f64 {
    let chars = lines
        .iter()
        .map(|l| {
            l.chars()
                .take(GRAPH_NAME_CHARS + 1)
                .count()
                .min(GRAPH_NAME_CHARS)
        })
        .max()
        .unwrap_or(0);
    chars as f64 * GRAPH_CHAR_PX + 24.0
}

/// Width of an edge label (drawn at 11 px).
pub(crate) fn label_width(text: &str) -> f64 {
    text.chars().count() as f64 * GRAPH_CHAR_PX * 11.0 / 12.0 + 8.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::format::parse_file;
    use crate::core::model::TraceSet;

    /// Panics when anything of the graph overlaps (boxes, labels) or lies outside it.
    pub(crate) fn assert_readable(graph: &ServiceGraph) {
        let layout = crate::core::view_model::graph::graph_layout::GraphLayout {
            nodes: graph.nodes.iter().map(|n| n.rect).collect(),
            edges: graph.edges.iter().map(|e| e.route.clone()).collect(),
            width: graph.width,
            height: graph.height,
        };
        crate::core::view_model::graph::graph_layout::tests::assert_readable(&layout);
    }

    fn load(paths: &[&str]) -> TraceSet {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut set = TraceSet::new();
        for path in paths {
            let bytes = std::fs::read(root.join(path)).expect("fixture");
            for builder in parse_file(path, &bytes).expect("parses").traces {
                set.add(builder);
            }
        }
        set
    }

    #[test]
    fn hotrod_graph_has_its_services_and_calls() {
        let set = load(&["otlp/api-v3-getTrace-response.json"]);
        let graph = ServiceGraph::build(set.traces());
        assert_eq!(graph.nodes.len(), 6, "{:?}", graph.nodes);
        let edge = |from: &str, to: &str| {
            let (from, to) = (graph.node_index(from)?, graph.node_index(to)?);
            graph.edges.iter().find(|e| e.from == from && e.to == to)
        };
        let driver_redis = edge("driver", "redis-manual").expect("driver → redis");
        assert_eq!((driver_redis.calls, driver_redis.errors), (14, 3));
        assert_eq!(driver_redis.label(), "14 calls · 3 err");
        assert_readable(&graph);
        // Callers are drawn above the services they call.
        let y = |name: &str| graph.node_index(name).map(|i| graph.nodes[i].rect.y);
        assert!(y("frontend") < y("driver"));
        assert!(y("driver") < y("redis-manual"));
    }

    #[test]
    fn remote_only_services_become_nodes() {
        let mut set = TraceSet::new();
        crate::core::load::load_into(
            &mut set,
            "x",
            br#"[{"traceId":"a","id":"1","name":"get","kind":"SERVER","timestamp":0,"duration":100,"localEndpoint":{"serviceName":"api"}},
                 {"traceId":"a","id":"2","parentId":"1","name":"query","kind":"CLIENT","timestamp":10,"duration":30,
                  "localEndpoint":{"serviceName":"api"},"remoteEndpoint":{"serviceName":"postgres"}}]"#,
        )
        .unwrap();
        let graph = ServiceGraph::build(set.traces());
        let postgres = graph.node_index("postgres").expect("postgres node");
        assert_eq!(graph.nodes[postgres].detail(), "not instrumented");
        assert_eq!(graph.edges.len(), 1);
        assert_eq!(graph.edges[0].to, postgres);
    }

    #[test]
    fn backend_links_make_a_graph() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/jaeger-api/DependencyGraph-sample_data-small.json");
        let body = format!(
            "{{\"data\":{}}}",
            std::fs::read_to_string(path).expect("fixture")
        );
        let links = crate::core::backend::parse_dependencies(&body).expect("parses");
        let graph = ServiceGraph::from_links(&links);
        assert_eq!(graph.nodes.len(), 8);
        assert_eq!(graph.edges.len(), 7);
        assert_eq!(graph.nodes[0].detail(), "from the backend");
        assert!(graph.edges.iter().any(|e| e.label() == "129216 calls"));
        assert_readable(&graph);
    }

    #[test]
    fn only_the_busiest_edges_are_drawn() {
        let mut edges: Vec<usize> = (0..MAX_DRAWN_EDGES + 10).collect();
        assert_eq!(keep_busiest(&mut edges, |&calls| calls), 10);
        assert_eq!(edges.len(), MAX_DRAWN_EDGES);
        assert_eq!(edges.first(), Some(&(MAX_DRAWN_EDGES + 9)));
        assert!(!edges.contains(&9));
        let mut few = vec![3, 1];
        assert_eq!(keep_busiest(&mut few, |&calls| calls), 0);
        assert_eq!(few, vec![3, 1]);
    }

    #[test]
    fn counting_then_laying_out_keeps_every_call_and_draws_the_busiest() {
        // A generated trace of 40 services has more calls between them than are drawn.
        let mut bytes = Vec::new();
        crate::core::generate::write_trace(
            &mut bytes,
            20_000,
            crate::core::generate::GenFormat::Jaeger,
            7,
        )
        .expect("generates");
        let mut set = TraceSet::new();
        crate::core::load::load_into(&mut set, "gen.json", &bytes).expect("loads");
        let counted = ServiceGraph::counted(set.traces());
        assert!(
            counted.edges.len() > MAX_DRAWN_EDGES,
            "{}",
            counted.edges.len()
        );
        assert_eq!(counted.hidden_edges, 0);
        assert!(counted.nodes.iter().all(|n| n.rect == Rect::default()));
        let calls = |g: &ServiceGraph| g.edges.iter().map(|e| e.calls).collect::<Vec<_>>();
        let mut busiest = calls(&counted);
        busiest.sort_unstable_by(|a, b| b.cmp(a));

        let laid = counted.clone().laid_out();
        assert_eq!(laid.hidden_edges, counted.edges.len() - MAX_DRAWN_EDGES);
        let mut drawn = calls(&laid);
        drawn.sort_unstable_by(|a, b| b.cmp(a));
        assert_eq!(drawn, busiest[..MAX_DRAWN_EDGES]);
        assert_eq!(laid, ServiceGraph::build(set.traces()));
        assert_eq!(laid.nodes.len(), counted.nodes.len());
        assert!(laid.nodes.iter().all(|n| n.rect.width > 0.0));
        assert_readable(&laid);
    }

    #[test]
    fn every_fixture_together_is_readable() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut paths = Vec::new();
        for dir in ["jaeger", "otlp", "zipkin"] {
            for entry in std::fs::read_dir(root.join(dir)).expect("dir").flatten() {
                let name = entry.file_name().to_string_lossy().to_string();
                paths.push(format!("{dir}/{name}"));
            }
        }
        let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
        let graph = ServiceGraph::build(load(&paths).traces());
        assert!(graph.nodes.len() >= 20, "{} services", graph.nodes.len());
        assert!(graph.edges.len() >= 15, "{} edges", graph.edges.len());
        assert_readable(&graph);
    }

    #[test]
    fn each_fixture_alone_is_readable() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        for dir in ["jaeger", "otlp", "zipkin"] {
            for entry in std::fs::read_dir(root.join(dir)).expect("dir").flatten() {
                let name = format!("{dir}/{}", entry.file_name().to_string_lossy());
                let graph = ServiceGraph::build(load(&[&name]).traces());
                assert_readable(&graph);
            }
        }
    }
}
