//! The trace list's filter bar as a person typed it (`800us`, `error=true http.route="/a b"`),
//! kept in the address bar as `f.…` keys, and the [`TraceQuery`] it means.
use crate::core::analysis::{SortBy, TraceQuery};
use crate::core::backend::{parse_duration_us, SearchQuery};

/// The filter bar's fields, as text (what the address bar holds); empty fields match all.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListFilter {
    /// Some span has this service.
    pub service: String,
    /// Some span has this operation.
    pub operation: String,
    /// The trace lasts at least this long (`250ms`).
    pub min: String,
    /// The trace lasts at most this long.
    pub max: String,
    /// `with` (only traces with errors), `without`, or empty (any).
    pub errors: String,
    /// `key=value` pairs, space-separated (values may be quoted).
    pub tags: String,
    /// Free text (trace ID, names, attribute values).
    pub text: String,
    /// `recent` (empty), `oldest`, `longest`, `shortest`, `spans`, `errors`.
    pub sort: String,
    /// At most this many traces (empty: all).
    pub limit: String,
}

/// The address bar's keys for the filter's fields, in order.
const KEYS: [&str; 9] = [
    "f.service",
    "f.operation",
    "f.min",
    "f.max",
    "f.errors",
    "f.tag",
    "f.text",
    "f.sort",
    "f.limit",
];

/// The `f.sort` value that orders the trace list by the active baseline's scores.
pub const SORT_BY_SCORE: &str = "score";

impl ListFilter {
    /// Whether the list is ordered by score (most anomalous first), which the page does.
    pub fn by_score(&self) -> bool {
        self.sort.trim() == SORT_BY_SCORE
    }

    /// The `f.limit` number, when one is given.
    pub fn limit_number(&self) -> Option<usize> {
        self.limit.trim().parse().ok()
    }

    /// True when no field is set.
    pub fn is_empty(&self) -> bool {
        self.fields().iter().all(|f| f.trim().is_empty())
    }

    fn fields(&self) -> [&String; 9] {
        [
            &self.service,
            &self.operation,
            &self.min,
            &self.max,
            &self.errors,
            &self.tags,
            &self.text,
            &self.sort,
            &self.limit,
        ]
    }

    /// Sets the field the address bar calls `key` (`f.tag` may repeat: the pairs join).
    /// Returns false for a key that is not the filter's.
    pub fn set(&mut self, key: &str, value: &str) -> bool {
        let field = match key {
            "f.service" => &mut self.service,
            "f.operation" => &mut self.operation,
            "f.min" => &mut self.min,
            "f.max" => &mut self.max,
            "f.errors" => &mut self.errors,
            "f.text" => &mut self.text,
            "f.sort" => &mut self.sort,
            "f.limit" => &mut self.limit,
            "f.tag" => {
                if !self.tags.is_empty() {
                    self.tags.push(' ');
                }
                self.tags.push_str(value);
                return true;
            }
            _ => return false,
        };
        *field = value.to_string();
        true
    }

