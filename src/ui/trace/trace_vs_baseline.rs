//! The trace page's "Vs baseline" tab: the trace-diff tree with the active baseline standing in
//! for B — per operation path (siblings merged) the trace's count, total and critical-path time
//! beside the baseline's median and its p5–p95 band (drawn as a bar, the trace's value as a
//! mark), paths the baseline never had, and usual ones the trace lacks; "Outside the band only";
//! the rows as JSON.
use leptos::prelude::*;

use crate::core::analysis::compare::{diff_vs_baseline, BandStatus, BaselineDiff, PathRow};
use crate::core::view_model::format_duration_ns;
use crate::ui::state::AppState;
use crate::ui::trace::trace_view::TraceView;
use crate::ui::widgets::deferred::Deferred;
use crate::ui::widgets::download::{download_text, file_stem};
use crate::ui::widgets::name::Name;

/// Rows shown before "Show all".
const FIRST_ROWS: usize = 500;

/// The label and CSS class of a status.
fn status_label(status: BandStatus) -> (&'static str, &'static str) {
    match status {
        BandStatus::Within => ("within", "same"),
        BandStatus::Above => ("above p95", "removed"),
        BandStatus::Below => ("below p5", "changed"),
        BandStatus::New => ("new", "added"),
        BandStatus::Missing => ("missing", "removed"),
    }
}

/// The tab.
#[component]
pub fn TraceVsBaseline() -> impl IntoView {
    let state = expect_context::<AppState>();
    let view = expect_context::<TraceView>();
    let diff = Deferred::maybe(
        move || (view.trace.get(), state.active(), state.score_config.get()),
        move |(trace, saved, config)| {
            let (trace, saved) = (trace?, saved?);
            let analysis = state.analysis_of(&trace.0);
            Some(diff_vs_baseline(
                &saved.baseline,
                &trace,
                &analysis,
                config.expected_presence,
            ))
        },
    );
    let outside_only = RwSignal::new(false);
    let show_all = RwSignal::new(false);
    let export = move |_| {
        if let Some(diff) = diff.get() {
            let text = serde_json::to_string_pretty(&*diff).unwrap_or_default();
            let name = format!("vs-baseline-{}.json", file_stem(&diff.trace_id));
            if let Err(error) = download_text(&name, "application/json", &text) {
                leptos::logging::warn!("{error}");
            }
        }
    };
    let summary = move |d: &BaselineDiff| {
        let [within, above, below, new, missing] = d.status_counts();
        format!("{} paths: {within} within the baseline's p5–p95 band, {above} above, {below} below, {new} new, {missing} missing (against “{}”).", d.rows.len(), d.baseline)
    };
    view! {
        <section class="panel compare-table vs-baseline" data-testid="vs-baseline-view">
            <Show when=move || state.active_baseline.with(Option::is_some)
                fallback=|| view! { <p class="hint" data-testid="vs-baseline-none">"No active baseline: make one from traces that are normal (tick them in the trace list, then Make baseline), then come back."</p> }>
                {move || diff.get().map(|d| view! { <p class="compare-summary" data-testid="vs-baseline-summary">{summary(&d)}</p> })}
                <div class="compare-bar">
                    <label class="check"><input type="checkbox" data-testid="vs-baseline-outside" prop:checked=outside_only
                        on:change=move |ev| outside_only.set(event_target_checked(&ev))/>" Outside the band only"</label>
                    <button class="button small" data-testid="vs-baseline-export" on:click=export>"Export JSON"</button>
                    <span class="hint">"Band: the baseline's p5–p95 of the path's summed duration per trace, the line its median, the mark this trace."</span>
                </div>
                <div class="table-scroll">
                    <table data-testid="vs-baseline-table">
                        <thead><tr>
                            <th>"Operation path"</th><th>"Status"</th>
                            <th class="num">"Count (baseline median)"</th>
                            <th class="num">"Total"</th><th class="num">"Baseline median"</th><th class="num">"p5–p95"</th>
                            <th class="band-col">"Band"</th>
                            <th class="num">"Critical"</th><th class="num">"Baseline critical"</th>
                        </tr></thead>
                        <tbody>
                            {move || diff.get().map(|d| {
                                let rows: Vec<PathRow> = d.rows.iter()
                                    .filter(|r| !outside_only.get() || r.status != BandStatus::Within)
                                    .take(if show_all.get() { usize::MAX } else { FIRST_ROWS })
                                    .cloned()
                                    .collect();
                                rows.into_iter().map(|row| view! { <BandRow row/> }).collect_view()
                            })}
                        </tbody>
                    </table>
                </div>
                <Show when=move || !show_all.get() && diff.get().is_some_and(|d| d.rows.len() > FIRST_ROWS)>
                    <button class="button small" on:click=move |_| show_all.set(true)>"Show all"</button>
                </Show>
            </Show>
        </section>
    }
}

/// One path with its band.
#[component]
fn BandRow(row: PathRow) -> impl IntoView {
    let (label, class) = status_label(row.status);
    let name = format!("{}: {}", row.service, row.operation);
    let indent = format!("padding-left: {}rem", (row.depth as f64 * 0.8).min(12.0));
    let band = row.band;
    let duration = |ns: f64| format_duration_ns(ns.round() as i64);
    // One scale per row: up to the larger of the band's top and this trace's value.
    let graphic = band.map(|b| {
        let top = (b.total_p95.max(row.total_ns as f64) * 1.1).max(1.0);
        let pct = |ns: f64| (ns / top * 100.0).clamp(0.0, 100.0);
        view! {
            <span class="band">
                <span class="band-range" style=format!("left: {:.2}%; width: {:.2}%", pct(b.total_p5), (pct(b.total_p95) - pct(b.total_p5)).max(0.5))></span>
                <span class="band-median" style=format!("left: {:.2}%", pct(b.total_p50))></span>
                {(row.count > 0).then(|| view! { <span class=format!("band-value {class}") data-testid="band-value" style=format!("left: {:.2}%", pct(row.total_ns as f64))></span> })}
            </span>
        }
    });
    view! {
        <tr class=format!("diff-row diff-{class}") data-testid="vs-baseline-row" data-status=label>
            <td style=indent><Name text=name max=120/></td>
            <td><span class=format!("diff-badge {class}")>{label}</span></td>
            <td class="num">{format!("{} ({})", row.count, band.map_or("–".to_string(), |b| format!("{:.0}", b.count_p50)))}</td>
            <td class="num">{if row.count == 0 { "–".to_string() } else { format_duration_ns(row.total_ns) }}</td>
            <td class="num">{band.map_or("–".to_string(), |b| duration(b.total_p50))}</td>
            <td class="num">{band.map_or("–".to_string(), |b| format!("{} – {}", duration(b.total_p5), duration(b.total_p95)))}</td>
            <td class="band-col">{graphic}</td>
            <td class="num">{if row.count == 0 { "–".to_string() } else { format_duration_ns(row.critical_ns) }}</td>
            <td class="num">{band.map_or("–".to_string(), |b| duration(b.critical_p50))}</td>
        </tr>
    }
}
