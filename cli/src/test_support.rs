//! What the unit tests that talk to `fake-github` share.

use std::time::Duration;

use github_packages::{Client, RetryPolicy};

/// A client of `github` with its token and quick retries.
pub fn client_of(github: &fake_github::FakeGitHub) -> Client {
    Client::builder()
        .base_url(github.base_url())
        .token(fake_github::FakeGitHub::TOKEN)
        .retry(
            RetryPolicy::default()
                .max_retries(4)
                .max_wait(Duration::from_secs(1))
                .max_total_wait(Duration::from_secs(300)),
        )
        .build()
        .unwrap()
}
