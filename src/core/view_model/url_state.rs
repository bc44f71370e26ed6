//! What the address bar holds: the open trace, the selected span and the search text, as
//! `#trace=…&span=…&q=…`; or the services view (`#view=services`) and a service filter
//! (`&service=…`). A fragment, so any static host serves it and nothing reaches a server.
use std::borrow::Cow;

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
    /// Only traces and figures of this service are shown.
    pub service: Option<String>,
}

impl ViewState {
    /// Reads a location fragment (with or without its leading `#`). Unknown keys are ignored.
    pub fn from_fragment(fragment: &str) -> Self {
        let mut state = Self::default();
        let text = fragment.strip_prefix('#').unwrap_or(fragment);
        for (key, value) in form_urlencoded::parse(text.as_bytes()) {
            let value = (!value.is_empty()).then(|| Cow::into_owned(value));
            match key.as_ref() {
                "trace" => state.trace = value,
                "span" => state.span = value,
                "q" => state.search = value,
                "view" => state.services = value.as_deref() == Some("services"),
                "service" => state.service = value,
                _ => {}
            }
        }
        if state.trace.is_none() {
            state.span = None;
        } else {
            state.services = false;
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
        }
        if let Some(service) = &self.service {
            out.append_pair("service", service);
        }
        format!("#{}", out.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn services_view_and_filter_round_trip() {
        let state = ViewState {
            services: true,
            service: Some("redis & co".into()),
            ..ViewState::default()
        };
        let fragment = state.to_fragment();
        assert_eq!(fragment, "#view=services&service=redis+%26+co");
        assert_eq!(ViewState::from_fragment(&fragment), state);
        // A trace page is never the services view.
        let both = ViewState::from_fragment("#trace=abc&view=services");
        assert!(!both.services);
        assert_eq!(both.trace.as_deref(), Some("abc"));
    }
}
