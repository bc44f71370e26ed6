//! The interned-string types every part of the model shares: [`Sym`], a 4-byte handle, and the
//! per-trace [`Interner`] that resolves it. They sit apart from `span` and `trace` so that both
//! can name them without naming each other.
/// An interned string: a 4-byte handle into [`Trace::strings`].
pub type Sym = lasso::Spur;

/// The per-trace string table (service and operation names, IDs, attribute keys and values).
/// Hashed with FxHash: the strings come from the user's own files, so hash flooding is not a
/// concern, and interning is on the per-span hot path.
pub type Interner = lasso::Rodeo<Sym, std::hash::BuildHasherDefault<rustc_hash::FxHasher>>;
