//! The "Open files" button backed by a hidden `<input type="file" multiple>`.
use leptos::html::Input;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// A button that opens the browser's file chooser and hands back the chosen files.
#[component]
pub fn FilePicker(
    /// Called with the chosen files.
    on_files: Callback<Vec<web_sys::File>>,
) -> impl IntoView {
    let input = NodeRef::<Input>::new();
    let on_change = move |event: leptos::ev::Event| {
        let Some(target) = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let mut files = Vec::new();
        if let Some(list) = target.files() {
            for index in 0..list.length() {
                if let Some(file) = list.get(index) {
                    files.push(file);
                }
            }
        }
        // Reset so choosing the same file again fires `change` again.
        target.set_value("");
        on_files.run(files);
    };
    view! {
        <input
            type="file"
            multiple=true
            accept=".json,.jsonl,.txt,application/json"
            class="hidden-input"
            data-testid="file-input"
            node_ref=input
            on:change=on_change
        />
        <button
            class="button primary"
            data-testid="open-files"
            on:click=move |_| {
                if let Some(element) = input.get() {
                    element.click();
                }
            }
        >
            "Open files"
        </button>
    }
}
