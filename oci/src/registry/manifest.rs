//! The manifests a registry serves: OCI and Docker image indexes and image
//! manifests, read down to the fields that link versions into images.
//!
//! Unknown fields are ignored (the specs let registries add them); a
//! missing field the graph needs, a digest that is not sha256, or a media
//! type that is neither an index nor an image manifest is an error, so
//! nothing is ever decided from a document that was not understood.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::digest::Digest;

/// OCI image index (`application/vnd.oci.image.index.v1+json`).
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// OCI image manifest.
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// Docker manifest list, the Docker form of an index.
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
/// Docker image manifest, schema 2.
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";

/// The media types this crate reads, as sent in `Accept`.
pub const ACCEPTED_MEDIA_TYPES: [&str; 4] = [
    OCI_INDEX,
    DOCKER_MANIFEST_LIST,
    OCI_MANIFEST,
    DOCKER_MANIFEST,
];

/// Annotation buildx puts on an attestation manifest's descriptor in an index.
pub const REFERENCE_TYPE_ANNOTATION: &str = "vnd.docker.reference.type";
/// Annotation naming the manifest an attestation describes.
pub const REFERENCE_DIGEST_ANNOTATION: &str = "vnd.docker.reference.digest";
/// The value of [`REFERENCE_TYPE_ANNOTATION`] for attestations.
pub const ATTESTATION_MANIFEST: &str = "attestation-manifest";

/// A manifest as read from the registry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Manifest {
    /// An image index (or Docker manifest list): a list of manifests.
    Index(ImageIndex),
    /// An image manifest: config and layers, perhaps an artifact.
    Image(ImageManifest),
}

/// An image index's fields that matter here.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ImageIndex {
    /// The manifests it lists: platform images, attestations, nested indexes.
    pub manifests: Vec<Descriptor>,
    /// What it says about itself as an artifact.
    #[serde(flatten)]
    pub artifact: ArtifactFields,
    /// The length in bytes of the document it was read from.
    #[serde(skip)]
    pub size: u64,
}

/// An image manifest's fields that matter here.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ImageManifest {
    /// The config blob; its media type tells an artifact's kind when
    /// `artifactType` is absent.
    pub config: Descriptor,
    /// The layer blobs (an artifact's files), for sizes only: nothing is
    /// linked through them, so a manifest without any is read as empty.
    #[serde(default)]
    pub layers: Vec<Descriptor>,
    /// What it says about itself as an artifact.
    #[serde(flatten)]
    pub artifact: ArtifactFields,
    /// The length in bytes of the document it was read from.
    #[serde(skip)]
    pub size: u64,
}

/// The fields indexes and image manifests share since OCI 1.1.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactFields {
    /// The manifest this one refers to (OCI 1.1 referrers: signatures,
    /// SBOMs, attestations), if any.
    #[serde(default)]
    pub subject: Option<Descriptor>,
    /// `artifactType`, for an artifact.
    #[serde(default)]
    pub artifact_type: Option<String>,
    /// Annotations.
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

/// A reference to content by digest.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    /// The referenced content's media type.
    pub media_type: String,
    /// Its digest.
    pub digest: Digest,
    /// Its size in bytes.
    pub size: u64,
    /// The platform a manifest in an index is for.
    #[serde(default)]
    pub platform: Option<Platform>,
    /// `artifactType` of the referenced artifact.
    #[serde(default)]
    pub artifact_type: Option<String>,
    /// Annotations, e.g. buildx's [`REFERENCE_TYPE_ANNOTATION`].
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

/// Config media types of images, which an index may list as blobs.
const BLOB_MEDIA_TYPES: [&str; 4] = [
    "application/vnd.oci.image.config.v1+json",
    "application/vnd.docker.container.image.v1+json",
    "application/vnd.buildkit.cacheconfig.v0",
    "application/vnd.oci.empty.v1+json",
];

