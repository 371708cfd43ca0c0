//! Planning one package's prune: list its active versions and let the
//! retention policy decide about each. A dry run prints the plan; an
//! `--execute` run hands it to `execute`, after [`unchanged`] has checked
//! that a container package is still what its plan was built from.
//!
//! A container package is not pruned at all (fail closed) when its listing
//! names a version twice or leaves a version's tags out, or when a kept
//! image lists a manifest that is not in the package: either way what the
//! plan would keep is not known.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Utc};
use github_packages::types::{PackageType, PackageVersion, PackageVersionState};

use super::images::{ImagePlan, plan_images};
use crate::context::Context;
use crate::exit::Exit;
use crate::journal::ImageLink;
use crate::model::PackageRef;
use crate::model::Version;
use crate::model::{Fate, Mode};
use crate::policy::{Action, Decision, RetentionPolicy, decide};
use crate::references::Reference;

/// What a container package's prune frees, and what the package holds,
/// in bytes (blobs counted once; blobs other packages share are not seen).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bytes {
    pub reclaimable: u64,
    pub total: u64,
}

impl Bytes {
    pub fn add(&mut self, other: Bytes) {
        self.reclaimable += other.reclaimable;
        self.total += other.total;
    }
}

/// What to do with each active version of one package.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The package (its login learnt before executing, for `--me`).
    pub package: PackageRef,
    /// Every active version, newest first, with the policy's action and reason.
    pub decisions: Vec<Decision>,
    /// Whether the plan is to be carried out (`--execute`) or only shown.
    pub mode: Mode,
    /// The time the policy's ages were computed at.
    pub now: DateTime<Utc>,
    /// For a container package: its images, which the policy decided about
    /// (`decisions` then follow the images, each image's root first).
    pub images: Option<ImagePlan>,
    /// References to this package (`keep-referenced`) whose tag or digest
    /// is not in it.
    pub unresolved: Vec<Reference>,
}

impl Plan {
    /// The decisions to delete, in plan order.
    pub fn to_delete(&self) -> Vec<&Decision> {
        self.decisions
            .iter()
            .filter(|decision| decision.action == Action::Delete)
            .collect()
    }

    /// The image a version is deleted with, for its journal lines.
    pub fn image_link(&self, id: i64) -> Option<ImageLink> {
        self.images.as_ref()?.deletion_of(id)
    }

    /// The deletions in the order they may run: each level after the one
    /// before has finished, and each deletion with the ids of the versions
    /// (deleted in an earlier level) that must be gone first. Without
    /// images, one level with everything.
    pub fn deletion_levels(&self) -> Vec<Vec<(&Decision, Vec<i64>)>> {
        let Some(images) = &self.images else {
            return vec![
                self.to_delete()
                    .into_iter()
                    .map(|d| (d, Vec::new()))
                    .collect(),
            ];
        };
        let by_id: std::collections::HashMap<i64, &Decision> =
            self.decisions.iter().map(|d| (d.version.id, d)).collect();
        let id_of = |version: usize| images.id(version);
        let mut levels: Vec<Vec<(&Decision, Vec<i64>)>> = Vec::new();
        for step in &images.steps {
            if levels.len() <= step.level {
                levels.resize_with(step.level + 1, Vec::new);
            }
            let after = step.after.iter().map(|&parent| id_of(parent)).collect();
            levels[step.level].push((by_id[&id_of(step.version)], after));
        }
        levels
    }

    /// The fates of a run that deletes nothing after all: what the plan
    /// would delete is skipped, for `why`.
    pub fn not_attempted(&self, why: &str) -> Vec<Fate> {
        self.decisions
            .iter()
            .map(|decision| match decision.action {
                Action::Delete => Fate::Skipped(format!("not attempted: {why}")),
                Action::Keep => Fate::Kept,
            })
            .collect()
    }

    /// For a container package: what the versions `fates` say are (or
    /// would be) deleted free, and what the package holds.
    pub fn bytes(&self, fates: &[Fate]) -> Option<Bytes> {
        let images = self.images.as_ref()?;
        let deleted = self.decisions.iter().zip(fates).filter_map(|(d, fate)| {
            matches!(
                fate,
                Fate::WouldDelete | Fate::Deleted | Fate::DeletedNotJournaled(_)
            )
            .then_some(d.version.id)
        });
        Some(Bytes {
            reclaimable: images.freed_bytes(deleted),
            total: images.graph.total_bytes(),
        })
    }

    /// The fates of a dry run: what would be deleted, what is kept.
    pub fn dry_run(&self) -> Vec<Fate> {
        self.decisions
            .iter()
            .map(|decision| match decision.action {
                Action::Delete => Fate::WouldDelete,
                Action::Keep => Fate::Kept,
            })
            .collect()
    }
}

