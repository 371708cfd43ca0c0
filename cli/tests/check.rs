//! End-to-end: `ghpkg check` on the fake GitHub and its registry, and the
//! verification and the bytes of `ghpkg prune`.

use std::collections::BTreeSet;

use chrono::{TimeDelta, Utc};
use fake_github::{ImageSpec, Owner, PublishedImage};
use serde_json::Value;

mod support;
use support::Fixture;

fn acme() -> Owner {
    Owner::org("acme")
}

const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";

/// A fixture whose fake holds `acme`'s empty container package `app`.
fn with_app(name: &str) -> Fixture {
    let fixture = Fixture::new(name);
    fixture
        .github
        .add_package(&acme(), "container", "app", "private");
    fixture
}

fn publish(fixture: &Fixture, spec: ImageSpec) -> PublishedImage {
    fixture.github.publish_image(&acme(), "app", &spec)
}

/// Deletes version `id` as another tool would: no request of ghpkg's.
fn delete_behind_the_back(fixture: &Fixture, id: i64) {
    fixture
        .github
        .set_version_deleted(&acme(), "container", "app", id, true);
}

fn strings<'a>(values: &'a Value, field: &str) -> BTreeSet<&'a str> {
    let values = values.as_array().unwrap();
    values.iter().filter_map(|v| v[field].as_str()).collect()
}

fn ids(values: &Value) -> BTreeSet<i64> {
    let values = values.as_array().unwrap();
    values.iter().filter_map(|v| v["id"].as_i64()).collect()
}

const CHECK: &str = "check --org acme --type container --name app";

#[test]
fn check_names_each_problem_and_exits_1() {
    let fixture = with_app("check-problems");
    let github = &fixture.github;
    // An index whose arm64 manifest another tool deleted.
    let broken = publish(
        &fixture,
        ImageSpec::new(&["latest"]).platforms(&["linux/amd64", "linux/arm64"]),
    );
    delete_behind_the_back(&fixture, broken.platforms[1].id);
    // A cosign signature whose image is gone.
    let signed = publish(&fixture, ImageSpec::new(&["v1"]).cosign(&["sig"]));
    for id in [
        signed.root.id,
        signed.platforms[0].id,
        signed.attestations[0].id,
    ] {
        delete_behind_the_back(&fixture, id);
    }
    // A referrers index (tag `sha256-<hex>`) whose image is gone.
    let gone = publish(&fixture, ImageSpec::single(&["old"]));
    delete_behind_the_back(&fixture, gone.root.id);
    let referrers_tag = format!("sha256-{}", gone.root.digest.trim_start_matches("sha256:"));
    let body = format!(r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[]}}"#);
    let referrers = github.push_manifest(
        &acme(),
        "app",
        OCI_INDEX,
        body.as_bytes(),
        &[&referrers_tag],
    );
    // Two orphans, 3 and 10 days old.
    let orphans: Vec<PublishedImage> = [3, 10]
        .into_iter()
        .map(|days| {
            let created = Utc::now() - TimeDelta::days(days);
            publish(&fixture, ImageSpec::single(&[]).created_at(created))
        })
        .collect();
    // A version the registry serves as something that is not a manifest
    // ghpkg reads (Docker schema 1).
    let legacy = github.push_manifest(
        &acme(),
        "app",
        "application/vnd.docker.distribution.manifest.v1+prettyjws",
        br#"{"schemaVersion":1,"name":"acme/app"}"#,
        &["legacy"],
    );

    let run = fixture.run(&format!("{CHECK} --json"));
    run.assert_code(1);
    let document = run.json();
    let package = &document["packages"][0];
    assert_eq!(package["verdict"], "broken");
    let broken_images = &package["broken_images"];
    assert_eq!(ids(broken_images), BTreeSet::from([broken.root.id]));
    let missing = &broken_images[0]["missing"];
    assert_eq!(missing.as_array().unwrap().len(), 1, "{missing}");
    assert_eq!(missing[0]["digest"], broken.platforms[1].digest.as_str());
    assert_eq!(missing[0]["kind"], "platform");
    assert_eq!(missing[0]["platform"], "linux/arm64");
    assert_eq!(missing[0]["reason"], "not-in-package");
    assert_eq!(broken_images[0]["tags"], serde_json::json!(["latest"]));

    let dangling = &package["dangling_attachments"];
    assert_eq!(
        ids(dangling),
        BTreeSet::from([signed.cosign[0].id, referrers.id])
    );
    assert_eq!(
        strings(dangling, "artifact_type"),
        BTreeSet::from(["signature", "referrers"])
    );
    assert_eq!(
        strings(dangling, "subject"),
        BTreeSet::from([signed.root.digest.as_str(), gone.root.digest.as_str()])
    );

    let orphan_images = &package["orphan_images"];
    assert_eq!(
        ids(orphan_images),
        orphans.iter().map(|o| o.root.id).collect()
    );
    assert_eq!(
        package["orphan_bytes"].as_u64().unwrap(),
        orphan_images
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["bytes"].as_u64().unwrap())
            .sum::<u64>(),
        "the orphans share no blob"
    );
    assert_eq!(ids(&package["unreadable"]), BTreeSet::from([legacy.id]));
    let summary = &document["summary"];
    assert_eq!(summary["broken_images"], 1);
    assert_eq!(summary["dangling_attachments"], 2);
    assert_eq!(summary["orphan_images"], 2);
    assert_eq!(summary["unreadable"], 1);

    // The table names each too, with a one-line verdict.
    let run = fixture.run(CHECK);
    run.assert_code(1);
    for expected in [
        format!("platform linux/arm64 {}: not in the package", broken.platforms[1].digest),
        format!("cosign signature of {}", signed.root.digest),
        format!("referrers index of {}", gone.root.digest),
        "orphans: 2 untagged images no tag reaches, 3d to 10d old".to_string(),
        "app: BROKEN: 1 broken image, 1 unreadable version, 2 dangling attachments, 2 orphan images"
            .to_string(),
        "1 package: 0 without a problem, 1 broken or not checked".to_string(),
    ] {
        assert!(run.stdout.contains(&expected), "{expected}\n{}", run.stdout);
    }
    assert!(run.stdout.contains(&legacy.digest), "{}", run.stdout);
}

