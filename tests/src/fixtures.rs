//! The generator against small fixture specs: one snapshot of generated code
//! per good fixture, one snapshot of the error message per bad fixture.

use std::path::Path;

use github_packages_codegen::{Config, generate};

fn config_for(path: &Path) -> Config {
    let name = path.file_name().expect("a fixture file").to_string_lossy();
    Config::new(format!("fixtures/{name}"))
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
