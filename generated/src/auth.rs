//! The token: sent only as `Authorization: Bearer …`, marked sensitive, and
//! never shown.

use std::fmt;

use reqwest::header::HeaderValue;

use crate::error::Error;

/// A GitHub token. Its `Debug` output is redacted; it is turned into a
/// header value marked sensitive, which reqwest and `http` never print and
/// which reqwest drops on a redirect to another host.
#[derive(Clone)]
pub(crate) struct Token(String);

impl Token {
    pub(crate) fn new(token: String) -> Self {
        Token(token)
    }

    /// The token itself, for the registry's token endpoint (basic auth,
    /// which reqwest marks sensitive).
    pub(crate) fn expose(&self) -> &str {
        self.0.trim()
    }

    pub(crate) fn authorization(&self) -> Result<HeaderValue, Error> {
        let mut value =
            HeaderValue::try_from(format!("Bearer {}", self.0.trim())).map_err(|_| {
                // Say what is wrong without echoing the value.
                Error::config("the token contains characters that cannot be sent in an HTTP header")
            })?;
        value.set_sensitive(true);
        Ok(value)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}
