//! Benchmark (prints figures, asserts nothing): `ghpkg prune --execute` of
//! 2,000 versions against `fake-github` enforcing GitHub's secondary limits
//! on a scaled window, with the request budget (the default) and without it
//! (`--request-budget off`: the previous behaviour, 4 deletions at a time
//! and no pacing).
//!
//! `cargo bench -p ghpkg --bench prune`. For each run it prints the deletion
//! rate achieved, from the first DELETE reaching the server to the end of
//! the run, as a fraction of the budget's (points per window / 5 points per
//! deletion), the secondary-limit refusals the fake sent, and the versions
//! deleted. Runs alternate between the two modes so that drift on a shared
//! machine hits both alike.

use std::process::Stdio;
use std::time::{Duration, Instant};

#[path = "../tests/support/mod.rs"]
mod support;

use support::large_prune;

const VERSIONS: usize = 2_000;
/// The scaled budget: GitHub's 900 points a minute as 1,000 points a
/// second (200 deletions), so that a run takes seconds, and well below what
/// `ghpkg` manages against the fake without pacing.
const POINTS: u32 = 1_000;
const WINDOW: Duration = Duration::from_secs(1);
const ROUNDS: usize = 2;

struct Figures {
    elapsed: Duration,
    deleted: usize,
    refusals: u64,
    code: i32,
}

fn run(budget: &str, round: usize) -> Figures {
    let fixture = large_prune::fixture(&format!("bench-{round}"), VERSIONS, POINTS, WINDOW);
    let mut command = large_prune::command(&fixture, budget);
    command.stdout(Stdio::null()).stderr(Stdio::null());
    let mut child = command.spawn().expect("ghpkg starts");
    // Listing first: poll (cheaply, few requests are recorded yet) for the
    // first DELETE, then wait for the end.
    let first_delete = loop {
        if fixture.requests("DELETE") > 0 || child.try_wait().unwrap().is_some() {
            break Instant::now();
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    let status = child.wait().unwrap();
    let elapsed = first_delete.elapsed();
    let deleted = large_prune::deleted(&fixture);
    Figures {
        elapsed,
        deleted: deleted.into_iter().filter(|deleted| *deleted).count(),
        refusals: fixture.github.secondary_limit_refusals(),
        code: status.code().unwrap_or(-1),
    }
}

fn main() {
    let budget_rate = f64::from(POINTS) / WINDOW.as_secs_f64() / 5.0;
    println!(
        "Prune of {VERSIONS} versions against fake-github enforcing {POINTS} points per {} ms \
         (DELETE 5, GET 1): the budget allows {budget_rate:.0} deletions/s",
        WINDOW.as_millis()
    );
    let budget = format!("{POINTS}/{}ms", WINDOW.as_millis());
    for round in 0..ROUNDS {
        for (label, flag) in [
            ("with the request budget", budget.as_str()),
            ("previous: no pacing    ", "off"),
        ] {
            let figures = run(flag, round);
            let seconds = figures.elapsed.as_secs_f64();
            let rate = figures.deleted as f64 / seconds;
            // A sliding window lets one window's worth go at once, then the
            // budget's rate: the most any client could delete in that time.
            let most = budget_rate * (seconds + WINDOW.as_secs_f64());
            println!(
                "  {label} {seconds:>6.2} s, {rate:>4.0} deletions/s = {:.2} of the budget's rate \
                 ({:.2} of the most the window allows in that time), {} refusals, {} deleted, exit {}",
                rate / budget_rate,
                figures.deleted as f64 / most,
                figures.refusals,
                figures.deleted,
                figures.code
            );
        }
    }
}
