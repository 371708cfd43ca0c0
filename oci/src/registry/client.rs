//! [`RegistryClient`]: reads manifests by digest through the OCI
//! distribution API, authenticating with the GitHub token through the
//! registry's Bearer challenge.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures_util::StreamExt;
use reqwest::header::{
    ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue, USER_AGENT, WWW_AUTHENTICATE,
};
use reqwest::{StatusCode, Url};

use super::address::{
    DEFAULT_REGISTRY_URL, check_repository, normalize_registry_url, registry_url_for,
};
use super::cache::{ManifestCache, today};
use super::challenge::{BearerChallenge, TokenAnswer};
use super::digest::Digest;
use super::error::{RegistryError, RegistryErrorKind};
use super::manifest::{ACCEPTED_MEDIA_TYPES, Manifest};
use super::rate::{DEFAULT_REGISTRY_RATE, RatePacer};
use github_packages::hooks::DEFAULT_USER_AGENT;
use github_packages::{ClientBuilder, Token};

/// Manifests larger than this are refused (registries cap them at 4 MiB).
const MAX_MANIFEST_BYTES: usize = 4 * 1024 * 1024;

/// Builds a [`RegistryClient`].
///
/// ```
/// use github_packages_oci::registry::RegistryClient;
///
/// let registry = RegistryClient::builder()
///     .url("https://ghcr.io")
///     .token("ghp_example")
///     .build()?;
/// assert_eq!(registry.url(), "https://ghcr.io");
/// # Ok::<(), github_packages_oci::registry::RegistryError>(())
/// ```
#[derive(Clone)]
pub struct RegistryBuilder {
    url: Option<String>,
    token: Option<Token>,
    user_agent: Option<String>,
    timeout: Duration,
    max_retries: u32,
    backoff: Duration,
    rate: u32,
    #[cfg(any(feature = "rustls", feature = "rustls-aws-lc", feature = "native-tls"))]
    root_certificates: Vec<reqwest::Certificate>,
}

impl fmt::Debug for RegistryBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegistryBuilder")
            .field("url", &self.url)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("user_agent", &self.user_agent)
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("rate", &self.rate)
            .finish_non_exhaustive()
    }
}

impl Default for RegistryBuilder {
    fn default() -> Self {
        RegistryBuilder {
            url: None,
            token: None,
            user_agent: None,
            timeout: Duration::from_secs(30),
            max_retries: 3,
            backoff: Duration::from_millis(250),
            rate: DEFAULT_REGISTRY_RATE,
            #[cfg(any(feature = "rustls", feature = "rustls-aws-lc", feature = "native-tls"))]
            root_certificates: Vec::new(),
        }
    }
}

