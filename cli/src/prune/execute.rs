//! Carrying out a [`Plan`] ([`carry_out`]): its deletions, journaled (see
//! `deletion`) on the run's journal, at most `concurrency` at a time,
//! stopping early when further deletions would fail the same way, and on
//! Ctrl-C.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::StreamExt;
use indicatif::ProgressBar;

use super::interrupts::{Interrupts, Listener};
use super::plan::{Plan, unchanged};
use crate::context::Context;
use crate::deletion::{Deleted, JournalError, delete_journaled_in};
use crate::exit::Exit;
use crate::exit::ExitStatus;
use crate::journal::Journal;
use crate::journal::run::RunJournal;
use crate::model::Fate;
use crate::model::Version;
use crate::policy::{Action, Decision};

/// How carrying out a plan went.
#[derive(Debug)]
pub struct Executed {
    /// One per `plan.decisions`, in the same order. After a Ctrl-C
    /// (`Interrupts::interrupted`), the deletions not started are `Skipped`.
    pub fates: Vec<Fate>,
    /// Why deletions stopped early, when the reason holds for every later
    /// request too (rate limit, token, network, journal): a run pruning
    /// many packages stops there. A version held back because its index
    /// was not deleted does not stop anything beyond its own image.
    pub stopped: Option<String>,
}

/// The fates of `plan`'s versions: a dry run's, or (with `execute`) those of
/// carrying it out on the run's journal, opened if this is the run's first
/// deletion; with why deletions stopped early, if they did. A container
/// package that changed since it was planned ([`unchanged`]) has nothing
/// deleted: its deletions are skipped, and the run goes on. Only the
/// journal failing to open is an error.
pub async fn carry_out<F>(
    context: &Context,
    plan: &mut Plan,
    concurrency: usize,
    journal: &mut RunJournal<'_, F>,
    interrupts: &mut Interrupts,
) -> Result<Executed, Exit>
where
    F: Fn() -> Result<PathBuf, String> + Copy,
{
    let without_deleting = |fates| Executed {
        fates,
        stopped: None,
    };
    if plan.mode.is_dry_run() {
        return Ok(without_deleting(plan.dry_run()));
    }
    if plan.to_delete().is_empty() {
        return Ok(without_deleting(vec![Fate::Kept; plan.decisions.len()]));
    }
    // Fail closed: a container package that changed since it was planned
    // may have a new image that needs a version the plan deletes.
    if plan.images.is_some()
        && let Err(unsure) = unchanged(context, plan, &HashSet::new()).await
    {
        let why = unsure.why;
        context.ui.error(format!(
            "nothing in {} was deleted: {why}",
            plan.package.repository()
        ));
        if unsure.stops_the_run {
            return Ok(Executed {
                fates: plan.not_attempted(&why),
                stopped: Some(why),
            });
        }
        return Ok(without_deleting(plan.not_attempted(&why)));
    }
    let opened = journal.get(context).await?;
    plan.package.learn_login(&context.client).await;
    Ok(execute(context, opened, plan, concurrency, interrupts).await)
}

/// Deletes the selected versions, at most `concurrency` at a time. Ctrl-C
/// (on `interrupts`) stops new deletions; those in flight finish and are
/// journaled. A second Ctrl-C exits at once (their `unknown` lines are
/// already on disk). Interrupted before it starts, it attempts nothing.
pub async fn execute(
    context: &Context,
    journal: &Journal,
    plan: &Plan,
    concurrency: usize,
    interrupts: &mut Interrupts,
) -> Executed {
    let Interrupts {
        listener,
        interrupted,
    } = interrupts;
    let interrupted: &AtomicBool = interrupted;
    // Why the run stopped early, if it did (rate limit, bad token, network,
    // journal).
    let stop: Mutex<Option<String>> = Mutex::new(None);
    let bar = context.ui.bar("deleting", plan.to_delete().len() as u64);
    let run = Run {
        context,
        journal,
        plan,
        interrupted,
        stop: &stop,
    };
    // The watcher is polled alongside the deletions, in the same task: it
    // needs no 'static borrow, and speaks through the Ui, around the bar.
    let (mut fates, changed) = tokio::select! {
        fates = run.delete_levels(concurrency, &bar) => fates,
        () = watch(context, listener, interrupted) => unreachable!("the watcher never ends"),
    };
    context.ui.finish();
    Executed {
        stopped: stop.into_inner().unwrap_or_else(|p| p.into_inner()),
        fates: plan
            .decisions
            .iter()
            .map(|decision| match decision.action {
                Action::Keep => Fate::Kept,
                Action::Delete => {
                    fates
                        .remove(&decision.version.id)
                        .unwrap_or_else(|| match &changed {
                            Some(why) => Fate::Skipped(format!("not attempted: {why}")),
                            None => Fate::Skipped("not attempted".to_string()),
                        })
                }
            })
            .collect(),
    }
}

