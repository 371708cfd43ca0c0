//! The request budget: pacing every request of one client to stay under
//! GitHub's secondary rate limits, and spreading the primary quota over
//! the time left until it resets.
//!
//! GitHub documents secondary limits besides the hourly quota: at most 100
//! concurrent requests, and at most 900 points a minute on REST endpoints,
//! where a `GET` costs 1 point and a `POST`, `PATCH`, `PUT` or `DELETE`
//! costs 5. A client that only bounds its concurrency runs into them as soon
//! as its requests are quick: 4 deletions at a time that take 100 ms each are
//! 200 points a second. [`RequestBudget`] describes the limits; the client
//! keeps one ledger for all its requests (listings, deletions, restores,
//! the generated builders, every retry) and holds each request back until
//! it fits.
//!
//! [`RequestBudget`] is the public description (its docs say how requests
//! are admitted); [`Pacer`] is a client's shared ledger of it, and
//! [`Ledger`] the bookkeeping, kept free of clocks and locks so it can be
//! tested with made-up moments.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use reqwest::Method;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use crate::error::Error;

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

/// A client's shared ledger of its request budget. Cheap to clone; clones
/// share the ledger.
#[derive(Clone)]
pub(crate) struct Pacer {
    shared: Arc<PacerShared>,
}

/// The budget, not the ledger: that holds an entry per request of the
/// last window.
impl std::fmt::Debug for Pacer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pacer")
            .field("budget", &self.shared.budget)
            .finish_non_exhaustive()
    }
}

struct PacerShared {
    budget: RequestBudget,
    slots: Arc<Semaphore>,
    ledger: Mutex<Ledger>,
}

/// A request's right to be sent: its in-flight slot, given back when
/// dropped (once its answer has been read).
#[derive(Debug)]
pub(crate) struct Admission {
    _slot: OwnedSemaphorePermit,
}

impl Pacer {
    /// The ledger of `budget`, or `None` when the budget is off. `budget`
    /// must have passed [`RequestBudget::check`].
    pub(crate) fn new(budget: RequestBudget) -> Option<Pacer> {
        if budget.off {
            return None;
        }
        let slots = budget.max_in_flight.min(Semaphore::MAX_PERMITS);
        Some(Pacer {
            shared: Arc::new(PacerShared {
                slots: Arc::new(Semaphore::new(slots)),
                ledger: Mutex::new(Ledger::new(budget.clone())),
                budget,
            }),
        })
    }

    /// Waits until a request with `method` fits the budget, and counts it.
    /// Send the request at once, and drop the admission once its answer has
    /// been read.
    pub(crate) async fn admit(&self, method: &Method) -> Admission {
        let write = is_write(method);
        if write {
            let now = Instant::now();
            let turn = self.ledger().write_turn(now);
            if turn > now {
                tracing::debug!(
                    %method,
                    wait_ms = millis(turn - now),
                    "holding a mutating request back for the interval between mutating requests"
                );
                tokio::time::sleep_until(turn).await;
            }
        }
        let slot = self
            .shared
            .slots
            .clone()
            .acquire_owned()
            .await
            .expect("the pacer never closes its semaphore");
        let cost = self.shared.budget.cost(method);
        let now = Instant::now();
        let (at, ticket) = self.ledger().reserve(now, cost);
        if at > now {
            tracing::debug!(
                %method,
                wait_ms = millis(at - now),
                "holding a request back to stay within the request budget"
            );
            tokio::time::sleep_until(at).await;
            // A busy machine wakes a timer late: count the request from
            // when it really goes, or the next window could start early.
            self.ledger().sent(ticket, Instant::now());
        }
        Admission { _slot: slot }
    }

    /// Notes the primary quota a response reported: `remaining` requests
    /// until `reset_in` from now.
    pub(crate) fn note_quota(&self, remaining: u64, reset_in: Duration) {
        let now = Instant::now();
        self.ledger().note_quota(now, remaining, now + reset_in);
    }

    /// Holds back every request not yet sent for `wait`: GitHub refused one
    /// for a secondary limit and asked the client to wait.
    pub(crate) fn pause(&self, wait: Duration) {
        let now = Instant::now();
        self.ledger().pause_until(now + wait);
    }

