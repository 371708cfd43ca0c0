//! The image graph of a container package: which versions make up which
//! image, read from their manifests.
//!
//! A container package's versions are manifests, and most images are more
//! than one: `docker buildx` pushes an index (the tagged version) whose
//! platform manifests and attestation manifests are untagged versions of
//! their own; cosign adds versions tagged `sha256-<hex>.sig` / `.att` /
//! `.sbom`; OCI 1.1 artifacts point at their image through `subject`, and
//! where the registry has no referrers API (ghcr.io) a referrers index
//! tagged `sha256-<hex>` lists them. [`ImageGraph::build`] links them:
//!
//! - an index (OCI, or a Docker manifest list) reaches every manifest it
//!   lists ([`Relation::Platform`], [`Relation::Attestation`], or
//!   [`Relation::Manifest`] for one with neither, e.g. a nested index,
//!   which reaches everything below it in turn). Entries that are blobs
//!   (BuildKit's registry cache lists layers and its cache config) are
//!   neither members nor missing; an entry of an unknown type may be a
//!   manifest, so it counts as one;
//! - a manifest reaches its referrers ([`Relation::Referrer`]) and the
//!   versions tagged `sha256-<its hex>` with or without a cosign suffix
//!   ([`Relation::Signature`]), which follow it whatever their tags;
//! - an artifact (`artifactType`, or a config that is not an image's,
//!   e.g. a Helm chart) is an image like any other, or a referrer of the
//!   image its `subject` names;
//! - an **image** is a root and everything it reaches. Roots are the
//!   versions with a tag of their own (a cosign tag whose image is in the
//!   package does not count), and the versions nothing else reaches. A
//!   manifest may belong to several images (a child shared by two indexes).
//!
//! The graph decides nothing; a retention policy decides about images and
//! uses [`ImageGraph::reach`] and [`ImageGraph::deletion_order`] to act on
//! versions without breaking an image that stays.
//!
//! ```
//! use std::collections::HashMap;
//! use github_packages_oci::images::{GraphError, GraphVersion, ImageGraph, Relation};
//! use github_packages_oci::registry::{Digest, Manifest, OCI_INDEX, OCI_MANIFEST};
//!
//! let config = Digest::of(b"config");
//! let amd64 = format!(
//!     r#"{{"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{config}","size":6}},"layers":[]}}"#
//! );
//! let amd64_digest = Digest::of(amd64.as_bytes());
//! let index = format!(
//!     r#"{{"mediaType":"{OCI_INDEX}","manifests":[{{"mediaType":"{OCI_MANIFEST}","digest":"{amd64_digest}","size":{},"platform":{{"os":"linux","architecture":"amd64"}}}}]}}"#,
//!     amd64.len()
//! );
//! let index_digest = Digest::of(index.as_bytes());
//! let manifests: HashMap<Digest, Manifest> = [
//!     (amd64_digest.clone(), Manifest::parse(amd64.as_bytes(), None).unwrap()),
//!     (index_digest.clone(), Manifest::parse(index.as_bytes(), None).unwrap()),
//! ]
//! .into();
//! let versions = vec![
//!     GraphVersion::new(index_digest, vec!["latest".into()]),
//!     GraphVersion::new(amd64_digest, vec![]),
//! ];
//! let graph = ImageGraph::build(&versions, &manifests)?;
//! assert_eq!(graph.images().len(), 1);
//! let image = &graph.images()[0];
//! assert_eq!(graph.version(image.root).tags, ["latest"]);
//! assert!(matches!(&image.members[0].relation, Relation::Platform(p) if p.to_string() == "linux/amd64"));
//!
//! // A version listed twice is refused: the listing changed while it was read.
//! let twice = [versions.clone(), versions].concat();
//! let error = ImageGraph::build(&twice, &manifests).unwrap_err();
//! assert!(matches!(error, GraphError::Repeated { .. }));
//! # Ok::<(), github_packages_oci::images::GraphError>(())
//! ```

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet, VecDeque};
use std::fmt;

use crate::registry::{
    ATTESTATION_MANIFEST, Digest, Manifest, Platform, REFERENCE_DIGEST_ANNOTATION,
    REFERENCE_TYPE_ANNOTATION,
};

mod health;
mod sizes;
#[cfg(test)]
mod tests;

