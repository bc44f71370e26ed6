//! Comparison: what differs between two traces (`diff`: both merged by operation path).
//! `baseline`: what normal looks like, traces scored against it, and what changed.
mod baseline;
mod board;
mod diff;
mod from_metrics;
pub mod paths;
mod vs_baseline;

pub use baseline::{
    build_baseline, mann_whitney_p, report_json, score_all, score_trace, sign_test_p, what_changed,
    Anomaly, AnomalyKind, Attribution, Baseline, BaselineBuilder, Distribution, OperationBaseline,
    OperationChange, PathBaseline, ScoreConfig, TraceScore,
};
pub use board::{SavedBaseline, ScoreBoard, Scorer};
pub use diff::{
    diff_traces, DiffConfig, DiffNode, DiffStatus, NodeFigures, OperationDelta, TraceDiff,
};
pub use vs_baseline::{diff_vs_baseline, Band, BandStatus, BaselineDiff, PathRow};
