//! The registry's token flow and manifest answers, driven with reqwest.

use reqwest::StatusCode;
use serde_json::Value;

use crate::{FakeGitHub, Fault, FaultKind, ImageSpec, Matcher, OCI_INDEX, Owner};

fn http_client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// The challenge's parameters, read the simple way (the fake writes them
/// in one fixed form).
fn challenge_parameter(challenge: &str, name: &str) -> String {
    let start = challenge.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
    let end = challenge[start..].find('"').unwrap();
    challenge[start..start + end].to_string()
}

#[tokio::test]
async fn challenge_token_and_manifest() {
    let github = FakeGitHub::start().await;
    let acme = Owner::org("Acme");
    github.add_package(&acme, "container", "app", "private");
    let image = github.publish_image(
        &acme,
        "app",
        &ImageSpec::new(&["latest"]).platforms(&["linux/amd64", "linux/arm64"]),
    );
    assert_eq!(image.ids().len(), 5, "index, 2 platforms, 2 attestations");
    let client = http_client();
    let manifest_url = format!(
        "{}/v2/acme/app/manifests/{}",
        github.registry_url(),
        image.root.digest
    );

    // No token: 401 with a Bearer challenge for this repository.
    let first = client.get(&manifest_url).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::UNAUTHORIZED);
    let challenge = first.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(challenge.starts_with("Bearer "), "{challenge}");
    let realm = challenge_parameter(&challenge, "realm");
    assert_eq!(realm, format!("{}/token", github.registry_url()));
    let scope = challenge_parameter(&challenge, "scope");
    assert_eq!(scope, "repository:acme/app:pull");
    let token_url = format!(
        "{realm}?service={}&scope={scope}",
        challenge_parameter(&challenge, "service")
    );

    // The token endpoint takes the GitHub token as the basic-auth password.
    let refused = client
        .get(&token_url)
        .basic_auth("x", Some("not-a-token"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    github.add_token("no-scopes", &[]);
    let denied = client
        .get(&token_url)
        .basic_auth("x", Some("no-scopes"))
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status(), StatusCode::FORBIDDEN);
    let granted: Value = client
        .get(&token_url)
        .basic_auth("x", Some(FakeGitHub::TOKEN))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = granted["token"].as_str().unwrap().to_string();

    let manifest = client
        .get(&manifest_url)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(manifest.status(), StatusCode::OK);
    assert_eq!(manifest.headers()["content-type"], OCI_INDEX);
    assert_eq!(
        manifest.headers()["docker-content-digest"],
        image.root.digest.as_str()
    );
    let body = manifest.bytes().await.unwrap();
    assert_eq!(crate::registry::digest_of(&body), image.root.digest);
    let index: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(index["manifests"].as_array().unwrap().len(), 4);

    // The token is good for this repository only.
    github.add_package(&acme, "container", "other", "private");
    let other = client
        .get(format!(
            "{}/v2/acme/other/manifests/latest",
            github.registry_url()
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::UNAUTHORIZED);

    // By tag, the same manifest; a deleted version is a 404 until restored.
    let by_tag = client
        .get(format!(
            "{}/v2/acme/app/manifests/latest",
            github.registry_url()
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        by_tag.headers()["docker-content-digest"],
        image.root.digest.as_str()
    );
    let child = &image.platforms[0];
    let child_url = format!(
        "{}/v2/acme/app/manifests/{}",
        github.registry_url(),
        child.digest
    );
    github.set_version_deleted(&acme, "container", "app", child.id, true);
    let gone = client
        .get(&child_url)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    assert_eq!(github.broken_images(&acme, "app").len(), 1);
    github.set_version_deleted(&acme, "container", "app", child.id, false);
    let back = client
        .get(&child_url)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(back.status(), StatusCode::OK);
    assert!(github.broken_images(&acme, "app").is_empty());

    // Faults: a corrupted body, and the usual injected statuses.
    github.corrupt_manifest(&child.digest);
    let corrupt = client
        .get(&child_url)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        corrupt.headers()["docker-content-digest"],
        child.digest.as_str()
    );
    assert_ne!(
        crate::registry::digest_of(&corrupt.bytes().await.unwrap()),
        child.digest
    );
    github
        .inject(Fault::new(FaultKind::Status(503)).on(Matcher::PathContains("/manifests/".into())));
    let unavailable = client
        .get(&child_url)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(unavailable.status(), StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn a_moved_tag_leaves_the_old_image_untagged() {
    let github = FakeGitHub::start().await;
    let acme = Owner::org("acme");
    github.add_package(&acme, "container", "app", "private");
    let old = github.publish_image(&acme, "app", &ImageSpec::new(&["latest"]).cosign(&["sig"]));
    let new = github.publish_image(
        &acme,
        "app",
        &ImageSpec::new(&["latest"])
            .shared(&old.platforms[0].digest, "linux/amd64")
            .referrer("application/spdx+json"),
    );
    let versions = github.versions(&acme, "container", "app");
    let tags_of = |id: i64| versions.iter().find(|v| v.id == id).unwrap().tags.clone();
    assert!(tags_of(old.root.id).is_empty());
    assert_eq!(tags_of(new.root.id), ["latest"]);
    assert_eq!(
        tags_of(old.cosign[0].id),
        [format!(
            "sha256-{}.sig",
            old.root.digest.trim_start_matches("sha256:")
        )]
    );
    assert_eq!(new.referrers.len(), 1);
    assert!(github.broken_images(&acme, "app").is_empty());
}

#[tokio::test]
async fn a_publish_fault_pushes_an_image_before_the_request_is_answered() {
    let github = FakeGitHub::start().await;
    let acme = Owner::org("acme");
    github.add_package(&acme, "container", "app", "private");
    let first = github.publish_image(&acme, "app", &ImageSpec::single(&[]));
    let push = ImageSpec::new(&["v2"])
        .attestations(false)
        .shared(&first.root.digest, "linux/arm64");
    github.inject(
        Fault::new(FaultKind::Publish {
            owner: acme.clone(),
            package: "app".into(),
            image: push,
        })
        .on(Matcher::PathContains("/versions".into())),
    );
    let url = format!(
        "{}/orgs/acme/packages/container/app/versions",
        github.base_url()
    );
    let listed: Value = http_client()
        .get(&url)
        .bearer_auth(FakeGitHub::TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // The image was pushed before the listing was answered: the listing
    // already shows it (the index and its new platform manifest).
    assert_eq!(listed.as_array().unwrap().len(), 3, "{listed}");
    assert_eq!(github.pending_faults(), 0);
    assert!(github.broken_images(&acme, "app").is_empty());
}
