//! The client every command uses, built from the global options and the
//! environment by the client's own rules (`ClientBuilder::from_vars`, the
//! token file, the base-URL check); only the wording is the CLI's.

use std::time::Duration;

use github_packages::{
    BASE_URL_VAR, BaseUrlError, Client, ClientBuilder, ErrorKind, RetryPolicy, TOKEN_VARS,
    TokenSource,
};

use github_packages_oci::registry::RegistryBuilder;

use crate::args::GlobalArgs;
use crate::exit::Exit;
use crate::pacing;

/// Builds the client: the token from `--token-file`, else the client's
/// environment variables; the API root from `--base-url`, else the
/// client's. `env` is passed in so tests need not touch the process
/// environment. Every refusal is bad input (nothing was sent).
pub fn client(
    global: &GlobalArgs,
    env: impl Fn(&str) -> Option<String>,
) -> Result<(Client, TokenSource, RegistryBuilder), Exit> {
    let mut builder = ClientBuilder::from_vars(env);
    if let Some(url) = &global.base_url {
        builder = builder.base_url(url);
    }
    // Checked first, and named by where it came from, without quoting it:
    // it may hold a token.
    builder.check_base_url().map_err(|error| {
        let source = if global.base_url.is_some() {
            "--base-url"
        } else {
            BASE_URL_VAR
        };
        let hint = match error {
            BaseUrlError::Credentials => {
                format!("; pass the token with --token-file, {}", token_vars())
            }
            _ => String::new(),
        };
        Exit::usage(format!("{source} {error}{hint}"))
    })?;
    if let Some(path) = &global.token_file {
        builder = builder
            .token_file(path)
            .map_err(|error| match error.kind() {
                ErrorKind::Config { problem } => Exit::usage(problem.clone()),
                _ => Exit::usage(error.to_string()),
            })?;
    }
    let Some(source) = builder.token_source().cloned() else {
        return Err(Exit::usage(format!(
            "no token: pass --token-file PATH or set {}",
            token_vars()
        )));
    };
    let max_wait = global.max_wait.to_std().unwrap_or_default();
    // `max_wait` is the longest single wait for a rate limit to reset; a
    // limit that resets later fails the request instead of stalling.
    let retry = RetryPolicy::default()
        .max_retries(global.retries)
        .max_wait(max_wait)
        .max_total_wait(max_wait.max(Duration::from_secs(300)));
    let budget = pacing::request_budget(global.request_budget, global.rate).map_err(Exit::usage)?;
    let builder = builder
        .user_agent(concat!("ghpkg/", env!("CARGO_PKG_VERSION")))
        .retry(retry)
        .request_budget(budget);
    // The same token and User-Agent for the container registry.
    let registry = RegistryBuilder::for_api(&builder);
    let client = builder
        .build()
        .map_err(|error| Exit::usage(error.to_string()))?;
    Ok((client, source, registry))
}

/// Whether a token is at hand (`--token-file`, or one of the client's
/// token variables), without reading it: `--explain` plans images only
/// then.
pub fn has_token(global: &GlobalArgs, env: impl Fn(&str) -> Option<String>) -> bool {
    global.token_file.is_some() || ClientBuilder::from_vars(env).token_source().is_some()
}

/// The client's token variables, in the order it reads them, for messages
/// ("GITHUB_TOKEN or GH_TOKEN").
pub fn token_vars() -> String {
    TOKEN_VARS.join(" or ")
}
