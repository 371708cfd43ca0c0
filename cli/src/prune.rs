//! `ghpkg prune`: list the active versions, let the retention policy decide,
//! print the plan (dry run) or carry it out with bounded concurrency.
//!
//! A re-run continues where an interrupted run stopped: versions deleted
//! before are no longer in the active list, and the policy, applied to what
//! is left, selects what remains to delete (a `--keep-latest` count is
//! computed on the remaining versions and so keeps the same ones).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use github_packages::types::PackageVersionState;
use serde::Serialize;

use crate::api::{self, Api};
use crate::cli::PruneArgs;
use crate::deletion::{Deleted, Target, delete_journaled};
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
            Fate::Failed(_) => "failed",
            Fate::Unknown(_) => "unknown",
            Fate::Skipped(_) => "skipped",
        }
    }

    fn error(&self) -> Option<&str> {
        match self {
            Fate::Failed(why) | Fate::Unknown(why) | Fate::Skipped(why) => Some(why),
            _ => None,
        }
    }
}

/// The counts that end every run.
#[derive(Debug, Default, PartialEq, Eq, Serialize)]
struct Summary {
    would_delete: usize,
    deleted: usize,
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
        line
    }
}

pub async fn prune(context: &Context, args: &PruneArgs) -> Result<(), Exit> {
    let target = Target::new(
        args.owner.owner(),
        args.package.package_type.package_type(),
        &args.package.name,
    );
    let policy = args.policy();

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
        .map_err(|failure| Exit::failed(failure.explain(target.subject(false))))?;
    context.ui.finish();
    let infos: Vec<_> = versions.iter().map(api::version_info).collect();
    let now = Utc::now();
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

    let mut journal_path = None;
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
        let path = match &args.journal {
            Some(path) => path.clone(),
            None => journal::default_path("prune", &target.package, now).map_err(Exit::failed)?,
        };
        let journal = Journal::open(&path).map_err(Exit::failed)?;
        journal_path = Some(path);
        let run = execute(
            context,
            &journal,
            &target,
            &to_delete,
            usize::from(args.concurrency),
        )
        .await;
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
    if summary.failed + summary.unknown + summary.skipped > 0 {
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
    let interrupted = Arc::new(AtomicBool::new(false));
    let watcher = {
        let interrupted = Arc::clone(&interrupted);
        let mut interrupts = Interrupts::listen();
        tokio::spawn(async move {
            if interrupts.next().await {
                interrupted.store(true, Ordering::SeqCst);
                eprintln!(
                    "interrupted: finishing the deletions in flight (Ctrl-C again to quit now)"
                );
                if interrupts.next().await {
                    std::process::exit(130);
                }
            }
        })
    };
    // Why the run stopped early, if it did (rate limit, bad token, journal).
    let stop: Mutex<Option<String>> = Mutex::new(None);
    let bar = context.ui.bar("deleting", to_delete.len() as u64);
    let api: &Api = &context.api;

    let fates: HashMap<i64, Fate> = futures_util::stream::iter(to_delete.iter().copied())
        .map(|decision| {
            let (interrupted, stop, bar) = (&interrupted, &stop, &bar);
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
                        Err(journal_error) => {
                            *stop.lock().unwrap_or_else(|p| p.into_inner()) =
                                Some(journal_error.clone());
                            Fate::Failed(journal_error)
                        }
                        Ok(deleted) => {
                            if deleted.stops_the_run() {
                                let why = deleted.reason().unwrap_or_default().to_string();
                                stop.lock()
                                    .unwrap_or_else(|p| p.into_inner())
                                    .get_or_insert(why);
                            }
                            match deleted {
                                Deleted::Yes => Fate::Deleted,
                                Deleted::No { reason, .. } => Fate::Failed(reason),
                                Deleted::Unknown { reason } => Fate::Unknown(reason),
                            }
                        }
                    }
                };
                bar.inc(1);
                (version.id, fate)
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    watcher.abort();
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
    /// `would-delete`, `kept`, `deleted`, `failed`, `unknown` or `skipped`.
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
        text.push_str(&format!(
            "journal: {} (undo with: ghpkg restore --journal {})\n",
            path.display(),
            path.display()
        ));
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
        ];
        let summary = Summary::of(&fates);
        assert_eq!(
            summary,
            Summary {
                would_delete: 0,
                deleted: 2,
                kept: 1,
                failed: 1,
                unknown: 1,
                skipped: 1
            }
        );
        assert_eq!(
            summary.line(false),
            "deleted 2, kept 1, failed 1, skipped 1, unknown 1"
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
