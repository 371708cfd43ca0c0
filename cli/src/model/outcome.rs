//! What became of things: the run's [`Mode`], one version's [`Fate`] in a
//! prune, one restore's [`Restored`], and their counts.

use std::fmt;

use serde::{Serialize, Serializer};

/// Whether a prune only shows its plan or carries it out (`--execute`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    DryRun,
    Execute,
}

impl Mode {
    /// The mode `--execute` (given or not) asks for.
    pub fn of_flag(execute: bool) -> Mode {
        if execute { Mode::Execute } else { Mode::DryRun }
    }

    pub fn is_dry_run(self) -> bool {
        self == Mode::DryRun
    }
}

/// Shows and serializes each of these as its `word()`, so that the tables
/// and `--json` say the same thing from one declaration.
macro_rules! said_as_words {
    ($($outcome:ty),+) => {$(
        impl fmt::Display for $outcome {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.word())
            }
        }

        impl Serialize for $outcome {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.word())
            }
        }
    )+};
}

said_as_words!(Fate, Restored);

/// What happened to one version in a prune. It serializes to its word
/// (`would-delete`, `kept`, `deleted`, `deleted-not-journaled`, `failed`,
/// `unknown`, `skipped`), which the text table shows too; [`Fate::error`]
/// says why, where there is a why.
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
    /// Refused by one of GitHub's own rules (a public version downloaded
    /// more than 5,000 times, a package's last tagged version): not the
    /// run's failure, and nothing to try again.
    RefusedByGitHub(String),
}

impl Fate {
    /// The word `--json` and the text table show for this fate.
    pub fn word(&self) -> &'static str {
        match self {
            Fate::WouldDelete => "would-delete",
            Fate::Kept => "kept",
            Fate::Deleted => "deleted",
            Fate::DeletedNotJournaled(_) => "deleted-not-journaled",
            Fate::Failed(_) => "failed",
            Fate::Unknown(_) => "unknown",
            Fate::Skipped(_) => "skipped",
            Fate::RefusedByGitHub(_) => "refused-by-github",
        }
    }

    /// Why a deletion failed, stayed unknown, was skipped or refused.
    pub fn error(&self) -> Option<&str> {
        match self {
            Fate::DeletedNotJournaled(why)
            | Fate::Failed(why)
            | Fate::Unknown(why)
            | Fate::Skipped(why)
            | Fate::RefusedByGitHub(why) => Some(why),
            _ => None,
        }
    }
}

/// What became of one thing `restore` was asked to bring back. It
/// serializes to its word (`restored`, `already-active`, `failed`), which
/// the text table shows too.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Restored {
    Yes,
    AlreadyActive,
    Failed(String),
}

impl Restored {
    pub fn word(&self) -> &'static str {
        match self {
            Restored::Yes => "restored",
            Restored::AlreadyActive => "already-active",
            Restored::Failed(_) => "failed",
        }
    }

    /// Why it failed.
    pub fn error(&self) -> Option<&str> {
        match self {
            Restored::Failed(why) => Some(why),
            _ => None,
        }
    }
}

/// The counts of a prune's fates: of one package, or added up over a run.
/// The JSON documents, the text's last line and the step summary all count
/// with it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub would_delete: usize,
    pub deleted: usize,
    /// Deleted, but the journal could not record them (see stderr).
    pub deleted_not_journaled: usize,
    pub kept: usize,
    pub failed: usize,
    /// Sent, but whether GitHub carried the deletion out is not known.
    pub unknown: usize,
    /// Not attempted (interrupted, or the run had to stop).
    pub skipped: usize,
    /// Refused by GitHub's own rules (more than 5,000 downloads, the last
    /// tagged version): reported, but not a failure of the run. Left out
    /// of `--json` while 0.
    #[serde(skip_serializing_if = "is_zero")]
    pub refused_by_github: usize,
}

fn is_zero(count: &usize) -> bool {
    *count == 0
}

impl Tally {
    /// The counts of `fates`.
    pub fn of(fates: &[Fate]) -> Tally {
        let mut tally = Tally::default();
        for fate in fates {
            let count = match fate {
                Fate::WouldDelete => &mut tally.would_delete,
                Fate::Kept => &mut tally.kept,
                Fate::Deleted => &mut tally.deleted,
                Fate::DeletedNotJournaled(_) => &mut tally.deleted_not_journaled,
                Fate::Failed(_) => &mut tally.failed,
                Fate::Unknown(_) => &mut tally.unknown,
                Fate::Skipped(_) => &mut tally.skipped,
                Fate::RefusedByGitHub(_) => &mut tally.refused_by_github,
            };
            *count += 1;
        }
        tally
    }

