//! End-to-end: a large prune, through the real `ghpkg` binary, against a
//! fake GitHub that enforces the secondary rate limits on a scaled window.

mod support;

use std::time::Duration;

use support::large_prune;

/// GitHub's 900 points a minute, scaled to 2,000 points a second so that
/// 2,000 deletions (10,000 points) take about five seconds. Without the
/// budget (`--request-budget off`), `ghpkg` meets refusals here.
const POINTS: u32 = 2_000;
const WINDOW: Duration = Duration::from_secs(1);

/// The client's budget: three quarters of the fake's. GitHub's window is a
/// minute, so the budget's 5% margin there is 3 seconds, far more than a
/// request's delay on the way; scaled to one second, the same margin would
/// be 50 ms, which a busy test machine's scheduling can eat. A quarter of
/// the window keeps the test about pacing, not about the machine's load.
const BUDGET: u32 = POINTS * 3 / 4;

#[test]
fn a_prune_of_2000_versions_meets_no_secondary_limit() {
    let fixture = large_prune::fixture("pacing-2000", 2_000, POINTS, WINDOW);
    let output = large_prune::command(&fixture, &format!("{BUDGET}/{}s", WINDOW.as_secs()))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(fixture.github.secondary_limit_refusals(), 0, "{stderr}");
    let deleted = large_prune::deleted(&fixture);
    assert_eq!(deleted.iter().filter(|deleted| **deleted).count(), 2_000);
    assert!(!deleted[0], "the newest is kept");
}
