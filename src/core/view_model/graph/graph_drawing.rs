//! What a graph looks like on screen, for both the service graph and the per-trace operation
//! graph: each node's box, text lines, colours and tooltip, each edge's path, label, width,
//! colour and tooltip. The UI draws this as SVG and never decides a colour itself.
use crate::core::view_model::colour::service_colour;
use crate::core::view_model::graph::graph_layout::Rect;
use crate::core::view_model::graph::operation_graph::OperationGraph;
use crate::core::view_model::graph::service_graph::graph_name;
use crate::core::view_model::graph::service_graph::ServiceGraph;
use crate::core::view_model::trace_list::format_duration_ns;
use crate::core::view_model::{shorten, TITLE_CHARS};

/// What a click on a node or an edge is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GraphTarget {
    /// A service (service graph) or operation (operation graph) node.
    Node(usize),
    /// An edge.
    Edge(usize),
}

/// A node as drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct DrawnNode {
    /// Its box.
    pub rect: Rect,
    /// Text lines, the first in bold.
    pub lines: Vec<String>,
    /// Box fill.
    pub fill: &'static str,
    /// Box border.
    pub stroke: &'static str,
    /// A stripe on the left in the service's colour (operation graph), if any.
    pub stripe: Option<&'static str>,
    /// Hover text.
    pub tooltip: String,
    /// The name a test or a filter refers to it by (service name, or `service: operation`).
    pub key: String,
}

/// An edge as drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct DrawnEdge {
    /// SVG path data.
    pub path: String,
    /// Label text.
    pub label: String,
    /// Where the label goes.
    pub label_rect: Rect,
    /// Line colour (red when calls failed).
    pub stroke: &'static str,
    /// Line width, px (grows with the call count).
    pub width: f64,
    /// Hover text.
    pub tooltip: String,
    /// `from → to`, for tests and the edge's trace list.
    pub key: String,
}

/// A whole graph as drawn.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GraphDrawing {
    /// Nodes.
    pub nodes: Vec<DrawnNode>,
    /// Edges.
    pub edges: Vec<DrawnEdge>,
    /// Width of the drawing.
    pub width: f64,
    /// Height of the drawing.
    pub height: f64,
}

/// Colours for an error rate: none, some (under 5 %), many.
fn error_colours(error_rate: f64) -> (&'static str, &'static str) {
    if error_rate <= 0.0 {
        ("#f1f7f1", "#5b8f5b")
    } else if error_rate < 0.05 {
        ("#fff5e6", "#c98a1a")
    } else {
        ("#fdecec", "#c62f2f")
    }
}

/// Edge width for a call count: 1.2 px for one call, up to 5 px (logarithmic).
fn edge_width(calls: usize, most_calls: usize) -> f64 {
    let ratio = (calls.max(1) as f64).ln() / (most_calls.max(2) as f64).ln();
    1.2 + 3.8 * ratio.clamp(0.0, 1.0)
}

fn edge_stroke(errors: usize) -> &'static str {
    if errors > 0 {
        "#c62f2f"
    } else {
        "#7d8799"
    }
}

/// Colours for a service's latency shift against a baseline (the relative change of the p50 of
/// its operation that moved most): much slower, slower, about the same, faster, or new.
fn shift_colours(shift: f64) -> (&'static str, &'static str) {
    if shift.is_infinite() {
        ("#eee8f7", "#7b5ea7")
    } else if shift >= 0.5 {
        ("#fdecec", "#c62f2f")
    } else if shift >= 0.1 {
        ("#fff5e6", "#c98a1a")
    } else if shift <= -0.1 {
        ("#eaf6ea", "#3f8f3f")
    } else {
        ("#f4f5f7", "#8a93a3")
    }
}

