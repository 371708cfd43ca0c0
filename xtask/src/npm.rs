//! Fetching the newest published OpenAPI description of GitHub's API, the
//! npm package `@octokit/openapi`, with `npm` and the system `tar`.
//!
//! This is the only step that needs the network, kept thin on purpose:
//! everything after it (extraction, comparison, refresh) reads text and is
//! tested without it.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The npm package GitHub's description is published as.
pub const PACKAGE: &str = "@octokit/openapi";
/// The description of api.github.com inside the package's tarball.
pub const FILE_IN_PACKAGE: &str = "package/generated/api.github.com.json";

/// A fetched description.
pub struct Fetched {
    /// The package's version, e.g. `23.0.2`.
    pub version: String,
    /// The description's text.
    pub text: String,
}

impl Fetched {
    /// How reports name it: `@octokit/openapi@23.0.2:generated/api.github.com.json`.
    pub fn name(&self) -> String {
        let file = FILE_IN_PACKAGE.trim_start_matches("package/");
        format!("{PACKAGE}@{}:{file}", self.version)
    }
}

/// The newest published version of [`PACKAGE`], and its description.
pub fn fetch_latest() -> Result<Fetched, String> {
    let version = run("npm", &["view", PACKAGE, "version"], None)?
        .trim()
        .to_string();
    if version.is_empty()
        || !version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-+".contains(c))
    {
        return Err(format!(
            "error: `npm view {PACKAGE} version` answered {version:?}, not a version"
        ));
    }
    let scratch = Scratch::new()?;
    let spec = format!("{PACKAGE}@{version}");
    let packed = run("npm", &["pack", &spec, "--silent"], Some(&scratch.0))?;
    let tarball = packed
        .lines()
        .last()
        .map(str::trim)
        .filter(|name| name.ends_with(".tgz"))
        .ok_or_else(|| format!("error: `npm pack {spec}` named no tarball: {packed:?}"))?
        .to_string();
    run(
        "tar",
        &["-xzf", &tarball, FILE_IN_PACKAGE],
        Some(&scratch.0),
    )?;
    let path = scratch.0.join(FILE_IN_PACKAGE);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("error: cannot read {FILE_IN_PACKAGE} of {spec}: {e}"))?;
    Ok(Fetched { version, text })
}

/// Runs `program` with `args` (in `dir`), returning its standard output, or
/// an error naming the command and quoting its standard error.
fn run(program: &str, args: &[&str], dir: Option<&Path>) -> Result<String, String> {
    let command_line = format!("{program} {}", args.join(" "));
    let mut command = Command::new(program);
    command.args(args);
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    let output = command
        .output()
        .map_err(|e| format!("error: cannot run `{command_line}`: {e}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(format!(
            "error: `{command_line}` failed ({}):\n{}",
            output.status,
            stderr.trim()
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// A temporary directory, removed when dropped (the tarball is ~30 MB).
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Result<Self, String> {
        let dir = std::env::temp_dir().join(format!("xtask-npm-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("error: cannot create {}: {e}", dir.display()))?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
