//! The registry's own request budget: at most so many requests a minute to
//! the container registry, every attempt counted (retries and token
//! requests too), kept apart from the REST API's budget because the
//! registry limits reads on its own terms.
//!
//! ghcr.io is reported to allow about 44,000 requests a minute;
//! [`DEFAULT_REGISTRY_RATE`] stays well under it so that other clients of
//! the same token and address keep room. The bookkeeping is one moment
//! (a "theoretical arrival time", as in the generic cell rate algorithm):
//! constant work per request, however many are sent.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

/// Requests a minute to the registry unless told otherwise: under half of
/// the about 44,000 ghcr.io is reported to allow, leaving the rest to the
/// pushes and pulls of the same token and address.
pub const DEFAULT_REGISTRY_RATE: u32 = 20_000;

/// Spaces requests to at most `per_minute` a minute, allowing a burst of
/// one second's worth at once.
#[derive(Debug)]
pub(super) struct RatePacer {
    interval: Duration,
    /// How far ahead of the steady pace a request may go (the burst).
    tolerance: Duration,
    /// The moment the steady pace has reached.
    paced_to: Mutex<Option<Instant>>,
}

impl RatePacer {
    /// A pacer for `per_minute` requests a minute (0 means no pacing).
    pub(super) fn new(per_minute: u32) -> RatePacer {
        let (interval, tolerance) = match per_minute {
            0 => (Duration::ZERO, Duration::ZERO),
            rate => {
                let interval = Duration::from_secs(60) / rate;
                let burst = (rate / 60).max(1);
                (interval, interval * (burst - 1))
            }
        };
        RatePacer {
            interval,
            tolerance,
            paced_to: Mutex::new(None),
        }
    }

    /// The moment a request asking at `now` may go, reserving its place.
    fn reserve(&self, now: Instant) -> Instant {
        if self.interval.is_zero() {
            return now;
        }
        let mut paced_to = self.paced_to.lock().unwrap_or_else(PoisonError::into_inner);
        let steady = paced_to.map_or(now, |at| at.max(now));
        let at = steady
            .checked_sub(self.tolerance)
            .map_or(now, |earliest| earliest.max(now));
        *paced_to = Some(steady + self.interval);
        at
    }

    /// Waits for the request's turn.
    pub(super) async fn turn(&self) {
        let at = self.reserve(Instant::now());
        tokio::time::sleep_until(at).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_of_one_second_goes_at_once_then_the_pace_holds() {
        // 600 a minute: 10 a second, one every 100 ms after the burst.
        let pacer = RatePacer::new(600);
        let start = Instant::now();
        let moments: Vec<Instant> = (0..30).map(|_| pacer.reserve(start)).collect();
        assert!(moments[..10].iter().all(|&at| at == start));
        assert_eq!(moments[10], start + Duration::from_millis(100));
        assert_eq!(moments[29], start + Duration::from_millis(2000));
        // Over any stretch, no more than the rate plus the burst.
        let in_first_second = moments
            .iter()
            .filter(|&&at| at < start + Duration::from_secs(1))
            .count();
        assert_eq!(in_first_second, 19);
    }

    #[test]
    fn an_idle_pacer_does_not_bank_more_than_the_burst() {
        let pacer = RatePacer::new(600);
        let start = Instant::now();
        pacer.reserve(start);
        let later = start + Duration::from_secs(60);
        let moments: Vec<Instant> = (0..11).map(|_| pacer.reserve(later)).collect();
        assert!(moments[..10].iter().all(|&at| at == later));
        assert_eq!(moments[10], later + Duration::from_millis(100));
    }

    #[test]
    fn zero_is_no_pacing() {
        let pacer = RatePacer::new(0);
        let start = Instant::now();
        assert!((0..1000).all(|_| pacer.reserve(start) == start));
    }
}
