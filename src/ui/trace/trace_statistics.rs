//! The trace page's "Statistics" tab: Jaeger UI's trace statistics, grouped by service, by
//! operation, or by the values of an attribute key, sortable and exportable as CSV.
use leptos::prelude::*;

use crate::core::analysis::quality::secrets::is_secret_key;
use crate::core::analysis::{attribute_keys, trace_statistics, GroupBy};
use crate::core::view_model::{shorten, trace_stats_table, Table, NAME_CHARS};
use crate::ui::state::AppState;
use crate::ui::trace::trace_view::TraceView;
use crate::ui::widgets::shared::Shared;
use crate::ui::widgets::stats_table::StatsTable;

/// Grouping choices before the attribute keys.
const FIXED_GROUPS: [&str; 2] = ["Service", "Operation"];

/// Attribute keys listed at once (the most common; typing finds the others).
const LISTED_KEYS: usize = 50;

/// The statistics of the open trace.
#[component]
pub fn TraceStatistics() -> impl IntoView {
    let view = expect_context::<TraceView>();
    let state = expect_context::<AppState>();
    let group = RwSignal::new("Operation".to_string());
    // The attribute keys of the trace, for grouping by their values: the most common ones, or
    // those containing what the person typed (from the core, bounded).
    let key_filter = RwSignal::new(String::new());
    let keys = Memo::new(move |_| {
        let filter = key_filter.get();
        view.trace.with(|trace| {
            trace.as_ref().map_or((Vec::new(), 0), |trace| {
                attribute_keys(trace, &filter, LISTED_KEYS)
            })
        })
    });
    let table = Memo::new(move |_| {
        let (Some(trace), Some(analysis)) = (view.trace.get(), view.analysis.get()) else {
            return Shared::new(Table::default());
        };
        let group_by = match group.get().as_str() {
            "Service" => GroupBy::Service,
            "Operation" => GroupBy::Operation,
            key => GroupBy::Attribute(key.to_string()),
        };
        let table = trace_stats_table(
            &trace_statistics(&trace, &analysis.self_ns, &group_by),
            &group_by,
        );
        // Grouped by a secret-named key, every value is masked whole when masking is on.
        let secret_key = matches!(&group_by, GroupBy::Attribute(key) if is_secret_key(key));
        Shared::new(if secret_key && state.mask_secrets.get() {
            table.masked(&[0])
        } else {
            table
        })
    });
    let options = move || {
        let fixed = FIXED_GROUPS.iter().map(|g| g.to_string());
        let (mut listed, _) = keys.get();
        // The chosen key stays listed whatever the search.
        let chosen = group.get_untracked();
        if !FIXED_GROUPS.contains(&chosen.as_str()) && !listed.contains(&chosen) {
            listed.insert(0, chosen);
        }
        fixed
            .chain(listed)
            .map(|name| {
                let label = if FIXED_GROUPS.contains(&name.as_str()) {
                    name.clone()
                } else {
                    format!("attribute {}", shorten(&name, NAME_CHARS))
                };
                let value = name.clone();
                view! { <option value=value selected=move || group.with(|g| *g == name)>{label}</option> }
            })
            .collect_view()
    };
    view! {
        <section class="panel trace-statistics" data-testid="trace-statistics">
            <label class="group-by">
                "Group by "
                <select data-testid="group-by" on:change=move |ev| group.set(event_target_value(&ev))>{options}</select>
            </label>
            <Show when=move || keys.with(|(listed, total)| *total > listed.len()) || !key_filter.with(String::is_empty)>
                <input type="search" class="key-search" placeholder="Find an attribute key" data-testid="group-by-search"
                    prop:value=key_filter on:input=move |ev| key_filter.set(event_target_value(&ev))/>
                <span class="hint" data-testid="group-by-count">{move || keys.with(|(listed, total)| {
                    format!("{} of {total} attribute keys listed", listed.len())
                })}</span>
            </Show>
            <StatsTable title="Trace statistics" testid="table-trace-stats" table=table
                hint="As Jaeger UI: self time is the span's duration minus its children's; \"Self % of trace\" is self total ÷ trace duration."/>
        </section>
    }
}
