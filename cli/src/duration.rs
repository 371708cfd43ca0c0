//! Ages on the command line: `30d`, `12h`, `2w`, `1d12h`.
//!
//! A dozen lines of our own instead of a dependency: the accepted forms are
//! few, and the error message can say exactly what was expected.

use chrono::TimeDelta;

const EXPECTED: &str = "expected a number followed by s, m, h, d or w, e.g. 30d, 12h or 1d12h";

/// Parses an age such as `30d` or `1d12h` (units: s, m, h, d, w).
pub fn parse_age(text: &str) -> Result<TimeDelta, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(format!("empty duration: {EXPECTED}"));
    }
    let mut total: i64 = 0;
    let mut digits = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let seconds_per_unit: i64 = match c {
            's' => 1,
            'm' => 60,
            'h' => 3_600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return Err(format!("unknown unit '{c}': {EXPECTED}")),
        };
        if digits.is_empty() {
            return Err(format!("unit '{c}' without a number: {EXPECTED}"));
        }
        let amount: i64 = digits
            .parse()
            .map_err(|_| "duration too large".to_string())?;
        total = amount
            .checked_mul(seconds_per_unit)
            .and_then(|part| total.checked_add(part))
            .filter(|total| *total <= TimeDelta::MAX.num_seconds())
            .ok_or_else(|| "duration too large".to_string())?;
        digits.clear();
    }
    if !digits.is_empty() {
        return Err(format!("number '{digits}' without a unit: {EXPECTED}"));
    }
    Ok(TimeDelta::seconds(total))
}

/// Formats an age compactly for people: `45d`, `3h`, `12m`, `40s`.
pub fn format_age(age: TimeDelta) -> String {
    let seconds = age.num_seconds();
    if seconds < 0 {
        return "in the future".to_string();
    }
    if seconds >= 86_400 {
        format!("{}d", seconds / 86_400)
    } else if seconds >= 3_600 {
        format!("{}h", seconds / 3_600)
    } else if seconds >= 60 {
        format!("{}m", seconds / 60)
    } else {
        format!("{seconds}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_single_and_combined_units() {
        assert_eq!(parse_age("30d").unwrap(), TimeDelta::days(30));
        assert_eq!(parse_age("12h").unwrap(), TimeDelta::hours(12));
        assert_eq!(parse_age("2w").unwrap(), TimeDelta::weeks(2));
        assert_eq!(parse_age("90s").unwrap(), TimeDelta::seconds(90));
        assert_eq!(parse_age("15m").unwrap(), TimeDelta::minutes(15));
        assert_eq!(
            parse_age("1d12h").unwrap(),
            TimeDelta::days(1) + TimeDelta::hours(12)
        );
        assert_eq!(parse_age("0d").unwrap(), TimeDelta::zero());
    }

    #[test]
    fn rejects_what_it_cannot_read() {
        for bad in [
            "",
            "30",
            "d",
            "30x",
            "1.5d",
            "-3d",
            "30 d",
            "99999999999999999999d",
        ] {
            let error = parse_age(bad).unwrap_err();
            assert!(!error.contains('\n'), "{bad}: {error}");
        }
        assert!(parse_age("30").unwrap_err().contains("without a unit"));
        assert!(parse_age("3y").unwrap_err().contains("unknown unit 'y'"));
        assert!(
            parse_age("9999999999999999w")
                .unwrap_err()
                .contains("too large")
        );
    }

    #[test]
    fn formats_ages_compactly() {
        assert_eq!(format_age(TimeDelta::days(45)), "45d");
        assert_eq!(format_age(TimeDelta::days(1)), "1d");
        assert_eq!(format_age(TimeDelta::hours(30)), "1d");
        assert_eq!(format_age(TimeDelta::hours(23)), "23h");
        assert_eq!(format_age(TimeDelta::minutes(5)), "5m");
        assert_eq!(format_age(TimeDelta::seconds(7)), "7s");
        assert_eq!(format_age(TimeDelta::seconds(-7)), "in the future");
    }
}
