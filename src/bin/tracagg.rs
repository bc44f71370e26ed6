//! `tracagg`: the command-line face of the same core the web app uses.
//!
//! `tracagg analyze [--json] [--adjust-clock-skew] FILE...` loads trace files (Jaeger, OTLP,
//! Zipkin; spans of one trace spread over several files are merged) and prints every trace's
//! summary and analyses, then services, operations and dependencies.
//! `tracagg gen --spans N --format jaeger|otlp|zipkin` writes a generated trace.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::run()
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
#[path = "tracagg/report.rs"]
mod report;

#[cfg(not(target_arch = "wasm32"))]
#[path = "tracagg/genai_report.rs"]
mod genai_report;

#[cfg(not(target_arch = "wasm32"))]
#[path = "tracagg/terminal.rs"]
mod terminal;

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use std::io::Write;
    use std::path::PathBuf;
    use std::process::ExitCode;

    use clap::{Parser, Subcommand};
    use std::sync::Arc;

    use tracagg::core::analysis::{
        adjust_clock_skew, analyze_trace, compare, flame_graph, quality, FlameWeight, TraceQuery,
    };
    use tracagg::core::generate::{write_trace, GenFormat};
    use tracagg::core::load::load_into;
    use tracagg::core::logs;
    use tracagg::core::model::{Trace, TraceSet};
    use tracagg::core::view_model::{format_duration_ns, format_start_ns, ListFilter};

    use crate::report::Report;
    use crate::terminal::{self, escape_controls, Escaping};

    /// The exit status after a write failed: a closed pipe (`tracagg … | head`) is the reader's
    /// choice and ends quietly with success; anything else is an error.
    fn write_failed(error: &std::io::Error) -> ExitCode {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            return ExitCode::SUCCESS;
        }
        eprintln!("tracagg: cannot write output: {error}");
        ExitCode::from(2)
    }

    /// Distributed-trace analysis over Jaeger, OTLP and Zipkin JSON files.
    #[derive(Parser)]
    #[command(name = "tracagg", version, about)]
    struct Cli {
        #[command(subcommand)]
        command: Command,
    }

    #[derive(Subcommand)]
    enum Command {
        /// Load trace files and print a summary of every trace.
        Analyze {
            /// Print one JSON document instead of a table.
            #[arg(long)]
            json: bool,
            /// Shift spans recorded on hosts with skewed clocks into their parents (as Jaeger
            /// does); each shifted span gets a warning. Off: the raw times.
            #[arg(long)]
            adjust_clock_skew: bool,
            #[command(flatten)]
            filter: Box<FilterArgs>,
            /// Trace files (Jaeger, OTLP or Zipkin JSON; OTLP JSON lines).
            #[arg(required = true)]
            files: Vec<PathBuf>,
        },
        /// Print the flamegraph of the traces (summed over all of them, or those of one root
        /// operation) as folded stacks (`a;b;c 123`, self time in ns), or as JSON frames.
        Flamegraph {
            /// Weight frames by time on the critical path instead of duration.
            #[arg(long)]
            critical_path: bool,
            /// Only traces whose root span has this operation.
            #[arg(long)]
            root_operation: Option<String>,
            /// Print the frames as JSON instead of folded stacks.
            #[arg(long)]
            json: bool,
            /// Trace files.
            #[arg(required = true)]
            files: Vec<PathBuf>,
        },
        /// Compare two traces: both merged by operation path (`service:operation` from the root),
        /// each node's count, total, self and critical-path time in A and in B, and what changed.
        Compare {
            /// The file holding trace A.
            a_file: PathBuf,
            /// The file holding trace B.
            b_file: PathBuf,
            /// Trace A's ID, when its file holds several traces.
            #[arg(long = "a")]
            a_id: Option<String>,
            /// Trace B's ID, when its file holds several traces.
            #[arg(long = "b")]
            b_id: Option<String>,
            /// Print JSON instead of a table.
            #[arg(long)]
            json: bool,
        },
        /// Learn what normal looks like from the --baseline traces, then score the --score
        /// traces against it (slow spans, new and missing paths, call counts, new errors, the
        /// attribution of the extra time) and say per operation what changed.
        Baseline {
            /// Files of normal traces (e.g. yesterday's).
            #[arg(long = "baseline", required = true, num_args = 1..)]
            baseline: Vec<PathBuf>,
            /// Files of the traces to score (e.g. the last 15 minutes).
            #[arg(long = "score", required = true, num_args = 1..)]
            score: Vec<PathBuf>,
            /// A span is slow above this percentile of its operation (default 99).
            #[arg(long, default_value_t = 99.0, value_parser = percentile_arg)]
            slow_percentile: f64,
            /// Operations and roots are judged only with at least this many baseline samples.
            #[arg(long, default_value_t = 20)]
            min_samples: usize,
            /// Print JSON instead of text.
            #[arg(long)]
            json: bool,
        },
        /// Check the instrumentation: broken context propagation, bad durations, clock skew,
        /// generic or high-cardinality names, errors recorded badly, sensitive data (always
        /// masked), missing resource attributes and kinds, deprecated attribute names.
        Lint {
            /// Print `{"findings": [...]}` as JSON instead of text.
            #[arg(long)]
            json: bool,
            /// Exit with status 3 when a finding of this severity or worse is found.
            #[arg(long, value_enum)]
            fail_on: Option<FailOn>,
            /// Trace files (log files among them are skipped).
            #[arg(required = true)]
            files: Vec<PathBuf>,
        },
        /// Write the traces of FILES (merged by trace ID) as one Jaeger JSON (`{"data": […]}`)
        /// or OTLP JSON (`{"resourceSpans": […]}`) document to standard output.
        Export {
            /// Output format.
            #[arg(long, value_enum)]
            format: ExportArg,
            /// Only these traces (repeatable).
            #[arg(long = "trace")]
            traces: Vec<String>,
            /// Mask secrets in names, attributes, events and messages first (the page's mask
            /// switch): to share the file.
            #[arg(long)]
            mask: bool,
            /// Trace files.
            #[arg(required = true)]
            files: Vec<PathBuf>,
        },
        /// Write a self-contained HTML report of one trace (header, critical path, statistics, a
        /// static waterfall picture) to standard output, to attach to a ticket.
        Report {
            /// The trace (required when FILES hold more than one).
            #[arg(long = "trace")]
            trace: Option<String>,
            /// Mask secrets in names, attributes, events and messages first (the page's mask
            /// switch): to attach the report safely.
            #[arg(long)]
            mask: bool,
            /// Trace files (merged by trace ID).
            #[arg(required = true)]
            files: Vec<PathBuf>,
        },
        /// Write a generated, realistic trace (40 services, fan-out, errors, async consumers)
        /// to standard output, for benchmarks and tests.
        Gen {
            /// Number of spans.
            #[arg(long, default_value_t = 10_000)]
            spans: usize,
            /// Output format.
            #[arg(long, value_enum, default_value_t = FormatArg::Otlp)]
            format: FormatArg,
            /// Seed; the same seed gives the same trace.
            #[arg(long, default_value_t = 1)]
            seed: u64,
        },
    }

    /// Which traces `analyze` reports (the web app's trace-list filter): the JSON lists only the
    /// matching traces, in this order, and its services, operations and dependencies are
    /// computed over them only.
    #[derive(clap::Args, Default)]
    struct FilterArgs {
        /// Only traces with a span of this service.
        #[arg(long)]
        service: Option<String>,
        /// Only traces with a span of this operation.
        #[arg(long)]
        operation: Option<String>,
        /// Only traces lasting at least this long (`800us`, `250ms`, `1.5s`).
        #[arg(long)]
        min_duration: Option<String>,
        /// Only traces lasting at most this long.
        #[arg(long)]
        max_duration: Option<String>,
        /// Only traces with an error span.
        #[arg(long, conflicts_with = "no_errors")]
        errors: bool,
        /// Only traces without an error span.
        #[arg(long)]
        no_errors: bool,
        /// Only traces with a span (or resource) attribute `key=value`; repeatable (all must hold).
        #[arg(long = "tag", value_name = "KEY=VALUE")]
        tags: Vec<String>,
        /// Only traces containing this text (trace ID, names, attribute values; any case).
        #[arg(long)]
        text: Option<String>,
        /// Order: recent, oldest, longest, shortest, spans or errors.
        #[arg(long)]
        sort: Option<String>,
        /// At most this many traces.
        #[arg(long)]
        limit: Option<String>,
    }

    impl FilterArgs {
        /// True when no filter flag was given.
        fn is_empty(&self) -> bool {
            [
                &self.service,
                &self.operation,
                &self.min_duration,
                &self.max_duration,
                &self.text,
                &self.sort,
                &self.limit,
            ]
            .iter()
            .all(|f| f.is_none())
                && !self.errors
                && !self.no_errors
                && self.tags.is_empty()
        }

        /// The query these flags mean, or what is wrong with one of them.
        fn query(&self) -> Result<TraceQuery, String> {
            let filter = ListFilter {
                service: self.service.clone().unwrap_or_default(),
                operation: self.operation.clone().unwrap_or_default(),
                min: self.min_duration.clone().unwrap_or_default(),
                max: self.max_duration.clone().unwrap_or_default(),
                errors: match (self.errors, self.no_errors) {
                    (true, _) => "with".into(),
                    (_, true) => "without".into(),
                    _ => String::new(),
                },
                text: self.text.clone().unwrap_or_default(),
                sort: self.sort.clone().unwrap_or_default(),
                limit: self.limit.clone().unwrap_or_default(),
                ..ListFilter::default()
            };
            let mut query = filter.to_query(None)?;
            // Each --tag is one pair as given (a value may hold spaces).
            for tag in &self.tags {
                match tag.split_once('=') {
                    Some((key, value)) if !key.is_empty() => {
                        query.attributes.push((key.to_string(), value.to_string()));
                    }
                    _ => return Err(format!("--tag: “{tag}” is not key=value")),
                }
            }
            Ok(query)
        }
    }

    #[derive(Clone, Copy, clap::ValueEnum)]
    enum FormatArg {
        Jaeger,
        Otlp,
        Zipkin,
    }

    /// The formats `tracagg export` writes.
    #[derive(Clone, Copy, clap::ValueEnum)]
    enum ExportArg {
        Jaeger,
        Otlp,
    }

    /// The severity at which `tracagg lint --fail-on` fails.
    #[derive(Clone, Copy, clap::ValueEnum)]
    enum FailOn {
        Error,
        Warning,
        Info,
    }

    pub(crate) fn run() -> ExitCode {
        let cli = Cli::parse();
        match cli.command {
            Command::Analyze {
                json,
                adjust_clock_skew,
                filter,
                files,
            } => match filter.query() {
                Ok(query) => {
                    let query = (!filter.is_empty()).then_some(query);
                    analyze(json, adjust_clock_skew, query.as_ref(), &files)
                }
                Err(error) => {
                    eprintln!("tracagg: {}", escape_controls(&error));
                    ExitCode::from(2)
                }
            },
            Command::Flamegraph {
                critical_path,
                root_operation,
                json,
                files,
            } => flamegraph(critical_path, root_operation.as_deref(), json, &files),
            Command::Lint {
                json,
                fail_on,
                files,
            } => lint(json, fail_on, &files),
            Command::Export {
                format,
                traces,
                mask,
                files,
            } => export(format, &traces, mask, &files),
            Command::Report { trace, mask, files } => report(trace.as_deref(), mask, &files),
            Command::Baseline {
                baseline,
                score,
                slow_percentile,
                min_samples,
                json,
            } => {
                let config = compare::ScoreConfig {
                    slow_percentile: slow_percentile.clamp(0.0, 100.0),
                    min_samples,
                    ..compare::ScoreConfig::default()
                };
                baseline_command(&baseline, &score, &config, json)
            }
            Command::Compare {
                a_file,
                b_file,
                a_id,
                b_id,
                json,
            } => compare(&a_file, a_id.as_deref(), &b_file, b_id.as_deref(), json),
            Command::Gen {
                spans,
                format,
                seed,
            } => {
                let format = match format {
                    FormatArg::Jaeger => GenFormat::Jaeger,
                    FormatArg::Otlp => GenFormat::Otlp,
                    FormatArg::Zipkin => GenFormat::Zipkin,
                };
                let mut out = std::io::BufWriter::new(std::io::stdout().lock());
                match write_trace(&mut out, spans, format, seed).and_then(|()| out.flush()) {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(error) => write_failed(&error),
                }
            }
        }
    }

    /// A percentile from the command line: a number from 0 to 100 (`NaN` and `inf` are not).
    fn percentile_arg(text: &str) -> Result<f64, String> {
        match text.trim().parse::<f64>() {
            Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
            _ => Err(format!("{text:?} is not a percentile from 0 to 100")),
        }
    }

    fn analyze(
        json: bool,
        adjust_skew: bool,
        query: Option<&TraceQuery>,
        files: &[PathBuf],
    ) -> ExitCode {
        let mut set = TraceSet::new();
        let mut log_files = logs::LogStore::new();
        let mut failed = false;
        for path in files {
            let name = path.display().to_string();
            let bytes = match std::fs::read(path) {
                Ok(bytes) => bytes,
                Err(error) => {
                    eprintln!("tracagg: cannot read {}: {error}", escape_controls(&name));
                    failed = true;
                    continue;
                }
            };
            // A log file (by content) joins the traces; anything else is read as traces.
            if let Some(kind) = logs::sniff(&bytes) {
                match logs::parse_logs(&name, &bytes, kind) {
                    Ok(file) => {
                        if !json {
                            eprintln!("{}", escape_controls(&file.describe()));
                        }
                        log_files = log_files.with(file);
                    }
                    Err(error) => {
                        eprintln!("tracagg: {}", escape_controls(&error));
                        failed = true;
                    }
                }
                continue;
            }
            match load_into(&mut set, &name, &bytes) {
                Ok(report) => {
                    if !json {
                        eprintln!("{}", escape_controls(&report.describe()));
                    }
                }
                Err(error) => {
                    eprintln!("tracagg: {}", escape_controls(&error.to_string()));
                    failed = true;
                }
            }
        }
        let set = if json {
            set
        } else {
            terminal::one_line_names(set)
        };
        let traces: Vec<Arc<Trace>> = set
            .traces()
            .iter()
            .map(
                |trace| match adjust_skew.then(|| adjust_clock_skew(trace)).flatten() {
                    Some(adjusted) => Arc::new(adjusted),
                    None => Arc::clone(trace),
                },
            )
            .collect();
        // Without filter flags the traces stay in load order, as before.
        let shown = match query {
            Some(query) => query.run(&traces),
            None => traces.clone(),
        };
        let report = Report::of(&shown).with_logs(&log_files, &traces);
        let printed = if json {
            print_json(&report)
        } else {
            print_tables(&report)
        };
        if let Err(error) = printed {
            return write_failed(&error);
        }
        if failed {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        }
    }

    /// Loads the trace files among `files` (log files are skipped), saying on standard error
    /// which could not be read; true when one could not.
    fn load_trace_files(files: &[PathBuf]) -> (TraceSet, bool) {
        let mut set = TraceSet::new();
        let mut failed = false;
        for path in files {
            let name = path.display().to_string();
            let loaded = std::fs::read(path)
                .map_err(|e| format!("cannot read {name}: {e}"))
                .and_then(|bytes| {
                    if logs::sniff(&bytes).is_some() {
                        return Ok(());
                    }
                    load_into(&mut set, &name, &bytes)
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                });
            if let Err(error) = loaded {
                eprintln!("tracagg: {}", escape_controls(&error));
                failed = true;
            }
        }
        (set, failed)
    }

    /// Traces with their analyses, as the comparisons take them.
    type Analysed = Vec<(Arc<Trace>, Arc<tracagg::core::analysis::TraceAnalysis>)>;

    /// The trace files among `files`, with names on one line unless `json` (for tables).
    fn load_for_output(files: &[PathBuf], json: bool) -> (TraceSet, bool) {
        let (set, failed) = load_trace_files(files);
        if json {
            (set, failed)
        } else {
            (terminal::one_line_names(set), failed)
        }
    }

    /// The traces of `files` with their analyses (names on one line unless `json`).
    fn analysed(files: &[PathBuf], json: bool) -> (Analysed, bool) {
        let (set, failed) = load_for_output(files, json);
        let traces = set
            .traces()
            .iter()
            .map(|t| (Arc::clone(t), Arc::new(analyze_trace(t))))
            .collect();
        (traces, failed)
    }

    /// `tracagg baseline`: a baseline from some files, the others scored against it, and what
    /// changed; as text or JSON.
    fn baseline_command(
        baseline_files: &[PathBuf],
        score_files: &[PathBuf],
        config: &compare::ScoreConfig,
        json: bool,
    ) -> ExitCode {
        let (normal, failed_a) = analysed(baseline_files, json);
        let (current, failed_b) = analysed(score_files, json);
        let names: Vec<String> = baseline_files
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        let baseline = compare::build_baseline(&names.join(", "), &normal);
        let scores = compare::score_all(&baseline, &current, config);
        let now = compare::build_baseline("current", &current);
        let changes = compare::what_changed(&baseline, &now);
        let printed = if json {
            let doc = compare::report_json(&baseline, &scores, &changes);
            print_json(&doc)
        } else {
            print_text(|out| print_scores(out, &baseline, &scores, &changes))
        };
        if let Err(error) = printed {
            return write_failed(&error);
        }
        if failed_a || failed_b {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        }
    }

    /// The scores and the what-changed table as text.
    fn print_scores(
        out: &mut impl Write,
        baseline: &compare::Baseline,
        scores: &[compare::TraceScore],
        changes: &[compare::OperationChange],
    ) -> std::io::Result<()> {
        let anomalous = scores.iter().filter(|s| s.anomalous).count();
        writeln!(
            out,
            "baseline: {} traces, {} spans, {} operations; scored {} traces: {anomalous} anomalous\n",
            baseline.traces,
            baseline.spans,
            baseline.operations.len(),
            scores.len()
        )?;
        for score in scores.iter().take(50) {
            writeln!(
                out,
                "{} {:>6.2}  {}  {}",
                if score.anomalous { "!" } else { " " },
                score.score,
                score.trace_id,
                score.explanation
            )?;
        }
        writeln!(
            out,
            "\nwhat changed (by impact = count × shift of the median self time):"
        )?;
        writeln!(
            out,
            "{:>12} {:>11} {:>11} {:>11} {:>11} {:>9}  operation",
            "impact µs", "p50 before", "p50 now", "p95 before", "p95 now", "p"
        )?;
        for c in changes.iter().take(20) {
            writeln!(
                out,
                "{:>12.0} {:>11} {:>11} {:>11} {:>11} {:>9.1e}  {}: {}",
                c.impact,
                format_duration_ns(c.p50_baseline as i64),
                format_duration_ns(c.p50_current as i64),
                format_duration_ns(c.p95_baseline as i64),
                format_duration_ns(c.p95_current as i64),
                c.p_value,
                c.service,
                c.operation
            )?;
        }
        Ok(())
    }

    /// The one trace of `file` (or the one with ID `id`), for `compare`.
    fn one_trace(
        file: &PathBuf,
        id: Option<&str>,
        flag: &str,
        json: bool,
    ) -> Result<Arc<Trace>, String> {
        let (set, failed) = load_for_output(std::slice::from_ref(file), json);
        if failed {
            return Err(format!("{} could not be read", file.display()));
        }
        let name = file.display();
        match id {
            Some(id) => {
                let wanted = tracagg::core::model::normalize_id(id);
                set.traces()
                    .iter()
                    .find(|t| t.trace_id == wanted || t.trace_id == id)
                    .cloned()
                    .ok_or_else(|| format!("{name} holds no trace {id}"))
            }
            None => match set.traces() {
                [one] => Ok(Arc::clone(one)),
                [] => Err(format!("{name} holds no trace")),
                many => Err(format!(
                    "{name} holds {} traces: pick one with {flag} ID (e.g. {flag} {})",
                    many.len(),
                    many[0].trace_id
                )),
            },
        }
    }

    /// `tracagg compare`: the diff of two traces, as a table or JSON (`--json`, the fields the
    /// README lists).
    fn compare(
        a_file: &PathBuf,
        a_id: Option<&str>,
        b_file: &PathBuf,
        b_id: Option<&str>,
        json: bool,
    ) -> ExitCode {
        let traces = one_trace(a_file, a_id, "--a", json)
            .and_then(|a| one_trace(b_file, b_id, "--b", json).map(|b| (a, b)));
        let (a, b) = match traces {
            Ok(pair) => pair,
            Err(error) => {
                eprintln!("tracagg: {}", escape_controls(&error));
                return ExitCode::from(2);
            }
        };
        let (analysis_a, analysis_b) = (analyze_trace(&a), analyze_trace(&b));
        let diff = compare::diff_traces(
            (&a, &analysis_a),
            (&b, &analysis_b),
            &compare::DiffConfig::default(),
        );
        let printed = if json {
            let doc = diff.to_json();
            print_json(&doc)
        } else {
            print_text(|out| print_diff(out, &diff))
        };
        match printed {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => write_failed(&error),
        }
    }

    /// The diff as an indented table: one line per node, A and B side by side.
    fn print_diff(out: &mut impl Write, diff: &compare::TraceDiff) -> std::io::Result<()> {
        writeln!(out, "A {}  vs  B {}", diff.a, diff.b)?;
        writeln!(out, "{}\n", diff.summary())?;
        writeln!(
            out,
            "{:<8} {:>5} {:>5} {:>11} {:>11} {:>11} {:>11}  operation",
            "status", "n A", "n B", "total A", "total B", "crit A", "crit B"
        )?;
        for node in &diff.nodes {
            let status = match node.status {
                compare::DiffStatus::Same => "",
                compare::DiffStatus::Changed => "changed",
                compare::DiffStatus::Added => "added",
                compare::DiffStatus::Removed => "removed",
            };
            writeln!(
                out,
                "{status:<8} {:>5} {:>5} {:>11} {:>11} {:>11} {:>11}  {}{}: {}",
                node.a.count,
                node.b.count,
                format_duration_ns(node.a.total_ns),
                format_duration_ns(node.b.total_ns),
                format_duration_ns(node.a.critical_ns),
                format_duration_ns(node.b.critical_ns),
                "  ".repeat(node.depth.min(40)),
                node.service,
                node.operation
            )?;
        }
        if !diff.critical_delta_by_operation.is_empty() {
            writeln!(out, "\ncritical-path change by operation (B − A):")?;
            for d in diff.critical_delta_by_operation.iter().take(20) {
                let sign = if d.delta_ns >= 0 { "+" } else { "−" };
                writeln!(
                    out,
                    "  {sign}{:>10}  {}: {}",
                    format_duration_ns(d.delta_ns.saturating_abs()),
                    d.service,
                    d.operation
                )?;
            }
        }
        Ok(())
    }

    /// `tracagg lint`: the instrumentation check over the trace files, as text or JSON. Exit
    /// status 1 when a file could not be read, 3 when `--fail-on` is met.
    /// `tracagg export`: the loaded traces (or the named ones) as one document.
    fn export(format: ExportArg, wanted: &[String], mask: bool, files: &[PathBuf]) -> ExitCode {
        use tracagg::core::format::{ExportFormat, ExportPlan};
        let (set, failed) = load_trace_files(files);
        let set = masked_if(set, mask);
        let mut traces: Vec<Arc<Trace>> = set.traces().to_vec();
        if !wanted.is_empty() {
            let missing: Vec<&String> = wanted.iter().filter(|id| set.get(id).is_none()).collect();
            if !missing.is_empty() {
                let list: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
                eprintln!(
                    "tracagg: no such trace: {}",
                    escape_controls(&list.join(", "))
                );
                return ExitCode::from(2);
            }
            traces.retain(|t| {
                wanted
                    .iter()
                    .any(|w| set.get(w).is_some_and(|f| Arc::ptr_eq(f, t)))
            });
        }
        let format = match format {
            ExportArg::Jaeger => ExportFormat::Jaeger,
            ExportArg::Otlp => ExportFormat::Otlp,
        };
        // Written piece by piece (a span at a time): the document is never held whole.
        let plan = ExportPlan::new(&traces, format);
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        let written = (0..plan.len())
            .try_for_each(|piece| out.write_all(plan.render(piece).as_bytes()))
            .and_then(|()| writeln!(out))
            .and_then(|()| out.flush());
        if let Err(error) = written {
            return write_failed(&error);
        }
        if failed {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        }
    }

    /// `set` with its secrets masked when `mask` (`--mask`), as the page's mask switch does.
    fn masked_if(set: TraceSet, mask: bool) -> TraceSet {
        if mask {
            quality::masking::MaskedTraces::new().mask_set(&set)
        } else {
            set
        }
    }

    fn report(wanted: Option<&str>, mask: bool, files: &[PathBuf]) -> ExitCode {
        let (set, failed) = load_trace_files(files);
        let set = masked_if(set, mask);
        let trace = match (wanted, set.traces()) {
            (Some(id), _) => set.get(id).cloned(),
            (None, [only]) => Some(only.clone()),
            (None, []) => None,
            (None, many) => {
                eprintln!(
                    "tracagg: the files hold {} traces: name one with --trace ID",
                    many.len()
                );
                return ExitCode::from(2);
            }
        };
        let Some(trace) = trace else {
            eprintln!(
                "tracagg: no such trace: {}",
                escape_controls(wanted.unwrap_or("(the files hold none)"))
            );
            return ExitCode::from(2);
        };
        let analysis = tracagg::core::analysis::analyze_trace(&trace);
        let made_by = format!("tracagg {}", env!("CARGO_PKG_VERSION"));
        let html = tracagg::core::view_model::report::html_report(&trace, &analysis, &made_by);
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        if let Err(error) = out.write_all(html.as_bytes()).and_then(|()| out.flush()) {
            return write_failed(&error);
        }
        if failed {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        }
    }

    fn lint(json: bool, fail_on: Option<FailOn>, files: &[PathBuf]) -> ExitCode {
        let (set, failed) = load_for_output(files, json);
        let report = quality::lint(set.traces().iter().map(|t| t.as_ref()));
        let printed = if json {
            print_json(&report)
        } else {
            print_text(|out| print_findings(out, &report))
        };
        if let Err(error) = printed {
            return write_failed(&error);
        }
        let worst = match fail_on {
            Some(FailOn::Error) => Some(quality::Severity::Error),
            Some(FailOn::Warning) => Some(quality::Severity::Warning),
            Some(FailOn::Info) => Some(quality::Severity::Info),
            None => None,
        };
        if failed {
            ExitCode::FAILURE
        } else if worst.is_some_and(|w| report.findings.iter().any(|f| f.severity <= w)) {
            ExitCode::from(3)
        } else {
            ExitCode::SUCCESS
        }
    }

    /// The findings as text: one paragraph each, its examples indented below.
    fn print_findings(
        out: &mut impl Write,
        report: &quality::QualityReport,
    ) -> std::io::Result<()> {
        let (errors, warnings, infos) = report.severity_counts();
        writeln!(
            out,
            "{} traces, {} spans: {errors} errors, {warnings} warnings, {infos} notes",
            report.traces, report.spans
        )?;
        for finding in &report.findings {
            writeln!(
                out,
                "\n{:<7} {} ({}): {}",
                finding.severity.as_str(),
                finding.kind.as_str(),
                finding.count,
                finding.message
            )?;
            for example in &finding.examples {
                writeln!(
                    out,
                    "        trace {} span {}  {}",
                    example.trace_id, example.span_id, example.detail
                )?;
            }
        }
        Ok(())
    }

    /// `tracagg flamegraph`: loads the trace files (log files are skipped) and prints their
    /// summed flamegraph.
    fn flamegraph(
        critical: bool,
        root_operation: Option<&str>,
        json: bool,
        files: &[PathBuf],
    ) -> ExitCode {
        let (set, failed) = load_trace_files(files);
        let traces: Vec<_> = set
            .traces()
            .iter()
            .filter(|t| {
                root_operation.is_none_or(|op| {
                    t.root_span()
                        .and_then(|i| t.span(i))
                        .is_some_and(|s| t.str(s.operation) == op)
                })
            })
            .map(|t| (Arc::clone(t), Arc::new(analyze_trace(t))))
            .collect();
        let weight = if critical {
            FlameWeight::CriticalPath
        } else {
            FlameWeight::Duration
        };
        let graph = flame_graph(&traces, weight);
        let printed = if json {
            let frames: Vec<serde_json::Value> = graph
                .frames
                .iter()
                .map(|f| {
                    serde_json::json!({
                        "service": &*f.service, "operation": &*f.operation, "parent": f.parent,
                        "depth": f.depth, "count": f.count, "total_us": f.total_ns as f64 / 1000.0,
                        "self_us": f.self_ns as f64 / 1000.0, "x": f.x, "width": f.width,
                    })
                })
                .collect();
            let doc = serde_json::json!({
                "traces": graph.traces, "total_us": graph.total_ns as f64 / 1000.0, "frames": frames,
            });
            print_json(&doc)
        } else {
            print_text(|out| out.write_all(graph.folded().as_bytes()))
        };
        if let Err(error) = printed {
            return write_failed(&error);
        }
        if failed {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        }
    }

    /// Prints `value` as pretty JSON on standard output.
    /// DEL and C1 control characters (a terminal runs U+009B as CSI) and U+2028/U+2029 are
    /// written as `\uXXXX` escapes: JSON allows them raw, but a terminal or a script must not
    /// get them raw.
    fn print_json(value: &impl serde::Serialize) -> std::io::Result<()> {
        let mut stdout = terminal::JsonEscaping(std::io::BufWriter::new(std::io::stdout().lock()));
        serde_json::to_writer_pretty(&mut stdout, value)?;
        writeln!(stdout)?;
        stdout.flush()
    }

    /// Prints text through `write` on standard output, control characters escaped.
    fn print_text(
        write: impl FnOnce(
            &mut Escaping<std::io::BufWriter<std::io::StdoutLock<'static>>>,
        ) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let mut out = Escaping(std::io::BufWriter::new(std::io::stdout().lock()));
        write(&mut out).and_then(|()| out.flush())
    }

    /// Microseconds as a human duration.
    fn dur(us: f64) -> String {
        format_duration_ns((us * 1000.0).round() as i64)
    }

    /// The short agent section of a trace in the table output.
    fn print_trace_genai(
        out: &mut impl Write,
        ai: &crate::genai_report::TraceGenAi,
    ) -> std::io::Result<()> {
        writeln!(
            out,
            "    agent: {} agents, {} LLM calls, {} tool calls, {} retrievals, {} embeddings, {} decisions, {} failures",
            ai.agents, ai.llm_calls, ai.tool_calls, ai.retrievals, ai.embeddings, ai.decisions, ai.failures
        )?;
        writeln!(
            out,
            "    tokens: {} in, {} out, {} cache read, {} cache creation, {} reasoning",
            ai.input_tokens,
            ai.output_tokens,
            ai.cache_read_tokens,
            ai.cache_creation_tokens,
            ai.reasoning_tokens
        )?;
        for m in &ai.models {
            writeln!(
                out,
                "    model {} {}: {} calls, {} in, {} out",
                m.provider, m.model, m.calls, m.input_tokens, m.output_tokens
            )?;
        }
        for tool in &ai.tools {
            writeln!(
                out,
                "    tool {}: {} calls, {} errors",
                tool.name, tool.calls, tool.errors
            )?;
        }
        for d in &ai.decision_list {
            let confidence = d
                .confidence
                .map_or_else(|| "-".to_string(), |c| format!("{c:.2}"));
            writeln!(
                out,
                "    decision {} ({}): confidence {}, result {}",
                d.kind,
                d.span_id,
                confidence,
                d.result.as_deref().unwrap_or("-")
            )?;
        }
        writeln!(
            out,
            "    time: model {}, tools {}, other {}; on the critical path: model {}, tools {}, other {}",
            dur(ai.model_us),
            dur(ai.tool_us),
            dur(ai.other_us),
            dur(ai.critical_model_us),
            dur(ai.critical_tool_us),
            dur(ai.critical_other_us)
        )
    }

    fn print_tables(report: &Report) -> std::io::Result<()> {
        let mut out = Escaping(std::io::BufWriter::new(std::io::stdout().lock()));
        writeln!(
            out,
            "{:<34} {:>7} {:>8} {:>6} {:<27} {:>10}  ROOT",
            "TRACE ID", "SPANS", "SERVICES", "ERRORS", "START", "DURATION"
        )?;
        for t in &report.traces {
            writeln!(
                out,
                "{:<34} {:>7} {:>8} {:>6} {:<27} {:>10}  {}: {}",
                t.trace_id,
                t.span_count,
                t.service_count,
                t.error_count,
                format_start_ns((t.start_us * 1000.0).round() as i64),
                dur(t.duration_us),
                t.root_service,
                t.root_operation
            )?;
            for warning in &t.warnings {
                writeln!(out, "    warning: {warning}")?;
            }
            if t.log_count > 0 {
                writeln!(
                    out,
                    "    logs: {} records, {} spans with records",
                    t.log_count,
                    t.spans_with_logs.len()
                )?;
            }
            if let Some(ai) = &t.genai {
                print_trace_genai(&mut out, ai)?;
            }
            let shares: Vec<String> = t
                .critical_path_by_service
                .iter()
                .take(5)
                .map(|s| format!("{} {:.1}%", s.service, s.percent))
                .collect();
            if !shares.is_empty() {
                writeln!(
                    out,
                    "    critical path: {} sections; by service: {}",
                    t.critical_path.len(),
                    shares.join(", ")
                )?;
            }
            for row in t.statistics.by_service.iter().take(5) {
                writeln!(
                    out,
                    "    service {:<24} {:>5} spans  total {:>9}  self {:>9} ({:.1}% of trace)  avg {:>9}",
                    row.service.as_deref().unwrap_or(""),
                    row.count,
                    dur(row.total_us),
                    dur(row.self_total_us),
                    row.self_percent,
                    dur(row.avg_us)
                )?;
            }
            for b in t.bottlenecks.iter().take(3) {
                writeln!(
                    out,
                    "    bottleneck: {}: {} ({}) self {} ({:.1}% of trace), on critical path {}",
                    b.service,
                    b.operation,
                    b.span_id,
                    dur(b.self_us),
                    b.self_percent,
                    dur(b.critical_us)
                )?;
            }
            for p in &t.error_paths {
                writeln!(
                    out,
                    "    error path: {} → origin {}: {} ({})",
                    p.chain.join(" → "),
                    p.origin_service,
                    p.origin_operation,
                    p.origin
                )?;
            }
        }
        writeln!(out)?;
        writeln!(
            out,
            "{:<28} {:>7} {:>7} {:>7} {:>10} {:>12}",
            "SERVICE", "SPANS", "ERRORS", "RATE", "AVG", "TOTAL"
        )?;
        for s in &report.services {
            writeln!(
                out,
                "{:<28} {:>7} {:>7} {:>6.1}% {:>10} {:>12}",
                s.service,
                s.span_count,
                s.error_count,
                s.error_rate * 100.0,
                dur(s.avg_duration_us),
                dur(s.total_duration_us)
            )?;
        }
        writeln!(out)?;
        writeln!(
            out,
            "{:<44} {:>6} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>6}",
            "SLOWEST OPERATIONS (by p95)",
            "COUNT",
            "MIN",
            "MEDIAN",
            "MEAN",
            "P95",
            "P99",
            "MAX",
            "ERR%"
        )?;
        for o in report.operations.iter().take(20) {
            let name = format!("{}: {}", o.service, o.operation);
            writeln!(
                out,
                "{:<44} {:>6} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>5.1}%",
                name.chars().take(44).collect::<String>(),
                o.count,
                dur(o.min_us),
                dur(o.median_us),
                dur(o.mean_us),
                dur(o.p95_us),
                dur(o.p99_us),
                dur(o.max_us),
                o.error_rate * 100.0
            )?;
        }
        writeln!(out)?;
        writeln!(
            out,
            "{:<50} {:>6} {:>6} {:>9} {:>9}",
            "DEPENDENCY", "CALLS", "ERRORS", "P50", "P95"
        )?;
        for d in &report.dependencies {
            writeln!(
                out,
                "{:<50} {:>6} {:>6} {:>9} {:>9}",
                format!("{} → {}", d.parent, d.child),
                d.call_count,
                d.error_count,
                dur(d.p50_us),
                dur(d.p95_us)
            )?;
        }
        out.flush()
    }
}
