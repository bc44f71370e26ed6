//! Baselines: what normal looks like, learnt from a set of traces — per (service, operation)
//! and per operation path (the chain of `service:operation` from the root) — and traces scored
//! against it: slow spans, structural anomalies (new and missing paths, call counts far above
//! normal, new errors), a score, a sentence, and the attribution of the extra time to the
//! operations on the critical path. [`what_changed`] compares many traces with the baseline per
//! operation (Mann–Whitney U).
//!
//! Quantiles are exact: every duration is kept (8 bytes a span, twice: duration and self time),
//! which stays within 50 MB at a million spans; no sketch is needed at that size.
use std::collections::HashMap;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::paths::PathLinks;
use crate::core::analysis::{percentile, TraceAnalysis};
use crate::core::model::{Sym, Trace};
use crate::core::view_model::format_duration_ns;

/// A sorted sample of nanosecond values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Distribution {
    sorted: Vec<i64>,
}

impl Distribution {
    /// A distribution of `values` (sorted here).
    pub fn new(mut values: Vec<i64>) -> Self {
        values.sort_unstable();
        Self { sorted: values }
    }

    /// How many values.
    pub fn len(&self) -> usize {
        self.sorted.len()
    }

    /// True when there is no value.
    pub fn is_empty(&self) -> bool {
        self.sorted.is_empty()
    }

    /// The `p`-th percentile (0–100), interpolated; 0 when empty.
    pub fn quantile(&self, p: f64) -> f64 {
        percentile(&self.sorted, p)
    }

    /// The share of values at or below `x` (the percentile rank, 0–1).
    pub fn rank(&self, x: i64) -> f64 {
        if self.sorted.is_empty() {
            return 0.0;
        }
        self.sorted.partition_point(|&v| v <= x) as f64 / self.sorted.len() as f64
    }

    /// The median absolute deviation from the median.
    pub fn mad(&self) -> f64 {
        let median = self.quantile(50.0);
        let mut deviations: Vec<i64> = self
            .sorted
            .iter()
            .map(|&v| (v as f64 - median).abs() as i64)
            .collect();
        deviations.sort_unstable();
        percentile(&deviations, 50.0)
    }

    /// Mean and standard deviation of ln(value) (values below 1 ns count as 1 ns).
    pub fn ln_mean_std(&self) -> (f64, f64) {
        let n = self.sorted.len();
        if n == 0 {
            return (0.0, 0.0);
        }
        let logs = self.sorted.iter().map(|&v| (v.max(1) as f64).ln());
        let mean = logs.clone().sum::<f64>() / n as f64;
        let var = logs.map(|l| (l - mean) * (l - mean)).sum::<f64>() / n as f64;
        (mean, var.sqrt())
    }

    /// The values, sorted.
    pub fn values(&self) -> &[i64] {
        &self.sorted
    }
}

/// What the baseline knows of one (service, operation).
#[derive(Debug, Clone, PartialEq)]
pub struct OperationBaseline {
    /// The service.
    pub service: String,
    /// The operation.
    pub operation: String,
    /// Durations of every span.
    pub durations: Distribution,
    /// Self times of every span.
    pub self_times: Distribution,
    /// Per trace that has it, its summed time on the critical path.
    pub critical_per_trace: Distribution,
    /// Per trace that has it, how many spans.
    pub calls_per_trace: Distribution,
    /// Traces with it.
    pub traces: usize,
    /// Spans with error status.
    pub errors: usize,
    /// Mean of ln(duration).
    pub ln_mean: f64,
    /// Standard deviation of ln(duration).
    pub ln_std: f64,
    /// Median duration, ns.
    pub median: f64,
    /// Median absolute deviation of the duration, ns.
    pub mad: f64,
    /// For a baseline from metrics: the backend's count of calls over its window (estimated
    /// from the call rate), when it told.
    pub window_calls: Option<u64>,
}

impl OperationBaseline {
    /// Spans seen.
    pub fn count(&self) -> usize {
        self.durations.len()
    }

    /// Errors ÷ spans.
    pub fn error_rate(&self) -> f64 {
        if self.count() == 0 {
            0.0
        } else {
            self.errors as f64 / self.count() as f64
        }
    }

    /// The robust score of a duration: 0.6745 · (x − median) / MAD (0 when MAD is 0).
    pub fn robust_score(&self, duration_ns: i64) -> f64 {
        if self.mad <= 0.0 {
            0.0
        } else {
            0.6745 * (duration_ns as f64 - self.median) / self.mad
        }
    }

    /// The z score of ln(duration).
    pub fn ln_z(&self, duration_ns: i64) -> f64 {
        if self.ln_std <= 0.0 {
            0.0
        } else {
            ((duration_ns.max(1) as f64).ln() - self.ln_mean) / self.ln_std
        }
    }
}

/// One operation path of the baseline: its last step and its parent (the whole path is
/// [`Baseline::path`]; a copy per path would grow with the square of a trace's depth).
#[derive(Debug, Clone, PartialEq)]
pub struct PathBaseline {
    /// The service of the path's last step.
    pub service: String,
    /// The operation of the path's last step.
    pub operation: String,
    /// The path's root node (itself for a root).
    pub root: u32,
    /// The parent path (none for a root).
    pub parent: Option<u32>,
    /// Traces with it.
    pub traces: usize,
    /// Per trace that has it, how many spans.
    pub calls_per_trace: Distribution,
    /// Per trace that has it, its spans' summed duration, ns.
    pub total_per_trace: Distribution,
    /// Per trace that has it, its spans' summed time on the critical path, ns.
    pub critical_per_trace: Distribution,
}

/// A baseline: a named set of traces, summarised.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Baseline {
    /// Its name, as the person gave it (or the files it came from).
    pub name: String,
    /// Traces learnt from.
    pub traces: usize,
    /// Spans learnt from.
    pub spans: usize,
    /// Per (service, operation), sorted by service and operation.
    pub operations: Vec<OperationBaseline>,
    /// Service and operation names, interned: the indexes below are keyed by these IDs, so a
    /// lookup hashes a short key and allocates nothing.
    names: FxHashMap<String, u32>,
    /// (service, operation) name IDs → index in `operations`.
    op_index: FxHashMap<(u32, u32), usize>,
    /// Per operation path.
    pub paths: Vec<PathBaseline>,
    /// (parent path, service, operation) name IDs → index in `paths`.
    path_index: FxHashMap<(Option<u32>, u32, u32), u32>,
    /// The paths' tree (indexed like `paths`).
    path_links: PathLinks,
    /// Per root path: the trace durations.
    pub roots: HashMap<u32, Distribution>,
    /// Per root path: model tokens (input + output) of each trace that reports any.
    pub root_tokens: HashMap<u32, Distribution>,
    /// Per model: its tokens (input + output) in each trace that used it.
    pub model_tokens: HashMap<String, Distribution>,
    /// Made from the backend's latency quantiles instead of traces (see `from_metrics`): its
    /// durations are rebuilt from p50/p95/p99, it has no paths, and a trace is judged by its
    /// root span's operation.
    pub from_metrics: bool,
}

