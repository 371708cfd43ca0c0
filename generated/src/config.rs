//! Building a [`Client`]: token, base URL, `User-Agent`, timeouts, retries
//! and listing defaults, from code or from the environment.

use std::fmt;
use std::time::Duration;

use reqwest::Url;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};

use crate::Client;
use crate::auth::Token;
use crate::error::Error;
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
    per_page: u8,
    page_concurrency: usize,
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
            per_page: DEFAULT_PER_PAGE,
            page_concurrency: DEFAULT_PAGE_CONCURRENCY,
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("base_url", &self.base_url)
            .field("user_agent", &self.user_agent)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("retry", &self.retry)
            .field("per_page", &self.per_page)
            .field("page_concurrency", &self.page_concurrency)
            .finish()
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
    /// Enterprise Server `https://HOST/api/v3`.
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

    /// Builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let base_url = normalize_base_url(self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL))?;
        check_per_page(self.per_page)?;
        check_page_concurrency(self.page_concurrency)?;
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
        let runtime = Runtime::new(user_agent, self.retry, self.per_page, self.page_concurrency);
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
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
fn normalize_base_url(raw: &str) -> Result<String, Error> {
    let url = Url::parse(raw.trim()).map_err(|error| {
        Error::config(format!(
            "the base URL {raw:?} is not a URL ({error}); expected e.g. {DEFAULT_BASE_URL} or https://HOST/api/v3"
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(Error::config(format!(
            "the base URL {raw:?} must be an http or https URL with a host"
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        // Not echoed: it holds credentials.
        return Err(Error::config(
            "the base URL must not contain credentials; pass the token with `token()`",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::config(format!(
            "the base URL {raw:?} must not have a query or fragment"
        )));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

/// reqwest's `rustls-no-provider` needs a process-wide crypto provider.
/// Install `ring` unless the application installed one already.
#[cfg(feature = "rustls")]
pub(crate) fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing a race with another thread installing one is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

#[cfg(not(feature = "rustls"))]
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
        assert!(normalize_base_url("ftp://example.com").is_err());
        let error = normalize_base_url("https://user:secret@example.com").unwrap_err();
        assert!(!error.to_string().contains("secret"));
    }

    #[test]
    fn builder_debug_hides_the_token() {
        let builder = ClientBuilder::new().token("ghp_supersecret");
        assert!(!format!("{builder:?}").contains("supersecret"));
    }
}
