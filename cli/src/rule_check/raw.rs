//! The raw rule: a retention rule as written, by `ghpkg prune`'s flags or a
//! policy file's `[[rule]]` table, each value with where it was written. It
//! is what the checker ([`super::check`]) takes in, whichever the source.
//!
//! Each source reads its own values (clap the flags, `policy_file` the
//! TOML) and refuses those it cannot read; what the values say together is
//! left to the checker. The retention keys are a [`RawRetention`] of their
//! own so that a rule's retention classes (`[[rule.class]]`, each a
//! retention with its own header) can be written as more of them.

use chrono::TimeDelta;
use github_packages::Owner;
use github_packages::types::PackageType;

use crate::glob::Glob;
use crate::policy::Order;
use crate::rules::RuleSource;

/// Where a value of a raw rule was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The command line as a whole: where the flags' one rule is written.
    CommandLine,
    /// One flag, e.g. `--keep-tag`.
    Flag(&'static str),
    /// A place in a policy file.
    File(Place),
}

/// A place in a policy file, and the key written there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Place {
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    /// None for a table's header, e.g. `[[rule]]`.
    pub key: Option<&'static str>,
}

impl Place {
    /// The same place, about `key` (e.g. a rule's header, about the `owner`
    /// it lacks).
    pub fn about(self, key: &'static str) -> Place {
        Place {
            key: Some(key),
            ..self
        }
    }
}

/// One value as its source read it, and where it was written.
#[derive(Clone, Debug)]
pub struct Given<T> {
    pub origin: Origin,
    /// `None` when the source refused the value (a bad glob, owner or
    /// duration) and said why: the checker counts it as given, so it is not
    /// reported missing, but makes no rule of it.
    pub value: Option<T>,
}

impl<T> Given<T> {
    /// A value the source read.
    pub fn read(origin: Origin, value: T) -> Given<T> {
        Given {
            origin,
            value: Some(value),
        }
    }

    /// A value the source refused (and reported).
    pub fn refused(origin: Origin) -> Given<T> {
        Given {
            origin,
            value: None,
        }
    }
}

/// A list of values written under one key or flag (`name = [...]`, or each
/// `--name`), with where the list itself is.
#[derive(Clone, Debug)]
pub struct GivenList<T> {
    pub origin: Origin,
    pub items: Vec<Given<T>>,
}

/// One rule as written: which packages, and the retention for them.
#[derive(Clone, Debug)]
pub struct RawRule {
    /// How the checked rule names where it was written.
    pub source: RuleSource,
    /// The rule itself: its `[[rule]]` header, or the command line.
    pub origin: Origin,
    pub owner: Option<Given<Owner>>,
    pub package_type: Option<Given<PackageType>>,
    /// Package-name globs (`name`, `--name`, or `--all-packages`' `*`).
    pub names: Option<GivenList<Glob>>,
    pub exclude_names: Vec<Given<Glob>>,
    pub retention: RawRetention,
    /// Its retention classes (`[[rule.class]]`); none from the flags.
    pub classes: Vec<RawClass>,
    /// `keep-referenced` paths, relative to the policy file's folder
    /// already; none from the flags (`--keep-referenced` is for every rule).
    pub keep_referenced: Vec<std::path::PathBuf>,
}

/// One retention class as written (`[[rule.class]]`).
#[derive(Clone, Debug)]
pub struct RawClass {
    /// How the checked class names where it was written.
    pub source: RuleSource,
    /// Its header.
    pub origin: Origin,
    pub retention: RawRetention,
}

/// A retention as written: the keys that select versions and those that
/// protect them.
#[derive(Clone, Debug, Default)]
pub struct RawRetention {
    pub keep_latest: Option<Given<usize>>,
    pub older_than: Option<Given<TimeDelta>>,
    pub tags: Vec<Given<Glob>>,
    pub exclude_tags: Vec<Given<Glob>>,
    pub keep_tags: Vec<Given<Glob>>,
    pub untagged: Option<Given<bool>>,
    pub order: Option<Given<Order>>,
}

impl RawRetention {
    /// Whether a selecting value was given but refused by its source: the
    /// retention then selects something as written, whatever the values
    /// read say.
    pub fn refused_a_selecting_value(&self) -> bool {
        self.keep_latest.as_ref().is_some_and(refused)
            || self.older_than.as_ref().is_some_and(refused)
            || self.tags.iter().any(refused)
    }

    /// Whether any value was given but refused by its source.
    pub fn refused_a_value(&self) -> bool {
        self.refused_a_selecting_value()
            || self.exclude_tags.iter().any(refused)
            || self.keep_tags.iter().any(refused)
            || self.order.as_ref().is_some_and(refused)
    }
}

impl RawRule {
    /// Whether any value was given but refused by its source.
    pub fn refused_a_value(&self) -> bool {
        self.owner.as_ref().is_some_and(refused)
            || self.package_type.as_ref().is_some_and(refused)
            || self
                .names
                .as_ref()
                .is_some_and(|names| names.items.iter().any(refused))
            || self.exclude_names.iter().any(refused)
            || self.retention.refused_a_value()
            || self
                .classes
                .iter()
                .any(|class| class.retention.refused_a_value())
    }
}

fn refused<T>(given: &Given<T>) -> bool {
    given.value.is_none()
}
