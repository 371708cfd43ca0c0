//! Listings as streams: exact and in order at 10,000 versions, sequential
//! and concurrent, lazy, robust against faults, and ended by error pages.

use std::time::Duration;

use fake_github::{FakeGitHub, Fault, FaultKind, Gate, Matcher, Owner as Seed};
use futures_util::{StreamExt, TryStreamExt};
use github_packages::types::PackageType;
use github_packages::{Client, Error, ErrorKind, Owner, RetryPolicy, VersionList};

use super::{builder, client, fast_retries, query_param, until};
use crate::scripted::{Scripted, Seen, array, package_json, reply, version_json};

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
    // Page 1, page 2 being read, and at most 4 pages ahead of it: never the
    // whole listing.
    let sent = github.requests().len();
    assert!((2..=6).contains(&sent), "{sent} requests");
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
    assert!(error.to_string().contains("at most 10,000"), "{error}");
    assert!(packages.next().await.is_none(), "the stream ends");
    // The first page's `Link` named page 101 as the last; it was not
    // requested, since GitHub would refuse it.
    assert_eq!(error.status(), None);
    assert_eq!(pages_requested(&github), (1..=100).collect::<Vec<u64>>());

    // Following `rel="next"` stops there too.
    github.clear_requests();
    let mut packages = client
        .packages(&Owner::org("acme"), PackageType::Npm)
        .concurrency(1);
    let mut listed = 0;
    let error = loop {
        match packages.next().await.unwrap() {
            Ok(_) => listed += 1,
            Err(error) => break error,
        }
    };
    assert_eq!(listed, 10_000);
    assert!(
        matches!(error.kind(), ErrorKind::PaginationLimit { page: 101, .. }),
        "{error:?}"
    );
    assert_eq!(github.requests().len(), 100);
}

#[tokio::test]
async fn prefetched_pages_progress_while_the_consumer_is_busy() {
    let github = FakeGitHub::start().await;
    let expected = seed(&github, 1_000);
    let client = client(&github);
    let mut versions = client
        .versions(&Owner::org("acme"), PackageType::Container, PACKAGE)
        .concurrency(4);
    let first = versions.next().await.unwrap().unwrap();
    // The consumer holds the first item and does not poll the stream. The
    // four pages after page 1 are fetched all the same: their answers
    // arrive (each one's rate-limit headers are recorded), rather than
    // wait, and perhaps time out, until page 1 is used up.
    until("pages 2 to 5 are answered", || {
        client.rate_limit().and_then(|limit| limit.used) == Some(5)
    })
    .await;
    // Never more than 4 pages ahead of the page being read.
    let mut pages = pages_requested(&github);
    pages.sort_unstable();
    assert_eq!(pages, [1, 2, 3, 4, 5]);

    let mut listed = vec![first.id];
    listed.extend(
        versions
            .map_ok(|version| version.id)
            .try_collect::<Vec<_>>()
            .await
            .unwrap(),
    );
    assert_eq!(listed, expected);
    assert_eq!(github.requests().len(), 10);
}

/// The pages of version lists requested so far, in order of arrival (1 for
/// a first page, which names none); other requests are left out.
fn list_pages(github: &FakeGitHub) -> Vec<u64> {
    github
        .requests()
        .iter()
        .filter(|request| request.raw_path.ends_with("/versions"))
        .map(|request| query_param(request, "page").map_or(1, |page| page.parse().unwrap()))
        .collect()
}

/// A request made after everything a listing has started so far. The page
/// requests a listing starts at once are sent together, so any of them has
/// reached the fake, and any that is not held back has been answered, by
/// the time this one is answered.
async fn round_trip(client: &Client) {
    client
        .package(&Owner::org("acme"), PackageType::Container, PACKAGE)
        .await
        .unwrap();
}

/// Reads `versions`, a listing of the 1,000 `expected` versions (10 pages),
/// holding each page after the first until the one before it is read, and
/// checks after each page that exactly `concurrency` pages after it (or as
/// many as are left) have been requested: the listing reaches its
/// concurrency, and never goes past it.
async fn assert_pages_in_flight(
    github: &FakeGitHub,
    client: &Client,
    mut versions: VersionList,
    expected: &[i64],
    concurrency: u64,
) {
    // `&page=2` to `&page=10`: no pattern matches another page.
    let gates: Vec<Gate> = (2..=10)
        .map(|page| github.hold(Matcher::QueryContains(format!("&page={page}"))))
        .collect();
    let mut listed = Vec::new();
    for page in 1..=10 {
        if page > 1 {
            gates[page as usize - 2].release();
        }
        for _ in 0..100 {
            listed.push(versions.next().await.unwrap().unwrap().id);
        }
        let last_started = (page + concurrency).min(10);
        until(&format!("pages up to {last_started} are requested"), || {
            list_pages(github).len() as u64 >= last_started
        })
        .await;
        round_trip(client).await;
        let mut pages = list_pages(github);
        pages.sort_unstable();
        assert_eq!(
            pages,
            (1..=last_started).collect::<Vec<u64>>(),
            "after reading page {page}"
        );
    }
    assert!(versions.next().await.is_none(), "the stream ends");
    assert_eq!(listed, expected);
}

