//! Comparing two schemas: type, format, nullability, enum values, default
//! and maximum, array items, and object properties (added, removed,
//! required or not) one by one.

use std::collections::BTreeSet;

use serde_json::Value;

use super::diff::Comparison;
use super::tree::{Path, child, is_nullable, resolve, shown, type_of};

impl Comparison<'_> {
    /// Compares two schemas; what differs in the schema itself is noted at
    /// `attributed` (the spec's node that refers to it, e.g. the property),
    /// what differs in its properties at the spec's object schema.
    pub(super) fn schema_pair(
        &mut self,
        attributed: &[String],
        (spec_path, spec_entry): (&Path, &Value),
        (upstream_path, upstream_entry): (&Path, &Value),
    ) {
        let (spec_path, ours) = resolve(self.spec, spec_path, spec_entry);
        let (upstream_path, theirs) = resolve(self.upstream, upstream_path, upstream_entry);
        let (our_type, their_type) = (type_of(&ours), type_of(&theirs));
        if our_type != their_type {
            self.note(
                attributed,
                format!("type {their_type} -> {our_type}"),
                "upstream -> the spec".to_string(),
            );
        }
        let (our_format, their_format) = (shown(ours.get("format")), shown(theirs.get("format")));
        if our_format != their_format {
            self.note(
                attributed,
                format!("format {their_format} -> {our_format}"),
                "upstream -> the spec".to_string(),
            );
        }
        if is_nullable(&ours) != is_nullable(&theirs) {
            self.note(
                attributed,
                "nullable".to_string(),
                if is_nullable(&theirs) {
                    "nullable upstream, not in the spec".to_string()
                } else {
                    "nullable in the spec, not upstream".to_string()
                },
            );
        }
        let values = |schema: &Value| -> BTreeSet<String> {
            schema
                .get("enum")
                .and_then(Value::as_array)
                .map(|values| values.iter().map(|v| shown(Some(v))).collect())
                .unwrap_or_default()
        };
        let (our_values, their_values) = (values(&ours), values(&theirs));
        for value in their_values.difference(&our_values) {
            self.note(
                attributed,
                format!("enum {value}"),
                "value only upstream".to_string(),
            );
        }
        for value in our_values.difference(&their_values) {
            self.note(
                attributed,
                format!("enum {value}"),
                "value only in the spec".to_string(),
            );
        }
        for field in ["default", "maximum"] {
            if ours.get(field) != theirs.get(field) {
                self.note(
                    attributed,
                    field.to_string(),
                    format!(
                        "upstream {}, the spec {}",
                        shown(theirs.get(field)),
                        shown(ours.get(field))
                    ),
                );
            }
        }
        if let (Some(items), Some(upstream_items)) = (ours.get("items"), theirs.get("items")) {
            let items_path = child(&spec_path, &["items"]);
            self.schema_pair(
                &items_path,
                (&items_path, items),
                (&child(&upstream_path, &["items"]), upstream_items),
            );
        }
        if our_type == "object" && their_type == "object" {
            self.properties(&spec_path, &ours, &upstream_path, &theirs);
        }
    }

    fn properties(&mut self, spec_path: &Path, ours: &Value, upstream_path: &Path, theirs: &Value) {
        if !self.visited.insert((
            spec_path.clone(),
            upstream_path.clone(),
            self.operation.clone(),
        )) {
            return;
        }
        let properties = |schema: &Value| {
            schema
                .get("properties")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default()
        };
        let required = |schema: &Value| -> BTreeSet<String> {
            schema
                .get("required")
                .and_then(Value::as_array)
                .map(|names| {
                    names
                        .iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default()
        };
        let (our_properties, their_properties) = (properties(ours), properties(theirs));
        let (our_required, their_required) = (required(ours), required(theirs));
        let names: BTreeSet<String> = our_properties
            .keys()
            .chain(their_properties.keys())
            .chain(&our_required)
            .chain(&their_required)
            .cloned()
            .collect();
        for name in names {
            let (mine, upstream_property) =
                (our_properties.get(&name), their_properties.get(&name));
            if mine.is_some() != upstream_property.is_some() {
                let upstream = upstream_property.is_some();
                self.one_side_only(spec_path, format!("property {name}"), upstream);
            }
            if our_required.contains(&name) != their_required.contains(&name) {
                let side = if their_required.contains(&name) {
                    "required upstream, optional in the spec"
                } else {
                    "optional upstream, required in the spec"
                };
                let ghost = if mine.is_none() && upstream_property.is_none() {
                    " (neither side has such a property)"
                } else {
                    ""
                };
                self.note(
                    spec_path,
                    format!("required {name}"),
                    format!("{side}{ghost}"),
                );
            }
            if let (Some(mine), Some(upstream_property)) = (mine, upstream_property) {
                let property_path = child(spec_path, &["properties", &name]);
                self.schema_pair(
                    &property_path,
                    (&property_path, mine),
                    (
                        &child(upstream_path, &["properties", &name]),
                        upstream_property,
                    ),
                );
            }
        }
    }
}
