//! Sensitive data in spans: attribute keys that name a secret (`password`, `authorization`,
//! `x-api-key`, `cookie`…) and values that look like one wherever they stand (bearer tokens,
//! JWTs, cloud and SaaS access keys, private keys, card numbers, passwords in URLs and
//! `key=value` text). [`mask`] keeps at most the first four characters, so that a report or a
//! screenshot can say *what* leaked without leaking it again.
//!
//! The patterns are fixed-shape tokens (a prefix, a character class, a length), so they are
//! matched by hand in one pass over the bytes: a regex engine would add a few hundred KB to the
//! page's wasm for the same result.
use std::borrow::Cow;
use std::ops::Range;

/// What a secret found in a value looks like, for the report's sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SecretShape {
    /// `Bearer …`, `Basic …` or `Token …` credentials.
    AuthHeader,
    /// A JSON Web Token (`eyJ….….…`).
    Jwt,
    /// An AWS access key ID (`AKIA…`).
    AwsKey,
    /// A Google API key (`AIza…`).
    GoogleKey,
    /// A GitHub token (`ghp_…`, `github_pat_…`).
    GithubToken,
    /// A Slack token (`xoxb-…`).
    SlackToken,
    /// A Stripe secret key (`sk_live_…`).
    StripeKey,
    /// A PEM private key block.
    PrivateKey,
    /// A payment card number (13–19 digits passing the Luhn check).
    CardNumber,
    /// A password in a URL (`scheme://user:password@host`).
    UrlPassword,
    /// The value of a secret-named field in text (`password=…`, `"token": "…"`).
    NamedField,
}

impl SecretShape {
    /// A few words for a person: "a bearer token".
    pub fn describe(self) -> &'static str {
        match self {
            Self::AuthHeader => "an Authorization credential",
            Self::Jwt => "a JSON Web Token",
            Self::AwsKey => "an AWS access key",
            Self::GoogleKey => "a Google API key",
            Self::GithubToken => "a GitHub token",
            Self::SlackToken => "a Slack token",
            Self::StripeKey => "a Stripe secret key",
            Self::PrivateKey => "a private key",
            Self::CardNumber => "a card number",
            Self::UrlPassword => "a password in a URL",
            Self::NamedField => "a secret-named field",
        }
    }
}

/// Words that make an attribute key (or a `key=` in text) name a secret.
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "passphrase",
    "secret",
    "token",
    "apikey",
    "authorization",
    "cookie",
    "credential",
    "credentials",
    "privatekey",
    "jwt",
];

/// Pairs of adjacent words that name a secret (`api_key`, `x-api-key`, `access.key`).
const SECRET_PAIRS: &[(&str, &str)] = &[
    ("api", "key"),
    ("access", "key"),
    ("private", "key"),
    ("secret", "key"),
    ("client", "secret"),
    ("session", "id"),
    ("set", "cookie"),
];

/// Words after `token` that make it a count or a kind rather than a token
/// (`token_count`, `token.type`).
const NOT_SECRET_AFTER: &[&str] = &[
    "count", "type", "usage", "limit", "length", "expires", "expiry", "ttl", "present", "name",
];

