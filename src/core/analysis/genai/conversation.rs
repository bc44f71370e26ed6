//! The conversation an agent had, read from its spans: system instructions, user and
//! assistant messages, tool calls ("→ name(args)") and their results ("←").
//!
//! Sources, newest convention first: `gen_ai.system_instructions`, `gen_ai.input.messages`
//! and `gen_ai.output.messages` (JSON with `role` and `parts`); the older per-message events
//! (`gen_ai.system.message`, `gen_ai.user.message`, `gen_ai.assistant.message`,
//! `gen_ai.tool.message`, `gen_ai.choice`) and `gen_ai.content.prompt`/`completion` events;
//! `gen_ai.prompt`/`gen_ai.completion` attributes (plain, or OpenLLMetry's indexed
//! `gen_ai.prompt.0.role`); OpenInference's `llm.input_messages.0.message.*` and
//! `input.value`/`output.value`. Tools: `gen_ai.tool.call.arguments`/`.result`, `tool.args.*`.
//! All of it is untrusted text: the views render it as text (or markdown without HTML).
use super::conventions::AiKind;
use super::summary::GenAiSummary;
use crate::core::model::{SpanIdx, Trace};
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};

/// Who speaks in a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// System instructions.
    System,
    /// The user.
    User,
    /// The model.
    Assistant,
    /// A tool call the model asked for, or a tool span's call: "→ name(args)".
    ToolCall,
    /// A tool's result: "← …".
    ToolResult,
}

impl Role {
    /// The label a person reads.
    pub fn label(self) -> &'static str {
        match self {
            Self::System => "system",
            Self::User => "user",
            Self::Assistant => "assistant",
            Self::ToolCall => "tool call",
            Self::ToolResult => "tool result",
        }
    }

    fn from_name(name: &str) -> Role {
        match name.trim().to_ascii_lowercase().as_str() {
            "system" | "developer" => Self::System,
            "assistant" | "model" | "ai" => Self::Assistant,
            "tool" | "function" | "ipython" => Self::ToolResult,
            _ => Self::User,
        }
    }
}

/// One message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Message {
    /// The span it was read from.
    pub span: SpanIdx,
    /// Who speaks.
    pub role: Role,
    /// For tool calls and results, the tool's name when known.
    pub name: Option<String>,
    /// The text (tool arguments or results as given, usually JSON).
    pub content: String,
}

impl Message {
    /// The line a person reads first: "→ get_weather({…})", "← {…}" or the content.
    pub fn headline(&self) -> String {
        match self.role {
            Role::ToolCall => format!(
                "→ {}({})",
                self.name.as_deref().unwrap_or("tool"),
                self.content
            ),
            Role::ToolResult => format!("← {}", self.content),
            _ => self.content.clone(),
        }
    }

    /// [`Message::headline`] with the content cut to `max_chars` first (a 50 MB message is not
    /// copied whole to show its start).
    pub fn headline_within(&self, max_chars: usize) -> String {
        let content = crate::core::view_model::shorten_cow(&self.content, max_chars);
        match self.role {
            Role::ToolCall => format!("→ {}({content})", self.name.as_deref().unwrap_or("tool")),
            Role::ToolResult => format!("← {content}"),
            _ => content.into_owned(),
        }
    }
}

/// The conversation of a whole trace, in span order; a message repeated by a later model call
/// (the history each call resends) is shown once.
pub fn conversation(trace: &Trace, summary: &GenAiSummary) -> Vec<Message> {
    // Messages seen, by role and a fast hash of their text (then compared whole): hashing or
    // copying a 50 MB message with the default hasher took most of the Agent tab's opening.
    let mut seen: rustc_hash::FxHashMap<(Role, u64), Vec<usize>> = Default::default();
    let mut calls_seen: HashSet<String> = HashSet::new();
    let mut results_seen: HashSet<String> = HashSet::new();
    let mut out = Vec::new();
    for s in &summary.spans {
        for (message, call_id) in span_messages(trace, s.span, s.ai.kind) {
            // A tool call (or its result) named by its call ID is shown once: the model's
            // request, the tool span and the history resent to the model all carry it.
            if let Some(id) = &call_id {
                let first = match message.role {
                    Role::ToolCall => calls_seen.insert(id.clone()),
                    Role::ToolResult => results_seen.insert(id.clone()),
                    _ => true,
                };
                if !first {
                    continue;
                }
            }
            if message.role != Role::ToolCall && message.role != Role::ToolResult {
                let hash = {
                    use std::hash::{Hash, Hasher};
                    let mut hasher = rustc_hash::FxHasher::default();
                    message.content.hash(&mut hasher);
                    hasher.finish()
                };
                let same = seen.entry((message.role, hash)).or_default();
                let repeated = same.iter().any(|&i| {
                    out.get(i)
                        .is_some_and(|m: &Message| m.content == message.content)
                });
                if repeated {
                    continue;
                }
                same.push(out.len());
            }
            out.push(message);
        }
    }
    out
}

