//! Manifests kept between runs, one file per repository: a manifest never
//! changes, so one read once need not be fetched again (nor counted as a
//! download again).
//!
//! Why one file per repository and not one per manifest: 100,000 small
//! files took 11 s to write and 5 to 18 s to read back (warm and cold page
//! cache, measured on this project's 2-core VM), 4 KiB of disk each for
//! 1.2 KiB of manifest, and an Action's cache step packs and unpacks them
//! one by one. One file is read in one go and written in one go.
//!
//! Layout: `<dir>/<owner>+<name>.manifests` (a `/` in the repository is a
//! `+`, which repository names cannot hold): a header line, then one record
//! per manifest: `M`, the day it was last listed (days since 1970, u32),
//! the lengths of the digest (u8), the media type (u16) and the body (u32),
//! all little-endian, then those three, the body byte for byte.
//!
//! Safety: a record is used only if its body hashes to its digest (else it
//! is read again from the registry, and replaced); a file cut short or
//! damaged ends the reading there (the rest is read again). A file is
//! written whole to a temporary name and renamed, so two runs sharing the
//! directory each see a whole file: the last to save wins, after merging
//! what the other saved before it; at worst one run's new entries are read
//! again next time.
//!
//! Bounds: saving keeps the records of the versions listed this run
//! (stamped today) and drops those not listed for [`KEEP_DAYS`] days
//! (deleted versions), so the file holds what the package holds, and not
//! what it once held.

use std::collections::HashMap;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use super::client::FetchedManifest;
use super::digest::Digest;
use super::manifest::Manifest;

/// Days a record is kept after its version was last listed.
pub const KEEP_DAYS: u32 = 30;

const HEADER: &[u8] = b"ghpkg manifest cache 1\n";
const MARKER: u8 = b'M';
/// Marker, day, digest, media type and body lengths.
const RECORD_HEAD: usize = 1 + 4 + 1 + 2 + 4;

static TEMPORARY: AtomicU64 = AtomicU64::new(0);

/// Manifests cached in a directory (created when first written).
#[derive(Clone, Debug)]
pub struct ManifestCache {
    dir: PathBuf,
}

/// One repository's cached manifests, as read from its file.
#[derive(Debug, Default)]
pub struct StoredManifests {
    bytes: Vec<u8>,
    records: HashMap<Digest, Record>,
}

#[derive(Clone, Debug)]
struct Record {
    day: u32,
    media_type: Range<usize>,
    body: Range<usize>,
}

impl ManifestCache {
    /// A cache in `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> ManifestCache {
        ManifestCache { dir: dir.into() }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file of `repository` (e.g. `acme/app`).
    pub fn path(&self, repository: &str) -> PathBuf {
        self.dir
            .join(format!("{}.manifests", repository.replace('/', "+")))
    }

    /// The manifests cached for `repository`; none if there is no file or
    /// it cannot be read (they are read from the registry instead).
    pub fn load(&self, repository: &str) -> StoredManifests {
        std::fs::read(self.path(repository))
            .map(StoredManifests::parse)
            .unwrap_or_default()
    }

    /// Saves `repository`'s file: `fetched` (new this run), the records of
    /// `listed` stamped `today`, and the records of other versions not
    /// listed for [`KEEP_DAYS`] days, merged with the file as it is now
    /// (another run may have saved since `stored` was loaded). Nothing is
    /// written when nothing would change.
    pub fn save(
        &self,
        repository: &str,
        stored: &StoredManifests,
        listed: &[Digest],
        fetched: &[FetchedManifest],
        today: u32,
    ) -> io::Result<()> {
        if fetched.is_empty() && stored.is_current(listed, today) {
            return Ok(());
        }
        let path = self.path(repository);
        let on_disk = match std::fs::read(&path) {
            Ok(bytes) => StoredManifests::parse(bytes),
            Err(error) if error.kind() == io::ErrorKind::NotFound => StoredManifests::default(),
            Err(error) => return Err(error),
        };
        let listed: std::collections::HashSet<&Digest> = listed.iter().collect();
        let fresh = |digest: &Digest, day: u32| listed.contains(digest) || day + KEEP_DAYS > today;
        let mut out = Vec::with_capacity(on_disk.bytes.len().max(stored.bytes.len()));
        out.extend_from_slice(HEADER);
        let mut written = std::collections::HashSet::new();
        for manifest in fetched {
            if written.insert(manifest.digest.clone()) {
                let media_type = manifest.content_type.as_deref().unwrap_or("");
                write_record(
                    &mut out,
                    today,
                    &manifest.digest,
                    media_type,
                    &manifest.body,
                );
            }
        }
        for source in [stored, &on_disk] {
            for (digest, record) in &source.records {
                if !fresh(digest, record.day) || written.contains(digest) {
                    continue;
                }
                let body = &source.bytes[record.body.clone()];
                // A damaged record is not carried on.
                if !digest.verify(body) {
                    continue;
                }
                let day = if listed.contains(digest) {
                    today
                } else {
                    record.day
                };
                let media_type =
                    std::str::from_utf8(&source.bytes[record.media_type.clone()]).unwrap_or("");
                write_record(&mut out, day, digest, media_type, body);
                written.insert(digest.clone());
            }
        }
        std::fs::create_dir_all(&self.dir)?;
        let temporary = self.dir.join(format!(
            ".{}.{}.{}.tmp",
            repository.replace('/', "+"),
            std::process::id(),
            TEMPORARY.fetch_add(1, Ordering::Relaxed)
        ));
        let result =
            std::fs::write(&temporary, &out).and_then(|()| std::fs::rename(&temporary, &path));
        if result.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
        result
    }
}