/// The words of a key: split at `.`, `_`, `-`, spaces and lower→upper case changes, lower-cased.
fn words(key: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in key.chars() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// True when an attribute key names a secret: `password`, `db.password`,
/// `http.request.header.authorization`, `x-api-key`, `AWS_SECRET_ACCESS_KEY`, `sessionId`…
/// Counts (`gen_ai.usage.input_tokens`, `token_count`) are not secrets.
pub fn is_secret_key(key: &str) -> bool {
    let words = words(key);
    for (i, word) in words.iter().enumerate() {
        let next = words.get(i + 1).map(String::as_str);
        if SECRET_WORDS.contains(&word.as_str()) {
            let is_count = word == "token" && next.is_some_and(|n| NOT_SECRET_AFTER.contains(&n));
            if !is_count {
                return true;
            }
        }
        if let Some(next) = next {
            if SECRET_PAIRS.contains(&(word.as_str(), next)) {
                return true;
            }
        }
    }
    false
}

/// `value` masked: at most its first four characters (fewer for short values, at most a third
/// of them) and a fixed run of dots, so neither the secret nor its length is shown.
pub fn mask(value: &str) -> String {
    let chars = value.chars().count();
    let keep = (chars / 3).min(4);
    let mut out: String = value.chars().take(keep).collect();
    out.push_str("••••••");
    out
}

/// A secret-named value masked whole: each string of a JSON array or object (header values
/// come as `["Bearer …"]`) through [`mask`], keeping the JSON's shape; any other text through
/// [`mask`].
pub fn mask_whole(value: &str) -> String {
    fn walk(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::String(s) => *s = mask(s),
            serde_json::Value::Array(items) => items.iter_mut().for_each(walk),
            serde_json::Value::Object(map) => map.values_mut().for_each(walk),
            _ => {}
        }
    }
    let trimmed = value.trim_start();
    if trimmed.starts_with('[') || trimmed.starts_with('{') {
        if let Ok(mut json) = serde_json::from_str::<serde_json::Value>(value) {
            walk(&mut json);
            return json.to_string();
        }
    }
    mask(value)
}

/// The secrets found in `text`: byte ranges of the secret part (the token after `Bearer `, the
/// password in a URL, the value after `password=`) and what each looks like, in text order and
/// not overlapping.
pub fn find_secrets(text: &str) -> Vec<(Range<usize>, SecretShape)> {
    let bytes = text.as_bytes();
    let mut found: Vec<(Range<usize>, SecretShape)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let hit = match_at(text, i);
        match hit {
            Some((range, shape)) if range.end > i => {
                i = range.end;
                found.push((range, shape));
            }
            _ => i += 1,
        }
    }
    found
}

/// `text` with every secret [`find_secrets`] finds masked; borrowed when there is none.
pub fn mask_secrets_in(text: &str) -> Cow<'_, str> {
    let found = find_secrets(text);
    if found.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (range, _) in found {
        out.push_str(&text[last..range.start]);
        out.push_str(&mask(&text[range.clone()]));
        last = range.end;
    }
    out.push_str(&text[last..]);
    Cow::Owned(out)
}

/// An attribute's value as it may be shown when masking is on: the whole value masked when the
/// key names a secret, the secrets inside it masked otherwise; `None` when nothing needs
/// masking.
pub fn masked_attribute(key: &str, value: &str) -> Option<String> {
    if value.is_empty() {
        return None;
    }
    if is_secret_key(key) {
        return Some(mask_whole(value));
    }
    match mask_secrets_in(value) {
        Cow::Borrowed(_) => None,
        Cow::Owned(masked) => Some(masked),
    }
}

/// Whether a byte may be part of a token (base64, base64url, hex and the usual separators).
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'+' | b'/' | b'=')
}

/// Whether the byte before `i` ends a word (so `AKIA…` inside a longer word is not a key).
fn at_word_start(bytes: &[u8], i: usize) -> bool {
    i == 0 || !bytes[i - 1].is_ascii_alphanumeric()
}

/// Length of the run of bytes from `from` on that satisfy `ok`.
fn run(bytes: &[u8], from: usize, ok: impl Fn(u8) -> bool) -> usize {
    bytes[from.min(bytes.len())..]
        .iter()
        .take_while(|&&b| ok(b))
        .count()
}

/// Case-insensitive ASCII prefix test at `i`.
fn starts_with_ci(bytes: &[u8], i: usize, prefix: &str) -> bool {
    bytes
        .get(i..i + prefix.len())
        .is_some_and(|s| s.eq_ignore_ascii_case(prefix.as_bytes()))
}

