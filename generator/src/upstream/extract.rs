//! The packages part of GitHub's description: the operations tagged
//! `packages` (with their path items' parameters) and every component they
//! reference, followed transitively, without prose or examples.
//!
//! This is what the comparison reads and what the pinned fixture holds: the
//! rest of the 13 MB description is other APIs, and prose and examples are
//! not compared.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::{Location, Problem};

/// Keys dropped wherever they are not a property's name: prose, examples and
/// GitHub's documentation metadata, never compared and most of the bytes.
const DROPPED: &[&str] = &[
    "description",
    "summary",
    "externalDocs",
    "example",
    "examples",
    "x-github",
];

/// The packages part of `root` (an OpenAPI 3 description): `openapi`,
/// `info.title` and `info.version`, the `packages` operations, and the
/// components they reach. Fails on a `$ref` that is not a local component
/// reference or names a component that does not exist.
pub(super) fn packages_subset(root: &Value) -> Result<Value, Vec<Problem>> {
    let paths = packages_paths(root);
    let mut reach = Reach {
        root,
        needed: BTreeSet::new(),
        problems: Vec::new(),
    };
    reach.collect(&paths, "paths");
    if !reach.problems.is_empty() {
        return Err(reach.problems);
    }
    let mut components = Map::new();
    for (section, name) in &reach.needed {
        let component = strip(&root["components"][section][name], false);
        let entry = components
            .entry(section.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        entry[name] = component;
    }
    let mut info = Map::new();
    for key in ["title", "version"] {
        if let Some(value) = root.pointer(&format!("/info/{key}")) {
            info.insert(key.to_string(), value.clone());
        }
    }
    let mut subset = Map::new();
    subset.insert("openapi".to_string(), root["openapi"].clone());
    subset.insert("info".to_string(), Value::Object(info));
    subset.insert("paths".to_string(), paths);
    subset.insert("components".to_string(), Value::Object(components));
    Ok(Value::Object(subset))
}

/// The path items that have an operation tagged `packages`, with only those
/// operations and the item's own `parameters`, stripped.
fn packages_paths(root: &Value) -> Value {
    let mut kept_paths = Map::new();
    let Some(paths) = root.get("paths").and_then(Value::as_object) else {
        return Value::Object(kept_paths);
    };
    for (route, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        let mut kept: Map<String, Value> = item
            .iter()
            .filter(|(_, operation)| is_packages_operation(operation))
            .map(|(method, operation)| (method.clone(), strip(operation, false)))
            .collect();
        if kept.is_empty() {
            continue;
        }
        if let Some(parameters) = item.get("parameters") {
            kept.insert("parameters".to_string(), strip(parameters, false));
        }
        kept_paths.insert(route.clone(), Value::Object(kept));
    }
    Value::Object(kept_paths)
}

fn is_packages_operation(operation: &Value) -> bool {
    operation
        .get("tags")
        .and_then(Value::as_array)
        .is_some_and(|tags| tags.iter().any(|tag| tag == "packages"))
}

/// `node` without the [`DROPPED`] keys; inside a `properties` map every key
/// is a property's name and is kept (a property may be called
/// `description`), and each property is a schema again.
fn strip(node: &Value, in_properties: bool) -> Value {
    match node {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(key, _)| in_properties || !DROPPED.contains(&key.as_str()))
                .map(|(key, value)| {
                    let is_property_map = key == "properties" && !in_properties;
                    (key.clone(), strip(value, is_property_map))
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|item| strip(item, false)).collect()),
        other => other.clone(),
    }
}

/// The components reached from the kept operations, found by following
/// every `$ref` of the stripped nodes.
struct Reach<'a> {
    root: &'a Value,
    /// `(section, name)`: `("schemas", "package")`.
    needed: BTreeSet<(String, String)>,
    problems: Vec<Problem>,
}

impl Reach<'_> {
    /// Adds every component `node` (at the dotted `at`) references, and
    /// theirs.
    fn collect(&mut self, node: &Value, at: &str) {
        match node {
            Value::Object(map) => {
                for (key, value) in map {
                    match (key.as_str(), value) {
                        ("$ref", Value::String(target)) => self.follow(target, at),
                        _ => self.collect(value, &format!("{at}.{key}")),
                    }
                }
            }
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    self.collect(item, &format!("{at}.{index}"));
                }
            }
            _ => {}
        }
    }

    fn follow(&mut self, target: &str, at: &str) {
        let problem =
            |message: String| Problem::new(Location::Field(format!("{at}.$ref")), message);
        let tokens: Vec<String> = target
            .split('/')
            .map(|token| token.replace("~1", "/").replace("~0", "~"))
            .collect();
        let (section, name) = match tokens.as_slice() {
            [hash, components, section, name] if hash == "#" && components == "components" => {
                (section.as_str(), name.as_str())
            }
            _ => {
                self.problems.push(problem(format!(
                    "`{target}` is not a reference to a component (`#/components/SECTION/NAME`)"
                )));
                return;
            }
        };
        let key = (section.to_string(), name.to_string());
        if self.needed.contains(&key) {
            return;
        }
        let Some(component) = self
            .root
            .get("components")
            .and_then(|c| c.get(section))
            .and_then(|s| s.get(name))
        else {
            self.problems
                .push(problem(format!("`{target}` names no component")));
            return;
        };
        self.needed.insert(key);
        self.collect(
            &strip(component, false),
            &format!("components.{section}.{name}"),
        );
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_property_called_description_is_kept_and_prose_is_not() {
        let schema = json!({
            "description": "prose",
            "properties": {
                "description": {"type": "string", "description": "prose"},
                "properties": {"type": "object", "properties": {"summary": {"type": "string"}}}
            },
            "items": [{"example": 1, "type": "integer"}]
        });
        assert_eq!(
            strip(&schema, false),
            json!({
                "properties": {
                    "description": {"type": "string"},
                    "properties": {"type": "object", "properties": {"summary": {"type": "string"}}}
                },
                "items": [{"type": "integer"}]
            })
        );
    }

    #[test]
    fn a_reference_outside_the_components_or_to_nothing_is_a_problem() {
        let root = json!({
            "openapi": "3.0.3",
            "paths": {"/x": {"get": {"tags": ["packages"], "responses": {
                "200": {"$ref": "#/components/responses/missing"},
                "404": {"$ref": "other.json#/x"}
            }}}}
        });
        let problems = packages_subset(&root).expect_err("two bad references");
        let lines: Vec<String> = problems
            .iter()
            .map(|p| format!("{}{}", p.location, p.message))
            .collect();
        assert_eq!(
            lines,
            [
                "at `paths./x.get.responses.200.$ref`: `#/components/responses/missing` names no component",
                "at `paths./x.get.responses.404.$ref`: `other.json#/x` is not a reference to a component (`#/components/SECTION/NAME`)",
            ]
        );
    }
}
