//! Two traces' timelines on one time axis, for the comparison view: each span a row (in the
//! trace's pre-order) with its bar placed by its offset from its own trace's start, on a scale
//! as long as the longer trace, so the same call lines up and a slower B shows as longer bars.
use crate::core::analysis::TraceAnalysis;
use crate::core::model::Trace;

/// One row of a compact timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct AxisRow {
    /// `service: operation`.
    pub label: String,
    /// Depth in the tree (roots 0).
    pub depth: u32,
    /// Where the bar starts, as a share (0–1) of the shared axis.
    pub left: f64,
    /// How long it is, as a share of the axis (at least a sliver, so short spans show).
    pub width: f64,
    /// Whether the span is on the trace's critical path.
    pub critical: bool,
    /// Whether the span failed.
    pub is_error: bool,
    /// Its duration, ns.
    pub duration_ns: i64,
}

/// The rows of `trace` on an axis of `axis_ns` (the longer trace's duration), at most
/// `max_rows` of them (the first in pre-order); also how many were left out.
pub fn shared_axis_rows(
    trace: &Trace,
    analysis: &TraceAnalysis,
    axis_ns: i64,
    max_rows: usize,
) -> (Vec<AxisRow>, usize) {
    let axis = axis_ns.max(1) as f64;
    let start = trace.start_ns;
    let rows = trace
        .spans
        .iter()
        .enumerate()
        .take(max_rows)
        .map(|(i, span)| {
            let left = (span.start_ns.saturating_sub(start).max(0) as f64 / axis).clamp(0.0, 1.0);
            let width = (span.duration_ns as f64 / axis).clamp(0.002, 1.0 - left.min(0.998));
            AxisRow {
                label: format!("{}: {}", trace.str(span.service), trace.str(span.operation)),
                depth: span.depth,
                left,
                width,
                critical: analysis
                    .critical_path
                    .span_ns
                    .get(i)
                    .is_some_and(|&ns| ns > 0),
                is_error: span.is_error(),
                duration_ns: span.duration_ns,
            }
        })
        .collect();
    (rows, trace.spans.len().saturating_sub(max_rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::analysis::analyze_trace;
    use crate::core::analysis::test_trace::simple;

    #[test]
    fn bars_sit_on_the_shared_axis() {
        let trace = simple(&[("root", None, 0, 100), ("child", Some("root"), 50, 100)]);
        let analysis = analyze_trace(&trace);
        let (rows, left_out) = shared_axis_rows(&trace, &analysis, 200, 10);
        assert_eq!(left_out, 0);
        assert_eq!(rows.len(), 2);
        assert!((rows[0].width - 0.5).abs() < 1e-9);
        assert!((rows[1].left - 0.25).abs() < 1e-9 && (rows[1].width - 0.25).abs() < 1e-9);
        assert!(rows[0].critical);
        let (rows, left_out) = shared_axis_rows(&trace, &analysis, 200, 1);
        assert_eq!((rows.len(), left_out), (1, 1));
    }
}
