//! The package a command is about: owner, type and name, with what the CLI
//! says about it (hints, descriptions, the command that restores it, the
//! journal line that records a deletion of it).

use chrono::Utc;
use github_packages::types::PackageType;
use github_packages::{Client, Owner};

use crate::args::{TypeArg, owner_flags, package_name};
use crate::failure::Subject;
use crate::journal::{JournalRecord, Outcome};
use crate::policy::VersionInfo;

/// The package a command or a deletion is about.
#[derive(Clone, Debug)]
pub struct Target {
    pub owner: Owner,
    pub package_type: PackageType,
    pub package: String,
    owner_flags: String,
    /// For `--me`: the authenticated user's login, once known.
    pub login: Option<String>,
    /// The package's id, once read (journaled with a whole-package deletion).
    pub package_id: Option<i64>,
}

impl Target {
    pub fn new(owner: Owner, package_type: PackageType, package: &str) -> Target {
        Target {
            owner_flags: owner_flags(&owner),
            owner,
            package_type,
            package: package.to_string(),
            login: None,
            package_id: None,
        }
    }

    /// The package a journal line is about, if `ghpkg` can address it.
    pub fn of_record(record: &JournalRecord) -> Result<Target, String> {
        let owner = record.owner()?;
        let package_type: PackageType = record.package_type.as_str().into();
        if TypeArg::from_package_type(&package_type).is_none() {
            return Err(format!("unknown package type '{}'", record.package_type));
        }
        package_name(&record.package)?;
        let mut target = Target::new(owner, package_type, &record.package);
        target.login = record.login.clone();
        target.package_id = record.package_id;
        Ok(target)
    }

    /// `login/package`, as the container registry names it (`@me/package`
    /// while the authenticated user's login is not known).
    pub fn repository(&self) -> String {
        let login = self.owner.login().or(self.login.as_deref());
        format!("{}/{}", login.unwrap_or("@me"), self.package)
    }

    /// What makes another mention of this package the same package.
    pub fn key(&self) -> PackageKey {
        PackageKey::new(&self.owner, self.package_type.as_str(), &self.package)
    }

    /// What explanations need to know.
    pub fn subject(&self, version: bool) -> Subject<'_> {
        Subject {
            owner_flags: &self.owner_flags,
            package_type: self.package_type.as_str(),
            package: &self.package,
            version,
        }
    }

    /// For `--me`, learns the login from the package (one read), so that
    /// journal lines name the user. Best effort: without it they say `@me`.
    pub async fn learn_login(&mut self, client: &Client) {
        if self.owner != Owner::AuthenticatedUser || self.login.is_some() {
            return;
        }
        if let Ok(package) = client
            .package(&self.owner, self.package_type.clone(), &self.package)
            .await
        {
            self.login = package.owner.map(|owner| owner.login);
        }
    }

    /// A journal line about this package or one of its versions.
    pub fn record(
        &self,
        version: Option<&VersionInfo>,
        outcome: Outcome,
        reason: Option<String>,
    ) -> JournalRecord {
        JournalRecord {
            time: Utc::now(),
            owner_kind: self.owner.kind().to_string(),
            owner: Some(crate::journal::owner_field(&self.owner).to_string()),
            login: match self.owner {
                Owner::AuthenticatedUser => self.login.clone(),
                _ => None,
            },
            package_type: self.package_type.to_string(),
            package: self.package.clone(),
            package_id: if version.is_none() {
                self.package_id
            } else {
                None
            },
            version_id: version.map(|v| v.id),
            name: version.map(|v| v.name.clone()),
            tags: version.map(|v| v.tags.clone()).unwrap_or_default(),
            outcome,
            reason,
            image: None,
            image_level: None,
            also_in_images: Vec::new(),
            attached: false,
        }
    }

    /// `version 7 (1.0.0) of npm package lib (--org acme)`, for messages
    /// that must stand on their own.
    pub fn describe(&self, version: Option<&VersionInfo>) -> String {
        let package = format!(
            "{} package {} ({})",
            self.package_type, self.package, self.owner_flags
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
            self.owner_flags,
            self.package_type,
            shell_word(&self.package)
        );
        if let Some(id) = version_id {
            command.push_str(&format!(" --version {id}"));
        }
        command
    }
}

/// `organization acme`, `user u` or `the authenticated user`, for sentences.
pub fn owner_words(owner: &Owner) -> String {
    match owner {
        Owner::Org(login) => format!("organization {login}"),
        Owner::User(login) => format!("user {login}"),
        Owner::AuthenticatedUser => "the authenticated user".to_string(),
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

/// What makes two mentions (arguments, journal lines) the same package: the
/// owner's kind and login (compared as GitHub does, ignoring case; the
/// authenticated user is one owner whatever login a line names), the type
/// and the name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PackageKey {
    owner_kind: String,
    login: Option<String>,
    package_type: String,
    package: String,
}

impl PackageKey {
    pub fn new(owner: &Owner, package_type: &str, package: &str) -> PackageKey {
        PackageKey::of_parts(owner.kind(), owner.login(), package_type, package)
    }

    /// The key of an owner as written, for a journal line whose owner
    /// `ghpkg` cannot read (it is still one thing among the lines).
    pub fn of_parts(
        owner_kind: &str,
        login: Option<&str>,
        package_type: &str,
        package: &str,
    ) -> PackageKey {
        PackageKey {
            owner_kind: owner_kind.to_string(),
            login: login.map(str::to_ascii_lowercase),
            package_type: package_type.to_string(),
            package: package.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restore_commands_quote_what_a_shell_would_split() {
        let target = Target::new(
            Owner::AuthenticatedUser,
            PackageType::Container,
            "repo/it's here",
        );
        assert_eq!(
            target.restore_command(Some(7)),
            r"ghpkg restore --me --type container --name 'repo/it'\''s here' --version 7"
        );
        let plain = Target::new(Owner::user("u"), PackageType::Npm, "@scope/x");
        assert_eq!(
            plain.restore_command(None),
            "ghpkg restore --user u --type npm --name @scope/x"
        );
    }
}
