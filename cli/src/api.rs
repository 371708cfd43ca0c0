//! The calls `ghpkg` makes, on top of the `github-packages` client layer
//! (which owns retries, rate limits and pagination). Errors come back as
//! [`Failure`]s, already classified for explanations.

use std::time::Duration;

use futures_util::TryStreamExt;
use github_packages::types::{
    Package, PackageType, PackageVersion, PackageVersionState, PackageVisibility,
};
use github_packages::{Client, ErrorKind, Owner, RequestBudget, RetryPolicy};
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

/// What the server holds now for a package or one of its versions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    /// There, not deleted; for a package, with its id.
    Active { package_id: Option<i64> },
    /// Deleted, or not found at all (a deleted package is a 404, and so are
    /// its versions).
    Deleted,
}

impl Api {
    /// `max_wait` is the longest single wait for a rate limit to reset; a
    /// limit that resets later fails the request instead of stalling.
    /// `retries` bounds the retries of each request. The client layer
    /// checks `base_url`; the caller has already refused the parts of a URL
    /// that could hold a secret (see `config`), so its message may quote
    /// the URL.
    pub fn new(
        base_url: &str,
        token: &Token,
        max_wait: Duration,
        retries: u32,
        budget: RequestBudget,
    ) -> Result<Api, String> {
        let retry = RetryPolicy::default()
            .max_retries(retries)
            .max_wait(max_wait)
            .max_total_wait(max_wait.max(Duration::from_secs(300)));
        let client = Client::builder()
            .base_url(base_url)
            .token(token.expose())
            .user_agent(concat!("ghpkg/", env!("CARGO_PKG_VERSION")))
            .retry(retry)
            .request_budget(budget)
            .build()
            .map_err(|error| error.to_string())?;
        Ok(Api { client })
    }

    /// The API root requests go to, as the client layer normalised it.
    pub fn base_url(&self) -> &str {
        self.client.base_url()
    }

    /// Whether a package (`version_id` `None`) or one of its versions is
    /// there now. The one way `ghpkg` reads the current state, for settling
    /// deletions whose answer was lost and for restoring.
    pub async fn presence(
        &self,
        owner: &OwnerRef,
        package_type: &PackageType,
        package: &str,
        version_id: Option<i64>,
    ) -> Result<Presence, Failure> {
        let found = match version_id {
            Some(id) => self
                .version(owner, package_type, package, id)
                .await
                .map(|version| match version.deleted_at {
                    None => Presence::Active { package_id: None },
                    Some(_) => Presence::Deleted,
                }),
            None => self
                .package(owner, package_type, package)
                .await
                .map(|package| Presence::Active {
                    package_id: Some(package.id),
                }),
        };
        match found {
            Err(failure) if failure.kind == FailureKind::NotFound => Ok(Presence::Deleted),
            other => other,
        }
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
        // The connection could not be opened (the client layer retried):
        // nothing was carried out, and nothing further will get through.
        (ErrorKind::Transport, None) => Failure {
            kind: FailureKind::Network,
            status: None,
            message: error.to_string(),
        },
        // Refused before sending: the input cannot work.
        (ErrorKind::InvalidParameter { .. } | ErrorKind::Unsupported { .. }, _) => Failure {
            kind: FailureKind::BadInput,
            status: None,
            message: error.to_string(),
        },
        _ => Failure {
            kind: FailureKind::Other,
            status,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::resolve_token;

    fn api(base_url: &str) -> Api {
        let token = |name: &str| {
            (name == "GITHUB_TOKEN").then(|| fake_github::FakeGitHub::TOKEN.to_string())
        };
        let (token, _) = resolve_token(None, token).unwrap();
        Api::new(
            base_url,
            &token,
            Duration::from_secs(1),
            4,
            RequestBudget::default(),
        )
        .unwrap()
    }

    #[tokio::test]
    async fn refused_parameters_are_bad_input_and_nothing_is_sent() {
        let github = fake_github::FakeGitHub::start().await;
        let api = api(&github.base_url());
        let owner = OwnerRef::Org("acme".into());
        for name in [".", ".."] {
            let failure = api
                .delete_package(&owner, &PackageType::Npm, name)
                .await
                .unwrap_err();
            assert_eq!(failure.kind, FailureKind::BadInput, "{failure:?}");
            assert!(
                failure.message.contains("no request was sent"),
                "{failure:?}"
            );
        }
        assert!(github.requests().is_empty());
    }

    #[tokio::test]
    async fn an_unreachable_server_is_a_network_failure() {
        // A port that was free a moment ago: connecting is refused.
        let address = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let api = Api {
            client: Client::builder()
                .base_url(format!("http://{address}"))
                .token("t")
                .retry(RetryPolicy::none())
                .build()
                .unwrap(),
        };
        let owner = OwnerRef::Org("acme".into());
        let failure = api
            .delete_version(&owner, &PackageType::Npm, "lib", 7)
            .await
            .unwrap_err();
        assert_eq!(failure.kind, FailureKind::Network, "{failure:?}");
        assert!(failure.stops_the_run());
        assert!(!failure.outcome_unknown());
    }

    #[tokio::test]
    async fn presence_reads_packages_and_versions() {
        let github = fake_github::FakeGitHub::start().await;
        let acme = fake_github::Owner::org("acme");
        let package_id = github.add_package(&acme, "npm", "lib", "private");
        let ids = github.add_versions(&acme, "npm", "lib", 2);
        let api = api(&github.base_url());
        let owner = OwnerRef::Org("acme".into());
        let npm = PackageType::Npm;
        let presence = |version| api.presence(&owner, &npm, "lib", version);
        assert_eq!(
            presence(None).await,
            Ok(Presence::Active {
                package_id: Some(package_id)
            })
        );
        assert_eq!(
            presence(Some(ids[0])).await,
            Ok(Presence::Active { package_id: None })
        );
        github.set_version_deleted(&acme, "npm", "lib", ids[0], true);
        assert_eq!(presence(Some(ids[0])).await, Ok(Presence::Deleted));
        assert_eq!(
            api.presence(&owner, &npm, "other", None).await,
            Ok(Presence::Deleted)
        );
    }
}
