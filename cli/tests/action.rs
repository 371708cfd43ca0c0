//! The GitHub Action's own script (`action/run.sh`, the part of `action.yml`
//! that turns inputs into a `ghpkg prune` command) run with the inputs a
//! workflow would give, against the fake GitHub, with the real `ghpkg`.
#![cfg(unix)]

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use chrono::{TimeDelta, Utc};
use fake_github::{ImageSpec, Owner};
use support::{Fixture, Run, run_command};

const RUN_SH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../action/run.sh");
const ACTION_YML: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../action.yml");

/// `bash action/run.sh` with the fixture's clean environment (the fake's
/// token and URLs), the runner's variables pointing into the fixture's
/// directory, and `inputs` as the `INPUT_*` variables action.yml sets.
fn action(fixture: &Fixture, inputs: &[(&str, &str)]) -> Command {
    let mut command = fixture.program("bash");
    command
        .arg(RUN_SH)
        .env("GHPKG", support::GHPKG)
        .env("RUNNER_TEMP", fixture.dir.join("runner-temp"))
        .env("GITHUB_RUN_ID", "4711")
        .env("GITHUB_RUN_ATTEMPT", "2")
        .env("GITHUB_OUTPUT", fixture.dir.join("output"))
        .env("GITHUB_STEP_SUMMARY", fixture.dir.join("summary.md"));
    for (name, value) in inputs {
        command.env(format!("INPUT_{name}"), value);
    }
    command
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// `app-web` and `app-api`, each with two untagged images (older first)
/// and a tagged one; returns the older untagged image's id of each.
fn seed(fixture: &Fixture) -> [i64; 2] {
    let acme = Owner::org("acme");
    let now = Utc::now();
    ["app-web", "app-api"].map(|package| {
        let github = &fixture.github;
        github.add_package(&acme, "container", package, "private");
        let publish = |days: i64, tags: &[&str]| {
            let spec = ImageSpec::single(tags).created_at(now - TimeDelta::days(days));
            github.publish_image(&acme, package, &spec).root.id
        };
        let older = publish(3, &[]);
        publish(2, &[]);
        publish(1, &["v1"]);
        older
    })
}

#[test]
fn the_action_prunes_by_its_inputs_and_names_the_journal() {
    let fixture = Fixture::new("action-inputs");
    let [web, api] = seed(&fixture);
    let acme = Owner::org("acme");
    let inputs = [
        ("OWNER", "org:acme"),
        ("TYPE", "container"),
        ("NAMES", "app-*\n\n  \n"),
        ("UNTAGGED", "true"),
        ("KEEP_LATEST", "1"),
        ("KEEP_TAGS", "v*\nlatest"),
    ];

    // The default is a dry run: nothing deleted, no journal output.
    let dry = run_command(action(&fixture, &inputs));
    dry.assert_code(0);
    assert!(
        dry.stdout.starts_with(
            "+ ghpkg prune --org acme --type container --name app-\\* --keep-latest 1 \
             --keep-tag v\\* --keep-tag latest --untagged\n"
        ),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stdout.contains("2 packages: dry run: would delete 2"),
        "{}",
        dry.stdout
    );
    assert_eq!(fixture.requests("DELETE"), 0);
    assert_eq!(read(&fixture.dir.join("output")), "");
    let summary = read(&fixture.dir.join("summary.md"));
    assert!(summary.contains("### ghpkg prune (dry run)"), "{summary}");

    // dry-run: false deletes, journals under RUNNER_TEMP and says where.
    let mut execute = inputs.to_vec();
    execute.push(("DRY_RUN", "false"));
    // One deletion a second at most, as GitHub advises for large batches.
    execute.push(("RATE", "60"));
    let run = run_command(action(&fixture, &execute));
    run.assert_code(0);
    let journal = fixture.dir.join("runner-temp/ghpkg/journal-4711-2.jsonl");
    assert_eq!(
        step_outputs(&fixture.dir.join("output")),
        BTreeMap::from([("journal".to_string(), journal.display().to_string())])
    );
    let journaled = support::journal_outcomes(&journal.display().to_string());
    assert_eq!(journaled.keys().copied().collect::<Vec<_>>(), {
        let mut ids = vec![web, api];
        ids.sort();
        ids
    });
    for (package, id) in [("app-web", web), ("app-api", api)] {
        let (deleted, _) = fixture.server_state(&acme, "container", package);
        assert_eq!(deleted.into_iter().collect::<Vec<_>>(), [id], "{package}");
    }
    let summary = read(&fixture.dir.join("summary.md"));
    assert!(
        summary.contains("| app-web | container | org:acme | 1 | 2 | 0 |"),
        "{summary}"
    );
}

#[test]
fn the_action_runs_a_policy_file_and_passes_extra_arguments() {
    let fixture = Fixture::new("action-policy");
    seed(&fixture);
    let policy = fixture.dir.join("retention.toml");
    std::fs::write(
        &policy,
        "owner = \"org:acme\"\ntype = \"container\"\n[[rule]]\nname = [\"app-web\"]\nuntagged = true\nkeep-latest = 1\n",
    )
    .unwrap();
    let policy = policy.display().to_string();
    let run = run_command(action(
        &fixture,
        &[
            ("POLICY", &policy),
            ("DRY_RUN", "false"),
            ("ARGS", "--concurrency\n1\n"),
        ],
    ));
    run.assert_code(0);
    assert!(
        run.stdout.contains(" --execute --journal "),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains(" --concurrency 1\n"), "{}", run.stdout);
    assert_eq!(fixture.requests("DELETE"), 1);
}

#[test]
fn bad_inputs_are_refused_before_anything_is_sent() {
    let fixture = Fixture::new("action-bad");
    seed(&fixture);
    let cases: [(&[(&str, &str)], &str); 6] = [
        (
            &[("OWNER", "acme"), ("TYPE", "container"), ("NAMES", "app")],
            "input owner must be",
        ),
        (
            &[
                ("OWNER", "org:acme"),
                ("TYPE", "container"),
                ("NAMES", "app"),
                ("UNTAGGED", "yes"),
            ],
            "input untagged must be",
        ),
        (
            &[
                ("OWNER", "org:acme"),
                ("TYPE", "container"),
                ("NAMES", "app"),
                ("DRY_RUN", "no"),
            ],
            "input dry-run must be",
        ),
        // Deleting is the dry-run input's to decide, and the journal the
        // journal input's (named in the step's output, for the upload).
        (
            &[
                ("OWNER", "org:acme"),
                ("TYPE", "container"),
                ("UNTAGGED", "true"),
                ("NAMES", "app"),
                ("ARGS", "--execute"),
            ],
            "input args must not hold --execute",
        ),
        (
            &[
                ("OWNER", "org:acme"),
                ("TYPE", "container"),
                ("UNTAGGED", "true"),
                ("NAMES", "app"),
                ("ARGS", " --journal=/tmp/j.jsonl"),
            ],
            "input args must not hold --journal",
        ),
        // What ghpkg itself refuses comes back with its exit code.
        (
            &[
                ("OWNER", "org:acme"),
                ("TYPE", "container"),
                ("NAMES", "app"),
            ],
            "prune needs a policy",
        ),
    ];
    for (inputs, message) in cases {
        let run: Run = run_command(action(&fixture, inputs));
        assert_eq!(run.code, 2, "{inputs:?}: {}{}", run.stdout, run.stderr);
        let said = format!("{}{}", run.stdout, run.stderr);
        assert!(said.contains(message), "{inputs:?}: {said}");
    }
    assert!(fixture.github.requests().is_empty());
}

/// The install step on a runner no release binary is built for, without
/// cargo: it says so and fails, without downloading anything. The action's
/// repository is found from where the runner put it, with `/` or (on
/// Windows) `\` in the path.
#[test]
fn install_without_a_matching_binary_or_cargo_says_what_to_add() {
    for action_path in [
        "/home/runner/work/_actions/octo-org/ghpkg-fork/v0",
        r"D:\a\_actions\octo-org\ghpkg-fork\v0",
    ] {
        install_on_plan9(action_path);
    }
}

fn install_on_plan9(action_path: &str) {
    let fixture = Fixture::new("action-install");
    // A PATH with only what this path of the script runs: no cargo can be
    // found, whatever the machine has installed.
    let tools = tools(&fixture, &["mkdir"]);
    let run = install_on_plan9_with(&fixture, &tools, "v0.2.0", Path::new(action_path));
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .starts_with("ghpkg 0.2.0 from the releases of octo-org/ghpkg-fork\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("No ghpkg release binary for Plan9/X64"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("cargo is not installed to build one (add a Rust toolchain step"),
        "{}",
        run.stdout
    );
    assert_eq!(read(&fixture.dir.join("output")), "");
}

/// The Action installs, by default, the ghpkg of its own release: pinning
/// the action (`@v0.1.0`) pins the binary, and a new ghpkg cannot change
/// what an old action runs.
#[test]
fn the_action_installs_its_own_release_by_default() {
    let action = read(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../action.yml"
    )));
    let input = action
        .split("\n  ghpkg-version:\n")
        .nth(1)
        .expect("action.yml has the input ghpkg-version");
    let default = input
        .lines()
        .take_while(|line| line.starts_with("    ") || line.trim().is_empty())
        .find_map(|line| line.trim().strip_prefix("default:"))
        .expect("ghpkg-version has a default")
        .trim()
        .trim_matches('"');
    assert_eq!(
        default,
        env!("CARGO_PKG_VERSION"),
        "action.yml's ghpkg-version default must be the workspace version (CONTRIBUTING.md, \
         Releasing)"
    );
}

