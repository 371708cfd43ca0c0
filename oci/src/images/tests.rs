//! The graph on the shapes buildx, cosign, OCI 1.1 referrers, BuildKit
//! caches, Helm and Docker push.

use std::collections::{HashMap, HashSet};

use super::*;
use crate::registry::{DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST};

/// A package under construction: manifests by digest, versions in order.
#[derive(Default)]
struct Package {
    manifests: HashMap<Digest, Manifest>,
    versions: Vec<GraphVersion>,
    seed: u32,
}

impl Package {
    fn add(&mut self, body: String, tags: &[&str]) -> Digest {
        let digest = Digest::of(body.as_bytes());
        self.manifests.insert(
            digest.clone(),
            Manifest::parse(body.as_bytes(), None).unwrap(),
        );
        self.versions.push(GraphVersion::new(
            digest.clone(),
            tags.iter().map(|tag| tag.to_string()).collect(),
        ));
        digest
    }

    /// A platform image manifest (unique config), optionally with a subject.
    fn image(
        &mut self,
        subject: Option<&Digest>,
        artifact_type: Option<&str>,
        tags: &[&str],
    ) -> Digest {
        self.seed += 1;
        let config = Digest::of(&self.seed.to_be_bytes());
        let mut body = format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{config}","size":4}},"layers":[]"#
        );
        if let Some(subject) = subject {
            body.push_str(&format!(
                r#","subject":{{"mediaType":"{OCI_MANIFEST}","digest":"{subject}","size":1}}"#
            ));
        }
        if let Some(artifact_type) = artifact_type {
            body.push_str(&format!(r#","artifactType":"{artifact_type}""#));
        }
        body.push('}');
        self.add(body, tags)
    }

    /// An index listing `(digest, platform or None, attestation-of)`.
    fn index(
        &mut self,
        children: &[(&Digest, Option<&str>, Option<&Digest>)],
        tags: &[&str],
    ) -> Digest {
        let entries: Vec<String> = children
            .iter()
            .map(|(digest, platform, attests)| {
                let mut entry =
                    format!(r#"{{"mediaType":"{OCI_MANIFEST}","digest":"{digest}","size":1"#);
                match (platform, attests) {
                    (_, Some(attested)) => entry.push_str(&format!(
                        r#","platform":{{"os":"unknown","architecture":"unknown"}},"annotations":{{"vnd.docker.reference.type":"attestation-manifest","vnd.docker.reference.digest":"{attested}"}}"#
                    )),
                    (Some(platform), None) => {
                        let (os, architecture) = platform.split_once('/').unwrap();
                        entry.push_str(&format!(
                            r#","platform":{{"os":"{os}","architecture":"{architecture}"}}"#
                        ));
                    }
                    (None, None) => {}
                }
                entry.push('}');
                entry
            })
            .collect();
        self.add(
            format!(
                r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[{}]}}"#,
                entries.join(",")
            ),
            tags,
        )
    }

    /// A buildx multi-platform push: platform manifests, an attestation
    /// per platform, and the tagged index.
    fn buildx(&mut self, platforms: &[&str], tags: &[&str]) -> (Digest, Vec<Digest>) {
        let mut children = Vec::new();
        for _ in platforms {
            let platform = self.image(None, None, &[]);
            let attestation = self.image(None, None, &[]);
            children.push((platform, attestation));
        }
        let mut entries = Vec::new();
        for ((platform, _), name) in children.iter().zip(platforms) {
            entries.push((platform, Some(*name), None));
        }
        for (platform, attestation) in &children {
            entries.push((attestation, None, Some(platform)));
        }
        let index = self.index(&entries, tags);
        let members = children
            .iter()
            .flat_map(|(platform, attestation)| [platform.clone(), attestation.clone()])
            .collect();
        (index, members)
    }

    fn graph(&self) -> ImageGraph {
        ImageGraph::build(&self.versions, &self.manifests).unwrap()
    }

