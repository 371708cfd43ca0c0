//! Reference-cycle checks: components that are nothing but references to
//! each other in a ring.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::{Location, Problem};

/// Component sections whose entries may be given by `$ref`, and the
/// progenitor lookup that follows such references without a cycle check.
const REFERABLE_SECTIONS: &[&str] = &["schemas", "parameters", "responses", "requestBodies"];

/// A component that is nothing but a reference to another: progenitor follows
/// such chains without a cycle check (a ring of parameters or responses
/// overflows its stack), and a ring of schemas generates `struct A(B)` and
/// `struct B(A)`, which does not compile.
pub(super) fn check_ref_cycles(tree: &Value, problems: &mut Vec<Problem>) {
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
