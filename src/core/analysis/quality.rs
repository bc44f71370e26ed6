//! A check of the instrumentation (`tracagg lint`, the page's Quality view): broken context
//! propagation, bad durations and clock skew, generic or high-cardinality names, errors recorded
//! badly, sensitive data, missing resource attributes and kinds, deprecated attribute names.
//! Each [`Finding`] has a kind, a severity, a count, a sentence and a few example spans.
//!
//! A [`Linter`] takes the traces one at a time (so the page can spread the work over browser
//! turns) and [`Linter::finish`] writes the report. Everything it keeps between traces is
//! bounded: a few examples per finding and capped sets of distinct names and values.
mod context;
mod conventions;
mod errors;
pub mod masking;
mod names;
pub mod secrets;
mod timing;

use std::collections::BTreeMap;

use crate::core::model::{Span, Trace};
use crate::core::view_model::{shorten, NAME_CHARS};

/// How much a finding matters.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Data is wrong or leaks: fix first.
    Error,
    /// Views will mislead (lost parents, skewed clocks, names that cannot be grouped).
    Warning,
    /// Conventions not followed; views still work.
    Info,
}

impl Severity {
    /// `error`, `warning` or `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Info => "info",
        }
    }
}

/// What a finding is about; the CLI writes these names (`orphan_span`, …).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// A span whose parent is not loaded.
    OrphanSpan,
    /// A trace with more than one root.
    MultipleRoots,
    /// A client call into an instrumented service that has no server span under it.
    LostContext,
    /// A span with zero, negative or missing duration.
    BadDuration,
    /// A child that starts before or ends after its parent.
    ClockSkew,
    /// A span name that says nothing (`GET`, `span`, `operation`).
    GenericName,
    /// Span names with IDs or numbers in them, or too many distinct names in a service.
    HighCardinalityName,
    /// An attribute key with very many distinct values.
    HighCardinalityAttribute,
    /// An error span with no message and no exception event.
    ErrorWithoutMessage,
    /// An exception event on a span whose status is not error.
    ExceptionWithoutError,
    /// An error span without `error.type`.
    MissingErrorType,
    /// A key or value that looks like a secret.
    SensitiveData,
    /// A resource without `service.name` (or `unknown_service…`).
    MissingServiceName,
    /// A resource without `service.version` or a deployment environment.
    MissingResourceAttribute,
    /// A span without a kind.
    MissingKind,
    /// An attribute name the semantic conventions replaced.
    DeprecatedAttribute,
}

impl FindingKind {
    /// The severity every finding of this kind has.
    pub fn severity(self) -> Severity {
        match self {
            Self::LostContext | Self::SensitiveData | Self::MissingServiceName => Severity::Error,
            Self::OrphanSpan
            | Self::MultipleRoots
            | Self::BadDuration
            | Self::ClockSkew
            | Self::GenericName
            | Self::HighCardinalityName
            | Self::ErrorWithoutMessage
            | Self::ExceptionWithoutError => Severity::Warning,
            Self::HighCardinalityAttribute
            | Self::MissingErrorType
            | Self::MissingResourceAttribute
            | Self::MissingKind
            | Self::DeprecatedAttribute => Severity::Info,
        }
    }

