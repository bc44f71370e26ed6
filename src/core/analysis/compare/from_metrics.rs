//! A baseline from the backend's own metrics (Tempo's TraceQL metrics, Jaeger's SPM): latency
//! quantiles per operation computed by the backend's store over billions of spans, read here
//! without loading a trace.
//!
//! Only p50, p95 and p99 (and the error rate) are known, so each operation's distribution is
//! rebuilt as the piecewise-linear quantile function through them, sampled at every 0.1
//! percentile (1,001 values): 0.5 × p50 at p0, p50, p95, p99, and p99 + (p99 − p95) / 4 at p100.
//! Quantiles at 50, 95 and 99 are then exact; ranks elsewhere and the MAD are estimates. Such
//! a baseline has no operation paths: "slow" (above the p99) and "new error" (on an operation
//! with a 0 error rate) are judged, and a trace against its root span's operation; new and
//! missing calls and call counts need a baseline of traces.
use super::baseline::{Baseline, Distribution, OperationBaseline};
use crate::core::backend::OperationQuantiles;

/// Samples of the rebuilt distribution (every 0.1 percentile).
const SAMPLES: usize = 1001;

/// The quantile function through the known points, at percentile `p` (0–100).
fn quantile_at(points: &[(f64, f64)], p: f64) -> f64 {
    for pair in points.windows(2) {
        let (&(p0, v0), &(p1, v1)) = (&pair[0], &pair[1]);
        if p <= p1 {
            let t = if p1 > p0 { (p - p0) / (p1 - p0) } else { 1.0 };
            return v0 + t * (v1 - v0);
        }
    }
    points.last().map_or(0.0, |&(_, v)| v)
}

/// Durations (ns) rebuilt from the quantiles.
fn rebuilt(q: &OperationQuantiles) -> Vec<i64> {
    let points = [
        (0.0, q.p50_ns * 0.5),
        (50.0, q.p50_ns),
        (95.0, q.p95_ns),
        (99.0, q.p99_ns),
        (100.0, q.p99_ns + (q.p99_ns - q.p95_ns) / 4.0),
    ];
    (0..SAMPLES)
        .map(|i| {
            let p = i as f64 * 100.0 / (SAMPLES - 1) as f64;
            quantile_at(&points, p).clamp(0.0, i64::MAX as f64) as i64
        })
        .collect()
}

impl Baseline {
    /// A baseline called `name` from the backend's per-operation quantiles over a window of
    /// `window_s` seconds (see the module docs for what it can and cannot judge).
    pub fn from_quantiles(name: &str, ops: &[OperationQuantiles], window_s: f64) -> Baseline {
        let mut sorted: Vec<&OperationQuantiles> = ops.iter().collect();
        sorted.sort_by(|a, b| (&a.service, &a.operation).cmp(&(&b.service, &b.operation)));
        sorted.dedup_by(|a, b| a.service == b.service && a.operation == b.operation);
        let mut baseline = Baseline::default();
        baseline.name = name.to_string();
        baseline.from_metrics = true;
        for (position, q) in sorted.into_iter().enumerate() {
            let durations = Distribution::new(rebuilt(q));
            let (ln_mean, ln_std) = durations.ln_mean_std();
            let median = durations.quantile(50.0);
            let mad = durations.mad();
            // An unknown error rate must not make every error look new: count one.
            let errors = match q.error_rate {
                Some(rate) => (rate.clamp(0.0, 1.0) * SAMPLES as f64).round() as usize,
                None => 1,
            };
            let window_calls = q
                .calls_per_s
                .filter(|c| c.is_finite() && *c >= 0.0)
                .map(|c| (c * window_s).round().min(u64::MAX as f64) as u64);
            baseline.spans = baseline.spans.saturating_add(
                window_calls.map_or(0, |c| usize::try_from(c).unwrap_or(usize::MAX)),
            );
            baseline.index_operation(&q.service, &q.operation, position);
            baseline.operations.push(OperationBaseline {
                service: q.service.clone(),
                operation: q.operation.clone(),
                self_times: durations.clone(),
                critical_per_trace: durations.clone(),
                calls_per_trace: Distribution::default(),
                traces: 0,
                errors,
                durations,
                ln_mean,
                ln_std,
                median,
                mad,
                window_calls,
            });
        }
        baseline
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::analysis::compare::{score_trace, what_changed, AnomalyKind, ScoreConfig};
    use crate::core::analysis::test_trace::build;
    use crate::core::model::SpanKind;
    use std::sync::Arc;

    fn q(operation: &str, p50_ms: f64, p95_ms: f64, p99_ms: f64) -> OperationQuantiles {
        OperationQuantiles {
            service: "svc".into(),
            operation: operation.into(),
            p50_ns: p50_ms * 1e6,
            p95_ns: p95_ms * 1e6,
            p99_ns: p99_ms * 1e6,
            error_rate: Some(0.0),
            calls_per_s: Some(2.0),
        }
    }

    #[test]
    fn quantiles_are_kept_exactly() {
        let b = Baseline::from_quantiles("m", &[q("op-a", 10.0, 40.0, 80.0)], 3600.0);
        let op = b.operation("svc", "op-a").expect("op");
        assert!((op.durations.quantile(50.0) - 10e6).abs() < 1.0);
        assert!((op.durations.quantile(95.0) - 40e6).abs() < 1.0);
        assert!((op.durations.quantile(99.0) - 80e6).abs() < 1.0);
        assert_eq!(op.window_calls, Some(7200));
        assert!(b.from_metrics);
    }

    #[test]
    fn a_slow_trace_is_judged_by_its_root_operation_and_its_slow_span() {
        // Root op-a normally 10 ms (p99 80 ms); child op-b normally 5 ms (p99 9 ms).
        let b = Baseline::from_quantiles(
            "m",
            &[q("op-a", 10.0, 40.0, 80.0), q("op-b", 5.0, 8.0, 9.0)],
            3600.0,
        );
        let ms = 1_000_000;
        let trace = build(&[
            ("a", None, "svc", 0, 200 * ms, SpanKind::Server, false),
            ("b", Some("a"), "svc", ms, 190 * ms, SpanKind::Client, true),
        ]);
        let analysis = crate::core::analysis::analyze_trace(&trace);
        let score = score_trace(&b, &trace, &analysis, &ScoreConfig::default());
        assert!(score.anomalous, "{score:?}");
        assert!(
            score
                .explanation
                .starts_with("5.0× slower than p95 for svc: op-a"),
            "{}",
            score.explanation
        );
        let kinds: Vec<AnomalyKind> = score.anomalies.iter().map(|a| a.kind).collect();
        assert!(
            kinds.contains(&AnomalyKind::Slow) && kinds.contains(&AnomalyKind::NewError),
            "{kinds:?}"
        );
        assert_eq!(
            score.attribution.first().map(|a| a.operation.as_str()),
            Some("op-b")
        );
        // What changed: the sign test sees op-b above its median.
        let current = crate::core::analysis::compare::build_baseline(
            "now",
            &(0..30)
                .map(|_| {
                    (
                        Arc::new(trace.clone()),
                        Arc::new(crate::core::analysis::analyze_trace(&trace)),
                    )
                })
                .collect::<Vec<_>>(),
        );
        let changes = what_changed(&b, &current);
        let op_b = changes
            .iter()
            .find(|c| c.operation == "op-b")
            .expect("op-b");
        assert!(op_b.p_value < 0.001, "{op_b:?}");
        assert_eq!(op_b.count_baseline, 7200);
    }
}
