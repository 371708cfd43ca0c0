//! Retention for container images: the policy decides about images, and
//! every version follows the image it belongs to.
//!
//! A container package's versions are linked into images by their
//! manifests ([`ImageGraph`]). The policy ([`decide`]) sees only the images'
//! roots (their own tags, their creation time), so `--keep-latest` counts
//! images and `--untagged` selects untagged roots. `--keep-latest` counts
//! top-level images only: a tagged manifest that another image lists is
//! decided by the rest of the policy ([`decide_alone`]). Then:
//!
//! - a kept image keeps every version it reaches (platform manifests,
//!   attestations, signatures, referrers), whatever the policy would have
//!   said about those versions on their own;
//! - a deleted image takes the versions it reaches with it, except those a
//!   kept image reaches too;
//! - deletions go in levels: an index before its children, an image before
//!   its signatures and referrers, so that no moment leaves a remaining
//!   version pointing at a deleted one; restoring goes the other way.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use github_packages_oci::images::{ImageGraph, Member, Relation, short};

use crate::journal::ImageLink;
use crate::model::Reason;
use crate::model::Version;
use crate::policy::{Action, Decision, RetentionPolicy, decide, decide_alone};
use crate::references::Reference;

/// The policy's verdict on one image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageDecision {
    /// The image, an index into [`ImageGraph::images`].
    pub image: usize,
    /// Keep or delete the image.
    pub action: Action,
    /// Why (worded for images: see [`Reason::wording`]).
    pub reason: Reason,
}

/// One deletion of an image plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The version (an index into the graph's versions).
    pub version: usize,
    /// 0 for a version nothing else to delete reaches; otherwise one more
    /// than the deepest of `after`. Deleting goes level by level upwards,
    /// restoring downwards.
    pub level: usize,
    /// Versions of this plan that reach this one: they must be deleted
    /// before it is, and if one of them fails, this one is not attempted.
    pub after: Vec<usize>,
}

/// The image-level plan of a container package.
#[derive(Clone, Debug)]
pub struct ImagePlan {
    /// The package's images.
    pub graph: ImageGraph,
    /// One decision per image, newest root first.
    pub images: Vec<ImageDecision>,
    /// Per version: the image it is shown under (the kept image that keeps
    /// it, else the first deleted image that takes it).
    pub image_of: Vec<usize>,
    /// The deletions, in an order that respects [`Step::after`].
    pub steps: Vec<Step>,
    /// Per version: its decision, in `versions` order.
    pub decisions: Vec<Decision>,
    /// Version id → position in `versions`.
    positions: HashMap<i64, usize>,
    /// Per version: its deletion level, if it is deleted.
    levels: Vec<Option<usize>>,
    /// Per deleted version: the deleted images that reach it besides the
    /// one it is shown under (a child shared by two deleted indexes).
    also_in: Vec<Vec<usize>>,
    /// Per version: deleted only as a signature or referrer of an image,
    /// listed by no deleted index.
    attached: Vec<bool>,
}

/// Decides about the images of `graph` (built from `versions`, in the same
/// order) with `policy` as of `now`.
pub fn plan_images(
    policy: &RetentionPolicy,
    versions: &[Version],
    graph: ImageGraph,
    now: DateTime<Utc>,
) -> ImagePlan {
    let image_decisions = decide_images(policy, versions, &graph, now);
    let kept: Vec<usize> = image_decisions
        .iter()
        .filter(|decision| decision.action == Action::Keep)
        .map(|decision| decision.image)
        .collect();
    let protected = graph.reach(kept.iter().copied());
    let (image_of, membership) = shown_under(&graph, &image_decisions, &kept, versions.len());
    let decisions = version_decisions(
        &graph,
        versions,
        &image_decisions,
        &protected,
        &image_of,
        &membership,
    );
    let to_delete: HashSet<usize> = (0..versions.len())
        .filter(|version| !protected.contains(version))
        .collect();
    let steps = deletion_steps(&graph, &to_delete);
    let mut levels = vec![None; versions.len()];
    for step in &steps {
        levels[step.version] = Some(step.level);
    }
    let (also_in, attached) = shared_and_attached(&graph, &image_decisions, &image_of, &levels);
    ImagePlan {
        graph,
        images: image_decisions,
        image_of,
        steps,
        decisions,
        positions: versions
            .iter()
            .enumerate()
            .map(|(position, info)| (info.id, position))
            .collect(),
        levels,
        also_in,
        attached,
    }
}

