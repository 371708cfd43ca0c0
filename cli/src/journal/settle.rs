//! Opening the journal a run appends to, and settling the `unknown` lines
//! of one that exists already: what each is about is looked at, and a
//! `deleted` line appended for what is gone. What is still there stays
//! `unknown`: GitHub may still carry the deletion out, and `restore` must
//! then still try it (it skips `failed` lines).

use std::path::PathBuf;

use chrono::Utc;

use super::file::{Journal, read};
use super::record::{JournalRecord, Outcome, latest};
use crate::context::Context;
use crate::exit::Exit;
use crate::model::PackageRef;
use crate::presence::{gone, presence};

/// Settles the `unknown` lines of a journal a new run appends to: looks at
/// what each is about and appends `deleted` for what is gone. One still
/// there stays `unknown` (a lost answer does not say GitHub will not carry
/// the deletion out later), with a note; one that cannot be checked stays
/// `unknown`, with a warning. Returns how many lines were settled.
pub async fn settle_journal(context: &Context, journal: &Journal) -> Result<usize, Exit> {
    let (records, warnings) = read(journal.path()).map_err(Exit::failed)?;
    for warning in warnings {
        context.ui.warn(warning);
    }
    let mut settled = 0;
    let unknown = latest(&records)
        .into_iter()
        .filter(|record| record.outcome == Outcome::Unknown);
    for record in unknown {
        let Ok(package) = PackageRef::of_record(&record) else {
            context.ui.warn(format!(
                "{}: cannot settle an unknown line about {} '{}' of owner {:?}",
                journal.path().display(),
                record.package_type,
                record.package,
                record.owner
            ));
            continue;
        };
        let subject = package.subject(record.version_id.is_some());
        let reason = match presence(&context.client, &package, record.version_id).await {
            Ok(presence) if gone(presence, record.package_id) => {
                "settled by a later run: found deleted"
            }
            Ok(_) => {
                context.ui.note(format!(
                    "{}: still there; stays unknown (GitHub may still carry the deletion out; \
                     restore checks it)",
                    describe_record(&record)
                ));
                continue;
            }
            Err(failure) => {
                context.ui.warn(format!(
                    "could not settle the unknown deletion of {}: {}",
                    describe_record(&record),
                    failure.explain(subject)
                ));
                continue;
            }
        };
        context
            .ui
            .note(format!("{}: {reason}", describe_record(&record)));
        journal
            .append(&JournalRecord {
                time: Utc::now(),
                outcome: Outcome::Deleted,
                reason: Some(reason.to_string()),
                ..record
            })
            .map_err(Exit::failed)?;
        settled += 1;
    }
    Ok(settled)
}

fn describe_record(record: &JournalRecord) -> String {
    let package = format!("{} package {}", record.package_type, record.package);
    match record.version_id {
        Some(id) => format!("version {id} of {package}"),
        None => package,
    }
}

/// Opens the journal a run appends to. A journal given with `--journal`
/// that exists already is settled first (see [`settle_journal`]).
pub async fn open_journal(
    context: &Context,
    given: Option<&PathBuf>,
    default: impl FnOnce() -> Result<PathBuf, String>,
) -> Result<(PathBuf, Journal, usize), Exit> {
    let (path, existing) = match given {
        Some(path) => (path.clone(), path.exists()),
        None => (default().map_err(Exit::failed)?, false),
    };
    let journal = Journal::open(&path).map_err(Exit::failed)?;
    context.ui.note(format!("journal {}", path.display()));
    let settled = if existing {
        settle_journal(context, &journal).await?
    } else {
        0
    };
    Ok((path, journal, settled))
}
