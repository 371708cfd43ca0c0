//! GitHub's secondary rate limits, enforced: points per window by method,
//! and concurrent requests; refused as GitHub refuses them, and counted.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The secondary limits a fake enforces once given to
/// [`FakeGitHub::enforce_secondary_limits`](crate::FakeGitHub::enforce_secondary_limits).
///
/// A request is refused when the points of the requests accepted within the
/// last `window` (counted when they arrive), plus its own, exceed `points`,
/// or when `max_concurrent` requests are already in flight. A refused
/// request costs nothing and is not carried out; it is answered with
/// GitHub's "You have exceeded a secondary rate limit" message, a
/// `retry-after` in whole seconds (at least 1) and [`refusal`](Self::refusal)'s
/// status, and counted ([`FakeGitHub::secondary_limit_refusals`](crate::FakeGitHub::secondary_limit_refusals)).
///
/// ```
/// use std::time::Duration;
/// use fake_github::{Refusal, SecondaryLimits};
///
/// // GitHub's limits, scaled down to 1 s so that a test runs in seconds.
/// let limits = SecondaryLimits::default().points(900, Duration::from_secs(1));
/// assert_eq!((limits.read_cost, limits.write_cost), (1, 5));
/// assert_eq!(limits.refusal, Refusal::Forbidden);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecondaryLimits {
    /// Points accepted per window (GitHub: 900).
    pub points: u32,
    /// The window (GitHub: 60 s).
    pub window: Duration,
    /// Points a `GET` or `HEAD` costs (GitHub: 1).
    pub read_cost: u32,
    /// Points a `POST`, `PATCH`, `PUT` or `DELETE` costs (GitHub: 5).
    pub write_cost: u32,
    /// Requests in flight at once (GitHub: 100).
    pub max_concurrent: usize,
    /// How a refusal is answered.
    pub refusal: Refusal,
}

/// GitHub's published limits for REST endpoints.
impl Default for SecondaryLimits {
    fn default() -> Self {
        SecondaryLimits {
            points: 900,
            window: Duration::from_secs(60),
            read_cost: 1,
            write_cost: 5,
            max_concurrent: 100,
            refusal: Refusal::Forbidden,
        }
    }
}

impl SecondaryLimits {
    /// `points` per `window`, the rest unchanged.
    pub fn points(mut self, points: u32, window: Duration) -> Self {
        self.points = points;
        self.window = window;
        self
    }

    /// At most `requests` in flight at once.
    pub fn max_concurrent(mut self, requests: usize) -> Self {
        self.max_concurrent = requests;
        self
    }

    /// Refusals answered this way.
    pub fn refusal(mut self, refusal: Refusal) -> Self {
        self.refusal = refusal;
        self
    }

    fn cost(&self, method: &str) -> u32 {
        match method {
            "POST" | "PATCH" | "PUT" | "DELETE" => self.write_cost,
            _ => self.read_cost,
        }
    }
}

/// The status of a secondary-limit refusal: GitHub sends either.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// 403 Forbidden.
    Forbidden,
    /// 429 Too Many Requests.
    TooManyRequests,
}

impl Refusal {
    pub(crate) fn status(self) -> u16 {
        match self {
            Refusal::Forbidden => 403,
            Refusal::TooManyRequests => 429,
        }
    }
}

/// A refused request: its status and `retry-after` in seconds.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Refused {
    pub(crate) status: u16,
    pub(crate) retry_after_secs: u64,
}

/// The limits in force, and what they have counted.
#[derive(Default)]
pub(crate) struct SecondaryLimiter {
    limits: Option<SecondaryLimits>,
    /// Arrival and cost of the accepted requests within the window, oldest
    /// first.
    accepted: VecDeque<(Instant, u32)>,
    accepted_points: u64,
    in_flight: Arc<AtomicUsize>,
    pub(crate) refusals: u64,
}