#[test]
fn a_healthy_package_exits_0_and_other_types_have_nothing_to_check() {
    let fixture = with_app("check-healthy");
    publish(
        &fixture,
        ImageSpec::new(&["latest"])
            .platforms(&["linux/amd64", "linux/arm64"])
            .cosign(&["sig"])
            .referrer("application/spdx+json"),
    );
    let run = fixture.run(&format!("{CHECK} --json"));
    run.assert_code(0);
    let package = &run.json()["packages"][0];
    assert_eq!(package["verdict"], "healthy");
    assert_eq!(package["images"], 1);
    assert_eq!(package["versions"], 7);
    for list in [
        "broken_images",
        "dangling_attachments",
        "orphan_images",
        "unreadable",
    ] {
        assert_eq!(package[list], serde_json::json!([]), "{list}");
    }
    let run = fixture.run(CHECK);
    run.assert_code(0);
    assert!(
        run.stdout.contains("app: healthy; 1 image in 7 versions"),
        "{}",
        run.stdout
    );

    fixture.github.add_package(&acme(), "npm", "lib", "private");
    fixture.github.add_versions(&acme(), "npm", "lib", 3);
    let run = fixture.run("check --org acme --type npm --all-packages");
    run.assert_code(0);
    assert!(
        run.stdout.contains("lib: 3 versions, nothing to check"),
        "{}",
        run.stdout
    );
}

#[test]
fn check_without_packages_is_bad_input() {
    let fixture = Fixture::new("check-bad-input");
    let run = fixture.run("check --org acme --type container");
    run.assert_code(2);
    assert_eq!(
        run.stderr.trim(),
        "error: check needs --policy FILE, or an owner (--org, --user or --me) with --type and \
         --name GLOB (or --all-packages)"
    );
    assert!(fixture.github.requests().is_empty());
    let run = fixture.run("check --org acme --type container --name app --keep-latest 3");
    run.assert_code(2);
}

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";

