//! Reference checks: every `$ref` is local, resolves, and points into the
//! component section its position calls for.

use serde_json::Value;

use super::{DATA_KEYS, location_of};
use crate::Problem;

/// Which component kind a `$ref` must point at where it stands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum RefKind {
    Schema,
    Parameter,
    Response,
    RequestBody,
    Other,
}

impl RefKind {
    fn section(self) -> Option<&'static str> {
        match self {
            RefKind::Schema => Some("schemas"),
            RefKind::Parameter => Some("parameters"),
            RefKind::Response => Some("responses"),
            RefKind::RequestBody => Some("requestBodies"),
            RefKind::Other => None,
        }
    }
}

pub(super) fn check_refs(tree: &Value, problems: &mut Vec<Problem>) {
    let mut path = Vec::new();
    walk_refs(tree, tree, &mut path, RefKind::Other, problems);
}

fn walk_refs(
    root: &Value,
    node: &Value,
    path: &mut Vec<String>,
    kind: RefKind,
    problems: &mut Vec<Problem>,
) {
    match node {
        Value::Object(map) => {
            if let Some(reference) = map.get("$ref") {
                check_ref(root, reference, path, kind, problems);
            }
            for (key, child) in map {
                if DATA_KEYS.contains(&key.as_str()) || key.starts_with("x-") {
                    continue;
                }
                let child_kind = child_ref_kind(path, kind, key);
                path.push(key.clone());
                walk_refs(root, child, path, child_kind, problems);
                path.pop();
            }
        }
        Value::Array(items) => {
            let item_kind = match path.last().map(String::as_str) {
                Some("parameters") if kind != RefKind::Schema => RefKind::Parameter,
                _ => kind,
            };
            for (index, child) in items.iter().enumerate() {
                path.push(index.to_string());
                walk_refs(root, child, path, item_kind, problems);
                path.pop();
            }
        }
        _ => {}
    }
}

/// The kind of `$ref` expected in `node[key]`, given `node`'s own kind.
fn child_ref_kind(path: &[String], kind: RefKind, key: &str) -> RefKind {
    if kind == RefKind::Schema {
        return RefKind::Schema;
    }
    let parent = path.last().map(String::as_str);
    match (path.len(), path.first().map(String::as_str), parent, key) {
        (1, Some("components"), _, "schemas") => RefKind::Schema,
        (2, Some("components"), Some("parameters"), _) => RefKind::Parameter,
        (2, Some("components"), Some("responses"), _) => RefKind::Response,
        (2, Some("components"), Some("requestBodies"), _) => RefKind::RequestBody,
        (_, _, _, "schema") => RefKind::Schema,
        (_, _, Some("responses"), _) => RefKind::Response,
        (_, _, _, "requestBody") => RefKind::RequestBody,
        _ => RefKind::Other,
    }
}

fn check_ref(
    root: &Value,
    reference: &Value,
    path: &[String],
    kind: RefKind,
    problems: &mut Vec<Problem>,
) {
    let location = location_of(root, path);
    let Value::String(reference) = reference else {
        problems.push(Problem::new(location, "`$ref` must be a string"));
        return;
    };
    let Some(pointer) = reference.strip_prefix('#') else {
        problems.push(Problem::new(
            location,
            format!("`$ref: {reference}` points outside this file; only local references (`#/components/...`) are supported"),
        ));
        return;
    };
    let segments: Vec<&str> = pointer.split('/').skip(1).collect();
    let well_formed = segments.len() == 3 && segments[0] == "components";
    if root.pointer(pointer).is_none() || !well_formed {
        let what = if well_formed {
            "resolves to nothing"
        } else {
            "is not of the form `#/components/<section>/<name>`"
        };
        problems.push(Problem::new(
            location,
            format!("`$ref: {reference}` {what}"),
        ));
        return;
    }
    if let Some(section) = kind.section()
        && segments[1] != section
    {
        problems.push(Problem::new(
            location,
            format!("`$ref: {reference}` must point into `#/components/{section}/` here"),
        ));
    }
}
