//! A stateful fake of GitHub's Packages REST API, for tests and benchmarks.
//!
//! [`FakeGitHub`] serves all 27 operations of `spec/packages.yaml` over
//! HTTP/1.1 on `127.0.0.1` (a free port), keeps packages and versions in
//! memory, and behaves like GitHub where clients can tell the difference:
//!
//! - **Paths** are matched while still percent-encoded, then each segment is
//!   decoded once: a package named `repo/image` must be sent as
//!   `repo%2Fimage`. An unknown `package_type` is a 400 `BasicError`.
//! - **Authentication**: `Authorization: Bearer <token>` (or `token <token>`).
//!   No header is a 401 "Requires authentication", an unknown token a 401
//!   "Bad credentials". [`FakeGitHub::TOKEN`] has `read:packages`,
//!   `write:packages` and `delete:packages`. Deleting needs
//!   `delete:packages`, restoring `write:packages`, everything
//!   `read:packages` (or `write:packages`, which implies it); otherwise 403.
//!   Authenticated responses carry `x-oauth-scopes`; every response carries
//!   `x-accepted-oauth-scopes`.
//! - **Rate-limit headers** on every response (`x-ratelimit-limit` 5000,
//!   `-remaining`, `-used`, `-reset`, `-resource: core`), counted per token
//!   (anonymous requests share a 60-request window). A window starts over
//!   instead of running out, so only [`FaultKind::PrimaryRateLimit`] makes
//!   `remaining` 0.
//! - **Lists** take `page` (default 1) and `per_page` (default 30, larger
//!   values clamped to 100) and send GitHub's `Link` header (`prev`, `next`,
//!   `last`, `first`; absolute URLs keeping the other query parameters as
//!   sent). Package lists need `package_type`, filter by `visibility`, and
//!   answer 400 when `page * per_page > 10000`. Version lists filter by
//!   `state` (`active` by default), are ordered newest first, and page on
//!   past 10,000 results (the spec documents no 400 for them).
//! - **Deleting** a version marks it deleted (listed with `state=deleted`,
//!   still readable by id, with `deleted_at`); deleting it again is a 404.
//!   The last active version of a package cannot be deleted (400), nor can
//!   a public package's version downloaded more than 5,000 times, nor such
//!   a package. A deleted package is a 404 everywhere until restored.
//!   Restoring something that is not deleted is a harmless 204.
//! - **Docker-migration conflicts** lists are empty unless
//!   [`FakeGitHub::set_docker_conflict`] marks packages.
//! - **Secondary rate limits**, when asked for
//!   ([`FakeGitHub::enforce_secondary_limits`]): points per window by
//!   method and concurrent requests, with a window as short as a test
//!   needs; refusals are answered as GitHub answers them (403 or 429,
//!   `retry-after`) and counted ([`FakeGitHub::secondary_limit_refusals`]).
//! - **Faults** ([`FakeGitHub::inject`]) make matching requests fail in the
//!   ways clients must survive: 5xx, 429, secondary and primary rate limits,
//!   truncated bodies, delays, connection resets, and failures after the
//!   request was carried out; [`FakeGitHub::hold`] keeps matching requests
//!   in flight until the test releases them, and [`FaultKind::Publish`]
//!   pushes an image just before a matching request is answered.
//! - **Recording**: every request is logged ([`FakeGitHub::requests`])
//!   before any fault applies, path and query exactly as sent.
//! - **Container registry**: `/v2/…/manifests/…` and `/token` on the same
//!   port serve the OCI distribution protocol as ghcr.io does (Bearer
//!   challenge, token endpoint taking the GitHub token as the basic-auth
//!   password), agreeing with the container packages' versions; see
//!   [`FakeGitHub::publish_image`] and [`FakeGitHub::registry_url`].
//! - **A real registry behind a package**: [`FakeGitHub::import_registry`]
//!   lists what a distribution registry stores as a container package's
//!   versions, and deletes and restores through it ([`RealRegistry`]).
//! - **Enterprise Server**: [`FakeGitHub::start_enterprise`] serves the same
//!   API over HTTPS under `/api/v3`, with a certificate signed by
//!   [`TEST_CA_PEM`].
//!
//! Seeded data is deterministic: ids count up from 1000 (packages) and
//! 1000000 (versions), and timestamps default to 2024-01-01T00:00:00Z.
//!
//! # Example
//!
//! ```
//! use fake_github::{FakeGitHub, Fault, FaultKind, Matcher, Owner};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let github = FakeGitHub::start().await;
//! let acme = Owner::org("acme");
//! github.add_package(&acme, "container", "repo/image", "private");
//! let ids = github.add_versions(&acme, "container", "repo/image", 3);
//!
//! // The first request for a version list fails once with a 502.
//! github.inject(Fault::new(FaultKind::Status(502)).on(Matcher::PathContains("/versions".into())));
//!
//! # let _ = rustls::crypto::ring::default_provider().install_default();
//! let client = reqwest::Client::new();
//! let url = format!(
//!     "{}/orgs/acme/packages/container/repo%2Fimage/versions?per_page=2",
//!     github.base_url()
//! );
//! let get = || client.get(&url).bearer_auth(FakeGitHub::TOKEN).send();
//! assert_eq!(get().await.unwrap().status(), 502);
//!
//! let page = get().await.unwrap();
//! assert_eq!(page.status(), 200);
//! let link = page.headers()["link"].to_str().unwrap().to_string();
//! assert!(link.ends_with("/versions?per_page=2&page=2>; rel=\"last\""));
//! let versions: Vec<serde_json::Value> = page.json().await.unwrap();
//! // Newest first: the last one added is listed first.
//! assert_eq!(versions[0]["id"], ids[2]);
//! assert_eq!(versions[0]["name"], "1.0.2");
//!
//! let recorded = github.requests();
//! assert_eq!(recorded.len(), 2);
//! assert_eq!(recorded[1].raw_path, "/orgs/acme/packages/container/repo%2Fimage/versions");
//! # }
//! ```
//!
//! Tests that are not async (e.g. ones that run a CLI binary) use
//! [`FakeGitHub::start_in_background`], which runs the server on its own
//! thread.
//!
//! With the feature `client`, `client_for` and `client_builder_for` give the
//! client crate's `Client` for a running fake: the one way the workspace's
//! tests and benchmarks build it.
#![warn(missing_docs)]