impl Baseline {
    /// Path `id` as `service:operation` steps from the root (a deep one shortened, see
    /// [`PathLinks::path`]).
    pub fn path(&self, id: u32) -> Vec<String> {
        self.path_links.path(id, |n| {
            self.paths
                .get(n as usize)
                .map(|p| format!("{}:{}", p.service, p.operation))
                .unwrap_or_default()
        })
    }

    /// The path `service:operation` under the path `parent` (a root with none), if the
    /// baseline has it.
    pub fn path_id(&self, parent: Option<u32>, service: &str, operation: &str) -> Option<u32> {
        let key = (parent, self.name_id(service)?, self.name_id(operation)?);
        self.path_index.get(&key).copied()
    }

    /// The ID of an interned name, if the baseline has it.
    fn name_id(&self, name: &str) -> Option<u32> {
        self.names.get(name).copied()
    }

    /// The ID of `name`, interned now if new.
    fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.names.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.insert(name.to_string(), id);
        id
    }

    /// Records operation `position` of `operations` under its names (for `from_metrics`).
    pub(super) fn index_operation(&mut self, service: &str, operation: &str, position: usize) {
        let key = (self.intern(service), self.intern(operation));
        self.op_index.insert(key, position);
    }

    /// The percentile (0–100) of `duration_ns` among the operation's baseline durations, when
    /// the baseline has at least `min_samples` of them.
    pub fn percentile_of(
        &self,
        service: &str,
        operation: &str,
        duration_ns: i64,
        min_samples: usize,
    ) -> Option<f64> {
        let op = self.operation(service, operation)?;
        (op.count() >= min_samples.max(1)).then(|| op.durations.rank(duration_ns) * 100.0)
    }

    /// The baseline of one operation.
    pub fn operation(&self, service: &str, operation: &str) -> Option<&OperationBaseline> {
        let key = (self.name_id(service)?, self.name_id(operation)?);
        self.op_index
            .get(&key)
            .and_then(|&i| self.operations.get(i))
    }
}

/// A path node within one trace: (parent node, service, operation).
pub(super) type LocalNode = (Option<u32>, Sym, Sym);

/// One trace's spans merged by path: per span its path node (local), and per node the
/// (parent node, service, operation).
pub(super) fn local_paths(trace: &Trace) -> (Vec<u32>, Vec<LocalNode>) {
    let mut index: FxHashMap<LocalNode, u32> = FxHashMap::default();
    let mut nodes = Vec::new();
    let mut of_span = Vec::with_capacity(trace.spans.len());
    for span in &trace.spans {
        let parent = span.parent.and_then(|p| of_span.get(p.get()).copied());
        let key = (parent, span.service, span.operation);
        let next = nodes.len() as u32;
        let node = *index.entry(key).or_insert(next);
        if node == next {
            nodes.push(key);
        }
        of_span.push(node);
    }
    (of_span, nodes)
}

/// Learns a baseline from `traces` (each with its analysis).
pub fn build_baseline(name: &str, traces: &[(Arc<Trace>, Arc<TraceAnalysis>)]) -> Baseline {
    let mut builder = BaselineBuilder::new(name);
    for (trace, analysis) in traces {
        builder.add(trace, analysis);
    }
    builder.finish()
}

/// What the builder gathers for one operation until [`BaselineBuilder::finish`] sorts it.
#[derive(Debug, Default)]
struct OpAcc {
    durations: Vec<i64>,
    self_times: Vec<i64>,
    critical: Vec<i64>,
    calls: Vec<i64>,
    errors: usize,
}

/// A baseline learnt one trace at a time, so that the page can build it in slices between
/// browser tasks; [`build_baseline`] is the same over a list.
#[derive(Debug)]
pub struct BaselineBuilder {
    baseline: Baseline,
    ops: Vec<OpAcc>,
    /// Per path: calls, summed duration and summed critical-path time of each trace with it.
    paths_calls: Vec<[Vec<i64>; 3]>,
    roots: HashMap<u32, Vec<i64>>,
    root_tokens: HashMap<u32, Vec<i64>>,
    model_tokens: HashMap<String, Vec<i64>>,
}

/// Tokens as a distribution value (saturating: hostile counts never wrap).
fn token_value(tokens: &crate::core::analysis::genai::Tokens) -> i64 {
    i64::try_from(tokens.total()).unwrap_or(i64::MAX)
}

impl BaselineBuilder {
    /// An empty baseline called `name`.
    pub fn new(name: &str) -> Self {
        Self {
            baseline: Baseline {
                name: name.to_string(),
                ..Baseline::default()
            },
            ops: Vec::new(),
            paths_calls: Vec::new(),
            roots: HashMap::new(),
            root_tokens: HashMap::new(),
            model_tokens: HashMap::new(),
        }
    }

    /// Traces learnt so far.
    pub fn traces(&self) -> usize {
        self.baseline.traces
    }

    /// Learns one trace.
    pub fn add(&mut self, trace: &Trace, analysis: &TraceAnalysis) {
        let Self {
            baseline,
            ops,
            paths_calls,
            roots,
            root_tokens,
            model_tokens,
        } = self;
        baseline.traces += 1;
        baseline.spans += trace.spans.len();
        let (of_span, nodes) = local_paths(trace);
        // This trace's names → the baseline's name IDs, each name looked up once.
        let mut name_of: FxHashMap<Sym, u32> = FxHashMap::default();
        let mut name = |baseline: &mut Baseline, sym: Sym| {
            *name_of
                .entry(sym)
                .or_insert_with(|| baseline.intern(trace.str(sym)))
        };
        // Local nodes → baseline paths (room made once, not by doubling a large array).
        baseline.paths.reserve(nodes.len());
        paths_calls.reserve(nodes.len());
        let mut global: Vec<u32> = Vec::with_capacity(nodes.len());
        for &(parent, service, operation) in &nodes {
            let parent = parent.map(|p| global[p as usize]);
            let key = (parent, name(baseline, service), name(baseline, operation));
            let next = baseline.paths.len() as u32;
            let id = *baseline.path_index.entry(key).or_insert(next);
            if id == next {
                let root = parent.map_or(id, |p| baseline.paths[p as usize].root);
                baseline.path_links.push(parent);
                baseline.paths.push(PathBaseline {
                    service: trace.str(service).to_string(),
                    operation: trace.str(operation).to_string(),
                    root,
                    parent,
                    traces: 0,
                    calls_per_trace: Distribution::default(),
                    total_per_trace: Distribution::default(),
                    critical_per_trace: Distribution::default(),
                });
                paths_calls.push(Default::default());
            }
            global.push(id);
        }
        let mut calls: FxHashMap<u32, [i64; 3]> = FxHashMap::default();
        let mut op_of: FxHashMap<(Sym, Sym), usize> = FxHashMap::default();
        let mut per_op: FxHashMap<usize, (i64, i64)> = FxHashMap::default();
        for (i, span) in trace.spans.iter().enumerate() {
            let critical_ns = analysis.critical_path.span_ns.get(i).copied().unwrap_or(0);
            let figures = calls.entry(global[of_span[i] as usize]).or_default();
            figures[0] += 1;
            figures[1] = figures[1].saturating_add(span.duration_ns);
            figures[2] = figures[2].saturating_add(critical_ns);
            let op = *op_of
                .entry((span.service, span.operation))
                .or_insert_with(|| {
                    let key = (name(baseline, span.service), name(baseline, span.operation));
                    let next = ops.len();
                    let op = *baseline.op_index.entry(key).or_insert(next);
                    if op == next {
                        ops.push(OpAcc::default());
                    }
                    op
                });
            let acc = &mut ops[op];
            acc.durations.push(span.duration_ns);
            acc.self_times
                .push(analysis.self_ns.get(i).copied().unwrap_or(0));
            if span.is_error() {
                acc.errors += 1;
            }
            let entry = per_op.entry(op).or_default();
            entry.0 = entry
                .0
                .saturating_add(analysis.critical_path.span_ns.get(i).copied().unwrap_or(0));
            entry.1 += 1;
        }
        for (path, figures) in calls {
            baseline.paths[path as usize].traces += 1;
            for (list, value) in paths_calls[path as usize].iter_mut().zip(figures) {
                list.push(value);
            }
        }
        for (op, (critical, n)) in per_op {
            ops[op].critical.push(critical);
            ops[op].calls.push(n);
        }
        let root = trace.root_span().map(|r| global[of_span[r.get()] as usize]);
        if let Some(root) = root {
            roots.entry(root).or_default().push(trace.duration_ns());
        }
        if let Some(usage) = crate::core::analysis::genai::token_usage(trace) {
            if let Some(root) = root {
                root_tokens
                    .entry(root)
                    .or_default()
                    .push(token_value(&usage.total));
            }
            for (model, tokens) in &usage.per_model {
                model_tokens
                    .entry(model.clone())
                    .or_default()
                    .push(token_value(tokens));
            }
        }
    }

