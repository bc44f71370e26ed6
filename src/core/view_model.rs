//! View models: what the UI and the CLI show, computed from the model without any web type.
mod bars;
mod colour;
mod overview;
mod search;
mod span_detail;
mod time_scale;
mod timeline;
mod trace_list;
mod url_state;

pub use bars::{bar_layout, BarLayout, BarOptions, CriticalIndex, Segment};
pub use colour::service_colour;
pub use overview::{overview_lines, OverviewLine};
pub use search::{find_spans, QuickFilters, SpanMatches, SpanQuery};
pub use span_detail::{EventDetail, KeyValue, ReferenceDetail, SpanDetail};
pub use time_scale::{ticks, Tick, TimeWindow, MIN_WINDOW_NS};
pub use timeline::{descendant_count, visible_rows, CollapseState};
pub use trace_list::{format_duration_ns, format_start_ns, TraceSummary};
pub use url_state::ViewState;
