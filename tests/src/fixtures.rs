//! The generator against small fixture specs: one snapshot of generated code
//! per good fixture, one snapshot of the error message per bad fixture.

use std::path::Path;

use github_packages_codegen::{Config, generate};

fn config_for(path: &Path) -> Config {
    let name = path.file_name().expect("a fixture file").to_string_lossy();
    Config::new(format!("fixtures/{name}"))
}

/// The code generated from every good fixture, compiled with this crate by
/// build.rs: a fixture whose output does not build fails the build.
#[allow(
    dead_code,
    unused_imports,
    clippy::all,
    reason = "generated fixture code"
)]
mod compiled {
    include!(concat!(env!("OUT_DIR"), "/generator_fixtures.rs"));
}

#[test]
fn good_fixture_code_builds_and_has_its_operations() {
    // A use of each fixture's client shows the module compiled with its methods.
    let _ = compiled::enums::Client::list_colors;
    let _ = compiled::slash_in_path_parameter::Client::get_package;
    let _ = compiled::no_content::Client::delete_item;
    let _ = compiled::optional_query_parameters::Client::search;
}

#[test]
fn good_specs_generate() {
    insta::glob!("../fixtures/generator/ok", "*.yaml", |path| {
        let spec = std::fs::read_to_string(path).expect("fixture is readable");
        let code = generate(&config_for(path), &spec)
            .unwrap_or_else(|e| panic!("{} should generate:\n{e}", path.display()));
        syn::parse_file(&code).expect("generated code parses as Rust");
        insta::assert_snapshot!(code);
    });
}

#[test]
fn bad_specs_are_reported_without_panicking() {
    insta::glob!("../fixtures/generator/bad", "*.{yaml,json}", |path| {
        let spec = std::fs::read_to_string(path).expect("fixture is readable");
        let config = config_for(path);
        // `generate` must return an error, not panic: a panic fails this
        // test before the snapshot is taken.
        let error = generate(&config, &spec).expect_err("a bad spec must be refused");
        let message = error.to_string();
        for line in message.lines() {
            assert!(
                line.starts_with(&config.spec_name),
                "every line names the spec file: {line}"
            );
        }
        insta::assert_snapshot!(message);
    });
}
