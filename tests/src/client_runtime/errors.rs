//! The error users see: status, GitHub's message and documentation link,
//! and words a person can act on.

use fake_github::{FakeGitHub, Owner as Seed};
use github_packages::types::PackageType;
use github_packages::{Client, ErrorKind, GeneratedError, Owner, RetryPolicy};

use super::scripted::{Scripted, reply};
use super::{builder, client};

#[tokio::test]
async fn not_found_is_recognisable_and_explained() {
    let github = FakeGitHub::start().await;
    let client = client(&github);
    let error = client
        .package(&Owner::org("acme"), PackageType::Npm, "missing")
        .await
        .unwrap_err();
    assert!(error.is_not_found());
    assert!(matches!(error.kind(), ErrorKind::Response));
    assert_eq!(error.message(), Some("Not Found"));
    assert!(
        error
            .documentation_url()
            .unwrap()
            .starts_with("https://docs.github.com/")
    );
    assert_eq!(error.operation(), Some("get_package_for_organization"));
    let text = error.to_string();
    assert!(
        text.starts_with("get_package_for_organization: GitHub answered 404 Not Found: Not Found"),
        "{text}"
    );
    assert!(text.contains("the token cannot see it"), "{text}");
}

#[tokio::test]
async fn a_403_names_the_scope_the_token_may_be_missing() {
    let github = FakeGitHub::start().await;
    let acme = Seed::org("acme");
    github.add_package(&acme, "npm", "tool", "private");
    let ids = github.add_versions(&acme, "npm", "tool", 2);
    github.add_token("read-only", &["read:packages"]);
    let client = builder(&github).token("read-only").build().unwrap();

    let error = client
        .delete_version(&Owner::org("acme"), PackageType::Npm, "tool", ids[0])
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|status| status.as_u16()), Some(403));
    assert!(!error.is_rate_limited());
    assert_eq!(
        error.token_scopes(),
        Some(&["read:packages".to_string()][..])
    );
    assert_eq!(error.missing_scopes(), ["delete:packages"]);
    let text = error.to_string();
    assert!(text.contains("may be missing delete:packages"), "{text}");
    assert!(
        text.contains("You need at least delete:packages scope"),
        "{text}"
    );
}

#[tokio::test]
async fn an_undocumented_status_keeps_githubs_message() {
    let github = FakeGitHub::start().await;
    let acme = Seed::org("acme");
    github.add_package(&acme, "npm", "tool", "private");
    let ids = github.add_versions(&acme, "npm", "tool", 1);
    let client = builder(&github).retry(RetryPolicy::none()).build().unwrap();
    // The last active version cannot be deleted: a 400 the spec does not
    // list for this operation.
    let error = client
        .delete_version(&Owner::org("acme"), PackageType::Npm, "tool", ids[0])
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|status| status.as_u16()), Some(400));
    assert!(!error.is_outcome_unknown());
    let message = error.message().expect("GitHub's message is kept");
    assert!(error.to_string().contains(message), "{error}");
}

#[tokio::test]
async fn an_error_response_keeps_its_url_and_at_most_64_kib_of_its_body() {
    // A proxy's error page of a megabyte.
    let page = format!("<html>{}</html>", "x".repeat(1 << 20));
    let server = Scripted::start(move |_, _| {
        reply(
            "502 Bad Gateway",
            &[("content-type", "text/html".into())],
            page.as_bytes(),
        )
    })
    .await;
    let client = Client::builder()
        .token("t")
        .base_url(&server.base_url)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();

    // The generated builders hand the response on: its URL is the one
    // requested, its body cut to 64 KiB.
    let result = client
        .get_package_for_organization()
        .org("acme")
        .package_type(PackageType::Npm)
        .package_name("tool")
        .send()
        .await;
    let Err(GeneratedError::UnexpectedResponse(response)) = result else {
        panic!("expected an undocumented status, got {result:?}");
    };
    assert_eq!(
        response.url().as_str(),
        format!("{}/orgs/acme/packages/npm/tool", server.base_url)
    );
    assert_eq!(response.status().as_u16(), 502);
    let body = response.bytes().await.unwrap();
    assert_eq!(body.len(), 64 * 1024);
    assert!(body.starts_with(b"<html>xxx"));

    // The crate's error keeps the start of it as the message.
    let error = client
        .package(&Owner::org("acme"), PackageType::Npm, "tool")
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|status| status.as_u16()), Some(502));
    let message = error.message().unwrap();
    assert!(
        message.starts_with("<html>x") && message.chars().count() <= 201,
        "{message}"
    );
}
