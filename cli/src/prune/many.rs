//! Pruning many packages in one run (`--name` globs, `--all-packages`,
//! `--policy`): the packages the rules select, each planned and carried out
//! in turn, with one journal and one summary for the run.
//!
//! The selection comes first: each owner's packages of each type a rule
//! covers are listed (unless every rule for them names its packages
//! plainly), and a package two rules match stops the run there, before
//! anything is deleted. Then each package is pruned as `commands::prune`
//! prunes one. A package whose listing or planning fails is reported and
//! the run goes on with the others; when deletions had to stop for a
//! reason that holds for every request (rate limit, token, network,
//! journal), or on Ctrl-C, the packages not yet pruned are reported as not
//! attempted.

use std::path::Path;
use std::sync::atomic::Ordering;

use chrono::Utc;
use github_packages::Owner;
use github_packages::types::PackageType;

use super::Fate;
use super::interrupts::Interrupts;
use super::plan::{Plan, plan};
use super::report::{image_views, mode, rows, versions_text};
use super::run_journal::{RunJournal, carry_out};
use crate::args::PruneArgs;
use crate::context::Context;
use crate::exit::{Exit, ExitStatus};
use crate::journal;
use crate::output;
use crate::output::json::{
    About, OwnerView, PrunePackageDoc, PruneRunDoc, PruneSummary, UnlistedDoc,
};
use crate::rules::{Rule, Rules};
use crate::step_summary::{self, Counts, PackageRow};
use crate::target::Target;

/// How one selected package's prune went.
enum Pruned<'r> {
    Done {
        // Boxed: a container package's plan carries its image graph.
        plan: Box<Plan>,
        fates: Vec<Fate>,
        rule: &'r Rule,
    },
    /// Planning failed, or the run stopped before the package.
    Failed {
        target: Target,
        rule: &'r Rule,
        error: String,
    },
}

impl Pruned<'_> {
    fn target(&self) -> &Target {
        match self {
            Pruned::Done { plan, .. } => &plan.target,
            Pruned::Failed { target, .. } => target,
        }
    }

    fn summary(&self) -> PruneSummary {
        match self {
            Pruned::Done { fates, .. } => PruneSummary::of(fates),
            Pruned::Failed { .. } => PruneSummary::default(),
        }
    }

    fn error(&self) -> Option<&str> {
        match self {
            Pruned::Done { .. } => None,
            Pruned::Failed { error, .. } => Some(error),
        }
    }

    fn rule(&self) -> &Rule {
        match self {
            Pruned::Done { rule, .. } | Pruned::Failed { rule, .. } => rule,
        }
    }
}

/// An owner's packages of one type that could not be listed.
struct Unlisted {
    owner: Owner,
    package_type: PackageType,
    error: String,
}

