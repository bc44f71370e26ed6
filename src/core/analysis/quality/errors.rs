//! Errors recorded badly: error status with nothing that says what failed, exception events on
//! spans that do not say they failed, and error spans without `error.type`.
use super::{example, FindingKind, Labels, Linter};
use crate::core::model::{Span, Trace};

/// Event names that record an exception or error (OTel's `exception`, OpenTracing's `error`).
const EXCEPTION_EVENTS: &[&str] = &["exception", "error"];

/// Attribute keys that carry an error's description on the span itself.
const MESSAGE_KEYS: &[&str] = &[
    "error.message",
    "exception.message",
    "error.msg",
    "message",
    "error.object",
    "exception.type",
    "exception.stacktrace",
];

/// True when the span has an exception or error event.
fn has_exception_event(trace: &Trace, span: &Span) -> bool {
    trace
        .events
        .get(span.events.as_range())
        .unwrap_or(&[])
        .iter()
        .any(|e| {
            let name = trace.str(e.name);
            EXCEPTION_EVENTS
                .iter()
                .any(|x| name.eq_ignore_ascii_case(x))
        })
}

/// True when one of the span's attributes has `key`.
fn has_attribute(trace: &Trace, span: &Span, keys: &[&str]) -> bool {
    trace
        .attrs(span.attrs)
        .iter()
        .any(|a| keys.contains(&trace.str(a.key)))
}

/// Checks one trace.
pub(super) fn check(linter: &mut Linter, trace: &Trace) {
    let mut labels = Labels::default();
    for span in &trace.spans {
        let exception = has_exception_event(trace, span);
        if !span.is_error() && !exception {
            continue;
        }
        let service = labels.get(trace, span.service);
        if span.is_error() {
            let has_message = span
                .status_message
                .is_some_and(|m| !trace.str(m).trim().is_empty())
                || exception
                || has_attribute(trace, span, MESSAGE_KEYS);
            if !has_message {
                linter.hit(FindingKind::ErrorWithoutMessage, service, || {
                    example(trace, span, "error status, no message")
                });
            }
            if !has_attribute(trace, span, &["error.type"]) {
                linter.hit(FindingKind::MissingErrorType, service, || {
                    example(trace, span, "no error.type")
                });
            }
        } else if exception {
            linter.hit(FindingKind::ExceptionWithoutError, service, || {
                example(trace, span, "exception event, status not error")
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{s, trace};
    use super::super::{lint, FindingKind};

    #[test]
    fn errors_without_messages_and_exceptions_without_errors() {
        let mut bare = s("a", None, "pay", "charge");
        bare.error = true;
        let mut described = s("b", Some("a"), "pay", "charge");
        described.error = true;
        described.message = Some("card declined");
        described.attrs = vec![("error.type", "CardDeclined")];
        let mut with_event = s("c", Some("a"), "pay", "charge");
        with_event.error = true;
        with_event.events = vec![("exception", vec![("exception.type", "IOError")])];
        let mut swallowed = s("d", Some("a"), "pay", "retry");
        swallowed.events = vec![("exception", vec![("exception.message", "timeout")])];
        let report = lint([&trace("t", vec![bare, described, with_event, swallowed])]);
        let count = |kind| {
            report
                .findings
                .iter()
                .filter(|f| f.kind == kind)
                .map(|f| (f.count, f.examples[0].span_id.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            count(FindingKind::ErrorWithoutMessage),
            [(1, "a".to_string())]
        );
        assert_eq!(
            count(FindingKind::ExceptionWithoutError),
            [(1, "d".to_string())]
        );
        assert_eq!(count(FindingKind::MissingErrorType), [(2, "a".to_string())]);
    }
}
