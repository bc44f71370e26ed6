//! The Quality view (`#view=quality`): the core's instrumentation check
//! (`analysis::quality`) over every loaded trace, findings grouped by severity, each with its
//! count, sentence, suggestion and example spans that open the trace at that span. The check
//! runs trace by trace in slices of at most [`SLICE_MS`], so a large load never blocks the page.
//! Its switch masks sensitive values everywhere (names, span details, logs, tables, exports).
use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::core::analysis::quality::{Finding, LintConfig, Linter, QualityReport, Severity};
use crate::core::model::Trace;
use crate::core::view_model::{group_digits, ViewState};
use crate::source::yield_to_browser;
use crate::ui::shell::routing::navigate;
use crate::ui::state::AppState;
use crate::ui::widgets::name::Name;
use crate::ui::widgets::shared::Shared;

/// The longest run of checking before the browser gets a turn (ms).
const SLICE_MS: f64 = 30.0;

/// Findings listed per severity before "Show all".
const FIRST_FINDINGS: usize = 40;

/// Milliseconds since the page started, for slicing the work.
fn now_ms() -> f64 {
    window().performance().map_or(0.0, |p| p.now())
}

/// The check's state: the report when done, else how many spans have been checked.
#[derive(Clone)]
enum Progress {
    Checking { spans: usize, of: usize },
    Done(Shared<QualityReport>),
}

/// The whole view.
#[component]
pub fn QualityView() -> impl IntoView {
    let state = expect_context::<AppState>();
    let progress = RwSignal::new(Progress::Checking { spans: 0, of: 0 });
    // Each change of the loaded traces starts a new check; an older one stops at its next slice.
    let generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        // The check reads the traces as loaded (masked ones would hide the secrets it looks
        // for); its examples are always shown masked.
        let traces: Vec<Arc<Trace>> = state.raw_trace_list();
        let ticket = generation.get_value().wrapping_add(1);
        generation.set_value(ticket);
        let total: usize = traces.iter().map(|t| t.spans.len()).sum();
        progress.set(Progress::Checking {
            spans: 0,
            of: total,
        });
        spawn_local(async move {
            let mut linter = Linter::new(LintConfig::default());
            let mut done = 0usize;
            let mut slice_start = now_ms();
            for trace in &traces {
                if now_ms() - slice_start >= SLICE_MS {
                    let _ = progress.try_set(Progress::Checking {
                        spans: done,
                        of: total,
                    });
                    yield_to_browser().await;
                    if generation.try_get_value() != Some(ticket) {
                        return;
                    }
                    slice_start = now_ms();
                }
                linter.add_trace(trace);
                done += trace.spans.len();
            }
            if generation.try_get_value() == Some(ticket) {
                let _ = progress.try_set(Progress::Done(Shared::new(linter.finish())));
            }
        });
    });
    let mask = state.mask_secrets;
    view! {
        <section class="quality-view" data-testid="quality-view">
            <header class="quality-head panel">
                <div>
                    <h2>"Instrumentation check"</h2>
                    <p class="hint">"What the loaded spans say about how they were instrumented: lost context, bad times, names that cannot be grouped, errors recorded badly, secrets, missing resource attributes and deprecated names. Click an example to open its span."</p>
                </div>
                <label class="check mask-switch" title="While on, the loaded traces are shown and exported with every secret masked: span and service names, attributes, events, status messages, log lines and AI messages, in every view, tooltip and search, and in every export (OTLP and Jaeger JSON, the HTML report, CSV, SVG and folded stacks). Values of secret-named keys (password, token, authorization…) are masked whole. Off again shows them as loaded.">
                    <input type="checkbox" data-testid="mask-secrets" prop:checked=move || mask.get()
                        on:change=move |ev| state.set_mask_secrets(event_target_checked(&ev))/>
                    " Mask secrets in every view, search and export"
                </label>
            </header>
            {move || match progress.get() {
                Progress::Checking { spans, of } => view! {
                    <p class="muted" data-testid="quality-progress">
                        {format!("Checking {} of {} spans…", group_digits(spans as u64), group_digits(of as u64))}
                    </p>
                }.into_any(),
                Progress::Done(report) => view! { <Report report/> }.into_any(),
            }}
        </section>
    }
}

