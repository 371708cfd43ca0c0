//! One line per operation: method, path, Rust method, parameters with their
//! Rust types, success and error types. A spec change shows up here as a diff.

use github_packages_codegen::api_surface;

use crate::common::{GENERATED, read};

#[test]
fn api_surface_of_the_generated_client() {
    let surface = api_surface(&read(GENERATED)).expect("generated code has the builder shape");
    assert_eq!(
        surface.lines().count(),
        27,
        "the spec covers the 27 packages operations"
    );
    insta::assert_snapshot!("api_surface", surface);
}
