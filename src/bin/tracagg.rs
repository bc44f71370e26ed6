//! `tracagg`: the command-line face of the same core the web app uses.
//!
//! `tracagg analyze [--json] FILE...` loads trace files (Jaeger, OTLP, Zipkin; spans of one
//! trace spread over several files are merged) and prints one summary per trace.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::run()
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use std::io::Write;
    use std::path::PathBuf;
    use std::process::ExitCode;

    use clap::{Parser, Subcommand};
    use serde::Serialize;
    use tracagg::core::load::load_into;
    use tracagg::core::model::TraceSet;
    use tracagg::core::view_model::{format_duration_ns, format_start_ns, TraceSummary};

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
            /// Trace files (Jaeger, OTLP or Zipkin JSON; OTLP JSON lines).
            #[arg(required = true)]
            files: Vec<PathBuf>,
        },
    }

    /// The `--json` document (see README "CLI JSON output").
    #[derive(Serialize)]
    struct JsonOutput {
        traces: Vec<JsonTrace>,
    }

    #[derive(Serialize)]
    struct JsonTrace {
        trace_id: String,
        span_count: usize,
        service_count: usize,
        error_count: usize,
        start_us: f64,
        duration_us: f64,
        warnings: Vec<String>,
        root_service: String,
        root_operation: String,
        services: Vec<String>,
        sources: Vec<String>,
    }

    impl From<TraceSummary> for JsonTrace {
        fn from(summary: TraceSummary) -> Self {
            JsonTrace {
                trace_id: summary.trace_id,
                span_count: summary.span_count,
                service_count: summary.services.len(),
                error_count: summary.error_count,
                start_us: summary.start_ns as f64 / 1000.0,
                duration_us: summary.duration_ns as f64 / 1000.0,
                warnings: summary.warnings,
                root_service: summary.root_service,
                root_operation: summary.root_operation,
                services: summary.services,
                sources: summary.sources,
            }
        }
    }

    pub(crate) fn run() -> ExitCode {
        let cli = Cli::parse();
        match cli.command {
            Command::Analyze { json, files } => analyze(json, &files),
        }
    }

    fn analyze(json: bool, files: &[PathBuf]) -> ExitCode {
        let mut set = TraceSet::new();
        let mut failed = false;
        for path in files {
            let name = path.display().to_string();
            let bytes = match std::fs::read(path) {
                Ok(bytes) => bytes,
                Err(error) => {
                    eprintln!("tracagg: cannot read {name}: {error}");
                    failed = true;
                    continue;
                }
            };
            match load_into(&mut set, &name, &bytes) {
                Ok(report) => {
                    if !json {
                        eprintln!("{}", report.describe());
                    }
                }
                Err(error) => {
                    eprintln!("tracagg: {error}");
                    failed = true;
                }
            }
        }
        let summaries: Vec<TraceSummary> =
            set.traces().iter().map(|t| TraceSummary::of(t)).collect();
        let printed = if json {
            print_json(summaries)
        } else {
            print_table(&summaries)
        };
        if let Err(error) = printed {
            eprintln!("tracagg: cannot write output: {error}");
            return ExitCode::from(2);
        }
        if failed {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        }
    }

    fn print_json(summaries: Vec<TraceSummary>) -> std::io::Result<()> {
        let output = JsonOutput {
            traces: summaries.into_iter().map(JsonTrace::from).collect(),
        };
        let mut stdout = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut stdout, &output)?;
        writeln!(stdout)
    }

    fn print_table(summaries: &[TraceSummary]) -> std::io::Result<()> {
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "{:<34} {:>7} {:>8} {:>6} {:<27} {:>10}  ROOT",
            "TRACE ID", "SPANS", "SERVICES", "ERRORS", "START", "DURATION"
        )?;
        for s in summaries {
            writeln!(
                out,
                "{:<34} {:>7} {:>8} {:>6} {:<27} {:>10}  {}: {}",
                s.trace_id,
                s.span_count,
                s.services.len(),
                s.error_count,
                format_start_ns(s.start_ns),
                format_duration_ns(s.duration_ns),
                s.root_service,
                s.root_operation
            )?;
            for warning in &s.warnings {
                writeln!(out, "    warning: {warning}")?;
            }
        }
        Ok(())
    }
}