/// A made-up blob digest, `n` in hex.
fn blob_digest(n: u64) -> String {
    format!("sha256:{n:064x}")
}

/// An image manifest whose config (blob `config`, 100 bytes) and layers
/// (`(blob, size)`) are as given.
fn image_body(config: u64, layers: &[(u64, u64)]) -> String {
    let layers: Vec<String> = layers
        .iter()
        .map(|(blob, size)| {
            format!(
                r#"{{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{}","size":{size}}}"#,
                blob_digest(*blob)
            )
        })
        .collect();
    format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{}","size":100}},"layers":[{}]}}"#,
        blob_digest(config),
        layers.join(",")
    )
}

#[test]
fn a_prune_frees_the_blobs_no_kept_image_names_each_once() {
    let fixture = with_app("prune-bytes");
    let github = &fixture.github;
    let (base, kept_top, shared, top_1, top_2) = (1, 2, 3, 4, 5);
    // The kept image and the first deleted one share the base layer; the
    // two deleted ones share a layer of their own.
    let kept = image_body(10, &[(base, 1000), (kept_top, 10)]);
    let deleted_1 = image_body(11, &[(base, 1000), (top_1, 20), (shared, 300)]);
    let deleted_2 = image_body(12, &[(shared, 300), (top_2, 40)]);
    for (body, tags) in [
        (&kept, &["latest"][..]),
        (&deleted_1, &[][..]),
        (&deleted_2, &[][..]),
    ] {
        github.push_manifest(&acme(), "app", OCI_MANIFEST, body.as_bytes(), tags);
    }
    let manifests = (kept.len() + deleted_1.len() + deleted_2.len()) as u64;
    let run = fixture.run("prune --org acme --type container --name app --untagged --json");
    run.assert_code(0);
    let document = run.json();
    let freed = (deleted_1.len() + deleted_2.len()) as u64 + 2 * 100 + 20 + 300 + 40;
    assert_eq!(document["reclaimable_bytes"], freed);
    assert_eq!(
        document["total_bytes"],
        manifests + 3 * 100 + 1000 + 10 + 20 + 300 + 40
    );
    let run = fixture.run("prune --org acme --type container --name app --untagged");
    run.assert_code(0);
    assert!((1024..1024 * 1024).contains(&freed));
    let frees = format!("frees {:.1} KiB of ", freed as f64 / 1024.0);
    assert!(run.stdout.contains(&frees), "{frees}\n{}", run.stdout);
    // Over many packages, per package and in the run's summary.
    let run = fixture.run("prune --org acme --type container --name ap* --untagged --json");
    run.assert_code(0);
    let document = run.json();
    assert_eq!(document["packages"][0]["reclaimable_bytes"], freed);
    assert_eq!(document["summary"]["reclaimable_bytes"], freed);
}

#[test]
fn an_executed_prune_verifies_the_kept_images() {
    let fixture = with_app("prune-verified");
    publish(
        &fixture,
        ImageSpec::new(&["latest"]).platforms(&["linux/amd64", "linux/arm64"]),
    );
    let orphan = publish(&fixture, ImageSpec::single(&[]));
    let journal = fixture.journal("prune.jsonl");
    let run = fixture.run_with(
        "prune --org acme --type container --name app --untagged --execute --json",
        &["--journal", &journal],
    );
    run.assert_code(0);
    let document = run.json();
    assert_eq!(document["verification"]["healthy"], true);
    assert_eq!(document["verification"]["problems"], serde_json::json!([]));
    let (deleted, _) = fixture.server_state(&acme(), "container", "app");
    assert_eq!(deleted, BTreeSet::from([orphan.root.id]));
    // The dry run deletes nothing, so it verifies nothing.
    let run = fixture.run("prune --org acme --type container --name app --untagged --json");
    assert!(run.json().get("verification").is_none());
}