mod api;
#[cfg(feature = "client")]
mod client;
mod fault;
mod image;
mod json;
mod pagination;
mod rate;
mod real_registry;
mod recording;
mod registry;
mod route;
mod secondary_limit;
mod server;
mod store;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

#[cfg(feature = "client")]
pub use client::{client_builder_for, client_for, fast_retries};
pub use fault::{Fault, FaultKind, Gate, Matcher};
pub use image::{ImageSpec, OCI_INDEX, OCI_MANIFEST, PublishedImage, Pushed};
pub use real_registry::{RealRegistry, RegistryAnswer};
pub use recording::RecordedRequest;
pub use secondary_limit::{Refusal, SecondaryLimits};
pub use store::{Owner, StoredVersion, VersionSpec};

use server::{Closed, SharedStore, lock};
use store::Store;

/// A running fake GitHub server, and the handle to seed and inspect it.
///
/// Cheap to clone; the server stops when the last clone is dropped.
#[derive(Clone)]
pub struct FakeGitHub {
    inner: Arc<Inner>,
}

struct Inner {
    store: SharedStore,
    base_url: String,
    /// Dropping it stops the accept loop and every connection.
    shutdown: Option<watch::Sender<()>>,
    /// The server thread of [`FakeGitHub::start_in_background`].
    thread: Option<JoinHandle<()>>,
    /// Set once the server's socket is closed.
    closed: Arc<Closed>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        drop(self.shutdown.take());
        if let Some(thread) = self.thread.take() {
            // Returns promptly: the thread's runtime ends once signalled.
            let _ = thread.join();
        }
    }
}

/// Sets a [`Closed`] when dropped.
struct SetOnDrop(Arc<Closed>);

impl Drop for SetOnDrop {
    fn drop(&mut self) {
        self.0.set();
    }
}

/// The certificate authority that signed the certificate of
/// [`FakeGitHub::start_enterprise`]'s server, as PEM. Test material only:
/// the authority's key was discarded, and the server's key is in this
/// crate's source for anyone to read.
pub const TEST_CA_PEM: &str = include_str!("../certs/ca.pem");

