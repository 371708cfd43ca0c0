//! Per-request behaviour of the generated `Client`: the headers GitHub
//! expects on every request.

use progenitor_client::{ClientHooks, OperationInfo};
use reqwest::header::{ACCEPT, HeaderName, HeaderValue};

use crate::Client;

/// The REST API version this crate was generated for.
pub const API_VERSION: &str = "2022-11-28";

/// State the generated `Client` carries for the hand-written layer.
#[derive(Clone, Debug, Default)]
pub struct Runtime {}

impl ClientHooks<Runtime> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let headers = request.headers_mut();
        // progenitor sends the spec's `info.version` as `api-version`; GitHub
        // reads `X-GitHub-Api-Version` instead.
        headers.remove("api-version");
        headers.insert(
            HeaderName::from_static("x-github-api-version"),
            HeaderValue::from_static(API_VERSION),
        );
        // Each generated request sets `Accept: application/json`; GitHub
        // recommends its own media type.
        headers.insert(ACCEPT, HeaderValue::from_static("application/vnd.github+json"));
        Ok(())
    }
}
