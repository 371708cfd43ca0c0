//! One line per operation: method, path, Rust method, parameters with their
//! Rust types, success and error types. A spec change shows up here as a diff.

use github_packages_codegen::api_surface;

use crate::common::{GENERATED, read};

#[test]
fn api_surface_of_the_generated_client() {
    let surface = api_surface(&read(GENERATED)).expect("generated code has the builder shape");
    let operations = surface.lines().take_while(|line| !line.is_empty()).count();
    assert_eq!(operations, 27, "the spec covers the 27 packages operations");
    for name in ["Package", "PackageVersion", "SimpleUser", "BasicError"] {
        assert!(
            surface.contains(&format!("\nstruct {name} {{ ")),
            "the surface lists the type {name}"
        );
    }
    insta::assert_snapshot!("api_surface", surface);
}
