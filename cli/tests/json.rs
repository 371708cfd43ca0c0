//! The JSON contract: every command's `--json` document, run with the real
//! `ghpkg` against the fake GitHub and kept as a reviewed snapshot (in
//! `snapshots/`). A change to a field shows up as a changed snapshot, and CI
//! (`CI=true`) fails on it until it is accepted.
//!
//! The fake's seeded times are fixed, its ids count from 1 on each server,
//! and the policy below uses no ages, so the documents are the same on
//! every run; what still varies (the server's port, the journal's path, a
//! deletion's time) is replaced by a placeholder.

use std::path::PathBuf;
use std::process::Command;

use fake_github::{FakeGitHub, ImageSpec, Owner};
use serde_json::Value;

mod support;
use support::scratch_dir;

/// A fake server with `acme`'s packages, and a scratch directory.
struct Fixture {
    github: FakeGitHub,
    dir: PathBuf,
    /// The versions of npm package `lib`, oldest first.
    lib: Vec<i64>,
}

impl Fixture {
    fn new(name: &str) -> Fixture {
        let dir = scratch_dir(&format!("ghpkg-json-{name}"));
        let github = FakeGitHub::start_in_background();
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
        Fixture { github, dir, lib }
    }

    fn journal(&self) -> String {
        self.dir.join("journal.jsonl").display().to_string()
    }

    /// `ghpkg --json LINE EXTRA…`: its exit code and its document, normalised.
    fn json(&self, line: &str, extra: &[&str]) -> (i32, Value) {
        let output = Command::new(env!("CARGO_BIN_EXE_ghpkg"))
            .args(line.split_whitespace())
            .args(extra)
            .arg("--json")
            .env_clear()
            .env("GITHUB_TOKEN", FakeGitHub::TOKEN)
            .env("GITHUB_API_URL", self.github.base_url())
            .env("GHPKG_REGISTRY", self.github.registry_url())
            .env("GHPKG_DATA_DIR", self.dir.join("data"))
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let mut document: Value = serde_json::from_str(&stdout).unwrap_or_else(|error| {
            panic!(
                "{line}: stdout is not one JSON document ({error}):\n{stdout}\n--- stderr\n{}",
                String::from_utf8_lossy(&output.stderr)
            )
        });
        normalise(&mut document, &self.github.base_url(), None);
        (output.status.code().unwrap_or(-1), document)
    }
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
    let fixture = Fixture::new("packages");
    let (code, document) = fixture.json("packages --org acme --type container", &[]);
    assert_eq!(code, 0);
    insta::assert_json_snapshot!(document);
}

#[test]
fn versions() {
    let fixture = Fixture::new("versions");
    let (code, document) = fixture.json("versions --org acme --type container --name app", &[]);
    assert_eq!(code, 0);
    insta::assert_json_snapshot!(document);
}

#[test]
fn show_package_and_version() {
    let fixture = Fixture::new("show");
    let (code, document) = fixture.json("show --org acme --type npm --name lib", &[]);
    assert_eq!(code, 0);
    insta::assert_json_snapshot!("show_package", document);
    let show = format!(
        "show --org acme --type npm --name lib --version {}",
        fixture.lib[0]
    );
    let (code, document) = fixture.json(&show, &[]);
    assert_eq!(code, 0);
    insta::assert_json_snapshot!("show_version", document);
}

#[test]
fn conflicts() {
    let fixture = Fixture::new("conflicts");
    fixture
        .github
        .set_docker_conflict(&Owner::org("acme"), "npm", "lib");
    let (code, document) = fixture.json("conflicts --org acme", &[]);
    assert_eq!(code, 0);
    insta::assert_json_snapshot!(document);
}

#[test]
fn delete_then_restore() {
    let fixture = Fixture::new("delete");
    let journal = fixture.journal();
    let version = fixture.lib[0];
    let delete = format!("delete --org acme --type npm --name lib --version {version}");
    let (code, document) = fixture.json(&delete, &["--journal", &journal]);
    assert_eq!(code, 0);
    insta::assert_json_snapshot!("delete", document);
    let (code, document) = fixture.json(
        "versions --org acme --type npm --name lib --state deleted",
        &[],
    );
    assert_eq!(code, 0);
    insta::assert_json_snapshot!("versions_deleted", document);
    let (code, document) = fixture.json("restore", &["--journal", &journal]);
    assert_eq!(code, 0);
    insta::assert_json_snapshot!("restore_journal", document);
    // Restored already: `already-active`, without a request to restore it.
    let restore = format!("restore --org acme --type npm --name lib --version {version}");
    let (code, document) = fixture.json(&restore, &[]);
    assert_eq!(code, 0);
    insta::assert_json_snapshot!("restore_one", document);
}

#[test]
fn prune_dry_run_and_execute() {
    let fixture = Fixture::new("prune");
    let prune =
        "prune --org acme --type container --name app --untagged --keep-latest 1 --keep-tag latest";
    let (code, document) = fixture.json(prune, &[]);
    assert_eq!(code, 0);
    insta::assert_json_snapshot!("prune_dry_run", document);
    let journal = fixture.journal();
    let (code, document) = fixture.json(&format!("{prune} --execute"), &["--journal", &journal]);
    assert_eq!(code, 0);
    insta::assert_json_snapshot!("prune_execute", document);
}
