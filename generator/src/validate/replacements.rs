//! Replacement checks: every schema the configuration replaces with a
//! hand-written type exists in the spec.

use openapiv3::OpenAPI;

use crate::{Config, Location, Problem};

/// A replacement for a schema the spec does not have would silently fall
/// back to typify's strict enum.
pub(super) fn check_replacements(spec: &OpenAPI, config: &Config, problems: &mut Vec<Problem>) {
    for (schema, rust_path) in &config.replacements {
        let exists = spec
            .components
            .as_ref()
            .is_some_and(|c| c.schemas.contains_key(schema));
        if !exists {
            problems.push(Problem::new(
                Location::Document,
                format!(
                    "the generator replaces schema `{schema}` with `{rust_path}`, but the spec has no such schema under `components/schemas`"
                ),
            ));
        }
    }
}
