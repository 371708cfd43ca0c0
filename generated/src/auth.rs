//! The token: where it comes from, sent only as `Authorization: Bearer …`,
//! marked sensitive, and never shown.

use std::fmt;
use std::path::{Path, PathBuf};

use reqwest::header::HeaderValue;

use crate::error::Error;

/// The environment variables [`ClientBuilder::from_env`](crate::ClientBuilder::from_env)
/// reads the token from, in order.
pub const TOKEN_VARS: [&str; 2] = ["GITHUB_TOKEN", "GH_TOKEN"];

/// A GitHub token. It has no `Display`, its `Debug` output is redacted, and
/// it is turned into a header value marked sensitive, which reqwest and
/// `http` never print and which reqwest drops on a redirect to another host.
///
/// ```
/// use github_packages::Token;
///
/// let token = Token::new("ghp_example");
/// assert_eq!(format!("{token:?}"), "Token(<redacted>)");
/// ```
#[derive(Clone)]
pub struct Token(String);

impl Token {
    /// A token, surrounding whitespace removed.
    pub fn new(token: impl Into<String>) -> Self {
        let token = token.into();
        Token(token.trim().to_string())
    }

    /// Reads a token from a file holding only the token (surrounding
    /// whitespace, such as a final newline, is ignored). An error names the
    /// file and never quotes its content.
    pub fn from_file(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(|error| {
            Error::config(format!(
                "cannot read token file {}: {error}",
                path.display()
            ))
        })?;
        let token = text.trim();
        if token.is_empty() {
            return Err(Error::config(format!(
                "token file {} is empty",
                path.display()
            )));
        }
        if token.contains(char::is_whitespace) {
            return Err(Error::config(format!(
                "token file {} holds more than one word; it should hold only the token",
                path.display()
            )));
        }
        Ok(Token(token.to_string()))
    }

    /// Whether the token is empty (an empty variable counts as unset).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The token itself, for sending it in a form this crate does not build,
    /// such as the basic-auth password a container registry's token endpoint
    /// asks for (`github-packages-oci` does). Send it only in a header marked
    /// sensitive (reqwest's `basic_auth` and `bearer_auth` mark theirs), and
    /// never log or print it.
    ///
    /// ```
    /// let token = github_packages::Token::new(" ghp_example\n");
    /// assert_eq!(token.expose(), "ghp_example");
    /// ```
    pub fn expose(&self) -> &str {
        self.0.trim()
    }

    pub(crate) fn authorization(&self) -> Result<HeaderValue, Error> {
        let mut value = HeaderValue::try_from(format!("Bearer {}", self.0)).map_err(|_| {
            // Say what is wrong without echoing the value.
            Error::config("the token contains characters that cannot be sent in an HTTP header")
        })?;
        value.set_sensitive(true);
        Ok(value)
    }
}

impl From<String> for Token {
    fn from(token: String) -> Self {
        Token::new(token)
    }
}

impl From<&str> for Token {
    fn from(token: &str) -> Self {
        Token::new(token)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// Where a [`ClientBuilder`](crate::ClientBuilder)'s token came from, for
/// messages (`Display`: `$GITHUB_TOKEN`, `file PATH`, `code`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenSource {
    /// An environment variable, one of [`TOKEN_VARS`].
    Env(&'static str),
    /// A file, read with [`ClientBuilder::token_file`](crate::ClientBuilder::token_file).
    File(PathBuf),
    /// Given to [`ClientBuilder::token`](crate::ClientBuilder::token).
    Code,
}

impl fmt::Display for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenSource::Env(name) => write!(f, "${name}"),
            TokenSource::File(path) => write!(f, "file {}", path.display()),
            TokenSource::Code => f.write_str("code"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_files_hold_one_word() {
        let dir =
            std::env::temp_dir().join(format!("github-packages-token-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("token");
        std::fs::write(&file, "  ghp_fromfile\n").unwrap();
        assert_eq!(Token::from_file(&file).unwrap().0, "ghp_fromfile");
        std::fs::write(&file, " \n").unwrap();
        let empty = Token::from_file(&file).unwrap_err().to_string();
        assert!(empty.contains("is empty"), "{empty}");
        std::fs::write(&file, "ghp_one ghp_two").unwrap();
        let two = Token::from_file(&file).unwrap_err().to_string();
        assert!(
            two.contains("more than one word") && !two.contains("ghp_"),
            "{two}"
        );
        let missing = Token::from_file(&dir.join("missing"))
            .unwrap_err()
            .to_string();
        assert!(missing.contains("cannot read token file"), "{missing}");
        assert!(!missing.contains('\n'), "{missing}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
