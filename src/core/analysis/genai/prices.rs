//! The person's price table: what a model costs per million input and output tokens, in
//! whatever currency they enter. Nothing is shipped as a fact: the table starts empty.
use super::conventions::Tokens;
use serde::{Deserialize, Serialize};

/// Prices of one model, per million tokens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Price {
    /// The model name as the spans give it (`gen_ai.response.model` or the request's).
    pub model: String,
    /// Price per million input tokens (cache reads and writes counted as input).
    pub input_per_million: f64,
    /// Price per million output tokens (reasoning counted as output).
    pub output_per_million: f64,
}

/// The table, as the page keeps it in the browser.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PriceTable {
    /// One row per model.
    pub prices: Vec<Price>,
}

impl PriceTable {
    /// Sets (or replaces) a model's prices; negative or non-finite prices count as 0.
    pub fn set(&mut self, model: &str, input_per_million: f64, output_per_million: f64) {
        let clean = |p: f64| if p.is_finite() && p > 0.0 { p } else { 0.0 };
        let price = Price {
            model: model.to_string(),
            input_per_million: clean(input_per_million),
            output_per_million: clean(output_per_million),
        };
        match self.prices.iter_mut().find(|p| p.model == model) {
            Some(slot) => *slot = price,
            None => self.prices.push(price),
        }
    }

    /// Removes a model's prices.
    pub fn remove(&mut self, model: &str) {
        self.prices.retain(|p| p.model != model);
    }

    /// The estimated cost of `tokens` on `model`; `None` when the table has no price for it.
    /// Input counts `input` tokens (producers report cached tokens inside it); output counts
    /// `output` tokens (reasoning is inside it).
    pub fn cost(&self, model: &str, tokens: &Tokens) -> Option<f64> {
        let price = self.prices.iter().find(|p| p.model == model)?;
        Some(
            tokens.input as f64 / 1e6 * price.input_per_million
                + tokens.output as f64 / 1e6 * price.output_per_million,
        )
    }

    /// Reads a table kept as JSON; anything unreadable gives an empty table.
    pub fn from_json(text: &str) -> PriceTable {
        serde_json::from_str(text).unwrap_or_default()
    }

    /// The table as JSON, to keep.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_set_replace_and_cost() {
        let mut t = PriceTable::default();
        let tokens = Tokens {
            input: 2_000_000,
            output: 500_000,
            ..Tokens::default()
        };
        assert_eq!(t.cost("m", &tokens), None);
        t.set("m", 1.0, 4.0);
        t.set("m", 2.0, f64::NAN);
        assert_eq!(t.cost("m", &tokens), Some(4.0));
        let back = PriceTable::from_json(&t.to_json());
        assert_eq!(back, t);
        assert_eq!(PriceTable::from_json("not json"), PriceTable::default());
        t.remove("m");
        assert!(t.prices.is_empty());
    }
}