const SERVER_CERT_PEM: &str = include_str!("../certs/server.pem");
const SERVER_KEY_PEM: &str = include_str!("../certs/server.key");

/// What kind of GitHub a server looks like.
#[derive(Clone, Copy)]
enum Setup {
    /// GitHub.com's paths over plain HTTP.
    Plain,
    /// Enterprise Server: HTTPS, paths under `/api/v3`.
    Enterprise,
}

impl Setup {
    async fn bind(self) -> (TcpListener, Option<TlsAcceptor>, SharedStore) {
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .await
            .expect("fake-github: cannot bind 127.0.0.1:0");
        let address = listener
            .local_addr()
            .expect("fake-github: bound socket has an address");
        let (base_url, prefix, tls) = match self {
            Setup::Plain => (format!("http://{address}"), "", None),
            Setup::Enterprise => (
                format!("https://{address}/api/v3"),
                "/api/v3",
                Some(tls_acceptor()),
            ),
        };
        let store = Store::new(base_url, prefix, FakeGitHub::TOKEN);
        (listener, tls, Arc::new(Mutex::new(store)))
    }
}

/// TLS with the test certificate, through ring whatever provider the
/// process has installed.
fn tls_acceptor() -> TlsAcceptor {
    let certificates = CertificateDer::pem_slice_iter(SERVER_CERT_PEM.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .expect("fake-github: the test certificate is valid PEM");
    let key = PrivateKeyDer::from_pem_slice(SERVER_KEY_PEM.as_bytes())
        .expect("fake-github: the test key is valid PEM");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("fake-github: ring supports the default TLS versions")
        .with_no_client_auth()
        .with_single_cert(certificates, key)
        .expect("fake-github: the test certificate matches its key");
    TlsAcceptor::from(Arc::new(config))
}

impl FakeGitHub {
    /// A token with the scopes `read:packages`, `write:packages` and
    /// `delete:packages`, known to every fake.
    pub const TOKEN: &'static str = "test-token";

    /// Starts a server on the current tokio runtime (which must have IO and
    /// time enabled, as `#[tokio::test]` does).
    pub async fn start() -> FakeGitHub {
        Self::launch(Setup::Plain).await
    }

    /// Starts a server that looks like GitHub Enterprise Server's REST API:
    /// HTTPS, with every path under `/api/v3`, so [`base_url`](Self::base_url)
    /// is `https://127.0.0.1:PORT/api/v3`. Its certificate (for `127.0.0.1`
    /// and `localhost`) is signed by [`TEST_CA_PEM`], which clients must
    /// trust. On the current tokio runtime, like [`start`](Self::start).
    pub async fn start_enterprise() -> FakeGitHub {
        Self::launch(Setup::Enterprise).await
    }

    async fn launch(setup: Setup) -> FakeGitHub {
        let (shutdown, stopped) = watch::channel(());
        let (listener, tls, store) = setup.bind().await;
        let base_url = lock(&store).base_url.clone();
        tokio::spawn(server::serve(listener, store.clone(), tls, stopped));
        FakeGitHub {
            inner: Arc::new(Inner {
                store,
                base_url,
                shutdown: Some(shutdown),
                thread: None,
                closed: Arc::default(),
            }),
        }
    }

    /// Starts a server on its own thread and runtime, for tests that are
    /// not async. It runs until the last clone of the handle is dropped
    /// (dropping it waits for the server to stop) or the process exits.
    pub fn start_in_background() -> FakeGitHub {
        let (shutdown, stopped) = watch::channel(());
        let (ready_sender, ready) = std::sync::mpsc::channel();
        let closed = Arc::new(Closed::default());
        let closed_by_server = closed.clone();
        let thread = std::thread::Builder::new()
            .name("fake-github".to_string())
            .spawn(move || {
                // Dropped last, after the runtime and every connection task
                // it held, panic or not: then `stop` may return.
                let _done = SetOnDrop(closed_by_server);
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("fake-github: cannot build a tokio runtime");
                runtime.block_on(async move {
                    let (listener, tls, store) = Setup::Plain.bind().await;
                    if ready_sender.send(store.clone()).is_ok() {
                        server::serve(listener, store, tls, stopped).await;
                    }
                });
            })
            .expect("fake-github: cannot spawn the server thread");
        let store = ready
            .recv()
            .expect("fake-github: the server thread failed to start");
        let base_url = lock(&store).base_url.clone();
        FakeGitHub {
            inner: Arc::new(Inner {
                store,
                base_url,
                shutdown: Some(shutdown),
                thread: Some(thread),
                closed,
            }),
        }
    }

    /// Stops serving, as a server that went away would: the port is closed
    /// and every connection dropped, requests in flight (held ones too)
    /// without an answer. The state stays readable through this handle.
    ///
    /// A server from [`start_in_background`](Self::start_in_background)
    /// has closed its port and dropped its connections when this returns.
    /// One on the caller's runtime ([`start`](Self::start)) does so the next
    /// time its tasks run, once the caller awaits something.
    pub fn stop(&self) {
        if let Some(shutdown) = &self.inner.shutdown {
            shutdown.send_replace(());
        }
        if self.inner.thread.is_some() {
            self.inner.closed.wait();
        }
    }

    /// How many connections the server has accepted, including any whose
    /// TLS handshake failed (no request is recorded for those).
    pub fn connections(&self) -> u64 {
        lock(&self.inner.store).connections
    }

    /// `http://127.0.0.1:PORT`, or `https://127.0.0.1:PORT/api/v3` for
    /// [`start_enterprise`](Self::start_enterprise); no trailing slash.
    pub fn base_url(&self) -> String {
        self.inner.base_url.clone()
    }

    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        lock(&self.inner.store)
    }

    /// Makes `token` valid with these scopes (replacing any earlier ones).
    pub fn add_token(&self, token: &str, scopes: &[&str]) {
        self.store().add_token(token, scopes);
    }

    /// Sets whose packages `/user/...` serves (default `octocat`): the user
    /// `login`, the same packages `/users/{login}/...` serves.
    pub fn set_authenticated_user(&self, login: &str) {
        self.store().authenticated_user = login.to_string();
    }

    /// Adds a package without versions and returns its id.
    ///
    /// # Panics
    ///
    /// If `package_type` is not one of `npm`, `maven`, `rubygems`, `docker`,
    /// `nuget`, `container`, `visibility` is not `public`, `private` or
    /// `internal`, or a live package of that name exists. (A deleted one
    /// is replaced and can no longer be restored, as on GitHub.)
    pub fn add_package(
        &self,
        owner: &Owner,
        package_type: &str,
        name: &str,
        visibility: &str,
    ) -> i64 {
        self.store()
            .add_package(owner, package_type, name, visibility)
    }

    /// Adds a version to a package and returns its id.
    ///
    /// # Panics
    ///
    /// If the package was never added.
    pub fn add_version(
        &self,
        owner: &Owner,
        package_type: &str,
        package: &str,
        spec: VersionSpec,
    ) -> i64 {
        self.store().add_version(owner, package_type, package, spec)
    }

    /// Adds `count` versions named `1.0.N`, numbered on from the versions
    /// the package already has (`1.0.0` first for a new package), each one
    /// minute newer than the one before and than any existing version (the
    /// first at 2024-01-01T00:00:00Z for a new package). Returns the ids in
    /// creation order, oldest first; the lists show them the other way round.
    ///
    /// # Panics
    ///
    /// If the package was never added.
    pub fn add_versions(
        &self,
        owner: &Owner,
        package_type: &str,
        package: &str,
        count: usize,
    ) -> Vec<i64> {
        self.store()
            .add_versions(owner, package_type, package, count)
    }

    /// All versions of a package, deleted ones included, newest first as
    /// GitHub lists them; empty if there is no such package.
    pub fn versions(&self, owner: &Owner, package_type: &str, package: &str) -> Vec<StoredVersion> {
        self.store().stored_versions(owner, package_type, package)
    }

    /// Whether the package exists and is not deleted.
    pub fn package_exists(&self, owner: &Owner, package_type: &str, name: &str) -> bool {
        self.store().package_exists(owner, package_type, name)
    }

    /// Lists the package in its owner's Docker-migration conflicts.
    ///
    /// # Panics
    ///
    /// If the package was never added.
    pub fn set_docker_conflict(&self, owner: &Owner, package_type: &str, name: &str) {
        self.store().set_docker_conflict(owner, package_type, name);
    }

    /// Queues a fault; see [`Fault`] for how requests use faults up.
    pub fn inject(&self, fault: Fault) {
        self.store().faults.inject(fault);
    }

    /// Holds the next request `matcher` accepts until the returned gate is
    /// released ([`FaultKind::Hold`]), then handles it normally.
    pub fn hold(&self, matcher: Matcher) -> Gate {
        let gate = Gate::new();
        self.inject(Fault::new(FaultKind::Hold(gate.clone())).on(matcher));
        gate
    }

    /// Marks a version deleted (`true`) or active again, as if a request
    /// had done it, without any request: e.g. a deletion GitHub carried out
    /// after its client had given up on the answer.
    ///
    /// # Panics
    ///
    /// If the package was never added or has no version `id`.
    pub fn set_version_deleted(
        &self,
        owner: &Owner,
        package_type: &str,
        package: &str,
        id: i64,
        deleted: bool,
    ) {
        self.store()
            .set_version_deleted(owner, package_type, package, id, deleted);
    }

    /// From now on the API lists and shows the container version `id`
    /// without `metadata.container`, as if its tags were unknown.
    ///
    /// # Panics
    ///
    /// If the container package was never added or has no version `id`.
    pub fn leave_out_tags(&self, owner: &Owner, package: &str, id: i64) {
        self.store().leave_out_tags(owner, package, id);
    }

    /// How many uses of injected faults are left.
    pub fn pending_faults(&self) -> usize {
        self.store().faults.pending()
    }

    /// Drops every pending fault.
    pub fn clear_faults(&self) {
        self.store().faults.clear();
    }

    /// Delays every response by `latency` (zero by default).
    pub fn set_latency(&self, latency: Duration) {
        self.store().latency = latency;
    }

    /// Enforces GitHub's secondary limits as `limits` describe them, from
    /// now on, with nothing counted yet; `None` stops enforcing them (the
    /// default). Refusals counted so far are kept.
    ///
    /// ```
    /// use std::time::Duration;
    /// use fake_github::{FakeGitHub, SecondaryLimits};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let github = FakeGitHub::start().await;
    /// // Two reads a second.
    /// github.enforce_secondary_limits(Some(SecondaryLimits::default().points(2, Duration::from_secs(1))));
    /// # let _ = rustls::crypto::ring::default_provider().install_default();
    /// let client = reqwest::Client::new();
    /// let url = format!("{}/user/packages?package_type=npm", github.base_url());
    /// let get = || client.get(&url).bearer_auth(FakeGitHub::TOKEN).send();
    /// assert_eq!(get().await.unwrap().status(), 200);
    /// assert_eq!(get().await.unwrap().status(), 200);
    /// let refused = get().await.unwrap();
    /// assert_eq!(refused.status(), 403);
    /// assert_eq!(refused.headers()["retry-after"], "1");
    /// assert_eq!(github.secondary_limit_refusals(), 1);
    /// # }
    /// ```
    pub fn enforce_secondary_limits(&self, limits: Option<SecondaryLimits>) {
        self.store().secondary.enforce(limits);
    }

    /// How many requests were refused for a secondary limit
    /// ([`enforce_secondary_limits`](Self::enforce_secondary_limits); not
    /// injected faults).
    pub fn secondary_limit_refusals(&self) -> u64 {
        self.store().secondary.refusals
    }

    /// Sets each token's hourly quota, `x-ratelimit-limit` (default 5000).
    /// As before, a window starts over instead of running out.
    ///
    /// ```
    /// use fake_github::FakeGitHub;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let github = FakeGitHub::start().await;
    /// github.set_rate_limit(1_000_000);
    /// # let _ = rustls::crypto::ring::default_provider().install_default();
    /// let url = format!("{}/user/packages?package_type=npm", github.base_url());
    /// let response = reqwest::Client::new()
    ///     .get(&url)
    ///     .bearer_auth(FakeGitHub::TOKEN)
    ///     .send()
    ///     .await
    ///     .unwrap();
    /// assert_eq!(response.headers()["x-ratelimit-limit"], "1000000");
    /// assert_eq!(response.headers()["x-ratelimit-remaining"], "999999");
    /// # }
    /// ```
    pub fn set_rate_limit(&self, limit: u32) {
        self.store().token_rate_limit = limit.max(1);
    }

    /// Every request received so far, in order of arrival.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.store().requests.clone()
    }

    /// Forgets the requests received so far.
    pub fn clear_requests(&self) {
        self.store().requests.clear();
    }

    // ------------------------------------------------------- registry --

    /// The container registry's root, `http://127.0.0.1:PORT` (also for
    /// [`start_enterprise`](Self::start_enterprise), whose registry is at
    /// the root of its HTTPS origin).
    pub fn registry_url(&self) -> String {
        let store = self.store();
        store
            .base_url
            .strip_suffix(store.path_prefix.as_str())
            .unwrap_or(&store.base_url)
            .to_string()
    }

    /// Pushes an image as `docker buildx` does: each platform manifest and
    /// attestation manifest, then the index (which takes the spec's tags
    /// from any version that had them), then cosign attachments and OCI
    /// referrers, each an untagged container version named by its digest
    /// (cosign's tagged `sha256-<hex>.<kind>`).
    ///
    /// # Panics
    ///
    /// If the container package was never added, or a shared manifest was
    /// never published.
    pub fn publish_image(&self, owner: &Owner, package: &str, spec: &ImageSpec) -> PublishedImage {
        self.store().publish_image(owner, package, spec)
    }

    /// Stores any manifest body and adds it as a version of the container
    /// package (taking `tags` from other versions), for shapes
    /// [`publish_image`](Self::publish_image) does not make.
    pub fn push_manifest(
        &self,
        owner: &Owner,
        package: &str,
        media_type: &str,
        body: &[u8],
        tags: &[&str],
    ) -> Pushed {
        let tags: Vec<String> = tags.iter().map(|tag| tag.to_string()).collect();
        self.store().push_manifest(
            owner,
            package,
            media_type,
            body.to_vec(),
            &tags,
            store::base_time(),
        )
    }

    /// Lists the manifests `registry` (a real distribution registry)
    /// stores as versions of the container package `package`, with their
    /// tags, oldest first in the order of `pushed` (digests in push order),
    /// one minute apart. From then on deleting a version deletes its
    /// manifest in the registry, and restoring it puts the manifest back
    /// byte for byte, under its tags too (a registry refusal is a 502).
    /// Returns the versions' ids, oldest first.
    ///
    /// # Panics
    ///
    /// If the package was never added, or the registry cannot be read.
    pub fn import_registry(
        &self,
        owner: &Owner,
        package: &str,
        registry: &RealRegistry,
        pushed: &[String],
    ) -> Vec<i64> {
        real_registry::import(&mut self.store(), owner, package, registry, pushed)
            .unwrap_or_else(|why| panic!("fake-github: cannot import {}: {why}", registry.url()))
    }

    /// From now on, serves the manifest `digest` with a body that is not
    /// that digest's content (`Docker-Content-Digest` still claims it).
    pub fn corrupt_manifest(&self, digest: &str) {
        self.store().registry.corrupt(digest);
    }

    /// How many manifests the registry has served.
    pub fn manifest_reads(&self) -> u64 {
        self.store().registry.manifest_reads
    }

    /// Walks every tag of the container package through the registry, as
    /// a pull would (an index's manifests, recursively), and lists each
    /// manifest a tag needs that the registry would not serve: empty when
    /// every tagged image can be pulled whole.
    pub fn broken_images(&self, owner: &Owner, package: &str) -> Vec<String> {
        registry::broken_images(&self.store(), &repository(owner, package))
    }

    /// What a pull of `reference` (a tag or a digest) would miss: each
    /// manifest it needs that the registry would not serve. Empty when the
    /// image can be pulled whole.
    pub fn unpullable(&self, owner: &Owner, package: &str, reference: &str) -> Vec<String> {
        registry::unpullable(&self.store(), &repository(owner, package), reference)
    }
}

/// The registry's name for a package: `login/package`, lower case.
fn repository(owner: &Owner, package: &str) -> String {
    let login = match owner {
        Owner::Org(login) | Owner::User(login) => login,
    };
    format!("{login}/{package}").to_lowercase()
}

#[cfg(test)]
mod tests;