    fn at(&self, digest: &Digest) -> usize {
        self.versions
            .iter()
            .position(|version| version.digest == *digest)
            .unwrap()
    }
}

fn image_of(graph: &ImageGraph, root: usize) -> &Image {
    graph
        .images()
        .iter()
        .find(|image| image.root == root)
        .unwrap()
}

fn digests(graph: &ImageGraph, versions: impl IntoIterator<Item = usize>) -> HashSet<Digest> {
    versions
        .into_iter()
        .map(|version| graph.version(version).digest.clone())
        .collect()
}

#[test]
fn a_multi_platform_image_is_one_image_with_platforms_and_attestations() {
    let mut package = Package::default();
    let (index, members) = package.buildx(&["linux/amd64", "linux/arm64"], &["latest"]);
    let graph = package.graph();
    assert_eq!(
        graph.images().len(),
        1,
        "children are not images of their own"
    );
    let image = image_of(&graph, package.at(&index));
    assert_eq!(
        digests(&graph, image.members.iter().map(|m| m.version)),
        members.into_iter().collect()
    );
    let kinds: Vec<String> = image
        .members
        .iter()
        .map(|m| m.relation.to_string())
        .collect();
    assert_eq!(kinds[..2], ["platform linux/amd64", "platform linux/arm64"]);
    let amd64 = &graph.version(image.members[0].version).digest;
    assert_eq!(
        image.members[2].relation,
        Relation::Attestation {
            describes: Some(amd64.clone())
        }
    );
    assert!(image.missing.is_empty());
}

#[test]
fn a_single_platform_push_with_attestation_is_an_index_too() {
    let mut package = Package::default();
    let (index, members) = package.buildx(&["linux/amd64"], &["v1"]);
    let graph = package.graph();
    assert_eq!(graph.images().len(), 1);
    let image = &graph.images()[0];
    assert_eq!(image.root, package.at(&index));
    assert_eq!(image.members.len(), 2);
    assert_eq!(digests(&graph, image.versions()).len(), 1 + members.len());
    assert_eq!(image.members[1].relation.kind(), "attestation");
}

#[test]
fn a_shared_child_belongs_to_both_indexes() {
    let mut package = Package::default();
    let shared = package.image(None, None, &[]);
    let only_old = package.image(None, None, &[]);
    let old = package.index(
        &[
            (&shared, Some("linux/amd64"), None),
            (&only_old, Some("linux/arm64"), None),
        ],
        &[],
    );
    let new = package.index(&[(&shared, Some("linux/amd64"), None)], &["latest"]);
    let graph = package.graph();
    assert_eq!(graph.images().len(), 2);
    let (old, new) = (package.at(&old), package.at(&new));
    let shared = package.at(&shared);
    assert!(image_of(&graph, old).versions().any(|v| v == shared));
    assert!(image_of(&graph, new).versions().any(|v| v == shared));
    assert_eq!(graph.parents(shared).len(), 2);
    // Keeping the new image protects the shared child.
    let new_image = graph.images().iter().position(|i| i.root == new).unwrap();
    assert!(graph.reach([new_image]).contains(&shared));
    assert!(!graph.reach([new_image]).contains(&package.at(&only_old)));
}

