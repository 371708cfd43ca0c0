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
    /// With `versions --sizes`, on the root version of each image: the
    /// image's bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_bytes: Option<u64>,
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
            image_bytes: None,
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
    #[serde(flatten)]
    pub bytes: Option<BytesDoc>,
    /// For a container package the run deleted from: its kept images
    /// checked again after the deletions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification: Option<VerificationDoc<'a>>,
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

/// What a container prune frees of what the package (or run) holds, in
/// bytes: blobs no kept version names, each once, and the deleted
/// manifests (blobs other packages share are not seen).
#[derive(Debug, Serialize)]
pub struct BytesDoc {
    pub reclaimable_bytes: u64,
    pub total_bytes: u64,
}

/// The verification after a prune's deletions.
#[derive(Debug, Serialize)]
pub struct VerificationDoc<'a> {
    /// Whether every kept image still pulls whole.
    pub healthy: bool,
    /// One line per kept image found broken, or kept version unreadable.
    pub problems: &'a [String],
}

/// The totals of a many-package prune: the counts, and the bytes when a
/// container package was pruned.
#[derive(Debug, Serialize)]
pub struct RunSummaryDoc<'a> {
    #[serde(flatten)]
    pub tally: &'a Tally,
    #[serde(flatten)]
    pub bytes: Option<BytesDoc>,
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
    pub summary: RunSummaryDoc<'a>,
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
    #[serde(flatten)]
    pub bytes: Option<BytesDoc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification: Option<VerificationDoc<'a>>,
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
    /// Each image (or version) as a dry run plans it, when the rule that
    /// applies has classes and a token was at hand; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub images: Option<&'a [ExplainImageDoc]>,
}

/// One top-level image (for other types, one version) in
/// `prune --explain --json`: the classes it belongs to and the outcome.
#[derive(Debug, Serialize)]
pub struct ExplainImageDoc {
    /// The rule that planned it: `FILE:LINE`.
    pub rule: String,
    #[serde(rename = "type")]
    pub package_type: String,
    pub id: i64,
    /// The version's name: the root's digest for an image.
    pub name: String,
    pub tags: Vec<String>,
    /// Each class it belongs to with its verdict, the deciding one first.
    pub classes: Vec<ExplainClassDoc>,
    /// The outcome, as a dry run plans it.
    pub action: Action,
    /// The class that decided, if one did.
    pub class: Option<String>,
    /// The dry run's reason.
    pub reason: String,
}

/// One class's verdict on an image in `prune --explain --json`.
#[derive(Debug, Serialize)]
pub struct ExplainClassDoc {
    /// Where the class is written: `FILE:LINE`.
    pub class: String,
    pub action: Action,
    pub reason: String,
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

/// `ghpkg check --json`: each selected package's findings, and the totals.
#[derive(Debug, Serialize)]
pub struct CheckDoc<'a> {
    pub packages: Vec<CheckPackageDoc<'a>>,
    /// Owner and type pairs whose packages could not be listed.
    pub unlisted: Vec<UnlistedDoc<'a>>,
    pub summary: CheckSummaryDoc,
}

/// One package of `ghpkg check --json`.
#[derive(Debug, Serialize)]
pub struct CheckPackageDoc<'a> {
    #[serde(flatten)]
    pub about: &'a PackageRef,
    /// `healthy`, `broken` (a broken image or an unreadable version),
    /// `nothing-to-check` (not a container package) or `failed`.
    pub verdict: &'static str,
    /// Active versions listed.
    pub versions: usize,
    /// For a container package: its images, and its bytes (each blob
    /// once; the unreadable versions' are unknown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub images: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub orphan_bytes: Option<u64>,
    pub broken_images: Vec<BrokenImageDoc<'a>>,
    pub dangling_attachments: Vec<DanglingAttachmentDoc<'a>>,
    pub orphan_images: Vec<OrphanImageDoc<'a>>,
    pub unreadable: Vec<UnreadableDoc<'a>>,
    /// Why the package could not be checked.
    pub error: Option<&'a str>,
}

/// An image that lists manifests that are not there.
#[derive(Debug, Serialize)]
pub struct BrokenImageDoc<'a> {
    /// The root version's id and digest.
    pub id: i64,
    pub digest: &'a str,
    pub tags: &'a [String],
    pub missing: Vec<MissingManifestDoc>,
}

/// A manifest a broken image lists that is not there.
#[derive(Debug, Serialize)]
pub struct MissingManifestDoc {
    pub digest: String,
    /// `platform`, `attestation` or `manifest`.
    pub kind: &'static str,
    /// For `platform`: e.g. `linux/arm64`.
    pub platform: Option<String>,
    /// The digest of the version that lists it.
    pub listed_by: String,
    /// `not-in-package`, or `unreadable` (listed, but the registry does
    /// not serve it).
    pub reason: &'static str,
}

/// A signature, referrers index or referrer whose image is not in the
/// package.
#[derive(Debug, Serialize)]
pub struct DanglingAttachmentDoc<'a> {
    pub id: i64,
    pub digest: &'a str,
    pub tags: &'a [String],
    /// `signature` (a digest tag) or `referrer` (`subject`).
    pub kind: &'static str,
    /// For `signature`: `signature`, `attestation`, `sbom` or
    /// `referrers`; for `referrer`: its artifact type.
    pub artifact_type: Option<String>,
    /// The digest of the image it is for.
    pub subject: String,
}

/// An untagged image no tag reaches.
#[derive(Debug, Serialize)]
pub struct OrphanImageDoc<'a> {
    /// The root version's id and digest.
    pub id: i64,
    pub digest: &'a str,
    pub created_at: DateTime<Utc>,
    /// How many versions it is made of.
    pub versions: usize,
    pub bytes: u64,
}

/// A version listed by the API whose manifest cannot be read.
#[derive(Debug, Serialize)]
pub struct UnreadableDoc<'a> {
    pub id: i64,
    pub name: &'a str,
    pub tags: &'a [String],
    pub error: &'a str,
}

/// The totals of `ghpkg check --json`.
#[derive(Debug, Default, Serialize)]
pub struct CheckSummaryDoc {
    pub packages: usize,
    pub healthy_packages: usize,
    pub broken_images: usize,
    pub dangling_attachments: usize,
    pub orphan_images: usize,
    pub unreadable: usize,
    /// Packages that could not be listed or checked.
    pub failed_packages: usize,
    pub total_bytes: u64,
    pub orphan_bytes: u64,
}
