//! End-to-end: `ghpkg prune` on container images, with the real binary
//! against the fake GitHub and its registry. After every `--execute`, every
//! remaining tag is walked through the registry: no prune may leave an
//! image that cannot be pulled.

use std::collections::BTreeSet;

use chrono::{DateTime, TimeDelta, Utc};
use fake_github::{FakeGitHub, Fault, FaultKind, ImageSpec, Matcher, Owner, PublishedImage};
use serde_json::Value;

mod support;
use support::{Fixture, Ids, Run};

/// The organization every test here prunes in.
fn acme() -> Owner {
    Owner::org("acme")
}

/// A fixture whose fake holds `acme`'s empty container package `app`.
fn with_app(name: &str) -> Fixture {
    let fixture = Fixture::new(name);
    let github = &fixture.github;
    github.add_package(&acme(), "container", "app", "private");
    fixture
}

/// The journal the tests here prune with.
const JOURNAL: &str = "prune.jsonl";

/// What the tests here do with `acme/app` on the shared fixture.
trait AppImages {
    fn publish(&self, spec: ImageSpec) -> PublishedImage;
    fn execute(&self, policy: &str, journal: &str) -> Run;
    fn assert_pullable(&self, digest: &str);
    fn fail_restores_of(&self, id: i64);
    fn deleted(&self) -> Ids;
    fn request_order(&self, method: &str) -> Vec<i64>;
}

impl AppImages for Fixture {
    fn publish(&self, spec: ImageSpec) -> PublishedImage {
        self.github.publish_image(&acme(), "app", &spec)
    }

    /// `prune --execute` on `acme/app`, then the check that every tag
    /// still pulls whole.
    fn execute(&self, policy: &str, journal: &str) -> Run {
        let line =
            format!("prune --org acme --type container --name app {policy} --execute --json");
        let run = self.run_with(&line, &["--journal", journal]);
        let broken = self.github.broken_images(&acme(), "app");
        assert!(
            broken.is_empty(),
            "broken images after {policy}: {broken:#?}"
        );
        run
    }

    /// The image `digest` pulls whole: every manifest it needs is there.
    fn assert_pullable(&self, digest: &str) {
        let missing = self.github.unpullable(&acme(), "app", digest);
        assert!(missing.is_empty(), "{digest}: {missing:?}");
    }

    /// Every restore of version `id` is answered 500 from now on.
    fn fail_restores_of(&self, id: i64) {
        self.github.inject(
            Fault::new(FaultKind::Status(500))
                .on(Matcher::All(vec![
                    Matcher::Method("POST".into()),
                    Matcher::PathContains(format!("/versions/{id}/restore")),
                ]))
                .times(100),
        );
    }

    fn deleted(&self) -> Ids {
        let (deleted, _) = self.server_state(&acme(), "container", "app");
        deleted
    }

    /// Ids in the order their DELETE (or restore POST) reached the server.
    fn request_order(&self, method: &str) -> Vec<i64> {
        self.github
            .requests()
            .iter()
            .filter(|request| request.method == method)
            .filter_map(|request| {
                let path = request.raw_path.trim_end_matches("/restore");
                path.rsplit('/').next()?.parse().ok()
            })
            .collect()
    }
}

fn ids(ids: impl IntoIterator<Item = i64>) -> Ids {
    ids.into_iter().collect()
}

/// The string `field` of each member of an image in `prune --json`.
fn members<'a>(image: &'a Value, field: &str) -> Vec<&'a str> {
    let members = image["members"].as_array().unwrap();
    members.iter().filter_map(|m| m[field].as_str()).collect()
}

/// `days` days ago.
fn days_ago(days: i64) -> DateTime<Utc> {
    Utc::now() - TimeDelta::days(days)
}

/// An untagged single-manifest image, created `days` ago.
fn orphan(days: i64) -> ImageSpec {
    ImageSpec::single(&[]).created_at(days_ago(days))
}

/// An image for linux/amd64 and linux/arm64, as buildx pushes it.
fn multi_arch(tags: &[&str]) -> ImageSpec {
    ImageSpec::new(tags).platforms(&["linux/amd64", "linux/arm64"])
}

