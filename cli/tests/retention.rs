//! End-to-end: retention as teams tag, against the fake GitHub: a policy
//! file's retention classes on one container package of releases, branch
//! builds, pull-request builds and untagged leftovers.

use chrono::{DateTime, TimeDelta, Utc};
use fake_github::{ImageSpec, Owner, PublishedImage};
use serde_json::Value;

mod support;
use support::Fixture;

fn acme() -> Owner {
    Owner::org("acme")
}

fn days_ago(days: i64) -> DateTime<Utc> {
    Utc::now() - TimeDelta::days(days)
}

/// A fixture whose fake holds `acme`'s empty container package `app`.
fn with_app(name: &str) -> Fixture {
    let fixture = Fixture::new(name);
    fixture
        .github
        .add_package(&acme(), "container", "app", "private");
    fixture
}

/// Pushes a single-manifest image of `app` with `tags`, `days` old.
fn push(fixture: &Fixture, tags: &[&str], days: i64) -> PublishedImage {
    let spec = ImageSpec::single(tags).created_at(days_ago(days));
    fixture.github.publish_image(&acme(), "app", &spec)
}

/// Writes `text` into the fixture's directory; its path.
fn write(fixture: &Fixture, name: &str, text: &str) -> String {
    let path = fixture.dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// The issue's classes, with smaller counts so that each class deletes.
const CLASSES: &str = r#"owner = "org:acme"
type = "container"

[[rule]]
name = ["app"]

  [[rule.class]]
  tag = ["v*"]
  keep-latest = 2
  order = "semver"

  [[rule.class]]
  tag = ["main-*", "dev-*"]
  keep-latest = 1

  [[rule.class]]
  tag = ["pr-*"]
  older-than = "7d"

  [[rule.class]]
  untagged = true
  older-than = "1d"
"#;

/// The image in `document` whose root is `image`.
fn image<'d>(document: &'d Value, image: &PublishedImage) -> &'d Value {
    let images = document["packages"][0]["images"].as_array().unwrap();
    images
        .iter()
        .find(|i| i["id"] == image.root.id)
        .unwrap_or_else(|| panic!("no image {} in {document:#}", image.root.id))
}

#[test]
fn classes_decide_releases_branches_pull_requests_and_untagged_images() {
    let fixture = with_app("classes");
    let v2_2 = push(&fixture, &["v2.2.0"], 40);
    let v2_3 = push(&fixture, &["v2.3.0"], 20);
    // A backport, pushed after the newer release.
    let v1_9 = push(&fixture, &["v1.9.4"], 10);
    let rc = push(&fixture, &["v2.4.0-rc.1"], 5);
    let main_old = push(&fixture, &["main-3f2a1c9"], 14);
    let main_new = push(&fixture, &["main-8b1e0d4"], 12);
    let dev = push(&fixture, &["dev-17"], 30);
    // In two classes: the branch class keeps it, the PR class selects it.
    let both = push(&fixture, &["dev-99", "pr-811"], 8);
    let pr_old = push(&fixture, &["pr-812"], 8);
    let pr_new = push(&fixture, &["pr-813"], 2);
    let untagged_old = push(&fixture, &[], 2);
    let untagged_new = push(&fixture, &[], 0);
    let nightly = push(&fixture, &["nightly"], 60);
    let policy = write(&fixture, "policy.toml", CLASSES);

    let run = fixture.run_with("prune --json --policy", &[&policy]);
    run.assert_code(0);
    let document = run.json();
    let line = |n: usize| format!("{policy}:{n}");
    let verdict = |published: &PublishedImage| {
        let image = image(&document, published);
        (
            image["action"].as_str().unwrap().to_string(),
            image["class"].as_str().map(str::to_string),
        )
    };
    let decided = |action: &str, class: usize| (action.to_string(), Some(line(class)));
    // Semver order: v2.4.0-rc.1 and v2.3.0 are the 2 highest; the backport
    // v1.9.4, though pushed later, goes with v2.2.0.
    assert_eq!(verdict(&rc), decided("keep", 7));
    assert_eq!(verdict(&v2_3), decided("keep", 7));
    assert_eq!(verdict(&v1_9), decided("delete", 7));
    assert_eq!(verdict(&v2_2), decided("delete", 7));
    // Branch builds: `dev-99 pr-811` is the newest of them, so it stays,
    // whatever the PR class says; the other branch builds go.
    assert_eq!(verdict(&both), decided("keep", 12));
    let reason = image(&document, &both)["reason"].as_str().unwrap();
    assert!(
        reason.contains(&format!("class {} selects it too", line(16))),
        "{reason}"
    );
    for old in [&main_old, &main_new, &dev] {
        assert_eq!(verdict(old), decided("delete", 12));
    }
    assert_eq!(verdict(&pr_old), decided("delete", 16));
    assert_eq!(verdict(&pr_new), decided("keep", 16));
    assert_eq!(verdict(&untagged_old), decided("delete", 20));
    assert_eq!(verdict(&untagged_new), decided("keep", 20));
    // In no class: kept, naming the rule.
    assert_eq!(verdict(&nightly), ("keep".to_string(), None));
    assert_eq!(
        image(&document, &nightly)["reason"],
        format!("no class of rule {} matches its tags", line(4))
    );
    // Each version row carries the class too.
    let rows = document["packages"][0]["versions"].as_array().unwrap();
    let row = rows.iter().find(|r| r["id"] == pr_old.root.id).unwrap();
    assert_eq!(row["class"], line(16));

    // The table names the deciding class in each reason.
    let text = fixture.run_with("prune --policy", &[&policy]);
    text.assert_code(0);
    assert!(
        text.stdout
            .contains(&format!("class {}: tag 'pr-812'", line(16))),
        "{}",
        text.stdout
    );
    if std::env::var_os("GHPKG_SHOW_DRY_RUN").is_some() {
        eprintln!("{}", text.stdout);
    }
}

#[test]
fn explain_lists_the_classes_of_the_rule() {
    let fixture = Fixture::new("classes-explain");
    let policy = write(&fixture, "policy.toml", CLASSES);
    let run = fixture.run_with("prune --explain app --policy", &[&policy]);
    run.assert_code(0);
    for expected in [
        format!("class {policy}:7: --keep-latest 2 --tag 'v*' (semver order)"),
        format!("class {policy}:20: --older-than 1d --untagged"),
        "deleted only when every one of them selects it".to_string(),
    ] {
        assert!(run.stdout.contains(&expected), "{expected}\n{}", run.stdout);
    }
}
