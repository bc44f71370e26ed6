//! A tiny deterministic random generator (xorshift64*) for the demo and the trace generator:
//! their output must be the same on every run, and pulling in `rand` (with `getrandom`, which
//! needs extra set-up on wasm32) for that would be heavier than these lines.

/// xorshift64* (Vigna); not for anything security-related.
pub(crate) struct Rng(u64);

impl Rng {
    /// A generator for `seed` (any value; zero is avoided internally).
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next 64 random bits.
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A value in `0..n` (0 when `n` is 0).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// A value in `low..=high`.
    pub(crate) fn range(&mut self, low: i64, high: i64) -> i64 {
        let span = (high - low).max(0) as u64 + 1;
        low + (self.next() % span) as i64
    }
}
