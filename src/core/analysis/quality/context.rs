//! Broken context propagation: spans whose parent is not loaded (with the client span that
//! probably called them), traces with several roots, and client calls into a service that is
//! instrumented elsewhere in the loaded traces but has no server span under the call.
use std::collections::{BTreeMap, BTreeSet};

use super::{example, Example, Finding, FindingKind, Linter};
use crate::core::model::{Span, SpanFlags, SpanKind, Trace};
use crate::core::view_model::{shorten, NAME_CHARS};

/// Distinct (caller, callee) pairs kept for the lost-context rule.
const MAX_PAIRS: usize = 10_000;

/// Above this many orphan × client comparisons in one trace, orphans are not matched to their
/// probable callers (each comparison is cheap; this bounds a hostile trace).
const MAX_MATCHING: usize = 10_000_000;

/// Attributes that name the service a client span calls, most specific first.
const CALLEE_KEYS: &[&str] = &[
    "peer.service",
    "server.address",
    "net.peer.name",
    "http.host",
    "rpc.service",
];

/// What the context rules keep between traces.
#[derive(Debug, Default)]
pub(super) struct ContextTally {
    /// Every service name seen, lower-case.
    services: BTreeSet<String>,
    /// Childless client calls by (caller service, named callee, lower-case).
    calls: BTreeMap<(String, String), (u64, Vec<Example>)>,
}

/// True for spans that call out (and so should have a server or consumer span under them).
fn calls_out(span: &Span) -> bool {
    matches!(span.kind, SpanKind::Client | SpanKind::Producer)
}

/// The service a client span names as the one it calls: `peer.service`, or the first label of
/// `server.address` (`payment` of `payment.prod.svc:8080`), lower-case.
fn callee(trace: &Trace, span: &Span) -> Option<String> {
    let attrs = trace.attrs(span.attrs);
    CALLEE_KEYS.iter().find_map(|key| {
        let attr = attrs.iter().find(|a| trace.str(a.key) == *key)?;
        let text = match attr.value {
            crate::core::model::AttrValue::Str(s) => trace.str(s),
            _ => return None,
        };
        let host = if *key == "peer.service" || *key == "rpc.service" {
            text
        } else {
            text.split([':', '.', '/']).next().unwrap_or("")
        };
        (!host.is_empty()).then(|| host.to_ascii_lowercase())
    })
}

/// Checks one trace.
pub(super) fn check(linter: &mut Linter, trace: &Trace) {
    let mut seen = rustc_hash::FxHashSet::default();
    for resource in &trace.resources {
        if seen.insert(resource.service) {
            let name = trace.str(resource.service).to_ascii_lowercase();
            if !linter.context.services.contains(&name) {
                linter.context.services.insert(name);
            }
        }
    }
    if trace.roots.len() > 1 {
        let second = trace.roots[1];
        if let Some(span) = trace.span(second) {
            let what = format!("one of {} roots", trace.roots.len());
            linter.hit(FindingKind::MultipleRoots, "", || {
                example(trace, span, &what)
            });
        }
    }
    // Childless calls out, by start, for matching orphans and for lost context.
    let mut leaves: Vec<usize> = (0..trace.spans.len())
        .filter(|&i| {
            let span = &trace.spans[i];
            calls_out(span) && span.subtree_end as usize == i + 1
        })
        .collect();
    leaves.sort_by_key(|&i| trace.spans[i].start_ns);
    let orphans: Vec<usize> = (0..trace.spans.len())
        .filter(|&i| trace.spans[i].flags.has(SpanFlags::MISSING_PARENT))
        .collect();
    let match_callers = orphans.len().saturating_mul(leaves.len()) <= MAX_MATCHING;
    let tolerance = linter.config.skew_tolerance_ns;
    for &i in &orphans {
        let span = &trace.spans[i];
        let caller = match_callers
            .then(|| {
                leaves
                    .iter()
                    .map(|&c| &trace.spans[c])
                    .filter(|c| {
                        c.service != span.service
                            && c.start_ns.saturating_sub(tolerance) <= span.start_ns
                            && span.start_ns <= c.end_ns().saturating_add(tolerance)
                    })
                    .min_by_key(|c| c.duration_ns)
            })
            .flatten();
        let service = shorten(trace.str(span.service), NAME_CHARS);
        let subject = match caller {
            Some(c) => format!("{} → {service}", shorten(trace.str(c.service), NAME_CHARS)),
            None => service,
        };
        let parent = span
            .parent_span_id
            .map(|p| shorten(trace.str(p), 32))
            .unwrap_or_default();
        let what = format!("parent {parent} not loaded");
        linter.hit(FindingKind::OrphanSpan, &subject, || {
            example(trace, span, &what)
        });
    }
    let examples = linter.config.examples;
    for &i in &leaves {
        let span = &trace.spans[i];
        let Some(callee) = callee(trace, span) else {
            continue;
        };
        let caller = trace.str(span.service).to_ascii_lowercase();
        if callee == caller {
            continue;
        }
        let calls = &mut linter.context.calls;
        let key = (trace.str(span.service).to_string(), callee);
        if calls.len() >= MAX_PAIRS && !calls.contains_key(&key) {
            continue;
        }
        let entry = calls.entry(key).or_default();
        entry.0 += 1;
        if entry.1.len() < examples {
            entry
                .1
                .push(example(trace, span, "no server span under this call"));
        }
    }
}

