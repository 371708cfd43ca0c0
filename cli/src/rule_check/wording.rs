//! How the rule checker words each refusal: naming the flags on the command
//! line, and the key, at its line and column, in a policy file.

use super::raw::{Origin, Place};
use crate::rules::{Rule, RuleSource};

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

    /// A retention class of protections alone; `header` is its
    /// `[[rule.class]]`.
    pub fn class_selects_nothing(header: Origin) -> Problem {
        let header = match header {
            Origin::File(place) => Origin::File(place.about("rule.class")),
            elsewhere => elsewhere,
        };
        Problem::at(
            header,
            "the class selects no versions: give at least one of `keep-latest`, \
             `older-than`, `tag` or `untagged = true` (protections alone would delete \
             everything else)",
        )
    }

    /// A rule's own `tag`, `untagged`, `keep-latest`, `older-than` or
    /// `order` beside its classes, which decide instead.
    pub fn own_key_beside_classes(key: Origin) -> Problem {
        let name = named(key);
        Problem::at(
            key,
            format!(
                "a rule with classes (`[[rule.class]]`) may not have its own `{name}`: \
                 move it into the classes it is meant for"
            ),
        )
    }

    /// A `tag` glob that an earlier class of the rule has too.
    pub fn same_glob_in_two_classes(tag: Origin, glob: &str, earlier: &RuleSource) -> Problem {
        Problem::at(
            tag,
            format!(
                "{glob:?} is also a `tag` of the class at {earlier}: two classes of a rule \
                 may not name the same glob"
            ),
        )
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

/// `@me`, whose login is `me`, named `user:LOGIN` by another rule of the
/// same type.
pub fn same_account_named_twice(mine: &Rule, user: &Rule, me: &str) -> String {
    format!(
        "owner @me (the rule at {}) is the user {me}, whom the rule at {} names {} for the same \
         type: one account named two ways, so a package could be matched by two rules; name it \
         the same way in both",
        mine.source, user.source, user.owner
    )
}