impl RegistryBuilder {
    /// A builder for the container registry that goes with the REST API
    /// `api` is set up for: the same token, `User-Agent`, timeout and root
    /// certificates, and the registry URL of [`registry_url_for`] its base
    /// URL, when there is one (otherwise set it with [`url`](Self::url)).
    ///
    /// [`registry_url_for`]: super::registry_url_for
    ///
    /// ```
    /// use github_packages::Client;
    /// use github_packages_oci::registry::RegistryBuilder;
    ///
    /// let api = Client::builder()
    ///     .token("ghp_example")
    ///     .base_url("https://github.example.com/api/v3");
    /// let registry = RegistryBuilder::for_api(&api).build()?;
    /// assert_eq!(registry.url(), "https://containers.github.example.com");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn for_api(api: &ClientBuilder) -> Self {
        let settings = api.connection_settings();
        let mut registry = RegistryBuilder::default().timeout(settings.timeout);
        if let Some(token) = settings.token {
            registry = registry.token(token.clone());
        }
        if let Some(agent) = settings.user_agent {
            registry = registry.user_agent(agent);
        }
        if let Some(url) = registry_url_for(settings.base_url) {
            registry = registry.url(url);
        }
        #[cfg(any(feature = "rustls", feature = "rustls-aws-lc", feature = "native-tls"))]
        for certificate in settings.root_certificates {
            registry = registry.add_root_certificate(certificate.clone());
        }
        registry
    }

    /// The registry's root (default [`DEFAULT_REGISTRY_URL`]); for GitHub
    /// Enterprise Server `https://containers.HOST`. `https` only, except
    /// for a loopback host; no credentials, path, query or fragment.
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// The GitHub token (needs `read:packages`). It is sent only to the
    /// registry's own token endpoint, as the basic-auth password.
    pub fn token(mut self, token: impl Into<Token>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Whether a registry URL was set (else [`build`](Self::build) uses
    /// [`DEFAULT_REGISTRY_URL`]).
    pub fn has_url(&self) -> bool {
        self.url.is_some()
    }

    /// The `User-Agent` (default `github-packages/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Time limit for one request (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How often a 5xx, 429 or lost connection is retried (default 3), and
    /// the first wait (default 250 ms, doubled each time).
    pub fn retries(mut self, max_retries: u32, backoff: Duration) -> Self {
        self.max_retries = max_retries;
        self.backoff = backoff;
        self
    }

    /// At most `per_minute` requests a minute to the registry (default
    /// [`DEFAULT_REGISTRY_RATE`]), every attempt counted; 0 turns the
    /// pacing off. A burst of one second's worth goes at once.
    ///
    /// [`DEFAULT_REGISTRY_RATE`]: super::DEFAULT_REGISTRY_RATE
    pub fn rate(mut self, per_minute: u32) -> Self {
        self.rate = per_minute;
        self
    }

    /// Trusts `certificate` as a root besides the platform's.
    #[cfg(any(feature = "rustls", feature = "rustls-aws-lc", feature = "native-tls"))]
    pub fn add_root_certificate(mut self, certificate: reqwest::Certificate) -> Self {
        self.root_certificates.push(certificate);
        self
    }

    /// Builds the client; an error if the URL or the User-Agent is refused.
    pub fn build(self) -> Result<RegistryClient, RegistryError> {
        let config = |problem: String| {
            RegistryError::new(RegistryErrorKind::Config(problem), "the registry", None)
        };
        let url = normalize_registry_url(self.url.as_deref().unwrap_or(DEFAULT_REGISTRY_URL))
            .map_err(config)?;
        let user_agent =
            HeaderValue::try_from(self.user_agent.as_deref().unwrap_or(DEFAULT_USER_AGENT))
                .map_err(|_| config("the User-Agent is not a valid header value".into()))?;
        github_packages::install_crypto_provider();
        let http = reqwest::Client::builder();
        #[cfg(any(feature = "rustls", feature = "rustls-aws-lc", feature = "native-tls"))]
        let http = http.tls_certs_merge(self.root_certificates);
        let http = http
            .timeout(self.timeout)
            .http1_only()
            // A redirect could carry the registry token to another host;
            // registries serve manifests without one.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|error| config(format!("the HTTP client could not be built: {error}")))?;
        Ok(RegistryClient {
            inner: Arc::new(Inner {
                http,
                url,
                token: self.token,
                user_agent,
                max_retries: self.max_retries,
                backoff: self.backoff,
                pacer: RatePacer::new(self.rate),
                bearer: Mutex::default(),
            }),
        })
    }
}

/// Reads manifests from an OCI registry. Cheap to clone; clones share the
/// registry tokens obtained so far.
///
/// ```no_run
/// use github_packages_oci::registry::{Digest, ManifestCache, RegistryClient, repository};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let registry = RegistryClient::builder().token("ghp_example").build()?;
/// let digests: Vec<Digest> = vec!["sha256:…".parse()?];
/// let cache = ManifestCache::new("/tmp/manifests");
/// let fetched = registry
///     .manifests(&repository("Acme", "app"), &digests, Some(&cache), 8)
///     .await?;
/// println!("{} read, {} from the cache", fetched.fetched, fetched.cached);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct RegistryClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    url: Url,
    token: Option<Token>,
    user_agent: HeaderValue,
    max_retries: u32,
    backoff: Duration,
    /// Every attempt waits for its turn here.
    pacer: RatePacer,
    /// Registry tokens by repository, marked sensitive.
    bearer: Mutex<HashMap<String, HeaderValue>>,
}

impl fmt::Debug for RegistryClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegistryClient")
            .field("url", &self.url())
            .finish_non_exhaustive()
    }
}

/// A manifest as the registry sent it, verified against its digest.
#[derive(Clone, Debug)]
pub struct FetchedManifest {
    /// The digest asked for, which the body hashes to.
    pub digest: Digest,
    /// The media type it was served as (the body's `mediaType`, else
    /// `Content-Type`).
    pub content_type: Option<String>,
    /// The body, byte for byte.
    pub body: Vec<u8>,
    /// The body, read.
    pub manifest: Manifest,
}

