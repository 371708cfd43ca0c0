//! The request budget: pacing every request of one client to stay under
//! GitHub's secondary rate limits, and spreading the primary quota over
//! the time left until it resets.
//!
//! GitHub documents secondary limits besides the hourly quota: at most 100
//! concurrent requests, and at most 900 points a minute on REST endpoints,
//! where a `GET` costs 1 point and a `POST`, `PATCH`, `PUT` or `DELETE`
//! costs 5. A client that only bounds its concurrency runs into them as soon
//! as its requests are quick: 4 deletions at a time that take 100 ms each are
//! 200 points a second. [`RequestBudget`] (here) describes the limits and
//! says how requests are admitted; a client keeps one [`Pacer`] for all its
//! requests (listings, deletions, restores, the generated builders, every
//! retry), which holds each one back until it fits; the pacer's
//! bookkeeping, `ledger::Ledger`, is kept free of clocks and locks so that
//! it can be tested with made-up moments.

mod ledger;
mod pacer;

use std::time::Duration;

use reqwest::Method;

use crate::error::Error;

pub(crate) use pacer::Pacer;

/// How a client paces its requests to stay under GitHub's secondary rate
/// limits and to spread its primary quota. On by default, with GitHub's
/// published limits ([`RequestBudget::default`]); [`RequestBudget::off`]
/// turns pacing off.
///
/// One budget covers every request of one [`Client`](crate::Client) and of
/// its clones: listings, deletions, restores, the generated builders and
/// every retry (each attempt is a request GitHub counts, so each one pays
/// its points).
///
/// ```
/// use std::time::Duration;
/// use github_packages::RequestBudget;
///
/// // GitHub's limits, with at most one mutating request a second, as
/// // GitHub's best practices ask of large batches of deletions.
/// let polite = RequestBudget::default().min_write_interval(Duration::from_secs(1));
///
/// // A budget of a quarter of GitHub's, e.g. to leave room for other
/// // programs that use the same token.
/// let shared = RequestBudget::default().points(225, Duration::from_secs(60));
/// assert_ne!(polite, shared);
///
/// // No pacing at all: only the retry policy slows requests down.
/// assert!(RequestBudget::off().is_off());
/// ```
///
/// # How a request is admitted
///
/// A mutating request first waits for its turn if a
/// [minimum interval](Self::min_write_interval) is set. Then every request
/// takes one of the [`max_in_flight`](Self::max_in_flight) slots (held until
/// its answer has been read) and reserves its points, first come, first
/// served: it is sent once the points sent in the counting window before it,
/// plus its own, fit the budget. The counting window is the window
/// lengthened by the [headroom](Self::headroom_percent), because GitHub
/// counts requests when they arrive, and requests sent a window apart can
/// arrive closer together. A burst up to the budget goes at once; after it,
/// requests go as the points of earlier ones leave the window. If GitHub
/// still refuses a request for a secondary limit (another program using the
/// same token, say), every request of the client waits as long as GitHub
/// asks, not only the one refused.
///
/// Waiting for the budget is not a retry: it uses up none of the
/// [`RetryPolicy`](crate::RetryPolicy)'s retries or waits, and the request's
/// timeout starts once it is sent.
///
/// # Spreading the primary quota
///
/// GitHub reports what remains of the hourly quota (`x-ratelimit-remaining`)
/// and when it resets (`x-ratelimit-reset`). Spending it as fast as the
/// secondary limits allow, then sleeping until the reset, stalls a long run
/// for up to an hour, or fails it when the wait is longer than the retry
/// policy's `max_wait`. Instead, requests keep to an even pace, `time until
/// the reset / requests remaining`, which they may run ahead of by a quarter
/// of the time until the reset: a job needing up to about a quarter of what
/// remains is not slowed at all, and a larger one spends the rest evenly
/// until the reset. A quota already used up is left to the retry policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestBudget {
    off: bool,
    points: u32,
    window: Duration,
    read_cost: u32,
    write_cost: u32,
    max_in_flight: usize,
    headroom_percent: u8,
    min_write_interval: Duration,
    spread_primary_quota: bool,
}

/// GitHub's published secondary limits for REST endpoints.
impl Default for RequestBudget {
    fn default() -> Self {
        RequestBudget {
            off: false,
            points: 900,
            window: Duration::from_secs(60),
            read_cost: 1,
            write_cost: 5,
            max_in_flight: 100,
            headroom_percent: 5,
            min_write_interval: Duration::ZERO,
            spread_primary_quota: true,
        }
    }
}

impl RequestBudget {
    /// No pacing: requests go as soon as they are made, as many at once as
    /// the caller makes. GitHub's refusals are still waited out by the
    /// retry policy.
    pub fn off() -> Self {
        RequestBudget {
            off: true,
            ..RequestBudget::default()
        }
    }

    /// Whether this is [`RequestBudget::off`].
    pub fn is_off(&self) -> bool {
        self.off
    }

