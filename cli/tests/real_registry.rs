//! End-to-end against a real registry: the CNCF distribution registry
//! (Debian's `docker-registry`) started by each test on 127.0.0.1, images
//! pushed through its API in the shapes people push to ghcr.io, the fake
//! GitHub listing what the registry stores as the package's versions and
//! deleting and restoring through it. After `prune --execute` every kept
//! tag is pulled whole by an independent client (skopeo); after `restore`
//! every deleted manifest is served again byte for byte. Without
//! `docker-registry` or `skopeo` each test says so in one line and skips.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use fake_github::{Owner, RealRegistry};

mod support;
use support::pusher::{Pushed, Pusher};
use support::registry_process::{RegistryProcess, Tools};
use support::token_front::TokenFront;
use support::{Fixture, Run, run_command};

/// The registry's and skopeo's programs, and a fixture (scratch directory
/// `name`) for the test `test`; `None`, once the test has said it skips,
/// without them.
fn tools_and_fixture(test: &str, name: &str) -> Option<(Tools, Fixture)> {
    let tools = Tools::find(test)?;
    Some((tools, Fixture::new(name)))
}

/// `ghpkg LINE` against the fake GitHub, reading images from `registry_url`.
fn ghpkg(fixture: &Fixture, registry_url: &str, line: &str) -> Run {
    let mut command = fixture.command(line, &[]);
    command.env("GHPKG_REGISTRY", registry_url);
    run_command(command)
}

