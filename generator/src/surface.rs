//! The API surface of generated code, one line per operation.
pub fn api_surface(_: &str) -> String { String::new() }