/// The policy's verdict on each image, newest root first. `--keep-latest`
/// counts top-level images only: a tagged manifest that another image
/// lists is an image too, but counting it would let it take the place of
/// an image people pull; it is decided on its own.
fn decide_images(
    policy: &RetentionPolicy,
    versions: &[Version],
    graph: &ImageGraph,
    now: DateTime<Utc>,
) -> Vec<ImageDecision> {
    let images = graph.images();
    let root_info = |image: usize| Version {
        tags: graph.own_tags(images[image].root).to_vec(),
        ..versions[images[image].root].clone()
    };
    let (top, listed): (Vec<usize>, Vec<usize>) =
        (0..images.len()).partition(|&image| !listed_elsewhere(graph, image));
    let roots: Vec<Version> = top.iter().map(|&image| root_info(image)).collect();
    let image_by_root: HashMap<i64, usize> = images
        .iter()
        .enumerate()
        .map(|(index, image)| (versions[image.root].id, index))
        .collect();
    let mut decisions: Vec<ImageDecision> = decide(policy, &roots, now)
        .into_iter()
        .map(|decision| ImageDecision {
            image: image_by_root[&decision.version.id],
            action: decision.action,
            reason: decision.reason,
        })
        .collect();
    decisions.extend(listed.into_iter().map(|image| {
        let decision = decide_alone(policy, &root_info(image), now);
        ImageDecision {
            image,
            action: decision.action,
            reason: Reason::Listed {
                reason: Box::new(decision.reason),
                keep_latest: policy.keep_latest.is_some(),
            },
        }
    }));
    keep_referenced(&policy.referenced, versions, graph, &mut decisions);
    // Newest root first, as `decide` orders them.
    decisions.sort_by(|a, b| {
        let (a, b) = (
            &versions[images[a.image].root],
            &versions[images[b.image].root],
        );
        b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id))
    });
    decisions
}

/// Keeps every image one of whose versions (its root or a member) a
/// deployment file names, by tag or by digest.
fn keep_referenced(
    references: &[Reference],
    versions: &[Version],
    graph: &ImageGraph,
    decisions: &mut [ImageDecision],
) {
    for decision in decisions {
        let image = &graph.images()[decision.image];
        let named = image.versions().find_map(|version| {
            let info = &versions[version];
            references
                .iter()
                .find(|reference| reference.names_version(&info.name, &info.tags))
        });
        if let Some(reference) = named {
            decision.action = Action::Keep;
            decision.reason = Reason::Referenced {
                place: reference.place(),
            };
        }
    }
}

/// Per version: the image it is shown under (the first kept image that
/// reaches it, else the first image, newest first, that does), and how it
/// is that image's member (`None` for the root).
fn shown_under<'g>(
    graph: &'g ImageGraph,
    decisions: &[ImageDecision],
    kept: &[usize],
    versions: usize,
) -> (Vec<usize>, Vec<Option<&'g Member>>) {
    let images = graph.images();
    let mut image_of: Vec<Option<usize>> = vec![None; versions];
    let mut membership: Vec<Option<&Member>> = vec![None; versions];
    let deleted = decisions
        .iter()
        .filter(|decision| decision.action == Action::Delete)
        .map(|decision| decision.image);
    for image in kept.iter().copied().chain(deleted) {
        let entry = &images[image];
        image_of[entry.root].get_or_insert(image);
        for member in &entry.members {
            if image_of[member.version].is_none() {
                image_of[member.version] = Some(image);
                membership[member.version] = Some(member);
            }
        }
    }
    let image_of = image_of
        .into_iter()
        .map(|image| image.expect("every version belongs to an image"))
        .collect();
    (image_of, membership)
}

