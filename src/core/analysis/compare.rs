//! Comparison: what differs between two traces (`diff`: both merged by operation path).
//! `baseline`: what normal looks like, traces scored against it, and what changed.
mod baseline;
mod diff;

pub use baseline::{
    build_baseline, mann_whitney_p, report_json, score_all, score_trace, what_changed, Anomaly,
    AnomalyKind, Attribution, Baseline, Distribution, OperationBaseline, OperationChange,
    PathBaseline, ScoreConfig, TraceScore,
};
pub use diff::{
    diff_traces, DiffConfig, DiffNode, DiffStatus, NodeFigures, OperationDelta, TraceDiff,
};
