//! The trace page's "Statistics" tab: Jaeger UI's trace statistics, grouped by service, by
//! operation, or by the values of an attribute key, sortable and exportable as CSV.
use std::collections::BTreeSet;

use leptos::prelude::*;

use crate::core::analysis::{trace_statistics, GroupBy};
use crate::core::view_model::{trace_stats_table, Table};
use crate::ui::trace::trace_view::TraceView;
use crate::ui::widgets::shared::Shared;
use crate::ui::widgets::stats_table::StatsTable;

/// Grouping choices before the attribute keys.
const FIXED_GROUPS: [&str; 2] = ["Service", "Operation"];

/// The statistics of the open trace.
#[component]
pub fn TraceStatistics() -> impl IntoView {
    let view = expect_context::<TraceView>();
    let group = RwSignal::new("Operation".to_string());
    // The attribute keys of the trace, for grouping by their values.
    let keys = Memo::new(move |_| {
        let Some(trace) = view.trace.get() else {
            return Vec::new();
        };
        let keys: BTreeSet<&str> = trace
            .spans
            .iter()
            .flat_map(|s| trace.attrs(s.attrs).iter().map(|a| trace.str(a.key)))
            .collect();
        keys.into_iter().map(str::to_string).collect::<Vec<_>>()
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
        Shared::new(trace_stats_table(
            &trace_statistics(&trace, &analysis.self_ns, &group_by),
            &group_by,
        ))
    });
    let options = move || {
        let fixed = FIXED_GROUPS.iter().map(|g| g.to_string());
        fixed
            .chain(keys.get())
            .map(|name| {
                let label = if FIXED_GROUPS.contains(&name.as_str()) {
                    name.clone()
                } else {
                    format!("attribute {name}")
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
            <StatsTable title="Trace statistics" testid="table-trace-stats" table=table
                hint="As Jaeger UI: self time is the span's duration minus its children's; \"Self % of trace\" is self total ÷ trace duration."/>
        </section>
    }
}
