//! The journaled deletion, shared by `prune` and `delete`: one deletion
//! journaled before and after, settling an outcome GitHub left unclear.
//!
//! Order matters for "nothing lost": an `unknown` line is on disk before the
//! request leaves, and the final line is on disk before the outcome is
//! reported. An outcome GitHub did not make clear (timeout, reset
//! connection, 5xx) is checked by reading the version again: found gone, it
//! is `deleted`; found still there, it stays `unknown`, since GitHub may
//! still carry the deletion out afterwards. `restore` checks `unknown` ones
//! too, and a later run with the same journal settles them.

use github_packages::Client;

use crate::failure::Failure;
use crate::journal::{ImageLink, Journal, JournalRecord, Outcome};
use crate::model::PackageRef;
use crate::model::Version;
use crate::presence::{gone, presence};

/// How one deletion ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Deleted {
    /// GitHub deleted it (confirmed, or found gone when checked).
    Yes,
    /// GitHub refused: why, for people.
    No { reason: String, failure: Failure },
    /// The answer was lost and the version was still there when checked
    /// (GitHub may still delete it), or it could not be checked.
    Unknown {
        reason: String,
        /// Why the check failed, if it did.
        check: Option<Failure>,
    },
}

impl Deleted {
    pub fn outcome(&self) -> Outcome {
        match self {
            Deleted::Yes => Outcome::Deleted,
            Deleted::No { .. } => Outcome::Failed,
            Deleted::Unknown { .. } => Outcome::Unknown,
        }
    }

    pub fn reason(&self) -> Option<&str> {
        match self {
            Deleted::Yes => None,
            Deleted::No { reason, .. } | Deleted::Unknown { reason, .. } => Some(reason),
        }
    }

    /// Whether further deletions would fail the same way now.
    pub fn stops_the_run(&self) -> bool {
        match self {
            Deleted::Yes => false,
            Deleted::No { failure, .. } => failure.stops_the_run(),
            Deleted::Unknown { check, .. } => check.as_ref().is_some_and(Failure::stops_the_run),
        }
    }
}

/// The journal could not be written: nothing more may be deleted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JournalError {
    /// Before the request: nothing was sent.
    Before(String),
    /// After the request, which ended as `deleted` says: the journal's last
    /// word on it is the `unknown` line written before it was sent.
    After { deleted: Deleted, error: String },
}

impl JournalError {
    pub fn error(&self) -> &str {
        match self {
            JournalError::Before(error) | JournalError::After { error, .. } => error,
        }
    }

    /// For the "after" case where something may have been deleted: a
    /// message that says what, and how to restore it by hand.
    pub fn by_hand(&self, package: &PackageRef, version: Option<&Version>) -> Option<String> {
        let JournalError::After { deleted, error } = self else {
            return None;
        };
        let what = package.describe(version);
        let happened = match deleted {
            Deleted::Yes => "was deleted",
            Deleted::Unknown { .. } => "may have been deleted",
            Deleted::No { .. } => return None,
        };
        Some(format!(
            "{what} {happened} but the journal could not record it ({error}); \
             to undo by hand: {}",
            package.restore_command(version.map(|v| v.id))
        ))
    }
}

/// Deletes one version (or, with `None`, the whole package), journaling
/// before and after.
pub async fn delete_journaled(
    client: &Client,
    journal: &Journal,
    package: &PackageRef,
    version: Option<&Version>,
) -> Result<Deleted, JournalError> {
    delete_journaled_in(client, journal, package, version, None).await
}

/// [`delete_journaled`], with each journal line naming the image the
/// version belongs to.
pub async fn delete_journaled_in(
    client: &Client,
    journal: &Journal,
    package: &PackageRef,
    version: Option<&Version>,
    image: Option<&ImageLink>,
) -> Result<Deleted, JournalError> {
    let record = |outcome, reason| {
        let mut record = JournalRecord::new(package, version, outcome, reason);
        if let Some(link) = image {
            record.image = Some(link.image.clone());
            record.image_level = Some(link.level);
            record.also_in_images = link.also_in.clone();
            record.attached = link.attached;
            record.lists = Some(link.lists.clone());
        }
        record
    };
    journal
        .append(&record(
            Outcome::Unknown,
            Some("request sent, no answer recorded yet".to_string()),
        ))
        .map_err(JournalError::Before)?;
    let (owner, package_type, name) = (
        &package.owner,
        package.package_type.clone(),
        package.name.as_str(),
    );
    let result = match version {
        Some(version) => {
            client
                .delete_version(owner, package_type, name, version.id)
                .await
        }
        None => client.delete_package(owner, package_type, name).await,
    };
    let deleted = match result.map_err(Failure::from) {
        Ok(()) => Deleted::Yes,
        Err(failure) if failure.outcome_unknown() => {
            settle(client, package, version, &failure).await
        }
        Err(failure) => Deleted::No {
            reason: failure.explain(package.subject(version.is_some())),
            failure,
        },
    };
    match journal.append(&record(
        deleted.outcome(),
        deleted.reason().map(str::to_string),
    )) {
        Ok(()) => Ok(deleted),
        Err(error) => Err(JournalError::After { deleted, error }),
    }
}