    /// The baseline of every trace added.
    pub fn finish(self) -> Baseline {
        let Self {
            mut baseline,
            ops,
            paths_calls,
            roots,
            root_tokens,
            model_tokens,
        } = self;
        baseline.root_tokens = root_tokens
            .into_iter()
            .map(|(root, values)| (root, Distribution::new(values)))
            .collect();
        baseline.model_tokens = model_tokens
            .into_iter()
            .map(|(model, values)| (model, Distribution::new(values)))
            .collect();
        for (path, [calls, totals, critical]) in baseline.paths.iter_mut().zip(paths_calls) {
            path.calls_per_trace = Distribution::new(calls);
            path.total_per_trace = Distribution::new(totals);
            path.critical_per_trace = Distribution::new(critical);
        }
        baseline.roots = roots
            .into_iter()
            .map(|(root, durations)| (root, Distribution::new(durations)))
            .collect();
        // Operations sorted by service and operation name.
        let mut texts: Vec<&str> = vec![""; baseline.names.len()];
        for (text, &id) in &baseline.names {
            if let Some(slot) = texts.get_mut(id as usize) {
                *slot = text;
            }
        }
        let text = |id: u32| {
            texts
                .get(id as usize)
                .copied()
                .unwrap_or_default()
                .to_string()
        };
        /// (service, operation) names, their IDs, and the accumulator's position.
        type OpKey = ((String, String), (u32, u32), usize);
        let mut keys: Vec<OpKey> = baseline
            .op_index
            .drain()
            .map(|(ids, op)| ((text(ids.0), text(ids.1)), ids, op))
            .collect();
        keys.sort_unstable();
        let mut ops: Vec<Option<OpAcc>> = ops.into_iter().map(Some).collect();
        for (position, ((service, operation), ids, op)) in keys.into_iter().enumerate() {
            let acc = ops[op].take().unwrap_or_default();
            let durations = Distribution::new(acc.durations);
            let (ln_mean, ln_std) = durations.ln_mean_std();
            let median = durations.quantile(50.0);
            let mad = durations.mad();
            baseline.op_index.insert(ids, position);
            baseline.operations.push(OperationBaseline {
                service,
                operation,
                traces: acc.critical.len(),
                self_times: Distribution::new(acc.self_times),
                critical_per_trace: Distribution::new(acc.critical),
                calls_per_trace: Distribution::new(acc.calls),
                errors: acc.errors,
                durations,
                ln_mean,
                ln_std,
                median,
                mad,
                window_calls: None,
            });
        }
        baseline
    }
}

/// The rules of scoring.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreConfig {
    /// An operation (or root) is judged only with at least this many spans (traces) in the
    /// baseline.
    pub min_samples: usize,
    /// A span is slow above this percentile of its operation's durations.
    pub slow_percentile: f64,
    /// A trace is anomalous for its duration alone above this multiple of its root's p99.
    pub trace_margin: f64,
    /// A path is expected when at least this share of the root's baseline traces have it.
    pub expected_presence: f64,
    /// Calls per trace are too many above `call_factor` × p95 and p95 + `call_extra`.
    pub call_factor: f64,
    /// See `call_factor`.
    pub call_extra: f64,
    /// A run uses too many tokens above this multiple of the baseline's median (per root
    /// operation, and per model).
    pub token_factor: f64,
}

impl Default for ScoreConfig {
    fn default() -> Self {
        Self {
            min_samples: 20,
            slow_percentile: 99.0,
            trace_margin: 1.1,
            expected_presence: 0.9,
            call_factor: 2.0,
            call_extra: 3.0,
            token_factor: 3.0,
        }
    }
}

/// What kind of anomaly.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum AnomalyKind {
    /// A span above its operation's slow percentile.
    Slow,
    /// An operation path the baseline never had.
    NewPath,
    /// A path most baseline traces of this root have, missing here.
    MissingPath,
    /// Far more calls of one path than normal (an N+1 loop).
    CallCount,
    /// An error on an operation that never failed in the baseline.
    NewError,
    /// Far more model tokens than the baseline's median (per root operation, or per model).
    Tokens,
}

/// One anomaly of a trace.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Anomaly {
    /// Its kind.
    pub kind: AnomalyKind,
    /// The service.
    pub service: String,
    /// The operation.
    pub operation: String,
    /// Its path, `service:operation` from the root.
    pub path: Vec<String>,
    /// The span, when it is about one.
    pub span_id: Option<String>,
    /// The trace's value: a duration in µs (slow), a count (call count, new error, new path),
    /// 0 (missing path).
    pub value: f64,
    /// The baseline's: the slow percentile in µs, the calls' p95, the error rate, the share of
    /// traces with the path.
    pub baseline: f64,
    /// What it means, in a sentence.
    pub message: String,
}

/// One operation's part of the extra time.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Attribution {
    /// The service.
    pub service: String,
    /// The operation.
    pub operation: String,
    /// How much longer it was on the critical path than its baseline median, ns.
    pub excess_ns: i64,
    /// Its share of all operations' excess (0–1).
    pub share: f64,
}

