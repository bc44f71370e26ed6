//! "Watch services…": with a backend connected, polls the chosen services every N seconds for
//! traces that started since the last poll, loads them (so the active baseline scores them) and
//! lists the anomalous ones as they arrive, with their sentences; optionally a desktop
//! notification. Polls never overlap (one runs after the other ends), each asks for at most a
//! limit of traces per service, and a failed poll stops the watch with the reason and Retry.
use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::core::backend::SearchQuery;
use crate::core::view_model::format_start_ns;
use crate::source::backend::Connection;
use crate::source::sleep_ms;
use crate::ui::backend::backend_panel::search_and_load;
use crate::ui::services::services_view::open_span;
use crate::ui::state::{AppState, NoticeLevel};
use crate::ui::widgets::name::Name;

/// Anomalous traces listed (newest first).
const SHOWN_ANOMALIES: usize = 50;

/// Now, in µs since the epoch.
fn now_us() -> i64 {
    (js_sys::Date::now() * 1000.0) as i64
}

/// What one watch asks for.
#[derive(Clone, Debug, PartialEq)]
struct WatchPlan {
    services: Vec<String>,
    interval_s: u32,
    limit: usize,
}

/// Shows a desktop notification, when the person allowed them.
fn desktop_notification(title: &str, body: &str) {
    if web_sys::Notification::permission() != web_sys::NotificationPermission::Granted {
        return;
    }
    let options = web_sys::NotificationOptions::new();
    options.set_body(body);
    let _ = web_sys::Notification::new_with_options(title, &options);
}

