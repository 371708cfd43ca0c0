//! The Markdown summary of a prune run that GitHub Actions shows on the
//! run's page: appended to the file `$GITHUB_STEP_SUMMARY` names, when set.
//!
//! One row per package (deleted / kept / failed, or would-delete in a dry
//! run), a total, and the journal's path with how to restore from it. The
//! summary uploads nothing: keeping the journal as an artifact is the
//! workflow's step (see docs/action.md).

use std::io::Write;
use std::path::Path;

use crate::model::{Mode, PackageRef, Subject, Tally};
use crate::output::bytes_cell;
use crate::prune::plan::Bytes;
use crate::ui::Ui;

/// The environment variable GitHub Actions sets to the summary file.
pub const VARIABLE: &str = "GITHUB_STEP_SUMMARY";

/// One line of the summary: a package, or an owner's packages of one type
/// that could not be listed.
#[derive(Clone, Copy, Debug)]
pub struct Row<'a> {
    pub subject: Subject<'a>,
    pub tally: Tally,
    /// Why the package (or the listing) failed, if it did.
    pub error: Option<&'a str>,
    /// For a container package: what the prune frees of what it holds.
    pub bytes: Option<Bytes>,
    /// What the verification after the deletions found broken.
    pub broken_after: &'a [String],
}

impl<'a> Row<'a> {
    pub fn of(package: &'a PackageRef, tally: Tally, error: Option<&'a str>) -> Row<'a> {
        Row {
            subject: Subject::Package(package),
            tally,
            error,
            bytes: None,
            broken_after: &[],
        }
    }
}