/// A directory for PATH holding only `programs`, linked from this
/// process's PATH.
fn tools(fixture: &Fixture, programs: &[&str]) -> std::path::PathBuf {
    let tools = fixture.dir.join("tools");
    std::fs::create_dir_all(&tools).unwrap();
    for program in programs {
        std::os::unix::fs::symlink(find_program(program), tools.join(program)).unwrap();
    }
    tools
}

/// Writes an executable script.
fn write_script(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    let mut permissions = std::fs::metadata(path).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(path, permissions).unwrap();
}

/// `action/install.sh` on a runner no release binary is built for, with
/// only `tools` on PATH.
fn install_on_plan9_with(
    fixture: &Fixture,
    tools: &Path,
    version: &str,
    action_path: &Path,
) -> Run {
    install_on("Plan9", fixture, tools, version, action_path)
}

/// `action/install.sh` on a runner of `os` (X64), with only `tools` on PATH.
fn install_on(os: &str, fixture: &Fixture, tools: &Path, version: &str, action_path: &Path) -> Run {
    let install = concat!(env!("CARGO_MANIFEST_DIR"), "/../action/install.sh");
    let output = Command::new(find_program("bash"))
        .arg(install)
        .env_clear()
        .env("PATH", tools)
        .env("RUNNER_OS", os)
        .env("RUNNER_ARCH", "X64")
        .env("RUNNER_TEMP", fixture.dir.join("runner-temp"))
        .env("GITHUB_OUTPUT", fixture.dir.join("output"))
        .env("GHPKG_VERSION", version)
        .env("GITHUB_ACTION_PATH", action_path)
        .output()
        .unwrap();
    Run::from(output)
}

