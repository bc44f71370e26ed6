//! Semantic conventions: resources without `service.name`, `service.version` or a deployment
//! environment, spans without a kind, attribute names the conventions renamed, and sensitive
//! data in attributes, event attributes, names and status messages.
use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use super::secrets::{find_secrets, is_secret_key, mask_secrets_in, mask_whole, SecretShape};
use super::{example, plural, Example, Finding, FindingKind, Linter};
use crate::core::model::{AttrValue, Attribute, Span, SpanKind, Sym, Trace};
use crate::core::view_model::{list_some, shorten, NAME_CHARS};

/// Attribute names the OpenTelemetry semantic conventions replaced, with their current names.
const DEPRECATED: &[(&str, &str)] = &[
    ("http.method", "http.request.method"),
    ("http.status_code", "http.response.status_code"),
    ("http.url", "url.full"),
    ("http.target", "url.path and url.query"),
    ("http.scheme", "url.scheme"),
    ("http.host", "server.address"),
    ("http.server_name", "server.address"),
    ("http.client_ip", "client.address"),
    ("http.user_agent", "user_agent.original"),
    ("http.flavor", "network.protocol.version"),
    ("http.request_content_length", "http.request.body.size"),
    ("http.response_content_length", "http.response.body.size"),
    ("net.peer.name", "server.address"),
    ("net.peer.port", "server.port"),
    ("net.peer.ip", "network.peer.address"),
    ("net.host.name", "server.address"),
    ("net.host.port", "server.port"),
    ("net.host.ip", "network.local.address"),
    ("net.sock.peer.addr", "network.peer.address"),
    ("net.sock.peer.port", "network.peer.port"),
    ("net.sock.host.addr", "network.local.address"),
    ("net.sock.host.port", "network.local.port"),
    ("net.transport", "network.transport"),
    ("net.protocol.name", "network.protocol.name"),
    ("net.protocol.version", "network.protocol.version"),
    ("db.statement", "db.query.text"),
    ("db.operation", "db.operation.name"),
    ("db.name", "db.namespace"),
    ("db.system", "db.system.name"),
    ("db.sql.table", "db.collection.name"),
    ("db.redis.database_index", "db.namespace"),
    ("messaging.destination", "messaging.destination.name"),
    ("messaging.message_id", "messaging.message.id"),
    ("messaging.operation", "messaging.operation.type"),
    (
        "messaging.kafka.partition",
        "messaging.destination.partition.id",
    ),
    ("code.function", "code.function.name"),
    ("code.filepath", "code.file.path"),
    ("code.lineno", "code.line.number"),
    ("deployment.environment", "deployment.environment.name"),
    ("otel.library.name", "otel.scope.name"),
    ("otel.library.version", "otel.scope.version"),
    ("gen_ai.usage.prompt_tokens", "gen_ai.usage.input_tokens"),
    (
        "gen_ai.usage.completion_tokens",
        "gen_ai.usage.output_tokens",
    ),
    ("gen_ai.system", "gen_ai.provider.name"),
];

/// The resource attributes every service should send, each with the keys that satisfy it.
const RESOURCE_KEYS: &[(&str, &[&str])] = &[
    ("service.version", &["service.version"]),
    (
        "deployment.environment.name",
        &["deployment.environment.name", "deployment.environment"],
    ),
];

/// Spans of services missing one resource attribute.
#[derive(Debug, Default)]
struct Missing {
    spans: u64,
    services: BTreeMap<String, ()>,
    examples: Vec<Example>,
}

/// What the resource rule keeps between traces, by the attribute missing.
#[derive(Debug, Default)]
pub(super) struct ResourceTally {
    missing: BTreeMap<&'static str, Missing>,
}

/// The current name of a deprecated attribute key.
fn replacement(key: &str) -> Option<&'static str> {
    DEPRECATED
        .iter()
        .find(|(old, _)| *old == key)
        .map(|(_, new)| *new)
}

/// True when a service name says the producer did not set one.
fn is_unknown_service(name: &str) -> bool {
    let name = name.trim();
    name.is_empty() || name.starts_with("unknown_service") || name == "unknown"
}

/// Per-trace caches: each distinct key and value string is classified once.
#[derive(Default)]
struct Classified {
    secret_key: FxHashMap<Sym, bool>,
    deprecated: FxHashMap<Sym, Option<&'static str>>,
    secret_value: FxHashMap<Sym, Option<SecretShape>>,
}

