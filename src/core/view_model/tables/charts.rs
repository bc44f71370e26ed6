//! Data of the services view's charts: a point per trace (start time against duration) and a
//! latency histogram of one operation with its percentiles. The UI draws them with plotters.
use std::sync::Arc;

use crate::core::analysis::percentile;
use crate::core::model::Trace;
use crate::core::view_model::trace_list::TraceSummary;

/// One trace in the duration-over-time scatter.
#[derive(Debug, Clone, PartialEq)]
pub struct ScatterPoint {
    /// The trace's ID (a click opens it).
    pub trace_id: String,
    /// Start, ns since the epoch.
    pub start_ns: i64,
    /// Duration, ns.
    pub duration_ns: i64,
    /// Spans with error status.
    pub errors: usize,
    /// Spans.
    pub spans: usize,
    /// Root service and operation, for the tooltip.
    pub root: String,
}

/// A point per trace, in load order.
pub fn trace_scatter(traces: &[Arc<Trace>]) -> Vec<ScatterPoint> {
    traces
        .iter()
        .map(|trace| {
            let summary = TraceSummary::of(trace);
            ScatterPoint {
                root: summary.root_label(),
                trace_id: summary.trace_id,
                start_ns: summary.start_ns,
                duration_ns: summary.duration_ns,
                errors: summary.error_count,
                spans: summary.span_count,
            }
        })
        .collect()
}

/// The scatter's axes: start times relative to `first_ns` over `span_ns`, durations (ms) on a
/// logarithmic axis from `shortest_ms` to `longest_ms`. Always finite and non-empty ranges, so
/// that drawing never sees an infinite or reversed axis (an empty filter once made one, and the
/// chart library's tick computation asked for a vector of `usize::MAX` entries).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScatterAxes {
    /// The earliest start (ns since the epoch), the x axis's zero.
    pub first_ns: i64,
    /// The x axis's width in ns (at least a millisecond).
    pub span_ns: f64,
    /// The shortest duration shown, ms (positive).
    pub shortest_ms: f64,
    /// The longest duration shown, ms (at least ten times `shortest_ms`).
    pub longest_ms: f64,
}

impl ScatterAxes {
    /// The axes for `points`; `None` when there is nothing to draw.
    pub fn of(points: &[ScatterPoint]) -> Option<Self> {
        let first_ns = points.iter().map(|p| p.start_ns).min()?;
        let last_ns = points.iter().map(|p| p.start_ns).max()?;
        let span_ns = (i128::from(last_ns) - i128::from(first_ns)) as f64;
        let ms = |p: &ScatterPoint| p.duration_ns as f64 / 1e6;
        let shortest_ms = points
            .iter()
            .map(ms)
            .fold(f64::INFINITY, f64::min)
            .max(0.001);
        let longest_ms = points.iter().map(ms).fold(0.0, f64::max);
        // Traces that all start within a second (one trace, say) get a minute around them, so
        // that the ticks name different times.
        let (first_ns, span_ns) = if span_ns < 1e9 {
            let middle = first_ns.saturating_add((span_ns / 2.0) as i64);
            (middle.saturating_sub(30_000_000_000), 60e9)
        } else {
            (first_ns, span_ns)
        };
        Some(Self {
            first_ns,
            span_ns,
            shortest_ms,
            longest_ms: longest_ms.max(shortest_ms * 10.0),
        })
    }
}

/// One bar of a histogram: durations in `[low_ns, high_ns)` (the last bar includes its end).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bin {
    /// Lower edge (ns).
    pub low_ns: f64,
    /// Upper edge (ns).
    pub high_ns: f64,
    /// Durations in the bin.
    pub count: usize,
}

/// A latency histogram with its percentiles.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Histogram {
    /// Equal-width bins from the shortest to the longest duration.
    pub bins: Vec<Bin>,
    /// Number of durations.
    pub count: usize,
    /// Median (ns).
    pub p50_ns: f64,
    /// 95th percentile (ns).
    pub p95_ns: f64,
    /// 99th percentile (ns).
    pub p99_ns: f64,
}

