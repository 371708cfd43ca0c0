//! Reading container images from an OCI registry such as ghcr.io: the
//! manifests that link a container package's versions into images.
//!
//! GitHub's REST API lists a container package's versions (each named by
//! its manifest digest) but not how they relate; only the registry's
//! manifests say which platform manifests and attestations an index lists,
//! and which signature or SBOM refers to which image. [`RegistryClient`]
//! reads them (`GET /v2/<owner>/<name>/manifests/<digest>`), answering the
//! registry's `WWW-Authenticate: Bearer` challenge with the GitHub token,
//! verifies each body against its digest, and keeps them in a
//! [`ManifestCache`]. [`crate::images`] builds the image graph from them.
//!
//! Reading a manifest may count as a download of that version on GitHub's
//! side.

mod address;
mod cache;
mod challenge;
mod client;
mod digest;
mod error;
mod manifest;
mod rate;

pub use address::{DEFAULT_REGISTRY_URL, registry_url_for, repository};
pub use cache::{KEEP_DAYS, ManifestCache, StoredManifests};
pub use client::{FetchedManifest, ManifestSet, RegistryBuilder, RegistryClient};
pub use digest::{Digest, InvalidDigest};
pub use error::{RegistryError, RegistryErrorKind};
pub use manifest::{
    ACCEPTED_MEDIA_TYPES, ATTESTATION_MANIFEST, ArtifactFields, DOCKER_MANIFEST,
    DOCKER_MANIFEST_LIST, Descriptor, ImageIndex, ImageManifest, Manifest, ManifestProblem,
    OCI_INDEX, OCI_MANIFEST, Platform, REFERENCE_DIGEST_ANNOTATION, REFERENCE_TYPE_ANNOTATION,
};
pub use rate::DEFAULT_REGISTRY_RATE;