/// Each version's decision: a root follows its image's verdict; any other
/// version is kept if a kept image reaches it, else goes with its image.
fn version_decisions(
    graph: &ImageGraph,
    versions: &[Version],
    image_decisions: &[ImageDecision],
    protected: &HashSet<usize>,
    image_of: &[usize],
    membership: &[Option<&Member>],
) -> Vec<Decision> {
    let decision_of: HashMap<usize, &ImageDecision> = image_decisions
        .iter()
        .map(|decision| (decision.image, decision))
        .collect();
    versions
        .iter()
        .enumerate()
        .map(|(version, info)| {
            let image = image_of[version];
            let verdict = &decision_of[&image].reason;
            let kept = protected.contains(&version);
            let action = if kept { Action::Keep } else { Action::Delete };
            let reason = if graph.images()[image].root == version {
                Reason::OfImage(Box::new(verdict.clone()))
            } else {
                let relation = relation(membership[version]);
                let image = describe(graph, image);
                if kept {
                    Reason::InKeptImage { relation, image }
                } else {
                    Reason::InDeletedImage {
                        relation,
                        image,
                        reason: Box::new(verdict.clone()),
                    }
                }
            };
            Decision {
                version: info.clone(),
                action,
                reason,
            }
        })
        .collect()
}

/// The deletions of `to_delete`, each after the versions that reach it.
fn deletion_steps(graph: &ImageGraph, to_delete: &HashSet<usize>) -> Vec<Step> {
    let mut level: HashMap<usize, usize> = HashMap::new();
    graph
        .deletion_order(to_delete)
        .into_iter()
        .map(|version| {
            // A parent not placed yet is in a cycle with this version: it
            // does not hold this one back.
            let after: Vec<usize> = graph
                .parents(version)
                .iter()
                .copied()
                .filter(|parent| to_delete.contains(parent) && level.contains_key(parent))
                .collect();
            let depth = after
                .iter()
                .map(|parent| level[parent] + 1)
                .max()
                .unwrap_or(0);
            level.insert(version, depth);
            Step {
                version,
                level: depth,
                after,
            }
        })
        .collect()
}

/// Per deleted version: the other deleted images that reach it; and per
/// version: whether it is deleted only as a signature or referrer, listed
/// by no deleted index.
fn shared_and_attached(
    graph: &ImageGraph,
    decisions: &[ImageDecision],
    image_of: &[usize],
    levels: &[Option<usize>],
) -> (Vec<Vec<usize>>, Vec<bool>) {
    let versions = image_of.len();
    let mut also_in: Vec<Vec<usize>> = vec![Vec::new(); versions];
    let mut listed = vec![false; versions];
    let mut attached = vec![false; versions];
    for decision in decisions {
        let image = &graph.images()[decision.image];
        for version in image.versions() {
            if levels[version].is_some() && image_of[version] != decision.image {
                also_in[version].push(decision.image);
            }
        }
        for member in &image.members {
            match member.relation {
                Relation::Signature { .. } | Relation::Referrer { .. } => {
                    attached[member.version] = true
                }
                _ => listed[member.version] = true,
            }
        }
    }
    let attached = (0..versions)
        .map(|version| attached[version] && !listed[version])
        .collect();
    (also_in, attached)
}

impl ImagePlan {
    /// The image the version `id` is deleted with (its root digest), its
    /// level in that deletion, the other deleted images that list it, and
    /// the manifests it lists; `None` for a version that is kept.
    pub fn deletion_of(&self, id: i64) -> Option<ImageLink> {
        let version = *self.positions.get(&id)?;
        let level = self.levels[version]?;
        let root_digest = |image: usize| {
            let root = self.graph.images()[image].root;
            self.graph.version(root).digest.to_string()
        };
        Some(ImageLink {
            image: root_digest(self.image_of[version]),
            level,
            attached: self.attached[version],
            also_in: self.also_in[version]
                .iter()
                .map(|&i| root_digest(i))
                .collect(),
            lists: (self.graph.lists(version).iter())
                .map(|digest| digest.to_string())
                .collect(),
        })
    }

