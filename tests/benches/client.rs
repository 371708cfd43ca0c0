//! The client against the fake GitHub on loopback: listing 10,000 versions
//! (sequential `Link` following vs the concurrent stream, at 0 ms and at
//! 20 ms of added latency) and 1,000 single-version GETs (this client vs a
//! plain reqwest + serde_json loop). Run with
//! `cargo bench -p github-packages-tests`; prints figures, asserts nothing
//! but correctness. docs/benchmarks.md holds the figures; this comment says
//! how they are measured and how to read them.
//!
//! # How to read the figures
//!
//! It prints, per latency, the median time of a full listing each way and
//! their ratio, then per-request times of the three GET loops and each
//! one's ratio to the plain loop:
//!
//! ```text
//! Full listing of 10000 versions (100 pages of 100), median of runs:
//!   latency  0 ms: sequential Link-following   … ms
//!     concurrent stream ( 4 in flight)   … ms, ratio …x
//!     … (8, 16 and 32 in flight)
//!   latency 20 ms: the same
//!
//! 1000 single-version GETs, one at a time, interleaved in batches of 20; median of 21 rounds:
//!   client.version() (hand-written layer)    … µs/request, ratio to plain …
//!   generated builder .send()                … µs/request, ratio to plain …
//!   plain reqwest + serde_json loop          … µs/request
//! ```
//!
//! Absolute figures drift by 10–20% between runs on a shared VM; the
//! interleaved ratios hold, which is why docs/benchmarks.md gives ratios as
//! ranges over several runs. The fake runs on a thread and runtime of its
//! own, as a separate server would.
//!
//! Each GET ratio is the median of the per-round ratios (each round times all
//! three loops over the same 1,000 versions, interleaved in batches), so it
//! is not the quotient of the medians printed beside it. The single GETs run
//! on a current-thread runtime, which keeps the hand-off of each response
//! between worker threads out of the figures; on the multi-threaded runtime
//! the ratios came out much the same.
//!
//! # Where the per-request cost goes
//!
//! In instructions (`valgrind --tool=callgrind`, client and fake server
//! together; CONTRIBUTING.md says how to measure; docs/benchmarks.md has the
//! counts) a GET through the builder costs a few percent more than the plain
//! loop; the wall-clock ratio is smaller because time in the kernel and in
//! waking threads is the same for both. A third of the difference is
//! progenitor's request path (encoding path segments, a per-request header
//! map, a copy of the response headers for `ResponseValue`), the rest is this
//! crate's retry layer (a copy of each request kept for a retry, reading a
//! successful read's body inside the retry loop so that a body cut off
//! mid-way is retried within the same budget, rate-limit bookkeeping) and
//! the hook that sets GitHub's headers. Most of it is memory allocation.
//! `client.version()` adds a little more: the owner dispatch, the path
//! checks, and keeping the status of an error response in case its body is
//! not GitHub's JSON.

use std::time::{Duration, Instant};

use fake_github::{FakeGitHub, Owner as Seed};
use futures_util::TryStreamExt;
use github_packages::hooks::{API_VERSION, DEFAULT_USER_AGENT};
use github_packages::types::{PackageType, PackageVersion};
use github_packages::{Client, Owner, RequestBudget};

const VERSIONS: usize = 10_000;
const GETS: usize = 1_000;
const BATCH: usize = 20;
const ROUNDS: usize = 21;
const PACKAGE: &str = "big";

fn main() {
    // The fake GitHub runs on a thread and runtime of its own, as a server
    // in another process would: the client's work is not interleaved with
    // the server's on the same worker threads.
    let github = FakeGitHub::start_in_background();
    let acme = Seed::org("acme");
    github.add_package(&acme, "container", PACKAGE, "private");
    let ids = github.add_versions(&acme, "container", PACKAGE, VERSIONS);
    println!(
        "github-packages client benchmark: fake GitHub on 127.0.0.1, {} CPU cores",
        std::thread::available_parallelism().map_or(0, |cores| cores.get())
    );
    println!();
    // Listing: the multi-threaded runtime most applications use.
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
        .block_on(listing(&github));
    println!();
    // One request at a time: a current-thread runtime, so that each
    // response is handled on the thread that waits for it instead of being
    // handed across worker threads, which only adds noise.
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
        .block_on(single_gets(&github, &ids));
}

