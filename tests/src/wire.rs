//! What each of the 27 operations puts on the wire: the generated client is
//! pointed at the scripted server on 127.0.0.1, which records every request
//! as received (raw percent-encoded path, query, headers) and answers with a
//! minimal valid body.

use github_packages::types::{PackageType, PackageVersionState, PackageVisibility};

use crate::scripted::{Scripted, Seen, reply};

/// Headers worth showing: everything but those that vary per run or per
/// connection (`host` carries the port).
const SHOWN_HEADERS: &[&str] = &[
    "accept",
    "authorization",
    "content-length",
    "content-type",
    "user-agent",
    "x-github-api-version",
    "api-version",
];

const PACKAGE: &str = r#"{"id":1,"name":"repo/image","package_type":"container","url":"https://api.github.com/orgs/acme/packages/container/repo%2Fimage","html_url":"https://github.com/orgs/acme/packages/container/package/repo%2Fimage","version_count":1,"visibility":"private","created_at":"2024-01-02T03:04:05Z","updated_at":"2024-01-02T03:04:05Z"}"#;
const VERSION: &str = r#"{"id":42,"name":"sha256:0123","url":"https://api.github.com/orgs/acme/packages/container/repo%2Fimage/versions/42","package_html_url":"https://github.com/orgs/acme/packages/container/package/repo%2Fimage","created_at":"2024-01-02T03:04:05Z","updated_at":"2024-01-02T03:04:05Z"}"#;

/// The scripted server's answer: a minimal valid body for each operation.
fn minimal_answer(request: &Seen, _: usize) -> Vec<u8> {
    let path = request.path();
    let body = match request.method.as_str() {
        "GET"
            if path.ends_with("/versions")
                || path.ends_with("/packages")
                || path.ends_with("/conflicts") =>
        {
            "[]"
        }
        "GET" if path.contains("/versions/") => VERSION,
        "GET" => PACKAGE,
        _ => "",
    };
    let status = if body.is_empty() {
        "204 No Content"
    } else {
        "200 OK"
    };
    let json = ("content-type", "application/json".to_string());
    reply(status, &[json], body.as_bytes())
}

/// A request as the snapshot shows it: the request line, then the shown
/// headers, sorted.
fn transcribe(request: &Seen) -> String {
    let mut headers: Vec<String> = request
        .headers
        .iter()
        .filter(|(name, _)| SHOWN_HEADERS.contains(&name.as_str()))
        .map(|(name, value)| format!("  {name}: {value}"))
        .collect();
    headers.sort();
    format!(
        "{} {} HTTP/1.1\n{}",
        request.method,
        request.target,
        headers.join("\n")
    )
}

/// The Rust method names of all operations, read from the generated code.
fn operations_of_the_client() -> Vec<String> {
    let surface = crate::surface::api_surface(&crate::common::read(crate::common::GENERATED))
        .expect("generated code has the builder shape");
    let mut names: Vec<String> = surface
        .lines()
        .filter_map(|line| {
            line.split("  ")
                .nth(1)?
                .split('(')
                .next()
                .map(str::to_string)
        })
        .collect();
    names.sort();
    names
}

