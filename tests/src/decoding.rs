//! Every example response body on GitHub's reference page decodes into the
//! generated types, and nothing in it is lost: encoding the decoded value
//! again gives back the same JSON (up to `null`s, which decode to `None`).

use std::path::Path;

use github_packages::types::{Package, PackageVersion};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::common::workspace_root;

const EXAMPLES: &str = "tests/fixtures/seed-responses";

#[test]
fn seed_examples_decode_without_loss() {
    let directory = workspace_root().join(EXAMPLES);
    let mut checked = 0;
    for entry in std::fs::read_dir(&directory).expect("examples directory") {
        let path = entry.expect("directory entry").path();
        let operation = path.file_stem().unwrap().to_string_lossy().into_owned();
        if operation.starts_with("list-packages-for-") {
            round_trip::<Vec<Package>>(&path);
        } else if operation.starts_with("get-package-for-") {
            round_trip::<Package>(&path);
        } else if operation.starts_with("get-all-package-versions-") {
            round_trip::<Vec<PackageVersion>>(&path);
        } else if operation.starts_with("get-package-version-for-") {
            round_trip::<PackageVersion>(&path);
        } else {
            panic!("no type known for the example {}", path.display());
        }
        checked += 1;
    }
    assert_eq!(checked, 12, "the seed has 12 example response bodies");
}

fn round_trip<T: DeserializeOwned + Serialize>(path: &Path) {
    let text = std::fs::read_to_string(path).expect("example is readable");
    let original: Value = serde_json::from_str(&text).expect("example is JSON");
    let decoded: T = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} does not decode: {e}", path.display()));
    let encoded = serde_json::to_value(&decoded).expect("decoded value encodes");
    assert_eq!(
        without_nulls(encoded),
        without_nulls(original),
        "{} lost or changed data in a decode/encode round trip",
        path.display()
    );
}

fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_nulls).collect()),
        other => other,
    }
}

#[test]
fn unknown_enum_values_decode() {
    let text = std::fs::read_to_string(
        workspace_root()
            .join(EXAMPLES)
            .join("get-package-for-organization.json"),
    )
    .unwrap();
    let mut body: Value = serde_json::from_str(&text).unwrap();
    body["package_type"] = "cargo".into();
    body["visibility"] = "secret".into();
    let package: Package = serde_json::from_value(body).expect("unknown values still decode");
    assert_eq!(package.package_type.to_string(), "cargo");
    assert_eq!(
        package.visibility,
        github_packages::types::PackageVisibility::Unknown("secret".to_string())
    );
}
