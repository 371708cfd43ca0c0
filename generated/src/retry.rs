//! Retrying requests that GitHub did not carry out, or that are safe to repeat.
//!
//! Everything happens in one loop around each request (`ClientHooks::exec`),
//! for the generated operations and the hand-written layer alike, so one
//! request never makes more than `max_retries + 1` attempts nor waits more
//! than `max_total_wait` in all. Each attempt is admitted by the request
//! budget (`pacing`) first, and pays its points like any other request; the
//! time it waits there is not part of `max_total_wait`.
//!
//! Reads (`GET`) are retried on connection errors, timeouts, 5xx, 429 and
//! rate-limit refusals, and when a successful answer's body is cut off: the
//! body of a successful read is read here, before the answer is handed on.
//! A `DELETE` or `POST` is retried only when the answer proves it was not
//! carried out: a rate-limit refusal (403/429, classified by its status and
//! headers even when its body cannot be read), or a connection that could
//! not even be opened. After a timeout, a lost connection or a 5xx its
//! outcome is unknown, so it is returned as is and the caller gets
//! [`ErrorKind::OutcomeUnknown`](crate::ErrorKind::OutcomeUnknown). A
//! request that could not be built, or that ran into a redirect loop, is
//! never retried.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::time::Duration;

use reqwest::{Method, Request, Response, ResponseBuilderExt, StatusCode, Url};

use crate::hooks::Runtime;
use crate::rate_limit::{self, Throttle};

/// The shortest wait before retrying after a rate-limit refusal, whatever
/// the policy and GitHub say: a `retry-after: 0` must not make the retries
/// a tight loop.
pub(crate) const MIN_RATE_LIMIT_WAIT: Duration = Duration::from_millis(100);

/// The most of an error response's body that is read (GitHub's are small
/// JSON objects; a proxy's error page may not be).
pub(crate) const MAX_ERROR_BODY: usize = 64 * 1024;

/// The largest successful answer that is read: GitHub's largest (a page of
/// 100 packages with their repositories) is well under 1 MiB. A larger one
/// is refused rather than held in memory whole.
pub(crate) const MAX_ANSWER_BODY: usize = 16 * 1024 * 1024;

/// How requests are retried. [`RetryPolicy::default`] retries up to 4
/// times; [`RetryPolicy::none`] never retries.
///
/// Waits GitHub asks for (`retry-after`, the `x-ratelimit-reset` of a used-up
/// limit, at least [`secondary_rate_limit_wait`](Self::secondary_rate_limit_wait)
/// after a secondary limit without `retry-after`) are always honoured: the
/// client never retries earlier. It waits a little longer, in fact: at least
/// the backoff for that retry (and never less than 100 ms, so that
/// `retry-after: 0` does not make a tight loop), plus a random extra of up
/// to [`initial_backoff`](Self::initial_backoff), so that clients waiting
/// for the same reset do not all come back at once. When GitHub's wait is
/// longer than [`max_wait`](Self::max_wait), the client does not wait at all
/// and returns the error, which tells when to come back
/// ([`crate::Error::retry_after`], [`crate::Error::rate_limit`]).
///
/// The bounds hold for one request as a whole, whatever went wrong:
/// at most `max_retries + 1` attempts, and at most
/// [`max_total_wait`](Self::max_total_wait) spent waiting between them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_wait: Duration,
    max_total_wait: Duration,
    secondary_rate_limit_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 4,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
            max_wait: Duration::from_secs(120),
            max_total_wait: Duration::from_secs(300),
            secondary_rate_limit_wait: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// Retries after the first attempt (default 4; 0 turns retrying off).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// The first backoff (default 1 s); each further retry doubles it, and
    /// each wait is jittered down to half of that at random.
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The longest backoff between retries (default 30 s). Does not shorten
    /// waits GitHub asks for.
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// The longest single wait the client accepts (default 120 s). If GitHub
    /// asks for a longer one, the error is returned instead, and the client's
    /// other requests, which a secondary limit holds back too, are held back
    /// no longer than this.
    pub fn max_wait(mut self, wait: Duration) -> Self {
        self.max_wait = wait;
        self
    }

    /// The most one request may spend waiting across its retries (default
    /// 300 s).
    pub fn max_total_wait(mut self, wait: Duration) -> Self {
        self.max_total_wait = wait;
        self
    }

    /// How long to wait after a secondary rate limit that names no time
    /// (default 60 s, as GitHub's documentation asks).
    pub fn secondary_rate_limit_wait(mut self, wait: Duration) -> Self {
        self.secondary_rate_limit_wait = wait;
        self
    }

    /// Exponential backoff with jitter before retry number `retry` (1-based).
    fn backoff(&self, retry: u32) -> Duration {
        let doubling = 2u32.saturating_pow(retry.saturating_sub(1));
        let full = self
            .initial_backoff
            .saturating_mul(doubling)
            .min(self.max_backoff);
        scale(full, 0.5 + 0.5 * random_fraction())
    }

    /// The wait before retry number `retry` after a rate-limit refusal for
    /// which GitHub asked to wait `asked`: never sooner, at least the backoff
    /// and [`MIN_RATE_LIMIT_WAIT`], plus a positive jitter.
    fn rate_limit_wait(&self, asked: Duration, retry: u32) -> Duration {
        let floor = self.backoff(retry).max(MIN_RATE_LIMIT_WAIT);
        let spread = self.initial_backoff.max(MIN_RATE_LIMIT_WAIT);
        asked
            .max(floor)
            .saturating_add(scale(spread, random_fraction()))
    }
}

