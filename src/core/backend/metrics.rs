//! Baselines from the backend's own metrics, for systems with far too many traces to load: the
//! backend's distributed store computes latency quantiles per operation and the page only
//! reads them.
//!
//! - Tempo (TraceQL metrics, `/api/metrics/query_range`), every service at once:
//!   `{} | quantile_over_time(duration, .5, .95, .99) by (resource.service.name, name)` and
//!   `{status=error} | rate() by (resource.service.name, name)` over
//!   `{} | rate() by (resource.service.name, name)`. Series come as
//!   `{"series": [{"labels": [{"key", "value": {"stringValue" | "doubleValue" | …}}],
//!   "samples": [{"timestampMs", "value"}]}]}`; quantile series carry the quantile in a `p`
//!   label; durations are seconds.
//! - Jaeger SPM (`/api/metrics/latencies`, `/calls`, `/errors`): per service (the ones the
//!   backend lists, at most [`MAX_SPM_SERVICES`]) and quantile, grouped by operation, `{"metrics": [{"labels": [{"name", "value"}], "metricPoints": [{"gaugeValue":
//!   {"doubleValue"}, "timestamp"}]}]}`; latencies are milliseconds, errors a ratio (0–1).
//!
//! The step is the whole window, so each series has one point; with several, their median
//! is taken.
use super::requests::{query, Auth, Request};
use super::Api;
use serde_json::Value;
use std::collections::BTreeMap;

/// One operation's figures from the backend's metrics.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OperationQuantiles {
    /// The service.
    pub service: String,
    /// The operation (span name).
    pub operation: String,
    /// Median duration, ns.
    pub p50_ns: f64,
    /// 95th percentile, ns.
    pub p95_ns: f64,
    /// 99th percentile, ns.
    pub p99_ns: f64,
    /// Share of failed calls (0–1), when the backend told.
    pub error_rate: Option<f64>,
    /// Calls per second over the window, when the backend told.
    pub calls_per_s: Option<f64>,
}

/// Which metric one request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricKind {
    /// Latency quantiles (all three at once on Tempo, one per request on Jaeger).
    Latency(Quantile),
    /// The call rate.
    Calls,
    /// Failed calls: a rate (Tempo) or a ratio (Jaeger).
    Errors,
}

/// The three quantiles a metrics baseline holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantile {
    /// Tempo answers all three in one request.
    All,
    /// p50.
    P50,
    /// p95.
    P95,
    /// p99.
    P99,
}

/// The window the metrics cover: seconds since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricsWindow {
    /// Start.
    pub start_s: i64,
    /// End.
    pub end_s: i64,
}

impl MetricsWindow {
    fn seconds(self) -> i64 {
        self.end_s.saturating_sub(self.start_s).max(1)
    }
}

/// Services asked of Jaeger SPM (five requests each).
pub const MAX_SPM_SERVICES: usize = 40;

/// One request of a metrics baseline: what it asks for, for which service (Jaeger asks per
/// service; Tempo's answers name theirs), and the request.
pub type MetricsRequest = (MetricKind, Option<String>, Request);

