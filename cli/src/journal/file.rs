//! A journal on disk: opened for appending (each line synced before the
//! deletion it records goes on), read back line by line, and where a run's
//! journal goes by default.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, Utc};

use super::record::JournalRecord;
use crate::data_dir::data_dir;

/// An open journal, shared by concurrent deletions.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: Mutex<File>,
    #[cfg(test)]
    writes_left: Mutex<Option<usize>>,
    /// Whether opening it synced its folder (it created the file).
    #[cfg(test)]
    folder_synced: bool,
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
        let (mut file, created) = open_or_create(path).map_err(cannot)?;
        // A new file's name is only durable once its folder is synced: a
        // crash could otherwise lose the whole journal, synced lines and all.
        if created {
            sync_folder(path).map_err(|error| {
                format!(
                    "cannot sync the journal's folder of {}: {error}",
                    path.display()
                )
            })?;
        }
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
            #[cfg(test)]
            folder_synced: created,
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

/// Opens `path` for appending (and reading its last byte): creating it if
/// it is not there, and saying whether it did.
fn open_or_create(path: &Path) -> std::io::Result<(File, bool)> {
    let mut options = OpenOptions::new();
    options.read(true).append(true);
    match options.clone().create_new(true).open(path) {
        Ok(file) => Ok((file, true)),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            Ok((options.open(path)?, false))
        }
        Err(error) => Err(error),
    }
}

/// Syncs the folder `path` is in, so that its entry for `path` is on disk.
/// Folders cannot be opened as files on Windows, whose file system
/// journals the entry itself.
fn sync_folder(path: &Path) -> std::io::Result<()> {
    if cfg!(unix) {
        let folder = path
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        File::open(folder)?.sync_all()?;
    }
    Ok(())
}

/// How to undo what a journal records, for the end of `prune` and `delete`.
pub fn undo_hint(path: &Path) -> String {
    format!(
        "journal: {} (undo with: ghpkg restore --journal {})",
        path.display(),
        path.display()
    )
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

/// Reads every record of a journal, in order, line by line as bytes: a
/// line that is not a record (cut short when a run died or the disk filled
/// while writing it, not UTF-8, a proxy's error text) is skipped with a
/// warning naming its file and line; one damaged line hides no other.
pub fn read(path: &Path) -> Result<(Vec<JournalRecord>, Vec<String>), String> {
    let bytes = std::fs::read(path)
        .map_err(|error| format!("cannot read journal {}: {error}", path.display()))?;
    let mut records = Vec::new();
    let mut warnings = Vec::new();
    let complete = bytes.ends_with(b"\n");
    let lines: Vec<&[u8]> = bytes.split(|&byte| byte == b'\n').collect();
    // The piece after the last newline is a line only if it holds anything.
    let count = lines.len() - usize::from(complete);
    for (index, line) in lines[..count].iter().enumerate() {
        if line.trim_ascii().is_empty() {
            continue;
        }
        let at = format!("{}:{}", path.display(), index + 1);
        match serde_json::from_slice::<JournalRecord>(line) {
            Ok(record) => records.push(record),
            Err(_) if index + 1 == count && !complete => warnings.push(format!(
                "{at}: skipped a line cut short (the run that wrote it was interrupted)"
            )),
            Err(_) if std::str::from_utf8(line).is_err() => warnings.push(format!(
                "{at}: skipped a damaged line (not UTF-8 text, so not a journal record)"
            )),
            Err(error) => warnings.push(format!(
                "{at}: skipped a line that is not a journal record ({error})"
            )),
        }
    }
    Ok((records, warnings))
}

#[cfg(test)]
mod tests {
    use super::super::record::Outcome;
    use super::super::record::tests::record;
    use super::*;
    use crate::data_dir::DATA_DIR_VAR;

    fn temp_path(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("ghpkg-journal-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir.join("nested").join("journal.jsonl")
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
    fn a_line_that_is_not_utf8_is_skipped_and_named_and_the_rest_is_read() {
        let path = temp_path("not-utf8");
        let journal = Journal::open(&path).unwrap();
        journal.append(&record(Some(1), Outcome::Deleted)).unwrap();
        drop(journal);
        // A proxy's error page in Latin-1, then half a record cut where the
        // disk filled up (mid-way through a multi-byte character).
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(b"<h1>Erreur 502 \xe9chou\xe9e</h1>\n")
            .unwrap();
        let full = serde_json::to_vec(&record(Some(2), Outcome::Deleted)).unwrap();
        file.write_all(&full[..20]).unwrap();
        file.write_all(b"\xc3\n").unwrap();
        drop(file);
        Journal::open(&path)
            .unwrap()
            .append(&record(Some(3), Outcome::Unknown))
            .unwrap();
        let (records, warnings) = read(&path).unwrap();
        let ids: Vec<_> = records.iter().map(|r| r.version_id).collect();
        assert_eq!(ids, [Some(1), Some(3)]);
        let shown = path.display().to_string();
        assert_eq!(
            warnings,
            [
                format!(
                    "{shown}:2: skipped a damaged line (not UTF-8 text, so not a journal record)"
                ),
                format!(
                    "{shown}:3: skipped a damaged line (not UTF-8 text, so not a journal record)"
                ),
            ]
        );
    }

    #[test]
    fn creating_a_journal_syncs_its_folder_and_reopening_does_not() {
        let path = temp_path("folder-sync");
        assert!(Journal::open(&path).unwrap().folder_synced);
        assert!(!Journal::open(&path).unwrap().folder_synced);
        // A bare file name is in the current folder.
        assert_eq!(sync_folder(Path::new("journal.jsonl")).ok(), Some(()));
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
