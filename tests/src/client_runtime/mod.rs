//! The hand-written client layer against the stateful fake GitHub
//! (`fake-github`), started by each test on 127.0.0.1: construction and
//! auth, one API for three owners, pagination, retries and rate limits,
//! path safety and errors.

mod construction;
mod errors;
mod owners;
mod pagination;
mod paths;
mod retries;
mod scripted;

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fake_github::{FakeGitHub, RecordedRequest};
use github_packages::{Client, ClientBuilder, RetryPolicy};

/// Retries with waits of a few milliseconds, so tests never sleep for long.
/// Waits GitHub asks for are still honoured up to two seconds; tests ask
/// for none (`retry-after: 0`, which the client stretches to 100 ms or so)
/// or for far longer (to see them refused), except the few in `retries`
/// that check a wait of a second or more is really waited out.
fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(4))
        .secondary_rate_limit_wait(Duration::from_millis(1))
        .max_wait(Duration::from_secs(2))
}

/// A builder pointed at the fake, with its token and fast retries.
fn builder(github: &FakeGitHub) -> ClientBuilder {
    Client::builder()
        .token(FakeGitHub::TOKEN)
        .base_url(github.base_url())
        .retry(fast_retries())
}

fn client(github: &FakeGitHub) -> Client {
    builder(github).build().expect("client for the fake")
}

/// The requests with this method, in order.
fn requests_with_method(github: &FakeGitHub, method: &str) -> Vec<RecordedRequest> {
    github
        .requests()
        .into_iter()
        .filter(|request| request.method == method)
        .collect()
}

/// The value of a query parameter of a recorded request.
fn query_param(request: &RecordedRequest, name: &str) -> Option<String> {
    request.query.as_deref()?.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key == name).then(|| value.to_string())
    })
}

/// Waits until `done` holds: for an event a test cannot await directly
/// (e.g. something the fake does in its own task). It checks every
/// millisecond, yielding to the runtime in between; the deadline is only a
/// guard against hanging when the event never comes, which is a failure,
/// not a duration any passing run relies on.
async fn until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !done() {
        assert!(Instant::now() < deadline, "gave up waiting until {what}");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// Records every `tracing` event as text: `name=value ` for each field,
/// `message` first. A test installs it for its own thread with
/// `tracing::subscriber::set_default`, which covers everything a
/// `#[tokio::test]` runs (its runtime has that one thread).
#[derive(Clone, Default)]
struct CapturedLogs(Arc<Mutex<Vec<String>>>);

impl CapturedLogs {
    /// The events that announce a retry, in order.
    fn retries(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|line| line.contains("message=retrying GitHub request "))
            .cloned()
            .collect()
    }

    fn clear(&self) {
        self.0.lock().unwrap().clear();
    }
}

/// The `wait_ms` a retry event logged.
fn logged_wait_ms(line: &str) -> u64 {
    line.split(' ')
        .find_map(|field| field.strip_prefix("wait_ms="))
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| panic!("no wait_ms in {line:?}"))
}

impl tracing::Subscriber for CapturedLogs {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }

    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}

    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}

    fn event(&self, event: &tracing::Event<'_>) {
        let mut line = String::new();
        let mut visit = |field: &tracing::field::Field, value: &dyn std::fmt::Debug| {
            let _ = write!(line, "{}={value:?} ", field.name());
        };
        event.record(&mut visit);
        self.0.lock().unwrap().push(line);
    }

    fn enter(&self, _: &tracing::span::Id) {}

    fn exit(&self, _: &tracing::span::Id) {}
}
