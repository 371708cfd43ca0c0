//! The package a command is about ([`PackageRef`]: owner, type, name), what
//! a request was about ([`Subject`]), and every way the CLI spells an owner
//! ([`OwnerSpelling`]).

use std::hash::{Hash, Hasher};

use github_packages::types::PackageType;
use github_packages::{Client, Owner};
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use super::Version;
use crate::args::{TypeArg, package_name};
use crate::journal::JournalRecord;

/// Every way the CLI spells an owner, besides the client's `Display`
/// (`org:acme`, `user:u`, `@me`), which tables and the step summary show.
pub trait OwnerSpelling {
    /// The flags that name it on the command line: `--org acme`,
    /// `--user u`, `--me`.
    fn flags(&self) -> String;
    /// For sentences: `organization acme`, `user u`, `the authenticated user`.
    fn words(&self) -> String;
    /// What a journal's `owner` field holds: the login, or `@me`.
    fn journal_field(&self) -> &str;
    /// In JSON output: `{"kind": "org", "login": "acme"}`.
    fn view(&self) -> OwnerView;
}

/// The authenticated user, in a journal's `owner` field.
pub const ME: &str = "@me";

impl OwnerSpelling for Owner {
    fn flags(&self) -> String {
        match self {
            Owner::Org(login) => format!("--org {login}"),
            Owner::User(login) => format!("--user {login}"),
            Owner::AuthenticatedUser => "--me".to_string(),
        }
    }

    fn words(&self) -> String {
        match self {
            Owner::Org(login) => format!("organization {login}"),
            Owner::User(login) => format!("user {login}"),
            Owner::AuthenticatedUser => "the authenticated user".to_string(),
        }
    }

    fn journal_field(&self) -> &str {
        self.login().unwrap_or(ME)
    }

    fn view(&self) -> OwnerView {
        OwnerView {
            kind: self.kind(),
            login: self.login().map(str::to_string),
        }
    }
}

/// An owner in JSON output: `{"kind": "org", "login": "acme"}`.
#[derive(Debug, Serialize)]
pub struct OwnerView {
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login: Option<String>,
}

/// The package a command or a deletion is about: its owner, type and name,
/// and what was learnt about it on the way (the login behind `--me`, the
/// package's id).
///
/// Two references are equal when they name the same package: the owners
/// are the same account (the client's `Owner::same_account`, which ignores
/// the login's case, as GitHub does), the types and the names are equal.
/// What was learnt does not count.
///
/// In JSON it is the three fields `owner`, `type` and `package`.
#[derive(Clone, Debug)]
pub struct PackageRef {
    pub owner: Owner,
    pub package_type: PackageType,
    pub name: String,
    /// For `--me`: the authenticated user's login, once known.
    pub login: Option<String>,
    /// The package's id, once read (journaled with a whole-package deletion).
    pub package_id: Option<i64>,
}

impl PackageRef {
    pub fn new(owner: Owner, package_type: PackageType, name: &str) -> PackageRef {
        PackageRef {
            owner,
            package_type,
            name: name.to_string(),
            login: None,
            package_id: None,
        }
    }

    /// The package a journal line is about, if `ghpkg` can address it.
    pub fn of_record(record: &JournalRecord) -> Result<PackageRef, String> {
        let owner = record.owner()?;
        if TypeArg::from_package_type(&record.package_type).is_none() {
            return Err(format!("unknown package type '{}'", record.package_type));
        }
        package_name(&record.package)?;
        let mut package = PackageRef::new(owner, record.package_type.clone(), &record.package);
        package.login = record.login.clone();
        package.package_id = record.package_id;
        Ok(package)
    }

    /// `login/package`, as the container registry names it (`@me/package`
    /// while the authenticated user's login is not known).
    pub fn repository(&self) -> String {
        let login = self.owner.login().or(self.login.as_deref());
        format!("{}/{}", login.unwrap_or(ME), self.name)
    }

    /// What a request about this package (`version`: about one of its
    /// versions) was about, for explanations.
    pub fn subject(&self, version: bool) -> Subject<'_> {
        if version {
            Subject::Version(self)
        } else {
            Subject::Package(self)
        }
    }

    /// For `--me`, learns the login from the package (one read), so that
    /// journal lines name the user. Best effort: without it they say `@me`.
    pub async fn learn_login(&mut self, client: &Client) {
        if self.owner != Owner::AuthenticatedUser || self.login.is_some() {
            return;
        }
        if let Ok(package) = client
            .package(&self.owner, self.package_type.clone(), &self.name)
            .await
        {
            self.login = package.owner.map(|owner| owner.login);
        }
    }

    /// `version 7 (1.0.0) of npm package lib (--org acme)`, for messages
    /// that must stand on their own.
    pub fn describe(&self, version: Option<&Version>) -> String {
        let package = format!(
            "{} package {} ({})",
            self.package_type,
            self.name,
            self.owner.flags()
        );
        match version {
            Some(version) => format!("version {} ({}) of {package}", version.id, version.name),
            None => package,
        }
    }

    /// The command that restores this package or version by hand.
    pub fn restore_command(&self, version_id: Option<i64>) -> String {
        let mut command = format!(
            "ghpkg restore {} --type {} --name {}",
            self.owner.flags(),
            self.package_type,
            shell_word(&self.name)
        );
        if let Some(id) = version_id {
            command.push_str(&format!(" --version {id}"));
        }
        command
    }
}

