//! The command line: what `ghpkg --help` shows, as clap definitions. The
//! checks between arguments that clap cannot express are
//! [`crate::command_check`]'s and, for `prune`, [`crate::rule_check`]'s.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use github_packages::types::{PackageType, PackageVersionState, PackageVisibility};
use github_packages::{ErrorKind, Owner, check_path_segment};

use crate::duration::parse_age;
use crate::glob::Glob;
use crate::pacing::{BudgetArg, parse_budget, parse_rate};

/// List, prune and restore GitHub Packages versions.
///
/// Authenticates with --token-file PATH, else GITHUB_TOKEN, else GH_TOKEN.
/// Deletions are recorded in a journal, so `ghpkg restore --journal FILE`
/// can bring them back (GitHub keeps deleted versions for 30 days). Journals
/// go under GHPKG_DATA_DIR/journal (default: ghpkg in the platform's data
/// directory, e.g. ~/.local/share/ghpkg) unless --journal FILE is given.
///
/// Exit codes: 0 success; 1 a request or some deletions failed; 2 bad input
/// (nothing was sent); 130 interrupted.
#[derive(Debug, Parser)]
#[command(
    name = "ghpkg",
    version,
    after_help = "Example: a dry run, then the real thing, then undo it:\n  \
                  ghpkg prune --org acme --type container --name app --untagged --keep-latest 10\n  \
                  ghpkg prune --org acme --type container --name app --untagged --keep-latest 10 --execute\n  \
                  ghpkg restore --journal PATH-PRINTED-BY-PRUNE"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Read the API token from this file (else GITHUB_TOKEN, then GH_TOKEN).
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "PATH"
    )]
    pub token_file: Option<PathBuf>,
    /// API root (else GITHUB_API_URL, else `https://api.github.com`).
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "URL"
    )]
    pub base_url: Option<String>,
    /// Container registry that container images are read from (else
    /// GHPKG_REGISTRY, else `https://ghcr.io` for api.github.com and
    /// `https://containers.HOST` for `https://HOST/api/v3`).
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "URL"
    )]
    pub registry: Option<String>,
    /// Requests a minute to the container registry, at most (else
    /// GHPKG_REGISTRY_RATE, else 20000: ghcr.io is reported to allow about
    /// 44,000); every attempt counts. 0 turns this pacing off.
    #[arg(long, global = true, help_heading = "Global options", value_name = "N")]
    pub registry_rate: Option<u32>,
    /// Print one JSON document on stdout instead of a table. An error that
    /// ends the command early is still one line of text on stderr (check the
    /// exit code); per-version failures are in the document.
    #[arg(long, global = true, help_heading = "Global options")]
    pub json: bool,
    /// Longest wait for a rate limit to reset before giving up, e.g. 2m or 1h
    /// (each wait uses up one of --retries).
    #[arg(long, global = true, help_heading = "Global options", value_name = "DURATION", value_parser = parse_age, default_value = "2m")]
    pub max_wait: chrono::TimeDelta,
    /// How many times a failed request is tried again, with growing waits
    /// (0: never). A deletion is tried again only when GitHub's answer
    /// proves it was not carried out. Waiting out a rate limit counts as a
    /// retry: with 0, a rate limit fails the request at once.
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "N",
        default_value_t = 4
    )]
    pub retries: u32,
    /// At most N mutating requests (deletions, restores) a minute, e.g. 60
    /// for GitHub's advice of one a second in large batches. Without it,
    /// as fast as the request budget allows.
    #[arg(long, global = true, help_heading = "Pacing", value_name = "N", value_parser = parse_rate)]
    pub rate: Option<u32>,
    /// The budget that paces every request: POINTS per WINDOW, a GET
    /// costing 1 point and a DELETE or POST 5, at most 100 requests in
    /// flight. The default, 900/60s, is GitHub's secondary rate limit (180
    /// deletions a minute), kept with a 5% margin; what remains of the
    /// hourly quota is also spread until it resets. Lower it to leave room
    /// for other tools using the same token; `off` paces nothing (GitHub's
    /// refusals are still waited out). Tests scale it, e.g. 2000/1s.
    #[arg(long, global = true, help_heading = "Pacing", value_name = "POINTS/WINDOW", value_parser = parse_budget)]
    pub request_budget: Option<BudgetArg>,
    /// Say more about what is happening, on stderr (never the token).
    #[arg(short, long, global = true, help_heading = "Global options", action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the packages of one type an owner has.
    Packages {
        #[command(flatten)]
        owner: OwnerArgs,
        /// The packages' ecosystem.
        #[arg(long = "type", value_enum, value_name = "TYPE")]
        package_type: TypeArg,
        /// Only packages with this visibility.
        #[arg(long, value_enum)]
        visibility: Option<VisibilityArg>,
    },
    /// List the versions of a package.
    Versions {
        #[command(flatten)]
        owner: OwnerArgs,
        #[command(flatten)]
        package: PackageArgs,
        /// Active versions (default) or deleted ones, which can be restored.
        #[arg(long, value_enum, default_value = "active")]
        state: StateArg,
        /// For a container package's active versions: each image's size
        /// (its manifests and the blobs they name, each once), read from
        /// the registry's manifests.
        #[arg(long)]
        sizes: bool,
    },
    /// Show one package, or one of its versions with --version.
    Show {
        #[command(flatten)]
        owner: OwnerArgs,
        #[command(flatten)]
        package: PackageArgs,
        /// A version id (see `ghpkg versions`).
        #[arg(long = "version", value_name = "ID", value_parser = clap::value_parser!(i64).range(1..))]
        version_id: Option<i64>,
    },
    /// Delete a package, or one of its versions with --version; journaled.
    Delete {
        #[command(flatten)]
        owner: OwnerArgs,
        #[command(flatten)]
        package: PackageArgs,
        /// A version id (see `ghpkg versions`); without it the whole package.
        #[arg(long = "version", value_name = "ID", value_parser = clap::value_parser!(i64).range(1..))]
        version_id: Option<i64>,
        /// Journal file to append to (default: a new file under the data
        /// directory). If it exists, its `unknown` lines are settled first.
        #[arg(long, value_name = "FILE")]
        journal: Option<PathBuf>,
    },
    /// Restore a deleted package or version, or everything a journal deleted.
    // The owner may be left out here (with --journal): `Command::check`
    // asks for it otherwise.
    #[command(mut_group("owner", |group| group.required(false)))]
    Restore {
        /// Left out with --journal.
        #[command(flatten)]
        owner: Option<OwnerArgs>,
        /// The package's type (with an owner and --name).
        #[arg(long = "type", value_enum, value_name = "TYPE")]
        package_type: Option<TypeArg>,
        /// The package's name (with an owner and --type).
        #[arg(long, value_name = "NAME", value_parser = package_name)]
        name: Option<String>,
        /// A version id; without it the whole package.
        #[arg(long = "version", value_name = "ID", value_parser = clap::value_parser!(i64).range(1..))]
        version_id: Option<i64>,
        /// Restore everything this journal records as deleted, or as
        /// `unknown` (possibly deleted); what is there already is left alone.
        #[arg(long, value_name = "FILE", conflicts_with_all = ["org", "user", "me", "package_type", "name", "version_id"])]
        journal: Option<PathBuf>,
    },
    /// List packages that hit a conflict in the Docker-to-Container migration.
    Conflicts {
        #[command(flatten)]
        owner: OwnerArgs,
    },
    /// Delete the versions a retention policy selects (dry run unless --execute).
    ///
    /// Container packages are pruned by image, not by version. docker buildx
    /// pushes an image as an index (the tagged version) plus untagged
    /// platform and attestation manifests; cosign signatures (tags
    /// `sha256-DIGEST.sig/.att/.sbom`), OCI referrers and referrers indexes
    /// (tag `sha256-DIGEST`) are versions too, and follow the image they are
    /// for whatever their own tags (--tag, --keep-tag and --exclude-tag see
    /// an image's own tags).
    /// ghpkg first reads every version's manifest from the registry
    /// (--registry; a read may count as a download, and manifests are cached
    /// under the data directory), then the policy decides about images:
    /// --keep-latest counts images (not a tagged manifest another image
    /// lists), --untagged selects untagged images that no kept image reaches.
    /// A kept image keeps every version it reaches; a deleted image takes its
    /// versions with it (index first), except those another kept image
    /// reaches. Fail closed: if a manifest cannot be read, a kept image lists
    /// a manifest the package does not have, the API lists a version without
    /// its tags (`metadata.container`), or the package changed since
    /// planning (listed again before the first deletion, before each level
    /// of deletions and every 500 or more deletions), nothing more in that
    /// package is deleted (exit 1; run again). After --execute the kept
    /// images are checked again as `ghpkg check` does: one that no longer
    /// pulls whole exits 1, with the journal's restore command. The plan
    /// says how many bytes it frees of the package's total.
    #[command(
        after_help = "Example: a dry run on a multi-platform image (digests shortened):\n  \
        $ ghpkg prune --org acme --type container --name app --untagged --older-than 30d\n  \
        RESULT        ID       NAME                   TAGS    AGE  WHY\n  \
        kept          1000004  sha256:7cdbf98a…       latest  2d   tagged (latest); --untagged selects only untagged images\n  \
        kept          1000000  └ sha256:8385c709…     -       2d   platform linux/amd64 of kept image sha256:7cdbf98a5361 (latest)\n  \
        kept          1000002  └ sha256:bf5ba27b…     -       2d   attestation of sha256:8385c7097447 of kept image sha256:7cdbf98a5361 (latest)\n  \
        would-delete  1000010  sha256:706e24b7…       -       40d  untagged; created 40d ago, older than 30d\n  \
        would-delete  1000006  └ sha256:738e1e61…     -       40d  platform linux/amd64 of deleted image sha256:706e24b777b3 (…)\n  \
        images: 1 kept, 1 to delete (each keeps or deletes every version it reaches)\n\n\
        A policy file (--policy FILE), one rule per [[rule]] table:\n  \
                  owner = \"org:acme\"       # org:NAME, user:NAME or @me; a default for the rules\n  \
                  type = \"container\"\n  \
                  [[rule]]\n  \
                  name = [\"app-*\"]         # package globs (required)\n  \
                  exclude-name = [\"app-legacy\"]\n  \
                  untagged = true\n  \
                  older-than = \"30d\"\n  \
                  keep-latest = 5\n\
                  A package is pruned by the one rule that matches it; two rules matching one package \
                  are refused. A rule may hold retention classes instead ([[rule.class]]: releases, \
                  branch builds, PR builds, untagged, each with its own retention), and \
                  --keep-referenced PATH (or keep-referenced = [\"deploy/\"]) keeps every image \
                  that deployment files name: see docs/policy.md."
    )]
    Prune(PruneArgs),
    /// Check the container images of the packages: broken images, dangling
    /// attachments, orphan images, unreadable versions, and sizes.
    ///
    /// Selects packages as prune does (--name GLOB, --all-packages,
    /// --exclude-name, or the packages a --policy file's rules cover; the
    /// file's retention is not used). For each container package it reads
    /// every version's manifest (cached as prune does) and reports: broken
    /// images (a tag's image lists a manifest the package does not have or
    /// the registry does not serve: a pull fails), dangling attachments
    /// (cosign `sha256-DIGEST.sig/.att/.sbom`, a referrers tag
    /// `sha256-DIGEST`, or a `subject` whose image is not in the package),
    /// orphan images (untagged images no tag reaches: count, ages, size),
    /// unreadable versions, and the package's size (blobs counted once;
    /// blobs shared with other packages cannot be seen). Other packages
    /// report their version count: nothing to check.
    /// Exit codes: 0 healthy; 1 a broken image, an unreadable version, or a
    /// package that could not be checked; 2 bad input.
    #[command(after_help = "Example: after a prune, in the same workflow:\n  \
                      ghpkg check --org acme --type container --name 'app-*'")]
    Check(CheckArgs),
    /// Print a shell completion script, e.g. `ghpkg completions bash >
    /// ~/.local/share/bash-completion/completions/ghpkg`. Needs no token.
    Completions {
        /// The shell to complete in.
        #[arg(value_enum)]
        shell: ShellArg,
    },
    /// Print the man page (roff), e.g. `ghpkg man > ghpkg.1`. Needs no token.
    Man,
}