/// Lists `target`'s active versions (behind a spinner; a failure ends the
/// command) and decides about each with `policy` as of `now`.
pub async fn plan(
    context: &Context,
    mut target: PackageRef,
    policy: &RetentionPolicy,
    mode: Mode,
    now: DateTime<Utc>,
) -> Result<Plan, Exit> {
    let versions = context
        .list_versions(&target, PackageVersionState::Active)
        .await?;
    let infos: Vec<Version> = versions.iter().map(Version::of).collect();
    let mut unresolved_references = Vec::new();
    // A container package's versions are manifests that make up images:
    // the policy decides about images, read from the registry first.
    let (decisions, images) = if target.package_type == PackageType::Container && !infos.is_empty()
    {
        if let Some(why) = repeated(&infos).or_else(|| tags_left_out(&versions)) {
            return Err(refuse(&target, &why));
        }
        target.learn_login(&context.client).await;
        let (policy, missing) = references_to(policy, &target, &infos);
        for reference in &missing {
            context.ui.warn(unresolved(reference, &target));
        }
        unresolved_references = missing;
        let graph = context.registry.graph(&context.ui, &target, &infos).await?;
        let images = plan_images(&policy, &infos, graph, now);
        if let Some(why) = images.incomplete_kept_image() {
            return Err(refuse(&target, &why));
        }
        for note in images.gone_children() {
            context.ui.say(format!("note: {note}"));
        }
        (images.decisions_by_image(), Some(images))
    } else {
        (decide(policy, &infos, now), None)
    };
    let plan = Plan {
        package: target,
        decisions,
        mode,
        now,
        images,
        unresolved: unresolved_references,
    };
    context.ui.note(format!(
        "{} active versions, {} selected by the policy",
        plan.decisions.len(),
        plan.to_delete().len()
    ));
    Ok(plan)
}

/// `policy` with only the references to `target`'s package, and those of
/// them that name no version of it (`versions`).
fn references_to(
    policy: &RetentionPolicy,
    target: &PackageRef,
    versions: &[Version],
) -> (RetentionPolicy, Vec<Reference>) {
    let login = target.owner.login().or(target.login.as_deref());
    let (ours, missing): (Vec<Reference>, Vec<Reference>) = policy
        .referenced
        .iter()
        .filter(|reference| login.is_some_and(|login| reference.names_package(login, &target.name)))
        .cloned()
        .partition(|reference| {
            versions
                .iter()
                .any(|version| reference.names_version(&version.name, &version.tags))
        });
    let policy = RetentionPolicy {
        referenced: ours,
        ..policy.clone()
    };
    (policy, missing)
}

/// The warning for a reference to `target` that names none of its versions.
fn unresolved(reference: &Reference, target: &PackageRef) -> String {
    format!(
        "{}: {reference} is not in {} (no version has that {}); nothing is kept for it",
        reference.place(),
        target.repository(),
        if reference.digest.is_some() {
            "digest"
        } else {
            "tag"
        }
    )
}

/// The one line that says a container package is not pruned, and why.
fn refuse(target: &PackageRef, why: &str) -> Exit {
    let package = target.repository();
    Exit::failed(format!(
        "cannot prune {package}, so nothing in {package} was deleted: {why}"
    ))
}

/// Why a listing that names a version twice (by id or by name) cannot be
/// planned from: it changed while it was read, and which of the two an
/// image reaches is a guess.
fn repeated(versions: &[Version]) -> Option<String> {
    let again = "the listing changed while it was read; run again";
    let mut ids = HashSet::new();
    let mut names: HashMap<&str, i64> = HashMap::new();
    for version in versions {
        if !ids.insert(version.id) {
            return Some(format!(
                "the listing names version {} ({}) twice: {again}",
                version.id, version.name
            ));
        }
        if let Some(first) = names.insert(version.name.as_str(), version.id) {
            return Some(format!(
                "versions {first} and {} are both named {}: {again}",
                version.id, version.name
            ));
        }
    }
    None
}

/// Why a container listing cannot be planned from when a version comes
/// without `metadata.container`: its tags are unknown, and read as none
/// it would count as untagged (and --untagged would delete it).
fn tags_left_out(versions: &[PackageVersion]) -> Option<String> {
    let version = versions.iter().find(|version| {
        version
            .metadata
            .as_ref()
            .is_none_or(|metadata| metadata.container.is_none())
    })?;
    Some(format!(
        "the API listed version {} ({}) without `metadata.container`, so its tags are unknown \
         (it may be tagged); run again, and if it stays so, report it to GitHub",
        version.id, version.name
    ))
}

