//! Construction and auth: the builder, the environment, the headers every
//! request carries, and the token kept out of everything printable.

use std::collections::HashMap;

use fake_github::{FakeGitHub, Fault, FaultKind, Owner as Seed};
use futures_util::TryStreamExt;
use github_packages::hooks::DEFAULT_USER_AGENT;
use github_packages::types::PackageType;
use github_packages::{Certificate, Client, ClientBuilder, DEFAULT_BASE_URL, ErrorKind, Owner};

use super::{CapturedLogs, builder, client};

fn seed_left_pad(github: &FakeGitHub, versions: usize) {
    let acme = Seed::org("acme");
    github.add_package(&acme, "npm", "left-pad", "public");
    github.add_versions(&acme, "npm", "left-pad", versions);
}

#[tokio::test]
async fn every_request_carries_the_headers_github_expects() {
    let github = FakeGitHub::start().await;
    seed_left_pad(&github, 3);
    let client = client(&github);
    let acme = Owner::org("acme");
    client
        .package(&acme, PackageType::Npm, "left-pad")
        .await
        .unwrap();
    // Two pages: the second is fetched by following the `Link` header.
    let versions: Vec<_> = client
        .versions(&acme, PackageType::Npm, "left-pad")
        .per_page(2)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(versions.len(), 3);

    let requests = github.requests();
    assert_eq!(requests.len(), 3);
    assert!(DEFAULT_USER_AGENT.starts_with("github-packages/"));
    for request in &requests {
        let context = format!("{} {}", request.method, request.raw_path);
        assert_eq!(
            request.header("user-agent"),
            Some(DEFAULT_USER_AGENT),
            "{context}"
        );
        assert_eq!(
            request.header("accept"),
            Some("application/vnd.github+json"),
            "{context}"
        );
        assert_eq!(
            request.header("x-github-api-version"),
            Some("2022-11-28"),
            "{context}"
        );
        assert_eq!(
            request.header("authorization"),
            Some("Bearer test-token"),
            "{context}"
        );
        assert_eq!(request.header("api-version"), None, "{context}");
    }
}

#[tokio::test]
async fn the_user_agent_can_be_replaced() {
    let github = FakeGitHub::start().await;
    seed_left_pad(&github, 1);
    let client = builder(&github)
        .user_agent("prune-bot/2.1")
        .build()
        .unwrap();
    client
        .package(&Owner::org("acme"), PackageType::Npm, "left-pad")
        .await
        .unwrap();
    assert_eq!(
        github.requests()[0].header("user-agent"),
        Some("prune-bot/2.1")
    );
}

#[tokio::test]
async fn the_environment_configures_the_client() {
    let github = FakeGitHub::start().await;
    seed_left_pad(&github, 1);
    let vars = |pairs: &[(&str, String)]| {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(name, value)| (name.to_string(), value.clone()))
            .collect();
        ClientBuilder::from_vars(move |name| map.get(name).cloned())
    };
    let acme = Owner::org("acme");

    // GITHUB_TOKEN wins over GH_TOKEN; GITHUB_API_URL may end with `/`.
    let client = vars(&[
        ("GITHUB_TOKEN", FakeGitHub::TOKEN.to_string()),
        ("GH_TOKEN", "gh-cli-token".to_string()),
        ("GITHUB_API_URL", format!("{}/", github.base_url())),
    ])
    .build()
    .unwrap();
    assert_eq!(client.base_url(), github.base_url());
    client
        .package(&acme, PackageType::Npm, "left-pad")
        .await
        .unwrap();
    assert_eq!(
        github.requests()[0].header("authorization"),
        Some("Bearer test-token")
    );

    // An empty GITHUB_TOKEN counts as unset: GH_TOKEN is used.
    github.clear_requests();
    let client = vars(&[
        ("GITHUB_TOKEN", String::new()),
        ("GH_TOKEN", "gh-cli-token".to_string()),
        ("GITHUB_API_URL", github.base_url()),
    ])
    .build()
    .unwrap();
    let error = client
        .package(&acme, PackageType::Npm, "left-pad")
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|status| status.as_u16()), Some(401));
    assert_eq!(
        github.requests()[0].header("authorization"),
        Some("Bearer gh-cli-token")
    );

    // Nothing set: no token, GitHub.com.
    let builder = vars(&[]);
    assert!(!builder.has_token());
    assert_eq!(builder.build().unwrap().base_url(), DEFAULT_BASE_URL);
}