#[test]
fn a_kept_multi_arch_image_keeps_its_untagged_children() {
    let fixture = with_app("multi-arch");
    let image = fixture.publish(multi_arch(&["latest"]));
    let stray = fixture.publish(orphan(3));
    let run = fixture.execute("--untagged", &fixture.journal(JOURNAL));
    run.assert_code(0);
    assert_eq!(fixture.deleted(), ids([stray.root.id]));
    let document = run.json();
    assert_eq!(document["summary"]["deleted"], 1);
    assert_eq!(document["summary"]["kept"], 5);
    let images = document["images"].as_array().unwrap();
    let kept = images.iter().find(|i| i["id"] == image.root.id).unwrap();
    assert_eq!(kept["action"], "keep");
    assert_eq!(kept["tags"], serde_json::json!(["latest"]));
    let kinds = members(kept, "kind");
    assert_eq!(
        kinds,
        ["platform", "platform", "attestation", "attestation"]
    );
    let platforms = members(kept, "platform");
    assert_eq!(platforms, ["linux/amd64", "linux/arm64"]);
}

#[test]
fn a_single_platform_push_with_attestations_is_kept_whole() {
    let fixture = with_app("single-platform");
    let image = fixture.publish(ImageSpec::new(&["v1"]));
    assert_eq!(image.ids().len(), 3, "index, manifest, attestation");
    let run = fixture.execute("--untagged", &fixture.journal(JOURNAL));
    run.assert_code(0);
    assert!(fixture.deleted().is_empty());
    assert_eq!(fixture.request_order("DELETE"), Vec::<i64>::new());
}

#[test]
fn a_moved_tag_deletes_the_old_image_index_first_and_restore_brings_it_back() {
    let fixture = with_app("moved-tag");
    let old = fixture.publish(multi_arch(&["latest"]).created_at(days_ago(10)));
    let new = fixture.publish(multi_arch(&["latest"]));
    let journal = fixture.journal(JOURNAL);
    let run = fixture.execute("--untagged", &journal);
    run.assert_code(0);
    assert_eq!(fixture.deleted(), ids(old.ids()));
    let order = fixture.request_order("DELETE");
    assert_eq!(order[0], old.root.id, "the index goes first: {order:?}");
    assert!(new.ids().iter().all(|id| !order.contains(id)));

    // Every journal line names the image its version belonged to.
    let text = std::fs::read_to_string(&journal).unwrap();
    for line in text.lines() {
        let record: Value = serde_json::from_str(line).unwrap();
        assert_eq!(record["image"], old.root.digest.as_str(), "{line}");
    }

    fixture.github.clear_requests();
    fixture
        .run_with("restore --journal", &[&journal])
        .assert_code(0);
    assert!(fixture.deleted().is_empty());
    let restored = fixture.request_order("POST");
    assert_eq!(
        restored.last(),
        Some(&old.root.id),
        "children come back before their index: {restored:?}"
    );
    fixture.assert_pullable(&old.root.digest);
}

