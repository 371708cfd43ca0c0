//! The comparison's report: the undeclared differences and the stale
//! declarations, grouped by operation and schema, one line each.

use std::collections::BTreeMap;
use std::fmt;

/// One line of the report, in its group.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Line {
    /// `operation get-package-for-user`, `schema Package`,
    /// `parameter per_page`, `response bad_request` or `document`.
    pub group: String,
    /// Where inside the group (`owner`, `response 200[]`), or empty.
    pub place: String,
    /// What differs, as a departure would name it.
    pub key: String,
    /// The two sides in words, or a stale declaration's reason.
    pub detail: String,
}

/// What `cargo xtask upstream` prints; clean when nothing undeclared
/// differs and no declaration is stale.
#[derive(Clone, Debug)]
pub struct Report {
    /// The curated spec's name.
    pub spec_name: String,
    /// The upstream description's name, as given.
    pub upstream_name: String,
    /// The upstream description's `info.version`.
    pub upstream_version: String,
    /// Operations in the spec, and tagged `packages` upstream.
    pub operations: (usize, usize),
    /// Differences no declaration covers.
    pub undeclared: Vec<Line>,
    /// Declarations that cover no difference any more.
    pub stale: Vec<Line>,
    /// How many differences declared departures left out.
    pub declared: usize,
    /// How many departures the spec declares.
    pub declarations: usize,
}

impl Report {
    /// Nothing undeclared differs and every declaration still matches.
    pub fn is_clean(&self) -> bool {
        self.undeclared.is_empty() && self.stale.is_empty()
    }
}

/// Operations first, then shared parameters and responses, then schemas.
fn group_rank(group: &str) -> u8 {
    match group.split(' ').next() {
        Some("operation") => 0,
        Some("parameter") => 1,
        Some("response") => 2,
        Some("schema") => 3,
        _ => 4,
    }
}

fn write_grouped(f: &mut fmt::Formatter<'_>, lines: &[Line]) -> fmt::Result {
    let mut groups: BTreeMap<(u8, &str), Vec<&Line>> = BTreeMap::new();
    for line in lines {
        groups
            .entry((group_rank(&line.group), &line.group))
            .or_default()
            .push(line);
    }
    for ((_, group), mut lines) in groups {
        lines.sort();
        writeln!(f, "{group}")?;
        for line in lines {
            if line.place.is_empty() {
                writeln!(f, "  {}: {}", line.key, line.detail)?;
            } else {
                writeln!(f, "  {}: {}: {}", line.place, line.key, line.detail)?;
            }
        }
    }
    Ok(())
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} against {} (version {}): {} operations in the spec, {} tagged `packages` upstream",
            self.spec_name,
            self.upstream_name,
            self.upstream_version,
            self.operations.0,
            self.operations.1
        )?;
        if !self.undeclared.is_empty() {
            writeln!(f)?;
            writeln!(
                f,
                "Undeclared differences (change the spec, or declare the departure with `x-departure`):"
            )?;
            write_grouped(f, &self.undeclared)?;
        }
        if !self.stale.is_empty() {
            writeln!(f)?;
            writeln!(
                f,
                "Stale departures (declared in the spec, matching no difference; remove them):"
            )?;
            write_grouped(f, &self.stale)?;
        }
        writeln!(f)?;
        write!(
            f,
            "{} undeclared, {} stale; {} differences left out as declared by {} departures",
            self.undeclared.len(),
            self.stale.len(),
            self.declared,
            self.declarations
        )
    }
}
