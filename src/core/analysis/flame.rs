//! Flamegraphs of traces: an icicle whose frames are call stacks of `service: operation`, with
//! siblings of the same service and operation merged (widths are summed durations, counts
//! kept), self time per frame, and a critical-path variant weighted by the time each span is
//! what the trace waits for (Jaeger's critical path). Several traces sum into one graph (all
//! traces of one root operation: where the time of an endpoint goes). Exported as folded stacks
//! (`a;b;c 123`, the format flamegraph tools read).
use std::collections::HashMap;
use std::sync::Arc;

use crate::core::analysis::TraceAnalysis;
use crate::core::model::{Sym, Trace};

/// What a frame's width measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FlameWeight {
    /// Span durations (children that ran in parallel are scaled to fit their parent).
    #[default]
    Duration,
    /// Time on the critical path: what the trace waited for, by call stack.
    CriticalPath,
}

/// One frame: a call stack's last `service: operation`, merged over the spans that had it.
#[derive(Debug, Clone, PartialEq)]
pub struct FlameFrame {
    /// The service (shared with every frame of that service).
    pub service: Arc<str>,
    /// The operation.
    pub operation: Arc<str>,
    /// The parent frame (index into `frames`); `None` for a root.
    pub parent: Option<usize>,
    /// 0 for roots.
    pub depth: u32,
    /// Spans merged into the frame.
    pub count: usize,
    /// Summed weight (ns).
    pub total_ns: i64,
    /// Summed weight not covered by children (ns).
    pub self_ns: i64,
    /// Left edge, as a fraction of the whole graph's width.
    pub x: f64,
    /// Width, as a fraction of the whole graph's width.
    pub width: f64,
}

impl FlameFrame {
    /// `service: operation`.
    pub fn label(&self) -> String {
        format!("{}: {}", self.service, self.operation)
    }
}

/// A flamegraph: frames in pre-order (parents before children, siblings by weight).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FlameGraph {
    /// The frames.
    pub frames: Vec<FlameFrame>,
    /// The graph's full width (ns): the roots' summed weight.
    pub total_ns: i64,
    /// Traces summed in.
    pub traces: usize,
    /// Deepest frame + 1.
    pub depth: u32,
}

/// The merged call tree while it is built (names as indices into the name table).
#[derive(Default)]
struct Node {
    key: (u32, u32),
    count: usize,
    total_ns: i64,
    self_ns: i64,
    children: Vec<usize>,
}

/// Names across traces, each kept once.
#[derive(Default)]
struct Names {
    index: HashMap<Arc<str>, u32>,
    list: Vec<Arc<str>>,
}

impl Names {
    fn id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.index.get(name) {
            return id;
        }
        let id = self.list.len() as u32;
        let shared: Arc<str> = Arc::from(name);
        self.list.push(Arc::clone(&shared));
        self.index.insert(shared, id);
        id
    }

    fn get(&self, id: u32) -> Arc<str> {
        self.list
            .get(id as usize)
            .cloned()
            .unwrap_or_else(|| Arc::from(""))
    }
}

