//! Names that cannot be grouped: generic span names (`GET`, `span`), names with IDs or numbers in
//! them (`GET /users/123`, with the pattern `GET /users/{id}` suggested), services with very many
//! distinct names, and attribute keys with very many distinct values.
use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};

use rustc_hash::{FxHashMap, FxHashSet, FxHasher};

use super::{example, plural, secrets, Example, Finding, FindingKind, Linter};
use crate::core::model::{AttrValue, Sym, Trace};
use crate::core::view_model::{group_digits, list_some, shorten, NAME_CHARS};

/// Span names that say nothing about the work (compared case-insensitively).
const GENERIC_NAMES: &[&str] = &[
    "",
    "span",
    "operation",
    "unknown",
    "default",
    "request",
    "handler",
    "function",
    "call",
    "process",
    "execute",
    "run",
    "task",
    "main",
    "http",
    "get",
    "post",
    "put",
    "delete",
    "patch",
    "head",
    "options",
    "http get",
    "http post",
    "http put",
    "http delete",
    "http patch",
    "http request",
    "http.request",
    "grpc",
    "query",
    "db",
];

/// Distinct names (or name patterns) kept per service.
const MAX_NAMES: usize = 2_000;

/// Attribute keys followed for distinct values.
const MAX_KEYS: usize = 10_000;

/// Distinct value hashes kept per key: enough to tell "over the threshold".
const MAX_VALUES: usize = 100_000;

/// One name pattern of one service.
#[derive(Debug, Default)]
struct Pattern {
    names: BTreeSet<String>,
    spans: u64,
    examples: Vec<Example>,
    /// The name held a UUID or a long hex ID (one such name is enough to report).
    clear_id: bool,
}

/// Names of one service.
#[derive(Debug, Default)]
struct ServiceNames {
    distinct: BTreeSet<String>,
    patterns: BTreeMap<String, Pattern>,
}

/// Distinct values of one attribute key.
#[derive(Debug, Default)]
struct Values {
    occurrences: u64,
    distinct: FxHashSet<u64>,
    examples: Vec<Example>,
}

/// What the name rules keep between traces.
#[derive(Debug, Default)]
pub(super) struct NameTally {
    services: BTreeMap<String, ServiceNames>,
    attributes: BTreeMap<String, Values>,
}

/// True for a UUID (`8-4-4-4-12` hex digits).
fn is_uuid(bytes: &[u8]) -> bool {
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                *b == b'-'
            } else {
                b.is_ascii_hexdigit()
            }
        })
}

/// Whether a part of a name (between separators, `-` and `_`) is an ID to replace, and whether
/// it is clearly one: all digits (clearly from six on), 16 or more hex digits with a digit among
/// them, or 10 or more letters and digits of which at least a third are digits.
fn id_kind(part: &str) -> Option<bool> {
    let bytes = part.as_bytes();
    if bytes.is_empty() {
        return None;
    }
    if bytes.iter().all(u8::is_ascii_digit) {
        return Some(bytes.len() >= 6);
    }
    let digits = bytes.iter().filter(|b| b.is_ascii_digit()).count();
    if bytes.len() >= 16 && digits > 0 && bytes.iter().all(u8::is_ascii_hexdigit) {
        return Some(true);
    }
    let alphanumeric = bytes.iter().all(u8::is_ascii_alphanumeric);
    if bytes.len() >= 10 && alphanumeric && digits * 3 >= bytes.len() {
        return Some(true);
    }
    None
}

/// Appends `text` to `out` with its IDs replaced, splitting it at `split`; returns (replaced,
/// clearly an ID).
fn replace_ids(text: &str, split: impl Fn(char) -> bool, out: &mut String) -> (bool, bool) {
    let (mut replaced, mut clear) = (false, false);
    let mut rest = text;
    while !rest.is_empty() {
        let end = rest.find(&split).unwrap_or(rest.len());
        let (part, after) = rest.split_at(end);
        match id_kind(part) {
            Some(is_clear) => {
                out.push_str("{id}");
                replaced = true;
                clear |= is_clear;
            }
            None => out.push_str(part),
        }
        let mut chars = after.chars();
        if let Some(separator) = chars.next() {
            out.push(separator);
        }
        rest = chars.as_str();
    }
    (replaced, clear)
}

