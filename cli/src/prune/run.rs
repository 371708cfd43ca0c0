//! A prune run: the packages the rules select, each planned and carried
//! out in turn, with one journal, one tally and one step summary for the
//! run. A package named plainly on the command line is a run of one
//! ([`Selection::One`]); `--name` globs, `--all-packages` and `--policy`
//! select many ([`Selection::Many`]). Both end the same way, with the exit
//! status [`Ran::exit`] picks; only the report differs (see `report`).
//!
//! The selection comes first: each owner's packages of each type a rule
//! covers are listed (unless every rule for them names its packages
//! plainly), and a package two rules match stops the run there, before
//! anything is deleted. A package whose listing or planning fails is
//! reported and the run goes on with the others; when deletions had to
//! stop for a reason that holds for every request (rate limit, token,
//! network, journal), or on Ctrl-C, the packages not yet pruned are
//! reported as not attempted.

use std::path::PathBuf;
use std::sync::atomic::Ordering;

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use github_packages::Owner;
use github_packages::types::PackageType;

use super::execute::carry_out;
use super::interrupts::Interrupts;
use super::plan::{Bytes, Plan, plan};
use super::report;
use super::verify::{Verification, verify};
use crate::args::PruneArgs;
use crate::context::Context;
use crate::exit::{Exit, ExitStatus};
use crate::failure::Failure;
use crate::journal;
use crate::journal::run::RunJournal;
use crate::model::Subject;
use crate::model::{Fate, Mode, PackageRef, Tally};
use crate::rule_check;
use crate::rules::{Rule, Rules};
use crate::step_summary::{self, Row};

/// Which packages a run prunes.
pub enum Selection<'r> {
    /// One package, named plainly on the command line, with the flags' rule.
    One(PackageRef, &'r Rule),
    /// Every package the rules select.
    Many(&'r Rules),
}

/// How one selected package's prune went.
pub enum Pruned<'r> {
    Done {
        // Boxed: a container package's plan carries its image graph.
        plan: Box<Plan>,
        fates: Vec<Fate>,
        tally: Tally,
        rule: &'r Rule,
        /// For a container package the run deleted from: its kept images
        /// checked again after the deletions.
        verification: Option<Verification>,
    },
    /// Planning failed, or the run stopped before the package.
    Failed {
        package: PackageRef,
        rule: &'r Rule,
        error: String,
        /// How a run of one ends on this failure.
        status: ExitStatus,
    },
}

impl Pruned<'_> {
    pub fn package(&self) -> &PackageRef {
        match self {
            Pruned::Done { plan, .. } => &plan.package,
            Pruned::Failed { package, .. } => package,
        }
    }

    /// The package's counts (none for a package that was not pruned).
    pub fn tally(&self) -> Tally {
        match self {
            Pruned::Done { tally, .. } => *tally,
            Pruned::Failed { .. } => Tally::default(),
        }
    }

    pub fn error(&self) -> Option<&str> {
        match self {
            Pruned::Done { .. } => None,
            Pruned::Failed { error, .. } => Some(error),
        }
    }

    /// For a container package: what the prune frees (or freed) of what
    /// the package holds.
    pub fn bytes(&self) -> Option<Bytes> {
        match self {
            Pruned::Done { plan, fates, .. } => plan.bytes(fates),
            Pruned::Failed { .. } => None,
        }
    }

    /// What the verification after the deletions found broken.
    pub fn broken_after(&self) -> &[String] {
        match self {
            Pruned::Done {
                verification: Some(verification),
                ..
            } => &verification.problems,
            _ => &[],
        }
    }

    pub fn rule(&self) -> &Rule {
        match self {
            Pruned::Done { rule, .. } | Pruned::Failed { rule, .. } => rule,
        }
    }
}

/// An owner's packages of one type that could not be listed.
pub struct Unlisted {
    pub owner: Owner,
    pub package_type: PackageType,
    pub error: String,
}

/// What a run did, for its report and its exit status.
pub struct Ran<'r> {
    pub mode: Mode,
    pub pruned: Vec<Pruned<'r>>,
    pub unlisted: Vec<Unlisted>,
    /// The counts over every package.
    pub tally: Tally,
    /// The journal, if the run wrote to it.
    pub journal: Option<PathBuf>,
    pub interrupted: bool,
    /// Packages the run did not get to.
    pub not_attempted: usize,
}

