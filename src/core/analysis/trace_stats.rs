//! Trace statistics as Jaeger UI's "Trace Statistics" view shows them: spans grouped by
//! service, by service and operation, or by the value of one attribute; per group count, total,
//! average, minimum and maximum duration, the same for self time, and self time as a percentage
//! of the trace's duration. (Jaeger UI sums durations of nested spans of one group as they are;
//! so do we.)
use std::collections::HashMap;

use crate::core::model::{AttrValue, Sym, Trace};

/// A group: service, operation (interned, so grouping allocates nothing) or attribute value.
type GroupKey = (Option<Sym>, Option<Sym>, Option<String>);

/// How spans are grouped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupBy {
    /// One row per service.
    Service,
    /// One row per (service, operation).
    Operation,
    /// One row per value of this attribute key (spans without it form one row).
    Attribute(String),
}

/// One row of the statistics table. Times are nanoseconds.
#[derive(Debug, Clone, PartialEq)]
pub struct StatsRow {
    /// The service (None when grouped by attribute).
    pub service: Option<String>,
    /// The operation (only when grouped by operation).
    pub operation: Option<String>,
    /// The attribute value (when grouped by attribute; None for spans without the key).
    pub value: Option<String>,
    /// Spans in the group.
    pub count: usize,
    /// Sum of durations.
    pub total_ns: i64,
    /// Average duration.
    pub avg_ns: f64,
    /// Shortest duration.
    pub min_ns: i64,
    /// Longest duration.
    pub max_ns: i64,
    /// Sum of self times.
    pub self_total_ns: i64,
    /// Average self time.
    pub self_avg_ns: f64,
    /// Smallest self time.
    pub self_min_ns: i64,
    /// Largest self time.
    pub self_max_ns: i64,
    /// Self total ÷ trace duration × 100.
    pub self_percent: f64,
}

/// The attribute keys of `trace` that contain `filter` (ignoring case; all for an empty
/// filter), those on the most spans first (then by name): the first `limit`, and how many keys
/// match in all. The Statistics tab lists a few and finds the rest by typing (a span with a
/// million attribute keys once made a million-entry list).
pub fn attribute_keys(trace: &Trace, filter: &str, limit: usize) -> (Vec<String>, usize) {
    let mut spans_with: HashMap<crate::core::model::Sym, usize> = HashMap::new();
    for span in &trace.spans {
        for attr in trace.attrs(span.attrs) {
            *spans_with.entry(attr.key).or_insert(0) += 1;
        }
    }
    let needle = filter.trim().to_lowercase();
    let mut keys: Vec<(usize, &str)> = spans_with
        .into_iter()
        .map(|(key, count)| (count, trace.str(key)))
        .filter(|(_, key)| needle.is_empty() || key.to_lowercase().contains(needle.as_str()))
        .collect();
    let total = keys.len();
    let by_rank = |a: &(usize, &str), b: &(usize, &str)| b.0.cmp(&a.0).then(a.1.cmp(b.1));
    if keys.len() > limit && limit > 0 {
        keys.select_nth_unstable_by(limit - 1, by_rank);
        keys.truncate(limit);
    } else if limit == 0 {
        keys.clear();
    }
    keys.sort_by(by_rank);
    (
        keys.into_iter().map(|(_, key)| key.to_string()).collect(),
        total,
    )
}

/// Groups the spans of `trace` (with their `self_ns`, see [`super::self_times`]); rows are
/// sorted by self total, largest first, then by name.
pub fn trace_statistics(trace: &Trace, self_ns: &[i64], group_by: &GroupBy) -> Vec<StatsRow> {
    let key_sym = match group_by {
        GroupBy::Attribute(key) => trace.strings.get(key.as_str()),
        _ => None,
    };
    let mut groups: HashMap<GroupKey, StatsRow> = HashMap::new();
    for (index, span) in trace.spans.iter().enumerate() {
        let key = match group_by {
            GroupBy::Service => (Some(span.service), None, None),
            GroupBy::Operation => (Some(span.service), Some(span.operation), None),
            GroupBy::Attribute(_) => {
                let value = key_sym.and_then(|key| {
                    trace
                        .attrs(span.attrs)
                        .iter()
                        .find(|a| a.key == key)
                        .map(|a| attr_text(trace, a.value))
                });
                (None, None, value)
            }
        };
        let own_self = self_ns.get(index).copied().unwrap_or(0);
        let row = groups.entry(key).or_insert_with_key(|key| StatsRow {
            service: key.0.map(|s| trace.str(s).to_string()),
            operation: key.1.map(|s| trace.str(s).to_string()),
            value: key.2.clone(),
            count: 0,
            total_ns: 0,
            avg_ns: 0.0,
            min_ns: i64::MAX,
            max_ns: i64::MIN,
            self_total_ns: 0,
            self_avg_ns: 0.0,
            self_min_ns: i64::MAX,
            self_max_ns: i64::MIN,
            self_percent: 0.0,
        });
        row.count += 1;
        row.total_ns = row.total_ns.saturating_add(span.duration_ns);
        row.min_ns = row.min_ns.min(span.duration_ns);
        row.max_ns = row.max_ns.max(span.duration_ns);
        row.self_total_ns = row.self_total_ns.saturating_add(own_self);
        row.self_min_ns = row.self_min_ns.min(own_self);
        row.self_max_ns = row.self_max_ns.max(own_self);
    }
    let trace_ns = trace.duration_ns();
    let mut rows: Vec<StatsRow> = groups
        .into_values()
        .map(|mut row| {
            let count = row.count.max(1) as f64;
            row.avg_ns = row.total_ns as f64 / count;
            row.self_avg_ns = row.self_total_ns as f64 / count;
            row.self_percent = if trace_ns > 0 {
                row.self_total_ns as f64 / trace_ns as f64 * 100.0
            } else {
                0.0
            };
            row
        })
        .collect();
    rows.sort_by(|a, b| {
        b.self_total_ns.cmp(&a.self_total_ns).then_with(|| {
            (&a.service, &a.operation, &a.value).cmp(&(&b.service, &b.operation, &b.value))
        })
    });
    rows
}