/// The secret that starts at byte `i` of `text`, if any.
fn match_at(text: &str, i: usize) -> Option<(Range<usize>, SecretShape)> {
    let bytes = text.as_bytes();
    let b = bytes[i];
    if !b.is_ascii() {
        return None;
    }
    if at_word_start(bytes, i) {
        for scheme in ["bearer ", "basic ", "token "] {
            if starts_with_ci(bytes, i, scheme) {
                let start = i + scheme.len();
                let len = run(bytes, start, is_token_byte);
                if len >= 8 {
                    return Some((start..start + len, SecretShape::AuthHeader));
                }
            }
        }
        if let Some(hit) = prefixed_token(bytes, i) {
            return Some(hit);
        }
        if b.is_ascii_digit() {
            if let Some(end) = card_number(bytes, i) {
                return Some((i..end, SecretShape::CardNumber));
            }
        }
    }
    if bytes[i..].starts_with(b"-----BEGIN ") {
        let rest = &text[i..];
        if let Some(head_end) = rest.find("PRIVATE KEY-----") {
            if !rest[..head_end].contains('\n') {
                let body = i + head_end + "PRIVATE KEY-----".len();
                let end = text[body..]
                    .find("-----END")
                    .map_or(text.len(), |e| body + e);
                return Some((body..end, SecretShape::PrivateKey));
            }
        }
    }
    if bytes[i..].starts_with(b"://") {
        if let Some(range) = url_password(bytes, i + 3) {
            return Some((range, SecretShape::UrlPassword));
        }
    }
    if b == b'=' || b == b':' {
        if let Some(range) = named_field_value(text, i) {
            return Some((range, SecretShape::NamedField));
        }
    }
    None
}

/// Tokens recognised by a fixed prefix: JWTs and cloud/SaaS keys.
fn prefixed_token(bytes: &[u8], i: usize) -> Option<(Range<usize>, SecretShape)> {
    let b64url = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
    if bytes[i..].starts_with(b"eyJ") {
        let first = run(bytes, i, b64url);
        if first >= 10 && bytes.get(i + first) == Some(&b'.') {
            let second = run(bytes, i + first + 1, b64url);
            if second >= 10 && bytes.get(i + first + 1 + second) == Some(&b'.') {
                let third = run(bytes, i + first + second + 2, b64url);
                return Some((i..i + first + second + 2 + third, SecretShape::Jwt));
            }
        }
    }
    let upper_digit = |b: u8| b.is_ascii_uppercase() || b.is_ascii_digit();
    for prefix in ["AKIA", "ASIA", "AGPA", "AIDA", "AROA", "ANPA", "AIPA"] {
        if bytes[i..].starts_with(prefix.as_bytes()) && run(bytes, i + 4, upper_digit) == 16 {
            return Some((i..i + 20, SecretShape::AwsKey));
        }
    }
    if bytes[i..].starts_with(b"AIza") && run(bytes, i + 4, b64url) == 35 {
        return Some((i..i + 39, SecretShape::GoogleKey));
    }
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    for prefix in ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"] {
        if bytes[i..].starts_with(prefix.as_bytes()) {
            let len = run(bytes, i + prefix.len(), word);
            if len >= 20 {
                return Some((i..i + prefix.len() + len, SecretShape::GithubToken));
            }
        }
    }
    if bytes[i..].starts_with(b"xox")
        && bytes.get(i + 3).is_some_and(|b| b"abprs".contains(b))
        && bytes.get(i + 4) == Some(&b'-')
    {
        let len = run(bytes, i + 5, |b| b.is_ascii_alphanumeric() || b == b'-');
        if len >= 10 {
            return Some((i..i + 5 + len, SecretShape::SlackToken));
        }
    }
    for prefix in ["sk_live_", "rk_live_", "sk_test_"] {
        if bytes[i..].starts_with(prefix.as_bytes()) {
            let len = run(bytes, i + prefix.len(), |b| b.is_ascii_alphanumeric());
            if len >= 16 {
                return Some((i..i + prefix.len() + len, SecretShape::StripeKey));
            }
        }
    }
    None
}

