//! Search within one trace: free text, `key=value` and span IDs, combined with quick filters
//! (errors, critical path, slow spans).
//!
//! Every term must match (AND). A free-text term matches, case-insensitively, as a substring of
//! the operation, service, span ID, status message, or any attribute key or value of the span,
//! its resource, or its events. `key=value` matches an attribute (span, resource or event) with
//! that key whose value equals `value` (case-insensitive); `service=` and `operation=` (also
//! `name=`) match those fields. Quotes keep spaces inside a term: `"GET /api"`.
//!
//! Strings are tested once per distinct interned string, not once per span, so searching a
//! million spans costs one pass over the string table plus one over the spans.
use crate::core::model::{AttrValue, Attribute, IdxRange, SpanIdx, Sym, Trace};
use crate::core::view_model::contains_ignore_case;

/// One parsed search term.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Term {
    /// Lower-cased substring.
    Text(String),
    /// Lower-cased key and value.
    KeyValue(String, String),
}

/// A parsed search text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SpanQuery {
    terms: Vec<Term>,
}

impl SpanQuery {
    /// Parses the search box's text (see the module docs).
    pub fn parse(text: &str) -> Self {
        let terms = split_terms(text)
            .into_iter()
            .map(|token| match token.split_once('=') {
                Some((key, value)) if !key.is_empty() => {
                    Term::KeyValue(key.to_lowercase(), value.to_lowercase())
                }
                _ => Term::Text(token.to_lowercase()),
            })
            .collect();
        Self { terms }
    }

    /// True when the text held no term.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }
}

/// Splits on whitespace, keeping "quoted phrases" together (quotes removed).
pub(crate) fn split_terms(text: &str) -> Vec<String> {
    let mut terms = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for ch in text.chars() {
        match ch {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    terms.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        terms.push(current);
    }
    terms
}

/// Filters that narrow the matches beyond the search text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QuickFilters {
    /// Only failed spans.
    pub errors_only: bool,
    /// Only spans on the critical path.
    pub critical_only: bool,
    /// Only spans lasting at least this long.
    pub min_duration_ns: Option<i64>,
    /// Only decision spans (`decision.type`).
    pub decisions_only: bool,
    /// Only decisions whose `decision.confidence` is under [`LOW_CONFIDENCE`].
    pub low_confidence_only: bool,
}

/// The confidence under which a decision counts as low (the Agent tab's default threshold).
pub const LOW_CONFIDENCE: f64 = 0.5;

impl QuickFilters {
    /// True when no quick filter is on.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// The spans that match a search, in pre-order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SpanMatches {
    /// Whether each span matches, indexed like `trace.spans`.
    pub flags: Vec<bool>,
    /// The matching spans, in display order.
    pub list: Vec<SpanIdx>,
}

impl SpanMatches {
    /// True when `idx` matches.
    pub fn contains(&self, idx: SpanIdx) -> bool {
        self.flags.get(idx.get()).copied().unwrap_or(false)
    }

    /// Position of `idx` in `list`, if it matches.
    pub fn position(&self, idx: SpanIdx) -> Option<usize> {
        self.list.binary_search(&idx).ok()
    }

    /// The match after (or, with `forward` false, before) `current`, wrapping around; the first
    /// (or last) match when `current` is `None` or not a match position.
    pub fn step(&self, current: Option<SpanIdx>, forward: bool) -> Option<SpanIdx> {
        let count = self.list.len();
        if count == 0 {
            return None;
        }
        let next = match current {
            None => {
                if forward {
                    0
                } else {
                    count - 1
                }
            }
            Some(idx) => {
                // The insertion point works whether or not `current` itself matches.
                let pos = self.list.partition_point(|m| *m < idx);
                let is_match = self.list.get(pos) == Some(&idx);
                if forward {
                    if is_match {
                        (pos + 1) % count
                    } else {
                        pos % count
                    }
                } else {
                    (pos + count - 1) % count
                }
            }
        };
        self.list.get(next).copied()
    }
}

/// Finds the spans of `trace` matching `query` and `filters`. `critical_ns` is each span's time
/// on the critical path (from the analysis). With an empty query and no filter nothing matches.
pub fn find_spans(
    trace: &Trace,
    query: &SpanQuery,
    filters: &QuickFilters,
    critical_ns: &[i64],
) -> SpanMatches {
    find_spans_with_logs(trace, query, filters, critical_ns, None)
}

