//! The project's own generation: where the spec and the generated module
//! live, the settings they are generated with, and the freshness check that
//! `cargo xtask regen [--check]` and the drift test both run.
//!
//! Keeping these here, once, is what rust-analyzer's `ensure_file_contents`
//! does for its generated files: the tool that writes the file and the test
//! that catches drift cannot disagree about which file, which spec or which
//! settings.
//!
//! ```no_run
//! use github_packages_codegen::project::{self, Freshness};
//!
//! let root = std::path::Path::new(".");
//! match project::check(root).unwrap() {
//!     Freshness::UpToDate => {}
//!     Freshness::Stale(stale) => panic!("{}", stale.message()),
//! }
//! ```

use std::fs;
use std::io::Write;
use std::path::Path;

use crate::{Config, generate};

/// The spec, relative to the workspace root.
pub const SPEC: &str = "spec/packages.yaml";
/// The generated module, relative to the workspace root.
pub const GENERATED: &str = "generated/src/generated.rs";
/// The packages part of GitHub's OpenAPI description the spec is pinned to
/// (its `info.version` is the description's version), relative to the
/// workspace root: written by `cargo xtask upstream --refresh`, compared
/// with the spec by `tests/src/upstream.rs`.
pub const UPSTREAM_PIN: &str = "tests/fixtures/upstream/api.github.com.packages.json";
/// The command that regenerates [`GENERATED`], named in its header and in
/// every message about a stale file.
pub const REGEN_COMMAND: &str = "cargo xtask regen";

/// The settings of the `github-packages` crate: `PackageType` and
/// `PackageVisibility` become the crate's forward-compatible enums (an
/// unknown value decodes into `Unknown(String)`), and the `Client` carries
/// the hand-written client layer (`hooks::Runtime`: retries, rate limits)
/// as its inner value.
pub fn config() -> Config {
    Config {
        replacements: vec![
            (
                "PackageType".to_string(),
                "crate::open_enums::PackageType".to_string(),
            ),
            (
                "PackageVisibility".to_string(),
                "crate::open_enums::PackageVisibility".to_string(),
            ),
        ],
        inner_type: Some("crate::hooks::Runtime".to_string()),
        ..Config::new(SPEC)
    }
}

/// Whether the checked-in [`GENERATED`] is what the spec generates.
#[derive(Debug)]
pub enum Freshness {
    /// The file holds exactly the generated code.
    UpToDate,
    /// The file differs from the generated code (or is missing).
    Stale(Stale),
}

/// A generated file that differs from what the spec generates.
#[derive(Debug)]
pub struct Stale {
    /// The file as checked in; `None` when it cannot be read.
    pub current: Option<String>,
    /// What the spec generates.
    pub fresh: String,
}

impl Stale {
    /// One line naming the stale file, its spec and the command that fixes it.
    pub fn message(&self) -> String {
        format!("error: {GENERATED} is out of date with {SPEC}; run `{REGEN_COMMAND}` to update it")
    }
}

/// Generates the client from `root`'s spec and compares it with the
/// checked-in file; writes nothing. The error names the spec (for a spec
/// that cannot be read or generated) and says the generated file was kept.
pub fn check(root: &Path) -> Result<Freshness, String> {
    let spec = fs::read_to_string(root.join(SPEC))
        .map_err(|e| format!("error: cannot read {SPEC}: {e}"))?;
    let fresh = generate(&config(), &spec)
        .map_err(|e| format!("{e}\nerror: {GENERATED} was left as it was"))?;
    let current = fs::read_to_string(root.join(GENERATED)).ok();
    Ok(if current.as_deref() == Some(fresh.as_str()) {
        Freshness::UpToDate
    } else {
        Freshness::Stale(Stale { current, fresh })
    })
}

/// Writes the fresh code over `root`'s [`GENERATED`], atomically: a sibling
/// temporary file renamed over the target, so a failed or interrupted run
/// never leaves a half-written file behind.
pub fn write(root: &Path, stale: &Stale) -> Result<(), String> {
    let target = root.join(GENERATED);
    let temporary = target.with_extension("rs.tmp");
    let result = (|| {
        let mut file = fs::File::create(&temporary)?;
        file.write_all(stale.fresh.as_bytes())?;
        file.sync_all()?;
        fs::rename(&temporary, &target)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    result.map_err(|e| format!("error: cannot write {GENERATED}: {e}"))
}
