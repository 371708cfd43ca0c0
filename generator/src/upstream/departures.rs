//! Declared departures: the `x-departure` maps of the curated spec, each key
//! naming a difference from GitHub's description at that node, each value
//! the one-line reason it is deliberate.
//!
//! ```yaml
//! per_page:
//!   name: per_page
//!   in: query
//!   x-departure:
//!     maximum: GitHub states the maximum only in prose; made explicit here.
//! ```
//!
//! A key is a difference's key as the report prints it (`maximum`,
//! `enum internal`, `property has_downloads`, `format uri -> none`), or a
//! word followed by ` *` for every difference of that kind at the node
//! (`property *`). A declaration at the document's root applies anywhere:
//! that is where the whole-file curation rules are declared.

use serde_json::Value;

use super::diff::Difference;
use super::tree::{Path, child};
use crate::{Location, Problem};

/// The key under which departures are declared.
pub const EXTENSION: &str = "x-departure";

/// One declared departure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Departure {
    /// Where it is declared, as a dotted path (empty for the document).
    pub at: String,
    /// The difference it covers.
    pub key: String,
    /// Why the spec departs there.
    pub reason: String,
    pub(super) path: Path,
}

impl Departure {
    /// Whether this declaration covers `difference`.
    pub(super) fn covers(&self, difference: &Difference) -> bool {
        let here = self.path.is_empty() || self.path == difference.at;
        let key = match self.key.strip_suffix('*') {
            Some(prefix) if prefix.ends_with(' ') => difference.key.starts_with(prefix),
            _ => self.key == difference.key,
        };
        here && key
    }
}

/// Keys whose values are data (examples, enum values, defaults), never
/// places a departure could be declared.
const DATA_KEYS: &[&str] = &["example", "examples", "default", "enum"];

/// Every departure declared in `spec`; a declaration that is not a map of
/// keys to non-empty one-line reasons is a problem, named by its place.
pub(super) fn declared(spec: &Value) -> Result<Vec<Departure>, Vec<Problem>> {
    let mut found = Vec::new();
    let mut problems = Vec::new();
    walk(spec, &[], &mut found, &mut problems);
    if problems.is_empty() {
        Ok(found)
    } else {
        Err(problems)
    }
}

fn walk(node: &Value, path: &[String], found: &mut Vec<Departure>, problems: &mut Vec<Problem>) {
    match node {
        Value::Object(map) => {
            if let Some(declaration) = map.get(EXTENSION) {
                read(declaration, path, found, problems);
            }
            for (key, value) in map {
                if key != EXTENSION && !DATA_KEYS.contains(&key.as_str()) {
                    walk(value, &child(path, &[key]), found, problems);
                }
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                walk(item, &child(path, &[&index.to_string()]), found, problems);
            }
        }
        _ => {}
    }
}

fn read(
    declaration: &Value,
    path: &[String],
    found: &mut Vec<Departure>,
    problems: &mut Vec<Problem>,
) {
    let at = path.join(".");
    let location = if at.is_empty() {
        Location::Field(EXTENSION.to_string())
    } else {
        Location::Field(format!("{at}.{EXTENSION}"))
    };
    let Value::Object(entries) = declaration else {
        problems.push(Problem::new(
            location,
            "must map each difference it declares to a one-line reason, e.g. `maximum: GitHub states it only in prose`",
        ));
        return;
    };
    for (key, reason) in entries {
        match reason.as_str().map(str::trim) {
            Some(reason) if !reason.is_empty() && !reason.contains('\n') => found.push(Departure {
                at: at.clone(),
                key: key.clone(),
                reason: reason.to_string(),
                path: path.to_vec(),
            }),
            _ => problems.push(Problem::new(
                location.clone(),
                format!("`{key}` needs a one-line reason (a non-empty string)"),
            )),
        }
    }
}
