//! The error users see: status, GitHub's message and documentation link,
//! and words a person can act on.

use fake_github::{FakeGitHub, Owner as Seed};
use github_packages::types::PackageType;
use github_packages::{ErrorKind, Owner, RetryPolicy};

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
