//! How the rule checker words each refusal: naming the flags on the command
//! line, and the key, at its line and column, in a policy file.

use github_packages::Owner;

use super::raw::{Origin, Place};
use crate::rules::RuleSource;

/// One reason rules are refused, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Where in the policy file; `None` on the command line, where the
    /// message names the flags.
    pub at: Option<Place>,
    pub message: String,
}

/// The flag that selects every package, as the glob `*`.
pub const ALL_PACKAGES: &str = "--all-packages";

/// On the command line, whichever of them is missing.
fn packages_needed(command: &str) -> String {
    format!(
        "{command} needs --policy FILE, or an owner (--org, --user or --me) with --type and \
         --name GLOB (or --all-packages)"
    )
}

impl Problem {
    /// A problem at `origin`: its place in a file, or none for a flag.
    pub fn at(origin: Origin, message: impl Into<String>) -> Problem {
        Problem {
            at: match origin {
                Origin::File(place) => Some(place),
                Origin::Flag(_) | Origin::CommandLine => None,
            },
            message: message.into(),
        }
    }

    /// A problem about `key` at a rule's header, or about the flags.
    fn at_header(rule: Origin, key: &'static str, in_file: &str, on_flags: &str) -> Problem {
        match rule {
            Origin::File(header) => Problem::at(Origin::File(header.about(key)), in_file),
            Origin::Flag(_) | Origin::CommandLine => Problem::at(rule, on_flags),
        }
    }

    pub fn no_owner(rule: Origin, command: &str) -> Problem {
        Problem::at_header(
            rule,
            "owner",
            "the rule names no owner: set `owner` in it or at the top of the file",
            &packages_needed(command),
        )
    }

    pub fn no_package_type(rule: Origin, command: &str) -> Problem {
        Problem::at_header(
            rule,
            "type",
            "the rule names no package type: set `type` in it or at the top of the file",
            &packages_needed(command),
        )
    }

    pub fn no_names(rule: Origin, command: &str) -> Problem {
        Problem::at_header(
            rule,
            "name",
            "the rule selects no packages: add `name = [\"GLOB\", …]` (`[\"*\"]` for all)",
            &packages_needed(command),
        )
    }

    /// `name = []`; the flags cannot give an empty list.
    pub fn empty_names(list: Origin, command: &str) -> Problem {
        match list {
            Origin::File(_) => Problem::at(list, "empty: the rule selects no packages"),
            Origin::Flag(_) | Origin::CommandLine => Problem::at(list, packages_needed(command)),
        }
    }

    /// A retention of protections alone, which would delete everything
    /// else; `header` is the retention's rule.
    pub fn selects_nothing(header: Origin) -> Problem {
        match header {
            Origin::File(_) => Problem::at(
                header,
                "the rule selects no versions: give at least one of `keep-latest`, \
                 `older-than`, `tag` or `untagged = true` (protections alone would delete \
                 everything else)",
            ),
            Origin::Flag(_) | Origin::CommandLine => Problem::at(
                header,
                "prune needs a policy: give at least one of --keep-latest, --older-than, --tag \
                 or --untagged",
            ),
        }
    }

    /// `tag` with `untagged = true`; `tag` is where the first tag glob is.
    pub fn untagged_with_tag(tag: Origin, untagged: Origin) -> Problem {
        match tag {
            Origin::File(_) => Problem::at(
                tag,
                "`tag` selects tagged versions and `untagged = true` only untagged ones: \
                 together they select nothing",
            ),
            Origin::Flag(_) | Origin::CommandLine => Problem::at(
                tag,
                format!(
                    "{} selects tagged versions and {} only untagged ones: together they \
                     select nothing",
                    named(tag),
                    named(untagged)
                ),
            ),
        }
    }

    /// A glob under a selecting key and under a key that takes the same
    /// things out again, which selects nothing.
    pub fn same_glob(glob: &str, selecting: Origin, removing: Origin) -> Problem {
        let (selecting_name, removing_name) = (named(selecting), named(removing));
        match removing {
            Origin::File(_) => Problem::at(
                removing,
                format!(
                    "{glob:?} is also in `{selecting_name}`: what it selects, \
                     `{removing_name}` takes out again"
                ),
            ),
            Origin::Flag(_) | Origin::CommandLine if selecting == Origin::Flag(ALL_PACKAGES) => {
                Problem::at(
                    removing,
                    format!(
                        "{removing_name} '{glob}' takes out again every package \
                         {selecting_name} selects"
                    ),
                )
            }
            Origin::Flag(_) | Origin::CommandLine => Problem::at(
                removing,
                format!(
                    "{selecting_name} '{glob}' is also given as {removing_name}: what \
                     {selecting_name} selects, {removing_name} takes out again"
                ),
            ),
        }
    }

    /// `@me` beside `user:LOGIN` for one type: they may be one account.
    pub fn mixed_owners(
        header: Origin,
        owner: &Owner,
        other: &Owner,
        other_rule: &RuleSource,
    ) -> Problem {
        let header = match header {
            Origin::File(place) => Origin::File(place.about("owner")),
            elsewhere => elsewhere,
        };
        Problem::at(
            header,
            format!(
                "owner {owner} beside {other} (the rule at {other_rule}) for the same type: \
                 `@me` may be that user, so a package could be matched by two rules; name the \
                 user the same way in both"
            ),
        )
    }

    /// A `name` glob that the rule at `other_rule` also matches.
    pub fn name_overlap(name: Origin, glob: &str, other_rule: &RuleSource) -> Problem {
        Problem::at(
            name,
            format!(
                "{glob:?} is also matched by the rule at {other_rule} for the same owner and \
                 type: a package may be matched by one rule only"
            ),
        )
    }
}

/// The flag or key a value was written under.
fn named(origin: Origin) -> &'static str {
    match origin {
        Origin::Flag(flag) => flag,
        Origin::File(place) => place.key.unwrap_or("[[rule]]"),
        Origin::CommandLine => "the command line",
    }
}
