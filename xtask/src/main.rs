//! Project tasks: `cargo xtask regen [--check [--diff]]` and
//! `cargo xtask upstream FILE | --latest | --refresh [FILE]`.
//!
//! `regen` rewrites the generated client from `spec/packages.yaml`; with
//! `--check` it writes nothing and fails when the checked-in file is stale.
//! `upstream` compares the spec with GitHub's OpenAPI description (in FILE,
//! or the newest published), or moves the pinned copy to the newest.

mod npm;
mod upstream;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use github_packages_codegen::project::{self, Freshness, GENERATED};

const USAGE: &str = "usage: cargo xtask regen [--check [--diff | -v]]
       cargo xtask upstream FILE | --latest | --refresh [FILE]

  regen              rewrite generated/src/generated.rs from spec/packages.yaml
  regen --check      write nothing; fail if the checked-in file is out of date
  --diff, -v         with --check, print a unified diff of what would change
  upstream FILE      compare spec/packages.yaml with the operations tagged
                     `packages` in GitHub's OpenAPI description FILE
                     (api.github.com.json); exit 0 when nothing undeclared
                     differs, 1 when something does, 2 when a file cannot be read
  upstream --latest  the same against the newest published description
                     (npm package @octokit/openapi, fetched with npm and tar)
  upstream --refresh [FILE]
                     replace the pinned description (tests/fixtures/upstream/)
                     with the packages part of the newest one (or of FILE);
                     refused (exit 1) while an undeclared difference remains";

/// How a task ended; the process exit status.
enum Outcome {
    Done,
    /// The task ran and found something to fix (stale file, differences).
    Failed(String),
    /// The task could not run: bad arguments or unreadable input.
    BadInput(String),
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // The generator reports bad specs as errors; a panic here would be a bug
    // in xtask or the generator. Report it in one line, without a backtrace.
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let at = info
            .location()
            .map(|l| format!(" at {l}"))
            .unwrap_or_default();
        eprintln!(
            "error: internal error{at}: {}",
            message.lines().next().unwrap_or_default()
        );
    }));
    let outcome = match args.first().map(String::as_str) {
        Some("upstream") => {
            std::panic::catch_unwind(|| upstream::run(&workspace_root(), &args[1..]))
        }
        _ => std::panic::catch_unwind(|| match run(&args) {
            Ok(()) => Outcome::Done,
            Err(message) => Outcome::Failed(message),
        }),
    };
    match outcome {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::Failed(message)) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
        Ok(Outcome::BadInput(message)) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
        Err(_) => ExitCode::FAILURE,
    }
}

fn run(args: &[String]) -> Result<(), String> {
    let (command, flags) = args.split_first().ok_or(USAGE)?;
    if command != "regen" {
        return Err(format!("unknown task `{command}`\n{USAGE}"));
    }
    let mut check = false;
    let mut diff = false;
    for flag in flags {
        match flag.as_str() {
            "--check" => check = true,
            "--diff" | "-v" => diff = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown option `{other}`\n{USAGE}")),
        }
    }
    if diff && !check {
        return Err(format!("`--diff` goes with `--check`\n{USAGE}"));
    }
    regen(&workspace_root(), check, diff)
}

fn workspace_root() -> PathBuf {
    // xtask/ sits one level below the workspace root.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives inside the workspace")
        .to_path_buf()
}

fn regen(root: &Path, check: bool, diff: bool) -> Result<(), String> {
    let stale = match project::check(root)? {
        Freshness::UpToDate => {
            if !check {
                println!("{GENERATED} is up to date");
            }
            return Ok(());
        }
        Freshness::Stale(stale) => stale,
    };
    if check {
        let mut message = stale.message();
        if diff {
            let old = stale.current.as_deref().unwrap_or_default();
            let unified = similar::TextDiff::from_lines(old, &stale.fresh)
                .unified_diff()
                .context_radius(3)
                .header(&format!("a/{GENERATED}"), &format!("b/{GENERATED}"))
                .to_string();
            message = format!("{unified}\n{message}");
        } else {
            message.push_str(" (add `--diff` to see the changes)");
        }
        return Err(message);
    }
    project::write(root, &stale)?;
    println!("wrote {GENERATED}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::fs;

    use github_packages_codegen::project::SPEC;

    use super::*;

    /// The smallest spec `Config::github_packages` accepts: it must define
    /// the two schemas the crate replaces with forward-compatible enums.
    const GOOD_SPEC: &str = "openapi: 3.0.3
info: { title: t, version: '1' }
paths:
  /ping:
    get:
      operationId: ping
      responses:
        '204': { description: pong }
components:
  schemas:
    PackageType: { type: string, enum: [npm] }
    PackageVisibility: { type: string, enum: [public] }
";

    /// A scratch workspace with a spec and a generated file.
    fn scratch(name: &str, spec: &str, generated: &str) -> PathBuf {
        let root = std::env::temp_dir().join(format!("xtask-test-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(root.join("spec")).unwrap();
        fs::create_dir_all(root.join("generated/src")).unwrap();
        fs::write(root.join(SPEC), spec).unwrap();
        fs::write(root.join(GENERATED), generated).unwrap();
        root
    }

    #[test]
    fn a_failed_regen_leaves_the_previous_file_untouched() {
        let root = scratch("failed", "openapi: 3.0.3\npaths: [", "previous contents\n");
        let error = regen(&root, false, false).expect_err("a broken spec fails");
        assert!(error.contains("spec/packages.yaml: line"), "{error}");
        assert!(error.contains("was left as it was"), "{error}");
        assert_eq!(
            fs::read_to_string(root.join(GENERATED)).unwrap(),
            "previous contents\n"
        );
        assert!(!root.join("generated/src/generated.rs.tmp").exists());
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn check_names_the_stale_file_and_the_fix_and_writes_nothing() {
        let root = scratch("stale", GOOD_SPEC, "stale\n");
        let error = regen(&root, true, false).expect_err("stale file fails the check");
        assert!(error.contains(GENERATED), "{error}");
        assert!(error.contains("run `cargo xtask regen`"), "{error}");
        let with_diff = regen(&root, true, true).expect_err("still stale");
        assert!(with_diff.contains("-stale"), "{with_diff}");
        assert!(with_diff.contains("+// @generated"), "{with_diff}");
        assert_eq!(fs::read_to_string(root.join(GENERATED)).unwrap(), "stale\n");

        regen(&root, false, false).expect("regen writes the file");
        regen(&root, true, false).expect("and then the check passes");
        fs::remove_dir_all(root).unwrap();
    }
}
