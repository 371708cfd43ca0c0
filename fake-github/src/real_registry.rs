//! A real registry behind a container package: a distribution registry
//! (e.g. Debian's `docker-registry`) on 127.0.0.1 holds the package's
//! manifests. [`FakeGitHub::import_registry`](crate::FakeGitHub::import_registry)
//! lists the manifests its storage holds as the package's versions, with
//! their tags; from then on, deleting a version deletes its manifest in the
//! registry (by digest, which untags it), and restoring one puts the
//! manifest's saved bytes back (by digest, then under each of its tags).
//!
//! [`RealRegistry`] speaks the distribution API as a client does, over
//! plain HTTP/1.1 with one connection per request: pushing blobs and
//! manifests, reading and deleting them. Every request carries an
//! `Authorization` header, which the registry's `silly` auth accepts
//! whatever it says.

use std::collections::HashMap;
use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{SubsecRound, TimeDelta, Utc};
use serde_json::json;

use crate::api::Reply;
use crate::registry::digest_of;
use crate::store::{Owner, Store, VersionSpec, VersionState};

/// How long one request to the registry may take.
const TIMEOUT: Duration = Duration::from_secs(20);

/// What a manifest is served as: its media type and bytes.
type Saved = (String, Vec<u8>);

/// One repository of a distribution registry listening on 127.0.0.1.
#[derive(Clone, Debug)]
pub struct RealRegistry {
    /// `127.0.0.1:PORT`.
    address: String,
    /// E.g. `acme/app`.
    repository: String,
    /// The registry's `storage.filesystem.rootdirectory`.
    storage: PathBuf,
}

/// A registry's answer.
#[derive(Clone, Debug)]
pub struct RegistryAnswer {
    /// The HTTP status.
    pub status: u16,
    /// The headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked.
    pub body: Vec<u8>,
}

