//! The trace page's toolbar: search with match count and next/previous, quick filters,
//! collapse controls, zoom, error-path mode and help.
use leptos::prelude::*;

use crate::core::view_model::QuickFilters;
use crate::ui::trace::trace_view::TraceView;

/// Search, filters, collapse and zoom controls of the open trace.
#[component]
pub fn TraceToolbar() -> impl IntoView {
    let view = expect_context::<TraceView>();
    let filtering =
        move || !view.search.with(|s| s.trim().is_empty()) || !view.filters.get().is_empty();
    let count_text = move || {
        if !filtering() {
            return String::new();
        }
        let total = view.matches.with(|m| m.list.len());
        match view
            .selected
            .get()
            .and_then(|idx| view.matches.with(|m| m.position(idx)))
        {
            Some(pos) => format!("{} of {total}", pos + 1),
            None if total == 1 => "1 match".to_string(),
            None => format!("{total} matches"),
        }
    };
    let error_count = move || {
        view.analysis
            .with(|a| a.as_ref().map_or(0, |a| a.error_paths.len()))
    };
    let max_depth = move || view.trace.with(|t| t.as_ref().map_or(0, |t| t.max_depth()));
    // The decision filters show only on traces that have decision spans.
    let has_decisions = Memo::new(move |_| {
        view.trace.with(|t| {
            t.as_ref()
                .is_some_and(|t| t.attributes.iter().any(|a| t.str(a.key) == "decision.type"))
        })
    });
    let set_filter = move |change: fn(&mut QuickFilters, bool), on: bool| {
        view.filters.update(|f| change(f, on));
    };
    view! {
        <div class="toolbar" data-testid="trace-toolbar">
            <div class="search">
                <input
                    type="search"
                    data-testid="span-search"
                    placeholder="Search spans: text, key=value, span ID  ( / )"
                    prop:value=move || view.search.get()
                    on:input=move |ev| view.search.set(event_target_value(&ev))
                    on:keydown=move |ev| {
                        if ev.key() == "Enter" {
                            ev.prevent_default();
                            view.step_match(!ev.shift_key());
                        } else if ev.key() == "Escape" {
                            view.search.set(String::new());
                        }
                    }
                />
                <span class="match-count" data-testid="match-count">{count_text}</span>
                <button class="button small" data-testid="prev-match" title="Previous match (N or Shift+Enter)" on:click=move |_| view.step_match(false)>"↑"</button>
                <button class="button small" data-testid="next-match" title="Next match (n or Enter)" on:click=move |_| view.step_match(true)>"↓"</button>
                <label class="check">
                    <input type="checkbox" data-testid="matches-only"
                        prop:checked=move || view.matches_only.get()
                        on:change=move |ev| view.matches_only.set(event_target_checked(&ev))/>
                    " Matches only"
                </label>
            </div>
            <div class="filters">
                <label class="check">
                    <input type="checkbox" data-testid="filter-errors"
                        prop:checked=move || view.filters.get().errors_only
                        on:change=move |ev| set_filter(|f, on| f.errors_only = on, event_target_checked(&ev))/>
                    " Errors"
                </label>
                <label class="check">
                    <input type="checkbox" data-testid="filter-critical"
                        prop:checked=move || view.filters.get().critical_only
                        on:change=move |ev| set_filter(|f, on| f.critical_only = on, event_target_checked(&ev))/>
                    " Critical path"
                </label>
                <label class="check" title="Only spans lasting at least this long">
                    "Slower than "
                    <input type="number" class="ms-input" data-testid="filter-slow" min="0" step="any" placeholder="—"
                        on:input=move |ev| {
                            let ms: f64 = event_target_value(&ev).trim().parse().unwrap_or(0.0);
                            view.filters.update(|f| {
                                f.min_duration_ns = (ms > 0.0).then(|| (ms * 1_000_000.0).round() as i64);
                            });
                        }/>
                    " ms"
                </label>
                <Show when=move || has_decisions.get()>
                    <label class="check" title="Only decision spans (decision.type)">
                        <input type="checkbox" data-testid="filter-decisions"
                            prop:checked=move || view.filters.get().decisions_only
                            on:change=move |ev| set_filter(|f, on| f.decisions_only = on, event_target_checked(&ev))/>
                        " Decisions"
                    </label>
                    <label class="check" title="Only decisions with decision.confidence under 0.5">
                        <input type="checkbox" data-testid="filter-low-confidence"
                            prop:checked=move || view.filters.get().low_confidence_only
                            on:change=move |ev| set_filter(|f, on| f.low_confidence_only = on, event_target_checked(&ev))/>
                        " Low confidence"
                    </label>
                </Show>
                <button class="button small" data-testid="error-mode" class:active=move || view.error_mode.get()
                    title="Highlight root-to-error chains (e)"
                    on:click=move |_| view.error_mode.update(|on| *on = !*on)>
                    {move || format!("Error paths ({})", error_count())}
                </button>
            </div>
            <div class="tree-controls">
                <button class="button small" data-testid="collapse-all" title="Collapse all ( [ )" on:click=move |_| view.collapse.update(|c| c.collapse_all())>"Collapse all"</button>
                <button class="button small" data-testid="expand-all" title="Expand all ( ] )" on:click=move |_| view.collapse.update(|c| c.expand_all())>"Expand all"</button>
                <label class="check">
                    "Depth "
                    <select data-testid="expand-depth"
                        prop:value=move || view.collapse.with(|c| c.uniform_depth().filter(|d| *d > 0).map(|d| d.to_string()).unwrap_or_default())
                        on:change=move |ev| {
                        if let Ok(depth) = event_target_value(&ev).parse::<u32>() {
                            view.collapse.update(|c| c.expand_to_depth(depth));
                        }
                    }>
                        <option value="">"—"</option>
                        {move || (1..=max_depth().min(20)).map(|d| view! { <option value=d.to_string()>{d.to_string()}</option> }).collect_view()}
                    </select>
                </label>
                <button class="button small" data-testid="zoom-in" title="Zoom in (w)" on:click=move |_| view.zoom(0.5, 0.5)>"+"</button>
                <button class="button small" data-testid="zoom-out" title="Zoom out (s)" on:click=move |_| view.zoom(2.0, 0.5)>"−"</button>
                <button class="button small" data-testid="zoom-reset" title="Whole trace (0)" on:click=move |_| view.reset_zoom()>"Reset zoom"</button>
                <button class="button small" data-testid="help" title="Keyboard shortcuts (?)" on:click=move |_| view.help_open.update(|o| *o = !*o)>"?"</button>
            </div>
        </div>
    }
}
