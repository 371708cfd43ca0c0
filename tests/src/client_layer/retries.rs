//! Retries: reads are retried on transient failures, bounded and
//! configurable; a DELETE or POST only when GitHub proves it did nothing;
//! rate-limit waits are honoured or reported.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use fake_github::{FakeGitHub, Fault, FaultKind, Gate, Matcher, Owner as Seed};
use github_packages::types::PackageType;
use github_packages::{Client, ErrorKind, Owner, RetryPolicy};

use super::{
    CapturedLogs, builder, client, fast_retries, logged_wait_ms, requests_with_method, until,
};
use crate::scripted::{Scripted, cut_off, reply};

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
    // An open connection for the DELETE: nothing but sending it is left to
    // do when the request starts.
    get_version(&client, ids[1]).await.unwrap();
    // GitHub deletes the version, then holds the answer back until the test
    // releases it, which it does only after the client gave up: however
    // slow the machine, the client's time runs out first.
    let answer = Gate::new();
    github.inject(
        Fault::new(FaultKind::AfterAction(Box::new(FaultKind::Hold(
            answer.clone(),
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
    // The fake carries the deletion out as it receives the request, in its
    // own task: wait for that, however long it takes.
    until("the fake carried out the DELETE", || {
        is_deleted(&github, ids[0])
    })
    .await;
    answer.release();
    assert_eq!(requests_with_method(&github, "DELETE").len(), 1);
}

#[tokio::test]
async fn a_read_that_times_out_is_retried() {
    let github = FakeGitHub::start().await;
    let ids = seed(&github);
    let client = builder(&github)
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let logs = CapturedLogs::start();
    // The first GET is answered only once the test releases it, which it
    // does only after the client succeeded: a delay longer than any
    // timeout, however slow the machine.
    let first_answer = github.hold(Matcher::Method("GET".into()));
    let version = client
        .version(&Owner::org("acme"), PackageType::Container, "app", ids[0])
        .await
        .unwrap();
    assert_eq!(version.id, ids[0]);
    // The answer came from the retry: the first one is still held back.
    assert_eq!(requests_with_method(&github, "GET").len(), 2);
    let retries = logs.retries();
    assert_eq!(retries.len(), 1, "{retries:?}");
    assert!(retries[0].contains("reason=timed out"), "{retries:?}");
    first_answer.release();
}

#[tokio::test]
async fn one_request_never_exceeds_its_retry_budget() {
    let github = FakeGitHub::start().await;
    let ids = seed(&github);
    let client = builder(&github)
        .retry(fast_retries().max_retries(2))
        .build()
        .unwrap();
    // Cut-off bodies and error statuses draw on the same budget: three
    // attempts in all, not three per kind of failure.
    github.inject(Fault::new(FaultKind::TruncatedBody).times(10));
    let error = get_version(&client, ids[0]).await.unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::Transport), "{error:?}");
    assert_eq!(github.requests().len(), 3);

    github.clear_faults();
    github.clear_requests();
    for kind in [
        FaultKind::TruncatedBody,
        FaultKind::Status(502),
        FaultKind::TruncatedBody,
        FaultKind::Status(502),
    ] {
        github.inject(Fault::new(kind));
    }
    // The third attempt's body is cut off, and that is the end.
    let error = get_version(&client, ids[0]).await.unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::Transport), "{error:?}");
    assert_eq!(github.requests().len(), 3);
    assert_eq!(github.pending_faults(), 1);

    // The listing's pages too.
    github.clear_faults();
    github.clear_requests();
    github.inject(
        Fault::new(FaultKind::TruncatedBody)
            .on(Matcher::QueryContains("page=2".into()))
            .times(10),
    );
    let listed: Result<Vec<_>, _> = futures_util::TryStreamExt::try_collect(
        client
            .versions(&Owner::org("acme"), PackageType::Container, "app")
            .per_page(1)
            .concurrency(1),
    )
    .await;
    listed.unwrap_err();
    let page_two = github
        .requests()
        .iter()
        .filter(|request| {
            request
                .query
                .as_deref()
                .is_some_and(|q| q.contains("page=2"))
        })
        .count();
    assert_eq!(page_two, 3);
}

#[tokio::test]
async fn a_redirect_loop_is_not_retried() {
    let github = FakeGitHub::start().await;
    let ids = seed(&github);
    let client = client(&github);
    let url = format!(
        "{}/orgs/acme/packages/container/app/versions/{}",
        github.base_url(),
        ids[0]
    );
    github.inject(
        Fault::new(FaultKind::Redirect {
            status: 307,
            location: url,
        })
        .times(1_000),
    );
    let error = get_version(&client, ids[0]).await.unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::Transport), "{error:?}");
    // reqwest follows up to 10 redirects, then gives up; a retry would start
    // over.
    let sent = github.requests().len();
    assert!((2..=11).contains(&sent), "{sent} requests");
}

