//! Parameter checks: path parameters match the route template and are
//! required scalars, Rust names do not collide, unsupported styles are named.

use std::collections::{BTreeSet, HashMap};

use openapiv3::{Components, Parameter, ParameterSchemaOrContent, Schema, SchemaKind, Type};

use super::resolve;
use crate::names::{RESERVED_PARAMETERS, member_name};

pub(super) fn check_parameters(
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
}
