//! Injected failures: which requests they hit, what the client sees, and
//! the queue of those still pending.

use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::image::ImageSpec;
use crate::recording::RecordedRequest;
use crate::store::Owner;

/// A failure to inject with [`FakeGitHub::inject`](crate::FakeGitHub::inject).
///
/// Each request uses up one of the `times` of the first pending fault whose
/// [`Matcher`] accepts it; a fault is gone once used `times` times. Faults
/// act before authentication and routing, except [`FaultKind::AfterAction`].
///
/// ```
/// use fake_github::{Fault, FaultKind, Matcher};
///
/// let fault = Fault::new(FaultKind::Status(502))
///     .on(Matcher::Method("GET".into()))
///     .times(2);
/// assert_eq!(fault.times, 2);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    /// Which requests the fault hits.
    pub matcher: Matcher,
    /// What happens to them.
    pub kind: FaultKind,
    /// How many requests it hits (0: none; the fault is ignored).
    pub times: usize,
}

impl Fault {
    /// A fault that hits the next request, whatever it is.
    pub fn new(kind: FaultKind) -> Fault {
        Fault {
            matcher: Matcher::Any,
            kind,
            times: 1,
        }
    }

    /// Only requests accepted by `matcher`.
    pub fn on(mut self, matcher: Matcher) -> Fault {
        self.matcher = matcher;
        self
    }

    /// The next `times` matching requests instead of only the next one.
    pub fn times(mut self, times: usize) -> Fault {
        self.times = times;
        self
    }
}

/// Which requests a [`Fault`] hits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Matcher {
    /// Every request.
    Any,
    /// Requests with this method (case-insensitive), e.g. `"DELETE"`.
    Method(String),
    /// Requests whose raw path (percent-encoding intact, no query)
    /// contains this text, e.g. `"/versions/"` or `"repo%2Fimage"`.
    PathContains(String),
    /// Requests whose raw query (without `?`) contains this text,
    /// e.g. `"page=2"`.
    QueryContains(String),
    /// Requests accepted by every one of these matchers.
    All(Vec<Matcher>),
}

impl Matcher {
    /// Whether the matcher accepts `request`.
    pub fn matches(&self, request: &RecordedRequest) -> bool {
        match self {
            Matcher::Any => true,
            Matcher::Method(method) => request.method.eq_ignore_ascii_case(method),
            Matcher::PathContains(text) => request.raw_path.contains(text.as_str()),
            Matcher::QueryContains(text) => request
                .query
                .as_deref()
                .is_some_and(|query| query.contains(text.as_str())),
            Matcher::All(matchers) => matchers.iter().all(|matcher| matcher.matches(request)),
        }
    }
}

/// What a [`Fault`] does to a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// Answers with this status and a JSON `BasicError` body, e.g. 500, 502, 503.
    Status(u16),
    /// 429 with `retry-after` and a JSON `BasicError` body.
    TooManyRequests {
        /// Value of `retry-after`.
        retry_after_secs: u64,
    },
    /// 403 with GitHub's "You have exceeded a secondary rate limit..."
    /// message, and `retry-after` when given.
    SecondaryRateLimit {
        /// Value of `retry-after`, if any.
        retry_after_secs: Option<u64>,
    },
    /// 403 "API rate limit exceeded" with `x-ratelimit-remaining: 0` and
    /// `x-ratelimit-reset` this many seconds from now (epoch seconds).
    PrimaryRateLimit {
        /// Seconds from now until `x-ratelimit-reset`.
        reset_in_secs: u64,
    },
    /// 200 whose `content-length` promises more bytes than are sent, after
    /// which the connection is closed. The bytes sent are the first half of
    /// the real answer to a GET (a read has no side effects), or of a short
    /// JSON message for other methods, which are not carried out.
    TruncatedBody,
    /// Handles the request normally after this delay (on top of
    /// [`FakeGitHub::set_latency`](crate::FakeGitHub::set_latency)).
    Delay(Duration),
    /// Closes the connection without any response (with a TCP reset).
    ConnectionReset,
    /// Answers with a redirect instead of handling the request: this 3xx
    /// status and a `location` header (e.g. a URL on another fake, to see
    /// what a client carries across hosts).
    Redirect {
        /// The status, e.g. 301, 302 or 307.
        status: u16,
        /// The value of `location`.
        location: String,
    },
    /// Carries out the request (a DELETE really deletes), then applies the
    /// inner fault to the response: an outcome-unknown failure. With
    /// `TruncatedBody` the real answer is cut short; with `Delay` or `Hold`
    /// the real answer comes late.
    AfterAction(Box<FaultKind>),
    /// Holds the request until the [`Gate`] is released, then handles it
    /// normally. Unlike [`FaultKind::Delay`] this does not depend on time:
    /// a test sees the request in [`requests`](crate::FakeGitHub::requests)
    /// (recorded before any fault applies), does what it needs while the
    /// request is in flight, then calls [`Gate::release`]. See also
    /// [`FakeGitHub::hold`](crate::FakeGitHub::hold).
    Hold(Gate),
    /// Publishes this image into `owner`'s container package `package`, as
    /// [`FakeGitHub::publish_image`](crate::FakeGitHub::publish_image) does,
    /// then handles the request normally: a push that lands between two
    /// requests of a client, at the request the test chooses (e.g. while a
    /// prune reads manifests), without depending on time.
    Publish {
        /// The package's owner.
        owner: Owner,
        /// The container package.
        package: String,
        /// What is pushed.
        image: ImageSpec,
    },
}