#[tokio::test]
async fn listings_fetch_sixteen_pages_at_once_by_default() {
    let github = FakeGitHub::start().await;
    let expected = seed(&github, 2_000);
    // Every page after the first (20 in all) held: what has been requested
    // is what the listing has in flight.
    let gate = Gate::new();
    github.inject(
        Fault::new(FaultKind::Hold(gate.clone()))
            .on(Matcher::QueryContains("&page=".into()))
            .times(19),
    );
    // No `.concurrency()`, no `.page_concurrency()`: the defaults.
    let client = client(&github);
    let mut versions = client.versions(&Owner::org("acme"), PackageType::Container, PACKAGE);
    let mut listed = vec![versions.next().await.unwrap().unwrap().id];
    until("pages 2 to 17 are requested", || {
        list_pages(&github).len() >= 17
    })
    .await;
    round_trip(&client).await;
    let mut pages = list_pages(&github);
    pages.sort_unstable();
    assert_eq!(pages, (1..=17).collect::<Vec<u64>>());
    gate.release();
    listed.extend(
        versions
            .map_ok(|version| version.id)
            .try_collect::<Vec<_>>()
            .await
            .unwrap(),
    );
    assert_eq!(listed, expected);
}

#[tokio::test]
async fn the_client_sets_how_many_pages_a_listing_fetches_at_once() {
    let github = FakeGitHub::start().await;
    let expected = seed(&github, 1_000);
    let client = builder(&github).page_concurrency(2).build().unwrap();
    let versions = client.versions(&Owner::org("acme"), PackageType::Container, PACKAGE);
    assert_pages_in_flight(&github, &client, versions, &expected, 2).await;
}

#[tokio::test]
async fn pages_answered_out_of_order_are_still_listed_in_order() {
    let github = FakeGitHub::start().await;
    let expected = seed(&github, 1_000);
    let client = client(&github);
    let page_two = github.hold(Matcher::QueryContains("&page=2".into()));
    // The nine pages after page 1 at once, so that pages 3 to 10 can all be
    // answered while page 2 is held back.
    let mut versions = client
        .versions(&Owner::org("acme"), PackageType::Container, PACKAGE)
        .concurrency(9);
    let mut listed = vec![versions.next().await.unwrap().unwrap().id];
    until("pages 2 to 10 are requested", || {
        list_pages(&github).len() == 10
    })
    .await;
    round_trip(&client).await;
    page_two.release();
    listed.extend(
        versions
            .map_ok(|version| version.id)
            .try_collect::<Vec<_>>()
            .await
            .unwrap(),
    );
    // Every item once, in page order.
    assert_eq!(listed, expected);
    let mut pages = list_pages(&github);
    pages.sort_unstable();
    assert_eq!(pages, (1..=10).collect::<Vec<u64>>());
}

#[tokio::test]
async fn an_error_page_among_concurrent_pages_ends_the_stream_after_the_pages_before_it() {
    let github = FakeGitHub::start().await;
    let expected = seed(&github, 1_000);
    // Statuses that are not retried: a 404, a 403 that is no rate limit,
    // and a 500 with retries off.
    for (status, message, policy) in [
        (404, "Not Found", fast_retries()),
        (403, "Forbidden", fast_retries()),
        (500, "Internal Server Error", RetryPolicy::none()),
    ] {
        github.clear_requests();
        let client = builder(&github).retry(policy).build().unwrap();
        github.inject(
            Fault::new(FaultKind::Status(status)).on(Matcher::QueryContains("&page=3".into())),
        );
        // Default concurrency: page 3 is fetched along with pages 2, 4, 5.
        let versions = client.versions(&Owner::org("acme"), PackageType::Container, PACKAGE);
        let (items, error) = drain(versions).await;
        let ids: Vec<i64> = items.iter().map(|version| version.id).collect();
        assert_eq!(
            ids,
            expected[..200],
            "{status}: pages 1 and 2, nothing more"
        );
        let error = error.expect("an error");
        // GitHub's error object, not that object failing to decode as a page.
        assert!(
            matches!(error.kind(), ErrorKind::Response),
            "{status}: {error:?}"
        );
        assert_eq!(error.status().map(|status| status.as_u16()), Some(status));
        assert_eq!(error.message(), Some(message), "{error:?}");
        let page_three = list_pages(&github)
            .iter()
            .filter(|page| **page == 3)
            .count();
        assert_eq!(page_three, 1, "{status}: not retried");
    }
}