/// The manifests of [`RegistryClient::manifests`], by digest.
#[derive(Debug, Default)]
pub struct ManifestSet {
    /// Every manifest asked for.
    pub manifests: HashMap<Digest, Manifest>,
    /// How many were read from the registry (each may count as a download
    /// on GitHub's side).
    pub fetched: usize,
    /// How many came from the cache.
    pub cached: usize,
    /// Why the cache could not be written, the first time it could not.
    pub cache_error: Option<String>,
    /// The manifests the registry does not serve or that are not manifests
    /// this crate reads (only from
    /// [`RegistryClient::manifests_or_unreadable`]), in no order.
    pub unreadable: Vec<RegistryError>,
}

impl RegistryClient {
    /// A [`RegistryBuilder`] with the defaults.
    pub fn builder() -> RegistryBuilder {
        RegistryBuilder::default()
    }

    /// The registry's root, without a trailing `/`.
    pub fn url(&self) -> &str {
        self.inner.url.as_str().trim_end_matches('/')
    }

    /// Reads every manifest of `digests` in `repository` (e.g. `acme/app`),
    /// from `cache` when it has them, the others from the registry,
    /// `concurrency` at a time; new ones are added to the cache. Fails on
    /// the first manifest that cannot be read: a caller deciding what to
    /// delete must not go on with part of the graph.
    pub async fn manifests(
        &self,
        repository: &str,
        digests: &[Digest],
        cache: Option<&ManifestCache>,
        concurrency: usize,
    ) -> Result<ManifestSet, RegistryError> {
        self.read_manifests(repository, digests, cache, concurrency, false)
            .await
    }

    /// As [`manifests`](Self::manifests), but a manifest the registry does
    /// not serve (404), whose body is not its digest's, or that is not a
    /// manifest this crate reads is put in [`ManifestSet::unreadable`] and
    /// the others are read on: for a caller that reports on a package.
    /// Anything else (the token, the network) still fails the whole read.
    pub async fn manifests_or_unreadable(
        &self,
        repository: &str,
        digests: &[Digest],
        cache: Option<&ManifestCache>,
        concurrency: usize,
    ) -> Result<ManifestSet, RegistryError> {
        self.read_manifests(repository, digests, cache, concurrency, true)
            .await
    }

    async fn read_manifests(
        &self,
        repository: &str,
        digests: &[Digest],
        cache: Option<&ManifestCache>,
        concurrency: usize,
        keep_going: bool,
    ) -> Result<ManifestSet, RegistryError> {
        let mut set = ManifestSet::default();
        let stored = cache
            .map(|cache| cache.load(repository))
            .unwrap_or_default();
        let mut listed = Vec::with_capacity(digests.len());
        let mut missing = Vec::new();
        let mut seen = std::collections::HashSet::with_capacity(digests.len());
        for digest in digests {
            if !seen.insert(digest) {
                continue;
            }
            listed.push(digest.clone());
            match stored.get(digest) {
                Some(manifest) => {
                    set.manifests.insert(digest.clone(), manifest);
                    set.cached += 1;
                }
                None => missing.push(digest.clone()),
            }
        }
        let (fetched, unreadable) = self
            .fetch_all(repository, &missing, concurrency, keep_going)
            .await?;
        // A cache that cannot be written costs only speed: the manifests
        // were read all the same, and the failure is reported.
        if let Some(cache) = cache
            && let Err(error) = cache.save(repository, &stored, &listed, &fetched, today())
        {
            set.cache_error = Some(format!("{}: {error}", cache.dir().display()));
        }
        set.unreadable = unreadable;
        set.fetched = fetched.len();
        set.manifests.extend(
            fetched
                .into_iter()
                .map(|fetched| (fetched.digest, fetched.manifest)),
        );
        Ok(set)
    }

