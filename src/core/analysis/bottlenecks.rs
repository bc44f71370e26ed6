//! Bottlenecks: the spans that cost the trace the most. Candidates are spans at or above a
//! duration threshold and the top spans by self time; spans on the critical path rank first
//! (by their time on it), then the rest by self time.
use std::collections::BTreeSet;

use super::critical_path::CriticalPath;
use crate::core::model::{SpanIdx, Trace};

/// What counts as a bottleneck.
#[derive(Debug, Clone, PartialEq)]
pub struct BottleneckConfig {
    /// Spans at least this long are candidates (None: only the top by self time).
    pub min_duration_ns: Option<i64>,
    /// How many top spans by self time are candidates.
    pub top_by_self_time: usize,
    /// At most this many bottlenecks are returned.
    pub limit: usize,
}

impl Default for BottleneckConfig {
    fn default() -> Self {
        Self {
            min_duration_ns: None,
            top_by_self_time: 10,
            limit: 20,
        }
    }
}

/// One expensive span.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Bottleneck {
    /// The span.
    pub span: SpanIdx,
    /// Its duration (ns).
    pub duration_ns: i64,
    /// Its self time (ns).
    pub self_ns: i64,
    /// Its time on the critical path (ns).
    pub critical_ns: i64,
    /// Self time ÷ trace duration × 100.
    pub self_percent: f64,
    /// Duration ÷ trace duration × 100.
    pub duration_percent: f64,
}

/// Ranks the bottlenecks of `trace` (see the module docs).
pub fn bottlenecks(
    trace: &Trace,
    self_ns: &[i64],
    path: &CriticalPath,
    config: &BottleneckConfig,
) -> Vec<Bottleneck> {
    let mut by_self: Vec<usize> = (0..trace.spans.len()).collect();
    by_self.sort_by_key(|&i| std::cmp::Reverse(self_ns.get(i).copied().unwrap_or(0)));
    let mut candidates: BTreeSet<usize> =
        by_self.into_iter().take(config.top_by_self_time).collect();
    if let Some(threshold) = config.min_duration_ns {
        candidates.extend(
            trace
                .spans
                .iter()
                .enumerate()
                .filter(|(_, s)| s.duration_ns >= threshold)
                .map(|(i, _)| i),
        );
    }
    let trace_ns = trace.duration_ns().max(1) as f64;
    let mut list: Vec<Bottleneck> = candidates
        .into_iter()
        .filter_map(|i| {
            let span = trace.spans.get(i)?;
            let own_self = self_ns.get(i).copied().unwrap_or(0);
            Some(Bottleneck {
                span: SpanIdx(i as u32),
                duration_ns: span.duration_ns,
                self_ns: own_self,
                critical_ns: path.span_ns.get(i).copied().unwrap_or(0),
                self_percent: own_self as f64 / trace_ns * 100.0,
                duration_percent: span.duration_ns as f64 / trace_ns * 100.0,
            })
        })
        .collect();
    list.sort_by(|a, b| {
        (b.critical_ns > 0)
            .cmp(&(a.critical_ns > 0))
            .then(b.critical_ns.cmp(&a.critical_ns))
            .then(b.self_ns.cmp(&a.self_ns))
            .then(a.span.cmp(&b.span))
    });
    list.truncate(config.limit);
    list
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::analysis::test_trace::{idx, simple};
    use crate::core::analysis::{critical_path, self_times};

    #[test]
    fn critical_spans_rank_first_then_self_time() {
        // B (10..60) is overlapped by C (20..80): C is on the path, B is not, though B has
        // more self time than the root.
        let trace = simple(&[
            ("A", None, 0, 100),
            ("B", Some("A"), 10, 60),
            ("C", Some("A"), 20, 80),
        ]);
        let self_ns = self_times(&trace);
        let path = critical_path(&trace);
        let list = bottlenecks(&trace, &self_ns, &path, &BottleneckConfig::default());
        let order: Vec<usize> = list.iter().map(|b| b.span.get()).collect();
        assert_eq!(
            order,
            vec![idx(&trace, "C"), idx(&trace, "A"), idx(&trace, "B")]
        );
        assert_eq!(list[0].critical_ns, 60);
        assert!((list[0].self_percent - 60.0).abs() < 1e-9);
        assert_eq!(list[2].critical_ns, 0);
    }

    #[test]
    fn the_duration_threshold_adds_candidates_and_the_limit_applies() {
        let trace = simple(&[
            ("A", None, 0, 100),
            ("B", Some("A"), 0, 90),
            ("C", Some("B"), 0, 80),
        ]);
        let self_ns = self_times(&trace);
        let path = critical_path(&trace);
        let config = BottleneckConfig {
            min_duration_ns: Some(85),
            top_by_self_time: 0,
            limit: 5,
        };
        let list = bottlenecks(&trace, &self_ns, &path, &config);
        assert_eq!(list.len(), 2);
        let config = BottleneckConfig {
            min_duration_ns: None,
            top_by_self_time: 3,
            limit: 1,
        };
        assert_eq!(bottlenecks(&trace, &self_ns, &path, &config).len(), 1);
    }
}
