//! The rule checker: raw rules, from `ghpkg prune`'s flags or a policy
//! file, checked into [`Rule`]s before any request, so that every
//! contradiction is refused the same way from both, naming the flag or the
//! file, line and key.
//!
//! Refused, besides the values a source cannot read:
//!
//! - a rule without an owner, a type or package names, or with an empty
//!   `name`;
//! - a rule that selects nothing (none of `keep-latest`, `older-than`,
//!   `tag`, `untagged`: it would only protect, so deleting by it means
//!   deleting everything);
//! - `untagged` with `tag` (no version is both);
//! - a glob given both as `tag` and as `keep-tag` or `exclude-tag`, or both
//!   as `name` and as `exclude-name` (it selects nothing);
//! - two rules of the same owner and type that visibly match the same
//!   package: the same `name` glob in both, or a plain name in one that the
//!   other's globs match; and `@me` beside `user:LOGIN` for one type.
//!   Overlaps that only the package list shows (`app-*` and `*-web` both
//!   matching `app-web`) stop the run after listing, before any deletion
//!   ([`crate::rules::Rules::select`]).

mod flags;
mod raw;
mod wording;

use std::fmt;

use github_packages::Owner;

use crate::exit::Exit;
use crate::glob::Glob;
use crate::policy::RetentionPolicy;
use crate::rules::{Fit, Rule, Rules};

pub use flags::rules_of;
pub use raw::{Given, GivenList, Origin, Place, RawRetention, RawRule};
pub use wording::Problem;

/// Checks raw rules, each on its own and then against each other. The
/// problems come in the order they were found; a rule with a value its
/// source refused is checked but yields no rule.
pub fn check(raw_rules: &[RawRule]) -> Result<Rules, Vec<Problem>> {
    let mut checker = Checker::default();
    let checked: Vec<CheckedRule> = raw_rules
        .iter()
        .filter_map(|raw| checker.rule(raw))
        .collect();
    checker.overlaps(&checked);
    let mut problems = checker.problems;
    // The flags report one message for whichever package flag is missing.
    problems.dedup();
    if problems.is_empty() {
        Ok(Rules::new(checked.into_iter().map(|c| c.rule).collect()))
    } else {
        Err(problems)
    }
}

/// Why rules were refused: every problem, one a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The policy file, as its problems' places name it; `None` for the
    /// flags.
    pub file: Option<String>,
    pub problems: Vec<Problem>,
}

impl fmt::Display for Refusal {
    /// `policy.toml:4:1: key `kep-latest`: …` for a file, the bare message
    /// for the flags.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, problem) in self.problems.iter().enumerate() {
            if index > 0 {
                f.write_str("\n")?;
            }
            if let (Some(file), Some(place)) = (&self.file, &problem.at) {
                write!(f, "{file}:{}:{}: ", place.line, place.column)?;
                if let Some(key) = place.key {
                    write!(f, "key `{key}`: ")?;
                }
            }
            f.write_str(&problem.message)?;
        }
        Ok(())
    }
}

impl From<Refusal> for Exit {
    /// Bad input, nothing sent: one `error:` line per problem.
    fn from(refusal: Refusal) -> Exit {
        Exit::usage(refusal.to_string().replace('\n', "\nerror: "))
    }
}

/// A rule that passed its own checks, with where its `name` globs were
/// written, for the checks across rules.
struct CheckedRule {
    rule: Rule,
    header: Origin,
    name_origins: Vec<Origin>,
}

#[derive(Default)]
struct Checker {
    problems: Vec<Problem>,
}

impl Checker {
    /// One rule's own checks; `None` when it has problems (recorded here,
    /// or by its source).
    fn rule(&mut self, raw: &RawRule) -> Option<CheckedRule> {
        let before = self.problems.len();
        if raw.owner.is_none() {
            self.problems.push(Problem::no_owner(raw.origin));
        }
        if raw.package_type.is_none() {
            self.problems.push(Problem::no_package_type(raw.origin));
        }
        let names = match &raw.names {
            None => {
                self.problems.push(Problem::no_names(raw.origin));
                &[][..]
            }
            Some(list) if list.items.is_empty() => {
                self.problems.push(Problem::empty_names(list.origin));
                &[][..]
            }
            Some(list) => &list.items[..],
        };
        self.same_glob_in_both(names, &raw.exclude_names);
        let retention = self.retention(raw.origin, &raw.retention);
        if self.problems.len() > before || raw.refused_a_value() {
            return None;
        }
        Some(CheckedRule {
            rule: Rule {
                source: raw.source.clone(),
                owner: value(raw.owner.as_ref())?,
                package_type: value(raw.package_type.as_ref())?,
                names: values(names),
                exclude_names: values(&raw.exclude_names),
                retention,
            },
            header: raw.origin,
            name_origins: names.iter().map(|name| name.origin).collect(),
        })
    }

