//! A self-contained HTML report of one trace, to attach to a ticket: the header facts, the
//! statistics per service and operation, the critical path, and a static waterfall picture
//! (inline SVG). One file, no scripts, no outside resources: it opens anywhere, offline, and
//! shows the same in a mail client's preview. Every name and value from the trace is escaped
//! (`escape`) and shortened, so a hostile span name stays text.
use std::fmt::Write as _;

use crate::core::analysis::{trace_statistics, GroupBy, TraceAnalysis};
use crate::core::model::{SpanIdx, Trace};
use crate::core::view_model::colour::service_colour;
use crate::core::view_model::text::{escape_markup as escape, shorten};
use crate::core::view_model::trace_list::{format_duration_ns, format_start_ns};

/// The most spans drawn in the waterfall (the rest are counted under it).
pub const REPORT_MAX_ROWS: usize = 1_000;
/// The most rows in each table.
const TABLE_ROWS: usize = 50;
/// The longest name shown (characters).
const NAME_CHARS: usize = 120;
/// Waterfall geometry, px.
const ROW_PX: usize = 18;
const LABEL_PX: f64 = 360.0;
const BARS_PX: f64 = 640.0;

/// A name from the trace, shortened and escaped.
fn name(text: &str) -> String {
    escape(&shorten(text, NAME_CHARS))
}

/// The HTML report of `trace` (with its `analysis`); `generated` says when and by what, e.g.
/// "tracagg 0.1.0".
pub fn html_report(trace: &Trace, analysis: &TraceAnalysis, generated: &str) -> String {
    let mut html = String::with_capacity(64 * 1024);
    let root = trace.root_span().and_then(|idx| trace.span(idx));
    let title = match root {
        Some(span) => format!("{}: {}", trace.str(span.service), trace.str(span.operation)),
        None => "empty trace".to_string(),
    };
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} — trace {}</title><style>{STYLE}</style></head><body>\n",
        name(&title),
        escape(&trace.trace_id)
    );
    let _ = write!(
        html,
        "<h1>{}</h1>\n<p class=\"id\">Trace <code>{}</code></p>\n",
        name(&title),
        escape(&trace.trace_id)
    );
    header(&mut html, trace);
    critical(&mut html, trace, analysis);
    statistics(&mut html, trace, analysis);
    waterfall(&mut html, trace, analysis);
    let _ = write!(
        html,
        "<footer>Made by {} from {} — a static copy: nothing in it runs or loads.</footer>\n</body></html>\n",
        escape(generated),
        name(&trace.sources.join(", "))
    );
    html
}

/// The facts line: start, duration, services, depth, spans, errors, warnings.
fn header(html: &mut String, trace: &Trace) {
    let facts = [
        ("Start", format_start_ns(trace.start_ns)),
        ("Duration", format_duration_ns(trace.duration_ns())),
        ("Services", trace.service_names().len().to_string()),
        ("Depth", trace.max_depth().saturating_add(1).to_string()),
        ("Spans", trace.spans.len().to_string()),
        ("Errors", trace.error_count().to_string()),
        ("Warnings", trace.warnings.len().to_string()),
    ];
    html.push_str("<dl class=\"facts\">");
    for (label, value) in facts {
        let _ = write!(
            html,
            "<div><dt>{label}</dt><dd>{}</dd></div>",
            escape(&value)
        );
    }
    html.push_str("</dl>\n");
}

/// The critical path by span, longest share first.
fn critical(html: &mut String, trace: &Trace, analysis: &TraceAnalysis) {
    let path = &analysis.critical_path;
    let mut spans: Vec<(usize, i64)> = path
        .span_ns
        .iter()
        .enumerate()
        .filter(|(_, ns)| **ns > 0)
        .map(|(i, ns)| (i, *ns))
        .collect();
    spans.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let _ = write!(
        html,
        "<h2>Critical path</h2>\n<p>{} in {} span{}: the spans the trace waited on, longest first.</p>\n",
        escape(&format_duration_ns(path.total_ns)),
        spans.len(),
        if spans.len() == 1 { "" } else { "s" }
    );
    html.push_str(
        "<table><thead><tr><th>Service</th><th>Operation</th><th class=\"n\">On the path</th><th class=\"n\">Share</th></tr></thead><tbody>",
    );
    for &(i, ns) in spans.iter().take(TABLE_ROWS) {
        let Some(span) = trace.span(SpanIdx(i as u32)) else {
            continue;
        };
        let share = if path.total_ns > 0 {
            ns as f64 * 100.0 / path.total_ns as f64
        } else {
            0.0
        };
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{share:.1} %</td></tr>",
            name(trace.str(span.service)),
            name(trace.str(span.operation)),
            escape(&format_duration_ns(ns))
        );
    }
    html.push_str("</tbody></table>\n");
    more(html, spans.len());
}

