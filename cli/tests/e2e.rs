//! End-to-end: the real `ghpkg` binary against the fake GitHub on 127.0.0.1.
//!
//! Command lines are written as strings and split on whitespace; paths
//! (which may hold spaces) are passed separately.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{TimeDelta, Utc};
use fake_github::{FakeGitHub, Fault, FaultKind, ImageSpec, Matcher, Owner, VersionSpec};
use serde_json::Value;

mod support;
use support::{Fixture, Ids, Run, journal_outcomes, run_command, with_outcome};

/// The container package `acme/app` with seven versions of known ages and
/// tags; returns the ids by short name, `v1` oldest to `v7` newest.
fn seed_app(github: &FakeGitHub) -> BTreeMap<&'static str, i64> {
    let acme = Owner::org("acme");
    github.add_package(&acme, "container", "app", "private");
    let now = Utc::now();
    let seeds: [(&str, i64, &[&str]); 7] = [
        ("v1", 100, &["v1.0.0"]),
        ("v2", 90, &[]),
        ("v3", 60, &["pr-12"]),
        ("v4", 40, &[]),
        ("v5", 20, &["pr-15", "sha-abc"]),
        ("v6", 10, &["v1.1.0", "latest"]),
        ("v7", 1, &[]),
    ];
    let mut ids = BTreeMap::new();
    for (short, days, tags) in seeds {
        // Each one image of one manifest (a plain `docker push`), named by
        // its digest, which the fake registry serves.
        let spec = ImageSpec::single(tags).created_at(now - TimeDelta::days(days));
        ids.insert(short, github.publish_image(&acme, "app", &spec).root.id);
    }
    ids
}

/// The name (digest) of version `id` of `acme/app`.
fn name_of(github: &FakeGitHub, id: i64) -> String {
    let versions = github.versions(&Owner::org("acme"), "container", "app");
    versions.into_iter().find(|v| v.id == id).unwrap().name
}

/// Ids of the versions named by `shorts` (`"v1 v3"`).
fn ids(seeded: &BTreeMap<&str, i64>, shorts: &str) -> Ids {
    shorts
        .split_whitespace()
        .map(|short| seeded[short])
        .collect()
}

/// Ids whose `result` in `prune --json` output is `result`.
fn with_result(document: &Value, result: &str) -> Ids {
    let versions = document["versions"].as_array().unwrap();
    let matching = versions.iter().filter(|v| v["result"] == result);
    matching.map(|v| v["id"].as_i64().unwrap()).collect()
}

const PRUNE_APP: &str = "prune --org acme --type container --name app";

#[test]
fn help_lists_the_commands() {
    let fixture = Fixture::new("help");
    let run = fixture.run("--help");
    run.assert_code(0);
    for command in "packages versions show delete restore conflicts prune".split(' ') {
        assert!(
            run.stdout.contains(command),
            "no {command}:\n{}",
            run.stdout
        );
    }
    let prune = fixture.run("prune --help");
    let flags =
        "--keep-latest --older-than --tag --exclude-tag --untagged --keep-tag --execute --journal";
    for flag in flags.split(' ') {
        assert!(prune.stdout.contains(flag), "prune --help lacks {flag}");
    }
    assert!(fixture.github.requests().is_empty());
}

#[test]
fn prune_dry_run_selects_exactly_what_each_policy_says() {
    let fixture = Fixture::new("dry-run");
    let seeded = seed_app(&fixture.github);
    // (policy, versions it selects)
    let cases = [
        ("--keep-latest 3", "v1 v2 v3 v4"),
        ("--older-than 30d", "v1 v2 v3 v4"),
        ("--older-than 720h", "v1 v2 v3 v4"),
        ("--tag pr-*", "v3 v5"),
        ("--tag pr-* --tag v1.0.*", "v1 v3 v5"),
        ("--tag pr-* --exclude-tag sha-*", "v3"),
        ("--untagged", "v2 v4 v7"),
        ("--untagged --keep-latest 1", "v2 v4"),
        (
            "--older-than 5d --keep-tag v* --keep-tag latest",
            "v2 v3 v4 v5",
        ),
        (
            "--keep-latest 1 --older-than 50d --tag pr-* --tag v* --exclude-tag sha-* --keep-tag latest",
            "v1",
        ),
        // Everything selected: the newest stays, as GitHub keeps the last version.
        ("--older-than 0s", "v1 v2 v3 v4 v5 v6"),
    ];
    for (policy, expected) in cases {
        let run = fixture.run(&format!("{PRUNE_APP} {policy} --json"));
        run.assert_code(0);
        let document = run.json();
        let expected = ids(&seeded, expected);
        assert_eq!(document["mode"], "dry-run");
        let selected = with_result(&document, "would-delete");
        assert_eq!(selected, expected, "policy {policy}");
        let kept = with_result(&document, "kept");
        assert_eq!(kept.len() + selected.len(), 7, "policy {policy}");
        assert_eq!(document["summary"]["would_delete"], expected.len());
        assert_eq!(document["journal"], Value::Null);
        for version in document["versions"].as_array().unwrap() {
            assert_ne!(version["reason"], "", "no reason: {version}");
        }
    }

    // People get a table with the reasons, and a summary.
    let run = fixture.run(&format!("{PRUNE_APP} --older-than 30d --keep-tag v*"));
    run.assert_code(0);
    let out = &run.stdout;
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("RESULT"), "{out}");
    let would = lines.iter().filter(|l| l.starts_with("would-delete"));
    assert_eq!(would.count(), 3, "{out}");
    assert!(out.contains("created 90d ago, older than 30d"), "{out}");
    assert!(
        out.contains("tag 'v1.0.0' matches --keep-tag 'v*'"),
        "{out}"
    );
    let summary = "dry run: would delete 3, keep 4; nothing was deleted (add --execute to delete)";
    assert!(out.contains(summary), "{out}");
    // Columns line up: each row's ID starts where the header's does.
    let id_column = lines[0].find("ID").unwrap();
    for line in &lines[1..8] {
        assert_ne!(line.as_bytes()[id_column], b' ', "{line}");
        assert_eq!(line.as_bytes()[id_column - 1], b' ', "{line}");
    }
    assert!(
        run.stderr.is_empty(),
        "no progress bar off a terminal: {}",
        run.stderr
    );

    assert_eq!(fixture.requests("DELETE"), 0, "a dry run deletes nothing");
    let (deleted, _) = fixture.server_state(&Owner::org("acme"), "container", "app");
    assert!(deleted.is_empty());
}

