//! End-to-end: a large prune, through the real `ghpkg` binary, against a
//! fake GitHub that enforces the secondary rate limits on a scaled window.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use fake_github::{FakeGitHub, Owner, SecondaryLimits};

/// GitHub's 900 points a minute, scaled to 2,000 points a second so that
/// 2,000 deletions (10,000 points) take about five seconds.
const POINTS: u32 = 2_000;
const WINDOW: Duration = Duration::from_secs(1);

/// A scratch directory for the journal: in memory where the system has
/// one, so that syncing 2,000 journal lines does not set the pace instead
/// of the budget.
fn scratch_dir(name: &str) -> PathBuf {
    let shm = PathBuf::from("/dev/shm");
    let base = if shm.is_dir() {
        shm
    } else {
        PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
    };
    let dir = base.join(format!("ghpkg-pacing-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_prune_of_2000_versions_meets_no_secondary_limit() {
    let github = FakeGitHub::start_in_background();
    let acme = Owner::org("acme");
    github.add_package(&acme, "npm", "lib", "private");
    // The newest is kept: GitHub refuses to delete a package's last version.
    github.add_versions(&acme, "npm", "lib", 2_001);
    // This is about the secondary limits: keep the hourly quota, which the
    // client also spreads, out of the way.
    github.set_rate_limit(10_000_000);
    github.enforce_secondary_limits(Some(SecondaryLimits::default().points(POINTS, WINDOW)));
    let dir = scratch_dir("2000");
    let output = Command::new(env!("CARGO_BIN_EXE_ghpkg"))
        .args("prune --org acme --type npm --name lib --keep-latest 1 --execute --json".split(' '))
        .args([
            "--request-budget",
            &format!("{POINTS}/{}s", WINDOW.as_secs()),
        ])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &dir)
        .env("GHPKG_DATA_DIR", &dir)
        .env("GITHUB_TOKEN", FakeGitHub::TOKEN)
        .env("GITHUB_API_URL", github.base_url())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(github.secondary_limit_refusals(), 0, "{stderr}");
    let versions = github.versions(&acme, "npm", "lib");
    let deleted = versions.iter().filter(|version| version.deleted).count();
    assert_eq!(deleted, 2_000);
    assert!(!versions[0].deleted, "the newest is kept");
    let _ = std::fs::remove_dir_all(&dir);
}
