//! The span detail panel: everything known about the selected span, from
//! `core::view_model::SpanDetail`. Values are text nodes (never HTML); JSON is pretty-printed.
use leptos::prelude::*;

use crate::core::view_model::{KeyValue, ReferenceDetail, SpanDetail, ViewState};
use crate::ui::shell::routing::navigate;
use crate::ui::state::AppState;
use crate::ui::trace::trace_view::TraceView;
use crate::ui::widgets::copy_button::CopyButton;

/// The detail of the selected span, beside the timeline.
#[component]
pub fn SpanDetailPanel() -> impl IntoView {
    let view = expect_context::<TraceView>();
    let detail = Memo::new(move |_| {
        let idx = view.selected.get()?;
        let trace = view.trace.get()?;
        let analysis = view.analysis.get()?;
        SpanDetail::of(&trace, idx, &analysis)
    });
    move || {
        detail.get().map(|d| {
            let span_id = d.span_id.clone();
            view! {
                <aside class="span-detail" data-testid="span-detail">
                    <div class="detail-head">
                        <h3 data-testid="detail-operation">{d.operation.clone()}</h3>
                        <button class="button small" data-testid="close-detail" title="Close (Esc)" on:click=move |_| view.selected.set(None)>"×"</button>
                    </div>
                    <dl class="detail-facts">
                        <dt>"Service"</dt><dd data-testid="detail-service">{d.service.clone()}</dd>
                        <dt>"Span ID"</dt><dd><code data-testid="detail-span-id">{d.span_id.clone()}</code><CopyButton text=Signal::derive(move || span_id.clone()) label="span ID"/></dd>
                        {d.parent_span_id.clone().map(|p| {
                            let parent = d.parent;
                            view! {
                                <dt>"Parent"</dt>
                                <dd>{match parent {
                                    Some(idx) => view! {
                                        <a href="#" data-testid="detail-parent" title="Show the parent span" on:click=move |ev| { ev.prevent_default(); view.focus(idx); }><code>{p}</code></a>
                                    }.into_any(),
                                    None => view! { <code>{p}</code>" (not loaded)" }.into_any(),
                                }}</dd>
                            }
                        })}
                        {(!d.kind.is_empty()).then(|| view! { <dt>"Kind"</dt><dd data-testid="detail-kind">{d.kind.clone()}</dd> })}
                        <dt>"Status"</dt><dd data-testid="detail-status" class:error-text=d.status == "error">{d.status.clone()}</dd>
                        {d.status_message.clone().map(|m| view! { <dt>"Message"</dt><dd class="wrap">{m}</dd> })}
                        <dt>"Start"</dt><dd data-testid="detail-start">{format!("{} after trace start · {}", d.start_relative, d.start_absolute)}</dd>
                        <dt>"Duration"</dt><dd data-testid="detail-duration">{d.duration.clone()}</dd>
                        <dt>"Self time"</dt><dd data-testid="detail-self">{d.self_time.clone()}</dd>
                        <dt>"Critical path"</dt><dd data-testid="detail-critical">{d.critical.clone().unwrap_or_else(|| "not on the critical path".into())}</dd>
                    </dl>
                    {(!d.warnings.is_empty()).then(|| view! {
                        <section class="detail-section">
                            <h4>"Warnings"</h4>
                            <ul class="detail-warnings" data-testid="detail-warnings">
                                {d.warnings.iter().map(|w| view! { <li>{w.clone()}</li> }).collect_view()}
                            </ul>
                        </section>
                    })}
                    <KeyValues title="Attributes" testid="detail-attributes" items=d.attributes.clone()/>
                    <KeyValues title="Resource / process" testid="detail-resource" items=d.resource_attributes.clone()/>
                    {(!d.events.is_empty()).then(|| view! {
                        <section class="detail-section" data-testid="detail-events">
                            <h4>{format!("Events ({})", d.events.len())}</h4>
                            {d.events.iter().map(|e| view! {
                                <div class="event">
                                    <div class="event-head"><span class="event-time">{e.offset_label.clone()}</span>" "<span class="event-name">{e.name.clone()}</span></div>
                                    <KeyValueTable items=e.attributes.clone()/>
                                </div>
                            }).collect_view()}
                        </section>
                    })}
                    {(!d.references.is_empty()).then(|| view! {
                        <section class="detail-section" data-testid="detail-references">
                            <h4>"References"</h4>
                            <ul>
                                {d.references.iter().cloned().map(|r| view! { <ReferenceItem reference=r/> }).collect_view()}
                            </ul>
                        </section>
                    })}
                </aside>
            }
        })
    }
}

/// A titled attribute table, hidden when empty.
#[component]
fn KeyValues(title: &'static str, testid: &'static str, items: Vec<KeyValue>) -> impl IntoView {
    (!items.is_empty()).then(|| {
        view! {
            <section class="detail-section" data-testid=testid>
                <h4>{format!("{title} ({})", items.len())}</h4>
                <KeyValueTable items/>
            </section>
        }
    })
}

/// Key/value rows; JSON values in a pre-formatted block, long values wrapped.
#[component]
fn KeyValueTable(items: Vec<KeyValue>) -> impl IntoView {
    view! {
        <table class="kv">
            <tbody>
                {items.into_iter().map(|kv| view! {
                    <tr>
                        <th>{kv.key}</th>
                        <td>{if kv.is_json {
                            view! { <pre class="json">{kv.value}</pre> }.into_any()
                        } else {
                            view! { <span class="wrap">{kv.value}</span> }.into_any()
                        }}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// One reference: a link when its target is loaded (here, or in another loaded trace).
#[component]
fn ReferenceItem(reference: ReferenceDetail) -> impl IntoView {
    let view = expect_context::<TraceView>();
    let state = expect_context::<AppState>();
    let other_loaded = reference.other_trace
        && state
            .traces
            .with_untracked(|set| set.get(&reference.trace_id).is_some());
    let label = format!("{} → span {}", reference.kind, reference.span_id);
    let trace_note = reference
        .other_trace
        .then(|| format!(" in trace {}", reference.trace_id));
    let target = reference.target;
    let link = if let Some(idx) = target {
        view! { <a href="#" data-testid="reference-link" on:click=move |ev| { ev.prevent_default(); view.focus(idx); }>{label}</a> }.into_any()
    } else if other_loaded {
        let trace_id = reference.trace_id.clone();
        let span_id = reference.span_id.clone();
        view! {
            <a href="#" data-testid="reference-link" on:click=move |ev| {
                ev.prevent_default();
                navigate(state.route, ViewState { trace: Some(trace_id.clone()), span: Some(span_id.clone()), ..ViewState::default() }, true);
            }>{label}</a>
        }
        .into_any()
    } else {
        view! { <span title="Not loaded">{label}</span> }.into_any()
    };
    view! {
        <li data-testid="reference">
            {link}
            {trace_note}
            {(target.is_none() && !other_loaded).then_some(" (not loaded)")}
            {(!reference.attributes.is_empty()).then(|| view! { <KeyValueTable items=reference.attributes.clone()/> })}
        </li>
    }
}
