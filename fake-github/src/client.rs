//! The client of the fake: the client crate's [`Client`] pointed at a
//! running [`FakeGitHub`], with its token and retries that wait
//! milliseconds. The one such client for the workspace's tests and
//! benchmarks (feature `client`).

use std::time::Duration;

use github_packages::{Client, ClientBuilder, RetryPolicy};

use crate::FakeGitHub;

/// Retries with waits of a few milliseconds, so tests never sleep for long.
/// Waits GitHub asks for are still honoured up to two seconds; a test asks
/// for none (`retry-after: 0`, which the client stretches to 100 ms or so)
/// or for far longer (to see them refused), unless it checks that a wait of
/// a second or more is really waited out.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(4))
        .secondary_rate_limit_wait(Duration::from_millis(1))
        .max_wait(Duration::from_secs(2))
}

/// A builder for a client of `github`: its base URL, its token
/// ([`FakeGitHub::TOKEN`]) and [`fast_retries`]; a test adds what it
/// checks.
pub fn client_builder_for(github: &FakeGitHub) -> ClientBuilder {
    Client::builder()
        .token(FakeGitHub::TOKEN)
        .base_url(github.base_url())
        .retry(fast_retries())
}

/// A client of `github`, as [`client_builder_for`] sets it up.
pub fn client_for(github: &FakeGitHub) -> Client {
    client_builder_for(github)
        .build()
        .expect("a client for the fake")
}
