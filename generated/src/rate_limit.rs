//! GitHub's rate-limit headers, and how a response says "slow down".

use std::cmp::Reverse;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, RETRY_AFTER};

const LIMIT: HeaderName = HeaderName::from_static("x-ratelimit-limit");
const REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");
const USED: HeaderName = HeaderName::from_static("x-ratelimit-used");
const RESET: HeaderName = HeaderName::from_static("x-ratelimit-reset");
const RESOURCE: HeaderName = HeaderName::from_static("x-ratelimit-resource");

/// The rate-limit state GitHub reported on a response
/// (`x-ratelimit-limit`, `-remaining`, `-used`, `-reset`, `-resource`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed per window.
    pub limit: u64,
    /// Requests left in the current window.
    pub remaining: u64,
    /// Requests made in the current window, when GitHub says.
    pub used: Option<u64>,
    /// When the window resets.
    pub reset: DateTime<Utc>,
    /// The rate-limit bucket, e.g. `core`, when GitHub says.
    pub resource: Option<String>,
}

impl RateLimit {
    /// Reads the state from response headers; `None` unless `limit`,
    /// `remaining` and `reset` are all present and numeric.
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        RateLimitState::from_headers(headers).map(RateLimitState::into_rate_limit)
    }

    /// How long until the window resets (zero if it already has).
    pub fn reset_in(&self) -> Duration {
        (self.reset - Utc::now()).to_std().unwrap_or(Duration::ZERO)
    }
}

/// The rate-limit state of a response, as the client keeps it: parsed, with
/// the `resource` name left as received (a cheap clone of the response's
/// bytes) until someone asks for it. Every response carries these headers;
/// few callers read them.
#[derive(Clone, Debug)]
pub(crate) struct RateLimitState {
    limit: u64,
    remaining: u64,
    used: Option<u64>,
    reset: DateTime<Utc>,
    resource: Option<HeaderValue>,
}

impl RateLimitState {
    /// `None` unless `limit`, `remaining` and `reset` are present and
    /// numeric (and `reset` a representable time).
    pub(crate) fn from_headers(headers: &HeaderMap) -> Option<Self> {
        let remaining = number(headers.get(REMAINING)?)?;
        let reset = i64::try_from(number(headers.get(RESET)?)?).ok()?;
        Some(RateLimitState {
            limit: number(headers.get(LIMIT)?)?,
            remaining,
            used: headers.get(USED).and_then(number),
            reset: Utc.timestamp_opt(reset, 0).single()?,
            resource: headers.get(RESOURCE).cloned(),
        })
    }

    /// Whether this state is older than `other`: responses can arrive out
    /// of order (concurrent pages), and an older one must not overwrite a
    /// newer one. A later reset is a later window; within one window, fewer
    /// remaining requests is later.
    pub(crate) fn is_older_than(&self, other: &RateLimitState) -> bool {
        (self.reset, Reverse(self.remaining)) < (other.reset, Reverse(other.remaining))
    }

    pub(crate) fn remaining(&self) -> u64 {
        self.remaining
    }

    /// How long until the window resets (zero if it already has).
    pub(crate) fn reset_in(&self) -> Duration {
        (self.reset - Utc::now()).to_std().unwrap_or(Duration::ZERO)
    }

    pub(crate) fn into_rate_limit(self) -> RateLimit {
        RateLimit {
            limit: self.limit,
            remaining: self.remaining,
            used: self.used,
            reset: self.reset,
            resource: self
                .resource
                .as_ref()
                .and_then(|value| value.to_str().ok())
                .map(|value| value.trim().to_string()),
        }
    }
}

/// A header's decimal value, surrounding whitespace allowed. Runs for
/// several headers of every response, hence no `str` detour.
fn number(value: &HeaderValue) -> Option<u64> {
    let digits = value.as_bytes().trim_ascii();
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u64, |number, &byte| {
        let digit = byte.checked_sub(b'0').filter(|digit| *digit <= 9)?;
        number.checked_mul(10)?.checked_add(u64::from(digit))
    })
}

/// Why GitHub refused a request for rate reasons, and how long it asks
/// the client to wait.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Throttle {
    /// The primary (hourly) limit is used up: wait until the reset, when
    /// GitHub says when that is.
    Primary { until_reset: Option<Duration> },
    /// A secondary limit, possibly with a `retry-after`.
    Secondary { retry_after: Option<Duration> },
}

