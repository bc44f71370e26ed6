//! Durations and clocks: spans with a zero, negative (set to 0 when read) or missing duration,
//! and children that start before or end after their parent.
use rustc_hash::FxHashSet;

use super::{example, FindingKind, Linter};
use crate::core::model::{RefKind, Span, SpanFlags, SpanKind, Trace, WarningKind};
use crate::core::view_model::{format_duration_ns, shorten, NAME_CHARS};

/// True when a child may legitimately outlive its parent: a message consumed later, or a
/// FOLLOWS_FROM link.
fn is_async(trace: &Trace, parent: &Span, child: &Span) -> bool {
    child.kind == SpanKind::Consumer
        || parent.kind == SpanKind::Producer
        || trace
            .references
            .get(child.refs.as_range())
            .unwrap_or(&[])
            .iter()
            .any(|r| r.kind == RefKind::FollowsFrom && r.span_id == parent.span_id)
}

/// Checks one trace.
pub(super) fn check(linter: &mut Linter, trace: &Trace) {
    let negative: FxHashSet<&str> = trace
        .warnings
        .iter()
        .filter(|w| w.kind == WarningKind::NegativeDuration)
        .filter_map(|w| w.span_id.as_deref())
        .collect();
    let tolerance = linter.config.skew_tolerance_ns;
    for span in &trace.spans {
        if span.duration_ns == 0 {
            let reason = if span.flags.has(SpanFlags::NO_DURATION) {
                "missing"
            } else if negative.contains(trace.str(span.span_id)) {
                "negative"
            } else {
                "zero"
            };
            linter.hit(FindingKind::BadDuration, reason, || {
                example(trace, span, &format!("{reason} duration"))
            });
        }
        let Some(parent) = span.parent.and_then(|p| trace.span(p)) else {
            continue;
        };
        let early = parent.start_ns.saturating_sub(span.start_ns);
        let late = span.end_ns().saturating_sub(parent.end_ns());
        if (early > tolerance || late > tolerance) && !is_async(trace, parent, span) {
            let (from, to) = (
                shorten(trace.str(parent.service), NAME_CHARS),
                shorten(trace.str(span.service), NAME_CHARS),
            );
            let subject = if from == to {
                to
            } else {
                format!("{from} → {to}")
            };
            let what = if early > tolerance {
                format!("starts {} before its parent", format_duration_ns(early))
            } else {
                format!("ends {} after its parent", format_duration_ns(late))
            };
            linter.hit(FindingKind::ClockSkew, &subject, || {
                example(trace, span, &what)
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{s, trace};
    use super::super::{lint, FindingKind};
    use crate::core::model::{SpanFlags, SpanKind};

    #[test]
    fn zero_missing_and_skewed_spans() {
        let mut root = s("r", None, "web", "GET /");
        root.start = 1_000_000;
        root.dur = 1_000_000;
        let mut early = s("a", Some("r"), "db", "query");
        early.start = 500_000;
        early.dur = 600_000;
        let mut zero = s("b", Some("r"), "web", "render");
        zero.start = 1_100_000;
        zero.dur = 0;
        let mut missing = s("c", Some("r"), "web", "cache");
        missing.start = 1_100_000;
        missing.dur = 0;
        missing.flags = SpanFlags::NO_DURATION;
        let mut consumer = s("d", Some("r"), "worker", "consume");
        consumer.kind = SpanKind::Consumer;
        consumer.start = 1_500_000;
        consumer.dur = 5_000_000;
        let report = lint([&trace("t", vec![root, early, zero, missing, consumer])]);
        let subjects = |kind| -> Vec<String> {
            report
                .findings
                .iter()
                .filter(|f| f.kind == kind)
                .map(|f| f.subject.clone())
                .collect()
        };
        let mut bad = subjects(FindingKind::BadDuration);
        bad.sort();
        assert_eq!(bad, ["missing", "zero"]);
        assert_eq!(subjects(FindingKind::ClockSkew), ["web → db"]);
        let skew = report
            .findings
            .iter()
            .find(|f| f.kind == FindingKind::ClockSkew)
            .unwrap();
        assert!(skew.examples[0].detail.contains("starts 500"), "{skew:?}");
    }

    #[test]
    fn negative_durations_are_named_from_the_parser_warning() {
        let text = r#"{"data":[{"traceID":"t1","spans":[{"traceID":"t1","spanID":"a","operationName":"x","startTime":10,"duration":-5,"processID":"p"}],"processes":{"p":{"serviceName":"s"}}}]}"#;
        let mut set = crate::core::model::TraceSet::new();
        crate::core::load::load_into(&mut set, "neg.json", text.as_bytes()).unwrap();
        let report = lint(set.traces().iter().map(|t| t.as_ref()));
        let bad = report
            .findings
            .iter()
            .find(|f| f.kind == FindingKind::BadDuration)
            .unwrap();
        assert_eq!(bad.subject, "negative");
    }
}