/// The shells `ghpkg completions` writes for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ShellArg {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

/// `--org ORG | --user NAME | --me`
#[derive(Clone, Debug, Args)]
#[group(id = "owner", required = true, multiple = false)]
pub struct OwnerArgs {
    /// An organization's packages.
    #[arg(long, value_name = "ORG", value_parser = login)]
    pub org: Option<String>,
    /// A user's packages.
    #[arg(long, value_name = "NAME", value_parser = login)]
    pub user: Option<String>,
    /// The authenticated user's packages.
    #[arg(long)]
    pub me: bool,
}

impl OwnerArgs {
    pub fn owner(&self) -> Owner {
        match (&self.org, &self.user) {
            (Some(org), _) => Owner::org(org),
            (None, Some(user)) => Owner::user(user),
            (None, None) => Owner::AuthenticatedUser,
        }
    }
}

/// `--type TYPE --name NAME`
#[derive(Clone, Debug, Args)]
pub struct PackageArgs {
    /// The package's ecosystem.
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    pub package_type: TypeArg,
    /// The package's name; images published from a repository may be `repo/image`.
    #[arg(long, value_name = "NAME", value_parser = package_name)]
    pub name: String,
}

/// Which packages `prune` and `check` work on: one, a glob, all, or a
/// policy file's rules.
#[derive(Debug, Args)]
// With --policy the rules name their owners: `Command::check` asks for an
// owner otherwise.
#[command(
    mut_group("owner", |group| group.required(false))
)]
pub struct SelectionArgs {
    /// Left out with --policy.
    #[command(flatten)]
    pub owner: Option<OwnerArgs>,
    /// The packages' ecosystem.
    #[arg(
        long = "type",
        value_enum,
        value_name = "TYPE",
        help_heading = "Packages"
    )]
    pub package_type: Option<TypeArg>,
    /// A package name, or a glob over the owner's packages of --type, e.g.
    /// `app-*` (`*` also matches `/`); repeatable. Anything but one plain
    /// name lists the owner's packages first.
    #[arg(long = "name", value_name = "GLOB", value_parser = package_glob, help_heading = "Packages")]
    pub names: Vec<Glob>,
    /// Every package of the owner and --type.
    #[arg(long, conflicts_with = "names", help_heading = "Packages")]
    pub all_packages: bool,
    /// Leave out the packages matching this glob (repeatable).
    #[arg(long = "exclude-name", value_name = "GLOB", value_parser = package_glob, help_heading = "Packages")]
    pub exclude_names: Vec<Glob>,
    /// Take the packages (and, for prune, their retention) from a TOML
    /// policy file: rules with `owner`, `type`, `name` globs and the
    /// retention flags' names (`keep-latest`, `older-than`, `tag`, ...). A
    /// file that does not parse, has an unknown key or contradicts itself
    /// is refused with its line, before any request. See docs/policy.md for
    /// the format.
    #[arg(
        long,
        value_name = "FILE",
        help_heading = "Packages",
        conflicts_with_all = [
            "org", "user", "me", "package_type", "names", "all_packages", "exclude_names",
        ]
    )]
    pub policy: Option<PathBuf>,
}

