//! Live tracing backends, without any I/O: which backend speaks which API, the requests a
//! search or a trace lookup becomes, and what their responses mean. `source::backend` sends
//! the requests; traces in responses are parsed by `format` like dropped files.
//!
//! | backend | services | operations | search | trace | dependencies |
//! |---|---|---|---|---|---|
//! | Jaeger v1 | `/api/services` | `/api/services/{s}/operations` | `/api/traces?…` (full traces) | `/api/traces/{id}` | `/api/dependencies` |
//! | Jaeger v3 | `/api/v3/services` | `/api/v3/operations?service=` | `/api/v3/traces?query.…` (OTLP) | `/api/v3/traces/{id}` | — |
//! | Tempo | `/api/v2/search/tag/resource.service.name/values` | `/api/v2/search/tag/name/values` | `/api/search?…` (summaries) | `/api/v2/traces/{id}` | — |
//! | Zipkin v2 | `/api/v2/services` | `/api/v2/spans?serviceName=` | `/api/v2/traces?…` (full traces) | `/api/v2/trace/{id}` | `/api/v2/dependencies` |
mod credentials;
mod metrics;
mod requests;
mod responses;

use crate::core::model::TraceSet;
use crate::core::view_model::TraceSummary;

pub use credentials::{
    check_address, link_connect, origin_of, same_origin, BadAddress, LinkConnect,
};
pub use metrics::{
    metrics_requests, MetricKind, MetricsCollector, MetricsRequest, MetricsWindow,
    OperationQuantiles, Quantile, MAX_SPM_SERVICES,
};
pub use requests::{
    dependencies_request, detect_requests, operations_request, parse_duration_us, search_request,
    services_request, tag_values_request, tags_request, tempo_v1_trace_request, trace_request,
    Auth, Request, SearchQuery,
};
pub use responses::{
    error_message, is_empty_search, parse_dependencies, parse_names, parse_tempo_search,
    parse_tempo_tags, BackendDependency, TraceSummaryRow,
};

/// The kinds of backend a person can connect to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    /// Jaeger; which API (v1 or v3) is found by [`detect_requests`].
    Jaeger,
    /// Grafana Tempo.
    Tempo,
    /// Zipkin (API v2).
    Zipkin,
}

impl BackendKind {
    /// Every kind, for the connect form.
    pub const ALL: [BackendKind; 3] =
        [BackendKind::Jaeger, BackendKind::Tempo, BackendKind::Zipkin];

    /// Its name in forms, storage and the address bar.
    pub fn as_str(self) -> &'static str {
        match self {
            BackendKind::Jaeger => "jaeger",
            BackendKind::Tempo => "tempo",
            BackendKind::Zipkin => "zipkin",
        }
    }

    /// The kind named `name` (as [`Self::as_str`] writes it).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Where a local install listens by default (the form's first suggestion).
    pub fn default_url(self) -> &'static str {
        match self {
            BackendKind::Jaeger => "http://localhost:16686",
            BackendKind::Tempo => "http://localhost:3200",
            BackendKind::Zipkin => "http://localhost:9411",
        }
    }

    /// What people call it.
    pub fn label(self) -> &'static str {
        match self {
            BackendKind::Jaeger => "Jaeger",
            BackendKind::Tempo => "Grafana Tempo",
            BackendKind::Zipkin => "Zipkin",
        }
    }
}

/// The API a connected backend speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// Jaeger's original HTTP API (`/api/…`).
    JaegerV1,
    /// Jaeger's `/api/v3` (OTLP JSON).
    JaegerV3,
    /// Tempo's HTTP API.
    Tempo,
    /// Zipkin's `/api/v2`.
    ZipkinV2,
}

impl Api {
    /// For the status line: "Jaeger API v3".
    pub fn label(self) -> &'static str {
        match self {
            Api::JaegerV1 => "Jaeger API v1",
            Api::JaegerV3 => "Jaeger API v3",
            Api::Tempo => "Tempo API",
            Api::ZipkinV2 => "Zipkin API v2",
        }
    }

    /// True when a search returns whole traces (else summaries, fetched one by one).
    pub fn search_returns_traces(self) -> bool {
        !matches!(self, Api::Tempo)
    }

    /// True when the backend reports service dependencies itself.
    pub fn has_dependencies(self) -> bool {
        matches!(self, Api::JaegerV1 | Api::ZipkinV2)
    }
}

/// `base` without trailing slashes, with a scheme (`http://` when none is given).
pub fn normalize_base_url(base: &str) -> String {
    let trimmed = base.trim().trim_end_matches('/');
    if trimmed.contains("://") {
        trimmed.to_string()
    } else {
        format!("http://{trimmed}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_urls_normalize() {
        for kind in BackendKind::ALL {
            assert_eq!(BackendKind::from_name(kind.as_str()), Some(kind));
        }
        assert_eq!(BackendKind::from_name("x"), None);
        assert_eq!(BackendKind::Tempo.default_url(), "http://localhost:3200");
        assert_eq!(
            normalize_base_url(" localhost:16686/ "),
            "http://localhost:16686"
        );
        assert_eq!(
            normalize_base_url("https://tempo.example/prefix//"),
            "https://tempo.example/prefix"
        );
        assert!(Api::JaegerV1.search_returns_traces());
        assert!(!Api::Tempo.search_returns_traces());
    }
}

/// Found traces as a person wants to see them after a search or an alert: those with errors
/// first, then the slowest. IDs that are not loaded are left out.
pub fn rank_found(set: &TraceSet, trace_ids: &[String]) -> Vec<TraceSummary> {
    let mut seen = std::collections::HashSet::new();
    let mut rows: Vec<TraceSummary> = trace_ids
        .iter()
        .filter_map(|id| set.get(id))
        .filter(|t| seen.insert(t.trace_id.clone()))
        .map(|t| TraceSummary::of(t))
        .collect();
    rows.sort_by(|a, b| {
        (b.error_count > 0)
            .cmp(&(a.error_count > 0))
            .then(b.duration_ns.cmp(&a.duration_ns))
    });
    rows
}

#[cfg(test)]
mod ranking_tests {
    use super::*;

    #[test]
    fn errors_first_then_slowest() {
        let mut set = TraceSet::new();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let mut ids = Vec::new();
        for file in [
            "zipkin/yelp.json",
            "otlp/api-v3-getTrace-response.json",
            "zipkin/skew.json",
        ] {
            let bytes = std::fs::read(root.join(file)).expect("fixture");
            let (_, found) =
                crate::core::load::load_into_with_ids(&mut set, file, &bytes).expect("loads");
            ids.extend(found);
        }
        ids.push("not-loaded".into());
        let rows = rank_found(&set, &ids);
        assert_eq!(rows.len(), 3);
        assert!(rows[0].error_count > 0, "HotROD has errors");
        assert!(rows[1].duration_ns >= rows[2].duration_ns);
    }
}
