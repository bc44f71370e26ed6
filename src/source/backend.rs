//! HTTP to tracing backends (wasm32 only): sends the core's [`Request`]s with `gloo-net`, with a
//! time limit, and turns every way a request can fail into a sentence that says what to do.
use gloo_net::http::Request as HttpRequest;
use leptos::prelude::*;

use crate::core::backend::{
    dependencies_request, detect_requests, error_message, is_empty_search, normalize_base_url,
    operations_request, parse_dependencies, parse_names, parse_tempo_search, parse_tempo_tags,
    search_request, services_request, tag_values_request, tags_request, tempo_v1_trace_request,
    trace_request, Api, Auth, BackendDependency, BackendKind, Request, SearchQuery,
};
use crate::core::backend::{metrics_requests, MetricsCollector, MetricsWindow, OperationQuantiles};

/// Why a request got no usable answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// The browser could not reach the server or refused the answer (CORS).
    Network(String),
    /// No answer within the time limit.
    Timeout(u32),
    /// The server answered with an error status.
    Http {
        /// The status code.
        status: u16,
        /// What the server said (see [`error_message`]).
        message: String,
    },
}

impl FetchError {
    /// A sentence for people, naming the URL.
    pub fn describe(&self, url: &str) -> String {
        match self {
            FetchError::Network(detail) => format!(
                "Could not reach {url} ({detail}). Either the server is down or not at this address, \
                 or it does not allow requests from this page (CORS). {CORS_HELP}"
            ),
            FetchError::Timeout(seconds) => {
                format!("{url} did not answer within {seconds} s. Try again, or narrow the search (shorter time range, lower limit).")
            }
            FetchError::Http { message, .. } => format!("{url}: {message}"),
        }
    }
}

/// What to configure when the browser refuses a backend's answers.
pub const CORS_HELP: &str = "To allow it: for Jaeger, set the query service's CORS options \
(Jaeger v2: extensions.jaeger_query.http.cors.allowed_origins; v1: --query.additional-headers \
\"Access-Control-Allow-Origin: *\"); for Tempo, serve it behind a reverse proxy that adds \
Access-Control-Allow-Origin; for local use, run tracagg with `trunk serve` and a [[proxy]] entry \
(see Trunk.toml), then connect to the proxied path.";

/// Sends `request` and returns the body of a successful answer.
pub async fn fetch_text(request: &Request, timeout_s: u32) -> Result<String, FetchError> {
    let controller = web_sys::AbortController::new().ok();
    let timed_out = std::rc::Rc::new(std::cell::Cell::new(false));
    let timer = controller.clone().map(|controller| {
        let flag = timed_out.clone();
        set_timeout_with_handle(
            move || {
                flag.set(true);
                controller.abort();
            },
            std::time::Duration::from_secs(u64::from(timeout_s)),
        )
    });
    let mut builder = HttpRequest::get(&request.url);
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    let signal = controller.as_ref().map(web_sys::AbortController::signal);
    let result = builder.abort_signal(signal.as_ref()).send().await;
    if let Some(Ok(timer)) = timer {
        timer.clear();
    }
    let response = match result {
        Ok(response) => response,
        Err(_) if timed_out.get() => return Err(FetchError::Timeout(timeout_s)),
        Err(error) => return Err(FetchError::Network(network_detail(&error))),
    };
    let status = response.status();
    let body = match response.text().await {
        Ok(body) => body,
        Err(_) if timed_out.get() => return Err(FetchError::Timeout(timeout_s)),
        Err(error) => return Err(FetchError::Network(network_detail(&error))),
    };
    if (200..300).contains(&status) {
        Ok(body)
    } else {
        Err(FetchError::Http {
            status,
            message: error_message(status, &body),
        })
    }
}

/// The browser's own words for a failed fetch ("Failed to fetch"), without the error type.
fn network_detail(error: &gloo_net::Error) -> String {
    match error {
        gloo_net::Error::JsError(js) => js.message.clone(),
        other => other.to_string(),
    }
}

