//! The rules for the REST API's base URL, in one place: what is accepted,
//! and how it is shown without the secrets it might hold.

use std::fmt;
use std::net::IpAddr;

use reqwest::Url;

/// GitHub.com's REST API. GitHub Enterprise Server's is `https://HOST/api/v3`.
pub const DEFAULT_BASE_URL: &str = "https://api.github.com";

/// The environment variable [`ClientBuilder::from_env`](crate::ClientBuilder::from_env)
/// reads the base URL from, as GitHub Actions sets it.
pub const BASE_URL_VAR: &str = "GITHUB_API_URL";

/// Why a base URL was refused by [`check_base_url`]. Its `Display` is the
/// rule broken, e.g. `must not contain credentials (user:password@)`, to
/// follow a name for the URL ("the base URL", `--base-url`, …). It never
/// holds the URL, at most its scheme and host.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BaseUrlError {
    /// Not a URL at all.
    NotAUrl {
        /// The parser's reason (it never quotes the input).
        reason: String,
    },
    /// An `@` anywhere: user information, which could hold a token. URL
    /// parsers disagree on where the authority ends (`\`, a `/` in a
    /// password), and an API root never has an `@`, so any `@` is refused.
    Credentials,
    /// A query or fragment (`?`, `#`), which could hold a token
    /// (`?access_token=…`) and which the operations' paths cannot follow.
    QueryOrFragment,
    /// Not an `http` or `https` URL with a host.
    NotHttp {
        /// `scheme://host`, or `scheme:` without a host.
        shown: String,
    },
    /// Plain `http` to a host that is not a loopback address.
    PlainHttp {
        /// `http://host`.
        shown: String,
    },
}

impl fmt::Display for BaseUrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BaseUrlError::NotAUrl { reason } => write!(
                f,
                "is not a valid URL ({reason}); expected e.g. {DEFAULT_BASE_URL} or \
                 https://HOST/api/v3"
            ),
            BaseUrlError::Credentials => {
                f.write_str("must not contain credentials (user:password@)")
            }
            BaseUrlError::QueryOrFragment => f.write_str(
                "must not have a query or fragment (from ? or #); give only the API root, \
                 e.g. https://HOST/api/v3",
            ),
            BaseUrlError::NotHttp { shown } => write!(
                f,
                "({shown}…) must be an http or https URL with a host (http only for \
                 127.0.0.1, ::1 or localhost)"
            ),
            BaseUrlError::PlainHttp { shown } => write!(
                f,
                "({shown}…) must use https: plain http is accepted only for 127.0.0.1, ::1 \
                 or localhost"
            ),
        }
    }
}

impl std::error::Error for BaseUrlError {}