#[tokio::test]
async fn an_error_on_the_first_page_is_the_first_item() {
    let github = FakeGitHub::start().await;
    seed(&github, 300);
    let client = builder(&github).retry(RetryPolicy::none()).build().unwrap();
    let owner = Owner::org("acme");

    github.inject(Fault::new(FaultKind::Status(502)));
    let (items, error) = drain(client.versions(&owner, PackageType::Container, PACKAGE)).await;
    assert!(items.is_empty());
    let error = error.expect("an error");
    assert!(matches!(error.kind(), ErrorKind::Response), "{error:?}");
    assert_eq!(error.status().map(|status| status.as_u16()), Some(502));
    assert_eq!(error.message(), Some("Bad Gateway"));
    assert_eq!(github.requests().len(), 1);

    // A package that does not exist.
    let (items, error) = drain(client.versions(&owner, PackageType::Container, "missing")).await;
    assert!(items.is_empty());
    let error = error.expect("an error");
    assert!(error.is_not_found(), "{error:?}");
    assert_eq!(error.status().map(|status| status.as_u16()), Some(404));
    assert_eq!(github.requests().len(), 2);
}

/// A version-list page with these ids and this `Link` header.
fn versions_page(ids: impl IntoIterator<Item = u64>, link: &str) -> Vec<u8> {
    reply(
        "200 OK",
        &[("link", link.to_string())],
        &array(ids.into_iter().map(version_json)),
    )
}

/// The page a scripted request asked for (1 when none).
fn page_of(request: &Seen) -> u64 {
    request
        .param("page")
        .map_or(1, |page| page.parse().unwrap())
}

/// Everything a listing yields, until and with its first error.
async fn drain<T>(
    mut list: impl futures_util::Stream<Item = Result<T, Error>> + Unpin,
) -> (Vec<T>, Option<Error>) {
    let mut items = Vec::new();
    while let Some(item) = list.next().await {
        match item {
            Ok(item) => items.push(item),
            Err(error) => {
                assert!(
                    list.next().await.is_none(),
                    "the stream ends after an error"
                );
                return (items, Some(error));
            }
        }
    }
    (items, None)
}

/// A `Link` header entry for the scripted version list.
fn link(request: &Seen, query: &str, rel: &str) -> String {
    format!(
        "<{}/orgs/acme/packages/container/app/versions?{query}>; rel=\"{rel}\"",
        request.base_url
    )
}

async fn scripted_versions(
    concurrency: usize,
    script: impl Fn(&Seen, u64) -> Vec<u8> + Send + Sync + 'static,
) -> (Vec<u64>, Option<Error>, Vec<u64>) {
    let server = Scripted::start(move |request, _| script(request, page_of(request))).await;
    let client = server.client(super::fast_retries());
    let list = client
        .versions(&Owner::org("acme"), PackageType::Container, "app")
        .concurrency(concurrency);
    let (items, error) = drain(list).await;
    let ids = items.iter().map(|version| version.id as u64).collect();
    let pages = server.seen().iter().map(page_of).collect();
    (ids, error, pages)
}

