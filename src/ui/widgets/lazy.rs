//! Parts of the page whose code is downloaded when first needed.
//!
//! The page's wasm is split (`scripts/build_page.mjs`): everything the start screen and the
//! trace list need is in the first download, and each view a person opens later (a trace's
//! page, services, quality, baselines, Connect…) is a chunk of its own, fetched on first use
//! and preloaded once the page is idle. [`split_fn!`] declares such a function: with
//! `--cfg tracagg_split` its code goes to the named chunk (`wasm_split_helpers`, which
//! Leptos's own `#[lazy]` uses), otherwise it is an ordinary `async fn`, so that tests and
//! debug builds need no splitter. [`Lazy`] shows what such a function returns.
use std::future::Future;

use leptos::prelude::*;

/// A part of the page whose code could not be downloaded (offline before the first visit
/// finished, or a new version deployed meanwhile).
#[derive(Debug, Clone)]
pub struct PartMissing;

impl std::fmt::Display for PartMissing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("this part of tracagg could not be downloaded (is the network down?)")
    }
}

#[cfg(tracagg_split)]
impl From<wasm_split_helpers::SplitLoaderError> for PartMissing {
    fn from(_: wasm_split_helpers::SplitLoaderError) -> Self {
        PartMissing
    }
}

/// Declares `fn NAME(ARGS) -> Result<T, PartMissing>` (async to call) whose code lives in the
/// wasm chunk CHUNK, and `async fn PRELOAD() -> Result<(), PartMissing>` that downloads that
/// chunk without calling anything. Written
/// `split_fn!(CHUNK, PRELOAD, pub fn NAME(ARGS) -> T { BODY });`, in a module that allows
/// `unsafe_code` (the splitter's generated imports).
macro_rules! split_fn {
    ($chunk:ident, $preload:ident, $(#[$attr:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty $body:block) => {
        #[cfg(tracagg_split)]
        $(#[$attr])*
        #[wasm_split_helpers::wasm_split($chunk, fallible, preload(#[doc = "Downloads this function's chunk of the page's code."] $preload))]
        $vis fn $name($($arg: $ty),*) -> Result<$ret, $crate::ui::widgets::lazy::PartMissing> {
            Ok($body)
        }

        #[cfg(not(tracagg_split))]
        $(#[$attr])*
        #[allow(clippy::unused_async)]
        $vis async fn $name($($arg: $ty),*) -> Result<$ret, $crate::ui::widgets::lazy::PartMissing> {
            Ok($body)
        }

        /// Downloads this function's chunk of the page's code (nothing to do in a build that
        /// is not split).
        #[cfg(not(tracagg_split))]
        #[allow(clippy::unused_async)]
        $vis async fn $preload() -> Result<(), $crate::ui::widgets::lazy::PartMissing> {
            Ok(())
        }
    };
}
pub(crate) use split_fn;

/// Shows the view `load` makes (a [`split_fn!`] function): at once when its chunk is already
/// there, after its download otherwise, and a message with Retry when the download failed.
#[component]
pub fn Lazy<F, Fut>(
    /// Makes the view; called again by Retry.
    load: F,
) -> impl IntoView
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<AnyView, PartMissing>> + 'static,
{
    let attempt = RwSignal::new(0u32);
    move || {
        attempt.track();
        let made = send_wrapper::SendWrapper::new(load());
        Suspend::new(async move {
            match made.await {
                Ok(view) => view,
                Err(PartMissing) => view! {
                    <div class="notice error" role="alert" data-testid="part-missing">
                        "This part of tracagg could not be downloaded (is the network down?). "
                        <button class="button small" on:click=move |_| attempt.update(|n| *n = n.wrapping_add(1))>"Retry"</button>
                    </div>
                }
                .into_any(),
            }
        })
    }
}
