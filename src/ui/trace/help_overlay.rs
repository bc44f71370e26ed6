//! The keyboard-shortcut overlay (`?`).
use leptos::prelude::*;

use crate::ui::trace::trace_view::TraceView;

/// Shortcuts of the trace page, as (keys, what they do).
pub const SHORTCUTS: [(&str, &str); 13] = [
    ("/", "Focus the search box"),
    ("Enter / Shift+Enter (in search)", "Next / previous match"),
    ("n / N", "Next / previous match"),
    ("j / k or ↓ / ↑", "Select the next / previous row"),
    ("Enter or Space", "Collapse or expand the selected row"),
    ("[ / ]", "Collapse all / expand all"),
    ("w / s or + / −", "Zoom in / out"),
    ("a / d or ← / →", "Pan left / right"),
    ("Ctrl + wheel, Shift + wheel", "Zoom / pan over the bars"),
    ("Drag on the minimap", "Zoom into a time range"),
    ("0", "Show the whole trace"),
    ("e", "Error-path mode on / off"),
    ("Esc", "Close the span detail (or this help)"),
];

/// A modal list of the shortcuts; closes on Esc, `?` or a click outside.
#[component]
pub fn HelpOverlay() -> impl IntoView {
    let view = expect_context::<TraceView>();
    view! {
        <div class="overlay" data-testid="help-overlay" on:click=move |_| view.help_open.set(false)>
            <div class="overlay-card" on:click=|ev| ev.stop_propagation()>
                <h3>"Keyboard shortcuts"</h3>
                <table>
                    <tbody>
                        {SHORTCUTS.iter().map(|(keys, what)| view! {
                            <tr><td><kbd>{*keys}</kbd></td><td>{*what}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <button class="button" on:click=move |_| view.help_open.set(false)>"Close"</button>
            </div>
        </div>
    }
}
