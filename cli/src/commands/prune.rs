//! `ghpkg prune`: turn the arguments into rules (the flags' one rule, or a
//! policy file's), then run the prune (`crate::prune::run`) over the one
//! package the flags name plainly, or over every package the rules select.

use crate::args::PruneArgs;
use crate::context::Context;
use crate::exit::Exit;
use crate::model::PackageRef;
use crate::prune::run::{self, Selection};
use crate::rules::{RuleSource, Rules};

pub async fn run(context: &Context, args: &PruneArgs) -> Result<(), Exit> {
    let mut rules = rules(args)?;
    // Before any request: a path that cannot be read ends the command.
    rules
        .read_references(&args.keep_referenced, &context.registry.host())
        .map_err(Exit::usage)?;
    let single = rules
        .iter()
        .next()
        .filter(|rule| rule.source == RuleSource::CommandLine)
        .and_then(|rule| {
            let package = rule.single_package()?;
            let package = PackageRef::new(rule.owner.clone(), rule.package_type.clone(), package);
            Some((package, rule))
        });
    match single {
        Some((package, rule)) => {
            let label = package.name.clone();
            run::run(context, args, Selection::One(package, rule), &label).await
        }
        None => run::run(context, args, Selection::Many(&rules), &journal_label(args)).await,
    }
}

/// The rules of this run: the policy file's, or the one the flags give,
/// checked by the rule checker; refused here, before any request, with one
/// `error:` line per problem.
pub fn rules(args: &PruneArgs) -> Result<Rules, Exit> {
    crate::rule_check::rules_of(args)
}

/// What default journals of a many-package run are named after.
fn journal_label(args: &PruneArgs) -> String {
    match &args.packages.policy {
        Some(path) => {
            let stem = path.file_stem().unwrap_or_default().to_string_lossy();
            format!("policy-{stem}")
        }
        None if args.packages.all_packages => "all-packages".to_string(),
        None => "packages".to_string(),
    }
}
