//! Comparing the curated spec with GitHub's official OpenAPI description
//! (`api.github.com.json`, e.g. from the `@octokit/openapi` package), for the
//! operations tagged `packages`: what GitHub added, removed or changed that
//! the spec does not say it departs from on purpose.
//!
//! `cargo xtask upstream FILE` prints the [`Report`]; the departures the
//! spec declares (`x-departure`, see [`Departure`]) are left out, and those
//! that match nothing any more are listed as stale. [`packages_subset`] is
//! the part of a whole description that is compared, and what the pinned
//! fixture holds (`cargo xtask upstream --latest` and `--refresh`).
//!
//! ```
//! use github_packages_codegen::upstream::compare;
//!
//! let spec = r#"
//! openapi: 3.0.3
//! info: { title: t, version: "1" }
//! paths:
//!   /user/packages:
//!     get:
//!       operationId: list-packages-for-authenticated-user
//!       parameters:
//!         - name: per_page
//!           in: query
//!           schema: { type: integer, maximum: 100 }
//!           x-departure:
//!             maximum: GitHub states the maximum only in prose.
//!       responses: { '204': { description: none } }
//! "#;
//! let upstream = r#"{"openapi": "3.0.3", "info": {"title": "GitHub", "version": "1.1.4"},
//!   "paths": {"/user/packages": {"get": {
//!     "operationId": "packages/list-packages-for-authenticated-user", "tags": ["packages"],
//!     "parameters": [{"name": "per_page", "in": "query", "schema": {"type": "integer"}}],
//!     "responses": {"204": {"description": "none"}}}}}}"#;
//! let report = compare("spec.yaml", spec, "api.github.com.json", upstream).unwrap();
//! assert!(report.is_clean(), "{report}");
//! assert_eq!(report.declared, 1);
//! ```

mod departures;
mod diff;
mod extract;
mod report;
mod schemas;
mod tree;

use serde_json::Value;

pub use departures::{Departure, EXTENSION};
pub use report::{Line, Report};

use crate::{Location, Problem, SpecError};

/// Compares the curated spec (`spec_text`, named `spec_name`) with GitHub's
/// description (`upstream_text`, named `upstream_name`).
///
/// Fails, naming the file, when either cannot be read as OpenAPI 3, when the
/// upstream description has no operation tagged `packages`, or when a
/// declared departure is malformed.
pub fn compare(
    spec_name: &str,
    spec_text: &str,
    upstream_name: &str,
    upstream_text: &str,
) -> Result<Report, SpecError> {
    let spec = crate::load::load(spec_name, spec_text)
        .map_err(|problems| fail(spec_name, problems))?
        .tree;
    let departures = departures::declared(&spec).map_err(|problems| fail(spec_name, problems))?;
    let upstream = read_upstream(upstream_name, upstream_text)?;
    let differences = diff::compare(&spec, &upstream);

    let mut undeclared = Vec::new();
    let mut declared = 0;
    for difference in &differences {
        if departures
            .iter()
            .any(|departure| departure.covers(difference))
        {
            declared += 1;
            continue;
        }
        let (group, place) = tree::place(&spec, &difference.at);
        undeclared.push(Line {
            group,
            place,
            key: difference.key.clone(),
            detail: format!("{}{}", difference.detail, context(difference)),
        });
    }
    let stale = departures
        .iter()
        .filter(|departure| !differences.iter().any(|d| departure.covers(d)))
        .map(|departure| {
            let (group, place) = tree::place(&spec, &departure.path);
            Line {
                group,
                place,
                key: departure.key.clone(),
                detail: format!("\"{}\"", departure.reason),
            }
        })
        .collect();
    let count_spec_operations = diff::count_operations(&spec);
    Ok(Report {
        spec_name: spec_name.to_string(),
        upstream_name: upstream_name.to_string(),
        upstream_version: tree::shown(upstream.pointer("/info/version")),
        operations: (
            count_spec_operations,
            diff::count_packages_operations(&upstream),
        ),
        undeclared,
        stale,
        declared,
        declarations: departures.len(),
    })
}

/// The packages part of GitHub's description `upstream_text` (named
/// `upstream_name`), as the pinned fixture holds it: the operations tagged
/// `packages`, with every component they reference (transitively), without
/// prose or examples; pretty-printed JSON with sorted keys, so that two
/// versions of it diff line by line.
///
/// Fails, naming the file, as [`compare`] does on a description it cannot
/// read, and on a `$ref` that names no component.
pub fn packages_subset(upstream_name: &str, upstream_text: &str) -> Result<String, SpecError> {
    let upstream = read_upstream(upstream_name, upstream_text)?;
    let subset =
        extract::packages_subset(&upstream).map_err(|problems| fail(upstream_name, problems))?;
    let mut text = serde_json::to_string_pretty(&subset).expect("a JSON tree serializes");
    text.push('\n');
    Ok(text)
}

/// Every departure `spec_text` declares, in document order.
pub fn declared_departures(spec_name: &str, spec_text: &str) -> Result<Vec<Departure>, SpecError> {
    let spec = crate::load::load(spec_name, spec_text)
        .map_err(|problems| fail(spec_name, problems))?
        .tree;
    departures::declared(&spec).map_err(|problems| fail(spec_name, problems))
}

fn fail(name: &str, problems: Vec<Problem>) -> SpecError {
    SpecError {
        spec_name: name.to_string(),
        problems,
    }
}

/// Which operations a difference in a shared parameter, response or schema
/// was reached through: `(in get-package-for-user and 5 more)`. (An
/// operation's own differences are grouped under it.)
fn context(difference: &diff::Difference) -> String {
    let operations: Vec<&String> = difference.operations.iter().collect();
    let shared = difference.at.first().map(String::as_str) == Some("components");
    match operations.as_slice() {
        _ if !shared => String::new(),
        [] => String::new(),
        [only] => format!(" (in {only})"),
        [first, rest @ ..] => format!(" (in {first} and {} more)", rest.len()),
    }
}

/// Reads GitHub's description: JSON (or YAML, by the file's extension),
/// OpenAPI 3, with at least one operation tagged `packages`.
fn read_upstream(name: &str, text: &str) -> Result<Value, SpecError> {
    let problem = |location, message: String| fail(name, vec![Problem::new(location, message)]);
    let yaml = name.ends_with(".yaml") || name.ends_with(".yml");
    let tree: Value = if yaml {
        serde_norway::from_str(text)
            .map_err(|e| problem(Location::Document, format!("invalid YAML: {e}")))?
    } else {
        serde_json::from_str(text).map_err(|e| {
            problem(
                Location::Line {
                    line: e.line(),
                    column: e.column().max(1),
                },
                format!(
                    "invalid JSON: {}",
                    crate::load::strip_position(&e.to_string())
                ),
            )
        })?
    };
    match tree.get("openapi").and_then(Value::as_str) {
        Some(version) if version.starts_with("3.") => {}
        _ => {
            return Err(problem(
                Location::Document,
                "not an OpenAPI 3 description: there is no `openapi: 3.x` field".to_string(),
            ));
        }
    }
    if diff::count_packages_operations(&tree) == 0 {
        return Err(problem(
            Location::Document,
            "has no operation tagged `packages`; is this GitHub's REST API description?"
                .to_string(),
        ));
    }
    Ok(tree)
}
