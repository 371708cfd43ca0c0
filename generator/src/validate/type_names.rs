//! Type-name checks: no two schemas produce the same Rust type name.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{DATA_KEYS, location_of};
use crate::names::type_name;
use crate::{Location, Problem};

/// Two different schemas that produce the same Rust type name make progenitor
/// emit that type twice, and the output does not compile. typify names a
/// component after its key; a `title` names the type of a nullable
/// component's inner value (GitHub's `nullable-simple-user`, titled "Simple
/// User", then clashes with `simple-user`) and of an inline schema.
pub(super) fn check_type_names(tree: &Value, problems: &mut Vec<Problem>) {
    // Rust name -> (where it came from, the schema's text if it may be shared)
    let mut names: BTreeMap<String, (String, Option<String>)> = BTreeMap::new();
    let mut claim = |rust_name: String, origin: String, text: Option<String>, at: Location| {
        match names.get(&rust_name) {
            Some((_, Some(first_text))) if text.as_ref() == Some(first_text) => {}
            Some((first, _)) => problems.push(Problem::new(
                at,
                format!(
                    "{origin} produces the Rust type name `{rust_name}`, as does {first}; rename one of them or change its `title`"
                ),
            )),
            None => {
                names.insert(rust_name, (origin, text));
            }
        }
    };
    let schemas = match tree.pointer("/components/schemas") {
        Some(Value::Object(schemas)) => Some(schemas),
        _ => None,
    };
    for (key, schema) in schemas.into_iter().flatten() {
        claim(
            type_name(key),
            format!("schema `{key}`"),
            None,
            Location::Schema(key.clone()),
        );
        let nullable = schema.get("nullable") == Some(&Value::Bool(true));
        if let (true, Some(Value::String(title))) = (nullable, schema.get("title")) {
            claim(
                type_name(title),
                format!("the nullable schema `{key}` (by its title `{title}`)"),
                None,
                Location::Schema(key.clone()),
            );
        }
    }
    let mut titled = Vec::new();
    collect_titles(tree, &mut Vec::new(), &mut titled);
    for (path, title, schema) in titled {
        let is_component = path.len() == 3 && path[0] == "components" && path[1] == "schemas";
        if is_component {
            continue;
        }
        claim(
            type_name(&title),
            format!("the schema titled `{title}` at `{}`", path.join(".")),
            Some(schema.to_string()),
            location_of(tree, &path),
        );
    }
}

fn collect_titles<'a>(
    node: &'a Value,
    path: &mut Vec<String>,
    found: &mut Vec<(Vec<String>, String, &'a Value)>,
) {
    match node {
        Value::Object(map) => {
            let is_schema = [
                "type",
                "properties",
                "enum",
                "allOf",
                "anyOf",
                "oneOf",
                "items",
            ]
            .iter()
            .any(|k| map.contains_key(*k));
            if let (true, Some(Value::String(title))) = (is_schema, map.get("title")) {
                found.push((path.clone(), title.clone(), node));
            }
            for (key, child) in map {
                // Extensions (`x-departure`, ...) hold no schemas.
                if DATA_KEYS.contains(&key.as_str()) || key.starts_with("x-") {
                    continue;
                }
                path.push(key.clone());
                collect_titles(child, path, found);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                path.push(index.to_string());
                collect_titles(child, path, found);
                path.pop();
            }
        }
        _ => {}
    }
}