#[test]
fn cosign_tags_follow_the_image_they_sign() {
    let mut package = Package::default();
    let (index, _) = package.buildx(&["linux/amd64"], &["latest"]);
    let sig_tag = format!("sha256-{}.sig", index.hex());
    let sbom_tag = format!("sha256-{}.sbom", index.hex());
    let signature = package.image(None, None, &[&sig_tag]);
    let sbom = package.image(None, None, &[&sbom_tag]);
    // A signature of a digest that is not in the package is a root of its own.
    let orphan_tag = format!("sha256-{}.sig", Digest::of(b"gone").hex());
    let orphan = package.image(None, None, &[&orphan_tag]);
    let graph = package.graph();
    let image = image_of(&graph, package.at(&index));
    // The index's own manifests first, then what is attached to it.
    assert_eq!(image.members[0].relation.kind(), "platform");
    let signature_member = image
        .members
        .iter()
        .find(|m| m.version == package.at(&signature))
        .unwrap();
    assert_eq!(
        signature_member.relation,
        Relation::Signature {
            kind: CosignKind::Signature
        }
    );
    assert_eq!(signature_member.via, package.at(&index));
    assert!(image.members.iter().any(|m| m.version == package.at(&sbom)
        && m.relation
            == Relation::Signature {
                kind: CosignKind::Sbom
            }));
    assert!(graph.own_tags(package.at(&signature)).is_empty());
    let orphan = package.at(&orphan);
    assert_eq!(graph.own_tags(orphan), [orphan_tag]);
    assert_eq!(graph.images().len(), 2);
    assert!(graph.images().iter().any(|image| image.root == orphan));
}

#[test]
fn cosign_tag_parsing() {
    let digest = Digest::of(b"x");
    assert_eq!(
        cosign_subject(&format!("sha256-{}.att", digest.hex())),
        Some((digest.clone(), CosignKind::Attestation))
    );
    assert_eq!(
        cosign_subject(&format!("sha256-{}", digest.hex())),
        Some((digest.clone(), CosignKind::Referrers))
    );
    for not_cosign in [
        "latest",
        "sha256-abc.sig",
        "sha256-abc",
        &format!("sha256-{}x", digest.hex()),
        &format!("sha256-{}.zip", digest.hex()),
        &format!("sha512-{}.sig", digest.hex()),
    ] {
        assert_eq!(cosign_subject(not_cosign), None, "{not_cosign}");
    }
}

#[test]
fn oci_referrers_follow_their_subject_transitively() {
    let mut package = Package::default();
    let (index, _) = package.buildx(&["linux/amd64"], &["latest"]);
    let sbom = package.image(Some(&index), Some("application/spdx+json"), &[]);
    let sbom_signature = package.image(
        Some(&sbom),
        Some("application/vnd.dev.sigstore.bundle.v0.3+json"),
        &[],
    );
    let graph = package.graph();
    assert_eq!(graph.images().len(), 1);
    let image = &graph.images()[0];
    let sbom_member = image
        .members
        .iter()
        .find(|m| m.version == package.at(&sbom))
        .unwrap();
    assert_eq!(
        sbom_member.relation,
        Relation::Referrer {
            artifact_type: Some("application/spdx+json".into())
        }
    );
    let signature_member = image
        .members
        .iter()
        .find(|m| m.version == package.at(&sbom_signature))
        .unwrap();
    assert_eq!(signature_member.via, package.at(&sbom));
}

#[test]
fn untagged_unreached_versions_are_roots_and_missing_children_are_reported() {
    let mut package = Package::default();
    let lone = package.image(None, None, &[]);
    let gone = Digest::of(b"deleted child");
    let broken = package.index(&[(&gone, Some("linux/amd64"), None)], &[]);
    let graph = package.graph();
    assert_eq!(graph.images().len(), 2);
    assert!(image_of(&graph, package.at(&lone)).members.is_empty());
    assert_eq!(image_of(&graph, package.at(&broken)).missing, [gone]);
}

#[test]
fn a_tagged_child_is_an_image_and_a_member() {
    let mut package = Package::default();
    let child = package.image(None, None, &["amd64-only"]);
    let index = package.index(&[(&child, Some("linux/amd64"), None)], &["latest"]);
    let graph = package.graph();
    assert_eq!(graph.images().len(), 2);
    assert!(
        image_of(&graph, package.at(&index))
            .versions()
            .any(|v| v == package.at(&child))
    );
}

