//! The bundled demo: a small, realistic shop system's traces, generated deterministically as
//! OTLP/JSON so that "Load demo" goes through the very parser a dropped file does.
//!
//! Twelve traces of a web shop (frontend, gateway, auth, catalog, cart, checkout, inventory,
//! payment, email over Kafka, PostgreSQL and Redis clients): an N+1 query page, checkouts with a
//! declined card and a payment timeout, a slow login, asynchronous consumers — a few hundred
//! spans in all.
use serde_json::{json, Value};

use crate::core::rng::Rng;

struct DemoSpan {
    service: &'static str,
    name: String,
    kind: u8,
    span_id: u64,
    parent_id: Option<u64>,
    start_ns: i64,
    end_ns: i64,
    attributes: Vec<(&'static str, Value)>,
    error: Option<String>,
    events: Vec<(i64, String)>,
}

struct TraceGen {
    rng: Rng,
    trace_id: String,
    spans: Vec<DemoSpan>,
    next_id: u64,
}

const MS: i64 = 1_000_000;
const US: i64 = 1_000;

impl TraceGen {
    fn new(seed: u64, trace_number: u64) -> Self {
        let mut rng = Rng::new(seed);
        let trace_id = format!("{:016x}{:016x}", rng.next(), rng.next() ^ trace_number);
        Self {
            rng,
            trace_id,
            spans: Vec::new(),
            next_id: seed << 20,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn span(
        &mut self,
        service: &'static str,
        name: &str,
        kind: u8,
        parent_id: Option<u64>,
        start_ns: i64,
        duration_ns: i64,
        attributes: Vec<(&'static str, Value)>,
    ) -> usize {
        self.next_id += 1;
        let span_id = self.rng.next() ^ self.next_id;
        self.spans.push(DemoSpan {
            service,
            name: name.to_string(),
            kind,
            span_id,
            parent_id,
            start_ns,
            end_ns: start_ns + duration_ns,
            attributes,
            error: None,
            events: Vec::new(),
        });
        self.spans.len() - 1
    }

    fn id(&self, index: usize) -> Option<u64> {
        self.spans.get(index).map(|s| s.span_id)
    }

    fn fail(&mut self, index: usize, message: &str) {
        if let Some(span) = self.spans.get_mut(index) {
            span.error = Some(message.to_string());
            let at = span.end_ns - US;
            span.events.push((at, "exception".to_string()));
        }
    }

    /// A synchronous RPC: a CLIENT span in `from`, a SERVER span in `to` inside it.
    fn rpc(
        &mut self,
        parent: usize,
        from: &'static str,
        to: &'static str,
        route: &str,
        start_ns: i64,
        server_ns: i64,
    ) -> (usize, usize) {
        let net = self.rng.range(200, 900) * US;
        let client = self.span(
            from,
            &format!("HTTP {route}"),
            3,
            self.id(parent),
            start_ns,
            server_ns + 2 * net,
            vec![("peer.service", json!(to)), ("http.route", json!(route))],
        );
        let server = self.span(
            to,
            route,
            2,
            self.id(client),
            start_ns + net,
            server_ns,
            vec![
                ("http.route", json!(route)),
                ("http.status_code", json!(200)),
            ],
        );
        (client, server)
    }

    fn db(&mut self, parent: usize, service: &'static str, statement: &str, start_ns: i64) -> i64 {
        let duration = self.rng.range(300, 2500) * US;
        self.span(
            service,
            statement.split_whitespace().next().unwrap_or("QUERY"),
            3,
            self.id(parent),
            start_ns,
            duration,
            vec![
                ("db.system", json!("postgresql")),
                ("db.statement", json!(statement)),
                ("peer.service", json!("postgres")),
            ],
        );
        duration
    }

    fn cache(&mut self, parent: usize, service: &'static str, key: &str, start_ns: i64) -> i64 {
        let duration = self.rng.range(100, 600) * US;
        self.span(
            service,
            "GET",
            3,
            self.id(parent),
            start_ns,
            duration,
            vec![
                ("db.system", json!("redis")),
                ("db.statement", json!(format!("GET {key}"))),
                ("peer.service", json!("redis")),
            ],
        );
        duration
    }

    /// The frontend SERVER root and the gateway hop; returns (root, gateway server, start).
    fn entry(&mut self, route: &str, start_ns: i64, total_ns: i64) -> (usize, usize) {
        let root = self.span(
            "web-frontend",
            route,
            2,
            None,
            start_ns,
            total_ns,
            vec![
                (
                    "http.method",
                    json!(route.split(' ').next().unwrap_or("GET")),
                ),
                ("http.route", json!(route)),
            ],
        );
        let (_, gateway) = self.rpc(
            root,
            "web-frontend",
            "api-gateway",
            route,
            start_ns + 400 * US,
            total_ns - 2 * MS,
        );
        (root, gateway)
    }

    fn into_otlp(self) -> Value {
        let mut services: Vec<&'static str> = self.spans.iter().map(|s| s.service).collect();
        services.sort_unstable();
        services.dedup();
        let trace_id = self.trace_id;
        let resource_spans: Vec<Value> = services
            .iter()
            .map(|service| {
                let spans: Vec<Value> = self
                    .spans
                    .iter()
                    .filter(|s| s.service == *service)
                    .map(|s| span_json(&trace_id, s))
                    .collect();
                json!({
                    "resource": {"attributes": [
                        {"key": "service.name", "value": {"stringValue": service}},
                        {"key": "telemetry.sdk.language", "value": {"stringValue": "rust"}},
                        {"key": "host.name", "value": {"stringValue": format!("{service}-7d9f")}}
                    ]},
                    "scopeSpans": [{"scope": {"name": "tracagg-demo", "version": "1.0.0"}, "spans": spans}]
                })
            })
            .collect();
        json!({ "resourceSpans": resource_spans })
    }
}

fn span_json(trace_id: &str, span: &DemoSpan) -> Value {
    let attributes: Vec<Value> = span
        .attributes
        .iter()
        .map(|(key, value)| {
            let value = match value {
                Value::Number(n) if n.is_i64() => json!({"intValue": n.to_string()}),
                Value::Bool(b) => json!({"boolValue": b}),
                other => json!({"stringValue": other.as_str().unwrap_or_default()}),
            };
            json!({"key": key, "value": value})
        })
        .collect();
    let events: Vec<Value> = span
        .events
        .iter()
        .map(|(time, name)| {
            json!({"timeUnixNano": time.to_string(), "name": name, "attributes": [
                {"key": "exception.message", "value": {"stringValue": span.error.clone().unwrap_or_default()}}
            ]})
        })
        .collect();
    let mut out = json!({
        "traceId": trace_id,
        "spanId": format!("{:016x}", span.span_id),
        "name": span.name,
        "kind": span.kind,
        "startTimeUnixNano": span.start_ns.to_string(),
        "endTimeUnixNano": span.end_ns.to_string(),
        "attributes": attributes,
        "events": events,
        "status": match &span.error {
            Some(message) => json!({"code": 2, "message": message}),
            None => json!({}),
        }
    });
    if let (Some(parent), Some(object)) = (span.parent_id, out.as_object_mut()) {
        object.insert("parentSpanId".to_string(), json!(format!("{parent:016x}")));
    }
    out
}

fn product_page(seed: u64, start_ns: i64, items: i64) -> TraceGen {
    let mut g = TraceGen::new(seed, 1);
    let total = 30 * MS + items * 2 * MS;
    let (_, gateway) = g.entry("GET /products", start_ns, total);
    let mut t = start_ns + 2 * MS;
    let auth_ns = g.rng.range(2, 5) * MS;
    let (_, auth) = g.rpc(
        gateway,
        "api-gateway",
        "auth-service",
        "POST /token/verify",
        t,
        auth_ns,
    );
    g.cache(auth, "auth-service", "session:u-1842", t + MS);
    t += auth_ns + 2 * MS;
    let (_, catalog) = g.rpc(
        gateway,
        "api-gateway",
        "catalog-service",
        "GET /products",
        t,
        items * 2 * MS + 10 * MS,
    );
    t += MS;
    t += g.db(
        catalog,
        "catalog-service",
        "SELECT id, name, price FROM products WHERE category = $1 LIMIT 40",
        t,
    );
    // The N+1 pattern: one query per product.
    for _ in 0..items {
        t += g.db(
            catalog,
            "catalog-service",
            "SELECT url FROM product_images WHERE product_id = $1",
            t,
        ) + 200 * US;
    }
    g
}

fn checkout(seed: u64, start_ns: i64, items: i64, failure: Option<&str>) -> TraceGen {
    let mut g = TraceGen::new(seed, 2);
    let payment_ns = match failure {
        Some("timeout") => 5_000 * MS,
        _ => g.rng.range(80, 240) * MS,
    };
    let total = 60 * MS + items * 9 * MS + payment_ns;
    let (root, gateway) = g.entry("POST /checkout", start_ns, total);
    let mut t = start_ns + 3 * MS;
    let (_, checkout) = g.rpc(
        gateway,
        "api-gateway",
        "checkout-service",
        "POST /orders",
        t,
        total - 8 * MS,
    );
    t += MS;
    let (_, cart) = g.rpc(
        checkout,
        "checkout-service",
        "cart-service",
        "GET /cart/{id}",
        t,
        6 * MS,
    );
    g.cache(cart, "cart-service", "cart:u-1842", t + MS);
    g.db(
        cart,
        "cart-service",
        "SELECT * FROM cart_items WHERE cart_id = $1",
        t + 2 * MS,
    );
    t += 8 * MS;
    for item in 0..items {
        let (_, inventory) = g.rpc(
            checkout,
            "checkout-service",
            "inventory-service",
            "POST /reserve",
            t,
            7 * MS,
        );
        g.db(
            inventory,
            "inventory-service",
            "UPDATE stock SET reserved = reserved + 1 WHERE sku = $1",
            t + MS,
        );
        if item == 2 && failure == Some("stock") {
            let last = g.spans.len() - 1;
            g.fail(last, "could not serialize access due to concurrent update");
        }
        t += 9 * MS;
    }
    let (client, payment) = g.rpc(
        checkout,
        "checkout-service",
        "payment-service",
        "POST /charge",
        t,
        payment_ns,
    );
    g.span(
        "payment-service",
        "fraud-check",
        1,
        g.id(payment),
        t + 2 * MS,
        payment_ns / 3,
        vec![("fraud.score", json!(12))],
    );
    match failure {
        Some("declined") => {
            g.fail(payment, "card declined: insufficient funds");
            g.fail(client, "HTTP 402 Payment Required");
            g.fail(root, "checkout failed");
        }
        Some("timeout") => {
            g.fail(client, "context deadline exceeded after 5s");
            g.fail(root, "upstream timeout");
        }
        _ => {}
    }
    t += payment_ns + 4 * MS;
    if failure.is_none() {
        let producer = g.span(
            "checkout-service",
            "order.created publish",
            4,
            g.id(checkout),
            t,
            2 * MS,
            vec![
                ("messaging.system", json!("kafka")),
                ("messaging.destination.name", json!("order.created")),
            ],
        );
        // The consumer runs after the request has already returned.
        let consumer_start = start_ns + total + g.rng.range(20, 120) * MS;
        let consumer = g.span(
            "email-service",
            "order.created process",
            5,
            g.id(producer),
            consumer_start,
            45 * MS,
            vec![("messaging.system", json!("kafka"))],
        );
        g.span(
            "email-service",
            "render template",
            1,
            g.id(consumer),
            consumer_start + MS,
            12 * MS,
            vec![],
        );
        g.span(
            "email-service",
            "SMTP send",
            3,
            g.id(consumer),
            consumer_start + 14 * MS,
            30 * MS,
            vec![("peer.service", json!("smtp-relay"))],
        );
    }
    g
}

fn login(seed: u64, start_ns: i64, hash_ms: i64) -> TraceGen {
    let mut g = TraceGen::new(seed, 3);
    let total = hash_ms * MS + 25 * MS;
    let (_, gateway) = g.entry("POST /login", start_ns, total);
    let t = start_ns + 3 * MS;
    let (_, auth) = g.rpc(
        gateway,
        "api-gateway",
        "auth-service",
        "POST /login",
        t,
        total - 9 * MS,
    );
    g.db(
        auth,
        "auth-service",
        "SELECT id, password_hash FROM users WHERE email = $1",
        t + MS,
    );
    g.span(
        "auth-service",
        "bcrypt.compare",
        1,
        g.id(auth),
        t + 5 * MS,
        hash_ms * MS,
        vec![("bcrypt.cost", json!(12))],
    );
    g.cache(
        auth,
        "auth-service",
        "session:new",
        t + 6 * MS + hash_ms * MS,
    );
    g
}

/// The demo trace set as OTLP JSON lines (one trace per line, as the OpenTelemetry
/// Collector's file exporter writes), about 400 spans over 12 traces and 11 services.
pub fn demo_otlp_json_lines() -> String {
    let base = 1_763_700_000_000 * MS; // 2025-11-21, a fixed day
    let traces = [
        product_page(11, base, 30),
        checkout(12, base + 4_000 * MS, 4, None),
        checkout(13, base + 9_000 * MS, 6, Some("declined")),
        login(14, base + 12_000 * MS, 310),
        product_page(15, base + 15_000 * MS, 52),
        checkout(16, base + 21_000 * MS, 3, Some("timeout")),
        checkout(17, base + 30_000 * MS, 8, None),
        login(18, base + 33_000 * MS, 95),
        checkout(19, base + 40_000 * MS, 5, Some("stock")),
        product_page(20, base + 47_000 * MS, 20),
        checkout(21, base + 52_000 * MS, 7, None),
        product_page(22, base + 58_000 * MS, 30),
    ];
    traces
        .into_iter()
        .map(|g| g.into_otlp().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::load::load_into;
    use crate::core::model::TraceSet;

    #[test]
    fn the_demo_loads_as_twelve_realistic_traces() {
        let text = demo_otlp_json_lines();
        let mut set = TraceSet::new();
        let report = load_into(&mut set, "demo", text.as_bytes()).unwrap();
        assert_eq!(set.len(), 12);
        assert!(
            (300..=600).contains(&report.span_count),
            "{}",
            report.span_count
        );
        let errors: usize = set.traces().iter().map(|t| t.error_count()).sum();
        assert!(errors >= 5);
        for trace in set.traces() {
            assert_eq!(trace.roots.len(), 1, "{}", trace.trace_id);
            assert!(trace.warnings.is_empty(), "{:?}", trace.warnings);
        }
        let services: std::collections::BTreeSet<String> = set
            .traces()
            .iter()
            .flat_map(|t| {
                t.service_names()
                    .into_iter()
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect();
        assert!(services.len() >= 9, "{services:?}");
        // Deterministic.
        assert_eq!(text, demo_otlp_json_lines());
    }
}