/// A trace scored against a baseline.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TraceScore {
    /// The trace.
    pub trace_id: String,
    /// The root `service: operation`.
    pub root: String,
    /// Duration, ns.
    pub duration_ns: i64,
    /// Duration ÷ the root's p99, plus one for each kind of structural anomaly.
    pub score: f64,
    /// Whether it is anomalous: a structural anomaly, or slower than the root's p99 by the
    /// margin.
    pub anomalous: bool,
    /// The sentence.
    pub explanation: String,
    /// Critical-path time above the root's baseline median, ns.
    pub excess_ns: i64,
    /// The excess split among the operations on the critical path, largest first.
    pub attribution: Vec<Attribution>,
    /// Anomalies: structural first, then slow spans by how much self time they added.
    pub anomalies: Vec<Anomaly>,
}

/// Slow anomalies kept per trace.
const MAX_SLOW: usize = 20;

/// Scores `trace` against `baseline`.
pub fn score_trace(
    baseline: &Baseline,
    trace: &Trace,
    analysis: &TraceAnalysis,
    config: &ScoreConfig,
) -> TraceScore {
    let (of_span, nodes) = local_paths(trace);
    // Local nodes → baseline paths, `None` for paths the baseline never had.
    let mut global: Vec<Option<u32>> = Vec::with_capacity(nodes.len());
    let mut links = PathLinks::new();
    for &(parent, service, operation) in &nodes {
        let key_parent = parent.and_then(|p| global[p as usize]);
        let known_parent = parent.is_none() || key_parent.is_some();
        let (s, o) = (trace.str(service), trace.str(operation));
        let id = if known_parent {
            baseline.path_id(key_parent, s, o)
        } else {
            None
        };
        global.push(id);
        links.push(parent);
    }
    // A local node's path, written only for the anomalies that name it.
    let local_path = |node: u32| {
        links.path(node, |n| {
            nodes
                .get(n as usize)
                .map(|&(_, s, o)| format!("{}:{}", trace.str(s), trace.str(o)))
                .unwrap_or_default()
        })
    };
    let root_span = trace.root_span();
    let root_node = root_span.map(|r| of_span[r.get()]);
    let root_label = root_span
        .and_then(|r| trace.span(r))
        .map(|s| format!("{}: {}", trace.str(s.service), trace.str(s.operation)))
        .unwrap_or_default();
    let root_path = root_node.and_then(|n| global[n as usize]);
    // A baseline from metrics knows no paths: the root span's operation stands for the root.
    let root_dist = root_path
        .and_then(|p| baseline.roots.get(&p))
        .or_else(|| {
            let root = trace.span(root_span?)?;
            baseline
                .from_metrics
                .then(|| baseline.operation(trace.str(root.service), trace.str(root.operation)))
                .flatten()
                .map(|op| &op.durations)
        })
        .filter(|d| d.len() >= config.min_samples);
    let mut anomalies: Vec<Anomaly> = Vec::new();
    let mut calls: FxHashMap<u32, usize> = FxHashMap::default();
    let mut first_span: FxHashMap<u32, usize> = FxHashMap::default();
    for (i, &node) in of_span.iter().enumerate() {
        *calls.entry(node).or_default() += 1;
        first_span.entry(node).or_insert(i);
    }
    // New paths: the top-most node the baseline never had (not its descendants), when the
    // baseline knows this root at all.
    if root_path.is_some() {
        for (node, &(parent, service, operation)) in nodes.iter().enumerate() {
            let parent_known = parent.is_none_or(|p| global[p as usize].is_some());
            if global[node].is_none() && parent_known {
                let span = first_span.get(&(node as u32)).copied().unwrap_or(0);
                let n = calls.get(&(node as u32)).copied().unwrap_or(0);
                let path = local_path(node as u32);
                let via = parent
                    .and_then(|p| nodes.get(p as usize))
                    .map(|&(_, s, o)| format!("{}:{}", trace.str(s), trace.str(o)))
                    .unwrap_or_default();
                anomalies.push(Anomaly {
                    kind: AnomalyKind::NewPath,
                    service: trace.str(service).to_string(),
                    operation: trace.str(operation).to_string(),
                    span_id: Some(trace.str(trace.spans[span].span_id).to_string()),
                    value: n as f64,
                    baseline: 0.0,
                    message: format!(
                        "new call {} → {}: {} ({n}×), never in the baseline",
                        via.replacen(':', ": ", 1),
                        trace.str(service),
                        trace.str(operation)
                    ),
                    path,
                });
            }
        }
    }
    // Missing paths: what most baseline traces of this root have.
    if let (Some(root), Some(dist)) = (root_path, root_dist) {
        let present: std::collections::HashSet<u32> = global.iter().flatten().copied().collect();
        for (id, path) in baseline.paths.iter().enumerate() {
            let presence = path.traces as f64 / dist.len() as f64;
            let parent_present = path.parent.is_none_or(|p| present.contains(&p));
            if path.root == root
                && presence >= config.expected_presence
                && !present.contains(&(id as u32))
                && parent_present
            {
                let (service, operation) = (&path.service, &path.operation);
                anomalies.push(Anomaly {
                    kind: AnomalyKind::MissingPath,
                    service: service.clone(),
                    operation: operation.clone(),
                    path: baseline.path(id as u32),
                    span_id: None,
                    value: 0.0,
                    baseline: presence,
                    message: format!(
                        "no {service}: {operation}, which {:.0} % of the baseline's traces have",
                        presence * 100.0
                    ),
                });
            }
        }
    }
    // Call counts far above normal.
    for (&node, &n) in &calls {
        let Some(path) = global[node as usize].map(|p| &baseline.paths[p as usize]) else {
            continue;
        };
        if path.calls_per_trace.len() < config.min_samples {
            continue;
        }
        let p95 = path.calls_per_trace.quantile(95.0);
        let limit = (p95 * config.call_factor).max(p95 + config.call_extra);
        if n as f64 > limit {
            let (_, service, operation) = nodes[node as usize];
            anomalies.push(Anomaly {
                kind: AnomalyKind::CallCount,
                service: trace.str(service).to_string(),
                operation: trace.str(operation).to_string(),
                path: local_path(node),
                span_id: None,
                value: n as f64,
                baseline: p95,
                message: format!(
                    "{}: {} called {n}× where p95 is {p95:.0} (an N+1 loop?)",
                    trace.str(service),
                    trace.str(operation)
                ),
            });
        }
    }
    // Errors and slow spans.
    let mut slow: Vec<(i64, Anomaly)> = Vec::new();
    let mut new_errors: FxHashMap<(Sym, Sym), (usize, usize)> = FxHashMap::default();
    for (i, span) in trace.spans.iter().enumerate() {
        let (service, operation) = (trace.str(span.service), trace.str(span.operation));
        let Some(op) = baseline.operation(service, operation) else {
            continue;
        };
        if op.count() < config.min_samples {
            continue;
        }
        if span.is_error() && op.errors == 0 {
            let entry = new_errors
                .entry((span.service, span.operation))
                .or_insert((0, i));
            entry.0 += 1;
        }
        let limit = op.durations.quantile(config.slow_percentile);
        if span.duration_ns as f64 > limit {
            let self_ns = analysis.self_ns.get(i).copied().unwrap_or(0);
            let added = self_ns as f64 - op.self_times.quantile(50.0);
            slow.push((
                added as i64,
                Anomaly {
                    kind: AnomalyKind::Slow,
                    service: service.to_string(),
                    operation: operation.to_string(),
                    path: local_path(of_span[i]),
                    span_id: Some(trace.str(span.span_id).to_string()),
                    value: span.duration_ns as f64 / 1000.0,
                    baseline: limit / 1000.0,
                    message: format!(
                        "{service}: {operation} took {} (p{:.0} {}; percentile rank {:.1}, robust score {:.1})",
                        format_duration_ns(span.duration_ns),
                        config.slow_percentile,
                        format_duration_ns(limit as i64),
                        op.durations.rank(span.duration_ns) * 100.0,
                        op.robust_score(span.duration_ns)
                    ),
                },
            ));
        }
    }
    token_anomalies(
        baseline,
        trace,
        root_path,
        &root_label,
        config,
        &mut anomalies,
    );
    for ((service, operation), (n, i)) in new_errors {
        let (s, o) = (trace.str(service), trace.str(operation));
        anomalies.push(Anomaly {
            kind: AnomalyKind::NewError,
            service: s.to_string(),
            operation: o.to_string(),
            path: local_path(of_span[i]),
            span_id: (n == 1).then(|| trace.str(trace.spans[i].span_id).to_string()),
            value: n as f64,
            baseline: 0.0,
            message: format!("{s}: {o} failed ({n}×), which it never did in the baseline"),
        });
    }
    let structural_kinds = {
        let mut kinds: Vec<AnomalyKind> = anomalies.iter().map(|a| a.kind).collect();
        kinds.sort();
        kinds.dedup();
        kinds.len()
    };
    // Structural first (errors, new, call counts, missing), then slow by self time added.
    let rank = |k: AnomalyKind| match k {
        AnomalyKind::NewError => 0,
        AnomalyKind::NewPath => 1,
        AnomalyKind::CallCount => 2,
        AnomalyKind::Tokens => 3,
        AnomalyKind::MissingPath => 4,
        AnomalyKind::Slow => 5,
    };
    anomalies.sort_by(|a, b| {
        rank(a.kind)
            .cmp(&rank(b.kind))
            .then(b.value.total_cmp(&a.value))
    });
    slow.sort_by_key(|s| std::cmp::Reverse(s.0));
    anomalies.extend(slow.into_iter().take(MAX_SLOW).map(|(_, a)| a));

    // The excess and its attribution.
    let duration_ns = trace.duration_ns();
    let median = root_dist.map_or(0.0, |d| d.quantile(50.0));
    let excess_ns = if root_dist.is_some() {
        (analysis.critical_path.total_ns as f64 - median).max(0.0) as i64
    } else {
        0
    };
    let mut per_op: FxHashMap<(Sym, Sym), i64> = FxHashMap::default();
    for (i, span) in trace.spans.iter().enumerate() {
        let critical = analysis.critical_path.span_ns.get(i).copied().unwrap_or(0);
        if critical > 0 {
            let entry = per_op.entry((span.service, span.operation)).or_default();
            *entry = entry.saturating_add(critical);
        }
    }
    let mut attribution: Vec<Attribution> = per_op
        .into_iter()
        .filter_map(|((service, operation), critical)| {
            let (s, o) = (trace.str(service), trace.str(operation));
            let normal = baseline
                .operation(s, o)
                .map_or(0.0, |op| op.critical_per_trace.quantile(50.0));
            let excess = (critical as f64 - normal) as i64;
            (excess > 0).then(|| Attribution {
                service: s.to_string(),
                operation: o.to_string(),
                excess_ns: excess,
                share: 0.0,
            })
        })
        .collect();
    let sum: i64 = attribution.iter().map(|a| a.excess_ns).sum();
    for a in &mut attribution {
        a.share = if sum > 0 {
            a.excess_ns as f64 / sum as f64
        } else {
            0.0
        };
    }
    attribution.sort_by(|a, b| {
        b.excess_ns
            .cmp(&a.excess_ns)
            .then_with(|| (&a.service, &a.operation).cmp(&(&b.service, &b.operation)))
    });
    if excess_ns == 0 {
        attribution.clear();
    }

    let p99 = root_dist.map(|d| d.quantile(99.0));
    let ratio = p99
        .filter(|&p| p > 0.0)
        .map_or(0.0, |p| duration_ns as f64 / p);
    let slow_trace = p99.is_some_and(|p| duration_ns as f64 > p * config.trace_margin);
    let score = ratio + structural_kinds as f64;
    let anomalous = slow_trace || structural_kinds > 0;
    let explanation = explain(
        &root_label,
        duration_ns,
        root_dist,
        &attribution,
        &anomalies,
    );
    TraceScore {
        trace_id: trace.trace_id.clone(),
        root: root_label,
        duration_ns,
        score,
        anomalous,
        explanation,
        excess_ns,
        attribution,
        anomalies,
    }
}

