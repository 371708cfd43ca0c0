//! Checks run before progenitor, so that every problem progenitor would panic
//! on, or would turn into code that does not compile, is reported instead,
//! naming the operation or schema it concerns.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use heck::ToPascalCase;
use openapiv3::{
    Components, OpenAPI, Operation, Parameter, ParameterSchemaOrContent, ReferenceOr, Response,
    Schema, SchemaKind,
};
use serde_json::Value;

use crate::load::Document;
use crate::{Location, Problem};

/// Request body media types progenitor 0.15 can generate code for.
const REQUEST_MEDIA_TYPES: &[&str] = &[
    "application/json",
    "application/octet-stream",
    "application/x-www-form-urlencoded",
    "text/plain",
    "text/x-markdown",
];

const HTTP_METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

pub(crate) fn validate(document: &Document) -> Result<(), Vec<Problem>> {
    let mut problems = Vec::new();
    check_refs(&document.tree, &mut problems);
    // The checks below look components up by name; with a dangling `$ref`
    // they would only repeat what `check_refs` said.
    if problems.is_empty() {
        check_operations(&document.spec, &mut problems);
        check_alias_cycles(&document.spec, &mut problems);
    }
    check_type_names(&document.tree, &mut problems);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

// ---------------------------------------------------------------------------
// References

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

fn check_refs(tree: &Value, problems: &mut Vec<Problem>) {
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

// ---------------------------------------------------------------------------
// Operations

fn check_operations(spec: &OpenAPI, problems: &mut Vec<Problem>) {
    let components = &spec.components;
    let mut seen_ids: HashMap<&str, String> = HashMap::new();
    for (route, item) in &spec.paths.paths {
        let ReferenceOr::Item(item) = item else {
            problems.push(Problem::new(
                Location::Field(format!("paths.{route}")),
                "a path item given by `$ref` is not supported; write the operations out",
            ));
            continue;
        };
        for (method, operation) in item.iter() {
            let label = operation_label(operation.operation_id.as_deref(), method, route);
            let mut report = |message: String| {
                problems.push(Problem::new(Location::Operation(label.clone()), message))
            };
            match operation.operation_id.as_deref() {
                None | Some("") => report(
                    "has no `operationId`; every operation needs one (it names the generated method)"
                        .to_string(),
                ),
                Some(id) => {
                    let here = format!("{} {route}", method.to_uppercase());
                    if let Some(first) = seen_ids.get(id) {
                        report(format!(
                            "`operationId` is also used by {first}; operationIds must be unique"
                        ));
                    } else {
                        seen_ids.insert(id, here);
                    }
                }
            }
            let parameters: Vec<&Parameter> = item
                .parameters
                .iter()
                .chain(&operation.parameters)
                .filter_map(|p| resolve(p, components, |c, n| c.parameters.get(n)))
                .collect();
            check_parameters(route, &parameters, &mut report);
            check_request_body(operation, components, &mut report);
            check_responses(operation, components, &mut report);
        }
    }
}

fn check_parameters(route: &str, parameters: &[&Parameter], report: &mut impl FnMut(String)) {
    let in_route: BTreeSet<&str> = route_parameters(route);
    let mut declared = BTreeSet::new();
    for parameter in parameters {
        let data = parameter.parameter_data_ref();
        if let ParameterSchemaOrContent::Content(_) = data.format {
            report(format!(
                "parameter `{}` uses `content`; only `schema` is supported",
                data.name
            ));
        }
        match parameter {
            Parameter::Path { .. } => {
                declared.insert(data.name.as_str());
                if !in_route.contains(data.name.as_str()) {
                    report(format!(
                        "path parameter `{}` is declared but `{route}` has no `{{{}}}`",
                        data.name, data.name
                    ));
                } else if !data.required {
                    report(format!(
                        "path parameter `{}` must have `required: true`",
                        data.name
                    ));
                }
            }
            Parameter::Cookie { .. } => {
                report(format!("cookie parameter `{}` is not supported", data.name))
            }
            Parameter::Query { .. } | Parameter::Header { .. } => {}
        }
    }
    for name in in_route.difference(&declared) {
        report(format!(
            "`{{{name}}}` in `{route}` is not declared as a path parameter"
        ));
    }
}

/// The `{name}` segments of a route template.
fn route_parameters(route: &str) -> BTreeSet<&str> {
    route
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect()
}

fn check_request_body(
    operation: &Operation,
    components: &Option<Components>,
    report: &mut impl FnMut(String),
) {
    let Some(body) = operation
        .request_body
        .as_ref()
        .and_then(|b| resolve(b, components, |c, n| c.request_bodies.get(n)))
    else {
        return;
    };
    if body.content.len() > 1 {
        let types: Vec<&str> = body.content.keys().map(String::as_str).collect();
        report(format!(
            "request body offers several media types ({}); progenitor generates exactly one",
            types.join(", ")
        ));
    }
    for media_type in body.content.keys() {
        let essence = media_type.split(';').next().unwrap_or_default().trim();
        if !REQUEST_MEDIA_TYPES.contains(&essence) {
            report(format!(
                "request body media type `{media_type}` cannot be generated (supported: {})",
                REQUEST_MEDIA_TYPES.join(", ")
            ));
        }
    }
}

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
            ResponseKind::Typed { label, .. } => format!("`{label}`"),
            ResponseKind::Raw => "a non-JSON body".to_string(),
            ResponseKind::Upgrade => "a connection upgrade".to_string(),
            ResponseKind::Empty => "no body".to_string(),
        }
    }
}

