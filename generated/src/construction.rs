//! Building a [`Client`]: token, base URL, `User-Agent`, timeouts, retries
//! and listing defaults, from code or from the environment. (The base-URL
//! rules are in `base_url`, the token in `auth`, the TLS provider in `tls`.)

use std::fmt;
use std::path::Path;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};

use crate::Client;
use crate::auth::{TOKEN_VARS, Token, TokenSource};
use crate::base_url::{BASE_URL_VAR, BaseUrlError, DEFAULT_BASE_URL, check_base_url, redacted_url};
use crate::error::Error;
use crate::hooks::{
    API_VERSION, DEFAULT_PAGE_CONCURRENCY, DEFAULT_PER_PAGE, DEFAULT_USER_AGENT, Runtime,
};
use crate::pacing::RequestBudget;
use crate::retry::RetryPolicy;

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
    token: Option<(Token, TokenSource)>,
    base_url: Option<String>,
    user_agent: Option<String>,
    api_version: Option<String>,
    timeout: Duration,
    connect_timeout: Duration,
    retry: RetryPolicy,
    request_budget: RequestBudget,
    per_page: u8,
    page_concurrency: usize,
    #[cfg(any(feature = "rustls", feature = "rustls-aws-lc", feature = "native-tls"))]
    root_certificates: Vec<reqwest::Certificate>,
}

/// The settings of a [`ClientBuilder`] that a client for another service of
/// the same GitHub shares with it, from
/// [`ClientBuilder::connection_settings`]. Its `Debug` output hides the
/// token and the base URL's credentials and path.
#[derive(Clone, Copy)]
#[non_exhaustive]
pub struct ConnectionSettings<'a> {
    /// The token, if one is set.
    pub token: Option<&'a Token>,
    /// The `User-Agent` set with [`ClientBuilder::user_agent`]; `None` means
    /// [`DEFAULT_USER_AGENT`](crate::hooks::DEFAULT_USER_AGENT).
    pub user_agent: Option<&'a str>,
    /// The timeout of a whole request.
    pub timeout: Duration,
    /// The REST API's base URL as given (default [`DEFAULT_BASE_URL`]), not
    /// yet checked.
    pub base_url: &'a str,
    /// The extra root certificates ([`ClientBuilder::add_root_certificate`]).
    #[cfg(any(feature = "rustls", feature = "rustls-aws-lc", feature = "native-tls"))]
    pub root_certificates: &'a [reqwest::Certificate],
}