    /// Reads `digests` from the registry, `concurrency` at a time, each
    /// waiting for its turn in the registry's request budget. Fails on the
    /// first manifest that cannot be read (a caller deciding what to delete
    /// must not go on with part of the graph), unless `keep_going`: then a
    /// failure that concerns that manifest alone is returned beside the
    /// others, and only one that concerns every read (the token, the
    /// network) fails the whole.
    async fn fetch_all(
        &self,
        repository: &str,
        digests: &[Digest],
        concurrency: usize,
        keep_going: bool,
    ) -> Result<(Vec<FetchedManifest>, Vec<RegistryError>), RegistryError> {
        let mut fetched = Vec::with_capacity(digests.len());
        let mut unreadable = Vec::new();
        let mut keep = |result: Result<FetchedManifest, RegistryError>| match result {
            Ok(manifest) => {
                fetched.push(manifest);
                Ok(())
            }
            Err(error) if keep_going && error.kind().concerns_the_manifest() => {
                unreadable.push(error);
                Ok(())
            }
            Err(error) => Err(error),
        };
        let mut rest = digests.iter();
        // The first one alone: it answers the challenge, and the others
        // then reuse the registry token instead of each asking for one.
        if let Some(first) = rest.next() {
            keep(self.manifest(repository, first).await)?;
        }
        let mut fetches = futures_util::stream::iter(rest)
            .map(|digest| self.manifest(repository, digest))
            .buffer_unordered(concurrency.max(1));
        while let Some(result) = fetches.next().await {
            keep(result)?;
        }
        Ok((fetched, unreadable))
    }

    /// Reads one manifest by digest and checks that the body is that
    /// digest's content and a manifest this crate reads.
    pub async fn manifest(
        &self,
        repository: &str,
        digest: &Digest,
    ) -> Result<FetchedManifest, RegistryError> {
        let error = |kind| RegistryError::new(kind, repository, Some(digest));
        check_repository(repository)
            .map_err(|problem| error(RegistryErrorKind::Config(problem)))?;
        let url = format!("{}/v2/{repository}/manifests/{digest}", self.url());
        let response = self.get_authenticated(repository, digest, &url).await?;
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .map(str::to_string);
        let body = read_limited(response)
            .await
            .map_err(|problem| error(RegistryErrorKind::Transport(problem)))?;
        let received = Digest::of(&body);
        if received != *digest {
            return Err(error(RegistryErrorKind::DigestMismatch { received }));
        }
        let manifest = Manifest::parse(&body, content_type.as_deref())
            .map_err(|problem| error(RegistryErrorKind::Manifest(problem)))?;
        Ok(FetchedManifest {
            digest: digest.clone(),
            content_type,
            body,
            manifest,
        })
    }

    /// GETs `url` with the repository's registry token, answering a 401
    /// challenge once (a token may have expired), retrying 5xx, 429 and
    /// lost connections.
    async fn get_authenticated(
        &self,
        repository: &str,
        digest: &Digest,
        url: &str,
    ) -> Result<reqwest::Response, RegistryError> {
        let error = |kind| RegistryError::new(kind, repository, Some(digest));
        let mut answered_challenge = false;
        loop {
            let bearer = self.cached_bearer(repository);
            let response = self
                .send_with_retries(repository, Some(digest), || {
                    let mut request = self
                        .inner
                        .http
                        .get(url)
                        .header(USER_AGENT, self.inner.user_agent.clone())
                        .header(ACCEPT, ACCEPTED_MEDIA_TYPES.join(", "));
                    if let Some(bearer) = &bearer {
                        request = request.header(AUTHORIZATION, bearer.clone());
                    }
                    request
                })
                .await?;
            match response.status() {
                StatusCode::OK => return Ok(response),
                StatusCode::UNAUTHORIZED if !answered_challenge => {
                    answered_challenge = true;
                    let challenge = response
                        .headers()
                        .get(WWW_AUTHENTICATE)
                        .and_then(|value| value.to_str().ok())
                        .and_then(BearerChallenge::parse)
                        .ok_or_else(|| {
                            error(RegistryErrorKind::Challenge(
                                "it answered 401 without a `WWW-Authenticate: Bearer realm=…` \
                                 challenge"
                                    .into(),
                            ))
                        })?;
                    let token = self.fetch_bearer(repository, digest, &challenge).await?;
                    self.inner
                        .bearer
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .insert(repository.to_string(), token);
                }
                status => return Err(error(status_kind(status))),
            }
        }
    }

    fn cached_bearer(&self, repository: &str) -> Option<HeaderValue> {
        self.inner
            .bearer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(repository)
            .cloned()
    }