/// Tokens far above normal: the run's total against its root operation's baseline runs, and
/// each model's tokens against that model's (each judged with at least `min_samples` runs).
fn token_anomalies(
    baseline: &Baseline,
    trace: &Trace,
    root_path: Option<u32>,
    root_label: &str,
    config: &ScoreConfig,
    anomalies: &mut Vec<Anomaly>,
) {
    if baseline.root_tokens.is_empty() && baseline.model_tokens.is_empty() {
        return;
    }
    let Some(usage) = crate::core::analysis::genai::token_usage(trace) else {
        return;
    };
    let (root_service, root_operation) = root_label.split_once(": ").unwrap_or((root_label, ""));
    let too_many = |value: i64, dist: &Distribution| {
        let median = dist.quantile(50.0);
        (dist.len() >= config.min_samples
            && median > 0.0
            && value as f64 > median * config.token_factor)
            .then_some(median)
    };
    let total = token_value(&usage.total);
    if let Some(dist) = root_path.and_then(|r| baseline.root_tokens.get(&r)) {
        if let Some(median) = too_many(total, dist) {
            anomalies.push(Anomaly {
                kind: AnomalyKind::Tokens,
                service: root_service.to_string(),
                operation: root_operation.to_string(),
                path: vec![format!("{root_service}:{root_operation}")],
                span_id: None,
                value: total as f64,
                baseline: median,
                message: format!(
                    "this run used {:.1}× the tokens of the baseline's median for {root_label} ({total} vs {median:.0})",
                    total as f64 / median
                ),
            });
        }
    }
    for (model, tokens) in &usage.per_model {
        let value = token_value(tokens);
        if let Some(median) = baseline
            .model_tokens
            .get(model)
            .and_then(|dist| too_many(value, dist))
        {
            anomalies.push(Anomaly {
                kind: AnomalyKind::Tokens,
                service: root_service.to_string(),
                operation: model.clone(),
                path: Vec::new(),
                span_id: None,
                value: value as f64,
                baseline: median,
                message: format!(
                    "model {model} used {:.1}× its baseline median tokens per run ({value} vs {median:.0})",
                    value as f64 / median
                ),
            });
        }
    }
}