/// The messages one span carries (with the tool call ID where one is given).
pub fn messages_of(trace: &Trace, span: SpanIdx, kind: Option<AiKind>) -> Vec<Message> {
    span_messages(trace, span, kind)
        .into_iter()
        .map(|(m, _)| m)
        .collect()
}

use crate::core::analysis::trace_stats::attr_text as value_text;

/// A JSON value as message text: strings as they are, anything else as compact JSON.
fn json_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

type Found = (Message, Option<String>);

fn span_messages(trace: &Trace, idx: SpanIdx, kind: Option<AiKind>) -> Vec<Found> {
    let Some(span) = trace.span(idx) else {
        return Vec::new();
    };
    let mut attrs: BTreeMap<&str, String> = BTreeMap::new();
    for a in trace.attrs(span.attrs) {
        attrs.insert(trace.str(a.key), value_text(trace, a.value));
    }
    let msg = |role: Role, name: Option<String>, content: String| Message {
        span: idx,
        role,
        name,
        content,
    };
    let mut out: Vec<Found> = Vec::new();
    if kind == Some(AiKind::Tool) {
        let name = attrs
            .get("gen_ai.tool.name")
            .or_else(|| attrs.get("tool.name"))
            .cloned();
        let id = attrs.get("gen_ai.tool.call.id").cloned();
        let args = [
            "gen_ai.tool.call.arguments",
            "gen_ai.tool.input",
            "tool.parameters",
            "input.value",
        ]
        .iter()
        .find_map(|k| attrs.get(k).cloned())
        .or_else(|| {
            let named: serde_json::Map<String, Value> = attrs
                .iter()
                .filter_map(|(k, v)| {
                    let arg = k.strip_prefix("tool.args.")?;
                    Some((arg.to_string(), Value::String(v.clone())))
                })
                .collect();
            (!named.is_empty()).then(|| Value::Object(named).to_string())
        });
        out.push((
            msg(Role::ToolCall, name.clone(), args.unwrap_or_default()),
            id.clone(),
        ));
        let result = [
            "gen_ai.tool.call.result",
            "gen_ai.tool.output",
            "tool.result",
            "tool.output",
            "output.value",
        ]
        .iter()
        .find_map(|k| attrs.get(k).cloned());
        if let Some(result) = result {
            out.push((msg(Role::ToolResult, name, result), id));
        }
        return out;
    }
    // Current conventions: JSON messages.
    if let Some(system) = attrs.get("gen_ai.system_instructions") {
        let text = match serde_json::from_str::<Value>(system) {
            Ok(Value::Array(parts)) => parts
                .iter()
                .map(|p| p.get("content").map_or_else(|| json_text(p), json_text))
                .collect::<Vec<_>>()
                .join("\n"),
            _ => system.clone(),
        };
        out.push((msg(Role::System, None, text), None));
    }
    for key in ["gen_ai.input.messages", "gen_ai.output.messages"] {
        if let Some(raw) = attrs.get(key) {
            read_json_messages(raw, &msg, &mut out);
        }
    }
    // Older: one event per message, or a prompt/completion event.
    for event in trace.events.get(span.events.as_range()).unwrap_or(&[]) {
        let name = trace.str(event.name);
        let ev: BTreeMap<&str, String> = trace
            .attrs(event.attrs)
            .iter()
            .map(|a| (trace.str(a.key), value_text(trace, a.value)))
            .collect();
        let role = match name {
            "gen_ai.system.message" => Role::System,
            "gen_ai.user.message" => Role::User,
            "gen_ai.assistant.message" | "gen_ai.choice" => Role::Assistant,
            "gen_ai.tool.message" => Role::ToolResult,
            "gen_ai.content.prompt" => {
                if let Some(p) = ev.get("gen_ai.prompt") {
                    read_prompt(p, Role::User, &msg, &mut out);
                }
                continue;
            }
            "gen_ai.content.completion" => {
                if let Some(c) = ev.get("gen_ai.completion") {
                    read_prompt(c, Role::Assistant, &msg, &mut out);
                }
                continue;
            }
            _ => continue,
        };
        let content = ev
            .get("content")
            .cloned()
            .or_else(|| {
                ev.get("message")
                    .map(|m| match serde_json::from_str::<Value>(m) {
                        Ok(v) => v.get("content").map_or_else(|| m.clone(), json_text),
                        Err(_) => m.clone(),
                    })
            })
            .unwrap_or_default();
        out.push((
            msg(role, ev.get("name").cloned(), content),
            ev.get("id").cloned(),
        ));
    }
    // Older attributes: plain, or indexed (OpenLLMetry, OpenInference).
    for (prefix, default_role) in [
        ("gen_ai.prompt", Role::User),
        ("gen_ai.completion", Role::Assistant),
    ] {
        if let Some(plain) = attrs.get(prefix) {
            read_prompt(plain, default_role, &msg, &mut out);
        }
        read_indexed(
            &attrs,
            &format!("{prefix}."),
            ".role",
            ".content",
            default_role,
            &msg,
            &mut out,
        );
    }
    for (prefix, default_role) in [
        ("llm.input_messages.", Role::User),
        ("llm.output_messages.", Role::Assistant),
    ] {
        read_indexed(
            &attrs,
            prefix,
            ".message.role",
            ".message.content",
            default_role,
            &msg,
            &mut out,
        );
    }
    if out.is_empty() {
        if let Some(input) = attrs.get("input.value") {
            out.push((msg(Role::User, None, input.clone()), None));
        }
        if let Some(output) = attrs.get("output.value") {
            out.push((msg(Role::Assistant, None, output.clone()), None));
        }
    }
    out
}