pub use health::{BrokenImage, DanglingAttachment, Health, MissingManifest};

/// A version as the graph sees it: its digest (the version's name) and tags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GraphVersion {
    /// The manifest digest, which is the version's name.
    pub digest: Digest,
    /// Its tags, as the REST API lists them.
    pub tags: Vec<String>,
}

impl GraphVersion {
    /// A version with these tags.
    pub fn new(digest: Digest, tags: Vec<String>) -> GraphVersion {
        GraphVersion { digest, tags }
    }
}

/// How a member of an image is linked to the version that reaches it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Relation {
    /// A manifest an index lists for this platform.
    Platform(Platform),
    /// A buildx attestation manifest (provenance, SBOM) an index lists,
    /// describing the manifest `describes`, when it says.
    Attestation {
        /// The manifest it describes (`vnd.docker.reference.digest`).
        describes: Option<Digest>,
    },
    /// A manifest an index lists without a platform (e.g. a nested index).
    Manifest,
    /// A version tagged `sha256-<hex>.<kind>` (cosign) or `sha256-<hex>`
    /// (a referrers index) for this one.
    Signature {
        /// What cosign stored.
        kind: CosignKind,
    },
    /// An OCI 1.1 artifact whose `subject` is this one.
    Referrer {
        /// Its `artifactType` (or config media type), when it has one.
        artifact_type: Option<String>,
    },
}

impl Relation {
    /// A short word for the relation: `platform`, `attestation`,
    /// `manifest`, `signature`, `referrer`.
    pub fn kind(&self) -> &'static str {
        match self {
            Relation::Platform(_) => "platform",
            Relation::Attestation { .. } => "attestation",
            Relation::Manifest => "manifest",
            Relation::Signature { .. } => "signature",
            Relation::Referrer { .. } => "referrer",
        }
    }
}

impl fmt::Display for Relation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Relation::Platform(platform) => write!(f, "platform {platform}"),
            Relation::Attestation {
                describes: Some(digest),
            } => write!(f, "attestation of {}", short(digest)),
            Relation::Attestation { describes: None } => f.write_str("attestation"),
            Relation::Manifest => f.write_str("manifest"),
            Relation::Signature {
                kind: CosignKind::Referrers,
            } => f.write_str("referrers index"),
            Relation::Signature { kind } => write!(f, "cosign {kind}"),
            Relation::Referrer {
                artifact_type: Some(artifact_type),
            } => write!(f, "referrer {artifact_type}"),
            Relation::Referrer {
                artifact_type: None,
            } => f.write_str("referrer"),
        }
    }
}

/// `sha256:` and the first 12 hex digits, as `docker images` shows them.
pub fn short(digest: &Digest) -> String {
    format!("sha256:{}", &digest.hex()[..12])
}

/// What a digest tag (`sha256-<hex>` with or without a suffix) holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CosignKind {
    /// `.sig`
    Signature,
    /// `.att`
    Attestation,
    /// `.sbom`
    Sbom,
    /// No suffix: the OCI 1.1 referrers tag schema, an index listing the
    /// image's referrers, pushed by cosign (OCI 1.1 mode), `oras attach`
    /// and notation where the registry has no referrers API (ghcr.io).
    Referrers,
}

impl fmt::Display for CosignKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CosignKind::Signature => "signature",
            CosignKind::Attestation => "attestation",
            CosignKind::Sbom => "sbom",
            CosignKind::Referrers => "referrers",
        })
    }
}

/// The image a digest tag is for: `sha256-<hex>.sig|.att|.sbom` (cosign)
/// or `sha256-<hex>` (the OCI 1.1 referrers fallback tag).
pub fn cosign_subject(tag: &str) -> Option<(Digest, CosignKind)> {
    let rest = tag.strip_prefix("sha256-")?;
    let (hex, kind) = match rest.split_once('.') {
        None => (rest, CosignKind::Referrers),
        Some((hex, "sig")) => (hex, CosignKind::Signature),
        Some((hex, "att")) => (hex, CosignKind::Attestation),
        Some((hex, "sbom")) => (hex, CosignKind::Sbom),
        Some(_) => return None,
    };
    Some((Digest::from_hex(hex).ok()?, kind))
}

