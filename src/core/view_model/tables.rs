//! Tables and charts: sortable cells with CSV export, each statistics table, and the chart
//! data (scatter points, histogram bins).
pub(crate) mod charts;
pub(crate) mod compare_tables;
pub(crate) mod genai_tables;
pub(crate) mod stats_tables;
pub(crate) mod table;
