//! Checks on path parameters before a request is built.
//!
//! The generated code percent-encodes every path parameter exactly once
//! (`/`, `%`, `?`, `#`, spaces and non-ASCII included), so `repo/image`
//! reaches GitHub as `repo%2Fimage`. What encoding cannot protect against
//! is a segment that URL parsing itself rewrites: `.` and `..` are removed
//! or walk up the path, and an empty segment turns `/orgs/{org}/packages`
//! into another endpoint. Those values are refused here, before anything
//! is sent.

use crate::error::Error;

/// Refuses a path parameter that would change which URL is requested.
pub(crate) fn check_segment(parameter: &'static str, value: &str) -> Result<(), Error> {
    let problem = match value {
        "" => "must not be empty",
        "." | ".." => "must not be `.` or `..`, which would change the requested path",
        _ => return Ok(()),
    };
    Err(Error::invalid_parameter(parameter, value, problem))
}

/// Refuses a version id GitHub cannot have issued.
pub(crate) fn check_version_id(value: i64) -> Result<(), Error> {
    if value > 0 {
        Ok(())
    } else {
        Err(Error::invalid_parameter(
            "package_version_id",
            &value.to_string(),
            "must be a positive number",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_segments_that_rewrite_the_path() {
        for bad in ["", ".", ".."] {
            let error = check_segment("package_name", bad).unwrap_err();
            assert!(error.to_string().contains("package_name"), "{error}");
        }
        for good in [
            "repo/image",
            "a b",
            "x%y",
            "q?#",
            "ünïcødé",
            "...",
            ".hidden",
        ] {
            check_segment("package_name", good).unwrap();
        }
    }
}