/// Builds a flamegraph of `traces` (each with its analysis), weighted by `weight`.
pub fn flame_graph(traces: &[(Arc<Trace>, Arc<TraceAnalysis>)], weight: FlameWeight) -> FlameGraph {
    // nodes[0] is a virtual root above every trace's roots; `child_of` finds a node's child
    // by (parent, service, operation).
    let mut nodes: Vec<Node> = vec![Node::default()];
    let mut names = Names::default();
    let mut child_of: rustc_hash::FxHashMap<(usize, u32, u32), usize> =
        rustc_hash::FxHashMap::default();
    for (trace, analysis) in traces {
        let n = trace.spans.len();
        // Per span: its weight and its self weight.
        let (totals, selfs): (Vec<i64>, Vec<i64>) = match weight {
            FlameWeight::Duration => (
                trace.spans.iter().map(|s| s.duration_ns.max(0)).collect(),
                (0..n)
                    .map(|i| analysis.self_ns.get(i).copied().unwrap_or(0).max(0))
                    .collect(),
            ),
            FlameWeight::CriticalPath => {
                let own: Vec<i64> = (0..n)
                    .map(|i| {
                        analysis
                            .critical_path
                            .span_ns
                            .get(i)
                            .copied()
                            .unwrap_or(0)
                            .max(0)
                    })
                    .collect();
                // A frame's critical time is its own plus its subtree's (pre-order: children
                // come after their parent, so summing backwards reaches every ancestor).
                let mut subtree = own.clone();
                for i in (0..n).rev() {
                    if let Some(parent) = trace.spans.get(i).and_then(|s| s.parent) {
                        let add = subtree.get(i).copied().unwrap_or(0);
                        if let Some(slot) = subtree.get_mut(parent.get()) {
                            *slot = slot.saturating_add(add);
                        }
                    }
                }
                (subtree, own)
            }
        };
        let mut node_of_span = vec![0usize; n];
        // This trace's symbols → name ids (a few hundred names, looked up once each).
        let mut name_of: rustc_hash::FxHashMap<Sym, u32> = rustc_hash::FxHashMap::default();
        for (i, span) in trace.spans.iter().enumerate() {
            let total = totals.get(i).copied().unwrap_or(0);
            if weight == FlameWeight::CriticalPath && total == 0 {
                // Not on the critical path, nor anything under it.
                node_of_span[i] = usize::MAX;
                continue;
            }
            let parent_node = match span.parent {
                Some(p) => node_of_span.get(p.get()).copied().unwrap_or(0),
                None => 0,
            };
            if parent_node == usize::MAX {
                node_of_span[i] = usize::MAX;
                continue;
            }
            let mut id = |sym: Sym| {
                *name_of
                    .entry(sym)
                    .or_insert_with(|| names.id(trace.str(sym)))
            };
            let key = (id(span.service), id(span.operation));
            let next = nodes.len();
            let child = *child_of.entry((parent_node, key.0, key.1)).or_insert(next);
            if child == next {
                nodes.push(Node {
                    key,
                    ..Node::default()
                });
                if let Some(parent) = nodes.get_mut(parent_node) {
                    parent.children.push(child);
                }
            }
            if let Some(node) = nodes.get_mut(child) {
                node.count += 1;
                node.total_ns = node.total_ns.saturating_add(total);
                node.self_ns = node
                    .self_ns
                    .saturating_add(selfs.get(i).copied().unwrap_or(0));
            }
            node_of_span[i] = child;
        }
    }
    let total_ns = nodes
        .first()
        .map(|root| {
            root.children
                .iter()
                .filter_map(|&c| nodes.get(c))
                .fold(0i64, |sum, n| sum.saturating_add(n.total_ns))
        })
        .unwrap_or(0);
    let mut graph = FlameGraph {
        frames: Vec::new(),
        total_ns,
        traces: traces.len(),
        depth: 0,
    };
    // Lay out in pre-order: each frame's children side by side from its left edge, heaviest
    // first, scaled down when (parallel) children add up to more than the frame.
    let mut stack: Vec<(usize, Option<usize>, u32, f64, f64)> = Vec::new();
    let push_children = |stack: &mut Vec<(usize, Option<usize>, u32, f64, f64)>,
                         nodes: &mut [Node],
                         node: usize,
                         frame: Option<usize>,
                         depth: u32,
                         x: f64,
                         width: f64| {
        let Some(parent) = nodes.get_mut(node) else {
            return;
        };
        // Each node's children are laid out once: take them instead of copying.
        let mut children = std::mem::take(&mut parent.children);
        let parent_total_ns = parent.total_ns;
        let nodes: &[Node] = nodes;
        children.sort_by(|a, b| {
            let (na, nb) = (&nodes[*a], &nodes[*b]);
            nb.total_ns.cmp(&na.total_ns).then(na.key.cmp(&nb.key))
        });
        let sum = children
            .iter()
            .fold(0i64, |s, &c| s.saturating_add(nodes[c].total_ns)) as f64;
        let parent_total = if frame.is_none() {
            sum
        } else {
            parent_total_ns as f64
        };
        let scale = if sum > parent_total && sum > 0.0 {
            parent_total / sum
        } else {
            1.0
        };
        let unit = if parent_total > 0.0 {
            width / parent_total
        } else {
            0.0
        };
        let first = stack.len();
        let mut at = x;
        for c in children {
            let w = nodes[c].total_ns as f64 * scale * unit;
            stack.push((c, frame, depth, at, w));
            at += w;
        }
        // The stack pops the last first: reverse to keep left-to-right order.
        if let Some(pushed) = stack.get_mut(first..) {
            pushed.reverse();
        }
    };
    push_children(&mut stack, &mut nodes, 0, None, 0, 0.0, 1.0);
    while let Some((node, parent, depth, x, width)) = stack.pop() {
        let Some(n) = nodes.get(node) else { continue };
        let index = graph.frames.len();
        graph.frames.push(FlameFrame {
            service: names.get(n.key.0),
            operation: names.get(n.key.1),
            parent,
            depth,
            count: n.count,
            total_ns: n.total_ns,
            self_ns: n.self_ns,
            x,
            width,
        });
        graph.depth = graph.depth.max(depth + 1);
        push_children(
            &mut stack,
            &mut nodes,
            node,
            Some(index),
            depth + 1,
            x,
            width,
        );
    }
    graph
}