    /// The `(key, value)` pairs for the address bar: set fields only, each tag on its own.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        for (key, value) in KEYS.iter().zip(self.fields()) {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            if *key == "f.tag" {
                match SearchQuery::parse_tags(value) {
                    Ok(pairs) => out.extend(pairs.into_iter().map(|(k, v)| {
                        let quoted = if v.contains(' ') {
                            format!("\"{v}\"")
                        } else {
                            v
                        };
                        (*key, format!("{k}={quoted}"))
                    })),
                    Err(_) => out.push((*key, value.to_string())),
                }
            } else {
                out.push((*key, value.to_string()));
            }
        }
        out
    }

    /// The query the fields mean, or what is wrong with one of them ("“fast” is not a
    /// duration (try 250ms or 1.5s)"). `service` is an extra service every trace must have (the
    /// services view's filter), combined with the bar's own.
    pub fn to_query(&self, service: Option<&str>) -> Result<TraceQuery, String> {
        let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let duration_ns = |s: &str, what: &str| -> Result<Option<i64>, String> {
            match text(s) {
                None => Ok(None),
                Some(s) => parse_duration_us(&s)
                    .map(|us| Some(us.saturating_mul(1000)))
                    .map_err(|e| format!("{what}: {e}")),
            }
        };
        let has_errors = match self.errors.trim() {
            "" | "any" => None,
            "with" => Some(true),
            "without" => Some(false),
            other => return Err(format!("errors: “{other}” is not any, with or without")),
        };
        let sort = match self.sort.trim() {
            // Scores come from the page's active baseline: the page orders by them itself.
            "" | SORT_BY_SCORE => SortBy::default(),
            name => SortBy::from_name(name).ok_or_else(|| {
                format!(
                    "sort: “{name}” is not one of {}",
                    SortBy::ALL.map(SortBy::as_str).join(", ")
                )
            })?,
        };
        let limit = match text(&self.limit) {
            // The page limits after ordering by score.
            _ if self.by_score() => None,
            None => None,
            Some(n) => Some(
                n.parse::<usize>()
                    .map_err(|_| format!("limit: “{n}” is not a number"))?,
            ),
        };
        let mut attributes =
            SearchQuery::parse_tags(&self.tags).map_err(|e| format!("tags: {e}"))?;
        attributes.retain(|(k, _)| !k.is_empty());
        let own_service = text(&self.service);
        // The bar's service and the view's, when they differ, must both be in the trace.
        Ok(TraceQuery {
            service: own_service.or_else(|| service.map(str::to_string)),
            operation: text(&self.operation),
            min_duration_ns: duration_ns(&self.min, "min duration")?,
            max_duration_ns: duration_ns(&self.max, "max duration")?,
            has_errors,
            attributes,
            text: text(&self.text),
            sort,
            limit,
            also_service: service
                .filter(|s| text(&self.service).is_some_and(|own| own != *s))
                .map(str::to_string),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_become_a_query() {
        let filter = ListFilter {
            service: "frontend".into(),
            min: "800us".into(),
            max: "1.5s".into(),
            errors: "with".into(),
            tags: r#"http.status_code=500 http.route="/a b""#.into(),
            sort: "longest".into(),
            limit: "20".into(),
            ..ListFilter::default()
        };
        let query = filter.to_query(None).expect("valid");
        assert_eq!(query.service.as_deref(), Some("frontend"));
        assert_eq!(query.min_duration_ns, Some(800_000));
        assert_eq!(query.max_duration_ns, Some(1_500_000_000));
        assert_eq!(query.has_errors, Some(true));
        assert_eq!(
            query.attributes,
            vec![
                ("http.status_code".to_string(), "500".to_string()),
                ("http.route".to_string(), "/a b".to_string())
            ]
        );
        assert_eq!((query.sort, query.limit), (SortBy::Longest, Some(20)));
        assert!(ListFilter::default()
            .to_query(None)
            .expect("empty")
            .eq(&TraceQuery::default()));
    }

    #[test]
    fn bad_fields_say_what_is_wrong() {
        let bad = |f: ListFilter| f.to_query(None).expect_err("invalid");
        assert!(bad(ListFilter {
            min: "fast".into(),
            ..Default::default()
        })
        .starts_with("min duration: “fast” is not a duration"));
        assert!(bad(ListFilter {
            sort: "best".into(),
            ..Default::default()
        })
        .contains("recent, oldest, longest"));
        assert!(bad(ListFilter {
            limit: "-1".into(),
            ..Default::default()
        })
        .contains("not a number"));
        assert!(bad(ListFilter {
            tags: "oops".into(),
            ..Default::default()
        })
        .contains("is not key=value"));
    }

    #[test]
    fn the_view_filter_combines_with_the_bar() {
        let view = ListFilter::default()
            .to_query(Some("redis"))
            .expect("valid");
        assert_eq!(view.service.as_deref(), Some("redis"));
        let both = ListFilter {
            service: "frontend".into(),
            ..Default::default()
        }
        .to_query(Some("redis"))
        .expect("valid");
        assert_eq!(both.service.as_deref(), Some("frontend"));
        assert_eq!(both.also_service.as_deref(), Some("redis"));
    }

    #[test]
    fn round_trips_through_the_address_bar() {
        let filter = ListFilter {
            operation: "GET /x".into(),
            tags: r#"a=1 b="x y""#.into(),
            errors: "without".into(),
            ..Default::default()
        };
        let mut back = ListFilter::default();
        for (key, value) in filter.pairs() {
            assert!(back.set(key, &value));
        }
        assert_eq!(back.to_query(None), filter.to_query(None));
        assert!(!back.set("trace", "x"));
        assert!(ListFilter::default().is_empty() && !back.is_empty());
    }
}
