//! The trace page's Agent tab: what the agent did (summary, steps with infrastructure folded
//! in), what it said (the conversation) and why it decided (decisions, low confidence first).
use leptos::prelude::*;

use crate::core::analysis::genai::{
    agent_steps, genai_summary, genai_summary_with, GenAiSummary, Step, StepKind, TimeSplit,
};
use crate::core::analysis::SpanRef;
use crate::core::model::{SpanIdx, Trace};
use crate::core::view_model::{
    decisions_table, format_duration_ns, shorten, trace_cost, trace_models_table, TableRow,
    NAME_CHARS,
};
use crate::ui::agent::conversation_view::ConversationView;
use crate::ui::agent::price_editor::PriceEditor;
use crate::ui::state::AppState;
use crate::ui::trace::trace_graph::TraceTab;
use crate::ui::trace::trace_view::TraceView;
use crate::ui::widgets::name::Name;
use crate::ui::widgets::shared::Shared;
use crate::ui::widgets::stats_table::StatsTable;

/// The open trace's AI work, or `None` when it has none (tracked).
pub fn use_genai(view: TraceView) -> Memo<Option<Shared<GenAiSummary>>> {
    Memo::new(move |_| {
        let trace = view.trace.get()?;
        // With the trace's analysis at hand, its self times and critical path are reused.
        let summary = match view.analysis.get() {
            Some(analysis) => genai_summary_with(&trace, || analysis.0.clone()),
            None => genai_summary(&trace),
        };
        summary.map(Shared::new)
    })
}

/// A step's or span's label: "service: operation".
fn span_label(trace: &Trace, idx: SpanIdx) -> String {
    trace
        .span(idx)
        .map(|s| format!("{}: {}", trace.str(s.service), trace.str(s.operation)))
        .unwrap_or_default()
}

/// A bar of three parts (model, tool, other) with their shares.
fn time_bar(label: &'static str, split: TimeSplit, testid: &'static str) -> impl IntoView {
    let total = split.total_ns().max(1) as f64;
    let part = |ns: i64, class: &'static str, name: &'static str| {
        let pct = ns as f64 / total * 100.0;
        view! {
            <span class=format!("time-part {class}") style=format!("width: {pct:.2}%")
                title=format!("{name}: {} ({pct:.0} %)", format_duration_ns(ns))></span>
        }
    };
    let text = format!(
        "model {} · tools {} · other {}",
        format_duration_ns(split.model_ns),
        format_duration_ns(split.tool_ns),
        format_duration_ns(split.other_ns)
    );
    view! {
        <div class="time-split" data-testid=testid>
            <span class="time-label">{label}</span>
            <span class="time-bar">
                {part(split.model_ns, "model", "model calls")}
                {part(split.tool_ns, "tool", "tools")}
                {part(split.other_ns, "other", "other")}
            </span>
            <span class="time-text">{text}</span>
        </div>
    }
}

