//! Image-level decisions on small packages built in memory.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use github_packages_oci::images::{GraphVersion, ImageGraph};
use github_packages_oci::registry::{Digest, Manifest, OCI_INDEX, OCI_MANIFEST};

use super::*;
use crate::model::Unit;

fn now() -> DateTime<Utc> {
    "2025-06-01T00:00:00Z".parse().unwrap()
}

/// Versions and manifests, added oldest first.
#[derive(Default)]
struct Package {
    infos: Vec<Version>,
    manifests: HashMap<Digest, Manifest>,
}

impl Package {
    fn push(&mut self, body: String, tags: &[&str], days_old: i64) -> usize {
        let digest = Digest::of(body.as_bytes());
        self.manifests.insert(
            digest.clone(),
            Manifest::parse(body.as_bytes(), None).unwrap(),
        );
        self.infos.push(Version {
            id: 100 + self.infos.len() as i64,
            name: digest.to_string(),
            tags: tags.iter().map(|tag| tag.to_string()).collect(),
            created_at: now() - TimeDelta::days(days_old),
        });
        self.infos.len() - 1
    }

    fn manifest(&mut self, days_old: i64) -> usize {
        self.tagged_manifest(&[], days_old)
    }

    fn tagged_manifest(&mut self, tags: &[&str], days_old: i64) -> usize {
        let seed = Digest::of(&(self.infos.len() as u64).to_be_bytes());
        self.push(
            format!(
                r#"{{"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{seed}","size":1}},"layers":[]}}"#
            ),
            tags,
            days_old,
        )
    }

    fn index(&mut self, children: &[usize], tags: &[&str], days_old: i64) -> usize {
        let entries: Vec<String> = children
            .iter()
            .map(|&child| {
                format!(
                    r#"{{"mediaType":"{OCI_MANIFEST}","digest":"{}","size":1,"platform":{{"os":"linux","architecture":"amd64"}}}}"#,
                    self.infos[child].name
                )
            })
            .collect();
        self.push(
            format!(
                r#"{{"mediaType":"{OCI_INDEX}","manifests":[{}]}}"#,
                entries.join(",")
            ),
            tags,
            days_old,
        )
    }

    fn plan(&self, policy: &RetentionPolicy) -> ImagePlan {
        let versions: Vec<GraphVersion> = self
            .infos
            .iter()
            .map(|info| GraphVersion::new(info.name.parse().unwrap(), info.tags.clone()))
            .collect();
        let graph = ImageGraph::build(&versions, &self.manifests).unwrap();
        plan_images(policy, &self.infos, graph, now())
    }
}

fn deleted(plan: &ImagePlan) -> Vec<usize> {
    let mut versions: Vec<usize> = plan.steps.iter().map(|step| step.version).collect();
    versions.sort();
    versions
}

fn untagged() -> RetentionPolicy {
    RetentionPolicy {
        untagged: true,
        ..Default::default()
    }
}

#[test]
fn untagged_children_of_a_kept_image_stay() {
    let mut package = Package::default();
    let (amd64, arm64) = (package.manifest(5), package.manifest(5));
    let index = package.index(&[amd64, arm64], &["latest"], 5);
    let orphan = package.manifest(9);
    let plan = package.plan(&untagged());
    assert_eq!(deleted(&plan), [orphan]);
    assert_eq!(plan.decisions[amd64].action, Action::Keep);
    assert!(
        plan.decisions[amd64]
            .reason
            .to_string()
            .contains("platform linux/amd64 of kept image"),
        "{}",
        plan.decisions[amd64].reason
    );
    assert_eq!(plan.image_of[arm64], plan.image_of[index]);
}

#[test]
fn a_deleted_image_goes_index_first_and_keeps_a_shared_child() {
    let mut package = Package::default();
    let (shared, old_only) = (package.manifest(20), package.manifest(20));
    let old = package.index(&[shared, old_only], &[], 20);
    let new = package.index(&[shared], &["latest"], 1);
    let plan = package.plan(&untagged());
    assert_eq!(deleted(&plan), [old_only, old]);
    assert_eq!(
        plan.steps[0],
        Step {
            version: old,
            level: 0,
            after: vec![]
        }
    );
    assert_eq!(
        plan.steps[1],
        Step {
            version: old_only,
            level: 1,
            after: vec![old]
        }
    );
    assert_eq!(plan.decisions[shared].action, Action::Keep);
    assert_eq!(plan.image_of[shared], plan.image_of[new]);
    assert!(
        plan.decisions[old_only]
            .reason
            .to_string()
            .contains("of deleted image"),
        "{}",
        plan.decisions[old_only].reason
    );
}

