//! The request budget in the client's request path: one ledger for every
//! request of a client (listings, deletions, retries), paused by a
//! secondary-limit refusal, and the hourly quota spread until its reset.
//!
//! Held requests are seen through the event the budget logs when it holds
//! one back (with the wait it computed), and through the fake's record of
//! what arrived: no test measures time.

use std::time::Duration;

use fake_github::{FakeGitHub, Fault, FaultKind, Matcher, Owner as Seed};
use futures_util::TryStreamExt;
use github_packages::types::PackageType;
use github_packages::{Client, Error, Owner, RequestBudget};
use tokio::task::JoinHandle;

use super::{CapturedLogs, builder, logged_wait_ms, requests_with_method, until};

const HELD: &str = "message=holding a request back to stay within the request budget ";
const MINUTE: Duration = Duration::from_secs(60);

/// The events of requests the budget held back, in order.
fn held(logs: &CapturedLogs) -> Vec<String> {
    logs.lines()
        .into_iter()
        .filter(|line| line.contains(HELD))
        .collect()
}

/// Deletes each of `ids` of `org:acme`/npm `lib` in a task of its own.
fn spawn_deletions(client: &Client, ids: &[i64]) -> Vec<JoinHandle<Result<(), Error>>> {
    ids.iter()
        .map(|&id| {
            let client = client.clone();
            tokio::spawn(async move {
                client
                    .delete_version(&Owner::org("acme"), PackageType::Npm, "lib", id)
                    .await
            })
        })
        .collect()
}

/// A fake with the package `org:acme`/npm `lib` and `count` versions.
async fn seeded(count: usize) -> (FakeGitHub, Vec<i64>) {
    let github = FakeGitHub::start().await;
    let acme = Seed::org("acme");
    github.add_package(&acme, "npm", "lib", "private");
    let ids = github.add_versions(&acme, "npm", "lib", count);
    (github, ids)
}

#[tokio::test]
async fn listings_and_deletions_through_one_client_share_one_budget() {
    let (github, ids) = seeded(300).await;
    let logs = CapturedLogs::start();
    // Room for five deletions a minute (25 points), or for the listing's
    // three pages and four deletions: not for both.
    let budget = RequestBudget::default()
        .points(25, MINUTE)
        .headroom_percent(0);
    let client = builder(&github)
        .per_page(100)
        .request_budget(budget)
        .build()
        .unwrap();
    let acme = Owner::org("acme");
    // The listing's first page is held by the fake, in flight, while the
    // deletions start.
    let first_page = github.hold(Matcher::PathContains("/versions".into()));
    let listing = tokio::spawn({
        let (client, acme) = (client.clone(), acme.clone());
        async move {
            client
                .versions(&acme, PackageType::Npm, "lib")
                .try_collect::<Vec<_>>()
                .await
        }
    });
    until("the first page is requested", || {
        requests_with_method(&github, "GET").len() == 1
    })
    .await;
    let deletions = spawn_deletions(&client, &ids[..5]);
    // Four deletions fit beside the page's point; the fifth is held for
    // the rest of the minute.
    until("a deletion is held back", || held(&logs).len() == 1).await;
    until("four deletions arrive", || {
        requests_with_method(&github, "DELETE").len() == 4
    })
    .await;
    let deletion_held = &held(&logs)[0];
    assert!(deletion_held.contains("method=DELETE"), "{deletion_held}");
    assert!(logged_wait_ms(deletion_held) > 50_000, "{deletion_held}");
    // Once the first page is answered, the next two pages queue behind
    // the held deletion: the listing pays from the same budget.
    first_page.release();
    until("both later pages are held back", || held(&logs).len() == 3).await;
    for page in &held(&logs)[1..] {
        assert!(page.contains("method=GET"), "{page}");
        assert!(logged_wait_ms(page) > 50_000, "{page}");
    }
    assert_eq!(requests_with_method(&github, "GET").len(), 1);
    assert_eq!(requests_with_method(&github, "DELETE").len(), 4);
    listing.abort();
    for deletion in deletions {
        deletion.abort();
    }
}

