//! Every `--json` document `ghpkg` prints, in one place: the JSON contract
//! scripts rely on. Field names are stable; `cli/tests/json.rs` snapshots
//! each command's document against the fake server, so a change here shows
//! up in review.

use chrono::{DateTime, Utc};
use github_packages::types::{Package, PackageVersion};
use serde::Serialize;

use super::tags_of;
use crate::journal::Outcome;
use crate::model::{Fate, Mode, OwnerView, PackageRef, Reason, RestoreTally, Restored, Tally};
use crate::policy::Action;
use crate::references::Reference;

/// A package in JSON output.
#[derive(Debug, Serialize)]
pub struct PackageView {
    pub id: i64,
    pub name: String,
    #[serde(rename = "type")]
    pub package_type: String,
    pub visibility: String,
    pub version_count: i64,
    pub repository: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub html_url: String,
}

impl From<&Package> for PackageView {
    fn from(package: &Package) -> Self {
        PackageView {
            id: package.id,
            name: package.name.clone(),
            package_type: package.package_type.to_string(),
            visibility: package.visibility.to_string(),
            version_count: package.version_count,
            repository: package
                .repository
                .as_ref()
                .map(|repo| repo.full_name.clone()),
            created_at: package.created_at,
            updated_at: package.updated_at,
            html_url: package.html_url.clone(),
        }
    }
}

/// A version in JSON output.
#[derive(Debug, Serialize)]
pub struct VersionView {
    pub id: i64,
    pub name: String,
    pub tags: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub html_url: Option<String>,
}

impl From<&PackageVersion> for VersionView {
    fn from(version: &PackageVersion) -> Self {
        VersionView {
            id: version.id,
            name: version.name.clone(),
            tags: tags_of(version),
            created_at: version.created_at,
            updated_at: version.updated_at,
            deleted_at: version.deleted_at,
            html_url: version.html_url.clone(),
        }
    }
}

/// `ghpkg packages --json`.
#[derive(Debug, Serialize)]
pub struct PackagesDoc<'a> {
    pub owner: OwnerView,
    #[serde(rename = "type")]
    pub package_type: &'a str,
    pub packages: &'a [PackageView],
}

/// `ghpkg versions --json`.
#[derive(Debug, Serialize)]
pub struct VersionsDoc<'a> {
    #[serde(flatten)]
    pub about: &'a PackageRef,
    /// `active` or `deleted`.
    pub state: String,
    pub versions: &'a [VersionView],
}

/// `ghpkg show --version ID --json`.
#[derive(Debug, Serialize)]
pub struct ShowVersionDoc<'a> {
    #[serde(flatten)]
    pub about: &'a PackageRef,
    pub version: VersionView,
}

/// `ghpkg show --json` (a whole package).
#[derive(Debug, Serialize)]
pub struct ShowPackageDoc {
    pub owner: OwnerView,
    pub package: PackageView,
}

/// `ghpkg conflicts --json`.
#[derive(Debug, Serialize)]
pub struct ConflictsDoc<'a> {
    pub owner: OwnerView,
    pub packages: &'a [PackageView],
}

/// `ghpkg delete --json`.
#[derive(Debug, Serialize)]
pub struct DeleteDoc<'a> {
    #[serde(flatten)]
    pub about: &'a PackageRef,
    pub version_id: Option<i64>,
    pub name: Option<&'a str>,
    pub outcome: Outcome,
    pub reason: Option<&'a str>,
    pub journal: String,
    /// Whether the journal records the outcome (else see stderr).
    pub journaled: bool,
}

/// `ghpkg restore --json`.
#[derive(Debug, Serialize)]
pub struct RestoreDoc<'a> {
    pub journal: Option<String>,
    pub results: Vec<RestoreRow<'a>>,
    pub summary: RestoreTally,
}

/// One thing `restore` was asked to bring back.
#[derive(Debug, Serialize)]
pub struct RestoreRow<'a> {
    #[serde(flatten)]
    pub about: &'a PackageRef,
    pub version_id: Option<i64>,
    pub name: Option<&'a str>,
    pub tags: &'a [String],
    /// `restored`, `already-active` or `failed`.
    pub result: &'a Restored,
    pub error: Option<&'a str>,
}

/// `ghpkg prune --json`, dry run or `--execute`.
#[derive(Debug, Serialize)]
pub struct PruneDoc<'a> {
    /// `dry-run` or `execute`.
    pub mode: Mode,
    #[serde(flatten)]
    pub about: &'a PackageRef,
    pub versions: Vec<PruneRow<'a>>,
    /// For a container package: the images the policy decided about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub images: Option<Vec<ImageView<'a>>>,
    pub summary: &'a Tally,
    pub journal: Option<String>,
    /// Image references (`--keep-referenced`) to the package whose tag or
    /// digest is not in it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unresolved_references: Vec<ReferenceView>,
}

/// An image reference in a deployment file.
#[derive(Debug, Serialize)]
pub struct ReferenceView {
    /// `OWNER/NAME:TAG@sha256:HEX`, as written after the registry host.
    pub reference: String,
    pub file: String,
    pub line: usize,
}