/// The histogram of ascending `sorted` durations in at most `max_bins` equal-width bins (fewer
/// for few values: about one bin per two values, at least one).
pub fn latency_histogram(sorted: &[i64], max_bins: usize) -> Histogram {
    let (Some(&first), Some(&last)) = (sorted.first(), sorted.last()) else {
        return Histogram::default();
    };
    let mut bin_count = (sorted.len() / 2).clamp(1, max_bins.max(1));
    let (mut low, mut high) = (first as f64, last as f64);
    // Durations (nearly) all alike: ±10 % around them in five bins, so that the axis's ticks
    // name different durations instead of "40 ms" five times.
    if high - low < (high.abs() * 0.01).max(1_000.0) {
        let middle = (low + high) / 2.0;
        let half = (middle.abs() * 0.1).max(1_000.0);
        (low, high) = ((middle - half).max(0.0), middle + half);
        bin_count = 5.min(max_bins.max(1));
    }
    let width = ((high - low) / bin_count as f64).max(1.0);
    let mut bins: Vec<Bin> = (0..bin_count)
        .map(|i| Bin {
            low_ns: low + width * i as f64,
            high_ns: low + width * (i + 1) as f64,
            count: 0,
        })
        .collect();
    for &value in sorted {
        let slot = (((value as f64 - low) / width) as usize).min(bin_count - 1);
        if let Some(bin) = bins.get_mut(slot) {
            bin.count += 1;
        }
    }
    Histogram {
        bins,
        count: sorted.len(),
        p50_ns: percentile(sorted, 50.0),
        p95_ns: percentile(sorted, 95.0),
        p99_ns: percentile(sorted, 99.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_counts_every_value_once() {
        let values: Vec<i64> = (1..=100).map(|v| v * 1_000).collect();
        let h = latency_histogram(&values, 20);
        assert_eq!(h.bins.len(), 20);
        assert_eq!(h.bins.iter().map(|b| b.count).sum::<usize>(), 100);
        assert_eq!(h.bins[0].low_ns, 1_000.0);
        assert!((h.bins[19].high_ns - 100_000.0).abs() < 1e-6);
        assert_eq!(h.p50_ns, 50_500.0);
        assert_eq!(h.count, 100);
    }

    #[test]
    fn small_and_flat_inputs() {
        assert_eq!(latency_histogram(&[], 20), Histogram::default());
        let one = latency_histogram(&[5], 20);
        assert_eq!(one.bins.len(), 5);
        assert_eq!(one.bins.iter().map(|b| b.count).sum::<usize>(), 1);
        let flat = latency_histogram(&[7, 7, 7, 7], 20);
        assert_eq!(flat.bins.iter().map(|b| b.count).sum::<usize>(), 4);
        // Every span 40 ms: five bins from 36 to 44 ms, the values in the middle one.
        let forty = latency_histogram(&[40_000_000; 12], 20);
        assert_eq!(forty.bins.len(), 5);
        assert!(
            (forty.bins[0].low_ns - 36e6).abs() < 1.0 && (forty.bins[4].high_ns - 44e6).abs() < 1.0
        );
        assert_eq!(forty.bins[2].count, 12);
    }

    #[test]
    fn scatter_axes_are_finite_for_any_points() {
        assert_eq!(ScatterAxes::of(&[]), None);
        let point = |start_ns, duration_ns| ScatterPoint {
            trace_id: String::new(),
            start_ns,
            duration_ns,
            errors: 0,
            spans: 1,
            root: String::new(),
        };
        for points in [
            vec![point(5, 0)],
            vec![point(i64::MIN, 1), point(i64::MAX, i64::MAX)],
            vec![point(0, -5), point(0, 3)],
        ] {
            let axes = ScatterAxes::of(&points).unwrap();
            for v in [axes.span_ns, axes.shortest_ms, axes.longest_ms] {
                assert!(v.is_finite() && v > 0.0, "{axes:?}");
            }
            assert!(axes.longest_ms >= axes.shortest_ms * 10.0);
        }
    }

    #[test]
    fn one_trace_gets_a_minute_around_it() {
        let point = ScatterPoint {
            trace_id: String::new(),
            start_ns: 1_000_000_000_000,
            duration_ns: 5,
            errors: 0,
            spans: 1,
            root: String::new(),
        };
        let axes = ScatterAxes::of(&[point]).expect("axes");
        assert_eq!(axes.span_ns, 60e9);
        assert_eq!(axes.first_ns, 1_000_000_000_000 - 30_000_000_000);
    }

    #[test]
    fn scatter_has_a_point_per_trace() {
        let trace = crate::core::analysis::test_trace::simple(&[("a", None, 10, 30)]);
        let points = trace_scatter(&[Arc::new(trace)]);
        assert_eq!(points.len(), 1);
        assert_eq!((points[0].start_ns, points[0].duration_ns), (10, 20));
        assert_eq!(points[0].root, "svc: op-a");
    }
}