/// Built the way users build it, with a token, so the snapshot shows the
/// headers every request carries.
#[tokio::test]
async fn every_operation_on_the_wire() {
    let server = Scripted::start(minimal_answer).await;
    let client = server.client_builder().build().expect("client builds");
    let container = PackageType::Container;
    let name = "repo/image";
    let mut transcript = Vec::new();
    let mut called = Vec::new();
    let mut record = |operation: &str, requests: Vec<Seen>| {
        assert_eq!(
            requests.len(),
            1,
            "{operation} sent {} requests",
            requests.len()
        );
        called.push(operation.to_string());
        transcript.push(format!("{operation}\n{}", transcribe(&requests[0])));
    };

    macro_rules! call {
        ($operation:ident $(. $setter:ident($value:expr))*) => {{
            client
                .$operation()
                $(.$setter($value))*
                .send()
                .await
                .unwrap_or_else(|e| panic!("{} failed: {e}", stringify!($operation)));
            record(stringify!($operation), server.take());
        }};
    }

    // Organization
    call!(list_docker_migration_conflicting_packages_for_organization.org("acme"));
    call!(
        list_packages_for_organization
            .org("acme")
            .package_type(container.clone())
            .visibility(PackageVisibility::Internal)
            .page(2)
            .per_page(100)
    );
    call!(
        get_package_for_organization
            .org("acme")
            .package_type(container.clone())
            .package_name(name)
    );
    call!(
        delete_package_for_org
            .org("acme")
            .package_type(container.clone())
            .package_name(name)
    );
    call!(
        restore_package_for_org
            .org("acme")
            .package_type(container.clone())
            .package_name(name)
            .token("restore-token")
    );
    call!(
        get_all_package_versions_for_package_owned_by_org
            .org("acme")
            .package_type(container.clone())
            .package_name(name)
            .state(PackageVersionState::Deleted)
            .page(3)
            .per_page(50)
    );
    call!(
        get_package_version_for_organization
            .org("acme")
            .package_type(container.clone())
            .package_name(name)
            .package_version_id(42)
    );
    call!(
        delete_package_version_for_org
            .org("acme")
            .package_type(container.clone())
            .package_name(name)
            .package_version_id(42)
    );
    call!(
        restore_package_version_for_org
            .org("acme")
            .package_type(container.clone())
            .package_name(name)
            .package_version_id(42)
    );
    // Authenticated user
    call!(list_docker_migration_conflicting_packages_for_authenticated_user);
    call!(
        list_packages_for_authenticated_user
            .package_type(PackageType::Npm)
            .visibility(PackageVisibility::Public)
    );
    call!(
        get_package_for_authenticated_user
            .package_type(container.clone())
            .package_name(name)
    );
    call!(
        delete_package_for_authenticated_user
            .package_type(container.clone())
            .package_name(name)
    );
    call!(
        restore_package_for_authenticated_user
            .package_type(container.clone())
            .package_name(name)
    );
    call!(
        get_all_package_versions_for_package_owned_by_authenticated_user
            .package_type(container.clone())
            .package_name(name)
            .state(PackageVersionState::Active)
    );
    call!(
        get_package_version_for_authenticated_user
            .package_type(container.clone())
            .package_name(name)
            .package_version_id(42)
    );
    call!(
        delete_package_version_for_authenticated_user
            .package_type(container.clone())
            .package_name(name)
            .package_version_id(42)
    );
    call!(
        restore_package_version_for_authenticated_user
            .package_type(container.clone())
            .package_name(name)
            .package_version_id(42)
    );
    // Another user
    call!(list_docker_migration_conflicting_packages_for_user.username("octocat"));
    call!(
        list_packages_for_user
            .username("octocat")
            .package_type(PackageType::Maven)
            .page(1)
    );
    call!(
        get_package_for_user
            .username("octocat")
            .package_type(container.clone())
            .package_name(name)
    );
    call!(
        delete_package_for_user
            .username("octocat")
            .package_type(container.clone())
            .package_name(name)
    );
    call!(
        restore_package_for_user
            .username("octocat")
            .package_type(container.clone())
            .package_name(name)
            .token("restore-token")
    );
    call!(
        get_all_package_versions_for_package_owned_by_user
            .username("octocat")
            .package_type(container.clone())
            .package_name(name)
            .per_page(100)
    );
    call!(
        get_package_version_for_user
            .username("octocat")
            .package_type(container.clone())
            .package_name(name)
            .package_version_id(42)
    );
    call!(
        delete_package_version_for_user
            .username("octocat")
            .package_type(container.clone())
            .package_name(name)
            .package_version_id(42)
    );
    call!(
        restore_package_version_for_user
            .username("octocat")
            .package_type(container.clone())
            .package_name(name)
            .package_version_id(42)
    );

    called.sort();
    assert_eq!(
        called,
        operations_of_the_client(),
        "every operation is called once"
    );
    for request in &transcript {
        if request.contains("/packages/container/") {
            assert!(
                request.contains("/packages/container/repo%2Fimage"),
                "`repo/image` must travel as one segment, `repo%2Fimage`:\n{request}"
            );
        }
        assert!(
            request.contains(&format!("authorization: Bearer {}", Scripted::TOKEN)),
            "every request carries the token as a bearer token:\n{request}"
        );
    }
    let transcript = transcript.join("\n\n");
    // The User-Agent names the crate version; keep the snapshot stable across releases.
    let transcript: String = transcript
        .lines()
        .map(
            |line| match line.split_once("user-agent: github-packages/") {
                Some((indent, _)) => format!("{indent}user-agent: github-packages/<version>\n"),
                None => format!("{line}\n"),
            },
        )
        .collect();
    insta::assert_snapshot!("wire_requests", transcript);
}

