//! Comparing against normal: the diff of two traces (A vs B) merged by operation path, the
//! baselines made on the page and the traces scored against the active one.
pub mod baselines_view;
pub mod compare_view;
pub mod scoring;
pub mod shared_axis_view;
