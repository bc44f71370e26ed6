//! The web app's entry point: trunk builds this binary to WebAssembly.
#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    tracagg::ui::mark("tracagg: wasm started");
    leptos::mount::mount_to_body(tracagg::ui::App);
    tracagg::ui::mark("tracagg: app mounted");
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "tracagg-web is the browser app: run `trunk serve` (see README). The CLI is `tracagg`."
    );
}
