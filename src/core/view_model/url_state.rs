//! What the address bar holds: the open trace, the selected span and the search text, as
//! `#trace=…&span=…&q=…`; or the services view (`#view=services`) and a service filter
//! (`&service=…`), or the Quality view (`#view=quality`), or the Baselines view (`#view=baselines`), or a comparison of two traces
//! (`#view=compare&a=…&b=…`); and the trace list's filter (`&f.service=…&f.min=250ms&f.tag=k=v`). A
//! fragment, so any static host serves it and nothing reaches a server.
use std::borrow::Cow;

use crate::core::view_model::ListFilter;

/// The navigable part of the view.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ViewState {
    /// The open trace's ID; `None` is the trace list.
    pub trace: Option<String>,
    /// The selected span's ID.
    pub span: Option<String>,
    /// The search text.
    pub search: Option<String>,
    /// The services view is open (when no trace is).
    pub services: bool,
    /// The Quality view (the instrumentation check) is open (when no trace is): `#view=quality`.
    pub quality: bool,
    /// The Baselines view (baselines, anomalies, what changed) is open: `#view=baselines`.
    pub baselines: bool,
    /// Two traces compared, A and B (when no trace is open): `#view=compare&a=…&b=…`.
    pub compare: Option<(String, String)>,
    /// Only traces and figures of this service are shown.
    pub service: Option<String>,
    /// The backend the traces come from, so that a link reconnects and reloads them.
    pub backend: Option<BackendLink>,
    /// The trace list's filter bar (`f.service=…&f.min=250ms&f.tag=k=v…`), kept while a trace
    /// is open so that going back to the list finds it as it was.
    pub filter: ListFilter,
    /// Trace files opened by address (`url=…`, repeatable; after a backend's own `url`), so
    /// that the link reopens them for someone else.
    pub files: Vec<String>,
}

/// A backend and the search run on it, as the address bar holds them:
/// `backend=jaeger&url=http…&b.service=frontend&b.lookback=1h…`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BackendLink {
    /// Backend kind (`jaeger`, `tempo`, `zipkin`).
    pub kind: String,
    /// Base URL.
    pub url: String,
    /// Search form fields (name without the `b.` prefix, value), in a fixed order.
    pub search: Vec<(String, String)>,
}

impl BackendLink {
    /// The value of search field `name`.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.search
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

impl ViewState {
    /// Reads a location fragment (with or without its leading `#`). Unknown keys are ignored.
    pub fn from_fragment(fragment: &str) -> Self {
        let mut state = Self::default();
        let text = fragment.strip_prefix('#').unwrap_or(fragment);
        let mut link = BackendLink::default();
        let (mut compare, mut a, mut b) = (false, None, None);
        let mut urls: Vec<String> = Vec::new();
        for (key, value) in form_urlencoded::parse(text.as_bytes()) {
            if key.starts_with("f.") {
                if !value.is_empty() {
                    state.filter.set(&key, &value);
                }
                continue;
            }
            if let Some(field) = key.strip_prefix("b.") {
                if !value.is_empty() {
                    link.search.push((field.to_string(), value.into_owned()));
                }
                continue;
            }
            let value = (!value.is_empty()).then(|| Cow::into_owned(value));
            match key.as_ref() {
                "trace" => state.trace = value,
                "span" => state.span = value,
                "q" => state.search = value,
                "view" => {
                    state.services = value.as_deref() == Some("services");
                    state.quality = value.as_deref() == Some("quality");
                    state.baselines = value.as_deref() == Some("baselines");
                    compare = value.as_deref() == Some("compare");
                }
                "a" => a = value,
                "b" => b = value,
                "service" => state.service = value,
                "backend" => link.kind = value.unwrap_or_default(),
                "url" => urls.extend(value),
                _ => {}
            }
        }
        // With a backend, the first address is its own; every other is a trace file.
        let mut urls = urls.into_iter();
        if !link.kind.is_empty() {
            link.url = urls.next().unwrap_or_default();
        }
        state.files = urls.collect();
        if !link.kind.is_empty() && !link.url.is_empty() {
            state.backend = Some(link);
        }
        if let (true, Some(a), Some(b)) = (compare, a, b) {
            state.compare = Some((a, b));
        }
        if state.trace.is_none() {
            state.span = None;
        } else {
            state.services = false;
            state.quality = false;
            state.baselines = false;
            state.compare = None;
        }
        state
    }