/// Prunes every package `rules` selects; `journal_label` names the default
/// journal.
pub async fn run(
    context: &Context,
    args: &PruneArgs,
    rules: &Rules,
    journal_label: &str,
) -> Result<(), Exit> {
    let now = Utc::now();
    let (selected, unlisted) = select(context, rules).await?;
    context.ui.note(format!(
        "{} packages selected by {} rules",
        selected.len(),
        rules.iter().count()
    ));
    let default_journal =
        || journal::default_path("prune", journal_label, now, |name| std::env::var(name).ok());

    let mut journal = RunJournal::start(
        context,
        args.journal.as_ref(),
        args.execute,
        default_journal,
    )
    .await?;

    // One Ctrl-C listener for the run: `execute` handles a Ctrl-C during
    // deletions, this loop one while a package is being planned.
    let mut interrupts = Interrupts::listen();
    // Why the run stopped before the remaining packages, if it did.
    let mut stopped: Option<String> = None;
    // Packages the run did not get to.
    let mut not_attempted = 0;
    let mut pruned: Vec<Pruned> = Vec::with_capacity(selected.len());
    for (target, rule) in selected {
        if interrupts.interrupted() || stopped.is_some() {
            not_attempted += 1;
            let error = match &stopped {
                Some(why) => why.clone(),
                None => "not attempted: interrupted".to_string(),
            };
            pruned.push(Pruned::Failed {
                target,
                rule,
                error,
            });
            continue;
        }
        let planned = tokio::select! {
            biased;
            true = interrupts.listener.next() => None,
            result = plan(context, target.clone(), &rule.retention, args.execute, now) => Some(result),
        };
        let mut plan = match planned {
            Some(Ok(plan)) => plan,
            Some(Err(exit)) => {
                let error = exit
                    .message
                    .unwrap_or_else(|| "planning failed".to_string());
                context.ui.error(&error);
                pruned.push(Pruned::Failed {
                    target,
                    rule,
                    error,
                });
                continue;
            }
            None => {
                interrupts.interrupted.store(true, Ordering::SeqCst);
                context.ui.say("interrupted: no further package is pruned");
                not_attempted += 1;
                let error = "not attempted: interrupted".to_string();
                pruned.push(Pruned::Failed {
                    target,
                    rule,
                    error,
                });
                continue;
            }
        };
        let concurrency = usize::from(args.concurrency);
        let executed = carry_out(
            context,
            &mut plan,
            concurrency,
            &mut journal,
            &mut interrupts,
        )
        .await?;
        let fates = executed.fates;
        if !interrupts.interrupted() {
            stopped = executed
                .stopped
                .map(|why| format!("not attempted: an earlier package's deletions stopped: {why}"));
        }
        pruned.push(Pruned::Done {
            plan: Box::new(plan),
            fates,
            rule,
        });
    }

    let mut summary = PruneSummary::default();
    for package in &pruned {
        summary.add(&package.summary());
    }
    let failed_packages = pruned.iter().filter(|p| p.error().is_some()).count() + unlisted.len();
    let ran = summary.deleted + summary.deleted_not_journaled + summary.failed + summary.unknown;
    let journal_path = journal.written(ran > 0);
    let report = Report {
        execute: args.execute,
        pruned: &pruned,
        unlisted: &unlisted,
        summary: &summary,
        failed_packages,
        journal: journal_path.as_deref(),
    };
    report.print(context)?;
    step_summary::publish(
        &context.ui,
        !args.execute,
        &report.step_summary_rows(),
        journal_path.as_deref(),
    );

    if interrupts.interrupted() {
        return Err(Exit::interrupted(format!(
            "interrupted: {} deletions not attempted, {not_attempted} of {} packages not pruned; \
             run the same command again to continue",
            summary.skipped,
            pruned.len()
        )));
    }
    if failed_packages > 0 {
        return Err(Exit::failed(format!(
            "{failed_packages} of {} packages failed (see above)",
            pruned.len() + unlisted.len()
        )));
    }
    if summary.failed + summary.unknown + summary.skipped + summary.deleted_not_journaled > 0 {
        return Err(Exit::reported(ExitStatus::Failed));
    }
    Ok(())
}

/// The packages to prune, each with its rule, sorted by name within each
/// owner and type; and the owner-type pairs whose listing failed. Two rules
/// matching one package is bad input: nothing is deleted.
async fn select<'r>(
    context: &Context,
    rules: &'r Rules,
) -> Result<(Vec<(Target, &'r Rule)>, Vec<Unlisted>), Exit> {
    let mut selected = Vec::new();
    let mut unlisted = Vec::new();
    for (owner, package_type) in rules.groups() {
        let target = |name: &str| Target::new(owner.clone(), package_type.clone(), name);
        if let Some(named) = rules.named_packages(owner, package_type) {
            selected.extend(named.into_iter().map(|(name, rule)| (target(name), rule)));
            continue;
        }
        let packages = match context.list_packages(owner, package_type, None).await {
            Ok(packages) => packages,
            Err(exit) => {
                let error = exit.message.unwrap_or_else(|| "listing failed".to_string());
                context.ui.error(&error);
                unlisted.push(Unlisted {
                    owner: owner.clone(),
                    package_type: package_type.clone(),
                    error,
                });
                continue;
            }
        };
        let mut names: Vec<&str> = packages.iter().map(|p| p.name.as_str()).collect();
        names.sort_unstable();
        let chosen = rules
            .select(owner, package_type, names.iter().copied())
            .map_err(|overlap| Exit::usage(format!("{overlap}; nothing was deleted")))?;
        selected.extend(chosen.into_iter().map(|(name, rule)| (target(name), rule)));
    }
    Ok((selected, unlisted))
}

/// The end of a run: every package's table and one summary, or one JSON
/// document.
struct Report<'a, 'r> {
    execute: bool,
    pruned: &'a [Pruned<'r>],
    unlisted: &'a [Unlisted],
    summary: &'a PruneSummary,
    failed_packages: usize,
    journal: Option<&'a Path>,
}