/// The sentence of a score.
fn explain(
    root: &str,
    duration_ns: i64,
    root_dist: Option<&Distribution>,
    attribution: &[Attribution],
    anomalies: &[Anomaly],
) -> String {
    let mut parts = Vec::new();
    match root_dist {
        Some(dist) => {
            let p95 = dist.quantile(95.0);
            if duration_ns as f64 > p95 && p95 > 0.0 {
                parts.push(format!(
                    "{:.1}× slower than p95 for {root} ({} vs {})",
                    duration_ns as f64 / p95,
                    format_duration_ns(duration_ns),
                    format_duration_ns(p95 as i64)
                ));
            } else {
                parts.push(format!(
                    "within p95 for {root} ({} vs {})",
                    format_duration_ns(duration_ns),
                    format_duration_ns(p95 as i64)
                ));
            }
        }
        None => parts.push(format!(
            "{root} is not in the baseline (too few traces of it)"
        )),
    }
    if let Some(top) = attribution.first() {
        parts.push(format!(
            "{:.0} % of the extra time is {}: {} (+{} on the critical path)",
            top.share * 100.0,
            top.service,
            top.operation,
            format_duration_ns(top.excess_ns)
        ));
    }
    for anomaly in anomalies
        .iter()
        .filter(|a| a.kind != AnomalyKind::Slow)
        .take(3)
    {
        parts.push(anomaly.message.clone());
    }
    parts.join("; ")
}

/// The two-sided p-value of a sign test: are `values` above `median` more (or less) often than
/// half the time? (Normal approximation; values equal to the median are left out.)
pub fn sign_test_p(values: &[i64], median: f64) -> f64 {
    let above = values.iter().filter(|&&v| v as f64 > median).count() as f64;
    let below = values.iter().filter(|&&v| (v as f64) < median).count() as f64;
    let n = above + below;
    if n == 0.0 {
        return 1.0;
    }
    let z = ((above - n / 2.0).abs() - 0.5).max(0.0) / (n / 4.0).sqrt();
    (2.0 * (1.0 - normal_cdf(z))).clamp(0.0, 1.0)
}

/// How one operation moved between the baseline and the current traces.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OperationChange {
    /// The service.
    pub service: String,
    /// The operation.
    pub operation: String,
    /// Spans in the baseline.
    pub count_baseline: usize,
    /// Spans now.
    pub count_current: usize,
    /// Baseline p50, ns.
    pub p50_baseline: f64,
    /// Current p50, ns.
    pub p50_current: f64,
    /// Baseline p95, ns.
    pub p95_baseline: f64,
    /// Current p95, ns.
    pub p95_current: f64,
    /// Baseline p99, ns.
    pub p99_baseline: f64,
    /// Current p99, ns.
    pub p99_current: f64,
    /// Baseline error rate.
    pub error_rate_baseline: f64,
    /// Current error rate.
    pub error_rate_current: f64,
    /// Two-sided p-value of the Mann–Whitney U test (normal approximation with mid-ranks) that
    /// the durations come from one distribution; 0 for an operation only one side has.
    pub p_value: f64,
    /// Current count × the shift of the median self time, in µs (positive: slower now); self
    /// time, so that a slowed operation ranks above the callers that only wait for it.
    pub impact: f64,
}

/// The standard normal CDF (Abramowitz & Stegun 7.1.26 for erf; |error| < 1.5e-7).
fn normal_cdf(z: f64) -> f64 {
    let x = z.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    let erf = 1.0 - poly * (-x * x).exp();
    if z >= 0.0 {
        0.5 * (1.0 + erf)
    } else {
        0.5 * (1.0 - erf)
    }
}

/// Two-sided p-value of the Mann–Whitney U test of two sorted samples.
pub fn mann_whitney_p(a: &[i64], b: &[i64]) -> f64 {
    let (n1, n2) = (a.len() as f64, b.len() as f64);
    if a.is_empty() || b.is_empty() {
        return 1.0;
    }
    // Rank sum of `a` over the merged samples, ties at their mid-rank.
    let (mut i, mut j, mut rank, mut rank_sum_a) = (0usize, 0usize, 1.0f64, 0.0f64);
    while i < a.len() || j < b.len() {
        let v = match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) => x.min(y),
            (Some(&x), None) => x,
            (None, Some(&y)) => y,
            (None, None) => break,
        };
        let (start_i, start_j) = (i, j);
        while a.get(i) == Some(&v) {
            i += 1;
        }
        while b.get(j) == Some(&v) {
            j += 1;
        }
        let tied = (i - start_i + j - start_j) as f64;
        let mid = rank + (tied - 1.0) / 2.0;
        rank_sum_a += mid * (i - start_i) as f64;
        rank += tied;
    }
    let u = rank_sum_a - n1 * (n1 + 1.0) / 2.0;
    let mean = n1 * n2 / 2.0;
    let sd = (n1 * n2 * (n1 + n2 + 1.0) / 12.0).sqrt();
    if sd == 0.0 {
        return 1.0;
    }
    let z = (u - mean) / sd;
    (2.0 * (1.0 - normal_cdf(z.abs()))).clamp(0.0, 1.0)
}