/// How an index lists `descriptor`: an attestation (buildx's annotation),
/// else a platform manifest, else a plain manifest.
fn listed_as(descriptor: &crate::registry::Descriptor) -> Relation {
    let attestation = descriptor
        .annotations
        .get(REFERENCE_TYPE_ANNOTATION)
        .is_some_and(|kind| kind == ATTESTATION_MANIFEST);
    if attestation {
        Relation::Attestation {
            describes: descriptor
                .annotations
                .get(REFERENCE_DIGEST_ANNOTATION)
                .and_then(|digest| digest.parse().ok()),
        }
    } else if let Some(platform) = &descriptor.platform {
        Relation::Platform(platform.clone())
    } else {
        Relation::Manifest
    }
}

/// A version an image reaches, besides its root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// The version (an index into [`ImageGraph::version`]).
    pub version: usize,
    /// How it is linked to `via`.
    pub relation: Relation,
    /// The version that reaches it (the root or another member).
    pub via: usize,
}

/// A root and every version it reaches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image {
    /// The root version.
    pub root: usize,
    /// The versions it reaches, nearest first (an index's children before
    /// their own children and referrers).
    pub members: Vec<Member>,
    /// Manifests it lists that are not versions of the package: the image
    /// is already incomplete.
    pub missing: Vec<Digest>,
}

impl Image {
    /// The root and its members.
    pub fn versions(&self) -> impl Iterator<Item = usize> + '_ {
        std::iter::once(self.root).chain(self.members.iter().map(|member| member.version))
    }
}

/// Why [`ImageGraph::build`] refused its input. Either way the input does
/// not describe the package as it is; deciding from it could delete a
/// version a kept image needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GraphError {
    /// A version whose manifest was not given.
    Unread {
        /// The version's digest.
        digest: Digest,
    },
    /// Two versions with the same digest: a listing that changed while it
    /// was read (a version seen on two pages), so which one an image
    /// reaches is a guess.
    Repeated {
        /// The digest listed twice.
        digest: Digest,
    },
}

impl GraphError {
    /// The digest the error is about.
    pub fn digest(&self) -> &Digest {
        match self {
            GraphError::Unread { digest } | GraphError::Repeated { digest } => digest,
        }
    }
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GraphError::Unread { digest } => {
                write!(f, "the manifest of version {digest} was not read")
            }
            GraphError::Repeated { digest } => write!(
                f,
                "version {digest} is listed twice (the listing changed while it was read; run \
                 again)"
            ),
        }
    }
}

impl std::error::Error for GraphError {}

/// A container package's versions linked into images.
#[derive(Clone, Debug)]
pub struct ImageGraph {
    versions: Vec<GraphVersion>,
    /// Per version: what it reaches directly, and how.
    edges: Vec<Vec<(usize, Relation)>>,
    /// Per version: the versions that reach it directly.
    parents: Vec<Vec<usize>>,
    /// Per version: its tags that are its own (not cosign tags of another
    /// version in the package).
    own_tags: Vec<Vec<String>>,
    /// Per version: manifests it lists that are not in the package, and
    /// what they were to it.
    missing: Vec<Vec<(Digest, Relation)>>,
    /// Per version: the images it is attached to (by `subject` or a digest
    /// tag) that are not in the package.
    detached: Vec<Vec<(Digest, Relation)>>,
    /// Per version: its manifest's own bytes and the blobs it names.
    sizes: Vec<sizes::VersionBytes>,
    images: Vec<Image>,
}

