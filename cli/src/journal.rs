//! The deletion journal: one JSON line per deletion attempt, appended and
//! flushed to disk as it happens, so that an interrupted run still records
//! exactly what was deleted and `ghpkg restore --journal` can undo it.
//!
//! A deletion writes an `unknown` line before its request is sent and a
//! `deleted`, `failed` or `unknown` line once the answer is in; the last line
//! about a version is the one that counts. A run killed mid-request leaves
//! `unknown`, and so does a deletion whose answer was lost (GitHub may still
//! carry it out). `restore` treats `unknown` as possibly deleted (it checks
//! each one), and a later `prune`/`delete --journal` with the same file
//! settles them by looking at the version and appending what it found.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use github_packages::Owner;
use github_packages::types::PackageType;

use crate::model::{OwnerSpelling, PackageRef};
use crate::policy::VersionInfo;

/// What became of one deletion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// GitHub confirmed the deletion.
    Deleted,
    /// GitHub refused, or the version was found still there when a later
    /// run checked; see `reason`.
    Failed,
    /// The request was sent and its outcome is not known (interruption,
    /// timeout, 5xx): GitHub may have carried it out, now or later.
    Unknown,
}

/// One line of the journal. Field names are stable: scripts read them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalRecord {
    pub time: DateTime<Utc>,
    /// `org`, `user` or `me` (the authenticated user).
    pub owner_kind: String,
    /// The organization or user login; `@me` for the authenticated user.
    /// Always written; absent only in journals of older versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// For `me`: the authenticated user's login, when it was known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login: Option<String>,
    #[serde(rename = "type")]
    pub package_type: PackageType,
    pub package: String,
    /// The package's id, when the whole package was deleted (so that a
    /// different package of the same name is not mistaken for it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package_id: Option<i64>,
    /// The version's id; absent when the whole package was deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<i64>,
    /// The version's name (e.g. `1.2.0` or a digest); absent for a package.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub outcome: Outcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// For a container version: the digest of the image (its root) it was
    /// deleted with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Its level in that deletion (0: the image's root; an index's children
    /// one more than the index): restore goes from the highest level down,
    /// so children are back before their index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_level: Option<usize>,
    /// The other images deleted in the same run that list this version (a
    /// platform manifest two deleted indexes share): if it cannot be
    /// restored, none of them is.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also_in_images: Vec<String>,
    /// Deleted as a signature or referrer of its image (cosign's tag, OCI
    /// `subject`), listed by no deleted index: if it cannot be restored,
    /// the image it is attached to still can be.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub attached: bool,
}

/// The image a deleted container version belonged to, for its journal lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageLink {
    /// The image's root digest.
    pub image: String,
    /// See [`JournalRecord::image_level`].
    pub level: usize,
    /// See [`JournalRecord::also_in_images`].
    pub also_in: Vec<String>,
    /// See [`JournalRecord::attached`].
    pub attached: bool,
}

impl JournalRecord {
    /// The owner, from `owner_kind` and `owner`.
    pub fn owner(&self) -> Result<Owner, String> {
        Owner::from_kind(&self.owner_kind, self.owner.as_deref()).map_err(|error| error.to_string())
    }

    /// What identifies the thing deleted: the package and the version.
    fn key(&self) -> (RecordKey<'_>, Option<i64>) {
        let package = match self.owner() {
            Ok(owner) => RecordKey::Package(PackageRef::new(
                owner,
                self.package_type.clone(),
                &self.package,
            )),
            Err(_) => RecordKey::Unreadable {
                owner_kind: &self.owner_kind,
                owner: self.owner.as_deref(),
                package_type: &self.package_type,
                package: &self.package,
            },
        };
        (package, self.version_id)
    }

