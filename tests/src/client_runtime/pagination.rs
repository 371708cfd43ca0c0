//! Listings as streams: exact and in order at 10,000 versions, sequential
//! and concurrent, lazy, robust against faults, and ended by error pages.

use std::time::Duration;

use fake_github::{FakeGitHub, Fault, FaultKind, Matcher, Owner as Seed};
use futures_util::{StreamExt, TryStreamExt};
use github_packages::types::PackageType;
use github_packages::{Client, ErrorKind, Owner};

use super::{client, query_param};

const PACKAGE: &str = "big";

fn seed(github: &FakeGitHub, versions: usize) -> Vec<i64> {
    let acme = Seed::org("acme");
    github.add_package(&acme, "container", PACKAGE, "private");
    github.add_versions(&acme, "container", PACKAGE, versions);
    // What GitHub would list: newest first.
    github
        .versions(&acme, "container", PACKAGE)
        .into_iter()
        .map(|version| version.id)
        .collect()
}

async fn list_ids(client: &Client, concurrency: usize) -> Vec<i64> {
    client
        .versions(&Owner::org("acme"), PackageType::Container, PACKAGE)
        .concurrency(concurrency)
        .map_ok(|version| version.id)
        .try_collect()
        .await
        .unwrap()
}

/// The `page` each recorded request asked for (1 when none).
fn pages_requested(github: &FakeGitHub) -> Vec<u64> {
    github
        .requests()
        .iter()
        .map(|request| query_param(request, "page").map_or(1, |page| page.parse().unwrap()))
        .collect()
}

#[tokio::test]
async fn ten_thousand_versions_arrive_exactly_and_in_order() {
    let github = FakeGitHub::start().await;
    let expected = seed(&github, 10_000);
    assert_eq!(expected.len(), 10_000);
    let client = client(&github);

    // Concurrent: page 1 names the last page, the other 99 are fetched 4 at
    // a time.
    assert_eq!(list_ids(&client, 4).await, expected);
    let mut pages = pages_requested(&github);
    pages.sort_unstable();
    assert_eq!(pages, (1..=100).collect::<Vec<u64>>());
    assert!(
        github
            .requests()
            .iter()
            .all(|request| query_param(request, "per_page").as_deref() == Some("100"))
    );

    // Sequential: `rel="next"` is followed one page at a time.
    github.clear_requests();
    assert_eq!(list_ids(&client, 1).await, expected);
    assert_eq!(pages_requested(&github), (1..=100).collect::<Vec<u64>>());
}

#[tokio::test]
async fn pages_are_fetched_as_the_stream_is_read() {
    let github = FakeGitHub::start().await;
    seed(&github, 1_000);
    let client = client(&github);
    let owner = Owner::org("acme");

    let mut sequential = client
        .versions(&owner, PackageType::Container, PACKAGE)
        .concurrency(1);
    assert!(
        github.requests().is_empty(),
        "nothing is sent before polling"
    );
    for _ in 0..150 {
        sequential.next().await.unwrap().unwrap();
    }
    assert_eq!(github.requests().len(), 2);
    drop(sequential);

    github.clear_requests();
    let mut concurrent = client
        .versions(&owner, PackageType::Container, PACKAGE)
        .concurrency(4);
    for _ in 0..101 {
        concurrent.next().await.unwrap().unwrap();
    }
    // Page 1, and at most 4 pages in flight: never the whole listing.
    let sent = github.requests().len();
    assert!((2..=5).contains(&sent), "{sent} requests");
    let rest = concurrent.count().await;
    assert_eq!(rest, 1_000 - 101);
    assert_eq!(github.requests().len(), 10);
}

