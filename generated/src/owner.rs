//! One API for the three owners of packages: an organization, a user, and
//! the authenticated user. GitHub has a near-identical family of operations
//! for each; the methods here pick the right generated one.

use std::fmt;
use std::str::FromStr;

use progenitor_client::ResponseValue;

use crate::Client;
use crate::call::{Call, Failure};
use crate::error::Error;
use crate::path::{check_package_type, check_path_segment, check_version_id};
use crate::types::{Package, PackageType, PackageVersion};

/// Who owns a package.
///
/// `Display` and `FromStr` use `org:NAME`, `user:NAME` and `@me`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Owner {
    /// An organization, by login.
    Org(String),
    /// A user, by login (for the token's own account, prefer
    /// [`Owner::AuthenticatedUser`], which also sees private packages).
    User(String),
    /// The user the token belongs to.
    AuthenticatedUser,
}

impl Owner {
    /// An organization, by login.
    pub fn org(login: impl Into<String>) -> Self {
        Owner::Org(login.into())
    }

    /// A user, by login.
    pub fn user(login: impl Into<String>) -> Self {
        Owner::User(login.into())
    }

    /// `org`, `user` or `me`: the owner's kind, as a stable word for files
    /// and JSON (with [`login`](Self::login), see [`from_kind`](Self::from_kind)).
    pub fn kind(&self) -> &'static str {
        match self {
            Owner::Org(_) => "org",
            Owner::User(_) => "user",
            Owner::AuthenticatedUser => "me",
        }
    }

    /// The login of an organization or user; `None` for the authenticated
    /// user.
    pub fn login(&self) -> Option<&str> {
        match self {
            Owner::Org(login) | Owner::User(login) => Some(login),
            Owner::AuthenticatedUser => None,
        }
    }

    /// Whether both name the same account: GitHub's logins are
    /// case-insensitive, so `org:Octo-Org` and `org:octo-org` are one
    /// organization. [`Owner::AuthenticatedUser`] is only the same as
    /// itself: which user it is, only GitHub knows.
    ///
    /// ```
    /// use github_packages::Owner;
    ///
    /// assert!(Owner::org("Octo-Org").same_account(&Owner::org("octo-org")));
    /// assert!(!Owner::org("octo").same_account(&Owner::user("octo")));
    /// assert!(!Owner::AuthenticatedUser.same_account(&Owner::user("octocat")));
    /// ```
    pub fn same_account(&self, other: &Owner) -> bool {
        match (self, other) {
            (Owner::Org(a), Owner::Org(b)) | (Owner::User(a), Owner::User(b)) => {
                a.eq_ignore_ascii_case(b)
            }
            (Owner::AuthenticatedUser, Owner::AuthenticatedUser) => true,
            _ => false,
        }
    }

    /// Whether GitHub lists this owner's deleted versions: it has no state
    /// filter for another user's packages (only for an organization's and
    /// the authenticated user's).
    ///
    /// ```
    /// use github_packages::Owner;
    ///
    /// assert!(Owner::org("octo-org").lists_deleted_versions());
    /// assert!(!Owner::user("octocat").lists_deleted_versions());
    /// ```
    pub fn lists_deleted_versions(&self) -> bool {
        !matches!(self, Owner::User(_))
    }

    /// The owner a [`kind`](Self::kind) and a login name: `org` and `user`
    /// need a login, `me` ignores one. The login is checked like every path
    /// parameter.
    ///
    /// ```
    /// use github_packages::Owner;
    ///
    /// let owner = Owner::org("octo-org");
    /// assert_eq!(Owner::from_kind(owner.kind(), owner.login())?, owner);
    /// assert_eq!(Owner::from_kind("me", Some("@me"))?, Owner::AuthenticatedUser);
    /// assert!(Owner::from_kind("team", Some("x")).is_err());
    /// # Ok::<(), github_packages::Error>(())
    /// ```
    pub fn from_kind(kind: &str, login: Option<&str>) -> Result<Owner, Error> {
        let owner = match (kind, login) {
            ("org", Some(login)) => Owner::org(login),
            ("user", Some(login)) => Owner::user(login),
            ("me", _) => Owner::AuthenticatedUser,
            _ => {
                return Err(Error::invalid_parameter(
                    "owner",
                    &format!("{kind} {}", login.unwrap_or("(no login)")),
                    "expected the kind `org` or `user` with a login, or `me`",
                ));
            }
        };
        owner.check()?;
        Ok(owner)
    }

    /// Refuses a login that would change the requested path.
    pub(crate) fn check(&self) -> Result<(), Error> {
        match self {
            Owner::Org(login) => check_path_segment("org", login),
            Owner::User(login) => check_path_segment("username", login),
            Owner::AuthenticatedUser => Ok(()),
        }
    }
}