fn assert_invalid_link(error: Option<Error>) {
    let error = error.expect("an error");
    assert!(
        matches!(error.kind(), ErrorKind::InvalidLink { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("Link header"), "{error}");
}

#[tokio::test]
async fn a_next_link_that_does_not_move_forward_ends_the_listing_with_an_error() {
    // Backward: 1 -> 3 -> 2.
    let (ids, error, pages) = scripted_versions(1, |request, page| match page {
        1 => versions_page([1], &link(request, "per_page=100&page=3", "next")),
        _ => versions_page([page], &link(request, "per_page=100&page=2", "next")),
    })
    .await;
    assert_eq!(ids, [1, 3]);
    assert_eq!(pages, [1, 3]);
    assert_invalid_link(error);

    // To itself.
    let (ids, error, pages) = scripted_versions(1, |request, page| {
        versions_page([page], &link(request, "per_page=100&page=1", "next"))
    })
    .await;
    assert_eq!((ids, pages), (vec![1], vec![1]));
    assert_invalid_link(error);

    // Without a page number.
    let (ids, error, pages) = scripted_versions(1, |request, page| {
        versions_page([page], &link(request, "per_page=100", "next"))
    })
    .await;
    assert_eq!((ids, pages), (vec![1], vec![1]));
    assert_invalid_link(error);

    // After the pages fetched concurrently: the last page's `next` points
    // back at it.
    let (ids, error, pages) = scripted_versions(4, |request, page| match page {
        1 => versions_page(
            [1],
            &format!(
                "{}, {}",
                link(request, "per_page=100&page=2", "next"),
                link(request, "per_page=100&page=2", "last")
            ),
        ),
        _ => versions_page([page], &link(request, "per_page=100&page=2", "next")),
    })
    .await;
    assert_eq!((ids, pages), (vec![1, 2], vec![1, 2]));
    assert_invalid_link(error);
}

#[tokio::test]
async fn a_lying_last_page_costs_nothing_and_an_empty_page_ends_the_listing() {
    // Page 4294967295 of a version list: pages are planned as they are
    // needed, and the first empty one ends the listing.
    let (ids, error, pages) = scripted_versions(4, |request, page| match page {
        1 => versions_page(
            [1],
            &format!(
                "{}, {}",
                link(request, "per_page=100&page=2", "next"),
                link(request, "per_page=100&page=4294967295", "last")
            ),
        ),
        _ => versions_page([], ""),
    })
    .await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids, [1]);
    // Page 1, page 2 and at most the three after it that were in flight.
    assert!(pages.len() >= 2 && pages.len() <= 5, "{pages:?}");
    assert!(pages.iter().all(|page| *page <= 5), "{pages:?}");
}

/// The package list of a scripted server: each page has one package, with
/// the id of its page, and the `Link` header `links` makes.
async fn scripted_packages(
    concurrency: usize,
    links: impl Fn(&Seen) -> String + Send + Sync + 'static,
) -> (Vec<u64>, Option<Error>, Vec<u64>) {
    let server = Scripted::start(move |request, _| {
        let body = array([package_json(page_of(request))]);
        reply("200 OK", &[("link", links(request))], &body)
    })
    .await;
    let client = server.client(super::fast_retries());
    let list = client
        .packages(&Owner::org("acme"), PackageType::Npm)
        .concurrency(concurrency);
    let (items, error) = drain(list).await;
    let ids = items.iter().map(|package| package.id as u64).collect();
    let pages = server.seen().iter().map(page_of).collect();
    (ids, error, pages)
}

fn package_link(request: &Seen, query: &str, rel: &str) -> String {
    format!(
        "<{}/orgs/acme/packages?package_type=npm&{query}>; rel=\"{rel}\"",
        request.base_url
    )
}

fn assert_pagination_limit(error: Option<Error>, page: u64, per_page: u64) {
    let error = error.expect("an error");
    assert_eq!(
        error.kind(),
        &ErrorKind::PaginationLimit { page, per_page },
        "{error:?}"
    );
    assert_eq!(error.status(), None, "not requested");
}

#[tokio::test]
async fn package_lists_stop_at_the_result_limit_whatever_the_link_says() {
    // 5,000 a page: pages 1 and 2 are all GitHub lists.
    let (ids, error, pages) = scripted_packages(4, |request| {
        package_link(request, "per_page=5000&page=4294967295", "last")
    })
    .await;
    assert_eq!((ids, pages), (vec![1, 2], vec![1, 2]));
    assert_pagination_limit(error, 3, 5000);

    // Numbers whose product overflows.
    let (ids, error, pages) = scripted_packages(4, |request| {
        package_link(
            request,
            "per_page=18446744073709551615&page=18446744073709551615",
            "last",
        )
    })
    .await;
    assert_eq!((ids, pages), (vec![1], vec![1]));
    assert_pagination_limit(error, 2, u64::MAX);

    // Following `rel="next"`.
    let (ids, error, pages) = scripted_packages(1, |request| match request.param("page") {
        None => package_link(request, "per_page=100&page=100", "next"),
        Some(_) => package_link(request, "per_page=100&page=101", "next"),
    })
    .await;
    assert_eq!((ids, pages), (vec![1, 100], vec![1, 100]));
    assert_pagination_limit(error, 101, 100);
}

#[tokio::test]
async fn a_link_to_another_origin_is_not_followed() {
    for concurrency in [1, 4] {
        let (ids, error, pages) = scripted_versions(concurrency, |_, page| {
            let elsewhere = "<http://127.0.0.2:9/orgs/acme/packages/container/app/versions?per_page=100&page=2>";
            versions_page(
                [page],
                &format!("{elsewhere}; rel=\"next\", {elsewhere}; rel=\"last\""),
            )
        })
        .await;
        assert_eq!(
            (ids, pages),
            (vec![1], vec![1]),
            "concurrency {concurrency}"
        );
        let error = error.expect("an error");
        assert!(
            matches!(error.kind(), ErrorKind::ForeignLink { .. }),
            "{error:?}"
        );
    }
}