impl From<&Reference> for ReferenceView {
    fn from(reference: &Reference) -> Self {
        ReferenceView {
            reference: reference.to_string(),
            file: reference.file.clone(),
            line: reference.line,
        }
    }
}

/// One image in `prune --json`: its root version, the decision, and every
/// version it reaches.
#[derive(Debug, Serialize)]
pub struct ImageView<'a> {
    /// The root version's id and digest.
    pub id: i64,
    pub digest: &'a str,
    pub tags: &'a [String],
    pub created_at: DateTime<Utc>,
    /// `keep` or `delete`: what the policy decided about the image.
    pub action: Action,
    pub reason: String,
    /// The retention class that decided (`policy.toml:12`), for a rule
    /// with classes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// The versions it reaches, nearest first.
    pub members: Vec<ImageMemberView<'a>>,
    /// Manifests it lists that are not in the package (already missing).
    pub missing: Vec<String>,
}

/// A version an image reaches.
#[derive(Debug, Serialize)]
pub struct ImageMemberView<'a> {
    pub id: i64,
    pub digest: &'a str,
    /// `platform`, `attestation`, `manifest`, `signature` or `referrer`.
    pub kind: &'static str,
    /// For `platform`: e.g. `linux/arm64/v8`.
    pub platform: Option<String>,
    /// For `attestation`: the manifest it describes.
    pub describes: Option<String>,
    /// For `referrer`: its artifact type; for `signature`: `signature`,
    /// `attestation` or `sbom`.
    pub artifact_type: Option<String>,
    /// The digest of the version that reaches it (the root or a member).
    pub via: &'a str,
    /// What becomes of the version: `keep` (this or another kept image
    /// reaches it) or `delete`.
    pub action: Action,
}

/// One version in `prune --json`.
#[derive(Debug, Serialize)]
pub struct PruneRow<'a> {
    pub id: i64,
    pub name: &'a str,
    pub tags: &'a [String],
    pub created_at: DateTime<Utc>,
    /// The policy's decision: `delete` or `keep`.
    pub action: Action,
    /// Why the policy decided so.
    pub reason: &'a Reason,
    /// `would-delete`, `kept`, `deleted`, `deleted-not-journaled`,
    /// `failed`, `unknown` or `skipped`.
    pub result: &'a Fate,
    /// Why a deletion failed, stayed unknown or was skipped.
    pub error: Option<&'a str>,
    /// For a container version: the digest of the image it is listed
    /// under (the kept image that keeps it, else the image it goes with).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<&'a str>,
    /// The retention class that decided (`policy.toml:12`), for a rule
    /// with classes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
}

/// `ghpkg prune --json` over many packages (`--name` globs,
/// `--all-packages`, `--policy`): one entry per package, in the order they
/// were pruned, and the totals of the run.
#[derive(Debug, Serialize)]
pub struct PruneRunDoc<'a> {
    /// `dry-run` or `execute`.
    pub mode: Mode,
    pub packages: Vec<PrunePackageDoc<'a>>,
    /// Owner and type pairs whose packages could not be listed, so none of
    /// them was pruned.
    pub unlisted: Vec<UnlistedDoc<'a>>,
    /// The counts over every package.
    pub summary: &'a Tally,
    /// Packages that could not be listed, planned or pruned to the end.
    pub failed_packages: usize,
    pub journal: Option<String>,
    /// Image references (`keep-referenced`) whose tag or digest is not in
    /// the package they name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unresolved_references: Vec<ReferenceView>,
}

/// One package of a many-package `prune --json`.
#[derive(Debug, Serialize)]
pub struct PrunePackageDoc<'a> {
    #[serde(flatten)]
    pub about: &'a PackageRef,
    /// Where the rule that selected the package is written: `FILE:LINE`,
    /// or `the command line`.
    pub rule: String,
    /// Empty when `error` says why the package could not be planned.
    pub versions: Vec<PruneRow<'a>>,
    /// For a container package: the images the policy decided about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub images: Option<Vec<ImageView<'a>>>,
    pub summary: Tally,
    pub error: Option<&'a str>,
}

/// An owner's packages of one type that could not be listed.
#[derive(Debug, Serialize)]
pub struct UnlistedDoc<'a> {
    pub owner: OwnerView,
    #[serde(rename = "type")]
    pub package_type: &'a str,
    pub error: &'a str,
}

/// `ghpkg prune --explain NAME --json`: every rule's verdict on a package.
#[derive(Debug, Serialize)]
pub struct ExplainDoc<'a> {
    pub package: &'a str,
    pub rules: Vec<ExplainRuleDoc>,
}

/// One rule in `prune --explain --json`.
#[derive(Debug, Serialize)]
pub struct ExplainRuleDoc {
    /// Where the rule is written: `FILE:LINE`, or `the command line`.
    pub rule: String,
    pub owner: OwnerView,
    #[serde(rename = "type")]
    pub package_type: String,
    pub applies: bool,
    /// Why it applies or not.
    pub why: String,
    /// The rule's retention policy, as `ghpkg prune` flags.
    pub policy: String,
}