/// The requests for a metrics baseline of `services` over `window` (every service of the
/// backend: a trace crosses many); `None` for APIs without metrics (Jaeger v3, Zipkin).
pub fn metrics_requests(
    api: Api,
    base: &str,
    services: &[String],
    window: MetricsWindow,
    auth: Option<&Auth>,
) -> Option<Vec<MetricsRequest>> {
    match api {
        Api::Tempo => {
            let range = |q: String| {
                Request::get(
                    base,
                    format!(
                        "/api/metrics/query_range?{}",
                        query(&[
                            ("q", q),
                            ("start", window.start_s.to_string()),
                            ("end", window.end_s.to_string()),
                            ("step", format!("{}s", window.seconds())),
                        ])
                    ),
                    auth,
                )
            };
            let by = "by (resource.service.name, name)";
            Some(vec![
                (
                    MetricKind::Latency(Quantile::All),
                    None,
                    range(format!(
                        "{{}} | quantile_over_time(duration, .5, .95, .99) {by}"
                    )),
                ),
                (
                    MetricKind::Calls,
                    None,
                    range(format!("{{}} | rate() {by}")),
                ),
                (
                    MetricKind::Errors,
                    None,
                    range(format!("{{status=error}} | rate() {by}")),
                ),
            ])
        }
        Api::JaegerV1 => {
            let seconds = window.seconds();
            let spm = |service: &str, path: &str, extra: Option<(&str, String)>| {
                let mut pairs = vec![
                    ("service", service.to_string()),
                    ("groupByOperation", "true".to_string()),
                    ("endTs", window.end_s.saturating_mul(1000).to_string()),
                    ("lookback", seconds.saturating_mul(1000).to_string()),
                    ("step", seconds.saturating_mul(1000).to_string()),
                    ("ratePer", "1000".to_string()),
                ];
                pairs.extend(extra);
                Request::get(base, format!("/api/metrics/{path}?{}", query(&pairs)), auth)
            };
            let mut requests = Vec::new();
            for service in services.iter().take(MAX_SPM_SERVICES) {
                let name = Some(service.clone());
                for (q, text) in [
                    (Quantile::P50, "0.5"),
                    (Quantile::P95, "0.95"),
                    (Quantile::P99, "0.99"),
                ] {
                    requests.push((
                        MetricKind::Latency(q),
                        name.clone(),
                        spm(service, "latencies", Some(("quantile", text.to_string()))),
                    ));
                }
                requests.push((MetricKind::Calls, name.clone(), spm(service, "calls", None)));
                requests.push((MetricKind::Errors, name, spm(service, "errors", None)));
            }
            Some(requests)
        }
        Api::JaegerV3 | Api::ZipkinV2 => None,
    }
}

/// One series: its labels and the median of its values.
#[derive(Debug, Clone, PartialEq)]
struct Series {
    labels: BTreeMap<String, String>,
    value: f64,
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    values.retain(|v| v.is_finite());
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => values.get(n / 2).copied(),
        _ => Some((values.get(n / 2 - 1)? + values.get(n / 2)?) / 2.0),
    }
}

