//! `ghpkg prune`: list the active versions, let the retention policy decide,
//! print the plan (dry run) or carry it out with bounded concurrency.
//!
//! A re-run continues where an interrupted run stopped: versions deleted
//! before are no longer in the active list, and the policy, applied to what
//! is left, selects what remains to delete (a `--keep-latest` count is
//! computed on the remaining versions and so keeps the same ones).

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use github_packages::types::PackageVersionState;
use serde::Serialize;

use crate::api::{self, Api};
use crate::cli::PruneArgs;
use crate::deletion::{Deleted, JournalError, Target, delete_journaled, open_journal};
use crate::duration::format_age;
use crate::journal::{self, Journal};
use crate::output::{self, OwnerView, Table, tags_cell};
use crate::policy::{Action, Decision, decide};
use crate::{Context, Exit};

/// What happened to one version in this run.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Fate {
    /// Dry run: the policy would delete it.
    WouldDelete,
    /// The policy keeps it.
    Kept,
    Deleted,
    /// Deleted, but the journal could not record it (see stderr).
    DeletedNotJournaled(String),
    Failed(String),
    Unknown(String),
    /// Not attempted (interrupted, or the run had to stop).
    Skipped(String),
}

impl Fate {
    fn label(&self) -> &'static str {
        match self {
            Fate::WouldDelete => "would-delete",
            Fate::Kept => "kept",
            Fate::Deleted => "deleted",
            Fate::DeletedNotJournaled(_) => "deleted-not-journaled",
            Fate::Failed(_) => "failed",
            Fate::Unknown(_) => "unknown",
            Fate::Skipped(_) => "skipped",
        }
    }

    fn error(&self) -> Option<&str> {
        match self {
            Fate::DeletedNotJournaled(why)
            | Fate::Failed(why)
            | Fate::Unknown(why)
            | Fate::Skipped(why) => Some(why),
            _ => None,
        }
    }
}

/// The counts that end every run.
#[derive(Debug, Default, PartialEq, Eq, Serialize)]
struct Summary {
    would_delete: usize,
    deleted: usize,
    /// Deleted, but the journal could not record them (see stderr).
    deleted_not_journaled: usize,
    kept: usize,
    failed: usize,
    unknown: usize,
    skipped: usize,
}

impl Summary {
    fn of(fates: &[Fate]) -> Summary {
        let mut summary = Summary::default();
        for fate in fates {
            match fate {
                Fate::WouldDelete => summary.would_delete += 1,
                Fate::Kept => summary.kept += 1,
                Fate::Deleted => summary.deleted += 1,
                Fate::DeletedNotJournaled(_) => summary.deleted_not_journaled += 1,
                Fate::Failed(_) => summary.failed += 1,
                Fate::Unknown(_) => summary.unknown += 1,
                Fate::Skipped(_) => summary.skipped += 1,
            }
        }
        summary
    }

    fn line(&self, dry_run: bool) -> String {
        if dry_run {
            return format!(
                "dry run: would delete {}, keep {}; nothing was deleted (add --execute to delete)",
                self.would_delete, self.kept
            );
        }
        let mut line = format!(
            "deleted {}, kept {}, failed {}, skipped {}",
            self.deleted, self.kept, self.failed, self.skipped
        );
        if self.unknown > 0 {
            line.push_str(&format!(", unknown {}", self.unknown));
        }
        if self.deleted_not_journaled > 0 {
            line.push_str(&format!(
                ", deleted but not journaled {}",
                self.deleted_not_journaled
            ));
        }
        line
    }
}