impl ImageGraph {
    /// Links `versions` through their `manifests` (which must hold every
    /// version's manifest: an error names the first one missing). Each
    /// digest must be listed once: an error names the first one repeated.
    pub fn build(
        versions: &[GraphVersion],
        manifests: &HashMap<Digest, Manifest>,
    ) -> Result<ImageGraph, GraphError> {
        let mut position: HashMap<&Digest, usize> = HashMap::with_capacity(versions.len());
        for (index, version) in versions.iter().enumerate() {
            if position.insert(&version.digest, index).is_some() {
                return Err(GraphError::Repeated {
                    digest: version.digest.clone(),
                });
            }
        }
        let count = versions.len();
        let mut graph = ImageGraph {
            versions: versions.to_vec(),
            edges: vec![Vec::new(); count],
            parents: vec![Vec::new(); count],
            own_tags: vec![Vec::new(); count],
            missing: vec![Vec::new(); count],
            detached: vec![Vec::new(); count],
            sizes: Vec::with_capacity(count),
            images: Vec::new(),
        };
        for (index, version) in versions.iter().enumerate() {
            let manifest = manifests
                .get(&version.digest)
                .ok_or_else(|| GraphError::Unread {
                    digest: version.digest.clone(),
                })?;
            graph.sizes.push(sizes::VersionBytes::of(manifest));
            graph.link_listed(index, manifest, &position);
        }
        // Attachments after every index's own children, so that an
        // image's members list its manifests first.
        for (index, version) in versions.iter().enumerate() {
            graph.link_attachments(index, &manifests[&version.digest], &position);
        }
        graph.link_parents();
        graph.images = graph.find_images();
        Ok(graph)
    }

    /// Links the index at `index` to the manifests it lists (blobs, which
    /// a BuildKit registry cache lists, are no versions and not missing).
    fn link_listed(
        &mut self,
        index: usize,
        manifest: &Manifest,
        position: &HashMap<&Digest, usize>,
    ) {
        let Manifest::Index(list) = manifest else {
            return;
        };
        for descriptor in list.manifests.iter().filter(|d| !d.is_blob()) {
            let relation = listed_as(descriptor);
            match position.get(&descriptor.digest) {
                Some(&child) => self.edges[index].push((child, relation)),
                None => self.missing[index].push((descriptor.digest.clone(), relation)),
            }
        }
    }

    /// Links the version at `index` to the image its `subject` or a digest
    /// tag names; its other tags are its own.
    fn link_attachments(
        &mut self,
        index: usize,
        manifest: &Manifest,
        position: &HashMap<&Digest, usize>,
    ) {
        if let Some(subject) = manifest.subject() {
            let artifact_type = manifest.artifact_type().map(str::to_string);
            let relation = Relation::Referrer { artifact_type };
            match position.get(&subject.digest) {
                Some(&target) => self.edges[target].push((index, relation)),
                None => self.detached[index].push((subject.digest.clone(), relation)),
            }
        }
        for tag in self.versions[index].tags.clone() {
            let Some((subject, kind)) = cosign_subject(&tag) else {
                self.own_tags[index].push(tag);
                continue;
            };
            match position.get(&subject) {
                Some(&target) if target != index => {
                    self.edges[target].push((index, Relation::Signature { kind }));
                }
                Some(_) => self.own_tags[index].push(tag),
                None => {
                    self.detached[index].push((subject, Relation::Signature { kind }));
                    self.own_tags[index].push(tag);
                }
            }
        }
    }

    /// One link per pair (an index listing a manifest twice, or a referrer
    /// that is also cosign-tagged, is reached once), and each version's
    /// parents.
    fn link_parents(&mut self) {
        for (from, targets) in self.edges.iter_mut().enumerate() {
            let mut seen = HashSet::new();
            targets.retain(|(to, _)| *to != from && seen.insert(*to));
            for (to, _) in targets.iter() {
                self.parents[*to].push(from);
            }
        }
    }

    /// Roots in version order, then (for versions only reachable from one
    /// another, a cycle) the first unreached version, until all are reached.
    fn find_images(&self) -> Vec<Image> {
        let mut reached = vec![false; self.versions.len()];
        let mut images = Vec::new();
        for index in 0..self.versions.len() {
            if !self.own_tags[index].is_empty() || self.parents[index].is_empty() {
                let image = self.image_from(index);
                for version in image.versions() {
                    reached[version] = true;
                }
                images.push(image);
            }
        }
        // One pass over the versions: `next` only moves forwards, so the
        // cycles' roots cost no rescan of every version.
        let mut next = 0;
        while let Some(offset) = reached[next..].iter().position(|reached| !reached) {
            let index = next + offset;
            next = index + 1;
            let image = self.image_from(index);
            for version in image.versions() {
                reached[version] = true;
            }
            images.push(image);
        }
        images
    }