/// Days since 1970 now, as records are stamped.
pub fn today() -> u32 {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    u32::try_from(seconds / 86_400).unwrap_or(u32::MAX)
}

fn write_record(out: &mut Vec<u8>, day: u32, digest: &Digest, media_type: &str, body: &[u8]) {
    let digest = digest.as_str().as_bytes();
    // Lengths that do not fit are cut to nothing: such a record fails its
    // digest check when read, and is fetched again.
    let media_type = media_type.replace('\n', " ");
    let media_type = if media_type.len() > usize::from(u16::MAX) {
        ""
    } else {
        media_type.as_str()
    };
    let body_len = u32::try_from(body.len()).unwrap_or(0);
    out.push(MARKER);
    out.extend_from_slice(&day.to_le_bytes());
    out.push(u8::try_from(digest.len()).unwrap_or(0));
    out.extend_from_slice(&(media_type.len() as u16).to_le_bytes());
    out.extend_from_slice(&body_len.to_le_bytes());
    out.extend_from_slice(&digest[..digest.len().min(usize::from(u8::MAX))]);
    out.extend_from_slice(media_type.as_bytes());
    out.extend_from_slice(&body[..body_len as usize]);
}

impl StoredManifests {
    /// Reads a file's records, up to the first one cut short or damaged.
    fn parse(bytes: Vec<u8>) -> StoredManifests {
        let mut records = HashMap::new();
        if bytes.starts_with(HEADER) {
            let mut at = HEADER.len();
            while let Some((digest, record, next)) = read_record(&bytes, at) {
                if let Some(digest) = digest {
                    records.insert(digest, record);
                }
                at = next;
            }
        }
        StoredManifests { bytes, records }
    }

    /// How many records the file held.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether the file held no record.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The manifest of `digest`, if its record is sound: its body hashes to
    /// the digest and reads as a manifest.
    pub fn get(&self, digest: &Digest) -> Option<Manifest> {
        let record = self.records.get(digest)?;
        let body = &self.bytes[record.body.clone()];
        if !digest.verify(body) {
            return None;
        }
        let media_type = std::str::from_utf8(&self.bytes[record.media_type.clone()]).ok()?;
        let media_type = (!media_type.is_empty()).then_some(media_type);
        Manifest::parse(body, media_type).ok()
    }

    /// Whether saving would change nothing: every listed version has a
    /// record stamped `today`, and no record is due to be dropped.
    fn is_current(&self, listed: &[Digest], today: u32) -> bool {
        listed
            .iter()
            .all(|digest| self.records.get(digest).is_some_and(|r| r.day == today))
            && self
                .records
                .values()
                .all(|record| record.day + KEEP_DAYS > today)
    }
}

