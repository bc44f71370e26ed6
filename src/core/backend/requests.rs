//! The HTTP requests (GET URL and headers) each backend API needs: services, operations,
//! search, one trace, dependencies, and Tempo's tag autocompletion.
use base64::Engine;

use super::Api;
use crate::core::view_model::format_start_ns;

/// Credentials sent with every request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// HTTP basic authentication.
    Basic {
        /// User name.
        user: String,
        /// Password.
        password: String,
    },
    /// `Authorization: Bearer …`.
    Bearer(String),
}

impl Auth {
    /// The `Authorization` header's value.
    pub fn header_value(&self) -> String {
        match self {
            Auth::Basic { user, password } => format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
            ),
            Auth::Bearer(token) => format!("Bearer {}", token.trim()),
        }
    }
}

/// A GET request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Absolute URL.
    pub url: String,
    /// Headers (name, value).
    pub headers: Vec<(String, String)>,
}

impl Request {
    pub(super) fn get(base: &str, path_and_query: String, auth: Option<&Auth>) -> Self {
        let mut headers = vec![("Accept".to_string(), "application/json".to_string())];
        if let Some(auth) = auth {
            headers.push(("Authorization".to_string(), auth.header_value()));
        }
        Self {
            url: format!("{base}{path_and_query}"),
            headers,
        }
    }
}

/// What to search for. Times are microseconds since the epoch.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchQuery {
    /// Service name.
    pub service: Option<String>,
    /// Operation (span name).
    pub operation: Option<String>,
    /// Tags / attributes that must match (key, value).
    pub tags: Vec<(String, String)>,
    /// A TraceQL query (Tempo only; replaces service, operation and tags).
    pub traceql: Option<String>,
    /// Earliest start.
    pub start_us: i64,
    /// Latest start.
    pub end_us: i64,
    /// Shortest duration.
    pub min_duration_us: Option<i64>,
    /// Longest duration.
    pub max_duration_us: Option<i64>,
    /// Most traces to return.
    pub limit: usize,
}

impl SearchQuery {
    /// Reads `key=value` pairs separated by spaces (values may be quoted: `http.url="/a b"`).
    pub fn parse_tags(text: &str) -> Result<Vec<(String, String)>, String> {
        let mut pairs = Vec::new();
        let tokens = crate::core::view_model::trace::search::split_terms(text);
        for token in tokens {
            match token.split_once('=') {
                Some((key, value)) if !key.is_empty() => {
                    pairs.push((key.to_string(), value.to_string()));
                }
                _ => return Err(format!("“{token}” is not key=value")),
            }
        }
        Ok(pairs)
    }
}

/// A duration typed by a person (`250us`, `1.5ms`, `2s`, `1m`; a bare number is ms) in µs.
pub fn parse_duration_us(text: &str) -> Result<i64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("“{text}” is not a duration (try 250ms or 1.5s)"))?;
    let factor = match unit.trim() {
        "us" | "µs" => 1.0,
        "" | "ms" => 1e3,
        "s" => 1e6,
        "m" | "min" => 60e6,
        "h" => 3600e6,
        other => {
            return Err(format!(
                "unknown unit “{other}” in “{text}” (use us, ms, s, m or h)"
            ))
        }
    };
    Ok((value * factor).round() as i64)
}

/// `text` as one percent-encoded path segment.
fn segment(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

pub(super) fn query(pairs: &[(&str, String)]) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (key, value) in pairs {
        out.append_pair(key, value);
    }
    out.finish()
}

/// An RFC 3339 time for `µs` since the epoch: `2018-11-19T22:27:32.979000Z`.
fn rfc3339(us: i64) -> String {
    // format_start_ns: "2018-11-19 22:27:32.979 UTC" (millisecond precision).
    let text = format_start_ns(us.saturating_mul(1000));
    let micros = us.rem_euclid(1000);
    format!(
        "{}T{}{micros:03}Z",
        text.get(0..10).unwrap_or_default(),
        text.get(11..23).unwrap_or_default()
    )
}

/// A protobuf JSON duration for µs: `0.250000s`.
fn proto_duration(us: i64) -> String {
    format!("{}.{:06}s", us / 1_000_000, us % 1_000_000)
}

/// The requests that tell which Jaeger API a server speaks, in the order to try them.
pub fn detect_requests(base: &str, auth: Option<&Auth>) -> Vec<(Api, Request)> {
    vec![
        (
            Api::JaegerV3,
            Request::get(base, "/api/v3/services".into(), auth),
        ),
        (
            Api::JaegerV1,
            Request::get(base, "/api/services".into(), auth),
        ),
    ]
}