/// Checks a base URL and returns it without a trailing `/` (the operations
/// append `/orgs/…` to it).
///
/// It must be `https`, or `http` to a loopback host (`127.0.0.0/8`, `::1`,
/// `localhost`, where the token does not cross a network), and must not
/// hold an `@`, a query or a fragment. Surrounding whitespace is ignored.
///
/// ```
/// use github_packages::{BaseUrlError, check_base_url};
///
/// assert_eq!(check_base_url("https://ghe.example.com/api/v3/")?, "https://ghe.example.com/api/v3");
/// assert_eq!(check_base_url("https://x:secret@ghe.example.com"), Err(BaseUrlError::Credentials));
/// # Ok::<(), BaseUrlError>(())
/// ```
pub fn check_base_url(raw: &str) -> Result<String, BaseUrlError> {
    let raw = raw.trim();
    // Checked on the text, before parsing: see `BaseUrlError::Credentials`.
    if raw.contains('@') {
        return Err(BaseUrlError::Credentials);
    }
    let url = Url::parse(raw).map_err(|error| BaseUrlError::NotAUrl {
        // `url`'s parse errors name the problem, never the input.
        reason: error.to_string(),
    })?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(BaseUrlError::Credentials);
    }
    let Some(host) = url.host_str() else {
        return Err(BaseUrlError::NotHttp {
            shown: format!("{}:", url.scheme()),
        });
    };
    let shown = format!("{}://{host}", url.scheme());
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(host) => {}
        "http" => return Err(BaseUrlError::PlainHttp { shown }),
        _ => return Err(BaseUrlError::NotHttp { shown }),
    }
    if raw.contains(['?', '#']) || url.query().is_some() || url.fragment().is_some() {
        return Err(BaseUrlError::QueryOrFragment);
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

/// `127.0.0.0/8`, `::1` or `localhost`, as a URL's host.
fn is_loopback(host: &str) -> bool {
    let bare = host
        .strip_prefix('[')
        .and_then(|host| host.strip_suffix(']'))
        .unwrap_or(host);
    match bare.parse::<IpAddr>() {
        Ok(address) => address.is_loopback(),
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    }
}

/// The base URL as `Debug` may show it: scheme, host, port and path, without
/// user information, query or fragment, which may hold a token.
pub(crate) fn redacted_url(raw: &str) -> String {
    let Ok(url) = Url::parse(raw.trim()) else {
        return "<not a URL; redacted>".to_string();
    };
    let Some(host) = url.host_str() else {
        return format!("{}:<redacted>", url.scheme());
    };
    let port = url
        .port()
        .map(|port| format!(":{port}"))
        .unwrap_or_default();
    let mut shown = format!("{}://{host}{port}{}", url.scheme(), url.path());
    if !url.username().is_empty()
        || url.password().is_some()
        || url.query().is_some()
        || url.fragment().is_some()
    {
        shown.push_str(" (user information, query or fragment redacted)");
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        assert_eq!(
            check_base_url("https://api.github.com/").unwrap(),
            "https://api.github.com"
        );
        assert_eq!(
            check_base_url(" https://ghe.example.com/api/v3/ ").unwrap(),
            "https://ghe.example.com/api/v3"
        );
        for loopback in [
            "http://127.0.0.1:8080",
            "http://127.1.2.3",
            "http://[::1]:8080/api/v3",
            "http://localhost:3000",
            "http://LOCALHOST",
        ] {
            check_base_url(loopback).unwrap();
        }
        for refused in [
            "ftp://example.com",
            "http://example.com",
            "http://127.0.0.1.example.com",
            "http://[::2]",
            "http://10.0.0.1",
            "file:///etc/passwd",
            "mailto:someone@example.com",
            "https://ghe.example/api/v3?",
            "https://ghe.example/a@b",
        ] {
            assert!(check_base_url(refused).is_err(), "{refused}");
        }
    }

    #[test]
    fn urls_that_could_hold_a_secret_are_refused_without_quoting_them() {
        let cases = [
            (
                "https://x:SECRET@ghe.example/api/v3",
                BaseUrlError::Credentials,
            ),
            ("https://SECRET@ghe.example", BaseUrlError::Credentials),
            ("https:\\\\x:SECRET@ghe.example", BaseUrlError::Credentials),
            (
                "http://u:SECRET@example.com/?q=1",
                BaseUrlError::Credentials,
            ),
            (
                "https://ghe.example/api/v3?access_token=SECRET",
                BaseUrlError::QueryOrFragment,
            ),
            (
                "https://ghe.example/api/v3#SECRET",
                BaseUrlError::QueryOrFragment,
            ),
        ];
        for (url, expected) in cases {
            let error = check_base_url(url).unwrap_err();
            assert_eq!(error, expected, "{url}");
            assert!(!error.to_string().contains("SECRET"), "{error}");
        }
        for url in [
            "https://[SECRET",
            "not a url SECRET",
            "data:SECRET",
            "ftp://example.com/?SECRET",
        ] {
            let error = check_base_url(url).unwrap_err();
            assert!(!error.to_string().contains("SECRET"), "{url}: {error}");
            assert!(!format!("{error:?}").contains("SECRET"), "{url}: {error:?}");
        }
    }
}