impl Ran<'_> {
    /// What the run frees of what its container packages hold, if it
    /// pruned any.
    pub fn bytes(&self) -> Option<Bytes> {
        let mut total: Option<Bytes> = None;
        for bytes in self.pruned.iter().filter_map(Pruned::bytes) {
            total.get_or_insert_default().add(bytes);
        }
        total
    }

    /// Kept images found broken after the deletions, over every package.
    pub fn broken_after(&self) -> usize {
        self.pruned.iter().map(|p| p.broken_after().len()).sum()
    }

    /// Packages that could not be listed, planned or pruned to the end.
    pub fn failed_packages(&self) -> usize {
        self.pruned.iter().filter(|p| p.error().is_some()).count() + self.unlisted.len()
    }

    /// The step summary's rows: the unlisted owners, then each package.
    fn rows(&self) -> Vec<Row<'_>> {
        let unlisted = self.unlisted.iter().map(|unlisted| Row {
            subject: crate::model::Subject::Packages {
                owner: &unlisted.owner,
                package_type: &unlisted.package_type,
            },
            tally: Tally::default(),
            error: Some(&unlisted.error),
            bytes: None,
            broken_after: &[],
        });
        let pruned = self.pruned.iter().map(|package| Row {
            bytes: package.bytes(),
            broken_after: package.broken_after(),
            ..Row::of(package.package(), package.tally(), package.error())
        });
        unlisted.chain(pruned).collect()
    }

    /// How the run ends: interrupted, with failed packages, with deletions
    /// that did not end plainly deleted, or well.
    fn exit(&self, one: bool) -> Result<(), Exit> {
        if self.interrupted {
            let skipped = self.tally.skipped;
            return Err(Exit::interrupted(if one {
                format!(
                    "interrupted: {skipped} deletions not attempted; run the same command again \
                     to continue"
                )
            } else {
                format!(
                    "interrupted: {skipped} deletions not attempted, {} of {} packages not \
                     pruned; run the same command again to continue",
                    self.not_attempted,
                    self.pruned.len()
                )
            }));
        }
        let broken = self.broken_after();
        if broken > 0 {
            let undo = self.journal.as_ref().map_or(String::new(), |path| {
                format!(
                    "; to undo the prune: ghpkg restore --journal {}",
                    path.display()
                )
            });
            return Err(Exit::failed(format!(
                "{broken} kept images or versions are broken after the prune (see above){undo}"
            )));
        }
        let failed_packages = self.failed_packages();
        if failed_packages > 0 {
            return Err(Exit::failed(format!(
                "{failed_packages} of {} packages failed (see above)",
                self.pruned.len() + self.unlisted.len()
            )));
        }
        if self.tally.not_done() > 0 {
            return Err(Exit::reported(ExitStatus::Failed));
        }
        Ok(())
    }
}

/// Prunes the packages of `selection`: opens the run's journal (a default
/// one named after `journal_label`), plans, carries out, tallies, reports,
/// writes the step summary and picks the exit status.
pub async fn run(
    context: &Context,
    args: &PruneArgs,
    selection: Selection<'_>,
    journal_label: &str,
) -> Result<(), Exit> {
    let mode = Mode::of_flag(args.execute);
    let now = Utc::now();
    let (selected, unlisted, one) = match selection {
        Selection::One(package, rule) => (vec![(package, rule)], Vec::new(), true),
        Selection::Many(rules) => {
            let (selected, unlisted) = select(context, rules).await?;
            context.ui.note(format!(
                "{} packages selected by {} rules",
                selected.len(),
                rules.iter().count()
            ));
            (selected, unlisted, false)
        }
    };
    let setup = Setup {
        args,
        mode,
        now,
        journal_label,
        one,
    };
    let ran = prune_each(context, &setup, selected, unlisted).await?;
    if one {
        if let Some(Pruned::Failed { error, status, .. }) = ran.pruned.first() {
            // A run of one whose package could not be planned ends with
            // that package's error alone.
            step_summary::publish(&context.ui, mode, &ran.rows(), None);
            return Err(Exit {
                status: *status,
                message: Some(error.clone()),
            });
        }
        report::one_package(context, &ran)?;
    } else {
        report::many_packages(context, &ran)?;
    }
    say_broken_after(context, &ran);
    step_summary::publish(&context.ui, mode, &ran.rows(), ran.journal.as_deref());
    ran.exit(one)
}