fn check_responses(
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
                (name.clone(), name)
            }
            ReferenceOr::Item(item) => (
                "an inline schema".to_string(),
                serde_json::to_string(item).unwrap_or_default(),
            ),
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

/// Components of one kind, looked up by name.
type Section<'a, T> = fn(&'a Components, &str) -> Option<&'a ReferenceOr<T>>;

fn resolve<'a, T>(
    item: &'a ReferenceOr<T>,
    components: &'a Option<Components>,
    section: Section<'a, T>,
) -> Option<&'a T> {
    match item {
        ReferenceOr::Item(item) => Some(item),
        ReferenceOr::Reference { reference } => {
            let name = reference.rsplit('/').next()?;
            match section(components.as_ref()?, name)? {
                ReferenceOr::Item(item) => Some(item),
                // A reference to a reference: progenitor would follow it, but
                // a curated spec has no reason to write one.
                ReferenceOr::Reference { .. } => None,
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Schemas

/// A schema that is nothing but a reference to another becomes a newtype
/// around it; a ring of those (`a -> b -> a`) generates `struct A(B)` and
/// `struct B(A)`, which does not compile.
fn check_alias_cycles(spec: &OpenAPI, problems: &mut Vec<Problem>) {
    let Some(components) = &spec.components else {
        return;
    };
    let alias_of = |name: &str| -> Option<String> {
        let target = match components.schemas.get(name)? {
            ReferenceOr::Reference { reference } => reference,
            ReferenceOr::Item(Schema {
                schema_kind:
                    SchemaKind::AllOf { all_of: refs }
                    | SchemaKind::AnyOf { any_of: refs }
                    | SchemaKind::OneOf { one_of: refs },
                ..
            }) if refs.len() == 1 => match &refs[0] {
                ReferenceOr::Reference { reference } => reference,
                ReferenceOr::Item(_) => return None,
            },
            ReferenceOr::Item(_) => return None,
        };
        target.rsplit('/').next().map(str::to_string)
    };
    let mut reported = BTreeSet::new();
    for start in components.schemas.keys() {
        let mut chain = vec![start.clone()];
        while let Some(next) = alias_of(chain.last().expect("chain starts non-empty")) {
            if let Some(position) = chain.iter().position(|n| *n == next) {
                let ring: BTreeSet<String> = chain[position..].iter().cloned().collect();
                if reported.insert(ring) {
                    let mut shown = chain[position..].to_vec();
                    shown.push(next);
                    problems.push(Problem::new(
                        Location::Schema(chain[position].clone()),
                        format!(
                            "schemas refer only to each other in a cycle ({}); the generated types would contain themselves, so give one of them properties",
                            shown.join(" -> ")
                        ),
                    ));
                }
                break;
            }
            chain.push(next);
        }
    }
}

/// Two different schemas that produce the same Rust type name make progenitor
/// emit that type twice, and the output does not compile. Names come from
/// `components/schemas` keys and from `title`s, in PascalCase.
fn check_type_names(tree: &Value, problems: &mut Vec<Problem>) {
    // Rust name -> (where it came from, the schema's text)
    let mut names: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut claim = |rust_name: String, origin: String, schema: &Value, at: Location| {
        let text = schema.to_string();
        match names.get(&rust_name) {
            Some((first, first_text)) if *first_text != text => problems.push(Problem::new(
                at,
                format!(
                    "{origin} produces the Rust type name `{rust_name}`, as does {first}; rename one of them or change its `title`"
                ),
            )),
            Some(_) => {}
            None => {
                names.insert(rust_name, (origin, text));
            }
        }
    };
    if let Some(Value::Object(schemas)) = tree.pointer("/components/schemas") {
        for (key, schema) in schemas {
            claim(
                key.to_pascal_case(),
                format!("schema `{key}`"),
                schema,
                Location::Schema(key.clone()),
            );
        }
    }
    let mut titled = Vec::new();
    collect_titles(tree, &mut Vec::new(), &mut titled);
    for (path, title, schema) in titled {
        let location = location_of(tree, &path);
        claim(
            title.to_pascal_case(),
            format!("the schema titled `{title}` at `{}`", path.join(".")),
            schema,
            location,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_parameters_are_read_from_braces() {
        let names = route_parameters("/orgs/{org}/packages/{package_type}/{package_name}");
        assert_eq!(
            names.into_iter().collect::<Vec<_>>(),
            ["org", "package_name", "package_type"]
        );
    }

    #[test]
    fn status_classes() {
        assert!(matches!(status_class("204"), StatusClass::Success));
        assert!(matches!(status_class("2XX"), StatusClass::Success));
        assert!(matches!(status_class("404"), StatusClass::Error));
        assert!(matches!(status_class("default"), StatusClass::Default));
        assert!(matches!(status_class("302"), StatusClass::Other));
    }
}
