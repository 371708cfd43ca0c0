//! The checks between a command's arguments that clap cannot make, run
//! before the client exists so that a mistake costs no request; `prune`'s
//! are the rule checker's ([`crate::rule_check`]).

use std::path::{Path, PathBuf};

use github_packages::Owner;

use crate::args::{Command, OwnerArgs, StateArg, TypeArg};
use crate::exit::Exit;

impl Command {
    /// The checks between arguments clap cannot make, before the client
    /// exists: a mistake costs no request.
    pub fn check(&self) -> Result<(), Exit> {
        match self {
            Command::Prune(args) => args.check(),
            Command::Check(args) => args.check(),
            Command::Restore {
                owner,
                package_type,
                name,
                version_id,
                journal,
            } => restore_request(journal, owner, *package_type, name, *version_id).map(|_| ()),
            // The client refuses this too, but only once it exists (it needs
            // a token): checked here, by the client's rule, so the mistake
            // exits 2 before anything else is read or sent.
            Command::Versions {
                owner,
                state: StateArg::Deleted,
                ..
            } if !owner.owner().lists_deleted_versions() => Err(Exit::usage(
                "--state deleted needs --org or --me: GitHub does not list the deleted versions of another user's package",
            )),
            Command::Versions {
                package,
                state,
                sizes: true,
                ..
            } if package.package_type != TypeArg::Container || *state != StateArg::Active => {
                Err(Exit::usage(
                    "--sizes is for the active versions of a container package (--type container)",
                ))
            }
            _ => Ok(()),
        }
    }
}

/// What `restore` was asked to bring back, read from its arguments by
/// [`restore_request`].
#[derive(Debug, PartialEq, Eq)]
pub enum RestoreRequest<'a> {
    /// Everything a journal records as deleted or possibly deleted.
    Journal(&'a Path),
    /// One package, or one version of it.
    One {
        owner: Owner,
        package_type: TypeArg,
        name: &'a str,
        version_id: Option<i64>,
    },
}

/// `restore`'s arguments (the fields of [`Command::Restore`]) as what to
/// bring back: a journal, or an owner with `--type` and `--name`.
pub fn restore_request<'a>(
    journal: &'a Option<PathBuf>,
    owner: &Option<OwnerArgs>,
    package_type: Option<TypeArg>,
    name: &'a Option<String>,
    version_id: Option<i64>,
) -> Result<RestoreRequest<'a>, Exit> {
    match (journal, owner, package_type, name) {
        (Some(path), ..) => Ok(RestoreRequest::Journal(path)),
        (None, Some(owner), Some(package_type), Some(name)) => Ok(RestoreRequest::One {
            owner: owner.owner(),
            package_type,
            name,
            version_id,
        }),
        _ => Err(Exit::usage(
            "restore needs --journal FILE, or an owner (--org, --user or --me) with --type and --name",
        )),
    }
}