/// `duration * factor` for a factor in `[0, 1]`, without the panics of
/// `Duration::mul_f64` near `Duration::MAX`.
fn scale(duration: Duration, factor: f64) -> Duration {
    Duration::try_from_secs_f64(duration.as_secs_f64() * factor)
        .map_or(duration, |scaled| scaled.min(duration))
}

/// A number in `[0, 1)`, from std's per-instance random hash keys (enough
/// for jitter; no extra dependency).
fn random_fraction() -> f64 {
    let bits = RandomState::new().hash_one(0u8) >> 11;
    bits as f64 / (1u64 << 53) as f64
}

/// What happened to one attempt.
enum Attempt {
    /// An answer; the body of an error or of a successful read already
    /// read.
    Answered {
        response: Response,
        throttle: Option<Throttle>,
    },
    Failed(reqwest::Error),
}

/// What one request has used of its policy's retries and total wait.
#[derive(Default)]
struct Budget {
    retries: u32,
    waited: Duration,
}

impl Runtime {
    /// Sends `request`, retrying according to the policy. Used by the
    /// generated operations and by pagination, through `ClientHooks::exec`.
    pub(crate) async fn execute(
        &self,
        client: &reqwest::Client,
        request: Request,
        operation: &'static str,
    ) -> reqwest::Result<Response> {
        let policy = self.retry_policy();
        let idempotent = matches!(*request.method(), Method::GET | Method::HEAD);
        let mut budget = Budget::default();
        let mut request = request;
        loop {
            let spare = if budget.retries < policy.max_retries {
                request.try_clone()
            } else {
                None
            };
            let attempt = self.attempt(client, request, idempotent).await;
            let Some(next) = spare.filter(|_| attempt.may_need_retry()) else {
                return attempt.into_result();
            };
            let retry = budget.retries + 1;
            let Some((wait, reason)) = decide(policy, &attempt, idempotent, retry) else {
                return attempt.into_result();
            };
            let waited = budget.waited.saturating_add(wait);
            if waited > policy.max_total_wait {
                tracing::warn!(
                    operation,
                    retry,
                    wait_ms = millis(wait),
                    waited_ms = millis(budget.waited),
                    %reason,
                    "not retrying GitHub request: the total wait budget is spent"
                );
                return attempt.into_result();
            }
            tracing::warn!(
                operation,
                method = %next.method(),
                retry,
                wait_ms = millis(wait),
                %reason,
                "retrying GitHub request"
            );
            drop(attempt);
            tokio::time::sleep(wait).await;
            budget = Budget {
                retries: retry,
                waited,
            };
            request = next;
        }
    }