#[tokio::test]
async fn a_write_refused_with_a_cut_off_429_is_retried() {
    // The 429's body is cut off: its status alone proves that the DELETE was
    // not carried out.
    let server = Scripted::start(|_, index| {
        if index == 0 {
            cut_off(
                "429 Too Many Requests",
                &[("retry-after", "0".to_string())],
                br#"{"message":"You have exc"#,
                1_000,
            )
        } else {
            reply("204 No Content", &[], b"")
        }
    })
    .await;
    let client = server.client(fast_retries());
    delete_version(&client, 7).await.unwrap();
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert!(seen.iter().all(|request| request.method == "DELETE"));

    // Without retries it is reported as the rate limit it is, not as an
    // unknown outcome.
    let server = Scripted::start(|_, _| {
        cut_off(
            "429 Too Many Requests",
            &[("retry-after", "30".to_string())],
            b"{",
            1_000,
        )
    })
    .await;
    let client = server.client(RetryPolicy::none());
    let error = delete_version(&client, 7).await.unwrap_err();
    assert!(!error.is_outcome_unknown(), "{error:?}");
    assert!(error.is_rate_limited(), "{error:?}");
    assert_eq!(error.status().map(|status| status.as_u16()), Some(429));
    assert_eq!(error.retry_after(), Some(Duration::from_secs(30)));
    assert_eq!(server.seen().len(), 1);
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

/// Fast retries that accept waits of a few seconds.
fn patient_retries() -> RetryPolicy {
    fast_retries().max_wait(Duration::from_secs(10))
}

#[tokio::test]
async fn a_retry_after_is_waited_out_before_the_read_is_retried() {
    let github = FakeGitHub::start().await;
    let ids = seed(&github);
    let client = builder(&github).retry(patient_retries()).build().unwrap();
    let logs = CapturedLogs::start();
    for kind in [
        FaultKind::TooManyRequests {
            retry_after_secs: 1,
        },
        FaultKind::SecondaryRateLimit {
            retry_after_secs: Some(1),
        },
    ] {
        github.clear_requests();
        logs.clear();
        github.inject(Fault::new(kind.clone()));
        let start = Instant::now();
        get_version(&client, ids[0]).await.unwrap();
        let elapsed = start.elapsed();
        assert_eq!(github.requests().len(), 2, "{kind:?}");
        // Not a backoff of a few milliseconds: the second GitHub asked for.
        assert!(elapsed >= Duration::from_secs(1), "{kind:?}: {elapsed:?}");
        let retries = logs.retries();
        assert_eq!(retries.len(), 1, "{kind:?}: {retries:?}");
        assert!(retries[0].contains("retry-after 1 s"), "{retries:?}");
        assert!(logged_wait_ms(&retries[0]) >= 1_000, "{retries:?}");
    }
}

#[tokio::test]
async fn a_used_up_rate_limit_is_waited_out_until_its_reset() {
    let github = FakeGitHub::start().await;
    let ids = seed(&github);
    let client = builder(&github).retry(patient_retries()).build().unwrap();
    let logs = CapturedLogs::start();
    // `x-ratelimit-reset` is in whole epoch seconds: the fake's "3 s from
    // now" is the start of the third second after the current one, 2 to 3 s
    // away, and no earlier than `reset` below.
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let reset = UNIX_EPOCH + Duration::from_secs(now.as_secs() + 3);
    github.inject(Fault::new(FaultKind::PrimaryRateLimit { reset_in_secs: 3 }));
    let start = Instant::now();
    get_version(&client, ids[0]).await.unwrap();
    let elapsed = start.elapsed();
    assert_eq!(github.requests().len(), 2);
    // A bound with a second to spare (the wait is over 2 s) ...
    assert!(elapsed >= Duration::from_secs(1), "{elapsed:?}");
    // ... and the reset itself: the client slept on the monotonic clock
    // until the wall-clock reset, which may drift apart by a little.
    let finished = SystemTime::now() + Duration::from_millis(50);
    assert!(finished >= reset, "{finished:?} < {reset:?}");
    let retries = logs.retries();
    assert_eq!(retries.len(), 1, "{retries:?}");
    assert!(
        retries[0].contains("rate limit used up until its reset"),
        "{retries:?}"
    );
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
async fn a_wait_beyond_any_clock_is_reported_and_holds_the_client_back_no_longer_than_allowed() {
    let github = FakeGitHub::start().await;
    let ids = seed(&github);
    let client = builder(&github)
        .retry(fast_retries().max_wait(Duration::from_millis(300)))
        .build()
        .unwrap();
    github.inject(Fault::new(FaultKind::SecondaryRateLimit {
        retry_after_secs: Some(u64::MAX),
    }));
    // No overflow: the wait is reported as asked, not waited for.
    let error = get_version(&client, ids[0]).await.unwrap_err();
    assert!(error.is_rate_limited(), "{error:?}");
    assert_eq!(error.retry_after(), Some(Duration::from_secs(u64::MAX)));
    // The pause it put on the client's other requests lasts `max_wait` at
    // most, so the next request is sent (a bound, not a timing assertion:
    // without the cap it would wait for ever).
    tokio::time::timeout(Duration::from_secs(60), get_version(&client, ids[1]))
        .await
        .expect("the next request is held back no longer than max_wait")
        .unwrap();
    assert_eq!(github.requests().len(), 2);
}

#[tokio::test]
async fn an_answer_larger_than_the_limit_is_refused_not_retried() {
    // 16 MiB is the limit; this answer is a little larger (a JSON string, so
    // only its size can be wrong with it).
    let mut body = vec![b'"'];
    body.resize(16 * 1024 * 1024 + 16, b'a');
    body.push(b'"');
    let server = Scripted::start(move |_, _| {
        reply(
            "200 OK",
            &[("content-type", "application/json".to_string())],
            &body,
        )
    })
    .await;
    let client = server.client(fast_retries());
    let error = get_version(&client, 7).await.unwrap_err();
    let chain = std::iter::successors(
        Some(&error as &(dyn std::error::Error + 'static)),
        |error| error.source(),
    )
    .map(ToString::to_string)
    .collect::<Vec<_>>()
    .join(": ");
    assert!(
        chain.contains("GitHub's answer is larger than 16 MiB; not read"),
        "{chain}"
    );
    assert_eq!(server.seen().len(), 1, "a too large answer is not retried");
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