#[test]
fn a_child_shared_by_a_kept_and_a_deleted_index_stays() {
    let fixture = with_app("shared-child");
    let old = fixture.publish(
        multi_arch(&["latest"])
            .attestations(false)
            .created_at(days_ago(10)),
    );
    let shared = &old.platforms[0];
    let new = fixture.publish(
        ImageSpec::new(&["latest"])
            .platforms(&["linux/arm64"])
            .attestations(false)
            .shared(&shared.digest, "linux/amd64"),
    );
    let run = fixture.execute("--untagged", &fixture.journal(JOURNAL));
    run.assert_code(0);
    assert_eq!(fixture.deleted(), ids([old.root.id, old.platforms[1].id]));
    fixture.assert_pullable(&new.root.digest);
    let document = run.json();
    let row = document["versions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == shared.id)
        .unwrap();
    assert_eq!(row["result"], "kept");
}

#[test]
fn signatures_and_referrers_follow_their_image() {
    let fixture = with_app("attachments");
    let old = fixture.publish(
        ImageSpec::new(&["v1"])
            .cosign(&["sig", "att"])
            .referrer("application/spdx+json")
            .created_at(days_ago(40)),
    );
    let new = fixture.publish(
        ImageSpec::new(&["v2"])
            .cosign(&["sig"])
            .referrer("application/spdx+json")
            .created_at(days_ago(1)),
    );
    // --older-than 30d alone would select old's attachments and keep new's
    // by age; images decide: old goes whole, new stays whole.
    let run = fixture.execute("--older-than 30d", &fixture.journal(JOURNAL));
    run.assert_code(0);
    assert_eq!(fixture.deleted(), ids(old.ids()));
    let document = run.json();
    let images = document["images"].as_array().unwrap();
    assert_eq!(images.len(), 2, "attachments are not images of their own");
    let kept = images.iter().find(|i| i["id"] == new.root.id).unwrap();
    let kinds: BTreeSet<&str> = members(kept, "kind").into_iter().collect();
    assert_eq!(
        kinds,
        BTreeSet::from(["platform", "attestation", "signature", "referrer"])
    );
}

#[test]
fn a_manifest_that_cannot_be_read_stops_that_package() {
    let fixture = with_app("unreadable");
    let old = fixture.publish(ImageSpec::new(&[]).created_at(days_ago(5)));
    fixture.publish(ImageSpec::new(&["latest"]));
    let journal = fixture.journal(JOURNAL);

    // A body that is not its digest's.
    fixture.github.corrupt_manifest(&old.platforms[0].digest);
    let run = fixture.execute("--untagged", &journal);
    run.assert_code(1);
    assert!(fixture.deleted().is_empty());
    assert_eq!(fixture.request_order("DELETE"), Vec::<i64>::new());
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line: {}", run.stderr);
    assert!(lines[0].contains(&old.platforms[0].digest), "{}", lines[0]);
    assert!(
        lines[0].contains("nothing in acme/app was deleted"),
        "{}",
        lines[0]
    );
}

#[test]
fn a_version_listed_without_its_tags_stops_that_package() {
    // Read as untagged, `v1` would be an orphan for --untagged to delete.
    let fixture = with_app("tags-left-out");
    let v1 = fixture.publish(ImageSpec::single(&["v1"]).created_at(days_ago(5)));
    fixture.publish(ImageSpec::new(&["latest"]));
    fixture.publish(orphan(2));
    fixture.github.leave_out_tags(&acme(), "app", v1.root.id);
    let run = fixture.execute("--untagged", &fixture.journal(JOURNAL));
    run.assert_code(1);
    assert!(fixture.deleted().is_empty());
    assert_eq!(fixture.request_order("DELETE"), Vec::<i64>::new());
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line: {}", run.stderr);
    assert!(
        lines[0].contains(&format!(
            "version {} ({}) without `metadata.container`",
            v1.root.id, v1.root.digest
        )),
        "{}",
        lines[0]
    );
    assert!(
        lines[0].contains("nothing in acme/app was deleted"),
        "{}",
        lines[0]
    );
}

#[test]
fn a_registry_that_refuses_the_token_stops_that_package() {
    let fixture = with_app("refused");
    fixture.publish(ImageSpec::new(&["latest"]));
    fixture.publish(orphan(2));
    fixture.github.inject(
        Fault::new(FaultKind::Status(403))
            .on(Matcher::PathContains("/token".into()))
            .times(10),
    );
    let run = fixture.execute("--untagged", &fixture.journal(JOURNAL));
    run.assert_code(1);
    assert!(fixture.deleted().is_empty());
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line: {}", run.stderr);
    assert!(lines[0].contains("read:packages"), "{}", lines[0]);
    assert!(!run.stderr.contains(FakeGitHub::TOKEN));
}

#[test]
fn the_dry_run_shows_images_with_their_members() {
    let fixture = with_app("dry-run");
    let kept = fixture.publish(multi_arch(&["latest"]));
    let gone = fixture.publish(orphan(3));
    let run = fixture.run("prune --org acme --type container --name app --untagged");
    run.assert_code(0);
    let out = &run.stdout;
    assert!(out.contains(&kept.root.digest), "{out}");
    assert!(out.contains("platform linux/arm64 of kept image"), "{out}");
    assert!(out.contains("attestation of"), "{out}");
    assert!(out.contains("images: 1 kept, 1 to delete"), "{out}");
    assert!(out.contains(&gone.root.digest), "{out}");
    assert!(fixture.deleted().is_empty());
    // A second run reads every manifest from the cache.
    let reads = fixture.github.manifest_reads();
    fixture
        .run("prune --org acme --type container --name app --untagged")
        .assert_code(0);
    assert_eq!(fixture.github.manifest_reads(), reads);
}

#[test]
fn prune_help_explains_images_and_the_registry() {
    let fixture = with_app("help");
    let run = fixture.run("prune --help");
    run.assert_code(0);
    for text in [
        "pruned by image",
        "--registry",
        "may count as a download",
        "Fail closed",
        "the package changed since planning",
        "└ sha256:",
    ] {
        assert!(run.stdout.contains(text), "prune --help lacks {text:?}");
    }
    assert!(fixture.github.requests().is_empty());
}

#[test]
fn a_listing_that_names_a_version_twice_stops_that_package() {
    let fixture = with_app("listed-twice");
    fixture.publish(ImageSpec::new(&["latest"]));
    // More than a page (100) of untagged images.
    for days in 1..=100 {
        fixture.publish(orphan(days));
    }
    // A push while page 2 is asked for moves every version one place down:
    // page 2 starts with the version page 1 ended with.
    fixture.publish_when(
        &acme(),
        "app",
        Matcher::QueryContains("page=2".into()),
        ImageSpec::single(&["new"]).created_at(Utc::now()),
    );
    let run = fixture.execute("--untagged", &fixture.journal(JOURNAL));
    run.assert_code(1);
    assert!(fixture.deleted().is_empty());
    assert_eq!(fixture.request_order("DELETE"), Vec::<i64>::new());
    assert_eq!(fixture.github.manifest_reads(), 0, "refused before reading");
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line: {}", run.stderr);
    for text in [
        "nothing in acme/app was deleted",
        "twice",
        "changed while it was read; run again",
    ] {
        assert!(lines[0].contains(text), "{text:?}: {}", lines[0]);
    }
}

/// The row of version `id` in a `prune --json` document.
fn row(document: &Value, id: i64) -> &Value {
    let versions = document["versions"].as_array().unwrap();
    versions.iter().find(|v| v["id"] == id).unwrap()
}

#[test]
fn an_image_pushed_between_planning_and_deleting_stops_that_package() {
    let fixture = with_app("pushed-meanwhile");
    fixture.publish(ImageSpec::new(&["latest"]));
    let stray = fixture.publish(orphan(3));
    // While ghpkg reads manifests (after listing the versions), an image is
    // pushed that lists the stray manifest: no longer an orphan.
    let push = ImageSpec::new(&["v2"])
        .platforms(&["linux/arm64"])
        .attestations(false)
        .shared(&stray.root.digest, "linux/amd64")
        .created_at(Utc::now());
    fixture.publish_when(
        &acme(),
        "app",
        Matcher::PathContains("/manifests/".into()),
        push,
    );
    let journal = fixture.journal(JOURNAL);
    let run = fixture.execute("--untagged", &journal);
    run.assert_code(1);
    assert_eq!(fixture.github.pending_faults(), 0, "the push happened");
    assert!(fixture.deleted().is_empty());
    assert_eq!(fixture.request_order("DELETE"), Vec::<i64>::new());
    let document = run.json();
    assert_eq!(document["summary"]["skipped"], 1, "{}", document["summary"]);
    let stray_row = row(&document, stray.root.id);
    assert_eq!(stray_row["result"], "skipped");
    let error = stray_row["error"].as_str().unwrap();
    assert!(
        error.contains("listing changed since planning; run again"),
        "{error}"
    );
    assert!(
        run.stderr.contains("nothing in acme/app was deleted"),
        "{}",
        run.stderr
    );

    // Run again: planned from the new listing, the stray belongs to v2.
    let again = fixture.execute("--untagged", &journal);
    again.assert_code(0);
    assert!(fixture.deleted().is_empty());
    assert_eq!(row(&again.json(), stray.root.id)["result"], "kept");
}

#[test]
fn a_kept_image_with_a_missing_child_stops_that_package() {
    let fixture = with_app("kept-incomplete");
    let kept = fixture.publish(multi_arch(&["latest"]));
    fixture.publish(orphan(3));
    // Deleted behind ghpkg's back: the kept image is broken already.
    let gone = &kept.platforms[1];
    fixture
        .github
        .set_version_deleted(&acme(), "container", "app", gone.id, true);
    let line = "prune --org acme --type container --name app --untagged --execute";
    let run = fixture.run_with(line, &["--journal", &fixture.journal(JOURNAL)]);
    run.assert_code(1);
    assert_eq!(fixture.deleted(), ids([gone.id]));
    assert_eq!(fixture.request_order("DELETE"), Vec::<i64>::new());
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line: {}", run.stderr);
    let short = &kept.root.digest[..("sha256:".len() + 12)];
    for text in [
        "nothing in acme/app was deleted",
        short,
        gone.digest.as_str(),
        "(latest)",
    ] {
        assert!(lines[0].contains(text), "{text:?}: {}", lines[0]);
    }
}

#[test]
fn a_deleted_image_with_a_missing_child_is_deleted_with_a_note() {
    let fixture = with_app("deleted-incomplete");
    fixture.publish(ImageSpec::new(&["latest"]));
    let old = fixture.publish(multi_arch(&[]).created_at(days_ago(10)));
    let gone = &old.platforms[1];
    fixture
        .github
        .set_version_deleted(&acme(), "container", "app", gone.id, true);
    let run = fixture.execute("--untagged", &fixture.journal(JOURNAL));
    run.assert_code(0);
    assert_eq!(fixture.deleted(), ids(old.ids()));
    assert!(
        run.stderr.contains(&format!(
            "note: deleted image {} lists manifest {}, which is gone already",
            &old.root.digest[..("sha256:".len() + 12)],
            gone.digest
        )),
        "{}",
        run.stderr
    );
}

#[test]
fn restore_does_not_bring_back_an_index_whose_child_failed_to_come_back() {
    let fixture = with_app("restore-child-fails");
    let old = fixture.publish(multi_arch(&["latest"]).created_at(days_ago(10)));
    fixture.publish(multi_arch(&["latest"]));
    let journal = fixture.journal(JOURNAL);
    fixture.execute("--untagged", &journal).assert_code(0);
    assert_eq!(fixture.deleted(), ids(old.ids()));

    fixture.github.clear_requests();
    let child = &old.platforms[0];
    fixture.fail_restores_of(child.id);
    let run = fixture.run_with("restore --json --retries 0 --journal", &[&journal]);
    run.assert_code(1);
    // The other children are back; the failed one and its index are not.
    assert_eq!(fixture.deleted(), ids([child.id, old.root.id]));
    let restored = fixture.request_order("POST");
    assert!(
        !restored.contains(&old.root.id),
        "the index was not attempted: {restored:?}"
    );
    let document = run.json();
    let results = document["results"].as_array().unwrap();
    let index = results
        .iter()
        .find(|r| r["version_id"] == old.root.id)
        .unwrap();
    assert_eq!(index["result"], "failed");
    assert_eq!(
        index["error"],
        "not restored: a manifest it lists could not be restored"
    );
    assert_eq!(document["summary"]["failed"], 2, "{}", document["summary"]);

    // Once the child can come back, the whole image does.
    fixture.github.clear_faults();
    fixture
        .run_with("restore --journal", &[&journal])
        .assert_code(0);
    assert!(fixture.deleted().is_empty());
    fixture.assert_pullable(&old.root.digest);
}

/// A platform manifest two deleted indexes share is journaled under one of
/// them and named for the other: if it cannot come back, neither index does.
#[test]
fn restore_brings_back_neither_index_that_lists_a_shared_child_that_failed() {
    let fixture = with_app("restore-shared-child-fails");
    let first = fixture.publish(multi_arch(&["v1"]).created_at(days_ago(10)));
    let shared = &first.platforms[0];
    let second = fixture.publish(
        ImageSpec::new(&["v2"])
            .platforms(&["linux/arm64"])
            .shared(&shared.digest, "linux/amd64")
            .created_at(days_ago(9)),
    );
    fixture.publish(ImageSpec::new(&["latest"]).created_at(Utc::now()));
    let journal = fixture.journal(JOURNAL);
    fixture.execute("--older-than 5d", &journal).assert_code(0);
    let gone: Ids = first.ids().into_iter().chain(second.ids()).collect();
    assert_eq!(fixture.deleted(), gone);
    let line = std::fs::read_to_string(&journal)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .find(|line| line["version_id"] == shared.id && line["outcome"] == "deleted")
        .expect("the shared child is journaled");
    let images = [&line["image"], &line["also_in_images"][0]];
    let roots = [
        Value::from(first.root.digest.as_str()),
        Value::from(second.root.digest.as_str()),
    ];
    assert!(roots.iter().all(|root| images.contains(&root)), "{line}");

    fixture.github.clear_requests();
    fixture.fail_restores_of(shared.id);
    let run = fixture.run_with("restore --json --retries 0 --journal", &[&journal]);
    run.assert_code(1);
    let restored = fixture.request_order("POST");
    for index in [first.root.id, second.root.id] {
        assert!(!restored.contains(&index), "{index} in {restored:?}");
    }
    assert_eq!(
        fixture.deleted(),
        ids([shared.id, first.root.id, second.root.id])
    );
}

/// Two runs share one journal: the first deletes an untagged index but
/// keeps the platform manifest a tagged image shares with it; the second
/// deletes that image and the shared manifest with it (under the tagged
/// image, at a level that says nothing about the first index). If the
/// shared manifest cannot come back, neither index does: each index's line
/// says what it lists.
#[test]
fn restore_across_runs_brings_back_no_index_whose_listed_manifest_failed() {
    let fixture = with_app("restore-across-runs");
    let first = fixture.publish(multi_arch(&[]).created_at(days_ago(10)));
    let shared = &first.platforms[0];
    let second = fixture.publish(
        ImageSpec::new(&["v2"])
            .platforms(&["linux/arm64"])
            .shared(&shared.digest, "linux/amd64")
            .created_at(days_ago(9)),
    );
    fixture.publish(ImageSpec::new(&["latest"]).created_at(Utc::now()));
    let journal = fixture.journal(JOURNAL);
    fixture.execute("--untagged", &journal).assert_code(0);
    let first_gone: Ids = first
        .ids()
        .into_iter()
        .filter(|&id| id != shared.id)
        .collect();
    assert_eq!(fixture.deleted(), first_gone);
    fixture.execute("--older-than 5d", &journal).assert_code(0);
    let gone: Ids = first.ids().into_iter().chain(second.ids()).collect();
    assert_eq!(fixture.deleted(), gone);

    fixture.github.clear_requests();
    fixture.fail_restores_of(shared.id);
    let run = fixture.run_with("restore --json --retries 0 --journal", &[&journal]);
    run.assert_code(1);
    let restored = fixture.request_order("POST");
    for index in [first.root.id, second.root.id] {
        assert!(!restored.contains(&index), "{index} in {restored:?}");
    }
    assert_eq!(
        fixture.deleted(),
        ids([shared.id, first.root.id, second.root.id])
    );
    let document = run.json();
    let results = document["results"].as_array().unwrap();
    let first_index = results
        .iter()
        .find(|r| r["version_id"] == first.root.id)
        .unwrap();
    assert_eq!(
        first_index["error"],
        "not restored: a manifest it lists could not be restored"
    );

    // Once it can come back, both images do, whole.
    fixture.github.clear_faults();
    fixture
        .run_with("restore --journal", &[&journal])
        .assert_code(0);
    assert!(fixture.deleted().is_empty());
    fixture.assert_pullable(&first.root.digest);
    fixture.assert_pullable(&second.root.digest);
}

/// A journal written before lines said what they list still restores, by
/// level: the index waits for its children, and stays out if one fails.
#[test]
fn an_older_journal_without_lists_still_restores_children_before_their_index() {
    let fixture = with_app("restore-older-journal");
    let old = fixture.publish(multi_arch(&["latest"]).created_at(days_ago(10)));
    fixture.publish(multi_arch(&["latest"]));
    let journal = fixture.journal(JOURNAL);
    fixture.execute("--untagged", &journal).assert_code(0);
    let older: Vec<String> = std::fs::read_to_string(&journal)
        .unwrap()
        .lines()
        .map(|line| {
            let mut record: Value = serde_json::from_str(line).unwrap();
            assert!(record["lists"].is_array(), "{line}");
            record.as_object_mut().unwrap().remove("lists");
            record.to_string()
        })
        .collect();
    std::fs::write(&journal, older.join("\n") + "\n").unwrap();

    let child = &old.platforms[0];
    fixture.fail_restores_of(child.id);
    let run = fixture.run_with("restore --json --retries 0 --journal", &[&journal]);
    run.assert_code(1);
    assert_eq!(fixture.deleted(), ids([child.id, old.root.id]));
    fixture.github.clear_faults();
    fixture.github.clear_requests();
    fixture
        .run_with("restore --journal", &[&journal])
        .assert_code(0);
    let restored = fixture.request_order("POST");
    assert_eq!(restored, [child.id, old.root.id], "children first");
    fixture.assert_pullable(&old.root.digest);
}

/// Listed again between the levels of deletion: an image pushed while the
/// old index is being deleted, reusing one of its platform manifests, keeps
/// that manifest (and ghpkg deletes nothing more there).
#[test]
fn an_image_pushed_while_deleting_keeps_the_manifests_it_lists() {
    let fixture = with_app("pushed-while-deleting");
    fixture.publish(ImageSpec::new(&["latest"]).created_at(Utc::now()));
    let old = fixture.publish(multi_arch(&[]).created_at(days_ago(30)));
    let reused = &old.platforms[0];
    // A rebuild pushes a new tagged index over an existing platform
    // manifest while the old index's DELETE is being answered.
    let push = ImageSpec::new(&["v2"])
        .platforms(&["linux/arm64"])
        .attestations(false)
        .shared(&reused.digest, "linux/amd64")
        .created_at(Utc::now());
    fixture.publish_when(
        &acme(),
        "app",
        Matcher::All(vec![
            Matcher::Method("DELETE".into()),
            Matcher::PathContains(format!("/versions/{}", old.root.id)),
        ]),
        push,
    );
    let run = fixture.execute("--untagged", &fixture.journal(JOURNAL));
    run.assert_code(1);
    assert_eq!(fixture.github.pending_faults(), 0, "the push happened");
    assert_eq!(fixture.deleted(), ids([old.root.id]));
    assert_eq!(fixture.request_order("DELETE"), vec![old.root.id]);
    let document = run.json();
    let reused_row = row(&document, reused.id);
    assert_eq!(reused_row["result"], "skipped");
    assert!(
        reused_row["error"]
            .as_str()
            .unwrap()
            .contains("listing changed since planning"),
        "{reused_row}"
    );
    assert!(
        run.stderr.contains("stopped deleting in acme/app"),
        "{}",
        run.stderr
    );
}

/// A cosign signature is attached to its image, not listed by it: if the
/// signature cannot come back, the image still does, whole.
#[test]
fn restore_brings_back_an_image_whose_signature_failed() {
    let fixture = with_app("restore-signature-fails");
    fixture.publish(ImageSpec::new(&["latest"]).created_at(Utc::now()));
    let old = fixture.publish(
        ImageSpec::new(&[])
            .cosign(&["sig"])
            .created_at(days_ago(30)),
    );
    let journal = fixture.journal(JOURNAL);
    fixture.execute("--untagged", &journal).assert_code(0);
    assert_eq!(fixture.deleted(), ids(old.ids()));

    let signature = &old.cosign[0];
    fixture.fail_restores_of(signature.id);
    let run = fixture.run_with("restore --json --retries 0 --journal", &[&journal]);
    run.assert_code(1);
    assert_eq!(fixture.deleted(), ids([signature.id]));
    fixture.assert_pullable(&old.root.digest);
}

/// A package of every shape the graph links: multi-platform images (one
/// sharing a child with another), signatures, a referrer, orphans.
fn publish_every_shape(fixture: &Fixture, round: usize) {
    let tag = |name: &str| format!("{name}-{round}");
    let base = fixture.publish(multi_arch(&[&tag("base")]).created_at(days_ago(9)));
    let shared = &base.platforms[0].digest;
    fixture.publish(
        multi_arch(&[&tag("shares")])
            .shared(shared, "linux/amd64")
            .created_at(days_ago(8)),
    );
    fixture.publish(
        ImageSpec::new(&[&tag("signed")])
            .cosign(&["sig", "att"])
            .referrer("application/spdx+json")
            .created_at(days_ago(7)),
    );
    fixture.publish(orphan(6));
    fixture.publish(orphan(5));
}

const PLAN: &str = "prune --org acme --type container --name app --keep-latest 2 --json";

/// The manifest cache's file of `acme/app` in the fixture's data directory.
fn cache_file(fixture: &Fixture) -> std::path::PathBuf {
    fixture
        .data_dir()
        .join("manifests")
        .join("acme+app.manifests")
}

/// Whatever the cache holds, the plan is the same: which manifests come
/// from the cache and which from the registry changes no decision.
#[test]
fn the_plan_is_the_same_with_an_empty_a_partial_and_a_full_cache() {
    let fixture = with_app("cache-plans");
    publish_every_shape(&fixture, 1);
    fixture.run(PLAN).assert_code(0);
    // Partial: the first round is cached, the second is not.
    publish_every_shape(&fixture, 2);
    let reads = fixture.github.manifest_reads();
    let partial = fixture.run(PLAN);
    partial.assert_code(0);
    let second_round = fixture.github.manifest_reads() - reads;
    assert!(second_round > 0, "the new images are read");
    // Full: everything cached, nothing read.
    let reads = fixture.github.manifest_reads();
    let full = fixture.run(PLAN);
    full.assert_code(0);
    assert_eq!(fixture.github.manifest_reads(), reads);
    // Empty: every manifest read again.
    std::fs::remove_file(cache_file(&fixture)).unwrap();
    let empty = fixture.run(PLAN);
    empty.assert_code(0);
    assert!(fixture.github.manifest_reads() - reads > second_round);
    assert_eq!(partial.json(), full.json());
    assert_eq!(empty.json(), full.json());
}

/// Two runs at once with one data directory: both plan alike, and the
/// cache they leave is whole (a later run reads nothing).
#[test]
fn two_runs_sharing_a_cache_plan_alike_and_leave_it_whole() {
    let fixture = with_app("cache-shared");
    publish_every_shape(&fixture, 1);
    publish_every_shape(&fixture, 2);
    let start = || {
        fixture
            .command(PLAN, &[])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (first, second) = (start(), start());
    let [first, second] = [first, second].map(|child| Run::from(child.wait_with_output().unwrap()));
    first.assert_code(0);
    second.assert_code(0);
    assert_eq!(first.json(), second.json());
    let reads = fixture.github.manifest_reads();
    let third = fixture.run(PLAN);
    third.assert_code(0);
    assert_eq!(fixture.github.manifest_reads(), reads, "all cached");
    assert_eq!(third.json(), first.json());
}

/// A cached manifest whose bytes no longer hash to its digest is read from
/// the registry again, never used, and replaced in the cache.
#[test]
fn a_corrupt_cache_entry_is_read_again() {
    let fixture = with_app("cache-corrupt");
    publish_every_shape(&fixture, 1);
    let clean = fixture.run(PLAN);
    clean.assert_code(0);
    let path = cache_file(&fixture);
    let mut bytes = std::fs::read(&path).unwrap();
    let needle = b"\"schemaVersion\":2";
    let at = bytes
        .windows(needle.len())
        .position(|window| window == needle)
        .expect("a cached manifest");
    bytes[at + needle.len() - 1] = b'3';
    std::fs::write(&path, &bytes).unwrap();
    let reads = fixture.github.manifest_reads();
    let again = fixture.run(PLAN);
    again.assert_code(0);
    assert_eq!(
        fixture.github.manifest_reads(),
        reads + 1,
        "the one read again"
    );
    assert_eq!(again.json(), clean.json());
    let reads = fixture.github.manifest_reads();
    fixture.run(PLAN).assert_code(0);
    assert_eq!(fixture.github.manifest_reads(), reads, "and cached again");
}
