//! The client's calls on one package or version, for any [`Owner`]: read
//! one, delete, restore, and the Docker-migration conflicts; with the
//! `per_owner!` dispatch to the organization, user or authenticated-user
//! operation that they and the listings (`listing`) share.

use progenitor_client::ResponseValue;

use crate::Client;
use crate::call::{Call, Failure};
use crate::error::Error;
use crate::owner::Owner;
use crate::path::{check_package_type, check_path_segment, check_version_id};
use crate::types::{Package, PackageType, PackageVersion};

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
