//! Path parameters are encoded exactly once, and values that would change
//! the requested path are refused before anything is sent.

use fake_github::{FakeGitHub, Owner as Seed};
use futures_util::{StreamExt, TryStreamExt};
use github_packages::types::PackageType;
use github_packages::{Error, ErrorKind, Owner};

use super::client;

#[tokio::test]
async fn path_parameters_are_encoded_exactly_once() {
    let github = FakeGitHub::start().await;
    let client = client(&github);
    let acme = Seed::org("acme");
    let owner = Owner::org("acme");
    let names = [
        ("repo/image", "repo%2Fimage"),
        ("a b", "a%20b"),
        ("x%y", "x%25y"),
        ("q?#", "q%3F%23"),
        ("ünï", "%C3%BCn%C3%AF"),
    ];
    for (name, encoded) in names {
        github.clear_requests();
        github.add_package(&acme, "container", name, "private");
        let ids = github.add_versions(&acme, "container", name, 3);

        let package = client
            .package(&owner, PackageType::Container, name)
            .await
            .unwrap();
        assert_eq!(package.name, name);
        // Two pages: the second comes from the `Link` header, which must not
        // be encoded again.
        let listed: Vec<_> = client
            .versions(&owner, PackageType::Container, name)
            .per_page(2)
            .concurrency(1)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(listed.len(), 3, "{name}");
        client
            .delete_version(&owner, PackageType::Container, name, ids[0])
            .await
            .unwrap();

        let expected_prefix = format!("/orgs/acme/packages/container/{encoded}");
        let requests = github.requests();
        assert_eq!(requests.len(), 4, "{name}");
        for request in requests {
            assert!(
                request.raw_path.starts_with(&expected_prefix),
                "{name}: {} was sent as {}",
                request.method,
                request.raw_path
            );
        }
    }
}

fn refused_parameter(error: &Error) -> &'static str {
    match error.kind() {
        ErrorKind::InvalidParameter { parameter, .. } => parameter,
        _ => panic!("expected an invalid parameter, got {error:?}"),
    }
}

#[tokio::test]
async fn dot_segments_and_empty_values_are_refused_before_sending() {
    let github = FakeGitHub::start().await;
    let client = client(&github);
    let npm = || PackageType::Npm;
    for bad in ["", ".", ".."] {
        let cases = [
            ("org", client.package(&Owner::org(bad), npm(), "tool").await),
            (
                "username",
                client.package(&Owner::user(bad), npm(), "tool").await,
            ),
            (
                "package_name",
                client.package(&Owner::AuthenticatedUser, npm(), bad).await,
            ),
        ];
        for (parameter, result) in cases {
            let error = result.unwrap_err();
            assert_eq!(refused_parameter(&error), parameter, "{bad:?}");
            let text = error.to_string();
            assert!(
                text.contains(parameter) && text.contains("no request was sent"),
                "{text}"
            );
        }
        let error = client
            .delete_version(&Owner::org("acme"), npm(), bad, 1)
            .await
            .unwrap_err();
        assert_eq!(refused_parameter(&error), "package_name");
        let error = client
            .versions(&Owner::org("acme"), npm(), bad)
            .next()
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(refused_parameter(&error), "package_name");
        let error = client
            .packages(&Owner::user(bad), npm())
            .next()
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(refused_parameter(&error), "username");
        let error = client.docker_conflicts(&Owner::org(bad)).await.unwrap_err();
        assert_eq!(refused_parameter(&error), "org");
    }
    let error = client
        .restore_version(&Owner::org("acme"), npm(), "tool", 0)
        .await
        .unwrap_err();
    assert_eq!(refused_parameter(&error), "package_version_id");
    assert!(github.requests().is_empty());
}