#[tokio::test]
async fn a_secondary_limit_refusal_holds_back_every_request_of_the_client() {
    let (github, ids) = seeded(3).await;
    let logs = CapturedLogs::start();
    let client = builder(&github).build().unwrap();
    let acme = Owner::org("acme");
    github.inject(
        Fault::new(FaultKind::SecondaryRateLimit {
            retry_after_secs: Some(1),
        })
        .on(Matcher::Method("DELETE".into())),
    );
    let deletion = tokio::spawn({
        let (client, acme) = (client.clone(), acme.clone());
        let id = ids[0];
        async move {
            client
                .delete_version(&acme, PackageType::Npm, "lib", id)
                .await
        }
    });
    until("the deletion is refused and retried", || {
        !logs.retries().is_empty()
    })
    .await;
    // A read made meanwhile waits out the same second.
    client
        .version(&acme, PackageType::Npm, "lib", ids[1])
        .await
        .unwrap();
    let reads_held: Vec<String> = held(&logs)
        .into_iter()
        .filter(|line| line.contains("method=GET"))
        .collect();
    assert_eq!(reads_held.len(), 1, "{:?}", logs.lines());
    assert!(logged_wait_ms(&reads_held[0]) <= 1_000, "{reads_held:?}");
    deletion.await.unwrap().unwrap();
    assert_eq!(requests_with_method(&github, "DELETE").len(), 2);
}

#[tokio::test]
async fn the_hourly_quota_is_spread_until_its_reset() {
    let (github, ids) = seeded(2).await;
    // 40 requests an hour: after about a quarter of them, the rest are
    // spread, one every 90 s or so.
    github.set_rate_limit(40);
    let logs = CapturedLogs::start();
    let client = builder(&github).build().unwrap();
    let reads = tokio::spawn({
        let client = client.clone();
        let id = ids[0];
        async move {
            for _ in 0..40 {
                client
                    .version(&Owner::org("acme"), PackageType::Npm, "lib", id)
                    .await
                    .unwrap();
            }
        }
    });
    until("a read is held back", || !held(&logs).is_empty()).await;
    let sent = requests_with_method(&github, "GET").len();
    assert!((5..=15).contains(&sent), "{sent} sent at once");
    let wait = logged_wait_ms(&held(&logs)[0]);
    assert!((30_000..=200_000).contains(&wait), "{wait} ms");
    reads.abort();
}

#[tokio::test]
async fn mutating_requests_keep_their_interval_and_reads_pass_them() {
    let (github, ids) = seeded(3).await;
    let logs = CapturedLogs::start();
    let client = builder(&github)
        .request_budget(RequestBudget::default().min_write_interval(MINUTE))
        .build()
        .unwrap();
    let acme = Owner::org("acme");
    let deletions = spawn_deletions(&client, &ids[..2]);
    let interval = "message=holding a mutating request back for the interval";
    until("a deletion waits for its turn", || {
        logs.lines().iter().any(|line| line.contains(interval))
    })
    .await;
    until("the other deletion arrives", || {
        requests_with_method(&github, "DELETE").len() == 1
    })
    .await;
    // A read is not held behind the waiting deletion.
    client
        .version(&acme, PackageType::Npm, "lib", ids[2])
        .await
        .unwrap();
    let waiting: Vec<String> = logs
        .lines()
        .into_iter()
        .filter(|line| line.contains(interval))
        .collect();
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    assert!(logged_wait_ms(&waiting[0]) > 50_000, "{waiting:?}");
    assert!(held(&logs).is_empty(), "{:?}", held(&logs));
    assert_eq!(requests_with_method(&github, "DELETE").len(), 1);
    for deletion in deletions {
        deletion.abort();
    }
}

#[tokio::test]
async fn with_the_budget_off_nothing_is_held() {
    let (github, ids) = seeded(30).await;
    let logs = CapturedLogs::start();
    let client = builder(&github)
        .request_budget(RequestBudget::off())
        .build()
        .unwrap();
    github.set_rate_limit(40);
    let acme = Owner::org("acme");
    // 25 deletions (125 points) against a quota of 40: GitHub's default
    // budget would hold most of them back.
    let deletions = ids[..25]
        .iter()
        .map(|&id| client.delete_version(&acme, PackageType::Npm, "lib", id));
    futures_util::future::try_join_all(deletions).await.unwrap();
    assert!(held(&logs).is_empty(), "{:?}", held(&logs));
    assert_eq!(requests_with_method(&github, "DELETE").len(), 25);
}
