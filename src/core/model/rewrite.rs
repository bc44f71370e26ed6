//! [`rewrite_texts`]: a copy of a trace with its untrusted texts rewritten — names, status
//! messages, event names, attribute keys and values, warning messages — and its IDs kept, so
//! the copy merges, links and compares as the original does. The mask switch masks secrets
//! this way, and the CLI's tables make names one line; every view and export of the copy then
//! reads only rewritten text, because the string table is rebuilt from what the copy refers to.
use std::collections::HashMap;

use super::span::AttrValue;
use super::strings::{Interner, Sym};
use super::trace::Trace;

/// What a text is, for the rewriting function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextUse<'a> {
    /// A service, span or event name, a status or warning message.
    Name,
    /// An attribute key.
    Key,
    /// An attribute's value (a string, or an array or object as JSON text) under `key`.
    Value {
        /// The attribute's key, as loaded.
        key: &'a str,
    },
    /// A number or flag under `key`, as text; a rewrite turns it into a string.
    Scalar {
        /// The attribute's key, as loaded.
        key: &'a str,
    },
}

/// How a sym is used, for the cache: a value's rewrite may depend on its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Slot {
    /// Kept as it is (IDs).
    Id,
    /// A name or message.
    Name,
    /// An attribute key.
    Key,
    /// A value under the key with this sym.
    Value(Sym),
}

/// Rewrites one trace's syms, each distinct (sym, slot) once.
struct Rewriter<'t, F> {
    trace: &'t Trace,
    rewrite: F,
    /// (sym, slot) → the rewritten text, `None` when unchanged.
    done: HashMap<(Sym, Slot), Option<String>>,
    changed: bool,
}

impl<F: FnMut(&str, TextUse<'_>) -> Option<String>> Rewriter<'_, F> {
    /// Rewrites `sym` used as `slot` (once; later calls hit the cache).
    fn visit(&mut self, sym: Sym, slot: Slot) {
        if slot == Slot::Id || self.done.contains_key(&(sym, slot)) {
            return;
        }
        let text = self.trace.str(sym);
        let text_use = match slot {
            Slot::Id | Slot::Name => TextUse::Name,
            Slot::Key => TextUse::Key,
            Slot::Value(key) => TextUse::Value {
                key: self.trace.str(key),
            },
        };
        let new = (self.rewrite)(text, text_use).filter(|new| new != text);
        self.changed |= new.is_some();
        self.done.insert((sym, slot), new);
    }
}

/// The copy's string table, filled as the copy's syms are made.
struct Fresh<'t> {
    trace: &'t Trace,
    done: &'t HashMap<(Sym, Slot), Option<String>>,
    strings: Interner,
    made: HashMap<(Sym, Slot), Sym>,
}

impl Fresh<'_> {
    /// The copy's sym for `sym` used as `slot`.
    fn sym(&mut self, sym: Sym, slot: Slot) -> Sym {
        if let Some(&made) = self.made.get(&(sym, slot)) {
            return made;
        }
        let text = self
            .done
            .get(&(sym, slot))
            .and_then(|new| new.as_deref())
            .unwrap_or_else(|| self.trace.str(sym));
        let made = self.strings.get_or_intern(text);
        self.made.insert((sym, slot), made);
        made
    }
}

