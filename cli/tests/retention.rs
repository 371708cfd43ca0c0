//! End-to-end: retention as teams tag, against the fake GitHub: a policy
//! file's retention classes on one container package of releases, branch
//! builds, pull-request builds and untagged leftovers.

use chrono::{DateTime, TimeDelta, Utc};
use fake_github::{ImageSpec, Owner, PublishedImage};
use serde_json::Value;

mod support;
use support::{Fixture, run_command};

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
    let fixture = with_app("classes-explain");
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

#[test]
fn explain_names_each_images_classes_and_their_verdicts() {
    let fixture = with_app("classes-explain-images");
    // In two classes: the branch class keeps it, the PR class selects it.
    let both = push(&fixture, &["dev-99", "pr-811"], 8);
    let older = push(&fixture, &["main-3f2a1c9"], 14);
    let policy = write(&fixture, "policy.toml", CLASSES);
    let line = |n: usize| format!("{policy}:{n}");

    let run = fixture.run_with("prune --explain app --policy", &[&policy]);
    run.assert_code(0);
    if std::env::var_os("GHPKG_SHOW_EXPLAIN").is_some() {
        eprintln!("{}", run.stdout);
    }
    for expected in [
        format!("{} (dev-99, pr-811): keep\n", both.root.digest),
        format!(
            "    class {}: keep: one of the 1 newest selected images",
            line(12)
        ),
        format!(
            "    class {}: delete: tag 'pr-811' matches --tag 'pr-*'",
            line(16)
        ),
        format!("    decided by class {}\n", line(12)),
        format!("{} (main-3f2a1c9): delete\n", older.root.digest),
        // The rules' part is as before.
        format!("class {policy}:7: --keep-latest 2 --tag 'v*' (semver order)"),
    ] {
        assert!(run.stdout.contains(&expected), "{expected}\n{}", run.stdout);
    }

    let run = fixture.run_with("prune --json --explain app --policy", &[&policy]);
    run.assert_code(0);
    let document = run.json();
    assert_eq!(document["rules"][0]["applies"], true);
    let images = document["images"].as_array().unwrap();
    assert_eq!(images.len(), 2, "{document:#}");
    let image = images.iter().find(|i| i["id"] == both.root.id).unwrap();
    assert_eq!(image["name"], both.root.digest);
    assert_eq!(image["action"], "keep");
    assert_eq!(image["class"], line(12));
    let classes: Vec<(String, String)> = image["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let field = |name: &str| c[name].as_str().unwrap().to_string();
            (field("class"), field("action"))
        })
        .collect();
    assert_eq!(
        classes,
        [
            (line(12), "keep".to_string()),
            (line(16), "delete".to_string())
        ]
    );
    // It reads only: nothing deleted, no journal written.
    assert_eq!(fixture.requests("DELETE"), 0);
    // The data directory holds only the manifest cache.
    let kept: Vec<_> = std::fs::read_dir(fixture.data_dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(kept, ["manifests"]);
}