    /// The name the CLI writes (`orphan_span`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OrphanSpan => "orphan_span",
            Self::MultipleRoots => "multiple_roots",
            Self::LostContext => "lost_context",
            Self::BadDuration => "bad_duration",
            Self::ClockSkew => "clock_skew",
            Self::GenericName => "generic_name",
            Self::HighCardinalityName => "high_cardinality_name",
            Self::HighCardinalityAttribute => "high_cardinality_attribute",
            Self::ErrorWithoutMessage => "error_without_message",
            Self::ExceptionWithoutError => "exception_without_error",
            Self::MissingErrorType => "missing_error_type",
            Self::SensitiveData => "sensitive_data",
            Self::MissingServiceName => "missing_service_name",
            Self::MissingResourceAttribute => "missing_resource_attribute",
            Self::MissingKind => "missing_kind",
            Self::DeprecatedAttribute => "deprecated_attribute",
        }
    }

    /// A heading for the Quality view ("Broken context propagation").
    pub fn title(self) -> &'static str {
        match self {
            Self::OrphanSpan => "Spans whose parent is not loaded",
            Self::MultipleRoots => "Traces with several roots",
            Self::LostContext => "Calls that lost the trace context",
            Self::BadDuration => "Zero, negative or missing durations",
            Self::ClockSkew => "Children outside their parent (clock skew)",
            Self::GenericName => "Generic span names",
            Self::HighCardinalityName => "High-cardinality span names",
            Self::HighCardinalityAttribute => "High-cardinality attributes",
            Self::ErrorWithoutMessage => "Errors without a message",
            Self::ExceptionWithoutError => "Exceptions without error status",
            Self::MissingErrorType => "Errors without error.type",
            Self::SensitiveData => "Sensitive data",
            Self::MissingServiceName => "Resources without service.name",
            Self::MissingResourceAttribute => "Missing resource attributes",
            Self::MissingKind => "Spans without a kind",
            Self::DeprecatedAttribute => "Deprecated attribute names",
        }
    }
}

/// One example of a finding: a span a person can open.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Example {
    /// The trace ID.
    pub trace_id: String,
    /// The span ID (for trace-level findings, the span that shows it best, e.g. a second root).
    pub span_id: String,
    /// What this example shows, e.g. `payment: charge (parent 3fa2… not loaded)`; secrets in it
    /// are masked.
    pub detail: String,
}

/// One problem with the instrumentation, counted over all loaded traces.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Finding {
    /// What kind of problem.
    pub kind: FindingKind,
    /// How much it matters.
    pub severity: Severity,
    /// How often it happens: spans, or traces for `multiple_roots`, or distinct names or values
    /// for the high-cardinality kinds.
    pub count: u64,
    /// A sentence for a person: what, where, and what to do.
    pub message: String,
    /// What the finding is about within its kind (a service, a service pair, an attribute
    /// key); findings of one kind differ by it.
    pub subject: String,
    /// A fix when there is an obvious one: the suggested name pattern, the current attribute
    /// name.
    pub suggestion: Option<String>,
    /// At most [`LintConfig::examples`] spans that show it.
    pub examples: Vec<Example>,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct QualityReport {
    /// Every finding, errors first, then by count.
    pub findings: Vec<Finding>,
    /// How many traces were checked.
    pub traces: usize,
    /// How many spans were checked.
    pub spans: usize,
}

impl QualityReport {
    /// How many findings have each severity: (errors, warnings, infos).
    pub fn severity_counts(&self) -> (usize, usize, usize) {
        let count = |s| self.findings.iter().filter(|f| f.severity == s).count();
        (
            count(Severity::Error),
            count(Severity::Warning),
            count(Severity::Info),
        )
    }
}

/// Thresholds of the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintConfig {
    /// Examples kept per finding.
    pub examples: usize,
    /// An attribute key with at least this many distinct values is high-cardinality (and only
    /// when at least half of its values are distinct).
    pub attribute_values: usize,
    /// A service with more distinct span names than this is reported.
    pub service_names: usize,
    /// Tolerance of the clock-skew rule, ns (timestamps are often rounded to µs).
    pub skew_tolerance_ns: i64,
}

impl Default for LintConfig {
    fn default() -> Self {
        Self {
            examples: 5,
            attribute_values: 1_000,
            service_names: 200,
            skew_tolerance_ns: 1_000,
        }
    }
}

/// Occurrences of one (kind, subject) pair.
#[derive(Debug, Default)]
struct Tally {
    count: u64,
    examples: Vec<Example>,
}

/// Collects findings trace by trace; [`Linter::finish`] writes the report.
#[derive(Debug, Default)]
pub struct Linter {
    config: LintConfig,
    tallies: BTreeMap<FindingKind, BTreeMap<String, Tally>>,
    context: context::ContextTally,
    names: names::NameTally,
    resources: conventions::ResourceTally,
    traces: usize,
    spans: usize,
}

impl Linter {
    /// A linter with these thresholds.
    pub fn new(config: LintConfig) -> Self {
        Self {
            config,
            ..Self::default()
        }
    }