    /// A line about `package` or one of its versions.
    pub fn new(
        package: &PackageRef,
        version: Option<&VersionInfo>,
        outcome: Outcome,
        reason: Option<String>,
    ) -> JournalRecord {
        JournalRecord {
            time: Utc::now(),
            owner_kind: package.owner.kind().to_string(),
            owner: Some(package.owner.journal_field().to_string()),
            login: match package.owner {
                Owner::AuthenticatedUser => package.login.clone(),
                _ => None,
            },
            package_type: package.package_type.clone(),
            package: package.name.clone(),
            package_id: if version.is_none() {
                package.package_id
            } else {
                None
            },
            version_id: version.map(|v| v.id),
            name: version.map(|v| v.name.clone()),
            tags: version.map(|v| v.tags.clone()).unwrap_or_default(),
            outcome,
            reason,
            image: None,
            image_level: None,
            also_in_images: Vec::new(),
            attached: false,
        }
    }
}

/// The package a line is about, as [`latest`] tells lines apart: a package
/// `ghpkg` can address, or the owner as written in a line whose owner it
/// cannot read (still one thing among the lines).
#[derive(PartialEq, Eq, Hash)]
enum RecordKey<'a> {
    Package(PackageRef),
    Unreadable {
        owner_kind: &'a str,
        owner: Option<&'a str>,
        package_type: &'a PackageType,
        package: &'a str,
    },
}

/// An open journal, shared by concurrent deletions.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: Mutex<File>,
    #[cfg(test)]
    writes_left: Mutex<Option<usize>>,
}

impl Journal {
    /// Opens (creating it and its directory if needed) a journal for appending.
    pub fn open(path: &Path) -> Result<Journal, String> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|error| {
                format!(
                    "cannot create journal directory {}: {error}",
                    parent.display()
                )
            })?;
        }
        let cannot =
            |error: std::io::Error| format!("cannot open journal {}: {error}", path.display());
        let mut file = OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(path)
            .map_err(cannot)?;
        // A run that died mid-line left no newline: end that line, so the
        // next record is a line of its own (the cut one is skipped on reading).
        if file.metadata().map_err(cannot)?.len() > 0 {
            let mut last = [0u8; 1];
            file.seek(SeekFrom::End(-1))
                .and_then(|_| file.read_exact(&mut last))
                .map_err(cannot)?;
            if last != *b"\n" {
                file.write_all(b"\n")
                    .and_then(|()| file.sync_data())
                    .map_err(|error| format!("cannot write journal {}: {error}", path.display()))?;
            }
        }
        Ok(Journal {
            path: path.to_path_buf(),
            file: Mutex::new(file),
            #[cfg(test)]
            writes_left: Mutex::new(None),
        })
    }

    /// A journal whose writes fail after `writes` successful ones, to test
    /// what happens when the disk fills up mid-run.
    #[cfg(test)]
    pub fn failing_after(path: &Path, writes: usize) -> Journal {
        let journal = Journal::open(path).unwrap();
        *journal.writes_left.lock().unwrap() = Some(writes);
        journal
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one line and syncs it to disk before returning.
    pub fn append(&self, record: &JournalRecord) -> Result<(), String> {
        let mut line = serde_json::to_string(record).map_err(|error| error.to_string())?;
        line.push('\n');
        #[cfg(test)]
        if let Some(left) = self.writes_left.lock().unwrap().as_mut() {
            if *left == 0 {
                return Err(format!(
                    "cannot write journal {}: no space left on device (test)",
                    self.path.display()
                ));
            }
            *left -= 1;
        }
        let mut file = self
            .file
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        file.write_all(line.as_bytes())
            .and_then(|()| file.sync_data())
            .map_err(|error| format!("cannot write journal {}: {error}", self.path.display()))
    }
}

/// How to undo what a journal records, for the end of `prune` and `delete`.
pub fn undo_hint(path: &Path) -> String {
    format!(
        "journal: {} (undo with: ghpkg restore --journal {})",
        path.display(),
        path.display()
    )
}

/// The environment variable that overrides `ghpkg`'s data directory.
pub const DATA_DIR_VAR: &str = "GHPKG_DATA_DIR";

/// `ghpkg`'s data directory (journals, the manifest cache):
/// `$GHPKG_DATA_DIR`, else `ghpkg` in the platform's data directory.
pub fn data_dir(env: impl Fn(&str) -> Option<String>) -> Result<PathBuf, &'static str> {
    match env(DATA_DIR_VAR).filter(|dir| !dir.trim().is_empty()) {
        Some(dir) => Ok(PathBuf::from(dir)),
        None => dirs::data_dir()
            .map(|dir| dir.join("ghpkg"))
            .ok_or("no data directory"),
    }
}