/// Prefixes of layer media types (OCI and Docker, any compression).
const LAYER_MEDIA_TYPE_PREFIXES: [&str; 2] = [
    "application/vnd.oci.image.layer.",
    "application/vnd.docker.image.rootfs.",
];

impl Descriptor {
    /// Whether it references a blob (a layer or a config) rather than a
    /// manifest: BuildKit's registry cache is an index of such entries.
    /// An unknown media type is not a blob: it may be a manifest, so it
    /// stays a member (fail closed).
    pub fn is_blob(&self) -> bool {
        let media_type = self.media_type.as_str();
        BLOB_MEDIA_TYPES.contains(&media_type)
            || LAYER_MEDIA_TYPE_PREFIXES
                .iter()
                .any(|prefix| media_type.starts_with(prefix))
    }
}

/// The platform of a manifest in an index.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Platform {
    /// E.g. `linux`; buildx writes `unknown` for attestations.
    pub os: String,
    /// E.g. `amd64`, `arm64`.
    pub architecture: String,
    /// E.g. `v8` for `arm64/v8`.
    #[serde(default)]
    pub variant: Option<String>,
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(variant) = &self.variant {
            write!(f, "/{variant}")?;
        }
        Ok(())
    }
}

/// Why a manifest could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ManifestProblem {
    /// Neither the body's `mediaType` nor `Content-Type` names an index or
    /// an image manifest this crate reads (e.g. Docker schema 1).
    UnknownMediaType(String),
    /// The body is not the JSON document its media type says.
    Malformed(String),
}

impl std::fmt::Display for ManifestProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ManifestProblem::UnknownMediaType(media_type) => write!(
                f,
                "its media type {media_type:?} is neither an image index nor an image manifest \
                 (read: {})",
                ACCEPTED_MEDIA_TYPES.join(", ")
            ),
            ManifestProblem::Malformed(problem) => {
                write!(f, "it is not a valid manifest: {problem}")
            }
        }
    }
}

/// Only the `mediaType` field, read first to pick the document's shape.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MediaTypeField {
    #[serde(default)]
    media_type: Option<String>,
}

impl Manifest {
    /// Reads `body`, served with `content_type` (parameters ignored). The
    /// body's own `mediaType` wins over the header when both are present.
    pub fn parse(body: &[u8], content_type: Option<&str>) -> Result<Manifest, ManifestProblem> {
        let declared: MediaTypeField = serde_json::from_slice(body)
            .map_err(|error| ManifestProblem::Malformed(error.to_string()))?;
        let header = content_type
            .map(|value| {
                value
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            })
            .filter(|value| !value.is_empty());
        let media_type = declared
            .media_type
            .or(header)
            .unwrap_or_else(|| "(none)".to_string());
        let malformed = |error: serde_json::Error| ManifestProblem::Malformed(error.to_string());
        let size = body.len() as u64;
        match media_type.as_str() {
            OCI_INDEX | DOCKER_MANIFEST_LIST => serde_json::from_slice(body)
                .map(|index| Manifest::Index(ImageIndex { size, ..index }))
                .map_err(malformed),
            OCI_MANIFEST | DOCKER_MANIFEST => serde_json::from_slice(body)
                .map(|image| Manifest::Image(ImageManifest { size, ..image }))
                .map_err(malformed),
            _ => Err(ManifestProblem::UnknownMediaType(media_type)),
        }
    }

    /// Its own length in bytes, as read.
    pub fn size(&self) -> u64 {
        match self {
            Manifest::Index(index) => index.size,
            Manifest::Image(image) => image.size,
        }
    }

    /// The blobs it names: an image manifest's config and layers, the
    /// blob entries of an index (a BuildKit cache). The manifests an index
    /// lists are not blobs: they are versions of their own.
    pub fn blobs(&self) -> Vec<&Descriptor> {
        match self {
            Manifest::Index(index) => index.manifests.iter().filter(|d| d.is_blob()).collect(),
            Manifest::Image(image) => std::iter::once(&image.config)
                .chain(&image.layers)
                .collect(),
        }
    }