/// The list of services.
pub fn services_request(api: Api, base: &str, auth: Option<&Auth>) -> Request {
    let path = match api {
        Api::JaegerV1 => "/api/services".to_string(),
        Api::JaegerV3 => "/api/v3/services".to_string(),
        Api::Tempo => "/api/v2/search/tag/resource.service.name/values".to_string(),
        Api::ZipkinV2 => "/api/v2/services".to_string(),
    };
    Request::get(base, path, auth)
}

/// The operations of `service`.
pub fn operations_request(api: Api, base: &str, service: &str, auth: Option<&Auth>) -> Request {
    let path = match api {
        Api::JaegerV1 => format!("/api/services/{}/operations", segment(service)),
        Api::JaegerV3 => format!(
            "/api/v3/operations?{}",
            query(&[("service", service.into())])
        ),
        Api::Tempo => format!(
            "/api/v2/search/tag/name/values?{}",
            query(&[(
                "q",
                format!("{{resource.service.name=\"{}\"}}", traceql_escape(service))
            )])
        ),
        Api::ZipkinV2 => format!(
            "/api/v2/spans?{}",
            query(&[("serviceName", service.into())])
        ),
    };
    Request::get(base, path, auth)
}

/// A string inside TraceQL double quotes.
fn traceql_escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// The TraceQL that a form's service, operation and tags mean (for Tempo without a typed query).
fn traceql_of(q: &SearchQuery) -> String {
    let mut conditions = Vec::new();
    if let Some(service) = &q.service {
        conditions.push(format!(
            "resource.service.name = \"{}\"",
            traceql_escape(service)
        ));
    }
    if let Some(operation) = &q.operation {
        conditions.push(format!("name = \"{}\"", traceql_escape(operation)));
    }
    for (key, value) in &q.tags {
        let key = if key.starts_with('.')
            || key.contains(':')
            || key.starts_with("span.")
            || key.starts_with("resource.")
        {
            key.clone()
        } else {
            format!(".{key}")
        };
        conditions.push(format!("{key} = \"{}\"", traceql_escape(value)));
    }
    if conditions.is_empty() {
        "{}".to_string()
    } else {
        format!("{{ {} }}", conditions.join(" && "))
    }
}

/// A search.
pub fn search_request(api: Api, base: &str, q: &SearchQuery, auth: Option<&Auth>) -> Request {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    let path = match api {
        Api::JaegerV1 => {
            pairs.push(("service", q.service.clone().unwrap_or_default()));
            if let Some(op) = &q.operation {
                pairs.push(("operation", op.clone()));
            }
            if !q.tags.is_empty() {
                let tags: serde_json::Map<String, serde_json::Value> = q
                    .tags
                    .iter()
                    .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                    .collect();
                pairs.push(("tags", serde_json::Value::Object(tags).to_string()));
            }
            pairs.push(("start", q.start_us.to_string()));
            pairs.push(("end", q.end_us.to_string()));
            if let Some(min) = q.min_duration_us {
                pairs.push(("minDuration", format!("{min}us")));
            }
            if let Some(max) = q.max_duration_us {
                pairs.push(("maxDuration", format!("{max}us")));
            }
            pairs.push(("limit", q.limit.to_string()));
            "/api/traces"
        }
        Api::JaegerV3 => {
            if let Some(service) = &q.service {
                pairs.push(("query.service_name", service.clone()));
            }
            if let Some(op) = &q.operation {
                pairs.push(("query.operation_name", op.clone()));
            }
            let attributes: Vec<(String, String)> = q
                .tags
                .iter()
                .map(|(k, v)| (format!("query.attributes[{k}]"), v.clone()))
                .collect();
            pairs.push(("query.start_time_min", rfc3339(q.start_us)));
            pairs.push(("query.start_time_max", rfc3339(q.end_us)));
            if let Some(min) = q.min_duration_us {
                pairs.push(("query.duration_min", proto_duration(min)));
            }
            if let Some(max) = q.max_duration_us {
                pairs.push(("query.duration_max", proto_duration(max)));
            }
            pairs.push(("query.num_traces", q.limit.to_string()));
            let mut text = query(&pairs);
            for (key, value) in attributes {
                text.push('&');
                text.push_str(&query(&[(key.as_str(), value)]));
            }
            return Request::get(base, format!("/api/v3/traces?{text}"), auth);
        }
        Api::Tempo => {
            let traceql = q
                .traceql
                .clone()
                .filter(|t| !t.trim().is_empty())
                .unwrap_or_else(|| traceql_of(q));
            pairs.push(("q", traceql));
            pairs.push(("start", (q.start_us / 1_000_000).to_string()));
            pairs.push(("end", (q.end_us / 1_000_000 + 1).to_string()));
            if let Some(min) = q.min_duration_us {
                pairs.push(("minDuration", format!("{min}us")));
            }
            if let Some(max) = q.max_duration_us {
                pairs.push(("maxDuration", format!("{max}us")));
            }
            pairs.push(("limit", q.limit.to_string()));
            "/api/search"
        }
        Api::ZipkinV2 => {
            if let Some(service) = &q.service {
                pairs.push(("serviceName", service.clone()));
            }
            if let Some(op) = &q.operation {
                pairs.push(("spanName", op.clone()));
            }
            if !q.tags.is_empty() {
                let terms: Vec<String> = q.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
                pairs.push(("annotationQuery", terms.join(" and ")));
            }
            if let Some(min) = q.min_duration_us {
                pairs.push(("minDuration", min.to_string()));
            }
            if let Some(max) = q.max_duration_us {
                pairs.push(("maxDuration", max.to_string()));
            }
            pairs.push(("endTs", (q.end_us / 1000).to_string()));
            pairs.push((
                "lookback",
                ((q.end_us - q.start_us).max(0) / 1000).to_string(),
            ));
            pairs.push(("limit", q.limit.to_string()));
            "/api/v2/traces"
        }
    };
    Request::get(base, format!("{path}?{}", query(&pairs)), auth)
}