impl fmt::Display for Owner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Owner::Org(login) => write!(f, "org:{login}"),
            Owner::User(login) => write!(f, "user:{login}"),
            Owner::AuthenticatedUser => f.write_str("@me"),
        }
    }
}

impl FromStr for Owner {
    type Err = Error;

    /// Parses `org:NAME`, `user:NAME` or `@me`.
    fn from_str(text: &str) -> Result<Self, Error> {
        let owner = if text == "@me" {
            Owner::AuthenticatedUser
        } else if let Some(login) = text.strip_prefix("org:") {
            Owner::org(login)
        } else if let Some(login) = text.strip_prefix("user:") {
            Owner::user(login)
        } else {
            return Err(Error::invalid_parameter(
                "owner",
                text,
                "expected `org:NAME`, `user:NAME` or `@me`",
            ));
        };
        owner.check()?;
        Ok(owner)
    }
}

/// Turns a generated operation's result into this crate's.
pub(crate) async fn finish<T>(
    call: Call,
    result: Result<ResponseValue<T>, Failure>,
) -> Result<T, Error> {
    match result {
        Ok(value) => Ok(value.into_inner()),
        Err(failure) => Err(Error::from_failure(call, failure).await),
    }
}

/// Sends the generated operation of `owner`'s family (`$org`, `$user` or
/// `$me`, whose names are also the operation ids), with the owner's path
/// parameter set and the arm's `|request| …` applied to the builder, and
/// hands `$finish` the [`Call`] (`Call::$call`) and the result.
///
/// The short form applies the same `|request| …` to all three families.
macro_rules! per_owner {
    (
        $owner:expr, $client:expr, $finish:path, $call:ident $(($method:literal))?,
        org: $org:ident |$org_request:ident| $org_rest:expr,
        user: $user:ident |$user_request:ident| $user_rest:expr,
        me: $me:ident |$me_request:ident| $me_rest:expr $(,)?
    ) => {
        match $owner {
            $crate::owner::Owner::Org(org) => {
                let $org_request = $client.$org().org(org);
                let call = $crate::call::Call::$call(stringify!($org) $(, $method)?);
                $finish(call, $crate::call::send($org_rest.send()).await).await
            }
            $crate::owner::Owner::User(username) => {
                let $user_request = $client.$user().username(username);
                let call = $crate::call::Call::$call(stringify!($user) $(, $method)?);
                $finish(call, $crate::call::send($user_rest.send()).await).await
            }
            $crate::owner::Owner::AuthenticatedUser => {
                let $me_request = $client.$me();
                let call = $crate::call::Call::$call(stringify!($me) $(, $method)?);
                $finish(call, $crate::call::send($me_rest.send()).await).await
            }
        }
    };
    (
        $owner:expr, $client:expr, $finish:path, $call:ident $(($method:literal))?,
        [$org:ident, $user:ident, $me:ident],
        |$request:ident| $rest:expr $(,)?
    ) => {
        per_owner!(
            $owner, $client, $finish, $call $(($method))?,
            org: $org |$request| $rest,
            user: $user |$request| $rest,
            me: $me |$request| $rest,
        )
    };
}
pub(crate) use per_owner;

/// Refuses an owner, package type or package name that would change the
/// requested path.
pub(crate) fn check_package(
    owner: &Owner,
    package_type: &PackageType,
    package_name: &str,
) -> Result<(), Error> {
    owner.check()?;
    check_package_type(package_type)?;
    check_path_segment("package_name", package_name)
}

