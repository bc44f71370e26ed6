//! Which address credentials belong to. A token or password is saved with the origin
//! (`scheme://host:port`) of the address it was entered for, and only ever sent there: an
//! address from a link that names another origin does not get it, and asks before connecting.

/// Why an address cannot be connected to at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadAddress(pub String);

impl std::fmt::Display for BadAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks that a backend address (as typed; without a scheme it means `http://`) is an
/// `http://` or `https://` address with a host, so that a `javascript:` or `file:` address gets
/// a plain "not a valid address" rather than a network or CORS hint.
pub fn check_address(address: &str) -> Result<url::Url, BadAddress> {
    let trimmed = address.trim();
    if trimmed.is_empty() {
        return Err(BadAddress(
            "Give the backend's address, e.g. http://localhost:16686.".into(),
        ));
    }
    let normalized = if trimmed.contains("://") {
        trimmed.to_string()
    } else {
        format!("http://{trimmed}")
    };
    let bad = || {
        BadAddress(format!(
            "“{}” is not a valid backend address: give an http:// or https:// address, e.g. \
             http://localhost:16686.",
            crate::core::view_model::shorten(trimmed, 120)
        ))
    };
    // A scheme other than http(s) written without `//` (`javascript:…`, `data:…`) is not an
    // address with a host, whatever the normalisation made of it.
    if let Some((scheme, _)) = trimmed.split_once(':') {
        let is_scheme = !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            && scheme
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic());
        let is_host_port = trimmed[scheme.len() + 1..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit());
        if is_scheme
            && !is_host_port
            && !scheme.eq_ignore_ascii_case("http")
            && !scheme.eq_ignore_ascii_case("https")
        {
            return Err(bad());
        }
    }
    let parsed = url::Url::parse(&normalized).map_err(|_| bad())?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(bad());
    }
    Ok(parsed)
}

/// The origin of a backend address, `scheme://host[:port]` as the browser compares them
/// (lower-case host, default port left out); `None` for an address that is not http(s).
pub fn origin_of(address: &str) -> Option<String> {
    check_address(address)
        .ok()
        .map(|url| url.origin().ascii_serialization())
}

/// Whether two addresses share an origin (both valid and equal), i.e. whether credentials saved
/// for `saved_for` may be sent to `address`.
pub fn same_origin(address: &str, saved_for: &str) -> bool {
    match (origin_of(address), origin_of(saved_for)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// What the page does with a link that names a backend address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkConnect {
    /// Connect at once: nothing is saved, or the link names the saved address's origin.
    Now,
    /// Ask first: the link names another origin than the one remembered. The saved credentials
    /// are not sent there in any case.
    Ask {
        /// The link's address, shortened for the question.
        address: String,
    },
}

/// Decides whether a link's backend `address` may connect without asking, given the address
/// remembered in this browser (if any).
pub fn link_connect(address: &str, remembered: Option<&str>) -> LinkConnect {
    match remembered {
        Some(saved) if !same_origin(address, saved) => LinkConnect::Ask {
            address: crate::core::view_model::shorten(address.trim(), 200),
        },
        _ => LinkConnect::Now,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_compare_as_the_browser_does() {
        assert_eq!(
            origin_of("http://LocalHost:80/jaeger/").as_deref(),
            Some("http://localhost")
        );
        assert_eq!(
            origin_of("localhost:16686").as_deref(),
            Some("http://localhost:16686")
        );
        assert!(same_origin("http://a:1/x", "http://a:1/y/z"));
        assert!(!same_origin("http://a:1", "http://a:2"));
        assert!(!same_origin("https://a", "http://a"));
        assert!(!same_origin("http://other-host", "http://127.0.0.1:16686"));
        // userinfo and look-alike hosts do not fool it
        assert!(!same_origin(
            "http://127.0.0.1:16686@evil.example/",
            "http://127.0.0.1:16686"
        ));
        assert!(!same_origin(
            "http://127.0.0.1.evil.example",
            "http://127.0.0.1"
        ));
    }

    #[test]
    fn non_http_addresses_are_invalid_not_network_errors() {
        for bad in [
            "javascript:alert(1)",
            "data:text/html,x",
            "file:///etc/passwd",
            "ftp://h",
            "",
            "http://",
        ] {
            assert!(check_address(bad).is_err(), "{bad}");
        }
        for good in [
            "localhost:16686",
            "http://h",
            "https://h:443/tempo",
            "127.0.0.1:9411",
        ] {
            assert!(check_address(good).is_ok(), "{good}");
        }
        let message = check_address("javascript:alert(1)").unwrap_err().0;
        assert!(message.contains("not a valid backend address"), "{message}");
    }

    #[test]
    fn a_link_to_another_origin_asks() {
        assert_eq!(link_connect("http://x:1", None), LinkConnect::Now);
        assert_eq!(
            link_connect("http://x:1/api", Some("http://x:1")),
            LinkConnect::Now
        );
        assert!(matches!(
            link_connect("http://other-host", Some("http://127.0.0.1:16686")),
            LinkConnect::Ask { .. }
        ));
    }
}
