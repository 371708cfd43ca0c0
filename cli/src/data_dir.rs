//! `ghpkg`'s data directory: where journals go by default, and the
//! registry's manifest cache.

use std::path::PathBuf;

/// The environment variable that overrides `ghpkg`'s data directory.
pub const DATA_DIR_VAR: &str = "GHPKG_DATA_DIR";

/// `ghpkg`'s data directory (journals, the manifest cache):
/// `$GHPKG_DATA_DIR`, else `ghpkg` in the platform's data directory.
pub fn data_dir(env: impl Fn(&str) -> Option<String>) -> Result<PathBuf, &'static str> {
    match env(DATA_DIR_VAR).filter(|dir| !dir.trim().is_empty()) {
        Some(dir) => Ok(PathBuf::from(dir)),
        None => dirs::data_dir()
            .map(|dir| dir.join("ghpkg"))
            .ok_or("no data directory"),
    }
}