/// The Agent tab.
#[component]
pub fn AgentTab(
    /// Set to go to the timeline when a step or decision is opened.
    tab: RwSignal<TraceTab>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let view = expect_context::<TraceView>();
    let summary = use_genai(view);
    let threshold = RwSignal::new(0.5f64);
    let open_span = move |idx: SpanIdx| {
        tab.set(TraceTab::Timeline);
        view.focus(idx);
    };
    let content = move || {
        let (Some(trace), Some(summary)) = (view.trace.get(), summary.get()) else {
            return view! { <p class="hint" data-testid="agent-none">"This trace has no GenAI or decision spans."</p> }.into_any();
        };
        let s = &*summary;
        let prices = state.prices.get();
        let (cost, unpriced) = trace_cost(s, &prices);
        let cost_text = if s.models.is_empty() {
            "no model calls".to_string()
        } else if unpriced == s.models.len() {
            "no prices set — add them below".to_string()
        } else if unpriced > 0 {
            format!("{cost:.4} (per your prices; {unpriced} model(s) without a price)")
        } else {
            format!("{cost:.4} (per your prices)")
        };
        let counts = [
            ("agent", "agents", s.agents),
            ("LLM call", "LLM calls", s.llm_calls),
            ("tool call", "tool calls", s.tool_calls),
            ("retrieval", "retrievals", s.retrievals),
            ("embeddings call", "embeddings calls", s.embeddings),
            ("decision", "decisions", s.decisions),
            ("failure", "failures", s.failures.len()),
        ];
        let tokens = s.tokens;
        let models = Shared::new(trace_models_table(s, &prices));
        let has_models = !models.rows.is_empty();
        let failures = s
            .failures
            .iter()
            .map(|f| {
                let idx = f.span;
                let label = span_label(&trace, idx);
                let reason = f.reason.clone();
                view! {
                    <li data-testid="agent-failure">
                        <a href="#" on:click=move |ev| { ev.prevent_default(); open_span(idx); }><Name text=label/></a>
                        " — " {reason}
                    </li>
                }
            })
            .collect_view();
        let (steps, outside) = agent_steps(&trace, s);
        let steps_view = steps_list(&trace, steps, open_span);
        let trace_for_decisions = trace.clone();
        let summary_for_decisions = summary.clone();
        let decisions = Memo::new(move |_| {
            Shared::new(decisions_table(
                &trace_for_decisions,
                &summary_for_decisions,
                threshold.get(),
            ))
        });
        let low = s
            .decision_list
            .iter()
            .filter(|d| {
                d.decision
                    .confidence
                    .is_some_and(|c| c < threshold.get_untracked())
            })
            .count();
        let decision_cards = decision_cards(&trace, s, threshold, open_span);
        let has_decisions = !s.decision_list.is_empty();
        let trace_id = trace.trace_id.clone();
        let on_decision_row = Callback::new(move |row: TableRow| {
            if let Some(SpanRef { span_id, .. }) = row.span {
                let found = view.trace.with_untracked(|t| {
                    t.as_ref().and_then(|t| {
                        t.spans
                            .iter()
                            .position(|s| t.str(s.span_id) == span_id)
                            .map(|i| SpanIdx(i as u32))
                    })
                });
                if let Some(idx) = found {
                    open_span(idx);
                }
            }
        });
        let _ = trace_id;
        let time = s.time;
        let critical = s.critical;
        view! {
            <section class="panel agent-summary" data-testid="agent-summary">
                <h2>"Summary"</h2>
                <ul class="agent-counts" data-testid="agent-counts">
                    {counts.into_iter().map(|(one, many, n)| {
                        let class = if one == "failure" && n > 0 { "failures" } else { "" };
                        let name = if n == 1 { one } else { many };
                        view! { <li class=class><strong>{n.to_string()}</strong>{format!(" {name}")}</li> }
                    }).collect_view()}
                </ul>
                <p data-testid="agent-tokens">{format!(
                    "Tokens: {} in, {} out, {} cache read, {} cache creation, {} reasoning.",
                    tokens.input, tokens.output, tokens.cache_read, tokens.cache_creation, tokens.reasoning)}</p>
                <p data-testid="agent-cost">"Estimated cost: " {cost_text}</p>
                {time_bar("All time", time, "agent-time")}
                {time_bar("Critical path", critical, "agent-critical")}
                {has_models.then(|| view! {
                    <StatsTable title="Tokens by model" testid="table-agent-models" table=Signal::derive(move || models.clone())/>
                })}
                {(!s.failures.is_empty()).then(|| view! {
                    <h3>"Failures"</h3>
                    <ul class="agent-failures">{failures}</ul>
                })}
            </section>
            <section class="panel agent-steps" data-testid="agent-steps">
                <h2>"Agent steps"</h2>
                <p class="hint">"The trace as the agent's steps; infrastructure spans under a step (HTTP, database, RPC) are folded into it — click “+ N spans” to see them, a step to open it in the timeline."
                    {(outside > 0).then(|| format!(" {outside} span(s) lie outside every step."))}</p>
                {steps_view}
            </section>
            <ConversationView trace=trace.clone() summary=summary.clone() open_span=Callback::new(open_span)/>
            {has_decisions.then(|| view! {
                <section class="panel agent-decisions" data-testid="agent-decisions">
                    <h2>"Decisions"</h2>
                    <label class="hint">"Highlight confidence below "
                        <input type="number" min="0" max="1" step="0.05" data-testid="decision-threshold"
                            prop:value=move || threshold.get().to_string()
                            on:change=move |ev| {
                                if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                                    if v.is_finite() { threshold.set(v.clamp(0.0, 1.0)); }
                                }
                            }/>
                    </label>
                    <p class="hint" data-testid="decision-low-count">{move || {
                        let _ = threshold.get();
                        format!("{low} decision(s) under the threshold are listed first.")
                    }}</p>
                    {decision_cards}
                    <StatsTable title="All decisions" testid="table-decisions" table=decisions on_row=on_decision_row/>
                </section>
            })}
            <PriceEditor models=s.models.iter().map(|m| m.model.clone()).collect()/>
        }
        .into_any()
    };
    view! {
        <div class="agent-tab" data-testid="agent-tab">
            <label class="check agent-first">
                <input type="checkbox" data-testid="agent-first" prop:checked=move || state.agent_first.get()
                    on:change=move |ev| state.set_agent_first(event_target_checked(&ev))/>
                " Open this tab first on traces that are mostly GenAI spans"
            </label>
            {content}
        </div>
    }
}