    /// Asks the challenge's realm for a pull token for `repository`, with
    /// the GitHub token as the basic-auth password. The realm must be on
    /// the registry's own host: the GitHub token goes nowhere else.
    async fn fetch_bearer(
        &self,
        repository: &str,
        digest: &Digest,
        challenge: &BearerChallenge,
    ) -> Result<HeaderValue, RegistryError> {
        let error = |kind| RegistryError::new(kind, repository, Some(digest));
        let challenge_error = |problem: &str| error(RegistryErrorKind::Challenge(problem.into()));
        let mut realm = Url::parse(&challenge.realm)
            .map_err(|_| challenge_error("the challenge's realm is not a URL"))?;
        if realm.host_str() != self.inner.url.host_str()
            || realm.port_or_known_default() != self.inner.url.port_or_known_default()
            || (realm.scheme() != self.inner.url.scheme())
        {
            return Err(challenge_error(
                "the challenge's realm is on another host than the registry, and the token is \
                 sent to the registry's own host only",
            ));
        }
        {
            let mut query = realm.query_pairs_mut();
            if let Some(service) = &challenge.service {
                query.append_pair("service", service);
            }
            // The scope asked for, whatever the challenge proposed: pull only.
            query.append_pair("scope", &format!("repository:{repository}:pull"));
        }
        let token = self.inner.token.clone();
        let response = self
            .send_with_retries(repository, Some(digest), || {
                let request = self
                    .inner
                    .http
                    .get(realm.clone())
                    .header(USER_AGENT, self.inner.user_agent.clone());
                match &token {
                    // Any user name will do; the token is the password.
                    Some(token) => request.basic_auth("ghpkg", Some(token.expose())),
                    None => request,
                }
            })
            .await?;
        match response.status() {
            StatusCode::OK => {}
            status => return Err(error(status_kind(status))),
        }
        let body = read_limited(response)
            .await
            .map_err(|problem| error(RegistryErrorKind::Transport(problem)))?;
        let token = serde_json::from_slice::<TokenAnswer>(&body)
            .ok()
            .and_then(TokenAnswer::into_token)
            .ok_or_else(|| challenge_error("the token endpoint's answer holds no token"))?;
        let mut value = HeaderValue::try_from(format!("Bearer {token}"))
            .map_err(|_| challenge_error("the registry token is not a valid header value"))?;
        value.set_sensitive(true);
        Ok(value)
    }

    /// Sends the request `build` makes, again after a 5xx, 429 or lost
    /// connection, up to the retry budget; other answers are returned.
    async fn send_with_retries(
        &self,
        repository: &str,
        digest: Option<&Digest>,
        build: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, RegistryError> {
        let mut attempt = 0;
        loop {
            self.inner.pacer.turn().await;
            let outcome = build().send().await;
            let retryable = match &outcome {
                Ok(response) => {
                    response.status().is_server_error()
                        || response.status() == StatusCode::TOO_MANY_REQUESTS
                }
                Err(error) => !error.is_builder(),
            };
            if !retryable || attempt >= self.inner.max_retries {
                return outcome.map_err(|error| {
                    RegistryError::new(
                        RegistryErrorKind::Transport(transport_problem(&error)),
                        repository,
                        digest,
                    )
                });
            }
            let wait = self.inner.backoff.saturating_mul(1 << attempt.min(5));
            tracing::debug!(
                repository,
                attempt,
                ?wait,
                "registry request failed; retrying"
            );
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }
}

fn status_kind(status: StatusCode) -> RegistryErrorKind {
    match status.as_u16() {
        401 => RegistryErrorKind::Unauthorized,
        403 => RegistryErrorKind::Forbidden,
        404 => RegistryErrorKind::NotFound,
        429 | 500..=599 => RegistryErrorKind::Unavailable(status.as_u16()),
        other => RegistryErrorKind::Status(other),
    }
}

/// What failed, without the URL (reqwest's `Display` includes it).
fn transport_problem(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "timed out".into()
    } else if error.is_connect() {
        "could not connect".into()
    } else if error.is_redirect() || error.status().is_some_and(|s| s.is_redirection()) {
        "redirected".into()
    } else {
        "connection lost".into()
    }
}

async fn read_limited(mut response: reqwest::Response) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|error| format!("body cut off: {}", transport_problem(&error)))?
    {
        if body.len() + chunk.len() > MAX_MANIFEST_BYTES {
            return Err(format!("body larger than {MAX_MANIFEST_BYTES} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_debug_hides_the_token() {
        let builder = RegistryClient::builder().token("ghp_hidden");
        assert!(!format!("{builder:?}").contains("ghp_hidden"));
    }
}
