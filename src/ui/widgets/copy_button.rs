//! A small "Copy" button for IDs, using the Clipboard API through leptos-use.
use leptos::prelude::*;
use leptos_use::{use_clipboard, UseClipboardReturn};

/// Copies `text` to the clipboard and says so for a moment.
#[component]
pub fn CopyButton(
    /// What to copy.
    #[prop(into)]
    text: Signal<String>,
    /// What it is, for the button's tooltip (`trace ID`).
    label: &'static str,
) -> impl IntoView {
    let UseClipboardReturn { copied, copy, .. } = use_clipboard();
    view! {
        <button
            class="copy"
            data-testid="copy"
            title=format!("Copy the {label}")
            on:click=move |ev| {
                ev.stop_propagation();
                copy(&text.get_untracked());
            }
        >
            {move || if copied.get() { "Copied" } else { "Copy" }}
        </button>
    }
}
