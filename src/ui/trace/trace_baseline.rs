//! The trace against the active baseline, above the trace's tabs: its score and sentence, the
//! attribution of its extra time to the operations on its critical path, its anomalies (each
//! opens its span), and the switch that colours the bars by their percentile in the baseline,
//! with its legend.
use leptos::prelude::*;

use crate::core::view_model::anomaly_label;
use crate::core::view_model::{format_duration_ns, BASELINE_BANDS, UNJUDGED_COLOUR};
use crate::ui::services::services_view::open_span;
use crate::ui::state::AppState;
use crate::ui::trace::trace_view::TraceView;
use crate::ui::widgets::name::Name;

/// Operations of the attribution listed.
const SHOWN_ATTRIBUTION: usize = 5;

/// Anomalies listed before "Show all".
const FIRST_ANOMALIES: usize = 12;

/// The panel; nothing without an active baseline.
#[component]
pub fn TraceBaseline() -> impl IntoView {
    let state = expect_context::<AppState>();
    let view = expect_context::<TraceView>();
    let trace_id = Memo::new(move |_| {
        view.trace
            .with(|t| t.as_ref().map(|t| t.trace_id.clone()))
            .unwrap_or_default()
    });
    let score = Memo::new(move |_| {
        let id = trace_id.get();
        state
            .scores
            .with(|b| b.as_ref().map(|b| b.of(&id).cloned()))
    });
    let is_member = move || {
        let id = trace_id.get();
        state.active().is_some_and(|b| b.members.contains(&id))
    };
    let name = move || state.active_baseline.get().unwrap_or_default();
    let show_all = RwSignal::new(false);
    view! {
        <Show when=move || state.active_baseline.with(Option::is_some)>
            <div class="panel trace-baseline" data-testid="trace-baseline">
                <header>
                    <h3>"Against the baseline “" <Name text=name() max=60/> "”"</h3>
                    <label class="switch" title="Colour each bar by where its duration falls among its operation's in the baseline">
                        <input type="checkbox" data-testid="vs-baseline" prop:checked=move || view.vs_baseline.get()
                            on:change=move |ev| view.vs_baseline.set(event_target_checked(&ev))/>
                        " Colour bars vs baseline"
                    </label>
                </header>
                <Show when=move || view.vs_baseline.get()>
                    <p class="legend" data-testid="baseline-legend">
                        {BASELINE_BANDS.iter().map(|(_, colour, label)| view! {
                            <span class="legend-item"><span class="swatch" style=format!("background: {colour}")></span>{*label}</span>
                        }).collect_view()}
                        <span class="legend-item"><span class="swatch" style=format!("background: {UNJUDGED_COLOUR}")></span>"too few in the baseline"</span>
                    </p>
                </Show>
                {move || match score.get() {
                    None => view! { <p class="hint">"Scoring…"</p> }.into_any(),
                    Some(None) if is_member() => view! { <p class="hint" data-testid="baseline-member">"This trace is one of the baseline's own."</p> }.into_any(),
                    Some(None) => view! { <p class="hint">"Not scored."</p> }.into_any(),
                    Some(Some(score)) => {
                        let total = score.anomalies.len();
                        let trace = score.trace_id.clone();
                        view! {
                            <p data-testid="trace-explanation" class:anomaly-text=score.anomalous>
                                <b>{if score.anomalous { format!("Anomalous, score {:.2}: ", score.score) } else { format!("Normal, score {:.2}: ", score.score) }}</b>
                                <Name text=score.explanation.clone() max=600/>
                            </p>
                            {(!score.attribution.is_empty()).then(|| view! {
                                <div class="attribution" data-testid="attribution">
                                    <h4>{format!("Where the {} above the baseline's median went (on the critical path)", format_duration_ns(score.excess_ns))}</h4>
                                    <ul>
                                        {score.attribution.iter().take(SHOWN_ATTRIBUTION).map(|a| view! {
                                            <li data-testid="attribution-row">
                                                <span class="share-bar" style=format!("width: {:.1}%", (a.share * 100.0).clamp(0.0, 100.0))></span>
                                                <Name text=format!("{}: {}", a.service, a.operation) max=80/>
                                                <span class="muted">{format!(" +{} ({:.0} %)", format_duration_ns(a.excess_ns), a.share * 100.0)}</span>
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                </div>
                            })}
                            {(total > 0).then(|| view! {
                                <ul class="anomaly-list" data-testid="anomaly-list">
                                    {move || score.anomalies.iter().take(if show_all.get() { usize::MAX } else { FIRST_ANOMALIES }).map(|a| {
                                        let (trace, span) = (trace.clone(), a.span_id.clone());
                                        let opens = span.is_some();
                                        view! {
                                            <li data-testid="trace-anomaly">
                                                <span class="chip anomaly-kind">{anomaly_label(a.kind)}</span>
                                                {if opens {
                                                    view! { <a href="#" on:click=move |ev| { ev.prevent_default(); open_span(state, trace.clone(), span.clone()); }><Name text=a.message.clone() max=300/></a> }.into_any()
                                                } else {
                                                    view! { <span><Name text=a.message.clone() max=300/></span> }.into_any()
                                                }}
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                                {(total > FIRST_ANOMALIES).then(|| view! {
                                    <button class="button small subtle" on:click=move |_| show_all.update(|s| *s = !*s)>
                                        {move || if show_all.get() { "Show fewer".to_string() } else { format!("Show all {total} anomalies") }}
                                    </button>
                                })}
                            })}
                        }.into_any()
                    }
                }}
            </div>
        </Show>
    }
}
