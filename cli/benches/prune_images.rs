//! How long `ghpkg prune` takes to plan a container package whose versions
//! are multi-platform images: listing the versions, reading every manifest
//! from the registry, linking them into images and deciding.
//!
//! `cargo bench -p ghpkg --bench prune_images` starts `fake-github` on
//! 127.0.0.1 with 20 ms added to every answer (API and registry alike),
//! publishes 3,000 images of 4 manifests each (an index listing two
//! platform manifests and their two attestations, as buildx pushes them:
//! 15,000 versions), then times the real binary's dry run twice: with an
//! empty manifest cache (every manifest fetched) and again with the cache
//! the first run filled (only the listing). It prints figures; it asserts
//! only that the plans agree.

use std::time::{Duration, Instant};

use fake_github::{ImageSpec, Owner};

#[path = "../tests/support/mod.rs"]
mod support;

use support::Fixture;

const IMAGES: usize = 3_000;
const LATENCY: Duration = Duration::from_millis(20);

fn main() {
    let fixture = Fixture::new("plan");
    let github = &fixture.github;
    let acme = Owner::org("acme");
    github.add_package(&acme, "container", "app", "private");
    let started = Instant::now();
    for image in 0..IMAGES {
        let tag = format!("build-{image}");
        let spec = ImageSpec::new(&[&tag]).platforms(&["linux/amd64", "linux/arm64"]);
        github.publish_image(&acme, "app", &spec);
    }
    let versions = github.versions(&acme, "container", "app").len();
    eprintln!(
        "published {IMAGES} images ({versions} versions) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    github.set_latency(LATENCY);

    let plan = |label: &str| {
        github.clear_requests();
        let reads = github.manifest_reads();
        let started = Instant::now();
        let run =
            fixture.run("prune --org acme --type container --name app --keep-latest 100 --json");
        let elapsed = started.elapsed();
        run.assert_code(0);
        let document = run.json();
        let requests = github.requests().len();
        println!(
            "{label:>12}: {:7.2} s, {requests:5} requests, {:5} manifests read, {} images",
            elapsed.as_secs_f64(),
            github.manifest_reads() - reads,
            document["images"].as_array().map_or(0, Vec::len),
        );
        document["summary"].clone()
    };
    println!(
        "planning a prune of {IMAGES} images x 4 manifests ({versions} versions), {} ms added \
         latency per request:",
        LATENCY.as_millis()
    );
    let first = plan("first run");
    let cached = plan("cached run");
    assert_eq!(first, cached, "both runs plan the same");
}