/// Per operation, how the current traces differ from the baseline, largest |impact| first.
pub fn what_changed(baseline: &Baseline, current: &Baseline) -> Vec<OperationChange> {
    let mut keys: Vec<(&str, &str)> = baseline
        .operations
        .iter()
        .chain(current.operations.iter())
        .map(|o| (o.service.as_str(), o.operation.as_str()))
        .collect();
    keys.sort();
    keys.dedup();
    let mut changes: Vec<OperationChange> = keys
        .into_iter()
        .map(|(service, operation)| {
            let before = baseline.operation(service, operation);
            let now = current.operation(service, operation);
            let q =
                |o: Option<&OperationBaseline>, p: f64| o.map_or(0.0, |o| o.durations.quantile(p));
            let count = |o: Option<&OperationBaseline>| o.map_or(0, OperationBaseline::count);
            let p_value = match (before, now) {
                // Quantiles only: a sign test of the spans now against the baseline's median.
                (Some(b), Some(n)) if baseline.from_metrics => {
                    sign_test_p(n.durations.values(), b.median)
                }
                (Some(b), Some(n)) => mann_whitney_p(b.durations.values(), n.durations.values()),
                _ => 0.0,
            };
            // Self time: a slowed leaf outranks the callers that only wait for it.
            let self_p50 =
                |o: Option<&OperationBaseline>| o.map_or(0.0, |o| o.self_times.quantile(50.0));
            let shift = if baseline.from_metrics {
                // A baseline from metrics knows durations only: its self time is estimated
                // with the operation's self share now (exact for leaves, and a caller that
                // only waits for a slowed callee does not rank with it).
                let share = now.map_or(0.0, |n| {
                    let duration = n.durations.quantile(50.0);
                    if duration > 0.0 {
                        (n.self_times.quantile(50.0) / duration).clamp(0.0, 1.0)
                    } else {
                        0.0
                    }
                });
                self_p50(now) - before.map_or(0.0, |b| b.durations.quantile(50.0)) * share
            } else {
                self_p50(now) - self_p50(before)
            };
            OperationChange {
                service: service.to_string(),
                operation: operation.to_string(),
                count_baseline: before
                    .and_then(|o| o.window_calls)
                    .map_or(count(before), |c| usize::try_from(c).unwrap_or(usize::MAX)),
                count_current: count(now),
                p50_baseline: q(before, 50.0),
                p50_current: q(now, 50.0),
                p95_baseline: q(before, 95.0),
                p95_current: q(now, 95.0),
                p99_baseline: q(before, 99.0),
                p99_current: q(now, 99.0),
                error_rate_baseline: before.map_or(0.0, OperationBaseline::error_rate),
                error_rate_current: now.map_or(0.0, OperationBaseline::error_rate),
                p_value,
                impact: count(now) as f64 * shift / 1000.0,
            }
        })
        .collect();
    changes.sort_by(|a, b| b.impact.abs().total_cmp(&a.impact.abs()));
    changes
}

/// The document `tracagg baseline --json` prints: the baseline's operations, the scored
/// traces (most anomalous first) and what changed; times in µs.
pub fn report_json(
    baseline: &Baseline,
    scores: &[TraceScore],
    changes: &[OperationChange],
) -> serde_json::Value {
    let us = |ns: f64| ns / 1000.0;
    let operations: Vec<serde_json::Value> = baseline
        .operations
        .iter()
        .map(|o| {
            serde_json::json!({
                "service": o.service, "operation": o.operation, "count": o.count(),
                "traces": o.traces,
                "p50_us": us(o.durations.quantile(50.0)), "p90_us": us(o.durations.quantile(90.0)),
                "p95_us": us(o.durations.quantile(95.0)), "p99_us": us(o.durations.quantile(99.0)),
                "min_us": us(o.durations.quantile(0.0)), "max_us": us(o.durations.quantile(100.0)),
                "median_us": us(o.median), "mad_us": us(o.mad),
                "ln_mean": o.ln_mean, "ln_std": o.ln_std, "error_rate": o.error_rate(),
                "self_p50_us": us(o.self_times.quantile(50.0)), "self_p95_us": us(o.self_times.quantile(95.0)),
                "critical_p50_us": us(o.critical_per_trace.quantile(50.0)),
                "critical_p95_us": us(o.critical_per_trace.quantile(95.0)),
                "calls_per_trace_p50": o.calls_per_trace.quantile(50.0),
                "calls_per_trace_p95": o.calls_per_trace.quantile(95.0),
            })
        })
        .collect();
    let traces: Vec<serde_json::Value> = scores
        .iter()
        .map(|t| {
            let attribution: Vec<serde_json::Value> = t
                .attribution
                .iter()
                .map(|a| {
                    serde_json::json!({
                        "service": a.service, "operation": a.operation,
                        "excess_us": us(a.excess_ns as f64), "share": a.share,
                    })
                })
                .collect();
            let anomalies: Vec<serde_json::Value> = t
                .anomalies
                .iter()
                .map(|a| {
                    let mut doc = serde_json::json!({
                        "kind": a.kind, "service": a.service, "operation": a.operation,
                        "path": a.path, "value": a.value, "baseline": a.baseline,
                        "message": a.message,
                    });
                    if let Some(span) = &a.span_id {
                        doc["span_id"] = serde_json::json!(span);
                    }
                    doc
                })
                .collect();
            serde_json::json!({
                "trace_id": t.trace_id, "root": t.root, "duration_us": us(t.duration_ns as f64),
                "score": t.score, "anomalous": t.anomalous, "explanation": t.explanation,
                "excess_us": us(t.excess_ns as f64), "attribution": attribution,
                "anomalies": anomalies,
            })
        })
        .collect();
    let changes: Vec<serde_json::Value> = changes
        .iter()
        .map(|c| {
            serde_json::json!({
                "service": c.service, "operation": c.operation,
                "count_baseline": c.count_baseline, "count_current": c.count_current,
                "p50_us_baseline": us(c.p50_baseline), "p50_us_current": us(c.p50_current),
                "p95_us_baseline": us(c.p95_baseline), "p95_us_current": us(c.p95_current),
                "p99_us_baseline": us(c.p99_baseline), "p99_us_current": us(c.p99_current),
                "error_rate_baseline": c.error_rate_baseline, "error_rate_current": c.error_rate_current,
                "p_value": c.p_value, "impact": c.impact,
            })
        })
        .collect();
    serde_json::json!({
        "baseline": {"name": baseline.name, "traces": baseline.traces, "spans": baseline.spans, "operations": operations},
        "traces": traces,
        "changes": changes,
    })
}

