//! Image references in deployment files (`--keep-referenced PATH`, a policy
//! file's `keep-referenced`): every `HOST/OWNER/NAME:TAG`,
//! `HOST/OWNER/NAME@sha256:HEX` or `HOST/OWNER/NAME:TAG@sha256:HEX` in
//! Kubernetes manifests, Helm values, compose files or Terraform, where
//! HOST is the registry's host. The images they name are never deleted.

use std::fmt;
use std::path::{Path, PathBuf};

/// One image named in a file, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// The owner's login and the package name, as written (compared
    /// case-blind, as the registry does).
    pub owner: String,
    pub name: String,
    pub tag: Option<String>,
    /// `sha256:HEX`, lower-case.
    pub digest: Option<String>,
    /// The file as given (or found below a given folder), and the 1-based
    /// line.
    pub file: String,
    pub line: usize,
}

impl Reference {
    /// Whether it names `owner`'s package `name`.
    pub fn names_package(&self, owner: &str, name: &str) -> bool {
        self.owner.eq_ignore_ascii_case(owner) && self.name.eq_ignore_ascii_case(name)
    }

    /// Whether it names a version with this digest or one of these tags:
    /// its digest when it has one (`NAME:TAG@sha256:…` pulls by digest),
    /// else its tag.
    pub fn names_version(&self, digest: &str, tags: &[String]) -> bool {
        match (&self.digest, &self.tag) {
            (Some(wanted), _) => wanted.eq_ignore_ascii_case(digest),
            (None, Some(tag)) => tags.iter().any(|t| t == tag),
            (None, None) => false,
        }
    }

    /// `deploy/app.yaml:14`.
    pub fn place(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }
}

impl fmt::Display for Reference {
    /// `acme/app:v1.2.0@sha256:…`, as written.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.owner, self.name)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

/// The registry host references are looked for under: the host (and port)
/// of the registry's URL, e.g. `ghcr.io`.
pub fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split('/').next().unwrap_or(rest).to_ascii_lowercase()
}

/// Every reference under `host` in `paths`: files, and folders read
/// recursively (skipping `.git` and files that are not UTF-8 text). A path
/// that does not exist or cannot be read is an error naming it.
pub fn read(paths: &[PathBuf], host: &str) -> Result<Vec<Reference>, String> {
    let mut references = Vec::new();
    for path in paths {
        read_path(path, host, &mut references)?;
    }
    Ok(references)
}

fn read_path(path: &Path, host: &str, into: &mut Vec<Reference>) -> Result<(), String> {
    let cannot =
        |error: std::io::Error| format!("keep-referenced: cannot read {}: {error}", path.display());
    let metadata = std::fs::metadata(path).map_err(cannot)?;
    if !metadata.is_dir() {
        let bytes = std::fs::read(path).map_err(cannot)?;
        if let Ok(text) = String::from_utf8(bytes) {
            into.extend(scan(&text, host, &path.display().to_string()));
        }
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(cannot)?
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<Result<_, _>>()
        .map_err(cannot)?;
    entries.sort();
    for entry in entries {
        if entry.file_name().is_some_and(|name| name == ".git") {
            continue;
        }
        read_path(&entry, host, into)?;
    }
    Ok(())
}

/// The references under `host` in `text` (the file `file`).
pub fn scan(text: &str, host: &str, file: &str) -> Vec<Reference> {
    let mut found = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let lower = line.to_ascii_lowercase();
        let mut from = 0;
        while let Some(at) = lower[from..].find(host).map(|at| at + from) {
            from = at + host.len();
            let before = line[..at].chars().next_back();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-') {
                continue;
            }
            let Some(rest) = line[from..].strip_prefix('/') else {
                continue;
            };
            if let Some(reference) = parse(rest, file, index + 1) {
                found.push(reference);
            }
        }
    }
    found
}

/// `OWNER/NAME[:TAG][@sha256:HEX]` at the start of `text`; `None` without
/// a tag or a digest.
fn parse(text: &str, file: &str, line: usize) -> Option<Reference> {
    let path_end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/')))
        .unwrap_or(text.len());
    let (owner, name) = text[..path_end].split_once('/')?;
    let name = name.trim_end_matches('/');
    if owner.is_empty() || name.is_empty() {
        return None;
    }
    let mut rest = &text[path_end..];
    let mut tag = None;
    if let Some(after) = rest.strip_prefix(':') {
        let end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
            .unwrap_or(after.len());
        if end > 0 && end <= 128 {
            tag = Some(after[..end].to_string());
        }
        rest = &after[end..];
    }
    let digest = rest.strip_prefix("@sha256:").and_then(|hex| {
        let hex = hex.get(..64)?;
        hex.chars()
            .all(|c| c.is_ascii_hexdigit())
            .then(|| format!("sha256:{}", hex.to_ascii_lowercase()))
    });
    if tag.is_none() && digest.is_none() {
        return None;
    }
    Some(Reference {
        owner: owner.to_string(),
        name: name.to_string(),
        tag,
        digest,
        file: file.to_string(),
        line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn finds_each_form_of_reference_under_the_registry_host() {
        let text = format!(
            "image: ghcr.io/acme/app:v1.2.0\n\
             \x20 - image: \"GHCR.io/Acme/App@sha256:{HEX}\"\n\
             x: ghcr.io/acme/tools/cli:1.0@sha256:{HEX} and ghcr.io/acme/bare\n\
             other: docker.io/acme/app:v9 notghcr.io/acme/app:v8 ghcr.io/acme/app:\n"
        );
        let found = scan(&text, "ghcr.io", "deploy/app.yaml");
        let shown: Vec<(String, String)> =
            found.iter().map(|r| (r.to_string(), r.place())).collect();
        assert_eq!(
            shown,
            [
                (
                    "acme/app:v1.2.0".to_string(),
                    "deploy/app.yaml:1".to_string()
                ),
                (
                    format!("Acme/App@sha256:{HEX}"),
                    "deploy/app.yaml:2".to_string()
                ),
                (
                    format!("acme/tools/cli:1.0@sha256:{HEX}"),
                    "deploy/app.yaml:3".to_string()
                ),
            ]
        );
        assert!(found[1].names_package("acme", "app"));
        assert!(found[2].names_package("ACME", "tools/cli"));
        assert!(found[0].names_version("sha256:x", &["v1.2.0".to_string()]));
        assert!(!found[2].names_version("sha256:x", &["1.0".to_string()]));
    }

    #[test]
    fn the_host_is_the_registrys_with_its_port() {
        assert_eq!(host_of("https://ghcr.io"), "ghcr.io");
        assert_eq!(host_of("http://127.0.0.1:5000/"), "127.0.0.1:5000");
        let found = scan("image: 127.0.0.1:5000/acme/app:v1", "127.0.0.1:5000", "f");
        assert_eq!(found[0].tag.as_deref(), Some("v1"));
    }
}