/// Classifies a response as a rate-limit refusal. `body` is consulted only
/// for a 403 without rate-limit headers: GitHub then says so in the message.
pub(crate) fn throttle(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Option<Throttle> {
    if status != StatusCode::FORBIDDEN && status != StatusCode::TOO_MANY_REQUESTS {
        return None;
    }
    if let Some(retry_after) = retry_after(headers) {
        return Some(Throttle::Secondary {
            retry_after: Some(retry_after),
        });
    }
    if headers.get(REMAINING).and_then(number) == Some(0) {
        let until_reset = RateLimit::from_headers(headers).map(|limit| limit.reset_in());
        return Some(Throttle::Primary { until_reset });
    }
    let says_rate_limit = body
        .windows(b"rate limit".len())
        .any(|window| window.eq_ignore_ascii_case(b"rate limit"));
    if status == StatusCode::TOO_MANY_REQUESTS || says_rate_limit {
        return Some(Throttle::Secondary { retry_after: None });
    }
    None
}

/// `retry-after` in seconds (GitHub never sends the HTTP-date form).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(RETRY_AFTER)
        .and_then(number)
        .map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn reads_rate_limit_headers() {
        let map = headers(&[
            ("x-ratelimit-limit", "5000"),
            ("x-ratelimit-remaining", "4999"),
            ("x-ratelimit-used", "1"),
            ("x-ratelimit-reset", "1700000000"),
            ("x-ratelimit-resource", "core"),
        ]);
        let limit = RateLimit::from_headers(&map).unwrap();
        assert_eq!(
            (limit.limit, limit.remaining, limit.used),
            (5000, 4999, Some(1))
        );
        assert_eq!(limit.reset.timestamp(), 1_700_000_000);
        assert_eq!(limit.resource.as_deref(), Some("core"));
    }

    #[test]
    fn a_newer_state_is_recognised() {
        let state = |remaining: &str, reset: &str| {
            RateLimitState::from_headers(&headers(&[
                ("x-ratelimit-limit", "5000"),
                ("x-ratelimit-remaining", remaining),
                ("x-ratelimit-reset", reset),
            ]))
        };
        let early = state("4990", "1700000000").unwrap();
        let later_same_window = state("4980", "1700000000").unwrap();
        let next_window = state("4999", "1700003600").unwrap();
        assert!(early.is_older_than(&later_same_window));
        assert!(!later_same_window.is_older_than(&early));
        assert!(later_same_window.is_older_than(&next_window));
        assert!(!next_window.is_older_than(&later_same_window));
        assert!(!early.is_older_than(&early));
        // Headers that do not parse are no state at all.
        assert!(state("many", "1700000000").is_none());
        assert!(state("4990", "soon").is_none());
        assert!(state("4990", &u64::MAX.to_string()).is_none());
    }

    #[test]
    fn numbers_are_plain_decimals() {
        let parse = |text: &str| number(&HeaderValue::from_str(text).unwrap());
        assert_eq!(parse("4999"), Some(4999));
        assert_eq!(parse(" 60 "), Some(60));
        assert_eq!(parse("0"), Some(0));
        assert_eq!(parse(&u64::MAX.to_string()), Some(u64::MAX));
        for bad in [
            "",
            " ",
            "-1",
            "+1",
            "1.5",
            "1e3",
            "6O",
            "18446744073709551616",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn classifies_refusals() {
        let none = HeaderMap::new();
        assert_eq!(
            throttle(StatusCode::FORBIDDEN, &none, b"{\"message\":\"no\"}"),
            None
        );
        assert_eq!(
            throttle(
                StatusCode::FORBIDDEN,
                &none,
                b"You have exceeded a secondary Rate Limit"
            ),
            Some(Throttle::Secondary { retry_after: None })
        );
        assert_eq!(
            throttle(
                StatusCode::FORBIDDEN,
                &headers(&[("retry-after", "7")]),
                b""
            ),
            Some(Throttle::Secondary {
                retry_after: Some(Duration::from_secs(7))
            })
        );
        assert!(matches!(
            throttle(
                StatusCode::FORBIDDEN,
                &headers(&[("x-ratelimit-remaining", "0")]),
                b""
            ),
            Some(Throttle::Primary { .. })
        ));
        assert_eq!(throttle(StatusCode::NOT_FOUND, &none, b"rate limit"), None);
    }
}