/// A backend the page is connected to.
#[derive(Debug, Clone, PartialEq)]
pub struct Connection {
    /// What the person chose.
    pub kind: BackendKind,
    /// What the server speaks.
    pub api: Api,
    /// Base URL, normalised.
    pub base: String,
    /// Credentials, if any.
    pub auth: Option<Auth>,
    /// Seconds to wait for an answer.
    pub timeout_s: u32,
}

/// Fetches `request` and describes any failure with its URL.
async fn get(request: &Request, timeout_s: u32) -> Result<String, String> {
    fetch_text(request, timeout_s)
        .await
        .map_err(|e| e.describe(&request.url))
}

/// Connects: finds the API (for Jaeger, v3 first, then v1) and returns the services.
pub async fn connect(
    kind: BackendKind,
    base: &str,
    auth: Option<Auth>,
    timeout_s: u32,
) -> Result<(Connection, Vec<String>), String> {
    crate::core::backend::check_address(base).map_err(|bad| bad.to_string())?;
    let base = normalize_base_url(base);
    let candidates = match kind {
        BackendKind::Jaeger => detect_requests(&base, auth.as_ref()),
        BackendKind::Tempo => vec![(
            Api::Tempo,
            services_request(Api::Tempo, &base, auth.as_ref()),
        )],
        BackendKind::Zipkin => vec![(
            Api::ZipkinV2,
            services_request(Api::ZipkinV2, &base, auth.as_ref()),
        )],
    };
    let mut last_error = String::from("no API to try");
    for (api, request) in candidates {
        match fetch_text(&request, timeout_s).await {
            Ok(body) => match parse_names(&body) {
                Ok(services) => {
                    let connection = Connection {
                        kind,
                        api,
                        base,
                        auth,
                        timeout_s,
                    };
                    return Ok((connection, services));
                }
                Err(error) => last_error = format!("{}: {error}", request.url),
            },
            // A network failure will not be different for the next path: report it now.
            Err(error @ (FetchError::Network(_) | FetchError::Timeout(_))) => {
                return Err(error.describe(&request.url));
            }
            Err(error) => last_error = error.describe(&request.url),
        }
    }
    Err(format!(
        "{last_error}. Is this a {} server? Give the address its UI or API is served at.",
        kind.label()
    ))
}

/// The operations of `service`.
pub async fn operations(connection: &Connection, service: &str) -> Result<Vec<String>, String> {
    let request = operations_request(
        connection.api,
        &connection.base,
        service,
        connection.auth.as_ref(),
    );
    let body = get(&request, connection.timeout_s).await?;
    parse_names(&body).map_err(|e| format!("{}: {e}", request.url))
}

/// What a search found: response bodies to load like files, each with a name for the load log.
pub async fn search(
    connection: &Connection,
    query: &SearchQuery,
) -> Result<Vec<(String, String)>, String> {
    let request = search_request(
        connection.api,
        &connection.base,
        query,
        connection.auth.as_ref(),
    );
    let body = match fetch_text(&request, connection.timeout_s).await {
        Ok(body) => body,
        // Jaeger v3 answers an empty search with 404.
        Err(FetchError::Http { status: 404, .. }) if connection.api == Api::JaegerV3 => {
            return Ok(Vec::new())
        }
        Err(error) => return Err(error.describe(&request.url)),
    };
    let label = format!("{} search", connection.api.label());
    if connection.api.search_returns_traces() {
        if is_empty_search(&body) {
            return Ok(Vec::new());
        }
        return Ok(vec![(label, body)]);
    }
    // Tempo: summaries first, then each trace.
    let found = parse_tempo_search(&body).map_err(|e| format!("{}: {e}", request.url))?;
    let mut bodies = Vec::new();
    for row in found.iter().take(query.limit.max(1)) {
        let body = trace_by_id(connection, &row.trace_id).await?;
        bodies.push((format!("{label}: trace {}", row.trace_id), body));
    }
    Ok(bodies)
}

