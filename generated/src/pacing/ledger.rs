//! The request budget's bookkeeping: the points of each request in the
//! counting window, mutating requests' turns, pauses and the primary
//! quota's pace, as moments on tokio's clock.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;

use super::RequestBudget;

/// What the budget has handed out, as moments on tokio's clock (so tests
/// can pause and advance it). Pure bookkeeping: every method takes `now`.
#[derive(Debug)]
pub(super) struct Ledger {
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
    pub(super) fn new(budget: RequestBudget) -> Ledger {
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
    pub(super) fn write_turn(&mut self, now: Instant) -> Instant {
        let turn = self.next_write.map_or(now, |next| next.max(now));
        if !self.budget.min_write_interval.is_zero() {
            self.next_write = Some(turn + self.budget.min_write_interval);
        }
        turn
    }

    /// Reserves `cost` points for a request asking at `now` and returns the
    /// moment it may be sent, and its ticket for [`Ledger::sent`].
    pub(super) fn reserve(&mut self, now: Instant, cost: u32) -> (Instant, u64) {
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
    pub(super) fn sent(&mut self, ticket: u64, now: Instant) {
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
    pub(super) fn note_quota(&mut self, now: Instant, remaining: u64, reset_at: Instant) {
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

    pub(super) fn pause_until(&mut self, until: Instant) {
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
}
