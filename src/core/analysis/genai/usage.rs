//! A trace's model tokens, read cheaply: in total and per model. Baselines learn these (how
//! many tokens a run of an agent normally uses) and scoring compares a run with them. A trace
//! whose string table names no token attribute is skipped without reading its spans.
use super::conventions::{AiKind, SpanAi, Tokens};
use crate::core::model::Trace;

/// Keys that carry token counts, in any convention (prefixes).
const TOKEN_KEYS: &[&str] = &["gen_ai.usage.", "llm.token_count.", "llm.usage."];

/// The tokens of a trace's model calls.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TokenUsage {
    /// Over all model calls.
    pub total: Tokens,
    /// Per model (the model name, "" when none was given), in order of first use.
    pub per_model: Vec<(String, Tokens)>,
}

/// The trace's token usage; `None` when no model call reports tokens.
pub fn token_usage(trace: &Trace) -> Option<TokenUsage> {
    let mentions_tokens = trace
        .strings
        .iter()
        .any(|(_, text)| TOKEN_KEYS.iter().any(|k| text.starts_with(k)));
    if !mentions_tokens {
        return None;
    }
    let mut usage = TokenUsage::default();
    for span in &trace.spans {
        if span.attrs.is_empty() {
            continue;
        }
        let ai = SpanAi::of(trace, span);
        if ai.kind != Some(AiKind::Llm) || ai.tokens.total() == 0 {
            continue;
        }
        usage.total.add(&ai.tokens);
        let model = ai.model.unwrap_or_default();
        match usage.per_model.iter_mut().find(|(m, _)| *m == model) {
            Some((_, tokens)) => tokens.add(&ai.tokens),
            None => usage.per_model.push((model, ai.tokens)),
        }
    }
    (usage.total.total() > 0).then_some(usage)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::analysis::genai::test_otlp::agent_fixture;

    #[test]
    fn the_fixture_uses_1391_tokens_of_one_model() {
        let usage = token_usage(&agent_fixture()).expect("tokens");
        assert_eq!(usage.total.total(), 1102 + 289);
        assert_eq!(usage.per_model.len(), 1);
        let plain = crate::core::analysis::test_trace::simple(&[("a", None, 0, 1)]);
        assert!(token_usage(&plain).is_none());
    }
}