/// Says loudly, on stderr, each kept image the verification found broken,
/// and how to restore what the run deleted.
fn say_broken_after(context: &Context, ran: &Ran) {
    for package in &ran.pruned {
        for problem in package.broken_after() {
            context.ui.error(format!(
                "BROKEN AFTER THE PRUNE: {}: {problem}",
                package.package().repository()
            ));
        }
    }
    if ran.broken_after() > 0
        && let Some(path) = &ran.journal
    {
        context.ui.error(format!(
            "restore what the prune deleted with: ghpkg restore --journal {}",
            path.display()
        ));
    }
}

/// What every package of a run shares.
struct Setup<'a> {
    args: &'a PruneArgs,
    mode: Mode,
    /// The time the policy's ages are computed at.
    now: DateTime<Utc>,
    /// What the default journal is named after.
    journal_label: &'a str,
    /// A run of one: its planning error is the command's error, said once
    /// at the end.
    one: bool,
}

/// Carries out one planned package's deletions on the run's journal, then
/// checks its kept images when it deleted from a container package; with
/// why the run must stop before the next package, if it must.
async fn carry_out_one<'r, F>(
    context: &Context,
    args: &PruneArgs,
    mut plan: Plan,
    rule: &'r Rule,
    journal: &mut RunJournal<'_, F>,
    interrupts: &mut Interrupts,
) -> Result<(Pruned<'r>, Option<String>), Exit>
where
    F: Fn() -> Result<PathBuf, String> + Copy,
{
    let concurrency = usize::from(args.concurrency);
    let executed = carry_out(context, &mut plan, concurrency, journal, interrupts).await?;
    let tally = Tally::of(&executed.fates);
    let verification =
        if plan.images.is_some() && tally.sent_deletions() && !interrupts.interrupted() {
            Some(verify(context, &plan).await)
        } else {
            None
        };
    let done = Pruned::Done {
        tally,
        plan: Box::new(plan),
        fates: executed.fates,
        rule,
        verification,
    };
    Ok((done, executed.stopped))
}

/// Plans and carries out each selected package in turn, on one journal.
async fn prune_each<'r>(
    context: &Context,
    setup: &Setup<'_>,
    selected: Vec<(PackageRef, &'r Rule)>,
    unlisted: Vec<Unlisted>,
) -> Result<Ran<'r>, Exit> {
    let Setup {
        args,
        mode,
        now,
        journal_label,
        ..
    } = *setup;
    let default_journal =
        || journal::default_path("prune", journal_label, now, |name| std::env::var(name).ok());
    let mut journal =
        RunJournal::start(context, args.journal.as_ref(), mode, default_journal).await?;
    // One Ctrl-C listener for the run: `execute` handles a Ctrl-C during
    // deletions, this loop one while a package is being planned.
    let mut interrupts = Interrupts::listen();
    // Why the run stopped before the remaining packages, if it did.
    let mut stopped: Option<String> = None;
    let mut not_attempted = 0;
    let mut pruned: Vec<Pruned> = Vec::with_capacity(selected.len());
    for (package, rule) in selected {
        let not_attempted_because = if interrupts.interrupted() {
            Some("not attempted: interrupted".to_string())
        } else {
            stopped.clone()
        };
        if let Some(error) = not_attempted_because {
            not_attempted += 1;
            pruned.push(failed(package, rule, error, ExitStatus::Failed));
            continue;
        }
        let plan = match plan_one(context, setup, &mut interrupts, &package, rule).await {
            Ok(plan) => plan,
            Err((error, status)) => {
                not_attempted += usize::from(status == ExitStatus::Interrupted);
                pruned.push(failed(package, rule, error, status));
                continue;
            }
        };
        let (done, stop) =
            carry_out_one(context, args, plan, rule, &mut journal, &mut interrupts).await?;
        if !interrupts.interrupted() {
            stopped = stop
                .map(|why| format!("not attempted: an earlier package's deletions stopped: {why}"));
        }
        pruned.push(done);
    }
    let mut tally = Tally::default();
    for package in &pruned {
        tally.add(&package.tally());
    }
    Ok(Ran {
        mode,
        journal: journal.written(tally.sent_deletions()),
        tally,
        pruned,
        unlisted,
        interrupted: interrupts.interrupted(),
        not_attempted,
    })
}

