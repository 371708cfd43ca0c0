//! Helpers shared by the test binaries that declare `mod support;`.

pub mod large_prune;
