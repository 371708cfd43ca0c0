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
                    column: e.column(),
                },
                format!("invalid JSON: {}", strip_position(&e.to_string())),
            )]
        })?
    } else {
        serde_norway::from_str(text).map_err(|e| vec![yaml_problem("invalid YAML", &e)])?
    };

    check_version(&tree)?;

    // Parse the typed model from the text rather than from `tree`, so that a
    // structural error keeps its line number as well as its field path.
    let spec = if is_json {
        let mut de = serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize::<_, OpenAPI>(&mut de).map_err(|e| {
            let inner = e.inner();
            vec![Problem::new(
                Location::Line {
                    line: inner.line(),
                    column: inner.column(),
                },
                format!("at `{}`: {}", e.path(), strip_position(&inner.to_string())),
            )]
        })?
    } else {
        let de = serde_norway::Deserializer::from_str(text);
        serde_path_to_error::deserialize::<_, OpenAPI>(de).map_err(|e| {
            // serde_norway's message already starts with the field path.
            vec![yaml_problem("not a valid OpenAPI document", e.inner())]
        })?
    };
    Ok(Document { spec, tree })
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
fn strip_position(message: &str) -> String {
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