/// The report: a summary line and the findings by severity.
#[component]
fn Report(report: Shared<QualityReport>) -> impl IntoView {
    let (errors, warnings, infos) = report.severity_counts();
    let summary = format!(
        "{} traces, {} spans checked: {errors} {}, {warnings} {}, {infos} {}",
        group_digits(report.traces as u64),
        group_digits(report.spans as u64),
        if errors == 1 { "error" } else { "errors" },
        if warnings == 1 { "warning" } else { "warnings" },
        if infos == 1 { "note" } else { "notes" },
    );
    let groups = [
        (Severity::Error, "Errors"),
        (Severity::Warning, "Warnings"),
        (Severity::Info, "Notes"),
    ];
    view! {
        <p class="quality-summary" data-testid="quality-summary">{summary}</p>
        {report.findings.is_empty().then(|| view! {
            <p class="panel" data-testid="quality-clean">"Nothing to report: these spans follow every rule checked."</p>
        })}
        {groups.into_iter().map(|(severity, title)| {
            let findings: Vec<Finding> = report.findings.iter().filter(|f| f.severity == severity).cloned().collect();
            (!findings.is_empty()).then(|| view! { <SeverityGroup title findings/> })
        }).collect_view()}
    }
}

/// The findings of one severity, the first [`FIRST_FINDINGS`] until "Show all".
#[component]
fn SeverityGroup(title: &'static str, findings: Vec<Finding>) -> impl IntoView {
    let show_all = RwSignal::new(false);
    let total = findings.len();
    let findings = StoredValue::new(findings);
    let cut = move || FIRST_FINDINGS < total && !show_all.get();
    view! {
        <section class="quality-group" data-testid="quality-group">
            <h3>{format!("{title} ({total})")}</h3>
            {move || {
                let limit = if show_all.get() { usize::MAX } else { FIRST_FINDINGS };
                findings.with_value(|list| list.iter().take(limit).cloned().map(|finding| view! { <FindingCard finding/> }).collect_view())
            }}
            <Show when=cut>
                <button class="button small" data-testid="quality-show-all" on:click=move |_| show_all.set(true)>
                    {format!("Show all {total}")}
                </button>
            </Show>
        </section>
    }
}

/// One finding: severity, title, count, sentence, suggestion and its examples.
#[component]
fn FindingCard(finding: Finding) -> impl IntoView {
    let state = expect_context::<AppState>();
    let severity = finding.severity.as_str();
    let examples = finding
        .examples
        .clone()
        .into_iter()
        .map(|example| {
            let href = ViewState {
                trace: Some(example.trace_id.clone()),
                span: Some(example.span_id.clone()),
                ..ViewState::default()
            }
            .to_fragment();
            let (trace_id, span_id) = (example.trace_id.clone(), example.span_id.clone());
            let open = move |ev: leptos::ev::MouseEvent| {
                ev.prevent_default();
                navigate(
                    state.route,
                    ViewState {
                        trace: Some(trace_id.clone()),
                        span: Some(span_id.clone()),
                        ..ViewState::default()
                    },
                    true,
                );
            };
            view! {
                <li>
                    <a href=href data-testid="finding-example" title="Open this span" on:click=open>
                        <Name text=example.detail.clone()/>
                    </a>
                    <span class="muted">" · trace "<code><Name text=example.trace_id.clone() max=16/></code></span>
                </li>
            }
        })
        .collect_view();
    view! {
        <article class=format!("finding panel severity-{severity}") data-testid="finding" data-kind=finding.kind.as_str()>
            <header>
                <span class=format!("severity-badge {severity}")>{severity}</span>
                <b class="finding-title">{finding.kind.title()}</b>
                <span class="finding-count" data-testid="finding-count">{group_digits(finding.count)}</span>
                <code class="muted finding-kind">{finding.kind.as_str()}</code>
            </header>
            <p class="finding-message" data-testid="finding-message"><Name text=finding.message.clone() max=1_000/></p>
            {finding.suggestion.clone().map(|s| view! { <p class="hint">"Suggested: "<code><Name text=s/></code></p> })}
            <ul class="finding-examples">{examples}</ul>
        </article>
    }
}
