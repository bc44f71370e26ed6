//! The span detail panel: everything known about the selected span, from
//! `core::view_model::SpanDetail`. Values are text nodes (never HTML); JSON is pretty-printed.
use leptos::prelude::*;

use crate::core::model::SpanIdx;
use crate::core::view_model::{
    format_duration_ns, is_long, mask_key_values, shorten, span_attributes, AttributeSet, KeyValue,
    ReferenceDetail, SpanDetail, ViewState, DETAIL_ROWS, NAME_CHARS, TITLE_CHARS, VALUE_CHARS,
};
use crate::ui::shell::routing::navigate;
use crate::ui::state::AppState;
use crate::ui::trace::trace_view::TraceView;
use crate::ui::widgets::copy_button::CopyButton;

/// The detail of the selected span, beside the timeline.
#[component]
pub fn SpanDetailPanel() -> impl IntoView {
    let view = expect_context::<TraceView>();
    let state = expect_context::<AppState>();
    let detail = Memo::new(move |_| {
        let idx = view.selected.get()?;
        let trace = view.trace.get()?;
        let analysis = view.analysis.get()?;
        let detail = SpanDetail::of(&trace, idx, &analysis)?;
        Some(if state.mask_secrets.get() {
            detail.masked()
        } else {
            detail
        })
    });
    move || {
        detail.get().map(|d| {
            let span_id = d.span_id.clone();
            view! {
                <aside class="span-detail" data-testid="span-detail">
                    <div class="detail-head">
                        <h3 data-testid="detail-operation" title=shorten(&d.operation, TITLE_CHARS)>{shorten(&d.operation, NAME_CHARS)}</h3>
                        <button class="button small" data-testid="close-detail" title="Close (Esc)" on:click=move |_| view.selected.set(None)>"×"</button>
                    </div>
                    <dl class="detail-facts">
                        <dt>"Service"</dt><dd data-testid="detail-service" title=shorten(&d.service, TITLE_CHARS)>{shorten(&d.service, NAME_CHARS)}</dd>
                        <dt>"Span ID"</dt><dd><code data-testid="detail-span-id" title=shorten(&d.span_id, TITLE_CHARS)>{shorten(&d.span_id, NAME_CHARS)}</code><CopyButton text=Signal::derive(move || span_id.clone()) label="span ID"/></dd>
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
                        {d.status_message.clone().map(|m| view! { <dt>"Message"</dt><dd class="wrap"><LongText text=m/></dd> })}
                        <dt>"Start"</dt><dd data-testid="detail-start">{format!("{} after trace start · {}", d.start_relative, d.start_absolute)}</dd>
                        <dt>"Duration"</dt><dd data-testid="detail-duration">{d.duration.clone()}</dd>
                        <dt>"Self time"</dt><dd data-testid="detail-self">{d.self_time.clone()}</dd>
                        <dt>"Critical path"</dt><dd data-testid="detail-critical">{d.critical.clone().unwrap_or_else(|| "not on the critical path".into())}</dd>
                    </dl>
                    {(!d.warnings.is_empty()).then(|| view! {
                        <section class="detail-section">
                            <h4>"Warnings"</h4>
                            <ul class="detail-warnings" data-testid="detail-warnings">
                                {d.warnings.iter().take(DETAIL_ROWS).map(|w| view! { <li><LongText text=w.clone()/></li> }).collect_view()}
                            </ul>
                        </section>
                    })}
                    <KeyValues title="Attributes" testid="detail-attributes" items=d.attributes.clone()
                        total=d.attribute_count span=d.idx set=AttributeSet::Span/>
                    <KeyValues title="Resource / process" testid="detail-resource" items=d.resource_attributes.clone()
                        total=d.resource_attribute_count span=d.idx set=AttributeSet::Resource/>
                    <SpanLogs span=d.idx/>
                    {(!d.events.is_empty()).then(|| view! {
                        <section class="detail-section" data-testid="detail-events">
                            <h4>{if d.event_count > d.events.len() {
                                format!("Events (the first {} of {})", d.events.len(), d.event_count)
                            } else {
                                format!("Events ({})", d.event_count)
                            }}</h4>
                            {d.events.iter().map(|e| view! {
                                <div class="event">
                                    <div class="event-head"><span class="event-time">{e.offset_label.clone()}</span>" "<span class="event-name" title=shorten(&e.name, TITLE_CHARS)>{shorten(&e.name, NAME_CHARS)}</span></div>
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

/// A titled attribute table, hidden when empty. A span with more than [`DETAIL_ROWS`]
/// attributes shows the first ones, a search over all of them and "Show more".
#[component]
fn KeyValues(
    title: &'static str,
    testid: &'static str,
    items: Vec<KeyValue>,
    /// How many there are in all.
    total: usize,
    /// The span they belong to, for the search.
    span: SpanIdx,
    /// Which of its attributes.
    set: AttributeSet,
) -> impl IntoView {
    let view = expect_context::<TraceView>();
    let state = expect_context::<AppState>();
    let filter = RwSignal::new(String::new());
    let limit = RwSignal::new(DETAIL_ROWS);
    let first = items.clone();
    // The rows shown: the first ones, or those a search or "Show more" asks for (from the core,
    // which formats only the rows shown).
    let rows = Memo::new(move |_| {
        let (text, limit) = (filter.get(), limit.get());
        if text.trim().is_empty() && limit <= first.len() {
            return (first.clone(), total);
        }
        let (rows, matching) = view.trace.with(|trace| {
            trace.as_ref().map_or((Vec::new(), 0), |trace| {
                span_attributes(trace, span, set, &text, limit)
            })
        });
        if state.mask_secrets.get() {
            (mask_key_values(rows), matching)
        } else {
            (rows, matching)
        }
    });
    (!items.is_empty()).then(|| {
        view! {
            <section class="detail-section" data-testid=testid>
                <h4>{format!("{title} ({total})")}</h4>
                {(total > DETAIL_ROWS).then(|| view! {
                    <div class="kv-search">
                        <input type="search" placeholder="Search keys and values" data-testid="detail-attribute-search"
                            prop:value=filter on:input=move |ev| { filter.set(event_target_value(&ev)); limit.set(DETAIL_ROWS); }/>
                        <span class="hint" data-testid="detail-attribute-count">{move || rows.with(|(shown, matching)| {
                            if filter.with(|f| f.trim().is_empty()) {
                                format!("Showing {} of {total}", shown.len())
                            } else {
                                format!("{} match{}, showing {}", matching, if *matching == 1 { "" } else { "es" }, shown.len())
                            }
                        })}</span>
                    </div>
                })}
                {move || view! { <KeyValueTable items=rows.get().0/> }}
                <Show when=move || rows.with(|(shown, matching)| shown.len() < *matching)>
                    <button class="button small" data-testid="detail-attribute-more"
                        on:click=move |_| limit.update(|l| *l = l.saturating_add(500))>"Show 500 more"</button>
                </Show>
            </section>
        }
    })
}

/// Key/value rows; JSON values in a pre-formatted block, long values wrapped and cut.
#[component]
fn KeyValueTable(items: Vec<KeyValue>) -> impl IntoView {
    view! {
        <table class="kv">
            <tbody>
                {items.into_iter().map(|kv| view! {
                    <tr>
                        <th title=shorten(&kv.key, TITLE_CHARS)>{shorten(&kv.key, NAME_CHARS)}</th>
                        <td>{if kv.is_json {
                            view! { <pre class="json"><LongText text=kv.value/></pre> }.into_any()
                        } else {
                            view! { <span class="wrap"><LongText text=kv.value/></span> }.into_any()
                        }}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// Characters "Show more" reveals of a long value; the rest is only copied, never laid out.
const MORE_CHARS: usize = 100_000;

/// Text that may be huge (an attribute value, a status message): the first [`VALUE_CHARS`]
/// characters with "show more" (up to [`MORE_CHARS`]), and a copy of the whole.
#[component]
fn LongText(text: String) -> impl IntoView {
    if !is_long(&text, VALUE_CHARS) {
        return text.into_any();
    }
    let expanded = RwSignal::new(false);
    let total = text.chars().count();
    let short = shorten(&text, VALUE_CHARS);
    let more = shorten(&text, MORE_CHARS);
    let full = StoredValue::new(text);
    view! {
        <span data-testid="long-text">
            {move || if expanded.get() { more.clone() } else { short.clone() }}
            " "
            <button class="link-button" data-testid="show-more" on:click=move |_| expanded.update(|e| *e = !*e)>
                {move || if expanded.get() { "show less".to_string() } else { format!("show more ({total} characters)") }}
            </button>
            <Show when=move || expanded.get() && MORE_CHARS < total>
                <span class="hint">{format!(" {} more characters not shown — ", total - MORE_CHARS)}</span>
                <CopyButton text=Signal::derive(move || full.get_value()) label="whole value"/>
            </Show>
        </span>
    }
    .into_any()
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

/// The selected span's log records (from loaded log files), with their time after the span's
/// start; hidden when it has none.
#[component]
fn SpanLogs(span: SpanIdx) -> impl IntoView {
    let view = expect_context::<TraceView>();
    // The first lines of the span, and how many it has (a million are not copied).
    let lines = Memo::new(move |_| {
        view.logs
            .with(|logs| (logs.span_lines(span, DETAIL_ROWS), logs.span_len(span)))
    });
    // The span's start after the trace's, to show times from the span's start.
    let span_offset = view.trace.with_untracked(|t| {
        t.as_ref()
            .and_then(|t| t.span(span).map(|s| s.start_ns.saturating_sub(t.start_ns)))
            .unwrap_or(0)
    });
    move || {
        let (lines, total) = lines.get();
        (total > 0).then(|| {
            view! {
                <section class="detail-section" data-testid="detail-logs">
                    <h4>{format!("Logs ({total})")}</h4>
                    <ul class="detail-logs">
                        {lines.into_iter().take(DETAIL_ROWS).map(|line| {
                            let at = line.offset_ns.map_or_else(String::new, |ns| {
                                let from_span = ns.saturating_sub(span_offset);
                                if from_span < 0 {
                                    format!("−{} ", format_duration_ns(from_span.saturating_neg()))
                                } else {
                                    format!("+{} ", format_duration_ns(from_span))
                                }
                            });
                            view! {
                                <li data-testid="detail-log">
                                    <span class="event-time">{at}</span>
                                    <b class="log-level">{shorten(&line.level, 12)}</b>" "
                                    <LongText text=line.message/>
                                </li>
                            }
                        }).collect_view()}
                        {(total > DETAIL_ROWS).then(|| view! { <li class="hint">{format!("… and {} more in the Logs tab", total - DETAIL_ROWS)}</li> })}
                    </ul>
                </section>
            }
        })
    }
}
