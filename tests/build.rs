//! Generates Rust from each good generator fixture (tests/fixtures/generator/ok)
//! into OUT_DIR, so the test crate compiles it: golden output must not only
//! match its snapshot but also build.

use std::fmt::Write;
use std::path::Path;

use github_packages_codegen::{Config, generate};

fn main() {
    let fixtures = Path::new("fixtures/generator/ok");
    println!("cargo::rerun-if-changed={}", fixtures.display());
    let mut entries: Vec<_> = std::fs::read_dir(fixtures)
        .expect("fixtures/generator/ok exists")
        .map(|entry| entry.expect("readable directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    entries.sort();
    let mut modules = String::new();
    for path in entries {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let spec = std::fs::read_to_string(&path).expect("fixture is readable");
        let code = generate(&Config::new(format!("fixtures/{stem}.yaml")), &spec)
            .unwrap_or_else(|e| panic!("{} does not generate:\n{e}", path.display()));
        writeln!(modules, "pub mod {stem} {{\n{code}\n}}").unwrap();
    }
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(Path::new(&out).join("generator_fixtures.rs"), modules)
        .expect("OUT_DIR is writable");
}