/// [`find_spans`], where a text term also matches a span whose log records (`logs`, the
/// trace's indexed lines from `core::logs`) contain it: one pass over the lines per text term,
/// nothing copied (a million lines on one span took a tenth of a second per keystroke).
pub fn find_spans_with_logs(
    trace: &Trace,
    query: &SpanQuery,
    filters: &QuickFilters,
    critical_ns: &[i64],
    logs: Option<&crate::core::logs::IndexedLogs>,
) -> SpanMatches {
    let n = trace.spans.len();
    if query.is_empty() && filters.is_empty() {
        return SpanMatches {
            flags: vec![false; n],
            list: Vec::new(),
        };
    }
    let tables: Vec<SymTable> = query
        .terms
        .iter()
        .map(|term| SymTable::new(trace, term))
        .collect();
    // Per text term: the spans whose log lines contain it.
    let in_logs_by_term: Vec<Vec<bool>> = query
        .terms
        .iter()
        .map(|term| match (term, logs) {
            (Term::Text(text), Some(logs)) if !logs.is_empty() => logs.spans_containing(n, text),
            _ => Vec::new(),
        })
        .collect();
    let mut flags = vec![false; n];
    let mut list = Vec::new();
    for (index, span) in trace.spans.iter().enumerate() {
        if filters.errors_only && !span.is_error() {
            continue;
        }
        if filters.critical_only && critical_ns.get(index).copied().unwrap_or(0) <= 0 {
            continue;
        }
        if filters
            .min_duration_ns
            .is_some_and(|min| span.duration_ns < min)
        {
            continue;
        }
        if filters.decisions_only || filters.low_confidence_only {
            match crate::core::analysis::genai::decision_confidence(trace, span) {
                None => continue,
                Some(confidence) => {
                    if filters.low_confidence_only
                        && !confidence.is_some_and(|c| c < LOW_CONFIDENCE)
                    {
                        continue;
                    }
                }
            }
        }
        let matched = query.terms.iter().zip(&tables).zip(&in_logs_by_term).all(
            |((term, table), in_logs)| {
                span_matches(trace, index, term, table)
                    || in_logs.get(index).copied().unwrap_or(false)
            },
        );
        if matched {
            if let Some(flag) = flags.get_mut(index) {
                *flag = true;
            }
            list.push(SpanIdx(index as u32));
        }
    }
    SpanMatches { flags, list }
}

/// For one term: which interned strings match it (as substring, or equal to the value, and
/// which are the wanted key).
struct SymTable {
    /// Text term: the string contains it. Key-value term: the string equals the value.
    value_hit: Vec<bool>,
    /// Key-value term: the string equals the key.
    key_hit: Vec<bool>,
}

impl SymTable {
    fn new(trace: &Trace, term: &Term) -> Self {
        let size = trace.strings.len() + 1;
        let mut value_hit = vec![false; size];
        let mut key_hit = vec![false; size];
        // No lower-cased copy of each string (a 50 MB message was copied per keystroke).
        let equal = |text: &str, lower: &str| {
            if lower.is_ascii() {
                text.len() == lower.len() && text.eq_ignore_ascii_case(lower)
            } else {
                text.to_lowercase() == lower
            }
        };
        for (sym, text) in trace.strings.iter() {
            let slot = lasso::Key::into_usize(sym);
            let (value, key) = match term {
                Term::Text(needle) => (contains_ignore_case(text, needle), false),
                Term::KeyValue(key, value) => (equal(text, value), equal(text, key)),
            };
            if let Some(flag) = value_hit.get_mut(slot) {
                *flag = value;
            }
            if let Some(flag) = key_hit.get_mut(slot) {
                *flag = key;
            }
        }
        Self { value_hit, key_hit }
    }

    fn value(&self, sym: Sym) -> bool {
        self.value_hit
            .get(lasso::Key::into_usize(sym))
            .copied()
            .unwrap_or(false)
    }

    fn key(&self, sym: Sym) -> bool {
        self.key_hit
            .get(lasso::Key::into_usize(sym))
            .copied()
            .unwrap_or(false)
    }
}

/// Whether a non-string attribute value matches: formatted and compared like a string.
fn scalar_matches(value: &AttrValue, term: &Term) -> bool {
    let text = match value {
        AttrValue::Bool(b) => b.to_string(),
        AttrValue::Int(i) => i.to_string(),
        AttrValue::Float(f) => f.to_string(),
        AttrValue::Str(_) | AttrValue::Json(_) => return false,
    };
    match term {
        Term::Text(needle) => text.contains(needle.as_str()),
        Term::KeyValue(_, value) => text == *value,
    }
}

