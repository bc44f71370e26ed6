//! Benchmark: generate a trace of N spans (default 1,000,000) in each format, then report parse
//! throughput (MB/s, including tree assembly) and the time of every analysis stage.
//!
//! `cargo bench --bench analysis` or `cargo bench --bench analysis -- 100000`.
//! Figures are printed, not asserted: machines are noisy. The target is a full analysis of
//! 1,000,000 spans in under 2 s natively.
use std::sync::Arc;
use std::time::{Duration, Instant};

use tracagg::core::analysis::{
    adjust_clock_skew, analyze_trace, bottlenecks, critical_path, dependencies, error_paths,
    flame_graph, operation_stats, self_times, service_stats, trace_statistics, BottleneckConfig,
    FlameWeight, GroupBy,
};
use tracagg::core::format::parse_file;
use tracagg::core::generate::{write_trace, GenFormat};
use tracagg::core::model::{Trace, TraceSet};

fn time<T>(label: &str, total: &mut Duration, f: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let value = f();
    let elapsed = started.elapsed();
    *total += elapsed;
    println!("  {label:<28} {:>9.1} ms", elapsed.as_secs_f64() * 1000.0);
    value
}

fn main() {
    let spans: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    println!("tracagg benchmark: {spans} spans\n");
    let mut trace: Option<Arc<Trace>> = None;
    for format in [GenFormat::Jaeger, GenFormat::Otlp, GenFormat::Zipkin] {
        let mut bytes = Vec::new();
        write_trace(&mut bytes, spans, format, 42).expect("generate");
        let started = Instant::now();
        let parsed = parse_file("bench.json", &bytes).expect("parse");
        let parse_s = started.elapsed().as_secs_f64();
        let mut set = TraceSet::new();
        for builder in parsed.traces {
            set.add(builder);
        }
        let elapsed = started.elapsed().as_secs_f64();
        let megabytes = bytes.len() as f64 / 1e6;
        println!(
            "load {format:?}: {megabytes:.0} MB in {:.0} ms = {:.0} MB/s ({} spans; reading {:.0} ms, tree assembly {:.0} ms)",
            elapsed * 1000.0,
            megabytes / elapsed,
            set.span_count(),
            parse_s * 1000.0,
            (elapsed - parse_s) * 1000.0
        );
        if trace.is_none() {
            trace = set.traces().first().cloned();
        }
    }
    worker_pipeline(spans);
    baselines(spans);
    let Some(trace) = trace else { return };
    println!("\nanalysis of the Jaeger trace:");
    let mut total = Duration::ZERO;
    let self_ns = time("self time", &mut total, || self_times(&trace));
    let path = time("critical path", &mut total, || critical_path(&trace));
    time("statistics by service", &mut total, || {
        trace_statistics(&trace, &self_ns, &GroupBy::Service)
    });
    time("statistics by operation", &mut total, || {
        trace_statistics(&trace, &self_ns, &GroupBy::Operation)
    });
    time("bottlenecks", &mut total, || {
        bottlenecks(&trace, &self_ns, &path, &BottleneckConfig::default())
    });
    time("error paths", &mut total, || error_paths(&trace));
    time("clock skew adjustment", &mut total, || {
        adjust_clock_skew(&trace)
    });
    let traces = [Arc::clone(&trace)];
    time("service statistics", &mut total, || service_stats(&traces));
    time("operation statistics", &mut total, || {
        operation_stats(&traces)
    });
    time("dependencies", &mut total, || dependencies(&traces));
    let analysed = [(Arc::clone(&trace), Arc::new(analyze_trace(&trace)))];
    time("flamegraph", &mut total, || {
        flame_graph(&analysed, FlameWeight::Duration)
    });
    time("critical-path flamegraph", &mut total, || {
        flame_graph(&analysed, FlameWeight::CriticalPath)
    });
    time("instrumentation check (lint)", &mut total, || {
        tracagg::core::analysis::lint([trace.as_ref()])
    });
    println!(
        "  {:<28} {:>9.1} ms",
        "TOTAL analysis",
        total.as_secs_f64() * 1000.0
    );
}

/// The stages of a browser load (`core::load::parse_and_encode` in the worker, then
/// `decode_built` on the page), natively: where the worker's and the page's time goes.
fn worker_pipeline(spans: usize) {
    use tracagg::core::load::{decode_built, parse_and_encode};
    let mut bytes = Vec::new();
    write_trace(&mut bytes, spans, GenFormat::Jaeger, 42).expect("generate");
    println!(
        "\nweb load pipeline (Jaeger, {:.0} MB):",
        bytes.len() as f64 / 1e6
    );
    let mut total = Duration::ZERO;
    let mut untimed = Duration::ZERO;
    time("serde_json IgnoredAny (floor)", &mut untimed, || {
        serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).expect("json")
    });
    let parsed = time("parse", &mut total, || {
        parse_file("bench.json", &bytes).expect("parse")
    });
    let traces: Vec<Trace> = time("build", &mut total, || {
        parsed.traces.into_iter().map(|b| b.build()).collect()
    });
    time("analyse", &mut total, || {
        traces
            .iter()
            .map(tracagg::core::analysis::analyze_trace)
            .count()
    });
    let encoded = time("parse+build+analyse+encode", &mut untimed, || {
        parse_and_encode("bench.json", &bytes).expect("encode")
    });
    println!("  encoded size {:.1} MB", encoded.len() as f64 / 1e6);
    time("decode (page)", &mut untimed, || {
        decode_built("bench.json", &encoded).expect("decode")
    });
}

/// A baseline learnt from `spans` spans of many small shop traces, and 100,000 spans scored
/// against it: build and score times, and the baseline's size (its kept samples).
fn baselines(spans: usize) {
    use tracagg::core::analysis::compare::{build_baseline, score_all, ScoreConfig};
    use tracagg::core::generate::shop_traces;
    let per_trace = 10;
    let analysed = |count: usize, seed: u64| {
        shop_traces(count, seed, None)
            .into_iter()
            .map(|t| {
                let a = Arc::new(analyze_trace(&t));
                (Arc::new(t), a)
            })
            .collect::<Vec<_>>()
    };
    let normal = analysed(spans / per_trace, 1);
    let normal_spans: usize = normal.iter().map(|(t, _)| t.spans.len()).sum();
    let started = Instant::now();
    let baseline = build_baseline("bench", &normal);
    let built = started.elapsed();
    let samples: usize = baseline
        .operations
        .iter()
        .map(|o| {
            o.durations.len()
                + o.self_times.len()
                + o.critical_per_trace.len()
                + o.calls_per_trace.len()
        })
        .sum::<usize>()
        + baseline
            .paths
            .iter()
            .map(|p| p.calls_per_trace.len())
            .sum::<usize>()
        + baseline.roots.values().map(|d| d.len()).sum::<usize>();
    let current = analysed(100_000 / per_trace, 2);
    let current_spans: usize = current.iter().map(|(t, _)| t.spans.len()).sum();
    let started = Instant::now();
    let scores = score_all(&baseline, &current, &ScoreConfig::default());
    let scored = started.elapsed();
    println!(
        "\nbaseline: built from {normal_spans} spans ({} traces) in {:.0} ms, {:.1} MB of samples; scored {current_spans} spans ({} traces) in {:.0} ms, {} anomalous",
        normal.len(),
        built.as_secs_f64() * 1000.0,
        samples as f64 * 8.0 / 1e6,
        current.len(),
        scored.as_secs_f64() * 1000.0,
        scores.iter().filter(|s| s.anomalous).count()
    );
}