#[test]
fn deletion_order_puts_parents_first_and_survives_cycles() {
    let mut package = Package::default();
    let (index, members) = package.buildx(&["linux/amd64", "linux/arm64"], &[]);
    let signature = package.image(None, None, &[&format!("sha256-{}.sig", index.hex())]);
    let graph = package.graph();
    let all: HashSet<usize> = (0..graph.len()).collect();
    let order = graph.deletion_order(&all);
    assert_eq!(order.len(), all.len());
    let place = |digest: &Digest| order.iter().position(|&v| v == package.at(digest)).unwrap();
    for member in members.iter().chain([&signature]) {
        assert!(place(&index) < place(member), "the index goes first");
    }

    // Two versions that refer to each other: both still ordered, once.
    let mut cyclic = Package::default();
    let a_body_digest = Digest::of(b"placeholder");
    let a = cyclic.image(Some(&a_body_digest), None, &[]);
    let b = cyclic.image(Some(&a), None, &[]);
    // Make `a` refer to `b` by rebuilding the graph input by hand.
    let mut manifests = cyclic.manifests.clone();
    let mut a_manifest = manifests[&a].clone();
    if let Manifest::Image(image) = &mut a_manifest {
        image.artifact.subject.as_mut().unwrap().digest = b.clone();
    }
    manifests.insert(a.clone(), a_manifest);
    let graph = ImageGraph::build(&cyclic.versions, &manifests).unwrap();
    assert_eq!(graph.images().len(), 1, "a cycle becomes one image");
    let order = graph.deletion_order(&(0..2).collect());
    assert_eq!(order, [0, 1]);
}

#[test]
fn a_missing_manifest_is_an_error() {
    let mut package = Package::default();
    package.image(None, None, &["latest"]);
    let versions = package.versions.clone();
    let error = ImageGraph::build(&versions, &HashMap::new()).unwrap_err();
    assert_eq!(
        error,
        GraphError::Unread {
            digest: versions[0].digest.clone()
        }
    );
    assert!(error.to_string().contains("was not read"), "{error}");
}

#[test]
fn a_digest_listed_twice_is_refused() {
    // Listed twice, the child would map to one position only; an image
    // kept through the other would not protect it.
    let mut package = Package::default();
    let child = package.image(None, None, &[]);
    package.index(&[(&child, Some("linux/amd64"), None)], &["latest"]);
    let mut versions = package.versions.clone();
    versions.push(GraphVersion::new(child.clone(), vec![]));
    let error = ImageGraph::build(&versions, &package.manifests).unwrap_err();
    assert_eq!(error, GraphError::Repeated { digest: child });
    assert!(error.to_string().contains("listed twice"), "{error}");
    assert!(error.to_string().contains("run again"), "{error}");
}

