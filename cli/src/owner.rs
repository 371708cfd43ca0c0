//! Who owns a package: an organization, a user, or the authenticated user.

use std::fmt;

/// The authenticated user, in a journal's `owner` field.
pub const ME: &str = "@me";

/// The owner named on the command line or in a journal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OwnerRef {
    Org(String),
    User(String),
    Me,
}

impl OwnerRef {
    /// `org`, `user` or `me`, as journals and JSON output spell it.
    pub fn kind(&self) -> &'static str {
        match self {
            OwnerRef::Org(_) => "org",
            OwnerRef::User(_) => "user",
            OwnerRef::Me => "me",
        }
    }

    /// The login, if there is one to name.
    pub fn login(&self) -> Option<&str> {
        match self {
            OwnerRef::Org(login) | OwnerRef::User(login) => Some(login),
            OwnerRef::Me => None,
        }
    }

    /// What a journal's `owner` field says: the login, or `@me`.
    pub fn journal_owner(&self) -> &str {
        self.login().unwrap_or(ME)
    }

    /// Rebuilds an owner from a journal's `owner_kind` and `owner` fields.
    pub fn from_parts(kind: &str, login: Option<&str>) -> Result<OwnerRef, String> {
        match (kind, login) {
            ("org", Some(login)) if !login.is_empty() => Ok(OwnerRef::Org(login.to_string())),
            ("user", Some(login)) if !login.is_empty() => Ok(OwnerRef::User(login.to_string())),
            ("me", _) => Ok(OwnerRef::Me),
            _ => Err(format!("unknown owner '{kind}' {login:?}")),
        }
    }

    /// The command-line flags that name this owner, for hints.
    pub fn as_flags(&self) -> String {
        match self {
            OwnerRef::Org(login) => format!("--org {login}"),
            OwnerRef::User(login) => format!("--user {login}"),
            OwnerRef::Me => "--me".to_string(),
        }
    }
}

impl fmt::Display for OwnerRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OwnerRef::Org(login) => write!(f, "organization {login}"),
            OwnerRef::User(login) => write!(f, "user {login}"),
            OwnerRef::Me => f.write_str("the authenticated user"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_journal_fields() {
        for owner in [
            OwnerRef::Org("acme".into()),
            OwnerRef::User("octocat".into()),
            OwnerRef::Me,
        ] {
            assert_eq!(
                OwnerRef::from_parts(owner.kind(), owner.login()).unwrap(),
                owner
            );
            assert_eq!(
                OwnerRef::from_parts(owner.kind(), Some(owner.journal_owner())).unwrap(),
                owner
            );
        }
        assert!(OwnerRef::from_parts("org", None).is_err());
        assert!(OwnerRef::from_parts("team", Some("x")).is_err());
    }
}
