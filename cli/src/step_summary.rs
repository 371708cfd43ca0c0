//! The Markdown summary of a prune run that GitHub Actions shows on the
//! run's page: appended to the file `$GITHUB_STEP_SUMMARY` names, when set.
//!
//! One row per package (deleted / kept / failed, or would-delete in a dry
//! run), a total, and the journal's path with how to restore from it. The
//! summary uploads nothing: keeping the journal as an artifact is the
//! workflow's step (see docs/action.md).

use std::io::Write;
use std::path::Path;

use crate::output::json::PruneSummary;
use crate::target::Target;
use crate::ui::Ui;

/// The environment variable GitHub Actions sets to the summary file.
pub const VARIABLE: &str = "GITHUB_STEP_SUMMARY";

/// What happened to one package's versions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub would_delete: usize,
    pub deleted: usize,
    pub kept: usize,
    /// Failed, or deleted but not journaled.
    pub failed: usize,
    /// Sent, but whether GitHub carried the deletion out is not known.
    pub unknown: usize,
    /// Not attempted (interrupted, or the run had to stop).
    pub skipped: usize,
}

impl Counts {
    fn add(&mut self, other: &Counts) {
        self.would_delete += other.would_delete;
        self.deleted += other.deleted;
        self.kept += other.kept;
        self.failed += other.failed;
        self.unknown += other.unknown;
        self.skipped += other.skipped;
    }
}

/// One package's line in the summary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackageRow {
    /// As `Owner` displays it: `org:acme`, `user:octocat`, `@me`.
    pub owner: String,
    pub package_type: String,
    pub package: String,
    pub counts: Counts,
    /// Why the package could not be listed or planned, if so.
    pub error: Option<String>,
}

impl PackageRow {
    pub fn of(target: &Target, counts: Counts, error: Option<&str>) -> PackageRow {
        PackageRow {
            owner: target.owner.to_string(),
            package_type: target.package_type.to_string(),
            package: target.package.clone(),
            counts,
            error: error.map(str::to_string),
        }
    }
}

/// The summary's Markdown.
pub fn render(dry_run: bool, rows: &[PackageRow], journal: Option<&Path>) -> String {
    let mut text = String::new();
    if dry_run {
        text.push_str("### ghpkg prune (dry run)\n\n");
        text.push_str("| Package | Type | Owner | Would delete | Kept | Note |\n");
        text.push_str("|---|---|---|---:|---:|---|\n");
    } else {
        text.push_str("### ghpkg prune\n\n");
        text.push_str("| Package | Type | Owner | Deleted | Kept | Failed | Note |\n");
        text.push_str("|---|---|---|---:|---:|---:|---|\n");
    }
    let mut total = Counts::default();
    let mut failed_packages = 0;
    for row in rows {
        total.add(&row.counts);
        failed_packages += usize::from(row.error.is_some());
        let cells = [
            cell(&row.package),
            cell(&row.package_type),
            cell(&row.owner),
        ];
        text.push_str(&format!("| {} ", cells.join(" | ")));
        text.push_str(&counts_cells(dry_run, &row.counts));
        text.push_str(&format!("| {} |\n", cell(&note(row))));
    }
    let packages = match rows.len() {
        1 => "1 package".to_string(),
        n => format!("{n} packages"),
    };
    text.push_str(&format!("| **{packages}** |  |  "));
    text.push_str(&counts_cells(dry_run, &total));
    let total_note = match failed_packages {
        0 => String::new(),
        1 => "1 package failed".to_string(),
        n => format!("{n} packages failed"),
    };
    text.push_str(&format!("| {total_note} |\n\n"));

    if dry_run {
        text.push_str("Dry run: nothing was deleted.\n\n");
    }
    if let Some(path) = journal {
        text.push_str(&format!(
            "Journal: `{}`. Keep it (e.g. with `actions/upload-artifact`): \
             `ghpkg restore --journal FILE` brings back what it records as deleted, \
             within GitHub's 30 days.\n",
            path.display()
        ));
    }
    text
}

fn counts_cells(dry_run: bool, counts: &Counts) -> String {
    if dry_run {
        format!("| {} | {} ", counts.would_delete, counts.kept)
    } else {
        format!(
            "| {} | {} | {} ",
            counts.deleted,
            counts.kept,
            counts.failed + counts.unknown + counts.skipped
        )
    }
}

