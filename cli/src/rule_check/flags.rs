//! `ghpkg prune`'s and `ghpkg check`'s flags as a raw rule, and the rules
//! of a run: the policy file's, or the flags' one rule, each through the
//! checker.

use github_packages::Owner;

use super::raw::{Given, GivenList, Origin, RawRetention, RawRule};
use super::wording::ALL_PACKAGES;
use super::{Purpose, Refusal, check_for};
use crate::args::{CheckArgs, OwnerArgs, PruneArgs, SelectionArgs};
use crate::exit::Exit;
use crate::glob::Glob;
use crate::policy_file;
use crate::rules::{RuleSource, Rules};

/// The rules of this run: the policy file's, or the one the flags give.
/// Refused here, before any request, with one `error:` line per problem.
pub fn rules_of(args: &PruneArgs) -> Result<Rules, Exit> {
    match &args.packages.policy {
        Some(path) => policy_file::read(path).map_err(Exit::from),
        None => flags_rules(&raw_rule(args), Purpose::Prune),
    }
}

/// The packages `ghpkg check` looks at: those of the policy file's rules
/// (the whole file is checked, as prune would), or of the flags' one rule,
/// which needs no retention.
pub fn selection_of(args: &CheckArgs) -> Result<Rules, Exit> {
    match &args.packages.policy {
        Some(path) => policy_file::read(path).map_err(Exit::from),
        None => flags_rules(&selection_rule(&args.packages), Purpose::Check),
    }
}

/// The flags' one rule, checked.
fn flags_rules(raw: &RawRule, purpose: Purpose) -> Result<Rules, Exit> {
    check_for(std::slice::from_ref(raw), purpose).map_err(|problems| {
        Exit::from(Refusal {
            file: None,
            problems,
        })
    })
}

impl PruneArgs {
    /// What must be given besides the flags clap checks: a policy file (read
    /// later, with the rest of the run), or flags that make a rule the
    /// checker takes.
    pub fn check(&self) -> Result<(), Exit> {
        match &self.packages.policy {
            Some(_) => Ok(()),
            None => flags_rules(&raw_rule(self), Purpose::Prune).map(drop),
        }
    }
}

impl CheckArgs {
    /// As [`PruneArgs::check`], without a retention.
    pub fn check(&self) -> Result<(), Exit> {
        match &self.packages.policy {
            Some(_) => Ok(()),
            None => flags_rules(&selection_rule(&self.packages), Purpose::Check).map(drop),
        }
    }
}

/// The flags as the raw rule a policy file's `[[rule]]` would be, each value
/// with its flag. Clap has read every value already: none is refused.
pub fn raw_rule(args: &PruneArgs) -> RawRule {
    RawRule {
        retention: RawRetention {
            keep_latest: args.keep_latest.map(|n| flag("--keep-latest", n)),
            older_than: args.older_than.map(|age| flag("--older-than", age)),
            tags: globs("--tag", &args.tags),
            exclude_tags: globs("--exclude-tag", &args.exclude_tags),
            keep_tags: globs("--keep-tag", &args.keep_tags),
            untagged: args.untagged.then(|| flag("--untagged", true)),
            order: None,
        },
        ..selection_rule(&args.packages)
    }
}

/// The package flags as a raw rule without a retention.
fn selection_rule(args: &SelectionArgs) -> RawRule {
    let names = if args.all_packages {
        let every = Glob::parse("*").expect("`*` is a glob");
        Some(list(ALL_PACKAGES, &[every]))
    } else if args.names.is_empty() {
        None
    } else {
        Some(list("--name", &args.names))
    };
    RawRule {
        source: RuleSource::CommandLine,
        origin: Origin::CommandLine,
        owner: args.owner.as_ref().map(owner),
        package_type: args
            .package_type
            .map(|package_type| flag("--type", package_type.package_type())),
        names,
        exclude_names: globs("--exclude-name", &args.exclude_names),
        retention: RawRetention::default(),
        classes: Vec::new(),
        keep_referenced: Vec::new(),
    }
}

fn owner(args: &OwnerArgs) -> Given<Owner> {
    let owner = args.owner();
    let name = match owner {
        Owner::Org(_) => "--org",
        Owner::User(_) => "--user",
        Owner::AuthenticatedUser => "--me",
    };
    flag(name, owner)
}

fn flag<T>(name: &'static str, value: T) -> Given<T> {
    Given::read(Origin::Flag(name), value)
}

fn globs(name: &'static str, globs: &[Glob]) -> Vec<Given<Glob>> {
    globs.iter().map(|glob| flag(name, glob.clone())).collect()
}

fn list(name: &'static str, items: &[Glob]) -> GivenList<Glob> {
    GivenList {
        origin: Origin::Flag(name),
        items: globs(name, items),
    }
}
