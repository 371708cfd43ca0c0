//! The container registry beside the API: the OCI distribution protocol's
//! manifest reads with ghcr.io's token flow, agreeing with the container
//! packages' versions.
//!
//! - `GET /v2/<owner>/<package>/manifests/<digest or tag>` without a
//!   registry token is a 401 with `WWW-Authenticate: Bearer realm=…/token,
//!   service=…,scope=repository:<owner>/<package>:pull`.
//! - `GET /token?scope=repository:<repo>:pull` takes the GitHub token as
//!   the basic-auth password: an unknown token is a 401, one without
//!   `read:packages` (or `write:packages`) a 403; otherwise a registry token
//!   good for that repository.
//! - A manifest is served only while its package has an active version
//!   named by its digest: a deleted version's manifest is a 404
//!   `MANIFEST_UNKNOWN`, and comes back when the version is restored. Tags
//!   are the versions' tags. Answers carry the manifest's media type as
//!   `Content-Type` and `Docker-Content-Digest`.
//! - [`FakeGitHub::corrupt_manifest`](crate::FakeGitHub::corrupt_manifest)
//!   makes a manifest be served with a body that is not its digest's; the
//!   request faults ([`Fault`](crate::Fault)) hit registry paths too.

use std::collections::{HashMap, HashSet};

use serde_json::json;
use sha2::{Digest as _, Sha256};

use crate::api::Reply;
use crate::recording::RecordedRequest;
use crate::store::{Package, Store, VersionState};

/// The `service` of the challenge.
pub(crate) const SERVICE: &str = "fake-ghcr";

/// Manifests by digest, and the registry tokens handed out.
#[derive(Default)]
pub(crate) struct Registry {
    /// Digest → (media type, body). Content-addressed: one table for all
    /// repositories; what a repository serves is decided by its versions.
    manifests: HashMap<String, (String, Vec<u8>)>,
    corrupted: HashSet<String>,
    /// Registry token → the repository it may pull.
    tokens: HashMap<String, String>,
    next_token: u64,
    /// Manifest reads answered with a manifest.
    pub(crate) manifest_reads: u64,
    /// Counter that keeps published images apart.
    pub(crate) next_image: u64,
}

/// `sha256:<hex>` of `body`.
pub(crate) fn digest_of(body: &[u8]) -> String {
    let hash = Sha256::digest(body);
    let mut text = String::from("sha256:");
    for byte in hash {
        text.push_str(&format!("{byte:02x}"));
    }
    text
}

impl Registry {
    /// Stores a manifest and returns its digest.
    pub(crate) fn put(&mut self, media_type: &str, body: Vec<u8>) -> String {
        let digest = digest_of(&body);
        self.manifests
            .insert(digest.clone(), (media_type.to_string(), body));
        digest
    }

    pub(crate) fn body(&self, digest: &str) -> Option<&[u8]> {
        self.manifests.get(digest).map(|(_, body)| body.as_slice())
    }

    pub(crate) fn corrupt(&mut self, digest: &str) {
        self.corrupted.insert(digest.to_string());
    }
}

fn registry_error(status: u16, code: &str, message: &str) -> Reply {
    let mut reply = Reply::json(
        status,
        &json!({"errors": [{"code": code, "message": message, "detail": null}]}),
    );
    reply
        .headers
        .push(("content-type", "application/json".into()));
    reply
}

/// The answer to a registry request, or `None` if `request` is not one.
pub(crate) fn respond(store: &mut Store, request: &RecordedRequest) -> Option<Reply> {
    let path = request.raw_path.as_str();
    if path == "/token" {
        return Some(issue_token(store, request));
    }
    let rest = path.strip_prefix("/v2/")?;
    if !matches!(request.method.as_str(), "GET" | "HEAD") {
        return Some(registry_error(
            405,
            "UNSUPPORTED",
            "The operation is unsupported.",
        ));
    }
    let Some((repository, reference)) = rest.rsplit_once("/manifests/") else {
        return Some(registry_error(
            404,
            "NAME_UNKNOWN",
            "repository name not known to registry",
        ));
    };
    let granted = request
        .header("authorization")
        .and_then(|value| value.strip_prefix("Bearer "))
        .and_then(|token| store.registry.tokens.get(token.trim()));
    if granted.map(String::as_str) != Some(repository) {
        return Some(challenge(store, repository));
    }
    let Some(digest) = resolve(store, repository, reference) else {
        return Some(registry_error(404, "MANIFEST_UNKNOWN", "manifest unknown"));
    };
    let registry = &mut store.registry;
    let Some((media_type, body)) = registry.manifests.get(&digest) else {
        return Some(registry_error(404, "MANIFEST_UNKNOWN", "manifest unknown"));
    };
    let mut body = body.clone();
    if registry.corrupted.contains(&digest) {
        body.extend_from_slice(b"\n");
    }
    let media_type = media_type.clone();
    registry.manifest_reads += 1;
    Some(Reply {
        status: 200,
        headers: vec![
            ("content-type", media_type),
            ("docker-content-digest", digest),
            ("docker-distribution-api-version", "registry/2.0".into()),
        ],
        body: Some(body),
    })
}

