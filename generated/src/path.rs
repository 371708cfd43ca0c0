//! Checks on path parameters before a request is built.
//!
//! The generated code percent-encodes every path parameter exactly once
//! (`/`, `%`, `?`, `#`, spaces, control characters and non-ASCII included),
//! so `repo/image` reaches GitHub as `repo%2Fimage`. What that encoding does
//! not protect against is a segment that URL parsing itself rewrites:
//!
//! - `.` and `..` are removed or walk up the path;
//! - `\` is left unencoded, and the URL parser reads it as `/` in `http`
//!   and `https` URLs, so `a\..\..` walks up two segments;
//! - an empty segment turns `/orgs/{org}/packages` into another endpoint.
//!
//! Those values, and ASCII control characters (which no GitHub name
//! contains), are refused here, before anything is sent, in every path
//! parameter: logins, package names and the package type (an
//! `Unknown("..")` package type is a path segment too).

use crate::error::Error;
use crate::types::PackageType;

/// Refuses a path parameter (a login, a package name) that would change
/// which URL is requested: empty, `.`, `..`, a `\` or a control character.
/// Every hand-written method checks its parameters with it; it is public so
/// that a program can refuse such a value as early as it reads it.
///
/// ```
/// use github_packages::{ErrorKind, check_path_segment};
///
/// assert!(check_path_segment("package_name", "repo/image").is_ok());
/// let error = check_path_segment("package_name", "..").unwrap_err();
/// assert!(matches!(error.kind(), ErrorKind::InvalidParameter { .. }));
/// ```
pub fn check_path_segment(parameter: &'static str, value: &str) -> Result<(), Error> {
    let problem = match value {
        "" => "must not be empty",
        "." | ".." => "must not be `.` or `..`, which would change the requested path",
        _ if value.contains('\\') => {
            "must not contain `\\`, which URLs read as `/` and which would change the requested path"
        }
        _ if value.chars().any(|c| c.is_ascii_control()) => "must not contain control characters",
        _ => return Ok(()),
    };
    Err(Error::invalid_parameter(parameter, value, problem))
}

/// Refuses a package type that would change the requested path (only an
/// `Unknown` one can).
pub(crate) fn check_package_type(package_type: &PackageType) -> Result<(), Error> {
    check_path_segment("package_type", package_type.as_str())
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
        for bad in [
            "",
            ".",
            "..",
            r"a\..\..",
            r"..\..\user\packages\npm\victim",
            r"\",
            "a\nb",
            "tab\there",
            "nul\0",
            "del\x7f",
        ] {
            let error = check_path_segment("package_name", bad).unwrap_err();
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
            "a..b",
        ] {
            check_path_segment("package_name", good).unwrap();
        }
    }

    #[test]
    fn refuses_package_types_that_rewrite_the_path() {
        for known in PackageType::KNOWN {
            check_package_type(known).unwrap();
        }
        check_package_type(&PackageType::Unknown("cargo".into())).unwrap();
        for bad in ["..", ".", "", r"a\b"] {
            let error = check_package_type(&PackageType::Unknown(bad.into())).unwrap_err();
            assert!(error.to_string().contains("package_type"), "{error}");
        }
    }
}