    async fn attempt(
        &self,
        client: &reqwest::Client,
        request: Request,
        idempotent: bool,
    ) -> Attempt {
        // Every attempt is a request GitHub counts, a retry as much as the
        // first: each one waits for its points, and holds its in-flight
        // slot until its answer has been read (the end of this function).
        let _admission = match self.pacer() {
            Some(pacer) => Some(pacer.admit(request.method()).await),
            None => None,
        };
        let mut response = match client.execute(request).await {
            Ok(response) => response,
            Err(error) => return Attempt::Failed(error),
        };
        self.record_rate_limit(response.headers());
        let status = response.status();
        let is_error = status.is_client_error() || status.is_server_error();
        let read_here = is_error || (idempotent && status.is_success());
        // A write's success, and any redirect, are handed on unread.
        if !read_here {
            return Attempt::Answered {
                response,
                throttle: None,
            };
        }
        let version = response.version();
        let url = response.url().clone();
        let headers = std::mem::take(response.headers_mut());
        if !is_error {
            // A successful read: a body cut off here is retried like any
            // other failure of the read; one too large is not (it would be
            // as large again).
            let mut body = Vec::new();
            return match read_capped(&mut response, &mut body, MAX_ANSWER_BODY + 1).await {
                Ok(()) if body.len() > MAX_ANSWER_BODY => Attempt::Answered {
                    response: rebuild(status, version, url, headers, too_large_body()),
                    throttle: None,
                },
                Ok(()) => Attempt::Answered {
                    response: rebuild(status, version, url, headers, body),
                    throttle: None,
                },
                Err(error) => Attempt::Failed(error),
            };
        }
        // An error's body says whether a 403 is a rate limit. One that
        // cannot be read (or only in part) still has its status: a 429 still
        // proves that a write was not carried out.
        let mut body = Vec::new();
        let _unreadable = read_capped(&mut response, &mut body, MAX_ERROR_BODY).await;
        let throttle = rate_limit::throttle(status, &headers, &body);
        if let (Some(pacer), Some(Throttle::Secondary { retry_after })) = (self.pacer(), &throttle)
        {
            // GitHub asks the client, not only this request, to slow down.
            // The other requests wait at most `max_wait` too: past that this
            // one is reported, and they would be, rather than hang.
            let policy = self.retry_policy();
            let asked = retry_after.unwrap_or(policy.secondary_rate_limit_wait);
            pacer.pause(asked.min(policy.max_wait));
        }
        Attempt::Answered {
            response: rebuild(status, version, url, headers, body),
            throttle,
        }
    }
}

/// The body handed on in place of an answer larger than
/// [`MAX_ANSWER_BODY`]: reading it fails with an error that says so.
fn too_large_body() -> reqwest::Body {
    let refusal = std::io::Error::other(format!(
        "GitHub's answer is larger than {} MiB; not read",
        MAX_ANSWER_BODY / (1024 * 1024)
    ));
    reqwest::Body::wrap_stream(futures_util::stream::iter([Err::<Vec<u8>, _>(refusal)]))
}

/// Reads up to `cap` bytes of the body into `body`.
async fn read_capped(
    response: &mut Response,
    body: &mut Vec<u8>,
    cap: usize,
) -> reqwest::Result<()> {
    while body.len() < cap {
        let Some(chunk) = response.chunk().await? else {
            break;
        };
        let room = cap - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
    }
    Ok(())
}

