//! The client's errors, turned into explanations a person can act on: the
//! one home of the CLI's own wording about failures.
//!
//! Classification reads only the client's accessors (status, kind, missing
//! scopes, the refusals GitHub states in words); [`Failure::answered`] is the
//! pure part, unit-tested without a server.

use chrono::{DateTime, Utc};
use github_packages::{Error, ErrorKind, PackageAccess, REPOSITORY_SCOPE, Refusal};

use crate::connect::token_vars;
use crate::exit::{Exit, ExitStatus};
use crate::model::{OwnerSpelling, Subject};

/// What went wrong with one request, as far as `ghpkg` cares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FailureKind {
    /// GitHub does not delete the last version of a package.
    LastVersion,
    /// A public version (or package) with more than 5,000 downloads.
    TooManyDownloads,
    /// The token lacks a scope, usually `delete:packages`.
    MissingScope,
    /// Not found; for images, possibly because the name needs `repo/image`.
    NotFound,
    /// The token was rejected.
    Unauthorized,
    /// Forbidden for another reason (e.g. not an admin of the package).
    Forbidden,
    /// The rate limit ran out and the client layer's wait budget with it.
    RateLimited { reset: Option<DateTime<Utc>> },
    /// The request may or may not have reached GitHub: timeout, reset
    /// connection, cut-off answer, or a server error. A deletion with this
    /// outcome has to be checked by reading the version again.
    Uncertain,
    /// GitHub could not be reached at all (the connection could not be
    /// opened, even after the client layer's retries): nothing was carried
    /// out, and every further request would fail the same way.
    Network,
    /// The client layer refused a parameter before sending anything (e.g. a
    /// package named `..`): bad input, nothing was sent.
    BadInput,
    /// Anything else GitHub refused.
    Other,
}

/// One failed request: what kind, and GitHub's own words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub kind: FailureKind,
    pub status: Option<u16>,
    pub message: String,
}

