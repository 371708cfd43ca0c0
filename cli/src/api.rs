//! The calls `ghpkg` makes, on top of the `github-packages` client layer
//! (which owns retries, rate limits and pagination). Errors come back as
//! [`Failure`]s, already classified for explanations.

use std::time::Duration;

use futures_util::TryStreamExt;
use github_packages::types::{
    Package, PackageType, PackageVersion, PackageVersionState, PackageVisibility,
};
use github_packages::{Client, ErrorKind, Owner, RetryPolicy};
use indicatif::ProgressBar;

use crate::config::Token;
use crate::explain::{Failure, FailureKind};
use crate::output::tags_of;
use crate::owner::OwnerRef;
use crate::policy::VersionInfo;

/// The client, and nothing else: cheap to share between concurrent calls.
pub struct Api {
    client: Client,
}

impl Api {
    /// `max_wait` is the longest single wait for a rate limit to reset; a
    /// limit that resets later fails the request instead of stalling.
    pub fn new(base_url: &str, token: &Token, max_wait: Duration) -> Result<Api, String> {
        let retry = RetryPolicy::default()
            .max_wait(max_wait)
            .max_total_wait(max_wait.max(Duration::from_secs(300)));
        let client = Client::builder()
            .base_url(base_url)
            .token(token.expose())
            .user_agent(concat!("ghpkg/", env!("CARGO_PKG_VERSION")))
            .retry(retry)
            .build()
            .map_err(|error| error.to_string())?;
        Ok(Api { client })
    }

    pub async fn packages(
        &self,
        owner: &OwnerRef,
        package_type: &PackageType,
        visibility: Option<PackageVisibility>,
        progress: &ProgressBar,
    ) -> Result<Vec<Package>, Failure> {
        let mut list = self.client.packages(&owner_of(owner), package_type.clone());
        if let Some(visibility) = visibility {
            list = list.visibility(visibility);
        }
        list.inspect_ok(|_| progress.inc(1))
            .try_collect()
            .await
            .map_err(failure)
    }

    pub async fn versions(
        &self,
        owner: &OwnerRef,
        package_type: &PackageType,
        package: &str,
        state: PackageVersionState,
        progress: &ProgressBar,
    ) -> Result<Vec<PackageVersion>, Failure> {
        self.client
            .versions(&owner_of(owner), package_type.clone(), package)
            .state(state)
            .inspect_ok(|_| progress.inc(1))
            .try_collect()
            .await
            .map_err(failure)
    }

    pub async fn package(
        &self,
        owner: &OwnerRef,
        package_type: &PackageType,
        package: &str,
    ) -> Result<Package, Failure> {
        self.client
            .package(&owner_of(owner), package_type.clone(), package)
            .await
            .map_err(failure)
    }

    pub async fn version(
        &self,
        owner: &OwnerRef,
        package_type: &PackageType,
        package: &str,
        id: i64,
    ) -> Result<PackageVersion, Failure> {
        self.client
            .version(&owner_of(owner), package_type.clone(), package, id)
            .await
            .map_err(failure)
    }

    pub async fn delete_package(
        &self,
        owner: &OwnerRef,
        package_type: &PackageType,
        package: &str,
    ) -> Result<(), Failure> {
        self.client
            .delete_package(&owner_of(owner), package_type.clone(), package)
            .await
            .map_err(failure)
    }

    pub async fn restore_package(
        &self,
        owner: &OwnerRef,
        package_type: &PackageType,
        package: &str,
    ) -> Result<(), Failure> {
        self.client
            .restore_package(&owner_of(owner), package_type.clone(), package)
            .await
            .map_err(failure)
    }

    pub async fn delete_version(
        &self,
        owner: &OwnerRef,
        package_type: &PackageType,
        package: &str,
        id: i64,
    ) -> Result<(), Failure> {
        self.client
            .delete_version(&owner_of(owner), package_type.clone(), package, id)
            .await
            .map_err(failure)
    }

    pub async fn restore_version(
        &self,
        owner: &OwnerRef,
        package_type: &PackageType,
        package: &str,
        id: i64,
    ) -> Result<(), Failure> {
        self.client
            .restore_version(&owner_of(owner), package_type.clone(), package, id)
            .await
            .map_err(failure)
    }

    pub async fn docker_conflicts(&self, owner: &OwnerRef) -> Result<Vec<Package>, Failure> {
        self.client
            .docker_conflicts(&owner_of(owner))
            .await
            .map_err(failure)
    }
}

fn owner_of(owner: &OwnerRef) -> Owner {
    match owner {
        OwnerRef::Org(login) => Owner::Org(login.clone()),
        OwnerRef::User(login) => Owner::User(login.clone()),
        OwnerRef::Me => Owner::AuthenticatedUser,
    }
}

/// Classifies a client error. The error's text never holds the token.
fn failure(error: github_packages::Error) -> Failure {
    let status = error.status().map(|status| status.as_u16());
    if error.is_rate_limited() {
        return Failure {
            kind: FailureKind::RateLimited {
                reset: error
                    .rate_limit()
                    .filter(|limit| limit.remaining == 0)
                    .map(|limit| limit.reset),
            },
            status,
            message: error.message().unwrap_or_default().to_string(),
        };
    }
    match (error.kind(), status) {
        // The client layer's text for these is long; say it briefly.
        (ErrorKind::OutcomeUnknown { .. }, Some(status)) => Failure {
            kind: FailureKind::Uncertain,
            status: Some(status),
            message: error.message().unwrap_or_default().to_string(),
        },
        (ErrorKind::OutcomeUnknown { .. }, None) => Failure::transport(if error.is_timeout() {
            "no answer from GitHub in time"
        } else {
            "the connection broke before GitHub answered"
        }),
        (ErrorKind::Response, Some(status)) => {
            let mut failure = Failure::from_response(status, error.message().unwrap_or_default());
            // Accepted scopes are alternatives; only a refusal names what is lacking.
            let missing = if status == 403 {
                error.missing_scopes()
            } else {
                Vec::new()
            };
            if !missing.is_empty() {
                failure.kind = FailureKind::MissingScope;
                failure.message = format!(
                    "{}; the token lacks {}",
                    failure.message,
                    missing.join(", ")
                );
            }
            failure
        }
        _ => Failure {
            kind: FailureKind::Other,
            status: None,
            message: error.to_string(),
        },
    }
}

/// What the retention policy needs to know about a version.
pub fn version_info(version: &PackageVersion) -> VersionInfo {
    VersionInfo {
        id: version.id,
        name: version.name.clone(),
        tags: tags_of(version),
        created_at: version.created_at,
    }
}