/// The watch form and what it found.
#[component]
pub fn WatchPanel(
    /// The backend connection (none: nothing to watch).
    #[prop(into)]
    connection: Signal<Option<Connection>>,
    /// The backend's services, to choose from.
    #[prop(into)]
    services: Signal<Vec<String>>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let open = RwSignal::new(false);
    let chosen = RwSignal::new(BTreeSet::<String>::new());
    let interval = RwSignal::new("60".to_string());
    let limit = RwSignal::new("20".to_string());
    let notify = RwSignal::new(false);
    let running = RwSignal::new(None::<WatchPlan>);
    let status = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    // Trace IDs the watch loaded, newest poll first.
    let found = RwSignal::new(Vec::<String>::new());
    let generation = StoredValue::new(0u64);
    let notified = StoredValue::new(BTreeSet::<String>::new());

    let stop = move || {
        generation.update_value(|g| *g = g.wrapping_add(1));
        running.set(None);
    };
    let start = move |plan: WatchPlan| {
        let Some(connection) = connection.get_untracked() else {
            error.set(Some("Connect first.".to_string()));
            return;
        };
        let ticket = generation.get_value().wrapping_add(1);
        generation.set_value(ticket);
        error.set(None);
        running.set(Some(plan.clone()));
        status.set("First poll…".to_string());
        spawn_local(async move {
            let interval_us = i64::from(plan.interval_s) * 1_000_000;
            let mut since = now_us() - interval_us;
            loop {
                let until = now_us();
                let mut new_ids = Vec::new();
                for service in &plan.services {
                    let query = SearchQuery {
                        service: Some(service.clone()),
                        start_us: since,
                        end_us: until,
                        limit: plan.limit,
                        ..SearchQuery::default()
                    };
                    match search_and_load(state, &connection, &query).await {
                        Ok((ids, _)) => new_ids.extend(ids),
                        Err(reason) => {
                            if generation.try_get_value() == Some(ticket) {
                                let message =
                                    format!("Watching stopped: polling {service} failed: {reason}");
                                state.notify(NoticeLevel::Error, message.clone());
                                let _ = error.try_set(Some(message));
                                let _ = running.try_set(None);
                            }
                            return;
                        }
                    }
                }
                if generation.try_get_value() != Some(ticket) {
                    return;
                }
                let _ = found.try_update(|list| {
                    new_ids.retain(|id| !list.contains(id));
                    let mut next = new_ids.clone();
                    next.append(list);
                    *list = next;
                });
                let _ = status.try_set(format!(
                    "Last poll {}: {} new trace{}; the next in {} s.",
                    format_start_ns(until.saturating_mul(1000)),
                    new_ids.len(),
                    if new_ids.len() == 1 { "" } else { "s" },
                    plan.interval_s
                ));
                // The next window starts just after this one: no trace is fetched twice.
                since = until + 1;
                // Wait in steps of a second, so Stop takes effect at once.
                for _ in 0..plan.interval_s.max(1) {
                    sleep_ms(1000).await;
                    if generation.try_get_value() != Some(ticket) {
                        return;
                    }
                }
            }
        });
    };
    let plan_from_form = move || -> Result<WatchPlan, String> {
        let services: Vec<String> = chosen.get_untracked().into_iter().collect();
        if services.is_empty() {
            return Err("Choose at least one service to watch.".to_string());
        }
        let interval_s: u32 = interval
            .get_untracked()
            .trim()
            .parse()
            .ok()
            .filter(|s| (1..=86_400).contains(s))
            .ok_or("The interval must be 1 to 86400 seconds.")?;
        let limit: usize = limit
            .get_untracked()
            .trim()
            .parse()
            .ok()
            .filter(|n| (1..=1500).contains(n))
            .ok_or("The limit per poll must be 1 to 1500 traces.")?;
        Ok(WatchPlan {
            services,
            interval_s,
            limit,
        })
    };
    let on_start = move |_| match plan_from_form() {
        Ok(plan) => start(plan),
        Err(message) => error.set(Some(message)),
    };
    let retry = move |_| {
        if let Ok(plan) = plan_from_form() {
            start(plan);
        }
    };
    // The anomalous traces among those the watch loaded, newest first.
    let anomalous = Memo::new(move |_| {
        found.with(|ids| {
            state.scores.with(|board| {
                board.as_ref().map_or_else(Vec::new, |b| {
                    ids.iter()
                        .filter_map(|id| b.of(id))
                        .filter(|s| s.anomalous)
                        .map(|s| (s.trace_id.clone(), s.root.clone(), s.explanation.clone()))
                        .collect::<Vec<_>>()
                })
            })
        })
    });
    // A desktop notification for each trace that turns up anomalous (when switched on).
    Effect::new(move |_| {
        let list = anomalous.get();
        if !notify.get_untracked() {
            return;
        }
        let fresh: Vec<_> = notified.with_value(|seen| {
            list.iter()
                .filter(|(id, _, _)| !seen.contains(id))
                .cloned()
                .collect()
        });
        if let Some((_, root, explanation)) = fresh.first() {
            let title = if fresh.len() == 1 {
                format!("Anomalous trace: {root}")
            } else {
                format!("{} anomalous traces, e.g. {root}", fresh.len())
            };
            desktop_notification(&title, explanation);
        }
        notified.update_value(|seen| seen.extend(fresh.into_iter().map(|(id, _, _)| id)));
    });
    let ask_permission = move |on: bool| {
        notify.set(on);
        if on {
            if let Ok(promise) = web_sys::Notification::request_permission() {
                spawn_local(async move {
                    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
                });
            }
        }
    };
    let has_baseline = move || state.active_baseline.with(Option::is_some);
    view! {
        <div class="watch" data-testid="watch">
            <Show when=move || open.get() fallback=move || view! {
                <button class="button" data-testid="watch-open" on:click=move |_| open.set(true)
                    title="Poll chosen services and score new traces against the active baseline">"Watch services…"</button>
            }>
                <form class="search-form watch-form" on:submit=|ev| ev.prevent_default()>
                    <b>"Watch:"</b>
                    <span class="watch-services">
                        {move || services.get().into_iter().map(|name| {
                            let (for_check, for_change) = (name.clone(), name.clone());
                            view! {
                                <label>
                                    <input type="checkbox" data-testid="watch-service" value=name.clone()
                                        prop:checked=move || chosen.with(|c| c.contains(&for_check))
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            chosen.update(|c| { if on { c.insert(for_change.clone()); } else { c.remove(&for_change); } });
                                        }/>
                                    " " <Name text=name max=40/>
                                </label>
                            }
                        }).collect_view()}
                    </span>
                    <label>"every "
                        <input type="number" min="1" class="narrow" data-testid="watch-interval" prop:value=interval
                            on:input=move |ev| interval.set(event_target_value(&ev))/>" s"</label>
                    <label>"at most "
                        <input type="number" min="1" max="1500" class="narrow" data-testid="watch-limit" prop:value=limit
                            on:input=move |ev| limit.set(event_target_value(&ev))/>" traces a poll"</label>
                    <label title="A desktop notification for each anomalous trace (the browser asks first)">
                        <input type="checkbox" data-testid="watch-notify" prop:checked=notify
                            on:change=move |ev| ask_permission(event_target_checked(&ev))/>" notify me"</label>
                    <Show when=move || running.with(Option::is_some) fallback=move || view! {
                        <button class="button primary" type="button" data-testid="watch-start" on:click=on_start>"Start watching"</button>
                    }>
                        <button class="button" type="button" data-testid="watch-stop" on:click=move |_| stop()>"Stop"</button>
                    </Show>
                </form>
                <Show when=move || !has_baseline()>
                    <p class="hint" data-testid="watch-no-baseline">"No active baseline: new traces are loaded but not scored. Make one on the Baselines tab (or with “Related to an alert”)."</p>
                </Show>
                {move || error.get().map(|message| view! {
                    <div class="notice error" data-testid="watch-error">
                        <span><Name text=message max=600/></span>
                        <button class="button small" data-testid="watch-retry" on:click=retry>"Retry"</button>
                    </div>
                })}
                <Show when=move || running.with(Option::is_some)>
                    <p class="hint" data-testid="watch-status">{move || status.get()}</p>
                </Show>
                <Show when=move || found.with(|f| !f.is_empty())>
                    <p data-testid="watch-count"><b>{move || format!("{} anomalous of {} new traces", anomalous.with(Vec::len), found.with(Vec::len))}</b></p>
                    <ul class="anomaly-list" data-testid="watch-anomalies">
                        {move || anomalous.get().into_iter().take(SHOWN_ANOMALIES).map(|(id, root, explanation)| {
                            let open_id = id.clone();
                            view! {
                                <li data-testid="watch-anomaly">
                                    <a href="#" on:click=move |ev| { ev.prevent_default(); open_span(state, open_id.clone(), None); }><Name text=root max=80/></a>
                                    " " <span class="muted"><Name text=id max=16/></span>": "
                                    <Name text=explanation max=400/>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </Show>
            </Show>
        </div>
    }
}
