//! The one error type users of this crate handle.
//!
//! It says what went wrong in words a person can act on (which parameter,
//! which scope may be missing, when the rate limit resets), and carries the
//! details programs need: [`Error::status`], GitHub's [`Error::message`]
//! and [`Error::documentation_url`], [`Error::rate_limit`],
//! [`Error::retry_after`]. It never holds the token.

use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::call::{Call, Failure};
use crate::generated::types::BasicError;
use crate::rate_limit::{self, RateLimit};
use crate::scopes::{PackageAccess, grants};

/// The error of the generated operations (progenitor's), for those who call
/// the generated builders directly. Converts into [`Error`] with `?`.
pub type GeneratedError = progenitor_client::Error<BasicError>;

/// What kind of failure an [`Error`] is.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A parameter was refused before any request was sent.
    InvalidParameter {
        /// The parameter's name, e.g. `package_name`.
        parameter: &'static str,
        /// The refused value.
        value: String,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// The owner and operation or option do not go together in GitHub's API
    /// (e.g. filtering a user's package versions by state). Nothing was sent.
    Unsupported {
        /// What was asked for.
        what: String,
    },
    /// The client could not be built (base URL, token, TLS, environment).
    Config {
        /// What is wrong.
        problem: String,
    },
    /// The request could not be built.
    InvalidRequest {
        /// What is wrong.
        problem: String,
    },
    /// GitHub answered with an error status; see [`Error::status`],
    /// [`Error::message`] and the other accessors.
    Response,
    /// GitHub refuses to list beyond 10,000 results (`page * per_page`) in
    /// the package lists. When the `Link` header shows that a listing goes
    /// on past that, the listing ends with this error without requesting
    /// the page ([`Error::status`] is `None`); if GitHub refuses a page with
    /// a 400 for that reason, that is this error too.
    PaginationLimit {
        /// The first page past the limit.
        page: u64,
        /// The page size used.
        per_page: u64,
    },
    /// A `DELETE` or `POST` failed in a way that does not say whether GitHub
    /// carried it out (a timeout, a lost connection, a 5xx). It was not
    /// retried; check the current state before trying again.
    OutcomeUnknown {
        /// The HTTP method, `DELETE` or `POST`.
        method: &'static str,
    },
    /// The request could not be sent or its response not received
    /// (connection refused or reset, timeout, TLS).
    Transport,
    /// GitHub's answer could not be decoded.
    Decode,
    /// GitHub's `Link` header pointed to another host; it was not followed,
    /// so the token was not sent there.
    ForeignLink {
        /// The refused URL.
        url: String,
    },
    /// GitHub's `Link` header pointed somewhere a listing cannot go on to,
    /// e.g. a `rel="next"` back to the same or an earlier page, which would
    /// list items again or loop forever. The listing ends there.
    InvalidLink {
        /// The refused URL.
        url: String,
        /// What is wrong with it.
        problem: &'static str,
    },
}

/// A refusal GitHub gives in words only (the status alone does not tell
/// them apart), recognised by [`Error::refusal`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// GitHub does not delete the last (tagged) version of a package: the
    /// package has to be deleted instead.
    LastVersion,
    /// GitHub does not delete a public package or version downloaded more
    /// than 5,000 times; only GitHub Support can.
    PopularPublicVersion,
}

/// An error from this crate; see [`ErrorKind`] and the accessors.
pub struct Error(Box<Inner>);

#[derive(Debug)]
struct Inner {
    kind: ErrorKind,
    operation: Option<&'static str>,
    response: Option<ResponseDetails>,
    source: Option<Box<dyn StdError + Send + Sync + 'static>>,
}

/// What an error response said.
#[derive(Clone, Debug)]
struct ResponseDetails {
    status: StatusCode,
    message: Option<String>,
    documentation_url: Option<String>,
    request_id: Option<String>,
    accepted_scopes: Option<Vec<String>>,
    token_scopes: Option<Vec<String>>,
    rate_limit: Option<RateLimit>,
    retry_after: Option<Duration>,
    rate_limited: bool,
}