/// A JSON number or numeric string.
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// An OTLP-style `AnyValue` (`{"stringValue": …}`, `{"doubleValue": …}`) or a plain value.
fn any_value_text(v: &Value) -> String {
    match v {
        Value::Object(map) => map
            .values()
            .next()
            .map(|inner| match inner {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .unwrap_or_default(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn parse_tempo(body: &str) -> Result<Vec<Series>, String> {
    let doc: Value =
        serde_json::from_str(body).map_err(|e| format!("the metrics answer is not JSON: {e}"))?;
    let series = doc
        .get("series")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    Ok(series
        .iter()
        .filter_map(|s| {
            let labels = s
                .get("labels")
                .and_then(Value::as_array)
                .map(|labels| {
                    labels
                        .iter()
                        .filter_map(|l| {
                            Some((
                                l.get("key")?.as_str()?.to_string(),
                                any_value_text(l.get("value")?),
                            ))
                        })
                        .collect()
                })
                .unwrap_or_default();
            let values = s
                .get("samples")
                .and_then(Value::as_array)
                .map(|samples| {
                    samples
                        .iter()
                        .filter_map(|p| number(p.get("value")?))
                        .collect()
                })
                .unwrap_or_default();
            Some(Series {
                labels,
                value: median(values)?,
            })
        })
        .collect())
}

fn parse_jaeger(body: &str) -> Result<Vec<Series>, String> {
    let doc: Value =
        serde_json::from_str(body).map_err(|e| format!("the metrics answer is not JSON: {e}"))?;
    let metrics = doc
        .get("metrics")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    Ok(metrics
        .iter()
        .filter_map(|m| {
            let labels = m
                .get("labels")
                .and_then(Value::as_array)
                .map(|labels| {
                    labels
                        .iter()
                        .filter_map(|l| {
                            Some((
                                l.get("name")?.as_str()?.to_string(),
                                l.get("value")?.as_str()?.to_string(),
                            ))
                        })
                        .collect()
                })
                .unwrap_or_default();
            let values = m
                .get("metricPoints")
                .and_then(Value::as_array)
                .map(|points| {
                    points
                        .iter()
                        .filter_map(|p| number(p.get("gaugeValue")?.get("doubleValue")?))
                        .collect()
                })
                .unwrap_or_default();
            Some(Series {
                labels,
                value: median(values)?,
            })
        })
        .collect())
}

/// Collects the answers of [`metrics_requests`] into per-operation figures.
#[derive(Debug, Default)]
pub struct MetricsCollector {
    ops: BTreeMap<(String, String), OperationQuantiles>,
    error_rates: BTreeMap<(String, String), f64>,
}

impl MetricsCollector {
    /// No figures yet.
    pub fn new() -> Self {
        Self::default()
    }

    fn op(&mut self, service: &str, operation: &str) -> &mut OperationQuantiles {
        self.ops
            .entry((service.to_string(), operation.to_string()))
            .or_insert_with(|| OperationQuantiles {
                service: service.to_string(),
                operation: operation.to_string(),
                ..OperationQuantiles::default()
            })
    }

    /// Reads one answer of `api` for `kind` (about `service` when the request named one). An
    /// answer that is not the expected JSON is an error saying so.
    pub fn add(
        &mut self,
        api: Api,
        kind: MetricKind,
        service: Option<&str>,
        body: &str,
    ) -> Result<(), String> {
        let series = match api {
            Api::Tempo => parse_tempo(body)?,
            _ => parse_jaeger(body)?,
        };
        for s in series {
            let operation = s
                .labels
                .get("name")
                .or_else(|| s.labels.get("operation"))
                .cloned()
                .unwrap_or_default();
            let service = s
                .labels
                .get("resource.service.name")
                .or_else(|| s.labels.get("service_name"))
                .map(String::as_str)
                .or(service)
                .unwrap_or_default()
                .to_string();
            if operation.is_empty() {
                continue;
            }
            // Tempo: seconds; Jaeger SPM: milliseconds.
            let to_ns = if api == Api::Tempo { 1e9 } else { 1e6 };
            match kind {
                MetricKind::Latency(q) => {
                    let q = match q {
                        Quantile::All => {
                            match s.labels.get("p").and_then(|p| p.parse::<f64>().ok()) {
                                Some(p) if (p - 0.5).abs() < 1e-6 => Quantile::P50,
                                Some(p) if (p - 0.95).abs() < 1e-6 => Quantile::P95,
                                Some(p) if (p - 0.99).abs() < 1e-6 => Quantile::P99,
                                _ => continue,
                            }
                        }
                        other => other,
                    };
                    let ns = s.value * to_ns;
                    let op = self.op(&service, &operation);
                    match q {
                        Quantile::P50 => op.p50_ns = ns,
                        Quantile::P95 => op.p95_ns = ns,
                        Quantile::P99 => op.p99_ns = ns,
                        Quantile::All => {}
                    }
                }
                MetricKind::Calls => self.op(&service, &operation).calls_per_s = Some(s.value),
                MetricKind::Errors => {
                    if api == Api::Tempo {
                        // A rate of failed spans: divided by the call rate in `finish`.
                        self.error_rates.insert((service, operation), s.value);
                    } else {
                        self.op(&service, &operation).error_rate = Some(s.value.clamp(0.0, 1.0));
                    }
                }
            }
        }
        Ok(())
    }

    /// The operations with latency quantiles, by name. Quantiles are made monotone
    /// (p50 ≤ p95 ≤ p99), as merged estimates sometimes are not.
    pub fn finish(self) -> Vec<OperationQuantiles> {
        let Self {
            ops, error_rates, ..
        } = self;
        ops.into_values()
            .filter(|o| o.p50_ns > 0.0 || o.p95_ns > 0.0 || o.p99_ns > 0.0)
            .map(|mut o| {
                o.p95_ns = o.p95_ns.max(o.p50_ns);
                o.p99_ns = o.p99_ns.max(o.p95_ns);
                if let Some(failed) = error_rates.get(&(o.service.clone(), o.operation.clone())) {
                    o.error_rate = o
                        .calls_per_s
                        .filter(|c| *c > 0.0)
                        .map(|c| (failed / c).clamp(0.0, 1.0));
                } else if o.error_rate.is_none() && o.calls_per_s.is_some() {
                    o.error_rate = Some(0.0);
                }
                o
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WINDOW: MetricsWindow = MetricsWindow {
        start_s: 1_700_000_000,
        end_s: 1_700_003_600,
    };

    #[test]
    fn tempo_requests_ask_for_the_whole_window_in_one_step() {
        let reqs = metrics_requests(Api::Tempo, "http://t", &[], WINDOW, None).expect("tempo");
        assert_eq!(reqs.len(), 3);
        let url = &reqs[0].2.url;
        assert!(
            url.starts_with("http://t/api/metrics/query_range?q="),
            "{url}"
        );
        let q: Vec<(String, String)> = url::Url::parse(url)
            .expect("url")
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        assert_eq!(
            q[0].1,
            "{} | quantile_over_time(duration, .5, .95, .99) by (resource.service.name, name)"
        );
        assert_eq!(q[3], ("step".to_string(), "3600s".to_string()));
        assert!(metrics_requests(Api::ZipkinV2, "http://z", &[], WINDOW, None).is_none());
    }

    #[test]
    fn tempo_answers_become_quantiles_and_error_rates() {
        let mut c = MetricsCollector::new();
        let series = |name: &str, p: Option<f64>, v: f64| {
            let mut labels = vec![
                serde_json::json!({"key": "resource.service.name", "value": {"stringValue": "shop"}}),
                serde_json::json!({"key": "name", "value": {"stringValue": name}}),
            ];
            if let Some(p) = p {
                labels.push(serde_json::json!({"key": "p", "value": {"doubleValue": p}}));
            }
            serde_json::json!({"labels": labels, "samples": [{"timestampMs": "1700003600000", "value": v}]})
        };
        let latency = serde_json::json!({"series": [
            series("charge", Some(0.5), 0.020), series("charge", Some(0.95), 0.050),
            series("charge", Some(0.99), 0.040), // not monotone: raised to p95
        ]});
        c.add(
            Api::Tempo,
            MetricKind::Latency(Quantile::All),
            None,
            &latency.to_string(),
        )
        .expect("ok");
        c.add(
            Api::Tempo,
            MetricKind::Calls,
            None,
            &serde_json::json!({"series": [series("charge", None, 10.0)]}).to_string(),
        )
        .expect("ok");
        c.add(
            Api::Tempo,
            MetricKind::Errors,
            None,
            &serde_json::json!({"series": [series("charge", None, 0.5)]}).to_string(),
        )
        .expect("ok");
        let ops = c.finish();
        assert_eq!(ops.len(), 1);
        let op = &ops[0];
        assert_eq!(
            (op.service.as_str(), op.operation.as_str()),
            ("shop", "charge")
        );
        assert!(
            (op.p50_ns - 20e6).abs() < 1.0
                && (op.p95_ns - 50e6).abs() < 1.0
                && (op.p99_ns - 50e6).abs() < 1.0,
            "{op:?}"
        );
        assert_eq!(op.error_rate, Some(0.05));
        assert!(MetricsCollector::new()
            .add(Api::Tempo, MetricKind::Calls, None, "<html>")
            .is_err());
    }

    #[test]
    fn jaeger_spm_answers_in_milliseconds() {
        let mut c = MetricsCollector::new();
        let answer = |v: f64| {
            serde_json::json!({"name": "service_latencies", "type": "GAUGE", "metrics": [{
                "labels": [{"name": "service_name", "value": "frontend"}, {"name": "operation", "value": "/dispatch"}],
                "metricPoints": [{"gaugeValue": {"doubleValue": v}, "timestamp": "2026-11-30T12:00:00Z"}]
            }]}).to_string()
        };
        c.add(
            Api::JaegerV1,
            MetricKind::Latency(Quantile::P50),
            Some("frontend"),
            &answer(12.0),
        )
        .expect("ok");
        c.add(
            Api::JaegerV1,
            MetricKind::Latency(Quantile::P95),
            Some("frontend"),
            &answer(30.0),
        )
        .expect("ok");
        c.add(
            Api::JaegerV1,
            MetricKind::Latency(Quantile::P99),
            Some("frontend"),
            &answer(45.0),
        )
        .expect("ok");
        c.add(
            Api::JaegerV1,
            MetricKind::Errors,
            Some("frontend"),
            &answer(0.02),
        )
        .expect("ok");
        let ops = c.finish();
        assert_eq!(ops[0].operation, "/dispatch");
        assert!((ops[0].p99_ns - 45e6).abs() < 1.0);
        assert_eq!(ops[0].error_rate, Some(0.02));
        assert_eq!(ops[0].service, "frontend");
        let services = ["frontend".to_string(), "payment".to_string()];
        let reqs =
            metrics_requests(Api::JaegerV1, "http://j", &services, WINDOW, None).expect("spm");
        assert_eq!(reqs.len(), 10);
        assert_eq!(reqs[7].1.as_deref(), Some("payment"));
        assert!(reqs[2].2.url.contains("/api/metrics/latencies?service=frontend&groupByOperation=true&endTs=1700003600000&lookback=3600000&step=3600000&ratePer=1000&quantile=0.99"), "{}", reqs[2].2.url);
    }
}
