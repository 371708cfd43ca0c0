//! Reading a container package's image graph from its registry, failing
//! closed: which registry (from `--registry`, `GHPKG_REGISTRY`, or the API
//! root), its manifest cache under the data directory, and the graph of one
//! package's versions. (The registry client itself is the client crate's.)

use github_packages_oci::images::{GraphVersion, ImageGraph};
use std::collections::HashMap;

use github_packages_oci::registry::{
    DEFAULT_REGISTRY_RATE, Digest, ManifestCache, ManifestSet, RegistryBuilder, RegistryClient,
    repository,
};

use crate::exit::Exit;
use crate::model::PackageRef;
use crate::model::Version;
use crate::ui::Ui;

/// The environment variable `--registry` falls back on.
pub const REGISTRY_VAR: &str = "GHPKG_REGISTRY";

/// The environment variable `--registry-rate` falls back on.
pub const RATE_VAR: &str = "GHPKG_REGISTRY_RATE";

/// Manifests read at once: enough that the registry's request budget, not
/// the latency, sets the pace (20,000 a minute at 100 ms a read needs 34
/// in flight), and under the 100 concurrent requests GitHub allows.
const MANIFEST_CONCURRENCY: usize = 64;

/// The registry, or why there is none (said only when a container package
/// needs it).
pub enum ImageRegistry {
    Ready {
        client: RegistryClient,
        /// `None` when there is no data directory: every manifest is read.
        cache: Option<ManifestCache>,
    },
    Unavailable(String),
}

impl ImageRegistry {
    /// The registry of `--registry URL`, else `$GHPKG_REGISTRY`, else the one
    /// that goes with the API root (ghcr.io for api.github.com,
    /// `https://containers.HOST` for `https://HOST/api/v3`).
    pub fn connect(
        flag: Option<&str>,
        rate_flag: Option<u32>,
        builder: RegistryBuilder,
        env: impl Fn(&str) -> Option<String>,
    ) -> ImageRegistry {
        let rate = match rate_flag {
            Some(rate) => rate,
            None => match env(RATE_VAR).filter(|rate| !rate.trim().is_empty()) {
                None => DEFAULT_REGISTRY_RATE,
                Some(text) => match text.trim().parse() {
                    Ok(rate) => rate,
                    Err(_) => {
                        return ImageRegistry::Unavailable(format!(
                            "{RATE_VAR}={text:?} is not a whole number of requests a minute \
                             (e.g. 20000; 0 for no pacing)"
                        ));
                    }
                },
            },
        };
        let builder = builder.rate(rate);
        let given = flag
            .map(str::to_string)
            .or_else(|| env(REGISTRY_VAR).filter(|url| !url.trim().is_empty()));
        let source = if flag.is_some() {
            "--registry"
        } else {
            REGISTRY_VAR
        };
        let builder = match given {
            Some(url) => builder.url(url),
            None if builder.has_url() => builder,
            None => {
                return ImageRegistry::Unavailable(
                    "no container registry is known for this API root: pass --registry URL \
                     (e.g. https://containers.HOST)"
                        .to_string(),
                );
            }
        };
        let client = match builder.build() {
            Ok(client) => client,
            Err(error) => return ImageRegistry::Unavailable(format!("{source}: {error}")),
        };
        let cache = crate::data_dir::data_dir(env)
            .ok()
            .map(|dir| ManifestCache::new(dir.join("manifests")));
        ImageRegistry::Ready { client, cache }
    }

    /// The registry's host (and port), as image references name it:
    /// `ghcr.io` when no registry is known.
    pub fn host(&self) -> String {
        match self {
            ImageRegistry::Ready { client, .. } => crate::references::host_of(client.url()),
            ImageRegistry::Unavailable(_) => "ghcr.io".to_string(),
        }
    }

    /// Reads the manifests of `versions` (the package's active versions)
    /// and links them into images. Any manifest that cannot be read ends
    /// the package's prune before anything is decided, with one line that
    /// says why and how to fix it.
    pub async fn graph(
        &self,
        ui: &Ui,
        package: &PackageRef,
        versions: &[Version],
    ) -> Result<ImageGraph, Exit> {
        let repo = package.repository();
        let refuse = |why: String| {
            Exit::failed(format!(
                "cannot read the images of {repo}, so nothing in {repo} was deleted: {why}"
            ))
        };
        let mut graph_versions = Vec::with_capacity(versions.len());
        for version in versions {
            let digest = digest_of(version).map_err(refuse)?;
            graph_versions.push(GraphVersion::new(digest, version.tags.clone()));
        }
        let read = self
            .read(ui, package, &graph_versions, false)
            .await
            .map_err(refuse)?;
        ImageGraph::build(&graph_versions, &read.manifests)
            .map_err(|error| refuse(error.to_string()))
    }

