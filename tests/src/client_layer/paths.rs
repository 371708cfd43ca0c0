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

#[tokio::test]
async fn backslashes_control_characters_and_odd_package_types_are_refused_before_sending() {
    let github = FakeGitHub::start().await;
    // Something a traversal would reach: the authenticated user's package.
    github.add_package(&Seed::user("octocat"), "npm", "victim", "public");
    let client = client(&github);
    let acme = Owner::org("acme");
    let npm = || PackageType::Npm;

    // The URL parser reads `\` as `/` and then resolves the dot segments:
    // sent, this would be `DELETE /user/packages/npm/victim`.
    let error = client
        .delete_package(&acme, npm(), r"..\..\..\..\user\packages\npm\victim")
        .await
        .unwrap_err();
    assert_eq!(refused_parameter(&error), "package_name");
    let text = error.to_string();
    assert!(text.contains("package_name") && text.contains("no request was sent"));

    for bad in [
        r"a\..\..",
        r"\",
        "line\nbreak",
        "tab\tin",
        "nul\0",
        "del\u{7f}",
    ] {
        let owners = [("org", Owner::org(bad)), ("username", Owner::user(bad))];
        for (parameter, owner) in owners {
            let error = client.package(&owner, npm(), "tool").await.unwrap_err();
            assert_eq!(refused_parameter(&error), parameter, "{bad:?}");
            let error = client.docker_conflicts(&owner).await.unwrap_err();
            assert_eq!(refused_parameter(&error), parameter, "{bad:?}");
        }
        let error = client.restore_package(&acme, npm(), bad).await.unwrap_err();
        assert_eq!(refused_parameter(&error), "package_name", "{bad:?}");
        let error = client
            .versions(&acme, npm(), bad)
            .next()
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(refused_parameter(&error), "package_name", "{bad:?}");
    }

    // The package type is a path segment too.
    for bad in ["..", ".", "", r"..\..", "a\nb"] {
        let odd = || PackageType::Unknown(bad.to_string());
        let results = [
            client.package(&acme, odd(), "tool").await.map(drop),
            client.version(&acme, odd(), "tool", 1).await.map(drop),
            client.delete_package(&acme, odd(), "tool").await,
            client.restore_package(&acme, odd(), "tool").await,
            client.delete_version(&acme, odd(), "tool", 1).await,
            client.restore_version(&acme, odd(), "tool", 1).await,
        ];
        for result in results {
            let error = result.unwrap_err();
            assert_eq!(refused_parameter(&error), "package_type", "{bad:?}");
            assert!(error.to_string().contains("package_type"), "{error}");
        }
        for error in [
            client
                .packages(&acme, odd())
                .next()
                .await
                .unwrap()
                .unwrap_err(),
            client
                .versions(&Owner::AuthenticatedUser, odd(), "tool")
                .next()
                .await
                .unwrap()
                .unwrap_err(),
        ] {
            assert_eq!(refused_parameter(&error), "package_type", "{bad:?}");
        }
    }

    assert!(github.requests().is_empty(), "{:?}", github.requests());
    assert!(github.package_exists(&Seed::user("octocat"), "npm", "victim"));
}
