//! Output for people (aligned tables, on stdout) and for scripts (one JSON
//! document, whose every view lives in [`json`]).

pub mod json;

use std::io::{self, Write};

use chrono::{DateTime, Utc};
use github_packages::types::PackageVersion;
use serde::Serialize;

/// A table with a header row; columns are padded to their widest cell.
#[derive(Debug)]
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(headers: &[&str]) -> Table {
        Table {
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        debug_assert_eq!(cells.len(), self.headers.len());
        self.rows.push(cells);
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The table as text: two spaces between columns, no trailing spaces.
    pub fn render(&self) -> String {
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let mut text = String::new();
        for row in std::iter::once(&self.headers).chain(&self.rows) {
            let mut line = String::new();
            for (index, (cell, width)) in row.iter().zip(&widths).enumerate() {
                if index > 0 {
                    line.push_str("  ");
                }
                line.push_str(cell);
                if index + 1 < row.len() {
                    line.extend(std::iter::repeat_n(' ', width - cell.chars().count()));
                }
            }
            text.push_str(line.trim_end());
            text.push('\n');
        }
        text
    }
}

/// The text of `ghpkg packages` and `ghpkg conflicts`: a table, or the
/// line `empty` (without its newline) when there are no packages.
pub fn packages_text(packages: &[json::PackageView], empty: String) -> String {
    if packages.is_empty() {
        empty + "\n"
    } else {
        packages_table(packages)
    }
}

fn packages_table(packages: &[json::PackageView]) -> String {
    let mut table = Table::new(&["NAME", "VISIBILITY", "VERSIONS", "REPOSITORY", "UPDATED"]);
    for package in packages {
        table.row(vec![
            package.name.clone(),
            package.visibility.clone(),
            package.version_count.to_string(),
            package
                .repository
                .clone()
                .unwrap_or_else(|| "-".to_string()),
            time_cell(package.updated_at),
        ]);
    }
    table.render()
}

/// Writes `value` as one pretty-printed JSON document on stdout.
pub fn print_json<T: Serialize>(value: &T) -> io::Result<()> {
    // Buffered: stdout alone is line-buffered, so each line of a large
    // plan (100,000 versions) would be a write(2) of its own.
    let mut stdout = io::BufWriter::with_capacity(1 << 16, io::stdout().lock());
    serde_json::to_writer_pretty(&mut stdout, value)?;
    writeln!(stdout)?;
    stdout.flush()
}

/// Writes text on stdout, ignoring a closed pipe (`ghpkg versions | head`).
pub fn print_text(text: &str) {
    let mut stdout = io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}

/// Tags joined for a table cell; `-` for none.
pub fn tags_cell(tags: &[String]) -> String {
    if tags.is_empty() {
        "-".to_string()
    } else {
        tags.join(",")
    }
}

/// A version's tags: the Container registry's `tags` and the Docker
/// registry's `tag`, without repeats.
pub fn tags_of(version: &PackageVersion) -> Vec<String> {
    let Some(metadata) = &version.metadata else {
        return Vec::new();
    };
    let container = metadata.container.iter().flat_map(|c| c.tags.iter());
    let docker = metadata.docker.iter().flat_map(|d| d.tag.iter());
    let mut tags: Vec<String> = Vec::new();
    for tag in container.chain(docker) {
        if !tags.contains(tag) {
            tags.push(tag.clone());
        }
    }
    tags
}

/// Bytes in binary units with one decimal: `512 B`, `3.2 KiB`, `41.0 GiB`.
pub fn bytes_cell(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    // Rounded first, so that 1023.96 KiB shows as 1.0 MiB, not 1024.0 KiB.
    while (value * 10.0).round() / 10.0 >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// A timestamp for tables: `2025-06-01 12:00`.
pub fn time_cell(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%d %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_read_in_binary_units_with_one_decimal() {
        assert_eq!(bytes_cell(0), "0 B");
        assert_eq!(bytes_cell(1023), "1023 B");
        assert_eq!(bytes_cell(1024), "1.0 KiB");
        assert_eq!(bytes_cell(3 * 1024 + 205), "3.2 KiB");
        assert_eq!(bytes_cell(1024 * 1024 - 1), "1.0 MiB");
        assert_eq!(bytes_cell(41 * 1024 * 1024 * 1024), "41.0 GiB");
    }

    #[test]
    fn columns_align_on_the_widest_cell() {
        let mut table = Table::new(&["ID", "NAME", "TAGS"]);
        table.row(vec!["1".into(), "sha256:abcdef".into(), "latest".into()]);
        table.row(vec!["1234".into(), "v1".into(), "-".into()]);
        assert_eq!(
            table.render(),
            "ID    NAME           TAGS\n1     sha256:abcdef  latest\n1234  v1             -\n"
        );
    }

    #[test]
    fn width_counts_characters_not_bytes() {
        let mut table = Table::new(&["A", "B"]);
        table.row(vec!["héllo".into(), "x".into()]);
        table.row(vec!["hi".into(), "".into()]);
        assert_eq!(table.render(), "A      B\nhéllo  x\nhi\n");
    }

    #[test]
    fn tags_come_from_container_and_docker_metadata() {
        let version: PackageVersion = serde_json::from_value(serde_json::json!({
            "id": 1, "name": "sha256:1", "url": "u", "package_html_url": "p",
            "created_at": "2025-06-01T00:00:00Z", "updated_at": "2025-06-01T00:00:00Z",
            "metadata": {
                "package_type": "container",
                "container": {"tags": ["latest", "v1"]},
                "docker": {"tag": ["v1", "old"]}
            }
        }))
        .unwrap();
        assert_eq!(tags_of(&version), ["latest", "v1", "old"]);
        let view = serde_json::to_value(json::VersionView::from(&version)).unwrap();
        let mut keys: Vec<_> = view.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "created_at",
                "deleted_at",
                "html_url",
                "id",
                "name",
                "tags",
                "updated_at"
            ]
        );
    }

    #[test]
    fn tags_cell_marks_untagged() {
        assert_eq!(tags_cell(&[]), "-");
        assert_eq!(tags_cell(&["a".into(), "b".into()]), "a,b");
    }
}
