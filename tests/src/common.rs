//! Paths shared by the test modules.

use std::path::PathBuf;

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ lives inside the workspace")
        .to_path_buf()
}

/// The spec, as `cargo xtask regen` names it.
pub const SPEC: &str = "spec/packages.yaml";
/// The checked-in generated module.
pub const GENERATED: &str = "generated/src/generated.rs";

/// Reads a file below the workspace root.
pub fn read(relative: &str) -> String {
    std::fs::read_to_string(workspace_root().join(relative))
        .unwrap_or_else(|e| panic!("cannot read {relative}: {e}"))
}