#[test]
fn execute_deletes_exactly_the_selection_then_restore_brings_it_back() {
    let fixture = Fixture::new("execute");
    let seeded = seed_app(&fixture.github);
    let acme = Owner::org("acme");
    let journal = fixture.journal("prune.jsonl");
    let prune = format!("{PRUNE_APP} --older-than 30d --keep-tag v* --execute");
    let expected = ids(&seeded, "v2 v3 v4");

    let run = fixture.run_with(&prune, &["--journal", &journal]);
    run.assert_code(0);
    let out = &run.stdout;
    assert!(
        out.contains("deleted 3, kept 4, failed 0, skipped 0"),
        "{out}"
    );
    let undo = format!("journal: {journal} (undo with: ghpkg restore --journal {journal})");
    assert!(out.contains(&undo), "{out}");
    let (deleted, active) = fixture.server_state(&acme, "container", "app");
    assert_eq!(deleted, expected);
    assert_eq!(active, ids(&seeded, "v1 v5 v6 v7"));
    assert_eq!(fixture.requests("DELETE"), 3);
    let outcomes = journal_outcomes(&journal);
    assert_eq!(with_outcome(&outcomes, "deleted"), expected);
    assert_eq!(outcomes.len(), 3);
    let text = std::fs::read_to_string(&journal).unwrap();
    let records: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let v3 = records
        .iter()
        .find(|r| r["version_id"] == seeded["v3"] && r["outcome"] == "deleted")
        .unwrap();
    assert_eq!(v3["owner_kind"], "org");
    assert_eq!(v3["owner"], "acme");
    assert_eq!(v3["type"], "container");
    assert_eq!(v3["package"], "app");
    assert_eq!(v3["name"], name_of(&fixture.github, seeded["v3"]));
    assert_eq!(v3["tags"], serde_json::json!(["pr-12"]));

    // The same prune again finds nothing more to do.
    fixture.github.clear_requests();
    let again = fixture.run_with(&prune, &["--journal", &journal, "--json"]);
    again.assert_code(0);
    let document = again.json();
    assert_eq!(document["summary"]["deleted"], 0);
    assert_eq!(document["summary"]["kept"], 4);
    assert_eq!(fixture.requests("DELETE"), 0);

    // Restore brings back every version the journal records as deleted.
    let restore = fixture.run_with("restore --journal", &[&journal]);
    restore.assert_code(0);
    let out = &restore.stdout;
    assert!(
        out.contains("restored 3, already active 0, failed 0"),
        "{out}"
    );
    let (deleted, _) = fixture.server_state(&acme, "container", "app");
    assert!(deleted.is_empty(), "still deleted: {deleted:?}");

    // Twice is harmless: nothing to do, nothing sent but the listing.
    fixture.github.clear_requests();
    let twice = fixture.run_with("restore --json --journal", &[&journal]);
    twice.assert_code(0);
    let document = twice.json();
    assert_eq!(document["summary"]["restored"], 0);
    assert_eq!(document["summary"]["already_active"], 3);
    for result in document["results"].as_array().unwrap() {
        assert_eq!(result["result"], "already-active");
    }
    assert_eq!(fixture.requests("POST"), 0);
    let (deleted, _) = fixture.server_state(&acme, "container", "app");
    assert!(deleted.is_empty());
}

