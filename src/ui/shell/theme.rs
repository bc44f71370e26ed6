//! Light and dark: the page follows the system (`prefers-color-scheme`) unless the person picked
//! a theme with the toggle, which is kept in this browser. `index.html` applies the theme before
//! the first paint (no flash of the wrong one); this toggle changes it afterwards. The theme is
//! `<html data-theme="light|dark">`, which `style/main.css` and the charts read.
use leptos::prelude::*;

use crate::ui::state::AppState;

/// Where the person's choice is kept ("light" or "dark"; absent: follow the system).
pub const KEY_THEME: &str = "tracagg.theme";

/// The person's choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThemeChoice {
    /// Follow the system's setting.
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl ThemeChoice {
    /// The choice kept in this browser (the system's when none or unreadable).
    pub fn kept() -> Self {
        let value = window()
            .local_storage()
            .ok()
            .flatten()
            .and_then(|s| s.get_item(KEY_THEME).ok().flatten());
        match value.as_deref() {
            Some("light") => Self::Light,
            Some("dark") => Self::Dark,
            _ => Self::System,
        }
    }

    /// The next choice on a click: system → light → dark → system.
    pub fn next(self) -> Self {
        match self {
            Self::System => Self::Light,
            Self::Light => Self::Dark,
            Self::Dark => Self::System,
        }
    }

    /// The toggle's label.
    pub fn label(self) -> &'static str {
        match self {
            Self::System => "Theme: system",
            Self::Light => "Theme: light",
            Self::Dark => "Theme: dark",
        }
    }

    /// Whether the page is dark under this choice (asks the system for `System`).
    pub fn is_dark(self) -> bool {
        match self {
            Self::Light => false,
            Self::Dark => true,
            Self::System => window()
                .match_media("(prefers-color-scheme: dark)")
                .ok()
                .flatten()
                .is_some_and(|query| query.matches()),
        }
    }

    /// Keeps the choice and shows the page in it.
    fn apply(self) {
        if let Some(storage) = window().local_storage().ok().flatten() {
            let _ = match self {
                Self::System => storage.remove_item(KEY_THEME),
                Self::Light => storage.set_item(KEY_THEME, "light"),
                Self::Dark => storage.set_item(KEY_THEME, "dark"),
            };
        }
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-theme", if self.is_dark() { "dark" } else { "light" });
        }
    }
}

/// The toggle in the toolbar: system, light, dark.
#[component]
pub fn ThemeToggle() -> impl IntoView {
    let state = expect_context::<AppState>();
    let choice = RwSignal::new(ThemeChoice::kept());
    // While following the system, a change of the system's setting redraws the charts too
    // (`index.html` has already switched the page's colours).
    if let Ok(Some(query)) = window().match_media("(prefers-color-scheme: dark)") {
        let listener = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
            // `try_`: the page's signals may be gone (an app unmounted in tests).
            if choice.try_get_untracked() == Some(ThemeChoice::System) {
                let _ = state.dark.try_set(ThemeChoice::System.is_dark());
            }
        });
        let _ = query.add_event_listener_with_callback(
            "change",
            wasm_bindgen::JsCast::unchecked_ref(listener.as_ref()),
        );
        // Lives as long as the page.
        listener.forget();
    }
    let click = move |_| {
        let next = choice.get_untracked().next();
        next.apply();
        choice.set(next);
        state.dark.set(next.is_dark());
    };
    view! {
        <button class="button subtle theme-toggle" data-testid="theme-toggle"
            title="Light or dark: follow the system, or pick one (kept in this browser)"
            on:click=click>{move || choice.get().label()}</button>
    }
}
