//! A package version as the policy and the output see it.

use chrono::{DateTime, Utc};
use github_packages::types::PackageVersion;

use crate::output::tags_of;

/// A package version as the policy and the output see it: its id, name
/// (e.g. `1.2.0` or a manifest digest), tags and creation time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    pub id: i64,
    pub name: String,
    pub tags: Vec<String>,
    pub created_at: DateTime<Utc>,
}

impl Version {
    /// What the CLI needs to know about a listed version.
    pub fn of(version: &PackageVersion) -> Version {
        Version {
            id: version.id,
            name: version.name.clone(),
            tags: tags_of(version),
            created_at: version.created_at,
        }
    }
}
