//! Project tasks: `cargo xtask regen [--check [--diff]]`.
//!
//! `regen` rewrites the generated client from `spec/packages.yaml`; with
//! `--check` it writes nothing and fails when the checked-in file is stale.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use github_packages_codegen::{Config, generate};

/// The spec, relative to the workspace root.
const SPEC: &str = "spec/packages.yaml";
/// The generated module, relative to the workspace root.
const GENERATED: &str = "generated/src/generated.rs";

const USAGE: &str = "usage: cargo xtask regen [--check [--diff | -v]]

  regen            rewrite generated/src/generated.rs from spec/packages.yaml
  regen --check    write nothing; fail if the checked-in file is out of date
  --diff, -v       with --check, print a unified diff of what would change";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
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
    let spec_path = root.join(SPEC);
    let spec =
        fs::read_to_string(&spec_path).map_err(|e| format!("error: cannot read {SPEC}: {e}"))?;
    let code = generate(&Config::github_packages(SPEC), &spec)
        .map_err(|e| format!("{e}\nerror: {GENERATED} was left as it was"))?;
    let target = root.join(GENERATED);
    let current = fs::read_to_string(&target).ok();
    if current.as_deref() == Some(code.as_str()) {
        if !check {
            println!("{GENERATED} is up to date");
        }
        return Ok(());
    }
    if check {
        let mut message = format!(
            "error: {GENERATED} is out of date with {SPEC}; run `cargo xtask regen` to update it"
        );
        if diff {
            let old = current.unwrap_or_default();
            let unified = similar::TextDiff::from_lines(&old, &code)
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
    write_atomically(&target, &code)
        .map_err(|e| format!("error: cannot write {GENERATED}: {e}"))?;
    println!("wrote {GENERATED}");
    Ok(())
}

/// Writes a sibling temporary file and renames it over `target`, so a failed
/// or interrupted run never leaves a half-written file behind.
fn write_atomically(target: &Path, contents: &str) -> std::io::Result<()> {
    let temporary = target.with_extension("rs.tmp");
    let result = (|| {
        let mut file = fs::File::create(&temporary)?;
        file.write_all(contents.as_bytes())?;
        file.sync_all()?;
        fs::rename(&temporary, target)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    result
}
