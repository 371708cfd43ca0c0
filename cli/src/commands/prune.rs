//! `ghpkg prune`: turn the arguments into rules (the flags' one rule, or a
//! policy file's), then prune one named package as before, or many (see
//! `crate::prune` for the parts and `crate::prune::many` for many packages).

use std::path::PathBuf;

use chrono::Utc;

use crate::args::PruneArgs;
use crate::context::Context;
use crate::deletion::open_journal;
use crate::exit::{Exit, ExitStatus};
use crate::journal::{self, Journal};
use crate::output;
use crate::output::json::{ExplainDoc, ExplainRuleDoc, OwnerView, PruneSummary};
use crate::policy::TagPattern;
use crate::policy_file;
use crate::prune::Fate;
use crate::prune::execute::execute;
use crate::prune::interrupts::Interrupts;
use crate::prune::many;
use crate::prune::plan::plan;
use crate::prune::report::report;
use crate::rules::{Rule, RuleSource, Rules, describe};
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

/// The rules of this run: the policy file's, or the one the flags give.
/// A policy file with problems is refused here, before any request, with
/// one `error:` line per problem.
pub fn rules(args: &PruneArgs) -> Result<Rules, Exit> {
    if let Some(path) = &args.policy {
        return policy_file::read(path)
            .map_err(|errors| Exit::usage(errors.to_string().replace('\n', "\nerror: ")));
    }
    let (Some(owner), Some(package_type)) = (&args.owner, args.package_type) else {
        // `PruneArgs::check` refused this before anything was sent.
        return Err(Exit::usage(
            "prune needs --policy FILE, or an owner with --type",
        ));
    };
    let names = if args.all_packages {
        vec![TagPattern::parse("*").map_err(Exit::usage)?]
    } else {
        args.names.clone()
    };
    Ok(Rules::new(vec![Rule {
        source: RuleSource::CommandLine,
        owner: owner.owner(),
        package_type: package_type.package_type(),
        names,
        exclude_names: args.exclude_names.clone(),
        retention: args.policy(),
    }]))
}

/// `--explain NAME`: each rule's verdict on the package. Reads only the
/// arguments and the policy file: no client, no request.
pub fn explain(args: &PruneArgs, package: &str, json: bool) -> Result<(), Exit> {
    let explanation = rules(args)?.explain(None, None, package);
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

    // A journal given that exists already is settled before anything else,
    // whether or not this run deletes anything.
    let mut journal: Option<(PathBuf, Journal)> = None;
    let mut settled = 0;
    if let Some(path) = args.journal.as_ref().filter(|p| args.execute && p.exists()) {
        let (path, opened, count) = open_journal(context, Some(path), default_journal).await?;
        journal = Some((path, opened));
        settled = count;
    }

    let mut plan = plan(context, target, &policy, args.execute, now).await?;
    let mut interrupted = false;
    let fates: Vec<Fate> = if !args.execute {
        plan.dry_run()
    } else if plan.to_delete().is_empty() {
        vec![Fate::Kept; plan.decisions.len()]
    } else {
        let (path, opened) = match journal.take() {
            Some(open) => open,
            None => {
                let (path, opened, _) =
                    open_journal(context, args.journal.as_ref(), default_journal).await?;
                (path, opened)
            }
        };
        plan.target.learn_login(&context.client).await;
        let mut interrupts = Interrupts::listen();
        let executed = execute(
            context,
            &opened,
            &plan,
            usize::from(args.concurrency),
            &mut interrupts,
        )
        .await;
        journal = Some((path, opened));
        interrupted = interrupts.interrupted();
        executed.fates
    };
    // Name the journal when this run wrote to it.
    let ran = fates
        .iter()
        .any(|fate| !matches!(fate, Fate::WouldDelete | Fate::Kept | Fate::Skipped(_)));
    let journal_path = journal.filter(|_| ran || settled > 0).map(|(path, _)| path);

    let summary = PruneSummary::of(&fates);
    report(context, &plan, &fates, &summary, journal_path.as_deref())?;
    step_summary::publish(
        &context.ui,
        !args.execute,
        &[PackageRow::of(&plan.target, (&summary).into(), None)],
        journal_path.as_deref(),
    );
    if interrupted {
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
