//! Operation checks: each operation has an `operationId` that stays unique
//! and free once turned into a Rust name; its parameters, request body and
//! responses are checked by their own modules.

use std::collections::HashMap;

use openapiv3::{Components, OpenAPI, Parameter, ReferenceOr};

use super::parameters::check_parameters;
use super::request_body::check_request_body;
use super::responses::check_responses;
use super::{operation_label, resolve};
use crate::names::{RESERVED_BUILDER_TYPES, RESERVED_CLIENT_METHODS, member_name, type_name};
use crate::{Location, Problem};

pub(super) fn check_operations(spec: &OpenAPI, problems: &mut Vec<Problem>) {
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