/// Finds out whether a deletion whose answer was lost took place.
async fn settle(
    client: &Client,
    package: &PackageRef,
    version: Option<&Version>,
    failure: &Failure,
) -> Deleted {
    let subject = package.subject(version.is_some());
    let what_happened = failure.explain(subject);
    match presence(client, package, version.map(|v| v.id)).await {
        Ok(presence) if gone(presence, package.package_id) => Deleted::Yes,
        Ok(_) => Deleted::Unknown {
            reason: format!(
                "{what_happened}; checked afterwards: still there, but GitHub may still \
                 carry the deletion out (restore checks it; a later run with this journal settles it)"
            ),
            check: None,
        },
        Err(check) => Deleted::Unknown {
            reason: format!(
                "{what_happened}; checking afterwards failed too ({})",
                check.explain(subject)
            ),
            check: Some(check),
        },
    }
}

#[cfg(test)]
mod tests {
    use fake_github::{FakeGitHub, Fault, FaultKind, Matcher, Owner};
    use github_packages::types::PackageType;

    use std::path::PathBuf;

    use chrono::Utc;

    use super::*;
    use crate::failure::FailureKind;
    use crate::journal;
    use crate::test_support::client_of;

    fn api(github: &FakeGitHub) -> Client {
        client_of(github)
    }

    fn temp_journal(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("ghpkg-deletion-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir.join("journal.jsonl")
    }

    fn info(id: i64) -> Version {
        Version {
            id,
            name: "1.0.0".to_string(),
            tags: Vec::new(),
            created_at: Utc::now(),
        }
    }

    async fn seeded() -> (FakeGitHub, Vec<i64>, PackageRef) {
        let github = FakeGitHub::start().await;
        let acme = Owner::org("acme");
        github.add_package(&acme, "npm", "lib", "private");
        let ids = github.add_versions(&acme, "npm", "lib", 3);
        let package = PackageRef::new(github_packages::Owner::org("acme"), PackageType::Npm, "lib");
        (github, ids, package)
    }

    fn is_deleted(github: &FakeGitHub, id: i64) -> bool {
        let versions = github.versions(&Owner::org("acme"), "npm", "lib");
        versions.iter().any(|v| v.id == id && v.deleted)
    }

    #[tokio::test]
    async fn a_journal_that_fails_after_the_request_says_what_was_deleted() {
        let (github, ids, package) = seeded().await;
        let api = api(&github);
        let path = temp_journal("after");
        let journal = Journal::failing_after(&path, 1);
        let version = info(ids[0]);
        let error = delete_journaled(&api, &journal, &package, Some(&version))
            .await
            .unwrap_err();
        assert!(is_deleted(&github, ids[0]), "the request was sent");
        let JournalError::After { deleted, .. } = &error else {
            panic!("{error:?}")
        };
        assert_eq!(*deleted, Deleted::Yes);
        let message = error.by_hand(&package, Some(&version)).unwrap();
        let expected = format!(
            "version {} (1.0.0) of npm package lib (--org acme) was deleted but the journal \
             could not record it",
            ids[0]
        );
        assert!(message.starts_with(&expected), "{message}");
        let command = format!(
            "to undo by hand: ghpkg restore --org acme --type npm --name lib --version {}",
            ids[0]
        );
        assert!(message.ends_with(&command), "{message}");
        // What the journal holds is the line written before the request.
        let (records, _) = journal::read(&path).unwrap();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].outcome, Outcome::Unknown);
    }

    #[tokio::test]
    async fn a_journal_that_fails_before_the_request_sends_nothing() {
        let (github, ids, package) = seeded().await;
        let api = api(&github);
        let journal = Journal::failing_after(&temp_journal("before"), 0);
        let error = delete_journaled(&api, &journal, &package, Some(&info(ids[0])))
            .await
            .unwrap_err();
        assert!(matches!(error, JournalError::Before(_)), "{error:?}");
        assert_eq!(error.by_hand(&package, Some(&info(ids[0]))), None);
        assert!(github.requests().is_empty());
    }

    #[tokio::test]
    async fn a_lost_answer_for_a_version_still_there_is_unknown_not_failed() {
        let (github, ids, package) = seeded().await;
        let api = api(&github);
        let journal = Journal::open(&temp_journal("lost")).unwrap();
        github.inject(Fault::new(FaultKind::Status(502)).on(Matcher::Method("DELETE".into())));
        let deleted = delete_journaled(&api, &journal, &package, Some(&info(ids[0])))
            .await
            .unwrap();
        assert_eq!(deleted.outcome(), Outcome::Unknown, "{deleted:?}");
        assert!(!deleted.stops_the_run());
        let reason = deleted.reason().unwrap();
        assert!(
            reason.contains("still there, but GitHub may still"),
            "{reason}"
        );

        // Carried out but answered 502: found deleted.
        github.inject(
            Fault::new(FaultKind::AfterAction(Box::new(FaultKind::Status(502))))
                .on(Matcher::Method("DELETE".into())),
        );
        let deleted = delete_journaled(&api, &journal, &package, Some(&info(ids[1])))
            .await
            .unwrap();
        assert_eq!(deleted, Deleted::Yes);

        // The check fails with a rate limit: unknown, and the run stops.
        github.inject(Fault::new(FaultKind::Status(502)).on(Matcher::Method("DELETE".into())));
        github.inject(
            Fault::new(FaultKind::PrimaryRateLimit {
                reset_in_secs: 3600,
            })
            .on(Matcher::Method("GET".into())),
        );
        let deleted = delete_journaled(&api, &journal, &package, Some(&info(ids[2])))
            .await
            .unwrap();
        let Deleted::Unknown {
            check: Some(check), ..
        } = &deleted
        else {
            panic!("{deleted:?}")
        };
        assert!(matches!(check.kind, FailureKind::RateLimited { .. }));
        assert!(deleted.stops_the_run());
    }
}
