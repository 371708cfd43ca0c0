//! `ghpkg prune`: turn the arguments into rules (the flags' one rule, or a
//! policy file's), then prune one named package as before, or many (see
//! `crate::prune` for the parts and `crate::prune::many` for many packages).

use chrono::Utc;

use crate::args::PruneArgs;
use crate::context::Context;
use crate::exit::{Exit, ExitStatus};
use crate::journal;
use crate::output;
use crate::output::json::{ExplainDoc, ExplainRuleDoc, OwnerView, PruneSummary};
use crate::prune::Fate;
use crate::prune::interrupts::Interrupts;
use crate::prune::many;
use crate::prune::plan::plan;
use crate::prune::report::report;
use crate::prune::run_journal::{RunJournal, carry_out};
use crate::rules::{RuleSource, Rules, describe};
use crate::step_summary::{self, PackageRow};
use crate::target::Target;

pub async fn run(context: &Context, args: &PruneArgs) -> Result<(), Exit> {
    let rules = rules(args)?;
    let single = rules
        .iter()
        .next()
        .filter(|rule| rule.source == RuleSource::CommandLine)
        .and_then(|rule| {
            let package = rule.single_package()?;
            Some(Target::new(
                rule.owner.clone(),
                rule.package_type.clone(),
                package,
            ))
        });
    match single {
        Some(target) => one(context, args, target).await,
        None => many::run(context, args, &rules, &journal_label(args)).await,
    }
}

/// The rules of this run: the policy file's, or the one the flags give,
/// checked by the rule checker; refused here, before any request, with one
/// `error:` line per problem.
pub fn rules(args: &PruneArgs) -> Result<Rules, Exit> {
    crate::rule_check::rules_of(args)
}

/// `--explain NAME`: each rule's verdict on the package. Reads only the
/// arguments and the policy file: no client, no request.
pub fn explain(args: &PruneArgs, package: &str, json: bool) -> Result<(), Exit> {
    let explanation = rules(args)?.explain(package);
    if json {
        let rules = explanation
            .verdicts
            .iter()
            .map(|(rule, fit)| ExplainRuleDoc {
                rule: rule.source.to_string(),
                owner: OwnerView::from(&rule.owner),
                package_type: rule.package_type.to_string(),
                applies: fit.applies(),
                why: fit.verdict(rule),
                policy: describe(&rule.retention),
            })
            .collect();
        return output::print_json(&ExplainDoc { package, rules })
            .map_err(|error| Exit::failed(error.to_string()));
    }
    output::print_text(&explanation.render());
    Ok(())
}

/// What default journals of a many-package run are named after.
fn journal_label(args: &PruneArgs) -> String {
    match &args.policy {
        Some(path) => {
            let stem = path.file_stem().unwrap_or_default().to_string_lossy();
            format!("policy-{stem}")
        }
        None if args.all_packages => "all-packages".to_string(),
        None => "packages".to_string(),
    }
}

/// One package, named plainly on the command line: list its versions, plan,
/// carry the plan out with `--execute`, print it.
async fn one(context: &Context, args: &PruneArgs, target: Target) -> Result<(), Exit> {
    let policy = args.policy();
    let now = Utc::now();
    let package = target.package.clone();
    let default_journal =
        || journal::default_path("prune", &package, now, |name| std::env::var(name).ok());

    let mut journal = RunJournal::start(
        context,
        args.journal.as_ref(),
        args.execute,
        default_journal,
    )
    .await?;

    let row_of = |target: &Target, summary: &PruneSummary, error| {
        [PackageRow::of(target, summary.into(), error)]
    };
    let mut plan = match plan(context, target.clone(), &policy, args.execute, now).await {
        Ok(plan) => plan,
        Err(exit) => {
            let rows = row_of(&target, &PruneSummary::default(), exit.message.as_deref());
            step_summary::publish(&context.ui, !args.execute, &rows, None);
            return Err(exit);
        }
    };
    let mut interrupts = Interrupts::listen();
    let concurrency = usize::from(args.concurrency);
    let fates = carry_out(
        context,
        &mut plan,
        concurrency,
        &mut journal,
        &mut interrupts,
    )
    .await?
    .fates;
    // Name the journal when this run wrote to it.
    let ran = fates
        .iter()
        .any(|fate| !matches!(fate, Fate::WouldDelete | Fate::Kept | Fate::Skipped(_)));
    let journal_path = journal.written(ran);

    let summary = PruneSummary::of(&fates);
    report(context, &plan, &fates, &summary, journal_path.as_deref())?;
    step_summary::publish(
        &context.ui,
        !args.execute,
        &row_of(&plan.target, &summary, None),
        journal_path.as_deref(),
    );
    if interrupts.interrupted() {
        return Err(Exit::interrupted(format!(
            "interrupted: {} deletions not attempted; run the same command again to continue",
            summary.skipped
        )));
    }
    if summary.failed + summary.unknown + summary.skipped + summary.deleted_not_journaled > 0 {
        return Err(Exit::reported(ExitStatus::Failed));
    }
    Ok(())
}
