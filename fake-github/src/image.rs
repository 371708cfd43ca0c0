//! Publishing container images as `docker buildx` and cosign push them:
//! each manifest becomes a version of the container package, named by its
//! digest, and the registry serves it.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::registry::digest_of;
use crate::store::{Owner, Store, VersionSpec, base_time};

/// OCI image index.
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// OCI image manifest.
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
const OCI_LAYER: &str = "application/vnd.oci.image.layer.v1.tar+gzip";

/// An image to publish with
/// [`FakeGitHub::publish_image`](crate::FakeGitHub::publish_image).
///
/// By default: one index tagged as given, listing a `linux/amd64` manifest
/// and its attestation manifest (what `docker/build-push-action` pushes by
/// default), created at 2024-01-01T00:00:00Z.
///
/// ```
/// use fake_github::ImageSpec;
///
/// let spec = ImageSpec::new(&["latest"])
///     .platforms(&["linux/amd64", "linux/arm64"])
///     .cosign(&["sig"])
///     .referrer("application/spdx+json");
/// assert_eq!(spec.platforms.len(), 2);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageSpec {
    /// The index's tags; pushing a tag moves it from any other version.
    pub tags: Vec<String>,
    /// `os/architecture[/variant]` of each platform manifest.
    pub platforms: Vec<String>,
    /// Whether each platform gets a buildx attestation manifest.
    pub attestations: bool,
    /// Platform manifests already in the package to list too (shared
    /// children), as `(digest, platform)`.
    pub shared: Vec<(String, String)>,
    /// cosign attachments to push, tagged `sha256-<index hex>.<kind>`:
    /// `sig`, `att` or `sbom`.
    pub cosign: Vec<String>,
    /// OCI 1.1 referrers (`subject`: the index), by artifact type.
    pub referrers: Vec<String>,
    /// Creation time of every version pushed.
    pub created_at: DateTime<Utc>,
    /// A plain `docker push` of one platform: a single image manifest (the
    /// tagged version), no index and no attestations.
    pub single: bool,
}

impl ImageSpec {
    /// The default image with these tags (none: an untagged image).
    pub fn new(tags: &[&str]) -> ImageSpec {
        ImageSpec {
            tags: tags.iter().map(|tag| tag.to_string()).collect(),
            platforms: vec!["linux/amd64".into()],
            attestations: true,
            shared: Vec::new(),
            cosign: Vec::new(),
            referrers: Vec::new(),
            created_at: base_time(),
            single: false,
        }
    }

    /// A plain `docker push`: one image manifest with these tags.
    pub fn single(tags: &[&str]) -> ImageSpec {
        ImageSpec {
            single: true,
            attestations: false,
            ..ImageSpec::new(tags)
        }
    }

    /// Sets the platforms.
    pub fn platforms(mut self, platforms: &[&str]) -> ImageSpec {
        self.platforms = platforms.iter().map(|p| p.to_string()).collect();
        self
    }

    /// Sets whether attestation manifests are pushed.
    pub fn attestations(mut self, attestations: bool) -> ImageSpec {
        self.attestations = attestations;
        self
    }

    /// Lists an existing platform manifest too.
    pub fn shared(mut self, digest: &str, platform: &str) -> ImageSpec {
        self.shared.push((digest.to_string(), platform.to_string()));
        self
    }

    /// Adds cosign attachments (`sig`, `att`, `sbom`).
    pub fn cosign(mut self, kinds: &[&str]) -> ImageSpec {
        self.cosign
            .extend(kinds.iter().map(|kind| kind.to_string()));
        self
    }

    /// Adds an OCI referrer of this artifact type.
    pub fn referrer(mut self, artifact_type: &str) -> ImageSpec {
        self.referrers.push(artifact_type.to_string());
        self
    }

    /// Sets the creation time.
    pub fn created_at(mut self, created_at: DateTime<Utc>) -> ImageSpec {
        self.created_at = created_at;
        self
    }
}

/// A manifest pushed as a package version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pushed {
    /// Its digest, the version's name.
    pub digest: String,
    /// The version's id.
    pub id: i64,
}

/// What [`FakeGitHub::publish_image`](crate::FakeGitHub::publish_image)
/// pushed.
#[derive(Clone, Debug)]
pub struct PublishedImage {
    /// The tagged version: the index, or the manifest of
    /// [`ImageSpec::single`].
    pub root: Pushed,
    /// The platform manifests, in the order of the spec's platforms.
    pub platforms: Vec<Pushed>,
    /// The attestation manifests, one per platform when asked for.
    pub attestations: Vec<Pushed>,
    /// The cosign attachments, in the spec's order.
    pub cosign: Vec<Pushed>,
    /// The referrers, in the spec's order.
    pub referrers: Vec<Pushed>,
}

impl PublishedImage {
    /// Every version pushed, the index first.
    pub fn ids(&self) -> Vec<i64> {
        std::iter::once(&self.root)
            .chain(&self.platforms)
            .chain(&self.attestations)
            .chain(&self.cosign)
            .chain(&self.referrers)
            .map(|pushed| pushed.id)
            .collect()
    }
}

fn descriptor(media_type: &str, body: &[u8]) -> Value {
    json!({"mediaType": media_type, "digest": digest_of(body), "size": body.len()})
}

fn blob(label: &str) -> Value {
    json!({"mediaType": OCI_LAYER, "digest": digest_of(label.as_bytes()), "size": label.len()})
}

