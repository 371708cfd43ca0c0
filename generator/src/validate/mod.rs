//! Spec validation, run before progenitor: every problem progenitor would
//! panic on, or would turn into code that does not compile, is reported
//! instead, naming the operation or schema it concerns. One module per
//! family of checks; this one runs them all and holds what they share
//! (locating a problem, following `$ref`s).

mod cycles;
mod operations;
mod parameters;
mod refs;
mod replacements;
mod request_body;
mod responses;
mod structure;
mod type_names;

use openapiv3::{Components, ReferenceOr};
use serde_json::Value;

use crate::load::Document;
use crate::{Config, Location, Problem};

const HTTP_METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

pub(crate) fn is_http_method(key: &str) -> bool {
    HTTP_METHODS.contains(&key)
}

/// Keys whose values are data or annotations, never schemas or references
/// (an example body may well contain a `$ref` key of its own).
const DATA_KEYS: &[&str] = &["example", "examples", "default", "enum"];

pub(crate) fn validate(document: &Document, config: &Config) -> Result<(), Vec<Problem>> {
    let mut problems = Vec::new();
    structure::check_structure(&document.tree, &mut problems);
    refs::check_refs(&document.tree, &mut problems);
    cycles::check_ref_cycles(&document.tree, &mut problems);
    operations::check_operations(&document.spec, &mut problems);
    type_names::check_type_names(&document.tree, &mut problems);
    replacements::check_replacements(&document.spec, config, &mut problems);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Names the operation or schema that `path` lies in, for error messages.
fn location_of(root: &Value, path: &[String]) -> Location {
    let segment = |i: usize| path.get(i).map(String::as_str);
    match (segment(0), segment(1), segment(2)) {
        (Some("paths"), Some(route), Some(method)) if HTTP_METHODS.contains(&method) => {
            let id = root
                .get("paths")
                .and_then(|paths| paths.get(route))
                .and_then(|item| item.get(method))
                .and_then(|operation| operation.get("operationId"))
                .and_then(Value::as_str);
            Location::Operation(operation_label(id, method, route))
        }
        (Some("components"), Some("schemas"), Some(name)) => Location::Schema(name.to_string()),
        _ => Location::Field(path.join(".")),
    }
}

fn operation_label(id: Option<&str>, method: &str, route: &str) -> String {
    match id {
        Some(id) if !id.is_empty() => id.to_string(),
        _ => format!("{} {route}", method.to_uppercase()),
    }
}

/// Components of one kind, looked up by name.
type Section<'a, T> = fn(&'a Components, &str) -> Option<&'a ReferenceOr<T>>;

/// Follows `$ref`s (a few hops at most: cycles are reported by
/// `check_ref_cycles`) to the item; `None` when one resolves to nothing.
fn resolve<'a, T>(
    item: &'a ReferenceOr<T>,
    components: &'a Option<Components>,
    section: Section<'a, T>,
) -> Option<&'a T> {
    let mut current = item;
    for _ in 0..16 {
        match current {
            ReferenceOr::Item(item) => return Some(item),
            ReferenceOr::Reference { reference } => {
                let name = reference.rsplit('/').next()?;
                current = section(components.as_ref()?, name)?;
            }
        }
    }
    None
}
