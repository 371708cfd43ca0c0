//! Maps a raw request path and method to one of the API's 27 operations,
//! and reads query parameters.
//!
//! Paths are split on `/` while still percent-encoded, and each segment is
//! decoded once: `repo%2Fimage` is the single segment `repo/image`, and
//! `x%25y` is `x%y`.

use percent_encoding::percent_decode_str;

/// Whose packages a path names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum OwnerRef {
    /// `/orgs/{org}/...`
    Org(String),
    /// `/users/{username}/...`
    User(String),
    /// `/user/...`
    AuthenticatedUser,
}

/// `{package_type}/{package_name}` of a path, decoded but not yet validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PackagePath {
    pub(crate) package_type: String,
    pub(crate) name: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Resource {
    DockerConflicts,
    PackageList,
    Package(PackagePath),
    PackageRestore(PackagePath),
    VersionList(PackagePath),
    Version(PackagePath, i64),
    VersionRestore(PackagePath, i64),
}

/// What an operation does, which decides the scopes it needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    Read,
    Delete,
    Restore,
}

impl Action {
    /// The value of `x-accepted-oauth-scopes`.
    pub(crate) fn accepted_scopes(self) -> &'static str {
        match self {
            Action::Read => "read:packages",
            Action::Delete => "delete:packages, read:packages",
            Action::Restore => "read:packages, write:packages",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Route {
    pub(crate) owner: OwnerRef,
    pub(crate) resource: Resource,
    pub(crate) action: Action,
}

/// The operation for `method` on `raw_path`, or `None` (GitHub: 404).
pub(crate) fn route(method: &str, raw_path: &str) -> Option<Route> {
    let segments: Vec<String> = raw_path
        .strip_prefix('/')?
        .split('/')
        .map(decode)
        .collect::<Option<_>>()?;
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let (owner, rest) = match segments.as_slice() {
        ["orgs", org, rest @ ..] if !org.is_empty() => (OwnerRef::Org(org.to_string()), rest),
        ["users", user, rest @ ..] if !user.is_empty() => (OwnerRef::User(user.to_string()), rest),
        ["user", rest @ ..] => (OwnerRef::AuthenticatedUser, rest),
        _ => return None,
    };
    let package = |package_type: &str, name: &str| PackagePath {
        package_type: package_type.to_string(),
        name: name.to_string(),
    };
    let resource = match rest {
        ["docker", "conflicts"] => Resource::DockerConflicts,
        ["packages"] => Resource::PackageList,
        ["packages", package_type, name] => Resource::Package(package(package_type, name)),
        ["packages", package_type, name, "restore"] => {
            Resource::PackageRestore(package(package_type, name))
        }
        ["packages", package_type, name, "versions"] => {
            Resource::VersionList(package(package_type, name))
        }
        ["packages", package_type, name, "versions", id] => {
            Resource::Version(package(package_type, name), id.parse().ok()?)
        }
        ["packages", package_type, name, "versions", id, "restore"] => {
            Resource::VersionRestore(package(package_type, name), id.parse().ok()?)
        }
        _ => return None,
    };
    if let Resource::Package(path)
    | Resource::PackageRestore(path)
    | Resource::VersionList(path)
    | Resource::Version(path, _)
    | Resource::VersionRestore(path, _) = &resource
        && path.name.is_empty()
    {
        return None;
    }
    let action = match (method, &resource) {
        (
            "GET" | "HEAD",
            Resource::DockerConflicts
            | Resource::PackageList
            | Resource::Package(_)
            | Resource::VersionList(_)
            | Resource::Version(..),
        ) => Action::Read,
        ("DELETE", Resource::Package(_) | Resource::Version(..)) => Action::Delete,
        ("POST", Resource::PackageRestore(_) | Resource::VersionRestore(..)) => Action::Restore,
        _ => return None,
    };
    Some(Route {
        owner,
        resource,
        action,
    })
}

fn decode(segment: &str) -> Option<String> {
    percent_decode_str(segment)
        .decode_utf8()
        .ok()
        .map(|decoded| decoded.into_owned())
}

/// A raw query string, split into `key=value` pairs but kept encoded.
pub(crate) struct Query<'a> {
    pairs: Vec<(&'a str, Option<&'a str>)>,
}

impl<'a> Query<'a> {
    pub(crate) fn parse(raw: Option<&'a str>) -> Query<'a> {
        let pairs = raw
            .unwrap_or("")
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| match pair.split_once('=') {
                Some((key, value)) => (key, Some(value)),
                None => (pair, None),
            })
            .collect();
        Query { pairs }
    }

