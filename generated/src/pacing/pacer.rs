//! A client's request budget in use: the in-flight slots, the waits, and
//! the one [`Ledger`] every request of the client is counted in.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use reqwest::Method;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use super::ledger::Ledger;
use super::{RequestBudget, is_write, millis};

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
        self.ledger()
            .note_quota(now, remaining, saturating_after(now, reset_in));
    }

    /// Holds back every request not yet sent for `wait`: GitHub refused one
    /// for a secondary limit and asked the client to wait. Any `wait` is
    /// accepted: one past what an `Instant` can hold saturates.
    pub(crate) fn pause(&self, wait: Duration) {
        let now = Instant::now();
        self.ledger().pause_until(saturating_after(now, wait));
    }

    fn ledger(&self) -> std::sync::MutexGuard<'_, Ledger> {
        self.shared
            .ledger
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// `now + wait`, or, for a wait no `Instant` can hold (a `retry-after` or
/// reset time sent far in the future), a century from now.
fn saturating_after(now: Instant, wait: Duration) -> Instant {
    const CENTURY: Duration = Duration::from_secs(100 * 365 * 24 * 60 * 60);
    now.checked_add(wait.min(CENTURY))
        .or_else(|| now.checked_add(CENTURY))
        .unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    fn ms(millis: u64) -> Duration {
        Duration::from_millis(millis)
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
