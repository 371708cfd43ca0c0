//! Navigating a raw OpenAPI tree: node paths, `$ref`s followed, schema
//! traits, and the readable name of where a node sits (its operation or
//! schema).

use serde_json::Value;

/// A node's path from the document root: JSON-pointer tokens, unescaped.
pub(super) type Path = Vec<String>;

/// Follows local `$ref`s from `value` (at `path`) to the node they name, a
/// few hops at most; a reference that resolves to nothing is returned as it
/// is (and then compares as a schema without type).
pub(super) fn resolve(root: &Value, path: &[String], value: &Value) -> (Path, Value) {
    let mut path = path.to_vec();
    let mut value = value.clone();
    for _ in 0..16 {
        let Some(target) = value.get("$ref").and_then(Value::as_str) else {
            break;
        };
        let Some(pointer) = target.strip_prefix('#') else {
            break;
        };
        let Some(found) = root.pointer(pointer) else {
            break;
        };
        path = pointer
            .split('/')
            .skip(1)
            .map(|token| token.replace("~1", "/").replace("~0", "~"))
            .collect();
        value = found.clone();
    }
    (path, value)
}

/// `path` extended by `tokens`.
pub(super) fn child(path: &[String], tokens: &[&str]) -> Path {
    let mut extended = path.to_vec();
    extended.extend(tokens.iter().map(|token| token.to_string()));
    extended
}

/// The schema's type: its `type`, else what its keywords imply, else `any`.
pub(super) fn type_of(schema: &Value) -> String {
    match schema.get("type") {
        Some(Value::String(name)) => name.clone(),
        Some(Value::Array(names)) => names
            .iter()
            .filter_map(Value::as_str)
            .filter(|name| *name != "null")
            .collect::<Vec<_>>()
            .join("|"),
        _ if schema.get("properties").is_some() => "object".to_string(),
        _ if schema.get("items").is_some() => "array".to_string(),
        _ => "any".to_string(),
    }
}

/// Whether the schema admits `null` (OpenAPI 3.0's `nullable`, or 3.1's
/// `type: [T, "null"]`).
pub(super) fn is_nullable(schema: &Value) -> bool {
    schema.get("nullable") == Some(&Value::Bool(true))
        || schema
            .get("type")
            .and_then(Value::as_array)
            .is_some_and(|names| names.iter().any(|name| name == "null"))
}

/// A field's value as text for a report line, `none` when absent.
pub(super) fn shown(value: Option<&Value>) -> String {
    match value {
        None => "none".to_string(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

/// The operationId without GitHub's `packages/` prefix.
pub(super) fn operation_id(operation: &Value) -> Option<String> {
    let id = operation.get("operationId")?.as_str()?;
    Some(id.strip_prefix("packages/").unwrap_or(id).to_string())
}

/// Where a node of the curated spec sits, for the report: the group
/// (`operation x`, `schema Package`, `parameter per_page`, `document`) and
/// the place inside it (`.owner`, `response 200[]`, empty for the group's
/// own node).
pub(super) fn place(root: &Value, path: &[String]) -> (String, String) {
    let tokens: Vec<&str> = path.iter().map(String::as_str).collect();
    match tokens.as_slice() {
        [] => ("document".to_string(), String::new()),
        ["paths", route, method, rest @ ..] => {
            let id = root
                .get("paths")
                .and_then(|paths| paths.get(*route))
                .and_then(|item| item.get(*method))
                .and_then(operation_id)
                .unwrap_or_else(|| format!("{} {route}", method.to_uppercase()));
            (format!("operation {id}"), inner_place(rest))
        }
        ["components", "schemas", name, rest @ ..] => (format!("schema {name}"), inner_place(rest)),
        ["components", "parameters", name, rest @ ..] => {
            (format!("parameter {name}"), inner_place(rest))
        }
        ["components", "responses", name, rest @ ..] => {
            (format!("response {name}"), inner_place(rest))
        }
        _ => ("document".to_string(), path.join(".")),
    }
}

/// `responses/200/content/application~1json/schema/items/properties/id`
/// reads `response 200[].id`.
fn inner_place(tokens: &[&str]) -> String {
    let mut text = String::new();
    let mut rest = tokens;
    while let Some((first, tail)) = rest.split_first() {
        match (*first, tail) {
            ("responses", [status, tail @ ..]) => {
                text.push_str(&format!("response {status}"));
                rest = tail;
            }
            ("content", [_media, "schema", tail @ ..]) => rest = tail,
            ("properties", [name, tail @ ..]) => {
                text.push_str(&format!(".{name}"));
                rest = tail;
            }
            ("items", tail) => {
                text.push_str("[]");
                rest = tail;
            }
            ("schema", tail) => rest = tail,
            (other, tail) => {
                text.push_str(&format!(".{other}"));
                rest = tail;
            }
        }
    }
    text.trim_start_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_read_like_the_spec() {
        let root = serde_json::json!({
            "paths": {"/x": {"get": {"operationId": "packages/get-x"}}}
        });
        let path = |tokens: &[&str]| tokens.iter().map(|t| t.to_string()).collect::<Vec<_>>();
        assert_eq!(
            place(
                &root,
                &path(&[
                    "paths",
                    "/x",
                    "get",
                    "responses",
                    "200",
                    "content",
                    "application/json",
                    "schema",
                    "items"
                ])
            ),
            ("operation get-x".to_string(), "response 200[]".to_string())
        );
        assert_eq!(
            place(
                &root,
                &path(&["components", "schemas", "Package", "properties", "owner"])
            ),
            ("schema Package".to_string(), "owner".to_string())
        );
        assert_eq!(place(&root, &[]), ("document".to_string(), String::new()));
    }
}
