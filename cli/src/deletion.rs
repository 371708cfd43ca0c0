//! One journaled deletion, shared by `prune` and `delete`.
//!
//! Order matters for "nothing lost": an `unknown` line is on disk before the
//! request leaves, and the final `deleted` or `failed` line is on disk before
//! the outcome is reported. An outcome GitHub did not make clear (timeout,
//! reset connection, 5xx) is settled by reading the version again.

use std::path::PathBuf;

use chrono::Utc;
use github_packages::types::PackageType;
use serde::Serialize;

use crate::api::Api;
use crate::cli::PackageArgs;
use crate::explain::{Failure, FailureKind, Subject};
use crate::journal::{self, Journal, JournalRecord, Outcome};
use crate::output::{self, OwnerView};
use crate::owner::OwnerRef;
use crate::policy::VersionInfo;
use crate::{Context, Exit};

/// The package a deletion is about.
#[derive(Clone, Debug)]
pub struct Target {
    pub owner: OwnerRef,
    pub package_type: PackageType,
    pub package: String,
    owner_flags: String,
}

impl Target {
    pub fn new(owner: OwnerRef, package_type: PackageType, package: &str) -> Target {
        Target {
            owner_flags: owner.as_flags(),
            owner,
            package_type,
            package: package.to_string(),
        }
    }

    /// What explanations need to know.
    pub fn subject(&self, version: bool) -> Subject<'_> {
        Subject {
            owner_flags: &self.owner_flags,
            package_type: self.package_type.as_str(),
            package: &self.package,
            version,
        }
    }

    /// A journal line about this package or one of its versions.
    pub fn record(
        &self,
        version: Option<&VersionInfo>,
        outcome: Outcome,
        reason: Option<String>,
    ) -> JournalRecord {
        JournalRecord {
            time: Utc::now(),
            owner_kind: self.owner.kind().to_string(),
            owner: self.owner.login().map(str::to_string),
            package_type: self.package_type.to_string(),
            package: self.package.clone(),
            version_id: version.map(|v| v.id),
            name: version.map(|v| v.name.clone()),
            tags: version.map(|v| v.tags.clone()).unwrap_or_default(),
            outcome,
            reason,
        }
    }
}

/// How one deletion ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Deleted {
    /// GitHub deleted it (confirmed, or found gone when checked).
    Yes,
    /// GitHub refused, or the version is still there: why, for people.
    No { reason: String, failure: Failure },
    /// Could not tell, even after checking.
    Unknown { reason: String },
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
            Deleted::No { reason, .. } | Deleted::Unknown { reason } => Some(reason),
        }
    }

    /// Whether further deletions would fail the same way now.
    pub fn stops_the_run(&self) -> bool {
        matches!(self, Deleted::No { failure, .. } if failure.stops_the_run())
    }
}

/// Deletes one version (or, with `None`, the whole package), journaling
/// before and after. `Err` only when the journal cannot be written: then
/// nothing more may be deleted.
pub async fn delete_journaled(
    api: &Api,
    journal: &Journal,
    target: &Target,
    version: Option<&VersionInfo>,
) -> Result<Deleted, String> {
    journal.append(&target.record(
        version,
        Outcome::Unknown,
        Some("request sent, no answer recorded yet".to_string()),
    ))?;
    let (owner, package_type, package) =
        (&target.owner, &target.package_type, target.package.as_str());
    let result = match version {
        Some(version) => {
            api.delete_version(owner, package_type, package, version.id)
                .await
        }
        None => api.delete_package(owner, package_type, package).await,
    };
    let deleted = match result {
        Ok(()) => Deleted::Yes,
        Err(failure) if failure.outcome_unknown() => settle(api, target, version, &failure).await,
        Err(failure) => Deleted::No {
            reason: failure.explain(target.subject(version.is_some())),
            failure,
        },
    };
    journal.append(&target.record(
        version,
        deleted.outcome(),
        deleted.reason().map(str::to_string),
    ))?;
    Ok(deleted)
}

