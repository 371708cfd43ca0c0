//! Primary rate-limit windows: how many requests each token (or the
//! anonymous caller) has used in its current hour, and the numbers sent in
//! the `x-ratelimit-*` headers.

use std::collections::HashMap;

/// The hourly quota of a token, unless the test sets another.
pub(crate) const TOKEN_RATE_LIMIT: u32 = 5000;
/// The hourly quota of anonymous requests.
pub(crate) const ANONYMOUS_RATE_LIMIT: u32 = 60;

/// The rate-limit numbers sent with a response.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RateStatus {
    pub(crate) limit: u32,
    pub(crate) remaining: u32,
    pub(crate) used: u32,
    pub(crate) reset: i64,
}

/// One rate-limit window of one token.
struct RateWindow {
    used: u32,
    reset: i64,
}

/// Every caller's current window, by token (`""` for anonymous requests).
#[derive(Default)]
pub(crate) struct RateWindows(HashMap<String, RateWindow>);

impl RateWindows {
    /// Counts one request against `key`'s window. The window starts over
    /// instead of running out, so `remaining` never reaches 0 on its own:
    /// exhaustion is what the `PrimaryRateLimit` fault is for.
    pub(crate) fn count(&mut self, key: &str, limit: u32, now: i64) -> RateStatus {
        let window = self.0.entry(key.to_string()).or_insert(RateWindow {
            used: 0,
            reset: now + 3600,
        });
        if now >= window.reset || window.used + 1 >= limit {
            window.used = 0;
            window.reset = now + 3600;
        }
        window.used += 1;
        RateStatus {
            limit,
            remaining: limit - window.used,
            used: window.used,
            reset: window.reset,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_window_counts_down_and_starts_over_before_running_out() {
        let mut windows = RateWindows::default();
        let first = windows.count("t", 3, 100);
        assert_eq!((first.used, first.remaining, first.reset), (1, 2, 3700));
        let second = windows.count("t", 3, 101);
        assert_eq!((second.used, second.remaining), (2, 1));
        let third = windows.count("t", 3, 102);
        assert_eq!((third.used, third.remaining, third.reset), (1, 2, 3702));
        assert_eq!(windows.count("other", 3, 102).used, 1);
    }
}