/// `ghpkg prune`: which packages and the retention policy.
#[derive(Debug, Args)]
pub struct PruneArgs {
    #[command(flatten)]
    pub packages: SelectionArgs,
    /// Print which rule applies to the package NAME, and why (each rule's
    /// verdict), then stop. Sends nothing and needs no token, unless the
    /// rule has retention classes and a token is at hand: then it also
    /// reads the package as a dry run does (deletes nothing) and names each
    /// image's classes and their verdicts.
    #[arg(long, value_name = "NAME", value_parser = package_name, help_heading = "Packages")]
    pub explain: Option<String>,
    /// Keep the N newest (by creation time) of the versions the tag filters
    /// select. Versions protected by --keep-tag or left out by --exclude-tag
    /// are kept anyway and do not count towards N.
    #[arg(
        long,
        value_name = "N",
        conflicts_with = "policy",
        help_heading = "Retention policy"
    )]
    pub keep_latest: Option<usize>,
    /// Only delete versions older than this, e.g. 30d, 12h, 2w, 1d12h.
    #[arg(long, value_name = "DURATION", value_parser = parse_age, conflicts_with = "policy", help_heading = "Retention policy")]
    pub older_than: Option<chrono::TimeDelta>,
    /// Only delete versions with a tag matching this glob (repeatable).
    #[arg(long = "tag", value_name = "GLOB", value_parser = Glob::parse, conflicts_with = "policy", help_heading = "Retention policy")]
    pub tags: Vec<Glob>,
    /// Never delete versions with a tag matching this glob (repeatable).
    #[arg(long = "exclude-tag", value_name = "GLOB", value_parser = Glob::parse, conflicts_with = "policy", help_heading = "Retention policy")]
    pub exclude_tags: Vec<Glob>,
    /// Only delete versions without any tag.
    #[arg(long, conflicts_with_all = ["tags", "policy"], help_heading = "Retention policy")]
    pub untagged: bool,
    /// Never delete versions with a tag matching this glob, whatever else matches (repeatable).
    #[arg(long = "keep-tag", value_name = "GLOB", value_parser = Glob::parse, conflicts_with = "policy", help_heading = "Retention policy")]
    pub keep_tags: Vec<Glob>,
    /// Never delete an image named in this file, or in any file below this
    /// folder (`.git` and files that are not UTF-8 text are skipped):
    /// `HOST/OWNER/NAME:TAG`, `HOST/OWNER/NAME@sha256:HEX` or both, HOST
    /// being the registry's (ghcr.io); e.g. a GitOps repository's
    /// Kubernetes manifests, Helm values or compose files. Repeatable; with
    /// --policy too. A path that cannot be read is an error before any
    /// request.
    #[arg(
        long = "keep-referenced",
        value_name = "PATH",
        help_heading = "Retention policy"
    )]
    pub keep_referenced: Vec<PathBuf>,
    /// Delete for real; without it prune only prints what it would delete.
    #[arg(long)]
    pub execute: bool,
    /// Deletions in flight at once.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=32))]
    pub concurrency: u16,
    /// Journal file to append to (default: a new file under the data
    /// directory), one for the whole run. If it exists, its `unknown` lines
    /// are settled first.
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
}