    /// The decoded value of the first `key` parameter (`+` means a space).
    pub(crate) fn get(&self, key: &str) -> Option<String> {
        self.pairs
            .iter()
            .find(|(raw_key, _)| decode(raw_key).as_deref() == Some(key))
            .map(|(_, value)| {
                let value = value.unwrap_or("").replace('+', " ");
                decode(&value).unwrap_or(value)
            })
    }

    /// The query again with `key` set to `value`: the first `key` keeps its
    /// place, later ones are dropped, and a missing `key` goes last. Other
    /// parameters are kept as sent.
    pub(crate) fn with(&self, key: &str, value: &str) -> String {
        let mut parts = Vec::with_capacity(self.pairs.len() + 1);
        let mut replaced = false;
        for (raw_key, raw_value) in &self.pairs {
            if decode(raw_key).as_deref() == Some(key) {
                if !replaced {
                    parts.push(format!("{key}={value}"));
                    replaced = true;
                }
            } else {
                match raw_value {
                    Some(raw_value) => parts.push(format!("{raw_key}={raw_value}")),
                    None => parts.push(raw_key.to_string()),
                }
            }
        }
        if !replaced {
            parts.push(format!("{key}={value}"));
        }
        parts.join("&")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(package_type: &str, name: &str) -> PackagePath {
        PackagePath {
            package_type: package_type.into(),
            name: name.into(),
        }
    }

    #[test]
    fn routes_all_operations() {
        let cases = [
            (
                "GET",
                "/orgs/o/docker/conflicts",
                Resource::DockerConflicts,
                Action::Read,
            ),
            ("GET", "/user/packages", Resource::PackageList, Action::Read),
            (
                "GET",
                "/users/u/packages/npm/p",
                Resource::Package(package("npm", "p")),
                Action::Read,
            ),
            (
                "DELETE",
                "/users/u/packages/npm/p",
                Resource::Package(package("npm", "p")),
                Action::Delete,
            ),
            (
                "POST",
                "/orgs/o/packages/npm/p/restore",
                Resource::PackageRestore(package("npm", "p")),
                Action::Restore,
            ),
            (
                "GET",
                "/orgs/o/packages/npm/p/versions",
                Resource::VersionList(package("npm", "p")),
                Action::Read,
            ),
            (
                "DELETE",
                "/user/packages/npm/p/versions/12",
                Resource::Version(package("npm", "p"), 12),
                Action::Delete,
            ),
            (
                "POST",
                "/user/packages/npm/p/versions/12/restore",
                Resource::VersionRestore(package("npm", "p"), 12),
                Action::Restore,
            ),
        ];
        for (method, path, resource, action) in cases {
            let route = route(method, path).unwrap_or_else(|| panic!("{method} {path}"));
            assert_eq!(
                (route.resource, route.action),
                (resource, action),
                "{method} {path}"
            );
        }
    }

    #[test]
    fn decodes_each_segment_once() {
        let route = route("GET", "/orgs/my%20org/packages/container/repo%2Fx%25y").unwrap();
        assert_eq!(route.owner, OwnerRef::Org("my org".into()));
        assert_eq!(
            route.resource,
            Resource::Package(package("container", "repo/x%y"))
        );
    }

    #[test]
    fn rejects_unknown_shapes() {
        for (method, path) in [
            ("GET", "/orgs/o/packages/container/repo/image"),
            ("PUT", "/orgs/o/packages/npm/p"),
            ("POST", "/orgs/o/packages/npm/p"),
            ("GET", "/orgs/o/packages/npm/p/restore"),
            ("GET", "/orgs/o/packages/npm/p/versions/abc"),
            ("GET", "/orgs//packages"),
            ("GET", "/orgs/o/packages/npm/"),
            ("GET", "/repos/o/r"),
            ("GET", "/orgs/o/packages/npm/%FF"),
        ] {
            assert_eq!(route(method, path), None, "{method} {path}");
        }
    }

    #[test]
    fn query_get_and_with() {
        let query = Query::parse(Some(
            "package_type=npm&per_page=5&page=2&x&visibility=a%20b+c",
        ));
        assert_eq!(query.get("per_page").as_deref(), Some("5"));
        assert_eq!(query.get("visibility").as_deref(), Some("a b c"));
        assert_eq!(query.get("x").as_deref(), Some(""));
        assert_eq!(query.get("state"), None);
        assert_eq!(
            query.with("page", "3"),
            "package_type=npm&per_page=5&page=3&x&visibility=a%20b+c"
        );
        assert_eq!(
            Query::parse(Some("per_page=100")).with("page", "2"),
            "per_page=100&page=2"
        );
        assert_eq!(Query::parse(None).with("page", "2"), "page=2");
        assert_eq!(
            Query::parse(Some("page=1&page=9")).with("page", "2"),
            "page=2"
        );
    }
}
