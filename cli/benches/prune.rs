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

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fake_github::{FakeGitHub, Owner, SecondaryLimits};

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
    let github = FakeGitHub::start_in_background();
    let acme = Owner::org("acme");
    github.add_package(&acme, "npm", "lib", "private");
    // One more than is deleted: the newest is kept (GitHub refuses to
    // delete a package's last version).
    github.add_versions(&acme, "npm", "lib", VERSIONS + 1);
    // The hourly quota out of the way: this measures the secondary limits.
    github.set_rate_limit(10_000_000);
    github.enforce_secondary_limits(Some(SecondaryLimits::default().points(POINTS, WINDOW)));
    // The journal in memory where the system has it: syncing 2,000 journal
    // lines to a disk would set the pace instead of the budget.
    let shm = Path::new("/dev/shm");
    let base = if shm.is_dir() {
        shm
    } else {
        Path::new(env!("CARGO_TARGET_TMPDIR"))
    };
    let dir = base.join(format!("ghpkg-bench-prune-{}-{round}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_ghpkg"));
    command
        .args("prune --org acme --type npm --name lib --keep-latest 1 --execute --json".split(' '))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("GHPKG_DATA_DIR", &dir)
        .env("GITHUB_TOKEN", FakeGitHub::TOKEN)
        .env("GITHUB_API_URL", github.base_url())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command.args(["--request-budget", budget]);
    let mut child = command.spawn().expect("ghpkg starts");
    // Listing first: poll (cheaply, few requests are recorded yet) for the
    // first DELETE, then wait for the end.
    let first_delete = loop {
        if github
            .requests()
            .iter()
            .any(|request| request.method == "DELETE")
        {
            break Instant::now();
        }
        if child.try_wait().unwrap().is_some() {
            break Instant::now();
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    let status = child.wait().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let elapsed = first_delete.elapsed();
    let deleted = github
        .versions(&acme, "npm", "lib")
        .iter()
        .filter(|version| version.deleted)
        .count();
    Figures {
        elapsed,
        deleted,
        refusals: github.secondary_limit_refusals(),
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
            ("request budget (default)", budget.as_str()),
            ("previous: no pacing     ", "off"),
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