#[test]
fn keep_latest_counts_images_not_manifests() {
    let mut package = Package::default();
    let mut indexes = Vec::new();
    for age in [30, 20, 10] {
        let children = [
            package.manifest(age),
            package.manifest(age),
            package.manifest(age),
        ];
        indexes.push(package.index(&children, &[&format!("v{age}")], age));
    }
    let plan = package.plan(&RetentionPolicy {
        keep_latest: Some(2),
        ..Default::default()
    });
    assert_eq!(plan.images.len(), 3);
    // Only the oldest image (index + 3 children) goes.
    assert_eq!(deleted(&plan), [0, 1, 2, indexes[0]]);
}

#[test]
fn keep_latest_does_not_count_a_tagged_manifest_an_index_lists() {
    let mut package = Package::default();
    let old_child = package.manifest(10);
    let old = package.index(&[old_child], &["v1"], 10);
    // The newest image: an index whose amd64 manifest is tagged too.
    let child = package.tagged_manifest(&["v2-amd64"], 1);
    let new = package.index(&[child], &["v2"], 1);
    let plan = package.plan(&RetentionPolicy {
        keep_latest: Some(2),
        ..Default::default()
    });
    // Two images people pull: both kept; the tagged child took no place.
    assert_eq!(deleted(&plan), Vec::<usize>::new());
    assert_eq!(plan.decisions[old].action, Action::Keep);
    assert!(
        plan.decisions[old]
            .reason
            .to_string()
            .contains("2 newest selected images"),
        "{}",
        plan.decisions[old].reason
    );
    assert_eq!(plan.image_of[child], plan.image_of[new]);
    let of_child = plan
        .images
        .iter()
        .find(|decision| plan.graph.images()[decision.image].root == child)
        .unwrap();
    assert!(
        of_child
            .reason
            .wording(Unit::Image)
            .contains("--keep-latest does not count it"),
        "{}",
        of_child.reason
    );
}

#[test]
fn a_tagged_manifest_goes_with_its_deleted_index_unless_the_policy_keeps_it() {
    let mut package = Package::default();
    let child = package.tagged_manifest(&["v1-amd64"], 10);
    let old = package.index(&[child], &["v1"], 10);
    let new_child = package.manifest(1);
    let new = package.index(&[new_child], &["v2"], 1);
    let plan = package.plan(&RetentionPolicy {
        keep_latest: Some(1),
        ..Default::default()
    });
    assert_eq!(deleted(&plan), [child, old]);
    assert_eq!(plan.decisions[new].action, Action::Keep);
    // Kept by the rest of the policy, it stays (and keeps its index's
    // deletion from reaching it).
    let plan = package.plan(&RetentionPolicy {
        keep_latest: Some(1),
        keep_tags: vec![crate::glob::Glob::parse("*-amd64").unwrap()],
        ..Default::default()
    });
    assert_eq!(deleted(&plan), [old]);
    assert_eq!(plan.decisions[child].action, Action::Keep);
}

#[test]
fn attachments_follow_their_image_whatever_their_tags() {
    // --keep-tag, --exclude-tag and --tag see an image's own tags: a
    // signature (`sha256-<hex>.sig`) or referrers index (`sha256-<hex>`)
    // of a version in the package is part of that image, not an image.
    let mut package = Package::default();
    let old_child = package.manifest(10);
    let old = package.index(&[old_child], &["v1"], 10);
    let hex = package.infos[old]
        .name
        .trim_start_matches("sha256:")
        .to_string();
    let signature = package.tagged_manifest(&[&format!("sha256-{hex}.sig")], 9);
    let referrers = package.index(&[signature], &[&format!("sha256-{hex}")], 9);
    let new_child = package.manifest(1);
    let new = package.index(&[new_child], &["v2"], 1);
    let plan = package.plan(&RetentionPolicy {
        keep_latest: Some(1),
        keep_tags: vec![crate::glob::Glob::parse("sha256-*").unwrap()],
        ..Default::default()
    });
    assert_eq!(plan.images.len(), 2, "attachments are no images");
    assert_eq!(plan.decisions[new].action, Action::Keep);
    assert_eq!(deleted(&plan), [old_child, old, signature, referrers]);
    let level = |version: usize| {
        plan.steps
            .iter()
            .find(|step| step.version == version)
            .unwrap()
            .level
    };
    assert_eq!(level(old), 0);
    assert!(level(referrers) > level(old), "deleted after its image");
    assert!(level(signature) > level(referrers));
    assert!(
        plan.decisions[referrers]
            .reason
            .to_string()
            .starts_with("referrers index of deleted image"),
        "{}",
        plan.decisions[referrers].reason
    );
    assert!(plan.deletion_of(plan.id(referrers)).unwrap().attached);
}
