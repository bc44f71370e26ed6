//! Both compared traces' timelines one above the other on one time axis (each from its own
//! start; the axis as long as the longer trace), with each trace's critical path marked, so the
//! same calls line up and B's longer bars show where it lost time.
use std::sync::Arc;

use leptos::prelude::*;

use crate::core::model::Trace;
use crate::core::view_model::{format_duration_ns, shared_axis_rows, AxisRow};
use crate::ui::state::AppState;
use crate::ui::widgets::name::Name;

/// Rows per trace drawn; more are counted, not drawn.
const MAX_ROWS: usize = 300;

/// The two timelines.
#[component]
pub fn SharedAxisTimelines(
    /// Trace A.
    a: Arc<Trace>,
    /// Trace B.
    b: Arc<Trace>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let axis_ns = a.duration_ns().max(b.duration_ns());
    let side = |name: &'static str, trace: &Arc<Trace>| {
        let analysis = state.analysis_of(trace);
        let (rows, left_out) = shared_axis_rows(trace, &analysis, axis_ns, MAX_ROWS);
        let heading = format!("{name} · {}", format_duration_ns(trace.duration_ns()));
        view! {
            <div class="axis-trace" data-testid=format!("axis-{}", name.to_lowercase())>
                <h4>{heading}</h4>
                {rows.into_iter().map(|row| view! { <AxisBar row/> }).collect_view()}
                {(left_out > 0).then(|| view! { <p class="hint">{format!("… and {left_out} more spans (open the trace to see them all).")}</p> })}
            </div>
        }
    };
    view! {
        <section class="panel shared-axis" data-testid="shared-axis">
            <h3>{format!("Both timelines on one axis (0 – {}); critical path in dark", format_duration_ns(axis_ns))}</h3>
            {side("A", &a)}
            {side("B", &b)}
        </section>
    }
}

/// One span's row.
#[component]
fn AxisBar(row: AxisRow) -> impl IntoView {
    let indent = format!("padding-left: {}rem", (f64::from(row.depth) * 0.6).min(8.0));
    let style = format!(
        "left: {:.3}%; width: {:.3}%",
        row.left * 100.0,
        row.width * 100.0
    );
    let title = format!("{} — {}", row.label, format_duration_ns(row.duration_ns));
    view! {
        <div class="axis-row" data-testid="axis-row" title=crate::core::view_model::shorten(&title, 300)>
            <span class="axis-label" style=indent><Name text=row.label max=60/></span>
            <span class="axis-track">
                <span class="axis-bar" class:critical=row.critical class:error=row.is_error data-testid="axis-bar" style=style></span>
            </span>
        </div>
    }
}
