//! End-to-end: `ghpkg prune` over many packages (`--name` globs,
//! `--all-packages`, policy files, `--explain`) against the fake GitHub,
//! checked against the fake's state.

mod support;

use std::collections::BTreeMap;

use chrono::{TimeDelta, Utc};
use fake_github::{FakeGitHub, Fault, FaultKind, ImageSpec, Matcher, Owner, PublishedImage};
use serde_json::Value;
use support::{Fixture, Ids, journal_outcomes, with_outcome};

/// Version ids by short name, per package.
type Registry = BTreeMap<&'static str, BTreeMap<&'static str, i64>>;

/// Six packages of `org:acme`: containers `app-web`, `app-api`,
/// `app-legacy` and `tools`, npm packages `lib-a` and `lib-b`.
///
/// - each `app-*`: `t` (tagged `v1`, 90 days old), `u1` (untagged, 50
///   days), `u2` (untagged, 40 days), `u3` (untagged, 1 day);
/// - `tools`: `old` (100 days), `mid` (60 days), `new` (10 days), `now`
///   (1 day), all untagged;
/// - each `lib-*`: `n1` (oldest) to `n5`, a minute apart.
fn seed_registry(github: &FakeGitHub) -> Registry {
    let acme = Owner::org("acme");
    let now = Utc::now();
    let mut registry = Registry::new();
    // Container versions are images (one manifest each, as a plain `docker
    // push` makes), which the fake registry serves.
    let mut seed = |package: &'static str, versions: &[(&'static str, i64, &[&str])]| {
        github.add_package(&acme, "container", package, "private");
        let mut ids = BTreeMap::new();
        for (short, days, tags) in versions {
            let spec = ImageSpec::single(tags).created_at(now - TimeDelta::days(*days));
            ids.insert(*short, github.publish_image(&acme, package, &spec).root.id);
        }
        registry.insert(package, ids);
    };
    let app: &[(&str, i64, &[&str])] = &[
        ("t", 90, &["v1"]),
        ("u1", 50, &[]),
        ("u2", 40, &[]),
        ("u3", 1, &[]),
    ];
    for package in ["app-web", "app-api", "app-legacy"] {
        seed(package, app);
    }
    let tools: &[(&str, i64, &[&str])] = &[
        ("old", 100, &[]),
        ("mid", 60, &[]),
        ("new", 10, &[]),
        ("now", 1, &[]),
    ];
    seed("tools", tools);
    for package in ["lib-a", "lib-b"] {
        github.add_package(&acme, "npm", package, "private");
        let ids = github.add_versions(&acme, "npm", package, 5);
        let shorts = ["n1", "n2", "n3", "n4", "n5"];
        registry.insert(package, shorts.into_iter().zip(ids).collect());
    }
    registry
}

/// Ids of `package`'s versions named by `shorts` (`"u1 u2"`).
fn ids(registry: &Registry, package: &str, shorts: &str) -> Ids {
    let package = &registry[package];
    shorts
        .split_whitespace()
        .map(|short| package[short])
        .collect()
}

/// Three rules over the six packages: untagged `app-*` images but the
/// newest (not `app-legacy`), `tools` versions older than 30 days, and all
/// but the two newest versions of each npm package.
const THREE_RULES: &str = r#"owner = "org:acme"
type = "container"

[[rule]]
name = ["app-*"]
exclude-name = ["app-legacy"]
untagged = true
keep-latest = 1

[[rule]]
name = ["tools"]
older-than = "30d"

[[rule]]
type = "npm"
name = ["lib-*"]
keep-latest = 2
"#;

/// What THREE_RULES deletes, per package.
fn expected_deletions(registry: &Registry) -> BTreeMap<&'static str, Ids> {
    BTreeMap::from([
        ("app-api", ids(registry, "app-api", "u1 u2")),
        ("app-web", ids(registry, "app-web", "u1 u2")),
        ("tools", ids(registry, "tools", "old mid")),
        ("lib-a", ids(registry, "lib-a", "n1 n2 n3")),
        ("lib-b", ids(registry, "lib-b", "n1 n2 n3")),
    ])
}

fn kind_of(package: &str) -> &'static str {
    if package.starts_with("lib-") {
        "npm"
    } else {
        "container"
    }
}