/// One trace by its ID (the body to load like a file).
pub async fn trace_by_id(connection: &Connection, trace_id: &str) -> Result<String, String> {
    let request = trace_request(
        connection.api,
        &connection.base,
        trace_id,
        connection.auth.as_ref(),
    );
    let mut answer = fetch_text(&request, connection.timeout_s).await;
    // Tempo before its v2 API: the same trace at /api/traces/{id}.
    if connection.api == Api::Tempo && matches!(answer, Err(FetchError::Http { status: 404, .. })) {
        let older = tempo_v1_trace_request(&connection.base, trace_id, connection.auth.as_ref());
        if let Ok(body) = fetch_text(&older, connection.timeout_s).await {
            answer = Ok(body);
        }
    }
    match answer {
        Ok(body) if is_empty_search(&body) => {
            Err(format!("{}: trace {trace_id} was not found", request.url))
        }
        Ok(body) => Ok(body),
        Err(FetchError::Http { status: 404, .. }) => Err(format!(
            "{}: trace {trace_id} was not found (HTTP 404)",
            request.url
        )),
        Err(error) => Err(error.describe(&request.url)),
    }
}

/// The backend's own service dependencies over the last `lookback_ms`.
pub async fn backend_dependencies(
    connection: &Connection,
    lookback_ms: i64,
) -> Result<Vec<BackendDependency>, String> {
    let now_ms = js_sys::Date::now() as i64;
    let Some(request) = dependencies_request(
        connection.api,
        &connection.base,
        now_ms,
        lookback_ms,
        connection.auth.as_ref(),
    ) else {
        return Err(format!(
            "{} has no dependencies endpoint",
            connection.api.label()
        ));
    };
    let body = get(&request, connection.timeout_s).await?;
    parse_dependencies(&body).map_err(|e| format!("{}: {e}", request.url))
}

/// Tempo's tag names, for TraceQL autocompletion.
pub async fn tempo_tags(connection: &Connection) -> Result<Vec<String>, String> {
    let request = tags_request(&connection.base, connection.auth.as_ref());
    let body = get(&request, connection.timeout_s).await?;
    parse_tempo_tags(&body).map_err(|e| format!("{}: {e}", request.url))
}

/// Tempo's values of `tag`, for TraceQL autocompletion.
pub async fn tempo_tag_values(connection: &Connection, tag: &str) -> Result<Vec<String>, String> {
    let request = tag_values_request(&connection.base, tag, connection.auth.as_ref());
    let body = get(&request, connection.timeout_s).await?;
    parse_names(&body).map_err(|e| format!("{}: {e}", request.url))
}

/// The backend's latency quantiles (and error rates) per service and operation over
/// `window`: Tempo's TraceQL metrics (every service at once) or Jaeger's SPM (per service the
/// backend lists). Latency answers must come; call and error figures are optional (a backend
/// without them still gives a baseline).
pub async fn metrics_quantiles(
    connection: &Connection,
    services: &[String],
    window: MetricsWindow,
) -> Result<Vec<OperationQuantiles>, String> {
    let Some(requests) = metrics_requests(
        connection.api,
        &connection.base,
        services,
        window,
        connection.auth.as_ref(),
    ) else {
        return Err(format!(
            "{} has no metrics API: a baseline from metrics needs Tempo (TraceQL metrics) or Jaeger with SPM.",
            connection.api.label()
        ));
    };
    let mut collector = MetricsCollector::new();
    for (kind, service, request) in requests {
        let latency = matches!(kind, crate::core::backend::MetricKind::Latency(_));
        match get(&request, connection.timeout_s).await {
            Ok(body) => {
                if let Err(error) = collector.add(connection.api, kind, service.as_deref(), &body) {
                    if latency {
                        return Err(format!("{}: {error}", request.url));
                    }
                }
            }
            Err(error) if latency => return Err(error),
            Err(_) => {}
        }
    }
    let ops = collector.finish();
    if ops.is_empty() {
        return Err(
            "The backend's metrics have no latencies for that window: is its metrics store (Tempo's local blocks, Jaeger's SPM) enabled?".to_string()
        );
    }
    Ok(ops)
}
