//! The one journal of a prune run, over however many packages: a journal
//! given with `--journal` that exists already is settled first (whether or
//! not the run deletes anything); otherwise it is opened at the first
//! deletion; and it is named at the end only if the run wrote to it.

use std::path::PathBuf;

use super::file::Journal;
use super::settle::open_journal;
use crate::context::Context;
use crate::exit::Exit;
use crate::model::Mode;

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
