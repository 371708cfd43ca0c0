//! `ghpkg prune`: build the policy, plan the package's prune, carry it out
//! with `--execute`, print it (see `crate::prune` for the parts).

use std::path::PathBuf;

use chrono::Utc;

use crate::args::PruneArgs;
use crate::context::Context;
use crate::deletion::open_journal;
use crate::exit::{Exit, ExitStatus};
use crate::journal::{self, Journal};
use crate::output::json::PruneSummary;
use crate::prune::Fate;
use crate::prune::execute::execute;
use crate::prune::interrupts::Interrupts;
use crate::prune::plan::plan;
use crate::prune::report::report;
use crate::target::Target;

pub async fn run(context: &Context, args: &PruneArgs) -> Result<(), Exit> {
    let target = Target::new(
        args.owner.owner(),
        args.package.package_type.package_type(),
        &args.package.name,
    );
    let policy = args.policy();
    let now = Utc::now();
    let default_journal = || {
        journal::default_path("prune", &args.package.name, now, |name| {
            std::env::var(name).ok()
        })
    };

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
