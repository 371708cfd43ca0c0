//! Where the token and the API root come from. Everything here is checked
//! before the first request, so bad input costs no API call.

use std::fmt;
use std::path::Path;

/// GitHub's public API root.
pub const DEFAULT_BASE_URL: &str = "https://api.github.com";

/// An API token. Its `Debug` never shows it, and it has no `Display`.
pub struct Token(String);

impl Token {
    /// The secret itself, for the client builder only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// Where the token was found, for `-v`.
#[derive(Debug, PartialEq, Eq)]
pub enum TokenSource {
    File(String),
    Env(&'static str),
}

impl fmt::Display for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenSource::File(path) => write!(f, "file {path}"),
            TokenSource::Env(name) => write!(f, "${name}"),
        }
    }
}

/// Finds the token: `--token-file`, else `GITHUB_TOKEN`, else `GH_TOKEN`.
/// `env` is passed in so tests need not touch the process environment.
pub fn resolve_token(
    token_file: Option<&Path>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<(Token, TokenSource), String> {
    if let Some(path) = token_file {
        let text = std::fs::read_to_string(path)
            .map_err(|error| format!("cannot read token file {}: {error}", path.display()))?;
        let token = text.trim();
        if token.is_empty() {
            return Err(format!("token file {} is empty", path.display()));
        }
        if token.contains(char::is_whitespace) {
            return Err(format!(
                "token file {} holds more than one word; it should hold only the token",
                path.display()
            ));
        }
        return Ok((
            Token(token.to_string()),
            TokenSource::File(path.display().to_string()),
        ));
    }
    for name in ["GITHUB_TOKEN", "GH_TOKEN"] {
        if let Some(value) = env(name) {
            let token = value.trim();
            if !token.is_empty() {
                return Ok((Token(token.to_string()), TokenSource::Env(name)));
            }
        }
    }
    Err("no token: pass --token-file PATH or set GITHUB_TOKEN or GH_TOKEN".to_string())
}

/// Finds the API root: `--base-url`, else `GITHUB_API_URL`, else GitHub's.
///
/// Only the parts of a URL that can carry a secret are checked here, and
/// refused without quoting the URL: user info (`https://x:TOKEN@host`) and a
/// query or fragment (`?access_token=…`). Everything else (scheme, host) is
/// the client layer's to check when the client is built, and its message
/// may then quote the URL, which by then holds no secret.
pub fn resolve_base_url(
    flag: Option<&str>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<String, String> {
    let (url, source) = match flag {
        Some(url) => (url.to_string(), "--base-url"),
        None => match env("GITHUB_API_URL").filter(|url| !url.trim().is_empty()) {
            Some(url) => (url, "GITHUB_API_URL"),
            None => return Ok(DEFAULT_BASE_URL.to_string()),
        },
    };
    let url = url.trim();
    // Anywhere, not only in the authority: URL parsers disagree on where it
    // ends (`\`, a `/` in a password), and an API root never has an `@`.
    if url.contains('@') {
        return Err(format!(
            "{source} must not contain credentials (user:password@); \
             pass the token with --token-file, GITHUB_TOKEN or GH_TOKEN"
        ));
    }
    if url.contains(['?', '#']) {
        return Err(format!(
            "{source} must not have a query or fragment (from ? or #); \
             give only the API root, e.g. https://HOST/api/v3"
        ));
    }
    Ok(url.trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn token_file_wins_then_github_token_then_gh_token() {
        let dir = std::env::temp_dir().join(format!("ghpkg-config-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("token");
        std::fs::write(&file, "  from-file\n").unwrap();
        let both = env_of(&[("GITHUB_TOKEN", "a"), ("GH_TOKEN", "b")]);
        let (token, source) = resolve_token(Some(&file), &both).unwrap();
        assert_eq!(token.expose(), "from-file");
        assert!(matches!(source, TokenSource::File(_)));
        let (token, source) = resolve_token(None, &both).unwrap();
        assert_eq!(
            (token.expose(), source),
            ("a", TokenSource::Env("GITHUB_TOKEN"))
        );
        let (token, _) =
            resolve_token(None, env_of(&[("GITHUB_TOKEN", " "), ("GH_TOKEN", "b")])).unwrap();
        assert_eq!(token.expose(), "b");
    }

    #[test]
    fn missing_or_unusable_tokens_are_one_line_errors() {
        let none = resolve_token(None, env_of(&[])).unwrap_err();
        assert_eq!(
            none,
            "no token: pass --token-file PATH or set GITHUB_TOKEN or GH_TOKEN"
        );
        let missing =
            resolve_token(Some(Path::new("/nonexistent/ghpkg-token")), env_of(&[])).unwrap_err();
        assert!(missing.starts_with("cannot read token file"), "{missing}");
        assert!(!missing.contains('\n'));
    }

    #[test]
    fn token_debug_is_redacted() {
        let (token, _) = resolve_token(None, env_of(&[("GH_TOKEN", "ghp_secret")])).unwrap();
        assert_eq!(format!("{token:?}"), "Token(<redacted>)");
    }

    #[test]
    fn base_url_comes_from_flag_env_or_default() {
        let env = env_of(&[("GITHUB_API_URL", "https://ghe.example/api/v3/")]);
        assert_eq!(
            resolve_base_url(None, env_of(&[])).unwrap(),
            DEFAULT_BASE_URL
        );
        assert_eq!(
            resolve_base_url(None, &env).unwrap(),
            "https://ghe.example/api/v3"
        );
        assert_eq!(
            resolve_base_url(Some(" http://127.0.0.1:8080 "), &env).unwrap(),
            "http://127.0.0.1:8080"
        );
    }

    #[test]
    fn base_urls_that_could_hold_a_secret_are_refused_without_quoting_them() {
        let cases = [
            ("https://x:SECRET@ghe.example/api/v3", "credentials"),
            ("https://SECRET@ghe.example", "credentials"),
            ("https:\\\\x:SECRET@ghe.example", "credentials"),
            ("https://ghe.example/api/v3?access_token=SECRET", "query"),
            ("https://ghe.example/api/v3#SECRET", "query or fragment"),
        ];
        for (url, expected) in cases {
            let flag = resolve_base_url(Some(url), env_of(&[])).unwrap_err();
            assert!(flag.starts_with("--base-url must not"), "{flag}");
            assert!(flag.contains(expected), "{flag}");
            assert!(!flag.contains("SECRET"), "{flag}");
            let env = move |name: &str| (name == "GITHUB_API_URL").then(|| url.to_string());
            let from_env = resolve_base_url(None, env).unwrap_err();
            assert!(
                from_env.starts_with("GITHUB_API_URL must not"),
                "{from_env}"
            );
            assert!(!from_env.contains("SECRET"), "{from_env}");
        }
    }
}