#[test]
fn failures_mid_prune_leave_a_journal_that_matches_the_server_and_a_rerun_finishes() {
    let fixture = Fixture::new("faults");
    let acme = Owner::org("acme");
    fixture.github.add_package(&acme, "npm", "lib", "private");
    let all = fixture.github.add_versions(&acme, "npm", "lib", 12);
    let keep: Ids = all[10..].iter().copied().collect();
    let journal = fixture.journal("faults.jsonl");
    // One DELETE each, in order: carried out but answered 502 (outcome
    // unknown, found deleted on checking); reset before any answer and a
    // 500 (both not carried out, found still there on checking: unknown,
    // since GitHub may still carry them out); then the rate limit runs out
    // for an hour, longer than the client waits, which stops the run.
    let faults = [
        FaultKind::AfterAction(Box::new(FaultKind::Status(502))),
        FaultKind::ConnectionReset,
        FaultKind::Status(500),
        FaultKind::PrimaryRateLimit {
            reset_in_secs: 3600,
        },
    ];
    for kind in faults {
        let fault = Fault::new(kind).on(Matcher::Method("DELETE".into()));
        fixture.github.inject(fault);
    }
    let prune = "prune --org acme --type npm --name lib --keep-latest 2 --execute --json";
    let first = fixture.run_with(prune, &["--concurrency", "1", "--journal", &journal]);
    first.assert_code(1);
    assert_eq!(fixture.github.pending_faults(), 0);
    let document = first.json();
    let summary = &document["summary"];
    assert_eq!(summary["deleted"], 1, "{summary}");
    assert_eq!(summary["failed"], 1, "{summary}");
    assert_eq!(summary["skipped"], 6, "{summary}");
    assert_eq!(summary["unknown"], 2, "{summary}");
    assert_eq!(summary["kept"], 2, "{summary}");
    let versions = document["versions"].as_array().unwrap();
    let errors: Vec<&str> = versions
        .iter()
        .filter_map(|v| v["error"].as_str())
        .collect();
    let any = |text: &str| errors.iter().any(|e| e.contains(text));
    assert!(any("GitHub answered 500"), "{errors:?}");
    assert!(
        any("the connection broke before GitHub answered"),
        "{errors:?}"
    );
    let still_there =
        "checked afterwards: still there, but GitHub may still carry the deletion out";
    assert!(any(still_there), "{errors:?}");
    assert!(any("rate limit exhausted until"), "{errors:?}");
    assert!(any("not attempted: rate limit exhausted"), "{errors:?}");

    // The journal says exactly what the server did.
    let (deleted, active) = fixture.server_state(&acme, "npm", "lib");
    let outcomes = journal_outcomes(&journal);
    assert_eq!(deleted.len(), 1);
    assert_eq!(with_outcome(&outcomes, "deleted"), deleted);
    assert_eq!(with_outcome(&outcomes, "failed").len(), 1);
    assert!(with_outcome(&outcomes, "failed").is_subset(&active));
    let unknown = with_outcome(&outcomes, "unknown");
    assert_eq!(unknown.len(), 2);
    assert!(unknown.is_subset(&active));
    assert_eq!(outcomes.len(), 4, "only attempted versions are journaled");

    // The same command again first looks at the unknown lines (still there:
    // they stay unknown, GitHub may still carry them out), then continues
    // where the first run stopped, deleting them too.
    let second = fixture.run_with(prune, &["--journal", &journal]);
    second.assert_code(0);
    assert_eq!(second.json()["summary"]["deleted"], 9);
    let journaled = std::fs::read_to_string(&journal).unwrap();
    assert!(!journaled.contains("settled by a later run"), "{journaled}");
    assert_eq!(journaled.matches(r#""outcome":"failed""#).count(), 1);
    let (deleted, active) = fixture.server_state(&acme, "npm", "lib");
    assert_eq!(active, keep);
    assert_eq!(deleted.len(), 10);
    assert_eq!(
        with_outcome(&journal_outcomes(&journal), "deleted"),
        deleted
    );

    // And a third finds nothing left to do.
    fixture.github.clear_requests();
    let third = fixture.run_with(prune, &["--journal", &journal]);
    third.assert_code(0);
    assert_eq!(third.json()["summary"]["deleted"], 0);
    assert_eq!(fixture.requests("DELETE"), 0);
}

#[test]
fn refusals_are_explained_per_version_without_stopping_the_run() {
    let fixture = Fixture::new("refusals");
    let acme = Owner::org("acme");
    let old = Utc::now() - TimeDelta::days(60);
    let add =
        |package: &str, spec: VersionSpec| fixture.github.add_version(&acme, "npm", package, spec);

    // A public version with more than 5,000 downloads.
    fixture
        .github
        .add_package(&acme, "npm", "popular", "public");
    let popular = add(
        "popular",
        VersionSpec::new("1.0.0")
            .created_at(old)
            .download_count(9_000),
    );
    let ordinary = add("popular", VersionSpec::new("1.0.1").created_at(old));
    add("popular", VersionSpec::new("2.0.0").created_at(Utc::now()));
    let journal = fixture.journal("popular.jsonl");
    let prune = "prune --org acme --type npm --name popular --older-than 30d --execute";
    let run = fixture.run_with(prune, &["--journal", &journal]);
    // GitHub's own rule: counted apart, not a failure of the run.
    run.assert_code(0);
    let out = &run.stdout;
    let row = out
        .lines()
        .find(|l| l.contains(&popular.to_string()))
        .unwrap();
    assert!(row.starts_with("refused-by-github"), "{row}");
    assert!(row.contains("more than 5,000 downloads"), "{row}");
    assert!(
        out.contains("deleted 1, kept 1, failed 0, skipped 0, refused by GitHub 1"),
        "{out}"
    );
    let (deleted, _) = fixture.server_state(&acme, "npm", "popular");
    assert_eq!(deleted, BTreeSet::from([ordinary]));

    // The last version of a package.
    fixture
        .github
        .add_package(&acme, "npm", "single", "private");
    let only = fixture.github.add_versions(&acme, "npm", "single", 1)[0];
    let journal = fixture.journal("single.jsonl");
    let delete = format!("delete --org acme --type npm --name single --version {only}");
    let run = fixture.run_with(&delete, &["--journal", &journal]);
    run.assert_code(1);
    let explanation = "GitHub does not delete the last version of a package: \
                       delete the package instead (ghpkg delete --org acme --type npm --name single)";
    assert!(run.stdout.contains(explanation), "{}", run.stdout);
    assert_eq!(journal_outcomes(&journal)[&only], "failed");

    // A token without delete:packages: every version says so, none stops the run.
    fixture
        .github
        .add_package(&acme, "npm", "scoped", "private");
    fixture.github.add_versions(&acme, "npm", "scoped", 4);
    fixture
        .github
        .add_token("read-only-token", &["read:packages"]);
    fixture.github.clear_requests();
    let journal = fixture.journal("scoped.jsonl");
    let prune = "prune --org acme --type npm --name scoped --keep-latest 1 --execute --json";
    let mut command = fixture.command(prune, &["--journal", &journal]);
    command.env("GITHUB_TOKEN", "read-only-token");
    let run = run_command(command);
    run.assert_code(1);
    let document = run.json();
    assert_eq!(document["summary"]["failed"], 3);
    assert_eq!(fixture.requests("DELETE"), 3, "each version was tried");
    for version in document["versions"].as_array().unwrap() {
        if version["result"] == "failed" {
            let error = version["error"].as_str().unwrap();
            assert!(error.contains("delete:packages"), "{error}");
        }
    }

    // An image published from a repository is named `repo/image`.
    fixture
        .github
        .add_package(&acme, "container", "repo/image", "private");
    fixture
        .github
        .add_versions(&acme, "container", "repo/image", 2);
    let run = fixture.run("versions --org acme --type container --name image");
    run.assert_code(1);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("try --name REPO/image"),
        "{}",
        run.stderr
    );
    let run = fixture.run("versions --org acme --type container --name repo/image --json");
    run.assert_code(0);
    assert_eq!(run.json()["versions"].as_array().unwrap().len(), 2);
}

#[test]
fn bad_input_exits_non_zero_with_one_line_and_sends_nothing() {
    let fixture = Fixture::new("bad-input");
    seed_app(&fixture.github);
    fixture.github.clear_requests();
    let npm = "--org acme --type npm --name x";
    // (command line, what the one line says)
    let cases = [
        (
            "packages --org acme --type pip".to_string(),
            "invalid value 'pip' for '--type <TYPE>'",
        ),
        (
            format!("versions {npm} --state gone"),
            "invalid value 'gone'",
        ),
        (format!("prune {npm} --older-than 30"), "without a unit"),
        (format!("prune {npm} --older-than 3y"), "unknown unit 'y'"),
        (
            format!("prune {npm} --tag [abc"),
            "unclosed character class",
        ),
        (
            format!("prune {npm} --keep-tag {{a"),
            "unclosed alternate group",
        ),
        (
            format!("prune {npm} --keep-latest many"),
            "invalid value 'many'",
        ),
        (
            format!("prune {npm} --untagged --concurrency 0"),
            "--concurrency",
        ),
        (
            format!("prune {npm} --untagged --max-wait soon"),
            "--max-wait",
        ),
        (format!("prune {npm}"), "prune needs a policy"),
        (format!("prune {npm} --keep-tag v*"), "prune needs a policy"),
        ("versions --type npm --name x".to_string(), "missing"),
        (
            "versions --org a --me --type npm --name x".to_string(),
            "cannot be used with",
        ),
        (
            "restore --org acme".to_string(),
            "restore needs --journal FILE",
        ),
        (
            "versions --user octocat --type npm --name x --state deleted".to_string(),
            "--state deleted needs --org or --me",
        ),
        (
            format!("versions {npm} --base-url ftp://x"),
            "must be an http or https URL",
        ),
        (
            "versions --org acme --type npm --name .".to_string(),
            "invalid value '.' for '--name <NAME>'",
        ),
        (
            "delete --org acme --type npm --name ..".to_string(),
            "invalid value '..' for '--name <NAME>'",
        ),
        (
            "restore --org acme --type npm --name ..".to_string(),
            "invalid value '..' for '--name <NAME>'",
        ),
        (
            "packages --org .. --type npm".to_string(),
            "invalid value '..' for '--org <ORG>'",
        ),
        (
            format!("versions {npm} --token-file /nonexistent/t"),
            "cannot read token file",
        ),
        ("frobnicate".to_string(), "unrecognized subcommand"),
    ];
    for (line, expected) in &cases {
        let run = fixture.run(line);
        let err = &run.stderr;
        assert_eq!(run.code, 2, "{line}: {err}");
        assert_eq!(err.lines().count(), 1, "{line}: not one line:\n{err}");
        assert!(err.starts_with("error: "), "{line}: {err}");
        assert!(err.contains(expected), "{line}: {err}");
        assert!(run.stdout.is_empty(), "{line}: {}", run.stdout);
    }

    // An empty name, which whitespace-split command lines cannot show.
    let run = fixture.run_with("restore --org acme --type npm", &["--name", ""]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("must not be empty"), "{}", run.stderr);

    // No token anywhere.
    let mut command = fixture.command("versions --org acme --type container --name app", &[]);
    command.env_remove("GITHUB_TOKEN");
    let run = run_command(command);
    assert_eq!(run.code, 2);
    let expected = "error: no token: pass --token-file PATH or set GITHUB_TOKEN or GH_TOKEN\n";
    assert_eq!(run.stderr, expected);

    assert!(
        fixture.github.requests().is_empty(),
        "bad input sent requests"
    );
}

#[test]
fn the_token_is_never_printed() {
    let fixture = Fixture::new("token");
    let seeded = seed_app(&fixture.github);
    let secret = "ghp_DoNotPrintThisSecret0123456789";
    let scopes = ["read:packages", "write:packages", "delete:packages"];
    fixture.github.add_token(secret, &scopes);
    let token_file = fixture.dir.join("token");
    std::fs::write(&token_file, format!("{secret}\n")).unwrap();
    let token_file = token_file.display().to_string();
    let journal = fixture.journal("token.jsonl");
    let fault = Fault::new(FaultKind::Status(502)).on(Matcher::Method("DELETE".into()));
    fixture.github.inject(fault);
    // (command line, whether it takes the journal)
    let commands = [
        (
            "versions -v --org acme --type container --name app".to_string(),
            false,
        ),
        (format!("{PRUNE_APP} --untagged -v --execute"), true),
        ("restore -vv".to_string(), true),
        (
            "show -v --org acme --type container --name missing".to_string(),
            false,
        ),
    ];
    for (line, journaled) in &commands {
        let journal_args = ["--journal", journal.as_str()];
        let extra: &[&str] = if *journaled { &journal_args } else { &[] };
        let mut with_file = fixture.command(line, extra);
        let mut with_env = fixture.command(line, extra);
        with_file
            .env_remove("GITHUB_TOKEN")
            .args(["--token-file", &token_file]);
        with_env.env("GITHUB_TOKEN", secret);
        for command in [with_file, with_env] {
            let run = run_command(command);
            assert!(
                !run.stdout.contains(secret),
                "{line} printed the token:\n{}",
                run.stdout
            );
            assert!(
                !run.stderr.contains(secret),
                "{line} printed the token:\n{}",
                run.stderr
            );
            assert!(!run.stderr.is_empty(), "{line}: -v says something");
        }
    }
    // A token in the API root (user info, a query or a fragment) is
    // refused before anything is sent, and not echoed, with or without -v.
    fixture.github.clear_requests();
    let base = fixture.github.base_url();
    let in_url = [
        base.replacen("http://", &format!("http://x-access-token:{secret}@"), 1),
        base.replacen("http://", &format!("http://{secret}@"), 1),
        format!("{base}/?access_token={secret}"),
        format!("{base}#{secret}"),
    ];
    for url in &in_url {
        let line = "versions -v --org acme --type container --name app";
        let with_flag = fixture.command(line, &["--base-url", url]);
        let mut with_env = fixture.command(line, &[]);
        with_env.env("GITHUB_API_URL", url);
        for (command, source) in [(with_flag, "--base-url"), (with_env, "GITHUB_API_URL")] {
            let run = run_command(command);
            run.assert_code(2);
            assert!(!run.stdout.contains(secret), "{url}: {}", run.stdout);
            assert!(!run.stderr.contains(secret), "{url}: {}", run.stderr);
            let said = format!("error: {source} must not");
            assert!(run.stderr.starts_with(&said), "{url}: {}", run.stderr);
        }
    }
    assert!(fixture.github.requests().is_empty());

    // A rejected token is explained without being shown.
    let wrong = "ghp_WrongTokenAlsoSecret";
    let mut command = fixture.command("versions -v --org acme --type container --name app", &[]);
    command.env("GITHUB_TOKEN", wrong);
    let run = run_command(command);
    run.assert_code(1);
    assert!(
        run.stderr.contains("the token was rejected"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(wrong), "{}", run.stderr);
    let text = std::fs::read_to_string(&journal).unwrap();
    assert!(text.contains(&seeded["v2"].to_string()));
    assert!(!text.contains(secret));
}

#[test]
fn listing_and_single_item_commands() {
    let fixture = Fixture::new("listing");
    let seeded = seed_app(&fixture.github);
    let acme = Owner::org("acme");
    fixture
        .github
        .add_package(&acme, "container", "tool", "public");
    fixture.github.add_versions(&acme, "container", "tool", 2);
    fixture.github.add_package(&acme, "npm", "lib", "public");

    // packages: a table, and JSON with stable names.
    let run = fixture.run("packages --org acme --type container");
    run.assert_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    let header = "NAME  VISIBILITY  VERSIONS  REPOSITORY  UPDATED";
    assert!(lines[0].starts_with(header), "{}", run.stdout);
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    let run = fixture.run("packages --org acme --type container --visibility public --json");
    run.assert_code(0);
    let document = run.json();
    let owner = serde_json::json!({"kind": "org", "login": "acme"});
    assert_eq!(document["owner"], owner);
    let packages = document["packages"].as_array().unwrap();
    assert_eq!(packages.len(), 1);
    assert_eq!(packages[0]["name"], "tool");
    assert_eq!(packages[0]["visibility"], "public");
    assert_eq!(packages[0]["version_count"], 2);

    // versions: newest first, tags shown.
    let run = fixture.run("versions --org acme --type container --name app --json");
    run.assert_code(0);
    let versions = run.json()["versions"].as_array().unwrap().clone();
    assert_eq!(versions.len(), 7);
    assert_eq!(versions[0]["id"], seeded["v7"]);
    assert_eq!(versions[1]["tags"], serde_json::json!(["v1.1.0", "latest"]));

    // show: a package, then a version.
    let run = fixture.run("show --org acme --type container --name app");
    run.assert_code(0);
    assert!(run.stdout.contains("versions    7"), "{}", run.stdout);
    let v6 = seeded["v6"];
    let run = fixture.run(&format!(
        "show --org acme --type container --name app --version {v6}"
    ));
    run.assert_code(0);
    assert!(
        run.stdout.contains("tags     v1.1.0,latest"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("state    active"), "{}", run.stdout);

    // delete one version (journaled), see it among the deleted, restore it.
    let journal = fixture.journal("delete.jsonl");
    let delete = format!("delete --org acme --type container --name app --version {v6}");
    let run = fixture.run_with(&delete, &["--journal", &journal]);
    run.assert_code(0);
    let said = format!("deleted version {v6} ({})", name_of(&fixture.github, v6));
    assert!(run.stdout.starts_with(&said), "{}", run.stdout);
    assert_eq!(journal_outcomes(&journal)[&v6], "deleted");
    let run = fixture.run("versions --org acme --type container --name app --state deleted --json");
    run.assert_code(0);
    let deleted = run.json()["versions"].as_array().unwrap().clone();
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0]["id"], v6);
    assert!(deleted[0]["deleted_at"].is_string());
    let run = fixture.run(&format!(
        "restore --org acme --type container --name app --version {v6}"
    ));
    run.assert_code(0);
    assert!(run.stdout.contains("restored 1"), "{}", run.stdout);
    let (deleted, _) = fixture.server_state(&acme, "container", "app");
    assert!(deleted.is_empty());

    // The whole package, journaled by default under the data directory.
    let run = fixture.run("delete --org acme --type npm --name lib --json");
    run.assert_code(0);
    let document = run.json();
    assert_eq!(document["outcome"], "deleted");
    let journal = document["journal"].as_str().unwrap().to_string();
    let data_dir = fixture.data_dir().join("journal").display().to_string();
    assert!(journal.starts_with(&data_dir), "{journal}");
    assert!(!fixture.github.package_exists(&acme, "npm", "lib"));
    fixture
        .run_with("restore --journal", &[&journal])
        .assert_code(0);
    assert!(fixture.github.package_exists(&acme, "npm", "lib"));
    // Again: the package is there, so nothing is sent to restore it.
    fixture.github.clear_requests();
    let again = fixture.run_with("restore --json --journal", &[&journal]);
    again.assert_code(0);
    assert_eq!(again.json()["results"][0]["result"], "already-active");
    assert_eq!(fixture.requests("POST"), 0);
    // Deleted again, and another package of that name published since: it
    // is not the one the journal means, and restore says so.
    let run = fixture.run("delete --org acme --type npm --name lib --json");
    run.assert_code(0);
    let journal = run.json()["journal"].as_str().unwrap().to_string();
    let text = std::fs::read_to_string(&journal).unwrap();
    assert!(text.contains(r#""package_id":"#), "{text}");
    fixture.github.add_package(&acme, "npm", "lib", "public");
    fixture.github.clear_requests();
    let run = fixture.run_with("restore --json --journal", &[&journal]);
    run.assert_code(1);
    let result = &run.json()["results"][0];
    assert_eq!(result["result"], "failed");
    let error = result["error"].as_str().unwrap();
    assert!(
        error.starts_with("a different npm package named 'lib' exists now"),
        "{error}"
    );
    assert_eq!(fixture.requests("POST"), 0);

    // Docker migration conflicts, and the authenticated user's packages.
    fixture
        .github
        .set_docker_conflict(&acme, "container", "tool");
    let run = fixture.run("conflicts --org acme --json");
    run.assert_code(0);
    assert_eq!(run.json()["packages"][0]["name"], "tool");
    let octocat = Owner::user("octocat");
    fixture.github.set_authenticated_user("octocat");
    fixture
        .github
        .add_package(&octocat, "npm", "mine", "private");
    let run = fixture.run("packages --me --type npm --json");
    run.assert_code(0);
    assert_eq!(run.json()["packages"][0]["name"], "mine");
    assert_eq!(run.json()["owner"], serde_json::json!({"kind": "me"}));

    // The authenticated user's journal lines name the owner as such.
    let mine = fixture.github.add_versions(&octocat, "npm", "mine", 2);
    let journal = fixture.journal("me.jsonl");
    let delete = format!("delete --me --type npm --name mine --version {}", mine[0]);
    fixture
        .run_with(&delete, &["--journal", &journal])
        .assert_code(0);
    let outcomes = journal_outcomes(&journal);
    assert_eq!(outcomes[&mine[0]], "deleted");
    for line in std::fs::read_to_string(&journal).unwrap().lines() {
        let record: Value = serde_json::from_str(line).unwrap();
        assert_eq!(record["owner_kind"], "me", "{line}");
        assert_eq!(record["owner"], "@me", "{line}");
        assert_eq!(record["login"], "octocat", "{line}");
    }
    fixture
        .run_with("restore --journal", &[&journal])
        .assert_code(0);
    let (deleted, _) = fixture.server_state(&octocat, "npm", "mine");
    assert!(deleted.is_empty());

    // An owner GitHub does not know: the hint is about the owner.
    let nobody = Matcher::PathContains("/orgs/nobody/".into());
    fixture
        .github
        .inject(Fault::new(FaultKind::Status(404)).on(nobody));
    let run = fixture.run("packages --org nobody --type npm");
    run.assert_code(1);
    assert!(
        run.stderr
            .starts_with("error: not found: no owner matching --org nobody that the token can see"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_deletion_github_carries_out_late_is_journaled_unknown_and_restored() {
    let fixture = Fixture::new("late");
    let acme = Owner::org("acme");
    fixture.github.add_package(&acme, "npm", "lib", "private");
    let ids = fixture.github.add_versions(&acme, "npm", "lib", 4);
    let (a, b, c) = (ids[0], ids[1], ids[2]);
    let journal = fixture.journal("late.jsonl");
    let delete = |id: i64| {
        let line = format!("delete --org acme --type npm --name lib --version {id}");
        fixture.run_with(&line, &["--journal", &journal])
    };
    let fail_next_delete = || {
        let fault = Fault::new(FaultKind::Status(502)).on(Matcher::Method("DELETE".into()));
        fixture.github.inject(fault);
    };

    // GitHub answers 502 and has not deleted it when checked: unknown.
    fail_next_delete();
    let run = delete(a);
    run.assert_code(1);
    let said = format!("unknown whether version {a} (1.0.0) was deleted");
    assert!(run.stdout.starts_with(&said), "{}", run.stdout);
    assert_eq!(journal_outcomes(&journal)[&a], "unknown");
    // ... and carries it out afterwards.
    fixture
        .github
        .set_version_deleted(&acme, "npm", "lib", a, true);

    // The next run with this journal settles `a` (found deleted) before
    // its own deletion, which is lost the same way but not carried out.
    fail_next_delete();
    delete(b).assert_code(1);
    let outcomes = journal_outcomes(&journal);
    assert_eq!(outcomes[&a], "deleted");
    assert_eq!(outcomes[&b], "unknown");

    // Restore takes the unknown line as a candidate: `a` is restored, `b`
    // is found active and left alone.
    fixture.github.clear_requests();
    let run = fixture.run_with("restore --json --journal", &[&journal]);
    run.assert_code(0);
    let document = run.json();
    let results: BTreeMap<i64, String> = document["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let id = r["version_id"].as_i64().unwrap();
            (id, r["result"].as_str().unwrap().to_string())
        })
        .collect();
    let expected = BTreeMap::from([
        (a, "restored".to_string()),
        (b, "already-active".to_string()),
    ]);
    assert_eq!(results, expected);
    assert_eq!(fixture.requests("POST"), 1);
    let (deleted, _) = fixture.server_state(&acme, "npm", "lib");
    assert!(deleted.is_empty(), "{deleted:?}");

    // A later run finds `b` still there: it stays unknown (GitHub may still
    // carry it out), not failed, which restore would skip.
    delete(c).assert_code(0);
    let outcomes = journal_outcomes(&journal);
    assert_eq!(outcomes[&b], "unknown");
    assert_eq!(outcomes[&c], "deleted");
    // ... and GitHub does carry it out: restore brings it back with `c`.
    fixture
        .github
        .set_version_deleted(&acme, "npm", "lib", b, true);
    let run = fixture.run_with("restore --json --journal", &[&journal]);
    run.assert_code(0);
    let (deleted, _) = fixture.server_state(&acme, "npm", "lib");
    assert!(deleted.is_empty(), "{deleted:?}\n{}", run.stdout);
}

#[test]
fn faults_with_concurrent_deletions_leave_an_exact_journal() {
    let fixture = Fixture::new("concurrent-faults");
    let acme = Owner::org("acme");
    fixture.github.add_package(&acme, "npm", "lib", "private");
    let all = fixture.github.add_versions(&acme, "npm", "lib", 12);
    let journal = fixture.journal("concurrent.jsonl");
    // Whichever DELETEs they hit: one carried out but answered 502, one 500
    // and one reset (neither carried out), one cut-off answer after the
    // deletion.
    let faults = [
        FaultKind::AfterAction(Box::new(FaultKind::Status(502))),
        FaultKind::Status(500),
        FaultKind::ConnectionReset,
        FaultKind::AfterAction(Box::new(FaultKind::TruncatedBody)),
    ];
    for kind in faults {
        let fault = Fault::new(kind).on(Matcher::Method("DELETE".into()));
        fixture.github.inject(fault);
    }
    let prune = "prune --org acme --type npm --name lib --keep-latest 2 --execute --json";
    let first = fixture.run_with(prune, &["--concurrency", "4", "--journal", &journal]);
    first.assert_code(1);
    assert_eq!(fixture.github.pending_faults(), 0);
    let summary = first.json()["summary"].clone();
    assert_eq!(summary["deleted"], 8, "{summary}\n{}", first.stdout);
    assert_eq!(summary["unknown"], 2, "{summary}");
    assert_eq!(summary["failed"], 0, "{summary}");
    assert_eq!(summary["skipped"], 0, "{summary}");
    let (deleted, active) = fixture.server_state(&acme, "npm", "lib");
    let outcomes = journal_outcomes(&journal);
    assert_eq!(with_outcome(&outcomes, "deleted"), deleted);
    let unknown = with_outcome(&outcomes, "unknown");
    assert_eq!(unknown.len(), 2);
    assert!(unknown.is_subset(&active));
    assert_eq!(outcomes.len(), 10);

    let second = fixture.run_with(prune, &["--concurrency", "4", "--journal", &journal]);
    second.assert_code(0);
    assert_eq!(second.json()["summary"]["deleted"], 2);
    let (deleted, active) = fixture.server_state(&acme, "npm", "lib");
    assert_eq!(active, all[10..].iter().copied().collect());
    assert_eq!(
        with_outcome(&journal_outcomes(&journal), "deleted"),
        deleted
    );
}

#[cfg(unix)]
#[test]
fn ctrl_c_finishes_the_deletion_in_flight_and_starts_no_other() {
    let fixture = Fixture::new("interrupt");
    let acme = Owner::org("acme");
    fixture.github.add_package(&acme, "npm", "lib", "private");
    fixture.github.add_versions(&acme, "npm", "lib", 6);
    // The first DELETE is held at the server until the test lets it go, so
    // Ctrl-C arrives while it is in flight, however slow the machine.
    let gate = fixture.github.hold(Matcher::Method("DELETE".into()));
    let journal = fixture.journal("interrupt.jsonl");
    let prune = "prune --org acme --type npm --name lib --keep-latest 1 --execute";
    let extra = ["--concurrency", "1", "--journal", &journal];
    // `ghpkg` says it was interrupted once it has taken note; only then is
    // the held deletion let go, so no race decides what happens next.
    let interrupted = fixture.interrupt_while_held(prune, &extra, &gate);
    assert_eq!(interrupted.deletes_at_interrupt, 1);
    let (stdout, said) = (&interrupted.run.stdout, &interrupted.run.stderr);
    assert_eq!(interrupted.run.code, 130, "{stdout}\n{said}");
    let summary = "interrupted: 4 deletions not attempted; run the same command again to continue";
    assert!(said.contains(summary), "{said}");
    assert!(
        stdout.contains("deleted 1, kept 1, failed 0, skipped 4"),
        "{stdout}"
    );
    assert_eq!(
        fixture.requests("DELETE"),
        1,
        "no deletion started after Ctrl-C"
    );
    let (deleted, _) = fixture.server_state(&acme, "npm", "lib");
    assert_eq!(deleted.len(), 1);
    assert_eq!(
        with_outcome(&journal_outcomes(&journal), "deleted"),
        deleted
    );

    let again = fixture.run_with(prune, &["--journal", &journal]);
    again.assert_code(0);
    let out = &again.stdout;
    assert!(
        out.contains("deleted 4, kept 1, failed 0, skipped 0"),
        "{out}"
    );
    let (deleted, active) = fixture.server_state(&acme, "npm", "lib");
    assert_eq!((deleted.len(), active.len()), (5, 1));
    assert_eq!(
        with_outcome(&journal_outcomes(&journal), "deleted"),
        deleted
    );
}

#[test]
fn a_server_gone_mid_prune_stops_the_run_and_the_journal_says_what_is_unknown() {
    let fixture = Fixture::new("server-gone");
    let acme = Owner::org("acme");
    fixture.github.add_package(&acme, "npm", "lib", "private");
    fixture.github.add_versions(&acme, "npm", "lib", 6);
    // The first DELETE is held at the server, which then goes away: the
    // connection drops with the DELETE unanswered, and nothing answers after.
    let _gate = fixture.github.hold(Matcher::Method("DELETE".into()));
    let journal = fixture.journal("server-gone.jsonl");
    let prune = "prune --org acme --type npm --name lib --keep-latest 1 --execute --json";
    // No retries: a refused connection would otherwise be tried again, with
    // waits, before the run gives up.
    let extra = [
        "--concurrency",
        "1",
        "--retries",
        "0",
        "--journal",
        &journal,
    ];
    let child = fixture.spawn_until_a_delete_arrives(prune, &extra);
    fixture.github.stop();
    let run = Run::from(child.wait_with_output().unwrap());
    run.assert_code(1);
    let document = run.json();
    let summary = &document["summary"];
    assert_eq!(summary["deleted"], 0, "{summary}");
    assert_eq!(summary["unknown"], 1, "{summary}");
    assert_eq!(summary["skipped"], 4, "{summary}");
    assert_eq!(summary["failed"], 0, "{summary}");
    let versions = document["versions"].as_array().unwrap();
    let with_result = |result: &str| -> Vec<&Value> {
        versions.iter().filter(|v| v["result"] == result).collect()
    };
    let unknown = with_result("unknown");
    let error = unknown[0]["error"].as_str().unwrap();
    assert!(
        error.contains("the connection broke before GitHub answered")
            && error.contains("checking afterwards failed too")
            && error.contains("run the same command again"),
        "{error}"
    );
    for skipped in with_result("skipped") {
        let error = skipped["error"].as_str().unwrap();
        assert!(error.starts_with("not attempted: "), "{error}");
    }
    // The server never carried the held DELETE out, and the journal does not
    // claim it did: that one line says `unknown`, for the next run (or
    // `ghpkg restore --journal`) to settle.
    let (deleted, _) = fixture.server_state(&acme, "npm", "lib");
    assert!(deleted.is_empty());
    let outcomes = journal_outcomes(&journal);
    assert_eq!(outcomes.len(), 1, "only the attempted version is journaled");
    assert_eq!(
        with_outcome(&outcomes, "unknown"),
        Ids::from([unknown[0]["id"].as_i64().unwrap()])
    );
    assert_eq!(fixture.requests("DELETE"), 1);
    assert!(!run.stdout.contains(FakeGitHub::TOKEN) && !run.stderr.contains(FakeGitHub::TOKEN));
}

#[test]
fn restore_skips_a_damaged_journal_line_by_name_and_restores_the_rest() {
    let fixture = Fixture::new("damaged-journal");
    let acme = Owner::org("acme");
    fixture.github.add_package(&acme, "npm", "lib", "private");
    let ids = fixture.github.add_versions(&acme, "npm", "lib", 4);
    let journal = fixture.journal("damaged.jsonl");
    let prune = "prune --org acme --type npm --name lib --keep-latest 1 --execute";
    fixture
        .run_with(prune, &["--concurrency", "1", "--journal", &journal])
        .assert_code(0);
    // A proxy's error text in Latin-1 lands in the middle, and the last
    // line is cut where the disk filled up.
    let mut bytes = std::fs::read(&journal).unwrap();
    let lines_before = bytes.iter().filter(|&&b| b == b'\n').count();
    let second_line = bytes
        .iter()
        .position(|&b| b == b'\n')
        .map(|end| end + 1)
        .unwrap();
    bytes.splice(
        second_line..second_line,
        b"502 \xe9chec du proxy\n".to_vec(),
    );
    bytes.extend_from_slice(b"{\"time\":\"2026-01-01T00:0\xc3");
    std::fs::write(&journal, &bytes).unwrap();

    let run = fixture.run_with("restore --json --journal", &[&journal]);
    run.assert_code(0);
    let document = run.json();
    let restored: Ids = document["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["result"] == "restored")
        .map(|r| r["version_id"].as_i64().unwrap())
        .collect();
    assert_eq!(restored, ids[..3].iter().copied().collect::<Ids>());
    let damaged = format!("warning: {journal}:2: skipped a damaged line (not UTF-8 text");
    assert!(run.stderr.contains(&damaged), "{}", run.stderr);
    let cut = format!(
        "warning: {journal}:{}: skipped a line cut short",
        lines_before + 2
    );
    assert!(run.stderr.contains(&cut), "{}", run.stderr);
    let (deleted, _) = fixture.server_state(&acme, "npm", "lib");
    assert!(deleted.is_empty(), "{deleted:?}");
}

#[test]
fn completions_and_the_man_page_need_no_token() {
    let ghpkg = |args: &[&str]| {
        let output = std::process::Command::new(support::GHPKG)
            .args(args)
            .env_clear()
            .output()
            .unwrap();
        (
            output.status.code(),
            String::from_utf8(output.stdout).unwrap(),
        )
    };
    let (code, script) = ghpkg(&["completions", "zsh"]);
    assert_eq!(code, Some(0));
    assert!(script.starts_with("#compdef ghpkg"), "{script}");
    let (code, page) = ghpkg(&["man"]);
    assert_eq!(code, Some(0));
    assert!(page.contains(".TH ghpkg 1"), "{page}");
    let (code, _) = ghpkg(&["completions", "tcsh"]);
    assert_eq!(code, Some(2));
}