/// The name with its IDs replaced by `{id}` (`GET /users/123` → `GET /users/{id}`), and whether
/// one of them was clearly an ID (a UUID, a long hex string, six or more digits); `None` when
/// the name holds no ID.
pub fn name_pattern(name: &str) -> Option<(String, bool)> {
    let is_separator = |c: char| " /?&=:,;()[]#@\"'".contains(c);
    let mut out = String::with_capacity(name.len());
    let (mut replaced, mut clear) = (false, false);
    let mut rest = name;
    while !rest.is_empty() {
        let end = rest.find(is_separator).unwrap_or(rest.len());
        let (segment, after) = rest.split_at(end);
        if is_uuid(segment.as_bytes()) {
            out.push_str("{id}");
            replaced = true;
            clear = true;
        } else {
            let (r, c) = replace_ids(segment, |c| c == '-' || c == '_', &mut out);
            replaced |= r;
            clear |= c;
        }
        let mut chars = after.chars();
        if let Some(separator) = chars.next() {
            out.push(separator);
        }
        rest = chars.as_str();
    }
    replaced.then_some((out, clear))
}

/// A stable hash of an attribute value, for counting distinct values without keeping them.
fn value_hash(trace: &Trace, value: AttrValue) -> u64 {
    let mut hasher = FxHasher::default();
    match value {
        AttrValue::Str(s) | AttrValue::Json(s) => trace.str(s).hash(&mut hasher),
        AttrValue::Bool(b) => b.hash(&mut hasher),
        AttrValue::Int(i) => i.hash(&mut hasher),
        AttrValue::Float(f) => f.to_bits().hash(&mut hasher),
    }
    hasher.finish()
}

/// A value's identity within one trace: interned strings by handle, others by their bits.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum LocalValue {
    Sym(Sym),
    Bits(u64),
}

impl LocalValue {
    fn of(value: AttrValue) -> Self {
        match value {
            AttrValue::Str(s) | AttrValue::Json(s) => Self::Sym(s),
            AttrValue::Bool(b) => Self::Bits(u64::from(b)),
            AttrValue::Int(i) => Self::Bits(i as u64),
            AttrValue::Float(f) => Self::Bits(f.to_bits()),
        }
    }
}