/// An accepted request in flight; dropping it ends it.
pub(crate) struct InFlight(Option<Arc<AtomicUsize>>);

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Some(count) = &self.0 {
            count.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

impl SecondaryLimiter {
    /// Enforces `limits` from now on (`None`: nothing), counting from zero.
    pub(crate) fn enforce(&mut self, limits: Option<SecondaryLimits>) {
        self.limits = limits;
        self.accepted.clear();
        self.accepted_points = 0;
    }

    /// Accepts a request with `method` arriving at `now`, or refuses it.
    pub(crate) fn admit(&mut self, method: &str, now: Instant) -> Result<InFlight, Refused> {
        let Some(limits) = &self.limits else {
            return Ok(InFlight(None));
        };
        while let Some(&(arrived, cost)) = self.accepted.front() {
            if arrived + limits.window > now {
                break;
            }
            self.accepted.pop_front();
            self.accepted_points -= u64::from(cost);
        }
        let cost = limits.cost(method);
        let refused = |retry_after: Duration| Refused {
            status: limits.refusal.status(),
            retry_after_secs: retry_after.as_secs_f64().ceil().max(1.0) as u64,
        };
        if self.in_flight.load(Ordering::SeqCst) >= limits.max_concurrent {
            self.refusals += 1;
            return Err(refused(Duration::from_secs(1)));
        }
        if self.accepted_points + u64::from(cost) > u64::from(limits.points) {
            // When enough of the oldest points will have left the window.
            let mut counted = self.accepted_points;
            let mut free_at = now;
            for &(arrived, spent) in &self.accepted {
                if counted + u64::from(cost) <= u64::from(limits.points) {
                    break;
                }
                counted -= u64::from(spent);
                free_at = arrived + limits.window;
            }
            self.refusals += 1;
            return Err(refused(free_at - now));
        }
        self.accepted.push_back((now, cost));
        self.accepted_points += u64::from(cost);
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        Ok(InFlight(Some(self.in_flight.clone())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(limits: SecondaryLimits) -> SecondaryLimiter {
        let mut limiter = SecondaryLimiter::default();
        limiter.enforce(Some(limits));
        limiter
    }

    #[test]
    fn points_are_counted_per_window_by_method() {
        let second = Duration::from_secs(1);
        let mut limiter = limiter(SecondaryLimits::default().points(12, 2 * second));
        let start = Instant::now();
        let _kept: Vec<InFlight> = [("DELETE", 0), ("GET", 100), ("DELETE", 200), ("HEAD", 300)]
            .into_iter()
            .map(|(method, ms)| {
                limiter
                    .admit(method, start + Duration::from_millis(ms))
                    .unwrap()
            })
            .collect();
        // 12 points spent: a read no longer fits, nor a write.
        let refused = limiter.admit("GET", start + second).err().unwrap();
        assert_eq!(refused.status, 403);
        // The first deletion's points leave at 2 s: one second from now.
        assert_eq!(refused.retry_after_secs, 1);
        assert!(limiter.admit("POST", start + second).is_err());
        assert_eq!(limiter.refusals, 2);
        // Once the first deletion has left the window, 5 points are free.
        let later = start + 2 * second;
        let _write = limiter.admit("PUT", later).unwrap();
        assert!(limiter.admit("GET", later).is_err());
        assert_eq!(limiter.refusals, 3);
    }

    #[test]
    fn concurrent_requests_are_limited_until_they_end() {
        let limits = SecondaryLimits::default()
            .max_concurrent(2)
            .refusal(Refusal::TooManyRequests);
        let mut limiter = limiter(limits);
        let now = Instant::now();
        let first = limiter.admit("GET", now).unwrap();
        let _second = limiter.admit("GET", now).unwrap();
        let refused = limiter.admit("GET", now).err().unwrap();
        assert_eq!((refused.status, refused.retry_after_secs), (429, 1));
        drop(first);
        let _third = limiter.admit("GET", now).unwrap();
        assert_eq!(limiter.refusals, 1);
    }

    #[test]
    fn nothing_is_limited_unless_asked() {
        let mut limiter = SecondaryLimiter::default();
        let now = Instant::now();
        for _ in 0..10_000 {
            let _ = limiter.admit("DELETE", now).unwrap();
        }
        assert_eq!(limiter.refusals, 0);
    }

    #[tokio::test]
    async fn a_refused_request_is_not_carried_out_and_is_answered_like_github() {
        use crate::{FakeGitHub, Owner};
        let github = FakeGitHub::start().await;
        let acme = Owner::org("acme");
        github.add_package(&acme, "npm", "lib", "private");
        let ids = github.add_versions(&acme, "npm", "lib", 3);
        // One deletion a minute, refused with 429.
        let limits = SecondaryLimits::default()
            .points(5, Duration::from_secs(60))
            .refusal(Refusal::TooManyRequests);
        github.enforce_secondary_limits(Some(limits));
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::new();
        let delete = |id: i64| {
            let url = format!(
                "{}/orgs/acme/packages/npm/lib/versions/{id}",
                github.base_url()
            );
            client.delete(url).bearer_auth(FakeGitHub::TOKEN).send()
        };
        assert_eq!(delete(ids[0]).await.unwrap().status(), 204);
        let refused = delete(ids[1]).await.unwrap();
        assert_eq!(refused.status(), 429);
        let retry_after: u64 = refused.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((59..=60).contains(&retry_after), "{retry_after}");
        let body: serde_json::Value = refused.json().await.unwrap();
        let message = body["message"].as_str().unwrap();
        assert!(message.contains("secondary rate limit"), "{message}");
        assert_eq!(github.secondary_limit_refusals(), 1);
        let deleted: Vec<bool> = github
            .versions(&acme, "npm", "lib")
            .iter()
            .map(|version| version.deleted)
            .collect();
        // Newest first: only the oldest, ids[0], is deleted.
        assert_eq!(deleted, [false, false, true]);
        // Turned off, requests go through again; the count stays.
        github.enforce_secondary_limits(None);
        assert_eq!(delete(ids[1]).await.unwrap().status(), 204);
        assert_eq!(github.secondary_limit_refusals(), 1);
    }
}
