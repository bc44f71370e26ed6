//! What a backend search found: the loaded traces it returned, those with errors first, then
//! the slowest (`core::backend::rank_found`), each opening its trace with the backend kept in
//! the address bar.
use leptos::prelude::*;

use crate::core::backend::rank_found;
use crate::core::view_model::{format_duration_ns, BackendLink, TraceSummary, ViewState};
use crate::ui::shell::routing::navigate;
use crate::ui::state::AppState;
use crate::ui::widgets::name::Name;

/// The list of found traces under the search form.
#[component]
pub fn BackendResults(
    /// The sentence above the list ("Found for frontend:"); nothing is shown while empty.
    #[prop(into)]
    label: Signal<String>,
    /// IDs of the traces the last search returned.
    #[prop(into)]
    found: Signal<Vec<String>>,
    /// The backend and search, for the address bar of an opened trace.
    link: Callback<(), BackendLink>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let rows = Memo::new(move |_| {
        let ids = found.get();
        state.traces.with(|set| rank_found(set, &ids))
    });
    let open = move |trace_id: String| {
        let view = ViewState {
            trace: Some(trace_id),
            backend: Some(link.run(())),
            ..ViewState::default()
        };
        navigate(state.route, view, true);
    };
    view! {
        <Show when=move || !label.with(String::is_empty)>
            <div class="found" data-testid="backend-found">
                <p>{move || label.get()}</p>
                <ul>
                    <For each=move || rows.get() key=|row: &TraceSummary| row.trace_id.clone() children=move |row: TraceSummary| {
                        let id = row.trace_id.clone();
                        let failed = row.error_count > 0;
                        view! {
                            <li data-testid="found-trace" class:has-errors=failed>
                                <a href="#" on:click=move |ev| { ev.prevent_default(); open(id.clone()); }>
                                    <Name text=row.root_label()/>
                                </a>
                                <span>{format_duration_ns(row.duration_ns)}</span>
                                <span class="muted">{row.span_count_label()}</span>
                                {failed.then(|| view! { <span class="error-badge">{format!("{} errors", row.error_count)}</span> })}
                                <code class="muted"><Name text=row.trace_id.clone() max=64/></code>
                            </li>
                        }
                    }/>
                </ul>
            </div>
        </Show>
    }
}