/// A response whose body was read, rebuilt with everything the original
/// had that callers may look at, its URL included.
fn rebuild(
    status: StatusCode,
    version: reqwest::Version,
    url: Url,
    headers: reqwest::header::HeaderMap,
    body: impl Into<reqwest::Body>,
) -> Response {
    let mut rebuilt = http::Response::builder()
        .status(status)
        .version(version)
        .url(url)
        .body(body.into())
        .expect("a status, a version and a URL make a valid response");
    *rebuilt.headers_mut() = headers;
    Response::from(rebuilt)
}

/// How long to wait before retry number `retry`, or `None` not to retry.
fn decide(
    policy: &RetryPolicy,
    attempt: &Attempt,
    idempotent: bool,
    retry: u32,
) -> Option<(Duration, String)> {
    let (asked, reason) = match attempt {
        Attempt::Failed(error) => {
            // A request that could not be built or that loops on redirects
            // fails the same way every time; a write whose connection was
            // never opened carried nothing.
            if !retryable(error) || (!idempotent && !error.is_connect()) {
                return None;
            }
            return Some((policy.backoff(retry), transport_reason(error)));
        }
        Attempt::Answered { response, throttle } => match throttle {
            Some(Throttle::Secondary {
                retry_after: Some(wait),
            }) => (
                *wait,
                format!("secondary rate limit, retry-after {} s", wait.as_secs()),
            ),
            Some(Throttle::Secondary { retry_after: None }) => (
                policy.secondary_rate_limit_wait,
                format!("secondary rate limit ({})", response.status()),
            ),
            Some(Throttle::Primary {
                until_reset: Some(wait),
            }) => (*wait, "rate limit used up until its reset".to_string()),
            Some(Throttle::Primary { until_reset: None }) => (
                Duration::ZERO,
                "rate limit used up, reset unknown".to_string(),
            ),
            None if idempotent && is_transient(response.status()) => {
                return Some((policy.backoff(retry), format!("HTTP {}", response.status())));
            }
            None => return None,
        },
    };
    if asked > policy.max_wait {
        tracing::warn!(
            wait_s = asked.as_secs(),
            max_wait_s = policy.max_wait.as_secs(),
            %reason,
            "not retrying GitHub request: it asks for a longer wait than allowed"
        );
        return None;
    }
    Some((policy.rate_limit_wait(asked, retry), reason))
}

impl Attempt {
    /// Anything but a success or redirect.
    fn may_need_retry(&self) -> bool {
        match self {
            Attempt::Answered { response, .. } => {
                response.status().is_client_error() || response.status().is_server_error()
            }
            Attempt::Failed(_) => true,
        }
    }

    fn into_result(self) -> reqwest::Result<Response> {
        match self {
            Attempt::Answered { response, .. } => Ok(response),
            Attempt::Failed(error) => Err(error),
        }
    }
}

fn is_transient(status: StatusCode) -> bool {
    status.is_server_error()
        || status == StatusCode::TOO_MANY_REQUESTS
        || status == StatusCode::REQUEST_TIMEOUT
}

/// A transport error that may go away: not a request that could not be
/// built, nor a redirect loop, nor a failed TLS handshake.
fn retryable(error: &reqwest::Error) -> bool {
    !(error.is_builder()
        || error.is_redirect()
        || error.is_status()
        || error.is_upgrade()
        || is_tls_failure(error))
}

/// A connection whose TLS handshake failed, as rustls (through
/// tokio-rustls) reports it: an `InvalidData` I/O error, which the
/// connector wraps in another I/O error. Most often a certificate the
/// client does not trust, which the next attempt meets again; any other
/// TLS error (a protocol alert, a corrupt record) is not retried either.
/// native-tls reports handshake failures differently: with it, they are
/// retried like any other connection failure.
fn is_tls_failure(error: &reqwest::Error) -> bool {
    if !error.is_connect() {
        return false;
    }
    let mut cause = std::error::Error::source(error);
    while let Some(inner) = cause {
        // `io::Error::source` skips the error it wraps: look inside.
        let mut io = inner.downcast_ref::<std::io::Error>();
        while let Some(current) = io {
            if current.kind() == std::io::ErrorKind::InvalidData {
                return true;
            }
            io = current
                .get_ref()
                .and_then(|wrapped| wrapped.downcast_ref::<std::io::Error>());
        }
        cause = inner.source();
    }
    false
}

