//! The mask switch's one rule, applied to the model: [`mask_trace`] returns a copy of a trace in
//! which every untrusted text that can carry a secret is masked — service and span names, status
//! messages, event names, attribute keys and values (a secret-named key's value masked whole),
//! warning messages — and nothing else. IDs are kept, so the masked trace merges, links and
//! scores as the raw one does.
//!
//! Masking the model, not the views, is what makes the switch honest: every view, search,
//! suggestion list, tooltip and export of the masked trace reads only masked text, because the
//! raw text is not in it (the string table is rebuilt from what the masked spans refer to).
//! Exports format masked names; they never mask formatted output, so numbers and syntax around
//! a name are never mistaken for a secret.
use std::collections::HashMap;
use std::sync::Arc;

use super::secrets::{is_secret_key, mask, mask_secrets_in, mask_whole};
use crate::core::model::{rewrite_texts, TextUse, Trace, TraceSet};

/// `trace` with every secret masked (see the module doc), or `None` when it holds none, so that
/// the caller can keep sharing the raw trace (and its cached analysis): most traces hold none.
pub fn mask_trace(trace: &Trace) -> Option<Trace> {
    // Whether a key names a secret, once per distinct key.
    let mut secret_keys: HashMap<String, bool> = HashMap::new();
    let mut is_secret = |key: &str| {
        if let Some(&known) = secret_keys.get(key) {
            return known;
        }
        let secret = is_secret_key(key);
        secret_keys.insert(key.to_string(), secret);
        secret
    };
    rewrite_texts(trace, |text, used| match used {
        TextUse::Name | TextUse::Key => Some(mask_secrets_in(text).into_owned()),
        TextUse::Value { key } if is_secret(key) => (!text.is_empty()).then(|| mask_whole(text)),
        TextUse::Value { .. } => Some(mask_secrets_in(text).into_owned()),
        // A number or flag under a secret-named key (`pin=1234`) is masked as text.
        TextUse::Scalar { key } => is_secret(key).then(|| mask(text)),
    })
}

/// Masked copies of the traces of a [`TraceSet`], made once per raw trace: the page's traces as
/// shown with the mask switch on. A trace with nothing to mask is shared, not copied.
#[derive(Debug, Default)]
pub struct MaskedTraces {
    /// Raw trace (by address, with a weak handle so a reused address is not mistaken) to the
    /// trace as shown.
    made: HashMap<usize, (std::sync::Weak<Trace>, Arc<Trace>)>,
}

impl MaskedTraces {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// `raw` as shown with masking on: every trace masked (from this cache when it was masked
    /// before), in the same order and under the same IDs.
    pub fn mask_set(&mut self, raw: &TraceSet) -> TraceSet {
        let mut made = HashMap::with_capacity(raw.len());
        let shown = raw.map_traces(|trace| {
            let key = Arc::as_ptr(trace) as usize;
            let shown = match self.made.remove(&key) {
                Some((weak, shown)) if std::ptr::eq(weak.as_ptr(), Arc::as_ptr(trace)) => shown,
                _ => mask_trace(trace).map_or_else(|| Arc::clone(trace), Arc::new),
            };
            made.insert(key, (Arc::downgrade(trace), Arc::clone(&shown)));
            shown
        });
        // Entries of traces no longer loaded are dropped here.
        self.made = made;
        shown
    }