/// Holds back the requests of a [`FaultKind::Hold`] until released.
///
/// Clones share one state: releasing any clone releases every request held
/// by any of them, now and later. A gate never released holds its requests
/// until the server stops.
///
/// ```
/// use fake_github::Gate;
///
/// let gate = Gate::new();
/// assert!(!gate.is_released());
/// gate.clone().release();
/// assert!(gate.is_released());
/// ```
#[derive(Clone)]
pub struct Gate {
    released: Arc<watch::Sender<bool>>,
}

impl Gate {
    /// A closed gate.
    pub fn new() -> Gate {
        Gate {
            released: Arc::new(watch::channel(false).0),
        }
    }

    /// Lets every held request (and any later one) through. Callable from
    /// any thread, with or without a runtime.
    pub fn release(&self) {
        self.released.send_replace(true);
    }

    /// Whether [`release`](Self::release) was called.
    pub fn is_released(&self) -> bool {
        *self.released.borrow()
    }

    /// Waits until the gate is released.
    pub(crate) async fn wait(&self) {
        let mut released = self.released.subscribe();
        // The sender lives as long as `self`, so this only ends on release.
        let _ = released.wait_for(|released| *released).await;
    }
}

impl Default for Gate {
    fn default() -> Self {
        Gate::new()
    }
}

impl fmt::Debug for Gate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gate")
            .field("released", &self.is_released())
            .finish()
    }
}

/// Clones of one gate are equal; separately created gates are not.
impl PartialEq for Gate {
    fn eq(&self, other: &Gate) -> bool {
        Arc::ptr_eq(&self.released, &other.released)
    }
}

impl Eq for Gate {}

/// The faults still pending, in the order they were injected.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue(VecDeque<Fault>);

impl FaultQueue {
    /// Adds `fault` at the end (a fault for zero requests is dropped).
    pub(crate) fn inject(&mut self, fault: Fault) {
        if fault.times > 0 {
            self.0.push_back(fault);
        }
    }

    /// Takes one use of the first pending fault that matches `request`.
    pub(crate) fn take(&mut self, request: &RecordedRequest) -> Option<FaultKind> {
        let position = self
            .0
            .iter()
            .position(|fault| fault.matcher.matches(request))?;
        let fault = &mut self.0[position];
        fault.times -= 1;
        if fault.times == 0 {
            self.0.remove(position).map(|fault| fault.kind)
        } else {
            Some(fault.kind.clone())
        }
    }

    /// How many uses of the pending faults are left.
    pub(crate) fn pending(&self) -> usize {
        self.0.iter().map(|fault| fault.times).sum()
    }

    /// Drops every pending fault.
    pub(crate) fn clear(&mut self) {
        self.0.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(method: &str, raw_path: &str, query: Option<&str>) -> RecordedRequest {
        RecordedRequest {
            method: method.to_string(),
            raw_path: raw_path.to_string(),
            query: query.map(str::to_string),
            headers: Vec::new(),
        }
    }

    #[test]
    fn matchers() {
        let delete = request(
            "DELETE",
            "/orgs/o/packages/container/a%2Fb/versions/7",
            Some("page=2"),
        );
        assert!(Matcher::Any.matches(&delete));
        assert!(Matcher::Method("delete".into()).matches(&delete));
        assert!(!Matcher::Method("GET".into()).matches(&delete));
        assert!(Matcher::PathContains("a%2Fb".into()).matches(&delete));
        assert!(!Matcher::PathContains("a/b".into()).matches(&delete));
        assert!(Matcher::QueryContains("page=2".into()).matches(&delete));
        assert!(!Matcher::QueryContains("page".into()).matches(&request("GET", "/", None)));
        let both = Matcher::All(vec![
            Matcher::Method("DELETE".into()),
            Matcher::PathContains("/versions/".into()),
        ]);
        assert!(both.matches(&delete));
        assert!(!both.matches(&request("GET", "/x/versions/1", None)));
    }
}