fn challenge(store: &Store, repository: &str) -> Reply {
    let origin = store
        .base_url
        .strip_suffix(store.path_prefix.as_str())
        .unwrap_or(&store.base_url);
    let mut reply = registry_error(401, "UNAUTHORIZED", "authentication required");
    reply.headers.push((
        "www-authenticate",
        format!(
            r#"Bearer realm="{origin}/token",service="{SERVICE}",scope="repository:{repository}:pull""#
        ),
    ));
    reply
}

fn issue_token(store: &mut Store, request: &RecordedRequest) -> Reply {
    let query = crate::route::Query::parse(request.query.as_deref());
    let Some(repository) = query.get("scope").and_then(|scope| {
        let repository = scope.strip_prefix("repository:")?.strip_suffix(":pull")?;
        Some(repository.to_string())
    }) else {
        return registry_error(400, "DENIED", "scope repository:<name>:pull required");
    };
    let password = request
        .header("authorization")
        .and_then(|value| value.strip_prefix("Basic "))
        .and_then(|encoded| decode_base64(encoded.trim()))
        .and_then(|decoded| {
            let text = String::from_utf8(decoded).ok()?;
            Some(text.split_once(':')?.1.to_string())
        });
    let Some(scopes) = password.as_deref().and_then(|token| store.scopes(token)) else {
        return registry_error(401, "UNAUTHORIZED", "authentication required");
    };
    if !scopes
        .iter()
        .any(|scope| scope == "read:packages" || scope == "write:packages")
    {
        return registry_error(403, "DENIED", "requested access to the resource is denied");
    }
    let registry = &mut store.registry;
    registry.next_token += 1;
    let token = format!("registry-token-{}", registry.next_token);
    registry.tokens.insert(token.clone(), repository);
    Reply::json(200, &json!({"token": token, "access_token": token}))
}

/// The live container package that `repository` (`owner/name`, lower
/// case) names.
fn package<'a>(store: &'a Store, repository: &str) -> Option<&'a Package> {
    let (owner, name) = repository.split_once('/')?;
    store.live_container_package(owner, name)
}

/// The digest `reference` names in `repository`, if an active version has
/// that name (a digest) or that tag.
pub(crate) fn resolve(store: &Store, repository: &str, reference: &str) -> Option<String> {
    let package = package(store, repository)?;
    let version = if reference.starts_with("sha256:") {
        package.active_named(reference)
    } else {
        package
            .listed(VersionState::Active)
            .find(|version| version.tags.iter().any(|tag| tag == reference))
    }?;
    Some(version.name.clone())
}

/// Tags of `repository` whose image cannot be pulled whole: each problem
/// names the tag and the manifest the registry cannot serve.
pub(crate) fn broken_images(store: &Store, repository: &str) -> Vec<String> {
    let Some(package) = package(store, repository) else {
        return vec![format!("{repository}: no such container package")];
    };
    let tags: Vec<String> = package
        .listed(VersionState::Active)
        .flat_map(|version| version.tags.iter().cloned())
        .collect();
    tags.iter()
        .flat_map(|tag| unpullable(store, repository, tag))
        .collect()
}

/// What a pull of `reference` (a tag or digest) would miss: the manifests
/// it needs (itself, an index's manifests, recursively) that the registry
/// does not serve. Empty when the image can be pulled whole.
pub(crate) fn unpullable(store: &Store, repository: &str, reference: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(first) = resolve(store, repository, reference) else {
        return vec![format!("{repository}:{reference} is not served")];
    };
    let mut pending = vec![first];
    let mut seen = HashSet::new();
    while let Some(digest) = pending.pop() {
        if !seen.insert(digest.clone()) {
            continue;
        }
        let served = resolve(store, repository, &digest)
            .and_then(|digest| store.registry.manifests.get(&digest));
        let Some((_, body)) = served else {
            problems.push(format!(
                "{repository}:{reference} needs {digest}, which is not served"
            ));
            continue;
        };
        let document: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
        for child in document["manifests"].as_array().into_iter().flatten() {
            if let Some(child) = child["digest"].as_str() {
                pending.push(child.to_string());
            }
        }
    }
    problems
}

/// Standard base64 with padding, as `Authorization: Basic` uses.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let value = |byte: u8| -> Option<u32> {
        Some(match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let bytes = text.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut accumulated = 0u32;
        for (position, &byte) in chunk.iter().enumerate() {
            accumulated |= value(byte)? << (18 - 6 * position);
        }
        let produced = match chunk.len() {
            4 => 3,
            3 => 2,
            2 => 1,
            _ => return None,
        };
        for index in 0..produced {
            out.push((accumulated >> (16 - 8 * index)) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
#[path = "registry_tests.rs"]
mod flow_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64() {
        assert_eq!(decode_base64("dXNlcjpwYXNz").unwrap(), b"user:pass");
        assert_eq!(decode_base64("YQ==").unwrap(), b"a");
        assert_eq!(decode_base64("YWI=").unwrap(), b"ab");
        assert_eq!(decode_base64("a!"), None);
    }
}
