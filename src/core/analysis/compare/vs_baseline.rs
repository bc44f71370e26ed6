//! A trace against a baseline, path by path: the trace-diff view with the baseline standing in
//! for B. Each of the trace's operation paths (siblings with the same `service:operation`
//! merged) gets its count, total and critical-path time beside the baseline's median and p5–p95
//! band of the same path per trace; paths the baseline never had, and paths most baseline
//! traces of this root have but this trace lacks, are listed too.
use std::collections::{HashMap, HashSet};

use crate::core::analysis::compare::baseline::{local_paths, Baseline, Distribution};
use crate::core::analysis::TraceAnalysis;
use crate::core::model::Trace;

/// How one path of the trace compares with the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BandStatus {
    /// Within the baseline's p5–p95 band (or too few baseline traces to judge).
    Within,
    /// Above the band's top.
    Above,
    /// Below the band's bottom.
    Below,
    /// A path the baseline never had.
    New,
    /// A path most of the baseline's traces of this root have, missing here.
    Missing,
}

/// What the baseline holds for one path, per trace that has it.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Band {
    /// Traces with the path.
    pub traces: usize,
    /// Share of the root's baseline traces with the path (0–1).
    pub presence: f64,
    /// Calls per trace, median.
    pub count_p50: f64,
    /// Summed duration per trace: p5, median, p95 (ns).
    pub total_p5: f64,
    /// See `total_p5`.
    pub total_p50: f64,
    /// See `total_p5`.
    pub total_p95: f64,
    /// Critical-path time per trace, median (ns).
    pub critical_p50: f64,
}

/// One row: a path of the trace (or a missing one of the baseline).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PathRow {
    /// The service.
    pub service: String,
    /// The operation.
    pub operation: String,
    /// Depth (roots 0).
    pub depth: usize,
    /// Spans merged here (0 for a missing path).
    pub count: usize,
    /// Their summed duration, ns.
    pub total_ns: i64,
    /// Their summed critical-path time, ns.
    pub critical_ns: i64,
    /// The baseline's figures, when it has the path.
    pub band: Option<Band>,
    /// Where the trace falls.
    pub status: BandStatus,
}

/// The trace against the baseline, in the trace's pre-order (missing paths after their
/// parent's other children).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BaselineDiff {
    /// The trace.
    pub trace_id: String,
    /// The baseline's name.
    pub baseline: String,
    /// One row per path.
    pub rows: Vec<PathRow>,
}

impl BaselineDiff {
    /// How many rows have each status: (within, above, below, new, missing).
    pub fn status_counts(&self) -> [usize; 5] {
        let mut counts = [0; 5];
        for row in &self.rows {
            counts[row.status as usize] += 1;
        }
        counts
    }
}

/// Judged only with at least this many baseline traces of the path.
const MIN_TRACES: usize = 5;

/// A path's band, from its per-trace distributions.
fn band_of(
    totals: &Distribution,
    calls: &Distribution,
    critical: &Distribution,
    root_traces: usize,
) -> Band {
    Band {
        traces: totals.len(),
        presence: if root_traces == 0 {
            0.0
        } else {
            totals.len() as f64 / root_traces as f64
        },
        count_p50: calls.quantile(50.0),
        total_p5: totals.quantile(5.0),
        total_p50: totals.quantile(50.0),
        total_p95: totals.quantile(95.0),
        critical_p50: critical.quantile(50.0),
    }
}