/// One trace by ID.
pub fn trace_request(api: Api, base: &str, trace_id: &str, auth: Option<&Auth>) -> Request {
    let id = segment(trace_id.trim());
    let path = match api {
        Api::JaegerV1 => format!("/api/traces/{id}"),
        Api::JaegerV3 => format!("/api/v3/traces/{id}"),
        Api::Tempo => format!("/api/v2/traces/{id}"),
        Api::ZipkinV2 => format!("/api/v2/trace/{id}"),
    };
    Request::get(base, path, auth)
}

/// Tempo's older `/api/traces/{id}` (OTLP `batches`), for servers without `/api/v2/traces`.
pub fn tempo_v1_trace_request(base: &str, trace_id: &str, auth: Option<&Auth>) -> Request {
    Request::get(
        base,
        format!("/api/traces/{}", segment(trace_id.trim())),
        auth,
    )
}

/// Service dependencies over `lookback_ms` up to `end_ms` (None where the API has none).
pub fn dependencies_request(
    api: Api,
    base: &str,
    end_ms: i64,
    lookback_ms: i64,
    auth: Option<&Auth>,
) -> Option<Request> {
    let pairs = [
        ("endTs", end_ms.to_string()),
        ("lookback", lookback_ms.to_string()),
    ];
    let path = match api {
        Api::JaegerV1 => "/api/dependencies",
        Api::ZipkinV2 => "/api/v2/dependencies",
        Api::JaegerV3 | Api::Tempo => return None,
    };
    Some(Request::get(
        base,
        format!("{path}?{}", query(&pairs)),
        auth,
    ))
}

/// Tempo's tag names (for autocompletion).
pub fn tags_request(base: &str, auth: Option<&Auth>) -> Request {
    Request::get(base, "/api/v2/search/tags".into(), auth)
}