    fn ledger(&self) -> std::sync::MutexGuard<'_, Ledger> {
        self.shared
            .ledger
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// What the budget has handed out, as moments on tokio's clock (so tests
/// can pause and advance it). Pure bookkeeping: every method takes `now`.
#[derive(Debug)]
struct Ledger {
    budget: RequestBudget,
    /// The requests sent (or reserved to be sent) within the counting
    /// window, with their cost, in order of reservation (and of their
    /// moment, unless one went late: see [`Ledger::sent`]).
    spent: VecDeque<(Instant, u32)>,
    /// The sum of the costs in `spent`.
    spent_points: u64,
    /// The ticket of `spent`'s first entry: tickets count reservations.
    first_ticket: u64,
    /// The moment of the newest reservation: later ones are never earlier.
    last: Option<Instant>,
    /// The earliest moment the next mutating request may start.
    next_write: Option<Instant>,
    /// Nothing is sent before this, after a secondary-limit refusal.
    paused_until: Option<Instant>,
    quota: Option<Quota>,
}

/// The primary quota, as last reported.
#[derive(Debug)]
struct Quota {
    /// Requests left; counted down by each reservation until the next
    /// response says otherwise.
    remaining: u64,
    reset_at: Instant,
    /// The moment the even pace has reached: each reservation moves it on
    /// by `time until reset / remaining`.
    paced_to: Instant,
}

impl Ledger {
    fn new(budget: RequestBudget) -> Ledger {
        Ledger {
            budget,
            spent: VecDeque::new(),
            spent_points: 0,
            first_ticket: 0,
            last: None,
            next_write: None,
            paused_until: None,
            quota: None,
        }
    }

    /// The moment a mutating request asking now may go on to reserve its
    /// points, given the minimum interval between mutating requests.
    fn write_turn(&mut self, now: Instant) -> Instant {
        let turn = self.next_write.map_or(now, |next| next.max(now));
        if !self.budget.min_write_interval.is_zero() {
            self.next_write = Some(turn + self.budget.min_write_interval);
        }
        turn
    }

    /// Reserves `cost` points for a request asking at `now` and returns the
    /// moment it may be sent, and its ticket for [`Ledger::sent`].
    fn reserve(&mut self, now: Instant, cost: u32) -> (Instant, u64) {
        let span = self.budget.counting_window();
        let points = u64::from(self.budget.points);
        let cost = u64::from(cost);
        // Points counted before `now - span` no longer count for anything.
        while let Some(&(at, spent)) = self.spent.front() {
            if at + span > now {
                break;
            }
            self.spent.pop_front();
            self.spent_points -= u64::from(spent);
            self.first_ticket += 1;
        }
        let mut at = now;
        at = at.max(self.last.unwrap_or(now));
        at = at.max(self.paused_until.unwrap_or(now));
        // The earliest moment at which the points counted in the window
        // before it leave room for this request: drop the oldest entries
        // from the count until they do, each one no longer counting from
        // its moment plus the counting window on.
        let mut counted = self.spent_points;
        for &(spent_at, spent) in &self.spent {
            let expired = spent_at + span <= at;
            if !expired && counted + cost <= points {
                break;
            }
            if !expired {
                at = at.max(spent_at + span);
            }
            counted -= u64::from(spent);
        }
        if self.budget.spread_primary_quota {
            at = self.pace_quota(at);
        }
        let ticket = self.first_ticket + self.spent.len() as u64;
        self.spent.push_back((at, cost as u32));
        self.spent_points += cost;
        self.last = Some(at);
        (at, ticket)
    }

    /// Records that the request with `ticket` went at `now`, later than
    /// reserved: its points count from then on.
    fn sent(&mut self, ticket: u64, now: Instant) {
        let Some(index) = ticket.checked_sub(self.first_ticket) else {
            return;
        };
        if let Some(entry) = usize::try_from(index)
            .ok()
            .and_then(|index| self.spent.get_mut(index))
        {
            entry.0 = entry.0.max(now);
        }
    }

