//! Structure checks: what openapiv3's typed model forgives silently (paths
//! that do not start with `/`, unknown keys in a path item).

use serde_json::Value;

use super::HTTP_METHODS;
use crate::{Location, Problem};

/// The fields of a path item besides its operations.
const PATH_ITEM_FIELDS: &[&str] = &["$ref", "summary", "description", "servers", "parameters"];

/// openapiv3 silently drops a path that does not start with `/` and ignores
/// unknown keys in a path item (`gett:`), so a typo would lose an endpoint
/// without a word.
pub(super) fn check_structure(tree: &Value, problems: &mut Vec<Problem>) {
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