/// The package's error, or what the failed count is made of.
fn note(row: &PackageRow) -> String {
    if let Some(error) = &row.error {
        return format!("failed: {error}");
    }
    let mut parts = Vec::new();
    if row.counts.unknown > 0 {
        parts.push(format!("{} unknown", row.counts.unknown));
    }
    if row.counts.skipped > 0 {
        parts.push(format!("{} not attempted", row.counts.skipped));
    }
    parts.join(", ")
}

/// A table cell: no line breaks, and `|` escaped so that it stays one cell.
fn cell(text: &str) -> String {
    text.replace(['\r', '\n'], " ").replace('|', "\\|")
}

impl From<&PruneSummary> for Counts {
    fn from(summary: &PruneSummary) -> Counts {
        Counts {
            would_delete: summary.would_delete,
            deleted: summary.deleted,
            kept: summary.kept,
            failed: summary.failed + summary.deleted_not_journaled,
            unknown: summary.unknown,
            skipped: summary.skipped,
        }
    }
}

/// Appends the summary to `$GITHUB_STEP_SUMMARY` when it is set. A summary
/// that cannot be written is a warning: the prune itself went as it went.
pub fn publish(ui: &Ui, dry_run: bool, rows: &[PackageRow], journal: Option<&Path>) {
    let Some(file) = std::env::var_os(VARIABLE).filter(|file| !file.is_empty()) else {
        return;
    };
    if let Err(error) = append(Path::new(&file), &render(dry_run, rows, journal)) {
        ui.warn(error);
    }
}

/// Appends the summary to the file `$GITHUB_STEP_SUMMARY` names (`file`),
/// creating it if needed.
pub fn append(file: &Path, markdown: &str) -> Result<(), String> {
    let mut summary = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)
        .map_err(|error| format!("cannot open {VARIABLE} file {}: {error}", file.display()))?;
    summary
        .write_all(markdown.as_bytes())
        .map_err(|error| format!("cannot write {VARIABLE} file {}: {error}", file.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(package: &str, counts: Counts, error: Option<&str>) -> PackageRow {
        PackageRow {
            owner: "org:acme".into(),
            package_type: "container".into(),
            package: package.into(),
            counts,
            error: error.map(str::to_string),
        }
    }

    #[test]
    fn an_executed_run_has_a_row_per_package_a_total_and_the_journal() {
        let rows = [
            row(
                "app",
                Counts {
                    deleted: 3,
                    kept: 5,
                    failed: 1,
                    unknown: 1,
                    ..Default::default()
                },
                None,
            ),
            row("api", Counts::default(), Some("not found | gone\nreally")),
        ];
        let text = render(false, &rows, Some(Path::new("/tmp/j.jsonl")));
        assert_eq!(
            text,
            "### ghpkg prune\n\n\
             | Package | Type | Owner | Deleted | Kept | Failed | Note |\n\
             |---|---|---|---:|---:|---:|---|\n\
             | app | container | org:acme | 3 | 5 | 2 | 1 unknown |\n\
             | api | container | org:acme | 0 | 0 | 0 | failed: not found \\| gone really |\n\
             | **2 packages** |  |  | 3 | 5 | 2 | 1 package failed |\n\n\
             Journal: `/tmp/j.jsonl`. Keep it (e.g. with `actions/upload-artifact`): \
             `ghpkg restore --journal FILE` brings back what it records as deleted, within \
             GitHub's 30 days.\n"
        );
    }

    #[test]
    fn a_dry_run_counts_what_would_be_deleted() {
        let rows = [row(
            "app",
            Counts {
                would_delete: 4,
                kept: 2,
                ..Default::default()
            },
            None,
        )];
        let text = render(true, &rows, None);
        assert_eq!(
            text,
            "### ghpkg prune (dry run)\n\n\
             | Package | Type | Owner | Would delete | Kept | Note |\n\
             |---|---|---|---:|---:|---|\n\
             | app | container | org:acme | 4 | 2 |  |\n\
             | **1 package** |  |  | 4 | 2 |  |\n\n\
             Dry run: nothing was deleted.\n\n"
        );
    }

    #[test]
    fn append_adds_to_what_earlier_steps_wrote() {
        let dir = std::env::temp_dir().join(format!("ghpkg-summary-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("summary.md");
        std::fs::write(&file, "earlier step\n").unwrap();
        append(&file, "ours\n").unwrap();
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            "earlier step\nours\n"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
