//! Typed client for the GitHub Packages REST API.
//!
//! The operations and types are generated from `spec/packages.yaml` by
//! `cargo xtask regen`, in one file, `src/generated.rs`. The hand-written
//! code beside them, most of the crate (see "How the crate is organised"),
//! makes the client fit for production:
//!
//! - construction from code or the environment ([`Client::builder`],
//!   [`Client::from_env`]), with the headers GitHub expects and the token
//!   kept out of `Debug` output, error messages and logs;
//! - one API for the three owners of packages ([`Owner`]): organizations,
//!   users and the authenticated user;
//! - listings as streams that follow GitHub's `Link` header, fetching pages
//!   concurrently once the last page is known ([`Client::packages`],
//!   [`Client::versions`]);
//! - path parameters checked before anything is sent: a value that would
//!   change the requested path (`..`, `\`, an empty segment) is an error;
//! - retries with backoff that honour GitHub's rate limits, and never repeat
//!   a `DELETE` or `POST` whose outcome is unknown ([`RetryPolicy`]);
//! - a request budget shared by all requests of a client, on by default,
//!   that paces them under GitHub's secondary limits (900 points a minute,
//!   a `DELETE` costing 5, at most 100 in flight) and spreads the hourly
//!   quota until its reset instead of spending it and then sleeping
//!   ([`RequestBudget`]);
//! - one error type, [`Error`], that says what to do next.
//!
//! # Using the client
//!
//! ```no_run
//! use futures_util::TryStreamExt;
//! use github_packages::{Client, Owner};
//! use github_packages::types::PackageType;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), github_packages::Error> {
//! // GITHUB_TOKEN (or GH_TOKEN), and GITHUB_API_URL for GitHub Enterprise Server.
//! let client = Client::from_env()?;
//! let owner = Owner::org("octo-org");
//!
//! // Pages are fetched as the stream is read: memory stays flat.
//! let mut versions = client.versions(&owner, PackageType::Container, "hello-world");
//! while let Some(version) = versions.try_next().await? {
//!     println!("{} {} {:?}", version.id, version.name, version.created_at);
//! }
//!
//! if let Some(limit) = client.rate_limit() {
//!     println!("{} of {} requests left", limit.remaining, limit.limit);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! The generated builders stay available for everything else, e.g.
//! `client.get_package_for_organization().org("octo-org")…send().await`,
//! with the same headers, retries and rate-limit bookkeeping; their error,
//! [`GeneratedError`], converts into [`Error`] with `?`. (They do not check
//! path parameters: a value like `..` is theirs to avoid.)
//!
//! # How the crate is organised
//!
//! One file is generated, the rest is written by hand (and is the larger
//! part).
//!
//! Generated, never edited by hand: `src/generated.rs`, made by
//! `cargo xtask regen` in this crate's repository from `spec/packages.yaml`
//! (this crate needs neither the spec nor the generator to build). It holds
//! [`Client`]'s 27 operation methods (one per GitHub `operationId`, e.g.
//! `get_all_package_versions_for_package_owned_by_org`), their request
//! builders in [`builder`], and the request and response types in
//! [`types`].
//!
//! Hand-written, one module per concept:
//!
//! - `construction`: building a client ([`ClientBuilder`], [`Client::from_env`]);
//! - `auth`: the token, never shown ([`Token`], [`TokenSource`]);
//! - `base_url`: the rules for the API's base URL ([`check_base_url`]);
//! - `tls`: the rustls crypto provider ([`install_crypto_provider`]);
//! - [`hooks`]: the headers, retries, pacing and rate-limit bookkeeping
//!   around every generated operation;
//! - `owner`: the three owners of packages ([`Owner`]);
//! - `package_calls`: one package or version, delete and restore, Docker
//!   conflicts, for any owner ([`Client::package`], [`Client::delete_version`], …);
//! - `listing` and `pagination`: listings as streams that follow the `Link`
//!   header ([`PackageList`], [`VersionList`]);
//! - `path`: path parameters checked before a request ([`check_path_segment`]);
//! - `call`: sending a generated operation and keeping what GitHub answered;
//! - `error`: the one error type, which says what to do next ([`Error`]);
//! - `retry`: retries with backoff ([`RetryPolicy`]);
//! - `pacing`: the request budget ([`RequestBudget`]);
//! - `rate_limit`: GitHub's rate-limit headers ([`RateLimit`]);
//! - `scopes`: the token scopes each call needs ([`PackageAccess`]);
//! - [`open_enums`]: forward-compatible enums: an unknown `package_type` or
//!   `visibility` decodes into `Unknown(String)` instead of failing a page.
//!
//! Container images (the OCI registry client and the image graph that says
//! which versions make up which image) are in the separate crate
//! `github-packages-oci`, so a program that only lists and deletes does not
//! build them.
//!
//! # Cargo features
//!
//! Exactly one TLS backend should be enabled:
//!
//! - `rustls` (default): rustls with the `ring` provider and the platform's
//!   root certificates; the shortest clean build.
//! - `rustls-aws-lc`: rustls with reqwest's default provider, aws-lc-rs (its
//!   build compiles C).
//! - `native-tls`: the platform's TLS library.
//!
//! ## The default feature and other users of reqwest
//!
//! **Read this if your application also uses reqwest.** To keep aws-lc-rs
//! out of the build, the default `rustls` feature turns on reqwest's
//! `rustls-no-provider` feature. Cargo features are shared by the whole
//! dependency graph, so *every* `reqwest::Client` in the process then needs
//! a process-wide rustls crypto provider, and building one while none is
//! installed panics ("No rustls crypto provider is configured").
//!
//! This crate installs `ring` as the process-wide default provider, unless
//! one is installed already, when a [`Client`] is built
//! ([`ClientBuilder::build`], [`Client::from_env`]) or a
//! [`hooks::Runtime`] is made (`Runtime::default()`, which the generated
//! `Client::new` takes). An application that builds its own reqwest clients
//! must do one of these:
//!
//! - build this crate's [`Client`] before any other `reqwest::Client`, or
//!   call [`install_crypto_provider`] first, which installs `ring` as this
//!   crate would;
//! - or install a provider itself at start-up, before building any client:
//!   `rustls::crypto::ring::default_provider().install_default()` (or
//!   aws-lc-rs's); this crate then uses it and installs nothing;
//! - or use `default-features = false, features = ["rustls-aws-lc"]` (or
//!   `native-tls`): reqwest then brings its own provider and this crate
//!   installs nothing, even when `rustls` is enabled as well.
#![warn(missing_docs)]