impl Classified {
    /// What is sensitive about an attribute, as the finding's subject; `None` when nothing is.
    fn sensitive(&mut self, trace: &Trace, attr: &Attribute) -> Option<String> {
        let (AttrValue::Str(value) | AttrValue::Json(value)) = attr.value else {
            return None;
        };
        if trace.str(value).is_empty() {
            return None;
        }
        let key = trace.str(attr.key);
        let key_label = shorten(key, NAME_CHARS);
        if *self
            .secret_key
            .entry(attr.key)
            .or_insert_with(|| is_secret_key(key))
        {
            return Some(format!("the secret-named attribute `{key_label}`"));
        }
        let shape = *self
            .secret_value
            .entry(value)
            .or_insert_with(|| find_secrets(trace.str(value)).first().map(|(_, s)| *s));
        shape.map(|shape| format!("{} in `{key_label}`", shape.describe()))
    }
}

/// Checks one trace.
pub(super) fn check(linter: &mut Linter, trace: &Trace) {
    let mut seen = Classified::default();
    // Resources: what each lacks, and its own attributes checked once per trace.
    let mut lacks: Vec<Vec<&'static str>> = Vec::with_capacity(trace.resources.len());
    let mut first_span: Vec<Option<&Span>> = vec![None; trace.resources.len()];
    for span in &trace.spans {
        if let Some(slot) = first_span.get_mut(span.resource as usize) {
            slot.get_or_insert(span);
        }
    }
    for (index, resource) in trace.resources.iter().enumerate() {
        let attrs = trace.attrs(resource.attrs);
        let has = |keys: &[&str]| attrs.iter().any(|a| keys.contains(&trace.str(a.key)));
        lacks.push(
            RESOURCE_KEYS
                .iter()
                .filter(|(_, keys)| !has(keys))
                .map(|(name, _)| *name)
                .collect(),
        );
        let Some(span) = first_span[index] else {
            continue;
        };
        for attr in attrs {
            attribute_rules(linter, &mut seen, trace, span, attr, "resource ");
        }
    }
    let mut labels = super::Labels::default();
    let mut unknown: FxHashMap<Sym, bool> = FxHashMap::default();
    let mut spans_of: Vec<u64> = vec![0; trace.resources.len()];
    for span in &trace.spans {
        let service = trace.str(span.service);
        if *unknown
            .entry(span.service)
            .or_insert_with(|| is_unknown_service(service))
        {
            let service_label = labels.get(trace, span.service);
            linter.hit(FindingKind::MissingServiceName, service_label, || {
                example(trace, span, "no service.name")
            });
        }
        if let Some(count) = spans_of.get_mut(span.resource as usize) {
            *count += 1;
        }
        if span.kind == SpanKind::Unspecified {
            let service_label = labels.get(trace, span.service);
            linter.hit(FindingKind::MissingKind, service_label, || {
                example(trace, span, "no kind")
            });
        }
        for attr in trace.attrs(span.attrs) {
            attribute_rules(linter, &mut seen, trace, span, attr, "");
        }
        for event in trace.events.get(span.events.as_range()).unwrap_or(&[]) {
            for attr in trace.attrs(event.attrs) {
                attribute_rules(linter, &mut seen, trace, span, attr, "event ");
            }
        }
        for (what, text) in [
            ("span names", Some(span.operation)),
            ("status messages", span.status_message),
        ] {
            let Some(text) = text else { continue };
            let shape = *seen
                .secret_value
                .entry(text)
                .or_insert_with(|| find_secrets(trace.str(text)).first().map(|(_, s)| *s));
            if let Some(shape) = shape {
                let subject = format!("{} in {what}", shape.describe());
                linter.hit(FindingKind::SensitiveData, &subject, || {
                    example(trace, span, "")
                });
            }
        }
    }
    // Resources lacking an attribute, once per resource with the spans it had.
    let examples = linter.config.examples;
    for (index, resource) in trace.resources.iter().enumerate() {
        let (Some(&count), Some(Some(span))) = (spans_of.get(index), first_span.get(index)) else {
            continue;
        };
        let service = trace.str(resource.service);
        for name in lacks.get(index).into_iter().flatten() {
            let missing = linter.resources.missing.entry(name).or_default();
            missing.spans = missing.spans.saturating_add(count);
            if !missing.services.contains_key(service) {
                if missing.services.len() < 1_000 {
                    missing.services.insert(service.to_string(), ());
                }
                if missing.examples.len() < examples {
                    missing
                        .examples
                        .push(example(trace, span, &format!("no {name}")));
                }
            }
        }
    }
}