pub async fn prune(context: &Context, args: &PruneArgs) -> Result<(), Exit> {
    let mut target = Target::new(
        args.owner.owner(),
        args.package.package_type.package_type(),
        &args.package.name,
    );
    let policy = args.policy();
    let now = Utc::now();
    let default_journal = || {
        journal::default_path("prune", &args.package.name, now, |name| {
            std::env::var(name).ok()
        })
    };

    // A journal given that exists already is settled before anything else,
    // whether or not this run deletes anything.
    let mut journal: Option<(std::path::PathBuf, Journal)> = None;
    let mut settled = 0;
    if let Some(path) = args.journal.as_ref().filter(|p| args.execute && p.exists()) {
        let (path, opened, count) = open_journal(context, Some(path), default_journal).await?;
        journal = Some((path, opened));
        settled = count;
    }

    let spinner = context.ui.spinner("listing versions");
    let versions = context
        .api
        .versions(
            &target.owner,
            &target.package_type,
            &target.package,
            PackageVersionState::Active,
            &spinner,
        )
        .await
        .map_err(|failure| failure.exit(target.subject(false)))?;
    context.ui.finish();
    let infos: Vec<_> = versions.iter().map(api::version_info).collect();
    let decisions = decide(&policy, &infos, now);
    let to_delete: Vec<&Decision> = decisions
        .iter()
        .filter(|d| d.action == Action::Delete)
        .collect();
    context.ui.note(format!(
        "{} active versions, {} selected by the policy",
        decisions.len(),
        to_delete.len()
    ));

    let mut interrupted = false;
    let fates: Vec<Fate> = if !args.execute {
        decisions
            .iter()
            .map(|d| match d.action {
                Action::Delete => Fate::WouldDelete,
                Action::Keep => Fate::Kept,
            })
            .collect()
    } else if to_delete.is_empty() {
        vec![Fate::Kept; decisions.len()]
    } else {
        let (path, opened) = match journal.take() {
            Some(open) => open,
            None => {
                let (path, opened, _) =
                    open_journal(context, args.journal.as_ref(), default_journal).await?;
                (path, opened)
            }
        };
        target.learn_login(&context.api).await;
        let run = execute(
            context,
            &opened,
            &target,
            &to_delete,
            usize::from(args.concurrency),
        )
        .await;
        journal = Some((path, opened));
        interrupted = run.interrupted;
        decisions
            .iter()
            .map(|d| match d.action {
                Action::Keep => Fate::Kept,
                Action::Delete => run
                    .fates
                    .get(&d.version.id)
                    .cloned()
                    .unwrap_or_else(|| Fate::Skipped("not attempted".to_string())),
            })
            .collect()
    };
    // Name the journal when this run wrote to it.
    let ran = fates
        .iter()
        .any(|fate| !matches!(fate, Fate::WouldDelete | Fate::Kept | Fate::Skipped(_)));
    let journal_path = journal.filter(|_| ran || settled > 0).map(|(path, _)| path);

    let summary = Summary::of(&fates);
    report(
        context,
        &target,
        &decisions,
        &fates,
        &summary,
        args.execute,
        journal_path.as_ref(),
        now,
    )?;
    if interrupted {
        return Err(Exit {
            code: 130,
            message: Some(format!(
                "interrupted: {} deletions not attempted; run the same command again to continue",
                summary.skipped
            )),
        });
    }
    if summary.failed + summary.unknown + summary.skipped + summary.deleted_not_journaled > 0 {
        return Err(Exit::reported(1));
    }
    Ok(())
}

struct Run {
    fates: HashMap<i64, Fate>,
    interrupted: bool,
}

