//! Fuzz the whole path a dropped file takes: detection, parsing, merging, then every analysis
//! (with and without clock-skew adjustment) and the cross-trace statistics.
#![no_main]

use tracagg::core::analysis::{
    adjust_clock_skew, analyze_trace, dependencies, operation_stats, service_stats,
    trace_statistics, GroupBy, TraceQuery,
};
use tracagg::core::load::load_into;
use tracagg::core::model::TraceSet;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut set = TraceSet::new();
    // Loading twice exercises merging and duplicate detection.
    if load_into(&mut set, "a.json", data).is_err() {
        return;
    }
    let _ = load_into(&mut set, "b.json", data);
    for trace in set.traces() {
        let analysis = analyze_trace(trace);
        let _ = trace_statistics(trace, &analysis.self_ns, &GroupBy::Operation);
        if let Some(adjusted) = adjust_clock_skew(trace) {
            let _ = analyze_trace(&adjusted);
        }
    }
    let _ = service_stats(set.traces());
    let _ = operation_stats(set.traces());
    let _ = dependencies(set.traces());
    let _ = TraceQuery {
        text: Some("a".into()),
        ..Default::default()
    }
    .run(set.traces());
});
