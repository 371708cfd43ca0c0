//! The one journal of a prune run, over however many packages: a journal
//! given with `--journal` that exists already is settled first (whether or
//! not the run deletes anything); otherwise it is opened at the first
//! deletion; and it is named at the end only if the run wrote to it.
//! [`carry_out`] runs one package's plan on it.

use std::collections::HashSet;
use std::path::PathBuf;

use super::execute::{Executed, execute};
use super::interrupts::Interrupts;
use super::plan::{Plan, unchanged};
use crate::context::Context;
use crate::deletion::open_journal;
use crate::exit::Exit;
use crate::journal::Journal;
use crate::model::{Fate, Mode};

pub struct RunJournal<'a, F> {
    given: Option<&'a PathBuf>,
    /// The default journal's path, for when none is given.
    default: F,
    open: Option<(PathBuf, Journal)>,
    /// How many `unknown` lines of a given journal were settled.
    settled: usize,
}

impl<'a, F> RunJournal<'a, F>
where
    F: Fn() -> Result<PathBuf, String> + Copy,
{
    /// Settles a given, existing journal now when the run may delete.
    pub async fn start(
        context: &Context,
        given: Option<&'a PathBuf>,
        mode: Mode,
        default: F,
    ) -> Result<RunJournal<'a, F>, Exit> {
        let mut journal = RunJournal {
            given,
            default,
            open: None,
            settled: 0,
        };
        if let Some(path) = given.filter(|path| mode == Mode::Execute && path.exists()) {
            let (path, opened, settled) = open_journal(context, Some(path), default).await?;
            journal.open = Some((path, opened));
            journal.settled = settled;
        }
        Ok(journal)
    }

    /// The journal to append to, opened on first use.
    pub async fn get(&mut self, context: &Context) -> Result<&Journal, Exit> {
        if self.open.is_none() {
            let (path, opened, _) = open_journal(context, self.given, self.default).await?;
            self.open = Some((path, opened));
        }
        Ok(&self.open.as_ref().expect("opened above").1)
    }

    /// The journal's path if the run wrote to it: `wrote` (it sent
    /// deletions), or settled lines of a given journal.
    pub fn written(self, wrote: bool) -> Option<PathBuf> {
        let settled = self.settled > 0;
        self.open.filter(|_| wrote || settled).map(|(path, _)| path)
    }
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
