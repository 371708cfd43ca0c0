//! One line of the journal ([`JournalRecord`]) and what it says: the
//! [`Outcome`] of a deletion, the image a container version was deleted
//! with, and which line has the last word about a thing ([`latest`]).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use github_packages::Owner;
use github_packages::types::PackageType;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::model::Version;
use crate::model::{OwnerSpelling, PackageRef};

/// What became of one deletion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// GitHub confirmed the deletion.
    Deleted,
    /// GitHub refused, or the version was found still there when a later
    /// run checked; see `reason`.
    Failed,
    /// The request was sent and its outcome is not known (interruption,
    /// timeout, 5xx): GitHub may have carried it out, now or later.
    Unknown,
}

/// One line of the journal. Field names are stable: scripts read them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalRecord {
    pub time: DateTime<Utc>,
    /// `org`, `user` or `me` (the authenticated user).
    pub owner_kind: OwnerKind,
    /// The organization or user login; `@me` for the authenticated user.
    /// Always written; absent only in journals of older versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// For `me`: the authenticated user's login, when it was known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login: Option<String>,
    #[serde(rename = "type")]
    pub package_type: PackageType,
    pub package: String,
    /// The package's id, when the whole package was deleted (so that a
    /// different package of the same name is not mistaken for it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package_id: Option<i64>,
    /// The version's id; absent when the whole package was deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<i64>,
    /// The version's name (e.g. `1.2.0` or a digest); absent for a package.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub outcome: Outcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// For a container version: the digest of the image (its root) it was
    /// deleted with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Its level in that deletion (0: the image's root; an index's children
    /// one more than the index): restore goes from the highest level down,
    /// so children are back before their index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_level: Option<usize>,
    /// The other images deleted in the same run that list this version (a
    /// platform manifest two deleted indexes share): if it cannot be
    /// restored, none of them is.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also_in_images: Vec<String>,
    /// Deleted as a signature or referrer of its image (cosign's tag, OCI
    /// `subject`), listed by no deleted index: if it cannot be restored,
    /// the image it is attached to still can be.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub attached: bool,
    /// For a container version deleted with its image: the manifests it
    /// lists, read from its own manifest when it was deleted (an index's
    /// manifest entries; empty for a manifest that is not an index).
    /// `restore` brings it back only once every one of them the journal
    /// records as deleted is back. Absent in journals of older versions,
    /// where `restore` goes by `image_level` instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lists: Option<Vec<String>>,
}

/// A journal line's `owner_kind`: `org`, `user` or `me`, or a word this
/// version does not know (kept as written: such a line is still one thing
/// among the lines, and is reported, not dropped).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum OwnerKind {
    Org,
    User,
    Me,
    Unknown(String),
}

impl OwnerKind {
    pub fn of(owner: &Owner) -> OwnerKind {
        OwnerKind::from(owner.kind())
    }

    pub fn as_str(&self) -> &str {
        match self {
            OwnerKind::Org => "org",
            OwnerKind::User => "user",
            OwnerKind::Me => "me",
            OwnerKind::Unknown(word) => word,
        }
    }
}

impl From<&str> for OwnerKind {
    fn from(word: &str) -> OwnerKind {
        match word {
            "org" => OwnerKind::Org,
            "user" => OwnerKind::User,
            "me" => OwnerKind::Me,
            other => OwnerKind::Unknown(other.to_string()),
        }
    }
}

impl Serialize for OwnerKind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for OwnerKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<OwnerKind, D::Error> {
        let word = String::deserialize(deserializer)?;
        Ok(OwnerKind::from(word.as_str()))
    }
}

/// The image a deleted container version belonged to, for its journal lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageLink {
    /// The image's root digest.
    pub image: String,
    /// See [`JournalRecord::image_level`].
    pub level: usize,
    /// See [`JournalRecord::also_in_images`].
    pub also_in: Vec<String>,
    /// See [`JournalRecord::attached`].
    pub attached: bool,
    /// See [`JournalRecord::lists`].
    pub lists: Vec<String>,
}

impl JournalRecord {
    /// The owner, from `owner_kind` and `owner`.
    pub fn owner(&self) -> Result<Owner, String> {
        Owner::from_kind(self.owner_kind.as_str(), self.owner.as_deref())
            .map_err(|error| error.to_string())
    }

    /// What identifies the thing deleted: the package and the version.
    fn key(&self) -> (RecordKey<'_>, Option<i64>) {
        let package = match self.owner() {
            Ok(owner) => RecordKey::Package(PackageRef::new(
                owner,
                self.package_type.clone(),
                &self.package,
            )),
            Err(_) => RecordKey::Unreadable {
                owner_kind: &self.owner_kind,
                owner: self.owner.as_deref(),
                package_type: &self.package_type,
                package: &self.package,
            },
        };
        (package, self.version_id)
    }

