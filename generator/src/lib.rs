//! Code generator for the `github-packages` client crate.
//!
//! Spec text in, formatted Rust out, or a list of problems that each name the
//! spec file and the operation, schema or line they concern:
//!
//! ```text
//! spec/packages.yaml --load--> openapiv3::OpenAPI --validate--> progenitor --prettyplease--> text
//! ```
//!
//! [`project`] names the project's own spec, generated file and settings;
//! [`upstream`] compares the spec with GitHub's official OpenAPI
//! description (`cargo xtask upstream FILE`).
//!
//! [`generate`] never panics on bad input: the spec is validated first, so
//! progenitor does not meet the shapes it is known to panic on, and any panic
//! that still happens inside progenitor is caught quietly and reported as a
//! [`Problem`].
//!
//! ```
//! use github_packages_codegen::{Config, generate};
//!
//! let spec = r#"
//! openapi: 3.0.3
//! info: { title: demo, version: "1" }
//! paths:
//!   /ping:
//!     get:
//!       operationId: ping
//!       responses:
//!         '204': { description: pong }
//! "#;
//! let code = generate(&Config::new("demo.yaml"), spec).unwrap();
//! assert!(code.starts_with("// @generated"));
//! assert!(code.contains("pub fn ping(&self)"));
//! ```

mod load;
mod names;
pub mod project;
mod render;
pub mod upstream;
mod validate;

use std::fmt;

/// What to generate and how; [`project::config`] is the project's own.
#[derive(Clone, Debug)]
pub struct Config {
    /// The spec's name as shown in errors and in the generated file's header,
    /// e.g. `spec/packages.yaml`.
    pub spec_name: String,
    /// The command that regenerates the output, named in its header.
    pub regen_command: String,
    /// Schemas replaced by hand-written types: `(schema name, Rust path)`.
    /// The hand-written type must implement `Display` and `FromStr`.
    pub replacements: Vec<(String, String)>,
    /// The type of the generated `Client`'s `inner` field, if any.
    pub inner_type: Option<String>,
}

impl Config {
    /// A plain configuration: no replacements, no inner type.
    pub fn new(spec_name: impl Into<String>) -> Self {
        Config {
            spec_name: spec_name.into(),
            regen_command: project::REGEN_COMMAND.to_string(),
            replacements: Vec::new(),
            inner_type: None,
        }
    }
}

/// Where in the spec a problem was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// The document as a whole.
    Document,
    /// A line and column (1-based) of the spec text.
    Line { line: usize, column: usize },
    /// A field path inside the document, e.g. `paths./x.get.responses`.
    Field(String),
    /// An operation, by `operationId`, or by method and path when it has none.
    Operation(String),
    /// A schema under `components/schemas`.
    Schema(String),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Document => Ok(()),
            Location::Line { line, column } => write!(f, "line {line}, column {column}: "),
            Location::Field(path) => write!(f, "at `{path}`: "),
            Location::Operation(op) => write!(f, "operation `{op}`: "),
            Location::Schema(name) => write!(f, "schema `{name}`: "),
        }
    }
}

/// One thing wrong with a spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Where it is.
    pub location: Location,
    /// What is wrong, in a sentence a maintainer can act on.
    pub message: String,
}

impl Problem {
    pub(crate) fn new(location: Location, message: impl Into<String>) -> Self {
        Problem {
            location,
            message: message.into(),
        }
    }
}

/// Every problem found in one spec; displayed as one line per problem, each
/// starting with the spec's name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecError {
    /// The spec's name, as given in [`Config::spec_name`].
    pub spec_name: String,
    /// The problems, grouped by check.
    pub problems: Vec<Problem>,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, problem) in self.problems.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            write!(
                f,
                "{}: {}{}",
                self.spec_name, problem.location, problem.message
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for SpecError {}

/// Validates `spec_text` and generates the client's Rust source from it.
///
/// The output is deterministic (same input, same bytes), uses LF line endings,
/// is formatted by `prettyplease` and starts with a header naming the spec and
/// the command that made it.
pub fn generate(config: &Config, spec_text: &str) -> Result<String, SpecError> {
    let fail = |problems| SpecError {
        spec_name: config.spec_name.clone(),
        problems,
    };
    let document = load::load(&config.spec_name, spec_text).map_err(fail)?;
    validate::validate(&document, config).map_err(fail)?;
    render::render(config, &document.spec).map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Odd inputs are refused with an error, never a panic.
    #[test]
    fn odd_inputs_are_errors() {
        let odd = [
            "",
            "[]",
            "hello",
            "openapi: 3.0.3",
            "openapi: 3",
            "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: null",
            "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get:\n      operationId: x\n      responses: {'200': {$ref: '#'}}",
            "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /x/{}:\n    get:\n      operationId: x\n      responses: {'204': {description: d}}",
            "{\"openapi\": \"3.0.3\"",
        ];
        for (index, text) in odd.iter().enumerate() {
            let name = if text.starts_with('{') {
                "odd.json"
            } else {
                "odd.yaml"
            };
            let error = generate(&Config::new(name), text)
                .expect_err(&format!("odd input #{index} must be refused"));
            assert!(!error.problems.is_empty());
            assert!(error.to_string().starts_with(name), "{error}");
        }
    }
}