    /// The fragment for this state, with its `#` (just `#` for the trace list).
    pub fn to_fragment(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        if let Some(trace) = &self.trace {
            out.append_pair("trace", trace);
            if let Some(span) = &self.span {
                out.append_pair("span", span);
            }
        }
        if let Some(search) = self.search.as_deref().filter(|s| !s.is_empty()) {
            out.append_pair("q", search);
        }
        if self.services && self.trace.is_none() {
            out.append_pair("view", "services");
        } else if self.quality && self.trace.is_none() {
            out.append_pair("view", "quality");
        } else if self.baselines && self.trace.is_none() {
            out.append_pair("view", "baselines");
        } else if let (Some((a, b)), None) = (&self.compare, &self.trace) {
            out.append_pair("view", "compare");
            out.append_pair("a", a);
            out.append_pair("b", b);
        }
        if let Some(service) = &self.service {
            out.append_pair("service", service);
        }
        for (key, value) in self.filter.pairs() {
            out.append_pair(key, &value);
        }
        if let Some(link) = &self.backend {
            out.append_pair("backend", &link.kind);
            out.append_pair("url", &link.url);
            for (key, value) in &link.search {
                out.append_pair(&format!("b.{key}"), value);
            }
        }
        for file in &self.files {
            out.append_pair("url", file);
        }
        format!("#{}", out.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_filter_round_trips() {
        let state = ViewState {
            filter: ListFilter {
                service: "frontend".into(),
                min: "250ms".into(),
                tags: r#"http.status_code=500 route="/a b""#.into(),
                sort: "longest".into(),
                ..ListFilter::default()
            },
            ..ViewState::default()
        };
        let fragment = state.to_fragment();
        assert!(fragment.contains("f.service=frontend"), "{fragment}");
        assert_eq!(fragment.matches("f.tag=").count(), 2, "{fragment}");
        let back = ViewState::from_fragment(&fragment);
        assert_eq!(back.filter.to_query(None), state.filter.to_query(None));
        assert_eq!(
            ViewState::from_fragment("#f.nonsense=1"),
            ViewState::default()
        );
    }

    #[test]
    fn round_trips() {
        let state = ViewState {
            trace: Some("4bf92f3577b34da6".into()),
            span: Some("00f067aa0ba902b7".into()),
            search: Some("http.status_code=500 \"GET /a&b\"".into()),
            ..ViewState::default()
        };
        let fragment = state.to_fragment();
        assert!(fragment.starts_with("#trace=4bf92f3577b34da6&span="));
        assert_eq!(ViewState::from_fragment(&fragment), state);
        assert_eq!(ViewState::default().to_fragment(), "#");
        assert_eq!(ViewState::from_fragment(""), ViewState::default());
        assert_eq!(
            ViewState::from_fragment("#span=x&other=1"),
            ViewState::default()
        );
    }

    #[test]
    fn a_comparison_round_trips() {
        let state = ViewState::from_fragment("#view=compare&a=aa&b=bb");
        assert_eq!(state.compare, Some(("aa".to_string(), "bb".to_string())));
        assert_eq!(state.to_fragment(), "#view=compare&a=aa&b=bb");
        assert_eq!(ViewState::from_fragment("#view=compare&a=aa").compare, None);
    }

    #[test]
    fn the_baselines_view_round_trips_and_yields_to_a_trace() {
        let state = ViewState::from_fragment("#view=baselines");
        assert!(state.baselines && !state.quality && !state.services);
        assert_eq!(state.to_fragment(), "#view=baselines");
        assert!(!ViewState::from_fragment("#trace=abc&view=baselines").baselines);
    }

    #[test]
    fn the_quality_view_round_trips_and_yields_to_a_trace() {
        let state = ViewState::from_fragment("#view=quality");
        assert!(state.quality && !state.services);
        assert_eq!(state.to_fragment(), "#view=quality");
        assert!(!ViewState::from_fragment("#trace=abc&view=quality").quality);
    }

    #[test]
    fn services_view_and_filter_round_trip() {
        let state = ViewState {
            services: true,
            service: Some("redis & co".into()),
            ..ViewState::default()
        };
        let fragment = state.to_fragment();
        assert_eq!(fragment, "#view=services&service=redis+%26+co");
        assert_eq!(ViewState::from_fragment(&fragment), state);
        let linked = ViewState {
            trace: Some("abc".into()),
            backend: Some(BackendLink {
                kind: "jaeger".into(),
                url: "http://localhost:16686".into(),
                search: vec![
                    ("service".into(), "frontend".into()),
                    ("lookback".into(), "1h".into()),
                ],
            }),
            ..ViewState::default()
        };
        let fragment = linked.to_fragment();
        assert_eq!(
            fragment,
            "#trace=abc&backend=jaeger&url=http%3A%2F%2Flocalhost%3A16686&b.service=frontend&b.lookback=1h"
        );
        let back = ViewState::from_fragment(&fragment);
        assert_eq!(back, linked);
        assert_eq!(
            back.backend.as_ref().and_then(|b| b.field("lookback")),
            Some("1h")
        );
        // A trace page is never the services view.
        let both = ViewState::from_fragment("#trace=abc&view=services");
        assert!(!both.services);
        assert_eq!(both.trace.as_deref(), Some("abc"));
    }

    #[test]
    fn trace_file_addresses_round_trip_beside_a_backend() {
        let files = ViewState::from_fragment(
            "#url=https%3A%2F%2Fa.example%2Ft.json&url=https://b.example/u.json",
        );
        assert_eq!(
            files.files,
            ["https://a.example/t.json", "https://b.example/u.json"]
        );
        assert_eq!(files.backend, None);
        assert_eq!(ViewState::from_fragment(&files.to_fragment()), files);
        let both = ViewState {
            backend: Some(BackendLink {
                kind: "jaeger".into(),
                url: "http://jaeger:16686".into(),
                search: Vec::new(),
            }),
            files: vec!["https://a.example/t.json".into()],
            ..ViewState::default()
        };
        assert_eq!(ViewState::from_fragment(&both.to_fragment()), both);
    }
}
