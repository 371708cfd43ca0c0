//! The workspace's tests, in one test binary: drift of the generated code,
//! snapshots of the API surface and of the generator's output and errors,
//! requests on the wire, decoding of GitHub's example responses, the spec
//! against GitHub's own description, and the client layer against the fake
//! server and the scripted server.

#[cfg(test)]
mod client_layer;
#[cfg(test)]
mod common;
#[cfg(test)]
mod decoding;
#[cfg(test)]
mod drift;
#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod registry;
#[cfg(test)]
mod scripted;
#[cfg(test)]
mod surface;
#[cfg(test)]
mod upstream;
#[cfg(test)]
mod wire;

/// The client page's code (docs/client.md), compiled as doc tests
/// (`rust,no_run` blocks build but do not run; they would need GitHub).
#[cfg(doctest)]
#[doc = include_str!("../../docs/client.md")]
pub struct ClientDocExamples;