/// The end of a card number starting at `i`: 13 to 19 digits, optionally in groups split by
/// single spaces or dashes, starting with 2–6 (the card networks' ranges; epoch times start with
/// 1), passing the Luhn check, and not followed by another digit.
fn card_number(bytes: &[u8], i: usize) -> Option<usize> {
    if !(b'2'..=b'6').contains(&bytes[i]) {
        return None;
    }
    let mut digits: Vec<u8> = Vec::with_capacity(19);
    let mut end = i;
    let mut j = i;
    while j < bytes.len() && digits.len() < 20 {
        let b = bytes[j];
        if b.is_ascii_digit() {
            digits.push(b - b'0');
            j += 1;
            end = j;
        } else if (b == b' ' || b == b'-') && bytes.get(j + 1).is_some_and(u8::is_ascii_digit) {
            j += 1;
        } else {
            break;
        }
    }
    if !(13..=19).contains(&digits.len()) || bytes.get(end).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    luhn(&digits).then_some(end)
}

/// The Luhn checksum that card numbers carry.
fn luhn(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(k, &d)| {
            let d = u32::from(d);
            if k % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// The password of `user:password@host` starting right after `://`.
fn url_password(bytes: &[u8], from: usize) -> Option<Range<usize>> {
    let stop = |b: u8| matches!(b, b'/' | b'?' | b'#' | b' ' | b'"' | b'\'' | b'<' | b'>');
    let user = run(bytes, from, |b| !stop(b) && b != b':' && b != b'@');
    let colon = from + user;
    if user == 0 || bytes.get(colon) != Some(&b':') {
        return None;
    }
    let password = run(bytes, colon + 1, |b| !stop(b) && b != b'@');
    let at = colon + 1 + password;
    (password > 0 && bytes.get(at) == Some(&b'@')).then_some(colon + 1..at)
}

/// The value after `key=` or `"key": ` at byte `i` (the `=` or `:`) when the key names a secret.
fn named_field_value(text: &str, i: usize) -> Option<Range<usize>> {
    let bytes = text.as_bytes();
    let key_byte = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.');
    // The key ends just before the separator, or before a closing quote of a JSON key.
    let mut key_end = i;
    let quoted_key = key_end > 0 && bytes[key_end - 1] == b'"';
    if quoted_key {
        key_end -= 1;
    }
    let key_start = bytes[..key_end]
        .iter()
        .rposition(|&b| !key_byte(b))
        .map_or(0, |p| p + 1);
    if key_start == key_end || bytes[i] == b':' && !quoted_key {
        return None;
    }
    if !is_secret_key(&text[key_start..key_end]) {
        return None;
    }
    let mut start = i + 1 + run(bytes, i + 1, |b| b == b' ');
    let quote = bytes
        .get(start)
        .copied()
        .filter(|&b| b == b'"' || b == b'\'');
    if quote.is_some() {
        start += 1;
    }
    let len = match quote {
        Some(q) => run(bytes, start, |b| b != q),
        None => run(bytes, start, |b| {
            !matches!(
                b,
                b'&' | b';' | b',' | b' ' | b'"' | b'\'' | b'\n' | b'\r' | b'\t' | b'}'
            )
        }),
    };
    (len > 0).then_some(start..start + len)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shapes(text: &str) -> Vec<SecretShape> {
        find_secrets(text).into_iter().map(|(_, s)| s).collect()
    }

    #[test]
    fn secret_keys_and_counts_that_are_not() {
        for key in [
            "password",
            "db.password",
            "http.request.header.authorization",
            "x-api-key",
            "AWS_SECRET_ACCESS_KEY",
            "sessionId",
            "http.request.header.cookie",
            "client_secret",
            "csrf_token",
            "apiKey",
        ] {
            assert!(is_secret_key(key), "{key}");
        }
        for key in [
            "gen_ai.usage.input_tokens",
            "token_count",
            "llm.token.type",
            "http.method",
            "user.id",
            "keyboard",
            "passenger",
        ] {
            assert!(!is_secret_key(key), "{key}");
        }
    }

    #[test]
    fn masks_keep_at_most_four_characters() {
        assert_eq!(mask("eyJhbGciOiJIUzI1NiJ9"), "eyJh••••••");
        assert_eq!(mask("hunter2"), "hu••••••");
        assert_eq!(mask("ab"), "••••••");
        assert_eq!(mask("ééééééééééééé"), "éééé••••••");
    }

    #[test]
    fn finds_tokens_by_shape() {
        let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig_abc-123";
        assert_eq!(shapes(&format!("Bearer {jwt}")), [SecretShape::AuthHeader]);
        assert_eq!(shapes(&format!("token={jwt}")), [SecretShape::NamedField]);
        assert_eq!(shapes(&format!("x {jwt} y")), [SecretShape::Jwt]);
        assert_eq!(
            shapes("key AKIAIOSFODNN7EXAMPLE used"),
            [SecretShape::AwsKey]
        );
        assert_eq!(
            shapes("AIzaSyA1234567890abcdefghijklmnopqrstuv"),
            [SecretShape::GoogleKey]
        );
        assert_eq!(
            shapes("ghp_abcdefghijklmnopqrstuvwxyz0123456789"),
            [SecretShape::GithubToken]
        );
        assert_eq!(
            shapes("xoxb-1234567890-abcdefghij"),
            [SecretShape::SlackToken]
        );
        assert_eq!(
            shapes("sk_live_4eC39HqLyjWDarjtT1zdp7dc"),
            [SecretShape::StripeKey]
        );
        assert_eq!(
            shapes("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----"),
            [SecretShape::PrivateKey]
        );
    }

    #[test]
    fn card_numbers_pass_luhn_and_epoch_times_do_not() {
        assert_eq!(
            shapes("card 4111 1111 1111 1111 ok"),
            [SecretShape::CardNumber]
        );
        assert_eq!(shapes("4111-1111-1111-1111"), [SecretShape::CardNumber]);
        assert_eq!(shapes("5555555555554444"), [SecretShape::CardNumber]);
        assert!(shapes("4111111111111112").is_empty(), "fails Luhn");
        assert!(shapes("1700000000000000000").is_empty(), "epoch ns");
        assert!(shapes("order 12345").is_empty());
    }

    #[test]
    fn passwords_in_urls_and_key_value_text() {
        let text = "postgres://app:hunter2@db:5432/shop";
        let found = find_secrets(text);
        assert_eq!(found.len(), 1);
        assert_eq!(&text[found[0].0.clone()], "hunter2");
        assert_eq!(
            mask_secrets_in("https://x.test/cb?code=1&access_token=abcdef123456&state=2"),
            "https://x.test/cb?code=1&access_token=abcd••••••&state=2"
        );
        assert_eq!(
            mask_secrets_in("Server=db;User Id=sa;Password=S3cret!;"),
            "Server=db;User Id=sa;Password=S3••••••;"
        );
        assert_eq!(
            mask_secrets_in(r#"{"user":"bob","password": "pa55word"}"#),
            r#"{"user":"bob","password": "pa••••••"}"#
        );
        assert_eq!(
            mask_secrets_in("https://example.com/a:b"),
            "https://example.com/a:b"
        );
        assert_eq!(mask_secrets_in("GET /users/123"), "GET /users/123");
        assert_eq!(mask_secrets_in("time: 12:30"), "time: 12:30");
    }

    #[test]
    fn masked_attribute_masks_whole_secret_keys_and_parts_of_other_values() {
        assert_eq!(
            masked_attribute("http.request.header.authorization", "Basic dXNlcjpwYXNz"),
            Some("Basi••••••".to_string())
        );
        assert_eq!(
            masked_attribute("url.full", "https://u:pw12345@h/x").as_deref(),
            Some("https://u:pw••••••@h/x")
        );
        assert_eq!(masked_attribute("http.route", "/users/{id}"), None);
        assert_eq!(
            masked_attribute(
                "http.request.header.authorization",
                "[\n  \"Bearer abcdefghijkl\"\n]"
            )
            .as_deref(),
            Some("[\"Bear••••••\"]")
        );
        assert_eq!(masked_attribute("password", ""), None);
    }

    #[test]
    fn never_panics_on_multibyte_text() {
        for text in [
            "é=ü",
            "password=é",
            "://é:é@",
            "Bearer ééééééééé",
            "\"token\": \"é",
        ] {
            let _ = mask_secrets_in(text);
        }
    }
}