/// The steps as an indented list; a step's folded spans expand on click.
fn steps_list(
    trace: &Shared<Trace>,
    steps: Vec<Step>,
    open_span: impl Fn(SpanIdx) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let rows = steps
        .into_iter()
        .map(|step| {
            let expanded = RwSignal::new(false);
            let idx = step.span;
            let label = span_label(trace, idx);
            let folded: Vec<String> = step
                .folded
                .iter()
                .map(|&f| {
                    let d = trace.span(f).map_or(0, |s| s.duration_ns);
                    format!("{} ({})", shorten(&span_label(trace, f), NAME_CHARS), format_duration_ns(d))
                })
                .collect();
            let n_folded = folded.len();
            let tokens = (step.tokens.total() > 0).then(|| format!("{} in / {} out", step.tokens.input, step.tokens.output));
            let kind_class = match step.kind {
                StepKind::Ai(k) => format!("step-{k:?}").to_lowercase(),
                StepKind::Decision => "step-decision".to_string(),
                StepKind::Context => "step-context".to_string(),
            };
            view! {
                <li class=format!("agent-step {kind_class}") class:failed=step.failed data-testid="agent-step"
                    style=format!("padding-left: {}px", 8 + step.depth.min(30) * 18)>
                    <span class="step-kind">{step.kind.label()}</span>
                    <a href="#" class="step-name" on:click=move |ev| { ev.prevent_default(); open_span(idx); }><Name text=label/></a>
                    <span class="step-subject muted"><Name text=step.subject.clone()/></span>
                    <span class="num">{format_duration_ns(step.duration_ns)}</span>
                    {tokens.map(|t| view! { <span class="step-tokens">{t}</span> })}
                    {(!step.result.is_empty()).then(|| view! { <span class="step-result" class:error=step.failed><Name text=step.result.clone()/></span> })}
                    {(n_folded > 0).then(|| view! {
                        <button class="button small subtle" data-testid="step-expand" on:click=move |_| expanded.update(|e| *e = !*e)>
                            {move || if expanded.get() { format!("− {n_folded} span(s)") } else { format!("+ {n_folded} span(s)") }}
                        </button>
                    })}
                    <Show when=move || expanded.get()>
                        <ul class="step-folded" data-testid="step-folded">
                            {folded.iter().map(|f| view! { <li>{f.clone()}</li> }).collect_view()}
                        </ul>
                    </Show>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="agent-step-list">{rows}</ul> }
}

/// A card per decision: type, a confidence bar, result, alternatives, factors (pretty JSON);
/// those under the threshold highlighted and first.
fn decision_cards(
    trace: &Shared<Trace>,
    s: &GenAiSummary,
    threshold: RwSignal<f64>,
    open_span: impl Fn(SpanIdx) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let mut list: Vec<_> = s.decision_list.clone();
    let t = threshold.get_untracked();
    list.sort_by_key(|d| !d.decision.confidence.is_some_and(|c| c < t));
    list.into_iter()
        .map(|d| {
            let idx = d.span;
            let label = span_label(trace, idx);
            let confidence = d.decision.confidence;
            let pct = confidence.map_or(0.0, |c| c.clamp(0.0, 1.0) * 100.0);
            let factors = d.decision.factors.as_deref().map(|f| match serde_json::from_str::<serde_json::Value>(f) {
                Ok(v) => serde_json::to_string_pretty(&v).unwrap_or_else(|_| f.to_string()),
                Err(_) => f.to_string(),
            });
            view! {
                <div class="decision-card" data-testid="decision-card"
                    class:low=move || confidence.is_some_and(|c| c < threshold.get())>
                    <header>
                        <strong><Name text=d.decision.kind.clone()/></strong>
                        <a href="#" on:click=move |ev| { ev.prevent_default(); open_span(idx); }><Name text=label/></a>
                    </header>
                    <div class="confidence" title="decision.confidence">
                        <span class="confidence-bar"><span style=format!("width: {pct:.0}%")></span></span>
                        <span data-testid="decision-confidence">{confidence.map_or_else(|| "no confidence given".to_string(), |c| format!("confidence {c:.2}"))}</span>
                    </div>
                    <p>"Result: " <Name text=d.decision.result.clone().unwrap_or_else(|| "—".to_string())/></p>
                    {d.decision.alternatives.clone().map(|a| view! { <p>"Alternatives: " <Name text=a/></p> })}
                    {factors.map(|f| view! { <pre class="decision-factors">{shorten(&f, 4000)}</pre> })}
                </div>
            }
        })
        .collect_view()
}