/// An index body of `mediaType` listing `(media type, digest)` entries.
fn list_of(media_type: &str, entries: &[(&str, &Digest)], extra: &str) -> String {
    let entries: Vec<String> = entries
        .iter()
        .map(|(media_type, digest)| {
            format!(r#"{{"mediaType":"{media_type}","digest":"{digest}","size":1}}"#)
        })
        .collect();
    format!(
        r#"{{"schemaVersion":2,"mediaType":"{media_type}","manifests":[{}]{extra}}}"#,
        entries.join(",")
    )
}

#[test]
fn a_referrers_tag_attaches_its_index_and_what_it_lists_to_the_image() {
    let mut package = Package::default();
    let (index, _) = package.buildx(&["linux/amd64"], &["latest"]);
    let sbom = package.image(Some(&index), Some("application/spdx+json"), &[]);
    let signature = package.image(
        Some(&index),
        Some("application/vnd.dev.sigstore.bundle.v0.3+json"),
        &[],
    );
    let referrers_tag = format!("sha256-{}", index.hex());
    let referrers = package.add(
        list_of(
            OCI_INDEX,
            &[(OCI_MANIFEST, &sbom), (OCI_MANIFEST, &signature)],
            "",
        ),
        &[&referrers_tag],
    );
    // A referrers tag of an image the package does not hold is a root.
    let gone_tag = format!("sha256-{}", Digest::of(b"gone").hex());
    let orphan = package.add(list_of(OCI_INDEX, &[], ""), &[&gone_tag]);
    let graph = package.graph();
    assert_eq!(graph.images().len(), 2, "the referrers index is no image");
    let image = image_of(&graph, package.at(&index));
    let member = image
        .members
        .iter()
        .find(|m| m.version == package.at(&referrers))
        .expect("the referrers index belongs to the image");
    assert_eq!(
        member.relation,
        Relation::Signature {
            kind: CosignKind::Referrers
        }
    );
    assert_eq!(member.relation.to_string(), "referrers index");
    assert!(graph.own_tags(package.at(&referrers)).is_empty());
    assert_eq!(graph.own_tags(package.at(&orphan)), [gone_tag]);
    // What it lists is reached through it too, so it goes after it.
    let referrers_at = package.at(&referrers);
    assert!(graph.parents(package.at(&sbom)).contains(&referrers_at));
    let all: HashSet<usize> = (0..graph.len()).collect();
    let order = graph.deletion_order(&all);
    let place = |digest: &Digest| order.iter().position(|&v| v == package.at(digest)).unwrap();
    assert!(place(&index) < place(&referrers), "deleted after its image");
    assert!(place(&referrers) < place(&sbom));
    assert!(place(&referrers) < place(&signature));
}

#[test]
fn a_referrers_index_alone_reaches_what_it_lists() {
    // Only the referrers index links the signature to the image (the
    // signature has no subject the package holds).
    let mut package = Package::default();
    let (index, _) = package.buildx(&["linux/amd64"], &["v1"]);
    let signature = package.image(None, Some("application/vnd.cncf.notary.signature"), &[]);
    let referrers = package.add(
        list_of(OCI_INDEX, &[(OCI_MANIFEST, &signature)], ""),
        &[&format!("sha256-{}", index.hex())],
    );
    let graph = package.graph();
    assert_eq!(graph.images().len(), 1);
    let image = image_of(&graph, package.at(&index));
    let signature_member = image
        .members
        .iter()
        .find(|m| m.version == package.at(&signature))
        .unwrap();
    assert_eq!(signature_member.via, package.at(&referrers));
}

#[test]
fn an_index_of_blobs_lists_no_members_and_misses_none() {
    // BuildKit's `cache-to type=registry`: layers and a cache config.
    let mut package = Package::default();
    let layer = Digest::of(b"layer");
    let docker_layer = Digest::of(b"docker layer");
    let cache_config = Digest::of(b"cache config");
    let cache = package.add(
        list_of(
            OCI_INDEX,
            &[
                ("application/vnd.oci.image.layer.v1.tar+gzip", &layer),
                (
                    "application/vnd.docker.image.rootfs.diff.tar.gzip",
                    &docker_layer,
                ),
                ("application/vnd.buildkit.cacheconfig.v0", &cache_config),
            ],
            "",
        ),
        &["buildcache"],
    );
    let graph = package.graph();
    let image = image_of(&graph, package.at(&cache));
    assert!(image.missing.is_empty(), "{:?}", image.missing);
    assert!(image.members.is_empty());

    // An entry of a type it does not know may be a manifest: missing when
    // the package lacks it, a member when it has it (fail closed).
    let mut package = Package::default();
    let child = package.image(None, None, &[]);
    let unknown = Digest::of(b"unknown");
    let index = package.add(
        list_of(
            OCI_INDEX,
            &[
                ("application/vnd.example.thing.v1+json", &unknown),
                ("application/vnd.example.thing.v1+json", &child),
                ("application/vnd.oci.image.layer.v1.tar", &layer),
            ],
            "",
        ),
        &["mixed"],
    );
    let graph = package.graph();
    let image = image_of(&graph, package.at(&index));
    assert_eq!(image.missing, [unknown]);
    assert_eq!(
        digests(&graph, image.members.iter().map(|m| m.version)),
        HashSet::from([child])
    );
}

#[test]
fn a_docker_manifest_list_is_an_index() {
    let mut package = Package::default();
    let amd64 = package.add(
        format!(
            r#"{{"schemaVersion":2,"mediaType":"{DOCKER_MANIFEST}","config":{{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"{}","size":1}},"layers":[]}}"#,
            Digest::of(b"docker config")
        ),
        &[],
    );
    let list = package.add(
        format!(
            r#"{{"schemaVersion":2,"mediaType":"{DOCKER_MANIFEST_LIST}","manifests":[{{"mediaType":"{DOCKER_MANIFEST}","digest":"{amd64}","size":1,"platform":{{"os":"linux","architecture":"amd64"}}}}]}}"#
        ),
        &["v2"],
    );
    let graph = package.graph();
    assert_eq!(graph.images().len(), 1);
    let image = image_of(&graph, package.at(&list));
    assert_eq!(image.members.len(), 1);
    assert_eq!(image.members[0].version, package.at(&amd64));
    assert_eq!(
        image.members[0].relation.to_string(),
        "platform linux/amd64"
    );
    let all: HashSet<usize> = (0..graph.len()).collect();
    assert_eq!(
        graph.deletion_order(&all),
        [package.at(&list), package.at(&amd64)]
    );
}

#[test]
fn a_nested_index_reaches_everything_below_it() {
    let mut package = Package::default();
    let (inner, inner_members) = package.buildx(&["linux/amd64", "linux/arm64"], &[]);
    let signature = package.image(None, None, &[&format!("sha256-{}.sig", inner.hex())]);
    let outer = package.add(list_of(OCI_INDEX, &[(OCI_INDEX, &inner)], ""), &["nested"]);
    let graph = package.graph();
    assert_eq!(graph.images().len(), 1);
    let image = image_of(&graph, package.at(&outer));
    let reached = digests(&graph, image.members.iter().map(|m| m.version));
    let mut expected: HashSet<Digest> = inner_members.into_iter().collect();
    expected.extend([inner.clone(), signature]);
    assert_eq!(reached, expected);
    let all: HashSet<usize> = (0..graph.len()).collect();
    let order = graph.deletion_order(&all);
    assert_eq!(order[0], package.at(&outer));
    assert_eq!(order[1], package.at(&inner));
}

#[test]
fn artifacts_are_images_of_their_own_or_attachments() {
    let mut package = Package::default();
    // A Helm chart: config of the Helm type, no artifactType.
    let chart = package.add(
        format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"application/vnd.cncf.helm.config.v1+json","digest":"{}","size":1}},"layers":[{{"mediaType":"application/vnd.cncf.helm.chart.content.v1.tar+gzip","digest":"{}","size":1}}]}}"#,
            Digest::of(b"chart config"),
            Digest::of(b"chart")
        ),
        &["0.1.0"],
    );
    // A WASM module with artifactType and the empty config.
    let wasm = package.add(
        format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","artifactType":"application/vnd.wasm.content.layer.v1+wasm","config":{{"mediaType":"application/vnd.oci.empty.v1+json","digest":"{}","size":2}},"layers":[]}}"#,
            Digest::of(b"{}")
        ),
        &[],
    );
    // The chart's provenance, attached through `subject`.
    let provenance = package.image(Some(&chart), Some("application/vnd.cncf.helm.prov"), &[]);
    let graph = package.graph();
    assert_eq!(graph.images().len(), 2);
    let chart_image = image_of(&graph, package.at(&chart));
    assert_eq!(chart_image.members.len(), 1);
    assert_eq!(chart_image.members[0].version, package.at(&provenance));
    assert_eq!(
        chart_image.members[0].relation,
        Relation::Referrer {
            artifact_type: Some("application/vnd.cncf.helm.prov".into())
        }
    );
    assert!(image_of(&graph, package.at(&wasm)).members.is_empty());
}