    /// A retention's checks; `header` is where the retention is written
    /// (its rule), for a retention that selects nothing.
    fn retention(&mut self, header: Origin, raw: &RawRetention) -> RetentionPolicy {
        let policy = RetentionPolicy {
            keep_latest: value(raw.keep_latest.as_ref()),
            older_than: value(raw.older_than.as_ref()),
            tags: values(&raw.tags),
            exclude_tags: values(&raw.exclude_tags),
            keep_tags: values(&raw.keep_tags),
            untagged: value(raw.untagged.as_ref()).unwrap_or(false),
        };
        if !policy.selects_something() && !raw.refused_a_selecting_value() {
            self.problems.push(Problem::selects_nothing(header));
        }
        if let (true, Some(untagged), Some(tag)) =
            (policy.untagged, &raw.untagged, raw.tags.first())
        {
            self.problems
                .push(Problem::untagged_with_tag(tag.origin, untagged.origin));
        }
        self.same_glob_in_both(&raw.tags, &raw.keep_tags);
        self.same_glob_in_both(&raw.tags, &raw.exclude_tags);
        policy
    }

    /// A glob listed under a selecting key and under a key that takes the
    /// same things out again selects nothing.
    fn same_glob_in_both(&mut self, selecting: &[Given<Glob>], removing: &[Given<Glob>]) {
        for removed in removing {
            let Some(glob) = &removed.value else { continue };
            let also_selected = selecting.iter().find(|selected| {
                selected
                    .value
                    .as_ref()
                    .is_some_and(|s| s.as_str() == glob.as_str())
            });
            if let Some(selected) = also_selected {
                self.problems.push(Problem::same_glob(
                    glob.as_str(),
                    selected.origin,
                    removed.origin,
                ));
            }
        }
    }

    /// Two rules for the same packages that visibly match the same package;
    /// and `@me` beside `user:LOGIN` for one type, which may be one account
    /// (only GitHub knows whose the token is), so overlaps could not be told.
    fn overlaps(&mut self, rules: &[CheckedRule]) {
        for (index, later) in rules.iter().enumerate() {
            for earlier in &rules[..index] {
                let mixed = |a: &Owner, b: &Owner| {
                    matches!((a, b), (Owner::AuthenticatedUser, Owner::User(_)))
                };
                if later.rule.package_type == earlier.rule.package_type
                    && (mixed(&later.rule.owner, &earlier.rule.owner)
                        || mixed(&earlier.rule.owner, &later.rule.owner))
                {
                    self.problems.push(Problem::mixed_owners(
                        later.header,
                        &later.rule.owner,
                        &earlier.rule.owner,
                        &earlier.rule.source,
                    ));
                }
                if !later.rule.same_packages_as(&earlier.rule) {
                    continue;
                }
                self.overlap(later, earlier);
                self.overlap(earlier, later);
            }
        }
    }

    /// Reports each `name` of `rule` that `other` also matches: the same
    /// glob, or a plain name that `other` selects.
    fn overlap(&mut self, rule: &CheckedRule, other: &CheckedRule) {
        for (glob, origin) in rule.rule.names.iter().zip(&rule.name_origins) {
            let same_glob = other
                .rule
                .names
                .iter()
                .any(|theirs| theirs.as_str() == glob.as_str());
            let plain_name_matched = glob.is_literal()
                && matches!(rule.rule.fit_name(glob.as_str()), Fit::Applies { .. })
                && matches!(other.rule.fit_name(glob.as_str()), Fit::Applies { .. });
            if same_glob || plain_name_matched {
                self.problems.push(Problem::name_overlap(
                    *origin,
                    glob.as_str(),
                    &other.rule.source,
                ));
            }
        }
    }
}

fn value<T: Clone>(given: Option<&Given<T>>) -> Option<T> {
    given.and_then(|given| given.value.clone())
}

fn values<T: Clone>(given: &[Given<T>]) -> Vec<T> {
    given
        .iter()
        .filter_map(|given| given.value.clone())
        .collect()
}
