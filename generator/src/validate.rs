//! Checks run before progenitor, so that every problem progenitor would panic
//! on, or would turn into code that does not compile, is reported instead,
//! naming the operation or schema it concerns.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use openapiv3::{
    Components, OpenAPI, Operation, Parameter, ParameterSchemaOrContent, ReferenceOr, Response,
    Schema, SchemaKind, Type,
};
use serde_json::Value;

use crate::load::Document;
use crate::names::{
    RESERVED_BUILDER_TYPES, RESERVED_CLIENT_METHODS, RESERVED_PARAMETERS, member_name, type_name,
};
use crate::{Config, Location, Problem};

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

pub(crate) fn is_http_method(key: &str) -> bool {
    HTTP_METHODS.contains(&key)
}

/// The fields of a path item besides its operations.
const PATH_ITEM_FIELDS: &[&str] = &["$ref", "summary", "description", "servers", "parameters"];

/// Keys whose values are data or annotations, never schemas or references
/// (an example body may well contain a `$ref` key of its own).
const DATA_KEYS: &[&str] = &["example", "examples", "default", "enum"];

/// Annotations that do not change the type a schema generates.
const ANNOTATION_KEYS: &[&str] = &[
    "description",
    "example",
    "examples",
    "externalDocs",
    "deprecated",
];

/// Component sections whose entries may be given by `$ref`, and the
/// progenitor lookup that follows such references without a cycle check.
const REFERABLE_SECTIONS: &[&str] = &["schemas", "parameters", "responses", "requestBodies"];

pub(crate) fn validate(document: &Document, config: &Config) -> Result<(), Vec<Problem>> {
    let mut problems = Vec::new();
    check_structure(&document.tree, &mut problems);
    check_refs(&document.tree, &mut problems);
    check_ref_cycles(&document.tree, &mut problems);
    check_operations(&document.spec, &mut problems);
    check_type_names(&document.tree, &mut problems);
    check_replacements(&document.spec, config, &mut problems);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

// ---------------------------------------------------------------------------
// Structure the typed model forgives

/// openapiv3 silently drops a path that does not start with `/` and ignores
/// unknown keys in a path item (`gett:`), so a typo would lose an endpoint
/// without a word.
fn check_structure(tree: &Value, problems: &mut Vec<Problem>) {
    let Some(Value::Object(paths)) = tree.get("paths") else {
        return;
    };
    for (route, item) in paths {
        if route.starts_with("x-") {
            continue;
        }
        let location = Location::Field(format!("paths.{route}"));
        if !route.starts_with('/') {
            problems.push(Problem::new(
                location.clone(),
                "a path must start with `/`; this one would be ignored",
            ));
        }
        let Value::Object(fields) = item else {
            continue;
        };
        for key in fields.keys() {
            let known = HTTP_METHODS.contains(&key.as_str())
                || PATH_ITEM_FIELDS.contains(&key.as_str())
                || key.starts_with("x-");
            if !known {
                problems.push(Problem::new(
                    location.clone(),
                    format!(
                        "`{key}` is not an HTTP method or path-item field (expected one of {}); it would be ignored",
                        HTTP_METHODS.join(", ")
                    ),
                ));
            }
        }
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
    // Rust method name -> (operationId, "METHOD /path") that claimed it
    let mut methods: HashMap<String, (String, String)> = HashMap::new();
    for (route, item) in &spec.paths.paths {
        let ReferenceOr::Item(item) = item else {
            problems.push(Problem::new(
                Location::Field(format!("paths.{route}")),
                "a path item given by `$ref` is not supported; write the operations out",
            ));
            continue;
        };
        for (method, operation) in item.iter() {
            let here = format!("{} {route}", method.to_uppercase());
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
                    let rust = member_name(id);
                    if let Some((first_id, first_here)) = methods.get(&rust) {
                        report(if first_id == id {
                            format!(
                                "{here} uses the same `operationId` as {first_here}; operationIds must be unique"
                            )
                        } else {
                            format!(
                                "{here} generates the method `{rust}`, as does `{first_id}` ({first_here}); operationIds must stay unique once turned into Rust names"
                            )
                        });
                    } else if RESERVED_CLIENT_METHODS.contains(&rust.as_str())
                        || RESERVED_BUILDER_TYPES.contains(&type_name(id).as_str())
                    {
                        report(format!(
                            "generates `{rust}` / `{}`, which progenitor already uses for its own items; choose another operationId",
                            type_name(id)
                        ));
                    } else {
                        methods.insert(rust, (id.to_string(), here));
                    }
                }
            }
            let parameters = merged_parameters(&item.parameters, &operation.parameters, components);
            check_parameters(route, &parameters, components, &mut report);
            check_request_body(operation, components, &mut report);
            check_responses(operation, components, &mut report);
        }
    }
}