impl PartialEq for PackageRef {
    fn eq(&self, other: &PackageRef) -> bool {
        self.owner.same_account(&other.owner)
            && self.package_type == other.package_type
            && self.name == other.name
    }
}

impl Eq for PackageRef {}

impl Hash for PackageRef {
    /// Agrees with `eq` without a second case-blind rule: the login is left
    /// out (references that differ only in their owner share a bucket).
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.owner.kind().hash(state);
        self.package_type.hash(state);
        self.name.hash(state);
    }
}

impl Serialize for PackageRef {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut fields = serializer.serialize_struct("PackageRef", 3)?;
        fields.serialize_field("owner", &self.owner.view())?;
        fields.serialize_field("type", self.package_type.as_str())?;
        fields.serialize_field("package", &self.name)?;
        fields.end()
    }
}

/// What a failed request was about, for the hints in explanations.
#[derive(Clone, Copy, Debug)]
pub enum Subject<'a> {
    /// An owner's packages of one type: a listing, or `conflicts`.
    Packages {
        owner: &'a Owner,
        package_type: &'a PackageType,
    },
    /// A whole package.
    Package(&'a PackageRef),
    /// One version of a package.
    Version(&'a PackageRef),
}

impl Subject<'_> {
    pub fn owner(&self) -> &Owner {
        match self {
            Subject::Packages { owner, .. } => owner,
            Subject::Package(package) | Subject::Version(package) => &package.owner,
        }
    }

    /// The package, unless the request was about the owner's packages.
    pub fn package(&self) -> Option<&PackageRef> {
        match self {
            Subject::Packages { .. } => None,
            Subject::Package(package) | Subject::Version(package) => Some(package),
        }
    }

    pub fn package_type(&self) -> &PackageType {
        match self {
            Subject::Packages { package_type, .. } => package_type,
            Subject::Package(package) | Subject::Version(package) => &package.package_type,
        }
    }

    /// `version` or `package`.
    pub fn noun(&self) -> &'static str {
        match self {
            Subject::Version(_) => "version",
            _ => "package",
        }
    }
}

/// `word`, quoted for a POSIX shell if it needs it.
fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:@%+=,".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restore_commands_quote_what_a_shell_would_split() {
        let package = PackageRef::new(
            Owner::AuthenticatedUser,
            PackageType::Container,
            "repo/it's here",
        );
        assert_eq!(
            package.restore_command(Some(7)),
            r"ghpkg restore --me --type container --name 'repo/it'\''s here' --version 7"
        );
        let plain = PackageRef::new(Owner::user("u"), PackageType::Npm, "@scope/x");
        assert_eq!(
            plain.restore_command(None),
            "ghpkg restore --user u --type npm --name @scope/x"
        );
    }

    #[test]
    fn references_to_one_package_are_equal_whatever_the_logins_case() {
        use std::collections::HashSet;
        let lower = PackageRef::new(Owner::org("acme"), PackageType::Npm, "lib");
        let mut upper = PackageRef::new(Owner::org("ACME"), PackageType::Npm, "lib");
        upper.package_id = Some(3);
        assert_eq!(lower, upper);
        let set: HashSet<PackageRef> = [lower.clone(), upper].into_iter().collect();
        assert_eq!(set.len(), 1);
        assert_ne!(
            lower,
            PackageRef::new(Owner::user("acme"), PackageType::Npm, "lib")
        );
        assert_ne!(
            lower,
            PackageRef::new(Owner::org("acme"), PackageType::Npm, "Lib")
        );
    }

    #[test]
    fn owners_round_trip_through_journal_fields() {
        for owner in [
            Owner::org("acme"),
            Owner::user("octocat"),
            Owner::AuthenticatedUser,
        ] {
            let parsed = Owner::from_kind(owner.kind(), Some(owner.journal_field()));
            assert_eq!(parsed.unwrap(), owner);
        }
        assert!(Owner::from_kind("org", None).is_err());
        assert!(Owner::from_kind("team", Some("x")).is_err());
    }
}