/// A prompt or completion attribute: a JSON list of `{role, content}`, or plain text.
fn read_prompt(
    raw: &str,
    role: Role,
    msg: &impl Fn(Role, Option<String>, String) -> Message,
    out: &mut Vec<Found>,
) {
    if let Ok(Value::Array(items)) = serde_json::from_str::<Value>(raw) {
        if items.iter().all(|i| i.get("content").is_some()) {
            for item in items {
                let r = item
                    .get("role")
                    .and_then(Value::as_str)
                    .map_or(role, Role::from_name);
                out.push((
                    msg(
                        r,
                        None,
                        item.get("content").map(json_text).unwrap_or_default(),
                    ),
                    None,
                ));
            }
            return;
        }
    }
    out.push((msg(role, None, raw.to_string()), None));
}

/// `prefix{i}{role_suffix}` / `prefix{i}{content_suffix}` pairs in index order.
fn read_indexed(
    attrs: &BTreeMap<&str, String>,
    prefix: &str,
    role_suffix: &str,
    content_suffix: &str,
    default_role: Role,
    msg: &impl Fn(Role, Option<String>, String) -> Message,
    out: &mut Vec<Found>,
) {
    let mut by_index: BTreeMap<u32, (Option<&str>, Option<&str>)> = BTreeMap::new();
    for (key, value) in attrs.range(prefix..) {
        let Some(rest) = key.strip_prefix(prefix) else {
            break;
        };
        let Some((index, suffix)) = rest.split_once('.') else {
            continue;
        };
        let Ok(index) = index.parse::<u32>() else {
            continue;
        };
        let suffix = format!(".{suffix}");
        let slot = by_index.entry(index).or_default();
        if suffix == role_suffix {
            slot.0 = Some(value);
        } else if suffix == content_suffix {
            slot.1 = Some(value);
        }
    }
    for (role, content) in by_index.into_values() {
        if let Some(content) = content {
            let role = role.map_or(default_role, Role::from_name);
            out.push((msg(role, None, content.to_string()), None));
        }
    }
}