/// Per service, the relative p50 change (−0.2 = 20 % faster) of its operation with the largest
/// |impact| in `changes`; infinite for a service the baseline never had.
pub fn service_shifts(
    changes: &[crate::core::analysis::compare::OperationChange],
) -> std::collections::HashMap<String, f64> {
    let mut best: std::collections::HashMap<String, (f64, f64)> = std::collections::HashMap::new();
    for c in changes {
        let shift = if c.count_baseline == 0 {
            f64::INFINITY
        } else if c.p50_baseline > 0.0 {
            (c.p50_current - c.p50_baseline) / c.p50_baseline
        } else {
            0.0
        };
        let entry = best.entry(c.service.clone()).or_insert((-1.0, 0.0));
        // Only present-in-baseline operations decide, unless the whole service is new.
        let weight = if shift.is_infinite() {
            -0.5
        } else {
            c.impact.abs()
        };
        if weight > entry.0 {
            *entry = (weight, shift);
        }
    }
    best.into_iter().map(|(k, (_, shift))| (k, shift)).collect()
}

/// The least scale (screen pixels per drawing unit) at which a fitted graph opens: below it
/// the labels cannot be read, so the graph opens at scale 1 around its root instead.
pub const MIN_READABLE_SCALE: f64 = 0.7;

/// How a drawing first shows in an element of a given width: the part in view (drawing
/// units) and the element's height in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OpeningView {
    /// Left edge of the part in view.
    pub x: f64,
    /// Top edge of the part in view.
    pub y: f64,
    /// Width of the part in view.
    pub width: f64,
    /// Height of the part in view.
    pub height: f64,
    /// The element's height, px.
    pub element_height: f64,
    /// The whole drawing is in view.
    pub fitted: bool,
}

impl GraphDrawing {
    /// How the drawing opens in an element `width_px` wide: the whole drawing when that keeps
    /// it at [`MIN_READABLE_SCALE`] or more (never enlarged), else at scale 1 around the root
    /// (the topmost node), at most `max_height_px` high, with the rest a pan or Fit away (a
    /// trace graph of 87 operations fitted was too small to read).
    pub fn opening_view(&self, width_px: f64, max_height_px: f64) -> OpeningView {
        let (width, height) = (self.width.max(1.0), self.height.max(1.0));
        let width_px = width_px.max(1.0);
        let scale = (width_px / width).min(1.0);
        if scale >= MIN_READABLE_SCALE {
            return OpeningView {
                x: 0.0,
                y: 0.0,
                width,
                height,
                element_height: (height * scale).clamp(60.0, 2400.0),
                fitted: true,
            };
        }
        let element_height = height.min(max_height_px).max(200.0);
        let root_x = self
            .nodes
            .iter()
            .min_by(|a, b| a.rect.y.total_cmp(&b.rect.y))
            .map_or(width / 2.0, |node| node.rect.x);
        let x = (root_x - width_px / 2.0).clamp(0.0, (width - width_px).max(0.0));
        OpeningView {
            x,
            y: 0.0,
            width: width_px,
            height: element_height,
            element_height,
            fitted: false,
        }
    }

    /// The same drawing with each service box coloured by its latency shift against a baseline
    /// (see [`service_shifts`]); services without a figure keep their colours.
    pub fn with_shifts(mut self, shifts: &std::collections::HashMap<String, f64>) -> Self {
        for node in &mut self.nodes {
            if let Some(&shift) = shifts.get(&node.key) {
                let (fill, stroke) = shift_colours(shift);
                node.fill = fill;
                node.stroke = stroke;
                let said = if shift.is_infinite() {
                    "new: not in the baseline".to_string()
                } else {
                    format!("p50 vs baseline: {:+.0} %", shift * 100.0)
                };
                node.tooltip = format!("{}\n{said}", node.tooltip);
            }
        }
        self
    }

