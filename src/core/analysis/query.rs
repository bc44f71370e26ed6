//! Trace queries over all loaded traces: filter by service, operation, duration, errors,
//! attribute `key=value` and free text; sort; limit. A trace matches when every given condition
//! holds; span conditions (service, operation, attribute, text) may be met by different spans.
use std::sync::Arc;

use super::trace_stats::attr_text;
use crate::core::model::Trace;

/// How matching traces are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortBy {
    /// Newest first (by start time).
    #[default]
    MostRecent,
    /// Oldest first.
    Oldest,
    /// Longest first.
    Longest,
    /// Shortest first.
    Shortest,
    /// Most spans first.
    MostSpans,
    /// Most errors first.
    MostErrors,
}

impl SortBy {
    /// Every order, as the command line and the address bar name them.
    pub const ALL: [SortBy; 6] = [
        SortBy::MostRecent,
        SortBy::Oldest,
        SortBy::Longest,
        SortBy::Shortest,
        SortBy::MostSpans,
        SortBy::MostErrors,
    ];

    /// `recent`, `oldest`, `longest`, `shortest`, `spans` or `errors`.
    pub fn as_str(self) -> &'static str {
        match self {
            SortBy::MostRecent => "recent",
            SortBy::Oldest => "oldest",
            SortBy::Longest => "longest",
            SortBy::Shortest => "shortest",
            SortBy::MostSpans => "spans",
            SortBy::MostErrors => "errors",
        }
    }

    /// The order called `name` (see [`SortBy::as_str`]).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name.trim())
    }

    /// What a person reads: "Most recent", "Most spans".
    pub fn label(self) -> &'static str {
        match self {
            SortBy::MostRecent => "Most recent",
            SortBy::Oldest => "Oldest",
            SortBy::Longest => "Longest",
            SortBy::Shortest => "Shortest",
            SortBy::MostSpans => "Most spans",
            SortBy::MostErrors => "Most errors",
        }
    }
}

/// A query; every field left at its default matches everything.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TraceQuery {
    /// Some span has this service (exact).
    pub service: Option<String>,
    /// Some span also has this service (a second service filter: the services view's, when the
    /// trace list's filter names another).
    pub also_service: Option<String>,
    /// Some span has this operation (exact).
    pub operation: Option<String>,
    /// The trace lasts at least this long (ns).
    pub min_duration_ns: Option<i64>,
    /// The trace lasts at most this long (ns).
    pub max_duration_ns: Option<i64>,
    /// With `Some(true)` only traces with an error span; `Some(false)` only those without.
    pub has_errors: Option<bool>,
    /// For each pair, some span (or its resource) has this attribute with this value (as
    /// text); different pairs may be met by different spans.
    pub attributes: Vec<(String, String)>,
    /// Case-insensitive text found in the trace ID, a service, an operation or an attribute value.
    pub text: Option<String>,
    /// Order of the result.
    pub sort: SortBy,
    /// At most this many traces.
    pub limit: Option<usize>,
}

impl TraceQuery {
    /// True when `trace` satisfies every condition.
    pub fn matches(&self, trace: &Trace) -> bool {
        let duration = trace.duration_ns();
        if self.min_duration_ns.is_some_and(|min| duration < min)
            || self.max_duration_ns.is_some_and(|max| duration > max)
        {
            return false;
        }
        if let Some(wanted) = self.has_errors {
            if (trace.error_count() > 0) != wanted {
                return false;
            }
        }
        // Names are interned: a name the trace never saw cannot match.
        let lookup = |name: &Option<String>| name.as_deref().map(|n| trace.strings.get(n));
        if let Some(service) = lookup(&self.service) {
            let Some(service) = service else { return false };
            if !trace.spans.iter().any(|s| s.service == service) {
                return false;
            }
        }
        if let Some(service) = lookup(&self.also_service) {
            let Some(service) = service else { return false };
            if !trace.spans.iter().any(|s| s.service == service) {
                return false;
            }
        }
        if let Some(operation) = lookup(&self.operation) {
            let Some(operation) = operation else {
                return false;
            };
            if !trace.spans.iter().any(|s| s.operation == operation) {
                return false;
            }
        }
        for (key, value) in &self.attributes {
            let Some(key) = trace.strings.get(key) else {
                return false;
            };
            let on_span = trace.spans.iter().any(|span| {
                trace
                    .attrs(span.attrs)
                    .iter()
                    .chain(
                        trace
                            .resources
                            .get(span.resource as usize)
                            .map_or(&[][..], |r| trace.attrs(r.attrs)),
                    )
                    .any(|a| a.key == key && attr_text(trace, a.value) == *value)
            });
            if !on_span {
                return false;
            }
        }
        if let Some(text) = &self.text {
            let needle = text.to_lowercase();
            if !needle.is_empty() && !contains_text(trace, &needle) {
                return false;
            }
        }
        true
    }

    /// The matching traces of `traces`, sorted and limited.
    pub fn run(&self, traces: &[Arc<Trace>]) -> Vec<Arc<Trace>> {
        let mut found: Vec<Arc<Trace>> =
            traces.iter().filter(|t| self.matches(t)).cloned().collect();
        match self.sort {
            SortBy::MostRecent => found.sort_by_key(|t| std::cmp::Reverse(t.start_ns)),
            SortBy::Oldest => found.sort_by_key(|t| t.start_ns),
            SortBy::Longest => found.sort_by_key(|t| std::cmp::Reverse(t.duration_ns())),
            SortBy::Shortest => found.sort_by_key(|t| t.duration_ns()),
            SortBy::MostSpans => found.sort_by_key(|t| std::cmp::Reverse(t.spans.len())),
            SortBy::MostErrors => found.sort_by_key(|t| std::cmp::Reverse(t.error_count())),
        }
        if let Some(limit) = self.limit {
            found.truncate(limit);
        }
        found
    }
}