impl RegistryAnswer {
    /// The first header called `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

impl RealRegistry {
    /// The repository `repository` of the registry at `address`
    /// (`127.0.0.1:PORT`), which stores its data under `storage`.
    pub fn new(
        address: impl Into<String>,
        repository: impl Into<String>,
        storage: impl Into<PathBuf>,
    ) -> RealRegistry {
        RealRegistry {
            address: address.into(),
            repository: repository.into(),
            storage: storage.into(),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The repository, e.g. `acme/app`.
    pub fn repository(&self) -> &str {
        &self.repository
    }

    /// Sends one request (`path` from the root, query included) and reads
    /// the whole answer.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<RegistryAnswer, String> {
        let failed =
            |error: std::io::Error| format!("{method} {path} on {}: {error}", self.address);
        let mut stream = TcpStream::connect(&self.address).map_err(failed)?;
        stream.set_read_timeout(Some(TIMEOUT)).map_err(failed)?;
        stream.set_write_timeout(Some(TIMEOUT)).map_err(failed)?;
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n\
             Authorization: Bearer fake-github\r\n",
            self.address,
            body.len()
        );
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).map_err(failed)?;
        stream.write_all(body).map_err(failed)?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).map_err(failed)?;
        parse_answer(&raw).ok_or_else(|| format!("{method} {path}: an answer that is not HTTP/1.1"))
    }

    /// Uploads `content` as a blob (POST, then PUT with its digest) and
    /// returns its digest.
    pub fn push_blob(&self, content: &[u8]) -> Result<String, String> {
        let digest = digest_of(content);
        let started = self.request(
            "POST",
            &format!("/v2/{}/blobs/uploads/", self.repository),
            &[],
            &[],
        )?;
        let location = match (started.status, started.header("location")) {
            (202, Some(location)) => location.to_string(),
            _ => return Err(refused("starting a blob upload", &started)),
        };
        // The location may be absolute; keep its path and query.
        let path = match location.split_once("://") {
            Some((_, rest)) => rest[rest.find('/').unwrap_or(rest.len())..].to_string(),
            None => location,
        };
        let separator = if path.contains('?') { '&' } else { '?' };
        let done = self.request(
            "PUT",
            &format!("{path}{separator}digest={digest}"),
            &[("Content-Type", "application/octet-stream")],
            content,
        )?;
        if done.status != 201 {
            return Err(refused(&format!("uploading blob {digest}"), &done));
        }
        Ok(digest)
    }

    /// Puts `body` as a manifest by its digest, then under each of `tags`,
    /// and returns its digest.
    pub fn push_manifest(
        &self,
        media_type: &str,
        body: &[u8],
        tags: &[&str],
    ) -> Result<String, String> {
        let digest = digest_of(body);
        for reference in std::iter::once(digest.as_str()).chain(tags.iter().copied()) {
            let answer = self.request(
                "PUT",
                &format!("/v2/{}/manifests/{reference}", self.repository),
                &[("Content-Type", media_type)],
                body,
            )?;
            if answer.status != 201 {
                return Err(refused(&format!("putting manifest {reference}"), &answer));
            }
        }
        Ok(digest)
    }

    /// The manifest `reference` as served (media type, bytes), or `None`
    /// when the registry does not know it.
    pub fn manifest(&self, reference: &str) -> Result<Option<(String, Vec<u8>)>, String> {
        let accept = [
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.docker.distribution.manifest.v2+json",
        ]
        .join(", ");
        let answer = self.request(
            "GET",
            &format!("/v2/{}/manifests/{reference}", self.repository),
            &[("Accept", &accept)],
            &[],
        )?;
        match answer.status {
            200 => Ok(Some((
                answer
                    .header("content-type")
                    .unwrap_or_default()
                    .to_string(),
                answer.body,
            ))),
            404 => Ok(None),
            _ => Err(refused(&format!("reading manifest {reference}"), &answer)),
        }
    }

    /// Deletes the manifest `digest` (and so every tag of it).
    pub fn delete_manifest(&self, digest: &str) -> Result<(), String> {
        let answer = self.request(
            "DELETE",
            &format!("/v2/{}/manifests/{digest}", self.repository),
            &[],
            &[],
        )?;
        match answer.status {
            202 => Ok(()),
            _ => Err(refused(&format!("deleting manifest {digest}"), &answer)),
        }
    }

    /// Whether the blob `digest` is served whole (its body is its digest's).
    pub fn blob_served(&self, digest: &str) -> Result<bool, String> {
        let answer = self.request(
            "GET",
            &format!("/v2/{}/blobs/{digest}", self.repository),
            &[],
            &[],
        )?;
        Ok(answer.status == 200 && digest_of(&answer.body) == digest)
    }

    fn manifests_dir(&self) -> PathBuf {
        self.storage
            .join("docker/registry/v2/repositories")
            .join(&self.repository)
            .join("_manifests")
    }

    /// The manifests the repository's storage holds (a deleted one keeps
    /// its folder, not its link), by digest.
    pub fn stored_manifests(&self) -> Vec<String> {
        let revisions = self.manifests_dir().join("revisions/sha256");
        let mut digests: Vec<String> = entries(&revisions)
            .into_iter()
            .filter(|hex| revisions.join(hex).join("link").is_file())
            .map(|hex| format!("sha256:{hex}"))
            .collect();
        digests.sort();
        digests
    }

    /// The tags the repository's storage holds, each with its digest.
    pub fn stored_tags(&self) -> Vec<(String, String)> {
        let tags = self.manifests_dir().join("tags");
        let mut found: Vec<(String, String)> = entries(&tags)
            .into_iter()
            .filter_map(|tag| {
                let link = fs::read_to_string(tags.join(&tag).join("current/link")).ok()?;
                Some((tag, link.trim().to_string()))
            })
            .collect();
        found.sort();
        found
    }
}