/// Checks one trace. Spans are first counted per interned (service, name) and attribute key, so
/// that the tallies across traces, keyed by text, are touched once per distinct name or key
/// of the trace rather than once per span.
pub(super) fn check(linter: &mut Linter, trace: &Trace) {
    let examples = linter.config.examples;
    // (service, name) → spans, and the first few spans.
    let mut pairs: FxHashMap<(Sym, Sym), (u64, Vec<usize>)> = FxHashMap::default();
    // key → occurrences, distinct values, the first few (span, value).
    type KeyTally = (u64, FxHashSet<LocalValue>, Vec<(usize, AttrValue)>);
    let mut keys: FxHashMap<Sym, KeyTally> = FxHashMap::default();
    for (i, span) in trace.spans.iter().enumerate() {
        let pair = pairs.entry((span.service, span.operation)).or_default();
        pair.0 += 1;
        if pair.1.len() < examples {
            pair.1.push(i);
        }
        for attr in trace.attrs(span.attrs) {
            let tally = keys.entry(attr.key).or_default();
            tally.0 += 1;
            if tally.1.len() < MAX_VALUES {
                tally.1.insert(LocalValue::of(attr.value));
            }
            if tally.2.len() < examples {
                tally.2.push((i, attr.value));
            }
        }
    }
    for ((service_sym, name_sym), (count, spans)) in pairs {
        let (service, name) = (trace.str(service_sym), trace.str(name_sym));
        if GENERIC_NAMES.contains(&name.trim().to_ascii_lowercase().as_str()) {
            let subject = shorten(name.trim(), NAME_CHARS);
            linter.hit_many(FindingKind::GenericName, &subject, count, |room| {
                spans
                    .iter()
                    .take(room)
                    .map(|&i| example(trace, &trace.spans[i], ""))
                    .collect()
            });
        }
        let names = &mut linter.names;
        if !names.services.contains_key(service) && names.services.len() >= MAX_NAMES {
            continue;
        }
        if !names.services.contains_key(service) {
            names
                .services
                .insert(service.to_string(), ServiceNames::default());
        }
        let Some(entry) = names.services.get_mut(service) else {
            continue;
        };
        if entry.distinct.len() < MAX_NAMES && !entry.distinct.contains(name) {
            entry.distinct.insert(name.to_string());
        }
        let Some((pattern, clear)) = name_pattern(name) else {
            continue;
        };
        if entry.patterns.len() >= MAX_NAMES && !entry.patterns.contains_key(&pattern) {
            continue;
        }
        let tally = entry.patterns.entry(pattern).or_default();
        tally.spans += count;
        tally.clear_id |= clear;
        if tally.names.len() < MAX_NAMES && !tally.names.contains(name) {
            tally.names.insert(name.to_string());
        }
        for &i in &spans {
            if tally.examples.len() < examples {
                tally
                    .examples
                    .push(example(trace, &trace.spans[i], "ID in the name"));
            }
        }
    }
    for (key_sym, (occurrences, distinct, firsts)) in keys {
        let key = trace.str(key_sym);
        let attributes = &mut linter.names.attributes;
        if !attributes.contains_key(key) {
            if attributes.len() >= MAX_KEYS {
                continue;
            }
            attributes.insert(key.to_string(), Values::default());
        }
        let Some(values) = attributes.get_mut(key) else {
            continue;
        };
        values.occurrences += occurrences;
        for value in distinct {
            if values.distinct.len() >= MAX_VALUES {
                break;
            }
            let value = match value {
                LocalValue::Sym(s) => AttrValue::Str(s),
                LocalValue::Bits(bits) => AttrValue::Int(bits as i64),
            };
            values.distinct.insert(value_hash(trace, value));
        }
        for (i, value) in firsts {
            if values.examples.len() >= examples {
                break;
            }
            let text = super::super::trace_stats::attr_text(trace, value);
            let shown = secrets::masked_attribute(key, &text).unwrap_or(text);
            let what = format!("{key} = {}", shorten(&shown, 80));
            values.examples.push(example(trace, &trace.spans[i], &what));
        }
    }
}

