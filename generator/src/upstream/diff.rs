//! The differences between the curated spec and GitHub's description:
//! operations, their paths, methods, parameters and response statuses (the
//! schemas of parameters and bodies are compared in `schemas`).
//!
//! Every difference is attributed to a node of the curated spec (the place a
//! maintainer would change, or declare the departure at) and has a key that
//! names it there: `enum internal`, `property has_downloads`,
//! `format uri -> none` (upstream's format, then the spec's).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::tree::{Path, child, operation_id, resolve, shown, type_of};

/// One way the spec differs from upstream.
#[derive(Clone, Debug)]
pub(super) struct Difference {
    /// The curated spec's node it belongs to; empty for the document.
    pub(super) at: Path,
    /// What differs there, as a departure would name it.
    pub(super) key: String,
    /// The two sides, in words.
    pub(super) detail: String,
    /// The operations (by id) through which it was reached.
    pub(super) operations: BTreeSet<String>,
}

/// An operation of one side: its id, method, route and node path.
struct OperationAt {
    method: String,
    route: String,
    path: Path,
}

const METHODS: &[&str] = &["get", "put", "post", "delete", "patch", "head", "options"];

/// The operations of `root` (those tagged `packages` when `only_packages`).
fn operations(root: &Value, only_packages: bool) -> BTreeMap<String, OperationAt> {
    let mut found = BTreeMap::new();
    let Some(Value::Object(paths)) = root.get("paths") else {
        return found;
    };
    for (route, item) in paths {
        for method in METHODS {
            let Some(operation) = item.get(*method) else {
                continue;
            };
            let tagged = operation
                .get("tags")
                .and_then(Value::as_array)
                .is_some_and(|tags| tags.iter().any(|tag| tag == "packages"));
            if only_packages && !tagged {
                continue;
            }
            if let Some(id) = operation_id(operation) {
                found.insert(
                    id,
                    OperationAt {
                        method: method.to_string(),
                        route: route.clone(),
                        path: vec!["paths".to_string(), route.clone(), method.to_string()],
                    },
                );
            }
        }
    }
    found
}

/// How many operations the curated spec has.
pub(super) fn count_operations(root: &Value) -> usize {
    operations(root, false).len()
}

/// How many operations tagged `packages` a description has.
pub(super) fn count_packages_operations(root: &Value) -> usize {
    operations(root, true).len()
}

/// Compares the curated `spec` with the `upstream` description.
pub(super) fn compare(spec: &Value, upstream: &Value) -> Vec<Difference> {
    let mut comparison = Comparison {
        spec,
        upstream,
        found: BTreeMap::new(),
        visited: BTreeSet::new(),
        operation: String::new(),
    };
    let ours = operations(spec, false);
    let theirs = operations(upstream, true);
    for (id, upstream_operation) in &theirs {
        comparison.operation = id.clone();
        match ours.get(id) {
            None => comparison.note(
                &[],
                format!("operation {id}"),
                format!(
                    "only upstream: {} {}",
                    upstream_operation.method.to_uppercase(),
                    upstream_operation.route
                ),
            ),
            Some(spec_operation) => comparison.operation_pair(spec_operation, upstream_operation),
        }
    }
    for (id, spec_operation) in &ours {
        if !theirs.contains_key(id) {
            comparison.operation = id.clone();
            comparison.one_side_only(&spec_operation.path, "operation".to_string(), false);
        }
    }
    comparison.found.into_values().collect()
}

/// A comparison under way: the two documents and what it found so far.
pub(super) struct Comparison<'a> {
    pub(super) spec: &'a Value,
    pub(super) upstream: &'a Value,
    /// Differences by (node, key): one reached twice is reported once.
    found: BTreeMap<(Path, String), Difference>,
    /// Object schema pairs already compared property by property, per
    /// operation: each operation that reaches a schema is named in the
    /// context of its differences, and a schema that contains itself is
    /// compared once.
    pub(super) visited: BTreeSet<(Path, Path, String)>,
    /// The operation being compared, for the report's context.
    pub(super) operation: String,
}

/// The value at `path` below `root`.
fn at<'v>(root: &'v Value, path: &[String]) -> &'v Value {
    path.iter()
        .try_fold(root, |node, token| node.get(token))
        .unwrap_or(&Value::Null)
}

