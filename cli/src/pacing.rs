//! The pacing options, `--rate` and `--request-budget`, as the client's
//! [`RequestBudget`] (which owns the rules and their checks).

use std::time::Duration;

use github_packages::RequestBudget;

use crate::duration::parse_age;

/// What `--request-budget` says: GitHub's limits scaled to other numbers, or
/// no pacing at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BudgetArg {
    /// `POINTS/WINDOW`, e.g. `900/60s`.
    Points { points: u32, window: Duration },
    /// `off`.
    Off,
}

const EXPECTED: &str = "expected POINTS/WINDOW (e.g. 900/60s, 450/1m, 2000/500ms) or off";

/// Parses `POINTS/WINDOW` (the window in the units of ages, or in `ms`) or
/// `off`.
pub fn parse_budget(text: &str) -> Result<BudgetArg, String> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("off") {
        return Ok(BudgetArg::Off);
    }
    let (points, window) = text
        .split_once('/')
        .ok_or_else(|| format!("no '/' in {text:?}: {EXPECTED}"))?;
    let points: u32 = points
        .trim()
        .parse()
        .map_err(|_| format!("{:?} is not a number of points: {EXPECTED}", points.trim()))?;
    let window = window.trim();
    let window = match window.strip_suffix("ms") {
        Some(millis) => millis
            .parse()
            .map(Duration::from_millis)
            .map_err(|_| format!("{window:?} is not a window: {EXPECTED}"))?,
        None => parse_age(window)
            .map_err(|error| format!("window {window:?}: {error}"))?
            .to_std()
            .map_err(|_| format!("window {window:?}: {EXPECTED}"))?,
    };
    Ok(BudgetArg::Points { points, window })
}

/// `--rate N`: mutating requests a minute, at least 1.
pub fn parse_rate(text: &str) -> Result<u32, String> {
    match text.trim().parse::<u32>() {
        Ok(0) => Err(
            "0 would never delete: give at least 1 mutating request a minute, or \
                      leave --rate out to go as fast as the request budget allows"
                .to_string(),
        ),
        Ok(rate) => Ok(rate),
        Err(_) => Err(format!(
            "{text:?} is not a whole number of mutating requests a minute (e.g. 60 for one a \
             second)"
        )),
    }
}

/// The budget every request of the run is paced by: GitHub's limits
/// (default) or `budget`'s points per window, and with `rate`, at most that
/// many mutating requests a minute. A budget that is off cannot keep a
/// rate: asking for both is refused.
pub fn request_budget(
    budget: Option<BudgetArg>,
    rate: Option<u32>,
) -> Result<RequestBudget, String> {
    let mut paced = match budget {
        None => RequestBudget::default(),
        Some(BudgetArg::Off) if rate.is_some() => {
            return Err(
                "--rate paces requests: it cannot be combined with --request-budget off"
                    .to_string(),
            );
        }
        Some(BudgetArg::Off) => return Ok(RequestBudget::off()),
        Some(BudgetArg::Points { points, window }) => {
            RequestBudget::default().points(points, window)
        }
    };
    if let Some(per_minute) = rate.filter(|rate| *rate > 0) {
        paced = paced.min_write_interval(Duration::from_secs(60) / per_minute);
    }
    Ok(paced)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_parse() {
        let points = |points, window| Ok(BudgetArg::Points { points, window });
        assert_eq!(
            parse_budget("900/60s"),
            points(900, Duration::from_secs(60))
        );
        assert_eq!(
            parse_budget(" 450 / 1m "),
            points(450, Duration::from_secs(60))
        );
        assert_eq!(
            parse_budget("2000/500ms"),
            points(2000, Duration::from_millis(500))
        );
        assert_eq!(parse_budget("OFF"), Ok(BudgetArg::Off));
        for (bad, says) in [
            ("900", "no '/'"),
            ("many/60s", "not a number of points"),
            ("-1/60s", "not a number of points"),
            ("900/60", "without a unit"),
            ("900/fast", "window"),
            ("900/1.5ms", "not a window"),
        ] {
            let error = parse_budget(bad).unwrap_err();
            assert!(error.contains(says), "{bad}: {error}");
        }
    }

    #[test]
    fn a_rate_is_a_positive_whole_number() {
        assert_eq!(parse_rate("60"), Ok(60));
        assert!(parse_rate("0").unwrap_err().contains("never delete"));
        assert!(parse_rate("1.5").unwrap_err().contains("whole number"));
        assert!(parse_rate("-3").unwrap_err().contains("whole number"));
    }

    #[test]
    fn rate_and_budget_make_the_clients_budget() {
        assert_eq!(
            request_budget(None, None).unwrap(),
            RequestBudget::default()
        );
        assert_eq!(
            request_budget(None, Some(60)).unwrap(),
            RequestBudget::default().min_write_interval(Duration::from_secs(1))
        );
        let scaled = BudgetArg::Points {
            points: 2000,
            window: Duration::from_secs(1),
        };
        assert_eq!(
            request_budget(Some(scaled), Some(600)).unwrap(),
            RequestBudget::default()
                .points(2000, Duration::from_secs(1))
                .min_write_interval(Duration::from_millis(100))
        );
        assert!(request_budget(Some(BudgetArg::Off), None).unwrap().is_off());
        let refused = request_budget(Some(BudgetArg::Off), Some(60)).unwrap_err();
        assert!(refused.contains("--rate"), "{refused}");
    }
}