    /// The service dependency graph.
    pub fn of_services(graph: &ServiceGraph) -> Self {
        let most_calls = graph.edges.iter().map(|e| e.calls).max().unwrap_or(1);
        let name = |i: usize| {
            graph
                .nodes
                .get(i)
                .map_or(String::new(), |n| shorten(&n.name, TITLE_CHARS))
        };
        Self {
            nodes: graph
                .nodes
                .iter()
                .map(|n| {
                    let (fill, stroke) = error_colours(n.error_rate);
                    DrawnNode {
                        rect: n.rect,
                        lines: vec![graph_name(&n.name), n.detail()],
                        fill,
                        stroke,
                        stripe: None,
                        tooltip: format!(
                            "{}\n{} · error rate {:.1}%\nClick to filter to this service",
                            shorten(&n.name, TITLE_CHARS),
                            n.detail(),
                            n.error_rate * 100.0
                        ),
                        key: n.name.clone(),
                    }
                })
                .collect(),
            edges: graph
                .edges
                .iter()
                .map(|e| DrawnEdge {
                    path: e.route.path.clone(),
                    label: e.label(),
                    label_rect: e.route.label,
                    stroke: edge_stroke(e.errors),
                    width: edge_width(e.calls, most_calls),
                    tooltip: format!(
                        "{} → {}\n{} · latency p50 {} · p95 {}\nClick to list the traces with this call",
                        name(e.from),
                        name(e.to),
                        e.label(),
                        format_duration_ns(e.p50_ns.round() as i64),
                        format_duration_ns(e.p95_ns.round() as i64)
                    ),
                    key: format!("{} → {}", name(e.from), name(e.to)),
                })
                .collect(),
            width: graph.width,
            height: graph.height,
        }
    }

    /// The operation graph of one trace.
    pub fn of_operations(graph: &OperationGraph) -> Self {
        let most_calls = graph.edges.iter().map(|e| e.calls).max().unwrap_or(1);
        let name = |i: usize| {
            graph.nodes.get(i).map_or(String::new(), |n| {
                format!(
                    "{}: {}",
                    shorten(&n.service, TITLE_CHARS),
                    shorten(&n.operation, TITLE_CHARS)
                )
            })
        };
        Self {
            nodes: graph
                .nodes
                .iter()
                .map(|n| {
                    let (fill, stroke) = if n.errors > 0 {
                        error_colours(1.0)
                    } else {
                        ("#ffffff", "#b7bfcc")
                    };
                    DrawnNode {
                        rect: n.rect,
                        lines: vec![
                            graph_name(&n.operation),
                            graph_name(&n.service),
                            n.figures(),
                        ],
                        fill,
                        stroke,
                        stripe: Some(service_colour(&n.service)),
                        tooltip: format!(
                            "{}: {}\n{} spans · total {} · self {}{}",
                            shorten(&n.service, TITLE_CHARS),
                            shorten(&n.operation, TITLE_CHARS),
                            n.count,
                            format_duration_ns(n.total_ns),
                            format_duration_ns(n.self_ns),
                            if n.errors > 0 {
                                format!(" · {} errors", n.errors)
                            } else {
                                String::new()
                            }
                        ),
                        key: format!("{}: {}", n.service, n.operation),
                    }
                })
                .collect(),
            edges: graph
                .edges
                .iter()
                .map(|e| DrawnEdge {
                    path: e.route.path.clone(),
                    label: e.label(),
                    label_rect: e.route.label,
                    stroke: edge_stroke(e.errors),
                    width: edge_width(e.calls, most_calls),
                    tooltip: format!("{} → {}\n{}", name(e.from), name(e.to), e.label()),
                    key: format!("{} → {}", name(e.from), name(e.to)),
                })
                .collect(),
            width: graph.width,
            height: graph.height,
        }
    }
}

#[cfg(test)]
mod opening_tests {
    use super::*;
    use crate::core::view_model::graph::graph_layout::Rect;

    fn node(x: f64, y: f64) -> DrawnNode {
        DrawnNode {
            rect: Rect {
                x,
                y,
                width: 120.0,
                height: 40.0,
            },
            lines: vec!["op".into()],
            fill: "#ffffff",
            stroke: "#b7bfcc",
            stripe: None,
            tooltip: String::new(),
            key: format!("{x},{y}"),
        }
    }

