//! Retries: reads are retried on transient failures, bounded and
//! configurable; a DELETE or POST only when GitHub proves it did nothing;
//! rate-limit waits are honoured or reported.

use std::time::Duration;

use fake_github::{FakeGitHub, Fault, FaultKind, Matcher, Owner as Seed};
use github_packages::types::PackageType;
use github_packages::{Client, ErrorKind, Owner, RetryPolicy};

use super::{builder, client, fast_retries, requests_with_method};

/// `acme/container/app` with three versions; returns their ids.
fn seed(github: &FakeGitHub) -> Vec<i64> {
    let acme = Seed::org("acme");
    github.add_package(&acme, "container", "app", "private");
    github.add_versions(&acme, "container", "app", 3)
}

fn is_deleted(github: &FakeGitHub, id: i64) -> bool {
    github
        .versions(&Seed::org("acme"), "container", "app")
        .iter()
        .any(|version| version.id == id && version.deleted)
}

async fn get_version(client: &Client, id: i64) -> Result<(), github_packages::Error> {
    client
        .version(&Owner::org("acme"), PackageType::Container, "app", id)
        .await
        .map(drop)
}

async fn delete_version(client: &Client, id: i64) -> Result<(), github_packages::Error> {
    client
        .delete_version(&Owner::org("acme"), PackageType::Container, "app", id)
        .await
}

#[tokio::test]
async fn reads_are_retried_on_transient_failures() {
    let github = FakeGitHub::start().await;
    let ids = seed(&github);
    let client = builder(&github)
        .retry(fast_retries().max_retries(5))
        .build()
        .unwrap();
    for kind in [
        FaultKind::Status(500),
        FaultKind::ConnectionReset,
        FaultKind::TruncatedBody,
        FaultKind::Status(503),
        FaultKind::TooManyRequests {
            retry_after_secs: 0,
        },
    ] {
        github.inject(Fault::new(kind));
    }
    get_version(&client, ids[0]).await.unwrap();
    assert_eq!(requests_with_method(&github, "GET").len(), 6);
    assert_eq!(github.pending_faults(), 0);
}

#[tokio::test]
async fn retries_are_bounded_and_can_be_turned_off() {
    let github = FakeGitHub::start().await;
    let ids = seed(&github);

    let client = builder(&github)
        .retry(fast_retries().max_retries(2))
        .build()
        .unwrap();
    github.inject(Fault::new(FaultKind::Status(502)).times(10));
    let error = get_version(&client, ids[0]).await.unwrap_err();
    assert_eq!(error.status().map(|status| status.as_u16()), Some(502));
    assert_eq!(github.requests().len(), 3);

    github.clear_faults();
    github.clear_requests();
    let client = builder(&github).retry(RetryPolicy::none()).build().unwrap();
    github.inject(Fault::new(FaultKind::Status(503)));
    let error = get_version(&client, ids[0]).await.unwrap_err();
    assert_eq!(error.status().map(|status| status.as_u16()), Some(503));
    assert_eq!(error.message(), Some("Service Unavailable"));
    assert_eq!(github.requests().len(), 1);

    // The total wait is bounded too: the third backoff (at least 4 ms)
    // would pass a 5 ms budget.
    github.clear_requests();
    let client = builder(&github)
        .retry(
            fast_retries()
                .max_retries(10)
                .initial_backoff(Duration::from_millis(2))
                .max_backoff(Duration::from_secs(1))
                .max_total_wait(Duration::from_millis(5)),
        )
        .build()
        .unwrap();
    github.inject(Fault::new(FaultKind::Status(500)).times(20));
    get_version(&client, ids[0]).await.unwrap_err();
    let sent = github.requests().len();
    assert!((2..=3).contains(&sent), "{sent} requests");
}

#[tokio::test]
async fn a_delete_that_times_out_is_reported_as_unknown_and_not_retried() {
    let github = FakeGitHub::start().await;
    let ids = seed(&github);
    let client = builder(&github)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    // GitHub deletes the version, but the answer comes too late.
    github.inject(
        Fault::new(FaultKind::AfterAction(Box::new(FaultKind::Delay(
            Duration::from_secs(3),
        ))))
        .on(Matcher::Method("DELETE".into())),
    );
    let error = delete_version(&client, ids[0]).await.unwrap_err();
    assert!(error.is_outcome_unknown(), "{error:?}");
    assert!(error.is_timeout(), "{error:?}");
    assert!(matches!(
        error.kind(),
        ErrorKind::OutcomeUnknown { method: "DELETE" }
    ));
    let text = error.to_string();
    assert!(
        text.contains("unknown") && text.contains("timed out") && text.contains("not retried"),
        "{text}"
    );
    assert_eq!(requests_with_method(&github, "DELETE").len(), 1);
    assert!(is_deleted(&github, ids[0]), "it was carried out after all");
}