/// The high-cardinality findings.
pub(super) fn finish(linter: &mut Linter, findings: &mut Vec<Finding>) {
    let config = linter.config.clone();
    let kind = FindingKind::HighCardinalityName;
    for (service, names) in std::mem::take(&mut linter.names.services) {
        let service_label = shorten(&service, NAME_CHARS);
        for (pattern, tally) in names.patterns {
            if tally.names.len() < 2 && !tally.clear_id {
                continue;
            }
            let listed: Vec<String> = tally
                .names
                .iter()
                .map(|n| format!("`{}`", secrets::mask_secrets_in(n)))
                .collect();
            let pattern_label = shorten(&secrets::mask_secrets_in(&pattern), NAME_CHARS);
            findings.push(Finding {
                kind,
                severity: kind.severity(),
                count: tally.names.len() as u64,
                message: format!(
                    "{} of {service_label} {} an ID in the name ({}; {}): name {} `{pattern_label}` and put the ID in an attribute",
                    plural(tally.names.len() as u64, "span name", "distinct span names"),
                    if tally.names.len() == 1 { "has" } else { "have" },
                    list_some(&listed, 3),
                    plural(tally.spans, "span", "spans"),
                    if tally.names.len() == 1 { "it" } else { "them" },
                ),
                subject: format!("{service_label}: {pattern_label}"),
                suggestion: Some(pattern_label),
                examples: tally.examples,
            });
        }
        if names.distinct.len() > config.service_names {
            let count = names.distinct.len() as u64;
            let more = if names.distinct.len() >= MAX_NAMES {
                "+"
            } else {
                ""
            };
            findings.push(Finding {
                kind,
                severity: kind.severity(),
                count,
                message: format!(
                    "{service_label} has {}{more} distinct span names: per-operation statistics split into as many rows (names should be low-cardinality: routes, methods, query kinds)",
                    group_digits(count)
                ),
                subject: service_label,
                suggestion: None,
                examples: Vec::new(),
            });
        }
    }
    let kind = FindingKind::HighCardinalityAttribute;
    for (key, values) in std::mem::take(&mut linter.names.attributes) {
        let distinct = values.distinct.len() as u64;
        let enough = values.distinct.len() >= config.attribute_values;
        if !enough || distinct.saturating_mul(2) < values.occurrences {
            continue;
        }
        let key_label = shorten(&key, NAME_CHARS);
        let more = if values.distinct.len() >= MAX_VALUES {
            "+"
        } else {
            ""
        };
        findings.push(Finding {
            kind,
            severity: kind.severity(),
            count: distinct,
            message: format!(
                "`{key_label}` has {}{more} distinct values in {}: fine on a span, but grouping or span metrics by it explode (keep it out of span names and metric dimensions)",
                group_digits(distinct),
                plural(values.occurrences, "span", "spans")
            ),
            subject: key_label,
            suggestion: None,
            examples: values.examples,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{s, trace};
    use super::super::{lint, FindingKind, LintConfig, Linter};
    use super::name_pattern;

    #[test]
    fn patterns_replace_ids_and_keep_versions() {
        assert_eq!(
            name_pattern("GET /users/123"),
            Some(("GET /users/{id}".to_string(), false))
        );
        assert_eq!(
            name_pattern("GET /orders/3f2504e0-4f89-11d3-9a0c-0305e82c3301/items"),
            Some(("GET /orders/{id}/items".to_string(), true))
        );
        assert_eq!(name_pattern("GET /api/v2/items"), None);
        assert_eq!(name_pattern("HTTP/1.1 GET"), None);
        assert_eq!(
            name_pattern("SELECT user 1234567"),
            Some(("SELECT user {id}".to_string(), true))
        );
        assert_eq!(
            name_pattern("é/12/é"),
            Some(("é/{id}/é".to_string(), false))
        );
        assert_eq!(
            name_pattern("get /assets/common-77e2fb036db019b4.js"),
            None,
            "a hex part followed by an extension is one part"
        );
        assert_eq!(
            name_pattern("get /assets/common-77e2fb036db019b4"),
            Some(("get /assets/common-{id}".to_string(), true))
        );
        assert_eq!(name_pattern("receive iot-events360"), None);
        assert_eq!(
            name_pattern("job_a1b2c3d4e5f6"),
            Some(("job_{id}".to_string(), true))
        );
        assert_eq!(name_pattern(""), None);
    }

    #[test]
    fn ids_in_names_generic_names_and_many_values() {
        let spans = vec![
            s("a", None, "users", "GET /users/123"),
            s("b", Some("a"), "users", "GET /users/456"),
            s("c", Some("a"), "users", "GET"),
            s("d", Some("a"), "users", "GET /health"),
        ];
        let report = lint([&trace("t", spans)]);
        let name = report
            .findings
            .iter()
            .find(|f| f.kind == FindingKind::HighCardinalityName)
            .expect("id in name");
        assert_eq!(name.suggestion.as_deref(), Some("GET /users/{id}"));
        assert_eq!(name.count, 2);
        assert!(
            name.message.contains("`GET /users/123`"),
            "{}",
            name.message
        );
        let generic = report
            .findings
            .iter()
            .find(|f| f.kind == FindingKind::GenericName)
            .expect("generic");
        assert_eq!((generic.subject.as_str(), generic.count), ("GET", 1));

        let mut linter = Linter::new(LintConfig {
            attribute_values: 3,
            service_names: 2,
            ..LintConfig::default()
        });
        let ids = ["u1", "u2", "u3", "u4"];
        let mut spans = Vec::new();
        for (i, id) in ids.iter().enumerate() {
            let mut span = s(id, None, "api", ["a", "b", "c", "d"][i]);
            span.attrs = vec![("user.id", id), ("region", "eu")];
            spans.push(span);
        }
        linter.add_trace(&trace("t2", spans));
        let report = linter.finish();
        let subjects: Vec<(FindingKind, &str)> = report
            .findings
            .iter()
            .map(|f| (f.kind, f.subject.as_str()))
            .collect();
        assert!(subjects.contains(&(FindingKind::HighCardinalityAttribute, "user.id")));
        assert!(!subjects.contains(&(FindingKind::HighCardinalityAttribute, "region")));
        assert!(subjects.contains(&(FindingKind::HighCardinalityName, "api")));
    }
}