/// The service names of `traces` (sorted, each once) and the operation names (of `service`
/// only, when given): for the filter bar's lists. At most `limit` of each.
pub fn names_in(
    traces: &[Arc<Trace>],
    service: Option<&str>,
    limit: usize,
) -> (Vec<String>, Vec<String>) {
    let mut services = std::collections::BTreeSet::new();
    let mut operations = std::collections::BTreeSet::new();
    for trace in traces {
        let wanted = service.map(|s| trace.strings.get(s));
        // Distinct symbols first (a million spans name a few dozen), then their text.
        let mut seen_services = rustc_hash::FxHashSet::default();
        let mut seen_operations = rustc_hash::FxHashSet::default();
        for span in &trace.spans {
            seen_services.insert(span.service);
            if wanted.is_none_or(|w| w == Some(span.service)) {
                seen_operations.insert(span.operation);
            }
        }
        for sym in seen_services {
            if services.len() < limit {
                services.insert(trace.str(sym));
            }
        }
        for sym in seen_operations {
            if operations.len() < limit {
                operations.insert(trace.str(sym));
            }
        }
    }
    let owned =
        |set: std::collections::BTreeSet<&str>| set.into_iter().map(str::to_string).collect();
    (owned(services), owned(operations))
}

/// True when any interned string of the trace (names, IDs, values) contains `needle`
/// (lower-case). Scanning the string table once is cheaper than scanning every span.
fn contains_text(trace: &Trace, needle: &str) -> bool {
    trace.trace_id.to_lowercase().contains(needle)
        || trace
            .strings
            .strings()
            .any(|s| s.to_lowercase().contains(needle))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::load::load_into;
    use crate::core::model::TraceSet;

    fn demo() -> TraceSet {
        let mut set = TraceSet::new();
        load_into(
            &mut set,
            "demo",
            crate::core::demo::demo_otlp_json_lines().as_bytes(),
        )
        .unwrap();
        set
    }

    #[test]
    fn filters_combine_and_sort() {
        let set = demo();
        let all = TraceQuery::default().run(set.traces());
        assert_eq!(all.len(), 12);
        assert!(all.windows(2).all(|w| w[0].start_ns >= w[1].start_ns));

        let failing = TraceQuery {
            has_errors: Some(true),
            ..Default::default()
        }
        .run(set.traces());
        assert_eq!(failing.len(), 3);

        let payments = TraceQuery {
            service: Some("payment-service".into()),
            sort: SortBy::Longest,
            limit: Some(2),
            ..Default::default()
        }
        .run(set.traces());
        assert_eq!(payments.len(), 2);
        assert!(payments[0].duration_ns() >= payments[1].duration_ns());
        assert!(payments[0].duration_ns() > 5_000_000_000);

        let slow = TraceQuery {
            min_duration_ns: Some(1_000_000_000),
            ..Default::default()
        }
        .run(set.traces());
        assert_eq!(slow.len(), 1);

        let unknown = TraceQuery {
            service: Some("nope".into()),
            ..Default::default()
        }
        .run(set.traces());
        assert!(unknown.is_empty());
    }

    #[test]
    fn attribute_and_text_search() {
        let set = demo();
        let logins = TraceQuery {
            attributes: vec![("http.route".into(), "POST /login".into())],
            ..Default::default()
        }
        .run(set.traces());
        assert_eq!(logins.len(), 2);
        let int_attr = TraceQuery {
            attributes: vec![("bcrypt.cost".into(), "12".into())],
            ..Default::default()
        }
        .run(set.traces());
        assert_eq!(int_attr.len(), 2);
        let text = TraceQuery {
            text: Some("CARD DECLINED".into()),
            ..Default::default()
        }
        .run(set.traces());
        assert_eq!(text.len(), 1);
        let resource = TraceQuery {
            attributes: vec![("telemetry.sdk.language".into(), "rust".into())],
            ..Default::default()
        }
        .run(set.traces());
        assert_eq!(resource.len(), 12);
        let both = TraceQuery {
            attributes: vec![
                ("http.route".into(), "POST /login".into()),
                ("bcrypt.cost".into(), "12".into()),
            ],
            ..Default::default()
        }
        .run(set.traces());
        assert_eq!(both.len(), 2);
        let neither = TraceQuery {
            attributes: vec![
                ("http.route".into(), "POST /login".into()),
                ("bcrypt.cost".into(), "13".into()),
            ],
            ..Default::default()
        }
        .run(set.traces());
        assert!(neither.is_empty());
    }

    #[test]
    fn orders_by_name_and_lists_names() {
        let set = demo();
        for sort in SortBy::ALL {
            assert_eq!(SortBy::from_name(sort.as_str()), Some(sort));
        }
        let oldest = TraceQuery {
            sort: SortBy::Oldest,
            ..Default::default()
        }
        .run(set.traces());
        assert!(oldest.windows(2).all(|w| w[0].start_ns <= w[1].start_ns));
        let (services, operations) = names_in(set.traces(), None, 100);
        assert_eq!(services.len(), 9);
        assert!(services.windows(2).all(|w| w[0] < w[1]));
        let (_, payment_ops) = names_in(set.traces(), Some("payment-service"), 100);
        assert!(!payment_ops.is_empty() && payment_ops.len() < operations.len());
        assert_eq!(names_in(set.traces(), None, 3).0.len(), 3);
    }
}