impl From<Error> for Failure {
    /// Classifies a client error. The error's text never holds the token.
    fn from(error: Error) -> Failure {
        let status = error.status().map(|status| status.as_u16());
        let message = || error.message().unwrap_or_default().to_string();
        if error.is_rate_limited() {
            return Failure {
                kind: FailureKind::RateLimited {
                    reset: error
                        .rate_limit()
                        .filter(|limit| limit.remaining == 0)
                        .map(|limit| limit.reset),
                },
                status,
                message: message(),
            };
        }
        match (error.kind(), status) {
            // The client layer's text for these is long; say it briefly.
            (ErrorKind::OutcomeUnknown { .. }, Some(status)) => Failure {
                kind: FailureKind::Uncertain,
                status: Some(status),
                message: message(),
            },
            (ErrorKind::OutcomeUnknown { .. }, None) => Failure::transport(if error.is_timeout() {
                "no answer from GitHub in time"
            } else {
                "the connection broke before GitHub answered"
            }),
            (ErrorKind::Response, Some(status)) => Failure::answered(
                status,
                error.refusal(),
                &error.missing_scopes(),
                error.message().unwrap_or_default(),
            ),
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
}

impl Failure {
    /// Classifies an error answer from what the client read from it: its
    /// status, the refusal GitHub stated in words if any, and the scopes
    /// the endpoint accepts that the token lacks.
    pub fn answered(
        status: u16,
        refusal: Option<Refusal>,
        missing_scopes: &[&str],
        message: &str,
    ) -> Failure {
        let mut message = message.trim().to_string();
        // Accepted scopes are alternatives; only a refusal names what is lacking.
        let lacks_scope = status == 403 && !missing_scopes.is_empty();
        if lacks_scope {
            message = format!("{message}; the token lacks {}", missing_scopes.join(", "));
        }
        let kind = match refusal {
            Some(Refusal::LastVersion) => FailureKind::LastVersion,
            Some(Refusal::PopularPublicVersion) => FailureKind::TooManyDownloads,
            _ if lacks_scope => FailureKind::MissingScope,
            _ => match status {
                401 => FailureKind::Unauthorized,
                403 => FailureKind::Forbidden,
                404 => FailureKind::NotFound,
                // A success the client layer did not expect (e.g. a 200 with
                // a cut-off body for a DELETE): it may have been carried out.
                200..=299 | 500..=599 => FailureKind::Uncertain,
                _ => FailureKind::Other,
            },
        };
        Failure {
            kind,
            status: Some(status),
            message,
        }
    }

    /// A failure without an answer from GitHub.
    pub fn transport(message: &str) -> Failure {
        Failure {
            kind: FailureKind::Uncertain,
            status: None,
            message: message.to_string(),
        }
    }

    /// Whether a deletion that failed like this may still have happened.
    pub fn outcome_unknown(&self) -> bool {
        self.kind == FailureKind::Uncertain
    }

    /// Whether one of GitHub's own rules refused it (a public version
    /// downloaded more than 5,000 times, a package's last version): trying
    /// again cannot help, and it is not the tool's failure.
    pub fn refused_by_github(&self) -> bool {
        matches!(
            self.kind,
            FailureKind::LastVersion | FailureKind::TooManyDownloads
        )
    }

    /// Whether every further request would fail the same way right now.
    pub fn stops_the_run(&self) -> bool {
        matches!(
            self.kind,
            FailureKind::RateLimited { .. }
                | FailureKind::Unauthorized
                | FailureKind::Network
                | FailureKind::BadInput
        )
    }

    /// How a command that cannot go on after this failure ends: bad input
    /// exits 2 (nothing was sent), anything else 1.
    pub fn exit(&self, subject: Subject<'_>) -> Exit {
        let message = self.explain(subject);
        let status = match self.kind {
            FailureKind::BadInput => ExitStatus::Usage,
            _ => ExitStatus::Failed,
        };
        Exit {
            status,
            message: Some(message),
        }
    }

    /// A one-line explanation with what to do about it.
    pub fn explain(&self, subject: Subject<'_>) -> String {
        let what = subject.noun();
        let said = self.said();
        let owner_flags = subject.owner().flags();
        let package_type = subject.package_type().as_str();
        let package = subject
            .package()
            .map_or("", |package| package.name.as_str());
        match &self.kind {
            FailureKind::LastVersion => format!(
                "GitHub does not delete the last version of a package: delete the package instead \
                 (ghpkg delete {owner_flags} --type {package_type} --name {package}){said}"
            ),
            FailureKind::TooManyDownloads => format!(
                "GitHub does not delete a public {what} with more than 5,000 downloads; only GitHub Support can{said}"
            ),
            FailureKind::MissingScope => format!(
                "the token lacks a scope this needs: deleting needs {}, restoring {} \
                 (and {REPOSITORY_SCOPE} for repository-scoped registries){said}",
                PackageAccess::Delete.scopes().join(" and "),
                PackageAccess::Restore.scopes().join(" and ")
            ),
            FailureKind::NotFound if subject.package().is_none() => format!(
                "not found: no owner matching {owner_flags} that the token can see: check the \
                 login (--org for an organization, --user for a user){said}"
            ),
            FailureKind::NotFound => {
                let hint = if matches!(package_type, "container" | "docker")
                    && !package.contains('/')
                {
                    format!(
                        "; an image published from a repository may be named REPO/{package}, try --name REPO/{package}"
                    )
                } else {
                    String::new()
                };
                format!(
                    "not found: no {package_type} package '{package}' for this owner that the token can see{hint}{said}"
                )
            }
            FailureKind::Unauthorized => format!(
                "the token was rejected: check --token-file, {}{said}",
                token_vars()
            ),
            FailureKind::Forbidden => format!(
                "forbidden: deleting and restoring need admin rights on the package and the right token scopes{said}"
            ),
            FailureKind::RateLimited { reset } => match reset {
                Some(reset) => format!(
                    "rate limit exhausted until {} UTC: re-run the same command then to continue{said}",
                    reset.format("%H:%M:%S")
                ),
                None => format!(
                    "rate limit exhausted: wait a while, then re-run the same command{said}"
                ),
            },
            FailureKind::Network => format!(
                "could not reach GitHub ({}): check the network and --base-url, then run the \
                 same command again to continue",
                one_line(&self.message)
            ),
            FailureKind::BadInput => one_line(&self.message),
            FailureKind::Uncertain => match self.status {
                Some(status @ 500..=599) => {
                    format!("GitHub answered {status}, a server-side failure{said}")
                }
                Some(status) => {
                    format!("GitHub answered {status}, which ghpkg did not expect{said}")
                }
                None => self.message.clone(),
            },
            FailureKind::Other => match self.status {
                Some(status) => format!("GitHub refused ({status}){said}"),
                None => self.message.clone(),
            },
        }
    }

    /// GitHub's message, as a suffix.
    fn said(&self) -> String {
        match (self.status, self.message.is_empty()) {
            (Some(_), false) => format!(" (GitHub: \"{}\")", one_line(&self.message)),
            _ => String::new(),
        }
    }
}

fn one_line(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}

#[cfg(test)]
mod tests {
    use github_packages::Owner;
    use github_packages::types::PackageType;

    use super::*;
    use crate::model::PackageRef;

    /// An answer with neither a refusal in words nor a missing scope.
    fn plain(status: u16, message: &str) -> Failure {
        Failure::answered(status, None, &[], message)
    }

    fn app() -> PackageRef {
        PackageRef::new(Owner::org("acme"), PackageType::Container, "app")
    }

    #[test]
    fn last_version_says_to_delete_the_package() {
        let failure = Failure::answered(
            400,
            Some(Refusal::LastVersion),
            &[],
            "You cannot delete the last tagged version of a package. You must delete the package instead.",
        );
        assert_eq!(failure.kind, FailureKind::LastVersion);
        let text = failure.explain(Subject::Version(&app()));
        assert!(
            text.starts_with(
                "GitHub does not delete the last version of a package: delete the package instead \
                 (ghpkg delete --org acme --type container --name app)"
            ),
            "{text}"
        );
    }

    #[test]
    fn popular_public_versions_are_explained() {
        let failure = Failure::answered(
            400,
            Some(Refusal::PopularPublicVersion),
            &[],
            "Publicly visible package versions with more than 5000 downloads cannot be deleted.",
        );
        assert_eq!(failure.kind, FailureKind::TooManyDownloads);
        assert!(
            failure
                .explain(Subject::Version(&app()))
                .contains("more than 5,000 downloads")
        );
    }

    #[test]
    fn statuses_classify_what_the_client_did_not_recognise() {
        let cases = [
            (404, FailureKind::NotFound),
            (502, FailureKind::Uncertain),
            (500, FailureKind::Uncertain),
            (403, FailureKind::Forbidden),
            (401, FailureKind::Unauthorized),
            (400, FailureKind::Other),
        ];
        for (status, kind) in cases {
            assert_eq!(plain(status, "words").kind, kind, "{status}");
        }
        // A missing scope counts only in a refusal.
        let missing = Failure::answered(404, None, &["delete:packages"], "Not Found");
        assert_eq!(missing.kind, FailureKind::NotFound);
    }

    #[test]
    fn owner_level_not_found_talks_about_the_owner() {
        let owner = Subject::Packages {
            owner: &Owner::org("acme"),
            package_type: &PackageType::Container,
        };
        let text = plain(404, "Not Found").explain(owner);
        assert!(
            text.starts_with("not found: no owner matching --org acme that the token can see"),
            "{text}"
        );
        assert!(!text.contains("''"), "{text}");
        assert!(!text.contains("REPO/"), "{text}");
    }

    #[test]
    fn bad_input_exits_2_and_network_failures_stop_the_run() {
        let bad = Failure {
            kind: FailureKind::BadInput,
            status: None,
            message: "invalid package_name \"..\": no request was sent".to_string(),
        };
        assert_eq!(bad.exit(Subject::Version(&app())).status, ExitStatus::Usage);
        assert!(bad.stops_the_run());
        let network = Failure {
            kind: FailureKind::Network,
            status: None,
            message: "connection refused\nsecond line".to_string(),
        };
        assert_eq!(
            network.exit(Subject::Version(&app())).status,
            ExitStatus::Failed
        );
        assert!(network.stops_the_run());
        assert!(!network.outcome_unknown());
        let text = network.explain(Subject::Version(&app()));
        assert!(
            text.starts_with("could not reach GitHub (connection refused"),
            "{text}"
        );
        assert!(!text.contains('\n'), "{text}");
    }

    #[test]
    fn missing_scope_names_the_scopes() {
        let failure = Failure::answered(
            403,
            None,
            &["delete:packages"],
            "You need at least delete:packages scope to do this.",
        );
        assert_eq!(failure.kind, FailureKind::MissingScope);
        assert!(
            failure
                .message
                .ends_with("; the token lacks delete:packages")
        );
        assert!(
            failure
                .explain(Subject::Version(&app()))
                .contains("delete:packages")
        );
    }

    #[test]
    fn not_found_image_suggests_the_repo_image_form() {
        let failure = plain(404, "Package not found.");
        assert_eq!(failure.kind, FailureKind::NotFound);
        assert!(
            failure
                .explain(Subject::Version(&app()))
                .contains("try --name REPO/app")
        );
        let npm = PackageRef {
            package_type: PackageType::Npm,
            ..app()
        };
        assert!(!failure.explain(Subject::Version(&npm)).contains("REPO/"));
        let already = PackageRef {
            name: "repo/app".to_string(),
            ..app()
        };
        assert!(
            !failure
                .explain(Subject::Version(&already))
                .contains("try --name")
        );
    }

    #[test]
    fn server_errors_and_transport_failures_leave_the_outcome_unknown() {
        assert!(plain(502, "Bad Gateway").outcome_unknown());
        let unexpected = plain(200, "");
        assert!(unexpected.outcome_unknown());
        assert_eq!(
            unexpected.explain(Subject::Version(&app())),
            "GitHub answered 200, which ghpkg did not expect"
        );
        assert!(Failure::transport("connection reset").outcome_unknown());
        assert!(!plain(404, "Not Found").outcome_unknown());
        assert!(!plain(422, "Unprocessable").outcome_unknown());
    }

    #[test]
    fn only_rate_limits_and_bad_tokens_stop_a_run() {
        let limited = Failure {
            kind: FailureKind::RateLimited {
                reset: Some("2025-06-01T12:30:00Z".parse().unwrap()),
            },
            status: Some(403),
            message: "API rate limit exceeded".to_string(),
        };
        assert!(limited.stops_the_run());
        assert!(
            limited
                .explain(Subject::Version(&app()))
                .contains("until 12:30:00 UTC")
        );
        assert!(plain(401, "Bad credentials").stops_the_run());
        assert!(!plain(403, "Must have admin rights").stops_the_run());
    }

    #[test]
    fn explanations_are_one_line() {
        let failure = plain(400, "line one\nline two");
        assert!(!failure.explain(Subject::Version(&app())).contains('\n'));
    }

    #[tokio::test]
    async fn refused_parameters_are_bad_input_and_nothing_is_sent() {
        let github = fake_github::FakeGitHub::start().await;
        let client = crate::test_support::client_of(&github);
        let owner = github_packages::Owner::org("acme");
        for name in [".", ".."] {
            let error = client
                .delete_package(&owner, github_packages::types::PackageType::Npm, name)
                .await
                .unwrap_err();
            let failure = Failure::from(error);
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
        let client = github_packages::Client::builder()
            .base_url(format!("http://{address}"))
            .token("t")
            .retry(github_packages::RetryPolicy::none())
            .build()
            .unwrap();
        let error = client
            .delete_version(
                &github_packages::Owner::org("acme"),
                github_packages::types::PackageType::Npm,
                "lib",
                7,
            )
            .await
            .unwrap_err();
        let failure = Failure::from(error);
        assert_eq!(failure.kind, FailureKind::Network, "{failure:?}");
        assert!(failure.stops_the_run());
        assert!(!failure.outcome_unknown());
    }
}
