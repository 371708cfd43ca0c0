//! The registry client against the fake registry: the challenge flow, the
//! typed errors it fails closed with, and the manifest cache.

use std::time::Duration;

use fake_github::{FakeGitHub, Fault, FaultKind, ImageSpec, Matcher, Owner};
use github_packages::Client;
use github_packages_oci::images::{GraphVersion, ImageGraph};
use github_packages_oci::registry::{
    Digest, Manifest, ManifestCache, RegistryBuilder, RegistryClient, RegistryErrorKind, repository,
};

fn registry(github: &FakeGitHub, token: &str) -> RegistryClient {
    RegistryClient::builder()
        .url(github.registry_url())
        .token(token)
        .retries(2, Duration::from_millis(1))
        .build()
        .unwrap()
}

async fn published() -> (FakeGitHub, Owner, fake_github::PublishedImage) {
    let github = FakeGitHub::start().await;
    let owner = Owner::org("Acme");
    github.add_package(&owner, "container", "app", "private");
    let image = github.publish_image(
        &owner,
        "app",
        &ImageSpec::new(&["latest"])
            .platforms(&["linux/amd64", "linux/arm64"])
            .cosign(&["sig"])
            .referrer("application/spdx+json"),
    );
    (github, owner, image)
}

fn digests(github: &FakeGitHub, owner: &Owner) -> Vec<GraphVersion> {
    github
        .versions(owner, "container", "app")
        .into_iter()
        .filter(|version| !version.deleted)
        .map(|version| GraphVersion::new(version.name.parse().unwrap(), version.tags))
        .collect()
}

#[tokio::test]
async fn reads_every_manifest_through_the_challenge_and_builds_the_image() {
    let (github, owner, image) = published().await;
    let versions = digests(&github, &owner);
    let wanted: Vec<Digest> = versions.iter().map(|v| v.digest.clone()).collect();
    let client = registry(&github, FakeGitHub::TOKEN);
    let set = client
        .manifests(&repository("Acme", "app"), &wanted, None, 3)
        .await
        .unwrap();
    assert_eq!((set.fetched, set.cached), (wanted.len(), 0));
    let token_requests = github
        .requests()
        .iter()
        .filter(|request| request.raw_path == "/token")
        .count();
    assert_eq!(token_requests, 1, "the registry token is reused");
    // The GitHub token went only to the token endpoint, never to /v2/.
    for request in github.requests() {
        let authorization = request.header("authorization").unwrap_or("");
        assert!(
            !authorization.contains(FakeGitHub::TOKEN),
            "{}",
            request.raw_path
        );
    }
    let graph = ImageGraph::build(&versions, &set.manifests).unwrap();
    assert_eq!(graph.images().len(), 1);
    assert_eq!(graph.images()[0].members.len(), image.ids().len() - 1);
    assert!(matches!(
        set.manifests[&image.root.digest.parse::<Digest>().unwrap()],
        Manifest::Index(_)
    ));
}

#[tokio::test]
async fn the_registry_for_an_api_client_shares_its_token_and_user_agent() {
    let (github, owner, _) = published().await;
    let wanted: Vec<Digest> = digests(&github, &owner)
        .iter()
        .map(|v| v.digest.clone())
        .collect();
    let api = Client::builder()
        .token(FakeGitHub::TOKEN)
        .base_url(github.base_url())
        .user_agent("my-tool/1.0");
    // The fake's API root has no registry of its own: the URL is given.
    let builder = RegistryBuilder::for_api(&api);
    assert!(!builder.has_url());
    let client = builder.url(github.registry_url()).build().unwrap();
    let set = client
        .manifests(&repository("Acme", "app"), &wanted, None, 3)
        .await
        .unwrap();
    assert_eq!(set.fetched, wanted.len());
    for request in github.requests() {
        assert_eq!(
            request.header("user-agent"),
            Some("my-tool/1.0"),
            "{}",
            request.raw_path
        );
    }
}

