//! A large prune for `ghpkg` to run against a fake GitHub that enforces the
//! secondary rate limits: shared by `tests/pacing.rs` and
//! `benches/prune.rs`.

use std::process::Command;
use std::time::Duration;

use fake_github::{Owner, SecondaryLimits};

use super::Fixture;

/// A fixture (in memory: the run journals thousands of lines) whose fake
/// holds `npm` package `org:acme/lib` with `deletions` versions to delete
/// and the newest one, which `--keep-latest 1` keeps (GitHub refuses to
/// delete a package's last version), behind GitHub's limits scaled to
/// `points` per `window`.
pub fn fixture(name: &str, deletions: usize, points: u32, window: Duration) -> Fixture {
    let fixture = Fixture::in_memory(name);
    let github = &fixture.github;
    let acme = Owner::org("acme");
    github.add_package(&acme, "npm", "lib", "private");
    github.add_versions(&acme, "npm", "lib", deletions + 1);
    // This is about the secondary limits: the hourly quota, which the
    // client also spreads, out of the way.
    github.set_rate_limit(10_000_000);
    github.enforce_secondary_limits(Some(SecondaryLimits::default().points(points, window)));
    fixture
}

/// `ghpkg prune … --execute --json --request-budget BUDGET` against the
/// fake.
pub fn command(fixture: &Fixture, budget: &str) -> Command {
    let prune = "prune --org acme --type npm --name lib --keep-latest 1 --execute --json";
    fixture.command(prune, &["--request-budget", budget])
}

/// Whether each version is deleted, newest first.
pub fn deleted(fixture: &Fixture) -> Vec<bool> {
    let versions = fixture.github.versions(&Owner::org("acme"), "npm", "lib");
    versions.iter().map(|version| version.deleted).collect()
}