/// `name`'s path on this process's PATH.
fn find_program(name: &str) -> std::path::PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| panic!("no {name} on PATH"))
}

/// The values of `name:` in action.yml, in order.
fn yaml_values(yaml: &str, name: &str) -> Vec<String> {
    let prefix = format!("{name}:");
    yaml.lines()
        .filter_map(|line| line.trim().strip_prefix(&prefix))
        .map(|value| value.trim().to_string())
        .collect()
}

/// The manifest cache is kept between runs: action.yml's `actions/cache`
/// step, before the prune, keeps the folder `ghpkg` writes its manifests
/// to under the data directory the prune step gives it, keyed by owner and
/// restored by the key's prefix (the newest entry of the owner's).
#[test]
fn the_cache_step_keeps_the_manifests_the_prune_step_writes() {
    let yaml = read(Path::new(ACTION_YML));
    let cache_step = yaml.find("uses: actions/cache@").expect("a cache step");
    let prune_step = yaml.find("- name: Prune").expect("the prune step");
    assert!(
        cache_step < prune_step,
        "the cache is restored before the prune"
    );
    let [data_dir] =
        <[String; 1]>::try_from(yaml_values(&yaml, "GHPKG_DATA_DIR")).expect("one GHPKG_DATA_DIR");
    let [kept] = <[String; 1]>::try_from(yaml_values(&yaml, "path")).expect("one cache path");
    let [key] = <[String; 1]>::try_from(yaml_values(&yaml, "key")).expect("one cache key");
    assert!(key.contains("inputs.owner"), "keyed by owner: {key}");
    let restore = yaml
        .lines()
        .skip_while(|line| !line.trim().starts_with("restore-keys:"))
        .nth(1)
        .expect("restore-keys")
        .trim();
    assert!(
        key.starts_with(restore) && key.len() > restore.len(),
        "{key} is restored by its prefix {restore}"
    );

    // What ghpkg writes with that data directory is in the kept folder.
    let fixture = Fixture::new("action-cache");
    seed(&fixture);
    let runner_temp = fixture.dir.join("runner-temp");
    let runner_temp = runner_temp.to_str().unwrap();
    let in_runner_temp = |value: &str| value.replace("${{ runner.temp }}", runner_temp);
    let kept = std::path::PathBuf::from(in_runner_temp(&kept));
    let mut command = action(
        &fixture,
        &[
            ("OWNER", "org:acme"),
            ("TYPE", "container"),
            ("NAMES", "app-web"),
            ("KEEP_LATEST", "1"),
        ],
    );
    command.env("GHPKG_DATA_DIR", in_runner_temp(&data_dir));
    run_command(command).assert_code(0);
    let cached: Vec<String> = std::fs::read_dir(&kept)
        .unwrap_or_else(|error| panic!("{}: {error}", kept.display()))
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(cached, ["acme+app-web.manifests"]);
}

