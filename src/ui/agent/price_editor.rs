//! The person's price table: per model, a price per million input and output tokens in their
//! own currency. Kept in this browser; nothing is shipped as a price.
use leptos::prelude::*;

use crate::ui::state::AppState;

/// The price table editor, offering the models seen in the trace.
#[component]
pub fn PriceEditor(
    /// Models to offer (those the trace used).
    models: Vec<String>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let model = RwSignal::new(models.first().cloned().unwrap_or_default());
    let input = RwSignal::new(String::new());
    let output = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let save = move |_| {
        let parse = |s: String| {
            s.trim()
                .replace(',', ".")
                .parse::<f64>()
                .ok()
                .filter(|p| p.is_finite() && *p >= 0.0)
        };
        let name = model.get_untracked().trim().to_string();
        match (
            name.is_empty(),
            parse(input.get_untracked()),
            parse(output.get_untracked()),
        ) {
            (false, Some(i), Some(o)) => {
                let mut prices = state.prices.get_untracked();
                prices.set(&name, i, o);
                state.set_prices(prices);
                error.set(None);
            }
            _ => error.set(Some(
                "Give a model and two prices (numbers, 0 or more).".to_string(),
            )),
        }
    };
    let list_id = "price-models";
    view! {
        <section class="panel price-editor" data-testid="price-editor">
            <h2>"Model prices"</h2>
            <p class="hint">"Prices per 1,000,000 tokens, in your own currency; kept in this browser only. tracagg ships no prices: costs are estimates from the prices you enter (input counts cached tokens, output counts reasoning tokens)."</p>
            <div class="price-form">
                <input list=list_id placeholder="model" data-testid="price-model" prop:value=model on:input=move |ev| model.set(event_target_value(&ev))/>
                <datalist id=list_id>{models.into_iter().map(|m| view! { <option value=m/> }).collect_view()}</datalist>
                <input type="text" inputmode="decimal" placeholder="input / 1M" data-testid="price-input" prop:value=input on:input=move |ev| input.set(event_target_value(&ev))/>
                <input type="text" inputmode="decimal" placeholder="output / 1M" data-testid="price-output" prop:value=output on:input=move |ev| output.set(event_target_value(&ev))/>
                <button class="button small" data-testid="price-save" on:click=save>"Set price"</button>
            </div>
            {move || error.get().map(|e| view! { <p class="error" data-testid="price-error">{e}</p> })}
            <table class="prices" data-testid="price-table">
                <tbody>
                    {move || state.prices.get().prices.into_iter().map(|p| {
                        let name = p.model.clone();
                        view! {
                            <tr data-testid="price-row">
                                <td>{p.model.clone()}</td>
                                <td class="num">{format!("in {}", p.input_per_million)}</td>
                                <td class="num">{format!("out {}", p.output_per_million)}</td>
                                <td><button class="button small subtle" on:click=move |_| {
                                    let mut prices = state.prices.get_untracked();
                                    prices.remove(&name);
                                    state.set_prices(prices);
                                }>"Remove"</button></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
