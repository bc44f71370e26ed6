//! The minimap: the whole trace squeezed into a fixed number of pixel lines, one line per
//! bucket of consecutive rows (pre-order), so drawing costs the same for 100 or 1,000,000
//! spans.
use crate::core::model::Trace;

/// One pixel line of the minimap.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OverviewLine {
    /// Earliest start in the bucket, as a fraction of the trace.
    pub start_frac: f64,
    /// Latest end in the bucket, as a fraction of the trace.
    pub end_frac: f64,
    /// Service of the bucket's first span, for its colour.
    pub service: crate::core::model::Sym,
    /// True when a span in the bucket failed.
    pub has_error: bool,
}

/// Buckets the spans of `trace` into at most `lines` lines.
pub fn overview_lines(trace: &Trace, lines: usize) -> Vec<OverviewLine> {
    let n = trace.spans.len();
    if n == 0 || lines == 0 {
        return Vec::new();
    }
    let per_line = n.div_ceil(lines);
    let total = trace.duration_ns().max(1) as f64;
    trace
        .spans
        .chunks(per_line)
        .filter_map(|bucket| {
            let first = bucket.first()?;
            let start = bucket.iter().map(|s| s.start_ns).min()?;
            let end = bucket.iter().map(|s| s.end_ns()).max()?;
            Some(OverviewLine {
                start_frac: (start - trace.start_ns) as f64 / total,
                end_frac: (end - trace.start_ns) as f64 / total,
                service: first.service,
                has_error: bucket.iter().any(|s| s.is_error()),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::analysis::test_trace::simple;

    #[test]
    fn buckets_cover_the_trace() {
        let trace = simple(&[
            ("a", None, 0, 100),
            ("b", Some("a"), 0, 50),
            ("c", Some("a"), 50, 100),
        ]);
        let lines = overview_lines(&trace, 2);
        assert_eq!(lines.len(), 2);
        assert_eq!((lines[0].start_frac, lines[0].end_frac), (0.0, 1.0));
        assert_eq!((lines[1].start_frac, lines[1].end_frac), (0.5, 1.0));
        assert_eq!(overview_lines(&trace, 100).len(), 3);
    }
}
