//! What one trace's page shows: visible timeline rows and collapse state, a row's bar
//! segments, the in-trace search, the span detail, the zoom window and ruler, the minimap, and two traces on one time axis.
pub(crate) mod bars;
pub(crate) mod overview;
pub(crate) mod search;
pub(crate) mod shared_axis;
pub(crate) mod span_detail;
pub(crate) mod time_scale;
pub(crate) mod timeline;
