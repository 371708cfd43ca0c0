//! The deletion journal: one JSON line per deletion attempt, appended and
//! flushed to disk as it happens, so that an interrupted run still records
//! exactly what was deleted and `ghpkg restore --journal` can undo it.
//!
//! A deletion writes an `unknown` line before its request is sent and a
//! `deleted` or `failed` line once the answer is in; the last line about a
//! version is the one that counts. A run killed mid-request therefore leaves
//! `unknown`, which the next reader reconciles by looking at the version.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::owner::OwnerRef;

/// What became of one deletion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// GitHub confirmed the deletion.
    Deleted,
    /// GitHub refused or the request failed before reaching it; see `reason`.
    Failed,
    /// The request was sent and no answer is known (timeout, interruption).
    Unknown,
}

/// One line of the journal. Field names are stable: scripts read them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalRecord {
    pub time: DateTime<Utc>,
    /// `org`, `user` or `me` (the authenticated user).
    pub owner_kind: String,
    /// The organization or user login; absent for `me`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(rename = "type")]
    pub package_type: String,
    pub package: String,
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
}

impl JournalRecord {
    /// The owner as the client layer wants it.
    pub fn owner_ref(&self) -> Result<OwnerRef, String> {
        OwnerRef::from_parts(&self.owner_kind, self.owner.as_deref())
    }

    /// What identifies the thing deleted: owner, type, package and version.
    fn key(&self) -> (String, Option<String>, String, String, Option<i64>) {
        (
            self.owner_kind.clone(),
            self.owner.as_ref().map(|login| login.to_ascii_lowercase()),
            self.package_type.clone(),
            self.package.clone(),
            self.version_id,
        )
    }
}

/// An open journal, shared by concurrent deletions.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: Mutex<File>,
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
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|error| format!("cannot open journal {}: {error}", path.display()))?;
        Ok(Journal {
            path: path.to_path_buf(),
            file: Mutex::new(file),
        })
    }

    /// Appends one line and syncs it to disk before returning.
    pub fn append(&self, record: &JournalRecord) -> Result<(), String> {
        let mut line = serde_json::to_string(record).map_err(|error| error.to_string())?;
        line.push('\n');
        let mut file = self
            .file
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        file.write_all(line.as_bytes())
            .and_then(|()| file.sync_data())
            .map_err(|error| format!("cannot write journal {}: {error}", self.path.display()))
    }
}

/// The default journal of one run: `<data dir>/ghpkg/journal/<time>-<command>-<package>.jsonl`.
pub fn default_path(command: &str, package: &str, now: DateTime<Utc>) -> Result<PathBuf, String> {
    let base = dirs::data_dir().ok_or(
        "no data directory for the journal (set HOME or XDG_DATA_HOME, or pass --journal PATH)",
    )?;
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
    Ok(base.join("ghpkg").join("journal").join(format!(
        "{}-{command}-{package}.jsonl",
        now.format("%Y%m%dT%H%M%S%.3fZ")
    )))
}

/// Reads every record of a journal, in order. A last line cut short (the
/// process died while writing it) is skipped with a warning; any other line
/// that does not parse is an error naming the line.
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
            Err(error) => {
                return Err(format!(
                    "{}:{}: not a journal line: {error}",
                    path.display(),
                    index + 1
                ));
            }
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
            package_type: "container".to_string(),
            package: "app".to_string(),
            version_id,
            name: version_id.map(|id| format!("sha256:{id}")),
            tags: vec!["v1".to_string()],
            outcome,
            reason: None,
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
    fn last_line_cut_short_is_skipped_but_garbage_is_an_error() {
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

        file.write_all(b"\n{}\n").unwrap();
        let error = read(&path).unwrap_err();
        assert!(error.contains(":2: not a journal line"), "{error}");
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
        let path = default_path("prune", "repo/image", now).unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        assert_eq!(name, "20250601T120000.250Z-prune-repo_image.jsonl");
        assert!(path.parent().unwrap().ends_with("ghpkg/journal"));
    }
}
