//! Where a container registry is and what it calls a package: the
//! registry URL (checked like the API's base URL), the one that goes with
//! a REST API root, and repository names.

use reqwest::Url;

use github_packages::check_base_url;

/// GitHub.com's container registry.
pub const DEFAULT_REGISTRY_URL: &str = "https://ghcr.io";

/// The repository name of a package on GitHub's registry:
/// `owner/package`, lower-cased as ghcr.io names them.
pub fn repository(owner_login: &str, package_name: &str) -> String {
    format!("{owner_login}/{package_name}").to_ascii_lowercase()
}

/// A repository name as the OCI distribution spec allows: lower-case
/// components of letters and digits joined by `.`, `_` or `-`, separated by
/// `/`. Anything else could change the requested path.
pub(crate) fn check_repository(repository: &str) -> Result<(), String> {
    let valid_component = |component: &str| {
        let bytes = component.as_bytes();
        !bytes.is_empty()
            && bytes.first().is_some_and(u8::is_ascii_alphanumeric)
            && bytes.last().is_some_and(u8::is_ascii_alphanumeric)
            && bytes.iter().all(|&byte| {
                byte.is_ascii_digit() || byte.is_ascii_lowercase() || b"._-".contains(&byte)
            })
    };
    if repository.split('/').count() >= 2 && repository.split('/').all(valid_component) {
        Ok(())
    } else {
        Err(format!(
            "{repository:?} is not a registry repository name (owner/name, lower-case letters, \
             digits, `.`, `_`, `-`)"
        ))
    }
}

/// Checks the registry URL with the base URL's rules ([`check_base_url`]:
/// `https`, plain `http` only for a loopback host, no credentials, query or
/// fragment), and that it is the registry's root: the `/v2/` paths follow
/// the host. Never echoes more than scheme and host.
pub(crate) fn normalize_registry_url(raw: &str) -> Result<Url, String> {
    let checked = check_base_url(raw).map_err(|broken| format!("the registry URL {broken}"))?;
    let url = Url::parse(&checked)
        .map_err(|error| format!("the registry URL is not a valid URL ({error})"))?;
    if url.path() != "/" {
        return Err(format!(
            "the registry URL ({}://{}…) must be the registry's root, without a path (e.g. \
             {DEFAULT_REGISTRY_URL})",
            url.scheme(),
            url.host_str().unwrap_or_default()
        ));
    }
    Ok(url)
}

/// The registry that goes with a REST API base URL: ghcr.io for GitHub.com,
/// `https://containers.HOST` for GitHub Enterprise Server's
/// `https://HOST/api/v3` (its container registry needs subdomain
/// isolation). `None` for any other base URL: then the registry must be
/// given.
///
/// ```
/// use github_packages_oci::registry::registry_url_for;
///
/// assert_eq!(registry_url_for("https://api.github.com").as_deref(), Some("https://ghcr.io"));
/// assert_eq!(
///     registry_url_for("https://github.example.com/api/v3/").as_deref(),
///     Some("https://containers.github.example.com")
/// );
/// assert_eq!(registry_url_for("http://127.0.0.1:8080"), None);
/// ```
pub fn registry_url_for(api_base_url: &str) -> Option<String> {
    let url = Url::parse(api_base_url.trim()).ok()?;
    let host = url.host_str()?;
    if host.eq_ignore_ascii_case("api.github.com") {
        return Some(DEFAULT_REGISTRY_URL.to_string());
    }
    let path = url.path().trim_end_matches('/');
    (url.scheme() == "https" && path == "/api/v3").then(|| format!("https://containers.{host}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_urls() {
        assert_eq!(
            normalize_registry_url("https://ghcr.io/").unwrap().as_str(),
            "https://ghcr.io/"
        );
        normalize_registry_url("http://127.0.0.1:5000").unwrap();
        for (refused, secret) in [
            ("http://ghcr.io", ""),
            ("https://u:ghp_s1@ghcr.io", "ghp_s1"),
            ("https://ghcr.io/v2", ""),
            ("https://ghcr.io/?t=ghp_s2", "ghp_s2"),
            ("ftp://ghcr.io", ""),
        ] {
            let problem = normalize_registry_url(refused).unwrap_err();
            assert!(problem.contains("registry URL"), "{refused}: {problem}");
            if !secret.is_empty() {
                assert!(!problem.contains(secret), "{problem}");
            }
        }
    }

    #[test]
    fn repository_names() {
        assert_eq!(repository("Acme", "Repo/Image"), "acme/repo/image");
        check_repository("acme/app").unwrap();
        check_repository("acme/repo/my_image-1.2").unwrap();
        for bad in [
            "app",
            "acme/../x",
            "acme//x",
            "acme/x?y",
            "acme/-x",
            "Acme/x",
            "acme/x/",
        ] {
            assert!(check_repository(bad).is_err(), "{bad}");
        }
    }
}