/// `[{"role": …, "parts": [{"type": "text", "content": …}, {"type": "tool_call", …}]}]`.
fn read_json_messages(
    raw: &str,
    msg: &impl Fn(Role, Option<String>, String) -> Message,
    out: &mut Vec<Found>,
) {
    let Ok(Value::Array(messages)) = serde_json::from_str::<Value>(raw) else {
        out.push((msg(Role::User, None, raw.to_string()), None));
        return;
    };
    for m in &messages {
        let role = m
            .get("role")
            .and_then(Value::as_str)
            .map_or(Role::User, Role::from_name);
        let parts = match m.get("parts") {
            Some(Value::Array(parts)) => parts.clone(),
            _ => vec![m.clone()],
        };
        let mut text = Vec::new();
        for part in &parts {
            let kind = part.get("type").and_then(Value::as_str).unwrap_or("text");
            let id = part.get("id").and_then(Value::as_str).map(str::to_string);
            let name = part.get("name").and_then(Value::as_str).map(str::to_string);
            match kind {
                "tool_call" => out.push((
                    msg(
                        Role::ToolCall,
                        name,
                        part.get("arguments").map(json_text).unwrap_or_default(),
                    ),
                    id,
                )),
                "tool_call_response" => out.push((
                    msg(
                        Role::ToolResult,
                        name,
                        part.get("response")
                            .or_else(|| part.get("result"))
                            .map(json_text)
                            .unwrap_or_default(),
                    ),
                    id,
                )),
                _ => {
                    if let Some(c) = part.get("content") {
                        text.push(json_text(c));
                    }
                }
            }
        }
        if !text.is_empty() {
            out.push((msg(role, None, text.join("\n")), None));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::analysis::genai::genai_summary;
    use crate::core::analysis::genai::test_otlp::{agent_fixture, attrs_trace, Val};

    #[test]
    fn the_fixture_reads_prompts_completions_and_tools() {
        let trace = agent_fixture();
        let summary = genai_summary(&trace).expect("GenAI spans");
        let talk = conversation(&trace, &summary);
        let roles: Vec<Role> = talk.iter().map(|m| m.role).collect();
        use Role::*;
        assert_eq!(
            roles,
            [
                User, Assistant, ToolCall, ToolResult, User, Assistant, ToolCall, ToolResult, User,
                Assistant
            ]
        );
        assert!(talk[2].headline().starts_with("→ get_pod_metrics({\"pod\""));
        assert!(talk[0].content.starts_with("You are an SRE assistant."));
    }

    #[test]
    fn current_json_messages_with_tool_calls_and_history_once() {
        let input = r#"[{"role":"user","parts":[{"type":"text","content":"Weather in <script>alert(1)</script>?"}]}]"#;
        let output = r#"[{"role":"assistant","parts":[{"type":"tool_call","id":"c1","name":"weather","arguments":{"city":"Paris"}}],"finish_reason":"tool_calls"}]"#;
        let trace = attrs_trace(
            &[
                ("gen_ai.operation.name", Val::S("chat")),
                (
                    "gen_ai.system_instructions",
                    Val::S(r#"[{"type":"text","content":"Be brief."}]"#),
                ),
                ("gen_ai.input.messages", Val::S(input)),
                ("gen_ai.output.messages", Val::S(output)),
            ],
            false,
        );
        let summary = genai_summary(&trace).expect("GenAI");
        let talk = conversation(&trace, &summary);
        let lines: Vec<String> = talk
            .iter()
            .map(|m| format!("{}: {}", m.role.label(), m.headline()))
            .collect();
        assert_eq!(
            lines,
            [
                "system: Be brief.",
                "user: Weather in <script>alert(1)</script>?",
                "tool call: → weather({\"city\":\"Paris\"})",
            ]
        );
    }

    #[test]
    fn indexed_attributes_in_index_order() {
        let trace = attrs_trace(
            &[
                ("gen_ai.system", Val::S("openai")),
                ("gen_ai.prompt.10.content", Val::S("tenth")),
                ("gen_ai.prompt.2.role", Val::S("system")),
                ("gen_ai.prompt.2.content", Val::S("second")),
                ("gen_ai.completion.0.content", Val::S("answer")),
            ],
            false,
        );
        let summary = genai_summary(&trace).expect("GenAI");
        let talk: Vec<(Role, String)> = conversation(&trace, &summary)
            .into_iter()
            .map(|m| (m.role, m.content))
            .collect();
        assert_eq!(
            talk,
            [
                (Role::System, "second".to_string()),
                (Role::User, "tenth".to_string()),
                (Role::Assistant, "answer".to_string()),
            ]
        );
    }
}
