//! Keeping loaded files for the next visit, in the browser's IndexedDB.
//!
//! Each file is kept as the `File` itself (for a dropped or picked file, the browser copies its
//! bytes on its own threads: the page only hands over a reference, so even a 1,000,000-span file
//! never blocks it), or as a new `File` made from a backend's answer. On the next visit they come
//! back as `File`s and load like dropped ones (parsed in the worker). One database,
//! [`DATABASE`], with one object store, [`STORE`], keyed by name, size and date, so that the
//! same file dropped twice is kept once.
//!
//! Everything here fails softly: a private window without storage, a full quota or a blocked
//! database gives a [`StorageError`] whose sentence says what happened, and what was loaded
//! stays loaded.
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{File, IdbDatabase, IdbRequest, IdbTransactionMode};

/// The database's name.
pub const DATABASE: &str = "tracagg";
/// The object store that holds the files.
pub const STORE: &str = "files";

/// Why a file was not kept or restored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageError {
    /// This window keeps nothing (private browsing, storage turned off, no IndexedDB).
    Unavailable(String),
    /// The browser's quota for this site is used up.
    Full,
    /// Anything else the database said.
    Failed(String),
}

impl StorageError {
    /// The sentence shown to the person.
    pub fn describe(&self) -> String {
        match self {
            Self::Unavailable(why) => format!(
                "this window does not keep files for the next visit ({why}): a private window, or storage turned off for this site; everything still works, but a reload loses what is loaded"
            ),
            Self::Full => "the browser's storage for this page is full".to_string(),
            Self::Failed(why) => format!("the browser's storage failed: {why}"),
        }
    }
}

/// A kept file: its key and the file.
pub struct Kept {
    /// The store's key (name, size and date).
    pub key: String,
    /// The file, as it was dropped or made.
    pub file: File,
}

/// The key a file is kept under: the same file dropped twice has the same key.
pub fn key_of(file: &File) -> String {
    format!(
        "{}\u{1f}{}\u{1f}{}",
        file.name(),
        file.size(),
        file.last_modified()
    )
}

/// Turns an IDB request into a future of its result.
async fn done(request: &IdbRequest) -> Result<JsValue, StorageError> {
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let ok = resolve.clone();
        let target = request.clone();
        let on_success = Closure::once_into_js(move || {
            let _ = ok.call1(
                &JsValue::NULL,
                &target.result().unwrap_or(JsValue::UNDEFINED),
            );
        });
        let target = request.clone();
        let on_error = Closure::once_into_js(move |event: web_sys::Event| {
            // Handled here: not an uncaught error in the console.
            event.prevent_default();
            let error = target
                .error()
                .ok()
                .flatten()
                .map_or(JsValue::UNDEFINED, JsValue::from);
            let _ = reject.call1(&JsValue::NULL, &error);
        });
        request.set_onsuccess(Some(on_success.unchecked_ref()));
        request.set_onerror(Some(on_error.unchecked_ref()));
    });
    JsFuture::from(promise)
        .await
        .map_err(|error| to_error(&error))
}

/// A DOMException (or anything thrown) as a [`StorageError`].
fn to_error(error: &JsValue) -> StorageError {
    let name = js_sys::Reflect::get(error, &JsValue::from_str("name"))
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_default();
    let message = js_sys::Reflect::get(error, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| format!("{error:?}"));
    match name.as_str() {
        "QuotaExceededError" => StorageError::Full,
        "InvalidStateError" | "SecurityError" | "UnknownError" => {
            StorageError::Unavailable(message)
        }
        _ => StorageError::Failed(if message.is_empty() { name } else { message }),
    }
}

/// Opens (and on first use creates) the database, at whatever version it has: a newer build
/// (or another build on this origin) may have raised it, and asking for an older version fails
/// with a VersionError, which kept nothing and made Clear fail. A database without the files'
/// store gets it in an upgrade to the next version.
async fn open() -> Result<IdbDatabase, StorageError> {
    let window = web_sys::window().ok_or(StorageError::Unavailable("no window".into()))?;
    let factory = window
        .indexed_db()
        .map_err(|e| to_error(&e))?
        .ok_or_else(|| StorageError::Unavailable("no IndexedDB".into()))?;
    let db = open_at(&factory, None).await?;
    if db.object_store_names().contains(STORE) {
        return Ok(db);
    }
    let next = (db.version() as u32).saturating_add(1);
    db.close();
    open_at(&factory, Some(next)).await
}