/// One fault of each kind a read must survive, on pages 1 to 8.
fn inject_faults(github: &FakeGitHub) {
    // Page 1 is the first request.
    github.inject(Fault::new(FaultKind::Status(503)));
    let on_page = |page: u64, kind: FaultKind| {
        Fault::new(kind).on(Matcher::QueryContains(format!("&page={page}")))
    };
    github.inject(on_page(2, FaultKind::Status(502)).times(2));
    github.inject(on_page(3, FaultKind::ConnectionReset));
    github.inject(on_page(4, FaultKind::TruncatedBody));
    github.inject(on_page(
        5,
        FaultKind::TooManyRequests {
            retry_after_secs: 0,
        },
    ));
    github.inject(on_page(
        6,
        FaultKind::SecondaryRateLimit {
            retry_after_secs: None,
        },
    ));
    github.inject(on_page(
        7,
        FaultKind::SecondaryRateLimit {
            retry_after_secs: Some(0),
        },
    ));
    github.inject(on_page(8, FaultKind::PrimaryRateLimit { reset_in_secs: 0 }));
    github.inject(on_page(9, FaultKind::Delay(Duration::from_millis(20))));
}

#[tokio::test]
async fn a_listing_survives_faults_with_nothing_missing_or_repeated() {
    let github = FakeGitHub::start().await;
    let expected = seed(&github, 1_000);
    let client = client(&github);
    for concurrency in [1, 4] {
        github.clear_requests();
        inject_faults(&github);
        let listed = list_ids(&client, concurrency).await;
        assert_eq!(listed, expected, "concurrency {concurrency}");
        assert_eq!(github.pending_faults(), 0, "concurrency {concurrency}");
        // 10 pages, plus one retry per fault (two for page 2).
        assert_eq!(github.requests().len(), 10 + 9, "concurrency {concurrency}");
    }
}

#[tokio::test]
async fn an_error_page_ends_the_stream_with_that_error() {
    let github = FakeGitHub::start().await;
    seed(&github, 300);
    let client = client(&github);
    // GitHub answers a used-up rate limit with a JSON object where the page
    // was expected; an hour's wait is more than the client accepts.
    github.inject(
        Fault::new(FaultKind::PrimaryRateLimit {
            reset_in_secs: 3600,
        })
        .on(Matcher::QueryContains("&page=2".into())),
    );
    let mut versions = client
        .versions(&Owner::org("acme"), PackageType::Container, PACKAGE)
        .concurrency(1);
    for _ in 0..100 {
        versions.next().await.unwrap().unwrap();
    }
    let error = versions.next().await.unwrap().unwrap_err();
    assert!(versions.next().await.is_none(), "the stream ends");

    assert!(matches!(error.kind(), ErrorKind::Response), "{error:?}");
    assert_eq!(error.status().map(|status| status.as_u16()), Some(403));
    assert!(error.is_rate_limited());
    assert!(
        error
            .message()
            .unwrap()
            .starts_with("API rate limit exceeded")
    );
    let limit = error.rate_limit().unwrap();
    assert_eq!(limit.remaining, 0);
    assert!(limit.reset_in() > Duration::from_secs(3000));
    assert_eq!(client.rate_limit().unwrap().remaining, 0);
    assert!(error.to_string().contains("resets at"), "{error}");
    // Not retried: the reset is an hour away.
    assert_eq!(github.requests().len(), 2);
}

#[tokio::test]
async fn the_ten_thousand_result_limit_is_a_named_error() {
    let github = FakeGitHub::start().await;
    let acme = Seed::org("acme");
    for index in 0..10_001 {
        github.add_package(&acme, "npm", &format!("package-{index:05}"), "public");
    }
    let client = client(&github);
    let mut packages = client.packages(&Owner::org("acme"), PackageType::Npm);
    let mut listed = 0;
    let error = loop {
        match packages.next().await.unwrap() {
            Ok(_) => listed += 1,
            Err(error) => break error,
        }
    };
    assert_eq!(listed, 10_000);
    assert!(
        matches!(
            error.kind(),
            ErrorKind::PaginationLimit {
                page: 101,
                per_page: 100
            }
        ),
        "{error:?}"
    );
    assert_eq!(error.status().map(|status| status.as_u16()), Some(400));
    assert!(error.to_string().contains("at most 10,000"), "{error}");
}