#[test]
fn a_kept_image_broken_behind_the_prune_s_back_fails_the_run_with_the_restore_command() {
    use std::process::Stdio;
    use std::time::{Duration, Instant};

    let fixture = with_app("prune-broken-after");
    let kept = publish(
        &fixture,
        ImageSpec::new(&["latest"]).platforms(&["linux/amd64", "linux/arm64"]),
    );
    publish(&fixture, ImageSpec::single(&[]));
    let journal = fixture.journal("prune.jsonl");
    let summary = fixture.dir.join("summary.md");
    let gate = fixture
        .github
        .hold(fake_github::Matcher::Method("DELETE".into()));
    let mut command = fixture.command(
        "prune --org acme --type container --name app --untagged --execute",
        &["--journal", &journal],
    );
    command
        .env("GITHUB_STEP_SUMMARY", &summary)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = command.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while fixture.requests("DELETE") == 0 {
        assert!(Instant::now() < deadline, "no DELETE reached the server");
        std::thread::sleep(Duration::from_millis(5));
    }
    // Between the deletions and the verification, another tool deletes a
    // platform manifest of the kept image.
    delete_behind_the_back(&fixture, kept.platforms[1].id);
    gate.release();
    let run = support::Run::from(child.wait_with_output().unwrap());
    run.assert_code(1);
    let expected = format!(
        "error: BROKEN AFTER THE PRUNE: acme/app: kept image {} (latest) is broken: it lists \
         platform linux/arm64 {}: not in the package",
        kept.root.digest, kept.platforms[1].digest
    );
    assert!(run.stderr.contains(&expected), "{}", run.stderr);
    let restore = format!("ghpkg restore --journal {journal}");
    assert!(run.stderr.contains(&restore), "{}", run.stderr);
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(summary.contains("**Broken after the prune:**"), "{summary}");
    assert!(summary.contains(&format!("`{restore}`")), "{summary}");
}

#[test]
fn versions_sizes_gives_each_image_its_bytes() {
    let fixture = with_app("versions-sizes");
    let image = publish(
        &fixture,
        ImageSpec::new(&["latest"]).platforms(&["linux/amd64", "linux/arm64"]),
    );
    let run = fixture.run("versions --org acme --type container --name app --sizes --json");
    run.assert_code(0);
    let versions = run.json()["versions"].as_array().unwrap().clone();
    let sized: Vec<(i64, u64)> = versions
        .iter()
        .filter_map(|v| Some((v["id"].as_i64()?, v["image_bytes"].as_u64()?)))
        .collect();
    // One image: only its root has a size, the whole package's.
    let check = fixture.run(&format!("{CHECK} --json"));
    let total = check.json()["packages"][0]["total_bytes"].as_u64().unwrap();
    assert_eq!(sized, [(image.root.id, total)]);
    let run = fixture.run("versions --org acme --type container --name app --sizes");
    run.assert_code(0);
    assert!(run.stdout.contains("IMAGE SIZE"), "{}", run.stdout);
    let run = fixture.run("versions --org acme --type npm --name lib --sizes");
    run.assert_code(2);
}

#[test]
fn check_takes_the_packages_a_policy_file_covers() {
    let fixture = with_app("check-policy");
    publish(&fixture, ImageSpec::new(&["latest"]));
    fixture
        .github
        .add_package(&acme(), "container", "other", "private");
    let policy = fixture.dir.join("retention.toml");
    std::fs::write(
        &policy,
        "owner = \"org:acme\"\ntype = \"container\"\n[[rule]]\nname = [\"app\"]\nuntagged = true\n",
    )
    .unwrap();
    let run = fixture.run_with("check --json --policy", &[policy.to_str().unwrap()]);
    run.assert_code(0);
    let document = run.json();
    let names = strings(&document["packages"], "package");
    assert_eq!(names, BTreeSet::from(["app"]));
    assert_eq!(document["summary"]["healthy_packages"], 1);
}
