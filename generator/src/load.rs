//! Parsing spec text (YAML or JSON) into the typed OpenAPI model.

use openapiv3::OpenAPI;
use serde_json::Value;

use crate::{Location, Problem};

/// A parsed spec: the typed model for progenitor and the raw tree for checks
/// the typed model cannot express (every `$ref`, for instance).
pub(crate) struct Document {
    pub spec: OpenAPI,
    pub tree: Value,
}

pub(crate) fn load(spec_name: &str, text: &str) -> Result<Document, Vec<Problem>> {
    let is_json = spec_name.ends_with(".json");
    let tree: Value = if is_json {
        serde_json::from_str(text).map_err(|e| {
            vec![Problem::new(
                Location::Line {
                    line: e.line(),
                    column: e.column().max(1),
                },
                format!("invalid JSON: {}", strip_position(&e.to_string())),
            )]
        })?
    } else {
        // Through serde_norway's own `Value`: it refuses duplicate keys (a
        // second `Package:` schema would otherwise silently win) and applies
        // `<<` merge keys.
        let mut yaml: serde_norway::Value =
            serde_norway::from_str(text).map_err(|e| vec![yaml_problem("invalid YAML", &e)])?;
        yaml.apply_merge()
            .map_err(|e| vec![yaml_problem("invalid YAML merge key", &e)])?;
        serde_json::to_value(yaml).map_err(|e| {
            vec![Problem::new(
                Location::Document,
                format!("cannot be read as JSON-compatible data: {e}"),
            )]
        })?
    };

    check_version(&tree)?;

    let spec = serde_json::from_value::<OpenAPI>(tree.clone())
        .map_err(|whole| structural_problems(&tree, &whole))?;
    Ok(Document { spec, tree })
}

/// openapiv3 flattens path items, operations and schemas, so serde loses the
/// position of an error inside them. Parse each operation and component on
/// its own to name the one at fault.
fn structural_problems(tree: &Value, whole: &serde_json::Error) -> Vec<Problem> {
    let mut problems = Vec::new();
    if let Some(Value::Object(paths)) = tree.get("paths") {
        for (route, item) in paths {
            let Value::Object(item) = item else { continue };
            for (method, operation) in item {
                if !crate::validate::is_http_method(method) {
                    continue;
                }
                if let Err(message) = parse_part::<openapiv3::Operation>(operation) {
                    let id = operation.get("operationId").and_then(Value::as_str);
                    let label = match id {
                        Some(id) => id.to_string(),
                        None => format!("{} {route}", method.to_uppercase()),
                    };
                    problems.push(Problem::new(Location::Operation(label), message));
                }
            }
        }
    }
    if let Some(Value::Object(schemas)) = tree.pointer("/components/schemas") {
        for (name, schema) in schemas {
            if let Err(message) = parse_part::<openapiv3::ReferenceOr<openapiv3::Schema>>(schema) {
                problems.push(Problem::new(Location::Schema(name.clone()), message));
            }
        }
    }
    for section in ["parameters", "responses", "requestBodies"] {
        let Some(Value::Object(entries)) = tree.pointer(&format!("/components/{section}")) else {
            continue;
        };
        for (name, entry) in entries {
            let parsed = match section {
                "parameters" => {
                    parse_part::<openapiv3::ReferenceOr<openapiv3::Parameter>>(entry).map(drop)
                }
                "responses" => {
                    parse_part::<openapiv3::ReferenceOr<openapiv3::Response>>(entry).map(drop)
                }
                _ => parse_part::<openapiv3::ReferenceOr<openapiv3::RequestBody>>(entry).map(drop),
            };
            if let Err(message) = parsed {
                problems.push(Problem::new(
                    Location::Field(format!("components.{section}.{name}")),
                    message,
                ));
            }
        }
    }
    if problems.is_empty() {
        problems.push(Problem::new(
            Location::Document,
            format!("not a valid OpenAPI document: {whole}"),
        ));
    }
    problems
}

fn parse_part<T: serde::de::DeserializeOwned>(value: &Value) -> Result<T, String> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let inner = e.inner().to_string();
        match e.path().to_string().as_str() {
            "." | "" => format!("not valid here: {inner}"),
            path => format!("at `{path}`: {inner}"),
        }
    })
}

fn yaml_problem(context: &str, error: &serde_norway::Error) -> Problem {
    let message = format!("{context}: {}", strip_position(&error.to_string()));
    match error.location() {
        Some(at) => Problem::new(
            Location::Line {
                line: at.line(),
                column: at.column(),
            },
            message,
        ),
        None => Problem::new(Location::Document, message),
    }
}

/// The parsers append " at line L column C" to their messages; the location
/// is reported separately, so drop it from the text.
pub(crate) fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(index) => message[..index].to_string(),
        None => message.to_string(),
    }
}

/// progenitor (and this generator) handle OpenAPI 3.0.x only; anything else
/// is refused up front with a message that says so, rather than with a
/// confusing structural error later.
fn check_version(tree: &Value) -> Result<(), Vec<Problem>> {
    let problem = match tree.get("openapi") {
        Some(Value::String(version)) if version.trim().starts_with("3.0.") => return Ok(()),
        Some(Value::String(version)) => format!(
            "`openapi: {version}` is not supported: this generator (like progenitor) handles OpenAPI 3.0.x only"
        ),
        Some(other) => {
            format!("`openapi` must be a version string such as \"3.0.3\", found `{other}`")
        }
        None if tree.get("swagger").is_some() => {
            "this is a Swagger 2.0 document: convert it to OpenAPI 3.0.x".to_string()
        }
        None => "not an OpenAPI document: there is no `openapi` field (expected `openapi: 3.0.3`)"
            .to_string(),
    };
    Err(vec![Problem::new(Location::Document, problem)])
}