/// `ghpkg check`: which packages.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub packages: SelectionArgs,
}

/// A `--name`/`--exclude-name` glob: a package name's rules, then a glob's.
fn package_glob(text: &str) -> Result<Glob, String> {
    Glob::parse(&package_name(text)?)
}

/// A package name GitHub can be asked about: the client's path rules
/// ([`check_path_segment`]), and not blank.
pub fn package_name(text: &str) -> Result<String, String> {
    path_segment("package_name", text)
}

/// An organization or user login, checked like a package name.
fn login(text: &str) -> Result<String, String> {
    path_segment("login", text)
}

fn path_segment(parameter: &'static str, text: &str) -> Result<String, String> {
    // Only blanks are the command line's own rule: a name of spaces is a
    // slip of the shell, never a package.
    if text.trim().is_empty() {
        return Err("must not be empty".to_string());
    }
    check_path_segment(parameter, text).map_err(|error| match error.kind() {
        ErrorKind::InvalidParameter { problem, .. } => problem.to_string(),
        _ => error.to_string(),
    })?;
    Ok(text.to_string())
}

/// Package ecosystems, as GitHub names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TypeArg {
    Npm,
    Maven,
    Rubygems,
    Docker,
    Nuget,
    Container,
}

impl TypeArg {
    pub fn package_type(self) -> PackageType {
        match self {
            TypeArg::Npm => PackageType::Npm,
            TypeArg::Maven => PackageType::Maven,
            TypeArg::Rubygems => PackageType::Rubygems,
            TypeArg::Docker => PackageType::Docker,
            TypeArg::Nuget => PackageType::Nuget,
            TypeArg::Container => PackageType::Container,
        }
    }