/// Path-level parameters overridden by operation-level ones of the same name,
/// as progenitor merges them (by name only).
fn merged_parameters<'a>(
    path_level: &'a [ReferenceOr<Parameter>],
    operation_level: &'a [ReferenceOr<Parameter>],
    components: &'a Option<Components>,
) -> Vec<&'a Parameter> {
    let mut merged: Vec<&Parameter> = Vec::new();
    for parameter in path_level.iter().chain(operation_level) {
        let Some(parameter) = resolve(parameter, components, |c, n| c.parameters.get(n)) else {
            continue;
        };
        let name = &parameter.parameter_data_ref().name;
        match merged
            .iter_mut()
            .find(|p| p.parameter_data_ref().name == *name)
        {
            Some(slot) => *slot = parameter,
            None => merged.push(parameter),
        }
    }
    merged
}

fn check_parameters(
    route: &str,
    parameters: &[&Parameter],
    components: &Option<Components>,
    report: &mut impl FnMut(String),
) {
    let in_route: BTreeSet<&str> = route_parameters(route);
    let mut declared = BTreeSet::new();
    let mut rust_names: HashMap<String, &str> = HashMap::new();
    for parameter in parameters {
        let data = parameter.parameter_data_ref();
        let rust = member_name(&data.name);
        if let Some(first) = rust_names.get(&rust) {
            report(format!(
                "parameters `{first}` and `{}` both become `{rust}` in Rust; rename one",
                data.name
            ));
        } else if RESERVED_PARAMETERS.contains(&rust.as_str()) {
            report(format!(
                "parameter `{}` would be the builder method `{rust}`, which the builder already has",
                data.name
            ));
        }
        rust_names.insert(rust, data.name.as_str());
        let schema = match &data.format {
            ParameterSchemaOrContent::Content(_) => {
                report(format!(
                    "parameter `{}` uses `content`; only `schema` is supported",
                    data.name
                ));
                None
            }
            ParameterSchemaOrContent::Schema(schema) => {
                resolve(schema, components, |c, n| c.schemas.get(n))
            }
        };
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
                if let Some(schema) = schema
                    && !is_scalar(schema)
                {
                    report(format!(
                        "path parameter `{}` must be a string, number, integer or boolean: it is written into the URL",
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

fn is_scalar(schema: &Schema) -> bool {
    matches!(
        schema.schema_kind,
        SchemaKind::Type(Type::String(_) | Type::Number(_) | Type::Integer(_) | Type::Boolean(_))
    )
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
    for (media_type, media) in &body.content {
        // progenitor matches the text before any `;` exactly, spaces included.
        let essence = media_type.split(';').next().unwrap_or_default();
        if !REQUEST_MEDIA_TYPES.contains(&essence) {
            report(format!(
                "request body media type `{media_type}` cannot be generated (supported: {})",
                REQUEST_MEDIA_TYPES.join(", ")
            ));
        }
        if !media.encoding.is_empty() {
            report(format!(
                "request body `{media_type}` uses `encoding`, which is not supported"
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
            ResponseKind::Typed { label, .. } => label.clone(),
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

/// Components of one kind, looked up by name.
type Section<'a, T> = fn(&'a Components, &str) -> Option<&'a ReferenceOr<T>>;

/// Follows `$ref`s (a few hops at most: cycles are reported by
/// `check_ref_cycles`) to the item; `None` when one resolves to nothing.
fn resolve<'a, T>(
    item: &'a ReferenceOr<T>,
    components: &'a Option<Components>,
    section: Section<'a, T>,
) -> Option<&'a T> {
    let mut current = item;
    for _ in 0..16 {
        match current {
            ReferenceOr::Item(item) => return Some(item),
            ReferenceOr::Reference { reference } => {
                let name = reference.rsplit('/').next()?;
                current = section(components.as_ref()?, name)?;
            }
        }
    }
    None
}

// ---------------------------------------------------------------------------
// Components

/// A component that is nothing but a reference to another: progenitor follows
/// such chains without a cycle check (a ring of parameters or responses
/// overflows its stack), and a ring of schemas generates `struct A(B)` and
/// `struct B(A)`, which does not compile.
fn check_ref_cycles(tree: &Value, problems: &mut Vec<Problem>) {
    for section in REFERABLE_SECTIONS {
        let Some(Value::Object(entries)) = tree.pointer(&format!("/components/{section}")) else {
            continue;
        };
        let prefix = format!("#/components/{section}/");
        let alias_of = |name: &str| -> Option<String> {
            let entry = entries.get(name)?;
            let reference = entry.get("$ref").or_else(|| {
                // `allOf: [{$ref}]` and the like are aliases as well.
                ["allOf", "anyOf", "oneOf"].iter().find_map(|key| {
                    match entry.get(key)?.as_array()?.as_slice() {
                        [only] if *section == "schemas" => only.get("$ref"),
                        _ => None,
                    }
                })
            })?;
            reference
                .as_str()?
                .strip_prefix(&prefix)
                .map(str::to_string)
        };
        let mut reported = BTreeSet::new();
        for start in entries.keys() {
            let mut chain = vec![start.clone()];
            while let Some(next) = alias_of(chain.last().expect("chain starts non-empty")) {
                if let Some(position) = chain.iter().position(|n| *n == next) {
                    let ring: BTreeSet<String> = chain[position..].iter().cloned().collect();
                    if reported.insert(ring) {
                        let mut shown = chain[position..].to_vec();
                        shown.push(next);
                        let location = if *section == "schemas" {
                            Location::Schema(chain[position].clone())
                        } else {
                            Location::Field(format!("components.{section}.{}", chain[position]))
                        };
                        problems.push(Problem::new(
                            location,
                            format!(
                                "{section} refer only to each other in a cycle ({}); point one of them at a definition",
                                shown.join(" -> ")
                            ),
                        ));
                    }
                    break;
                }
                if chain.len() > entries.len() {
                    break;
                }
                chain.push(next);
            }
        }
    }
}

/// Two different schemas that produce the same Rust type name make progenitor
/// emit that type twice, and the output does not compile. typify names a
/// component after its key; a `title` names the type of a nullable
/// component's inner value (GitHub's `nullable-simple-user`, titled "Simple
/// User", then clashes with `simple-user`) and of an inline schema.
fn check_type_names(tree: &Value, problems: &mut Vec<Problem>) {
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
                if DATA_KEYS.contains(&key.as_str()) {
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

/// A replacement for a schema the spec does not have would silently fall
/// back to typify's strict enum.
fn check_replacements(spec: &OpenAPI, config: &Config, problems: &mut Vec<Problem>) {
    for (schema, rust_path) in &config.replacements {
        let exists = spec
            .components
            .as_ref()
            .is_some_and(|c| c.schemas.contains_key(schema));
        if !exists {
            problems.push(Problem::new(
                Location::Document,
                format!(
                    "the generator replaces schema `{schema}` with `{rust_path}`, but the spec has no such schema under `components/schemas`"
                ),
            ));
        }
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
