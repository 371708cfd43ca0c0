//! A directory of manifests by digest: they never change, so a manifest
//! read once need not be fetched again.
//!
//! Layout: `<dir>/sha256/<hex>`, holding the media type it was served as on
//! the first line and the body, byte for byte, after it. Each file is
//! written to a temporary name and renamed, so a reader sees a whole file or
//! none; a file whose body does not hash to its name is ignored (and
//! fetched again), so a damaged cache cannot feed the graph wrong links.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::client::FetchedManifest;
use super::digest::Digest;
use super::manifest::Manifest;

/// Manifests cached in a directory (created when first written).
#[derive(Clone, Debug)]
pub struct ManifestCache {
    dir: PathBuf,
}

static TEMPORARY: AtomicU64 = AtomicU64::new(0);

impl ManifestCache {
    /// A cache in `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> ManifestCache {
        ManifestCache { dir: dir.into() }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, digest: &Digest) -> PathBuf {
        self.dir.join("sha256").join(digest.hex())
    }

    /// The cached manifest, if there is a sound one.
    pub fn get(&self, digest: &Digest) -> Option<Manifest> {
        let bytes = std::fs::read(self.path(digest)).ok()?;
        let newline = bytes.iter().position(|&byte| byte == b'\n')?;
        let (media_type, body) = (&bytes[..newline], &bytes[newline + 1..]);
        if !digest.verify(body) {
            return None;
        }
        let media_type = std::str::from_utf8(media_type).ok()?;
        let media_type = (!media_type.is_empty()).then_some(media_type);
        Manifest::parse(body, media_type).ok()
    }

    /// Caches a manifest.
    pub fn put(&self, fetched: &FetchedManifest) -> io::Result<()> {
        let path = self.path(&fetched.digest);
        let dir = path.parent().expect("the cache path has a parent");
        std::fs::create_dir_all(dir)?;
        let temporary = dir.join(format!(
            ".{}.{}.{}.tmp",
            fetched.digest.hex(),
            std::process::id(),
            TEMPORARY.fetch_add(1, Ordering::Relaxed)
        ));
        let written = (|| {
            let mut file = std::fs::File::create(&temporary)?;
            let media_type = fetched.content_type.as_deref().unwrap_or("");
            file.write_all(media_type.replace('\n', " ").as_bytes())?;
            file.write_all(b"\n")?;
            file.write_all(&fetched.body)?;
            std::fs::rename(&temporary, &path)
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
        written
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::manifest::OCI_MANIFEST;

    fn fetched(body: &str) -> FetchedManifest {
        let body = body.as_bytes().to_vec();
        FetchedManifest {
            digest: Digest::of(&body),
            content_type: Some(OCI_MANIFEST.to_string()),
            manifest: Manifest::parse(&body, Some(OCI_MANIFEST)).unwrap(),
            body,
        }
    }

    #[test]
    fn round_trip_and_damage() {
        let dir = std::env::temp_dir().join(format!("ghpkg-cache-test-{}", std::process::id()));
        let cache = ManifestCache::new(&dir);
        let config = Digest::of(b"config");
        let manifest = fetched(&format!(
            r#"{{"config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{config}","size":6}},"layers":[]}}"#
        ));
        assert_eq!(cache.get(&manifest.digest), None);
        cache.put(&manifest).unwrap();
        assert_eq!(cache.get(&manifest.digest), Some(manifest.manifest.clone()));
        // A file whose body is not its digest's is not used.
        std::fs::write(
            cache.path(&manifest.digest),
            format!("{OCI_MANIFEST}\n{{}}"),
        )
        .unwrap();
        assert_eq!(cache.get(&manifest.digest), None);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
