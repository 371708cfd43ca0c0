//! The curated spec against GitHub's official description: the pinned
//! packages part of it (`tests/fixtures/upstream/`) shows no undeclared
//! difference, each kind of change GitHub could make shows up as the line a
//! maintainer needs, and the packages part of a whole description is what
//! it should be.

use github_packages_codegen::project::{SPEC, UPSTREAM_PIN as FIXTURE};
use github_packages_codegen::upstream::{Report, compare, declared_departures, packages_subset};
use serde_json::{Value, json};

use crate::common::read;

/// A small description shaped like GitHub's whole one.
const WHOLE: &str = "tests/fixtures/upstream/whole-description.json";

fn fixture() -> Value {
    serde_json::from_str(&read(FIXTURE)).expect("the fixture is JSON")
}

/// The report for `upstream` (named as the fixture) against today's spec.
fn report(upstream: &Value) -> Report {
    compare(SPEC, &read(SPEC), FIXTURE, &upstream.to_string())
        .unwrap_or_else(|e| panic!("the comparison runs:\n{e}"))
}

/// The report's lines that list differences and stale departures (the
/// header and the summary name counts that any spec edit moves).
fn findings(report: &Report) -> String {
    let text = report.to_string();
    let lines: Vec<&str> = text.lines().collect();
    lines[1..lines.len() - 1].join("\n").trim().to_string()
}

#[test]
fn todays_spec_declares_every_difference_from_the_pinned_description() {
    let report = report(&fixture());
    assert!(report.is_clean(), "{report}");
    // Clean means every operation upstream is in the spec; this holds
    // across refreshes of the pin, whatever the count.
    assert_eq!(report.operations.0, report.operations.1, "{report}");
    assert!(report.operations.0 >= 27, "{report}");
    assert!(
        report.declared > 0,
        "the spec does depart from GitHub's description"
    );
    insta::assert_snapshot!("upstream_report", report.to_string());
}

/// The fixture with one change applied at a JSON pointer.
fn mutated(change: impl FnOnce(&mut Value)) -> Report {
    let mut upstream = fixture();
    change(&mut upstream);
    let report = report(&upstream);
    assert!(!report.is_clean(), "the change must be reported:\n{report}");
    report
}

/// The report's findings hold each `expected` text; then they are compared
/// with the snapshot `name`.
fn assert_reported(report: &Report, expected: &[&str], name: &str) {
    let findings = findings(report);
    for text in expected {
        assert!(findings.contains(text), "expected {text:?} in:\n{findings}");
    }
    insta::assert_snapshot!(name, findings);
}

fn at<'v>(root: &'v mut Value, pointer: &str) -> &'v mut Value {
    root.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("the fixture has {pointer}"))
}

#[test]
fn an_operation_github_adds_is_reported() {
    let report = mutated(|upstream| {
        let mut operation = at(upstream, "/paths/~1user~1packages/get").clone();
        operation["operationId"] = json!("packages/list-archived-packages-for-authenticated-user");
        at(upstream, "/paths")["/user/packages/archived"] = json!({ "get": operation });
    });
    assert_reported(
        &report,
        &[
            "document\n  operation list-archived-packages-for-authenticated-user: only upstream: GET /user/packages/archived",
        ],
        "upstream_added_operation",
    );
}

#[test]
fn a_new_enum_value_is_reported_with_the_operation_and_field() {
    let report = mutated(|upstream| {
        let parameter = at(upstream, "/paths/~1orgs~1{org}~1packages/get/parameters/0");
        assert_eq!(parameter["name"], "package_type");
        parameter["schema"]["enum"]
            .as_array_mut()
            .unwrap()
            .push(json!("cargo"));
        at(
            upstream,
            "/components/schemas/package/properties/package_type/enum",
        )
        .as_array_mut()
        .unwrap()
        .push(json!("cargo"));
    });
    assert_reported(
        &report,
        &[
            "parameter package_type_query\n  enum cargo: value only upstream (in list-packages-for-organization)",
            "schema Package\n  package_type: enum cargo: value only upstream",
        ],
        "upstream_new_enum_value",
    );
}

#[test]
fn a_property_github_removes_is_reported() {
    let report = mutated(|upstream| {
        at(upstream, "/components/schemas/package-version/properties")
            .as_object_mut()
            .unwrap()
            .remove("html_url")
            .expect("package-version has html_url");
    });
    assert_reported(
        &report,
        &["schema PackageVersion\n  property html_url: only in the spec"],
        "upstream_removed_property",
    );
}

#[test]
fn a_changed_parameter_type_is_reported() {
    let report = mutated(|upstream| {
        *at(
            upstream,
            "/components/parameters/package-version-id/schema/type",
        ) = json!("string");
    });
    assert_reported(
        &report,
        &[
            "parameter package_version_id\n  type string -> integer: upstream -> the spec (in delete-package-version-for-authenticated-user and 8 more)",
        ],
        "upstream_changed_parameter_type",
    );
}

/// When GitHub fixes what the spec works around, the declaration is stale.
#[test]
fn a_departure_that_matches_nothing_any_more_is_stale() {
    // Every `per_page` upstream (the shared one and an inline copy) gains
    // the maximum the spec declares it adds.
    fn add_maximum(node: &mut Value) {
        match node {
            Value::Object(map) => {
                if map.get("name") == Some(&json!("per_page")) {
                    map["schema"]["maximum"] = json!(100);
                }
                map.values_mut().for_each(add_maximum);
            }
            Value::Array(items) => items.iter_mut().for_each(add_maximum),
            _ => {}
        }
    }
    let report = mutated(add_maximum);
    assert!(report.undeclared.is_empty(), "{report}");
    let findings = findings(&report);
    assert!(
        findings.contains("parameter per_page\n  maximum: \"GitHub states the maximum only in prose; made explicit here.\""),
        "{findings}"
    );
}

