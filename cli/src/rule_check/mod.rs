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
//! - in a rule with retention classes (`[[rule.class]]`, each checked as a
//!   retention of its own): the rule's own `tag`, `untagged`,
//!   `keep-latest`, `older-than` or `order`; a class's `tag` glob also in
//!   the rule's `keep-tag` or `exclude-tag`; two classes with the same
//!   `tag` glob;
//! - two rules of the same owner and type that visibly match the same
//!   package: the same `name` glob in both, or a plain name in one that the
//!   other's globs match. Overlaps that only the package list shows
//!   (`app-*` and `*-web` both matching `app-web`) stop the run after
//!   listing, before any deletion ([`crate::rules::Rules::select`]);
//! - `@me` beside `user:LOGIN` for one type when they are one account:
//!   only GitHub knows whose the token is, so a run resolves `@me` once,
//!   before listing, and compares ([`same_account_named_twice`]).

mod flags;
mod raw;
mod wording;

use std::fmt;

use github_packages::Owner;
use github_packages::types::PackageType;

use crate::exit::Exit;
use crate::glob::Glob;
use crate::policy::{Class, Classes, RetentionPolicy};
use crate::rules::{Fit, Rule, Rules};

pub use flags::{rules_of, selection_of};
pub use raw::{Given, GivenList, Origin, Place, RawClass, RawRetention, RawRule};
pub use wording::Problem;

/// Checks raw rules, each on its own and then against each other: the
/// rules, or the problems in the order they were found. A rule with a
/// value its source refused is checked too (so that every problem is
/// reported at once), but the rules are then refused even when the
/// checker finds nothing more.
pub fn check(raw_rules: &[RawRule]) -> Result<Rules, Vec<Problem>> {
    check_for(raw_rules, Purpose::Prune)
}

/// What the rules are for: a prune needs a retention that selects
/// something; a check only selects packages, and leaves the retention out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Purpose {
    #[default]
    Prune,
    Check,
}

impl Purpose {
    /// The command the rules are for, as the refusals name it.
    pub fn command(self) -> &'static str {
        match self {
            Purpose::Prune => "prune",
            Purpose::Check => "check",
        }
    }
}