/// The names in `dir`; none when it does not exist.
fn entries(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .map(|read| {
            read.filter_map(Result::ok)
                .filter_map(|entry| entry.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default()
}

fn refused(what: &str, answer: &RegistryAnswer) -> String {
    format!(
        "{what}: the registry answered {}: {}",
        answer.status,
        String::from_utf8_lossy(&answer.body)
    )
}

/// Status line, headers and body (de-chunked) of a whole HTTP/1.1 answer.
fn parse_answer(raw: &[u8]) -> Option<RegistryAnswer> {
    let end = raw.windows(4).position(|window| window == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_string()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(name, value)| name == "transfer-encoding" && value.contains("chunked"));
    if chunked {
        body = dechunk(&body)?;
    }
    Some(RegistryAnswer {
        status,
        headers,
        body,
    })
}

fn dechunk(mut rest: &[u8]) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = rest.windows(2).position(|window| window == b"\r\n")?;
        let size_text = std::str::from_utf8(&rest[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Some(body);
        }
        body.extend_from_slice(rest.get(..size)?);
        rest = rest.get(size + 2..)?;
    }
}

/// A container package whose versions are a real registry's manifests.
pub(crate) struct Backing {
    registry: RealRegistry,
    /// Each manifest's media type and bytes, read when it was imported.
    saved: HashMap<String, Saved>,
}

/// Adds the manifests `registry` stores as versions of the container
/// package `package` (which must exist), oldest first in the order of
/// `pushed` (digests in push order; others are older), one minute apart,
/// and links the package to the registry. Returns the new versions' ids.
pub(crate) fn import(
    store: &mut Store,
    owner: &Owner,
    package: &str,
    registry: &RealRegistry,
    pushed: &[String],
) -> Result<Vec<i64>, String> {
    let package_slot = store
        .live_package_slot(&owner.key(), "container", package)
        .ok_or_else(|| format!("no container package {package}"))?;
    let mut digests = registry.stored_manifests();
    digests.sort_by_key(|digest| pushed.iter().position(|p| p == digest));
    let tags = registry.stored_tags();
    let now = Utc::now().trunc_subsecs(0);
    let count = i64::try_from(digests.len()).map_err(|error| error.to_string())?;
    let mut saved = HashMap::new();
    let mut ids = Vec::new();
    for (age, digest) in (1..=count).rev().zip(&digests) {
        let manifest = registry
            .manifest(digest)?
            .ok_or_else(|| format!("manifest {digest} is stored but not served"))?;
        saved.insert(digest.clone(), manifest);
        let own: Vec<&str> = tags
            .iter()
            .filter(|(_, target)| target == digest)
            .map(|(tag, _)| tag.as_str())
            .collect();
        let spec = VersionSpec::new(digest.clone())
            .tags(&own)
            .created_at(now - TimeDelta::minutes(age));
        ids.push(store.add_version(owner, "container", package, spec));
    }
    store.real_registries.insert(
        package_slot,
        Backing {
            registry: registry.clone(),
            saved,
        },
    );
    Ok(ids)
}

/// Before a version of a package linked to a real registry is deleted:
/// deletes its manifest there. A refusal is a 502 and the version stays.
pub(crate) fn delete_through(
    store: &Store,
    package_slot: usize,
    version_slot: usize,
) -> Result<(), Reply> {
    let Some(backing) = store.real_registries.get(&package_slot) else {
        return Ok(());
    };
    let version = store.package(package_slot).version(version_slot);
    backing
        .registry
        .delete_manifest(&version.name)
        .map_err(bad_gateway)
}

/// Before a deleted version of a package linked to a real registry is
/// restored: puts its manifest back, by digest and under each tag.
pub(crate) fn restore_through(
    store: &Store,
    package_slot: usize,
    version_slot: usize,
) -> Result<(), Reply> {
    let Some(backing) = store.real_registries.get(&package_slot) else {
        return Ok(());
    };
    let version = store.package(package_slot).version(version_slot);
    if version.state() != VersionState::Deleted {
        return Ok(());
    }
    let (media_type, body) = backing
        .saved
        .get(&version.name)
        .ok_or_else(|| bad_gateway(format!("manifest {} was never saved", version.name)))?;
    let tags: Vec<&str> = version.tags.iter().map(String::as_str).collect();
    backing
        .registry
        .push_manifest(media_type, body, &tags)
        .map_err(bad_gateway)?;
    Ok(())
}

fn bad_gateway(why: String) -> Reply {
    Reply::json(502, &json!({ "message": why }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_plain_and_chunked_answers() {
        let plain = parse_answer(b"HTTP/1.1 202 Accepted\r\nLocation: /x\r\n\r\nhi").unwrap();
        assert_eq!(plain.status, 202);
        assert_eq!(plain.header("location"), Some("/x"));
        assert_eq!(plain.body, b"hi");
        let chunked = parse_answer(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
        )
        .unwrap();
        assert_eq!(chunked.body, b"abcde");
        assert!(parse_answer(b"garbage").is_none());
    }
}