impl ResponseDetails {
    fn new(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Self {
        let (message, documentation_url) = match serde_json::from_slice::<BasicError>(body) {
            Ok(error) => (error.message, error.documentation_url),
            Err(_) => (plain_text_message(body), None),
        };
        let scopes = |name: &str| {
            let value = headers.get(name)?.to_str().ok()?;
            Some(
                value
                    .split(',')
                    .map(str::trim)
                    .filter(|scope| !scope.is_empty())
                    .map(str::to_string)
                    .collect(),
            )
        };
        ResponseDetails {
            status,
            message,
            documentation_url,
            request_id: headers
                .get("x-github-request-id")
                .and_then(|value| value.to_str().ok())
                .map(str::to_string),
            accepted_scopes: scopes("x-accepted-oauth-scopes"),
            token_scopes: scopes("x-oauth-scopes"),
            rate_limit: RateLimit::from_headers(headers),
            retry_after: rate_limit::retry_after(headers),
            rate_limited: rate_limit::throttle(status, headers, body).is_some(),
        }
    }
}

/// The start of a non-JSON error body (a proxy's HTML page, say), kept short.
fn plain_text_message(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let line = text.lines().map(str::trim).find(|line| !line.is_empty())?;
    let mut message: String = line.chars().take(200).collect();
    if message.len() < line.len() {
        message.push('…');
    }
    Some(message)
}

impl Error {
    fn new(kind: ErrorKind) -> Self {
        Error(Box::new(Inner {
            kind,
            operation: None,
            response: None,
            source: None,
        }))
    }

    fn with_source(mut self, source: impl StdError + Send + Sync + 'static) -> Self {
        self.0.source = Some(Box::new(source));
        self
    }

    pub(crate) fn invalid_parameter(
        parameter: &'static str,
        value: &str,
        problem: &'static str,
    ) -> Self {
        Error::new(ErrorKind::InvalidParameter {
            parameter,
            value: value.to_string(),
            problem,
        })
    }

    pub(crate) fn unsupported(what: impl Into<String>) -> Self {
        Error::new(ErrorKind::Unsupported { what: what.into() })
    }

    pub(crate) fn config(problem: impl Into<String>) -> Self {
        Error::new(ErrorKind::Config {
            problem: problem.into(),
        })
    }

    pub(crate) fn foreign_link(url: &str) -> Self {
        Error::new(ErrorKind::ForeignLink {
            url: url.to_string(),
        })
    }

    pub(crate) fn invalid_link(url: &str, problem: &'static str) -> Self {
        Error::new(ErrorKind::InvalidLink {
            url: url.to_string(),
            problem,
        })
    }

    /// A listing reached GitHub's 10,000-result limit: page `page` was not
    /// requested.
    pub(crate) fn pagination_limit(call: Call, page: u64, per_page: u64) -> Self {
        Error::new(ErrorKind::PaginationLimit { page, per_page }).during(call.operation)
    }

    pub(crate) fn transport(call: Call, source: reqwest::Error) -> Self {
        let kind = match call.mutating {
            // A connection that could not be opened, or a request that could
            // not be built, carried nothing.
            Some(method) if !source.is_connect() && !source.is_builder() => {
                ErrorKind::OutcomeUnknown { method }
            }
            _ => ErrorKind::Transport,
        };
        Error::new(kind).with_source(source).during(call.operation)
    }

    pub(crate) fn decode(call: Call, source: serde_json::Error) -> Self {
        Error::new(ErrorKind::Decode)
            .with_source(source)
            .during(call.operation)
    }

