//! Reading the workspace's files from the tests; the spec's and the
//! generated module's paths come from `github_packages_codegen::project`.

use std::path::PathBuf;

pub use github_packages_codegen::project::GENERATED;

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ lives inside the workspace")
        .to_path_buf()
}

/// Reads a file below the workspace root.
pub fn read(relative: &str) -> String {
    std::fs::read_to_string(workspace_root().join(relative))
        .unwrap_or_else(|e| panic!("cannot read {relative}: {e}"))
}
