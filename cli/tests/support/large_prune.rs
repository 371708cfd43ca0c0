//! A large prune for `ghpkg` to run against a fake GitHub that enforces the
//! secondary rate limits: shared by `tests/pacing.rs` and
//! `benches/prune.rs`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use fake_github::{FakeGitHub, Owner, SecondaryLimits};

/// The fake, seeded with `npm` package `org:acme/lib`, and a scratch
/// directory for the journal (removed on drop).
pub struct LargePrune {
    pub github: FakeGitHub,
    dir: PathBuf,
}

impl LargePrune {
    /// `deletions` versions to delete, and the newest one, which
    /// `--keep-latest 1` keeps (GitHub refuses to delete a package's last
    /// version), behind GitHub's limits scaled to `points` per `window`.
    pub fn new(name: &str, deletions: usize, points: u32, window: Duration) -> LargePrune {
        let github = FakeGitHub::start_in_background();
        let acme = Owner::org("acme");
        github.add_package(&acme, "npm", "lib", "private");
        github.add_versions(&acme, "npm", "lib", deletions + 1);
        // This is about the secondary limits: the hourly quota, which the
        // client also spreads, out of the way.
        github.set_rate_limit(10_000_000);
        github.enforce_secondary_limits(Some(SecondaryLimits::default().points(points, window)));
        // In memory where the system has it: syncing thousands of journal
        // lines to a disk would set the pace instead of the budget.
        let shm = Path::new("/dev/shm");
        let base = if shm.is_dir() {
            shm
        } else {
            Path::new(env!("CARGO_TARGET_TMPDIR"))
        };
        let dir = base.join(format!("ghpkg-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        LargePrune { github, dir }
    }

    /// `ghpkg prune … --execute --json --request-budget BUDGET` against the
    /// fake, with a clean environment.
    pub fn command(&self, budget: &str) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_ghpkg"));
        command
            .args(
                "prune --org acme --type npm --name lib --keep-latest 1 --execute --json"
                    .split(' '),
            )
            .args(["--request-budget", budget])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.dir)
            .env("GHPKG_DATA_DIR", &self.dir)
            .env("GITHUB_TOKEN", FakeGitHub::TOKEN)
            .env("GITHUB_API_URL", self.github.base_url());
        command
    }

    /// Whether each version is deleted, newest first.
    pub fn deleted(&self) -> Vec<bool> {
        let versions = self.github.versions(&Owner::org("acme"), "npm", "lib");
        versions.iter().map(|version| version.deleted).collect()
    }
}

impl Drop for LargePrune {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
