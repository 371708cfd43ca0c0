//! Printing one package's prune: a table and a summary line, or the
//! `--json` document (`output::json::PruneDoc`).

use std::path::Path;

use super::Fate;
use super::plan::Plan;
use crate::context::Context;
use crate::duration::format_age;
use crate::exit::Exit;
use crate::journal;
use crate::output::json::{About, PruneDoc, PruneRow, PruneSummary};
use crate::output::{self, Table, tags_cell};

/// Prints one package's prune: each version of `plan` with its fate (one per
/// decision), the summary, and the journal when the run wrote to it.
pub fn report(
    context: &Context,
    plan: &Plan,
    fates: &[Fate],
    summary: &PruneSummary,
    journal_path: Option<&Path>,
) -> Result<(), Exit> {
    let (target, decisions, execute) = (&plan.target, &plan.decisions, plan.execute);
    if context.json {
        return context.print_json(&PruneDoc {
            mode: if execute { "execute" } else { "dry-run" },
            about: About::from(target),
            versions: decisions
                .iter()
                .zip(fates)
                .map(|(d, fate)| PruneRow {
                    id: d.version.id,
                    name: &d.version.name,
                    tags: &d.version.tags,
                    created_at: d.version.created_at,
                    action: d.action,
                    reason: &d.reason,
                    result: fate.label(),
                    error: fate.error(),
                })
                .collect(),
            summary,
            journal: journal_path.map(|p| p.display().to_string()),
        });
    }
    let mut table = Table::new(&["RESULT", "ID", "NAME", "TAGS", "AGE", "WHY"]);
    for (d, fate) in decisions.iter().zip(fates) {
        let why = match fate.error() {
            Some(error) => format!("{}: {error}", d.reason),
            None => d.reason.clone(),
        };
        table.row(vec![
            fate.label().to_string(),
            d.version.id.to_string(),
            d.version.name.clone(),
            tags_cell(&d.version.tags),
            format_age(plan.now - d.version.created_at),
            why,
        ]);
    }
    let mut text = if table.is_empty() {
        format!(
            "no active versions in {} package {}\n",
            target.package_type, target.package
        )
    } else {
        table.render()
    };
    text.push_str(&summary.line(!execute));
    text.push('\n');
    if let Some(path) = journal_path {
        text.push_str(&journal::undo_hint(path));
        text.push('\n');
    }
    output::print_text(&text);
    Ok(())
}
