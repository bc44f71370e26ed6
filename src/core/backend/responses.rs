//! What backend responses mean: lists of names (services, operations, tag values), Tempo's
//! search summaries and tag names, dependency links, and the server's own words in an error
//! body. Traces themselves are parsed by `format::parse_file`.
use serde_json::Value;

/// A trace found by a search that returns summaries (Tempo).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceSummaryRow {
    /// Trace ID (hex).
    pub trace_id: String,
    /// Root span's service.
    pub root_service: String,
    /// Root span's name.
    pub root_name: String,
    /// Start, ns since the epoch.
    pub start_ns: i64,
    /// Duration, ns.
    pub duration_ns: i64,
}

/// A service-to-service link as the backend counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendDependency {
    /// Calling service.
    pub parent: String,
    /// Called service.
    pub child: String,
    /// Calls.
    pub calls: u64,
    /// Failed calls (Zipkin only; 0 otherwise).
    pub errors: u64,
}

fn json(body: &str) -> Result<Value, String> {
    serde_json::from_str(body).map_err(|e| {
        let start: String = body.trim().chars().take(80).collect();
        if start.is_empty() {
            "the server's answer is empty".to_string()
        } else {
            format!("the server's answer is not JSON ({e}); it begins “{start}”")
        }
    })
}

/// A name from a list item: a string, or an object's `name` / `value`.
fn item_name(item: &Value) -> Option<String> {
    match item {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o
            .get("name")
            .or_else(|| o.get("value"))
            .and_then(Value::as_str)
            .map(str::to_string),
        _ => None,
    }
}

/// Names from any of the list shapes the backends use: Jaeger v1 `{"data":[…]}`, v3
/// `{"services":[…]}` / `{"operations":[{"name"}]}`, Tempo `{"tagValues":[{"value"}]}`, Zipkin
/// `[…]`. Sorted, without duplicates.
pub fn parse_names(body: &str) -> Result<Vec<String>, String> {
    let value = json(body)?;
    let list = match &value {
        Value::Array(items) => Some(items),
        Value::Object(o) => ["data", "services", "operations", "tagValues"]
            .iter()
            .find_map(|k| o.get(*k).and_then(Value::as_array)),
        _ => None,
    };
    let Some(list) = list else {
        if let Value::Object(o) = &value {
            if o.get("data").is_some_and(Value::is_null) {
                return Ok(Vec::new());
            }
        }
        return Err("the server's answer has no list of names".to_string());
    };
    let mut names: Vec<String> = list.iter().filter_map(item_name).collect();
    names.sort();
    names.dedup();
    Ok(names)
}