/// The lost-context findings: calls into services that are instrumented (seen in the loaded
/// traces) yet have no server span under the call.
pub(super) fn finish(linter: &mut Linter, findings: &mut Vec<Finding>) {
    let services = &linter.context.services;
    for ((caller, callee), (count, examples)) in std::mem::take(&mut linter.context.calls) {
        if !services.contains(&callee) {
            continue;
        }
        let caller = shorten(&caller, NAME_CHARS);
        let callee = shorten(&callee, NAME_CHARS);
        findings.push(Finding {
            kind: FindingKind::LostContext,
            severity: FindingKind::LostContext.severity(),
            count,
            message: format!(
                "{} {callee}, which is instrumented, but no span of {callee} is under {}: the trace context is not sent (or not read) between {caller} and {callee}",
                super::plural(
                    count,
                    &format!("client span of {caller} calls"),
                    &format!("client spans of {caller} call")
                ),
                if count == 1 { "it" } else { "them" }
            ),
            subject: format!("{caller} → {callee}"),
            suggestion: None,
            examples,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{s, trace};
    use super::super::{lint, FindingKind};
    use crate::core::model::SpanKind;

    #[test]
    fn orphans_are_paired_with_the_client_span_that_encloses_them() {
        let mut call = s("c1", Some("r"), "frontend", "POST /charge");
        call.kind = SpanKind::Client;
        call.start = 10;
        call.dur = 100;
        call.attrs = vec![("peer.service", "payment")];
        let mut orphan = s("p1", Some("lost"), "payment", "charge");
        orphan.kind = SpanKind::Server;
        orphan.start = 20;
        orphan.dur = 50;
        let mut root = s("r", None, "frontend", "GET /checkout");
        root.dur = 200;
        let report = lint([&trace("t1", vec![root, call, orphan])]);
        let find = |kind| report.findings.iter().find(|f| f.kind == kind);
        let orphan = find(FindingKind::OrphanSpan).expect("orphan finding");
        assert_eq!(orphan.subject, "frontend → payment");
        assert_eq!(orphan.count, 1);
        assert_eq!(orphan.examples[0].span_id, "p1");
        assert!(orphan.message.contains("frontend probably did not pass"));
        let roots = find(FindingKind::MultipleRoots).expect("multiple roots");
        assert_eq!(roots.count, 1);
        assert_eq!(roots.examples[0].span_id, "p1");
        let lost = find(FindingKind::LostContext).expect("lost context");
        assert_eq!(lost.subject, "frontend → payment");
        assert_eq!(lost.examples[0].span_id, "c1");
    }

    #[test]
    fn calls_to_services_not_instrumented_and_calls_with_a_server_child_are_fine() {
        let mut db = s("c1", Some("r"), "cart", "SELECT");
        db.kind = SpanKind::Client;
        db.attrs = vec![("server.address", "postgres.internal:5432")];
        let mut call = s("c2", Some("r"), "cart", "GET /price");
        call.kind = SpanKind::Client;
        call.attrs = vec![("peer.service", "pricing")];
        let mut server = s("s2", Some("c2"), "pricing", "GET /price");
        server.kind = SpanKind::Server;
        let report = lint([&trace(
            "t",
            vec![s("r", None, "cart", "x"), db, call, server],
        )]);
        let kinds: Vec<_> = report.findings.iter().map(|f| f.kind).collect();
        assert!(!kinds.contains(&FindingKind::LostContext), "{kinds:?}");
        assert!(!kinds.contains(&FindingKind::OrphanSpan));
        assert!(!kinds.contains(&FindingKind::MultipleRoots));
    }
}