/// Opens the database at `version` (its current one when `None`), creating the files' store
/// in the upgrade when it lacks it.
async fn open_at(
    factory: &web_sys::IdbFactory,
    version: Option<u32>,
) -> Result<IdbDatabase, StorageError> {
    let request = match version {
        Some(version) => factory.open_with_u32(DATABASE, version),
        None => factory.open(DATABASE),
    }
    .map_err(|e| to_error(&e))?;
    let upgrade = Closure::<dyn FnMut(web_sys::IdbVersionChangeEvent)>::new(
        move |event: web_sys::IdbVersionChangeEvent| {
            let Some(db) = event
                .target()
                .and_then(|t| t.dyn_into::<IdbRequest>().ok())
                .and_then(|r| r.result().ok())
                .and_then(|db| db.dyn_into::<IdbDatabase>().ok())
            else {
                return;
            };
            if !db.object_store_names().contains(STORE) {
                let _ = db.create_object_store(STORE);
            }
        },
    );
    request.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
    let result = done(&request).await;
    request.set_onupgradeneeded(None);
    drop(upgrade);
    result?
        .dyn_into::<IdbDatabase>()
        .map_err(|_| StorageError::Failed("the database did not open".into()))
}

/// A transaction on the files' store, and the store.
fn files_store(
    db: &IdbDatabase,
    mode: IdbTransactionMode,
) -> Result<(web_sys::IdbTransaction, web_sys::IdbObjectStore), StorageError> {
    let tx = db
        .transaction_with_str_and_mode(STORE, mode)
        .map_err(|e| to_error(&e))?;
    let store = tx.object_store(STORE).map_err(|e| to_error(&e))?;
    Ok((tx, store))
}

/// Keeps `file` under [`key_of`] it (replacing a file kept under the same key).
pub async fn keep(file: &File) -> Result<(), StorageError> {
    write(|store| store.put_with_key(file, &JsValue::from_str(&key_of(file)))).await
}

/// Runs one write on the files' store (`request` makes it) and waits until it is committed.
async fn write(
    request: impl FnOnce(&web_sys::IdbObjectStore) -> Result<IdbRequest, JsValue>,
) -> Result<(), StorageError> {
    let db = open().await?;
    let result = async {
        let (tx, store) = files_store(&db, IdbTransactionMode::Readwrite)?;
        done(&request(&store).map_err(|e| to_error(&e))?).await?;
        transaction_done(&tx).await
    }
    .await;
    db.close();
    result
}

/// Waits for a transaction to commit (a quota error often shows only here).
async fn transaction_done(tx: &web_sys::IdbTransaction) -> Result<(), StorageError> {
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let on_complete = Closure::once_into_js(move || {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let target = tx.clone();
        let fail = reject.clone();
        let on_abort = Closure::once_into_js(move || {
            let error = target.error().map_or(
                JsValue::from_str("the transaction was aborted"),
                JsValue::from,
            );
            let _ = fail.call1(&JsValue::NULL, &error);
        });
        tx.set_oncomplete(Some(on_complete.unchecked_ref()));
        tx.set_onabort(Some(on_abort.unchecked_ref()));
        let target = tx.clone();
        let on_error = Closure::once_into_js(move |event: web_sys::Event| {
            event.prevent_default();
            let error = target
                .error()
                .map_or(JsValue::from_str("the transaction failed"), JsValue::from);
            let _ = reject.call1(&JsValue::NULL, &error);
        });
        tx.set_onerror(Some(on_error.unchecked_ref()));
    });
    JsFuture::from(promise)
        .await
        .map(|_| ())
        .map_err(|error| to_error(&error))
}

/// Every kept file, in the order of their keys.
pub async fn kept() -> Result<Vec<Kept>, StorageError> {
    let db = open().await?;
    let result = async {
        let tx = db.transaction_with_str(STORE).map_err(|e| to_error(&e))?;
        let store = tx.object_store(STORE).map_err(|e| to_error(&e))?;
        let keys = done(&store.get_all_keys().map_err(|e| to_error(&e))?).await?;
        let values = done(&store.get_all().map_err(|e| to_error(&e))?).await?;
        let keys = js_sys::Array::from(&keys);
        let values = js_sys::Array::from(&values);
        Ok(keys
            .iter()
            .zip(values.iter())
            .filter_map(|(key, file)| {
                Some(Kept {
                    key: key.as_string()?,
                    file: file.dyn_into::<File>().ok()?,
                })
            })
            .collect())
    }
    .await;
    db.close();
    result
}

/// Removes the file kept under `key`.
pub async fn forget(key: &str) -> Result<(), StorageError> {
    write(|store| store.delete(&JsValue::from_str(key))).await
}

/// Removes every kept file.
pub async fn clear() -> Result<(), StorageError> {
    write(|store| store.clear()).await
}

/// A `File` named `name` holding `bytes` (a backend's answer, the demo), to keep like a
/// dropped file.
pub fn file_from_bytes(name: &str, bytes: &[u8]) -> Result<File, StorageError> {
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let options = web_sys::FilePropertyBag::new();
    options.set_type("application/json");
    File::new_with_u8_array_sequence_and_options(&parts, name, &options).map_err(|e| to_error(&e))
}

/// Asks the browser to keep this site's storage under pressure (it may say no; the files are
/// kept either way, but the browser may then evict them when the disk fills).
pub async fn ask_persistent() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let Ok(promise) = window.navigator().storage().persist() else {
        return false;
    };
    JsFuture::from(promise)
        .await
        .ok()
        .and_then(|granted| granted.as_bool())
        .unwrap_or(false)
}