/// A number that may be written as a string (protobuf JSON writes 64-bit integers so).
fn number(value: Option<&Value>) -> Option<f64> {
    match value? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// An integer that may be written as a string, exactly (nanosecond times exceed f64's 53 bits).
fn integer(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// Tempo's `/api/search` answer: `{"traces":[{"traceID","rootServiceName","rootTraceName",
/// "startTimeUnixNano","durationMs"}]}`.
pub fn parse_tempo_search(body: &str) -> Result<Vec<TraceSummaryRow>, String> {
    let value = json(body)?;
    let Some(traces) = value.get("traces") else {
        return Err("the server's answer has no “traces” list".to_string());
    };
    let Some(traces) = traces.as_array() else {
        return Ok(Vec::new());
    };
    Ok(traces
        .iter()
        .filter_map(|t| {
            let text = |key: &str| t.get(key).and_then(Value::as_str).unwrap_or("").to_string();
            let trace_id = text("traceID");
            (!trace_id.is_empty()).then(|| TraceSummaryRow {
                trace_id,
                root_service: text("rootServiceName"),
                root_name: text("rootTraceName"),
                start_ns: integer(t.get("startTimeUnixNano")).unwrap_or(0),
                duration_ns: (number(t.get("durationMs")).unwrap_or(0.0) * 1e6) as i64,
            })
        })
        .collect())
}

/// Tempo's tag names for autocompletion, scoped as TraceQL writes them (`resource.service.name`,
/// `span.http.method`; intrinsic ones bare), from `/api/v2/search/tags` (or v1's `tagNames`).
pub fn parse_tempo_tags(body: &str) -> Result<Vec<String>, String> {
    let value = json(body)?;
    let mut tags = Vec::new();
    if let Some(scopes) = value.get("scopes").and_then(Value::as_array) {
        for scope in scopes {
            let name = scope.get("name").and_then(Value::as_str).unwrap_or("");
            for tag in scope
                .get("tags")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(tag) = tag.as_str() {
                    tags.push(match name {
                        "intrinsic" | "" => tag.to_string(),
                        scope => format!("{scope}.{tag}"),
                    });
                }
            }
        }
    } else if let Some(names) = value.get("tagNames").and_then(Value::as_array) {
        tags.extend(names.iter().filter_map(Value::as_str).map(str::to_string));
    } else {
        return Err("the server's answer has no tag names".to_string());
    }
    tags.sort();
    tags.dedup();
    Ok(tags)
}

/// Dependency links: Jaeger `{"data":[{"parent","child","callCount"}]}` or Zipkin
/// `[{"parent","child","callCount","errorCount"}]`.
pub fn parse_dependencies(body: &str) -> Result<Vec<BackendDependency>, String> {
    let value = json(body)?;
    let list = match &value {
        Value::Array(items) => items,
        Value::Object(o) => match o.get("data") {
            Some(Value::Array(items)) => items,
            Some(Value::Null) => return Ok(Vec::new()),
            _ => return Err("the server's answer has no dependency list".to_string()),
        },
        _ => return Err("the server's answer has no dependency list".to_string()),
    };
    Ok(list
        .iter()
        .filter_map(|link| {
            let text = |key: &str| link.get(key).and_then(Value::as_str).map(str::to_string);
            Some(BackendDependency {
                parent: text("parent")?,
                child: text("child")?,
                calls: number(link.get("callCount")).unwrap_or(0.0) as u64,
                errors: number(link.get("errorCount")).unwrap_or(0.0) as u64,
            })
        })
        .collect())
}

/// True when a search or trace answer holds no trace, in each backend's empty shape: Zipkin
/// `[]`, Jaeger v1 `{"data":[]}` or `{"data":null}`, Jaeger v3 `{"result":{"resourceSpans":[]}}`.
pub fn is_empty_search(body: &str) -> bool {
    let Ok(value) = serde_json::from_str::<Value>(body) else {
        return false;
    };
    let empty = |v: Option<&Value>| {
        v.is_none_or(|v| v.is_null() || v.as_array().is_some_and(Vec::is_empty))
    };
    match &value {
        Value::Array(items) => items.is_empty(),
        Value::Object(o) if o.contains_key("data") => empty(o.get("data")),
        Value::Object(o) if o.contains_key("result") => {
            empty(o.get("result").and_then(|r| r.get("resourceSpans")))
        }
        _ => false,
    }
}

/// A sentence for a failed request: the HTTP status and what the server said (Jaeger v1's
/// `errors[].msg`, a gRPC gateway's `error.message` / `message`, or the start of a text body).
pub fn error_message(status: u16, body: &str) -> String {
    let said = serde_json::from_str::<Value>(body).ok().and_then(|v| {
        let jaeger = v
            .get("errors")
            .and_then(Value::as_array)
            .and_then(|errors| errors.first())
            .and_then(|e| e.get("msg"))
            .and_then(Value::as_str)
            .map(str::to_string);
        jaeger
            .or_else(|| {
                v.get("error")
                    .and_then(|e| e.get("message").or(Some(e)))
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .or_else(|| v.get("message").and_then(Value::as_str).map(str::to_string))
    });
    let said = said.unwrap_or_else(|| {
        let text: String = body.trim().chars().take(300).collect();
        text
    });
    let reason = match status {
        400 => "bad request",
        401 => "not authorised (check the token or user and password)",
        403 => "forbidden",
        404 => "not found",
        429 => "too many requests",
        500 => "server error",
        502 => "bad gateway",
        503 => "service unavailable",
        504 => "gateway timeout",
        _ => "",
    };
    let mut text = format!("HTTP {status}");
    if !reason.is_empty() {
        text.push_str(&format!(" ({reason})"));
    }
    if !said.is_empty() {
        text.push_str(&format!(": {said}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared(name: &str) -> String {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/jaeger-api")
            .join(name);
        std::fs::read_to_string(path).expect("fixture")
    }

    #[test]
    fn names_from_every_shape() {
        assert_eq!(
            parse_names(&shared("apiv3-snapshot-GetServices.json")),
            Ok(vec!["foo".to_string()])
        );
        assert_eq!(
            parse_names(&shared("apiv3-snapshot-GetOperations.json")),
            Ok(vec!["get_users".to_string()])
        );
        assert_eq!(
            parse_names(r#"{"data":["b","a","a"],"total":3,"limit":0,"offset":0,"errors":null}"#),
            Ok(vec!["a".to_string(), "b".to_string()])
        );
        assert_eq!(parse_names(r#"["x","y"]"#).map(|v| v.len()), Ok(2));
        assert_eq!(
            parse_names(r#"{"tagValues":[{"type":"string","value":"frontend"}]}"#),
            Ok(vec!["frontend".to_string()])
        );
        assert_eq!(parse_names(r#"{"data":null}"#), Ok(Vec::new()));
        assert!(parse_names("<html>").unwrap_err().contains("not JSON"));
        assert!(parse_names("").unwrap_err().contains("empty"));
        assert!(parse_names(r#"{"other":1}"#).is_err());
    }

    #[test]
    fn tempo_search_and_tags() {
        let body = r#"{"traces":[{"traceID":"2f3e0cee77ae5dc9c17ade3689eb2e54","rootServiceName":"shop-backend","rootTraceName":"update-billing","startTimeUnixNano":"1684778327699392724","durationMs":557,"spanSets":[]}],"metrics":{"inspectedBytes":"1"}}"#;
        let rows = parse_tempo_search(body).expect("parses");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].root_service, "shop-backend");
        assert_eq!(rows[0].duration_ns, 557_000_000);
        assert_eq!(rows[0].start_ns, 1_684_778_327_699_392_724);
        assert_eq!(parse_tempo_search(r#"{"traces":null}"#), Ok(Vec::new()));
        let tags = r#"{"scopes":[{"name":"resource","tags":["service.name"]},{"name":"span","tags":["http.method"]},{"name":"intrinsic","tags":["duration","name"]}]}"#;
        assert_eq!(
            parse_tempo_tags(tags).expect("parses"),
            vec![
                "duration",
                "name",
                "resource.service.name",
                "span.http.method"
            ]
        );
    }

    #[test]
    fn dependencies_from_jaeger_and_zipkin() {
        let jaeger = parse_dependencies(&format!(
            r#"{{"data":{}}}"#,
            shared("DependencyGraph-sample_data-small.json")
        ))
        .expect("parses");
        assert_eq!(jaeger.len(), 7);
        assert_eq!(jaeger[0].calls, 30489);
        let zipkin =
            parse_dependencies(r#"[{"parent":"a","child":"b","callCount":3,"errorCount":1}]"#)
                .expect("parses");
        assert_eq!((zipkin[0].calls, zipkin[0].errors), (3, 1));
    }

    #[test]
    fn empty_searches_in_every_shape() {
        for empty in [
            "[]",
            r#"{"data":[],"total":0}"#,
            r#"{"data":null}"#,
            r#"{"result":{"resourceSpans":[]}}"#,
        ] {
            assert!(is_empty_search(empty), "{empty}");
        }
        for full in [
            r#"[[{"id":"1"}]]"#,
            r#"{"data":[{"traceID":"a"}]}"#,
            r#"{"result":{"resourceSpans":[{}]}}"#,
            "<html>",
            r#"{"trace":{}}"#,
        ] {
            assert!(!is_empty_search(full), "{full}");
        }
    }

    #[test]
    fn errors_say_what_the_server_said() {
        assert_eq!(
            error_message(
                400,
                r#"{"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":400,"msg":"parameter 'service' is required"}]}"#
            ),
            "HTTP 400 (bad request): parameter 'service' is required"
        );
        assert_eq!(
            error_message(
                404,
                r#"{"error":{"httpCode":404,"message":"trace not found"}}"#
            ),
            "HTTP 404 (not found): trace not found"
        );
        assert_eq!(
            error_message(500, "upstream exploded\n"),
            "HTTP 500 (server error): upstream exploded"
        );
        assert_eq!(error_message(418, ""), "HTTP 418");
    }
}