/// Compares `trace` with `baseline` path by path. `presence` is the share of the root's
/// baseline traces a path must be in to count as missing when absent.
pub fn diff_vs_baseline(
    baseline: &Baseline,
    trace: &Trace,
    analysis: &TraceAnalysis,
    presence: f64,
) -> BaselineDiff {
    let (of_span, nodes) = local_paths(trace);
    // Per local node: figures, its baseline path, its path and depth.
    let mut figures = vec![(0usize, 0i64, 0i64); nodes.len()];
    for (i, span) in trace.spans.iter().enumerate() {
        let f = &mut figures[of_span[i] as usize];
        f.0 += 1;
        f.1 = f.1.saturating_add(span.duration_ns);
        f.2 =
            f.2.saturating_add(analysis.critical_path.span_ns.get(i).copied().unwrap_or(0));
    }
    let mut global: Vec<Option<u32>> = Vec::with_capacity(nodes.len());
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    let mut roots = Vec::new();
    for (n, &(parent, service, operation)) in nodes.iter().enumerate() {
        let (s, o) = (trace.str(service), trace.str(operation));
        let id = match parent {
            None => baseline.path_id(None, s, o),
            Some(p) => global[p as usize].and_then(|gp| baseline.path_id(Some(gp), s, o)),
        };
        global.push(id);
        match parent {
            Some(p) => children[p as usize].push(n),
            None => roots.push(n),
        }
    }
    let root_traces = |id: u32| {
        let root = baseline.paths.get(id as usize).map_or(id, |p| p.root);
        baseline.roots.get(&root).map_or(0, Distribution::len)
    };
    let band_at = |id: u32| {
        baseline.paths.get(id as usize).map(|p| {
            band_of(
                &p.total_per_trace,
                &p.calls_per_trace,
                &p.critical_per_trace,
                root_traces(id),
            )
        })
    };
    // The baseline's paths under each of its paths, once (not a scan of all paths per row).
    let mut baseline_children: HashMap<u32, Vec<u32>> = HashMap::new();
    for (child_id, child) in baseline.paths.iter().enumerate() {
        if let Some(parent) = child.parent {
            baseline_children
                .entry(parent)
                .or_default()
                .push(child_id as u32);
        }
    }
    let mut rows = Vec::new();
    // Depth-first, children in the order they first appear in the trace.
    let mut stack: Vec<(usize, usize)> = roots.iter().rev().map(|&n| (n, 0)).collect();
    while let Some((n, depth)) = stack.pop() {
        let (_, service, operation) = nodes[n];
        let (count, total_ns, critical_ns) = figures[n];
        let band = global[n].and_then(band_at);
        let status = match &band {
            None => BandStatus::New,
            Some(b) if b.traces < MIN_TRACES => BandStatus::Within,
            Some(b) if total_ns as f64 > b.total_p95 => BandStatus::Above,
            Some(b) if (total_ns as f64) < b.total_p5 => BandStatus::Below,
            Some(_) => BandStatus::Within,
        };
        rows.push(PathRow {
            service: trace.str(service).to_string(),
            operation: trace.str(operation).to_string(),
            depth,
            count,
            total_ns,
            critical_ns,
            band,
            status,
        });
        // The baseline's usual children of this path that the trace lacks.
        if let Some(id) = global[n] {
            let present: HashSet<u32> = children[n].iter().filter_map(|&c| global[c]).collect();
            for &child_id in baseline_children.get(&id).into_iter().flatten() {
                let Some(child) = baseline.paths.get(child_id as usize) else {
                    continue;
                };
                if present.contains(&child_id) {
                    continue;
                }
                let Some(b) = band_at(child_id) else {
                    continue;
                };
                if b.presence >= presence && b.traces >= MIN_TRACES {
                    rows.push(PathRow {
                        service: child.service.clone(),
                        operation: child.operation.clone(),
                        depth: depth + 1,
                        count: 0,
                        total_ns: 0,
                        critical_ns: 0,
                        band: Some(b),
                        status: BandStatus::Missing,
                    });
                }
            }
        }
        for &c in children[n].iter().rev() {
            stack.push((c, depth + 1));
        }
    }
    BaselineDiff {
        trace_id: trace.trace_id.clone(),
        baseline: baseline.name.clone(),
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::analysis::analyze_trace;
    use crate::core::analysis::compare::build_baseline;
    use crate::core::generate::{shop_traces, Fault};
    use std::sync::Arc;

    fn baseline() -> Baseline {
        let traces: Vec<_> = shop_traces(200, 1, None)
            .into_iter()
            .map(|t| {
                let a = Arc::new(analyze_trace(&t));
                (Arc::new(t), a)
            })
            .collect();
        build_baseline("normal", &traces)
    }

    fn diff_of(fault: Option<Fault>, seed: u64) -> BaselineDiff {
        let trace = shop_traces(1, seed, fault).remove(0);
        let analysis = analyze_trace(&trace);
        diff_vs_baseline(&baseline(), &trace, &analysis, 0.9)
    }

    #[test]
    fn a_slowed_operation_is_above_its_band_and_a_new_service_is_new() {
        let slow = diff_of(Some(Fault::SlowPayment), 7);
        assert!(slow
            .rows
            .iter()
            .any(|r| r.service == "payment" && r.status == BandStatus::Above));
        let new = diff_of(Some(Fault::NewService), 7);
        assert!(new.rows.iter().any(|r| r.status == BandStatus::New));
    }

    #[test]
    fn a_removed_cache_call_is_missing_and_a_clean_trace_is_mostly_within() {
        let no_cache = diff_of(Some(Fault::NoCache), 7);
        assert!(
            no_cache
                .rows
                .iter()
                .any(|r| r.status == BandStatus::Missing && r.count == 0),
            "{:?}",
            no_cache.status_counts()
        );
        let clean = diff_of(None, 7);
        let [within, above, below, new, missing] = clean.status_counts();
        assert_eq!((new, missing), (0, 0));
        assert!(within > above + below, "{:?}", clean.status_counts());
    }
}
