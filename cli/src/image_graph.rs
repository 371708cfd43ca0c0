//! Reading a container package's image graph from its registry, failing
//! closed: which registry (from `--registry`, `GHPKG_REGISTRY`, or the API
//! root), its manifest cache under the data directory, and the graph of one
//! package's versions. (The registry client itself is the client crate's.)

use github_packages_oci::images::{GraphVersion, ImageGraph};
use github_packages_oci::registry::{
    DEFAULT_REGISTRY_RATE, Digest, ManifestCache, RegistryBuilder, RegistryClient, repository,
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
/// the latency, sets the pace (30,000 a minute at 100 ms a read needs 50
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
                             (e.g. 30000; 0 for no pacing)"
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
        let login = package.owner.login().or(package.login.as_deref());
        let repo = package.repository();
        let refuse = |why: String| {
            Exit::failed(format!(
                "cannot read the images of {repo}, so nothing in {repo} was deleted: {why}"
            ))
        };
        let (client, cache) = match self {
            ImageRegistry::Ready { client, cache } => (client, cache),
            ImageRegistry::Unavailable(why) => return Err(refuse(why.clone())),
        };
        let Some(login) = login else {
            return Err(refuse(
                "the login of the authenticated user is unknown: use --user LOGIN".to_string(),
            ));
        };
        let mut graph_versions = Vec::with_capacity(versions.len());
        for version in versions {
            let digest: Digest = version.name.parse().map_err(|error| {
                refuse(format!(
                    "version {} is named {error}; a container version is named by its manifest \
                     digest",
                    version.id
                ))
            })?;
            graph_versions.push(GraphVersion::new(digest, version.tags.clone()));
        }
        let digests: Vec<Digest> = graph_versions.iter().map(|v| v.digest.clone()).collect();
        let _spinner = ui.spinner("reading manifests");
        let read = client
            .manifests(
                &repository(login, &package.name),
                &digests,
                cache.as_ref(),
                MANIFEST_CONCURRENCY,
            )
            .await;
        ui.finish();
        let read = read.map_err(|error| refuse(error.to_string()))?;
        if let Some(error) = &read.cache_error {
            ui.warn(format!("manifests are not cached: cannot write {error}"));
        }
        ui.note(format!(
            "{} manifests read from {}, {} from the cache (a read may count as a download)",
            read.fetched,
            client.url(),
            read.cached
        ));
        ImageGraph::build(&graph_versions, &read.manifests)
            .map_err(|error| refuse(error.to_string()))
    }
}
