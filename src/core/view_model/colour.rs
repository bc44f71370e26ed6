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

#[cfg(test)]
mod tests {
    use super::*;

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
