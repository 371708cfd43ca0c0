//! OCI registry client and image graph for GitHub Packages: which container
//! versions make up which image.
//!
//! GitHub's REST API (the [`github_packages`] crate) lists a container
//! package's versions, each named by its manifest digest, but not how they
//! relate. The registry's manifests say it: an index lists its platform
//! and attestation manifests, a signature or SBOM refers to its image. This
//! crate reads them and links the versions into images:
//!
//! - [`registry`]: [`RegistryClient`](registry::RegistryClient) reads
//!   manifests by digest from ghcr.io or a GitHub Enterprise Server's
//!   registry, with the GitHub token, checks each against its digest, and
//!   keeps them in a [`ManifestCache`](registry::ManifestCache);
//! - [`images`]: [`ImageGraph`](images::ImageGraph) links a package's
//!   versions into images, and says in which order versions can be deleted
//!   without breaking an image that stays.
//!
//! Reading a manifest may count as a download of that version on GitHub's
//! side.
//!
//! # Listing a package's images
//!
//! ```no_run
//! use futures_util::TryStreamExt;
//! use github_packages::types::PackageType;
//! use github_packages::{Client, Owner};
//! use github_packages_oci::images::{GraphVersion, ImageGraph};
//! use github_packages_oci::registry::{Digest, RegistryBuilder, repository};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // GITHUB_TOKEN (or GH_TOKEN); the registry gets the same token.
//! let api = Client::builder().token(std::env::var("GITHUB_TOKEN")?);
//! let registry = RegistryBuilder::for_api(&api).build()?;
//! let client = api.build()?;
//!
//! let owner = Owner::org("octo-org");
//! let mut versions = Vec::new();
//! let mut listing = client.versions(&owner, PackageType::Container, "hello-world");
//! while let Some(version) = listing.try_next().await? {
//!     let tags = version.metadata.and_then(|m| m.container).map(|c| c.tags);
//!     versions.push(GraphVersion::new(version.name.parse()?, tags.unwrap_or_default()));
//! }
//!
//! let digests: Vec<Digest> = versions.iter().map(|v| v.digest.clone()).collect();
//! let read = registry
//!     .manifests(&repository("octo-org", "hello-world"), &digests, None, 8)
//!     .await?;
//! let graph = ImageGraph::build(&versions, &read.manifests)?;
//! for image in graph.images() {
//!     let root = graph.version(image.root);
//!     println!("{} {:?}: {} versions", root.digest, root.tags, image.versions().count());
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Cargo features
//!
//! One TLS backend, chosen as for `github-packages` (each feature turns on
//! the one of the same name there; its crate docs explain the default's
//! effect on other reqwest clients): `rustls` (default), `rustls-aws-lc` or
//! `native-tls`.
#![warn(missing_docs)]

pub mod images;
pub mod registry;