/// Plans one package while listening for Ctrl-C: the plan, or why there is
/// none and how a run of one ends on it (`Interrupted`: not attempted).
async fn plan_one(
    context: &Context,
    setup: &Setup<'_>,
    interrupts: &mut Interrupts,
    package: &PackageRef,
    rule: &Rule,
) -> Result<Plan, (String, ExitStatus)> {
    let planned = tokio::select! {
        biased;
        true = interrupts.listener.next() => None,
        result = plan(context, package.clone(), &rule.retention, setup.mode, setup.now) => Some(result),
    };
    match planned {
        Some(Ok(plan)) => Ok(plan),
        Some(Err(exit)) => {
            let error = exit
                .message
                .unwrap_or_else(|| "planning failed".to_string());
            if !setup.one {
                context.ui.error(&error);
            }
            Err((error, exit.status))
        }
        None => {
            interrupts.interrupted.store(true, Ordering::SeqCst);
            context.ui.say("interrupted: no further package is pruned");
            Err((
                "not attempted: interrupted".to_string(),
                ExitStatus::Interrupted,
            ))
        }
    }
}

fn failed<'r>(
    package: PackageRef,
    rule: &'r Rule,
    error: String,
    status: ExitStatus,
) -> Pruned<'r> {
    Pruned::Failed {
        package,
        rule,
        error,
        status,
    }
}

/// The packages to prune, each with its rule, sorted by name within each
/// owner and type; and the owner-type pairs whose listing failed. Two rules
/// matching one package is bad input: nothing is deleted.
pub async fn select<'r>(
    context: &Context,
    rules: &'r Rules,
) -> Result<(Vec<(PackageRef, &'r Rule)>, Vec<Unlisted>), Exit> {
    one_account_one_name(context, rules).await?;
    let mut selected = Vec::new();
    let mut unlisted = Vec::new();
    for (owner, package_type) in rules.groups() {
        let package = |name: &str| PackageRef::new(owner.clone(), package_type.clone(), name);
        if let Some(named) = rules.named_packages(owner, package_type) {
            selected.extend(named.into_iter().map(|(name, rule)| (package(name), rule)));
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
        selected.extend(chosen.into_iter().map(|(name, rule)| (package(name), rule)));
    }
    Ok((selected, unlisted))
}

/// Refuses rules that name one account both `@me` and `user:LOGIN` for one
/// type. The spec has no "who am I" call, so `@me` is resolved once from
/// the owner of the first of its packages of such a type (one request per
/// type, until one has a package); if it has none of any, no package of
/// those types can be matched twice.
async fn one_account_one_name(context: &Context, rules: &Rules) -> Result<(), Exit> {
    let me = &Owner::AuthenticatedUser;
    for package_type in rule_check::types_naming_me_and_a_user(rules) {
        let mut listing = context.client.packages(me, package_type.clone());
        let first = listing.try_next().await.map_err(|error| {
            let subject = Subject::Packages {
                owner: me,
                package_type,
            };
            Failure::from(error).exit(subject)
        })?;
        let Some(package) = first else { continue };
        let Some(login) = package.owner.map(|owner| owner.login) else {
            return Err(Exit::failed(format!(
                "cannot tell whether @me is a user the policy names too: GitHub did not say \
                 who owns {package_type} package {}; nothing was deleted",
                package.name
            )));
        };
        let problems = rule_check::same_account_named_twice(rules, &login);
        if problems.is_empty() {
            return Ok(());
        }
        let message = format!("{}; nothing was deleted", problems.join("\nerror: "));
        return Err(Exit::usage(message));
    }
    Ok(())
}