/// Before a container plan's first deletion, and again while it is carried
/// out: lists the package's active versions again and compares them (ids,
/// names, tags) with those the plan was built from, leaving out `settled`,
/// the versions this run has already tried to delete. A version pushed,
/// deleted or retagged since may change what a kept image needs; `Err`
/// says what changed, and then nothing more in the package is deleted.
pub async fn unchanged(
    context: &Context,
    plan: &Plan,
    settled: &HashSet<i64>,
) -> Result<(), Unsure> {
    let again = "the listing changed since planning; run again";
    // No spinner of its own: it may run beside the deletions' progress bar.
    let hidden = indicatif::ProgressBar::hidden();
    let now: Vec<Version> = context
        .versions(&plan.package, PackageVersionState::Active, &hidden)
        .await
        .map_err(|failure| Unsure {
            why: format!(
                "could not list the versions again before deleting ({}); run again",
                failure.explain(plan.package.subject(false))
            ),
            stops_the_run: failure.stops_the_run(),
        })?
        .iter()
        .map(Version::of)
        .filter(|version| !settled.contains(&version.id))
        .collect();
    let before: Vec<&Version> = plan
        .decisions
        .iter()
        .map(|d| &d.version)
        .filter(|version| !settled.contains(&version.id))
        .collect();
    let key = |version: &Version| {
        let tags: BTreeSet<String> = version.tags.iter().cloned().collect();
        (version.id, version.name.clone(), tags)
    };
    let planned: BTreeSet<_> = before.iter().map(|version| key(version)).collect();
    let listed: BTreeSet<_> = now.iter().map(key).collect();
    if planned == listed && now.len() == before.len() {
        return Ok(());
    }
    let planned_ids: HashSet<i64> = before.iter().map(|version| version.id).collect();
    let listed_ids: HashSet<i64> = now.iter().map(|version| version.id).collect();
    let what = if let Some(new) = now.iter().find(|v| !planned_ids.contains(&v.id)) {
        format!("version {} ({}) is new", new.id, new.name)
    } else if let Some(gone) = before.iter().find(|v| !listed_ids.contains(&v.id)) {
        format!("version {} ({}) is gone", gone.id, gone.name)
    } else if let Some(moved) = now.iter().find(|v| !planned.contains(&key(v))) {
        format!("version {} ({}) has other tags", moved.id, moved.name)
    } else {
        "a version is listed twice".to_string()
    };
    Err(Unsure {
        why: format!("{what}: {again}"),
        stops_the_run: false,
    })
}

/// Why [`unchanged`] cannot say a package is still as planned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsure {
    pub why: String,
    /// The listing failed in a way every later request would (rate limit,
    /// token, network): a run pruning many packages stops.
    pub stops_the_run: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(id: i64, name: &str) -> Version {
        Version {
            id,
            name: name.to_string(),
            tags: Vec::new(),
            created_at: "2025-06-01T00:00:00Z".parse().unwrap(),
        }
    }

    #[test]
    fn a_container_version_without_its_tags_is_refused() {
        let listed = |metadata: serde_json::Value| -> PackageVersion {
            serde_json::from_value(serde_json::json!({
                "id": 7, "name": "sha256:a", "url": "u", "package_html_url": "p",
                "created_at": "2025-06-01T00:00:00Z", "updated_at": "2025-06-01T00:00:00Z",
                "metadata": metadata
            }))
            .unwrap()
        };
        let untagged = listed(serde_json::json!({
            "package_type": "container", "container": {"tags": []}
        }));
        assert_eq!(tags_left_out(std::slice::from_ref(&untagged)), None);
        let left_out = listed(serde_json::json!({"package_type": "container"}));
        let why = tags_left_out(&[untagged, left_out]).unwrap();
        assert!(
            why.contains("version 7 (sha256:a) without `metadata.container`"),
            "{why}"
        );
        let mut no_metadata = listed(serde_json::json!({"package_type": "container"}));
        no_metadata.metadata = None;
        assert!(tags_left_out(&[no_metadata]).is_some());
    }

    #[test]
    fn a_listing_naming_a_version_twice_is_refused() {
        let once = [version(1, "sha256:a"), version(2, "sha256:b")];
        assert_eq!(repeated(&once), None);
        let same_id = [version(1, "sha256:a"), version(1, "sha256:a")];
        let why = repeated(&same_id).unwrap();
        assert!(why.contains("names version 1 (sha256:a) twice"), "{why}");
        let same_name = [version(1, "sha256:a"), version(2, "sha256:a")];
        let why = repeated(&same_name).unwrap();
        assert!(
            why.contains("versions 1 and 2 are both named sha256:a"),
            "{why}"
        );
        assert!(
            why.ends_with("changed while it was read; run again"),
            "{why}"
        );
    }
}