/// The client of the fake, built on the runtime that uses it. Without the
/// request budget: this measures what a request costs, not GitHub's pace
/// (63,000 GETs would take 70 minutes at 900 points a minute). Its retries
/// never come into play: the fake answers every request.
fn client(github: &FakeGitHub) -> Client {
    fake_github::client_builder_for(github)
        .request_budget(RequestBudget::off())
        .build()
        .expect("client")
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort_unstable();
    samples[samples.len() / 2]
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

/// Pages in flight compared: 1 is sequential `Link` following; the client's
/// default (16) was chosen from these figures (docs/benchmarks.md).
const IN_FLIGHT: [usize; 5] = [1, 4, 8, 16, 32];

async fn listing(github: &FakeGitHub) {
    let client = client(github);
    let owner = Owner::org("acme");
    println!("Full listing of {VERSIONS} versions (100 pages of 100), median of runs:");
    for (latency, runs) in [(Duration::ZERO, 7), (Duration::from_millis(20), 3)] {
        github.set_latency(latency);
        let mut timings = vec![Vec::new(); IN_FLIGHT.len()];
        for _ in 0..runs {
            for (slot, concurrency) in IN_FLIGHT.iter().enumerate() {
                let started = Instant::now();
                let count = client
                    .versions(&owner, PackageType::Container, PACKAGE)
                    .concurrency(*concurrency)
                    .try_fold(0usize, |count, _| async move { Ok(count + 1) })
                    .await
                    .expect("listing");
                timings[slot].push(started.elapsed());
                assert_eq!(count, VERSIONS);
            }
        }
        let medians: Vec<Duration> = timings.into_iter().map(median).collect();
        let sequential = medians[0];
        println!(
            "  latency {:>2} ms: sequential Link-following {:>8.1} ms",
            latency.as_millis(),
            ms(sequential),
        );
        for (concurrency, concurrent) in IN_FLIGHT.iter().zip(&medians).skip(1) {
            println!(
                "    concurrent stream ({concurrency:>2} in flight) {:>8.1} ms, ratio {:.2}x",
                ms(*concurrent),
                sequential.as_secs_f64() / concurrent.as_secs_f64()
            );
        }
    }
    github.set_latency(Duration::ZERO);
}

async fn single_gets(github: &FakeGitHub, ids: &[i64]) {
    let client = client(github);
    let owner = Owner::org("acme");
    println!(
        "{GETS} single-version GETs, one at a time, interleaved in batches of {BATCH}; median of {ROUNDS} rounds:"
    );
    // The same transport settings as the client's defaults (a 30 s request
    // timeout, 10 s to connect), so that only the layers above differ.
    // github-packages' default `rustls` feature gives every reqwest client in
    // the build `rustls-no-provider`: install the provider ourselves rather
    // than count on `Client::builder().build()` above having done it.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let plain = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .connect_timeout(Duration::from_secs(10))
        .build()
        .expect("plain reqwest client");
    let authorization = format!("Bearer {}", FakeGitHub::TOKEN);
    let targets: Vec<i64> = ids.iter().copied().take(GETS).collect();
    // Each round times the three loops over the same 1,000 versions,
    // alternating batches so that load from elsewhere on the machine hits
    // all three alike.
    let mut rounds = [Vec::new(), Vec::new(), Vec::new()];
    let mut ratios = [Vec::new(), Vec::new()];
    for round in 0..=ROUNDS {
        let mut totals = [Duration::ZERO; 3];
        for (index, batch) in targets.chunks(BATCH).enumerate() {
            // Rotate which loop goes first: the first after a switch pays for
            // waking its idle connection.
            for turn in 0..3 {
                let contender = (index + turn) % 3;
                let started = Instant::now();
                match contender {
                    0 => {
                        for &id in batch {
                            let version = client
                                .version(&owner, PackageType::Container, PACKAGE, id)
                                .await
                                .expect("version");
                            assert_eq!(version.id, id);
                        }
                    }
                    1 => {
                        for &id in batch {
                            let version = client
                                .get_package_version_for_organization()
                                .org("acme")
                                .package_type(PackageType::Container)
                                .package_name(PACKAGE)
                                .package_version_id(id)
                                .send()
                                .await
                                .expect("version")
                                .into_inner();
                            assert_eq!(version.id, id);
                        }
                    }
                    _ => {
                        for &id in batch {
                            let url = format!(
                                "{}/orgs/acme/packages/container/{PACKAGE}/versions/{id}",
                                github.base_url()
                            );
                            let response = plain
                                .get(url)
                                .header("authorization", &authorization)
                                .header("user-agent", DEFAULT_USER_AGENT)
                                .header("accept", "application/vnd.github+json")
                                .header("x-github-api-version", API_VERSION)
                                .send()
                                .await
                                .expect("send");
                            assert!(response.status().is_success());
                            let body = response.bytes().await.expect("body");
                            let version: PackageVersion =
                                serde_json::from_slice(&body).expect("decode");
                            assert_eq!(version.id, id);
                        }
                    }
                }
                totals[contender] += started.elapsed();
            }
        }
        // Round 0 warms up connections and caches.
        if round > 0 {
            for (slot, total) in totals.iter().enumerate() {
                rounds[slot].push(*total / GETS as u32);
            }
            for slot in 0..2 {
                ratios[slot].push(totals[slot].as_secs_f64() / totals[2].as_secs_f64());
            }
        }
    }
    let [hand_written, generated, plain_loop] = rounds.map(median);
    let [hand_written_ratio, generated_ratio] = ratios.map(|mut ratios| {
        ratios.sort_by(f64::total_cmp);
        ratios[ratios.len() / 2]
    });
    let micros = |duration: Duration| duration.as_secs_f64() * 1e6;
    println!(
        "  client.version() (hand-written layer)  {:>7.1} µs/request, ratio to plain {hand_written_ratio:.3}",
        micros(hand_written),
    );
    println!(
        "  generated builder .send()              {:>7.1} µs/request, ratio to plain {generated_ratio:.3}",
        micros(generated),
    );
    println!(
        "  plain reqwest + serde_json loop        {:>7.1} µs/request",
        micros(plain_loop)
    );
}