/// Deletes the selected versions, at most `concurrency` at a time. Ctrl-C
/// stops new deletions; those in flight finish and are journaled. A second
/// Ctrl-C exits at once (their `unknown` lines are already on disk).
async fn execute(
    context: &Context,
    journal: &Journal,
    target: &Target,
    to_delete: &[&Decision],
    concurrency: usize,
) -> Run {
    let interrupted = AtomicBool::new(false);
    // Polled alongside the deletions, in the same task: it needs no 'static
    // borrow, and speaks through the Ui, around the progress bar.
    let mut interrupts = Interrupts::listen();
    let watcher = async {
        if interrupts.next().await {
            interrupted.store(true, Ordering::SeqCst);
            context
                .ui
                .say("interrupted: finishing the deletions in flight (Ctrl-C again to quit now)");
            if interrupts.next().await {
                context.ui.finish();
                std::process::exit(130);
            }
        }
        std::future::pending::<()>().await
    };
    // Why the run stopped early, if it did (rate limit, bad token, network,
    // journal).
    let stop: Mutex<Option<String>> = Mutex::new(None);
    let bar = context.ui.bar("deleting", to_delete.len() as u64);
    let api: &Api = &context.api;
    let stop_with = |why: &str| {
        stop.lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_or_insert_with(|| why.to_string());
    };

    let deletions = futures_util::stream::iter(to_delete.iter().copied())
        .map(|decision| {
            let (interrupted, stop, bar, stop_with) = (&interrupted, &stop, &bar, &stop_with);
            async move {
                let version = &decision.version;
                let stopped = stop.lock().unwrap_or_else(|p| p.into_inner()).clone();
                let fate = if interrupted.load(Ordering::SeqCst) {
                    Fate::Skipped("interrupted before it was attempted".to_string())
                } else if let Some(why) = stopped {
                    Fate::Skipped(format!("not attempted: {why}"))
                } else {
                    context.ui.note(format!(
                        "deleting version {} ({})",
                        version.id, version.name
                    ));
                    match delete_journaled(api, journal, target, Some(version)).await {
                        Ok(deleted) => {
                            if deleted.stops_the_run() {
                                stop_with(deleted.reason().unwrap_or_default());
                            }
                            match deleted {
                                Deleted::Yes => Fate::Deleted,
                                Deleted::No { reason, .. } => Fate::Failed(reason),
                                Deleted::Unknown { reason, .. } => Fate::Unknown(reason),
                            }
                        }
                        Err(JournalError::Before(error)) => {
                            stop_with(&error);
                            Fate::Failed(format!("not sent: {error}"))
                        }
                        Err(failed @ JournalError::After { .. }) => {
                            stop_with(failed.error());
                            if let Some(message) = failed.by_hand(target, Some(version)) {
                                context.ui.error(message);
                            }
                            let JournalError::After { deleted, error } = failed else {
                                unreachable!("matched above")
                            };
                            let not_journaled = format!("not journaled: {error}");
                            match deleted {
                                Deleted::Yes => Fate::DeletedNotJournaled(not_journaled),
                                Deleted::No { reason, .. } => {
                                    Fate::Failed(format!("{reason}; {not_journaled}"))
                                }
                                Deleted::Unknown { reason, .. } => {
                                    Fate::Unknown(format!("{reason}; {not_journaled}"))
                                }
                            }
                        }
                    }
                };
                bar.inc(1);
                (version.id, fate)
            }
        })
        .buffer_unordered(concurrency)
        .collect::<HashMap<i64, Fate>>();
    let fates = tokio::select! {
        fates = deletions => fates,
        () = watcher => unreachable!("the watcher never ends"),
    };
    context.ui.finish();
    Run {
        fates,
        interrupted: interrupted.load(Ordering::SeqCst),
    }
}

/// Ctrl-C, listened for from the moment this exists (so a signal that
/// arrives right after the first request is not missed).
struct Interrupts {
    #[cfg(unix)]
    signal: Option<tokio::signal::unix::Signal>,
}

impl Interrupts {
    fn listen() -> Interrupts {
        Interrupts {
            #[cfg(unix)]
            signal: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()).ok(),
        }
    }

    /// Waits for the next Ctrl-C; `false` if none can come.
    async fn next(&mut self) -> bool {
        #[cfg(unix)]
        {
            match &mut self.signal {
                Some(signal) => signal.recv().await.is_some(),
                None => std::future::pending().await,
            }
        }
        #[cfg(not(unix))]
        {
            tokio::signal::ctrl_c().await.is_ok()
        }
    }
}

