//! The subcommands, one file each; [`run`] sends a parsed command to its
//! file.

mod check;
mod conflicts;
mod delete;
pub mod explain;
mod packages;
pub mod prune;
mod restore;
mod show;
mod versions;

use crate::args::Command;
use crate::command_check::{RestoreRequest, restore_request};
use crate::context::Context;
use crate::exit::Exit;

/// Runs one subcommand, already checked (`Command::check`).
pub async fn run(context: &Context, command: Command) -> Result<(), Exit> {
    match command {
        Command::Packages {
            owner,
            package_type,
            visibility,
        } => packages::run(context, owner.owner(), package_type, visibility).await,
        Command::Versions {
            owner,
            package,
            state,
            sizes,
        } => versions::run(context, owner.owner(), &package, state, sizes).await,
        Command::Show {
            owner,
            package,
            version_id,
        } => show::run(context, owner.owner(), &package, version_id).await,
        Command::Conflicts { owner } => conflicts::run(context, owner.owner()).await,
        Command::Delete {
            owner,
            package,
            version_id,
            journal,
        } => delete::run(context, owner.owner(), &package, version_id, journal).await,
        Command::Restore {
            owner,
            package_type,
            name,
            version_id,
            journal,
        } => match restore_request(&journal, &owner, package_type, &name, version_id)? {
            RestoreRequest::Journal(path) => restore::from_journal(context, path).await,
            RestoreRequest::One {
                owner,
                package_type,
                name,
                version_id,
            } => restore::one(context, owner, package_type, name, version_id).await,
        },
        Command::Prune(args) => prune::run(context, &args).await,
        // Answered before the client exists (`main`).
        Command::Completions { .. } | Command::Man => Ok(()),
        Command::Check(args) => check::run(context, &args).await,
    }
}