    /// A line about `package` or one of its versions.
    pub fn new(
        package: &PackageRef,
        version: Option<&Version>,
        outcome: Outcome,
        reason: Option<String>,
    ) -> JournalRecord {
        JournalRecord {
            time: Utc::now(),
            owner_kind: OwnerKind::of(&package.owner),
            owner: Some(package.owner.journal_field().to_string()),
            login: match package.owner {
                Owner::AuthenticatedUser => package.login.clone(),
                _ => None,
            },
            package_type: package.package_type.clone(),
            package: package.name.clone(),
            package_id: if version.is_none() {
                package.package_id
            } else {
                None
            },
            version_id: version.map(|v| v.id),
            name: version.map(|v| v.name.clone()),
            tags: version.map(|v| v.tags.clone()).unwrap_or_default(),
            outcome,
            reason,
            image: None,
            image_level: None,
            also_in_images: Vec::new(),
            attached: false,
            lists: None,
        }
    }
}

/// The package a line is about, as [`latest`] tells lines apart: a package
/// `ghpkg` can address, or the owner as written in a line whose owner it
/// cannot read (still one thing among the lines).
#[derive(PartialEq, Eq, Hash)]
enum RecordKey<'a> {
    Package(PackageRef),
    Unreadable {
        owner_kind: &'a OwnerKind,
        owner: Option<&'a str>,
        package_type: &'a PackageType,
        package: &'a str,
    },
}

/// The last record about each deleted thing, in the order each first appears.
pub fn latest(records: &[JournalRecord]) -> Vec<JournalRecord> {
    let mut position = HashMap::new();
    let mut result: Vec<JournalRecord> = Vec::new();
    for record in records {
        match position.get(&record.key()) {
            Some(&index) => result[index] = record.clone(),
            None => {
                position.insert(record.key(), result.len());
                result.push(record.clone());
            }
        }
    }
    result
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(crate) fn record(version_id: Option<i64>, outcome: Outcome) -> JournalRecord {
        JournalRecord {
            time: "2025-06-01T12:00:00Z".parse().unwrap(),
            owner_kind: OwnerKind::Org,
            owner: Some("acme".to_string()),
            login: None,
            package_type: PackageType::Container,
            package: "app".to_string(),
            package_id: None,
            version_id,
            name: version_id.map(|id| format!("sha256:{id}")),
            tags: vec!["v1".to_string()],
            outcome,
            reason: None,
            image: None,
            image_level: None,
            also_in_images: Vec::new(),
            attached: false,
            lists: None,
        }
    }

    #[test]
    fn lines_have_stable_field_names() {
        let line = serde_json::to_string(&record(Some(42), Outcome::Deleted)).unwrap();
        assert_eq!(
            line,
            r#"{"time":"2025-06-01T12:00:00Z","owner_kind":"org","owner":"acme","type":"container","package":"app","version_id":42,"name":"sha256:42","tags":["v1"],"outcome":"deleted"}"#
        );
        let mut failed = record(None, Outcome::Failed);
        failed.reason = Some("nope".to_string());
        let line = serde_json::to_string(&failed).unwrap();
        assert!(
            line.contains(r#""outcome":"failed","reason":"nope""#),
            "{line}"
        );
        assert!(!line.contains("version_id"), "{line}");
    }

    #[test]
    fn an_owner_kind_this_version_does_not_know_is_kept_as_written() {
        let line = r#"{"time":"2025-06-01T12:00:00Z","owner_kind":"team","owner":"x","type":"npm","package":"p","tags":[],"outcome":"deleted"}"#;
        let record: JournalRecord = serde_json::from_str(line).unwrap();
        assert_eq!(record.owner_kind, OwnerKind::Unknown("team".to_string()));
        assert!(record.owner().is_err());
        assert_eq!(serde_json::to_string(&record).unwrap(), line);
    }

    #[test]
    fn the_authenticated_user_is_one_owner_whatever_the_lines_say() {
        let mut old = record(Some(1), Outcome::Unknown);
        old.owner_kind = OwnerKind::Me;
        old.owner = None;
        let mut new = old.clone();
        new.owner = Some("@me".to_string());
        new.login = Some("octocat".to_string());
        new.outcome = Outcome::Deleted;
        let latest = latest(&[old, new]);
        assert_eq!(latest.len(), 1);
        assert_eq!(latest[0].outcome, Outcome::Deleted);
        assert_eq!(latest[0].owner(), Ok(Owner::AuthenticatedUser));
    }

    #[test]
    fn latest_keeps_the_last_word_about_each_version() {
        let records = vec![
            record(Some(1), Outcome::Unknown),
            record(Some(2), Outcome::Unknown),
            record(Some(1), Outcome::Deleted),
            record(Some(2), Outcome::Failed),
            record(None, Outcome::Deleted),
        ];
        let latest: Vec<_> = latest(&records)
            .iter()
            .map(|r| (r.version_id, r.outcome))
            .collect();
        assert_eq!(
            latest,
            [
                (Some(1), Outcome::Deleted),
                (Some(2), Outcome::Failed),
                (None, Outcome::Deleted)
            ]
        );
    }
}
