//! The health of a container package's images, as `ghpkg check` reports
//! it and a prune verifies it after deleting:
//!
//! - a **broken image** lists a manifest that is not in the package (or
//!   that the registry cannot serve): a pull of it fails;
//! - a **dangling attachment** is a signature (`sha256-<hex>.sig`, `.att`,
//!   `.sbom`), a referrers index (`sha256-<hex>`) or a manifest with a
//!   `subject` whose image is not in the package: it describes nothing;
//! - an **orphan image** is an untagged image that no tag reaches (and not
//!   a dangling attachment): nothing pulls it by name;
//!
//! Versions whose manifest cannot be read are not in the graph: the caller
//! names them, so that a manifest an image lists and the registry does not
//! serve is told apart from one that is not in the package at all.

use std::collections::HashSet;

use super::{ImageGraph, Relation};
use crate::registry::Digest;

/// A manifest an image lists that is not there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissingManifest {
    /// Its digest.
    pub digest: Digest,
    /// What it was to the version that lists it (platform, attestation…).
    pub relation: Relation,
    /// The version that lists it (an index into [`ImageGraph::version`]).
    pub via: usize,
    /// The package lists it, but the registry does not serve it (or it is
    /// not a manifest); otherwise it is not in the package.
    pub unreadable: bool,
}

/// An image that lists manifests that are not there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokenImage {
    /// The image (an index into [`ImageGraph::images`]).
    pub image: usize,
    /// What it misses, in the order it lists them.
    pub missing: Vec<MissingManifest>,
}

/// A version attached to an image that is not in the package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DanglingAttachment {
    /// The version (an index into [`ImageGraph::version`]).
    pub version: usize,
    /// The image it is for, which is gone.
    pub subject: Digest,
    /// How it is attached: [`Relation::Signature`] (a digest tag) or
    /// [`Relation::Referrer`] (`subject`).
    pub relation: Relation,
}

/// What [`ImageGraph::health`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Health {
    /// Images that cannot be pulled whole, in image order.
    pub broken: Vec<BrokenImage>,
    /// Attachments of images that are gone, in version order.
    pub dangling: Vec<DanglingAttachment>,
    /// Untagged images no tag reaches (indexes into
    /// [`ImageGraph::images`]).
    pub orphans: Vec<usize>,
    /// The bytes of the orphan images together (each blob once).
    pub orphan_bytes: u64,
    /// The bytes of the whole package (each blob once).
    pub total_bytes: u64,
}

impl Health {
    /// Whether every image can be pulled whole.
    pub fn is_whole(&self) -> bool {
        self.broken.is_empty()
    }
}

impl ImageGraph {
    /// Checks every image; `unreadable` are the package's versions whose
    /// manifests could not be read (left out of the graph).
    pub fn health(&self, unreadable: &HashSet<Digest>) -> Health {
        let broken = (0..self.images.len())
            .filter_map(|image| self.broken_image(image, unreadable))
            .collect();
        let dangling: Vec<DanglingAttachment> = (0..self.versions.len())
            .flat_map(|version| {
                self.detached[version]
                    .iter()
                    // An image the registry cannot serve is in the package:
                    // it is reported as unreadable, its attachments are not
                    // dangling.
                    .filter(|(subject, _)| !unreadable.contains(subject))
                    .map(move |(subject, relation)| DanglingAttachment {
                        version,
                        subject: subject.clone(),
                        relation: relation.clone(),
                    })
            })
            .collect();
        let dangling_versions: HashSet<usize> = dangling.iter().map(|d| d.version).collect();
        let orphans: Vec<usize> = (0..self.images.len())
            .filter(|&image| {
                let root = self.images[image].root;
                self.own_tags[root].is_empty() && !dangling_versions.contains(&root)
            })
            .collect();
        Health {
            orphan_bytes: self.bytes_of(orphans.iter().flat_map(|&i| self.images[i].versions())),
            total_bytes: self.total_bytes(),
            broken,
            dangling,
            orphans,
        }
    }

    fn broken_image(&self, image: usize, unreadable: &HashSet<Digest>) -> Option<BrokenImage> {
        let mut seen = HashSet::new();
        let missing: Vec<MissingManifest> = self.images[image]
            .versions()
            .flat_map(|via| {
                self.missing[via]
                    .iter()
                    .map(move |(digest, relation)| (via, digest, relation))
            })
            .filter(|(_, digest, _)| seen.insert(*digest))
            .map(|(via, digest, relation)| MissingManifest {
                digest: digest.clone(),
                relation: relation.clone(),
                via,
                unreadable: unreadable.contains(digest),
            })
            .collect();
        (!missing.is_empty()).then_some(BrokenImage { image, missing })
    }
}
