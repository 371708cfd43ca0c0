//! One API for the three owners of packages: an organization, a user, and
//! the authenticated user. GitHub has a near-identical family of operations
//! for each; the methods here pick the right generated one.

use std::fmt;
use std::str::FromStr;

use crate::Client;
use crate::error::{Call, Error, GeneratedError};
use crate::path::{check_segment, check_version_id};
use crate::retry::generated_cut_off;
use crate::types::{Package, PackageType, PackageVersion};
use progenitor_client::ResponseValue;

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

    /// Refuses a login that would change the requested path.
    pub(crate) fn check(&self) -> Result<(), Error> {
        match self {
            Owner::Org(login) => check_segment("org", login),
            Owner::User(login) => check_segment("username", login),
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
    result: Result<ResponseValue<T>, GeneratedError>,
) -> Result<T, Error> {
    match result {
        Ok(value) => Ok(value.into_inner()),
        Err(error) => Err(Error::from_generated(call, error).await),
    }
}

fn check_package(owner: &Owner, package_name: &str) -> Result<(), Error> {
    owner.check()?;
    check_segment("package_name", package_name)
}

impl Client {
    /// One package.
    pub async fn package(
        &self,
        owner: &Owner,
        package_type: PackageType,
        package_name: &str,
    ) -> Result<Package, Error> {
        check_package(owner, package_name)?;
        let this = self;
        let kind = || package_type.clone();
        match owner {
            Owner::Org(org) => {
                let operation = "get_package_for_organization";
                let result = self
                    .inner
                    .again_if_cut_off(operation, generated_cut_off, || {
                        this.get_package_for_organization()
                            .org(org)
                            .package_type(kind())
                            .package_name(package_name)
                            .send()
                    })
                    .await;
                finish(Call::read(operation), result).await
            }
            Owner::User(username) => {
                let operation = "get_package_for_user";
                let result = self
                    .inner
                    .again_if_cut_off(operation, generated_cut_off, || {
                        this.get_package_for_user()
                            .username(username)
                            .package_type(kind())
                            .package_name(package_name)
                            .send()
                    })
                    .await;
                finish(Call::read(operation), result).await
            }
            Owner::AuthenticatedUser => {
                let operation = "get_package_for_authenticated_user";
                let result = self
                    .inner
                    .again_if_cut_off(operation, generated_cut_off, || {
                        this.get_package_for_authenticated_user()
                            .package_type(kind())
                            .package_name(package_name)
                            .send()
                    })
                    .await;
                finish(Call::read(operation), result).await
            }
        }
    }

    /// One version of a package.
    pub async fn version(
        &self,
        owner: &Owner,
        package_type: PackageType,
        package_name: &str,
        version_id: i64,
    ) -> Result<PackageVersion, Error> {
        check_package(owner, package_name)?;
        check_version_id(version_id)?;
        let this = self;
        let kind = || package_type.clone();
        match owner {
            Owner::Org(org) => {
                let operation = "get_package_version_for_organization";
                let result = self
                    .inner
                    .again_if_cut_off(operation, generated_cut_off, || {
                        this.get_package_version_for_organization()
                            .org(org)
                            .package_type(kind())
                            .package_name(package_name)
                            .package_version_id(version_id)
                            .send()
                    })
                    .await;
                finish(Call::read(operation), result).await
            }
            Owner::User(username) => {
                let operation = "get_package_version_for_user";
                let result = self
                    .inner
                    .again_if_cut_off(operation, generated_cut_off, || {
                        this.get_package_version_for_user()
                            .username(username)
                            .package_type(kind())
                            .package_name(package_name)
                            .package_version_id(version_id)
                            .send()
                    })
                    .await;
                finish(Call::read(operation), result).await
            }
            Owner::AuthenticatedUser => {
                let operation = "get_package_version_for_authenticated_user";
                let result = self
                    .inner
                    .again_if_cut_off(operation, generated_cut_off, || {
                        this.get_package_version_for_authenticated_user()
                            .package_type(kind())
                            .package_name(package_name)
                            .package_version_id(version_id)
                            .send()
                    })
                    .await;
                finish(Call::read(operation), result).await
            }
        }
    }

    /// Deletes a whole package. Not retried once sent unless GitHub's answer
    /// proves it was not carried out; see [`Error::is_outcome_unknown`].
    pub async fn delete_package(
        &self,
        owner: &Owner,
        package_type: PackageType,
        package_name: &str,
    ) -> Result<(), Error> {
        check_package(owner, package_name)?;
        match owner {
            Owner::Org(org) => {
                let result = self
                    .delete_package_for_org()
                    .org(org)
                    .package_type(package_type)
                    .package_name(package_name)
                    .send()
                    .await;
                finish(Call::write("delete_package_for_org", "DELETE"), result).await
            }
            Owner::User(username) => {
                let result = self
                    .delete_package_for_user()
                    .username(username)
                    .package_type(package_type)
                    .package_name(package_name)
                    .send()
                    .await;
                finish(Call::write("delete_package_for_user", "DELETE"), result).await
            }
            Owner::AuthenticatedUser => {
                let result = self
                    .delete_package_for_authenticated_user()
                    .package_type(package_type)
                    .package_name(package_name)
                    .send()
                    .await;
                finish(
                    Call::write("delete_package_for_authenticated_user", "DELETE"),
                    result,
                )
                .await
            }
        }
    }

    /// Restores a package deleted within the last 30 days.
    pub async fn restore_package(
        &self,
        owner: &Owner,
        package_type: PackageType,
        package_name: &str,
    ) -> Result<(), Error> {
        check_package(owner, package_name)?;
        match owner {
            Owner::Org(org) => {
                let result = self
                    .restore_package_for_org()
                    .org(org)
                    .package_type(package_type)
                    .package_name(package_name)
                    .send()
                    .await;
                finish(Call::write("restore_package_for_org", "POST"), result).await
            }
            Owner::User(username) => {
                let result = self
                    .restore_package_for_user()
                    .username(username)
                    .package_type(package_type)
                    .package_name(package_name)
                    .send()
                    .await;
                finish(Call::write("restore_package_for_user", "POST"), result).await
            }
            Owner::AuthenticatedUser => {
                let result = self
                    .restore_package_for_authenticated_user()
                    .package_type(package_type)
                    .package_name(package_name)
                    .send()
                    .await;
                finish(
                    Call::write("restore_package_for_authenticated_user", "POST"),
                    result,
                )
                .await
            }
        }
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
        check_package(owner, package_name)?;
        check_version_id(version_id)?;
        match owner {
            Owner::Org(org) => {
                let result = self
                    .delete_package_version_for_org()
                    .org(org)
                    .package_type(package_type)
                    .package_name(package_name)
                    .package_version_id(version_id)
                    .send()
                    .await;
                finish(
                    Call::write("delete_package_version_for_org", "DELETE"),
                    result,
                )
                .await
            }
            Owner::User(username) => {
                let result = self
                    .delete_package_version_for_user()
                    .username(username)
                    .package_type(package_type)
                    .package_name(package_name)
                    .package_version_id(version_id)
                    .send()
                    .await;
                finish(
                    Call::write("delete_package_version_for_user", "DELETE"),
                    result,
                )
                .await
            }
            Owner::AuthenticatedUser => {
                let result = self
                    .delete_package_version_for_authenticated_user()
                    .package_type(package_type)
                    .package_name(package_name)
                    .package_version_id(version_id)
                    .send()
                    .await;
                finish(
                    Call::write("delete_package_version_for_authenticated_user", "DELETE"),
                    result,
                )
                .await
            }
        }
    }

    /// Restores a version deleted within the last 30 days.
    pub async fn restore_version(
        &self,
        owner: &Owner,
        package_type: PackageType,
        package_name: &str,
        version_id: i64,
    ) -> Result<(), Error> {
        check_package(owner, package_name)?;
        check_version_id(version_id)?;
        match owner {
            Owner::Org(org) => {
                let result = self
                    .restore_package_version_for_org()
                    .org(org)
                    .package_type(package_type)
                    .package_name(package_name)
                    .package_version_id(version_id)
                    .send()
                    .await;
                finish(
                    Call::write("restore_package_version_for_org", "POST"),
                    result,
                )
                .await
            }
            Owner::User(username) => {
                let result = self
                    .restore_package_version_for_user()
                    .username(username)
                    .package_type(package_type)
                    .package_name(package_name)
                    .package_version_id(version_id)
                    .send()
                    .await;
                finish(
                    Call::write("restore_package_version_for_user", "POST"),
                    result,
                )
                .await
            }
            Owner::AuthenticatedUser => {
                let result = self
                    .restore_package_version_for_authenticated_user()
                    .package_type(package_type)
                    .package_name(package_name)
                    .package_version_id(version_id)
                    .send()
                    .await;
                finish(
                    Call::write("restore_package_version_for_authenticated_user", "POST"),
                    result,
                )
                .await
            }
        }
    }

    /// Packages that hit a conflict while being migrated from the Docker
    /// registry to the Container registry.
    pub async fn docker_conflicts(&self, owner: &Owner) -> Result<Vec<Package>, Error> {
        owner.check()?;
        let this = self;
        match owner {
            Owner::Org(org) => {
                let operation = "list_docker_migration_conflicting_packages_for_organization";
                let result = self
                    .inner
                    .again_if_cut_off(operation, generated_cut_off, || {
                        this.list_docker_migration_conflicting_packages_for_organization()
                            .org(org)
                            .send()
                    })
                    .await;
                finish(Call::read(operation), result).await
            }
            Owner::User(username) => {
                let operation = "list_docker_migration_conflicting_packages_for_user";
                let result = self
                    .inner
                    .again_if_cut_off(operation, generated_cut_off, || {
                        this.list_docker_migration_conflicting_packages_for_user()
                            .username(username)
                            .send()
                    })
                    .await;
                finish(Call::read(operation), result).await
            }
            Owner::AuthenticatedUser => {
                let operation = "list_docker_migration_conflicting_packages_for_authenticated_user";
                let result = self
                    .inner
                    .again_if_cut_off(operation, generated_cut_off, || {
                        this.list_docker_migration_conflicting_packages_for_authenticated_user()
                            .send()
                    })
                    .await;
                finish(Call::read(operation), result).await
            }
        }
    }
}