/// Every input becomes its flag, in one fixed order: run with a `ghpkg`
/// that only prints its arguments, one per line.
#[test]
fn every_input_maps_to_its_flag() {
    let fixture = Fixture::new("action-mapping");
    let echo = fixture.dir.join("echo-ghpkg");
    write_script(&echo, "#!/bin/sh\nprintf '%s\\n' \"$@\"\n");
    let mut command = action(
        &fixture,
        &[
            ("POLICY", "p.toml"),
            ("OWNER", "user:octocat"),
            ("TYPE", "npm"),
            ("NAMES", "a\nb c"),
            ("ALL_PACKAGES", "true"),
            ("EXCLUDE_NAMES", "x"),
            ("KEEP_LATEST", "3"),
            ("OLDER_THAN", "30d"),
            ("TAGS", "pr-*"),
            ("EXCLUDE_TAGS", "pr-1"),
            ("KEEP_TAGS", "latest"),
            ("UNTAGGED", "false"),
            ("DRY_RUN", "false"),
            ("JOURNAL", "/tmp/j.jsonl"),
            ("RATE", "60"),
            // Spaces and a Windows line end around a line are not part of it.
            ("ARGS", " --concurrency \r\n\n 2\n"),
        ],
    );
    command.env("GHPKG", &echo);
    let run = run_command(command);
    run.assert_code(0);
    let argv: Vec<&str> = run.stdout.lines().skip(1).collect();
    assert_eq!(
        argv,
        [
            "prune",
            "--policy",
            "p.toml",
            "--user",
            "octocat",
            "--type",
            "npm",
            "--name",
            "a",
            "--name",
            "b c",
            "--all-packages",
            "--exclude-name",
            "x",
            "--keep-latest",
            "3",
            "--older-than",
            "30d",
            "--tag",
            "pr-*",
            "--exclude-tag",
            "pr-1",
            "--keep-tag",
            "latest",
            "--execute",
            "--journal",
            "/tmp/j.jsonl",
            "--rate",
            "60",
            "--concurrency",
            "2",
        ]
    );
    let me = run_command({
        let mut command = action(&fixture, &[("OWNER", "@me")]);
        command.env("GHPKG", &echo);
        command
    });
    assert_eq!(
        me.stdout.lines().skip(1).collect::<Vec<_>>(),
        ["prune", "--me"]
    );
}

/// Without a release binary for the runner, the install step builds the
/// action's own source when the version asked for is the action's (the
/// default): what runs is exactly what the workflow pinned. Another version
/// comes from crates.io by name.
#[test]
fn install_builds_the_actions_own_source_for_its_own_version() {
    let fixture = Fixture::new("action-install-source");
    let action_path = fixture.dir.join("_actions/octo-org/ghpkg-fork/v0");
    std::fs::create_dir_all(action_path.join("cli")).unwrap();
    std::fs::write(
        action_path.join("Cargo.toml"),
        "[workspace]\nmembers = [\"cli\"]\n\n[workspace.package]\nversion = \"0.2.0\"\n",
    )
    .unwrap();
    std::fs::write(action_path.join("cli/Cargo.toml"), "[package]\n").unwrap();
    // A PATH with mkdir, chmod and a `cargo` that records its arguments
    // and "installs" a ghpkg that prints its version.
    let tools = tools(&fixture, &["mkdir", "chmod"]);
    let calls = fixture.dir.join("cargo-calls");
    let cargo = format!(
        "#!/bin/sh\nprintf '%s\\n' \"$@\" >> '{}'\nroot=''\nwhile [ $# -gt 0 ]; do\n  \
         [ \"$1\" = --root ] && root=\"$2\"\n  shift\ndone\n\
         printf '#!/bin/sh\\necho ghpkg-from-source\\n' > \"$root/bin/ghpkg\"\n",
        calls.display()
    );
    write_script(&tools.join("cargo"), &cargo);

    let install_version = |version: &str| {
        let _ = std::fs::remove_file(&calls);
        let run = install_on_plan9_with(&fixture, &tools, version, &action_path);
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        assert!(run.stdout.contains("ghpkg-from-source"), "{}", run.stdout);
        read(&calls).lines().map(str::to_string).collect::<Vec<_>>()
    };
    let own = install_version("0.2.0");
    let root = fixture.dir.join("runner-temp/ghpkg-install");
    let source = action_path.join("cli");
    assert_eq!(
        own,
        [
            "install",
            "--locked",
            "--root",
            root.to_str().unwrap(),
            "--path",
            source.to_str().unwrap()
        ]
    );
    let other = install_version("0.1.5");
    assert_eq!(
        other,
        [
            "install",
            "ghpkg",
            "--locked",
            "--root",
            root.to_str().unwrap(),
            "--version",
            "0.1.5"
        ]
    );
}

