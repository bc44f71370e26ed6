//! Many small traces of one made-up shop, with a fault injected on request: the comparison
//! tests and benchmarks need a "normal" to learn and regressions to find (a slowed operation,
//! an N+1 loop, a new error, a removed cache call, a new downstream service). Deterministic for
//! a seed; durations log-normal around fixed medians.
use crate::core::model::{Span, SpanKind, SpanStatus, Trace, TraceBuilder};
use crate::core::rng::Rng;

/// A regression to inject into every generated trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// payment: charge takes eight times as long.
    SlowPayment,
    /// cart: SELECT items is called 40 times instead of 1–3.
    NPlusOne,
    /// payment: charge fails.
    NewError,
    /// cart: cache get is no longer called.
    NoCache,
    /// frontend calls a new fraud service before charging.
    NewService,
}

/// A log-normal factor around 1 (σ ≈ 0.25), from the sum of four uniforms (Irwin–Hall).
fn jitter(rng: &mut Rng) -> f64 {
    let sum: f64 = (0..4)
        .map(|_| (rng.next() >> 11) as f64 / (1u64 << 53) as f64)
        .sum();
    let standard = (sum - 2.0) / (4.0f64 / 12.0).sqrt();
    (0.25 * standard).exp()
}

/// Builds the spans of one trace.
struct Shop<'a> {
    builder: TraceBuilder,
    rng: &'a mut Rng,
    next_id: u64,
    resources: Vec<(String, u32)>,
    /// Spans so far, pushed when the trace is done (a parent's duration is known last).
    spans: Vec<(String, Span)>,
}

impl Shop<'_> {
    /// Adds a span of `service` with `parent`, starting at `start` for about `median_us`.
    #[allow(clippy::too_many_arguments)]
    fn span(
        &mut self,
        parent: Option<&str>,
        service: &str,
        operation: &str,
        kind: SpanKind,
        start_ns: i64,
        duration_ns: i64,
        error: bool,
    ) -> String {
        self.next_id += 1;
        let id = format!("{:016x}", self.next_id);
        let resource = match self.resources.iter().find(|(s, _)| s == service) {
            Some((_, r)) => *r,
            None => {
                let sym = self.builder.intern(service);
                let r = self
                    .builder
                    .add_resource(sym, crate::core::model::IdxRange::default());
                self.resources.push((service.to_string(), r));
                r
            }
        };
        let (id_sym, service_sym, op_sym) = (
            self.builder.intern(&id),
            self.builder.intern(service),
            self.builder.intern(operation),
        );
        let mut span = Span::draft(id_sym, resource, service_sym, op_sym);
        span.parent_span_id = parent.map(|p| self.builder.intern(p));
        span.kind = kind;
        span.start_ns = start_ns;
        span.duration_ns = duration_ns;
        if error {
            span.status = SpanStatus::Error;
        }
        self.spans.push((id.clone(), span));
        id
    }

    /// Sets the duration of span `id`, and its start when given.
    fn end(&mut self, id: &str, end_ns: i64) {
        if let Some((_, span)) = self.spans.iter_mut().find(|(i, _)| i == id) {
            span.duration_ns = end_ns.saturating_sub(span.start_ns).max(0);
        }
    }

    /// The trace.
    fn finish(mut self) -> Trace {
        for (_, span) in std::mem::take(&mut self.spans) {
            self.builder.push_span(span);
        }
        self.builder.build()
    }

    /// A duration around `median_us` µs.
    fn about(&mut self, median_us: f64) -> i64 {
        (median_us * 1000.0 * jitter(self.rng)) as i64
    }
}

/// `count` checkout traces of the shop (`seed` decides everything), each with `fault`.
pub fn shop_traces(count: usize, seed: u64, fault: Option<Fault>) -> Vec<Trace> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(count);
    let base = 1_700_000_000_000_000_000i64;
    for n in 0..count {
        let trace_id = format!("{:016x}{:016x}", rng.next(), n);
        let mut shop = Shop {
            builder: TraceBuilder::new(&trace_id),
            rng: &mut rng,
            next_id: 0,
            resources: Vec::new(),
            spans: Vec::new(),
        };
        let start = base + n as i64 * 1_000_000_000;
        let root = shop.span(
            None,
            "frontend",
            "GET /checkout",
            SpanKind::Server,
            start,
            0,
            false,
        );
        let mut at = start + shop.about(300.0);
        // The cart: a cache lookup, then one to three queries (forty with the N+1 fault).
        let cart_client = shop.span(
            Some(&root),
            "frontend",
            "GET /cart",
            SpanKind::Client,
            at,
            0,
            false,
        );
        at += shop.about(200.0);
        let cart = shop.span(
            Some(&cart_client),
            "cart",
            "GET /cart",
            SpanKind::Server,
            at,
            0,
            false,
        );
        at += shop.about(100.0);
        if fault != Some(Fault::NoCache) {
            let d = shop.about(500.0);
            shop.span(
                Some(&cart),
                "cart",
                "cache get",
                SpanKind::Client,
                at,
                d,
                false,
            );
            at += d;
        }
        let queries = if fault == Some(Fault::NPlusOne) {
            40
        } else {
            1 + shop.rng.below(3) as usize
        };
        for _ in 0..queries {
            let d = shop.about(2_000.0);
            shop.span(
                Some(&cart),
                "cart",
                "SELECT items",
                SpanKind::Client,
                at,
                d,
                false,
            );
            at += d + shop.about(50.0);
        }
        at += shop.about(150.0);
        shop.end(&cart, at);
        at += shop.about(200.0);
        shop.end(&cart_client, at);
        // Siblings never touch: a gap of the caller's own work between calls.
        at += shop.about(100.0);
        // A fraud check, only with the new-service fault.
        if fault == Some(Fault::NewService) {
            let client = shop.span(
                Some(&root),
                "frontend",
                "POST /score",
                SpanKind::Client,
                at,
                0,
                false,
            );
            at += shop.about(200.0);
            let d = shop.about(8_000.0);
            shop.span(
                Some(&client),
                "fraud",
                "POST /score",
                SpanKind::Server,
                at,
                d,
                false,
            );
            at += d + shop.about(200.0);
            shop.end(&client, at);
            at += shop.about(100.0);
        }
        // The charge, through the bank.
        let client = shop.span(
            Some(&root),
            "frontend",
            "POST /charge",
            SpanKind::Client,
            at,
            0,
            false,
        );
        at += shop.about(200.0);
        let failed = fault == Some(Fault::NewError);
        let charge = shop.span(
            Some(&client),
            "payment",
            "charge",
            SpanKind::Server,
            at,
            0,
            failed,
        );
        at += shop.about(300.0);
        let bank = shop.about(if fault == Some(Fault::SlowPayment) {
            160_000.0
        } else {
            20_000.0
        });
        shop.span(
            Some(&charge),
            "payment",
            "POST /bank",
            SpanKind::Client,
            at,
            bank,
            false,
        );
        at += bank + shop.about(300.0);
        shop.end(&charge, at);
        at += shop.about(200.0);
        shop.end(&client, at);
        at += shop.about(400.0);
        shop.end(&root, at);
        out.push(shop.finish());
    }
    out
}