/// Finds out whether a deletion whose answer was lost took place.
async fn settle(
    api: &Api,
    target: &Target,
    version: Option<&VersionInfo>,
    failure: &Failure,
) -> Deleted {
    let (owner, package_type, package) =
        (&target.owner, &target.package_type, target.package.as_str());
    let what_happened = failure.explain(target.subject(version.is_some()));
    let check = match version {
        Some(version) => api
            .version(owner, package_type, package, version.id)
            .await
            .map(|found| found.deleted_at.is_none()),
        None => api
            .package(owner, package_type, package)
            .await
            .map(|_| true),
    };
    match check {
        Ok(true) => Deleted::No {
            reason: format!("{what_happened}; checked afterwards: it is still there"),
            failure: failure.clone(),
        },
        Ok(false) => Deleted::Yes,
        Err(gone) if gone.kind == FailureKind::NotFound => Deleted::Yes,
        Err(check_failed) => Deleted::Unknown {
            reason: format!(
                "{what_happened}; checking afterwards failed too ({})",
                check_failed.explain(target.subject(version.is_some()))
            ),
        },
    }
}

/// `ghpkg delete`: one package or version, journaled.
pub async fn delete(
    context: &Context,
    owner: OwnerRef,
    package: &PackageArgs,
    version_id: Option<i64>,
    journal_path: Option<PathBuf>,
) -> Result<(), Exit> {
    let target = Target::new(owner, package.package_type.package_type(), &package.name);
    let subject = target.subject(version_id.is_some());
    // Read what is about to go, so the journal can say what it was.
    let version = match version_id {
        Some(id) => {
            let found = context
                .api
                .version(&target.owner, &target.package_type, &target.package, id)
                .await
                .map_err(|failure| Exit::failed(failure.explain(subject)))?;
            if found.deleted_at.is_some() {
                return Err(Exit::failed(format!("version {id} is already deleted")));
            }
            Some(crate::api::version_info(&found))
        }
        None => {
            context
                .api
                .package(&target.owner, &target.package_type, &target.package)
                .await
                .map_err(|failure| Exit::failed(failure.explain(subject)))?;
            None
        }
    };
    let path = match journal_path {
        Some(path) => path,
        None => {
            journal::default_path("delete", &target.package, Utc::now()).map_err(Exit::failed)?
        }
    };
    let journal = Journal::open(&path).map_err(Exit::failed)?;
    context.ui.note(format!("journal {}", path.display()));
    let deleted = delete_journaled(&context.api, &journal, &target, version.as_ref())
        .await
        .map_err(Exit::failed)?;

    let what = match &version {
        Some(version) => format!("version {} ({})", version.id, version.name),
        None => format!("package {}", target.package),
    };
    if context.json {
        #[derive(Serialize)]
        struct DeleteView<'a> {
            owner: OwnerView,
            #[serde(rename = "type")]
            package_type: &'a str,
            package: &'a str,
            version_id: Option<i64>,
            name: Option<&'a str>,
            outcome: Outcome,
            reason: Option<&'a str>,
            journal: String,
        }
        output::print_json(&DeleteView {
            owner: OwnerView::from(&target.owner),
            package_type: target.package_type.as_str(),
            package: &target.package,
            version_id,
            name: version.as_ref().map(|v| v.name.as_str()),
            outcome: deleted.outcome(),
            reason: deleted.reason(),
            journal: path.display().to_string(),
        })
        .map_err(|error| Exit::failed(error.to_string()))?;
    } else {
        let line = match &deleted {
            Deleted::Yes => format!("deleted {what}"),
            Deleted::No { reason, .. } => format!("not deleted: {what}: {reason}"),
            Deleted::Unknown { reason } => format!("unknown whether {what} was deleted: {reason}"),
        };
        output::print_text(&format!(
            "{line}\njournal: {} (undo with: ghpkg restore --journal {})\n",
            path.display(),
            path.display()
        ));
    }
    match deleted {
        Deleted::Yes => Ok(()),
        _ => Err(Exit::reported(1)),
    }
}