/// A client that trusts the fake's test certificate authority.
fn enterprise_client(github: &FakeGitHub) -> ClientBuilder {
    let authority = Certificate::from_pem(fake_github::TEST_CA_PEM.as_bytes()).unwrap();
    builder(github).add_root_certificate(authority)
}

#[tokio::test]
async fn a_github_enterprise_server_over_https_with_a_private_authority() {
    let github = FakeGitHub::start_enterprise().await;
    assert!(github.base_url().starts_with("https://127.0.0.1:"));
    assert!(github.base_url().ends_with("/api/v3"));
    let acme = Seed::org("acme");
    github.add_package(&acme, "container", "repo/image", "private");
    let ids = github.add_versions(&acme, "container", "repo/image", 5);
    // A trailing slash is dropped; the path prefix stays.
    let client = enterprise_client(&github)
        .base_url(format!("{}/", github.base_url()))
        .per_page(2)
        .build()
        .unwrap();
    assert_eq!(client.base_url(), github.base_url());

    // Three pages over TLS, following `Link` URLs that keep `/api/v3`.
    let listed: Vec<i64> = client
        .versions(&Owner::org("acme"), PackageType::Container, "repo/image")
        .map_ok(|version| version.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(listed, ids.iter().rev().copied().collect::<Vec<_>>());
    let paths: Vec<String> = github
        .requests()
        .into_iter()
        .map(|request| request.raw_path)
        .collect();
    assert_eq!(paths.len(), 3, "{paths:?}");
    for path in &paths {
        assert_eq!(
            path, "/api/v3/orgs/acme/packages/container/repo%2Fimage/versions",
            "{paths:?}"
        );
    }
    let version = client
        .version(
            &Owner::org("acme"),
            PackageType::Container,
            "repo/image",
            ids[0],
        )
        .await
        .unwrap();
    assert_eq!(version.id, ids[0]);
}

#[tokio::test]
async fn an_untrusted_certificate_fails_at_once_and_sends_nothing() {
    let github = FakeGitHub::start_enterprise().await;
    // The platform's roots only: the fake's authority is unknown to them.
    // Retries stay on: a refused certificate is not worth a second try.
    let client = builder(&github).build().unwrap();
    let logs = CapturedLogs::start();
    let error = client
        .packages(&Owner::org("acme"), PackageType::Container)
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::Transport), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("certificate"), "{message}");
    // The handshake failed, so no request reached the server; and the
    // client did not try again: one connection, no retry logged.
    assert!(github.requests().is_empty());
    assert_eq!(github.connections(), 1);
    assert!(logs.retries().is_empty(), "{:?}", logs.lines());
    assert!(!message.contains(FakeGitHub::TOKEN), "{message}");

    // A trusting client on the same server gets through.
    let listed = enterprise_client(&github)
        .build()
        .unwrap()
        .packages(&Owner::org("acme"), PackageType::Container)
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    assert!(listed.is_empty());
}

#[test]
fn bad_base_urls_are_refused_with_a_reason() {
    for url in [
        "not a url",
        "ftp://example.com",
        "https://example.com/?x=1",
        "http://api.example.com",
        "http://192.168.1.10/api/v3",
    ] {
        let error = Client::builder().base_url(url).build().unwrap_err();
        assert!(
            matches!(error.kind(), ErrorKind::Config { .. }),
            "{url}: {error:?}"
        );
        assert!(error.to_string().contains("base URL"), "{error}");
    }
    // Plain http is for a server on this machine only.
    for url in ["http://127.0.0.1:1", "http://[::1]:1", "http://localhost:1"] {
        Client::builder().base_url(url).build().unwrap();
    }
}

#[test]
fn a_refused_base_url_is_never_echoed() {
    for (url, secret) in [
        ("https://user:hunter2@example.com", "hunter2"),
        ("https://u:ghp_Port0@host:99999", "ghp_Port0"),
        ("https://example.com/?access_token=ghp_Query1", "ghp_Query1"),
        (
            "http://example.com/api?access_token=ghp_Query2",
            "ghp_Query2",
        ),
        ("ftp://x-access-token:ghp_Ftp3@example.com", "ghp_Ftp3"),
        ("https://example.com/#ghp_Fragment4", "ghp_Fragment4"),
        ("ghp_NotAUrl5", "ghp_NotAUrl5"),
    ] {
        let builder = Client::builder().base_url(url);
        assert!(!format!("{builder:?}").contains(secret), "{builder:?}");
        let settings = builder.connection_settings();
        assert!(!format!("{settings:?}").contains(secret), "{settings:?}");
        let error = builder.build().unwrap_err();
        for shown in [error.to_string(), format!("{error:?}")] {
            assert!(shown.contains("base URL"), "{shown}");
            assert!(!shown.contains(secret), "{shown}");
        }
    }
}