#[test]
fn an_index_lists_its_manifests_as_its_own_manifest_says_and_nothing_attached() {
    let mut package = Package::default();
    let (index, members) = package.buildx(&["linux/amd64"], &["latest"]);
    let gone = Digest::of(b"deleted child");
    let outer = package.index(
        &[(&index, None, None), (&gone, Some("linux/arm64"), None)],
        &["v1"],
    );
    let sig_tag = format!("sha256-{}.sig", index.hex());
    let signature = package.image(None, None, &[&sig_tag]);
    let referrer = package.image(Some(&index), Some("application/spdx+json"), &[]);
    let graph = package.graph();
    assert_eq!(
        graph.lists(package.at(&index)),
        members.iter().collect::<Vec<_>>()
    );
    assert_eq!(graph.lists(package.at(&outer)), [&index, &gone]);
    for manifest in [&members[0], &signature, &referrer] {
        assert!(graph.lists(package.at(manifest)).is_empty());
    }
}

#[test]
fn health_names_broken_images_dangling_attachments_and_orphans() {
    let mut package = Package::default();
    let (whole, _) = package.buildx(&["linux/amd64"], &["whole"]);
    let (_, members) = package.buildx(&["linux/amd64", "linux/arm64"], &["broken"]);
    let (_, unserved) = package.buildx(&["linux/amd64"], &["unserved"]);
    let orphan = package.image(None, None, &[]);
    let gone = Digest::of(b"an image deleted long ago");
    let signature = package.image(None, None, &[&format!("sha256-{}.sig", gone.hex())]);
    let referrer = package.image(Some(&gone), Some("application/spdx+json"), &[]);
    let whole_signature = package.image(None, None, &[&format!("sha256-{}.sig", whole.hex())]);
    // Another tool deleted the arm64 platform manifest (members: amd64,
    // its attestation, arm64, its attestation); the registry does not
    // serve `unserved`'s platform manifest.
    let deleted = members[2].clone();
    package
        .versions
        .retain(|v| v.digest != deleted && v.digest != unserved[0]);
    let graph = package.graph();
    let unreadable = HashSet::from([unserved[0].clone()]);
    let health = graph.health(&unreadable);

    type Missing = Vec<(String, String, bool)>;
    let broken: Vec<(Vec<String>, Missing)> = health
        .broken
        .iter()
        .map(|b| {
            let root = graph.images()[b.image].root;
            let missing = b
                .missing
                .iter()
                .map(|m| (m.digest.to_string(), m.relation.to_string(), m.unreadable))
                .collect();
            (graph.own_tags(root).to_vec(), missing)
        })
        .collect();
    assert_eq!(
        broken,
        [
            (
                vec!["broken".to_string()],
                vec![(
                    deleted.to_string(),
                    "platform linux/arm64".to_string(),
                    false
                )]
            ),
            (
                vec!["unserved".to_string()],
                vec![(
                    unserved[0].to_string(),
                    "platform linux/amd64".to_string(),
                    true
                )]
            ),
        ]
    );
    let dangling: Vec<(Digest, String, String)> = health
        .dangling
        .iter()
        .map(|d| {
            (
                graph.version(d.version).digest.clone(),
                d.subject.to_string(),
                d.relation.to_string(),
            )
        })
        .collect();
    assert_eq!(
        dangling,
        [
            (signature, gone.to_string(), "cosign signature".to_string()),
            (
                referrer,
                gone.to_string(),
                "referrer application/spdx+json".to_string()
            ),
        ]
    );
    // The attestation of the platform the registry does not serve is still
    // listed by its index: only the untagged image is an orphan.
    let orphans = digests(
        &graph,
        health.orphans.iter().map(|&i| graph.images()[i].root),
    );
    assert_eq!(orphans, HashSet::from([orphan.clone()]));
    assert_eq!(health.orphan_bytes, graph.bytes_of([package.at(&orphan)]));
    assert_eq!(health.total_bytes, graph.total_bytes());
    assert!(!health.is_whole());
    // A signature of an image in the package is not dangling.
    assert!(
        !health
            .dangling
            .iter()
            .any(|d| graph.version(d.version).digest == whole_signature)
    );
}
