//! Response checks: one success type and one error type per operation, as
//! progenitor requires, and JSON responses that have a schema.

use std::collections::BTreeSet;

use openapiv3::{Components, Operation, ReferenceOr, Response, Schema, SchemaKind, Type};
use serde_json::Value;

use super::resolve;

/// Annotations that do not change the type a schema generates.
const ANNOTATION_KEYS: &[&str] = &[
    "description",
    "example",
    "examples",
    "externalDocs",
    "deprecated",
];

/// What progenitor makes of one response: the decoded type, raw bytes, or nothing.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
enum ResponseKind {
    Typed { label: String, identity: String },
    Raw,
    Upgrade,
    Empty,
}

impl ResponseKind {
    fn describe(&self) -> String {
        match self {
            ResponseKind::Typed { label, .. } => label.clone(),
            ResponseKind::Raw => "a non-JSON body".to_string(),
            ResponseKind::Upgrade => "a connection upgrade".to_string(),
            ResponseKind::Empty => "no body".to_string(),
        }
    }
}

pub(super) fn check_responses(
    operation: &Operation,
    components: &Option<Components>,
    report: &mut impl FnMut(String),
) {
    let mut success = Vec::new();
    let mut errors = Vec::new();
    let default = operation
        .responses
        .default
        .as_ref()
        .map(|r| ("default".to_string(), r));
    let listed = operation
        .responses
        .responses
        .iter()
        .map(|(status, r)| (status.to_string(), r));
    for (status, response) in listed.chain(default) {
        let Some(response) = resolve(response, components, |c, n| c.responses.get(n)) else {
            continue;
        };
        let Some(kind) = response_kind(&status, response, report) else {
            continue;
        };
        let class = status_class(&status);
        if matches!(class, StatusClass::Success | StatusClass::Default) {
            success.push((status.clone(), kind.clone()));
        }
        if matches!(class, StatusClass::Error | StatusClass::Default) {
            errors.push((status, kind));
        }
    }
    // progenitor drops `default` from the success side when `2XX` covers it.
    if success.iter().any(|(status, _)| status == "2XX") {
        success.retain(|(status, _)| status != "default");
    }
    report_mixed(&success, "success", "one success type", report);
    report_mixed(
        &errors,
        "error",
        "one error type; give every error response the same schema",
        report,
    );
}

fn report_mixed(
    responses: &[(String, ResponseKind)],
    side: &str,
    requirement: &str,
    report: &mut impl FnMut(String),
) {
    let kinds: BTreeSet<&ResponseKind> = responses.iter().map(|(_, kind)| kind).collect();
    if kinds.len() > 1 {
        let listing: Vec<String> = responses
            .iter()
            .map(|(status, kind)| format!("{status}: {}", kind.describe()))
            .collect();
        report(format!(
            "{side} responses have different types ({}); progenitor requires {requirement}",
            listing.join(", ")
        ));
    }
}

enum StatusClass {
    Success,
    Error,
    Default,
    Other,
}

fn status_class(status: &str) -> StatusClass {
    if status == "default" {
        return StatusClass::Default;
    }
    match status.chars().next() {
        Some('2') => StatusClass::Success,
        Some('4' | '5') => StatusClass::Error,
        _ if status == "101" => StatusClass::Success,
        _ => StatusClass::Other,
    }
}

fn response_kind(
    status: &str,
    response: &Response,
    report: &mut impl FnMut(String),
) -> Option<ResponseKind> {
    let json = response
        .content
        .iter()
        .find(|(media_type, _)| {
            *media_type == "application/json" || media_type.starts_with("application/json;")
        })
        .map(|(_, media)| media);
    if let Some(media) = json {
        let Some(schema) = &media.schema else {
            report(format!(
                "response {status} declares `application/json` without a `schema`"
            ));
            return None;
        };
        if !media.encoding.is_empty() {
            report(format!(
                "response {status} uses `encoding`, which is not supported"
            ));
            return None;
        }
        let (label, identity) = match schema {
            ReferenceOr::Reference { reference } => {
                let name = reference.rsplit('/').next().unwrap_or_default().to_string();
                (format!("`{name}`"), name)
            }
            ReferenceOr::Item(item) => {
                let mut shape = serde_json::to_value(item).unwrap_or_default();
                strip_annotations(&mut shape);
                (describe_inline(item), shape.to_string())
            }
        };
        return Some(ResponseKind::Typed { label, identity });
    }
    Some(if status == "101" {
        ResponseKind::Upgrade
    } else if response.content.is_empty() {
        ResponseKind::Empty
    } else {
        ResponseKind::Raw
    })
}

fn describe_inline(schema: &Schema) -> String {
    match &schema.schema_kind {
        SchemaKind::Type(Type::Array(array)) => match &array.items {
            Some(ReferenceOr::Reference { reference }) => format!(
                "an inline array of `{}`",
                reference.rsplit('/').next().unwrap_or_default()
            ),
            _ => "an inline array".to_string(),
        },
        SchemaKind::Type(Type::Object(_)) => "an inline object".to_string(),
        _ => "an inline schema".to_string(),
    }
}

fn strip_annotations(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|key, _| !ANNOTATION_KEYS.contains(&key.as_str()));
            map.values_mut().for_each(strip_annotations);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_annotations),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_classes() {
        assert!(matches!(status_class("204"), StatusClass::Success));
        assert!(matches!(status_class("2XX"), StatusClass::Success));
        assert!(matches!(status_class("404"), StatusClass::Error));
        assert!(matches!(status_class("default"), StatusClass::Default));
        assert!(matches!(status_class("302"), StatusClass::Other));
    }
}