    /// Checks one trace.
    pub fn add_trace(&mut self, trace: &Trace) {
        self.traces += 1;
        self.spans += trace.spans.len();
        context::check(self, trace);
        timing::check(self, trace);
        names::check(self, trace);
        errors::check(self, trace);
        conventions::check(self, trace);
    }

    /// Counts one occurrence of `kind` about `subject`, keeping `example` while there is room.
    fn hit(&mut self, kind: FindingKind, subject: &str, example: impl FnOnce() -> Example) {
        self.hit_many(kind, subject, 1, |room| {
            if room > 0 {
                vec![example()]
            } else {
                Vec::new()
            }
        });
    }

    /// Counts `count` occurrences at once; `examples(room)` gives at most `room` examples.
    fn hit_many(
        &mut self,
        kind: FindingKind,
        subject: &str,
        count: u64,
        examples: impl FnOnce(usize) -> Vec<Example>,
    ) {
        let most = self.config.examples;
        let by_subject = self.tallies.entry(kind).or_default();
        // Looked up by `&str` first: a subject is allocated once, not once per span.
        let tally = match by_subject.get_mut(subject) {
            Some(tally) => tally,
            None => by_subject.entry(subject.to_string()).or_default(),
        };
        tally.count = tally.count.saturating_add(count);
        let room = most.saturating_sub(tally.examples.len());
        if room > 0 {
            tally.examples.extend(examples(room).into_iter().take(room));
        }
    }

    /// The report: every tally turned into a sentence, plus the findings that need all traces
    /// (lost context, high cardinality, missing resource attributes).
    pub fn finish(mut self) -> QualityReport {
        let mut findings = Vec::new();
        context::finish(&mut self, &mut findings);
        names::finish(&mut self, &mut findings);
        conventions::finish(&mut self, &mut findings);
        let tallies = std::mem::take(&mut self.tallies);
        let all = tallies
            .into_iter()
            .flat_map(|(kind, by_subject)| by_subject.into_iter().map(move |(s, t)| (kind, s, t)));
        for (kind, subject, tally) in all {
            let (message, suggestion) = describe(kind, &subject, tally.count);
            findings.push(Finding {
                kind,
                severity: kind.severity(),
                count: tally.count,
                message,
                subject,
                suggestion,
                examples: tally.examples,
            });
        }
        findings.sort_by(|a, b| {
            (a.severity, std::cmp::Reverse(a.count), a.kind, &a.subject).cmp(&(
                b.severity,
                std::cmp::Reverse(b.count),
                b.kind,
                &b.subject,
            ))
        });
        QualityReport {
            findings,
            traces: self.traces,
            spans: self.spans,
        }
    }
}

/// Checks every trace with the default thresholds.
pub fn lint<'a>(traces: impl IntoIterator<Item = &'a Trace>) -> QualityReport {
    let mut linter = Linter::new(LintConfig::default());
    for trace in traces {
        linter.add_trace(trace);
    }
    linter.finish()
}

/// Service names shortened for subjects, each computed once per trace.
#[derive(Default)]
struct Labels(rustc_hash::FxHashMap<crate::core::model::Sym, String>);

impl Labels {
    /// The shortened name behind `sym`.
    fn get(&mut self, trace: &Trace, sym: crate::core::model::Sym) -> &str {
        self.0
            .entry(sym)
            .or_insert_with(|| shorten(trace.str(sym), NAME_CHARS))
    }
}

/// An example naming one span: `service: operation` and what is wrong with it.
fn example(trace: &Trace, span: &Span, what: &str) -> Example {
    Example {
        trace_id: trace.trace_id.clone(),
        span_id: trace.str(span.span_id).to_string(),
        detail: format!("{}: {}", span_label(trace, span), what)
            .trim_end_matches(": ")
            .to_string(),
    }
}

/// `service: operation`, each shortened, secrets in the name masked.
fn span_label(trace: &Trace, span: &Span) -> String {
    format!(
        "{}: {}",
        shorten(trace.str(span.service), NAME_CHARS),
        shorten(
            &secrets::mask_secrets_in(trace.str(span.operation)),
            NAME_CHARS
        )
    )
}