/// `result` -> ids, per package of a many-package `prune --json` document.
fn results(document: &Value, result: &str) -> BTreeMap<String, Ids> {
    let packages = document["packages"].as_array().unwrap();
    packages
        .iter()
        .map(|package| {
            let versions = package["versions"].as_array().unwrap();
            let matching = versions.iter().filter(|v| v["result"] == result);
            let ids = matching.map(|v| v["id"].as_i64().unwrap()).collect();
            (package["package"].as_str().unwrap().to_string(), ids)
        })
        .collect()
}

fn write(fixture: &Fixture, name: &str, text: &str) -> String {
    let path = fixture.dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn a_policy_file_with_three_rules_prunes_six_packages() {
    let fixture = Fixture::new("policy-three-rules");
    let registry = seed_registry(&fixture.github);
    let acme = Owner::org("acme");
    let policy = write(&fixture, "retention.toml", THREE_RULES);
    let expected = expected_deletions(&registry);

    // The dry run: every package the rules select, each with its rule, and
    // app-legacy (excluded) left out; nothing deleted.
    let dry = fixture.run_with("prune --json --policy", &[&policy]);
    dry.assert_code(0);
    let document = dry.json();
    assert_eq!(document["mode"], "dry-run");
    let would: BTreeMap<String, Ids> = results(&document, "would-delete");
    let expected_by_name: BTreeMap<String, Ids> = expected
        .iter()
        .map(|(name, ids)| (name.to_string(), ids.clone()))
        .collect();
    assert_eq!(would, expected_by_name);
    let rules: Vec<(&str, &str)> = document["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["package"].as_str().unwrap(), p["rule"].as_str().unwrap()))
        .collect();
    let line = |n: usize| format!("{policy}:{n}");
    assert_eq!(
        rules,
        [
            ("app-api", line(4).as_str()),
            ("app-web", line(4).as_str()),
            ("tools", line(10).as_str()),
            ("lib-a", line(14).as_str()),
            ("lib-b", line(14).as_str()),
        ]
    );
    assert_eq!(document["summary"]["would_delete"], 12);
    assert_eq!(document["summary"]["kept"], 10);
    assert_eq!(document["failed_packages"], 0);
    assert_eq!(document["journal"], Value::Null);
    assert_eq!(fixture.requests("DELETE"), 0);

    // People get one block per package and one summary for the run.
    let text = fixture.run_with("prune --policy", &[&policy]);
    text.assert_code(0);
    let out = &text.stdout;
    for package in ["app-api", "app-web", "tools"] {
        let header = format!("== org:acme container {package} (rule at {policy}:");
        assert!(out.contains(&header), "{out}");
    }
    assert!(out.contains("== org:acme npm lib-a (rule at"), "{out}");
    assert!(!out.contains("app-legacy"), "{out}");
    assert_eq!(out.matches("would delete 2, keep 2").count(), 3, "{out}");
    let summary = "5 packages: dry run: would delete 12, keep 10; nothing was deleted";
    assert_eq!(
        out.lines().filter(|l| l.starts_with(summary)).count(),
        1,
        "{out}"
    );
    assert_eq!(fixture.requests("DELETE"), 0);

    // --execute deletes exactly that, journaled in one journal.
    let journal = fixture.journal("run.jsonl");
    let run = fixture.run_with(
        "prune --json --execute --policy",
        &[&policy, "--journal", &journal],
    );
    run.assert_code(0);
    let document = run.json();
    assert_eq!(document["summary"]["deleted"], 12);
    assert_eq!(document["journal"], journal.as_str());
    let mut all_deleted = Ids::new();
    for (package, ids) in &expected {
        let (deleted, _) = fixture.server_state(&acme, kind_of(package), package);
        assert_eq!(&deleted, ids, "{package}");
        all_deleted.extend(ids);
    }
    let (untouched, _) = fixture.server_state(&acme, "container", "app-legacy");
    assert!(untouched.is_empty(), "app-legacy: {untouched:?}");
    assert_eq!(fixture.requests("DELETE"), 12);
    let outcomes = journal_outcomes(&journal);
    assert_eq!(with_outcome(&outcomes, "deleted"), all_deleted);

    // One restore brings back every package's versions.
    let restore = fixture.run_with("restore --journal", &[&journal]);
    restore.assert_code(0);
    for package in expected.keys() {
        let (deleted, _) = fixture.server_state(&acme, kind_of(package), package);
        assert!(deleted.is_empty(), "{package} still deleted: {deleted:?}");
    }
}

#[test]
fn bad_policy_files_exit_2_naming_file_and_line_and_send_nothing() {
    let fixture = Fixture::new("policy-bad");
    seed_registry(&fixture.github);
    let cases = [
        (
            "syntax.toml",
            "owner = \"org:acme\"\ntype = \"npm\"\n[[rule]]\nname = [\"lib-*\"\nkeep-latest = 2\n",
            ":5:1: ",
            "",
        ),
        (
            "unknown-key.toml",
            "owner = \"org:acme\"\ntype = \"npm\"\n[[rule]]\nname = [\"lib-*\"]\nkeep-lates = 2\n",
            ":5:1: ",
            "unknown field `keep-lates`",
        ),
        (
            "contradictory.toml",
            "owner = \"org:acme\"\ntype = \"npm\"\n[[rule]]\nname = [\"lib-*\"]\nkeep-latest = 2\n\n\
             [[rule]]\nname = [\"lib-a\"]\nuntagged = true\n",
            ":8:9: key `name`: ",
            "also matched by the rule at",
        ),
        (
            "selects-nothing.toml",
            "owner = \"org:acme\"\ntype = \"npm\"\n[[rule]]\nname = [\"lib-*\"]\nkeep-tag = [\"v*\"]\n",
            ":3:1: ",
            "the rule selects no versions",
        ),
    ];
    for (name, text, place, message) in cases {
        let path = write(&fixture, name, text);
        for mode in ["", "--execute"] {
            let run = fixture.run_with(&format!("prune {mode} --policy"), &[&path]);
            assert_eq!(run.code, 2, "{name}: {}", run.stderr);
            let first = run.stderr.lines().next().unwrap_or_default();
            let expected = format!("error: {path}{place}");
            assert!(first.starts_with(&expected), "{name}: {first}");
            assert!(first.contains(message), "{name}: {first}");
            assert!(run.stdout.is_empty(), "{name}: {}", run.stdout);
        }
    }
    // A missing file, too.
    let missing = fixture.dir.join("missing.toml").display().to_string();
    let run = fixture.run_with("prune --policy", &[&missing]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("cannot read the policy file"),
        "{}",
        run.stderr
    );
    assert!(
        fixture.github.requests().is_empty(),
        "{:?}",
        fixture.github.requests()
    );
}

/// The flags go through the policy file's rule checker: what a file is
/// refused for, the flags are refused for too, naming the flags where the
/// file's message names its line and key.
#[test]
fn contradictory_flags_exit_2_naming_the_flags_as_a_file_names_its_keys() {
    let fixture = Fixture::new("flags-contradictory");
    seed_registry(&fixture.github);
    fixture.github.clear_requests();
    // (flags, the same rule's keys after its `name`, from the flags, from the file)
    let cases = [
        (
            "--tag v* --keep-tag v*",
            "tag = [\"v*\"]\nkeep-tag = [\"v*\"]\n",
            "--tag 'v*' is also given as --keep-tag: what --tag selects, --keep-tag takes out again",
            ":6:13: key `keep-tag`: \"v*\" is also in `tag`",
        ),
        (
            "--tag v* --exclude-tag v*",
            "tag = [\"v*\"]\nexclude-tag = [\"v*\"]\n",
            "--tag 'v*' is also given as --exclude-tag: what --tag selects, --exclude-tag takes out again",
            ":6:16: key `exclude-tag`: \"v*\" is also in `tag`",
        ),
        (
            "--exclude-name app-* --untagged",
            "exclude-name = [\"app-*\"]\nuntagged = true\n",
            "--name 'app-*' is also given as --exclude-name: what --name selects, --exclude-name takes out again",
            ":5:17: key `exclude-name`: \"app-*\" is also in `name`",
        ),
        (
            "--keep-tag v*",
            "keep-tag = [\"v*\"]\n",
            "prune needs a policy: give at least one of --keep-latest, --older-than, --tag or --untagged",
            ":3:1: the rule selects no versions",
        ),
    ];
    for (flags, keys, from_flags, from_file) in cases {
        let text = format!(
            "owner = \"org:acme\"\ntype = \"container\"\n[[rule]]\nname = [\"app-*\"]\n{keys}"
        );
        let path = write(&fixture, "contradictory.toml", &text);
        for mode in ["", "--execute"] {
            let run = fixture.run(&format!(
                "prune {mode} --org acme --type container --name app-* {flags}"
            ));
            assert_eq!(run.code, 2, "{flags}: {}", run.stderr);
            assert_eq!(run.stderr, format!("error: {from_flags}\n"), "{flags}");
            assert!(run.stdout.is_empty(), "{flags}: {}", run.stdout);

            let run = fixture.run_with(&format!("prune {mode} --policy"), &[&path]);
            assert_eq!(run.code, 2, "{keys}: {}", run.stderr);
            let expected = format!("error: {path}{from_file}");
            assert!(run.stderr.starts_with(&expected), "{keys}: {}", run.stderr);
            assert_eq!(run.stderr.lines().count(), 1, "{keys}: {}", run.stderr);
        }
    }
    assert!(
        fixture.github.requests().is_empty(),
        "{:?}",
        fixture.github.requests()
    );
}

#[test]
fn name_globs_and_all_packages_select_among_the_listed_packages() {
    let fixture = Fixture::new("name-globs");
    let registry = seed_registry(&fixture.github);
    let containers = "prune --org acme --type container --untagged --keep-latest 1 --json";
    let selected = |extra: &str| -> Vec<String> {
        let run = fixture.run(&format!("{containers} {extra}"));
        run.assert_code(0);
        let document = run.json();
        let packages = document["packages"].as_array().unwrap();
        packages
            .iter()
            .map(|p| p["package"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        selected("--name app-*"),
        ["app-api", "app-legacy", "app-web"]
    );
    assert_eq!(
        selected("--name app-* --exclude-name *-legacy"),
        ["app-api", "app-web"]
    );
    assert_eq!(selected("--name *-web --name tools"), ["app-web", "tools"]);
    assert_eq!(
        selected("--all-packages"),
        ["app-api", "app-legacy", "app-web", "tools"]
    );
    assert_eq!(selected("--all-packages --exclude-name app-*"), ["tools"]);
    assert_eq!(selected("--name nothing-*"), Vec::<String>::new());

    // Plain names need no listing of the owner's packages (which a
    // workflow's GITHUB_TOKEN cannot do for an organization).
    fixture.github.clear_requests();
    assert_eq!(
        selected("--name app-web --name tools"),
        ["app-web", "tools"]
    );
    let listings = fixture.github.requests();
    assert!(
        listings
            .iter()
            .all(|r| r.raw_path.contains("/packages/container/")),
        "{listings:?}"
    );

    // What a glob selects is pruned as a plain --name would prune it.
    let run = fixture.run(&format!("{containers} --name app-w*"));
    let would = results(&run.json(), "would-delete");
    assert_eq!(would["app-web"], ids(&registry, "app-web", "u1 u2"));

    // --all-packages --execute deletes in every listed package.
    let run = fixture.run(
        "prune --org acme --type container --all-packages --untagged --keep-latest 1 --execute",
    );
    run.assert_code(0);
    assert!(
        run.stdout
            .contains("4 packages: deleted 9, kept 7, failed 0, skipped 0"),
        "{}",
        run.stdout
    );
    let acme = Owner::org("acme");
    for package in ["app-api", "app-legacy", "app-web"] {
        let (deleted, _) = fixture.server_state(&acme, "container", package);
        assert_eq!(deleted, ids(&registry, package, "u1 u2"), "{package}");
    }
    let (deleted, _) = fixture.server_state(&acme, "container", "tools");
    assert_eq!(deleted, ids(&registry, "tools", "old mid new"));
    let (deleted, _) = fixture.server_state(&acme, "npm", "lib-a");
    assert!(deleted.is_empty(), "another type: {deleted:?}");
}

#[test]
fn two_rules_that_both_match_a_listed_package_stop_the_run_before_any_deletion() {
    let fixture = Fixture::new("policy-overlap");
    seed_registry(&fixture.github);
    let policy = write(
        &fixture,
        "overlap.toml",
        "owner = \"org:acme\"\ntype = \"container\"\n\n[[rule]]\nname = [\"app-*\"]\nuntagged = true\n\n\
         [[rule]]\nname = [\"*-web\"]\nkeep-latest = 1\n",
    );
    let run = fixture.run_with("prune --execute --policy", &[&policy]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let expected = format!(
        "error: package app-web is matched by the rule at {policy}:4 and by the rule at {policy}:8"
    );
    assert!(run.stderr.starts_with(&expected), "{}", run.stderr);
    assert!(run.stderr.contains("nothing was deleted"), "{}", run.stderr);
    assert_eq!(fixture.requests("DELETE"), 0);
}

#[test]
fn a_package_that_fails_does_not_stop_the_others_and_the_exit_code_says_so() {
    let fixture = Fixture::new("isolation");
    let registry = seed_registry(&fixture.github);
    // Listing app-api's versions fails every time.
    let fault = Fault::new(FaultKind::Status(500))
        .on(Matcher::PathContains("/container/app-api/versions".into()));
    fixture.github.inject(fault.times(100));
    let policy = write(&fixture, "retention.toml", THREE_RULES);
    let run = fixture.run_with("prune --json --retries 0 --execute --policy", &[&policy]);
    run.assert_code(1);
    let document = run.json();
    assert_eq!(document["failed_packages"], 1);
    let api = document["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["package"] == "app-api")
        .unwrap();
    assert!(api["error"].as_str().unwrap().contains("500"), "{api}");
    assert_eq!(api["versions"], serde_json::json!([]));
    assert_eq!(document["summary"]["deleted"], 10);
    assert!(
        run.stderr.contains("1 of 5 packages failed"),
        "{}",
        run.stderr
    );
    let acme = Owner::org("acme");
    let expected = expected_deletions(&registry);
    for (package, ids) in &expected {
        let (deleted, _) = fixture.server_state(&acme, kind_of(package), package);
        if *package == "app-api" {
            assert!(deleted.is_empty(), "{deleted:?}");
        } else {
            assert_eq!(&deleted, ids, "{package}");
        }
    }
}

#[test]
fn explain_names_the_rule_that_applies_and_sends_nothing() {
    let fixture = Fixture::new("explain");
    let policy = write(&fixture, "retention.toml", THREE_RULES);
    let run = fixture.run_with("prune --explain app-web --policy", &[&policy]);
    run.assert_code(0);
    let out = &run.stdout;
    assert!(
        out.contains(&format!(
            "rule 1 ({policy}:4; org:acme container): applies: `name` glob 'app-*' matches"
        )),
        "{out}"
    );
    assert!(out.contains("policy: --keep-latest 1 --untagged"), "{out}");
    assert!(
        out.contains("rule 2") && out.contains("no `name` glob matches ('tools')"),
        "{out}"
    );
    assert!(
        out.contains("rule 3") && out.contains("no `name` glob matches ('lib-*')"),
        "{out}"
    );
    assert!(
        out.ends_with(&format!(
            "for org:acme container, the rule at {policy}:4 applies\n"
        )),
        "{out}"
    );

    let legacy = fixture.run_with("prune --json --explain app-legacy --policy", &[&policy]);
    legacy.assert_code(0);
    let document = legacy.json();
    let rules = document["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 3);
    assert!(
        rules.iter().all(|rule| rule["applies"] == false),
        "{document}"
    );
    assert!(
        rules[0]["why"]
            .as_str()
            .unwrap()
            .contains("`exclude-name` 'app-legacy'")
    );

    // No token is needed, and nothing is sent.
    let mut command = fixture.command("prune --explain tools --policy", &[&policy]);
    command.env_remove("GITHUB_TOKEN");
    let run = support::run_command(command);
    run.assert_code(0);
    assert!(
        run.stdout
            .contains(&format!("the rule at {policy}:10 applies")),
        "{}",
        run.stdout
    );
    assert!(fixture.github.requests().is_empty());
}

#[test]
fn the_step_summary_lists_each_package() {
    let fixture = Fixture::new("step-summary");
    seed_registry(&fixture.github);
    let policy = write(&fixture, "retention.toml", THREE_RULES);
    let summary = fixture.dir.join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let journal = fixture.journal("run.jsonl");
    let mut command = fixture.command(
        "prune --execute --policy",
        &[&policy, "--journal", &journal],
    );
    command.env("GITHUB_STEP_SUMMARY", &summary);
    support::run_command(command).assert_code(0);
    let markdown = std::fs::read_to_string(&summary).unwrap();
    assert!(
        markdown.starts_with("earlier step\n### ghpkg prune\n"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| Deleted | Kept | Failed | Freed | Note |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| app-web | container | org:acme | 2 | 2 | 0 |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| lib-b | npm | org:acme | 3 | 2 | 0 |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| **5 packages** |  |  | 12 | 10 | 0 |"),
        "{markdown}"
    );
    assert!(
        markdown.contains(&format!("Journal: `{journal}`")),
        "{markdown}"
    );

    // One package that cannot be planned still gets its row, with why.
    std::fs::remove_file(&summary).unwrap();
    let mut command = fixture.command(
        "prune --org acme --type container --name missing --untagged",
        &[],
    );
    command.env("GITHUB_STEP_SUMMARY", &summary);
    support::run_command(command).assert_code(1);
    let markdown = std::fs::read_to_string(&summary).unwrap();
    assert!(
        markdown.contains("| missing | container | org:acme | 0 | 0 |  | failed: "),
        "{markdown}"
    );
    assert!(markdown.contains("1 package failed"), "{markdown}");
}

#[test]
fn the_example_policy_file_is_valid() {
    let fixture = Fixture::new("example-policy");
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/ghpkg-policy.toml");
    let run = fixture.run_with("prune --explain app-web --policy", &[example]);
    run.assert_code(0);
    assert!(
        run.stdout.contains("applies: `name` glob 'app-*' matches"),
        "{}",
        run.stdout
    );
}

#[test]
fn prune_help_documents_policy_files_and_name_globs() {
    let fixture = Fixture::new("prune-help");
    let help = fixture.run("prune --help");
    help.assert_code(0);
    for text in [
        "--name <GLOB>",
        "--all-packages",
        "--exclude-name <GLOB>",
        "--policy <FILE>",
        "--explain <NAME>",
        "TOML policy file",
    ] {
        assert!(
            help.stdout.contains(text),
            "prune --help lacks {text}:\n{}",
            help.stdout
        );
    }
}

#[test]
fn packages_that_cannot_be_listed_are_reported_and_the_others_pruned() {
    let fixture = Fixture::new("unlisted");
    let registry = seed_registry(&fixture.github);
    // Listing acme's container packages fails; the npm rule names its
    // packages plainly, so it needs no listing.
    let fault = Fault::new(FaultKind::Status(500))
        .on(Matcher::QueryContains("package_type=container".into()));
    fixture.github.inject(fault.times(100));
    let policy = write(
        &fixture,
        "retention.toml",
        "owner = \"org:acme\"\n[[rule]]\ntype = \"container\"\nname = [\"app-*\"]\nuntagged = true\n\n\
         [[rule]]\ntype = \"npm\"\nname = [\"lib-a\"]\nkeep-latest = 2\n",
    );
    let run = fixture.run_with("prune --json --retries 0 --execute --policy", &[&policy]);
    run.assert_code(1);
    let document = run.json();
    assert_eq!(document["failed_packages"], 1);
    let unlisted = &document["unlisted"][0];
    assert_eq!(unlisted["type"], "container");
    assert!(
        unlisted["error"].as_str().unwrap().contains("500"),
        "{unlisted}"
    );
    let packages: Vec<&str> = document["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["package"].as_str().unwrap())
        .collect();
    assert_eq!(packages, ["lib-a"]);
    let (deleted, _) = fixture.server_state(&Owner::org("acme"), "npm", "lib-a");
    assert_eq!(deleted, ids(&registry, "lib-a", "n1 n2 n3"));
    assert_eq!(fixture.requests("DELETE"), 3);
}

#[cfg(unix)]
#[test]
fn ctrl_c_finishes_the_deletion_in_flight_and_prunes_no_further_package() {
    let fixture = Fixture::new("many-interrupt");
    let registry = seed_registry(&fixture.github);
    let gate = fixture.github.hold(Matcher::Method("DELETE".into()));
    let policy = write(
        &fixture,
        "retention.toml",
        "owner = \"org:acme\"\ntype = \"npm\"\n[[rule]]\nname = [\"lib-*\"]\nkeep-latest = 2\n",
    );
    let journal = fixture.journal("interrupt.jsonl");
    let extra = [
        "--concurrency",
        "1",
        "--journal",
        &journal,
        "--policy",
        &policy,
    ];
    let interrupted = fixture.interrupt_while_held("prune --execute", &extra, &gate);
    let (stdout, said) = (&interrupted.run.stdout, &interrupted.run.stderr);
    assert_eq!(interrupted.run.code, 130, "{stdout}\n{said}");
    assert!(
        said.contains("interrupted: 2 deletions not attempted, 1 of 2 packages not pruned"),
        "{said}"
    );
    assert!(
        stdout.contains("== org:acme npm lib-b (rule at"),
        "{stdout}"
    );
    assert!(
        stdout.contains("failed: not attempted: interrupted"),
        "{stdout}"
    );
    assert_eq!(
        fixture.requests("DELETE"),
        1,
        "no deletion started after Ctrl-C"
    );
    let acme = Owner::org("acme");
    let (deleted, _) = fixture.server_state(&acme, "npm", "lib-a");
    assert_eq!(deleted.len(), 1);
    assert_eq!(
        with_outcome(&journal_outcomes(&journal), "deleted"),
        deleted
    );

    // The same run again finishes both packages.
    let again = fixture.run_with(
        "prune --execute --policy",
        &[&policy, "--journal", &journal],
    );
    again.assert_code(0);
    for package in ["lib-a", "lib-b"] {
        let (deleted, _) = fixture.server_state(&acme, "npm", package);
        assert_eq!(deleted, ids(&registry, package, "n1 n2 n3"), "{package}");
    }
}

/// Container packages `img-a` and `img-b` of `org:acme`, each with a kept
/// image (`latest`) and an untagged image 30 days old (an index, a platform
/// manifest and its attestation); returns the old image of each.
fn two_image_packages(fixture: &Fixture) -> BTreeMap<&'static str, PublishedImage> {
    let acme = Owner::org("acme");
    let old = Utc::now() - TimeDelta::days(30);
    let github = &fixture.github;
    ["img-a", "img-b"]
        .into_iter()
        .map(|package| {
            github.add_package(&acme, "container", package, "private");
            github.publish_image(&acme, package, &ImageSpec::new(&["latest"]));
            let orphan = ImageSpec::new(&[]).created_at(old);
            (package, github.publish_image(&acme, package, &orphan))
        })
        .collect()
}

/// Nothing in `img-a` is deleted, and `img-b`'s old image is, whole:
/// returns its ids.
fn assert_only_img_b_pruned(
    fixture: &Fixture,
    orphans: &BTreeMap<&'static str, PublishedImage>,
) -> Ids {
    let acme = Owner::org("acme");
    let (deleted_a, _) = fixture.server_state(&acme, "container", "img-a");
    assert!(deleted_a.is_empty(), "{deleted_a:?}");
    let (deleted_b, _) = fixture.server_state(&acme, "container", "img-b");
    let expected: Ids = orphans["img-b"].ids().into_iter().collect();
    assert_eq!(deleted_b, expected);
    expected
}

/// The entry of `package` in a many-package `prune --json` document.
fn package_entry<'a>(document: &'a Value, package: &str) -> &'a Value {
    let packages = document["packages"].as_array().unwrap();
    packages.iter().find(|p| p["package"] == package).unwrap()
}

#[test]
fn a_refused_index_deletion_in_one_package_does_not_stop_the_next() {
    let fixture = Fixture::new("refused-index");
    let orphans = two_image_packages(&fixture);
    // GitHub refuses to delete img-a's old index: its children are then
    // not attempted (the index would point at them), but that holds for
    // img-a's image only, not for img-b.
    let refused = orphans["img-a"].root.id;
    fixture.github.inject(
        Fault::new(FaultKind::Status(403))
            .on(Matcher::All(vec![
                Matcher::Method("DELETE".into()),
                Matcher::PathContains(format!("/img-a/versions/{refused}")),
            ]))
            .times(10),
    );
    let run =
        fixture.run("prune --org acme --type container --name img-* --untagged --execute --json");
    run.assert_code(1);
    let expected = assert_only_img_b_pruned(&fixture, &orphans);
    let document = run.json();
    let b = package_entry(&document, "img-b");
    assert!(b["error"].is_null(), "{b}");
    assert_eq!(document["summary"]["deleted"], expected.len());
}

#[test]
fn a_package_that_changed_since_planning_does_not_stop_the_next() {
    let fixture = Fixture::new("changed-meanwhile");
    let acme = Owner::org("acme");
    let orphans = two_image_packages(&fixture);
    // While img-a's manifests are read, an image is pushed to img-a: its
    // plan no longer matches the package, so nothing in it is deleted.
    let push = ImageSpec::new(&["v2"]).created_at(Utc::now());
    let on = Matcher::PathContains("/img-a/manifests/".into());
    fixture.publish_when(&acme, "img-a", on, push);
    let run =
        fixture.run("prune --org acme --type container --name img-* --untagged --execute --json");
    run.assert_code(1);
    assert_eq!(fixture.github.pending_faults(), 0, "the push happened");
    assert_only_img_b_pruned(&fixture, &orphans);
    assert!(
        run.stderr.contains("nothing in acme/img-a was deleted"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_rejected_token_on_listing_again_stops_the_run() {
    let fixture = Fixture::new("relist-rejected");
    two_image_packages(&fixture);
    // img-a's first listing goes through (a fault that only waits); the
    // listing again before its first deletion meets a rejected token,
    // which every later request would meet too.
    let listing = || Matcher::PathContains("/container/img-a/versions".into());
    let github = &fixture.github;
    github.inject(Fault::new(FaultKind::Delay(std::time::Duration::ZERO)).on(listing()));
    github.inject(Fault::new(FaultKind::Status(401)).on(listing()).times(10));
    let run = fixture.run(
        "prune --org acme --type container --name img-* --untagged --execute --json --retries 0",
    );
    run.assert_code(1);
    assert!(fixture.requests("DELETE") == 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("could not list the versions again"),
        "{}",
        run.stderr
    );
    let document = run.json();
    let b = package_entry(&document, "img-b");
    let error = b["error"].as_str().unwrap();
    assert!(
        error.contains("an earlier package's deletions stopped"),
        "{b}"
    );
}

#[test]
fn at_me_and_user_login_are_compared_once_at_me_is_resolved() {
    let fixture = Fixture::new("policy-me-and-user");
    // The token is octocat's: `@me` is `user:Octocat`, however it is spelt.
    let octocat = Owner::user("octocat");
    fixture
        .github
        .add_package(&octocat, "npm", "tools", "private");
    fixture.github.add_versions(&octocat, "npm", "tools", 3);
    let hubot = Owner::user("hubot");
    fixture.github.add_package(&hubot, "npm", "lib", "public");
    fixture.github.add_versions(&hubot, "npm", "lib", 3);
    let policy = |user: &str| {
        let text = format!(
            "type = \"npm\"\n[[rule]]\nowner = \"user:{user}\"\nname = [\"lib\"]\nkeep-latest = 1\n\
             [[rule]]\nowner = \"@me\"\nname = [\"tools\"]\nkeep-latest = 2\n"
        );
        write(&fixture, &format!("{user}.toml"), &text)
    };

    // One account named two ways: refused before anything is listed or deleted.
    let same = policy("Octocat");
    let run = fixture.run_with("prune --execute --policy", &[&same]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let expected = format!(
        "error: owner @me (the rule at {same}:6) is the user octocat, whom the rule at {same}:2 \
         names user:Octocat for the same type: one account named two ways"
    );
    assert!(run.stderr.starts_with(&expected), "{}", run.stderr);
    assert!(run.stderr.contains("nothing was deleted"), "{}", run.stderr);
    assert_eq!(fixture.requests("DELETE"), 0);

    // Two accounts: each rule prunes its own package.
    let other = policy("hubot");
    let run = fixture.run_with("prune --json --execute --policy", &[&other]);
    run.assert_code(0);
    assert_eq!(run.json()["summary"]["deleted"], 3, "{}", run.stdout);
    assert_eq!(fixture.requests("DELETE"), 3);
}