    /// As [`graph`](Self::graph), for a report on the package: the
    /// versions whose manifests cannot be read (the registry does not serve
    /// them, or they are not manifests) are left out of the graph and
    /// returned, each with why, in `versions` order. The token or the
    /// network failing is still an error.
    pub async fn readable_graph(
        &self,
        ui: &Ui,
        package: &PackageRef,
        versions: &[Version],
    ) -> Result<ReadableGraph, Exit> {
        let repo = package.repository();
        let mut unreadable: Vec<(Version, String)> = Vec::new();
        let mut readable = Vec::with_capacity(versions.len());
        for version in versions {
            match digest_of(version) {
                Ok(digest) => readable.push((version, digest)),
                Err(why) => unreadable.push((version.clone(), why)),
            }
        }
        let graph_versions: Vec<GraphVersion> = readable
            .iter()
            .map(|(version, digest)| GraphVersion::new(digest.clone(), version.tags.clone()))
            .collect();
        let cannot = |why: String| Exit::failed(format!("cannot read the images of {repo}: {why}"));
        let read = self
            .read(ui, package, &graph_versions, true)
            .await
            .map_err(cannot)?;
        let why_unread: HashMap<&Digest, String> = read
            .unreadable
            .iter()
            .filter_map(|error| Some((error.digest()?, error.to_string())))
            .collect();
        let mut kept_versions = Vec::with_capacity(readable.len());
        let mut kept_graph_versions = Vec::with_capacity(readable.len());
        for ((version, digest), graph_version) in readable.into_iter().zip(graph_versions) {
            match why_unread.get(&digest) {
                Some(why) => unreadable.push((version.clone(), why.clone())),
                None => {
                    kept_versions.push(version.clone());
                    kept_graph_versions.push(graph_version);
                }
            }
        }
        unreadable.sort_by_key(|(version, _)| versions.iter().position(|v| v.id == version.id));
        let graph = ImageGraph::build(&kept_graph_versions, &read.manifests)
            .map_err(|error| cannot(error.to_string()))?;
        Ok(ReadableGraph {
            versions: kept_versions,
            graph,
            unreadable,
        })
    }

    /// Reads the manifests of `versions` (all of them, or with
    /// `keep_going` past those that cannot be read), through the cache.
    async fn read(
        &self,
        ui: &Ui,
        package: &PackageRef,
        versions: &[GraphVersion],
        keep_going: bool,
    ) -> Result<ManifestSet, String> {
        let (client, cache) = match self {
            ImageRegistry::Ready { client, cache } => (client, cache),
            ImageRegistry::Unavailable(why) => return Err(why.clone()),
        };
        let Some(login) = package.owner.login().or(package.login.as_deref()) else {
            return Err("the login of the authenticated user is unknown: use --user LOGIN".into());
        };
        let digests: Vec<Digest> = versions.iter().map(|v| v.digest.clone()).collect();
        let repository = repository(login, &package.name);
        let _spinner = ui.spinner("reading manifests");
        let read = if keep_going {
            client
                .manifests_or_unreadable(
                    &repository,
                    &digests,
                    cache.as_ref(),
                    MANIFEST_CONCURRENCY,
                )
                .await
        } else {
            client
                .manifests(&repository, &digests, cache.as_ref(), MANIFEST_CONCURRENCY)
                .await
        };
        ui.finish();
        let read = read.map_err(|error| error.to_string())?;
        if let Some(error) = &read.cache_error {
            ui.warn(format!("manifests are not cached: cannot write {error}"));
        }
        ui.note(format!(
            "{} manifests read from {}, {} from the cache (a read may count as a download)",
            read.fetched,
            client.url(),
            read.cached
        ));
        Ok(read)
    }
}

/// A container package's graph without the versions that cannot be read.
pub struct ReadableGraph {
    /// The versions in the graph, in its order.
    pub versions: Vec<Version>,
    pub graph: ImageGraph,
    /// The versions left out, each with why.
    pub unreadable: Vec<(Version, String)>,
}

/// A container version's manifest digest, its name.
fn digest_of(version: &Version) -> Result<Digest, String> {
    version.name.parse().map_err(|error| {
        format!(
            "version {} is named {error}; a container version is named by its manifest digest",
            version.id
        )
    })
}