    #[test]
    fn a_small_graph_opens_fitted_and_a_wide_one_at_scale_one_around_its_root() {
        let small = GraphDrawing {
            nodes: vec![node(100.0, 30.0)],
            edges: Vec::new(),
            width: 800.0,
            height: 300.0,
        };
        let open = small.opening_view(1000.0, 640.0);
        assert!(open.fitted);
        assert_eq!(
            (open.width, open.height, open.element_height),
            (800.0, 300.0, 300.0)
        );
        // 87 operations side by side: fitted, the scale would be 1000 / 9000.
        let mut nodes: Vec<_> = (0..86)
            .map(|i| node(60.0 + i as f64 * 104.0, 150.0))
            .collect();
        nodes.push(node(4500.0, 30.0));
        let wide = GraphDrawing {
            nodes,
            edges: Vec::new(),
            width: 9000.0,
            height: 900.0,
        };
        let open = wide.opening_view(1000.0, 640.0);
        assert!(!open.fitted);
        assert_eq!(
            (open.x, open.y, open.width, open.height),
            (4000.0, 0.0, 1000.0, 640.0)
        );
        assert_eq!(open.element_height, 640.0);
        // A root near the edge: the view stays on the drawing.
        let mut edge = wide.clone();
        edge.nodes.last_mut().unwrap().rect.x = 100.0;
        assert_eq!(edge.opening_view(1000.0, 640.0).x, 0.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifts_colour_the_services() {
        use crate::core::analysis::compare::OperationChange;
        let change = |service: &str, before: usize, p50_before: f64, p50_now: f64, impact: f64| {
            OperationChange {
                service: service.into(),
                operation: "op".into(),
                count_baseline: before,
                count_current: 10,
                p50_baseline: p50_before,
                p50_current: p50_now,
                p95_baseline: 0.0,
                p95_current: 0.0,
                p99_baseline: 0.0,
                p99_current: 0.0,
                error_rate_baseline: 0.0,
                error_rate_current: 0.0,
                p_value: 0.01,
                impact,
            }
        };
        let shifts = service_shifts(&[
            change("payment", 10, 20.0, 100.0, 800.0),
            change("payment", 10, 20.0, 10.0, 5.0),
            change("fraud", 0, 0.0, 15.0, 60.0),
            change("cart", 10, 10.0, 10.5, 1.0),
        ]);
        assert!((shifts["payment"] - 4.0).abs() < 1e-9);
        assert!(shifts["fraud"].is_infinite());
        assert_eq!(shift_colours(shifts["payment"]).1, "#c62f2f");
        assert_eq!(shift_colours(shifts["cart"]).1, "#8a93a3");
    }

    #[test]
    fn colours_follow_error_rates_and_widths_call_counts() {
        assert_eq!(error_colours(0.0).1, "#5b8f5b");
        assert_eq!(error_colours(0.01).1, "#c98a1a");
        assert_eq!(error_colours(0.5).1, "#c62f2f");
        assert!((edge_width(1, 100) - 1.2).abs() < 1e-9);
        assert!((edge_width(100, 100) - 5.0).abs() < 1e-9);
        assert!(edge_width(10, 100) > edge_width(2, 100));
        assert_eq!(edge_stroke(1), "#c62f2f");
    }

    #[test]
    fn service_drawing_mirrors_the_graph() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/otlp/api-v3-getTrace-response.json");
        let bytes = std::fs::read(path).expect("fixture");
        let mut set = crate::core::model::TraceSet::new();
        crate::core::load::load_into(&mut set, "hotrod", &bytes).expect("loads");
        let graph = ServiceGraph::build(set.traces());
        let drawing = GraphDrawing::of_services(&graph);
        assert_eq!(drawing.nodes.len(), graph.nodes.len());
        assert_eq!(drawing.edges.len(), graph.edges.len());
        let redis = drawing
            .edges
            .iter()
            .find(|e| e.key == "driver → redis-manual")
            .expect("edge");
        assert_eq!(redis.label, "14 calls · 3 err");
        assert_eq!(redis.stroke, "#c62f2f");
        assert!(redis.tooltip.contains("p95"));
    }
}