/// The summary's Markdown.
pub fn render(mode: Mode, rows: &[Row], journal: Option<&Path>) -> String {
    let mut text = String::new();
    match mode {
        Mode::DryRun => {
            text.push_str("### ghpkg prune (dry run)\n\n");
            text.push_str("| Package | Type | Owner | Would delete | Kept | Frees | Note |\n");
            text.push_str("|---|---|---|---:|---:|---:|---|\n");
        }
        Mode::Execute => {
            text.push_str("### ghpkg prune\n\n");
            text.push_str("| Package | Type | Owner | Deleted | Kept | Failed | Freed | Note |\n");
            text.push_str("|---|---|---|---:|---:|---:|---:|---|\n");
        }
    }
    let mut total = Tally::default();
    let mut total_bytes: Option<Bytes> = None;
    let mut failed_packages = 0;
    for row in rows {
        total.add(&row.tally);
        if let Some(bytes) = row.bytes {
            total_bytes.get_or_insert_default().add(bytes);
        }
        failed_packages += usize::from(row.error.is_some());
        let package = match row.subject.package() {
            Some(package) => package.name.as_str(),
            None => "(packages not listed)",
        };
        let cells = [
            cell(package),
            cell(row.subject.package_type().as_str()),
            cell(&row.subject.owner().to_string()),
        ];
        text.push_str(&format!("| {} ", cells.join(" | ")));
        text.push_str(&counts_cells(mode, &row.tally));
        text.push_str(&format!("| {} ", bytes_text(row.bytes)));
        text.push_str(&format!("| {} |\n", cell(&note(row))));
    }
    let packages = match rows.len() {
        1 => "1 package".to_string(),
        n => format!("{n} packages"),
    };
    text.push_str(&format!("| **{packages}** |  |  "));
    text.push_str(&counts_cells(mode, &total));
    text.push_str(&format!("| {} ", bytes_text(total_bytes)));
    let total_note = match failed_packages {
        0 => String::new(),
        1 => "1 package failed".to_string(),
        n => format!("{n} packages failed"),
    };
    text.push_str(&format!("| {total_note} |\n\n"));

    if mode.is_dry_run() {
        text.push_str("Dry run: nothing was deleted.\n\n");
    }
    let broken: Vec<&String> = rows.iter().flat_map(|row| row.broken_after).collect();
    if !broken.is_empty() {
        text.push_str("**Broken after the prune:** kept images no longer pull whole.\n\n");
        for problem in broken {
            text.push_str(&format!("- {}\n", cell(problem)));
        }
        match journal {
            Some(path) => text.push_str(&format!(
                "\nRestore what the prune deleted: `ghpkg restore --journal {}`\n\n",
                path.display()
            )),
            None => text.push('\n'),
        }
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

fn counts_cells(mode: Mode, tally: &Tally) -> String {
    match mode {
        Mode::DryRun => format!("| {} | {} ", tally.would_delete, tally.kept),
        Mode::Execute => format!(
            "| {} | {} | {} ",
            tally.deleted,
            tally.kept,
            tally.failed_or_not_journaled() + tally.unknown + tally.skipped
        ),
    }
}

/// `3.2 GiB of 41.0 GiB`; empty where sizes are not known.
fn bytes_text(bytes: Option<Bytes>) -> String {
    bytes.map_or_else(String::new, |bytes| {
        format!(
            "{} of {}",
            bytes_cell(bytes.reclaimable),
            bytes_cell(bytes.total)
        )
    })
}

/// The package's error, or what the failed count is made of.
fn note(row: &Row) -> String {
    if let Some(error) = row.error {
        return format!("failed: {error}");
    }
    let mut parts = Vec::new();
    if !row.broken_after.is_empty() {
        parts.push(format!(
            "**{} broken after the prune**",
            row.broken_after.len()
        ));
    }
    if row.tally.unknown > 0 {
        parts.push(format!("{} unknown", row.tally.unknown));
    }
    if row.tally.skipped > 0 {
        parts.push(format!("{} not attempted", row.tally.skipped));
    }
    if row.tally.refused_by_github > 0 {
        parts.push(format!("{} refused by GitHub", row.tally.refused_by_github));
    }
    parts.join(", ")
}

/// A table cell: no line breaks, and `|` escaped so that it stays one cell.
fn cell(text: &str) -> String {
    text.replace(['\r', '\n'], " ").replace('|', "\\|")
}

/// Appends the summary to `$GITHUB_STEP_SUMMARY` when it is set. A summary
/// that cannot be written is a warning: the prune itself went as it went.
pub fn publish(ui: &Ui, mode: Mode, rows: &[Row], journal: Option<&Path>) {
    let Some(file) = std::env::var_os(VARIABLE).filter(|file| !file.is_empty()) else {
        return;
    };
    if let Err(error) = append(Path::new(&file), &render(mode, rows, journal)) {
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

    use github_packages::Owner;
    use github_packages::types::PackageType;

    fn app() -> PackageRef {
        PackageRef::new(Owner::org("acme"), PackageType::Container, "app")
    }

    #[test]
    fn an_executed_run_has_a_row_per_package_a_total_and_the_journal() {
        let app = app();
        let api = PackageRef {
            name: "api".into(),
            ..app.clone()
        };
        let counted = Tally {
            deleted: 3,
            kept: 5,
            failed: 1,
            unknown: 1,
            ..Default::default()
        };
        let none = Tally::default();
        let broken = ["kept image sha256:ab (latest) is broken".to_string()];
        let rows = [
            Row {
                bytes: Some(Bytes {
                    reclaimable: 3 * 1024 * 1024,
                    total: 41 * 1024 * 1024 * 1024,
                }),
                broken_after: &broken,
                ..Row::of(&app, counted, None)
            },
            Row::of(&api, none, Some("not found | gone\nreally")),
        ];
        let text = render(Mode::Execute, &rows, Some(Path::new("/tmp/j.jsonl")));
        assert_eq!(
            text,
            "### ghpkg prune\n\n\
             | Package | Type | Owner | Deleted | Kept | Failed | Freed | Note |\n\
             |---|---|---|---:|---:|---:|---:|---|\n\
             | app | container | org:acme | 3 | 5 | 2 | 3.0 MiB of 41.0 GiB | **1 broken after the prune**, 1 unknown |\n\
             | api | container | org:acme | 0 | 0 | 0 |  | failed: not found \\| gone really |\n\
             | **2 packages** |  |  | 3 | 5 | 2 | 3.0 MiB of 41.0 GiB | 1 package failed |\n\n\
             **Broken after the prune:** kept images no longer pull whole.\n\n\
             - kept image sha256:ab (latest) is broken\n\n\
             Restore what the prune deleted: `ghpkg restore --journal /tmp/j.jsonl`\n\n\
             Journal: `/tmp/j.jsonl`. Keep it (e.g. with `actions/upload-artifact`): \
             `ghpkg restore --journal FILE` brings back what it records as deleted, within \
             GitHub's 30 days.\n"
        );
    }

    #[test]
    fn a_dry_run_counts_what_would_be_deleted() {
        let app = app();
        let counted = Tally {
            would_delete: 4,
            kept: 2,
            ..Default::default()
        };
        let text = render(Mode::DryRun, &[Row::of(&app, counted, None)], None);
        assert_eq!(
            text,
            "### ghpkg prune (dry run)\n\n\
             | Package | Type | Owner | Would delete | Kept | Frees | Note |\n\
             |---|---|---|---:|---:|---:|---|\n\
             | app | container | org:acme | 4 | 2 |  |  |\n\
             | **1 package** |  |  | 4 | 2 |  |  |\n\n\
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
