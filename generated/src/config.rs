//! Building a [`Client`]: token, base URL, `User-Agent`, timeouts, retries
//! and listing defaults, from code or from the environment.

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use reqwest::Url;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};

use crate::Client;
use crate::auth::Token;
use crate::error::Error;
use crate::pacing::RequestBudget;
use crate::retry::RetryPolicy;
use crate::runtime::{DEFAULT_PAGE_CONCURRENCY, DEFAULT_PER_PAGE, DEFAULT_USER_AGENT, Runtime};

/// GitHub.com's REST API. GitHub Enterprise Server's is `https://HOST/api/v3`.
pub const DEFAULT_BASE_URL: &str = "https://api.github.com";

/// Builds a [`Client`]; start with [`Client::builder`] or
/// [`ClientBuilder::from_env`].
///
/// ```
/// use std::time::Duration;
/// use github_packages::{Client, RetryPolicy};
///
/// let client = Client::builder()
///     .token("ghp_example")
///     .base_url("https://github.example.com/api/v3")
///     .user_agent("my-tool/1.0")
///     .timeout(Duration::from_secs(60))
///     .retry(RetryPolicy::default().max_retries(2))
///     .build()?;
/// # Ok::<(), github_packages::Error>(())
/// ```
#[derive(Clone)]
pub struct ClientBuilder {
    token: Option<Token>,
    base_url: Option<String>,
    user_agent: Option<String>,
    timeout: Duration,
    connect_timeout: Duration,
    retry: RetryPolicy,
    request_budget: RequestBudget,
    per_page: u8,
    page_concurrency: usize,
    #[cfg(any(feature = "rustls", feature = "rustls-aws-lc", feature = "native-tls"))]
    root_certificates: Vec<reqwest::Certificate>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            token: None,
            base_url: None,
            user_agent: None,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            request_budget: RequestBudget::default(),
            per_page: DEFAULT_PER_PAGE,
            page_concurrency: DEFAULT_PAGE_CONCURRENCY,
            #[cfg(any(feature = "rustls", feature = "rustls-aws-lc", feature = "native-tls"))]
            root_certificates: Vec::new(),
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("ClientBuilder");
        debug
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("base_url", &self.base_url.as_deref().map(redacted_url))
            .field("user_agent", &self.user_agent)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("retry", &self.retry)
            .field("request_budget", &self.request_budget)
            .field("per_page", &self.per_page)
            .field("page_concurrency", &self.page_concurrency);
        #[cfg(any(feature = "rustls", feature = "rustls-aws-lc", feature = "native-tls"))]
        debug.field("root_certificates", &self.root_certificates.len());
        debug.finish()
    }
}

impl ClientBuilder {
    /// A builder with no token, GitHub.com's base URL and the defaults.
    pub fn new() -> Self {
        ClientBuilder::default()
    }

    /// A builder filled from the environment: the token from `GITHUB_TOKEN`,
    /// else `GH_TOKEN`; the base URL from `GITHUB_API_URL` (as GitHub Actions
    /// sets it, GitHub Enterprise Server included). Empty values count as
    /// unset.
    pub fn from_env() -> Self {
        ClientBuilder::from_vars(|name| std::env::var(name).ok())
    }

    /// Like [`from_env`](Self::from_env), reading variables through `lookup`.
    pub fn from_vars(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let read = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let mut builder = ClientBuilder::new();
        if let Some(token) = read("GITHUB_TOKEN").or_else(|| read("GH_TOKEN")) {
            builder = builder.token(token);
        }
        if let Some(url) = read("GITHUB_API_URL") {
            builder = builder.base_url(url.trim());
        }
        builder
    }