    /// An error status, with the response's headers and body.
    pub(crate) fn response(
        call: Call,
        status: StatusCode,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Self {
        let kind = match (call.mutating, call.page) {
            (Some(method), _) if status.is_server_error() => ErrorKind::OutcomeUnknown { method },
            (_, Some((page, per_page)))
                if status == StatusCode::BAD_REQUEST
                    && page.saturating_mul(per_page) > crate::pagination::GITHUB_RESULT_LIMIT =>
            {
                ErrorKind::PaginationLimit { page, per_page }
            }
            _ => ErrorKind::Response,
        };
        let mut error = Error::new(kind).during(call.operation);
        error.0.response = Some(ResponseDetails::new(status, headers, body));
        error
    }

    /// Converts a generated operation's error, reading the body of an
    /// undocumented response so its message is not lost.
    pub(crate) async fn from_generated(call: Call, error: GeneratedError) -> Self {
        Error::from_failure(call, Failure::from(error)).await
    }

    /// Converts the error of a generated operation sent through `call::send`.
    pub(crate) async fn from_failure(call: Call, failure: Failure) -> Self {
        match (failure.error, failure.answer) {
            (progenitor_client::Error::UnexpectedResponse(response), _) => {
                let status = response.status();
                let headers = response.headers().clone();
                let body = response.bytes().await.unwrap_or_default();
                Error::response(call, status, &headers, &body)
            }
            // A documented error status whose body is not GitHub's JSON (a
            // proxy's HTML page, a body cut off): progenitor keeps only the
            // body, the status and headers come from the answer.
            (progenitor_client::Error::InvalidResponsePayload(body, _), Some(answer)) => {
                Error::response(call, answer.status, &answer.headers, &body)
            }
            (other, _) => Error::from_generated_sync(call, other),
        }
    }

    fn from_generated_sync(call: Call, error: GeneratedError) -> Self {
        use progenitor_client::Error as G;
        match error {
            G::InvalidRequest(problem) | G::Custom(problem) => {
                Error::new(ErrorKind::InvalidRequest { problem }).during(call.operation)
            }
            G::CommunicationError(source)
            | G::InvalidUpgrade(source)
            | G::ResponseBodyError(source) => Error::transport(call, source),
            G::ErrorResponse(value) => {
                let status = value.status();
                let headers = value.headers().clone();
                let body = serde_json::to_vec(&value.into_inner()).unwrap_or_default();
                Error::response(call, status, &headers, &body)
            }
            G::InvalidResponsePayload(_, source) => Error::decode(call, source),
            G::UnexpectedResponse(response) => {
                Error::response(call, response.status(), response.headers(), b"")
            }
        }
    }

    pub(crate) fn during(mut self, operation: &'static str) -> Self {
        self.0.operation = Some(operation);
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> &ErrorKind {
        &self.0.kind
    }

    /// The operation (OpenAPI operation id) that failed, when known.
    pub fn operation(&self) -> Option<&'static str> {
        self.0.operation
    }

    /// The HTTP status GitHub answered with, if it answered.
    pub fn status(&self) -> Option<StatusCode> {
        self.0.response.as_ref().map(|response| response.status)
    }

    /// GitHub's `message`, if the response had one.
    pub fn message(&self) -> Option<&str> {
        self.0.response.as_ref()?.message.as_deref()
    }

    /// GitHub's `documentation_url`, if the response had one.
    pub fn documentation_url(&self) -> Option<&str> {
        self.0.response.as_ref()?.documentation_url.as_deref()
    }

    /// GitHub's `x-github-request-id`, useful when contacting support.
    pub fn request_id(&self) -> Option<&str> {
        self.0.response.as_ref()?.request_id.as_deref()
    }

    /// `true` for a 404: the resource does not exist or the token cannot see it.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// `true` when GitHub refused the request for rate reasons (primary or
    /// secondary limit) and retrying, if enabled, did not get through.
    pub fn is_rate_limited(&self) -> bool {
        self.0
            .response
            .as_ref()
            .is_some_and(|response| response.rate_limited)
    }

    /// The rate-limit state the error response reported.
    pub fn rate_limit(&self) -> Option<&RateLimit> {
        self.0.response.as_ref()?.rate_limit.as_ref()
    }

    /// How long GitHub asked to wait (`retry-after`).
    pub fn retry_after(&self) -> Option<Duration> {
        self.0.response.as_ref()?.retry_after
    }

    /// The scopes the endpoint accepts (`x-accepted-oauth-scopes`), when sent.
    pub fn accepted_scopes(&self) -> Option<&[String]> {
        self.0.response.as_ref()?.accepted_scopes.as_deref()
    }

    /// The scopes the token has (`x-oauth-scopes`), when sent.
    pub fn token_scopes(&self) -> Option<&[String]> {
        self.0.response.as_ref()?.token_scopes.as_deref()
    }

    /// Accepted scopes the token does not have, counting the scopes a held
    /// scope implies (`write:packages` implies `read:packages`;
    /// `delete:packages` implies nothing). Empty if either header is absent
    /// or empty (a fine-grained token or an app's token has no scopes).
    pub fn missing_scopes(&self) -> Vec<&str> {
        match (self.accepted_scopes(), self.token_scopes()) {
            (Some(accepted), Some(held)) if !accepted.is_empty() && !held.is_empty() => accepted
                .iter()
                .filter(|scope| !grants(held, scope))
                .map(String::as_str)
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Which of the refusals GitHub states only in words this is, if any.
    /// A message counts only with a status GitHub uses for refusals (400,
    /// 403, 409, 422), and only in the words GitHub uses.
    pub fn refusal(&self) -> Option<Refusal> {
        let response = self.0.response.as_ref()?;
        if !matches!(response.status.as_u16(), 400 | 403 | 409 | 422) {
            return None;
        }
        let message = response.message.as_deref()?.to_ascii_lowercase();
        if message.contains("delete the last version")
            || message.contains("delete the last tagged version")
            || message.contains("delete the package instead")
        {
            Some(Refusal::LastVersion)
        } else if message.contains("download")
            && (message.contains("5000") || message.contains("5,000"))
        {
            Some(Refusal::PopularPublicVersion)
        } else {
            None
        }
    }

    /// `true` when a `DELETE` or `POST` may or may not have been carried out.
    pub fn is_outcome_unknown(&self) -> bool {
        matches!(self.0.kind, ErrorKind::OutcomeUnknown { .. })
    }

    /// `true` when the request timed out.
    pub fn is_timeout(&self) -> bool {
        self.0
            .source
            .as_deref()
            .and_then(|source| source.downcast_ref::<reqwest::Error>())
            .is_some_and(reqwest::Error::is_timeout)
    }

    fn fmt_response(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(response) = &self.0.response else {
            return Ok(());
        };
        write!(f, "GitHub answered {}", response.status)?;
        if let Some(message) = &response.message {
            write!(f, ": {message}")?;
        }
        let status = response.status;
        if response.rate_limited {
            f.write_str("; rate limit exceeded")?;
            if let Some(wait) = response.retry_after {
                write!(f, ", GitHub asks to retry after {} s", wait.as_secs())?;
            } else if let Some(limit) = response
                .rate_limit
                .as_ref()
                .filter(|limit| limit.remaining == 0)
            {
                write!(
                    f,
                    " ({} of {} requests used{}), resets at {} (in {} s)",
                    limit.limit,
                    limit.limit,
                    limit
                        .resource
                        .as_deref()
                        .map(|resource| format!(" for `{resource}`"))
                        .unwrap_or_default(),
                    limit.reset.format("%Y-%m-%d %H:%M:%S UTC"),
                    limit.reset_in().as_secs()
                )?;
            }
        } else if status == StatusCode::UNAUTHORIZED {
            f.write_str(
                "; the token is missing, expired or revoked (set GITHUB_TOKEN or GH_TOKEN)",
            )?;
        } else if status == StatusCode::FORBIDDEN {
            match (&response.accepted_scopes, &response.token_scopes) {
                (Some(accepted), Some(held)) if !accepted.is_empty() && !held.is_empty() => {
                    let missing = self.missing_scopes();
                    write!(
                        f,
                        "; this endpoint accepts the scopes [{}] and the token has [{}]",
                        accepted.join(", "),
                        held.join(", ")
                    )?;
                    if !missing.is_empty() {
                        write!(f, ": the token may be missing {}", missing.join(", "))?;
                    }
                }
                _ => write!(
                    f,
                    "; the token may lack a scope (`{}`; `{}` to delete; `{}` to restore) \
                     or access to the package",
                    PackageAccess::Read.scope(),
                    PackageAccess::Delete.scope(),
                    PackageAccess::Restore.scope()
                )?,
            }
        } else if status == StatusCode::NOT_FOUND {
            f.write_str(
                "; it does not exist, or the token cannot see it (it needs `read:packages` \
                 and access to the owner's packages)",
            )?;
        } else if status.is_server_error() {
            f.write_str("; a server-side failure at GitHub")?;
        }
        if let Some(url) = &response.documentation_url {
            write!(f, " (see {url})")?;
        }
        Ok(())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(operation) = self.0.operation {
            write!(f, "{operation}: ")?;
        }
        match &self.0.kind {
            ErrorKind::InvalidParameter {
                parameter,
                value,
                problem,
            } => write!(
                f,
                "invalid {parameter} {value:?}: {problem}; no request was sent"
            ),
            ErrorKind::Unsupported { what } => {
                write!(
                    f,
                    "{what} is not supported by GitHub's API; no request was sent"
                )
            }
            ErrorKind::Config { problem } => write!(f, "cannot build the client: {problem}"),
            ErrorKind::InvalidRequest { problem } => write!(f, "invalid request: {problem}"),
            ErrorKind::Response => self.fmt_response(f),
            ErrorKind::PaginationLimit { page, per_page } => write!(
                f,
                "GitHub lists at most 10,000 results, so page {page} of {per_page} is not \
                 listed; narrow the listing (e.g. by `visibility`) to see the rest"
            ),
            ErrorKind::OutcomeUnknown { method } => {
                write!(f, "the outcome of the {method} is unknown (")?;
                if self.0.response.is_some() {
                    self.fmt_response(f)?;
                } else if self.is_timeout() {
                    f.write_str("it timed out")?;
                } else if let Some(source) = &self.0.source {
                    write!(f, "the connection failed: {source}")?;
                }
                write!(
                    f,
                    "); it was not retried because GitHub may have carried it out: \
                     check the current state before trying again"
                )
            }
            ErrorKind::Transport => {
                f.write_str("the request failed")?;
                if self.is_timeout() {
                    f.write_str(" (timed out)")?;
                }
                if let Some(source) = &self.0.source {
                    write!(f, ": {source}")?;
                    let mut cause = source.source();
                    while let Some(inner) = cause {
                        write!(f, ": {inner}")?;
                        cause = inner.source();
                    }
                }
                Ok(())
            }
            ErrorKind::Decode => {
                f.write_str("GitHub's response could not be decoded")?;
                if let Some(source) = &self.0.source {
                    write!(f, ": {source}")?;
                }
                Ok(())
            }
            ErrorKind::ForeignLink { url } => write!(
                f,
                "GitHub's Link header points to another host ({url}); it was not followed, \
                 so the token was not sent there"
            ),
            ErrorKind::InvalidLink { url, problem } => write!(
                f,
                "GitHub's Link header points to {url}, which {problem}; the listing stops \
                 there rather than list items twice or loop"
            ),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("Error");
        debug.field("kind", &self.0.kind);
        if let Some(operation) = self.0.operation {
            debug.field("operation", &operation);
        }
        if let Some(response) = &self.0.response {
            debug.field("response", response);
        }
        if let Some(source) = &self.0.source {
            debug.field("source", source);
        }
        debug.finish()
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.0
            .source
            .as_deref()
            .map(|source| source as &(dyn StdError + 'static))
    }
}

impl From<GeneratedError> for Error {
    /// For `?` after a generated builder's `send()`. The body of an
    /// undocumented response (e.g. a 5xx) cannot be read here, so its
    /// message is missing; the hand-written methods keep it.
    fn from(error: GeneratedError) -> Self {
        Error::from_generated_sync(Call::read("generated operation"), error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn a_403_names_the_missing_scope() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-accepted-oauth-scopes",
            HeaderValue::from_static("delete:packages, read:packages"),
        );
        headers.insert("x-oauth-scopes", HeaderValue::from_static("read:packages"));
        let error = Error::response(
            Call::write("delete_package_for_org", "DELETE"),
            StatusCode::FORBIDDEN,
            &headers,
            br#"{"message":"Forbidden","documentation_url":"https://docs.github.com/rest"}"#,
        );
        assert_eq!(error.missing_scopes(), ["delete:packages"]);
        assert_eq!(error.message(), Some("Forbidden"));
        let text = error.to_string();
        assert!(text.contains("may be missing delete:packages"), "{text}");
        assert!(text.contains("https://docs.github.com/rest"), "{text}");
    }

    fn forbidden(accepted: &'static str, held: &'static str) -> Error {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-accepted-oauth-scopes",
            HeaderValue::from_static(accepted),
        );
        headers.insert("x-oauth-scopes", HeaderValue::from_static(held));
        Error::response(
            Call::write("restore_package_for_org", "POST"),
            StatusCode::FORBIDDEN,
            &headers,
            br#"{"message":"Forbidden"}"#,
        )
    }

    #[test]
    fn scope_hints_count_implied_scopes() {
        // write:packages implies read:packages.
        let error = forbidden("read:packages, write:packages", "write:packages");
        assert!(error.missing_scopes().is_empty());
        assert!(!error.to_string().contains("may be missing"), "{error}");
        // delete:packages implies neither.
        let error = forbidden(
            "read:packages, write:packages",
            "delete:packages, read:packages",
        );
        assert_eq!(error.missing_scopes(), ["write:packages"]);
        let error = forbidden("delete:packages, read:packages", "delete:packages");
        assert_eq!(error.missing_scopes(), ["read:packages"]);
        let error = forbidden("delete:packages, read:packages", "write:packages");
        assert_eq!(error.missing_scopes(), ["delete:packages"]);
    }

    #[test]
    fn scope_hints_skip_empty_lists() {
        // A fine-grained token has no scopes; an endpoint may name none.
        for (accepted, held) in [("read:packages", ""), ("", "read:packages"), ("", "")] {
            let error = forbidden(accepted, held);
            assert!(error.missing_scopes().is_empty(), "{accepted:?} {held:?}");
            let text = error.to_string();
            assert!(!text.contains("[]"), "{text}");
            assert!(text.contains("the token may lack a scope"), "{text}");
        }
    }

    #[test]
    fn the_page_limit_check_does_not_overflow() {
        let call = Call {
            page: Some((u64::MAX, u64::MAX)),
            ..Call::read("list_packages_for_organization")
        };
        let error = Error::response(call, StatusCode::BAD_REQUEST, &HeaderMap::new(), b"");
        assert!(
            matches!(error.kind(), ErrorKind::PaginationLimit { .. }),
            "{error:?}"
        );
    }

    #[test]
    fn refusals_are_recognised_only_with_their_status_and_words() {
        let refusal = |status: u16, message: &str| {
            let body = serde_json::json!({ "message": message }).to_string();
            Error::response(
                Call::write("delete_package_version_for_org", "DELETE"),
                StatusCode::from_u16(status).unwrap(),
                &HeaderMap::new(),
                body.as_bytes(),
            )
            .refusal()
        };
        let last = "You cannot delete the last tagged version of a package. You must delete the package instead.";
        assert_eq!(refusal(400, last), Some(Refusal::LastVersion));
        let popular = "You cannot delete a public package version that has been downloaded more than 5,000 times.";
        assert_eq!(refusal(400, popular), Some(Refusal::PopularPublicVersion));
        assert_eq!(
            refusal(
                400,
                "Publicly visible package versions with more than 5000 downloads cannot be deleted."
            ),
            Some(Refusal::PopularPublicVersion)
        );
        // The same words with another status are not that refusal.
        assert_eq!(
            refusal(404, "The last version you asked for was not found"),
            None
        );
        assert_eq!(refusal(500, "could not delete the last version"), None);
        assert_eq!(
            refusal(502, "Bad gateway: the downloads service is down"),
            None
        );
        assert_eq!(
            refusal(403, "Must have admin rights to see download counts"),
            None
        );
    }

    #[test]
    fn a_mutating_5xx_is_outcome_unknown() {
        let error = Error::response(
            Call::write("delete_package_for_org", "DELETE"),
            StatusCode::BAD_GATEWAY,
            &HeaderMap::new(),
            b"<html>\n<h1>502</h1>",
        );
        assert!(error.is_outcome_unknown());
        assert_eq!(error.message(), Some("<html>"));
    }
}
