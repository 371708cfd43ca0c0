//! The error users see: status, GitHub's message and documentation link,
//! and words a person can act on.

use fake_github::{FakeGitHub, Owner as Seed};
use futures_util::TryStreamExt;
use github_packages::types::PackageType;
use github_packages::{ErrorKind, GeneratedError, Owner, RetryPolicy};

use super::{builder, client};
use crate::scripted::{Scripted, array, reply, version_json};

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
    let client = server.client(RetryPolicy::none());

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

#[tokio::test]
async fn a_documented_error_status_with_a_body_that_is_not_json_keeps_its_status() {
    // 401, 403 and 404 are documented with GitHub's JSON error, so the
    // generated code decodes their bodies; a proxy's page is not JSON.
    let server = Scripted::start(move |request, _| {
        let (status, headers) = if request.target.contains("/versions") {
            (
                "403 Forbidden",
                vec![
                    ("content-type", "text/html".to_string()),
                    ("x-accepted-oauth-scopes", "read:packages".to_string()),
                    ("x-oauth-scopes", "repo".to_string()),
                ],
            )
        } else {
            ("404 Not Found", vec![("content-type", "text/html".into())])
        };
        reply(
            status,
            &headers,
            b"<html><h1>Blocked by the proxy</h1></html>",
        )
    })
    .await;
    let client = server.client(RetryPolicy::none());

    let error = client
        .package(&Owner::org("acme"), PackageType::Npm, "tool")
        .await
        .unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::Response), "{error:?}");
    assert!(error.is_not_found(), "{error:?}");
    assert_eq!(
        error.message(),
        Some("<html><h1>Blocked by the proxy</h1></html>")
    );

    // A listing's first page, with the scope hint from the headers.
    let error = client
        .versions(&Owner::org("acme"), PackageType::Npm, "tool")
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|status| status.as_u16()), Some(403));
    let text = error.to_string();
    assert!(text.contains("read:packages"), "{text}");

    // Called directly, the generated builder says what progenitor knows:
    // the body did not decode.
    let result = client
        .get_package_for_organization()
        .org("acme")
        .package_type(PackageType::Npm)
        .package_name("tool")
        .send()
        .await;
    assert!(
        matches!(result, Err(GeneratedError::InvalidResponsePayload(..))),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_success_whose_body_is_not_json_is_a_decode_error_even_after_an_error() {
    // The first answer is a 502 (retried), the second a 200 with a body
    // that does not decode: the error is the 200's, not the 502's.
    let server = Scripted::start(move |_, index| {
        if index == 0 {
            reply("502 Bad Gateway", &[], b"")
        } else {
            reply(
                "200 OK",
                &[("content-type", "application/json".into())],
                b"{\"id\": \"not a number\"}",
            )
        }
    })
    .await;
    let client = server.client(super::fast_retries());
    let error = client
        .package(&Owner::org("acme"), PackageType::Npm, "tool")
        .await
        .unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::Decode), "{error:?}");
    assert_eq!(error.status(), None);
    assert_eq!(server.seen().len(), 2);
}

#[tokio::test]
async fn githubs_own_refusal_past_ten_thousand_results_is_the_named_error() {
    // Version lists have no limit the client could know in advance: it
    // follows `Link` to page 101 of 100, and GitHub refuses that page.
    let server = Scripted::start(move |request, _| {
        if request.param("page") == Some("101") {
            return reply(
                "400 Bad Request",
                &[("content-type", "application/json".into())],
                br#"{"message":"Pagination is limited to 10000 results.","documentation_url":"https://docs.github.com/rest"}"#,
            );
        }
        let next = format!(
            "<{}/orgs/acme/packages/container/app/versions?per_page=100&page=101>; rel=\"next\"",
            request.base_url
        );
        reply(
            "200 OK",
            &[("content-type", "application/json".into()), ("link", next)],
            &array([version_json(1), version_json(2)]),
        )
    })
    .await;
    let client = server.client(RetryPolicy::none());
    let mut versions = client
        .versions(&Owner::org("acme"), PackageType::Container, "app")
        .concurrency(1);
    let mut listed = Vec::new();
    let error = loop {
        match versions.try_next().await {
            Ok(Some(version)) => listed.push(version.id),
            Ok(None) => panic!("the listing ended without GitHub's refusal"),
            Err(error) => break error,
        }
    };
    assert_eq!(listed, [1, 2]);
    assert!(
        matches!(
            error.kind(),
            ErrorKind::PaginationLimit {
                page: 101,
                per_page: 100
            }
        ),
        "{error:?}"
    );
    assert_eq!(error.status().map(|status| status.as_u16()), Some(400));
    assert_eq!(
        error.message(),
        Some("Pagination is limited to 10000 results.")
    );
    assert!(error.to_string().contains("at most 10,000"), "{error}");
    assert_eq!(server.seen().len(), 2);
}