    /// Pushes `at` back so that the primary quota keeps to its even pace
    /// (run ahead of by at most a quarter of the time until the reset),
    /// and counts the request against the quota.
    fn pace_quota(&mut self, at: Instant) -> Instant {
        let Some(quota) = &mut self.quota else {
            return at;
        };
        // Nothing is known about a window that has reset; a used-up quota
        // is the retry policy's to report or wait out, not to stall here.
        if quota.reset_at <= at || quota.remaining == 0 {
            return at;
        }
        let lead = (quota.reset_at - at) / 4;
        let earliest = quota.paced_to.checked_sub(lead).unwrap_or(at);
        // Never held past the reset: a new quota starts there.
        let at = at.max(earliest).min(quota.reset_at);
        let remaining = u32::try_from(quota.remaining).unwrap_or(u32::MAX);
        quota.paced_to = quota.paced_to.max(at) + (quota.reset_at - at) / remaining;
        quota.remaining -= 1;
        at
    }

    /// Takes in the quota a response reported. Responses to concurrent
    /// requests arrive in any order, and reservations count the quota down
    /// before their answers do: within one window, the lower count wins.
    fn note_quota(&mut self, now: Instant, remaining: u64, reset_at: Instant) {
        match &mut self.quota {
            // Reset moments come from whole seconds on the server's clock:
            // within a second, it is the same window.
            Some(quota)
                if reset_at.max(quota.reset_at) - reset_at.min(quota.reset_at)
                    < Duration::from_secs(1) =>
            {
                quota.remaining = quota.remaining.min(remaining);
            }
            _ => {
                self.quota = Some(Quota {
                    remaining,
                    reset_at,
                    paced_to: now,
                });
            }
        }
    }

