//! How many bytes a package's images hold, from the manifests already read:
//! each manifest's own bytes, and the blobs (configs and layers) it names,
//! by the sizes its descriptors give. A blob named by several manifests is
//! counted once wherever a set of versions is measured.
//!
//! Only this package's manifests are seen: a blob that another package
//! (or another registry repository) also uses is counted here all the same,
//! so what a deletion frees is what this package stops referencing.

use std::collections::{HashMap, HashSet};

use super::ImageGraph;
use crate::registry::{Digest, Manifest};

/// One version's manifest bytes and the blobs it names.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct VersionBytes {
    manifest: u64,
    blobs: Vec<(Digest, u64)>,
}

impl VersionBytes {
    pub(super) fn of(manifest: &Manifest) -> VersionBytes {
        VersionBytes {
            manifest: manifest.size(),
            blobs: manifest
                .blobs()
                .into_iter()
                .map(|blob| (blob.digest.clone(), blob.size))
                .collect(),
        }
    }
}

impl ImageGraph {
    /// The bytes of `versions` together: their manifests, and each blob
    /// any of them names, once.
    pub fn bytes_of(&self, versions: impl IntoIterator<Item = usize>) -> u64 {
        let mut blobs: HashMap<&Digest, u64> = HashMap::new();
        let mut manifests = 0;
        let mut seen = HashSet::new();
        for version in versions {
            if !seen.insert(version) {
                continue;
            }
            let sizes = &self.sizes[version];
            manifests += sizes.manifest;
            for (digest, size) in &sizes.blobs {
                blobs.entry(digest).or_insert(*size);
            }
        }
        manifests + blobs.values().sum::<u64>()
    }

    /// The size of the image `image` (an index into
    /// [`images`](Self::images)): every version it reaches, each blob once.
    pub fn image_bytes(&self, image: usize) -> u64 {
        self.bytes_of(self.images[image].versions())
    }

    /// The size of the whole package.
    pub fn total_bytes(&self) -> u64 {
        self.bytes_of(0..self.versions.len())
    }

    /// What deleting `deleted` frees: the deleted manifests' own bytes, and
    /// each blob they name that no other version of the package names,
    /// once.
    pub fn freed_bytes(&self, deleted: &HashSet<usize>) -> u64 {
        let still_named: HashSet<&Digest> = (0..self.versions.len())
            .filter(|version| !deleted.contains(version))
            .flat_map(|version| self.sizes[version].blobs.iter().map(|(digest, _)| digest))
            .collect();
        let mut freed_blobs: HashMap<&Digest, u64> = HashMap::new();
        let mut manifests = 0;
        for &version in deleted {
            let Some(sizes) = self.sizes.get(version) else {
                continue;
            };
            manifests += sizes.manifest;
            for (digest, size) in &sizes.blobs {
                if !still_named.contains(digest) {
                    freed_blobs.entry(digest).or_insert(*size);
                }
            }
        }
        manifests + freed_blobs.values().sum::<u64>()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use crate::images::{GraphVersion, ImageGraph};
    use crate::registry::{Digest, Manifest, OCI_INDEX, OCI_MANIFEST};

    /// A blob descriptor of `size` bytes named `label`.
    fn blob(label: &str, size: u64) -> String {
        format!(
            r#"{{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{}","size":{size}}}"#,
            Digest::of(label.as_bytes())
        )
    }

    /// An image manifest with a 100-byte config `label` and these layers.
    fn image(label: &str, layers: &[(&str, u64)]) -> String {
        let layers: Vec<String> = layers.iter().map(|(l, s)| blob(l, *s)).collect();
        format!(
            r#"{{"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{}","size":100}},"layers":[{}]}}"#,
            Digest::of(label.as_bytes()),
            layers.join(",")
        )
    }

    fn graph(bodies: &[(&str, &[&str])]) -> (ImageGraph, Vec<u64>) {
        let mut manifests = HashMap::new();
        let mut versions = Vec::new();
        let mut lengths = Vec::new();
        for (body, tags) in bodies {
            let digest = Digest::of(body.as_bytes());
            manifests.insert(
                digest.clone(),
                Manifest::parse(body.as_bytes(), None).unwrap(),
            );
            versions.push(GraphVersion::new(
                digest,
                tags.iter().map(|t| t.to_string()).collect(),
            ));
            lengths.push(body.len() as u64);
        }
        (ImageGraph::build(&versions, &manifests).unwrap(), lengths)
    }

    #[test]
    fn shared_layers_are_counted_once_and_freed_only_when_no_kept_image_names_them() {
        // a and b share the base layer (1000 bytes); c shares b's top layer.
        let a = image("a", &[("base", 1000), ("a top", 10)]);
        let b = image("b", &[("base", 1000), ("b top", 20)]);
        let c = image("c", &[("b top", 20), ("c top", 30)]);
        let (graph, len) = graph(&[(&a, &["a"]), (&b, &["b"]), (&c, &["c"])]);
        assert_eq!(graph.image_bytes(0), len[0] + 100 + 1000 + 10);
        assert_eq!(
            graph.total_bytes(),
            len.iter().sum::<u64>() + 3 * 100 + 1000 + 10 + 20 + 30
        );
        // Deleting a, keeping b: the base layer stays.
        assert_eq!(graph.freed_bytes(&HashSet::from([0])), len[0] + 100 + 10);
        // Deleting a and b, keeping c: the base once, b's top stays (c).
        assert_eq!(
            graph.freed_bytes(&HashSet::from([0, 1])),
            len[0] + len[1] + 2 * 100 + 1000 + 10
        );
        assert_eq!(
            graph.bytes_of([0, 1]),
            len[0] + len[1] + 2 * 100 + 1000 + 10 + 20
        );
    }

    #[test]
    fn an_index_counts_each_platform_once_and_its_own_bytes() {
        let amd64 = image("amd64", &[("base", 1000)]);
        let arm64 = image("arm64", &[("base", 1000)]);
        let entry = |body: &str, arch: &str| {
            format!(
                r#"{{"mediaType":"{OCI_MANIFEST}","digest":"{}","size":{},"platform":{{"os":"linux","architecture":"{arch}"}}}}"#,
                Digest::of(body.as_bytes()),
                body.len()
            )
        };
        let index = format!(
            r#"{{"mediaType":"{OCI_INDEX}","manifests":[{},{}]}}"#,
            entry(&amd64, "amd64"),
            entry(&arm64, "arm64")
        );
        let (graph, len) = graph(&[(&index, &["latest"]), (&amd64, &[]), (&arm64, &[])]);
        assert_eq!(graph.images().len(), 1);
        assert_eq!(
            graph.image_bytes(0),
            len.iter().sum::<u64>() + 2 * 100 + 1000
        );
        assert_eq!(graph.image_bytes(0), graph.total_bytes());
    }
}
