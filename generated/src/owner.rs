//! The owner of packages, [`Owner`]: an organization, a user, or the
//! authenticated user. GitHub has a near-identical family of operations for
//! each; the client's calls (`package_calls`, `listing`) pick the right
//! generated one.

use std::fmt;
use std::str::FromStr;

use crate::error::Error;
use crate::path::check_path_segment;

/// Who owns a package.
///
/// `Display` and `FromStr` use `org:NAME`, `user:NAME` and `@me`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Owner {
    /// An organization, by login.
    Org(String),
    /// A user, by login (for the token's own account, prefer
    /// [`Owner::AuthenticatedUser`], which also sees private packages).
    User(String),
    /// The user the token belongs to.
    AuthenticatedUser,
}

impl Owner {
    /// An organization, by login.
    pub fn org(login: impl Into<String>) -> Self {
        Owner::Org(login.into())
    }

    /// A user, by login.
    pub fn user(login: impl Into<String>) -> Self {
        Owner::User(login.into())
    }

    /// `org`, `user` or `me`: the owner's kind, as a stable word for files
    /// and JSON (with [`login`](Self::login), see [`from_kind`](Self::from_kind)).
    pub fn kind(&self) -> &'static str {
        match self {
            Owner::Org(_) => "org",
            Owner::User(_) => "user",
            Owner::AuthenticatedUser => "me",
        }
    }

    /// The login of an organization or user; `None` for the authenticated
    /// user.
    pub fn login(&self) -> Option<&str> {
        match self {
            Owner::Org(login) | Owner::User(login) => Some(login),
            Owner::AuthenticatedUser => None,
        }
    }

    /// Whether both name the same account: GitHub's logins are
    /// case-insensitive, so `org:Octo-Org` and `org:octo-org` are one
    /// organization. [`Owner::AuthenticatedUser`] is only the same as
    /// itself: which user it is, only GitHub knows.
    ///
    /// ```
    /// use github_packages::Owner;
    ///
    /// assert!(Owner::org("Octo-Org").same_account(&Owner::org("octo-org")));
    /// assert!(!Owner::org("octo").same_account(&Owner::user("octo")));
    /// assert!(!Owner::AuthenticatedUser.same_account(&Owner::user("octocat")));
    /// ```
    pub fn same_account(&self, other: &Owner) -> bool {
        match (self, other) {
            (Owner::Org(a), Owner::Org(b)) | (Owner::User(a), Owner::User(b)) => {
                a.eq_ignore_ascii_case(b)
            }
            (Owner::AuthenticatedUser, Owner::AuthenticatedUser) => true,
            _ => false,
        }
    }

    /// Whether GitHub lists this owner's deleted versions: it has no state
    /// filter for another user's packages (only for an organization's and
    /// the authenticated user's).
    ///
    /// ```
    /// use github_packages::Owner;
    ///
    /// assert!(Owner::org("octo-org").lists_deleted_versions());
    /// assert!(!Owner::user("octocat").lists_deleted_versions());
    /// ```
    pub fn lists_deleted_versions(&self) -> bool {
        !matches!(self, Owner::User(_))
    }

    /// The owner a [`kind`](Self::kind) and a login name: `org` and `user`
    /// need a login, `me` ignores one. The login is checked like every path
    /// parameter.
    ///
    /// ```
    /// use github_packages::Owner;
    ///
    /// let owner = Owner::org("octo-org");
    /// assert_eq!(Owner::from_kind(owner.kind(), owner.login())?, owner);
    /// assert_eq!(Owner::from_kind("me", Some("@me"))?, Owner::AuthenticatedUser);
    /// assert!(Owner::from_kind("team", Some("x")).is_err());
    /// # Ok::<(), github_packages::Error>(())
    /// ```
    pub fn from_kind(kind: &str, login: Option<&str>) -> Result<Owner, Error> {
        let owner = match (kind, login) {
            ("org", Some(login)) => Owner::org(login),
            ("user", Some(login)) => Owner::user(login),
            ("me", _) => Owner::AuthenticatedUser,
            _ => {
                return Err(Error::invalid_parameter(
                    "owner",
                    &format!("{kind} {}", login.unwrap_or("(no login)")),
                    "expected the kind `org` or `user` with a login, or `me`",
                ));
            }
        };
        owner.check()?;
        Ok(owner)
    }

    /// Refuses a login that would change the requested path.
    pub(crate) fn check(&self) -> Result<(), Error> {
        match self {
            Owner::Org(login) => check_path_segment("org", login),
            Owner::User(login) => check_path_segment("username", login),
            Owner::AuthenticatedUser => Ok(()),
        }
    }
}

impl fmt::Display for Owner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Owner::Org(login) => write!(f, "org:{login}"),
            Owner::User(login) => write!(f, "user:{login}"),
            Owner::AuthenticatedUser => f.write_str("@me"),
        }
    }
}

impl FromStr for Owner {
    type Err = Error;

    /// Parses `org:NAME`, `user:NAME` or `@me`.
    fn from_str(text: &str) -> Result<Self, Error> {
        let owner = if text == "@me" {
            Owner::AuthenticatedUser
        } else if let Some(login) = text.strip_prefix("org:") {
            Owner::org(login)
        } else if let Some(login) = text.strip_prefix("user:") {
            Owner::user(login)
        } else {
            return Err(Error::invalid_parameter(
                "owner",
                text,
                "expected `org:NAME`, `user:NAME` or `@me`",
            ));
        };
        owner.check()?;
        Ok(owner)
    }
}