    /// The token, sent as `Authorization: Bearer …`. Reading needs the
    /// `read:packages` scope, deleting `delete:packages`, restoring
    /// `write:packages`.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(Token::new(token.into()));
        self
    }

    /// Whether a token is set.
    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    /// The REST API's base URL (default [`DEFAULT_BASE_URL`]); for GitHub
    /// Enterprise Server `https://HOST/api/v3`. It must be `https`, except
    /// for a loopback host (`http://127.0.0.1:PORT`, e.g. a test server),
    /// and must not hold credentials, a query or a fragment; [`build`]
    /// refuses it otherwise, without repeating it.
    ///
    /// [`build`]: Self::build
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The `User-Agent` (default `github-packages/<version>`). GitHub asks
    /// for one that names the application.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Time limit for one attempt of a request, body included (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Time limit for opening a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How requests are retried (default [`RetryPolicy::default`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// How requests are paced to stay under GitHub's secondary rate limits
    /// and to spread the hourly quota (default [`RequestBudget::default`],
    /// GitHub's published limits; [`RequestBudget::off`] for none). One
    /// budget covers every request of the client and of its clones.
    ///
    /// ```
    /// use std::time::Duration;
    /// use github_packages::{Client, RequestBudget};
    ///
    /// // At most one deletion a second, as GitHub asks of large batches.
    /// let client = Client::builder()
    ///     .token("ghp_example")
    ///     .request_budget(RequestBudget::default().min_write_interval(Duration::from_secs(1)))
    ///     .build()?;
    /// # Ok::<(), github_packages::Error>(())
    /// ```
    pub fn request_budget(mut self, budget: RequestBudget) -> Self {
        self.request_budget = budget;
        self
    }

    /// Items per page of a listing, 1 to 100 (default 100).
    pub fn per_page(mut self, per_page: u8) -> Self {
        self.per_page = per_page;
        self
    }

    /// Pages a listing fetches at once once it knows the last page (default
    /// 4; 1 follows `Link: rel="next"` one page at a time).
    pub fn page_concurrency(mut self, pages: usize) -> Self {
        self.page_concurrency = pages;
        self
    }

    /// Trusts `certificate` as a root, besides the platform's roots: for a
    /// GitHub Enterprise Server whose certificate comes from a private
    /// certificate authority. May be called more than once. (Needs one of
    /// the TLS features, as does `Certificate`. With rustls, where the
    /// platform verifier cannot take extra roots, as on Android,
    /// [`build`](Self::build) fails with an error saying so.)
    ///
    /// ```no_run
    /// use github_packages::{Certificate, Client};
    ///
    /// let pem = std::fs::read("/etc/ssl/private-ca.pem")?;
    /// let client = Client::builder()
    ///     .base_url("https://github.example.com/api/v3")
    ///     .add_root_certificate(Certificate::from_pem(&pem)?)
    ///     .build()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(any(feature = "rustls", feature = "rustls-aws-lc", feature = "native-tls"))]
    pub fn add_root_certificate(mut self, certificate: reqwest::Certificate) -> Self {
        self.root_certificates.push(certificate);
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let base_url = normalize_base_url(self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL))?;
        check_per_page(self.per_page)?;
        check_page_concurrency(self.page_concurrency)?;
        self.request_budget.check()?;
        let user_agent = match &self.user_agent {
            Some(agent) => HeaderValue::try_from(agent.as_str()).map_err(|_| {
                Error::config(format!(
                    "the User-Agent {agent:?} is not a valid header value"
                ))
            })?,
            None => HeaderValue::from_static(DEFAULT_USER_AGENT),
        };
        let mut headers = HeaderMap::new();
        if let Some(token) = &self.token {
            headers.insert(AUTHORIZATION, token.authorization()?);
        }
        // Before reqwest builds its TLS configuration.
        let runtime = Runtime::new(
            user_agent,
            self.retry,
            self.per_page,
            self.page_concurrency,
            self.request_budget,
        );
        let http = reqwest::Client::builder();
        #[cfg(any(feature = "rustls", feature = "rustls-aws-lc", feature = "native-tls"))]
        let http = http.tls_certs_merge(self.root_certificates);
        let http = http
            .default_headers(headers)
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            // HTTP/1.1 even when another crate in the build turns on
            // reqwest's `http2`: then reqwest's own retry policy, which only
            // ever retries HTTP/2 refusals, has nothing to do, and it is
            // turned off (it copies every request up front in case).
            // Retrying is the runtime's job (see `retry`).
            .http1_only()
            .retry(reqwest::retry::never().max_retries_per_request(0))
            .build()
            .map_err(|error| {
                Error::config(format!("the HTTP client could not be built: {error}"))
            })?;
        Ok(Client::new_with_client(&base_url, http, runtime))
    }
}