/// One row of `prune --json`; field names are stable.
#[derive(Serialize)]
struct VersionRow<'a> {
    id: i64,
    name: &'a str,
    tags: &'a [String],
    created_at: DateTime<Utc>,
    /// The policy's decision: `delete` or `keep`.
    action: Action,
    /// Why the policy decided so.
    reason: &'a str,
    /// `would-delete`, `kept`, `deleted`, `deleted-not-journaled`, `failed`,
    /// `unknown` or `skipped`.
    result: &'static str,
    /// Why a deletion failed, stayed unknown or was skipped.
    error: Option<&'a str>,
}

#[derive(Serialize)]
struct PruneView<'a> {
    mode: &'static str,
    owner: OwnerView,
    #[serde(rename = "type")]
    package_type: &'a str,
    package: &'a str,
    versions: Vec<VersionRow<'a>>,
    summary: &'a Summary,
    journal: Option<String>,
}

#[allow(clippy::too_many_arguments)]
fn report(
    context: &Context,
    target: &Target,
    decisions: &[Decision],
    fates: &[Fate],
    summary: &Summary,
    execute: bool,
    journal_path: Option<&std::path::PathBuf>,
    now: DateTime<Utc>,
) -> Result<(), Exit> {
    if context.json {
        let view = PruneView {
            mode: if execute { "execute" } else { "dry-run" },
            owner: OwnerView::from(&target.owner),
            package_type: target.package_type.as_str(),
            package: &target.package,
            versions: decisions
                .iter()
                .zip(fates)
                .map(|(d, fate)| VersionRow {
                    id: d.version.id,
                    name: &d.version.name,
                    tags: &d.version.tags,
                    created_at: d.version.created_at,
                    action: d.action,
                    reason: &d.reason,
                    result: fate.label(),
                    error: fate.error(),
                })
                .collect(),
            summary,
            journal: journal_path.map(|p| p.display().to_string()),
        };
        return output::print_json(&view).map_err(|error| Exit::failed(error.to_string()));
    }
    let mut table = Table::new(&["RESULT", "ID", "NAME", "TAGS", "AGE", "WHY"]);
    for (d, fate) in decisions.iter().zip(fates) {
        let why = match fate.error() {
            Some(error) => format!("{}: {error}", d.reason),
            None => d.reason.clone(),
        };
        table.row(vec![
            fate.label().to_string(),
            d.version.id.to_string(),
            d.version.name.clone(),
            tags_cell(&d.version.tags),
            format_age(now - d.version.created_at),
            why,
        ]);
    }
    let mut text = if table.is_empty() {
        format!(
            "no active versions in {} package {}\n",
            target.package_type, target.package
        )
    } else {
        table.render()
    };
    text.push_str(&summary.line(!execute));
    text.push('\n');
    if let Some(path) = journal_path {
        text.push_str(&journal::undo_hint(path));
        text.push('\n');
    }
    output::print_text(&text);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_counts_every_fate() {
        let fates = [
            Fate::Deleted,
            Fate::Deleted,
            Fate::Kept,
            Fate::Failed("x".into()),
            Fate::Skipped("y".into()),
            Fate::Unknown("z".into()),
            Fate::DeletedNotJournaled("w".into()),
        ];
        let summary = Summary::of(&fates);
        assert_eq!(
            summary,
            Summary {
                would_delete: 0,
                deleted: 2,
                deleted_not_journaled: 1,
                kept: 1,
                failed: 1,
                unknown: 1,
                skipped: 1
            }
        );
        assert_eq!(
            summary.line(false),
            "deleted 2, kept 1, failed 1, skipped 1, unknown 1, deleted but not journaled 1"
        );
    }

    #[test]
    fn dry_run_summary_says_nothing_was_deleted() {
        let summary = Summary::of(&[Fate::WouldDelete, Fate::Kept, Fate::Kept]);
        assert_eq!(
            summary.line(true),
            "dry run: would delete 1, keep 2; nothing was deleted (add --execute to delete)"
        );
    }
}
