//! `ghpkg`: list, prune and restore GitHub Packages versions.
//!
//! How it exits: see [`exit::ExitStatus`].

mod args;
mod command_check;
mod commands;
mod connect;
mod context;
mod data_dir;
mod deletion;
mod duration;
mod exit;
mod failure;
mod glob;
mod image_graph;
mod journal;
mod model;
mod output;
mod pacing;
mod package_health;
mod policy;
mod policy_file;
mod presence;
mod prune;
mod references;
mod rule_check;
mod rules;
mod shell;
mod step_summary;
#[cfg(test)]
mod test_support;
mod ui;

use std::process::ExitCode;

use clap::Parser;
use clap::error::{ContextKind, ContextValue, ErrorKind};

use crate::args::{Cli, Command, GlobalArgs, PruneArgs};
use crate::context::Context;
use crate::exit::{Exit, ExitStatus};
use crate::image_graph::ImageRegistry;
use crate::ui::Ui;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage_error(error),
    };
    match run(cli) {
        Ok(()) => ExitStatus::Success.into(),
        Err(exit) => {
            if let Some(message) = exit.message {
                eprintln!("error: {message}");
            }
            exit.status.into()
        }
    }
}

fn run(cli: Cli) -> Result<(), Exit> {
    let ui = Ui::new(cli.global.verbose, cli.global.json);
    // Everything that can be checked without the network is checked here,
    // before the client exists: a mistake costs no request.
    cli.command.check()?;
    // Completions and the man page come from the clap definitions alone.
    match &cli.command {
        Command::Completions { shell } => return shell::completions(*shell),
        Command::Man => return shell::man(),
        _ => {}
    }
    // `prune --explain` reads only the arguments and the policy file, and
    // the package only when its rule has classes and a token is at hand.
    if let Command::Prune(args) = &cli.command
        && let Some(package) = &args.explain
    {
        return explain(&cli.global, ui, args, package);
    }
    let (context, runtime) = connect(&cli.global, ui)?;
    let result = runtime.block_on(commands::run(&context, cli.command));
    context.ui.finish();
    // In-flight requests of an interrupted run are not waited for.
    runtime.shutdown_background();
    result
}

/// `prune --explain NAME`: each rule's verdict, then, for a rule with
/// classes and with a token, each image's classes as a dry run plans them.
fn explain(global: &GlobalArgs, ui: Ui, args: &PruneArgs, package: &str) -> Result<(), Exit> {
    let env = |name: &str| std::env::var(name).ok();
    let mut explain = commands::explain::Explain::new(args, package)?;
    if !explain.plans_images() {
        return explain.print(global.json);
    }
    if !connect::has_token(global, env) {
        explain.needs_token();
        return explain.print(global.json);
    }
    let (context, runtime) = connect(global, ui)?;
    // The rules' verdicts are printed even when the package cannot be read.
    let planned = runtime.block_on(explain.plan_images(&context, args));
    let result = explain.print(global.json).and(planned);
    context.ui.finish();
    runtime.shutdown_background();
    result
}

/// The client, the registry and the runtime requests run on.
fn connect(global: &GlobalArgs, ui: Ui) -> Result<(Context, tokio::runtime::Runtime), Exit> {
    let env = |name: &str| std::env::var(name).ok();
    let (client, token_source, registry) = connect::client(global, env)?;
    let registry = ImageRegistry::connect(
        global.registry.as_deref(),
        global.registry_rate,
        registry,
        env,
    );
    // Only now, checked: the URL holds no user info, query or fragment.
    ui.note(format!(
        "API root {}; token from {token_source}",
        client.base_url()
    ));

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|error| Exit::failed(format!("cannot start the async runtime: {error}")))?;
    let context = Context {
        ui,
        json: global.json,
        client,
        registry,
    };
    Ok((context, runtime))
}

/// Prints help and version as clap does, and any other parse error as one
/// line, exiting 2.
fn usage_error(error: clap::Error) -> ExitCode {
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = error.print();
            return ExitStatus::Success.into();
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = error.print();
            return ExitStatus::Usage.into();
        }
        _ => {}
    }
    eprintln!("{}", one_line(&error));
    ExitStatus::Usage.into()
}

/// clap's message, cut to one line, with the useful context kept.
fn one_line(error: &clap::Error) -> String {
    let strings = |kind| match error.get(kind) {
        Some(ContextValue::String(value)) => vec![value.clone()],
        Some(ContextValue::Strings(values)) => values.clone(),
        _ => Vec::new(),
    };
    let rendered = error.render().to_string();
    let first = rendered
        .lines()
        .next()
        .unwrap_or("error: invalid arguments")
        .trim_end();
    let mut line = match error.kind() {
        ErrorKind::MissingRequiredArgument => {
            format!(
                "error: missing {}",
                strings(ContextKind::InvalidArg).join(", ")
            )
        }
        _ => first.trim_end_matches(':').to_string(),
    };
    let valid = strings(ContextKind::ValidValue);
    if !valid.is_empty() {
        line.push_str(&format!(" (possible values: {})", valid.join(", ")));
    }
    let suggested = strings(ContextKind::SuggestedArg);
    let suggested = if suggested.is_empty() {
        strings(ContextKind::SuggestedSubcommand)
    } else {
        suggested
    };
    if !suggested.is_empty() {
        line.push_str(&format!(" (did you mean {}?)", suggested.join(" or ")));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_error(args: &[&str]) -> String {
        let error =
            Cli::try_parse_from(std::iter::once("ghpkg").chain(args.iter().copied())).unwrap_err();
        one_line(&error)
    }

    #[test]
    fn parse_errors_fit_on_one_line() {
        let cases: &[(&[&str], &str)] = &[
            (
                &["packages", "--org", "a", "--type", "pip"],
                "error: invalid value 'pip' for '--type <TYPE>' (possible values: npm, maven, rubygems, docker, nuget, container)",
            ),
            (
                &[
                    "prune",
                    "--org",
                    "a",
                    "--type",
                    "npm",
                    "--name",
                    "x",
                    "--older-than",
                    "30",
                ],
                "error: invalid value '30' for '--older-than <DURATION>': number '30' without a unit",
            ),
            (
                &[
                    "prune", "--org", "a", "--type", "npm", "--name", "x", "--tag", "[v",
                ],
                "error: invalid value '[v' for '--tag <GLOB>': unclosed character class",
            ),
            (
                &["versions", "--type", "npm", "--name", "x"],
                "error: missing <--org <ORG>|--user <NAME>|--me>",
            ),
            (
                &["packages", "--org", "a", "--type", "npm", "--colour"],
                "error: unexpected argument '--colour' found",
            ),
        ];
        for (args, expected) in cases {
            let line = parse_error(args);
            assert!(!line.contains('\n'), "{line}");
            assert!(
                line.starts_with(expected),
                "{args:?}:\n{line}\nexpected to start with\n{expected}"
            );
        }
    }
}