#[tokio::test]
async fn a_second_read_comes_from_the_cache() {
    let (github, owner, _) = published().await;
    let wanted: Vec<Digest> = digests(&github, &owner)
        .into_iter()
        .map(|v| v.digest)
        .collect();
    let dir = std::env::temp_dir().join(format!("ghpkg-registry-cache-{}", std::process::id()));
    let cache = ManifestCache::new(&dir);
    let client = registry(&github, FakeGitHub::TOKEN);
    let first = client
        .manifests("acme/app", &wanted, Some(&cache), 4)
        .await
        .unwrap();
    assert_eq!(first.fetched, wanted.len());
    let reads = github.manifest_reads();
    let second = client
        .manifests("acme/app", &wanted, Some(&cache), 4)
        .await
        .unwrap();
    assert_eq!((second.fetched, second.cached), (0, wanted.len()));
    assert_eq!(github.manifest_reads(), reads, "nothing fetched again");
    assert_eq!(first.manifests, second.manifests);
    assert_eq!(second.cache_error, None);

    // A cache that cannot be written slows things down, nothing more.
    let blocked = dir.join("a-file");
    std::fs::write(&blocked, b"not a directory").unwrap();
    let unwritable = ManifestCache::new(&blocked);
    let third = client
        .manifests("acme/app", &wanted, Some(&unwritable), 4)
        .await
        .unwrap();
    assert_eq!(third.fetched, wanted.len());
    assert!(third.cache_error.is_some());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn fails_closed_with_an_error_that_says_what_to_do() {
    let (github, owner, image) = published().await;
    let child: Digest = image.platforms[0].digest.parse().unwrap();
    let kind_of = |error: github_packages_oci::registry::RegistryError| {
        let text = error.to_string();
        assert!(
            !text.contains(FakeGitHub::TOKEN) && !text.contains("weak-token"),
            "{text}"
        );
        assert!(text.contains("acme/app"), "{text}");
        error.kind().clone()
    };

    let unknown = registry(&github, "not-a-token")
        .manifest("acme/app", &child)
        .await;
    assert_eq!(
        kind_of(unknown.unwrap_err()),
        RegistryErrorKind::Unauthorized
    );
    github.add_token("weak-token", &[]);
    let weak = registry(&github, "weak-token")
        .manifest("acme/app", &child)
        .await;
    let weak = weak.unwrap_err();
    assert!(weak.to_string().contains("read:packages"), "{weak}");
    assert_eq!(kind_of(weak), RegistryErrorKind::Forbidden);

    let client = registry(&github, FakeGitHub::TOKEN);
    github.set_version_deleted(&owner, "container", "app", image.platforms[0].id, true);
    let deleted = client.manifest("acme/app", &child).await.unwrap_err();
    assert_eq!(kind_of(deleted), RegistryErrorKind::NotFound);
    github.set_version_deleted(&owner, "container", "app", image.platforms[0].id, false);

    // A 5xx is retried; one that lasts is reported.
    let manifests = || Matcher::PathContains("/manifests/".into());
    github.inject(Fault::new(FaultKind::Status(502)).on(manifests()).times(2));
    client.manifest("acme/app", &child).await.unwrap();
    github.inject(Fault::new(FaultKind::Status(503)).on(manifests()).times(3));
    let unavailable = client.manifest("acme/app", &child).await.unwrap_err();
    assert_eq!(kind_of(unavailable), RegistryErrorKind::Unavailable(503));

    github.corrupt_manifest(&image.platforms[0].digest);
    let mismatch = client.manifest("acme/app", &child).await.unwrap_err();
    assert!(matches!(
        kind_of(mismatch),
        RegistryErrorKind::DigestMismatch { .. }
    ));

    // A batch stops at the first manifest it cannot read.
    let all: Vec<Digest> = digests(&github, &owner)
        .into_iter()
        .map(|v| v.digest)
        .collect();
    let batch = client
        .manifests("acme/app", &all, None, 4)
        .await
        .unwrap_err();
    assert_eq!(batch.digest(), Some(&child));
}

#[tokio::test]
async fn a_manifest_of_a_media_type_it_does_not_read_is_an_error() {
    let github = FakeGitHub::start().await;
    let owner = Owner::org("acme");
    github.add_package(&owner, "container", "app", "private");
    let body = br#"{"schemaVersion":1,"name":"acme/app","tag":"old","fsLayers":[]}"#;
    let pushed = github.push_manifest(
        &owner,
        "app",
        "application/vnd.docker.distribution.manifest.v1+prettyjws",
        body,
        &["old"],
    );
    let error = registry(&github, FakeGitHub::TOKEN)
        .manifest("acme/app", &pushed.digest.parse().unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), RegistryErrorKind::Manifest(_)),
        "{error}"
    );
    assert!(error.to_string().contains("prettyjws"), "{error}");
}
