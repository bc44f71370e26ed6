//! The conversation an agent had, as the person chooses to read it: plain text, markdown
//! (rendered without raw HTML by the core) or JSON (pretty-printed when it parses). Every
//! message is untrusted text.
use leptos::prelude::*;

use crate::core::analysis::genai::{conversation, GenAiSummary, Message, Role};
use crate::core::model::{SpanIdx, Trace};
use crate::core::view_model::markdown_to_safe_html;
use crate::ui::widgets::shared::Shared;

/// Characters of one message shown before "show all".
const MESSAGE_CHARS: usize = 4_000;
/// Messages shown before "Show more".
const SHOWN_MESSAGES: usize = 200;
/// Messages rendered per browser task: a long conversation appears in steps, so opening the
/// Agent tab never blocks the page for all of it at once.
const CHUNK: usize = 20;

/// Grows `count` by [`CHUNK`] per browser task until it reaches `target()` (tracked), so that
/// what depends on it is drawn in steps.
fn grow_by_chunks(count: RwSignal<usize>, target: impl Fn() -> usize + 'static) {
    Effect::new(move |_| {
        let goal = target();
        let now = count.get();
        if now < goal {
            set_timeout(
                move || {
                    let _ = count.try_update(|c| *c = (now + CHUNK).min(goal).max(*c));
                },
                std::time::Duration::ZERO,
            );
        }
    });
}

/// How messages are rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Plain,
    Markdown,
    Json,
}

/// The Conversation section of the Agent tab.
#[component]
pub fn ConversationView(
    /// The trace.
    trace: Shared<Trace>,
    /// Its AI work.
    summary: Shared<GenAiSummary>,
    /// Opens a span in the timeline.
    open_span: Callback<SpanIdx>,
) -> impl IntoView {
    // The messages are read in a browser task of their own, after the rest of the Agent tab
    // is drawn (200 long messages took most of a 300 ms task). The trace is the one shown:
    // masked already when the mask switch is on.
    let loaded: RwSignal<Option<Shared<Vec<Message>>>> = RwSignal::new(None);
    set_timeout(
        move || {
            let messages = conversation(&trace, &summary);
            let _ = loaded.try_set(Some(Shared::new(messages)));
        },
        std::time::Duration::ZERO,
    );
    view! {
        <section class="panel agent-conversation" data-testid="agent-conversation">
            <h2>"Conversation"</h2>
            {move || match loaded.get() {
                None => view! { <p class="hint" data-testid="conversation-reading">"Reading the conversation…"</p> }.into_any(),
                Some(messages) => view! { <ConversationList messages open_span/> }.into_any(),
            }}
        </section>
    }
}

/// The messages, in the mode the person picks, rendered a chunk per browser task.
#[component]
fn ConversationList(
    /// The conversation's messages.
    messages: Shared<Vec<Message>>,
    /// Opens a span in the timeline.
    open_span: Callback<SpanIdx>,
) -> impl IntoView {
    let mode = RwSignal::new(Mode::Plain);
    let limit = RwSignal::new(SHOWN_MESSAGES);
    let total = messages.len();
    let messages = StoredValue::new(messages);
    // How many messages are rendered so far: one chunk more per browser task up to the limit.
    let rendered = RwSignal::new(CHUNK.min(total));
    grow_by_chunks(rendered, move || limit.get().min(total));
    // A new mode reaches the messages a chunk per browser task too: `switched` messages show
    // it, the rest keep `before` until their turn (200 Markdown messages in one task were
    // close to a tenth of a second).
    let before = RwSignal::new(Mode::Plain);
    let switched = RwSignal::new(total);
    grow_by_chunks(switched, move || total);
    let mode_button = move |m: Mode, label: &'static str, testid: &'static str| {
        view! {
            <button class="button small" class:active=move || mode.get() == m data-testid=testid
                on:click=move |_| {
                    if mode.get_untracked() != m {
                        before.set(mode.get_untracked());
                        switched.set(0);
                        mode.set(m);
                    }
                }>{label}</button>
        }
    };
    // One chunk of messages, [start, start + CHUNK), in its mode (it changes once per switch).
    let chunk = move |start: usize| {
        let chunk_mode = Memo::new(move |_| {
            if start < switched.get() {
                mode.get()
            } else {
                before.get()
            }
        });
        move || {
            let current = chunk_mode.get();
            messages.with_value(|all| {
                all.iter()
                    .skip(start)
                    .take(CHUNK)
                    .map(|m| {
                    let text = m.headline_within(MESSAGE_CHARS);
                    let span = m.span;
                    let role = m.role;
                    let body = match current {
                        Mode::Plain => view! { <pre class="message-text">{text}</pre> }.into_any(),
                        Mode::Markdown if !matches!(role, Role::ToolCall | Role::ToolResult) => {
                            view! { <div class="message-markdown" inner_html=markdown_to_safe_html(&text)></div> }.into_any()
                        }
                        _ => {
                            let pretty = pretty_json_inside(&text);
                            view! { <pre class="message-text">{pretty}</pre> }.into_any()
                        }
                    };
                    view! {
                        <li class=format!("message role-{}", role.label().replace(' ', "-")) data-testid="message" data-role=role.label()>
                            <a href="#" class="message-role" title="Open its span in the timeline"
                                on:click=move |ev| { ev.prevent_default(); open_span.run(span); }>{role.label()}</a>
                            {body}
                        </li>
                    }
                })
                .collect_view()
            })
        }
    };
    let chunk_starts = move || {
        let end = rendered.get().min(limit.get()).min(total);
        (0..end).step_by(CHUNK).collect::<Vec<_>>()
    };
    view! {
            {if total == 0 {
                view! { <p class="hint" data-testid="conversation-empty">"No messages recorded: the spans carry no gen_ai.input.messages / output.messages, prompt or completion attributes or events."</p> }.into_any()
            } else {
                view! {
                    <div class="mode-switch">
                        {mode_button(Mode::Plain, "Plain", "conversation-plain")}
                        {mode_button(Mode::Markdown, "Markdown", "conversation-markdown")}
                        {mode_button(Mode::Json, "JSON", "conversation-json")}
                        <span class="hint">{format!("{total} message(s); repeated history is shown once")}</span>
                    </div>
                    <ol class="messages">
                        <For each=chunk_starts key=|start| *start children=move |start| chunk(start)/>
                    </ol>
                    <Show when=move || limit.get() < total>
                        <button class="button small" on:click=move |_| limit.update(|l| *l = l.saturating_add(SHOWN_MESSAGES))>"Show more"</button>
                    </Show>
                }.into_any()
            }}
    }
}

/// The text with its JSON part pretty-printed: a whole JSON value, or the arguments inside
/// "→ name(…)" and after "← ".
fn pretty_json_inside(text: &str) -> String {
    let pretty = |s: &str| {
        serde_json::from_str::<serde_json::Value>(s)
            .ok()
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
    };
    if let Some(p) = pretty(text) {
        return p;
    }
    if let Some(rest) = text.strip_prefix("← ") {
        if let Some(p) = pretty(rest) {
            return format!("← {p}");
        }
    }
    if let (Some(open), true) = (text.find('('), text.ends_with(')')) {
        if let (Some(head), Some(args)) = (text.get(..open), text.get(open + 1..text.len() - 1)) {
            if let Some(p) = pretty(args) {
                return format!("{head}({p})");
            }
        }
    }
    text.to_string()
}