#[tokio::test]
async fn a_delete_answered_with_5xx_or_a_reset_is_not_retried() {
    let github = FakeGitHub::start().await;
    let ids = seed(&github);
    let client = client(&github);
    let on_delete = |kind| Fault::new(kind).on(Matcher::Method("DELETE".into()));

    github.inject(on_delete(FaultKind::AfterAction(Box::new(
        FaultKind::Status(502),
    ))));
    let error = delete_version(&client, ids[0]).await.unwrap_err();
    assert!(error.is_outcome_unknown(), "{error:?}");
    assert_eq!(error.status().map(|status| status.as_u16()), Some(502));
    assert!(is_deleted(&github, ids[0]));

    github.inject(on_delete(FaultKind::ConnectionReset));
    let error = delete_version(&client, ids[1]).await.unwrap_err();
    assert!(error.is_outcome_unknown(), "{error:?}");
    assert!(!is_deleted(&github, ids[1]));

    // A POST (restore) is treated the same way.
    github.inject(Fault::new(FaultKind::Status(500)).on(Matcher::Method("POST".into())));
    let error = client
        .restore_version(&Owner::org("acme"), PackageType::Container, "app", ids[0])
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::OutcomeUnknown { method: "POST" }),
        "{error:?}"
    );

    assert_eq!(requests_with_method(&github, "DELETE").len(), 2);
    assert_eq!(requests_with_method(&github, "POST").len(), 1);
}

#[tokio::test]
async fn a_write_refused_by_a_rate_limit_is_retried() {
    let github = FakeGitHub::start().await;
    let ids = seed(&github);
    let client = client(&github);
    for kind in [
        FaultKind::TooManyRequests {
            retry_after_secs: 0,
        },
        FaultKind::SecondaryRateLimit {
            retry_after_secs: Some(0),
        },
        FaultKind::SecondaryRateLimit {
            retry_after_secs: None,
        },
    ] {
        github.inject(Fault::new(kind).on(Matcher::Method("DELETE".into())));
    }
    delete_version(&client, ids[0]).await.unwrap();
    assert_eq!(requests_with_method(&github, "DELETE").len(), 4);
    assert!(is_deleted(&github, ids[0]));

    github.inject(
        Fault::new(FaultKind::PrimaryRateLimit { reset_in_secs: 0 })
            .on(Matcher::Method("POST".into())),
    );
    client
        .restore_version(&Owner::org("acme"), PackageType::Container, "app", ids[0])
        .await
        .unwrap();
    assert_eq!(requests_with_method(&github, "POST").len(), 2);
    assert!(!is_deleted(&github, ids[0]));
}

#[tokio::test]
async fn a_wait_longer_than_allowed_is_reported_not_waited() {
    let github = FakeGitHub::start().await;
    let ids = seed(&github);
    let client = client(&github);
    github.inject(Fault::new(FaultKind::SecondaryRateLimit {
        retry_after_secs: Some(3600),
    }));
    let error = get_version(&client, ids[0]).await.unwrap_err();
    assert!(error.is_rate_limited(), "{error:?}");
    assert_eq!(error.retry_after(), Some(Duration::from_secs(3600)));
    assert!(
        error
            .message()
            .unwrap()
            .contains("exceeded a secondary rate limit")
    );
    assert!(error.to_string().contains("retry after 3600 s"), "{error}");
    assert_eq!(github.requests().len(), 1);
}

#[tokio::test]
async fn the_last_rate_limit_state_is_readable() {
    let github = FakeGitHub::start().await;
    let ids = seed(&github);
    let client = client(&github);
    assert_eq!(client.rate_limit(), None);

    get_version(&client, ids[0]).await.unwrap();
    get_version(&client, ids[1]).await.unwrap();
    let limit = client.rate_limit().unwrap();
    assert_eq!(limit.limit, 5000);
    assert_eq!(limit.remaining, 4998);
    assert_eq!(limit.used, Some(2));
    assert_eq!(limit.resource.as_deref(), Some("core"));

    // Clones share it.
    let clone = client.clone();
    github.inject(Fault::new(FaultKind::PrimaryRateLimit {
        reset_in_secs: 3600,
    }));
    let error = get_version(&clone, ids[0]).await.unwrap_err();
    assert!(error.is_rate_limited());
    assert_eq!(client.rate_limit().unwrap().remaining, 0);
}