/// `skopeo copy --all` of `reference` (`HOST:PORT/repo:tag`) into a fresh
/// folder: every manifest, config and layer it needs, checked against
/// their digests.
fn skopeo_pulls(tools: &Tools, dir: &Path, reference: &str) -> Result<(), String> {
    let target = dir.join(format!("pull-{}", reference.replace(['/', ':'], "_")));
    let _ = std::fs::remove_dir_all(&target);
    let output = Command::new(&tools.skopeo)
        .args([
            "--insecure-policy",
            "copy",
            "--all",
            "--src-tls-verify=false",
        ])
        .arg(format!("docker://{reference}"))
        .arg(format!("dir:{}", target.display()))
        .output()
        .expect("skopeo runs");
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "skopeo copy {reference}: {}",
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// Tag → digest, as the registry stores them.
fn tags(registry: &RealRegistry) -> BTreeMap<String, String> {
    registry.stored_tags().into_iter().collect()
}

/// Makes the fake's container package `acme/app` list what `registry`
/// stores (oldest first in the order `pushed`).
fn list_over(fixture: &Fixture, registry: &RealRegistry, pushed: &[String]) {
    let acme = Owner::org("acme");
    let github = &fixture.github;
    github.add_package(&acme, "container", "app", "private");
    github.import_registry(&acme, "app", registry, pushed);
}

/// Each of `digests` is served byte for byte as it was pushed.
fn served_as_pushed(registry: &RealRegistry, digests: &BTreeSet<String>, push: &Pusher) {
    for digest in digests {
        let (_, body) = registry
            .manifest(digest)
            .unwrap()
            .unwrap_or_else(|| panic!("{digest} is not served after restore"));
        assert!(body == push.bodies[digest], "{digest} came back changed");
    }
}

/// What [`push_every_shape`] pushed.
struct Shapes {
    old: Pushed,
    /// The cosign signature, SBOM and referrers index of `old`.
    old_attachments: [Pushed; 3],
    lone: Pushed,
    untagged_index: Pushed,
    docker: Pushed,
    chart: Pushed,
    cache: Pushed,
    cache_blobs: Vec<String>,
    new: Pushed,
}

/// Oldest first, so that `--keep-latest 4` leaves out `old` (`v1`) with
/// its attachments and the untagged images, and keeps the Docker list,
/// the Helm chart, the BuildKit cache and `new` (`latest`) with its own.
fn push_every_shape(push: &mut Pusher) -> Shapes {
    let old = push.buildx(&["linux/amd64", "linux/arm64"], Some("v1"));
    let old_signature = push.cosign_signature(&old);
    let (old_sbom, old_referrers) = push.referrers(&old);
    let lone = push.image(None);
    let untagged_index = push.buildx(&["linux/amd64"], None);
    let docker = push.docker_list(Some("v2-docker"));
    let chart = push.helm_chart(Some("chart-0.1.0"));
    let (cache, cache_blobs) = push.buildkit_cache(Some("buildcache"));
    let new = push.buildx(&["linux/amd64", "linux/arm64"], Some("latest"));
    push.cosign_signature(&new);
    push.referrers(&new);
    Shapes {
        old,
        old_attachments: [old_signature, old_sbom, old_referrers],
        lone,
        untagged_index,
        docker,
        chart,
        cache,
        cache_blobs,
        new,
    }
}

#[test]
fn prune_keeps_every_kept_tag_pullable_and_restore_puts_every_manifest_back() {
    let Some((tools, fixture)) = tools_and_fixture(
        "prune_keeps_every_kept_tag_pullable_and_restore_puts_every_manifest_back",
        "prune",
    ) else {
        return;
    };
    let dir = &fixture.dir;
    let process = RegistryProcess::start(&tools, dir, None);
    let registry = process.repository("acme/app");
    let mut push = Pusher::new(registry.clone());
    let shapes = push_every_shape(&mut push);
    let tags_before = tags(&registry);
    let stored_before: BTreeSet<String> = registry.stored_manifests().into_iter().collect();
    assert_eq!(
        stored_before.len(),
        push.pushed.len(),
        "every push is stored"
    );

    list_over(&fixture, &registry, &push.pushed);

    let journal = dir.join("journal.jsonl");
    let prune = format!(
        "prune --org acme --type container --name app --keep-latest 4 --execute --json \
         --journal {}",
        journal.display()
    );
    let pruned = ghpkg(&fixture, &registry.url(), &prune);
    pruned.assert_code(0);
    // The prune checked the images it kept after its deletions.
    assert_eq!(pruned.json()["verification"]["healthy"], true);

    // The oldest image goes with its signature, referrers index and SBOM,
    // and the untagged images; the four newest stay whole.
    let stored_after: BTreeSet<String> = registry.stored_manifests().into_iter().collect();
    let deleted: BTreeSet<String> = stored_before.difference(&stored_after).cloned().collect();
    for gone in [&shapes.old, &shapes.lone, &shapes.untagged_index]
        .into_iter()
        .chain(&shapes.old_attachments)
    {
        assert!(deleted.contains(&gone.digest), "{} stays", gone.digest);
    }
    // v1: index, 2 platforms, 2 attestations, 3 attachments; the lone
    // manifest; the untagged index, its platform and attestation.
    assert_eq!(deleted.len(), 8 + 1 + 3, "{deleted:#?}");
    for kept in [&shapes.docker, &shapes.chart, &shapes.cache, &shapes.new] {
        assert!(stored_after.contains(&kept.digest), "{} went", kept.digest);
    }
    let kept_tags: BTreeSet<String> = tags(&registry).into_keys().collect();
    let expected: BTreeSet<String> = [
        "latest",
        "v2-docker",
        "chart-0.1.0",
        "buildcache",
        &format!("sha256-{}", shapes.new.hex()),
        &format!("sha256-{}.sig", shapes.new.hex()),
    ]
    .into_iter()
    .map(str::to_string)
    .collect();
    assert_eq!(kept_tags, expected);
    every_tag_pulls(&tools, dir, &registry, &shapes.cache_blobs);
    // `ghpkg check` agrees: nothing broken, dangling or orphaned is left.
    let check = "check --org acme --type container --name app --json";
    let checked = ghpkg(&fixture, &registry.url(), check);
    checked.assert_code(0);
    let package = &checked.json()["packages"][0];
    assert_eq!(package["verdict"], "healthy", "{package:#}");
    for list in [
        "broken_images",
        "dangling_attachments",
        "orphan_images",
        "unreadable",
    ] {
        assert_eq!(package[list], serde_json::json!([]), "{list}: {package:#}");
    }

    let restore = format!("restore --journal {} --json", journal.display());
    ghpkg(&fixture, &registry.url(), &restore).assert_code(0);
    served_as_pushed(&registry, &deleted, &push);
    assert_eq!(tags(&registry), tags_before, "every tag is back");
    every_tag_pulls(&tools, dir, &registry, &shapes.cache_blobs);
}

/// Every tag of `registry` pulls whole with skopeo, except the BuildKit
/// cache (`buildcache`, no image a client pulls), whose blobs `cache_blobs`
/// must all be served.
fn every_tag_pulls(tools: &Tools, dir: &Path, registry: &RealRegistry, cache_blobs: &[String]) {
    let address = registry.url().trim_start_matches("http://").to_string();
    for tag in tags(registry).keys() {
        if tag == "buildcache" {
            for blob in cache_blobs {
                assert!(registry.blob_served(blob).unwrap(), "{blob}");
            }
        } else {
            let reference = format!("{address}/acme/app:{tag}");
            skopeo_pulls(tools, dir, &reference).unwrap();
        }
    }
}

#[test]
fn prune_reads_a_registry_behind_a_bearer_challenge() {
    let Some((tools, fixture)) =
        tools_and_fixture("prune_reads_a_registry_behind_a_bearer_challenge", "auth")
    else {
        return;
    };
    let dir = &fixture.dir;
    let (front, listener) = TokenFront::bind();
    let realm = format!("{}/token", front.url());
    let process = RegistryProcess::start(&tools, dir, Some(&realm));
    front.serve(listener, process.address());
    let registry = process.repository("acme/app");
    // Without a token the registry challenges; the front passes that on.
    let challenge = RealRegistry::new(front.address(), "acme/app", dir.join("storage"));
    let unauthorized = registry_get_without_token(&challenge);
    assert_eq!(unauthorized.0, 401);
    assert!(
        unauthorized.1.starts_with("Bearer realm=") && unauthorized.1.contains(&realm),
        "{}",
        unauthorized.1
    );

    let mut push = Pusher::new(registry.clone());
    let old = push.buildx(&["linux/amd64"], None);
    let image = push.buildx(&["linux/amd64", "linux/arm64"], Some("latest"));
    push.cosign_signature(&image);
    list_over(&fixture, &registry, &push.pushed);

    let journal = dir.join("journal.jsonl");
    let prune = format!(
        "prune --org acme --type container --name app --untagged --execute --json --journal {}",
        journal.display()
    );
    ghpkg(&fixture, &front.url(), &prune).assert_code(0);
    let (credentialed, all) = front.token_requests();
    assert!(
        credentialed >= 1,
        "ghpkg fetched no token with its credentials ({all} token requests)"
    );
    assert_eq!(registry.manifest(&old.digest).unwrap(), None);
    let reference = format!("{}/acme/app:latest", front.address());
    skopeo_pulls(&tools, dir, &reference).unwrap();

    let restore = format!("restore --journal {} --json", journal.display());
    ghpkg(&fixture, &front.url(), &restore).assert_code(0);
    served_as_pushed(&registry, &BTreeSet::from([old.digest]), &push);
}

/// A manifest read without `Authorization`: status and `WWW-Authenticate`.
fn registry_get_without_token(front: &RealRegistry) -> (u16, String) {
    use std::io::{Read, Write};
    let address = front.url().trim_start_matches("http://").to_string();
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    write!(
        stream,
        "GET /v2/acme/app/manifests/latest HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let status = raw
        .split(' ')
        .nth(1)
        .unwrap_or_default()
        .parse()
        .unwrap_or(0);
    let challenge = raw
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("www-authenticate")
                .then(|| value.trim().to_string())
        })
        .unwrap_or_default();
    (status, challenge)
}