/// The default journal of one run: `<ghpkg data dir>/journal/<time>-<command>-<package>.jsonl`,
/// where the data directory is `$GHPKG_DATA_DIR`, else `ghpkg` in the
/// platform's data directory (e.g. `~/.local/share/ghpkg`).
pub fn default_path(
    command: &str,
    package: &str,
    now: DateTime<Utc>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<PathBuf, String> {
    let base = data_dir(env).map_err(|missing| {
        format!(
            "{missing} for the journal (set \
        GHPKG_DATA_DIR, HOME or XDG_DATA_HOME, or pass --journal PATH)"
        )
    })?;
    let package: String = package
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok(base.join("journal").join(format!(
        "{}-{command}-{package}.jsonl",
        now.format("%Y%m%dT%H%M%S%.3fZ")
    )))
}

/// Reads every record of a journal, in order. A line that does not parse
/// (cut short when a run died while writing it, or damaged) is skipped
/// with a warning naming it: one bad line does not hide the others.
pub fn read(path: &Path) -> Result<(Vec<JournalRecord>, Vec<String>), String> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| format!("cannot read journal {}: {error}", path.display()))?;
    let mut records = Vec::new();
    let mut warnings = Vec::new();
    let complete = text.ends_with('\n');
    let lines: Vec<&str> = text.lines().collect();
    for (index, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<JournalRecord>(line) {
            Ok(record) => records.push(record),
            Err(_) if index + 1 == lines.len() && !complete => warnings.push(format!(
                "{}:{}: skipped a line cut short (the run that wrote it was interrupted)",
                path.display(),
                index + 1
            )),
            Err(error) => warnings.push(format!(
                "{}:{}: skipped a line that is not a journal record ({error})",
                path.display(),
                index + 1
            )),
        }
    }
    Ok((records, warnings))
}

