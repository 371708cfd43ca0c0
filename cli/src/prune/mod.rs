//! Pruning one package: [`plan`] lists its versions and lets the retention
//! policy decide, [`execute`] carries a plan out with journaled deletions,
//! [`report`] prints the result. `commands::prune` strings them together;
//! a caller pruning many packages calls them once per package.
//!
//! A re-run continues where an interrupted run stopped: versions deleted
//! before are no longer in the active list, and the policy, applied to what
//! is left, selects what remains to delete (a `--keep-latest` count is
//! computed on the remaining versions and so keeps the same ones).

pub mod execute;
pub mod images;
pub mod interrupts;
pub mod many;
pub mod plan;
pub mod report;
pub mod run_journal;

use crate::output::json::{PruneResult, PruneSummary};

/// What happened to one version in this run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fate {
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
    /// The word `--json` and the text table show for this fate.
    pub fn result(&self) -> PruneResult {
        match self {
            Fate::WouldDelete => PruneResult::WouldDelete,
            Fate::Kept => PruneResult::Kept,
            Fate::Deleted => PruneResult::Deleted,
            Fate::DeletedNotJournaled(_) => PruneResult::DeletedNotJournaled,
            Fate::Failed(_) => PruneResult::Failed,
            Fate::Unknown(_) => PruneResult::Unknown,
            Fate::Skipped(_) => PruneResult::Skipped,
        }
    }

    pub fn error(&self) -> Option<&str> {
        match self {
            Fate::DeletedNotJournaled(why)
            | Fate::Failed(why)
            | Fate::Unknown(why)
            | Fate::Skipped(why) => Some(why),
            _ => None,
        }
    }
}

impl PruneSummary {
    /// The counts of `fates`.
    pub fn of(fates: &[Fate]) -> PruneSummary {
        let mut summary = PruneSummary::default();
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

    /// Adds another package's counts, for the total of a run.
    pub fn add(&mut self, other: &PruneSummary) {
        self.would_delete += other.would_delete;
        self.deleted += other.deleted;
        self.deleted_not_journaled += other.deleted_not_journaled;
        self.kept += other.kept;
        self.failed += other.failed;
        self.unknown += other.unknown;
        self.skipped += other.skipped;
    }

    /// The line that ends the table.
    pub fn line(&self, dry_run: bool) -> String {
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
        let summary = PruneSummary::of(&fates);
        assert_eq!(
            summary,
            PruneSummary {
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
        let summary = PruneSummary::of(&[Fate::WouldDelete, Fate::Kept, Fate::Kept]);
        assert_eq!(
            summary.line(true),
            "dry run: would delete 1, keep 2; nothing was deleted (add --execute to delete)"
        );
    }
}