/// An image manifest; `label` makes its (fake) config and layer unique.
fn image_manifest(label: &str, config_type: &str, extra: Value) -> Vec<u8> {
    let mut manifest = json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": config_type, "digest": digest_of(format!("config {label}").as_bytes()), "size": 2},
        "layers": [blob(&format!("layer {label}"))],
    });
    if let (Value::Object(manifest), Value::Object(extra)) = (&mut manifest, extra) {
        manifest.extend(extra);
    }
    serde_json::to_vec(&manifest).expect("manifests serialize")
}

fn platform_json(platform: &str) -> Value {
    let mut parts = platform.split('/');
    let os = parts.next().unwrap_or("linux");
    let architecture = parts.next().unwrap_or("amd64");
    match parts.next() {
        Some(variant) => json!({"os": os, "architecture": architecture, "variant": variant}),
        None => json!({"os": os, "architecture": architecture}),
    }
}

impl Store {
    /// Stores a manifest and adds it as a version of the package.
    pub(crate) fn push_manifest(
        &mut self,
        owner: &Owner,
        package: &str,
        media_type: &str,
        body: Vec<u8>,
        tags: &[String],
        created_at: DateTime<Utc>,
    ) -> Pushed {
        let digest = self.registry.put(media_type, body);
        for tag in tags {
            self.untag(owner, "container", package, tag);
        }
        let tags: Vec<&str> = tags.iter().map(String::as_str).collect();
        let spec = VersionSpec::new(digest.clone())
            .tags(&tags)
            .created_at(created_at);
        let id = self.add_version(owner, "container", package, spec);
        Pushed { digest, id }
    }

    pub(crate) fn publish_image(
        &mut self,
        owner: &Owner,
        package: &str,
        spec: &ImageSpec,
    ) -> PublishedImage {
        self.registry.next_image += 1;
        let image = self.registry.next_image;
        let at = spec.created_at;
        let mut platforms = Vec::new();
        let mut attestations = Vec::new();
        let mut entries = Vec::new();
        if spec.single {
            let body = image_manifest(&format!("{image} single"), OCI_CONFIG, json!({}));
            let root = self.push_manifest(owner, package, OCI_MANIFEST, body, &spec.tags, at);
            return PublishedImage {
                root,
                platforms,
                attestations,
                cosign: Vec::new(),
                referrers: Vec::new(),
            };
        }
        for platform in &spec.platforms {
            let body = image_manifest(&format!("{image} {platform}"), OCI_CONFIG, json!({}));
            let mut entry = descriptor(OCI_MANIFEST, &body);
            entry["platform"] = platform_json(platform);
            entries.push(entry);
            platforms.push(self.push_manifest(owner, package, OCI_MANIFEST, body, &[], at));
        }
        for (digest, platform) in &spec.shared {
            let body = self.registry.body(digest).unwrap_or_else(|| {
                panic!("fake-github: no manifest {digest} to share; publish it first")
            });
            let mut entry = descriptor(OCI_MANIFEST, body);
            entry["platform"] = platform_json(platform);
            entries.push(entry);
        }
        if spec.attestations {
            for platform in &platforms {
                let extra = json!({"layers": [{
                    "mediaType": "application/vnd.in-toto+json",
                    "digest": digest_of(format!("provenance {}", platform.digest).as_bytes()),
                    "size": 10,
                    "annotations": {"in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2"},
                }]});
                let body = image_manifest(
                    &format!("{image} attestation {}", platform.digest),
                    OCI_CONFIG,
                    extra,
                );
                let mut entry = descriptor(OCI_MANIFEST, &body);
                entry["platform"] = json!({"os": "unknown", "architecture": "unknown"});
                entry["annotations"] = json!({
                    "vnd.docker.reference.type": "attestation-manifest",
                    "vnd.docker.reference.digest": platform.digest,
                });
                entries.push(entry);
                attestations.push(self.push_manifest(owner, package, OCI_MANIFEST, body, &[], at));
            }
        }
        let index_body = serde_json::to_vec(&json!({
            "schemaVersion": 2,
            "mediaType": OCI_INDEX,
            "manifests": entries,
        }))
        .expect("indexes serialize");
        let index_descriptor = descriptor(OCI_INDEX, &index_body);
        let index = self.push_manifest(owner, package, OCI_INDEX, index_body, &spec.tags, at);
        let hex = index.digest.trim_start_matches("sha256:").to_string();
        let mut cosign = Vec::new();
        for kind in &spec.cosign {
            let body = image_manifest(
                &format!("{image} cosign {kind}"),
                OCI_CONFIG,
                json!({"layers": [{
                    "mediaType": "application/vnd.dev.cosign.simplesigning.v1+json",
                    "digest": digest_of(format!("{kind} of {hex}").as_bytes()),
                    "size": 20,
                }]}),
            );
            let tag = format!("sha256-{hex}.{kind}");
            cosign.push(self.push_manifest(owner, package, OCI_MANIFEST, body, &[tag], at));
        }
        let mut referrers = Vec::new();
        for artifact_type in &spec.referrers {
            let body = image_manifest(
                &format!("{image} referrer {artifact_type}"),
                "application/vnd.oci.empty.v1+json",
                json!({"artifactType": artifact_type, "subject": index_descriptor}),
            );
            referrers.push(self.push_manifest(owner, package, OCI_MANIFEST, body, &[], at));
        }
        PublishedImage {
            root: index,
            platforms,
            attestations,
            cosign,
            referrers,
        }
    }
}