    /// Adds another package's counts, for the total of a run.
    pub fn add(&mut self, other: &Tally) {
        self.would_delete += other.would_delete;
        self.deleted += other.deleted;
        self.deleted_not_journaled += other.deleted_not_journaled;
        self.kept += other.kept;
        self.failed += other.failed;
        self.unknown += other.unknown;
        self.skipped += other.skipped;
        self.refused_by_github += other.refused_by_github;
    }

    /// Deletions that did not end plainly deleted: they fail the run.
    pub fn not_done(&self) -> usize {
        self.failed + self.unknown + self.skipped + self.deleted_not_journaled
    }

    /// Whether deletions were sent, so the run wrote journal lines.
    pub fn sent_deletions(&self) -> bool {
        self.deleted + self.deleted_not_journaled + self.failed + self.unknown > 0
    }

    /// What the step summary counts as failed: refused, or deleted without
    /// a journal line.
    pub fn failed_or_not_journaled(&self) -> usize {
        self.failed + self.deleted_not_journaled
    }

    /// The line that ends the table of a run.
    pub fn line(&self, mode: Mode) -> String {
        if mode.is_dry_run() {
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
        if self.refused_by_github > 0 {
            line.push_str(&format!(
                ", refused by GitHub {} (its rules, not a failure: see each version)",
                self.refused_by_github
            ));
        }
        line
    }

    /// One package's counts, under its table in a run over many.
    pub fn package_line(&self, mode: Mode) -> String {
        match mode {
            Mode::DryRun => format!("would delete {}, keep {}", self.would_delete, self.kept),
            Mode::Execute => self.line(mode),
        }
    }
}

/// The counts that end a restore.
#[derive(Debug, Default, PartialEq, Eq, Serialize)]
pub struct RestoreTally {
    pub restored: usize,
    pub already_active: usize,
    pub failed: usize,
}

impl RestoreTally {
    pub fn of(results: &[Restored]) -> RestoreTally {
        let mut tally = RestoreTally::default();
        for result in results {
            match result {
                Restored::Yes => tally.restored += 1,
                Restored::AlreadyActive => tally.already_active += 1,
                Restored::Failed(_) => tally.failed += 1,
            }
        }
        tally
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tally_counts_every_fate() {
        let fates = [
            Fate::Deleted,
            Fate::Deleted,
            Fate::Kept,
            Fate::Failed("x".into()),
            Fate::Skipped("y".into()),
            Fate::Unknown("z".into()),
            Fate::DeletedNotJournaled("w".into()),
            Fate::RefusedByGitHub("v".into()),
        ];
        let tally = Tally::of(&fates);
        assert_eq!(
            tally,
            Tally {
                would_delete: 0,
                deleted: 2,
                deleted_not_journaled: 1,
                kept: 1,
                failed: 1,
                unknown: 1,
                skipped: 1,
                refused_by_github: 1
            }
        );
        assert_eq!(
            tally.line(Mode::Execute),
            "deleted 2, kept 1, failed 1, skipped 1, unknown 1, deleted but not journaled 1, \
             refused by GitHub 1 (its rules, not a failure: see each version)"
        );
        // Refused by GitHub is not a failure of the run.
        assert_eq!(tally.not_done(), 4);
    }

    #[test]
    fn a_dry_run_line_says_nothing_was_deleted() {
        let tally = Tally::of(&[Fate::WouldDelete, Fate::Kept, Fate::Kept]);
        assert_eq!(
            tally.line(Mode::DryRun),
            "dry run: would delete 1, keep 2; nothing was deleted (add --execute to delete)"
        );
    }

    #[test]
    fn fates_and_modes_serialize_to_the_words_the_tables_show() {
        let words =
            serde_json::to_string(&[Fate::WouldDelete, Fate::DeletedNotJournaled("x".into())])
                .unwrap();
        assert_eq!(words, r#"["would-delete","deleted-not-journaled"]"#);
        assert_eq!(Fate::Skipped("y".into()).to_string(), "skipped");
        assert_eq!(
            serde_json::to_string(&Restored::AlreadyActive).unwrap(),
            r#""already-active""#
        );
        assert_eq!(
            serde_json::to_string(&[Mode::DryRun, Mode::Execute]).unwrap(),
            r#"["dry-run","execute"]"#
        );
    }
}
