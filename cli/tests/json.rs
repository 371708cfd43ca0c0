//! The JSON contract: every command's `--json` document, run with the real
//! `ghpkg` against the fake GitHub and kept as a reviewed snapshot (in
//! `snapshots/`). A change to a field shows up as a changed snapshot, and CI
//! (`CI=true`) fails on it until it is accepted.
//!
//! The fake's seeded times are fixed, its ids count from 1 on each server,
//! and the policy below uses no ages, so the documents are the same on
//! every run; what still varies (the server's port, the journal's path, a
//! deletion's time) is replaced by a placeholder.

use fake_github::{ImageSpec, Owner};
use serde_json::Value;

mod support;
use support::{Fixture, run_command};

/// A fixture whose fake holds `acme`'s packages, and the versions of npm
/// package `lib`, oldest first.
fn seeded(name: &str) -> (Fixture, Vec<i64>) {
    let fixture = Fixture::new(name);
    let github = &fixture.github;
    let acme = Owner::org("acme");
    github.add_package(&acme, "npm", "lib", "public");
    let lib = github.add_versions(&acme, "npm", "lib", 2);
    github.add_package(&acme, "container", "app", "private");
    // Plain single-manifest images (named by their digests, served by
    // the fake registry), and one multi-platform image as buildx
    // pushes it: the `images` of `prune --json`.
    for tags in [&["v1.0.0"][..], &[], &["pr-7"], &[], &["latest", "v1.1.0"]] {
        github.publish_image(&acme, "app", &ImageSpec::single(tags));
    }
    github.publish_image(
        &acme,
        "app",
        &ImageSpec::new(&["multi"]).platforms(&["linux/amd64", "linux/arm64"]),
    );
    (fixture, lib)
}

/// The document of `ghpkg LINE EXTRA… --json`, normalised; it must exit 0.
fn json(fixture: &Fixture, line: &str, extra: &[&str]) -> Value {
    let mut command = fixture.command(line, extra);
    command.arg("--json");
    let run = run_command(command);
    run.assert_code(0);
    let mut document: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|error| {
        panic!(
            "{line}: stdout is not one JSON document ({error}):\n{}\n--- stderr\n{}",
            run.stdout, run.stderr
        )
    });
    normalise(&mut document, &fixture.github.base_url(), None);
    document
}

/// The documents of `PRUNE` as a dry run, then with `--execute`.
fn dry_run_then_execute(fixture: &Fixture, prune: &str) -> (Value, Value) {
    let dry_run = json(fixture, prune, &[]);
    let journal = fixture.journal("journal.jsonl");
    let execute = format!("{prune} --execute");
    let executed = json(fixture, &execute, &["--journal", &journal]);
    (dry_run, executed)
}

/// Replaces what differs between runs: the server's address in URLs, the
/// journal's path, and the time of a deletion.
fn normalise(value: &mut Value, base_url: &str, key: Option<&str>) {
    match value {
        Value::String(text) => match key {
            Some("journal") => *text = "[journal]".to_string(),
            Some("deleted_at") => *text = "[deleted_at]".to_string(),
            _ => *text = text.replace(base_url, "[api]"),
        },
        Value::Array(items) => {
            for item in items {
                normalise(item, base_url, None);
            }
        }
        Value::Object(fields) => {
            for (name, field) in fields.iter_mut() {
                normalise(field, base_url, Some(name.as_str()));
            }
        }
        _ => {}
    }
}

#[test]
fn packages() {
    let (fixture, _) = seeded("packages");
    let document = json(&fixture, "packages --org acme --type container", &[]);
    insta::assert_json_snapshot!(document);
}

#[test]
fn versions() {
    let (fixture, _) = seeded("versions");
    let document = json(
        &fixture,
        "versions --org acme --type container --name app",
        &[],
    );
    insta::assert_json_snapshot!(document);
}

#[test]
fn show_package_and_version() {
    let (fixture, lib) = seeded("show");
    let document = json(&fixture, "show --org acme --type npm --name lib", &[]);
    insta::assert_json_snapshot!("show_package", document);
    let show = format!("show --org acme --type npm --name lib --version {}", lib[0]);
    let document = json(&fixture, &show, &[]);
    insta::assert_json_snapshot!("show_version", document);
}

#[test]
fn conflicts() {
    let (fixture, _) = seeded("conflicts");
    fixture
        .github
        .set_docker_conflict(&Owner::org("acme"), "npm", "lib");
    let document = json(&fixture, "conflicts --org acme", &[]);
    insta::assert_json_snapshot!(document);
}

#[test]
fn delete_then_restore() {
    let (fixture, lib) = seeded("delete");
    let journal = fixture.journal("journal.jsonl");
    let version = lib[0];
    let delete = format!("delete --org acme --type npm --name lib --version {version}");
    let document = json(&fixture, &delete, &["--journal", &journal]);
    insta::assert_json_snapshot!("delete", document);
    let document = json(
        &fixture,
        "versions --org acme --type npm --name lib --state deleted",
        &[],
    );
    insta::assert_json_snapshot!("versions_deleted", document);
    let document = json(&fixture, "restore", &["--journal", &journal]);
    insta::assert_json_snapshot!("restore_journal", document);
    // Restored already: `already-active`, without a request to restore it.
    let restore = format!("restore --org acme --type npm --name lib --version {version}");
    let document = json(&fixture, &restore, &[]);
    insta::assert_json_snapshot!("restore_one", document);
}

#[test]
fn prune_dry_run_and_execute() {
    let (fixture, _) = seeded("prune");
    let prune =
        "prune --org acme --type container --name app --untagged --keep-latest 1 --keep-tag latest";
    let (dry_run, executed) = dry_run_then_execute(&fixture, prune);
    insta::assert_json_snapshot!("prune_dry_run", dry_run);
    insta::assert_json_snapshot!("prune_execute", executed);
}

#[test]
fn prune_many_packages_dry_run_and_execute() {
    let (fixture, _) = seeded("prune-many");
    let prune = "prune --org acme --type container --all-packages --untagged --keep-latest 1";
    let (dry_run, executed) = dry_run_then_execute(&fixture, prune);
    insta::assert_json_snapshot!("prune_many_dry_run", dry_run);
    insta::assert_json_snapshot!("prune_many_execute", executed);
}

#[test]
fn prune_explain() {
    let (fixture, _) = seeded("prune-explain");
    let explain = "prune --org acme --type container --name ap* --exclude-name *-old --untagged --explain app";
    let document = json(&fixture, explain, &[]);
    insta::assert_json_snapshot!("prune_explain", document);
}