#[rustfmt::skip]
#[allow(
    missing_docs,
    unused_imports,
    clippy::all,
    clippy::pedantic,
    rustdoc::all,
    reason = "generated by progenitor; fix the spec or the generator instead"
)]
mod generated;

mod auth;
mod base_url;
mod call;
mod construction;
mod error;
mod listing;
mod owner;
mod pacing;
mod package_calls;
mod pagination;
mod path;
mod rate_limit;
mod retry;
mod scopes;
mod tls;

pub mod hooks;
pub mod open_enums;

pub use auth::{TOKEN_VARS, Token, TokenSource};
pub use base_url::{BASE_URL_VAR, BaseUrlError, DEFAULT_BASE_URL, check_base_url};
pub use construction::{ClientBuilder, ConnectionSettings};
pub use error::{Error, ErrorKind, GeneratedError, Refusal};
pub use generated::{ByteStream, Client, ClientInfo, ResponseValue, builder};
pub use listing::{PackageList, VersionList};
pub use owner::Owner;
pub use pacing::RequestBudget;
pub use path::check_path_segment;
pub use rate_limit::RateLimit;
/// A root certificate for [`ClientBuilder::add_root_certificate`].
#[cfg(any(feature = "rustls", feature = "rustls-aws-lc", feature = "native-tls"))]
pub use reqwest::Certificate;
pub use retry::RetryPolicy;
pub use scopes::{PackageAccess, REPOSITORY_SCOPE};
pub use tls::install_crypto_provider;

/// Request and response types of the API.
pub mod types {
    pub use crate::generated::types::*;
    pub use crate::open_enums::{PackageType, PackageVisibility};
}