    pub fn from_package_type(package_type: &PackageType) -> Option<TypeArg> {
        TypeArg::value_variants()
            .iter()
            .copied()
            .find(|arg| &arg.package_type() == package_type)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum VisibilityArg {
    Public,
    Private,
    Internal,
}

impl VisibilityArg {
    pub fn visibility(self) -> PackageVisibility {
        match self {
            VisibilityArg::Public => PackageVisibility::Public,
            VisibilityArg::Private => PackageVisibility::Private,
            VisibilityArg::Internal => PackageVisibility::Internal,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StateArg {
    Active,
    Deleted,
}

impl StateArg {
    pub fn state(self) -> PackageVersionState {
        match self {
            StateArg::Active => PackageVersionState::Active,
            StateArg::Deleted => PackageVersionState::Deleted,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;
    use clap::error::ErrorKind;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("ghpkg").chain(args.iter().copied()))
    }

    #[test]
    fn command_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn prune_reads_a_full_policy() {
        let cli = parse(&[
            "prune",
            "--org",
            "acme",
            "--type",
            "container",
            "--name",
            "app",
            "--keep-latest",
            "3",
            "--older-than",
            "30d",
            "--tag",
            "pr-*",
            "--tag",
            "v*",
            "--exclude-tag",
            "v1.*",
            "--keep-tag",
            "latest",
            "--execute",
            "--concurrency",
            "8",
            "--journal",
            "j.jsonl",
            "--json",
        ])
        .unwrap();
        assert!(cli.global.json);
        let Command::Prune(prune) = cli.command else {
            panic!("not prune")
        };
        assert_eq!(
            prune.packages.owner.as_ref().unwrap().owner(),
            Owner::org("acme")
        );
        assert_eq!(prune.packages.package_type, Some(TypeArg::Container));
        assert_eq!(prune.packages.names[0].as_str(), "app");
        let rules = crate::rule_check::rules_of(&prune).unwrap();
        let policy = &rules.iter().next().unwrap().retention;
        assert_eq!(policy.keep_latest, Some(3));
        assert_eq!(policy.older_than, Some(chrono::TimeDelta::days(30)));
        assert_eq!(
            policy.tags.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
            ["pr-*", "v*"]
        );
        assert_eq!(policy.exclude_tags.len(), 1);
        assert_eq!(policy.keep_tags.len(), 1);
        assert!(prune.execute);
        assert_eq!(prune.concurrency, 8);
    }

    #[test]
    fn prune_defaults_to_a_dry_run_with_four_deletions_at_once() {
        let cli = parse(&[
            "prune",
            "--me",
            "--type",
            "npm",
            "--name",
            "x",
            "--untagged",
        ])
        .unwrap();
        let Command::Prune(prune) = cli.command else {
            panic!("not prune")
        };
        assert!(!prune.execute);
        assert_eq!(prune.concurrency, 4);
        assert_eq!(
            prune.packages.owner.as_ref().unwrap().owner(),
            Owner::AuthenticatedUser
        );
    }

    fn prune_args(args: &[&str]) -> Result<PruneArgs, clap::Error> {
        let cli = parse(&[&["prune"], args].concat())?;
        let Command::Prune(prune) = cli.command else {
            panic!("not prune")
        };
        Ok(prune)
    }

    #[test]
    fn prune_selects_packages_by_globs_all_or_a_policy_file() {
        let prune = prune_args(&[
            "--org",
            "acme",
            "--type",
            "container",
            "--name",
            "app-*",
            "--name",
            "api",
            "--exclude-name",
            "app-old",
            "--untagged",
        ])
        .unwrap();
        let names: Vec<&str> = prune.packages.names.iter().map(Glob::as_str).collect();
        assert_eq!(names, ["app-*", "api"]);
        assert_eq!(prune.packages.exclude_names[0].as_str(), "app-old");
        assert_eq!(prune.check(), Ok(()));

        let all = prune_args(&[
            "--me",
            "--type",
            "npm",
            "--all-packages",
            "--keep-latest",
            "3",
        ]);
        assert!(all.unwrap().packages.all_packages);
        let policy = prune_args(&["--policy", "p.toml", "--explain", "app"]).unwrap();
        assert_eq!(policy.packages.policy, Some(PathBuf::from("p.toml")));
        assert_eq!(policy.explain.as_deref(), Some("app"));
        assert_eq!(policy.check(), Ok(()));

        for conflicting in [
            &[
                "--me",
                "--type",
                "npm",
                "--all-packages",
                "--name",
                "x",
                "--untagged",
            ][..],
            &["--policy", "p.toml", "--org", "acme"],
            &["--policy", "p.toml", "--type", "npm"],
            &["--policy", "p.toml", "--name", "x"],
            &["--policy", "p.toml", "--keep-latest", "3"],
            &["--policy", "p.toml", "--untagged"],
            &["--me", "--type", "npm", "--name", "..", "--untagged"],
            &[
                "--me",
                "--type",
                "npm",
                "--exclude-name",
                "[x",
                "--untagged",
            ],
        ] {
            let error = prune_args(conflicting).map(|_| ()).unwrap_err();
            assert_ne!(error.kind(), ErrorKind::DisplayHelp, "{conflicting:?}");
        }
    }

    #[test]
    fn the_policy_file_in_prune_help_is_valid() {
        let command = Cli::command();
        let help = command
            .find_subcommand("prune")
            .and_then(|prune| prune.get_after_help())
            .unwrap()
            .to_string();
        let (_, policy) = help.split_once("A policy file").unwrap();
        let example: String = policy
            .lines()
            .filter_map(|line| line.strip_prefix("  "))
            .map(|line| format!("{line}\n"))
            .collect();
        let rules = crate::policy_file::parse("help", &example).unwrap();
        assert_eq!(rules.iter().count(), 1);
    }

    #[test]
    fn prune_without_a_policy_file_needs_owner_type_and_packages() {
        for incomplete in [
            &["--type", "npm", "--name", "x", "--untagged"][..],
            &["--me", "--name", "x", "--untagged"],
            &["--me", "--type", "npm", "--untagged"],
        ] {
            let error = prune_args(incomplete).unwrap().check().unwrap_err();
            let message = error.message.unwrap();
            assert!(
                message.starts_with("prune needs --policy FILE, or an owner"),
                "{message}"
            );
            assert_eq!(error.status, crate::exit::ExitStatus::Usage);
        }
        let error = prune_args(&["--me", "--type", "npm", "--all-packages"])
            .unwrap()
            .check()
            .unwrap_err();
        assert!(error.message.unwrap().starts_with("prune needs a policy"));
    }

    #[test]
    fn exactly_one_owner_is_required() {
        let missing = parse(&["versions", "--type", "npm", "--name", "x"]).unwrap_err();
        assert_eq!(missing.kind(), ErrorKind::MissingRequiredArgument);
        let two = parse(&[
            "versions", "--org", "a", "--user", "b", "--type", "npm", "--name", "x",
        ])
        .unwrap_err();
        assert_eq!(two.kind(), ErrorKind::ArgumentConflict);
    }

    #[test]
    fn bad_values_are_usage_errors() {
        let cases: &[&[&str]] = &[
            &["packages", "--org", "a", "--type", "pip"],
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
            &[
                "prune", "--org", "a", "--type", "npm", "--name", "x", "--tag", "[abc",
            ],
            &[
                "prune",
                "--org",
                "a",
                "--type",
                "npm",
                "--name",
                "x",
                "--keep-latest",
                "-1",
            ],
            &[
                "prune",
                "--org",
                "a",
                "--type",
                "npm",
                "--name",
                "x",
                "--concurrency",
                "0",
            ],
            &[
                "prune",
                "--org",
                "a",
                "--type",
                "npm",
                "--name",
                "x",
                "--untagged",
                "--tag",
                "v*",
            ],
            &[
                "versions", "--org", "a", "--type", "npm", "--name", "x", "--state", "gone",
            ],
            &["show", "--org", "a", "--type", "npm", "--name", ""],
            &["show", "--org", "a", "--type", "npm", "--name", "."],
            &["delete", "--org", "a", "--type", "npm", "--name", ".."],
            &["restore", "--org", "a", "--type", "npm", "--name", " "],
            &["restore", "--org", "a", "--type", "npm", "--name", ".."],
            &["versions", "--org", "..", "--type", "npm", "--name", "x"],
            &["packages", "--user", "", "--type", "npm"],
            &["restore", "--journal", "j", "--org", "a"],
        ];
        for args in cases {
            assert!(parse(args).is_err(), "{args:?} parsed");
        }
    }

    #[test]
    fn restore_takes_a_journal_alone_or_a_package() {
        let cli = parse(&["restore", "--journal", "j.jsonl"]).unwrap();
        let Command::Restore { journal, owner, .. } = cli.command else {
            panic!("not restore")
        };
        assert_eq!(journal, Some(PathBuf::from("j.jsonl")));
        assert!(owner.is_none());
        let cli = parse(&[
            "restore",
            "--user",
            "u",
            "--type",
            "npm",
            "--name",
            "x",
            "--version",
            "7",
        ])
        .unwrap();
        let Command::Restore {
            owner, version_id, ..
        } = cli.command
        else {
            panic!("not restore")
        };
        assert_eq!(owner.map(|owner| owner.owner()), Some(Owner::user("u")));
        assert_eq!(version_id, Some(7));
    }

    #[test]
    fn types_map_to_the_client_enum() {
        for arg in TypeArg::value_variants() {
            assert_eq!(TypeArg::from_package_type(&arg.package_type()), Some(*arg));
            assert_eq!(
                arg.to_possible_value().unwrap().get_name(),
                arg.package_type().as_str()
            );
        }
    }
}