    fn image_from(&self, root: usize) -> Image {
        let mut seen = HashSet::from([root]);
        let mut queue = VecDeque::from([root]);
        let mut members = Vec::new();
        let mut missing = Vec::new();
        while let Some(from) = queue.pop_front() {
            missing.extend(self.missing[from].iter().map(|(digest, _)| digest.clone()));
            for (to, relation) in &self.edges[from] {
                if seen.insert(*to) {
                    members.push(Member {
                        version: *to,
                        relation: relation.clone(),
                        via: from,
                    });
                    queue.push_back(*to);
                }
            }
        }
        Image {
            root,
            members,
            missing,
        }
    }

    /// The images, roots in the order the versions were given.
    pub fn images(&self) -> &[Image] {
        &self.images
    }

    /// The version at `index`, as given to [`build`](Self::build).
    pub fn version(&self, index: usize) -> &GraphVersion {
        &self.versions[index]
    }

    /// How many versions the graph holds.
    pub fn len(&self) -> usize {
        self.versions.len()
    }

    /// Whether the graph holds no version.
    pub fn is_empty(&self) -> bool {
        self.versions.is_empty()
    }

    /// The tags of `index` that are its own (a cosign tag of another
    /// version in the package is that version's attachment, not a tag).
    pub fn own_tags(&self, index: usize) -> &[String] {
        &self.own_tags[index]
    }

    /// The versions that reach `index` directly (its indexes, the image it
    /// signs or refers to).
    pub fn parents(&self, index: usize) -> &[usize] {
        &self.parents[index]
    }

    /// The manifests version `index` lists, as its own manifest says: an
    /// index's entries that are manifests (versions of the package or not),
    /// in its order; none for a manifest that is not an index. Attachments
    /// (signatures, referrers) are not listed by the image they attach to.
    pub fn lists(&self, index: usize) -> Vec<&Digest> {
        let listed = self.edges[index].iter().filter(|(_, relation)| {
            matches!(
                relation,
                Relation::Platform(_) | Relation::Attestation { .. } | Relation::Manifest
            )
        });
        listed
            .map(|(child, _)| &self.versions[*child].digest)
            .chain(self.missing[index].iter().map(|(digest, _)| digest))
            .collect()
    }

    /// Every version the images `images` (indexes into
    /// [`images`](Self::images)) reach, their roots included.
    pub fn reach(&self, images: impl IntoIterator<Item = usize>) -> HashSet<usize> {
        images
            .into_iter()
            .flat_map(|image| self.images[image].versions())
            .collect()
    }

    /// `versions` in an order that deletes what reaches a version before
    /// the version itself (an index before its children, an image before
    /// its signatures): stopped at any point, no remaining version points
    /// at a deleted one. Restoring goes the other way round. Versions in a
    /// cycle keep their given order.
    pub fn deletion_order(&self, versions: &HashSet<usize>) -> Vec<usize> {
        let mut waiting: HashMap<usize, usize> = versions
            .iter()
            .map(|&version| {
                let parents = self.parents[version]
                    .iter()
                    .filter(|parent| versions.contains(parent))
                    .count();
                (version, parents)
            })
            .collect();
        // The lowest ready version first: a heap, not a sort per step, so
        // that 100,000 deletions cost n log n.
        let mut ready: BinaryHeap<Reverse<usize>> = waiting
            .iter()
            .filter(|(_, parents)| **parents == 0)
            .map(|(&version, _)| Reverse(version))
            .collect();
        // For cycles: the versions in the given order, taken from the front.
        let mut by_position: Vec<usize> = versions.iter().copied().collect();
        by_position.sort_unstable();
        let mut cycle_cursor = 0;
        let mut order = Vec::with_capacity(versions.len());
        while !waiting.is_empty() {
            if ready.is_empty() {
                // A cycle: take its first version in the given order.
                while !waiting.contains_key(&by_position[cycle_cursor]) {
                    cycle_cursor += 1;
                }
                ready.push(Reverse(by_position[cycle_cursor]));
            }
            let Reverse(version) = ready.pop().expect("ready is not empty");
            if waiting.remove(&version).is_none() {
                continue;
            }
            order.push(version);
            for (child, _) in &self.edges[version] {
                if let Some(parents) = waiting.get_mut(child) {
                    *parents = parents.saturating_sub(1);
                    if *parents == 0 {
                        ready.push(Reverse(*child));
                    }
                }
            }
        }
        order
    }
}
