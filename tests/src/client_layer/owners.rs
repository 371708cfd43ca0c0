//! One API for three owners: each method reaches the operation of the
//! owner's family, and combinations GitHub lacks are errors.

use fake_github::{FakeGitHub, Owner as Seed};
use futures_util::{StreamExt, TryStreamExt};
use github_packages::types::{PackageType, PackageVersionState};
use github_packages::{ErrorKind, Owner};

use super::client;

#[tokio::test]
async fn every_method_reaches_the_owners_family() {
    let github = FakeGitHub::start().await;
    let client = client(&github);
    let container = || PackageType::Container;
    let owners = [
        (Owner::org("acme"), Seed::org("acme"), "/orgs/acme/"),
        (
            Owner::user("monalisa"),
            Seed::user("monalisa"),
            "/users/monalisa/",
        ),
        // The fake's authenticated user is `octocat`.
        (Owner::AuthenticatedUser, Seed::user("octocat"), "/user/"),
    ];
    for (owner, seed, prefix) in owners {
        github.clear_requests();
        github.add_package(&seed, "container", "app", "private");
        let ids = github.add_versions(&seed, "container", "app", 3);
        github.set_docker_conflict(&seed, "container", "app");

        let packages: Vec<_> = client
            .packages(&owner, container())
            .try_collect()
            .await
            .unwrap();
        assert_eq!(packages.len(), 1, "{owner}");
        assert_eq!(packages[0].name, "app");
        assert_eq!(
            client.package(&owner, container(), "app").await.unwrap().id,
            packages[0].id
        );

        let listed: Vec<i64> = client
            .versions(&owner, container(), "app")
            .map_ok(|version| version.id)
            .try_collect()
            .await
            .unwrap();
        let newest_first: Vec<i64> = ids.iter().rev().copied().collect();
        assert_eq!(listed, newest_first, "{owner}");
        let oldest = client
            .version(&owner, container(), "app", ids[0])
            .await
            .unwrap();
        assert_eq!(oldest.name, "1.0.0");

        client
            .delete_version(&owner, container(), "app", ids[0])
            .await
            .unwrap();
        let deleted = |github: &FakeGitHub| {
            github
                .versions(&seed, "container", "app")
                .into_iter()
                .filter(|version| version.deleted)
                .map(|version| version.id)
                .collect::<Vec<_>>()
        };
        assert_eq!(deleted(&github), [ids[0]], "{owner}");
        if !matches!(owner, Owner::User(_)) {
            let listed: Vec<i64> = client
                .versions(&owner, container(), "app")
                .state(PackageVersionState::Deleted)
                .map_ok(|version| version.id)
                .try_collect()
                .await
                .unwrap();
            assert_eq!(listed, [ids[0]], "{owner}");
        }
        client
            .restore_version(&owner, container(), "app", ids[0])
            .await
            .unwrap();
        assert!(deleted(&github).is_empty(), "{owner}");

        let conflicts = client.docker_conflicts(&owner).await.unwrap();
        assert_eq!(conflicts.len(), 1, "{owner}");

        client
            .delete_package(&owner, container(), "app")
            .await
            .unwrap();
        assert!(!github.package_exists(&seed, "container", "app"));
        assert!(
            client
                .package(&owner, container(), "app")
                .await
                .unwrap_err()
                .is_not_found()
        );
        client
            .restore_package(&owner, container(), "app")
            .await
            .unwrap();
        assert!(github.package_exists(&seed, "container", "app"));

        let requests = github.requests();
        // 11 operations; no `state=deleted` listing for another user.
        let expected = if matches!(owner, Owner::User(_)) {
            10
        } else {
            11
        };
        assert_eq!(requests.len(), expected, "{owner}");
        for request in requests {
            assert!(
                request.raw_path.starts_with(prefix),
                "{owner}: {} {}",
                request.method,
                request.raw_path
            );
        }
    }
}

#[tokio::test]
async fn a_combination_github_lacks_is_an_error_not_a_request() {
    let github = FakeGitHub::start().await;
    let monalisa = Seed::user("monalisa");
    github.add_package(&monalisa, "npm", "tool", "public");
    github.add_versions(&monalisa, "npm", "tool", 2);
    let client = client(&github);
    let owner = Owner::user("monalisa");

    let mut deleted = client
        .versions(&owner, PackageType::Npm, "tool")
        .state(PackageVersionState::Deleted);
    let error = deleted.next().await.unwrap().unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::Unsupported { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("not supported"), "{error}");
    assert!(deleted.next().await.is_none());
    assert!(github.requests().is_empty());

    // `active` is GitHub's default, so it is allowed, and not sent.
    let active: Vec<_> = client
        .versions(&owner, PackageType::Npm, "tool")
        .state(PackageVersionState::Active)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(active.len(), 2);
    assert_eq!(github.requests()[0].query.as_deref(), Some("per_page=100"));
}

#[test]
fn owners_print_and_parse() {
    let owners = [
        (Owner::org("acme"), "org:acme"),
        (Owner::user("monalisa"), "user:monalisa"),
        (Owner::AuthenticatedUser, "@me"),
    ];
    for (owner, text) in owners {
        assert_eq!(owner.to_string(), text);
        assert_eq!(text.parse::<Owner>().unwrap(), owner);
    }
    assert!("acme".parse::<Owner>().is_err());
    let error = "org:..".parse::<Owner>().unwrap_err();
    assert!(
        matches!(
            error.kind(),
            ErrorKind::InvalidParameter {
                parameter: "org",
                ..
            }
        ),
        "{error:?}"
    );
}
