//! The registry's token flow: a `WWW-Authenticate: Bearer` challenge, and
//! the token endpoint that trades the user's GitHub token (sent as the
//! basic-auth password) for a registry token scoped to one repository.

use std::collections::BTreeMap;

/// A parsed `Bearer` challenge: `realm` (the token endpoint) and the
/// parameters to send it (`service`, `scope`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BearerChallenge {
    pub(crate) realm: String,
    pub(crate) service: Option<String>,
    pub(crate) scope: Option<String>,
}

impl BearerChallenge {
    /// Reads `Bearer realm="…",service="…",scope="…"`; `None` for another
    /// scheme or without a realm. Quoted values may hold `,` and `\"`.
    pub(crate) fn parse(header: &str) -> Option<BearerChallenge> {
        let header = header.trim();
        let (scheme, rest) = header.split_once(char::is_whitespace)?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return None;
        }
        let parameters = parse_parameters(rest)?;
        Some(BearerChallenge {
            realm: parameters.get("realm")?.clone(),
            service: parameters.get("service").cloned(),
            scope: parameters.get("scope").cloned(),
        })
    }
}

/// `key=value` or `key="quoted value"` pairs separated by commas; keys are
/// lower-cased. `None` if the text does not follow that grammar.
fn parse_parameters(text: &str) -> Option<BTreeMap<String, String>> {
    let mut parameters = BTreeMap::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace() || *c == ',') {
            chars.next();
        }
        if chars.peek().is_none() {
            return Some(parameters);
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' {
                break;
            }
            key.push(c);
            chars.next();
        }
        chars.next()?; // '='
        while chars.peek().is_some_and(|c| *c == ' ' || *c == '\t') {
            chars.next();
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next()? {
                    '"' => break,
                    '\\' => value.push(chars.next()?),
                    c => value.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' {
                    break;
                }
                value.push(c);
                chars.next();
            }
            value = value.trim().to_string();
        }
        let key = key.trim().to_ascii_lowercase();
        if key.is_empty() {
            return None;
        }
        parameters.insert(key, value);
    }
}

/// The token endpoint's answer: Docker's `token` or OAuth's `access_token`.
#[derive(serde::Deserialize)]
pub(crate) struct TokenAnswer {
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    access_token: Option<String>,
}

impl TokenAnswer {
    pub(crate) fn into_token(self) -> Option<String> {
        self.token
            .or(self.access_token)
            .filter(|token| !token.is_empty())
    }
}

impl std::fmt::Debug for TokenAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenAnswer(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ghcr_style_challenges() {
        let challenge = BearerChallenge::parse(
            r#"Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:acme/app:pull""#,
        )
        .unwrap();
        assert_eq!(challenge.realm, "https://ghcr.io/token");
        assert_eq!(challenge.service.as_deref(), Some("ghcr.io"));
        assert_eq!(challenge.scope.as_deref(), Some("repository:acme/app:pull"));

        let spaced = BearerChallenge::parse(
            r#"bearer  Realm = "https://r.example/t", scope="a,b \"c\"" , service=svc"#,
        )
        .unwrap();
        assert_eq!(spaced.realm, "https://r.example/t");
        assert_eq!(spaced.scope.as_deref(), Some(r#"a,b "c""#));
        assert_eq!(spaced.service.as_deref(), Some("svc"));
    }

    #[test]
    fn refuses_other_schemes_and_broken_parameters() {
        for header in [
            r#"Basic realm="x""#,
            "Bearer",
            r#"Bearer service="x""#,
            r#"Bearer realm="unterminated"#,
            r#"Bearer ="x""#,
        ] {
            assert_eq!(BearerChallenge::parse(header), None, "{header}");
        }
    }

    #[test]
    fn token_answer_never_shows_the_token() {
        let answer: TokenAnswer = serde_json::from_str(r#"{"access_token":"secret1"}"#).unwrap();
        assert!(!format!("{answer:?}").contains("secret1"));
        assert_eq!(answer.into_token().as_deref(), Some("secret1"));
        let empty: TokenAnswer = serde_json::from_str(r#"{"token":""}"#).unwrap();
        assert_eq!(empty.into_token(), None);
    }
}