/// Statistics per service and operation (count, total, self time), busiest first.
fn statistics(html: &mut String, trace: &Trace, analysis: &TraceAnalysis) {
    let mut rows = trace_statistics(trace, &analysis.self_ns, &GroupBy::Operation);
    rows.sort_by_key(|row| std::cmp::Reverse(row.self_total_ns));
    html.push_str("<h2>Statistics</h2>\n<table><thead><tr><th>Service</th><th>Operation</th><th class=\"n\">Count</th><th class=\"n\">Total</th><th class=\"n\">Avg</th><th class=\"n\">Max</th><th class=\"n\">Self total</th><th class=\"n\">Self % of trace</th></tr></thead><tbody>");
    for row in rows.iter().take(TABLE_ROWS) {
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{:.1} %</td></tr>",
            name(row.service.as_deref().unwrap_or("")),
            name(row.operation.as_deref().unwrap_or("")),
            row.count,
            escape(&format_duration_ns(row.total_ns)),
            escape(&format_duration_ns(row.avg_ns as i64)),
            escape(&format_duration_ns(row.max_ns)),
            escape(&format_duration_ns(row.self_total_ns)),
            row.self_percent
        );
    }
    html.push_str("</tbody></table>\n");
    more(html, rows.len());
}

/// "Showing 50 of 87." under a cut table.
fn more(html: &mut String, count: usize) {
    if count > TABLE_ROWS {
        let _ = writeln!(
            html,
            "<p class=\"note\">Showing {TABLE_ROWS} of {count}.</p>"
        );
    }
}

/// The waterfall as an SVG picture: one row per span in tree order (the first
/// [`REPORT_MAX_ROWS`]), bars in service colours, critical-path time darker, errors red.
fn waterfall(html: &mut String, trace: &Trace, analysis: &TraceAnalysis) {
    let rows = trace.spans.len().min(REPORT_MAX_ROWS);
    let height = (rows + 1) * ROW_PX + 4;
    let width = LABEL_PX + BARS_PX + 80.0;
    let duration = trace.duration_ns().max(1) as f64;
    let x_of = |ns: i64| LABEL_PX + (ns.saturating_sub(trace.start_ns)) as f64 / duration * BARS_PX;
    let _ = write!(
        html,
        "<h2>Waterfall</h2>\n<svg class=\"waterfall\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height}\" viewBox=\"0 0 {width:.0} {height}\" font-family=\"system-ui, sans-serif\" font-size=\"11\" role=\"img\" aria-label=\"Waterfall of the trace's spans\">"
    );
    // Time ticks: 0, ¼, ½, ¾, end.
    for quarter in 0..=4 {
        let x = LABEL_PX + BARS_PX * f64::from(quarter) / 4.0;
        let at = (duration * f64::from(quarter) / 4.0) as i64;
        let _ = write!(
            html,
            "<line x1=\"{x:.1}\" y1=\"{ROW_PX}\" x2=\"{x:.1}\" y2=\"{height}\" stroke=\"#dfe3ea\"/><text x=\"{x:.1}\" y=\"12\" fill=\"#5d6677\">{}</text>",
            escape(&format_duration_ns(at))
        );
    }
    for (row, span) in trace.spans.iter().take(rows).enumerate() {
        let y = (row + 1) * ROW_PX;
        let service = trace.str(span.service);
        let label = format!("{} {}", service, trace.str(span.operation));
        let indent = f64::from(span.depth.min(20)) * 10.0;
        let (x, end) = (x_of(span.start_ns), x_of(span.end_ns()));
        let bar = (end - x).max(1.0);
        let _ = write!(
            html,
            "<text x=\"{:.0}\" y=\"{}\" fill=\"{}\">{}</text><rect x=\"{x:.1}\" y=\"{}\" width=\"{bar:.1}\" height=\"{}\" fill=\"{}\" rx=\"2\"/>",
            4.0 + indent,
            y + 12,
            if span.is_error() { "#c62f2f" } else { "#1d2330" },
            escape(&shorten(&label, 52)),
            y + 3,
            ROW_PX - 6,
            service_colour(service)
        );
        if span.is_error() {
            let _ = write!(
                html,
                "<rect x=\"{x:.1}\" y=\"{}\" width=\"{bar:.1}\" height=\"{}\" fill=\"none\" stroke=\"#c62f2f\"/>",
                y + 3,
                ROW_PX - 6
            );
        }
        let _ = write!(
            html,
            "<text x=\"{:.1}\" y=\"{}\" fill=\"#5d6677\">{}</text>",
            (end + 4.0).min(width - 60.0),
            y + 12,
            escape(&format_duration_ns(span.duration_ns))
        );
    }
    // The critical path's sections, as a dark line on their spans' bars.
    for section in &analysis.critical_path.sections {
        let row = section.span.get();
        if row >= rows {
            continue;
        }
        let (x, end) = (x_of(section.start_ns), x_of(section.end_ns));
        let _ = write!(
            html,
            "<rect x=\"{x:.1}\" y=\"{}\" width=\"{:.1}\" height=\"3\" fill=\"#1d2330\"/>",
            (row + 1) * ROW_PX + 8,
            (end - x).max(1.0)
        );
    }
    html.push_str("</svg>\n");
    if trace.spans.len() > rows {
        let _ = writeln!(
            html,
            "<p class=\"note\">The first {rows} of {} spans.</p>",
            trace.spans.len()
        );
    }
    html.push_str("<p class=\"note\">Bars in service colours; the dark line is time on the critical path; red: errors.</p>\n");
}