#[test]
fn every_declared_departure_has_a_reason() {
    let departures = declared_departures(SPEC, &read(SPEC)).expect("declarations are well-formed");
    assert!(departures.len() >= 10, "{departures:?}");
    for departure in &departures {
        assert!(
            departure.reason.len() > 20 && !departure.reason.contains('\n'),
            "`{}` at `{}` needs a one-line reason",
            departure.key,
            departure.at
        );
    }
    let without_reason = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A:\n      type: string\n      x-departure: {format uri -> none: ''}\n";
    let error = declared_departures("spec.yaml", without_reason).expect_err("an empty reason");
    assert_eq!(
        error.to_string(),
        "spec.yaml: at `components.schemas.A.x-departure`: `format uri -> none` needs a one-line reason (a non-empty string)"
    );
}

#[test]
fn bad_upstream_input_is_refused_naming_the_file() {
    let spec = read(SPEC);
    let cases = [
        ("{\"openapi\": ", "invalid JSON"),
        ("{\"swagger\": \"2.0\"}", "not an OpenAPI 3 description"),
        (
            "{\"openapi\": \"3.0.3\", \"paths\": {}}",
            "no operation tagged `packages`",
        ),
    ];
    for (text, expected) in cases {
        let error = compare(SPEC, &spec, "upstream.json", text).expect_err(text);
        let message = error.to_string();
        assert!(message.starts_with("upstream.json: "), "{message}");
        assert!(message.contains(expected), "{message}");
    }
}

/// The operations tagged `packages`, their path item's parameters and the
/// components they reach (through other components too) stay; the other
/// API's operation, the components only it reaches, examples, prose and
/// the document's other sections go. A property named `description` stays.
#[test]
fn the_packages_part_of_a_whole_description_keeps_what_its_operations_reach() {
    let subset = packages_subset(WHOLE, &read(WHOLE)).expect("the fixture is a description");
    let subset: Value = serde_json::from_str(&subset).expect("the subset is JSON");
    let package_types = json!(["npm", "maven", "rubygems", "docker", "nuget", "container"]);
    let user = json!({
        "title": "Simple User",
        "type": "object",
        "properties": {"login": {"type": "string"}, "id": {"type": "integer", "format": "int64"}},
        "required": ["login", "id"]
    });
    let expected = json!({
        "openapi": "3.0.3",
        "info": {"title": "GitHub's official OpenAPI spec + Octokit extension", "version": "99.1.0"},
        "paths": {"/users/{username}/packages/{package_type}/{package_name}": {
            "parameters": [{"$ref": "#/components/parameters/username"}],
            "get": {
                "tags": ["packages"],
                "operationId": "packages/get-package-for-user",
                "parameters": [{"$ref": "#/components/parameters/package-type"}],
                "responses": {
                    "200": {"content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/package"}
                    }}},
                    "404": {"$ref": "#/components/responses/not_found"}
                },
                "x-octokit": {}
            },
            "delete": {
                "tags": ["packages"],
                "operationId": "packages/delete-package-for-user",
                "parameters": [{"$ref": "#/components/parameters/package-type"}],
                "responses": {"204": {}}
            }
        }},
        "components": {
            "parameters": {
                "package-type": {
                    "name": "package_type", "in": "path", "required": true,
                    "schema": {"type": "string", "enum": package_types}
                },
                "username": {
                    "name": "username", "in": "path", "required": true,
                    "schema": {"type": "string"}
                }
            },
            "responses": {"not_found": {"content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/basic-error"}
            }}}},
            "schemas": {
                "basic-error": {
                    "title": "Basic Error", "type": "object",
                    "properties": {"message": {"type": "string"}}
                },
                "nullable-minimal-repository": {
                    "title": "Minimal Repository", "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "owner": {"$ref": "#/components/schemas/simple-user"}
                    },
                    "nullable": true
                },
                "package": {
                    "title": "Package", "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "description": {"type": "string", "nullable": true},
                        "package_type": {"type": "string", "enum": package_types},
                        "repository": {"$ref": "#/components/schemas/nullable-minimal-repository"}
                    },
                    "required": ["id", "package_type"]
                },
                "simple-user": user
            }
        }
    });
    assert_eq!(subset, expected);
}

/// The pin is a packages part already: extracting it again changes
/// nothing, byte for byte (what `cargo xtask upstream --refresh` writes).
#[test]
fn the_pinned_description_is_its_own_packages_part() {
    let pinned = read(FIXTURE);
    assert_eq!(packages_subset(FIXTURE, &pinned).unwrap(), pinned);
}

#[test]
fn a_whole_description_compares_as_its_packages_part() {
    let subset = packages_subset(WHOLE, &read(WHOLE)).unwrap();
    let spec = read(SPEC);
    let whole = compare(SPEC, &spec, WHOLE, &read(WHOLE))
        .unwrap()
        .to_string();
    let part = compare(SPEC, &spec, WHOLE, &subset).unwrap().to_string();
    assert_eq!(whole, part);
}