    /// The trace shown for `raw` if it was masked into a copy (for passing its analysis on).
    pub fn shown_for(&self, raw: &Arc<Trace>) -> Option<Arc<Trace>> {
        let (weak, shown) = self.made.get(&(Arc::as_ptr(raw) as usize))?;
        std::ptr::eq(weak.as_ptr(), Arc::as_ptr(raw)).then(|| Arc::clone(shown))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::format::parse_file;

    const SECRET: &str = "AKIAIOSFODNN7EXAMPLE";

    fn trace_with_secrets() -> Trace {
        let doc = format!(
            r#"{{"resourceSpans":[{{"resource":{{"attributes":[
              {{"key":"service.name","value":{{"stringValue":"shop"}}}}]}},
              "scopeSpans":[{{"spans":[
                {{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331",
                  "name":"GET /login?token=Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
                  "startTimeUnixNano":"1000","endTimeUnixNano":"5000",
                  "attributes":[
                    {{"key":"aws.key","value":{{"stringValue":"{SECRET}"}}}},
                    {{"key":"password","value":{{"stringValue":"hunter2"}}}},
                    {{"key":"pin","value":{{"intValue":"1234"}}}},
                    {{"key":"http.route","value":{{"stringValue":"/login"}}}}],
                  "events":[{{"timeUnixNano":"2000","name":"retry with {SECRET}"}}]}},
                {{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"00f067aa0ba902b7",
                  "parentSpanId":"b7ad6b7169203331","name":"SELECT users",
                  "startTimeUnixNano":"2000","endTimeUnixNano":"3000"}}]}}]}}]}}"#
        );
        parse_file("t.json", doc.as_bytes())
            .expect("parses")
            .traces
            .into_iter()
            .next()
            .expect("one trace")
            .build()
    }

    fn all_text(trace: &Trace) -> String {
        trace.strings.strings().collect::<Vec<_>>().join("\n")
    }

    #[test]
    fn masks_names_values_and_events_and_drops_the_raw_strings() {
        let raw = trace_with_secrets();
        assert!(all_text(&raw).contains(SECRET));
        let masked = mask_trace(&raw).expect("has secrets");
        let text = all_text(&masked);
        assert!(!text.contains(SECRET), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(!text.contains("dozjgNryP4J3"), "{text}");
        assert!(!text.contains("1234"), "{text}");
        // The rest is kept: structure, IDs, ordinary names and values.
        assert_eq!(masked.spans.len(), raw.spans.len());
        assert!(text.contains("SELECT users"));
        assert!(text.contains("/login"));
        assert!(text.contains("b7ad6b7169203331"));
        let root = &masked.spans[0];
        assert!(masked.str(root.operation).starts_with("GET /login?token="));
        assert_eq!(masked.spans[1].parent, Some(crate::core::model::SpanIdx(0)));
    }

    #[test]
    fn a_trace_without_secrets_is_shared() {
        let raw = trace_with_secrets();
        let clean = mask_trace(&raw).expect("has secrets");
        // Masking is idempotent: a masked trace needs no more masking…
        assert!(mask_trace(&clean).is_none());
        // …and a set keeps sharing what it already masked.
        let mut set = TraceSet::new();
        set.add_trace(raw);
        let mut cache = MaskedTraces::new();
        let first = cache.mask_set(&set);
        let second = cache.mask_set(&set);
        assert!(Arc::ptr_eq(&first.traces()[0], &second.traces()[0]));
        assert!(!Arc::ptr_eq(&first.traces()[0], &set.traces()[0]));
        assert!(first.get("0af7651916cd43dd8448eb211c80319c").is_some());
    }

    /// Issue 25 §3: masking ran over the whole folded-stack or SVG text, so a private key in a
    /// name masked everything after it (the SVG no longer opened), an unclosed `"password": "`
    /// swallowed the next lines, and a long self time that passes the card check became a
    /// "card". Names are masked in the trace, before anything is formatted.
    #[test]
    fn exports_of_a_masked_trace_keep_their_syntax_and_numbers() {
        use crate::core::analysis::{analyze_trace, flame_graph, FlameWeight};
        // A self time of 4,111,111,111,111,099 µs: a long number a card check might take.
        let doc = r#"[{"traceId":"00000000000000000000000000000abc","id":"00000000000000a1","name":"-----BEGIN RSA PRIVATE KEY----- MIIEowIBAAKCAQEA","timestamp":1600000000000000,"duration":4111111111111111,"localEndpoint":{"serviceName":"svc"}},
            {"traceId":"00000000000000000000000000000abc","id":"00000000000000a2","parentId":"00000000000000a1","name":"{\"password\": \"","timestamp":1600000000000001,"duration":5,"localEndpoint":{"serviceName":"svc"}},
            {"traceId":"00000000000000000000000000000abc","id":"00000000000000a3","parentId":"00000000000000a1","name":"after","timestamp":1600000000000010,"duration":7,"localEndpoint":{"serviceName":"svc"}}]"#;
        let raw = parse_file("k.json", doc.as_bytes()).expect("parses").traces[0]
            .clone()
            .build();
        let masked = Arc::new(mask_trace(&raw).expect("has a key"));
        let graph = flame_graph(
            &[(Arc::clone(&masked), Arc::new(analyze_trace(&masked)))],
            FlameWeight::Duration,
        );
        let folded = graph.folded();
        assert_eq!(folded.lines().count(), 3, "{folded}");
        assert!(folded.contains("svc: after"), "{folded}");
        assert!(!folded.contains("MIIEowIBAAKCAQEA"), "{folded}");
        assert!(
            folded.lines().any(|l| l.ends_with(" 4111111111111099000")),
            "{folded}"
        );
        let svg = graph.svg(None, 1200.0, |_| "#888");
        assert!(
            svg.ends_with("</svg>\n") && !svg.contains("MIIEowIBAAKCAQEA"),
            "{svg}"
        );
        assert!(svg.contains("self 4111111111111099000 ns"), "{svg}");
        assert_eq!(svg.matches("<g>").count(), svg.matches("</g>").count());
    }
}
