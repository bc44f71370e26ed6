//! Comparison: what differs between two traces (`diff`: both merged by operation path).
//! Baselines and anomaly scores will join it here.
mod diff;

pub use diff::{
    diff_traces, DiffConfig, DiffNode, DiffStatus, NodeFigures, OperationDelta, TraceDiff,
};
