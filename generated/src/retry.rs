//! Retrying requests that GitHub did not carry out, or that are safe to repeat.
//!
//! Reads (`GET`) are retried on connection errors, timeouts, 5xx, 429 and
//! rate-limit refusals (in `ClientHooks::exec`, around each request), and
//! when a successful answer's body is cut off (by the hand-written layer,
//! which reads it: [`Runtime::again_if_cut_off`]). A `DELETE` or `POST` is retried
//! only when the answer proves it was not carried out: a rate-limit refusal
//! (403/429), or a connection that could not even be opened. After a
//! timeout, a lost connection or a 5xx its outcome is unknown, so it is
//! returned as is and the caller gets
//! [`ErrorKind::OutcomeUnknown`](crate::ErrorKind::OutcomeUnknown).

use std::collections::hash_map::RandomState;
use std::future::Future;
use std::hash::BuildHasher;
use std::time::Duration;

use reqwest::{Method, Request, Response, StatusCode};

use crate::error::GeneratedError;
use crate::rate_limit::{self, Throttle};
use crate::runtime::Runtime;

/// How requests are retried. [`RetryPolicy::default`] retries up to 4
/// times; [`RetryPolicy::none`] never retries.
///
/// Waits GitHub asks for (`retry-after`, the `x-ratelimit-reset` of a used-up
/// limit, at least [`secondary_rate_limit_wait`](Self::secondary_rate_limit_wait)
/// after a secondary limit without `retry-after`) are always honoured: the
/// client never retries earlier. When such a wait is longer than
/// [`max_wait`](Self::max_wait), the client does not wait at all and returns
/// the error, which tells when to come back ([`crate::Error::retry_after`],
/// [`crate::Error::rate_limit`]).
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
    /// asks for a longer one, the error is returned instead.
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
        full.mul_f64(0.5 + 0.5 * random_fraction())
    }
}

/// A number in `[0, 1)`, from std's per-instance random hash keys (enough
/// for jitter; no extra dependency).
fn random_fraction() -> f64 {
    let bits = RandomState::new().hash_one(0u8) >> 11;
    bits as f64 / (1u64 << 53) as f64
}

/// What happened to one attempt.
enum Attempt {
    /// An answer; an error status's body already read.
    Answered {
        response: Response,
        throttle: Option<Throttle>,
    },
    Failed(reqwest::Error),
}

impl Runtime {
    /// Sends `request`, retrying according to the policy. Used by the
    /// generated operations (through `ClientHooks::exec`) and by pagination.
    pub(crate) async fn execute(
        &self,
        client: &reqwest::Client,
        request: Request,
        operation: &'static str,
    ) -> reqwest::Result<Response> {
        let policy = self.retry_policy();
        let idempotent = matches!(*request.method(), Method::GET | Method::HEAD);
        let mut waited = Duration::ZERO;
        let mut retry = 0;
        let mut request = request;
        loop {
            let spare = if retry < policy.max_retries {
                request.try_clone()
            } else {
                None
            };
            let attempt = self.attempt(client, request).await;
            let Some(next) = spare.filter(|_| attempt.may_need_retry()) else {
                return attempt.into_result();
            };
            retry += 1;
            let Some((wait, reason)) = self.decide(policy, &attempt, idempotent, retry) else {
                return attempt.into_result();
            };
            if waited + wait > policy.max_total_wait {
                tracing::warn!(
                    operation,
                    retry,
                    wait_ms = millis(wait),
                    waited_ms = millis(waited),
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
            waited += wait;
            request = next;
        }
    }

    async fn attempt(&self, client: &reqwest::Client, request: Request) -> Attempt {
        let mut response = match client.execute(request).await {
            Ok(response) => response,
            Err(error) => return Attempt::Failed(error),
        };
        self.record_rate_limit(response.headers());
        let status = response.status();
        // A success is passed on unread (its body is read by whoever asked;
        // see `again_if_cut_off`). An error's body is read here, since a
        // 403 says in its message whether it is a rate limit.
        if !status.is_client_error() && !status.is_server_error() {
            return Attempt::Answered {
                response,
                throttle: None,
            };
        }
        let version = response.version();
        let headers = std::mem::take(response.headers_mut());
        let body = match response.bytes().await {
            Ok(body) => body,
            Err(error) => return Attempt::Failed(error),
        };
        let throttle = rate_limit::throttle(status, &headers, &body);
        let mut rebuilt = http::Response::new(body);
        *rebuilt.status_mut() = status;
        *rebuilt.version_mut() = version;
        *rebuilt.headers_mut() = headers;
        Attempt::Answered {
            response: Response::from(rebuilt),
            throttle,
        }
    }

    /// How long to wait before retry number `retry`, or `None` not to retry.
    fn decide(
        &self,
        policy: &RetryPolicy,
        attempt: &Attempt,
        idempotent: bool,
        retry: u32,
    ) -> Option<(Duration, String)> {
        let backoff = policy.backoff(retry);
        let (asked, reason) = match attempt {
            Attempt::Failed(error) => {
                // A write whose connection was never opened carried nothing.
                if !idempotent && !error.is_connect() {
                    return None;
                }
                return Some((backoff, transport_reason(error)));
            }
            Attempt::Answered { response, throttle } => match throttle {
                Some(Throttle::Secondary {
                    retry_after: Some(wait),
                }) => (
                    *wait,
                    format!("secondary rate limit, retry-after {} s", wait.as_secs()),
                ),
                Some(Throttle::Secondary { retry_after: None }) => (
                    policy.secondary_rate_limit_wait.max(backoff),
                    format!("secondary rate limit ({})", response.status()),
                ),
                Some(Throttle::Primary {
                    until_reset: Some(wait),
                }) => (
                    (*wait).max(backoff),
                    "rate limit used up until its reset".to_string(),
                ),
                Some(Throttle::Primary { until_reset: None }) => {
                    (backoff, "rate limit used up, reset unknown".to_string())
                }
                None if idempotent && is_transient(response.status()) => {
                    return Some((backoff, format!("HTTP {}", response.status())));
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
        Some((asked, reason))
    }
}

impl Runtime {
    /// Repeats a read whose successful answer was cut off mid-body.
    ///
    /// `exec` hands a successful response on unread, so a connection lost
    /// while its body arrives shows up only when the body is read: by the
    /// generated code (`ResponseBodyError`) or by pagination. The methods of
    /// this crate read through here; the generated builders, used directly,
    /// do not repeat such a read.
    pub(crate) async fn again_if_cut_off<T, E, F, Fut>(
        &self,
        operation: &'static str,
        is_cut_off: fn(&E) -> bool,
        mut read: F,
    ) -> Result<T, E>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let policy = self.retry_policy();
        let mut waited = Duration::ZERO;
        let mut retry = 0;
        loop {
            let result = read().await;
            match &result {
                Err(error) if is_cut_off(error) && retry < policy.max_retries => {
                    retry += 1;
                    let wait = policy.backoff(retry);
                    if waited + wait > policy.max_total_wait {
                        return result;
                    }
                    tracing::warn!(
                        operation,
                        retry,
                        wait_ms = millis(wait),
                        reason = "the response body was cut off",
                        "retrying GitHub request"
                    );
                    tokio::time::sleep(wait).await;
                    waited += wait;
                }
                _ => return result,
            }
        }
    }
}

/// A generated operation's body was cut off (not a decoding failure).
pub(crate) fn generated_cut_off(error: &GeneratedError) -> bool {
    matches!(error, progenitor_client::Error::ResponseBodyError(_))
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
}