/// The step outputs a script wrote to `$GITHUB_OUTPUT`, read the way the
/// runner reads them: `NAME=VALUE` lines and `NAME<<DELIMITER` blocks.
fn step_outputs(path: &Path) -> BTreeMap<String, String> {
    let text = read(path);
    let mut lines = text.lines();
    let mut outputs = BTreeMap::new();
    while let Some(line) = lines.next() {
        if let Some((name, delimiter)) = line.split_once("<<") {
            let value: Vec<&str> = lines
                .by_ref()
                .take_while(|line| *line != delimiter)
                .collect();
            outputs.insert(name.to_string(), value.join("\n"));
        } else if let Some((name, value)) = line.split_once('=') {
            outputs.insert(name.to_string(), value.to_string());
        }
    }
    outputs
}

/// A value with a newline (an input is the user's text) stays one output:
/// it cannot end early and add outputs of its own.
#[test]
fn a_step_output_with_a_newline_adds_no_other_output() {
    let fixture = Fixture::new("action-output");
    let output = fixture.dir.join("output");
    let value = "runner-temp/j.jsonl\nghpkg=/tmp/evil\nghpkg<<EOF";
    let set_output = concat!(env!("CARGO_MANIFEST_DIR"), "/../action/output.sh");
    let run = Run::from(
        Command::new(find_program("bash"))
            .args([
                "-c",
                r#". "$0"; set_output journal "$1""#,
                set_output,
                value,
            ])
            .env("GITHUB_OUTPUT", &output)
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        step_outputs(&output),
        BTreeMap::from([("journal".to_string(), value.to_string())])
    );
}

/// On a runner a release binary is built for, a failed download or a
/// checksum mismatch fails the step: nothing is built instead, neither the
/// action's source nor a crate fetched by name.
#[test]
fn a_release_binary_that_fails_to_download_or_verify_fails_the_install() {
    for (case, curl) in [
        (
            "mismatch",
            // Writes the archive and a checksum that is not its own.
            "#!/bin/sh\nout=''\nwhile [ $# -gt 0 ]; do [ \"$1\" = -o ] && out=\"$2\"; shift; done\n\
             case \"$out\" in *.sha256) echo '0000  ghpkg.tar.xz' > \"$out\" ;; \
             *) echo 'not the release' > \"$out\" ;; esac\n",
        ),
        ("download", "#!/bin/sh\nexit 22\n"),
    ] {
        let fixture = Fixture::new(&format!("action-install-{case}"));
        let tools = tools(&fixture, &["mkdir", "cut", "tr", "sha256sum"]);
        write_script(&tools.join("curl"), curl);
        let calls = fixture.dir.join("cargo-calls");
        write_script(
            &tools.join("cargo"),
            &format!("#!/bin/sh\necho \"$@\" >> '{}'\n", calls.display()),
        );
        let action_path = Path::new("/home/runner/work/_actions/octo-org/ghpkg-fork/v0");
        let run = install_on("Linux", &fixture, &tools, "0.2.0", action_path);
        assert_eq!(run.code, 1, "{case}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stdout.contains(
                "could not install the ghpkg 0.2.0 release binary for \
                 x86_64-unknown-linux-gnu from octo-org/ghpkg-fork"
            ),
            "{case}: {}",
            run.stdout
        );
        if case == "mismatch" {
            assert!(
                run.stdout.contains("does not match the published 0000"),
                "{}",
                run.stdout
            );
        }
        assert!(!calls.exists(), "{case}: cargo was run: {}", read(&calls));
        assert!(step_outputs(&fixture.dir.join("output")).is_empty());
    }
}
