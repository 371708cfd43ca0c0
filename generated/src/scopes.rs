//! The token scopes package calls need: GitHub's rules for classic tokens,
//! read by the error hints and by anyone explaining a refusal. (A
//! fine-grained token or an app's token has no scopes.)

/// What a call does to packages, for the scopes it needs.
///
/// ```
/// use github_packages::PackageAccess;
///
/// assert_eq!(PackageAccess::Delete.scopes(), ["read:packages", "delete:packages"]);
/// assert_eq!(PackageAccess::Restore.scopes(), ["write:packages"]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PackageAccess {
    /// Listing and reading packages and versions.
    Read,
    /// Deleting a package or a version.
    Delete,
    /// Restoring a deleted package or version.
    Restore,
}

const READ: &str = "read:packages";
const DELETE: &str = "delete:packages";
const WRITE: &str = "write:packages";

impl PackageAccess {
    /// The scope that grants this access.
    pub const fn scope(self) -> &'static str {
        match self {
            PackageAccess::Read => READ,
            PackageAccess::Delete => DELETE,
            PackageAccess::Restore => WRITE,
        }
    }

    /// The scopes a classic token needs for this access: `write:packages`
    /// implies `read:packages`, `delete:packages` implies nothing, so
    /// deleting needs reading's scope too.
    pub const fn scopes(self) -> &'static [&'static str] {
        match self {
            PackageAccess::Read => &[READ],
            PackageAccess::Delete => &[READ, DELETE],
            PackageAccess::Restore => &[WRITE],
        }
    }
}

/// The scope a token also needs for packages in registries that only
/// support repository-scoped permissions.
pub const REPOSITORY_SCOPE: &str = "repo";

/// Whether the `held` scopes grant `scope`, directly or by implication.
pub(crate) fn grants(held: &[String], scope: &str) -> bool {
    // Only `write:packages` implies another scope (`read:packages`).
    let implied_by: &[&str] = if scope == READ { &[WRITE] } else { &[] };
    held.iter()
        .any(|held| held == scope || implied_by.contains(&held.as_str()))
}