/// The deprecated-name and sensitive-data rules on one attribute of `span` (or of its resource
/// or an event, as `place` says).
fn attribute_rules(
    linter: &mut Linter,
    seen: &mut Classified,
    trace: &Trace,
    span: &Span,
    attr: &Attribute,
    place: &str,
) {
    let key = trace.str(attr.key);
    let new = *seen
        .deprecated
        .entry(attr.key)
        .or_insert_with(|| replacement(key));
    if let Some(new) = new {
        let subject = format!("{key} → {new}");
        linter.hit(FindingKind::DeprecatedAttribute, &subject, || {
            example(trace, span, &format!("{place}attribute {key}"))
        });
    }
    if let Some(subject) = seen.sensitive(trace, attr) {
        linter.hit(FindingKind::SensitiveData, &subject, || {
            let value = super::super::trace_stats::attr_text(trace, attr.value);
            let shown = if is_secret_key(key) {
                mask_whole(&value)
            } else {
                mask_secrets_in(&value).into_owned()
            };
            example(
                trace,
                span,
                &format!(
                    "{place}{} = {}",
                    shorten(key, NAME_CHARS),
                    shorten(&shown, 80)
                ),
            )
        });
    }
}

/// The missing-resource-attribute findings, one per attribute.
pub(super) fn finish(linter: &mut Linter, findings: &mut Vec<Finding>) {
    let kind = FindingKind::MissingResourceAttribute;
    for (name, missing) in std::mem::take(&mut linter.resources.missing) {
        let services: Vec<String> = missing.services.into_keys().collect();
        findings.push(Finding {
            kind,
            severity: kind.severity(),
            count: missing.spans,
            message: format!(
                "{} no `{name}` resource attribute ({}): set it in the SDK's resource (e.g. OTEL_RESOURCE_ATTRIBUTES) so that versions and environments can be told apart",
                plural(services.len() as u64, "service sends", "services send"),
                list_some(&services, 5),
            ),
            subject: name.to_string(),
            suggestion: Some(name.to_string()),
            examples: missing.examples,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{s, trace};
    use super::super::{lint, FindingKind};
    use crate::core::model::SpanKind;

    #[test]
    fn resources_kinds_and_deprecated_names() {
        let mut root = s("a", None, "unknown_service:python", "GET /");
        root.kind = SpanKind::Server;
        root.resource = vec![];
        root.attrs = vec![("http.method", "GET"), ("http.request.method", "GET")];
        let mut child = s("b", Some("a"), "shop", "load");
        child.kind = SpanKind::Unspecified;
        child.resource = vec![("deployment.environment", "prod")];
        let report = lint([&trace("t", vec![root, child])]);
        let find = |kind, subject: &str| {
            report
                .findings
                .iter()
                .find(|f| f.kind == kind && f.subject == subject)
                .unwrap_or_else(|| panic!("{kind:?} {subject}: {:#?}", report.findings))
        };
        assert_eq!(
            find(FindingKind::MissingServiceName, "unknown_service:python").count,
            1
        );
        let version = find(FindingKind::MissingResourceAttribute, "service.version");
        assert_eq!(version.count, 2);
        assert!(
            version.message.contains("2 services"),
            "{}",
            version.message
        );
        let env = find(
            FindingKind::MissingResourceAttribute,
            "deployment.environment.name",
        );
        assert_eq!(
            env.count, 1,
            "the deprecated key still names the environment"
        );
        assert_eq!(find(FindingKind::MissingKind, "shop").count, 1);
        let old = find(
            FindingKind::DeprecatedAttribute,
            "http.method → http.request.method",
        );
        assert_eq!(old.suggestion.as_deref(), Some("http.request.method"));
        find(
            FindingKind::DeprecatedAttribute,
            "deployment.environment → deployment.environment.name",
        );
    }

    #[test]
    fn sensitive_values_are_found_and_examples_masked() {
        let mut span = s("a", None, "api", "GET /login?password=hunter22");
        span.kind = SpanKind::Server;
        span.attrs = vec![
            (
                "http.request.header.authorization",
                "Bearer abcdefghijklmnop",
            ),
            ("db.connection_string", "Server=x;Password=S3cretS3cret;"),
            ("user.card", "4111 1111 1111 1111"),
            ("gen_ai.usage.input_tokens", "1200"),
        ];
        span.events = vec![("log", vec![("aws", "AKIAIOSFODNN7EXAMPLE")])];
        let report = lint([&trace("t", vec![span])]);
        let sensitive: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.kind == FindingKind::SensitiveData)
            .collect();
        let subjects: Vec<&str> = sensitive.iter().map(|f| f.subject.as_str()).collect();
        for expected in [
            "the secret-named attribute `http.request.header.authorization`",
            "a secret-named field in `db.connection_string`",
            "a card number in `user.card`",
            "an AWS access key in `aws`",
            "a secret-named field in span names",
        ] {
            assert!(subjects.contains(&expected), "{expected}: {subjects:?}");
        }
        assert_eq!(sensitive.len(), 5, "{subjects:?}");
        let all_text = format!("{:?}", report.findings);
        for secret in [
            "abcdefghijklmnop",
            "S3cretS3cret",
            "4111 1111 1111 1111",
            "IOSFODNN7",
            "hunter22",
        ] {
            assert!(!all_text.contains(secret), "{secret} leaked: {all_text}");
        }
    }
}