pub(crate) fn check_per_page(per_page: u8) -> Result<(), Error> {
    if (1..=100).contains(&per_page) {
        Ok(())
    } else {
        Err(Error::invalid_parameter(
            "per_page",
            &per_page.to_string(),
            "must be between 1 and 100",
        ))
    }
}

pub(crate) fn check_page_concurrency(pages: usize) -> Result<(), Error> {
    if pages == 0 {
        Err(Error::invalid_parameter(
            "page_concurrency",
            "0",
            "must be at least 1",
        ))
    } else {
        Ok(())
    }
}

/// Checks the base URL and drops a trailing `/`: the generated operations
/// append `/orgs/…` to it.
///
/// The URL is never echoed in an error (it may hold a token, in its user
/// information or its query): at most its scheme and host are. Plain `http`
/// is accepted only for a loopback host (`127.0.0.0/8`, `::1`,
/// `localhost`), where the token does not cross a network.
fn normalize_base_url(raw: &str) -> Result<String, Error> {
    let url = Url::parse(raw.trim()).map_err(|error| {
        // `url`'s parse errors name the problem, never the input.
        Error::config(format!(
            "the base URL is not a valid URL ({error}); expected e.g. {DEFAULT_BASE_URL} or \
             https://HOST/api/v3"
        ))
    })?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::config(
            "the base URL must not contain credentials; pass the token with `token()`",
        ));
    }
    let Some(host) = url.host_str() else {
        return Err(Error::config(format!(
            "the base URL must be an http or https URL with a host (it is a `{}:` URL \
             without one)",
            url.scheme()
        )));
    };
    let shown = format!("{}://{host}", url.scheme());
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(host) => {}
        "http" => {
            return Err(Error::config(format!(
                "the base URL ({shown}…) must use https: plain http is accepted only for \
                 127.0.0.1, ::1 or localhost"
            )));
        }
        _ => {
            return Err(Error::config(format!(
                "the base URL ({shown}…) must be an http or https URL (http only for \
                 127.0.0.1, ::1 or localhost)"
            )));
        }
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::config(format!(
            "the base URL ({shown}…) must not have a query or fragment"
        )));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

/// `127.0.0.0/8`, `::1` or `localhost`, as a URL's host.
fn is_loopback(host: &str) -> bool {
    let bare = host
        .strip_prefix('[')
        .and_then(|host| host.strip_suffix(']'))
        .unwrap_or(host);
    match bare.parse::<IpAddr>() {
        Ok(address) => address.is_loopback(),
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    }
}

/// The base URL as `Debug` may show it: scheme, host, port and path, without
/// user information, query or fragment, which may hold a token.
fn redacted_url(raw: &str) -> String {
    let Ok(url) = Url::parse(raw.trim()) else {
        return "<not a URL; redacted>".to_string();
    };
    let Some(host) = url.host_str() else {
        return format!("{}:<redacted>", url.scheme());
    };
    let port = url
        .port()
        .map(|port| format!(":{port}"))
        .unwrap_or_default();
    let mut shown = format!("{}://{host}{port}{}", url.scheme(), url.path());
    if !url.username().is_empty()
        || url.password().is_some()
        || url.query().is_some()
        || url.fragment().is_some()
    {
        shown.push_str(" (user information, query or fragment redacted)");
    }
    shown
}

