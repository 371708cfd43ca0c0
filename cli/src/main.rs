//! `ghpkg`: list, prune and restore GitHub Packages versions.
//!
//! Exit codes: 0 success; 1 a request or some deletions failed; 2 bad input
//! (nothing was sent); 130 interrupted.

mod api;
mod cli;
mod config;
mod deletion;
mod duration;
mod explain;
mod inspect;
mod journal;
mod output;
mod owner;
mod pacing;
mod policy;
mod prune;
mod restore;
mod ui;

use std::process::ExitCode;

use clap::Parser;
use clap::error::{ContextKind, ContextValue, ErrorKind};

use crate::api::Api;
use crate::cli::{Cli, Command};
use crate::ui::Ui;

/// How a command ends when it does not succeed.
#[derive(Debug, PartialEq, Eq)]
pub struct Exit {
    pub code: u8,
    pub message: Option<String>,
}

impl Exit {
    /// Bad input: nothing was sent.
    pub fn usage(message: impl Into<String>) -> Exit {
        Exit {
            code: 2,
            message: Some(message.into()),
        }
    }

    /// A failure while working.
    pub fn failed(message: impl Into<String>) -> Exit {
        Exit {
            code: 1,
            message: Some(message.into()),
        }
    }

    /// Failures already reported (e.g. per version in a table).
    pub fn reported(code: u8) -> Exit {
        Exit {
            code,
            message: None,
        }
    }
}

/// What every command gets: how to talk, and the API.
pub struct Context {
    pub ui: Ui,
    pub json: bool,
    pub api: Api,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage_error(error),
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(exit) => {
            if let Some(message) = exit.message {
                eprintln!("error: {message}");
            }
            ExitCode::from(exit.code)
        }
    }
}

fn run(cli: Cli) -> Result<(), Exit> {
    let ui = Ui::new(cli.global.verbose, cli.global.json);
    // Everything that can be checked without the network is checked here,
    // before the client exists: a mistake costs no request.
    if let Command::Prune(args) = &cli.command
        && !args.policy().selects_something()
    {
        return Err(Exit::usage(
            "prune needs a policy: give at least one of --keep-latest, --older-than, --tag or --untagged",
        ));
    }
    if let Command::Restore {
        journal: None,
        owner,
        package_type,
        name,
        ..
    } = &cli.command
        && (owner.owner().is_none() || package_type.is_none() || name.is_none())
    {
        return Err(Exit::usage(
            "restore needs --journal FILE, or an owner (--org, --user or --me) with --type and --name",
        ));
    }
    if let Command::Versions {
        owner,
        state: cli::StateArg::Deleted,
        ..
    } = &cli.command
        && owner.user.is_some()
    {
        return Err(Exit::usage(
            "--state deleted needs --org or --me: GitHub does not list the deleted versions of another user's package",
        ));
    }
    let env = |name: &str| std::env::var(name).ok();
    let base_url =
        config::resolve_base_url(cli.global.base_url.as_deref(), env).map_err(Exit::usage)?;
    let (token, source) =
        config::resolve_token(cli.global.token_file.as_deref(), env).map_err(Exit::usage)?;
    let max_wait = cli.global.max_wait.to_std().unwrap_or_default();
    let budget =
        pacing::request_budget(cli.global.request_budget, cli.global.rate).map_err(Exit::usage)?;
    let api =
        Api::new(&base_url, &token, max_wait, cli.global.retries, budget).map_err(Exit::usage)?;
    // Only now, checked: the URL holds no user info, query or fragment.
    ui.note(format!("API root {}; token from {source}", api.base_url()));

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|error| Exit::failed(format!("cannot start the async runtime: {error}")))?;
    let context = Context {
        ui,
        json: cli.global.json,
        api,
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Packages {
                owner,
                package_type,
                visibility,
            } => inspect::packages(&context, owner.owner(), package_type, visibility).await,
            Command::Versions {
                owner,
                package,
                state,
            } => inspect::versions(&context, owner.owner(), &package, state).await,
            Command::Show {
                owner,
                package,
                version_id,
            } => inspect::show(&context, owner.owner(), &package, version_id).await,
            Command::Conflicts { owner } => inspect::conflicts(&context, owner.owner()).await,
            Command::Delete {
                owner,
                package,
                version_id,
                journal,
            } => deletion::delete(&context, owner.owner(), &package, version_id, journal).await,
            Command::Restore {
                owner,
                package_type,
                name,
                version_id,
                journal,
            } => match journal {
                Some(path) => restore::from_journal(&context, &path).await,
                None => {
                    // Checked above: all three are present.
                    let (Some(owner), Some(package_type), Some(name)) =
                        (owner.owner(), package_type, name)
                    else {
                        return Err(Exit::usage("restore needs an owner, --type and --name"));
                    };
                    restore::one(&context, owner, package_type, &name, version_id).await
                }
            },
            Command::Prune(args) => prune::prune(&context, &args).await,
        }
    });
    context.ui.finish();
    // In-flight requests of an interrupted run are not waited for.
    runtime.shutdown_background();
    result
}

/// Prints help and version as clap does, and any other parse error as one
/// line, exiting 2.
fn usage_error(error: clap::Error) -> ExitCode {
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = error.print();
            return ExitCode::SUCCESS;
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = error.print();
            return ExitCode::from(2);
        }
        _ => {}
    }
    eprintln!("{}", one_line(&error));
    ExitCode::from(2)
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
