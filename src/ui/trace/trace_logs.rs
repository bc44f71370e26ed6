//! The trace page's "Logs" tab: the trace's log records by time, with their level, span and
//! time after the trace's start; filter by level and text; click a line to select its span.
use leptos::prelude::*;

use crate::core::logs::LogLine;
use crate::core::view_model::{format_duration_ns, shorten, NAME_CHARS, VALUE_CHARS};
use crate::ui::trace::trace_graph::TraceTab;
use crate::ui::trace::trace_view::TraceView;
use crate::ui::widgets::name::Name;
use crate::ui::widgets::shared::Shared;

/// Lines shown before "Show more".
const SHOWN_LINES: usize = 200;

/// Lines filtered per browser task: a million lines are filtered in steps, so that typing
/// never waits for all of them.
const FILTER_STEP: usize = 150_000;

/// The time after the trace's start, or a dash.
fn offset_label(line: &LogLine) -> String {
    line.offset_ns.map_or_else(
        || "—".to_string(),
        |ns| format!("+{}", format_duration_ns(ns)),
    )
}

/// One log line's row: time, level, span, message; a click selects the span.
fn log_row(line: LogLine, tab: RwSignal<TraceTab>) -> impl IntoView {
    let view = expect_context::<TraceView>();
    let span = line.span;
    let span_label = span.and_then(|idx| {
        view.trace.with_untracked(|t| {
            t.as_ref().and_then(|t| {
                t.span(idx).map(|s| {
                    shorten(
                        &format!("{}: {}", t.str(s.service), t.str(s.operation)),
                        NAME_CHARS,
                    )
                })
            })
        })
    });
    let level = line.level.to_ascii_lowercase();
    view! {
        <tr class="log-row" class:clickable=span.is_some() data-testid="log-row" data-level=level.clone()
            on:click=move |_| if let Some(idx) = span { tab.set(TraceTab::Timeline); view.focus(idx); }>
            <td class="num log-time">{offset_label(&line)}</td>
            <td class=format!("log-level level-{level}")>{shorten(&line.level, 12)}</td>
            <td class="log-span">{span_label.unwrap_or_else(|| "(no span of this trace)".to_string())}</td>
            <td class="log-message"><Name text=line.message max=VALUE_CHARS/></td>
            <td class="log-source muted">{shorten(&line.source, NAME_CHARS)}</td>
        </tr>
    }
}

/// The Logs tab.
#[component]
pub fn TraceLogs(
    /// Set to go to the timeline when a line is clicked.
    tab: RwSignal<TraceTab>,
) -> impl IntoView {
    let view = expect_context::<TraceView>();
    let level = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    let limit = RwSignal::new(SHOWN_LINES);
    let levels = Memo::new(move |_| view.logs.with(|logs| logs.levels().to_vec()));
    // The positions of the lines that pass the filter (`None`: all of them), found in steps
    // between browser tasks; only the lines shown are written out.
    let matching: RwSignal<Option<Shared<Vec<u32>>>> = RwSignal::new(None);
    let filtering = RwSignal::new(false);
    let ticket = StoredValue::new(0u64);
    Effect::new(move |_| {
        let (level, needle) = (level.get(), text.get().to_lowercase());
        let logs = view.logs.get();
        let mine = ticket.get_value().wrapping_add(1);
        ticket.set_value(mine);
        if level.is_empty() && needle.is_empty() {
            filtering.set(false);
            matching.set(None);
            return;
        }
        filtering.set(true);
        leptos::task::spawn_local(async move {
            let mut found = Vec::new();
            let mut from = 0;
            while from < logs.len() {
                let to = from.saturating_add(FILTER_STEP);
                logs.filter_range(from..to, &level, &needle, &mut found);
                from = to;
                if from < logs.len() {
                    crate::source::yield_to_browser().await;
                    if ticket.try_get_value() != Some(mine) {
                        return;
                    }
                }
            }
            if ticket.try_get_value() == Some(mine) {
                let _ = matching.try_set(Some(Shared::new(found)));
                let _ = filtering.try_set(false);
            }
        });
    });
    let shown = Memo::new(move |_| {
        let limit = limit.get();
        view.logs.with(|logs| {
            matching.with(|found| match found {
                None => (
                    (0..logs.len().min(limit))
                        .filter_map(|i| logs.line(i))
                        .collect::<Vec<_>>(),
                    logs.len(),
                ),
                Some(found) => (
                    found
                        .iter()
                        .take(limit)
                        .filter_map(|&i| logs.line(i as usize))
                        .collect(),
                    found.len(),
                ),
            })
        })
    });
    view! {
        <section class="panel trace-logs" data-testid="trace-logs">
            <div class="logs-bar">
                <label>"Level "
                    <select data-testid="logs-level" on:change=move |ev| level.set(event_target_value(&ev))>
                        <option value="">"any"</option>
                        {move || levels.get().into_iter().map(|l| view! { <option value=l.clone()>{l.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <input type="search" placeholder="Search log messages" data-testid="logs-search"
                    prop:value=text on:input=move |ev| { text.set(event_target_value(&ev)); limit.set(SHOWN_LINES); }/>
                <span class="hint" data-testid="logs-count">{move || {
                    if filtering.get() {
                        return "Filtering…".to_string();
                    }
                    let (rows, total) = shown.get();
                    let all = view.logs.with(|l| l.len());
                    let count = if total == all { format!("{all} log lines") } else { format!("{total} of {all} log lines") };
                    let showing = if rows.len() < total { format!(", showing {}", rows.len()) } else { String::new() };
                    count + &showing
                }}</span>
            </div>
            <Show when=move || view.logs.with(|l| l.is_empty())>
                <p class="hint" data-testid="logs-empty">"No log records for this trace. Drop log files (JSON lines, OTLP logs JSON, logfmt or text lines with trace IDs) on the page: their records join their spans."</p>
            </Show>
            <table class="logs" data-testid="logs-table">
                <tbody>
                    {move || shown.get().0.into_iter().map(|line| log_row(line, tab)).collect_view()}
                </tbody>
            </table>
            <Show when=move || shown.with(|(rows, total)| rows.len() < *total)>
                <button class="button small" data-testid="logs-more" on:click=move |_| limit.update(|l| *l = l.saturating_add(SHOWN_LINES))>"Show more"</button>
            </Show>
        </section>
    }
}
