//! Comparing traces: the diff of two traces (A vs B) merged by operation path.
pub mod compare_view;
