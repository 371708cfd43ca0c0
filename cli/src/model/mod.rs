//! The CLI's domain model, each idea written once: the package a command is
//! about ([`PackageRef`]) and how its owner is spelled, a version as the
//! policy and the output see it ([`Version`]), what a request was
//! about ([`Subject`]), the run's [`Mode`], what became of a version in a
//! prune ([`Fate`]) or of a thing `restore` was asked for ([`Restored`]),
//! the counts that end a run ([`Tally`], [`RestoreTally`]), and why the
//! policy keeps or deletes a version or an image ([`Reason`]).
//!
//! The `--json` views (`output::json`), the tables and the step summary
//! all read these; the words a fate or a mode serializes to are the words
//! the tables show.

mod outcome;
mod package;
mod reason;
mod version;

pub use outcome::{Fate, Mode, RestoreTally, Restored, Tally};
pub use package::{OwnerSpelling, OwnerView, PackageRef, Subject};
pub use reason::{ClassVerdict, Reason, Selected, Unit};
pub use version::Version;