/// The record at `at`: its digest (`None` if it does not read as one), the
/// record, and where the next one starts; `None` at the end or where the
/// file is cut short or damaged.
fn read_record(bytes: &[u8], at: usize) -> Option<(Option<Digest>, Record, usize)> {
    let head = bytes.get(at..at + RECORD_HEAD)?;
    if head[0] != MARKER {
        return None;
    }
    let day = u32::from_le_bytes(head[1..5].try_into().ok()?);
    let digest_len = usize::from(head[5]);
    let media_len = usize::from(u16::from_le_bytes(head[6..8].try_into().ok()?));
    let body_len = usize::try_from(u32::from_le_bytes(head[8..12].try_into().ok()?)).ok()?;
    let digest_start = at + RECORD_HEAD;
    let media_start = digest_start + digest_len;
    let body_start = media_start + media_len;
    let end = body_start.checked_add(body_len)?;
    if end > bytes.len() {
        return None;
    }
    let digest = std::str::from_utf8(&bytes[digest_start..media_start])
        .ok()
        .and_then(|digest| digest.parse().ok());
    let record = Record {
        day,
        media_type: media_start..body_start,
        body: body_start..end,
    };
    Some((digest, record, end))
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

    fn manifest(layer: &str) -> FetchedManifest {
        let config = Digest::of(b"config");
        let layer = Digest::of(layer.as_bytes());
        fetched(&format!(
            r#"{{"config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{config}","size":6}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{layer}","size":1}}]}}"#
        ))
    }

    fn temporary_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("ghpkg-cache-test-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn round_trip() {
        let dir = temporary_dir("round-trip");
        let cache = ManifestCache::new(&dir);
        let (a, b) = (manifest("a"), manifest("b"));
        let empty = cache.load("acme/app");
        assert!(empty.is_empty());
        let listed = [a.digest.clone(), b.digest.clone()];
        cache
            .save("acme/app", &empty, &listed, &[a.clone(), b.clone()], 100)
            .unwrap();
        let stored = cache.load("acme/app");
        assert_eq!(stored.get(&a.digest), Some(a.manifest.clone()));
        assert_eq!(stored.get(&b.digest), Some(b.manifest.clone()));
        // Another repository has a file of its own.
        assert!(cache.load("acme/other").is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_damaged_record_is_not_used_and_a_cut_file_keeps_its_whole_records() {
        let dir = temporary_dir("damage");
        let cache = ManifestCache::new(&dir);
        let (a, b) = (manifest("a"), manifest("b"));
        let listed = [a.digest.clone(), b.digest.clone()];
        let empty = StoredManifests::default();
        cache
            .save("acme/app", &empty, &listed, &[a.clone(), b.clone()], 100)
            .unwrap();
        let path = cache.path("acme/app");
        let mut bytes = std::fs::read(&path).unwrap();
        // One byte of the first record's body changed: its digest no longer
        // matches, so it is not used; the second still is.
        let first_body_end = bytes.len() / 2;
        let flipped = first_body_end - 10;
        bytes[flipped] ^= 0x20;
        std::fs::write(&path, &bytes).unwrap();
        let stored = cache.load("acme/app");
        assert_eq!(stored.get(&a.digest), None);
        assert_eq!(stored.get(&b.digest), Some(b.manifest.clone()));
        // Cut in the middle of the second record: the first is still read.
        bytes[flipped] ^= 0x20;
        std::fs::write(&path, &bytes[..bytes.len() - 5]).unwrap();
        let stored = cache.load("acme/app");
        assert_eq!(stored.get(&a.digest), Some(a.manifest.clone()));
        assert_eq!(stored.get(&b.digest), None);
        // Not a cache file at all: nothing is used.
        std::fs::write(&path, b"{}").unwrap();
        assert!(cache.load("acme/app").is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn records_of_versions_no_longer_listed_are_dropped_after_keep_days() {
        let dir = temporary_dir("bounds");
        let cache = ManifestCache::new(&dir);
        let (a, b) = (manifest("a"), manifest("b"));
        let both = [a.digest.clone(), b.digest.clone()];
        let empty = StoredManifests::default();
        cache
            .save("acme/app", &empty, &both, &[a.clone(), b.clone()], 100)
            .unwrap();
        // b is deleted; a is listed on each later run.
        let only_a = [a.digest.clone()];
        for day in [101, 100 + KEEP_DAYS - 1] {
            let stored = cache.load("acme/app");
            cache.save("acme/app", &stored, &only_a, &[], day).unwrap();
            assert!(cache.load("acme/app").get(&b.digest).is_some(), "day {day}");
        }
        let stored = cache.load("acme/app");
        cache
            .save("acme/app", &stored, &only_a, &[], 100 + KEEP_DAYS)
            .unwrap();
        let stored = cache.load("acme/app");
        assert!(stored.get(&b.digest).is_none());
        assert!(stored.get(&a.digest).is_some());
        assert_eq!(stored.len(), 1);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_save_keeps_what_another_run_saved_in_between() {
        let dir = temporary_dir("merge");
        let cache = ManifestCache::new(&dir);
        let (a, b) = (manifest("a"), manifest("b"));
        let both = [a.digest.clone(), b.digest.clone()];
        // Two runs load the same (empty) file; each reads one manifest.
        let first = cache.load("acme/app");
        let second = cache.load("acme/app");
        cache
            .save("acme/app", &first, &both, std::slice::from_ref(&a), 100)
            .unwrap();
        cache
            .save("acme/app", &second, &both, std::slice::from_ref(&b), 100)
            .unwrap();
        let stored = cache.load("acme/app");
        assert!(stored.get(&a.digest).is_some());
        assert!(stored.get(&b.digest).is_some());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn nothing_is_written_when_nothing_changes() {
        let dir = temporary_dir("unchanged");
        let cache = ManifestCache::new(&dir);
        let a = manifest("a");
        let listed = [a.digest.clone()];
        let empty = StoredManifests::default();
        cache
            .save("acme/app", &empty, &listed, std::slice::from_ref(&a), 100)
            .unwrap();
        let stored = cache.load("acme/app");
        std::fs::remove_file(cache.path("acme/app")).unwrap();
        cache.save("acme/app", &stored, &listed, &[], 100).unwrap();
        assert!(!cache.path("acme/app").exists());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
