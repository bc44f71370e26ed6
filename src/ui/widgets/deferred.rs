//! [`Deferred`]: a value derived from reactive inputs like a `Memo`, but computed in a browser
//! task of its own, after the render that asked for it.
//!
//! The services view derives a dozen statistics from every loaded span; computed as memos
//! they all ran in the one task that drew the tab (a quarter of a second at 100,000 spans, so
//! the page froze). As deferred values each computation, and the drawing of what it feeds,
//! gets a task of its own, with the browser free to paint and take input in between.
use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::source::yield_to_browser;
use crate::ui::widgets::shared::Shared;

/// A value computed from `source` after a browser turn. Until the first value is there,
/// [`Deferred::ready`] is false; when the inputs change, the previous value stays shown (and
/// [`Deferred::busy`] is true) until the new one is computed.
pub struct Deferred<T: Send + Sync + 'static> {
    value: RwSignal<Option<Shared<T>>>,
    busy: RwSignal<bool>,
}

impl<T: Send + Sync + 'static> Clone for Deferred<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Deferred<T> {}

impl<T: Send + Sync + 'static> Deferred<T> {
    /// Tracks `source` (read in a reactive effect) and, after each change, computes
    /// `compute(input)` in a later task; a change that comes first makes the pending
    /// computation skip itself.
    pub fn new<S: 'static>(
        source: impl Fn() -> S + 'static,
        compute: impl Fn(S) -> T + 'static,
    ) -> Self {
        Self::maybe(source, move |input| Some(compute(input)))
    }

    /// A value computed from this one's, in a task after it, each time it changes.
    pub fn then<U: Send + Sync + 'static>(
        self,
        compute: impl Fn(&T) -> U + 'static,
    ) -> Deferred<U> {
        Deferred::maybe(move || self.get(), move |input| input.map(|v| compute(&v)))
    }

    /// [`Deferred::new`] where `compute` may have nothing to say yet: `None` leaves the
    /// previous value (and [`Deferred::busy`] true) until the inputs change again — for a
    /// value made of other deferred values, once they are all computed.
    pub fn maybe<S: 'static>(
        source: impl Fn() -> S + 'static,
        compute: impl Fn(S) -> Option<T> + 'static,
    ) -> Self {
        let value = RwSignal::new(None);
        let busy = RwSignal::new(true);
        let compute = Rc::new(compute);
        let generation = Rc::new(Cell::new(0u64));
        Effect::new(move |_| {
            let input = source();
            let ticket = generation.get().wrapping_add(1);
            generation.set(ticket);
            busy.set(true);
            let generation = Rc::clone(&generation);
            let compute = Rc::clone(&compute);
            spawn_local(async move {
                yield_to_browser().await;
                // Inputs changed meanwhile (a later task computes), or the view has gone.
                if generation.get() != ticket || value.try_with_untracked(|_| ()).is_none() {
                    return;
                }
                let Some(computed) = compute(input) else {
                    return;
                };
                // The view may have gone meanwhile (another tab): then there is nothing to set.
                if value.try_set(Some(Shared::new(computed))).is_none() {
                    let _ = busy.try_set(false);
                }
            });
        });
        Self { value, busy }
    }

    /// Whether a value has been computed.
    pub fn ready(self) -> bool {
        self.value.with(Option::is_some)
    }

    /// Whether a computation is pending (the first, or one for changed inputs).
    pub fn busy(self) -> bool {
        self.busy.get()
    }

    /// The latest value, `None` before the first.
    pub fn get(self) -> Option<Shared<T>> {
        self.value.get()
    }

    /// The latest value as a signal for a component shown once [`Deferred::ready`]; before
    /// that it reads as `T::default()`.
    pub fn signal(self) -> Signal<Shared<T>>
    where
        T: Default,
    {
        let empty = Shared::new(T::default());
        Signal::derive(move || self.value.get().unwrap_or_else(|| empty.clone()))
    }
}
