//! The trace page's header: what the trace is (root, start, duration, services, depth, spans,
//! errors, warnings) and the clock-skew toggle.
use leptos::prelude::*;

use crate::core::view_model::{
    format_duration_ns, format_start_ns, shorten, TraceSummary, VALUE_CHARS,
};
use crate::ui::compare::compare_view::open_compare;
use crate::ui::state::AppState;
use crate::ui::trace::trace_view::TraceView;
use crate::ui::widgets::copy_button::CopyButton;
use crate::ui::widgets::export_menu::ExportMenu;
use crate::ui::widgets::name::Name;

/// Other traces "Compare with…" offers.
const COMPARE_CHOICES: usize = 200;

/// "Compare with…": opens a list of the other loaded traces (those with the same root first,
/// then by start) and compares this trace (A) with the one picked (B).
#[component]
fn CompareWith() -> impl IntoView {
    let state = expect_context::<AppState>();
    let view = expect_context::<TraceView>();
    let open = RwSignal::new(false);
    // Built only when opened: it goes over every loaded trace.
    let choices = move || {
        let Some(this) = view.trace.get() else {
            return Vec::new();
        };
        let root = TraceSummary::of(&this).root_label();
        state.traces.with(|set| {
            let mut list: Vec<(bool, i64, String, String)> = set
                .traces()
                .iter()
                .filter(|t| t.trace_id != this.trace_id)
                .map(|t| {
                    let summary = TraceSummary::of(t);
                    let label = format!(
                        "{} · {} · {}",
                        shorten(&summary.root_label(), 60),
                        format_duration_ns(summary.duration_ns),
                        shorten(&summary.trace_id, 16)
                    );
                    (
                        summary.root_label() != root,
                        summary.start_ns,
                        summary.trace_id,
                        label,
                    )
                })
                .collect();
            list.sort();
            list.truncate(COMPARE_CHOICES);
            list.into_iter()
                .map(|(_, _, id, label)| (id, label))
                .collect()
        })
    };
    let pick = move |ev: leptos::ev::Event| {
        let other = event_target_value(&ev);
        let this = view
            .trace
            .with_untracked(|t| t.as_ref().map(|t| t.trace_id.clone()));
        if let (Some(this), false) = (this, other.is_empty()) {
            open_compare(state, this, other);
        }
    };
    view! {
        <Show when=move || open.get() fallback=move || view! {
            <button class="button small" data-testid="compare-with" on:click=move |_| open.set(true)
                title="Compare this trace with another loaded one, merged by operation path">"Compare with…"</button>
        }>
            <select data-testid="compare-with-choice" on:change=pick>
                <option value="">"Compare with… (same root first)"</option>
                {move || choices().into_iter().map(|(id, label)| view! { <option value=id>{label}</option> }).collect_view()}
            </select>
        </Show>
    }
}

/// Warnings the header's list shows before "and N more".
const SHOWN_WARNINGS: usize = 50;

/// The header of the open trace.
#[component]
pub fn TraceHeader() -> impl IntoView {
    let view = expect_context::<TraceView>();
    let summary = Memo::new(move |_| view.trace.get().map(|t| TraceSummary::of(&t)));
    let depth = Memo::new(move |_| view.trace.get().map_or(0, |t| t.max_depth() + 1));
    let field = move |f: fn(&TraceSummary) -> String| {
        move || summary.with(|s| s.as_ref().map(f).unwrap_or_default())
    };
    let warnings =
        move || summary.with(|s| s.as_ref().map(|s| s.warnings.clone()).unwrap_or_default());
    let trace_id = Signal::derive(field(|s| s.trace_id.clone()));
    view! {
        <header class="trace-header" data-testid="trace-header">
            <h2>
                <span class="root-service" data-testid="header-service">{move || view! { <Name text=field(|s| s.root_service.clone())()/> }}</span>
                ": "
                <span class="root-operation" data-testid="header-operation">{move || view! { <Name text=field(|s| s.root_operation.clone())()/> }}</span>
            </h2>
            <dl class="facts">
                <div><dt>"Trace"</dt><dd><code data-testid="header-trace-id">{move || view! { <Name text=trace_id.get() max=64/> }}</code><CopyButton text=trace_id label="trace ID"/></dd></div>
                <div><dt>"Start"</dt><dd data-testid="header-start">{field(|s| format_start_ns(s.start_ns))}</dd></div>
                <div><dt>"Duration"</dt><dd data-testid="header-duration">{field(|s| format_duration_ns(s.duration_ns))}</dd></div>
                <div><dt>"Services"</dt><dd data-testid="header-services">{field(|s| s.services.len().to_string())}</dd></div>
                <div><dt>"Depth"</dt><dd data-testid="header-depth">{move || depth.get()}</dd></div>
                <div><dt>"Spans"</dt><dd data-testid="header-spans">{field(|s| s.span_count.to_string())}</dd></div>
                <div><dt>"Errors"</dt><dd data-testid="header-errors" class:error-text=move || summary.with(|s| s.as_ref().is_some_and(|s| s.error_count > 0))>{field(|s| s.error_count.to_string())}</dd></div>
                <div>
                    <dt>"Warnings"</dt>
                    <dd data-testid="header-warnings">
                        {move || {
                            let list = warnings();
                            if list.is_empty() {
                                view! { <span>"0"</span> }.into_any()
                            } else {
                                view! {
                                    <details class="header-warnings">
                                        <summary>{list.len().to_string()}</summary>
                                        <ul>
                                            {list.iter().take(SHOWN_WARNINGS).map(|w| view! { <li><Name text=w.clone() max=VALUE_CHARS/></li> }).collect_view()}
                                            {(list.len() > SHOWN_WARNINGS).then(|| view! { <li>{format!("… and {} more", list.len() - SHOWN_WARNINGS)}</li> })}
                                        </ul>
                                    </details>
                                }
                                .into_any()
                            }
                        }}
                    </dd>
                </div>
            </dl>
            <CompareWith/>
            <ExportMenu testid="export-trace" report=true name=Signal::derive(move || view.trace.with(|t| t.as_ref().map(|t| format!("trace-{}", t.trace_id)).unwrap_or_default()))
                traces=Callback::new(move |()| view.trace.with_untracked(|t| t.as_ref().map(|t| vec![std::sync::Arc::clone(&t.0)]).unwrap_or_default()))/>
            <label class="skew-toggle" title="Shift child spans that start before their parent or end after it, as Jaeger does (clock skew between hosts).">
                <input type="checkbox" data-testid="skew-toggle"
                    prop:checked=move || view.skew_adjusted.get()
                    on:change=move |ev| view.skew_adjusted.set(event_target_checked(&ev))/>
                " Adjust clock skew"
                <Show when=move || view.skew_adjusted.get()>
                    <span class="skew-note" data-testid="skew-note">
                        {move || match view.skew_moves.get() {
                            0 => "(nothing to adjust)".to_string(),
                            1 => "(1 span moved)".to_string(),
                            n => format!("({n} spans moved)"),
                        }}
                    </span>
                </Show>
            </label>
        </header>
    }
}