fn value_matches(attr: &Attribute, term: &Term, table: &SymTable) -> bool {
    match attr.value {
        AttrValue::Str(sym) | AttrValue::Json(sym) => table.value(sym),
        ref other => scalar_matches(other, term),
    }
}

fn attrs_match(trace: &Trace, range: IdxRange, term: &Term, table: &SymTable) -> bool {
    trace.attrs(range).iter().any(|attr| match term {
        Term::Text(_) => table.value(attr.key) || value_matches(attr, term, table),
        Term::KeyValue(..) => table.key(attr.key) && value_matches(attr, term, table),
    })
}

fn span_matches(trace: &Trace, index: usize, term: &Term, table: &SymTable) -> bool {
    let Some(span) = trace.spans.get(index) else {
        return false;
    };
    let resource_attrs = trace
        .resources
        .get(span.resource as usize)
        .map(|r| r.attrs)
        .unwrap_or_default();
    let events = trace.events.get(span.events.as_range()).unwrap_or(&[]);
    match term {
        Term::Text(_) => {
            table.value(span.operation)
                || table.value(span.service)
                || table.value(span.span_id)
                || span.status_message.is_some_and(|m| table.value(m))
                || attrs_match(trace, span.attrs, term, table)
                || attrs_match(trace, resource_attrs, term, table)
                || events
                    .iter()
                    .any(|e| table.value(e.name) || attrs_match(trace, e.attrs, term, table))
        }
        Term::KeyValue(key, _) => {
            let field = match key.as_str() {
                "service" => Some(span.service),
                "operation" | "name" => Some(span.operation),
                "span" | "spanid" | "span_id" => Some(span.span_id),
                _ => None,
            };
            if let Some(sym) = field {
                return table.value(sym);
            }
            attrs_match(trace, span.attrs, term, table)
                || attrs_match(trace, resource_attrs, term, table)
                || events
                    .iter()
                    .any(|e| attrs_match(trace, e.attrs, term, table))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_terms_also_find_spans_by_their_log_messages() {
        let json = r#"[{"traceId":"abc","id":"1","name":"root","timestamp":1,"duration":9,"localEndpoint":{"serviceName":"s"}},
          {"traceId":"abc","id":"2","parentId":"1","name":"child","timestamp":2,"duration":3,"localEndpoint":{"serviceName":"s"}}]"#;
        let parsed = crate::core::format::parse_file("t.json", json.as_bytes()).expect("parses");
        let trace = parsed.traces.into_iter().next().expect("trace").build();
        let text = "{\"msg\":\"Card DECLINED by issuer\",\"trace_id\":\"abc\",\"span_id\":\"2\"}\n{\"msg\":\"started\",\"trace_id\":\"abc\",\"span_id\":\"1\"}\n";
        let kind = crate::core::logs::sniff(text.as_bytes()).expect("log lines");
        let store = crate::core::logs::LogStore::new().with(
            crate::core::logs::parse_logs("app.jsonl", text.as_bytes(), kind).expect("reads"),
        );
        let trace = std::sync::Arc::new(trace);
        let logs = crate::core::logs::IndexedLogs::of(&store, std::sync::Arc::clone(&trace), false);
        assert_eq!(logs.len(), 2);
        let query = SpanQuery::parse("declined");
        let none = find_spans(&trace, &query, &QuickFilters::default(), &[]);
        assert!(none.list.is_empty());
        let found =
            find_spans_with_logs(&trace, &query, &QuickFilters::default(), &[], Some(&logs));
        assert_eq!(found.list, vec![SpanIdx(1)]);
    }
    use crate::core::model::{Span, SpanStatus, TraceBuilder};

    fn shop() -> Trace {
        let mut b = TraceBuilder::new("t");
        let frontend = b.intern("frontend");
        let db = b.intern("mysql");
        let r_front = b.add_resource(frontend, IdxRange::default());
        let r_db = b.add_resource(db, IdxRange::default());
        let rows = [
            ("a1", None, r_front, frontend, "GET /cart", 0, 100, false),
            ("b2", Some("a1"), r_db, db, "SELECT cart", 10, 90, true),
            ("c3", Some("a1"), r_front, frontend, "render", 90, 95, false),
        ];
        for (id, parent, resource, service, op, start, end, err) in rows {
            let span_id = b.intern(id);
            let operation = b.intern(op);
            let mut span = Span::draft(span_id, resource, service, operation);
            span.parent_span_id = parent.map(|p| b.intern(p));
            span.start_ns = start;
            span.duration_ns = end - start;
            if err {
                span.status = SpanStatus::Error;
            }
            let mark = b.attrs_mark();
            b.push_str_attr("http.status_code", if err { "500" } else { "200" });
            let retries = b.intern("retries");
            b.push_attr(retries, AttrValue::Int(if err { 3 } else { 0 }));
            span.attrs = b.attrs_since(mark);
            b.push_span(span);
        }
        b.build()
    }

    fn ids(trace: &Trace, text: &str, filters: QuickFilters) -> Vec<String> {
        let crit = vec![0; trace.spans.len()];
        find_spans(trace, &SpanQuery::parse(text), &filters, &crit)
            .list
            .iter()
            .filter_map(|i| trace.span(*i))
            .map(|s| trace.str(s.span_id).to_string())
            .collect()
    }

    #[test]
    fn terms_and_filters() {
        let trace = shop();
        let none = QuickFilters::default();
        assert_eq!(ids(&trace, "cart", none), ["a1", "b2"]);
        assert_eq!(ids(&trace, "CART mysql", none), ["b2"]);
        assert_eq!(ids(&trace, "\"get /cart\"", none), ["a1"]);
        assert_eq!(ids(&trace, "http.status_code=500", none), ["b2"]);
        assert_eq!(ids(&trace, "retries=0", none), ["a1", "c3"]);
        assert_eq!(ids(&trace, "service=frontend", none), ["a1", "c3"]);
        assert_eq!(ids(&trace, "c3", none), ["c3"]);
        assert_eq!(ids(&trace, "status_code", none), ["a1", "b2", "c3"]);
        assert!(ids(&trace, "", none).is_empty());
        let errors = QuickFilters {
            errors_only: true,
            ..none
        };
        assert_eq!(ids(&trace, "", errors), ["b2"]);
        let slow = QuickFilters {
            min_duration_ns: Some(50),
            ..none
        };
        assert_eq!(ids(&trace, "frontend", slow), ["a1"]);
    }

    #[test]
    fn stepping_wraps_around() {
        let matches = SpanMatches {
            flags: vec![],
            list: vec![SpanIdx(2), SpanIdx(5), SpanIdx(9)],
        };
        assert_eq!(matches.step(None, true), Some(SpanIdx(2)));
        assert_eq!(matches.step(None, false), Some(SpanIdx(9)));
        assert_eq!(matches.step(Some(SpanIdx(5)), true), Some(SpanIdx(9)));
        assert_eq!(matches.step(Some(SpanIdx(9)), true), Some(SpanIdx(2)));
        assert_eq!(matches.step(Some(SpanIdx(2)), false), Some(SpanIdx(9)));
        // From a row that is not a match: the next match after it.
        assert_eq!(matches.step(Some(SpanIdx(3)), true), Some(SpanIdx(5)));
        assert_eq!(matches.step(Some(SpanIdx(3)), false), Some(SpanIdx(2)));
        assert_eq!(matches.position(SpanIdx(9)), Some(2));
    }

    #[test]
    fn decision_quick_filters_find_decisions_and_low_confidence_ones() {
        let mut set = crate::core::model::TraceSet::default();
        crate::core::load::load_into(
            &mut set,
            "runs.json",
            include_bytes!("../../../../tests/fixtures/genai/agent-runs.otlp.json"),
        )
        .expect("loads");
        let trace = set
            .traces()
            .iter()
            .find(|t| t.spans.iter().any(|s| t.str(s.operation) == "POST /plan"))
            .cloned()
            .expect("the travel run");
        let names = |filters: QuickFilters| {
            let m = find_spans(&trace, &SpanQuery::parse(""), &filters, &[]);
            m.list
                .iter()
                .map(|&i| trace.str(trace.spans[i.get()].operation).to_string())
                .collect::<Vec<_>>()
        };
        let all = names(QuickFilters {
            decisions_only: true,
            ..QuickFilters::default()
        });
        let low = names(QuickFilters {
            low_confidence_only: true,
            ..QuickFilters::default()
        });
        assert_eq!(all, ["decision route_request", "decision confirm_booking"]);
        assert_eq!(low, ["decision route_request"]);
    }
}