#[test]
fn explain_without_a_token_sends_nothing_and_says_images_need_one() {
    let fixture = with_app("classes-explain-no-token");
    push(&fixture, &["v1.0.0"], 3);
    let policy = write(&fixture, "policy.toml", CLASSES);
    fixture.github.clear_requests();
    let mut command = fixture.command("prune --explain app --policy", &[&policy]);
    command.env_remove("GITHUB_TOKEN");
    let run = run_command(command);
    run.assert_code(0);
    assert!(
        run.stdout.contains("per-image part") && run.stdout.contains("needs a token"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("dry run plans"), "{}", run.stdout);
    assert!(
        fixture.github.requests().is_empty(),
        "{:?}",
        fixture.github.requests()
    );
}

/// Writes `text` to `dir/relative`, making its folders.
fn write_below(dir: &std::path::Path, relative: &str, text: impl AsRef<[u8]>) {
    let path = dir.join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn images_named_in_deployment_files_are_kept_by_tag_and_by_digest() {
    let fixture = with_app("keep-referenced");
    let by_tag = push(&fixture, &["v1.0.0"], 30);
    let by_member = fixture.github.publish_image(
        &acme(),
        "app",
        &ImageSpec::new(&["v1.1.0"])
            .platforms(&["linux/amd64", "linux/arm64"])
            .created_at(days_ago(20)),
    );
    let by_both = push(&fixture, &["v1.2.0"], 15);
    let unnamed = push(&fixture, &["v1.3.0"], 10);
    let newest = push(&fixture, &["v1.4.0"], 5);
    // References name the registry's host, as `--registry` gives it.
    let host = fixture
        .github
        .registry_url()
        .split_once("://")
        .unwrap()
        .1
        .trim_end_matches('/')
        .to_string();
    let deploy = fixture.dir.join("deploy");
    write_below(
        &deploy,
        "k8s/deployment.yaml",
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      \
             containers:\n        - name: app\n          image: {host}/Acme/App:v1.0.0\n"
        ),
    );
    let arm64 = &by_member.platforms[1].digest;
    write_below(
        &deploy,
        "compose.yaml",
        format!("services:\n  app:\n    image: {host}/acme/app@{arm64}\n"),
    );
    write_below(
        &deploy,
        "chart/values.yaml",
        format!(
            "image: \"{host}/acme/app:v1.2.0@{}\"\nworker:\n  image: {host}/acme/app:v0.9.9\n\
             other: {host}/acme/other:v1.3.0\n",
            by_both.root.digest
        ),
    );
    // Neither `.git` nor a file that is not UTF-8 text is read.
    write_below(
        &deploy,
        ".git/ORIG_HEAD",
        format!("{host}/acme/app:v1.3.0\n"),
    );
    let mut binary = format!("{host}/acme/app:v1.3.0\n").into_bytes();
    binary.extend([0xff, 0xfe, 0x00]);
    write_below(&deploy, "image.bin", binary);

    let deploy = deploy.display().to_string();
    let run = fixture.run_with(
        "prune --org acme --type container --name app --keep-latest 1 --json --keep-referenced",
        &[&deploy],
    );
    run.assert_code(0);
    let document = run.json();
    let images = document["images"].as_array().unwrap();
    let verdict = |published: &PublishedImage| {
        let image = images
            .iter()
            .find(|i| i["id"] == published.root.id)
            .unwrap();
        (image["action"].clone(), image["reason"].clone())
    };
    let referenced = |place: &str| {
        (
            "keep".into(),
            format!("referenced in {deploy}/{place}").into(),
        )
    };
    assert_eq!(verdict(&by_tag), referenced("k8s/deployment.yaml:8"));
    assert_eq!(verdict(&by_member), referenced("compose.yaml:3"));
    assert_eq!(verdict(&by_both), referenced("chart/values.yaml:1"));
    assert_eq!(verdict(&unnamed).0, "delete");
    assert_eq!(verdict(&newest).0, "keep");
    assert_eq!(
        document["unresolved_references"],
        serde_json::json!([{
            "reference": "acme/app:v0.9.9",
            "file": format!("{deploy}/chart/values.yaml"),
            "line": 3
        }])
    );
    assert!(
        run.stderr.contains(&format!(
            "warning: {deploy}/chart/values.yaml:3: acme/app:v0.9.9 is not in acme/app"
        )),
        "{}",
        run.stderr
    );

    // A path that cannot be read stops the command before any request.
    fixture.github.clear_requests();
    let missing = fixture.dir.join("no-such-folder").display().to_string();
    let run = fixture.run_with(
        "prune --org acme --type container --name app --keep-latest 1 --keep-referenced",
        &[&missing],
    );
    run.assert_code(2);
    assert!(
        run.stderr
            .contains(&format!("keep-referenced: cannot read {missing}")),
        "{}",
        run.stderr
    );
    assert!(fixture.github.requests().is_empty());
}

#[test]
fn a_policy_files_keep_referenced_is_relative_to_its_folder() {
    let fixture = with_app("keep-referenced-policy");
    let old = push(&fixture, &["v1.0.0"], 30);
    push(&fixture, &["v2.0.0"], 3);
    let host = fixture.github.registry_url();
    let host = host.split_once("://").unwrap().1.trim_end_matches('/');
    write_below(
        &fixture.dir,
        "gitops/deploy/app.yaml",
        format!("image: {host}/acme/app:v1.0.0\n"),
    );
    let policy = r#"owner = "org:acme"
type = "container"
keep-referenced = ["deploy/"]
[[rule]]
name = ["app"]
keep-latest = 1
"#;
    write_below(&fixture.dir, "gitops/policy.toml", policy);
    let path = fixture.dir.join("gitops/policy.toml").display().to_string();
    let run = fixture.run_with("prune --json --policy", &[&path]);
    run.assert_code(0);
    let document = run.json();
    let images = document["packages"][0]["images"].as_array().unwrap();
    let image = images.iter().find(|i| i["id"] == old.root.id).unwrap();
    let gitops = fixture.dir.join("gitops").display().to_string();
    assert_eq!(
        image["reason"],
        format!("referenced in {gitops}/deploy/app.yaml:1")
    );
    assert_eq!(image["action"], "keep");
}

#[test]
fn a_version_github_refuses_to_delete_is_counted_apart_and_the_run_succeeds() {
    use fake_github::VersionSpec;
    let fixture = Fixture::new("refused-by-github");
    let github = &fixture.github;
    github.add_package(&acme(), "npm", "lib", "public");
    let at = |days: i64| days_ago(days);
    let popular = github.add_version(
        &acme(),
        "npm",
        "lib",
        VersionSpec::new("1.0.0")
            .created_at(at(30))
            .download_count(12_000),
    );
    let plain = github.add_version(
        &acme(),
        "npm",
        "lib",
        VersionSpec::new("1.0.1").created_at(at(20)),
    );
    github.add_version(
        &acme(),
        "npm",
        "lib",
        VersionSpec::new("1.0.2").created_at(at(10)),
    );
    let line = "prune --org acme --type npm --name lib --keep-latest 1 --execute --json --journal";
    let journal = fixture.journal("refused.jsonl");
    let run = fixture.run_with(line, &[&journal]);
    run.assert_code(0);
    let document = run.json();
    assert_eq!(document["summary"]["deleted"], 1);
    assert_eq!(document["summary"]["failed"], 0);
    assert_eq!(document["summary"]["refused_by_github"], 1);
    let rows = document["versions"].as_array().unwrap();
    let row = |id: i64| rows.iter().find(|r| r["id"] == id).unwrap();
    assert_eq!(row(plain)["result"], "deleted");
    assert_eq!(row(popular)["result"], "refused-by-github");
    let error = row(popular)["error"].as_str().unwrap();
    assert!(
        error.contains("GitHub does not delete a public version with more than 5,000 downloads"),
        "{error}"
    );

    // The text names it apart too; a second run meets the same refusal.
    let run = fixture.run_with(
        "prune --org acme --type npm --name lib --keep-latest 1 --execute --journal",
        &[&journal],
    );
    run.assert_code(0);
    assert!(
        run.stdout
            .contains("refused by GitHub 1 (its rules, not a failure"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("refused-by-github"), "{}", run.stdout);
}

/// The policy file of docs/policy.md (and of the issue that asked for it).
const DOCS_POLICY: &str = r#"owner = "org:acme"
type = "container"

[[rule]]
name = ["app", "worker"]
keep-referenced = ["deploy/"]   # relative to this file's folder

  [[rule.class]]
  tag = ["v*"]
  keep-latest = 10
  order = "semver"              # "created" (the default) or "semver"

  [[rule.class]]
  tag = ["main-*", "dev-*"]
  keep-latest = 5

  [[rule.class]]
  tag = ["pr-*"]
  older-than = "7d"

  [[rule.class]]
  untagged = true
  older-than = "1d"
"#;

/// A Kubernetes manifest whose line 14 names an image by digest.
fn deployment(host: &str, digest: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  replicas: 2\n  \
         selector:\n    matchLabels:\n      app: app\n  template:\n    metadata:\n      labels:\n\
         \x20       app: app\n    spec: {{containers: [{{name: app, image: \"{host}/acme/app@{digest}\"}}]}}\n"
    )
}

#[test]
fn the_docs_example_keeps_releases_branches_and_what_is_deployed() {
    let fixture = with_app("docs-example");
    fixture
        .github
        .add_package(&acme(), "container", "worker", "private");
    let hours = |h: i64| Utc::now() - TimeDelta::hours(h);
    let push_at = |package: &str, tags: &[&str], at: DateTime<Utc>| {
        let spec = ImageSpec::single(tags).created_at(at);
        fixture.github.publish_image(&acme(), package, &spec)
    };
    push_at("app", &["v2.2.0", "pr-811"], hours(15 * 24));
    push_at("app", &["v2.3.0"], hours(14 * 24));
    push_at("app", &["v1.9.4"], hours(12 * 24));
    push_at("app", &["v2.4.0-rc.1"], hours(6 * 24));
    push_at("app", &["v2.4.0"], hours(3 * 24));
    let deployed = push_at("app", &[], hours(40 * 24));
    push_at("app", &["pr-790"], hours(20 * 24));
    push_at("app", &["pr-812"], hours(10 * 24));
    push_at("app", &["pr-815"], hours(2 * 24));
    push_at("app", &["main-3f2a1c9"], hours(9 * 24));
    push_at("app", &["main-8b1e0d4"], hours(24));
    push_at("app", &[], hours(3 * 24));
    push_at("app", &[], hours(5));
    push_at("worker", &["v0.3.0"], hours(30 * 24));
    push_at("worker", &[], hours(8 * 24));
    let host = fixture.github.registry_url();
    let host = host.split_once("://").unwrap().1.trim_end_matches('/');
    write_below(&fixture.dir, "policy.toml", DOCS_POLICY);
    write_below(
        &fixture.dir,
        "deploy/app.yaml",
        deployment(host, &deployed.root.digest),
    );
    write_below(
        &fixture.dir,
        "deploy/compose.yaml",
        format!(
            "services:\n  app:\n    image: {host}/acme/app:pr-790\n  old:\n    \
             image: {host}/acme/app:v1.0.0\n"
        ),
    );
    let mut command = fixture.command("prune --policy policy.toml", &[]);
    command.current_dir(&fixture.dir);
    let run = support::run_command(command);
    run.assert_code(0);
    let row = |needle: &str| {
        run.stdout
            .lines()
            .find(|line| line.contains(needle))
            .unwrap_or_else(|| panic!("no {needle}:\n{}", run.stdout))
            .to_string()
    };
    assert!(row(&deployed.root.digest).contains("referenced in deploy/app.yaml:14"));
    assert!(row("pr-790").contains("referenced in deploy/compose.yaml:3"));
    assert!(row("v2.2.0,pr-811").starts_with("kept"));
    assert!(row("v2.2.0,pr-811").contains("class policy.toml:8: one of the 10 highest"));
    assert!(row("pr-812").starts_with("would-delete"));
    assert!(
        run.stderr.contains(
            "warning: deploy/compose.yaml:5: acme/app:v1.0.0 is not in acme/app (no version \
             has that tag); nothing is kept for it"
        ),
        "{}",
        run.stderr
    );
    if std::env::var_os("GHPKG_SHOW_DRY_RUN").is_some() {
        eprintln!("{}\n{}", run.stdout, run.stderr);
    }
}