/// A frame name as folded stacks may hold it. What the readers treat as syntax is replaced:
/// - `;` (the frame separator) becomes `,`;
/// - line breaks of any kind (`\n`, `\r`, U+0085, U+2028, U+2029: speedscope splits on them)
///   and other control characters become a space;
/// - trailing whitespace is dropped, and whitespace before a trailing number (`retry 3`)
///   becomes `_` (`retry_3`): flamegraph.pl reads a line ending in two numbers as a
///   differential one.
pub fn folded_frame(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| match c {
            ';' => ',',
            '\u{2028}' | '\u{2029}' => ' ',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    // Trailing whitespace would stand between a trailing number and the count.
    out.truncate(out.trim_end().len());
    let digits = out.len()
        - out
            .trim_end_matches(|c: char| c.is_ascii_digit() || c == '.')
            .len();
    if digits > 0 {
        let head = &out[..out.len() - digits];
        let spaces = head.len() - head.trim_end().len();
        if spaces > 0 {
            let number = out[out.len() - digits..].to_string();
            out.truncate(head.len() - spaces);
            out.push_str(&"_".repeat(spaces));
            out.push_str(&number);
        }
    }
    out
}

impl FlameGraph {
    /// Folded stacks, one line per frame with self weight: `svc: op;svc: op 123` (ns), the
    /// format flamegraph.pl, speedscope and inferno read. Each frame name goes through
    /// [`folded_frame`], so no name can break a line or be read as a count.
    pub fn folded(&self) -> String {
        let mut out = String::new();
        for (i, frame) in self.frames.iter().enumerate() {
            if frame.self_ns <= 0 {
                continue;
            }
            let mut path = Vec::new();
            let mut at = Some(i);
            while let Some(f) = at.and_then(|f| self.frames.get(f)) {
                path.push(folded_frame(&f.label()));
                at = f.parent;
            }
            path.reverse();
            out.push_str(&path.join(";"));
            out.push_str(&format!(" {}\n", frame.self_ns));
        }
        out
    }

    /// A standalone SVG picture of the graph (zoomed into `root`, or whole), `width_px` wide:
    /// one rectangle per frame wide enough to see, coloured by `colour(service)`, its label
    /// shortened to what fits, and a `<title>` tooltip. Text is XML-escaped: names are
    /// untrusted.
    pub fn svg(
        &self,
        root: Option<usize>,
        width_px: f64,
        colour: impl Fn(&str) -> &'static str,
    ) -> String {
        const ROW: f64 = 20.0;
        const CHAR_PX: f64 = 6.5;
        let escape = crate::core::view_model::escape_markup;
        let frames = self.zoomed(root, 1.0 / width_px.max(1.0));
        let height = f64::from(self.depth.max(1)) * ROW;
        let mut out = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width_px:.0}\" height=\"{height:.0}\" font-family=\"sans-serif\" font-size=\"11\">\n"
        );
        for (i, x, w) in frames {
            let Some(f) = self.frames.get(i) else {
                continue;
            };
            let (left, width) = (x * width_px, w * width_px);
            let top = f64::from(f.depth) * ROW;
            let label = f.label();
            let fits = ((width - 6.0) / CHAR_PX).floor().max(0.0) as usize;
            let shown = crate::core::view_model::shorten(&label, fits);
            out.push_str(&format!(
                "<g><title>{} ({}×, total {} ns, self {} ns)</title><rect x=\"{left:.2}\" y=\"{top:.0}\" width=\"{width:.2}\" height=\"{:.0}\" fill=\"{}\" stroke=\"#fff\"/>",
                escape(&crate::core::view_model::shorten(&label, 4_000)),
                f.count,
                f.total_ns,
                f.self_ns,
                ROW - 1.0,
                colour(&f.service)
            ));
            if fits >= 3 {
                out.push_str(&format!(
                    "<text x=\"{:.2}\" y=\"{:.0}\">{}</text>",
                    left + 3.0,
                    top + 14.0,
                    escape(&shown)
                ));
            }
            out.push_str("</g>\n");
        }
        out.push_str("</svg>\n");
        out
    }

    /// The frames to draw when zoomed into `root` (or the whole graph): each with its left
    /// edge and width as fractions of the view, leaving out frames under `min_width`.
    pub fn zoomed(&self, root: Option<usize>, min_width: f64) -> Vec<(usize, f64, f64)> {
        let (x0, w0) = match root.and_then(|r| self.frames.get(r)) {
            Some(f) if f.width > 0.0 => (f.x, f.width),
            _ => (0.0, 1.0),
        };
        let inside = |i: usize| {
            let Some(root) = root else { return true };
            let mut at = Some(i);
            while let Some(f) = at {
                if f == root {
                    return true;
                }
                at = self.frames.get(f).and_then(|fr| fr.parent);
            }
            false
        };
        // Ancestors of the zoomed frame stay drawn across the full width, as in other tools.
        let mut ancestors = Vec::new();
        let mut at = root.and_then(|r| self.frames.get(r)).and_then(|f| f.parent);
        while let Some(a) = at {
            ancestors.push((a, 0.0, 1.0));
            at = self.frames.get(a).and_then(|f| f.parent);
        }
        ancestors.reverse();
        ancestors
            .into_iter()
            .chain(
                self.frames
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| inside(*i))
                    .map(|(i, f)| (i, (f.x - x0) / w0, f.width / w0))
                    .filter(|(_, _, w)| *w >= min_width),
            )
            .collect()
    }
}

