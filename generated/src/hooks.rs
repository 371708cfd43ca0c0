//! The per-request hooks of the generated `Client`: the headers GitHub
//! expects on every request, retries, pacing and rate-limit bookkeeping.
//!
//! The generated `Client` carries a [`Runtime`] (its `inner` value) and
//! calls the [`ClientHooks`] below around every operation.

use std::sync::{Arc, Mutex, PoisonError};

use progenitor_client::{ClientHooks, OperationInfo};
use reqwest::header::{ACCEPT, HeaderMap, HeaderName, HeaderValue, USER_AGENT};

use crate::Client;
use crate::pacing::{Pacer, RequestBudget};
use crate::rate_limit::{RateLimit, RateLimitState};
use crate::retry::RetryPolicy;

/// The REST API version this crate was generated for, sent as
/// `X-GitHub-Api-Version` unless [`ClientBuilder::api_version`] picks
/// another.
///
/// [`ClientBuilder::api_version`]: crate::ClientBuilder::api_version
pub const API_VERSION: &str = "2022-11-28";

const PROGENITOR_API_VERSION: HeaderName = HeaderName::from_static("api-version");
const GITHUB_API_VERSION: HeaderName = HeaderName::from_static("x-github-api-version");
const GITHUB_MEDIA_TYPE: HeaderValue = HeaderValue::from_static("application/vnd.github+json");

/// The `User-Agent` sent unless another is configured.
pub const DEFAULT_USER_AGENT: &str = concat!("github-packages/", env!("CARGO_PKG_VERSION"));

/// Listing defaults: GitHub's largest page, and pages fetched at once when
/// the first page's `Link` header names the last one. 16 in flight lists
/// 10,000 versions at 20 ms of latency 10.9 times as fast as following
/// `Link` (4: 3.5 times, 8: 6.5; tests/benches/client.rs), well under the
/// 100 concurrent requests GitHub allows; every page still pays its point
/// of the request budget, which caps a long listing's pace whatever the
/// width.
pub(crate) const DEFAULT_PER_PAGE: u8 = 100;
pub(crate) const DEFAULT_PAGE_CONCURRENCY: usize = 16;

/// State the generated `Client` carries for the hand-written layer: the retry
/// policy, listing defaults, the request budget's ledger and the last
/// rate-limit state seen. Cheap to clone; clones share the ledger and the
/// rate-limit state.
///
/// Prefer [`Client::builder`]. `Client::new(url, Runtime::default())` also
/// works: making a `Runtime` installs the TLS crypto provider (feature
/// `rustls` without `rustls-aws-lc`; see the crate's "Cargo features") that
/// the generated constructor's reqwest client needs.
#[derive(Clone, Debug)]
pub struct Runtime {
    shared: Arc<Shared>,
}

impl Default for Runtime {
    fn default() -> Self {
        crate::tls::install_crypto_provider();
        Runtime {
            shared: Arc::default(),
        }
    }
}

#[derive(Debug)]
struct Shared {
    user_agent: HeaderValue,
    api_version: HeaderValue,
    retry: RetryPolicy,
    per_page: u8,
    page_concurrency: usize,
    rate_limit: Mutex<Option<RateLimitState>>,
    /// The request budget's ledger; `None` when it is off.
    pacer: Option<Pacer>,
}

impl Default for Shared {
    fn default() -> Self {
        Shared {
            user_agent: HeaderValue::from_static(DEFAULT_USER_AGENT),
            api_version: HeaderValue::from_static(API_VERSION),
            retry: RetryPolicy::default(),
            per_page: DEFAULT_PER_PAGE,
            page_concurrency: DEFAULT_PAGE_CONCURRENCY,
            rate_limit: Mutex::new(None),
            pacer: Pacer::new(RequestBudget::default()),
        }
    }
}

impl Runtime {
    pub(crate) fn new(
        user_agent: HeaderValue,
        api_version: HeaderValue,
        retry: RetryPolicy,
        per_page: u8,
        page_concurrency: usize,
        budget: RequestBudget,
    ) -> Self {
        crate::tls::install_crypto_provider();
        Runtime {
            shared: Arc::new(Shared {
                user_agent,
                api_version,
                retry,
                per_page,
                page_concurrency,
                rate_limit: Mutex::new(None),
                pacer: Pacer::new(budget),
            }),
        }
    }

    pub(crate) fn retry_policy(&self) -> &RetryPolicy {
        &self.shared.retry
    }

    pub(crate) fn per_page(&self) -> u8 {
        self.shared.per_page
    }

    pub(crate) fn page_concurrency(&self) -> usize {
        self.shared.page_concurrency
    }

    pub(crate) fn pacer(&self) -> Option<&Pacer> {
        self.shared.pacer.as_ref()
    }

    pub(crate) fn rate_limit(&self) -> Option<RateLimit> {
        let state = self
            .shared
            .rate_limit
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        state.map(RateLimitState::into_rate_limit)
    }

    /// Keeps the rate-limit state of a response, unless the state kept
    /// already is newer (responses to concurrent requests arrive in any
    /// order).
    pub(crate) fn record_rate_limit(&self, headers: &HeaderMap) {
        if let Some(limit) = RateLimitState::from_headers(headers) {
            if let Some(pacer) = self.pacer() {
                pacer.note_quota(limit.remaining(), limit.reset_in());
            }
            let mut kept = self
                .shared
                .rate_limit
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if kept.as_ref().is_none_or(|kept| !limit.is_older_than(kept)) {
                *kept = Some(limit);
            }
        }
    }
}

impl ClientHooks<Runtime> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let headers = request.headers_mut();
        // progenitor sends the spec's `info.version` as `api-version`; GitHub
        // reads `X-GitHub-Api-Version` instead.
        headers.remove(PROGENITOR_API_VERSION);
        headers.insert(GITHUB_API_VERSION, self.inner.shared.api_version.clone());
        // Each generated request sets `Accept: application/json`; GitHub
        // recommends its own media type.
        headers.insert(ACCEPT, GITHUB_MEDIA_TYPE);
        // Set here rather than as a reqwest default header so that a client
        // made with the generated `Client::new` sends one too: GitHub rejects
        // requests without a `User-Agent`.
        headers.insert(USER_AGENT, self.inner.shared.user_agent.clone());
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let result = self
            .inner
            .execute(&self.client, request, info.operation_id)
            .await;
        if let Ok(response) = &result {
            crate::call::note_answer(response);
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(remaining: &str, reset: &str) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert("x-ratelimit-limit", HeaderValue::from_static("5000"));
        map.insert("x-ratelimit-remaining", remaining.parse().unwrap());
        map.insert("x-ratelimit-reset", reset.parse().unwrap());
        map
    }

    #[test]
    fn a_late_older_response_does_not_overwrite_newer_state() {
        let runtime = Runtime::default();
        runtime.record_rate_limit(&headers("4990", "1700000000"));
        runtime.record_rate_limit(&headers("4995", "1700000000"));
        assert_eq!(runtime.rate_limit().unwrap().remaining, 4990);
        // A new window wins even with more remaining.
        runtime.record_rate_limit(&headers("4999", "1700003600"));
        assert_eq!(runtime.rate_limit().unwrap().remaining, 4999);
        runtime.record_rate_limit(&headers("0", "1700000000"));
        assert_eq!(runtime.rate_limit().unwrap().remaining, 4999);
        // Clones share the state.
        runtime
            .clone()
            .record_rate_limit(&headers("4998", "1700003600"));
        assert_eq!(runtime.rate_limit().unwrap().remaining, 4998);
    }
}
