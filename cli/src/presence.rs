//! What the server holds now for a package or one of its versions: the one
//! way `ghpkg` reads the current state, for settling deletions whose answer
//! was lost and for restoring.

use github_packages::Client;

use crate::failure::{Failure, FailureKind};
use crate::model::PackageRef;

/// What the server holds now for a package or one of its versions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    /// There, not deleted; for a package, with its id.
    Active { package_id: Option<i64> },
    /// Deleted, or not found at all (a deleted package is a 404, and so are
    /// its versions).
    Deleted,
}

/// Whether `target`'s package (`version_id` `None`) or one of its versions
/// is there now.
pub async fn presence(
    client: &Client,
    target: &PackageRef,
    version_id: Option<i64>,
) -> Result<Presence, Failure> {
    let (owner, package_type, package) = (
        &target.owner,
        target.package_type.clone(),
        target.name.as_str(),
    );
    let found = match version_id {
        Some(id) => client
            .version(owner, package_type, package, id)
            .await
            .map(|version| match version.deleted_at {
                None => Presence::Active { package_id: None },
                Some(_) => Presence::Deleted,
            }),
        None => client
            .package(owner, package_type, package)
            .await
            .map(|package| Presence::Active {
                package_id: Some(package.id),
            }),
    };
    match found.map_err(Failure::from) {
        Err(failure) if failure.kind == FailureKind::NotFound => Ok(Presence::Deleted),
        other => other,
    }
}

/// Whether what a deletion was about is gone: deleted, or (for a package
/// whose id is known) replaced by another package of the same name.
pub fn gone(presence: Presence, deleted_package: Option<i64>) -> bool {
    match presence {
        Presence::Deleted => true,
        Presence::Active { package_id } => {
            deleted_package.is_some() && package_id.is_some() && package_id != deleted_package
        }
    }
}

#[cfg(test)]
mod tests {
    use github_packages::Owner;
    use github_packages::types::PackageType;

    use super::*;
    use crate::test_support::client_of;

    #[tokio::test]
    async fn presence_reads_packages_and_versions() {
        let github = fake_github::FakeGitHub::start().await;
        let acme = fake_github::Owner::org("acme");
        let package_id = github.add_package(&acme, "npm", "lib", "private");
        let ids = github.add_versions(&acme, "npm", "lib", 2);
        let client = client_of(&github);
        let lib = PackageRef::new(Owner::org("acme"), PackageType::Npm, "lib");
        assert_eq!(
            presence(&client, &lib, None).await,
            Ok(Presence::Active {
                package_id: Some(package_id)
            })
        );
        assert_eq!(
            presence(&client, &lib, Some(ids[0])).await,
            Ok(Presence::Active { package_id: None })
        );
        github.set_version_deleted(&acme, "npm", "lib", ids[0], true);
        assert_eq!(
            presence(&client, &lib, Some(ids[0])).await,
            Ok(Presence::Deleted)
        );
        let other = PackageRef::new(Owner::org("acme"), PackageType::Npm, "other");
        assert_eq!(presence(&client, &other, None).await, Ok(Presence::Deleted));
    }
}