#[tokio::test]
async fn the_token_never_shows_in_debug_errors_or_logs() {
    const SECRET: &str = "ghp_TopSecret0123456789";
    let github = FakeGitHub::start().await;
    seed_left_pad(&github, 1);
    github.add_token(SECRET, &["read:packages"]);
    let logs = CapturedLogs::start();

    let builder = builder(&github).token(SECRET);
    assert!(!format!("{builder:?}").contains(SECRET));
    let settings = builder.connection_settings();
    assert!(settings.token.is_some());
    assert!(!format!("{settings:?}").contains(SECRET), "{settings:?}");
    let client = builder.build().unwrap();
    assert!(!format!("{client:?}").contains(SECRET));

    // A retried read is logged.
    github.inject(Fault::new(FaultKind::Status(502)));
    client
        .package(&Owner::org("acme"), PackageType::Npm, "left-pad")
        .await
        .unwrap();
    // A refused write gives an error with the response's details.
    let versions = github.versions(&Seed::org("acme"), "npm", "left-pad");
    let error = client
        .delete_version(
            &Owner::org("acme"),
            PackageType::Npm,
            "left-pad",
            versions[0].id,
        )
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|status| status.as_u16()), Some(403));
    for shown in [
        format!("{error}"),
        format!("{error:?}"),
        format!("{error:#}"),
    ] {
        assert!(!shown.contains(SECRET), "{shown}");
    }
    // And the requests did carry it, as a bearer token.
    assert!(github.requests().iter().all(
        |request| request.header("authorization") == Some(format!("Bearer {SECRET}").as_str())
    ));

    let logs = logs.lines();
    assert!(
        logs.iter().any(|line| line.contains("retrying")),
        "{logs:?}"
    );
    assert!(logs.iter().all(|line| !line.contains(SECRET)), "{logs:?}");
}

#[tokio::test]
async fn bad_credentials_say_which_variable_to_check() {
    let github = FakeGitHub::start().await;
    let client = builder(&github).token("ghp_revoked").build().unwrap();
    let error = client
        .package(&Owner::org("acme"), PackageType::Npm, "left-pad")
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|status| status.as_u16()), Some(401));
    assert_eq!(error.message(), Some("Bad credentials"));
    let text = error.to_string();
    assert!(text.contains("GITHUB_TOKEN"), "{text}");
    assert!(!text.contains("ghp_revoked"), "{text}");
}

#[tokio::test]
async fn a_redirect_to_another_host_does_not_carry_the_token() {
    let github = FakeGitHub::start().await;
    let elsewhere = FakeGitHub::start().await;
    seed_left_pad(&github, 1);
    let client = client(&github);
    let acme = Owner::org("acme");

    // Same host: followed with the token.
    github.inject(Fault::new(FaultKind::Redirect {
        status: 307,
        location: format!("{}/orgs/acme/packages/npm/left-pad", github.base_url()),
    }));
    client
        .package(&acme, PackageType::Npm, "left-pad")
        .await
        .unwrap();
    let requests = github.requests();
    assert_eq!(requests.len(), 2);
    assert!(
        requests
            .iter()
            .all(|request| request.header("authorization") == Some("Bearer test-token"))
    );

    // Another host (another port of 127.0.0.1 counts): followed without it.
    github.inject(Fault::new(FaultKind::Redirect {
        status: 302,
        location: format!("{}/orgs/acme/packages/npm/left-pad", elsewhere.base_url()),
    }));
    let error = client
        .package(&acme, PackageType::Npm, "left-pad")
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|status| status.as_u16()), Some(401));
    let arrived = elsewhere.requests();
    assert_eq!(arrived.len(), 1);
    assert_eq!(arrived[0].header("authorization"), None);
    assert_eq!(arrived[0].header("user-agent"), Some(DEFAULT_USER_AGENT));
}