/// Scores every trace and sorts them most anomalous first (anomalous before not, then by
/// score).
pub fn score_all(
    baseline: &Baseline,
    traces: &[(Arc<Trace>, Arc<TraceAnalysis>)],
    config: &ScoreConfig,
) -> Vec<TraceScore> {
    let mut scores: Vec<TraceScore> = traces
        .iter()
        .map(|(t, a)| score_trace(baseline, t, a, config))
        .collect();
    scores.sort_by(|a, b| {
        b.anomalous
            .cmp(&a.anomalous)
            .then(b.score.total_cmp(&a.score))
            .then_with(|| a.trace_id.cmp(&b.trace_id))
    });
    scores
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::analysis::analyze_trace;
    use crate::core::generate::{shop_traces, Fault};

    fn analysed(traces: Vec<Trace>) -> Vec<(Arc<Trace>, Arc<TraceAnalysis>)> {
        traces
            .into_iter()
            .map(|t| {
                let a = Arc::new(analyze_trace(&t));
                (Arc::new(t), a)
            })
            .collect()
    }

    fn baseline() -> Baseline {
        build_baseline("normal", &analysed(shop_traces(400, 1, None)))
    }

    fn scores(baseline: &Baseline, fault: Option<Fault>, n: usize, seed: u64) -> Vec<TraceScore> {
        analysed(shop_traces(n, seed, fault))
            .iter()
            .map(|(t, a)| score_trace(baseline, t, a, &ScoreConfig::default()))
            .collect()
    }

    #[test]
    fn statistics_of_a_distribution() {
        let d = Distribution::new(vec![5, 1, 3, 2, 4]);
        assert_eq!(d.quantile(50.0), 3.0);
        assert_eq!(d.rank(3), 0.6);
        assert_eq!(d.mad(), 1.0);
        assert!(mann_whitney_p(&[1, 2, 3, 4, 5], &[1, 2, 3, 4, 5]) > 0.9);
        let low: Vec<i64> = (0..50).collect();
        let high: Vec<i64> = (100..150).collect();
        assert!(mann_whitney_p(&low, &high) < 1e-6);
        assert!((normal_cdf(1.96) - 0.975).abs() < 1e-3);
    }

    #[test]
    fn a_slowed_operation_is_found_and_attributed() {
        let baseline = baseline();
        for score in scores(&baseline, Some(Fault::SlowPayment), 10, 7) {
            assert!(score.anomalous, "{}", score.explanation);
            let top = &score.attribution[0];
            assert_eq!(
                (top.service.as_str(), top.operation.as_str()),
                ("payment", "POST /bank")
            );
            assert!(top.share > 0.8, "{:?}", score.attribution);
            let first = &score.anomalies[0];
            assert_eq!(
                (first.kind, first.operation.as_str()),
                (AnomalyKind::Slow, "POST /bank")
            );
            assert!(
                score
                    .explanation
                    .contains("slower than p95 for frontend: GET /checkout"),
                "{}",
                score.explanation
            );
            assert!(
                score
                    .explanation
                    .contains("of the extra time is payment: POST /bank"),
                "{}",
                score.explanation
            );
        }
    }

    #[test]
    fn structural_faults_are_named_first() {
        let baseline = baseline();
        let cases = [
            (Fault::NPlusOne, AnomalyKind::CallCount, "SELECT items"),
            (Fault::NewError, AnomalyKind::NewError, "charge"),
            (Fault::NoCache, AnomalyKind::MissingPath, "cache get"),
            (Fault::NewService, AnomalyKind::NewPath, "POST /score"),
        ];
        for (fault, kind, operation) in cases {
            for score in scores(&baseline, Some(fault), 5, 11) {
                assert!(score.anomalous, "{fault:?}: {}", score.explanation);
                let first = &score.anomalies[0];
                assert_eq!(
                    (first.kind, first.operation.as_str()),
                    (kind, operation),
                    "{fault:?}: {:?}",
                    score.anomalies
                );
            }
        }
        let n_plus_one = &scores(&baseline, Some(Fault::NPlusOne), 1, 3)[0];
        assert_eq!(n_plus_one.anomalies[0].value, 40.0);
        assert_eq!(
            n_plus_one.attribution[0].operation, "SELECT items",
            "{:#?} {}",
            n_plus_one.attribution, n_plus_one.explanation
        );
        let new_service = &scores(&baseline, Some(Fault::NewService), 1, 3)[0];
        assert_eq!(new_service.anomalies[0].service, "frontend");
        assert!(new_service.attribution.iter().any(|a| a.service == "fraud"));
    }

    #[test]
    fn clean_traces_are_rarely_flagged() {
        let baseline = build_baseline("normal", &analysed(shop_traces(1_000, 1, None)));
        let clean = scores(&baseline, None, 1_000, 99);
        let flagged = clean.iter().filter(|s| s.anomalous).count();
        println!("false alarms: {flagged} of 1000 clean traces");
        assert!(
            flagged <= 10,
            "{flagged} of 1000: {:?}",
            clean.iter().find(|s| s.anomalous).map(|s| &s.explanation)
        );
    }

    #[test]
    fn what_changed_ranks_the_slowed_operation_first() {
        let baseline = baseline();
        let current = build_baseline(
            "now",
            &analysed(shop_traces(100, 5, Some(Fault::SlowPayment))),
        );
        let changes = what_changed(&baseline, &current);
        let top = &changes[0];
        assert_eq!(
            (top.service.as_str(), top.operation.as_str()),
            ("payment", "POST /bank")
        );
        assert!(top.p_value < 1e-6 && top.impact > 0.0);
        let steady = changes
            .iter()
            .find(|c| c.operation == "SELECT items")
            .unwrap();
        assert!(steady.p_value > 1e-3, "{steady:?}");
    }

    /// One agent run: invoke_agent with a chat of `tokens` input tokens on model `m1`.
    fn agent_run(i: usize, tokens: i64) -> (Arc<Trace>, Arc<TraceAnalysis>) {
        let span = |id: &str, parent: Option<&str>, name: &str, attrs: serde_json::Value| {
            serde_json::json!({
                "traceId": format!("{i:032x}"), "spanId": id, "parentSpanId": parent.unwrap_or(""),
                "name": name, "kind": 1,
                "startTimeUnixNano": (1_000_000_000 + i as i64 * 10_000_000_000).to_string(),
                "endTimeUnixNano": (2_000_000_000 + i as i64 * 10_000_000_000).to_string(),
                "attributes": attrs,
            })
        };
        let s = |k: &str, v: &str| serde_json::json!({"key": k, "value": {"stringValue": v}});
        let n =
            |k: &str, v: i64| serde_json::json!({"key": k, "value": {"intValue": v.to_string()}});
        let doc = serde_json::json!({"resourceSpans": [{
            "resource": {"attributes": [s("service.name", "agent")]},
            "scopeSpans": [{"spans": [
                span("00000000000000a1", None, "invoke_agent planner", serde_json::json!([s("gen_ai.operation.name", "invoke_agent")])),
                span("00000000000000a2", Some("00000000000000a1"), "chat m1", serde_json::json!([
                    s("gen_ai.operation.name", "chat"), s("gen_ai.request.model", "m1"),
                    n("gen_ai.usage.input_tokens", tokens), n("gen_ai.usage.output_tokens", 10)])),
            ]}]
        }]});
        let trace = crate::core::analysis::genai::test_otlp::load(&doc.to_string());
        let analysis = Arc::new(crate::core::analysis::analyze_trace(&trace));
        (trace, analysis)
    }

    #[test]
    fn a_run_with_three_times_the_tokens_is_an_anomaly() {
        let normal: Vec<_> = (0..30)
            .map(|i| agent_run(i, 990 + (i as i64 % 5) * 10))
            .collect();
        let baseline = build_baseline("runs", &normal);
        let config = ScoreConfig::default();
        let (trace, analysis) = agent_run(99, 4_000);
        let score = score_trace(&baseline, &trace, &analysis, &config);
        assert!(score.anomalous, "{score:?}");
        let kinds: Vec<(AnomalyKind, &str)> = score
            .anomalies
            .iter()
            .map(|a| (a.kind, a.operation.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                (AnomalyKind::Tokens, "invoke_agent planner"),
                (AnomalyKind::Tokens, "m1")
            ]
        );
        assert!(
            score
                .explanation
                .contains("this run used 3.9× the tokens of the baseline's median"),
            "{}",
            score.explanation
        );
        // A normal run is not flagged for its tokens.
        let (trace, analysis) = agent_run(100, 1_200);
        let score = score_trace(&baseline, &trace, &analysis, &config);
        assert!(
            score
                .anomalies
                .iter()
                .all(|a| a.kind != AnomalyKind::Tokens),
            "{score:?}"
        );
    }
}