/// [`check`], for `purpose`.
pub fn check_for(raw_rules: &[RawRule], purpose: Purpose) -> Result<Rules, Vec<Problem>> {
    let mut checker = Checker {
        purpose,
        ..Checker::default()
    };
    let checked: Vec<CheckedRule> = raw_rules
        .iter()
        .filter_map(|raw| checker.rule(raw))
        .collect();
    checker.overlaps(&checked);
    let mut problems = checker.problems;
    // The flags report one message for whichever package flag is missing.
    problems.dedup();
    // A rule with a refused value yields no rule, and its source has said
    // why: the rules are then refused, though the checker found nothing.
    if problems.is_empty() && checked.len() == raw_rules.len() {
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
    name_origins: Vec<Origin>,
}

/// What a retention being checked belongs to, for its wording.
#[derive(Clone, Copy)]
enum Scope {
    Rule,
    Class,
}

#[derive(Default)]
struct Checker {
    purpose: Purpose,
    problems: Vec<Problem>,
}

impl Checker {
    /// One rule's own checks; `None` when it has problems (recorded here,
    /// or by its source).
    fn rule(&mut self, raw: &RawRule) -> Option<CheckedRule> {
        let before = self.problems.len();
        let command = self.purpose.command();
        if raw.owner.is_none() {
            self.problems.push(Problem::no_owner(raw.origin, command));
        }
        if raw.package_type.is_none() {
            self.problems
                .push(Problem::no_package_type(raw.origin, command));
        }
        let names = match &raw.names {
            None => {
                self.problems.push(Problem::no_names(raw.origin, command));
                &[][..]
            }
            Some(list) if list.items.is_empty() => {
                self.problems
                    .push(Problem::empty_names(list.origin, command));
                &[][..]
            }
            Some(list) => &list.items[..],
        };
        self.same_glob_in_both(names, &raw.exclude_names);
        let retention = match self.purpose {
            Purpose::Check => RetentionPolicy::default(),
            Purpose::Prune if raw.classes.is_empty() => {
                self.retention(raw.origin, &raw.retention, Scope::Rule)
            }
            Purpose::Prune => self.classes(raw),
        };
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
                keep_referenced: raw.keep_referenced.clone(),
            },
            name_origins: names.iter().map(|name| name.origin).collect(),
        })
    }

    /// A rule with retention classes: it may not have a retention of its
    /// own besides its protections (`keep-tag`, `exclude-tag`, which
    /// protect across its classes); each class is checked as a retention,
    /// and no two classes may name the same `tag` glob.
    fn classes(&mut self, raw: &RawRule) -> RetentionPolicy {
        let own = &raw.retention;
        let keys = [
            own.tags.first().map(|given| given.origin),
            own.untagged.as_ref().map(|given| given.origin),
            own.keep_latest.as_ref().map(|given| given.origin),
            own.older_than.as_ref().map(|given| given.origin),
            own.order.as_ref().map(|given| given.origin),
        ];
        for origin in keys.into_iter().flatten() {
            self.problems.push(Problem::own_key_beside_classes(origin));
        }
        let mut classes = Vec::new();
        for (index, raw_class) in raw.classes.iter().enumerate() {
            let retention = &raw_class.retention;
            let policy = self.retention(raw_class.origin, retention, Scope::Class);
            self.same_glob_in_both(&retention.tags, &own.keep_tags);
            self.same_glob_in_both(&retention.tags, &own.exclude_tags);
            for tag in &retention.tags {
                let Some(glob) = &tag.value else { continue };
                let earlier = raw.classes[..index].iter().find(|earlier| {
                    earlier.retention.tags.iter().any(|theirs| {
                        theirs
                            .value
                            .as_ref()
                            .is_some_and(|theirs| theirs.as_str() == glob.as_str())
                    })
                });
                if let Some(earlier) = earlier {
                    self.problems.push(Problem::same_glob_in_two_classes(
                        tag.origin,
                        glob.as_str(),
                        &earlier.source,
                    ));
                }
            }
            classes.push(Class {
                source: raw_class.source.clone(),
                policy,
            });
        }
        RetentionPolicy {
            keep_tags: values(&own.keep_tags),
            exclude_tags: values(&own.exclude_tags),
            classes: Some(Classes {
                rule: raw.source.clone(),
                classes,
            }),
            ..RetentionPolicy::default()
        }
    }

    /// A retention's checks; `header` is where the retention is written
    /// (its rule or class), for a retention that selects nothing.
    fn retention(&mut self, header: Origin, raw: &RawRetention, scope: Scope) -> RetentionPolicy {
        let policy = RetentionPolicy {
            keep_latest: value(raw.keep_latest.as_ref()),
            older_than: value(raw.older_than.as_ref()),
            tags: values(&raw.tags),
            exclude_tags: values(&raw.exclude_tags),
            keep_tags: values(&raw.keep_tags),
            untagged: value(raw.untagged.as_ref()).unwrap_or(false),
            order: value(raw.order.as_ref()).unwrap_or_default(),
            classes: None,
            referenced: Vec::new(),
        };
        if !policy.selects_something() && !raw.refused_a_selecting_value() {
            self.problems.push(match scope {
                Scope::Rule => Problem::selects_nothing(header),
                Scope::Class => Problem::class_selects_nothing(header),
            });
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

    /// Two rules for the same packages that visibly match the same package.
    /// (`@me` beside `user:LOGIN` is compared once `@me` is resolved:
    /// [`same_account_named_twice`].)
    fn overlaps(&mut self, rules: &[CheckedRule]) {
        for (index, later) in rules.iter().enumerate() {
            for earlier in &rules[..index] {
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

/// The types for which `rules` name `@me` beside a `user:LOGIN`: whether
/// they are one account, only the login behind `@me` can say.
pub fn types_naming_me_and_a_user(rules: &Rules) -> Vec<&PackageType> {
    let mut types: Vec<&PackageType> = Vec::new();
    for rule in rules.iter() {
        let meets = |other: &Rule| {
            other.package_type == rule.package_type
                && matches!(
                    (&rule.owner, &other.owner),
                    (Owner::AuthenticatedUser, Owner::User(_))
                )
        };
        if rules.iter().any(meets) && !types.contains(&&rule.package_type) {
            types.push(&rule.package_type);
        }
    }
    types
}

/// Each pair of rules of one type where one says `@me` and the other
/// `user:LOGIN` for the same account, `me` being the login behind `@me`
/// (compared as GitHub compares logins): one account named two ways, so a
/// package could be matched by two rules. Refused like any overlap.
pub fn same_account_named_twice(rules: &Rules, me: &str) -> Vec<String> {
    let mut found = Vec::new();
    for mine in rules
        .iter()
        .filter(|rule| rule.owner == Owner::AuthenticatedUser)
    {
        for user in rules.iter() {
            let same = matches!(&user.owner, Owner::User(login) if login.eq_ignore_ascii_case(me));
            if same && user.package_type == mine.package_type {
                found.push(wording::same_account_named_twice(mine, user, me));
            }
        }
    }
    found
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

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::args::{Cli, Command, PruneArgs};
    use crate::exit::ExitStatus;
    use crate::policy_file;
    use crate::rules::RuleSource;

    /// `ghpkg prune ARGS` (split at spaces), as clap reads it.
    fn prune(args: &str) -> PruneArgs {
        let words = ["ghpkg", "prune"].into_iter().chain(args.split(' '));
        let Command::Prune(prune) = Cli::try_parse_from(words).unwrap().command else {
            panic!("not prune")
        };
        prune
    }

    /// What the checker says about the flags: messages only, no places.
    fn refused(args: &PruneArgs) -> Vec<String> {
        let problems = check(&[flags::raw_rule(args)]).unwrap_err();
        problems
            .into_iter()
            .map(|problem| {
                assert_eq!(problem.at, None, "{}", problem.message);
                problem.message
            })
            .collect()
    }

    /// What the checker says about a policy file whose one rule (its header
    /// on line 3) is `rule`.
    fn file_refused(rule: &str) -> String {
        let text = format!("owner = \"org:acme\"\ntype = \"npm\"\n[[rule]]\n{rule}");
        policy_file::parse("policy.toml", &text)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn each_contradiction_is_refused_from_the_flags_as_from_a_file() {
        // (flags, the same rule in a file, what the flags hear, what the file hears)
        let cases = [
            (
                "--org acme --type npm --name x --tag v* --keep-tag v*",
                "name = [\"x\"]\ntag = [\"v*\"]\nkeep-tag = [\"v*\"]\n",
                "--tag 'v*' is also given as --keep-tag: what --tag selects, --keep-tag takes \
                 out again",
                "policy.toml:6:13: key `keep-tag`: \"v*\" is also in `tag`: what it selects, \
                 `keep-tag` takes out again",
            ),
            (
                "--org acme --type npm --name x --tag v* --exclude-tag v*",
                "name = [\"x\"]\ntag = [\"v*\"]\nexclude-tag = [\"v*\"]\n",
                "--tag 'v*' is also given as --exclude-tag: what --tag selects, --exclude-tag \
                 takes out again",
                "policy.toml:6:16: key `exclude-tag`: \"v*\" is also in `tag`: what it \
                 selects, `exclude-tag` takes out again",
            ),
            (
                "--org acme --type npm --name web --name api --exclude-name web --untagged",
                "name = [\"web\", \"api\"]\nexclude-name = [\"web\"]\nuntagged = true\n",
                "--name 'web' is also given as --exclude-name: what --name selects, \
                 --exclude-name takes out again",
                "policy.toml:5:17: key `exclude-name`: \"web\" is also in `name`: what it \
                 selects, `exclude-name` takes out again",
            ),
            (
                "--org acme --type npm --all-packages --exclude-name * --untagged",
                "name = [\"*\"]\nexclude-name = [\"*\"]\nuntagged = true\n",
                "--exclude-name '*' takes out again every package --all-packages selects",
                "policy.toml:5:17: key `exclude-name`: \"*\" is also in `name`: what it \
                 selects, `exclude-name` takes out again",
            ),
            (
                "--org acme --type npm --name x --keep-tag latest --exclude-tag v*",
                "name = [\"x\"]\nkeep-tag = [\"latest\"]\nexclude-tag = [\"v*\"]\n",
                "prune needs a policy: give at least one of --keep-latest, --older-than, --tag \
                 or --untagged",
                "policy.toml:3:1: the rule selects no versions: give at least one of \
                 `keep-latest`, `older-than`, `tag` or `untagged = true` (protections alone \
                 would delete everything else)",
            ),
        ];
        for (flags, rule, from_flags, from_file) in cases {
            assert_eq!(refused(&prune(flags)), [from_flags], "{flags}");
            assert_eq!(file_refused(rule), from_file, "{rule}");
        }
    }

    #[test]
    fn untagged_with_tag_is_refused_from_the_flags_as_from_a_file() {
        // Clap refuses the two flags together first; the checker does too.
        assert!(
            Cli::try_parse_from(
                "ghpkg prune --me --type npm --name x --untagged --tag v*".split(' ')
            )
            .is_err()
        );
        let mut args = prune("--me --type npm --name x --untagged");
        args.tags.push(Glob::parse("v*").unwrap());
        assert_eq!(
            refused(&args),
            [
                "--tag selects tagged versions and --untagged only untagged ones: together they \
              select nothing"
            ]
        );
        assert_eq!(
            file_refused("name = [\"x\"]\nuntagged = true\ntag = [\"v*\"]\n"),
            "policy.toml:6:8: key `tag`: `tag` selects tagged versions and `untagged = true` \
             only untagged ones: together they select nothing"
        );
    }

    #[test]
    fn missing_package_flags_are_one_refusal_and_every_problem_is_reported() {
        let needed = "prune needs --policy FILE, or an owner (--org, --user or --me) with --type \
                      and --name GLOB (or --all-packages)";
        for args in [
            "--type npm --name x --untagged",
            "--me --name x --untagged",
            "--untagged",
        ] {
            assert_eq!(refused(&prune(args)), [needed], "{args}");
        }
        let args = prune("--type npm --tag v* --keep-tag v*");
        assert_eq!(
            refused(&args),
            [
                needed,
                "--tag 'v*' is also given as --keep-tag: what --tag selects, --keep-tag takes \
                 out again"
            ]
        );
        // As `ghpkg` exits: bad input, one `error:` line each.
        let exit = args.check().unwrap_err();
        assert_eq!(exit.status, ExitStatus::Usage);
        assert_eq!(
            exit.message.unwrap(),
            format!(
                "{needed}\nerror: --tag 'v*' is also given as --keep-tag: what --tag selects, --keep-tag takes out again"
            )
        );
    }

    #[test]
    fn the_flags_make_the_rule_a_file_would() {
        let args = prune(
            "--user octocat --type container --name app-* --exclude-name app-old --keep-latest 3 \
             --older-than 30d --tag pr-* --exclude-tag pr-1 --keep-tag v*",
        );
        assert_eq!(args.check(), Ok(()));
        let rules = rules_of(&args).unwrap();
        let [flags_rule] = rules.iter().collect::<Vec<_>>()[..] else {
            panic!("not one rule")
        };
        let file = policy_file::parse(
            "policy.toml",
            "[[rule]]\nowner = \"user:octocat\"\ntype = \"container\"\nname = [\"app-*\"]\n\
             exclude-name = [\"app-old\"]\nkeep-latest = 3\nolder-than = \"30d\"\n\
             tag = [\"pr-*\"]\nexclude-tag = [\"pr-1\"]\nkeep-tag = [\"v*\"]\n",
        )
        .unwrap();
        let file_rule = file.iter().next().unwrap();
        assert_eq!(flags_rule.source, RuleSource::CommandLine);
        assert_eq!(file_rule.source.to_string(), "policy.toml:1");
        assert_eq!(flags_rule.owner, file_rule.owner);
        assert_eq!(flags_rule.package_type, file_rule.package_type);
        let texts = |globs: &[Glob]| {
            globs
                .iter()
                .map(|g| g.as_str().to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(texts(&flags_rule.names), texts(&file_rule.names));
        assert_eq!(
            texts(&flags_rule.exclude_names),
            texts(&file_rule.exclude_names)
        );
        assert_eq!(
            crate::rules::describe(&flags_rule.retention),
            crate::rules::describe(&file_rule.retention)
        );
        assert_eq!(
            crate::rules::describe(&flags_rule.retention),
            "--keep-latest 3 --older-than 30d --tag 'pr-*' --exclude-tag 'pr-1' --keep-tag 'v*'"
        );

        let all = rules_of(&prune("--me --type npm --all-packages --untagged")).unwrap();
        let rule = all.iter().next().unwrap();
        assert_eq!(texts(&rule.names), ["*"]);
        assert_eq!(rule.owner, Owner::AuthenticatedUser);
        assert!(rule.retention.untagged);
    }

    #[test]
    fn a_value_its_source_refused_is_not_missing_but_makes_no_rule() {
        let place = |line| Place {
            line,
            column: 9,
            key: Some("owner"),
        };
        let mut raw = flags::raw_rule(&prune("--me --type npm --name x --untagged"));
        raw.owner = Some(Given::refused(Origin::File(place(2))));
        assert_eq!(check(std::slice::from_ref(&raw)).unwrap_err(), []);
        // Other problems of the rule are still found.
        raw.retention.untagged = None;
        assert_eq!(
            check(&[raw]).unwrap_err(),
            [Problem::at(
                Origin::CommandLine,
                "prune needs a policy: give at least one of --keep-latest, --older-than, --tag \
                 or --untagged"
            )]
        );
    }
}