impl Comparison<'_> {
    pub(super) fn note(&mut self, at: &[String], key: String, detail: String) {
        let entry = self
            .found
            .entry((at.to_vec(), key.clone()))
            .or_insert_with(|| Difference {
                at: at.to_vec(),
                key,
                detail,
                operations: BTreeSet::new(),
            });
        entry.operations.insert(self.operation.clone());
    }

    fn operation_pair(&mut self, ours: &OperationAt, theirs: &OperationAt) {
        if ours.method != theirs.method {
            self.note(
                &ours.path,
                "method".to_string(),
                format!(
                    "upstream {}, the spec {}",
                    theirs.method.to_uppercase(),
                    ours.method.to_uppercase()
                ),
            );
        }
        if ours.route != theirs.route {
            self.note(
                &ours.path,
                "path".to_string(),
                format!("upstream {}, the spec {}", theirs.route, ours.route),
            );
        }
        let spec_parameters = parameters(self.spec, &ours.path);
        let upstream_parameters = parameters(self.upstream, &theirs.path);
        for (name, mine, upstream) in side_by_side(&spec_parameters, &upstream_parameters) {
            match (mine, upstream) {
                (Some((path, value)), Some((upstream_path, upstream_value))) => {
                    self.parameter_pair(path, value, upstream_path, upstream_value)
                }
                _ => {
                    self.one_side_only(&ours.path, format!("parameter {name}"), upstream.is_some())
                }
            }
        }
        let spec_responses = responses(self.spec, &ours.path);
        let upstream_responses = responses(self.upstream, &theirs.path);
        for (status, mine, upstream) in side_by_side(&spec_responses, &upstream_responses) {
            match (mine, upstream) {
                (Some(mine), Some(upstream)) => self.response_pair(mine, upstream),
                _ => {
                    self.one_side_only(&ours.path, format!("response {status}"), upstream.is_some())
                }
            }
        }
    }

    /// Notes that `key` names something only one side has.
    pub(super) fn one_side_only(&mut self, at: &[String], key: String, upstream: bool) {
        let detail = if upstream {
            "only upstream"
        } else {
            "only in the spec"
        };
        self.note(at, key, detail.to_string());
    }

    fn parameter_pair(&mut self, path: &Path, ours: &Value, theirs_path: &Path, theirs: &Value) {
        if ours.get("in") != theirs.get("in") {
            self.note(
                path,
                "location".to_string(),
                format!(
                    "upstream in {}, the spec in {}",
                    shown(theirs.get("in")),
                    shown(ours.get("in"))
                ),
            );
        }
        let required = |p: &Value| p.get("required") == Some(&Value::Bool(true));
        if required(ours) != required(theirs) {
            self.note(
                path,
                "required".to_string(),
                if required(theirs) {
                    "required upstream, optional in the spec".to_string()
                } else {
                    "optional upstream, required in the spec".to_string()
                },
            );
        }
        let empty = Value::Null;
        self.schema_pair(
            path,
            (
                &child(path, &["schema"]),
                ours.get("schema").unwrap_or(&empty),
            ),
            (
                &child(theirs_path, &["schema"]),
                theirs.get("schema").unwrap_or(&empty),
            ),
        );
    }

    fn response_pair(&mut self, ours: &(Path, Value), theirs: &(Path, Value)) {
        match (json_schema(&ours.1), json_schema(&theirs.1)) {
            (Some(schema), Some(upstream_schema)) => {
                let spec_path = child(&ours.0, &["content", &schema.0, "schema"]);
                let upstream_path = child(&theirs.0, &["content", &upstream_schema.0, "schema"]);
                self.schema_pair(
                    &spec_path,
                    (&spec_path, schema.1),
                    (&upstream_path, upstream_schema.1),
                );
            }
            (None, None) => {}
            (spec_body, upstream_body) => {
                let describe = |body: Option<(String, &Value)>| match body {
                    None => "no JSON body".to_string(),
                    Some((_, schema)) => match schema.get("$ref").and_then(Value::as_str) {
                        Some(reference) => {
                            format!("`{}`", reference.rsplit('/').next().unwrap_or_default())
                        }
                        None => format!("a JSON {}", type_of(schema)),
                    },
                };
                self.note(
                    &ours.0,
                    "body".to_string(),
                    format!(
                        "upstream {}, the spec {}",
                        describe(upstream_body),
                        describe(spec_body)
                    ),
                );
            }
        }
    }
}

/// The names of both maps, in order, each with its entry on either side.
pub(super) fn side_by_side<'m, V>(
    ours: &'m BTreeMap<String, V>,
    theirs: &'m BTreeMap<String, V>,
) -> Vec<(&'m str, Option<&'m V>, Option<&'m V>)> {
    let names: BTreeSet<&String> = ours.keys().chain(theirs.keys()).collect();
    names
        .into_iter()
        .map(|name| (name.as_str(), ours.get(name), theirs.get(name)))
        .collect()
}

/// An operation's parameters by name (path-level ones first, overridden by
/// the operation's own), each resolved to its node.
fn parameters(root: &Value, operation_path: &[String]) -> BTreeMap<String, (Path, Value)> {
    let item_path = &operation_path[..operation_path.len() - 1];
    let mut found = BTreeMap::new();
    for owner in [item_path, operation_path] {
        let Some(list) = at(root, owner).get("parameters").and_then(Value::as_array) else {
            continue;
        };
        for (index, parameter) in list.iter().enumerate() {
            let (path, value) = resolve(
                root,
                &child(owner, &["parameters", &index.to_string()]),
                parameter,
            );
            if let Some(name) = value.get("name").and_then(Value::as_str) {
                found.insert(name.to_string(), (path, value));
            }
        }
    }
    found
}

/// An operation's responses by status, each resolved to its node.
fn responses(root: &Value, operation_path: &[String]) -> BTreeMap<String, (Path, Value)> {
    let mut found = BTreeMap::new();
    let Some(Value::Object(listed)) = at(root, operation_path).get("responses") else {
        return found;
    };
    for (status, response) in listed {
        let entry = child(operation_path, &["responses", status]);
        found.insert(status.clone(), resolve(root, &entry, response));
    }
    found
}

/// A response's JSON body schema, with its media type.
fn json_schema(response: &Value) -> Option<(String, &Value)> {
    let content = response.get("content")?.as_object()?;
    content.iter().find_map(|(media_type, media)| {
        let json = media_type == "application/json" || media_type.starts_with("application/json;");
        json.then(|| {
            media
                .get("schema")
                .map(|schema| (media_type.clone(), schema))
        })
        .flatten()
    })
}