/// A copy of `trace` with each untrusted text replaced by `rewrite(text, use)` where that
/// returns `Some` (see the module doc); `None` when nothing changes, so that the caller can keep
/// sharing the original. IDs (trace, span, parent and link IDs) are never rewritten.
pub fn rewrite_texts(
    trace: &Trace,
    rewrite: impl FnMut(&str, TextUse<'_>) -> Option<String>,
) -> Option<Trace> {
    let mut rw = Rewriter {
        trace,
        rewrite,
        done: HashMap::new(),
        changed: false,
    };
    // First pass: what changes (each distinct text once). Scalars and warnings are not
    // interned: rewritten one by one.
    for span in &trace.spans {
        rw.visit(span.service, Slot::Name);
        rw.visit(span.operation, Slot::Name);
        if let Some(m) = span.status_message {
            rw.visit(m, Slot::Name);
        }
    }
    for resource in &trace.resources {
        rw.visit(resource.service, Slot::Name);
    }
    for event in &trace.events {
        rw.visit(event.name, Slot::Name);
    }
    let mut scalars: HashMap<usize, String> = HashMap::new();
    for (i, attr) in trace.attributes.iter().enumerate() {
        rw.visit(attr.key, Slot::Key);
        let scalar = match attr.value {
            AttrValue::Str(v) | AttrValue::Json(v) => {
                rw.visit(v, Slot::Value(attr.key));
                continue;
            }
            AttrValue::Int(n) => n.to_string(),
            AttrValue::Float(f) => f.to_string(),
            AttrValue::Bool(b) => b.to_string(),
        };
        let key = trace.str(attr.key);
        if let Some(new) = (rw.rewrite)(&scalar, TextUse::Scalar { key }) {
            scalars.insert(i, new);
        }
    }
    let mut warnings: HashMap<usize, String> = HashMap::new();
    for (i, warning) in trace.warnings.iter().enumerate() {
        if let Some(new) = (rw.rewrite)(&warning.message, TextUse::Name) {
            if new != warning.message {
                warnings.insert(i, new);
            }
        }
    }
    if !rw.changed && scalars.is_empty() && warnings.is_empty() {
        return None;
    }
    // Second pass: the copy, its strings interned afresh (the originals are not kept).
    let mut fresh = Fresh {
        trace,
        done: &rw.done,
        strings: Interner::with_hasher(Default::default()),
        made: HashMap::new(),
    };
    let mut copy = Trace {
        strings: Interner::with_hasher(Default::default()),
        ..trace.clone()
    };
    for span in &mut copy.spans {
        span.span_id = fresh.sym(span.span_id, Slot::Id);
        span.parent_span_id = span.parent_span_id.map(|p| fresh.sym(p, Slot::Id));
        span.service = fresh.sym(span.service, Slot::Name);
        span.operation = fresh.sym(span.operation, Slot::Name);
        span.status_message = span.status_message.map(|m| fresh.sym(m, Slot::Name));
    }
    for resource in &mut copy.resources {
        resource.service = fresh.sym(resource.service, Slot::Name);
    }
    for event in &mut copy.events {
        event.name = fresh.sym(event.name, Slot::Name);
    }
    for reference in &mut copy.references {
        reference.trace_id = fresh.sym(reference.trace_id, Slot::Id);
        reference.span_id = fresh.sym(reference.span_id, Slot::Id);
    }
    for (i, attr) in copy.attributes.iter_mut().enumerate() {
        let key = attr.key;
        attr.key = fresh.sym(key, Slot::Key);
        attr.value = match attr.value {
            AttrValue::Str(v) => AttrValue::Str(fresh.sym(v, Slot::Value(key))),
            AttrValue::Json(v) => AttrValue::Json(fresh.sym(v, Slot::Value(key))),
            scalar => match scalars.remove(&i) {
                Some(text) => AttrValue::Str(fresh.strings.get_or_intern(text)),
                None => scalar,
            },
        };
    }
    for (i, warning) in copy.warnings.iter_mut().enumerate() {
        if let Some(text) = warnings.remove(&i) {
            warning.message = text;
        }
    }
    copy.strings = fresh.strings;
    Some(copy)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::format::parse_file;

    #[test]
    fn rewrites_texts_keeps_ids_and_shares_nothing_unchanged() {
        // A span named like its own ID: the name is rewritten, the ID is not.
        let doc = r#"{"data":[{"traceID":"abc","spans":[
            {"traceID":"abc","spanID":"00000000000000aa","operationName":"00000000000000aa",
             "startTime":1,"duration":2,"processID":"p","tags":[
               {"key":"n","type":"int64","value":7},{"key":"s","type":"string","value":"x"}]}],
            "processes":{"p":{"serviceName":"svc"}}}]}"#;
        let trace = parse_file("t.json", doc.as_bytes()).expect("parses").traces[0]
            .clone()
            .build();
        assert!(rewrite_texts(&trace, |_, _| None).is_none());
        let copy = rewrite_texts(&trace, |text, used| match used {
            TextUse::Name => Some(text.to_uppercase()),
            TextUse::Scalar { key } => Some(format!("{key}#{text}")),
            _ => None,
        })
        .expect("changed");
        let span = &copy.spans[0];
        assert_eq!(copy.str(span.span_id), "00000000000000aa");
        assert_eq!(copy.str(span.operation), "00000000000000AA");
        assert_eq!(copy.str(span.service), "SVC");
        let values: Vec<String> = copy
            .attrs(span.attrs)
            .iter()
            .map(|a| match a.value {
                AttrValue::Str(v) => copy.str(v).to_string(),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(values, ["n#7", "x"]);
        assert!(!copy.strings.strings().any(|s| s == "svc"));
    }
}
