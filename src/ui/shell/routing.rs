//! Keeps [`ViewState`] and the address bar's fragment in step, so back/forward and reloads
//! work and a link can be shared.
use leptos::prelude::*;

use crate::core::view_model::ViewState;

/// The view the address bar describes now.
pub fn location_view() -> ViewState {
    let fragment = window().location().hash().unwrap_or_default();
    ViewState::from_fragment(&fragment)
}

/// Writes `view` to the address bar: a new history entry (`push`) for moves between pages, or
/// a replacement for refinements (selected span, search text) that should not flood history.
pub fn write_location(view: &ViewState, push: bool) {
    let fragment = view.to_fragment();
    let Ok(history) = window().history() else {
        return;
    };
    let current = window().location().hash().unwrap_or_default();
    if current == fragment || (current.is_empty() && fragment == "#") {
        return;
    }
    let url = if fragment == "#" {
        // The bare page, without a dangling `#`.
        window().location().pathname().unwrap_or_default()
            + &window().location().search().unwrap_or_default()
    } else {
        fragment
    };
    let result = if push {
        history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
    } else {
        history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
    };
    if let Err(error) = result {
        leptos::logging::warn!("could not update the address bar: {error:?}");
    }
}

/// A signal holding the current view, updated on back/forward and on manual fragment edits.
pub fn use_route() -> RwSignal<ViewState> {
    let route = RwSignal::new(location_view());
    let on_change = move || {
        let view = location_view();
        if route.get_untracked() != view {
            route.set(view);
        }
    };
    let pop = window_event_listener(leptos::ev::popstate, move |_| on_change());
    let hash = window_event_listener(leptos::ev::hashchange, move |_| on_change());
    on_cleanup(move || {
        pop.remove();
        hash.remove();
    });
    route
}

/// Addresses given as `?url=…` in the page's query (Perfetto's convention), repeatable.
pub fn query_urls() -> Vec<String> {
    let search = window().location().search().unwrap_or_default();
    form_urlencoded::parse(search.trim_start_matches('?').as_bytes())
        .filter(|(key, value)| key == "url" && !value.is_empty())
        .map(|(_, value)| value.into_owned())
        .collect()
}

/// Moves to `view`, recording it in the address bar.
pub fn navigate(route: RwSignal<ViewState>, view: ViewState, push: bool) {
    // Files opened by address stay in the link wherever the person goes (Clear drops them).
    let mut view = view;
    if view.files.is_empty() {
        view.files = route.with_untracked(|r| r.files.clone());
    }
    write_location(&view, push);
    if route.get_untracked() != view {
        route.set(view);
    }
}