/// The last record about each deleted thing, in the order each first appears.
pub fn latest(records: &[JournalRecord]) -> Vec<JournalRecord> {
    let mut position = HashMap::new();
    let mut result: Vec<JournalRecord> = Vec::new();
    for record in records {
        match position.get(&record.key()) {
            Some(&index) => result[index] = record.clone(),
            None => {
                position.insert(record.key(), result.len());
                result.push(record.clone());
            }
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(version_id: Option<i64>, outcome: Outcome) -> JournalRecord {
        JournalRecord {
            time: "2025-06-01T12:00:00Z".parse().unwrap(),
            owner_kind: "org".to_string(),
            owner: Some("acme".to_string()),
            login: None,
            package_type: PackageType::Container,
            package: "app".to_string(),
            package_id: None,
            version_id,
            name: version_id.map(|id| format!("sha256:{id}")),
            tags: vec!["v1".to_string()],
            outcome,
            reason: None,
            image: None,
            image_level: None,
            also_in_images: Vec::new(),
            attached: false,
        }
    }

    fn temp_path(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("ghpkg-journal-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir.join("nested").join("journal.jsonl")
    }

    #[test]
    fn lines_have_stable_field_names() {
        let line = serde_json::to_string(&record(Some(42), Outcome::Deleted)).unwrap();
        assert_eq!(
            line,
            r#"{"time":"2025-06-01T12:00:00Z","owner_kind":"org","owner":"acme","type":"container","package":"app","version_id":42,"name":"sha256:42","tags":["v1"],"outcome":"deleted"}"#
        );
        let mut failed = record(None, Outcome::Failed);
        failed.reason = Some("nope".to_string());
        let line = serde_json::to_string(&failed).unwrap();
        assert!(
            line.contains(r#""outcome":"failed","reason":"nope""#),
            "{line}"
        );
        assert!(!line.contains("version_id"), "{line}");
    }

    #[test]
    fn appends_and_reads_back_in_order() {
        let path = temp_path("roundtrip");
        let journal = Journal::open(&path).unwrap();
        journal.append(&record(Some(1), Outcome::Unknown)).unwrap();
        journal.append(&record(Some(1), Outcome::Deleted)).unwrap();
        drop(journal);
        // Reopening appends instead of truncating.
        Journal::open(&path)
            .unwrap()
            .append(&record(Some(2), Outcome::Failed))
            .unwrap();
        let (records, warnings) = read(&path).unwrap();
        assert!(warnings.is_empty());
        let outcomes: Vec<_> = records.iter().map(|r| (r.version_id, r.outcome)).collect();
        assert_eq!(
            outcomes,
            [
                (Some(1), Outcome::Unknown),
                (Some(1), Outcome::Deleted),
                (Some(2), Outcome::Failed)
            ]
        );
    }

    #[test]
    fn bad_lines_are_skipped_with_a_warning_and_appending_starts_a_new_line() {
        let path = temp_path("truncated");
        Journal::open(&path)
            .unwrap()
            .append(&record(Some(1), Outcome::Deleted))
            .unwrap();
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(br#"{"time":"2025-06-01T12:0"#).unwrap();
        let (records, warnings) = read(&path).unwrap();
        assert_eq!(records.len(), 1);
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].ends_with("interrupted)"), "{}", warnings[0]);

        // The next run's line does not glue onto the cut one.
        Journal::open(&path)
            .unwrap()
            .append(&record(Some(2), Outcome::Deleted))
            .unwrap();
        // Damage in the middle hides nothing else.
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(b"{}\nnot json at all\n").unwrap();
        drop(file);
        Journal::open(&path)
            .unwrap()
            .append(&record(Some(3), Outcome::Unknown))
            .unwrap();
        let (records, warnings) = read(&path).unwrap();
        let ids: Vec<_> = records.iter().map(|r| r.version_id).collect();
        assert_eq!(ids, [Some(1), Some(2), Some(3)]);
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert!(warnings[0].contains(":2: skipped"), "{warnings:?}");
        assert!(
            warnings[1].contains(":4: skipped a line that is not"),
            "{warnings:?}"
        );
        assert!(warnings[2].contains(":5: skipped"), "{warnings:?}");
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 6, "{text}");
        assert!(text.ends_with("\n"));
    }

    #[test]
    fn the_authenticated_user_is_one_owner_whatever_the_lines_say() {
        let mut old = record(Some(1), Outcome::Unknown);
        old.owner_kind = "me".to_string();
        old.owner = None;
        let mut new = old.clone();
        new.owner = Some("@me".to_string());
        new.login = Some("octocat".to_string());
        new.outcome = Outcome::Deleted;
        let latest = latest(&[old, new]);
        assert_eq!(latest.len(), 1);
        assert_eq!(latest[0].outcome, Outcome::Deleted);
        assert_eq!(latest[0].owner(), Ok(Owner::AuthenticatedUser));
    }

    #[test]
    fn latest_keeps_the_last_word_about_each_version() {
        let records = vec![
            record(Some(1), Outcome::Unknown),
            record(Some(2), Outcome::Unknown),
            record(Some(1), Outcome::Deleted),
            record(Some(2), Outcome::Failed),
            record(None, Outcome::Deleted),
        ];
        let latest: Vec<_> = latest(&records)
            .iter()
            .map(|r| (r.version_id, r.outcome))
            .collect();
        assert_eq!(
            latest,
            [
                (Some(1), Outcome::Deleted),
                (Some(2), Outcome::Failed),
                (None, Outcome::Deleted)
            ]
        );
    }

    #[test]
    fn default_path_is_per_run_and_safe_for_file_systems() {
        let now = "2025-06-01T12:00:00.250Z".parse().unwrap();
        let env = |name: &str| (name == DATA_DIR_VAR).then(|| "/data/gh".to_string());
        let path = default_path("prune", "repo/image", now, env).unwrap();
        assert_eq!(
            path,
            Path::new("/data/gh/journal/20250601T120000.250Z-prune-repo_image.jsonl")
        );
        if let Ok(path) = default_path("delete", "x", now, |_| None) {
            assert!(path.parent().unwrap().ends_with("ghpkg/journal"));
        }
    }
}