    /// What deleting the versions `deleted` (ids) frees, in bytes: see
    /// [`ImageGraph::freed_bytes`] (blobs no remaining version names, each
    /// once, and the deleted manifests).
    pub fn freed_bytes(&self, deleted: impl IntoIterator<Item = i64>) -> u64 {
        let deleted: HashSet<usize> = deleted
            .into_iter()
            .filter_map(|id| self.positions.get(&id).copied())
            .collect();
        self.graph.freed_bytes(&deleted)
    }

    /// The id of the version at `version`.
    pub fn id(&self, version: usize) -> i64 {
        self.decisions[version].version.id
    }

    /// The versions in the order a person reads them: image by image
    /// (newest root first), each image's root, then its members nearest
    /// first. Each version once, under the image it is shown with.
    pub fn display_order(&self) -> Vec<usize> {
        let mut order = Vec::with_capacity(self.decisions.len());
        let mut placed = vec![false; self.decisions.len()];
        for decision in &self.images {
            let image = &self.graph.images()[decision.image];
            for version in image.versions() {
                if self.image_of[version] == decision.image && !placed[version] {
                    placed[version] = true;
                    order.push(version);
                }
            }
        }
        order
    }

    /// The decisions in [`display_order`](Self::display_order).
    pub fn decisions_by_image(&self) -> Vec<Decision> {
        self.display_order()
            .into_iter()
            .map(|version| self.decisions[version].clone())
            .collect()
    }

    /// Why the package must not be pruned, if a kept image lists a
    /// manifest that is not a version of the package: the image is broken
    /// already, or the listing is incomplete, and what it needs is unknown.
    pub fn incomplete_kept_image(&self) -> Option<String> {
        self.images
            .iter()
            .filter(|decision| decision.action == Action::Keep)
            .find_map(|decision| {
                let missing = self.graph.images()[decision.image].missing.first()?;
                Some(format!(
                    "kept {} lists manifest {missing}, which is not a version of the package \
                     (the image is broken already, or the listing is incomplete): run again, and \
                     if it stays so, push the image again or delete it",
                    describe(&self.graph, decision.image)
                ))
            })
    }

    /// For each deleted image that lists a manifest the package no longer
    /// has: a line saying so (nothing to do; the rest of it is deleted).
    pub fn gone_children(&self) -> Vec<String> {
        self.images
            .iter()
            .filter(|decision| decision.action == Action::Delete)
            .flat_map(|decision| {
                let image = &self.graph.images()[decision.image];
                let mut seen = HashSet::new();
                image
                    .missing
                    .iter()
                    .filter(move |digest| seen.insert(*digest))
                    .map(move |digest| {
                        format!(
                            "deleted {} lists manifest {digest}, which is gone already",
                            describe(&self.graph, decision.image)
                        )
                    })
            })
            .collect()
    }

    /// The root digest of the image the version `id` is listed under.
    pub fn image_digest_of(&self, id: i64) -> Option<&str> {
        let version = *self.positions.get(&id)?;
        let root = self.graph.images()[self.image_of[version]].root;
        Some(self.graph.version(root).digest.as_str())
    }
}

/// `image sha256:0123456789ab (latest)`.
fn describe(graph: &ImageGraph, image: usize) -> String {
    let root = graph.images()[image].root;
    let tags = graph.own_tags(root);
    let digest = short(&graph.version(root).digest);
    if tags.is_empty() {
        format!("image {digest}")
    } else {
        format!("image {digest} ({})", tags.join(", "))
    }
}

/// Whether a version outside `image` reaches its root: a tagged manifest
/// that an index lists, say. (A root in a cycle is reached only from its
/// own image: that one is top-level.)
fn listed_elsewhere(graph: &ImageGraph, image: usize) -> bool {
    let entry = &graph.images()[image];
    let own: HashSet<usize> = entry.versions().collect();
    graph
        .parents(entry.root)
        .iter()
        .any(|parent| !own.contains(parent))
}

fn relation(member: Option<&Member>) -> String {
    member.map_or_else(|| "part".to_string(), |member| member.relation.to_string())
}

#[cfg(test)]
#[path = "images_tests.rs"]
mod tests;