    fn pause_until(&mut self, until: Instant) {
        self.paused_until = Some(self.paused_until.map_or(until, |paused| paused.max(until)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    fn ms(millis: u64) -> Duration {
        Duration::from_millis(millis)
    }

    /// The most points any stretch of `span` holds, among `sent`.
    fn densest(sent: &[(Instant, u32)], span: Duration) -> u64 {
        sent.iter()
            .map(|&(start, _)| {
                sent.iter()
                    .filter(|&&(at, _)| at >= start && at < start + span)
                    .map(|&(_, cost)| u64::from(cost))
                    .sum()
            })
            .max()
            .unwrap_or(0)
    }

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

    #[test]
    fn a_burst_fits_then_requests_wait_for_points_to_leave_the_window() {
        let budget = RequestBudget::default()
            .points(20, SECOND)
            .headroom_percent(10);
        let mut ledger = Ledger::new(budget);
        let start = Instant::now();
        // Four deletions (20 points) go at once.
        for _ in 0..4 {
            assert_eq!(ledger.reserve(start, 5).0, start);
        }
        // The fifth waits until the first one's points no longer count:
        // one window and its headroom later.
        assert_eq!(ledger.reserve(start + ms(10), 5).0, start + ms(1100));
        // A read asked for later still comes after it (first come, first
        // served), and once the second deletion's points have left.
        assert_eq!(ledger.reserve(start + ms(20), 1).0, start + ms(1100));
    }

    #[test]
    fn no_stretch_of_the_counting_window_holds_more_than_the_points() {
        let budget = RequestBudget::default().points(50, SECOND);
        let span = budget.counting_window();
        let mut ledger = Ledger::new(budget);
        let start = Instant::now();
        let mut sent = Vec::new();
        let mut now = start;
        // Mixed reads and writes, asked for faster than the budget allows;
        // each one is asked for once the one before may go.
        for i in 0..400u32 {
            let cost = if i % 3 == 0 { 1 } else { 5 };
            let at = ledger.reserve(now, cost).0;
            assert!(at >= now);
            sent.push((at, cost));
            now = at + ms(u64::from(i % 7));
        }
        assert!(densest(&sent, span) <= 50, "{}", densest(&sent, span));
        // And the budget is used: over the whole run, close to 50 points
        // per counting window.
        let total: u64 = sent.iter().map(|&(_, cost)| u64::from(cost)).sum();
        let elapsed = sent.last().unwrap().0 - start;
        let windows = elapsed.as_secs_f64() / span.as_secs_f64();
        let per_window = total as f64 / windows;
        assert!(per_window > 45.0 && per_window <= 55.0, "{per_window}");
    }

    #[test]
    fn a_request_that_goes_late_counts_from_when_it_went() {
        let budget = RequestBudget::default()
            .points(10, SECOND)
            .headroom_percent(0);
        let mut ledger = Ledger::new(budget);
        let start = Instant::now();
        let (_, first) = ledger.reserve(start, 5);
        ledger.reserve(start, 5);
        assert_eq!(ledger.reserve(start, 5).0, start + SECOND);
        // The first one's timer fired 300 ms late: the next window opens
        // 300 ms later too.
        ledger.sent(first, start + ms(300));
        assert_eq!(ledger.reserve(start, 5).0, start + ms(1300));
        // Tickets of entries gone from the window are ignored.
        let mut ledger = Ledger::new(RequestBudget::default().points(10, SECOND));
        let (_, old) = ledger.reserve(start, 5);
        ledger.reserve(start + 10 * SECOND, 5);
        ledger.sent(old, start + 20 * SECOND);
        assert_eq!(ledger.spent.len(), 1);
        assert_eq!(ledger.spent[0].0, start + 10 * SECOND);
    }

    #[test]
    fn mutating_requests_keep_their_interval_and_reads_do_not_wait_for_it() {
        let budget = RequestBudget::default().min_write_interval(SECOND);
        let mut ledger = Ledger::new(budget);
        let start = Instant::now();
        assert_eq!(ledger.write_turn(start), start);
        assert_eq!(ledger.write_turn(start), start + SECOND);
        assert_eq!(ledger.write_turn(start + ms(100)), start + 2 * SECOND);
        // Long after, no backlog.
        assert_eq!(ledger.write_turn(start + 10 * SECOND), start + 10 * SECOND);
        // Reads reserve points without any turn.
        assert_eq!(ledger.reserve(start, 1).0, start);
        // Without an interval, every write's turn is now.
        let mut ledger = Ledger::new(RequestBudget::default());
        assert_eq!(ledger.write_turn(start), start);
        assert_eq!(ledger.write_turn(start), start);
    }

    #[test]
    fn a_pause_holds_back_every_request() {
        let mut ledger = Ledger::new(RequestBudget::default());
        let start = Instant::now();
        ledger.pause_until(start + 5 * SECOND);
        ledger.pause_until(start + SECOND);
        assert_eq!(ledger.reserve(start, 1).0, start + 5 * SECOND);
        assert_eq!(ledger.reserve(start + 6 * SECOND, 1).0, start + 6 * SECOND);
    }

    #[test]
    fn the_primary_quota_is_spread_until_its_reset() {
        let budget = RequestBudget::default().points(1_000_000, SECOND);
        let mut ledger = Ledger::new(budget);
        let start = Instant::now();
        // 100 requests left for 100 s: an even pace of one a second, which
        // requests may run ahead of by a quarter of the time to the reset.
        ledger.note_quota(start, 100, start + 100 * SECOND);
        let sent: Vec<Instant> = (0..100).map(|_| ledger.reserve(start, 1).0).collect();
        let at_once = sent.iter().filter(|&&at| at == start).count();
        assert!((20..=30).contains(&at_once), "{at_once} at once");
        // The rest is spread over the time left, the last one shortly
        // before the reset: not spent at once and then waited out.
        let last = *sent.last().unwrap();
        assert!(
            last < start + 100 * SECOND && last > start + 90 * SECOND,
            "{:?}",
            last - start
        );
        for pair in sent[at_once..].windows(2) {
            let gap = pair[1] - pair[0];
            assert!(gap >= ms(400) && gap <= 2 * SECOND, "{gap:?}");
        }
    }

    #[test]
    fn a_small_job_on_a_large_quota_is_not_slowed() {
        let mut ledger = Ledger::new(RequestBudget::default());
        let start = Instant::now();
        ledger.note_quota(start, 5000, start + 3600 * SECOND);
        for _ in 0..100 {
            assert_eq!(ledger.reserve(start, 1).0, start);
        }
        // Turned off, the quota is not looked at.
        let mut ledger = Ledger::new(
            RequestBudget::default()
                .spread_primary_quota(false)
                .points(1_000, SECOND),
        );
        ledger.note_quota(start, 10, start + 3600 * SECOND);
        for _ in 0..100 {
            assert_eq!(ledger.reserve(start, 1).0, start);
        }
    }

    #[test]
    fn quota_reports_keep_the_lowest_count_within_a_window() {
        let mut ledger = Ledger::new(RequestBudget::default());
        let start = Instant::now();
        let reset = start + 100 * SECOND;
        ledger.note_quota(start, 50, reset);
        ledger.reserve(start, 1);
        assert_eq!(ledger.quota.as_ref().unwrap().remaining, 49);
        // A late answer to an earlier request reports more.
        ledger.note_quota(start, 50, reset + ms(300));
        assert_eq!(ledger.quota.as_ref().unwrap().remaining, 49);
        ledger.note_quota(start, 40, reset);
        assert_eq!(ledger.quota.as_ref().unwrap().remaining, 40);
        // A new window starts over, with its own pace.
        ledger.note_quota(start + 101 * SECOND, 5000, reset + 3600 * SECOND);
        let quota = ledger.quota.as_ref().unwrap();
        assert_eq!(
            (quota.remaining, quota.paced_to),
            (5000, start + 101 * SECOND)
        );
        // Neither a reset in the past nor a used-up quota stalls a request.
        let mut ledger = Ledger::new(RequestBudget::default());
        ledger.note_quota(start, 0, start + 100 * SECOND);
        assert_eq!(ledger.reserve(start, 1).0, start);
        ledger.note_quota(start, 10, start);
        assert_eq!(ledger.reserve(start + SECOND, 1).0, start + SECOND);
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_requests_share_one_budget_and_its_slots() {
        let budget = RequestBudget::default()
            .points(10, SECOND)
            .headroom_percent(0)
            .max_in_flight(2);
        let pacer = Pacer::new(budget).unwrap();
        let start = Instant::now();
        // Two deletions fill the points; two reads fill the slots.
        let first = pacer.admit(&Method::DELETE).await;
        let second = pacer.admit(&Method::DELETE).await;
        assert_eq!(Instant::now(), start, "within the budget: no wait");
        // A third request waits for a slot, then for points.
        let clone = pacer.clone();
        let third = tokio::spawn(async move {
            let _admitted = clone.admit(&Method::GET).await;
            Instant::now()
        });
        tokio::time::advance(ms(500)).await;
        assert!(!third.is_finished());
        drop(first);
        // The slot is free now, but the points are not until a second
        // after the first deletion.
        tokio::time::advance(ms(10)).await;
        assert!(!third.is_finished());
        let sent_at = third.await.unwrap();
        assert_eq!(sent_at, start + SECOND);
        drop(second);
        // A pause holds back what comes next.
        pacer.pause(3 * SECOND);
        let _read = pacer.admit(&Method::GET).await;
        assert_eq!(Instant::now(), start + 4 * SECOND);
    }

    #[tokio::test(start_paused = true)]
    async fn writes_wait_for_their_interval_without_holding_a_slot() {
        let budget = RequestBudget::default()
            .min_write_interval(SECOND)
            .max_in_flight(1);
        let pacer = Pacer::new(budget).unwrap();
        let start = Instant::now();
        drop(pacer.admit(&Method::DELETE).await);
        let clone = pacer.clone();
        let write = tokio::spawn(async move {
            let _admitted = clone.admit(&Method::DELETE).await;
            Instant::now()
        });
        tokio::task::yield_now().await;
        // The second write waits for its turn; a read goes past it.
        let read = pacer.admit(&Method::GET).await;
        assert_eq!(Instant::now(), start);
        drop(read);
        assert_eq!(write.await.unwrap(), start + SECOND);
    }
}
