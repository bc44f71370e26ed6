//! Service colours: stable per name (a hash into a palette), so a service keeps its colour
//! across traces, views and reloads.

/// A palette readable on white, with distinct hues (Tableau-like).
const PALETTE: [&str; 12] = [
    "#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#9c755f", "#ff9da7",
    "#8cd17d", "#86bcb6", "#d4a6c8", "#a0cbe8",
];

/// The CSS colour of a service.
pub fn service_colour(service: &str) -> &'static str {
    // FNV-1a: stable across runs and platforms, unlike the std hasher.
    let hash = service.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    PALETTE
        .get((hash % PALETTE.len() as u64) as usize)
        .copied()
        .unwrap_or("#4e79a7")
}

/// The "vs baseline" colouring of span bars: up to each percentile of the span's operation in
/// the baseline, a colour and its legend text (green when usual, red beyond the p99).
pub const BASELINE_BANDS: [(f64, &str, &str); 4] = [
    (50.0, "#59a14f", "≤ p50"),
    (90.0, "#8cd17d", "p50–p90"),
    (99.0, "#f28e2b", "p90–p99"),
    (f64::INFINITY, "#e15759", "> p99"),
];

/// The bar colour for an operation the baseline does not know well enough to judge.
pub const UNJUDGED_COLOUR: &str = "#bab0ac";

/// The bar colour of a span at `percentile` (0–100) of its operation in the baseline, grey
/// when there is nothing to judge by.
pub fn baseline_colour(percentile: Option<f64>) -> &'static str {
    let Some(p) = percentile.filter(|p| p.is_finite()) else {
        return UNJUDGED_COLOUR;
    };
    BASELINE_BANDS
        .iter()
        .find(|(upto, _, _)| p <= *upto)
        .map_or(UNJUDGED_COLOUR, |(_, colour, _)| colour)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn baseline_colours_follow_the_bands() {
        assert_eq!(baseline_colour(Some(10.0)), BASELINE_BANDS[0].1);
        assert_eq!(baseline_colour(Some(95.0)), BASELINE_BANDS[2].1);
        assert_eq!(baseline_colour(Some(100.0)), BASELINE_BANDS[3].1);
        assert_eq!(baseline_colour(None), UNJUDGED_COLOUR);
        assert_eq!(baseline_colour(Some(f64::NAN)), UNJUDGED_COLOUR);
    }

    #[test]
    fn colours_are_stable() {
        assert_eq!(service_colour("frontend"), service_colour("frontend"));
        let distinct: std::collections::HashSet<&str> =
            ["frontend", "mysql", "redis", "driver", "route", "customer"]
                .iter()
                .map(|s| service_colour(s))
                .collect();
        assert!(distinct.len() >= 4);
    }
}
