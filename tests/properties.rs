//! Property tests on random span trees (proptest): critical-path sections never overlap, lie
//! within their root and reach its end; self times stay within durations; statistics do not
//! depend on the order spans arrive in.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use proptest::prelude::*;
use tracagg::core::analysis::{
    critical_path, operation_stats, self_times, trace_statistics, GroupBy,
};
use tracagg::core::model::{IdxRange, Span, SpanIdx, SpanKind, SpanStatus, Trace, TraceBuilder};

/// One random span: parent (index into earlier spans, or none), start, duration, kind, error.
#[derive(Debug, Clone)]
struct Row {
    parent: Option<usize>,
    start: i64,
    duration: i64,
    kind: u8,
    error: bool,
    service: u8,
}

fn rows() -> impl Strategy<Value = Vec<Row>> {
    (1usize..120).prop_flat_map(|n| {
        proptest::collection::vec(
            (
                proptest::option::weighted(0.93, 0usize..1000),
                0i64..10_000,
                -50i64..5_000,
                0u8..6,
                proptest::bool::weighted(0.1),
                0u8..4,
            ),
            n,
        )
        .prop_map(|raw| {
            raw.into_iter()
                .enumerate()
                .map(|(i, (parent, start, duration, kind, error, service))| Row {
                    // Parents always come earlier, so there are no cycles by construction
                    // (cycles are covered by the builder's own tests).
                    parent: parent.filter(|_| i > 0).map(|p| p % i.max(1)),
                    start,
                    duration,
                    kind,
                    error,
                    service,
                })
                .collect()
        })
    })
}

fn build(rows: &[Row], order: &[usize]) -> Trace {
    let mut builder = TraceBuilder::new("t");
    for &i in order {
        let row = &rows[i];
        let service = builder.intern(&format!("svc-{}", row.service));
        let resource = builder.add_resource(service, IdxRange::default());
        let span_id = builder.intern(&format!("s{i}"));
        let operation = builder.intern(&format!("op-{}", i % 7));
        let mut span = Span::draft(span_id, resource, service, operation);
        span.parent_span_id = row.parent.map(|p| builder.intern(&format!("s{p}")));
        span.start_ns = row.start;
        span.duration_ns = row.duration;
        span.kind = SpanKind::from_otlp_number(i64::from(row.kind));
        if row.error {
            span.status = SpanStatus::Error;
        }
        builder.push_span(span);
    }
    builder.build()
}

fn root_of(trace: &Trace, mut idx: SpanIdx) -> SpanIdx {
    while let Some(parent) = trace.span(idx).and_then(|s| s.parent) {
        idx = parent;
    }
    idx
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn critical_path_sections_are_disjoint_within_their_root_and_reach_its_end(rows in rows()) {
        let order: Vec<usize> = (0..rows.len()).collect();
        let trace = build(&rows, &order);
        let path = critical_path(&trace);
        for &root in &trace.roots {
            let span = trace.span(root).unwrap();
            let mut sections: Vec<_> = path.sections.iter().filter(|s| root_of(&trace, s.span) == root).collect();
            if span.duration_ns == 0 {
                prop_assert!(sections.is_empty());
                continue;
            }
            prop_assert!(!sections.is_empty());
            // Newest first, and the newest reaches the root's end.
            prop_assert_eq!(sections[0].end_ns, span.end_ns());
            sections.sort_by_key(|s| s.start_ns);
            for pair in sections.windows(2) {
                prop_assert!(pair[0].end_ns <= pair[1].start_ns, "overlap: {:?}", pair);
            }
            let mut total = 0;
            for s in &sections {
                prop_assert!(s.start_ns < s.end_ns);
                prop_assert!(span.start_ns <= s.start_ns && s.end_ns <= span.end_ns());
                total += s.end_ns - s.start_ns;
            }
            // One root's sections tile it exactly.
            prop_assert_eq!(total, span.duration_ns);
        }
    }

    #[test]
    fn self_times_are_within_durations(rows in rows()) {
        let order: Vec<usize> = (0..rows.len()).collect();
        let trace = build(&rows, &order);
        for (span, own) in trace.spans.iter().zip(self_times(&trace)) {
            prop_assert!(own >= 0);
            prop_assert!(own <= span.duration_ns);
        }
    }

    #[test]
    fn statistics_do_not_depend_on_input_order(rows in rows(), seed in any::<u64>()) {
        let forward: Vec<usize> = (0..rows.len()).collect();
        let mut shuffled = forward.clone();
        // Deterministic Fisher-Yates from the seed.
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let a = build(&rows, &forward);
        let b = build(&rows, &shuffled);
        for group in [GroupBy::Service, GroupBy::Operation] {
            prop_assert_eq!(
                trace_statistics(&a, &self_times(&a), &group),
                trace_statistics(&b, &self_times(&b), &group)
            );
        }
        prop_assert_eq!(operation_stats(&[Arc::new(a.clone())]), operation_stats(&[Arc::new(b.clone())]));
        prop_assert_eq!(critical_path(&a).total_ns, critical_path(&b).total_ns);
    }
}
