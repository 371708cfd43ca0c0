//! The health of one container package, read for `ghpkg check` and for a
//! prune's verification: its versions' graph (the unreadable ones left
//! out and named), what the image graph's check found
//! ([`github_packages_oci::images::Health`]), and the words for each
//! finding. The checks themselves are the image graph's.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use github_packages::types::PackageVersionState;
use github_packages_oci::images::{BrokenImage, DanglingAttachment, Health};
use github_packages_oci::registry::Digest;

use crate::context::Context;
use crate::exit::Exit;
use crate::image_graph::ReadableGraph;
use crate::model::{PackageRef, Version};

/// A container package as read for a check.
pub struct PackageHealth {
    pub read: ReadableGraph,
    pub health: Health,
}

impl PackageHealth {
    /// Lists `package`'s active versions, reads their manifests (past the
    /// unreadable ones) and checks the images.
    pub async fn read(context: &Context, package: &mut PackageRef) -> Result<PackageHealth, Exit> {
        let listed = context
            .list_versions(package, PackageVersionState::Active)
            .await?;
        let versions: Vec<Version> = listed.iter().map(Version::of).collect();
        package.learn_login(&context.client).await;
        Self::of(context, package, &versions).await
    }

    /// Checks the images of `versions`, the package's active versions.
    pub async fn of(
        context: &Context,
        package: &PackageRef,
        versions: &[Version],
    ) -> Result<PackageHealth, Exit> {
        let read = context
            .registry
            .readable_graph(&context.ui, package, versions)
            .await?;
        let unreadable: HashSet<Digest> = read
            .unreadable
            .iter()
            .filter_map(|(version, _)| version.name.parse().ok())
            .collect();
        let health = read.graph.health(&unreadable);
        Ok(PackageHealth { read, health })
    }

    /// The version at `index` of the graph.
    pub fn version(&self, index: usize) -> &Version {
        &self.read.versions[index]
    }

    /// The root version of image `image`.
    pub fn root(&self, image: usize) -> &Version {
        self.version(self.read.graph.images()[image].root)
    }

    /// Whether nothing is broken and every version could be read.
    pub fn is_healthy(&self) -> bool {
        self.health.is_whole() && self.read.unreadable.is_empty()
    }

    /// The oldest and newest creation times of the orphan images' roots.
    pub fn orphan_ages(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let times = self
            .health
            .orphans
            .iter()
            .map(|&image| self.root(image).created_at);
        let oldest = times.clone().min()?;
        Some((oldest, times.max()?))
    }
}

/// What a broken image misses: `platform linux/arm64 sha256:… is not in
/// the package; …`.
pub fn missing_words(broken: &BrokenImage) -> String {
    let words: Vec<String> = broken
        .missing
        .iter()
        .map(|missing| {
            let why = if missing.unreadable {
                "the registry does not serve it"
            } else {
                "not in the package"
            };
            format!("{} {}: {why}", missing.relation, missing.digest)
        })
        .collect();
    format!("lists {}", words.join("; "))
}

/// `cosign signature of sha256:…, which is not in the package`.
pub fn dangling_words(dangling: &DanglingAttachment) -> String {
    format!(
        "{} of {}, which is not in the package",
        dangling.relation, dangling.subject
    )
}