/// "1 span" / "1,234 spans".
fn plural(count: u64, one: &str, many: &str) -> String {
    format!(
        "{} {}",
        crate::core::view_model::group_digits(count),
        if count == 1 { one } else { many }
    )
}

/// The sentence (and suggestion) of a tallied finding.
fn describe(kind: FindingKind, subject: &str, count: u64) -> (String, Option<String>) {
    let spans = plural(count, "span", "spans");
    let v = |one: &'static str, many: &'static str| if count == 1 { one } else { many };
    match kind {
        FindingKind::OrphanSpan => (
            match subject.split_once(" → ") {
                Some((caller, callee)) => format!(
                    "{spans} of {callee} {} a parent that is not loaded; a client span of {caller} encloses {}, so {caller} probably did not pass the trace context on",
                    v("names", "name"),
                    v("it", "each of them")
                ),
                None => format!(
                    "{spans} of {subject} {} a parent that is not loaded: the caller did not pass the context on, or its spans were not exported or are in another file",
                    v("names", "name")
                ),
            },
            None,
        ),
        FindingKind::MultipleRoots => (
            format!(
                "{} more than one root span: parts of one request show as separate trees",
                plural(count, "trace has", "traces have")
            ),
            None,
        ),
        FindingKind::BadDuration => (
            format!(
                "{spans} {} a {subject} duration: views show {} as an instant",
                v("has", "have"),
                v("it", "them")
            ),
            None,
        ),
        FindingKind::ClockSkew => (
            match subject.split_once(" → ") {
                Some((parent, child)) if parent != child => format!(
                    "{spans} of {child} {} before or {} after {} parent in {parent}: the two hosts' clocks disagree (the clock-skew adjustment shifts them back), or the work outlives the call without a FOLLOWS_FROM link",
                    v("starts", "start"),
                    v("ends", "end"),
                    v("its", "their")
                ),
                _ => format!(
                    "{spans} of {subject} {} before or {} after {} parent in the same service: work goes on after its parent ended (mark it FOLLOWS_FROM or a consumer span), or the parent is ended too early",
                    v("starts", "start"),
                    v("ends", "end"),
                    v("its", "their")
                ),
            },
            None,
        ),
        FindingKind::GenericName => (
            if subject.is_empty() {
                format!(
                    "{spans} {} no name: name spans after the route, method or query they do",
                    v("has", "have")
                )
            } else {
                format!(
                    "{spans} {} named `{subject}`, which says nothing about the work: name spans after the route, method or query they do",
                    v("is", "are")
                )
            },
            None,
        ),
        FindingKind::ErrorWithoutMessage => (
            format!(
                "{spans} of {subject} {} error status but no status message, error message or exception event: nobody can tell what failed",
                v("has", "have")
            ),
            None,
        ),
        FindingKind::ExceptionWithoutError => (
            format!(
                "{spans} of {subject} {} an exception but {} status is not error: error counts and error paths miss {} (set the status when the exception escapes)",
                v("records", "record"),
                v("its", "their"),
                v("it", "them")
            ),
            None,
        ),
        FindingKind::MissingErrorType => (
            format!(
                "{spans} of {subject} {} error status but no `error.type`: errors cannot be grouped by cause",
                v("has", "have")
            ),
            Some("error.type".to_string()),
        ),
        FindingKind::SensitiveData => (
            format!(
                "{} {subject}: it is sent to every backend and shown to everyone who can read traces (masked here)",
                plural(count, "value holds", "values hold")
            ),
            None,
        ),
        FindingKind::MissingServiceName => (
            format!(
                "{spans} {} from a service that has no name (`{subject}`): set service.name (OTEL_SERVICE_NAME) in its SDK, or every view lumps unrelated services together",
                v("comes", "come")
            ),
            Some("service.name".to_string()),
        ),
        FindingKind::MissingKind => (
            format!(
                "{spans} of {subject} {} no span kind: client/server pairs and the dependency graph cannot use {}",
                v("has", "have"),
                v("it", "them")
            ),
            None,
        ),
        FindingKind::DeprecatedAttribute => {
            let (old, new) = subject.split_once(" → ").unwrap_or((subject, ""));
            (
                format!(
                    "{spans} {} `{old}`, which the semantic conventions renamed to `{new}`",
                    v("uses", "use")
                ),
                Some(new.to_string()),
            )
        }
        // The remaining kinds are written by their rules' `finish`.
        _ => (format!("{spans}: {subject}"), None),
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Builds small traces for the rules' tests.
    use crate::core::model::{
        AttrValue, Event, IdxRange, Span, SpanFlags, SpanKind, SpanStatus, Trace, TraceBuilder,
    };

    /// One span to build: (id, parent, service, operation, start, duration, kind).
    pub struct S<'a> {
        /// Span ID.
        pub id: &'a str,
        /// Declared parent ID.
        pub parent: Option<&'a str>,
        /// Service.
        pub service: &'a str,
        /// Operation.
        pub op: &'a str,
        /// Start ns.
        pub start: i64,
        /// Duration ns.
        pub dur: i64,
        /// Kind.
        pub kind: SpanKind,
        /// Error status.
        pub error: bool,
        /// String attributes.
        pub attrs: Vec<(&'a str, &'a str)>,
        /// Events by name with their string attributes.
        pub events: Vec<(&'a str, Vec<(&'a str, &'a str)>)>,
        /// Resource attributes.
        pub resource: Vec<(&'a str, &'a str)>,
        /// Status message.
        pub message: Option<&'a str>,
        /// Flags.
        pub flags: u8,
    }

    /// A span with defaults: internal, 10 ns, no attributes.
    pub fn s<'a>(id: &'a str, parent: Option<&'a str>, service: &'a str, op: &'a str) -> S<'a> {
        S {
            id,
            parent,
            service,
            op,
            start: 0,
            dur: 10,
            kind: SpanKind::Internal,
            error: false,
            attrs: vec![],
            events: vec![],
            resource: vec![
                ("service.version", "1"),
                ("deployment.environment.name", "t"),
            ],
            message: None,
            flags: 0,
        }
    }

    /// Builds a trace `trace_id` from the spans (one resource per span).
    pub fn trace(trace_id: &str, spans: Vec<S<'_>>) -> Trace {
        let mut b = TraceBuilder::new(trace_id);
        for sp in spans {
            let service = b.intern(sp.service);
            let mark = b.attrs_mark();
            for (k, v) in &sp.resource {
                let (k, v) = (b.intern(k), b.intern(v));
                b.push_attr(k, AttrValue::Str(v));
            }
            let resource_attrs = b.attrs_since(mark);
            let resource = b.add_resource(service, resource_attrs);
            let mark = b.attrs_mark();
            for (k, v) in &sp.attrs {
                let (k, v) = (b.intern(k), b.intern(v));
                b.push_attr(k, AttrValue::Str(v));
            }
            let attrs = b.attrs_since(mark);
            let events_mark = b.events_mark();
            for (name, attrs) in &sp.events {
                let name = b.intern(name);
                let mark = b.attrs_mark();
                for (k, v) in attrs {
                    let (k, v) = (b.intern(k), b.intern(v));
                    b.push_attr(k, AttrValue::Str(v));
                }
                let attrs = b.attrs_since(mark);
                b.push_event(Event {
                    time_ns: sp.start,
                    name,
                    attrs,
                });
            }
            let events = b.events_since(events_mark);
            let span = Span {
                span_id: b.intern(sp.id),
                parent_span_id: sp.parent.map(|p| b.intern(p)),
                resource,
                service,
                operation: b.intern(sp.op),
                start_ns: sp.start,
                duration_ns: sp.dur,
                kind: sp.kind,
                status: if sp.error {
                    SpanStatus::Error
                } else {
                    SpanStatus::Unset
                },
                flags: SpanFlags(sp.flags),
                status_message: sp.message.map(|m| b.intern(m)),
                attrs,
                events,
                refs: IdxRange::default(),
                parent: None,
                depth: 0,
                subtree_end: 0,
            };
            b.push_span(span);
        }
        b.build()
    }
}
