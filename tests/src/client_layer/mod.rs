//! The hand-written client layer against the stateful fake GitHub
//! (`fake-github`), started by each test on 127.0.0.1: construction and
//! auth, one API for three owners, pagination, retries and rate limits,
//! path safety and errors.

mod construction;
mod errors;
mod owners;
mod pacing;
mod pagination;
mod paths;
mod retries;

use std::cell::RefCell;
use std::fmt::Write as _;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

// The one client of the fake, under the short names these tests use.
use fake_github::{
    FakeGitHub, RecordedRequest, client_builder_for as builder, client_for as client, fast_retries,
};

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

/// Captures the `tracing` events of the current thread while it lives, as
/// text: `name=value ` for each field, `message` first. A `#[tokio::test]`
/// runs everything on its one thread, so this sees all its client's events.
///
/// One global subscriber serves every test: a scoped `set_default` per
/// test races, when tests run in parallel, with tracing's per-callsite
/// cache of whether anyone listens, and events then go missing.
struct CapturedLogs {
    /// Tied to its thread.
    _thread: std::marker::PhantomData<*const ()>,
}

thread_local! {
    static CAPTURED: RefCell<Option<Vec<String>>> = const { RefCell::new(None) };
}

impl CapturedLogs {
    fn start() -> CapturedLogs {
        static INSTALLED: OnceLock<()> = OnceLock::new();
        INSTALLED.get_or_init(|| {
            tracing::subscriber::set_global_default(ThreadCapture)
                .expect("no other global subscriber in the tests");
        });
        CAPTURED.with(|captured| *captured.borrow_mut() = Some(Vec::new()));
        CapturedLogs {
            _thread: std::marker::PhantomData,
        }
    }

    /// Everything captured so far.
    fn lines(&self) -> Vec<String> {
        CAPTURED.with(|captured| captured.borrow().clone().unwrap_or_default())
    }

    /// The events that announce a retry, in order.
    fn retries(&self) -> Vec<String> {
        self.lines()
            .into_iter()
            .filter(|line| line.contains("message=retrying GitHub request "))
            .collect()
    }

    fn clear(&self) {
        CAPTURED.with(|captured| {
            if let Some(lines) = captured.borrow_mut().as_mut() {
                lines.clear();
            }
        });
    }
}

impl Drop for CapturedLogs {
    fn drop(&mut self) {
        CAPTURED.with(|captured| *captured.borrow_mut() = None);
    }
}

/// The `wait_ms` a retry event logged.
fn logged_wait_ms(line: &str) -> u64 {
    line.split(' ')
        .find_map(|field| field.strip_prefix("wait_ms="))
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| panic!("no wait_ms in {line:?}"))
}

/// The global subscriber: keeps the events of threads that capture.
struct ThreadCapture;

fn capturing() -> bool {
    CAPTURED
        .try_with(|captured| captured.borrow().is_some())
        .unwrap_or(false)
}

impl tracing::Subscriber for ThreadCapture {
    fn register_callsite(
        &self,
        _: &'static tracing::Metadata<'static>,
    ) -> tracing::subscriber::Interest {
        // Ask again at every event: whether it is kept depends on the thread.
        tracing::subscriber::Interest::sometimes()
    }

    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        capturing()
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
        let _ = CAPTURED.try_with(|captured| {
            if let Some(lines) = captured.borrow_mut().as_mut() {
                lines.push(line);
            }
        });
    }

    fn enter(&self, _: &tracing::span::Id) {}

    fn exit(&self, _: &tracing::span::Id) {}
}
