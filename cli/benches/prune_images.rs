//! How long `ghpkg prune` takes to plan a container package whose versions
//! are multi-platform images: listing the versions, reading every manifest
//! from the registry (or the manifest cache), linking them into images and
//! deciding.
//!
//! `cargo bench -p ghpkg --bench prune_images` starts `fake-github` on
//! 127.0.0.1 with 20 ms added to every answer (API and registry alike),
//! publishes 25,000 images (`GHPKG_BENCH_IMAGES` for another count) of 4
//! manifests each (an index listing three platform manifests, as buildx
//! pushes them without attestations: 100,000 versions), then times the
//! real binary's dry run:
//!
//! - **cold**: an empty manifest cache, so every manifest is read;
//! - **warm**: the cache the cold run filled, nothing new;
//! - **one new image**: one image pushed since, so 4 manifests are read.
//!
//! Each line prints the time, the requests sent by kind (API listing pages,
//! registry manifest reads, registry token requests) and the process's
//! peak memory (`/usr/bin/time -f %M`, where there is one).
//!
//! Both budgets are lifted (`--request-budget off --registry-rate 0`), so
//! that what is timed is ghpkg's own work: with GitHub's secondary limit
//! (900 points a minute), listing 1,000 pages takes over a minute on its
//! own, and with the registry's default budget (20,000 reads a minute)
//! reading 100,000 manifests takes at least 200 s; the cache is what spares
//! a nightly run both. It prints figures; it asserts only that the plans
//! agree.

use std::time::{Duration, Instant};

use fake_github::{FakeGitHub, ImageSpec, Owner};

#[path = "../tests/support/mod.rs"]
mod support;

use support::{Fixture, GHPKG, Run, run_command};

const IMAGES: usize = 25_000;
const LATENCY: Duration = Duration::from_millis(20);
const PLATFORMS: [&str; 3] = ["linux/amd64", "linux/arm64", "linux/arm/v7"];
const PRUNE: &str = "prune --org acme --type container --name app --keep-latest 100 --json \
                     --request-budget off --registry-rate 0";

fn main() {
    let images: usize = std::env::var("GHPKG_BENCH_IMAGES")
        .ok()
        .and_then(|count| count.parse().ok())
        .unwrap_or(IMAGES);
    let fixture = Fixture::new("plan");
    let github = &fixture.github;
    let acme = Owner::org("acme");
    github.add_package(&acme, "container", "app", "private");
    let started = Instant::now();
    for image in 0..images {
        publish(github, &acme, image);
    }
    let versions = github.versions(&acme, "container", "app").len();
    eprintln!(
        "published {images} images ({versions} versions) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    github.set_latency(LATENCY);
    println!(
        "planning a prune of {images} images x 4 manifests ({versions} versions), {} ms added \
         latency per request:",
        LATENCY.as_millis()
    );
    let cold = plan(&fixture, "cold");
    let warm = plan(&fixture, "warm");
    assert_eq!(cold, warm, "both runs plan the same");
    github.set_latency(Duration::ZERO);
    publish(github, &acme, images);
    github.set_latency(LATENCY);
    plan(&fixture, "one new image");
}

fn publish(github: &FakeGitHub, owner: &Owner, image: usize) {
    let tag = format!("build-{image}");
    let spec = ImageSpec::new(&[&tag])
        .platforms(&PLATFORMS)
        .attestations(false);
    github.publish_image(owner, "app", &spec);
}

/// One dry run, timed; prints its line and returns the plan's summary.
fn plan(fixture: &Fixture, label: &str) -> serde_json::Value {
    let github = &fixture.github;
    github.clear_requests();
    let started = Instant::now();
    let time = std::path::Path::new("/usr/bin/time");
    let run = if time.exists() {
        let mut command = fixture.program(time);
        command
            .args(["-f", "%M", GHPKG])
            .args(PRUNE.split_whitespace());
        run_command(command)
    } else {
        fixture.run(PRUNE)
    };
    let elapsed = started.elapsed();
    run.assert_code(0);
    let (mut pages, mut manifests, mut tokens, mut other) = (0, 0, 0, 0);
    for request in github.requests() {
        let path = &request.raw_path;
        if path.starts_with("/v2/") && path.contains("/manifests/") {
            manifests += 1;
        } else if path.contains("token") {
            tokens += 1;
        } else if path.ends_with("/versions") {
            pages += 1;
        } else {
            other += 1;
        }
    }
    println!(
        "{label:>14}: {:7.2} s; requests: {pages} listing pages, {manifests} manifest reads, \
         {tokens} registry tokens, {other} other; peak memory {}",
        elapsed.as_secs_f64(),
        peak_memory(&run),
    );
    run.json()["summary"].clone()
}

/// `/usr/bin/time -f %M`'s last line of stderr: the peak resident set, KiB.
fn peak_memory(run: &Run) -> String {
    run.stderr
        .lines()
        .last()
        .and_then(|line| line.trim().parse::<u64>().ok())
        .map_or("unknown".to_string(), |kib| format!("{} MiB", kib / 1024))
}
