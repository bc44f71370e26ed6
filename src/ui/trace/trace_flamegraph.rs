//! The trace page's "Flamegraph" tab: the [`FlameView`] of the open trace, or of every loaded
//! trace with the same root operation.
use std::sync::Arc;

use leptos::prelude::*;

use crate::core::model::Trace;
use crate::ui::state::AppState;
use crate::ui::trace::trace_view::TraceView;
use crate::ui::widgets::flame_view::{FlameScope, FlameView};

/// The root operation of `trace` (service, operation).
fn root_of(trace: &Trace) -> Option<(String, String)> {
    let span = trace.span(trace.root_span()?)?;
    Some((
        trace.str(span.service).to_string(),
        trace.str(span.operation).to_string(),
    ))
}

/// The flamegraph tab.
#[component]
pub fn TraceFlamegraph() -> impl IntoView {
    let view = expect_context::<TraceView>();
    let state = expect_context::<AppState>();
    let all_of_root = RwSignal::new(false);
    let scope = Signal::derive(move || -> FlameScope {
        let (Some(trace), Some(analysis)) = (view.trace.get(), view.analysis.get()) else {
            return Vec::new();
        };
        if all_of_root.get() {
            let root = root_of(&trace);
            state.traces.with_untracked(|set| {
                set.traces()
                    .iter()
                    .filter(|t| root_of(t) == root)
                    .map(|t| (Arc::clone(t), None))
                    .collect()
            })
        } else {
            vec![(Arc::clone(&trace.0), Some(Arc::clone(&analysis.0)))]
        }
    });
    let name = Signal::derive(move || {
        view.trace
            .with(|t| t.as_ref().map(|t| t.trace_id.clone()).unwrap_or_default())
    });
    view! {
        <FlameView scope search=view.search name>
            <label class="check"><input type="checkbox" data-testid="flame-all" prop:checked=all_of_root
                on:change=move |ev| all_of_root.set(event_target_checked(&ev))/>" All loaded traces of this root operation"</label>
        </FlameView>
    }
}