/// reqwest's `rustls-no-provider` needs a process-wide crypto provider.
/// Install `ring` unless the application installed one already. With
/// `rustls-aws-lc` also enabled, reqwest falls back on aws-lc-rs by itself,
/// so nothing is installed.
#[cfg(all(feature = "rustls", not(feature = "rustls-aws-lc")))]
pub(crate) fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing a race with another thread installing one is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

#[cfg(not(all(feature = "rustls", not(feature = "rustls-aws-lc"))))]
pub(crate) fn install_crypto_provider() {}

impl Client {
    /// A [`ClientBuilder`] with the defaults.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client configured from the environment (see
    /// [`ClientBuilder::from_env`]); an error if no token is set.
    pub fn from_env() -> Result<Client, Error> {
        let builder = ClientBuilder::from_env();
        if !builder.has_token() {
            return Err(Error::config(
                "no token found: set GITHUB_TOKEN (or GH_TOKEN) to a token with the `read:packages` scope",
            ));
        }
        builder.build()
    }

    /// The base URL requests go to, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.baseurl
    }

    /// The last rate-limit state GitHub reported, if any response had one.
    pub fn rate_limit(&self) -> Option<crate::RateLimit> {
        self.inner.rate_limit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        assert_eq!(
            normalize_base_url("https://api.github.com/").unwrap(),
            "https://api.github.com"
        );
        assert_eq!(
            normalize_base_url("https://ghe.example.com/api/v3/").unwrap(),
            "https://ghe.example.com/api/v3"
        );
        for loopback in [
            "http://127.0.0.1:8080",
            "http://127.1.2.3",
            "http://[::1]:8080/api/v3",
            "http://localhost:3000",
            "http://LOCALHOST",
        ] {
            normalize_base_url(loopback).unwrap();
        }
        for refused in [
            "ftp://example.com",
            "http://example.com",
            "http://127.0.0.1.example.com",
            "http://[::2]",
            "http://10.0.0.1",
            "file:///etc/passwd",
            "mailto:someone@example.com",
        ] {
            assert!(normalize_base_url(refused).is_err(), "{refused}");
        }
    }

    #[test]
    fn base_url_errors_never_echo_secrets() {
        for (url, secret) in [
            ("https://user:secret@example.com", "secret"),
            ("https://u:ghp_x1@host:99999", "ghp_x1"),
            ("https://ghp_x2@host:99999", "ghp_x2"),
            ("ftp://u:ghp_x3@host", "ghp_x3"),
            ("http://u:ghp_x4@example.com", "ghp_x4"),
            ("https://example.com/?access_token=ghp_x5", "ghp_x5"),
            ("https://example.com/#ghp_x6", "ghp_x6"),
            ("http://example.com/?access_token=ghp_x7", "ghp_x7"),
            ("ftp://example.com/?access_token=ghp_x8", "ghp_x8"),
            ("https://[ghp_x9", "ghp_x9"),
            ("not a url ghp_x10", "ghp_x10"),
            ("data:ghp_x11", "ghp_x11"),
        ] {
            let error = normalize_base_url(url).unwrap_err();
            let text = error.to_string();
            assert!(text.contains("base URL"), "{url}: {text}");
            assert!(!text.contains(secret), "{url}: {text}");
            assert!(!format!("{error:?}").contains(secret), "{url}: {error:?}");
            let builder = ClientBuilder::new().base_url(url);
            assert!(!format!("{builder:?}").contains(secret), "{builder:?}");
        }
        // Credentials are named as the problem even where the scheme or the
        // query is wrong too.
        let error = normalize_base_url("http://u:ghp_x@example.com/?q=1").unwrap_err();
        assert!(error.to_string().contains("credentials"), "{error}");
        let error = normalize_base_url("https://example.com/?access_token=x").unwrap_err();
        assert!(error.to_string().contains("https://example.com"), "{error}");
    }

    #[test]
    fn builder_debug_hides_the_token() {
        let builder = ClientBuilder::new().token("ghp_supersecret");
        assert!(!format!("{builder:?}").contains("supersecret"));
    }
}