fn transport_reason(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "timed out".to_string()
    } else if error.is_connect() {
        "could not connect".to_string()
    } else if error.is_body() || error.is_decode() {
        "the response body was cut off".to_string()
    } else {
        "the connection failed".to_string()
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let policy = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(350));
        for _ in 0..50 {
            let first = policy.backoff(1);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let second = policy.backoff(2);
            assert!(second >= Duration::from_millis(100) && second <= Duration::from_millis(200));
            let capped = policy.backoff(10);
            assert!(capped >= Duration::from_millis(175) && capped <= Duration::from_millis(350));
        }
    }

    #[test]
    fn huge_durations_do_not_overflow() {
        // Doubling, capping and jittering the largest durations neither
        // panics nor wraps around to a short wait.
        let policy = RetryPolicy::default()
            .initial_backoff(Duration::MAX)
            .max_backoff(Duration::MAX)
            .max_wait(Duration::MAX);
        for retry in [1, 2, 64, u32::MAX] {
            let backoff = policy.backoff(retry);
            assert!(backoff >= Duration::MAX / 2, "retry {retry}: {backoff:?}");
            assert_eq!(policy.rate_limit_wait(Duration::MAX, retry), Duration::MAX);
        }
        // A huge first backoff, doubled up to `u32::MAX` times, is still
        // capped by `max_backoff`, then jittered down to half of it at most.
        let policy = RetryPolicy::default()
            .initial_backoff(Duration::MAX)
            .max_backoff(Duration::from_secs(30));
        for retry in [1, 2, 64, u32::MAX] {
            let backoff = policy.backoff(retry);
            assert!(
                backoff >= Duration::from_secs(15) && backoff <= Duration::from_secs(30),
                "retry {retry}: {backoff:?}"
            );
            let wait = policy.rate_limit_wait(Duration::from_secs(1), retry);
            assert!(wait >= Duration::from_secs(15), "retry {retry}: {wait:?}");
        }
    }

    #[test]
    fn rate_limit_waits_are_never_shorter_than_asked_nor_a_tight_loop() {
        let policy = RetryPolicy::default()
            .initial_backoff(Duration::ZERO)
            .max_backoff(Duration::ZERO);
        for _ in 0..50 {
            let wait = policy.rate_limit_wait(Duration::ZERO, 1);
            assert!(wait >= MIN_RATE_LIMIT_WAIT && wait <= 2 * MIN_RATE_LIMIT_WAIT);
        }
        let policy = RetryPolicy::default();
        let mut waits = Vec::new();
        for _ in 0..50 {
            let wait = policy.rate_limit_wait(Duration::from_secs(7), 1);
            assert!(wait >= Duration::from_secs(7) && wait <= Duration::from_secs(8));
            waits.push(wait);
        }
        waits.dedup();
        assert!(waits.len() > 1, "jittered: {waits:?}");
    }

    #[test]
    fn a_rebuilt_response_keeps_its_url_and_headers() {
        let url = Url::parse("https://api.github.com/orgs/acme/packages?page=2").unwrap();
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("x-github-request-id", "ABC".parse().unwrap());
        let response = rebuild(
            StatusCode::BAD_GATEWAY,
            reqwest::Version::HTTP_11,
            url.clone(),
            headers,
            b"oops".to_vec(),
        );
        assert_eq!(response.url(), &url);
        assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
        assert_eq!(response.headers()["x-github-request-id"], "ABC");
    }
}