impl fmt::Debug for ConnectionSettings<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("ConnectionSettings");
        debug
            .field("token", &self.token.map(|_| "<redacted>"))
            .field("user_agent", &self.user_agent)
            .field("timeout", &self.timeout)
            .field("base_url", &redacted_url(self.base_url));
        #[cfg(any(feature = "rustls", feature = "rustls-aws-lc", feature = "native-tls"))]
        debug.field("root_certificates", &self.root_certificates.len());
        debug.finish()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            token: None,
            base_url: None,
            user_agent: None,
            api_version: None,
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
            .field("api_version", &self.api_version)
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
    ///
    /// ```
    /// use github_packages::{ClientBuilder, TokenSource};
    ///
    /// let vars = |name: &str| (name == "GH_TOKEN").then(|| "ghp_example".to_string());
    /// let builder = ClientBuilder::from_vars(vars);
    /// assert_eq!(builder.token_source(), Some(&TokenSource::Env("GH_TOKEN")));
    /// ```
    pub fn from_vars(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let read = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let mut builder = ClientBuilder::new();
        if let Some((name, token)) = TOKEN_VARS
            .iter()
            .find_map(|name| read(name).map(|token| (*name, token)))
        {
            builder.token = Some((Token::new(token), TokenSource::Env(name)));
        }
        if let Some(url) = read(BASE_URL_VAR) {
            builder = builder.base_url(url.trim());
        }
        builder
    }

    /// The token, sent as `Authorization: Bearer …`. Reading needs the
    /// `read:packages` scope, deleting `delete:packages`, restoring
    /// `write:packages`.
    pub fn token(mut self, token: impl Into<Token>) -> Self {
        self.token = Some((token.into(), TokenSource::Code));
        self
    }

    /// The token read from a file that holds only the token (see
    /// [`Token::from_file`]); replaces a token from the environment.
    pub fn token_file(mut self, path: &Path) -> Result<Self, Error> {
        let token = Token::from_file(path)?;
        self.token = Some((token, TokenSource::File(path.to_path_buf())));
        Ok(self)
    }

    /// Whether a token is set.
    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    /// Where the token came from, if one is set.
    pub fn token_source(&self) -> Option<&TokenSource> {
        self.token.as_ref().map(|(_, source)| source)
    }

    /// The base URL [`build`](Self::build) would use, checked by
    /// [`check_base_url`](crate::check_base_url), for callers that want to
    /// name where a refused URL came from.
    pub fn check_base_url(&self) -> Result<String, BaseUrlError> {
        check_base_url(self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL))
    }

    /// The REST API's base URL (default [`DEFAULT_BASE_URL`]); for GitHub
    /// Enterprise Server `https://HOST/api/v3`. [`build`] refuses it,
    /// without repeating it, unless it passes [`check_base_url`](crate::check_base_url).
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

    /// The REST API version to ask for, sent as `X-GitHub-Api-Version`
    /// (default [`API_VERSION`](crate::hooks::API_VERSION), `2022-11-28`, the
    /// version the types were written for). The types also decode the
    /// packages responses of `2026-03-10`, which leaves out the embedded
    /// repository's `has_downloads` (so `MinimalRepository::has_downloads`
    /// is `None`). [`build`](Self::build) refuses a value that is not a date
    /// like `2026-03-10`; GitHub answers a version it does not know with 400.
    ///
    /// ```
    /// use github_packages::Client;
    ///
    /// let client = Client::builder()
    ///     .token("ghp_example")
    ///     .api_version("2026-03-10")
    ///     .build()?;
    /// # Ok::<(), github_packages::Error>(())
    /// ```
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.api_version = Some(version.into());
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
    /// 16; 1 follows `Link: rel="next"` one page at a time).
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

    /// What a client for another service of the same GitHub, such as its
    /// container registry (`github-packages-oci`), takes over from this
    /// builder: the token, `User-Agent`, timeout, base URL and root
    /// certificates.
    ///
    /// ```
    /// let builder = github_packages::Client::builder()
    ///     .token("ghp_example")
    ///     .user_agent("my-tool/1.0");
    /// let settings = builder.connection_settings();
    /// assert_eq!(settings.user_agent, Some("my-tool/1.0"));
    /// assert_eq!(settings.base_url, github_packages::DEFAULT_BASE_URL);
    /// ```
    pub fn connection_settings(&self) -> ConnectionSettings<'_> {
        ConnectionSettings {
            token: self.token.as_ref().map(|(token, _)| token),
            user_agent: self.user_agent.as_deref(),
            timeout: self.timeout,
            base_url: self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL),
            #[cfg(any(feature = "rustls", feature = "rustls-aws-lc", feature = "native-tls"))]
            root_certificates: &self.root_certificates,
        }
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let base_url = self.check_base_url().map_err(|error| {
            let hint = match error {
                BaseUrlError::Credentials => "; pass the token with `token()`",
                _ => "",
            };
            Error::config(format!("the base URL {error}{hint}"))
        })?;
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
        let api_version = match &self.api_version {
            Some(version) => check_api_version(version)?,
            None => HeaderValue::from_static(API_VERSION),
        };
        let mut headers = HeaderMap::new();
        if let Some((token, _)) = &self.token {
            headers.insert(AUTHORIZATION, token.authorization()?);
        }
        // Before reqwest builds its TLS configuration.
        let runtime = Runtime::new(
            user_agent,
            api_version,
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

/// GitHub names its REST API versions by date, `YYYY-MM-DD`.
fn check_api_version(version: &str) -> Result<HeaderValue, Error> {
    let bytes = version.as_bytes();
    let is_date = bytes.len() == 10
        && bytes.iter().enumerate().all(|(index, byte)| match index {
            4 | 7 => *byte == b'-',
            _ => byte.is_ascii_digit(),
        });
    if !is_date {
        return Err(Error::config(format!(
            "the API version {version:?} is not a date like {API_VERSION}"
        )));
    }
    Ok(HeaderValue::try_from(version).expect("digits and dashes make a header value"))
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
    fn builder_debug_hides_the_token() {
        let builder = ClientBuilder::new().token("ghp_supersecret");
        assert!(!format!("{builder:?}").contains("supersecret"));
    }

    #[test]
    fn the_api_version_must_be_a_date() {
        assert_eq!(check_api_version("2026-03-10").unwrap(), "2026-03-10");
        for refused in [
            "",
            "2026-3-10",
            "2026/03/10",
            "latest",
            "2026-03-10\n",
            "２026-03-10",
        ] {
            let error = check_api_version(refused).expect_err(refused);
            assert!(
                error.to_string().contains("is not a date like 2022-11-28"),
                "{refused:?}: {error}"
            );
        }
        let error = ClientBuilder::new().api_version("v3").build().unwrap_err();
        assert!(error.to_string().contains("API version \"v3\""), "{error}");
    }

    #[test]
    fn builder_debug_hides_what_a_base_url_may_hold() {
        for (url, secret) in [
            ("https://user:secret@example.com", "secret"),
            ("https://u:ghp_x1@host:99999", "ghp_x1"),
            ("https://example.com/?access_token=ghp_x5", "ghp_x5"),
            ("https://example.com/#ghp_x6", "ghp_x6"),
            ("not a url ghp_x10", "ghp_x10"),
        ] {
            let builder = ClientBuilder::new().base_url(url);
            assert!(!format!("{builder:?}").contains(secret), "{builder:?}");
            let error = builder.build().unwrap_err();
            assert!(error.to_string().contains("base URL"), "{url}: {error}");
            assert!(!error.to_string().contains(secret), "{url}: {error}");
            assert!(!format!("{error:?}").contains(secret), "{url}: {error:?}");
        }
    }

    #[test]
    fn the_environment_gives_token_and_base_url_with_their_sources() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| value.to_string())
            }
        };
        let builder = ClientBuilder::from_vars(vars(&[("GITHUB_TOKEN", "a"), ("GH_TOKEN", "b")]));
        assert_eq!(
            builder.token_source(),
            Some(&TokenSource::Env("GITHUB_TOKEN"))
        );
        let builder = ClientBuilder::from_vars(vars(&[("GITHUB_TOKEN", " "), ("GH_TOKEN", "b")]));
        assert_eq!(builder.token_source(), Some(&TokenSource::Env("GH_TOKEN")));
        let builder =
            ClientBuilder::from_vars(vars(&[("GITHUB_API_URL", " https://ghe.example/api/v3/ ")]));
        assert!(!builder.has_token());
        assert_eq!(
            builder.check_base_url().unwrap(),
            "https://ghe.example/api/v3"
        );
        assert_eq!(
            ClientBuilder::new().check_base_url().unwrap(),
            DEFAULT_BASE_URL
        );
    }
}
