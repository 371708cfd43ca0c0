//! Carrying out a [`Plan`] ([`carry_out`]): its deletions, journaled (see
//! `deletion`) on the run's journal, at most `concurrency` at a time,
//! stopping early when further deletions would fail the same way, and on
//! Ctrl-C.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::StreamExt;

use super::interrupts::Interrupts;
use super::plan::{Plan, unchanged};
use crate::context::Context;
use crate::deletion::{Deleted, JournalError, delete_journaled_in};
use crate::exit::Exit;
use crate::exit::ExitStatus;
use crate::journal::Journal;
use crate::journal::run::RunJournal;
use crate::model::Fate;
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
            plan.target.repository()
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
    plan.target.learn_login(&context.client).await;
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
    let target = &plan.target;
    let to_delete = plan.to_delete();
    let Interrupts {
        listener,
        interrupted,
    } = interrupts;
    let interrupted: &AtomicBool = interrupted;
    // Polled alongside the deletions, in the same task: it needs no 'static
    // borrow, and speaks through the Ui, around the progress bar.
    let watcher = async {
        // Interrupted before (while an earlier package was pruned): said
        // then; only the second Ctrl-C is waited for.
        let first = interrupted.load(Ordering::SeqCst) || {
            let came = listener.next().await;
            if came {
                interrupted.store(true, Ordering::SeqCst);
                context.ui.say(
                    "interrupted: finishing the deletions in flight (Ctrl-C again to quit now)",
                );
            }
            came
        };
        if first && listener.next().await {
            context.ui.finish();
            std::process::exit(ExitStatus::Interrupted.code().into());
        }
        std::future::pending::<()>().await
    };
    // Why the run stopped early, if it did (rate limit, bad token, network,
    // journal).
    let stop: Mutex<Option<String>> = Mutex::new(None);
    let bar = context.ui.bar("deleting", to_delete.len() as u64);

    // Level by level (an index before its children): a version whose index
    // or image was not deleted is not attempted, so no remaining version
    // points at a deleted one.
    //
    // A container package is listed again before each level and every
    // `recheck_every` deletions (its first check, before any deletion, is
    // `carry_out`'s): if it changed meanwhile (a new image may list a
    // version still to delete), nothing more in it is deleted.
    let recheck = plan.images.is_some();
    let recheck_every = recheck_every(plan.decisions.len());
    let deletions = async {
        let mut fates: HashMap<i64, Fate> = HashMap::new();
        let mut changed: Option<String> = None;
        'levels: for level in plan.deletion_levels() {
            for chunk in level.chunks(recheck_every) {
                let quiet = !interrupted.load(Ordering::SeqCst)
                    && stop.lock().unwrap_or_else(|p| p.into_inner()).is_none();
                if recheck && !fates.is_empty() && quiet {
                    let settled: HashSet<i64> = fates.keys().copied().collect();
                    if let Err(unsure) = unchanged(context, plan, &settled).await {
                        context.ui.error(format!(
                            "stopped deleting in {}: {}",
                            target.repository(),
                            unsure.why
                        ));
                        if unsure.stops_the_run {
                            stop_with(&stop, &unsure.why);
                        }
                        changed = Some(unsure.why);
                        break 'levels;
                    }
                }
                let done = &fates;
                let level_fates: Vec<(i64, Fate)> = futures_util::stream::iter(chunk)
                    .map(|(decision, after)| {
                        let run = Run {
                            context,
                            journal,
                            plan,
                            interrupted,
                            stop: &stop,
                        };
                        let bar = &bar;
                        async move {
                            let fate = run.attempt(decision, after, done).await;
                            bar.inc(1);
                            (decision.version.id, fate)
                        }
                    })
                    .buffer_unordered(concurrency)
                    .collect()
                    .await;
                fates.extend(level_fates);
            }
        }
        (fates, changed)
    };
    let (mut fates, changed) = tokio::select! {
        fates = deletions => fates,
        () = watcher => unreachable!("the watcher never ends"),
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
    /// One deletion: not attempted after a Ctrl-C, once deletions have
    /// stopped, or when a version that lists or refers to it (`after`) is
    /// not `Deleted` in `done`; otherwise journaled and sent.
    async fn attempt(&self, decision: &Decision, after: &[i64], done: &HashMap<i64, Fate>) -> Fate {
        let target = &self.plan.target;
        let version = &decision.version;
        let stopped = self.stop.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let held_back = after
            .iter()
            .find(|parent| !matches!(done.get(parent), Some(Fate::Deleted)));
        if self.interrupted.load(Ordering::SeqCst) {
            Fate::Skipped("interrupted before it was attempted".to_string())
        } else if let Some(why) = stopped {
            Fate::Skipped(format!("not attempted: {why}"))
        } else if let Some(parent) = held_back {
            Fate::Skipped(format!(
                "not attempted: version {parent}, which lists or refers to it, was not \
                 deleted"
            ))
        } else {
            self.context.ui.note(format!(
                "deleting version {} ({})",
                version.id, version.name
            ));
            let link = self.plan.image_link(version.id);
            match delete_journaled_in(
                &self.context.client,
                self.journal,
                target,
                Some(version),
                link.as_ref(),
            )
            .await
            {
                Ok(deleted) => {
                    if deleted.stops_the_run() {
                        stop_with(self.stop, deleted.reason().unwrap_or_default());
                    }
                    match deleted {
                        Deleted::Yes => Fate::Deleted,
                        Deleted::No { reason, .. } => Fate::Failed(reason),
                        Deleted::Unknown { reason, .. } => Fate::Unknown(reason),
                    }
                }
                Err(JournalError::Before(error)) => {
                    stop_with(self.stop, &error);
                    Fate::Failed(format!("not sent: {error}"))
                }
                Err(failed @ JournalError::After { .. }) => {
                    stop_with(self.stop, failed.error());
                    if let Some(message) = failed.by_hand(target, Some(version)) {
                        self.context.ui.error(message);
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
        }
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
