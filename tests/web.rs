//! Browser-only code in headless Chromium (wasm-bindgen-test): reading files, mounting the app,
//! dropping a file on the page and loading the demo.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)]

use js_sys::{Array, Promise};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{DataTransfer, DragEvent, DragEventInit, File, FilePropertyBag, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn file_from_text(name: &str, text: &str) -> File {
    let parts = Array::of1(&JsValue::from_str(text));
    let options = FilePropertyBag::new();
    options.set_type("application/json");
    File::new_with_str_sequence_and_options(&parts, name, &options).unwrap()
}

async fn sleep_ms(ms: i32) {
    let promise = Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// Waits (up to 5 s) until `selector` matches `count` elements inside `root`.
async fn wait_for_count(root: &HtmlElement, selector: &str, count: u32) -> u32 {
    let mut found = 0;
    for _ in 0..500 {
        found = root.query_selector_all(selector).unwrap().length();
        if found == count {
            break;
        }
        sleep_ms(10).await;
    }
    found
}

/// Mounts a fresh app. The tests share one page, so what an earlier test loaded is kept in
/// this page's storage (and would be restored): it is removed first, and again after a moment
/// for a copy that was still being written. Returns once the page is built.
async fn mount_app() -> HtmlElement {
    let _ = tracagg::source::storage::clear().await;
    sleep_ms(200).await;
    let _ = tracagg::source::storage::clear().await;
    let host: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&host).unwrap();
    leptos::mount::mount_to(host.clone(), tracagg::ui::App).forget();
    // The app builds its page one browser task after it is mounted.
    assert_eq!(wait_for_count(&host, "[data-testid=page]", 1).await, 1);
    host
}

#[wasm_bindgen_test]
async fn read_file_bytes_returns_the_utf8_bytes() {
    let text = r#"{"name":"größe ✓"}"#;
    let file = file_from_text("a.json", text);
    let bytes = tracagg::source::read_file_bytes(&file).await.unwrap();
    assert_eq!(bytes, text.as_bytes());
    // And a large file arrives whole.
    let big = "x".repeat(3_000_000);
    let bytes = tracagg::source::read_file_bytes(&file_from_text("b.json", &big))
        .await
        .unwrap();
    assert_eq!(bytes.len(), 3_000_000);
}

#[wasm_bindgen_test]
async fn the_worker_reader_reads_a_file_of_several_slices_whole_and_in_order() {
    // 20 MB of lines that differ, so a slice out of place would show.
    let text: String = (0..1_000_000).map(|i| format!("{i:018}\n")).collect();
    let file = file_from_text("slices.json", &text);
    let mut seen = Vec::new();
    let slice = 8.0 * 1024.0 * 1024.0;
    let bytes = tracagg::source::read_file_bytes_in_slices(&file, slice, |done| seen.push(done))
        .await
        .unwrap();
    assert!(
        bytes == text.as_bytes(),
        "the bytes arrive whole and in order"
    );
    assert!(seen.len() >= 3, "progress after each slice: {seen:?}");
    assert!(seen.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(seen.last().copied(), Some(1.0));
}

#[wasm_bindgen_test]
async fn a_range_of_a_file_reads_the_same_in_one_slice_or_several() {
    let text: String = (0..200_000).map(|i| format!("{i:09}\n")).collect();
    let file = file_from_text("range.json", &text);
    let (start, end) = (123_457usize, 1_654_321usize);
    for slice in [64.0 * 1024.0 * 1024.0, 100_000.0] {
        let mut seen = Vec::new();
        let bytes =
            tracagg::source::read_file_range(&file, start as f64, end as f64, slice, |done| {
                seen.push(done)
            })
            .await
            .unwrap();
        assert!(bytes == text.as_bytes()[start..end], "slice {slice}");
        assert_eq!(seen.last().copied(), Some(1.0));
    }
    // Past the end is clamped; an empty range is empty.
    let tail = tracagg::source::read_file_range(&file, 1_999_990.0, 5e9, 1e6, |_| {})
        .await
        .unwrap();
    assert_eq!(tail, text.as_bytes()[1_999_990..]);
    let none = tracagg::source::read_file_range(&file, 10.0, 10.0, 1e6, |_| {})
        .await
        .unwrap();
    assert!(none.is_empty());
}

#[wasm_bindgen_test]
async fn a_framed_hand_over_is_assembled_between_browser_turns() {
    use tracagg::core::generate::{write_trace, GenFormat};
    use tracagg::core::handover::FRAME_ITEMS;
    use tracagg::core::load::{decode_built, parse_and_encode};
    let mut trace = Vec::new();
    write_trace(&mut trace, FRAME_ITEMS + 10, GenFormat::Otlp, 4).unwrap();
    let encoded = parse_and_encode("framed.json", &trace).unwrap();
    let buffer = js_sys::Uint8Array::from(encoded.as_slice());
    let progress = std::cell::RefCell::new(Vec::new());
    // A turn after every frame, as a slow machine would take.
    let built =
        tracagg::source::assemble_in_slices(&buffer, 0.0, |done| progress.borrow_mut().push(done))
            .await
            .unwrap();
    let expected = decode_built("framed.json", &encoded).unwrap();
    assert_eq!(built.span_count, FRAME_ITEMS + 10);
    assert_eq!(built.analyses, expected.analyses);
    assert_eq!(built.traces.len(), expected.traces.len());
    assert_eq!(built.traces[0].spans, expected.traces[0].spans);
    let progress = progress.into_inner();
    assert!(progress.len() > 5, "{progress:?}");
    assert!(progress.windows(2).all(|w| w[0] < w[1]), "{progress:?}");
    // A cut buffer is an error, not a panic.
    let cut = js_sys::Uint8Array::from(&encoded[..encoded.len() / 2]);
    assert!(matches!(
        tracagg::source::assemble(&cut, |_| {}).await,
        Err(tracagg::source::WorkerFailure::Failed(_))
    ));
    // Cancel pressed while it assembles: it stops at the next turn.
    let cancelling = tracagg::source::assemble_in_slices(&buffer, 0.0, |_| {
        tracagg::source::cancel_worker_load()
    });
    assert!(matches!(
        cancelling.await,
        Err(tracagg::source::WorkerFailure::Cancelled)
    ));
}

#[wasm_bindgen_test]
async fn the_app_starts_with_the_drop_zone_and_loads_the_demo() {
    let host = mount_app().await;
    assert_eq!(wait_for_count(&host, "[data-testid=drop-zone]", 1).await, 1);
    let button: HtmlElement = host
        .query_selector("[data-testid=load-demo]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    button.click();
    assert_eq!(
        wait_for_count(&host, "[data-testid=trace-row]", 12).await,
        12
    );
    assert_eq!(wait_for_count(&host, "[data-testid=drop-zone]", 0).await, 0);
    host.remove();
}

#[wasm_bindgen_test]
async fn a_file_dropped_on_the_page_is_loaded_and_a_bad_one_explained() {
    let host = mount_app().await;
    // The drop listeners are attached by an effect after the first render.
    assert_eq!(wait_for_count(&host, "[data-testid=drop-zone]", 1).await, 1);
    sleep_ms(20).await;
    let page: HtmlElement = host
        .query_selector("[data-testid=page]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    let transfer = DataTransfer::new().unwrap();
    let good = r#"[{"traceId":"abc","id":"1","name":"get","timestamp":1000,"duration":5,"localEndpoint":{"serviceName":"api"}},
                   {"traceId":"abc","id":"2","parentId":"1","name":"query","timestamp":1001,"duration":2,"localEndpoint":{"serviceName":"db"}}]"#;
    transfer
        .items()
        .add_with_file(&file_from_text("good.json", good))
        .unwrap();
    transfer
        .items()
        .add_with_file(&file_from_text("bad.json", "{oops"))
        .unwrap();
    let init = DragEventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    init.set_data_transfer(Some(&transfer));
    for kind in ["dragenter", "dragover", "drop"] {
        let event = DragEvent::new_with_event_init_dict(kind, &init).unwrap();
        page.dispatch_event(&event).unwrap();
    }
    assert_eq!(wait_for_count(&host, "[data-testid=trace-row]", 1).await, 1);
    assert_eq!(
        wait_for_count(&host, "[data-testid=notice-error]", 1).await,
        1
    );
    let error = host
        .query_selector("[data-testid=notice-error] .notice-text")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert!(
        error.starts_with("bad.json: not valid JSON at line 1, column 2"),
        "{error}"
    );
    let spans = host
        .query_selector("[data-testid=span-count]")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert_eq!(spans, "2 spans");
    host.remove();
}

fn click(root: &HtmlElement, selector: &str) {
    let element: HtmlElement = root
        .query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector}"))
        .unchecked_into();
    element.click();
}

fn text_of(root: &HtmlElement, selector: &str) -> String {
    root.query_selector(selector)
        .unwrap()
        .map(|el| el.text_content().unwrap_or_default())
        .unwrap_or_default()
}

/// Waits (up to 5 s) until `selector`'s text is `want`; returns the last text seen.
async fn wait_for_text(root: &HtmlElement, selector: &str, want: &str) -> String {
    let mut seen = String::new();
    for _ in 0..500 {
        seen = text_of(root, selector);
        if seen == want {
            break;
        }
        sleep_ms(10).await;
    }
    seen
}

#[wasm_bindgen_test]
async fn the_trace_page_collapses_searches_and_shows_details() {
    let host = mount_app().await;
    click(&host, "[data-testid=load-demo]");
    assert_eq!(
        wait_for_count(&host, "[data-testid=trace-row]", 12).await,
        12
    );
    let first_id = host
        .query_selector("[data-testid=trace-row]")
        .unwrap()
        .unwrap()
        .get_attribute("data-trace-id")
        .unwrap();
    click(&host, "[data-testid=trace-row]");
    assert_eq!(
        wait_for_count(&host, "[data-testid=trace-page]", 1).await,
        1
    );
    let hash = web_sys::window().unwrap().location().hash().unwrap();
    assert_eq!(hash, format!("#trace={first_id}"));
    let spans: u32 = text_of(&host, "[data-testid=header-spans]")
        .parse()
        .unwrap();
    assert!(spans > 5, "{spans} spans");
    assert_eq!(
        wait_for_text(&host, ".ruler-label", &format!("{spans} rows")).await,
        format!("{spans} rows")
    );
    // Critical-path marks are drawn on the bars.
    assert!(
        host.query_selector_all("[data-testid=critical-mark]")
            .unwrap()
            .length()
            > 0
    );

    click(&host, "[data-testid=collapse-all]");
    assert_eq!(
        wait_for_text(&host, ".ruler-label", "1 rows").await,
        "1 rows"
    );
    assert_eq!(
        text_of(&host, "[data-testid=hidden-count]"),
        format!("+{}", spans - 1)
    );
    click(&host, "[data-testid=expand-all]");
    assert_eq!(
        wait_for_text(&host, ".ruler-label", &format!("{spans} rows")).await,
        format!("{spans} rows")
    );

    // The root's service is a match for itself; stepping selects and opens the detail.
    let service = text_of(&host, "[data-testid=header-service]");
    let input: web_sys::HtmlInputElement = host
        .query_selector("[data-testid=span-search]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    input.set_value(&format!("service={service}"));
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    for _ in 0..500 {
        if text_of(&host, "[data-testid=match-count]").ends_with("matches")
            || text_of(&host, "[data-testid=match-count]") == "1 match"
        {
            break;
        }
        sleep_ms(10).await;
    }
    assert!(
        host.query_selector_all(".span-row.match").unwrap().length() >= 1,
        "highlighted matches"
    );
    click(&host, "[data-testid=next-match]");
    assert_eq!(
        wait_for_count(&host, "[data-testid=span-detail]", 1).await,
        1
    );
    assert_eq!(text_of(&host, "[data-testid=detail-service]"), service);
    assert!(text_of(&host, "[data-testid=match-count]").starts_with("1 of "));

    click(&host, "[data-testid=back]");
    assert_eq!(
        wait_for_count(&host, "[data-testid=trace-page]", 0).await,
        0
    );
    host.remove();
}