impl Report<'_, '_> {
    fn print(&self, context: &Context) -> Result<(), Exit> {
        if context.json {
            return context.print_json(&self.document());
        }
        let mut text = String::new();
        for unlisted in self.unlisted {
            text.push_str(&format!(
                "== {} {}: cannot list the packages: {}\n\n",
                unlisted.owner, unlisted.package_type, unlisted.error
            ));
        }
        for package in self.pruned {
            let target = package.target();
            text.push_str(&format!(
                "== {} {} {} (rule at {})\n",
                target.owner,
                target.package_type,
                target.package,
                package.rule().source
            ));
            match package {
                Pruned::Done { plan, fates, .. } => {
                    text.push_str(&versions_text(plan, fates));
                    text.push_str(&package_line(self.execute, &package.summary()));
                }
                Pruned::Failed { error, .. } => text.push_str(&format!("failed: {error}")),
            }
            text.push_str("\n\n");
        }
        let total = self.pruned.len() + self.unlisted.len();
        let packages = match self.failed_packages {
            0 => format!("{total} packages"),
            failed => format!("{total} packages, {failed} failed"),
        };
        text.push_str(&format!(
            "{packages}: {}\n",
            self.summary.line(!self.execute)
        ));
        if let Some(path) = self.journal {
            text.push_str(&journal::undo_hint(path));
            text.push('\n');
        }
        output::print_text(&text);
        Ok(())
    }

    fn document(&self) -> PruneRunDoc<'_> {
        PruneRunDoc {
            mode: mode(self.execute),
            packages: self
                .pruned
                .iter()
                .map(|package| {
                    let target = package.target();
                    PrunePackageDoc {
                        about: About::from(target),
                        rule: package.rule().source.to_string(),
                        versions: match package {
                            Pruned::Done { plan, fates, .. } => rows(plan, fates),
                            Pruned::Failed { .. } => Vec::new(),
                        },
                        images: match package {
                            Pruned::Done { plan, .. } => plan.images.as_ref().map(image_views),
                            Pruned::Failed { .. } => None,
                        },
                        summary: package.summary(),
                        error: package.error(),
                    }
                })
                .collect(),
            unlisted: self
                .unlisted
                .iter()
                .map(|unlisted| UnlistedDoc {
                    owner: OwnerView::from(&unlisted.owner),
                    package_type: unlisted.package_type.as_str(),
                    error: &unlisted.error,
                })
                .collect(),
            summary: self.summary,
            failed_packages: self.failed_packages,
            journal: self.journal.map(|p| p.display().to_string()),
        }
    }

    fn step_summary_rows(&self) -> Vec<PackageRow> {
        let unlisted = self.unlisted.iter().map(|unlisted| PackageRow {
            owner: unlisted.owner.to_string(),
            package_type: unlisted.package_type.to_string(),
            package: "(packages not listed)".to_string(),
            counts: Counts::default(),
            error: Some(unlisted.error.clone()),
        });
        let pruned = self.pruned.iter().map(|package| {
            PackageRow::of(
                package.target(),
                (&package.summary()).into(),
                package.error(),
            )
        });
        unlisted.chain(pruned).collect()
    }
}

/// One package's counts, under its table.
fn package_line(execute: bool, summary: &PruneSummary) -> String {
    if !execute {
        return format!(
            "would delete {}, keep {}",
            summary.would_delete, summary.kept
        );
    }
    summary.line(false)
}