    /// The manifest this one refers to through `subject`, if any.
    pub fn subject(&self) -> Option<&Descriptor> {
        match self {
            Manifest::Index(index) => index.artifact.subject.as_ref(),
            Manifest::Image(image) => image.artifact.subject.as_ref(),
        }
    }

    /// What kind of artifact this is, if it says: `artifactType`, else (for
    /// an image manifest) a config media type that is not an image config.
    pub fn artifact_type(&self) -> Option<&str> {
        match self {
            Manifest::Index(index) => index.artifact.artifact_type.as_deref(),
            Manifest::Image(image) => image.artifact.artifact_type.as_deref().or_else(|| {
                let config = image.config.media_type.as_str();
                let plain_image = config == "application/vnd.oci.image.config.v1+json"
                    || config == "application/vnd.docker.container.image.v1+json";
                (!plain_image).then_some(config)
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(n: u8) -> String {
        Digest::of(&[n]).to_string()
    }

    #[test]
    fn reads_an_index_with_platforms_and_attestations() {
        let body = format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[
              {{"mediaType":"{OCI_MANIFEST}","digest":"{a}","size":10,
                "platform":{{"os":"linux","architecture":"arm64","variant":"v8"}}}},
              {{"mediaType":"{OCI_MANIFEST}","digest":"{b}","size":11,
                "platform":{{"os":"unknown","architecture":"unknown"}},
                "annotations":{{"{REFERENCE_TYPE_ANNOTATION}":"{ATTESTATION_MANIFEST}",
                                "{REFERENCE_DIGEST_ANNOTATION}":"{a}"}}}}],
              "unknownField":true}}"#,
            a = digest(1),
            b = digest(2)
        );
        let Manifest::Index(index) = Manifest::parse(body.as_bytes(), None).unwrap() else {
            panic!("not an index");
        };
        assert_eq!(index.manifests.len(), 2);
        let platform = index.manifests[0].platform.as_ref().unwrap();
        assert_eq!(platform.to_string(), "linux/arm64/v8");
        assert_eq!(
            index.manifests[1].annotations[REFERENCE_DIGEST_ANNOTATION],
            digest(1)
        );
    }

    #[test]
    fn media_type_from_the_header_when_the_body_has_none() {
        let body = format!(
            r#"{{"schemaVersion":2,"config":{{"mediaType":"application/vnd.dev.cosign.artifact.sig.v1+json","digest":"{c}","size":2}},
               "layers":[],"subject":{{"mediaType":"{OCI_MANIFEST}","digest":"{s}","size":3}}}}"#,
            c = digest(3),
            s = digest(4)
        );
        let manifest = Manifest::parse(
            body.as_bytes(),
            Some(&format!("{OCI_MANIFEST}; charset=utf-8")),
        )
        .unwrap();
        assert_eq!(manifest.subject().unwrap().digest.to_string(), digest(4));
        assert_eq!(
            manifest.artifact_type(),
            Some("application/vnd.dev.cosign.artifact.sig.v1+json")
        );
        assert_eq!(
            Manifest::parse(body.as_bytes(), None),
            Err(ManifestProblem::UnknownMediaType("(none)".into()))
        );
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        let schema1 = br#"{"schemaVersion":1,"mediaType":"application/vnd.docker.distribution.manifest.v1+prettyjws"}"#;
        assert!(matches!(
            Manifest::parse(schema1, None),
            Err(ManifestProblem::UnknownMediaType(_))
        ));
        let bad_digest = format!(
            r#"{{"mediaType":"{OCI_INDEX}","manifests":[{{"mediaType":"{OCI_MANIFEST}","digest":"md5:00","size":1}}]}}"#
        );
        assert!(matches!(
            Manifest::parse(bad_digest.as_bytes(), None),
            Err(ManifestProblem::Malformed(_))
        ));
        assert!(matches!(
            Manifest::parse(b"not json", Some(OCI_INDEX)),
            Err(ManifestProblem::Malformed(_))
        ));
    }
}