/// An attribute value as text, for grouping and display.
pub(crate) fn attr_text(trace: &Trace, value: AttrValue) -> String {
    match value {
        AttrValue::Str(s) | AttrValue::Json(s) => trace.str(s).to_string(),
        AttrValue::Bool(b) => b.to_string(),
        AttrValue::Int(i) => i.to_string(),
        AttrValue::Float(f) => f.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::analysis::self_times;
    use crate::core::analysis::test_trace::build;
    use crate::core::model::SpanKind::*;

    #[test]
    fn attribute_keys_most_common_first_and_searchable() {
        let json = r#"[
          {"traceId":"abc","id":"1","name":"r","timestamp":1,"duration":9,"localEndpoint":{"serviceName":"s"},"tags":{"http.method":"GET","rare":"x","Zed":"1"}},
          {"traceId":"abc","id":"2","parentId":"1","name":"c","timestamp":2,"duration":3,"localEndpoint":{"serviceName":"s"},"tags":{"http.method":"GET","Zed":"2"}},
          {"traceId":"abc","id":"3","parentId":"1","name":"c","timestamp":3,"duration":3,"localEndpoint":{"serviceName":"s"},"tags":{"http.method":"PUT"}}
        ]"#;
        let parsed = crate::core::format::parse_file("k.json", json.as_bytes()).expect("parses");
        let trace = parsed.traces.into_iter().next().expect("trace").build();
        assert_eq!(
            attribute_keys(&trace, "", 10),
            (vec!["http.method".into(), "Zed".into(), "rare".into()], 3)
        );
        assert_eq!(
            attribute_keys(&trace, "", 1),
            (vec!["http.method".into()], 3)
        );
        assert_eq!(attribute_keys(&trace, "zE", 10), (vec!["Zed".into()], 1));
        assert_eq!(attribute_keys(&trace, "nothing", 10), (vec![], 0));
    }

    #[test]
    fn groups_by_service_and_operation_with_self_percent() {
        // api 0..100 with two db children 10..30 and 50..60: api self = 70.
        let trace = build(&[
            ("a", None, "api", 0, 100, Server, false),
            ("b", Some("a"), "db", 10, 30, Client, false),
            ("c", Some("a"), "db", 50, 60, Client, false),
        ]);
        let self_ns = self_times(&trace);
        let rows = trace_statistics(&trace, &self_ns, &GroupBy::Service);
        assert_eq!(rows.len(), 2);
        let api = &rows[0];
        assert_eq!(api.service.as_deref(), Some("api"));
        assert_eq!((api.count, api.total_ns, api.self_total_ns), (1, 100, 70));
        assert!((api.self_percent - 70.0).abs() < 1e-9);
        let db = &rows[1];
        assert_eq!(
            (db.count, db.total_ns, db.min_ns, db.max_ns),
            (2, 30, 10, 20)
        );
        assert!((db.avg_ns - 15.0).abs() < 1e-9);
        assert!((db.self_percent - 30.0).abs() < 1e-9);

        let rows = trace_statistics(&trace, &self_ns, &GroupBy::Operation);
        assert_eq!(rows.len(), 3);
        assert!(rows.iter().all(|r| r.operation.is_some()));
    }

    #[test]
    fn groups_by_attribute_value_with_a_row_for_spans_without_it() {
        let set = {
            let mut set = crate::core::model::TraceSet::new();
            crate::core::load::load_into(
                &mut set,
                "x",
                br#"{"traceID":"t","processes":{"p":{"serviceName":"s"}},"spans":[
                  {"spanID":"a","operationName":"GET","startTime":0,"duration":10,"processID":"p","tags":[{"key":"http.method","value":"GET"}]},
                  {"spanID":"b","operationName":"GET","startTime":20,"duration":10,"processID":"p","tags":[{"key":"http.method","value":"GET"}]},
                  {"spanID":"c","operationName":"q","startTime":40,"duration":10,"processID":"p"}]}"#,
            )
            .unwrap();
            set
        };
        let trace = &set.traces()[0];
        let rows = trace_statistics(
            trace,
            &self_times(trace),
            &GroupBy::Attribute("http.method".into()),
        );
        let summary: Vec<_> = rows.iter().map(|r| (r.value.clone(), r.count)).collect();
        assert_eq!(summary, vec![(Some("GET".to_string()), 2), (None, 1)]);
    }
}
