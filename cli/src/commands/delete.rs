//! `ghpkg delete`: one package or version, journaled (the mechanism is
//! `deletion`'s).

use std::path::{Path, PathBuf};

use chrono::Utc;
use github_packages::Owner;

use crate::args::PackageArgs;
use crate::context::Context;
use crate::deletion::{Deleted, JournalError, delete_journaled};
use crate::exit::{Exit, ExitStatus};
use crate::failure::Failure;
use crate::journal;
use crate::journal::settle::open_journal;
use crate::model::PackageRef;
use crate::model::Version;
use crate::output::{self, json::DeleteDoc};

/// `ghpkg delete`: one package or version, journaled.
pub async fn run(
    context: &Context,
    owner: Owner,
    package: &PackageArgs,
    version_id: Option<i64>,
    journal_path: Option<PathBuf>,
) -> Result<(), Exit> {
    let mut target = PackageRef::new(owner, package.package_type.package_type(), &package.name);
    let version = read_what_goes(context, &mut target, version_id).await?;
    let (path, journal, _) = open_journal(context, journal_path.as_ref(), || {
        journal::default_path("delete", &target.name, Utc::now(), |name| {
            std::env::var(name).ok()
        })
    })
    .await?;
    let (deleted, journaled) =
        match delete_journaled(&context.client, &journal, &target, version.as_ref()).await {
            Ok(deleted) => (deleted, None),
            Err(JournalError::Before(error)) => {
                return Err(Exit::failed(format!("nothing was deleted: {error}")));
            }
            Err(failed @ JournalError::After { .. }) => {
                if let Some(message) = failed.by_hand(&target, version.as_ref()) {
                    context.ui.error(message);
                }
                let JournalError::After { deleted, error } = failed else {
                    unreachable!("matched above")
                };
                (deleted, Some(error))
            }
        };
    let report = Report {
        target: &target,
        version_id,
        version: version.as_ref(),
        deleted: &deleted,
        not_journaled: journaled.as_deref(),
        journal: &path,
    };
    report.print(context)?;
    match (deleted, journaled) {
        (Deleted::Yes, None) => Ok(()),
        _ => Err(Exit::reported(ExitStatus::Failed)),
    }
}

/// Reads what is about to go, so the journal can say what it was: the
/// version (which must not be deleted already), or the package's id and
/// owner's login.
async fn read_what_goes(
    context: &Context,
    target: &mut PackageRef,
    version_id: Option<i64>,
) -> Result<Option<Version>, Exit> {
    let Some(id) = version_id else {
        let found = context
            .client
            .package(&target.owner, target.package_type.clone(), &target.name)
            .await
            .map_err(|error| Failure::from(error).exit(target.subject(false)))?;
        target.package_id = Some(found.id);
        target.login = found.owner.map(|owner| owner.login);
        return Ok(None);
    };
    let found = context
        .client
        .version(&target.owner, target.package_type.clone(), &target.name, id)
        .await
        .map_err(|error| Failure::from(error).exit(target.subject(true)))?;
    if found.deleted_at.is_some() {
        return Err(Exit::failed(format!("version {id} is already deleted")));
    }
    target.learn_login(&context.client).await;
    Ok(Some(Version::of(&found)))
}

/// How the deletion went, for the output.
struct Report<'a> {
    target: &'a PackageRef,
    /// The version asked for, if one was.
    version_id: Option<i64>,
    version: Option<&'a Version>,
    deleted: &'a Deleted,
    /// Why the journal does not record the outcome, if it does not.
    not_journaled: Option<&'a str>,
    journal: &'a Path,
}

impl Report<'_> {
    fn print(&self, context: &Context) -> Result<(), Exit> {
        if context.json {
            return context.print_json(&DeleteDoc {
                about: self.target,
                version_id: self.version_id,
                name: self.version.map(|v| v.name.as_str()),
                outcome: self.deleted.outcome(),
                reason: self.deleted.reason(),
                journal: self.journal.display().to_string(),
                journaled: self.not_journaled.is_none(),
            });
        }
        let what = match self.version {
            Some(version) => format!("version {} ({})", version.id, version.name),
            None => format!("package {}", self.target.name),
        };
        let mut line = match self.deleted {
            Deleted::Yes => format!("deleted {what}"),
            Deleted::No { reason, .. } => format!("not deleted: {what}: {reason}"),
            Deleted::Unknown { reason, .. } => {
                format!("unknown whether {what} was deleted: {reason}")
            }
        };
        if let Some(error) = self.not_journaled {
            line.push_str(&format!(" (not journaled: {error})"));
        }
        output::print_text(&format!("{line}\n{}\n", journal::undo_hint(self.journal)));
        Ok(())
    }
}