    /// At most `points` in any `window` (default 900 points in 60 s).
    /// Spends at most `points` in any stretch of `window` lengthened by
    /// the [headroom](Self::headroom_percent), so over a long run the rate
    /// is `points / (window × (1 + headroom))`. `points` must be at least
    /// the larger cost and `window` longer than zero.
    pub fn points(mut self, points: u32, window: Duration) -> Self {
        self.points = points;
        self.window = window;
        self
    }

    /// The points a `GET` or `HEAD` costs (default 1).
    pub fn read_cost(mut self, points: u32) -> Self {
        self.read_cost = points;
        self
    }

    /// The points a `POST`, `PATCH`, `PUT` or `DELETE` costs (default 5).
    pub fn write_cost(mut self, points: u32) -> Self {
        self.write_cost = points;
        self
    }

    /// The most requests in flight at once (default 100), counted from
    /// sending a request until its answer has been read.
    pub fn max_in_flight(mut self, requests: usize) -> Self {
        self.max_in_flight = requests;
        self
    }

    /// How much longer than the window each request's points are counted,
    /// in percent of the window (default 5, at most 100). GitHub counts a
    /// request when it arrives; requests sent a window apart may arrive a
    /// little closer together, and the headroom absorbs that: 3 s of the
    /// default minute.
    pub fn headroom_percent(mut self, percent: u8) -> Self {
        self.headroom_percent = percent;
        self
    }

    /// The least time between the starts of two mutating requests (default
    /// none). GitHub's best practices ask for at least a second between
    /// mutating requests in large batches; with `Duration::from_secs(1)`
    /// deletions go at most 60 a minute instead of the points budget's 171.
    pub fn min_write_interval(mut self, interval: Duration) -> Self {
        self.min_write_interval = interval;
        self
    }

    /// Whether to spread what remains of the primary quota until it resets
    /// (default `true`; see [“Spreading the primary quota”](Self#spreading-the-primary-quota)).
    pub fn spread_primary_quota(mut self, spread: bool) -> Self {
        self.spread_primary_quota = spread;
        self
    }

    /// The points a request with this method costs: the write cost for
    /// `POST`, `PATCH`, `PUT` and `DELETE`, the read cost otherwise.
    pub fn cost(&self, method: &Method) -> u32 {
        if is_write(method) {
            self.write_cost
        } else {
            self.read_cost
        }
    }

    /// The time each request's points are counted for: the window and its
    /// headroom.
    fn counting_window(&self) -> Duration {
        self.window
            .saturating_add(self.window / 100 * u32::from(self.headroom_percent))
    }

    /// Refuses a budget no request could ever fit, or that would never let
    /// one through.
    pub(crate) fn check(&self) -> Result<(), Error> {
        if self.off {
            return Ok(());
        }
        let problem = if self.window.is_zero() {
            Some((
                "request_budget.window",
                "0s".to_string(),
                "must be longer than 0",
            ))
        } else if self.points == 0 || self.points < self.read_cost.max(self.write_cost) {
            Some((
                "request_budget.points",
                self.points.to_string(),
                "must be more than 0 and at least the read and write costs",
            ))
        } else if self.max_in_flight == 0 {
            Some((
                "request_budget.max_in_flight",
                "0".to_string(),
                "must be at least 1",
            ))
        } else if self.headroom_percent > 100 {
            Some((
                "request_budget.headroom_percent",
                self.headroom_percent.to_string(),
                "must be at most 100",
            ))
        } else {
            None
        };
        match problem {
            Some((parameter, value, why)) => Err(Error::invalid_parameter(parameter, &value, why)),
            None => Ok(()),
        }
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

fn is_write(method: &Method) -> bool {
    matches!(
        *method,
        Method::POST | Method::PATCH | Method::PUT | Method::DELETE
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    #[test]
    fn github_limits_are_the_default() {
        let budget = RequestBudget::default();
        assert_eq!(budget.cost(&Method::GET), 1);
        assert_eq!(budget.cost(&Method::HEAD), 1);
        for write in [Method::POST, Method::PATCH, Method::PUT, Method::DELETE] {
            assert_eq!(budget.cost(&write), 5, "{write}");
        }
        assert_eq!(
            (budget.points, budget.window),
            (900, Duration::from_secs(60))
        );
        assert_eq!(budget.max_in_flight, 100);
        assert_eq!(budget.counting_window(), Duration::from_secs(63));
        assert!(!budget.is_off());
        assert!(budget.check().is_ok());
        assert!(Pacer::new(RequestBudget::off()).is_none());
    }

    #[test]
    fn impossible_budgets_are_refused() {
        let check = |budget: RequestBudget| budget.check().unwrap_err().to_string();
        let base = RequestBudget::default();
        assert!(check(base.clone().points(4, SECOND)).contains("request_budget.points"));
        assert!(check(base.clone().points(0, SECOND)).contains("request_budget.points"));
        assert!(check(base.clone().points(9, Duration::ZERO)).contains("request_budget.window"));
        assert!(check(base.clone().max_in_flight(0)).contains("max_in_flight"));
        assert!(check(base.clone().headroom_percent(101)).contains("headroom_percent"));
        // Off is off, whatever else it says.
        assert!(
            RequestBudget::off()
                .points(0, Duration::ZERO)
                .check()
                .is_ok()
        );
    }
}