/// Tempo's values of one tag (for autocompletion).
pub fn tag_values_request(base: &str, tag: &str, auth: Option<&Auth>) -> Request {
    Request::get(
        base,
        format!("/api/v2/search/tag/{}/values", segment(tag)),
        auth,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "http://localhost:16686";

    fn query_of(url: &str) -> Vec<(String, String)> {
        let (_, q) = url.split_once('?').expect("query");
        form_urlencoded::parse(q.as_bytes()).into_owned().collect()
    }

    fn sample() -> SearchQuery {
        SearchQuery {
            service: Some("front end".into()),
            operation: Some("GET /x".into()),
            tags: vec![("http.status_code".into(), "500".into())],
            traceql: None,
            start_us: 1_700_000_000_000_000,
            end_us: 1_700_000_900_000_000,
            min_duration_us: Some(250_000),
            max_duration_us: None,
            limit: 20,
        }
    }

    #[test]
    fn jaeger_v1_search_has_its_parameters() {
        let r = search_request(Api::JaegerV1, BASE, &sample(), None);
        assert!(r.url.starts_with("http://localhost:16686/api/traces?"));
        let q = query_of(&r.url);
        let get = |k: &str| q.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
        assert_eq!(get("service"), Some("front end"));
        assert_eq!(get("operation"), Some("GET /x"));
        assert_eq!(get("tags"), Some(r#"{"http.status_code":"500"}"#));
        assert_eq!(get("start"), Some("1700000000000000"));
        assert_eq!(get("minDuration"), Some("250000us"));
        assert_eq!(get("maxDuration"), None);
        assert_eq!(get("limit"), Some("20"));
        assert_eq!(r.headers[0], ("Accept".into(), "application/json".into()));
    }

    #[test]
    fn jaeger_v3_search_uses_query_fields() {
        let r = search_request(Api::JaegerV3, BASE, &sample(), None);
        let q = query_of(&r.url);
        let get = |k: &str| q.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
        assert_eq!(get("query.service_name"), Some("front end"));
        assert_eq!(
            get("query.start_time_min"),
            Some("2023-11-14T22:13:20.000000Z")
        );
        assert_eq!(get("query.duration_min"), Some("0.250000s"));
        assert_eq!(get("query.num_traces"), Some("20"));
        assert_eq!(get("query.attributes[http.status_code]"), Some("500"));
    }

    #[test]
    fn tempo_search_builds_traceql_unless_given() {
        let r = search_request(Api::Tempo, BASE, &sample(), None);
        let q = query_of(&r.url);
        let get = |k: &str| q.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
        assert_eq!(
            get("q"),
            Some(
                r#"{ resource.service.name = "front end" && name = "GET /x" && .http.status_code = "500" }"#
            )
        );
        assert_eq!(get("start"), Some("1700000000"));
        assert_eq!(get("end"), Some("1700000901"));
        let typed = SearchQuery {
            traceql: Some("{ status = error }".into()),
            ..sample()
        };
        let q = query_of(&search_request(Api::Tempo, BASE, &typed, None).url);
        assert!(q.contains(&("q".into(), "{ status = error }".into())));
    }

    #[test]
    fn zipkin_search_uses_millis_and_annotation_query() {
        let r = search_request(Api::ZipkinV2, BASE, &sample(), None);
        let q = query_of(&r.url);
        let get = |k: &str| q.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
        assert_eq!(get("serviceName"), Some("front end"));
        assert_eq!(get("spanName"), Some("GET /x"));
        assert_eq!(get("annotationQuery"), Some("http.status_code=500"));
        assert_eq!(get("endTs"), Some("1700000900000"));
        assert_eq!(get("lookback"), Some("900000"));
        assert_eq!(get("minDuration"), Some("250000"));
    }

    #[test]
    fn paths_encode_names_and_ids() {
        assert_eq!(
            operations_request(Api::JaegerV1, BASE, "a b/c", None).url,
            "http://localhost:16686/api/services/a%20b%2Fc/operations"
        );
        assert_eq!(
            trace_request(Api::Tempo, BASE, " abc123 ", None).url,
            "http://localhost:16686/api/v2/traces/abc123"
        );
        assert_eq!(
            tempo_v1_trace_request(BASE, "abc", None).url,
            "http://localhost:16686/api/traces/abc"
        );
        assert_eq!(
            trace_request(Api::ZipkinV2, BASE, "abc", None).url,
            "http://localhost:16686/api/v2/trace/abc"
        );
        assert!(dependencies_request(Api::Tempo, BASE, 1, 2, None).is_none());
        assert_eq!(
            dependencies_request(Api::JaegerV1, BASE, 1000, 3600, None)
                .map(|r| r.url)
                .as_deref(),
            Some("http://localhost:16686/api/dependencies?endTs=1000&lookback=3600")
        );
    }

    #[test]
    fn auth_headers() {
        let basic = Auth::Basic {
            user: "u".into(),
            password: "p".into(),
        };
        assert_eq!(basic.header_value(), "Basic dTpw");
        let r = services_request(Api::Tempo, BASE, Some(&Auth::Bearer("t0k".into())));
        assert!(r
            .headers
            .contains(&("Authorization".into(), "Bearer t0k".into())));
    }

    #[test]
    fn durations_and_tags_from_forms() {
        assert_eq!(parse_duration_us("250ms"), Ok(250_000));
        assert_eq!(parse_duration_us("1.5s"), Ok(1_500_000));
        assert_eq!(parse_duration_us("40us"), Ok(40));
        assert_eq!(parse_duration_us("12"), Ok(12_000));
        assert!(parse_duration_us("fast").is_err());
        assert!(parse_duration_us("3 weeks").is_err());
        assert_eq!(
            SearchQuery::parse_tags(r#"error=true http.url="/a b""#),
            Ok(vec![
                ("error".into(), "true".into()),
                ("http.url".into(), "/a b".into())
            ])
        );
        assert!(SearchQuery::parse_tags("oops").is_err());
    }
}