/// A package linked to a repository, as GitHub sends it in API version
/// `2022-11-28` (with the repository's `has_downloads`) or `2026-03-10`
/// (without it).
fn package_with_repository(api_version: Option<&str>) -> String {
    let has_downloads = match api_version {
        Some("2026-03-10") => "",
        _ => r#""has_downloads":true,"#,
    };
    let owner = r#"{"login":"acme","id":9,"node_id":"O_9","avatar_url":"https://avatars.githubusercontent.com/u/9","url":"https://api.github.com/users/acme","html_url":"https://github.com/acme","type":"Organization","site_admin":false}"#;
    format!(
        r#"{{"id":1,"name":"app","package_type":"container","url":"https://api.github.com/orgs/acme/packages/container/app","html_url":"https://github.com/orgs/acme/packages/container/package/app","version_count":1,"visibility":"private","created_at":"2024-01-02T03:04:05Z","updated_at":"2024-01-02T03:04:05Z","repository":{{"id":7,"node_id":"R_7","name":"app","full_name":"acme/app","private":true,"owner":{owner},"html_url":"https://github.com/acme/app","fork":false,{has_downloads}"url":"https://api.github.com/repos/acme/app"}}}}"#
    )
}

/// The default API version and another one chosen with
/// `ClientBuilder::api_version`, on the wire; the answers of both versions
/// decode (`has_downloads`, which `2026-03-10` leaves out, is optional).
#[tokio::test]
async fn the_api_version_on_the_wire_and_both_versions_decode() {
    let server = Scripted::start(|request, _| {
        let body = package_with_repository(request.header("x-github-api-version"));
        let json = ("content-type", "application/json".to_string());
        reply("200 OK", &[json], body.as_bytes())
    })
    .await;
    let mut sent = Vec::new();
    let mut has_downloads = Vec::new();
    for chosen in [None, Some("2026-03-10")] {
        let mut builder = server.client_builder();
        if let Some(version) = chosen {
            builder = builder.api_version(version);
        }
        let package = builder
            .build()
            .expect("client builds")
            .get_package_for_organization()
            .org("acme")
            .package_type(PackageType::Container)
            .package_name("app")
            .send()
            .await
            .expect("the package decodes")
            .into_inner();
        let repository = package.repository.expect("the package has a repository");
        has_downloads.push(repository.has_downloads);
        let requests = server.take();
        assert_eq!(requests.len(), 1);
        let headers: Vec<String> = requests[0]
            .headers
            .iter()
            .filter(|(name, _)| name.contains("api-version"))
            .map(|(name, value)| format!("{name}: {value}"))
            .collect();
        sent.push(headers);
    }
    assert_eq!(
        sent,
        [
            ["x-github-api-version: 2022-11-28"],
            ["x-github-api-version: 2026-03-10"]
        ],
        "one X-GitHub-Api-Version, the default then the chosen one (progenitor's `api-version` is replaced)"
    );
    assert_eq!(has_downloads, [Some(true), None]);
}