/// The report's own style (no outside resources).
const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1d2330;margin:2rem;max-width:1100px}\
h1{font-size:1.4rem;margin:0}h2{font-size:1.1rem;margin-top:1.8rem}.id{color:#5d6677;margin:.2rem 0 1rem}\
.facts{display:flex;flex-wrap:wrap;gap:1.4rem;margin:0}.facts dt{color:#5d6677;font-size:.8rem}.facts dd{margin:0;font-weight:600}\
table{border-collapse:collapse;font-size:.85rem;width:100%}th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #e6e9ef;overflow-wrap:anywhere}\
th.n,td.n{text-align:right;white-space:nowrap}.note{color:#5d6677;font-size:.8rem}svg.waterfall{max-width:100%;height:auto;border:1px solid #e6e9ef}\
footer{margin-top:2rem;color:#5d6677;font-size:.8rem}";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::analysis::analyze_trace;
    use crate::core::load::load_into;
    use crate::core::model::TraceSet;

    fn hotrod() -> std::sync::Arc<Trace> {
        let bytes = std::fs::read("tests/fixtures/otlp/api-v3-getTrace-response.json").unwrap();
        let mut set = TraceSet::new();
        load_into(&mut set, "hotrod.json", &bytes).unwrap();
        set.traces()[0].clone()
    }

    #[test]
    fn the_report_holds_the_facts_the_critical_path_the_statistics_and_a_waterfall() {
        let trace = hotrod();
        let analysis = analyze_trace(&trace);
        let html = html_report(&trace, &analysis, "tracagg test");
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains(&trace.trace_id));
        assert!(html.contains("<h2>Critical path</h2>"));
        assert!(html.contains("<h2>Statistics</h2>"));
        assert!(html.contains("<svg class=\"waterfall\""));
        assert!(html.contains(&format!("<dt>Spans</dt><dd>{}</dd>", trace.spans.len())));
        // Self-contained: no script, no outside address.
        assert!(!html.contains("<script"));
        assert!(!html.contains("src="));
        assert!(
            !html.contains("http://") && !html.contains("https://")
                || html.contains("xmlns=\"http://www.w3.org/2000/svg\"")
        );
    }

    #[test]
    fn names_from_the_trace_stay_text() {
        assert_eq!(
            escape("<img src=x onerror=alert(1)> & \"q\" 'a'\u{1b}[2J"),
            "&lt;img src=x onerror=alert(1)&gt; &amp; &quot;q&quot; &#39;a&#39;\u{fffd}[2J"
        );
    }
}