impl Client {
    /// One package.
    pub async fn package(
        &self,
        owner: &Owner,
        package_type: PackageType,
        package_name: &str,
    ) -> Result<Package, Error> {
        check_package(owner, &package_type, package_name)?;
        per_owner!(
            owner,
            self,
            finish,
            read,
            [
                get_package_for_organization,
                get_package_for_user,
                get_package_for_authenticated_user
            ],
            |request| request
                .package_type(package_type)
                .package_name(package_name)
        )
    }

    /// One version of a package.
    pub async fn version(
        &self,
        owner: &Owner,
        package_type: PackageType,
        package_name: &str,
        version_id: i64,
    ) -> Result<PackageVersion, Error> {
        check_package(owner, &package_type, package_name)?;
        check_version_id(version_id)?;
        per_owner!(
            owner,
            self,
            finish,
            read,
            [
                get_package_version_for_organization,
                get_package_version_for_user,
                get_package_version_for_authenticated_user
            ],
            |request| request
                .package_type(package_type)
                .package_name(package_name)
                .package_version_id(version_id)
        )
    }

    /// Deletes a whole package. Not retried once sent unless GitHub's answer
    /// proves it was not carried out; see [`Error::is_outcome_unknown`].
    pub async fn delete_package(
        &self,
        owner: &Owner,
        package_type: PackageType,
        package_name: &str,
    ) -> Result<(), Error> {
        check_package(owner, &package_type, package_name)?;
        per_owner!(
            owner,
            self,
            finish,
            write("DELETE"),
            [
                delete_package_for_org,
                delete_package_for_user,
                delete_package_for_authenticated_user
            ],
            |request| request
                .package_type(package_type)
                .package_name(package_name)
        )
    }

    /// Restores a package deleted within the last 30 days.
    pub async fn restore_package(
        &self,
        owner: &Owner,
        package_type: PackageType,
        package_name: &str,
    ) -> Result<(), Error> {
        check_package(owner, &package_type, package_name)?;
        per_owner!(
            owner,
            self,
            finish,
            write("POST"),
            [
                restore_package_for_org,
                restore_package_for_user,
                restore_package_for_authenticated_user
            ],
            |request| request
                .package_type(package_type)
                .package_name(package_name)
        )
    }

    /// Deletes one version. Not retried once sent unless GitHub's answer
    /// proves it was not carried out; see [`Error::is_outcome_unknown`].
    pub async fn delete_version(
        &self,
        owner: &Owner,
        package_type: PackageType,
        package_name: &str,
        version_id: i64,
    ) -> Result<(), Error> {
        check_package(owner, &package_type, package_name)?;
        check_version_id(version_id)?;
        per_owner!(
            owner,
            self,
            finish,
            write("DELETE"),
            [
                delete_package_version_for_org,
                delete_package_version_for_user,
                delete_package_version_for_authenticated_user
            ],
            |request| request
                .package_type(package_type)
                .package_name(package_name)
                .package_version_id(version_id)
        )
    }

    /// Restores a version deleted within the last 30 days.
    pub async fn restore_version(
        &self,
        owner: &Owner,
        package_type: PackageType,
        package_name: &str,
        version_id: i64,
    ) -> Result<(), Error> {
        check_package(owner, &package_type, package_name)?;
        check_version_id(version_id)?;
        per_owner!(
            owner,
            self,
            finish,
            write("POST"),
            [
                restore_package_version_for_org,
                restore_package_version_for_user,
                restore_package_version_for_authenticated_user
            ],
            |request| request
                .package_type(package_type)
                .package_name(package_name)
                .package_version_id(version_id)
        )
    }

    /// Packages that hit a conflict while being migrated from the Docker
    /// registry to the Container registry.
    pub async fn docker_conflicts(&self, owner: &Owner) -> Result<Vec<Package>, Error> {
        owner.check()?;
        per_owner!(
            owner,
            self,
            finish,
            read,
            [
                list_docker_migration_conflicting_packages_for_organization,
                list_docker_migration_conflicting_packages_for_user,
                list_docker_migration_conflicting_packages_for_authenticated_user
            ],
            |request| request
        )
    }
}
