//! Pruning: [`run`] selects the packages and, for each, [`plan`] lists its
//! versions and lets the retention policy decide and [`execute`] carries
//! the plan out with journaled deletions; [`report`] prints the run.
//!
//! A re-run continues where an interrupted run stopped: versions deleted
//! before are no longer in the active list, and the policy, applied to what
//! is left, selects what remains to delete (a `--keep-latest` count is
//! computed on the remaining versions and so keeps the same ones).

pub mod execute;
pub mod images;
pub mod interrupts;
pub mod plan;
pub mod report;
pub mod run;
pub mod verify;
