//! What can go wrong reading a manifest, and what to do about it.

use std::fmt;

use super::digest::Digest;
use super::manifest::ManifestProblem;

/// Why a manifest could not be read from the registry. Its `Display` is one
/// line that names the repository and digest and says how to fix it; it
/// never holds the token.
#[derive(Debug)]
pub struct RegistryError {
    kind: RegistryErrorKind,
    repository: String,
    reference: Option<Digest>,
}

/// The kind of a [`RegistryError`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegistryErrorKind {
    /// The registry URL, the repository name or the token cannot be used;
    /// nothing was sent.
    Config(String),
    /// 401: the registry (or its token endpoint) did not accept the token.
    Unauthorized,
    /// 403: the token is valid but may not pull from this repository.
    Forbidden,
    /// 404: the registry has no manifest with this digest.
    NotFound,
    /// A 5xx or 429, still failing after the retries.
    Unavailable(u16),
    /// Another unexpected status.
    Status(u16),
    /// The registry answered 401 without a usable `Bearer` challenge, or
    /// its token endpoint answered without a token.
    Challenge(String),
    /// The body's sha256 is not the digest asked for.
    DigestMismatch {
        /// The digest of the bytes received.
        received: Digest,
    },
    /// The body is not a manifest this crate reads.
    Manifest(ManifestProblem),
    /// No answer: connection, TLS or timeout (`problem` says which).
    Transport(String),
}

impl RegistryErrorKind {
    /// Whether the error is about this manifest alone (404, a body that is
    /// not its digest's or not a manifest), not about the registry, the
    /// token or the network: other manifests may still be read.
    pub fn concerns_the_manifest(&self) -> bool {
        matches!(
            self,
            RegistryErrorKind::NotFound
                | RegistryErrorKind::DigestMismatch { .. }
                | RegistryErrorKind::Manifest(_)
        )
    }
}

impl RegistryError {
    pub(crate) fn new(
        kind: RegistryErrorKind,
        repository: &str,
        reference: Option<&Digest>,
    ) -> RegistryError {
        RegistryError {
            kind,
            repository: repository.to_string(),
            reference: reference.cloned(),
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> &RegistryErrorKind {
        &self.kind
    }

    /// The repository, e.g. `acme/app`.
    pub fn repository(&self) -> &str {
        &self.repository
    }

    /// The digest that was asked for, if the error concerns one manifest.
    pub fn digest(&self) -> Option<&Digest> {
        self.reference.as_ref()
    }
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match &self.reference {
            Some(digest) => format!("manifest {digest} of {}", self.repository),
            None => format!("manifests of {}", self.repository),
        };
        match &self.kind {
            RegistryErrorKind::Config(problem) => write!(f, "cannot read {what}: {problem}"),
            RegistryErrorKind::Unauthorized => write!(
                f,
                "the registry refused the token (401) for {what}: use a token with the \
                 read:packages scope (a classic personal access token, or GITHUB_TOKEN with \
                 `packages: read`)"
            ),
            RegistryErrorKind::Forbidden => write!(
                f,
                "the registry denied access (403) to {what}: the token needs read:packages and \
                 access to this package (for GITHUB_TOKEN, grant the workflow's repository access \
                 in the package settings)"
            ),
            RegistryErrorKind::NotFound => write!(
                f,
                "the registry has no {what} (404) although the API lists it: check --registry, \
                 or try again if it was deleted or restored a moment ago"
            ),
            RegistryErrorKind::Unavailable(status) => write!(
                f,
                "the registry failed ({status}) on {what}, also after retrying: try again later"
            ),
            RegistryErrorKind::Status(status) => {
                write!(f, "the registry answered {status} for {what}")
            }
            RegistryErrorKind::Challenge(problem) => write!(
                f,
                "cannot authenticate to the registry for {what}: {problem}; check --registry"
            ),
            RegistryErrorKind::DigestMismatch { received } => write!(
                f,
                "the registry sent a body for {what} whose digest is {received}: it is not that \
                 manifest, so it cannot be trusted"
            ),
            RegistryErrorKind::Manifest(problem) => write!(f, "cannot read {what}: {problem}"),
            RegistryErrorKind::Transport(problem) => write!(
                f,
                "no answer from the registry for {what} ({problem}): check --registry and the \
                 network"
            ),
        }
    }
}

impl std::error::Error for RegistryError {}
