//! The deletion journal: one JSON line per deletion attempt, appended and
//! flushed to disk as it happens, so that an interrupted run still records
//! exactly what was deleted and `ghpkg restore --journal` can undo it.
//!
//! A deletion writes an `unknown` line before its request is sent and a
//! `deleted`, `failed` or `unknown` line once the answer is in; the last line
//! about a version is the one that counts. A run killed mid-request leaves
//! `unknown`, and so does a deletion whose answer was lost (GitHub may still
//! carry it out). `restore` treats `unknown` as possibly deleted (it checks
//! each one), and a later `prune`/`delete --journal` with the same file
//! settles them by looking at the version: gone, it appends `deleted`;
//! still there, the line stays `unknown` (never `failed`, which `restore`
//! skips: GitHub may still carry the deletion out).
//!
//! The parts: [`record`] (a line and what it says), [`mod@file`] (appending to
//! a journal on disk and reading it back), [`settle`] (opening the journal
//! a run appends to and settling its `unknown` lines), [`run`] (the one
//! journal of a prune run, opened at its first deletion).

pub mod file;
pub mod record;
pub mod run;
pub mod settle;

pub use file::{Journal, default_path, read, undo_hint};
pub use record::{ImageLink, JournalRecord, Outcome, latest};