/// The frame drawn at `x` (a fraction of the view's width) in row `depth`, among the frames
/// of a [`FlameGraph::zoomed`] view: for hovering and clicking a drawn graph.
pub fn frame_at(
    graph: &FlameGraph,
    drawn: &[(usize, f64, f64)],
    x: f64,
    depth: u32,
) -> Option<usize> {
    drawn
        .iter()
        .filter(|(i, fx, w)| {
            graph.frames.get(*i).is_some_and(|f| f.depth == depth) && x >= *fx && x < fx + w
        })
        .map(|(i, _, _)| *i)
        .next_back()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_at_finds_the_drawn_frame_under_a_point() {
        let graph = FlameGraph {
            frames: vec![
                FlameFrame {
                    service: "a".into(),
                    operation: "root".into(),
                    parent: None,
                    depth: 0,
                    count: 1,
                    total_ns: 10,
                    self_ns: 2,
                    x: 0.0,
                    width: 1.0,
                },
                FlameFrame {
                    service: "a".into(),
                    operation: "child".into(),
                    parent: Some(0),
                    depth: 1,
                    count: 1,
                    total_ns: 8,
                    self_ns: 8,
                    x: 0.0,
                    width: 0.8,
                },
            ],
            ..FlameGraph::default()
        };
        let drawn = graph.zoomed(None, 0.0);
        assert_eq!(frame_at(&graph, &drawn, 0.5, 0), Some(0));
        assert_eq!(frame_at(&graph, &drawn, 0.5, 1), Some(1));
        assert_eq!(frame_at(&graph, &drawn, 0.9, 1), None);
        assert_eq!(frame_at(&graph, &drawn, 0.5, 2), None);
    }
    use crate::core::analysis::analyze_trace;

    fn graph_of(weight: FlameWeight) -> FlameGraph {
        // api: handle (0–100) calls db: query twice (10–30, 40–60) and cache: get (70–80).
        let span = |id: u32, parent: Option<u32>, service: &str, name: &str, ts: u32, dur: u32| {
            let parent = parent.map_or(String::new(), |p| format!(r#","parentId":"{p:016x}""#));
            format!(
                r#"{{"traceId":"abc","id":"{id:016x}"{parent},"name":"{name}","timestamp":{ts},"duration":{dur},"localEndpoint":{{"serviceName":"{service}"}}}}"#
            )
        };
        let json = format!(
            "[{},{},{},{}]",
            span(1, None, "api", "handle", 1000, 100),
            span(2, Some(1), "db", "query", 1010, 20),
            span(3, Some(1), "db", "query", 1040, 20),
            span(4, Some(1), "cache", "get", 1070, 10)
        );
        let parsed = crate::core::format::parse_file("f.json", json.as_bytes()).expect("parses");
        let trace = Arc::new(parsed.traces.into_iter().next().expect("trace").build());
        let analysis = Arc::new(analyze_trace(&trace));
        flame_graph(&[(trace, analysis)], weight)
    }

    #[test]
    fn siblings_of_one_operation_merge_and_widths_add_up() {
        let graph = graph_of(FlameWeight::Duration);
        assert_eq!(graph.frames.len(), 3);
        assert_eq!(graph.total_ns, 100_000);
        let root = &graph.frames[0];
        assert_eq!(
            (root.count, root.total_ns, root.self_ns),
            (1, 100_000, 50_000)
        );
        assert_eq!((root.x, root.width), (0.0, 1.0));
        let db = &graph.frames[1];
        assert_eq!(
            (db.count, db.total_ns, db.parent, db.depth),
            (2, 40_000, Some(0), 1)
        );
        assert!((db.width - 0.4).abs() < 1e-9 && db.x == 0.0);
        let cache = &graph.frames[2];
        assert!((cache.x - 0.4).abs() < 1e-9 && (cache.width - 0.1).abs() < 1e-9);
        assert_eq!(graph.depth, 2);
        let folded = graph.folded();
        assert!(folded.contains("api: handle;db: query 40000"), "{folded}");
        assert_eq!(folded.lines().count(), 3);
        let sum: i64 = folded
            .lines()
            .filter_map(|l| l.rsplit_once(' ')?.1.parse::<i64>().ok())
            .sum();
        assert_eq!(sum, 100_000, "self times add up to the root");
    }

    #[test]
    fn the_critical_path_flamegraph_keeps_what_the_trace_waited_for() {
        let graph = graph_of(FlameWeight::CriticalPath);
        assert_eq!(graph.total_ns, 100_000);
        assert!(graph.frames.iter().all(|f| f.total_ns > 0));
        let self_sum: i64 = graph.frames.iter().map(|f| f.self_ns).sum();
        assert_eq!(self_sum, 100_000);
    }

    #[test]
    fn the_svg_escapes_names_and_draws_every_visible_frame() {
        let mut graph = graph_of(FlameWeight::Duration);
        graph.frames[2].operation = Arc::from("<script>alert(1)</script>");
        let svg = graph.svg(None, 1000.0, |_| "#abcdef");
        assert!(svg.starts_with("<svg xmlns="));
        assert_eq!(svg.matches("<rect").count(), 3);
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;"));
        assert!(svg.contains("api: handle"));
    }

    #[test]
    fn zooming_rescales_a_frame_to_the_full_width() {
        let graph = graph_of(FlameWeight::Duration);
        let zoomed = graph.zoomed(Some(1), 0.0);
        assert_eq!(zoomed[0], (0, 0.0, 1.0), "the ancestor spans the view");
        assert_eq!(zoomed[1].0, 1);
        assert!((zoomed[1].2 - 1.0).abs() < 1e-9);
        assert!(graph.zoomed(None, 0.2).iter().all(|(_, _, w)| *w >= 0.2));
    }

    #[test]
    fn folded_frames_hold_no_syntax_of_the_readers() {
        assert_eq!(folded_frame("retry 3"), "retry_3");
        assert_eq!(folded_frame("step\t 0.5"), "step__0.5");
        assert_eq!(
            folded_frame("a;b\rc\u{2028}d\u{2029}e\u{85}f\ng"),
            "a,b c d e f g"
        );
        assert_eq!(folded_frame("GET /v2"), "GET /v2");
        assert_eq!(folded_frame("42"), "42");
        assert_eq!(folded_frame("svc: op 7 \r"), "svc: op_7");
        // Every line of folded stacks is `frames count`, one count, whatever the names.
        for name in ["retry 3", "x\ry 12", "a\u{2028}1", "op 7 "] {
            let line = format!("{} 100", folded_frame(name));
            let fields: Vec<&str> = line.split_whitespace().collect();
            assert!(
                !line.contains(['\r', '\n', '\u{2028}', '\u{2029}']),
                "{line:?}"
            );
            assert!(
                fields.len() < 2 || fields[fields.len() - 2].parse::<f64>().is_err(),
                "{line:?} reads as differential"
            );
        }
    }
}