/// Waits for Ctrl-C while deletions run: the first stops new ones (said
/// once), the second exits at once. Never ends otherwise.
async fn watch(context: &Context, listener: &mut Listener, interrupted: &AtomicBool) {
    // Interrupted before (while an earlier package was pruned): said then;
    // only the second Ctrl-C is waited for.
    let first = interrupted.load(Ordering::SeqCst) || {
        let came = listener.next().await;
        if came {
            interrupted.store(true, Ordering::SeqCst);
            context
                .ui
                .say("interrupted: finishing the deletions in flight (Ctrl-C again to quit now)");
        }
        came
    };
    if first && listener.next().await {
        context.ui.finish();
        std::process::exit(ExitStatus::Interrupted.code().into());
    }
    std::future::pending::<()>().await
}

/// What every deletion of one plan shares.
#[derive(Clone, Copy)]
struct Run<'a> {
    context: &'a Context,
    journal: &'a Journal,
    plan: &'a Plan,
    interrupted: &'a AtomicBool,
    /// Why deletions stopped early, if they did.
    stop: &'a Mutex<Option<String>>,
}

impl Run<'_> {
    /// The plan's deletions, level by level (an index before its
    /// children): a version whose index or image was not deleted is not
    /// attempted, so no remaining version points at a deleted one. The
    /// fates by version id, and why deletions stopped when the package
    /// changed.
    ///
    /// A container package is listed again before each level and every
    /// `recheck_every` deletions (its first check, before any deletion, is
    /// `carry_out`'s): if it changed meanwhile (a new image may list a
    /// version still to delete), nothing more in it is deleted.
    async fn delete_levels(
        &self,
        concurrency: usize,
        bar: &ProgressBar,
    ) -> (HashMap<i64, Fate>, Option<String>) {
        let recheck_every = recheck_every(self.plan.decisions.len());
        let mut fates: HashMap<i64, Fate> = HashMap::new();
        for level in self.plan.deletion_levels() {
            for chunk in level.chunks(recheck_every) {
                if let Err(why) = self.recheck(&fates).await {
                    return (fates, Some(why));
                }
                let done = &fates;
                let chunk_fates: Vec<(i64, Fate)> = futures_util::stream::iter(chunk)
                    .map(|(decision, after)| async move {
                        let fate = self.attempt(decision, after, done).await;
                        bar.inc(1);
                        (decision.version.id, fate)
                    })
                    .buffer_unordered(concurrency)
                    .collect()
                    .await;
                fates.extend(chunk_fates);
            }
        }
        (fates, None)
    }

    /// Before more deletions in a container package: `Err` with why the
    /// package changed since it was planned (or could not be listed), and
    /// then nothing more in it is deleted. Nothing is listed before the
    /// first deletion (`carry_out` did), nor once deletions have stopped.
    async fn recheck(&self, fates: &HashMap<i64, Fate>) -> Result<(), String> {
        let quiet = !self.interrupted.load(Ordering::SeqCst)
            && self
                .stop
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .is_none();
        if self.plan.images.is_none() || fates.is_empty() || !quiet {
            return Ok(());
        }
        let settled: HashSet<i64> = fates.keys().copied().collect();
        let Err(unsure) = unchanged(self.context, self.plan, &settled).await else {
            return Ok(());
        };
        self.context.ui.error(format!(
            "stopped deleting in {}: {}",
            self.plan.package.repository(),
            unsure.why
        ));
        if unsure.stops_the_run {
            stop_with(self.stop, &unsure.why);
        }
        Err(unsure.why)
    }

    /// One deletion: not attempted after a Ctrl-C, once deletions have
    /// stopped, or when a version that lists or refers to it (`after`) is
    /// not `Deleted` in `done`; otherwise journaled and sent.
    async fn attempt(&self, decision: &Decision, after: &[i64], done: &HashMap<i64, Fate>) -> Fate {
        if let Some(skipped) = self.not_attempted(after, done) {
            return skipped;
        }
        let version = &decision.version;
        self.context.ui.note(format!(
            "deleting version {} ({})",
            version.id, version.name
        ));
        let link = self.plan.image_link(version.id);
        let result = delete_journaled_in(
            &self.context.client,
            self.journal,
            &self.plan.package,
            Some(version),
            link.as_ref(),
        )
        .await;
        self.fate_of(version, result)
    }

    /// Why a deletion is not attempted, if it is not: a Ctrl-C, deletions
    /// that stopped, or a version that lists or refers to it (`after`)
    /// that is not `Deleted` in `done`.
    fn not_attempted(&self, after: &[i64], done: &HashMap<i64, Fate>) -> Option<Fate> {
        if self.interrupted.load(Ordering::SeqCst) {
            return Some(Fate::Skipped(
                "interrupted before it was attempted".to_string(),
            ));
        }
        let stopped = self.stop.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some(why) = stopped {
            return Some(Fate::Skipped(format!("not attempted: {why}")));
        }
        let parent = after
            .iter()
            .find(|parent| !matches!(done.get(parent), Some(Fate::Deleted)))?;
        Some(Fate::Skipped(format!(
            "not attempted: version {parent}, which lists or refers to it, was not deleted"
        )))
    }

    /// The fate of a deletion that was sent (or, the journal failing, not),
    /// stopping further deletions when they would fail the same way.
    fn fate_of(&self, version: &Version, result: Result<Deleted, JournalError>) -> Fate {
        let (deleted, not_journaled) = match result {
            Ok(deleted) => {
                if deleted.stops_the_run() {
                    stop_with(self.stop, deleted.reason().unwrap_or_default());
                }
                (deleted, None)
            }
            Err(JournalError::Before(error)) => {
                stop_with(self.stop, &error);
                return Fate::Failed(format!("not sent: {error}"));
            }
            Err(failed @ JournalError::After { .. }) => {
                stop_with(self.stop, failed.error());
                if let Some(message) = failed.by_hand(&self.plan.package, Some(version)) {
                    self.context.ui.error(message);
                }
                let JournalError::After { deleted, error } = failed else {
                    unreachable!("matched above")
                };
                (deleted, Some(format!("not journaled: {error}")))
            }
        };
        match (deleted, not_journaled) {
            (Deleted::Yes, None) => Fate::Deleted,
            (Deleted::Yes, Some(why)) => Fate::DeletedNotJournaled(why),
            (Deleted::No { reason, failure }, why) if failure.refused_by_github() => {
                Fate::RefusedByGitHub(joined(reason, why))
            }
            (Deleted::No { reason, .. }, why) => Fate::Failed(joined(reason, why)),
            (Deleted::Unknown { reason, .. }, why) => Fate::Unknown(joined(reason, why)),
        }
    }
}

/// `reason`, and why it is not journaled if it is not.
fn joined(reason: String, not_journaled: Option<String>) -> String {
    match not_journaled {
        Some(why) => format!("{reason}; {why}"),
        None => reason,
    }
}

/// Records why deletions stop, if nothing stopped them before.
fn stop_with(stop: &Mutex<Option<String>>, why: &str) {
    stop.lock()
        .unwrap_or_else(|p| p.into_inner())
        .get_or_insert_with(|| why.to_string());
}

/// How many deletions of a container package go between two listings of
/// it: at least 500 (about three minutes at GitHub's secondary limit), and
/// at least half the package's versions, so that listing again (one request
/// per 100 versions) adds at most about 2% to the run's requests.
fn recheck_every(versions: usize) -> usize {
    (versions / 2).max(500)
}
