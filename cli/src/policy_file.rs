//! Policy files (`ghpkg prune --policy FILE`): retention rules for many
//! packages, read from TOML and checked before any request is sent.
//!
//! ```toml
//! # Defaults for the rules below; a rule may set its own.
//! owner = "org:acme"          # org:NAME, user:NAME or @me
//! type = "container"
//!
//! [[rule]]
//! name = ["app-*"]            # package-name globs (required)
//! exclude-name = ["app-legacy"]
//! untagged = true
//! older-than = "30d"
//! keep-latest = 5
//!
//! [[rule]]
//! type = "npm"
//! name = ["*"]
//! keep-latest = 10
//! keep-tag = ["latest"]
//! ```
//!
//! A rule's retention keys are the `ghpkg prune` flags without their dashes
//! and mean the same (`keep-latest`, `older-than`, `tag`, `exclude-tag`,
//! `keep-tag`, `untagged`); globs come as arrays. Refused, each with the
//! file, line, column and key: TOML that does not parse; an unknown key or
//! a value of the wrong type; an unknown owner or type; a bad glob or
//! duration; a file without rules; and these contradictions:
//!
//! - a rule that selects nothing (none of `keep-latest`, `older-than`,
//!   `tag`, `untagged`: it would only protect, so deleting by it means
//!   deleting everything), or an empty `name`;
//! - `untagged = true` with `tag` (no version is both);
//! - a glob given both as `tag` and as `keep-tag` or `exclude-tag`, or both
//!   as `name` and as `exclude-name` (it selects nothing);
//! - two rules of the same owner and type that match the same package:
//!   the same `name` glob in both, or a plain name in one that the other's
//!   globs match. Overlaps that only the package list shows (`app-*` and
//!   `*-web` both matching `app-web`) stop the run after listing, before
//!   any deletion ([`crate::rules::Rules::select`]).

use std::fmt;
use std::ops::Range;
use std::path::Path;

use github_packages::Owner;
use github_packages::types::PackageType;
use serde::Deserialize;
use toml::Spanned;

use crate::duration::parse_age;
use crate::glob::Glob;
use crate::policy::RetentionPolicy;
use crate::rules::{Fit, Rule, RuleSource, Rules};

/// The file as TOML has it; every value keeps its place for messages.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    owner: Option<Spanned<String>>,
    #[serde(rename = "type")]
    package_type: Option<Spanned<String>>,
    #[serde(default)]
    rule: Vec<Spanned<RawRule>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawRule {
    owner: Option<Spanned<String>>,
    #[serde(rename = "type")]
    package_type: Option<Spanned<String>>,
    name: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    exclude_name: Vec<Spanned<String>>,
    keep_latest: Option<Spanned<i64>>,
    older_than: Option<Spanned<String>>,
    #[serde(default)]
    tag: Vec<Spanned<String>>,
    #[serde(default)]
    exclude_tag: Vec<Spanned<String>>,
    #[serde(default)]
    keep_tag: Vec<Spanned<String>>,
    untagged: Option<Spanned<bool>>,
}

/// One thing wrong with a policy file, at a place in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    /// The key the problem is about, when there is one.
    pub key: Option<String>,
    pub message: String,
}

/// Why a policy file was refused: every problem found, in file order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyErrors {
    pub path: String,
    pub problems: Vec<Problem>,
}

impl fmt::Display for PolicyErrors {
    /// One line per problem: `policy.toml:4:1: key `kep-latest`: …`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, problem) in self.problems.iter().enumerate() {
            if index > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{}:{}:{}: ", self.path, problem.line, problem.column)?;
            if let Some(key) = &problem.key {
                write!(f, "key `{key}`: ")?;
            }
            f.write_str(&problem.message)?;
        }
        Ok(())
    }
}

/// Reads and checks a policy file.
pub fn read(path: &Path) -> Result<Rules, PolicyErrors> {
    let shown = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&shown, &text),
        Err(error) => Err(PolicyErrors {
            path: shown,
            problems: vec![Problem {
                line: 1,
                column: 1,
                key: None,
                message: format!("cannot read the policy file: {error}"),
            }],
        }),
    }
}

/// Parses and checks a policy file's text; `path` is only for messages.
pub fn parse(path: &str, text: &str) -> Result<Rules, PolicyErrors> {
    let mut checker = Checker {
        path,
        text,
        problems: Vec::new(),
    };
    let raw: RawFile = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(error) => {
            let span = error.span().unwrap_or(0..0);
            let key = checker.key_at(span.start);
            checker.problem(span, key, error.message().trim_end());
            return Err(checker.into_errors());
        }
    };
    if raw.rule.is_empty() {
        checker.problem(
            0..0,
            None,
            "no rules: add at least one [[rule]] table with `name` and a retention key",
        );
        return Err(checker.into_errors());
    }
    let defaults = Defaults {
        owner: raw.owner.map(|o| checker.owner(&o)),
        package_type: raw.package_type.map(|t| checker.package_type(&t)),
    };
    let checked: Vec<CheckedRule> = raw
        .rule
        .iter()
        .filter_map(|rule| checker.rule(rule, &defaults))
        .collect();
    checker.overlaps(&checked);
    if checker.problems.is_empty() {
        Ok(Rules::new(checked.into_iter().map(|c| c.rule).collect()))
    } else {
        Err(checker.into_errors())
    }
}

/// The file-level `owner` and `type`: `None` when not given, `Some(None)`
/// when given but refused (already reported, so not again for each rule).
struct Defaults {
    owner: Option<Option<Owner>>,
    package_type: Option<Option<PackageType>>,
}

/// A rule that passed its own checks, with the places of its `name` globs
/// for the checks across rules.
struct CheckedRule {
    rule: Rule,
    /// The rule's `[[rule]]` table.
    header: Range<usize>,
    name_spans: Vec<Range<usize>>,
}

struct Checker<'t> {
    path: &'t str,
    text: &'t str,
    problems: Vec<Problem>,
}

impl Checker<'_> {
    fn problem(&mut self, span: Range<usize>, key: Option<&str>, message: impl Into<String>) {
        let (line, column) = self.place(span.start);
        self.problems.push(Problem {
            line,
            column,
            key: key.map(str::to_string),
            message: message.into(),
        });
    }

    fn into_errors(mut self) -> PolicyErrors {
        self.problems.sort_by_key(|p| (p.line, p.column));
        PolicyErrors {
            path: self.path.to_string(),
            problems: self.problems,
        }
    }

    /// 1-based line and column of a byte offset.
    fn place(&self, offset: usize) -> (usize, usize) {
        let before = &self.text[..offset.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (line, before[line_start..].chars().count() + 1)
    }

    /// The key whose value holds `offset`, read back from the text: the
    /// nearest `key =` at or above it (TOML's own messages do not always
    /// name it, e.g. for a value of the wrong type).
    fn key_at(&self, offset: usize) -> Option<&'static str> {
        let before = &self.text[..offset.min(self.text.len())];
        let current_line_end = self.text[before.len()..]
            .find('\n')
            .map_or(self.text.len(), |i| before.len() + i);
        let lines = self.text[..current_line_end].lines().rev();
        for line in lines {
            let line = line.trim_start();
            if line.starts_with('[') {
                return None;
            }
            if let Some((key, _)) = line.split_once('=') {
                let key = key.trim();
                return KEYS.iter().copied().find(|known| *known == key);
            }
        }
        None
    }

    fn owner(&mut self, text: &Spanned<String>) -> Option<Owner> {
        match text.get_ref().parse::<Owner>() {
            Ok(owner) => Some(owner),
            Err(error) => {
                self.problem(text.span(), Some("owner"), error.to_string());
                None
            }
        }
    }

    fn package_type(&mut self, text: &Spanned<String>) -> Option<PackageType> {
        let kind = PackageType::from(text.get_ref().as_str());
        if PackageType::KNOWN.contains(&kind) {
            return Some(kind);
        }
        let known: Vec<&str> = PackageType::KNOWN.iter().map(PackageType::as_str).collect();
        self.problem(
            text.span(),
            Some("type"),
            format!(
                "unknown package type {:?} (expected one of {})",
                text.get_ref(),
                known.join(", ")
            ),
        );
        None
    }

    fn globs(&mut self, key: &str, values: &[Spanned<String>]) -> Vec<Glob> {
        values
            .iter()
            .filter_map(|value| match Glob::parse(value.get_ref()) {
                Ok(glob) => Some(glob),
                Err(error) => {
                    self.problem(
                        value.span(),
                        Some(key),
                        format!("bad glob {:?}: {error}", value.get_ref()),
                    );
                    None
                }
            })
            .collect()
    }

    /// One rule's own checks; `None` when it has problems (recorded).
    fn rule(&mut self, raw: &Spanned<RawRule>, defaults: &Defaults) -> Option<CheckedRule> {
        let header = raw.span();
        let before = self.problems.len();
        let rule = raw.get_ref();

        let owner = match &rule.owner {
            Some(text) => self.owner(text),
            None => defaults.owner.clone().unwrap_or_else(|| {
                self.problem(
                    header.clone(),
                    Some("owner"),
                    "the rule names no owner: set `owner` in it or at the top of the file",
                );
                None
            }),
        };
        let package_type = match &rule.package_type {
            Some(text) => self.package_type(text),
            None => defaults.package_type.clone().unwrap_or_else(|| {
                self.problem(
                    header.clone(),
                    Some("type"),
                    "the rule names no package type: set `type` in it or at the top of the file",
                );
                None
            }),
        };

        let (names, name_spans) = match &rule.name {
            None => {
                self.problem(
                    header.clone(),
                    Some("name"),
                    "the rule selects no packages: add `name = [\"GLOB\", …]` (`[\"*\"]` for all)",
                );
                (Vec::new(), Vec::new())
            }
            Some(list) if list.get_ref().is_empty() => {
                self.problem(
                    list.span(),
                    Some("name"),
                    "empty: the rule selects no packages",
                );
                (Vec::new(), Vec::new())
            }
            Some(list) => {
                let spans = list.get_ref().iter().map(Spanned::span).collect();
                (self.globs("name", list.get_ref()), spans)
            }
        };
        for (glob, span) in names.iter().zip(&name_spans) {
            if glob.is_literal()
                && let Err(problem) = crate::args::package_name(glob.as_str())
            {
                self.problem(
                    span.clone(),
                    Some("name"),
                    format!("package name {problem}"),
                );
            }
        }
        let exclude_names = self.globs("exclude-name", &rule.exclude_name);
        self.same_glob_in_both(
            &rule.name_values(),
            "name",
            &rule.exclude_name,
            "exclude-name",
        );

        let keep_latest = rule.keep_latest.as_ref().and_then(|n| {
            usize::try_from(*n.get_ref()).ok().or_else(|| {
                self.problem(n.span(), Some("keep-latest"), "must be 0 or more");
                None
            })
        });
        let older_than = rule
            .older_than
            .as_ref()
            .and_then(|age| match parse_age(age.get_ref()) {
                Ok(age) => Some(age),
                Err(error) => {
                    self.problem(age.span(), Some("older-than"), error);
                    None
                }
            });
        let retention = RetentionPolicy {
            keep_latest,
            older_than,
            tags: self.globs("tag", &rule.tag),
            exclude_tags: self.globs("exclude-tag", &rule.exclude_tag),
            keep_tags: self.globs("keep-tag", &rule.keep_tag),
            untagged: rule.untagged.as_ref().is_some_and(|u| *u.get_ref()),
        };
        if rule.keep_latest.is_none()
            && rule.older_than.is_none()
            && rule.tag.is_empty()
            && !retention.untagged
        {
            self.problem(
                header.clone(),
                None,
                "the rule selects no versions: give at least one of `keep-latest`, \
                 `older-than`, `tag` or `untagged = true` (protections alone would delete \
                 everything else)",
            );
        }
        if retention.untagged
            && let Some(tag) = rule.tag.first()
        {
            self.problem(
                tag.span(),
                Some("tag"),
                "`tag` selects tagged versions and `untagged = true` only untagged ones: \
                 together they select nothing",
            );
        }
        self.same_glob_in_both(&rule.tag, "tag", &rule.keep_tag, "keep-tag");
        self.same_glob_in_both(&rule.tag, "tag", &rule.exclude_tag, "exclude-tag");

        if self.problems.len() > before {
            return None;
        }
        Some(CheckedRule {
            rule: Rule {
                source: RuleSource::File {
                    path: self.path.to_string(),
                    line: self.place(header.start).0,
                },
                owner: owner?,
                package_type: package_type?,
                names,
                exclude_names,
                retention,
            },
            header,
            name_spans,
        })
    }

    /// A glob listed under a selecting key and under a key that takes the
    /// same things out again selects nothing.
    fn same_glob_in_both(
        &mut self,
        selecting: &[Spanned<String>],
        selecting_key: &str,
        removing: &[Spanned<String>],
        removing_key: &str,
    ) {
        for glob in removing {
            if selecting.iter().any(|s| s.get_ref() == glob.get_ref()) {
                self.problem(
                    glob.span(),
                    Some(removing_key),
                    format!(
                        "{:?} is also in `{selecting_key}`: what it selects, `{removing_key}` \
                         takes out again",
                        glob.get_ref()
                    ),
                );
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
                    self.problem(
                        later.header.clone(),
                        Some("owner"),
                        format!(
                            "owner {} beside {} (the rule at {}) for the same type: `@me` may be \
                             that user, so a package could be matched by two rules; name the \
                             user the same way in both",
                            later.rule.owner, earlier.rule.owner, earlier.rule.source
                        ),
                    );
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
        for (glob, span) in rule.rule.names.iter().zip(&rule.name_spans) {
            let same_glob = other
                .rule
                .names
                .iter()
                .any(|theirs| theirs.as_str() == glob.as_str());
            let plain_name_matched = glob.is_literal()
                && matches!(rule.rule.fit_name(glob.as_str()), Fit::Applies { .. })
                && matches!(other.rule.fit_name(glob.as_str()), Fit::Applies { .. });
            if same_glob || plain_name_matched {
                self.problem(
                    span.clone(),
                    Some("name"),
                    format!(
                        "{:?} is also matched by the rule at {} for the same owner and type: a \
                         package may be matched by one rule only",
                        glob.as_str(),
                        other.rule.source
                    ),
                );
            }
        }
    }
}

impl RawRule {
    fn name_values(&self) -> Vec<Spanned<String>> {
        self.name
            .as_ref()
            .map(|list| list.get_ref().clone())
            .unwrap_or_default()
    }
}

/// Every key a policy file may hold, for naming the key of an error.
const KEYS: &[&str] = &[
    "owner",
    "type",
    "name",
    "exclude-name",
    "keep-latest",
    "older-than",
    "tag",
    "exclude-tag",
    "keep-tag",
    "untagged",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> String {
        parse("policy.toml", text).unwrap_err().to_string()
    }

    const THREE_RULES: &str = r#"
owner = "org:acme"
type = "container"

[[rule]]
name = ["app-*"]
exclude-name = ["app-legacy"]
untagged = true
older-than = "30d"

[[rule]]
name = ["api"]
keep-latest = 3
keep-tag = ["v*"]

[[rule]]
owner = "user:octocat"
type = "npm"
name = ["*"]
tag = ["pr-*"]
exclude-tag = ["pr-1"]
"#;

    #[test]
    fn reads_rules_with_file_defaults_and_their_own_keys() {
        let rules = parse("policy.toml", THREE_RULES).unwrap();
        let rules: Vec<&Rule> = rules.iter().collect();
        assert_eq!(rules.len(), 3);
        assert_eq!(
            rules[0].source,
            RuleSource::File {
                path: "policy.toml".into(),
                line: 5
            }
        );
        assert_eq!(rules[0].owner, Owner::org("acme"));
        assert_eq!(rules[0].package_type, PackageType::Container);
        assert_eq!(rules[0].names[0].as_str(), "app-*");
        assert_eq!(rules[0].exclude_names[0].as_str(), "app-legacy");
        assert!(rules[0].retention.untagged);
        assert_eq!(
            rules[0].retention.older_than,
            Some(chrono::TimeDelta::days(30))
        );
        assert_eq!(rules[1].retention.keep_latest, Some(3));
        assert_eq!(rules[1].retention.keep_tags[0].as_str(), "v*");
        assert_eq!(rules[2].owner, Owner::user("octocat"));
        assert_eq!(rules[2].package_type, PackageType::Npm);
        assert_eq!(rules[2].retention.tags[0].as_str(), "pr-*");
        assert_eq!(rules[2].retention.exclude_tags[0].as_str(), "pr-1");
    }

    #[test]
    fn syntax_errors_name_the_line_and_column() {
        let text =
            "owner = \"org:acme\"\ntype = \"npm\"\n[[rule]]\nname = [\"a\"\nuntagged = true\n";
        let message = errors(text);
        assert!(message.starts_with("policy.toml:5:1: "), "{message}");
    }

    #[test]
    fn unknown_keys_are_named_with_their_line() {
        let text =
            "owner = \"org:acme\"\ntype = \"npm\"\n\n[[rule]]\nname = [\"a\"]\nkep-latest = 3\n";
        assert_eq!(
            errors(text),
            "policy.toml:6:1: unknown field `kep-latest`, expected one of `owner`, `type`, \
             `name`, `exclude-name`, `keep-latest`, `older-than`, `tag`, `exclude-tag`, \
             `keep-tag`, `untagged`"
        );
        assert!(
            errors("[[rules]]\nname = [\"a\"]\n")
                .starts_with("policy.toml:1:3: unknown field `rules`")
        );
    }

    #[test]
    fn values_of_the_wrong_type_name_their_key() {
        let text = "owner = \"org:acme\"\ntype = \"npm\"\n[[rule]]\nname = \"app\"\n";
        assert_eq!(
            errors(text),
            "policy.toml:4:8: key `name`: invalid type: string \"app\", expected a sequence"
        );
    }

    #[test]
    fn bad_values_are_all_reported_with_their_keys() {
        let text = r#"owner = "acme"
type = "pip"

[[rule]]
name = ["app", ".."]
older-than = "30"
keep-latest = -1
tag = ["[v"]
"#;
        assert_eq!(
            errors(text),
            "policy.toml:1:9: key `owner`: invalid owner \"acme\": expected `org:NAME`, \
             `user:NAME` or `@me`; no request was sent\n\
             policy.toml:2:8: key `type`: unknown package type \"pip\" (expected one of npm, \
             maven, rubygems, docker, nuget, container)\n\
             policy.toml:5:16: key `name`: package name must not be `.` or `..`, which would \
             change the requested path\n\
             policy.toml:6:14: key `older-than`: number '30' without a unit: expected a number \
             followed by s, m, h, d or w, e.g. 30d, 12h or 1d12h\n\
             policy.toml:7:15: key `keep-latest`: must be 0 or more\n\
             policy.toml:8:8: key `tag`: bad glob \"[v\": unclosed character class; missing ']'"
        );
    }

    #[test]
    fn a_rule_needs_an_owner_a_type_names_and_a_selection() {
        assert_eq!(
            errors("[[rule]]\nkeep-tag = [\"v*\"]\n"),
            "policy.toml:1:1: key `owner`: the rule names no owner: set `owner` in it or at the \
             top of the file\n\
             policy.toml:1:1: key `type`: the rule names no package type: set `type` in it or \
             at the top of the file\n\
             policy.toml:1:1: key `name`: the rule selects no packages: add `name = [\"GLOB\", \
             …]` (`[\"*\"]` for all)\n\
             policy.toml:1:1: the rule selects no versions: give at least one of \
             `keep-latest`, `older-than`, `tag` or `untagged = true` (protections alone would \
             delete everything else)"
        );
        assert!(
            errors("owner = \"@me\"\ntype = \"npm\"\n[[rule]]\nname = []\nuntagged = true\n")
                .starts_with("policy.toml:4:8: key `name`: empty")
        );
        assert!(errors("owner = \"@me\"\n").starts_with("policy.toml:1:1: no rules"));
    }

    #[test]
    fn contradictions_within_a_rule_are_refused() {
        let text = r#"owner = "org:acme"
type = "container"
[[rule]]
name = ["app", "web"]
exclude-name = ["web"]
untagged = true
tag = ["pr-*", "v*"]
keep-tag = ["v*"]
exclude-tag = ["pr-*"]
"#;
        assert_eq!(
            errors(text),
            "policy.toml:5:17: key `exclude-name`: \"web\" is also in `name`: what it selects, \
             `exclude-name` takes out again\n\
             policy.toml:7:8: key `tag`: `tag` selects tagged versions and `untagged = true` \
             only untagged ones: together they select nothing\n\
             policy.toml:8:13: key `keep-tag`: \"v*\" is also in `tag`: what it selects, \
             `keep-tag` takes out again\n\
             policy.toml:9:16: key `exclude-tag`: \"pr-*\" is also in `tag`: what it selects, \
             `exclude-tag` takes out again"
        );
    }

    #[test]
    fn two_rules_matching_one_package_are_refused() {
        let text = r#"owner = "org:acme"
type = "container"

[[rule]]
name = ["app-*"]
untagged = true

[[rule]]
name = ["app-web", "api"]
keep-latest = 3

[[rule]]
name = ["app-*"]
type = "npm"
keep-latest = 1
"#;
        assert_eq!(
            errors(text),
            "policy.toml:9:9: key `name`: \"app-web\" is also matched by the rule at \
             policy.toml:4 for the same owner and type: a package may be matched by one rule \
             only"
        );
        // The same glob in two rules, one for another owner: only the pair
        // with the same owner and type is refused.
        let text = r#"type = "container"
[[rule]]
owner = "org:acme"
name = ["app-*"]
untagged = true
[[rule]]
owner = "org:other"
name = ["app-*"]
untagged = true
[[rule]]
owner = "org:acme"
name = ["app-*"]
untagged = true
"#;
        let message = errors(text);
        assert!(
            message.starts_with("policy.toml:4:9: key `name`: \"app-*\" is also matched by the rule at policy.toml:10"),
            "{message}"
        );
        assert_eq!(message.lines().count(), 2, "{message}");
    }

    #[test]
    fn an_excluded_plain_name_is_no_overlap() {
        let text = r#"owner = "org:acme"
type = "container"
[[rule]]
name = ["app-*"]
exclude-name = ["app-web"]
untagged = true
[[rule]]
name = ["app-web"]
keep-latest = 3
"#;
        assert!(parse("policy.toml", text).is_ok());
    }

    #[test]
    fn owners_are_compared_as_github_compares_logins() {
        // `org:Acme` and `org:acme` are one organization.
        let text = r#"type = "container"
[[rule]]
owner = "org:Acme"
name = ["app-*"]
untagged = true
[[rule]]
owner = "org:acme"
name = ["app-web"]
keep-latest = 3
"#;
        assert_eq!(
            errors(text),
            "policy.toml:8:9: key `name`: \"app-web\" is also matched by the rule at \
             policy.toml:2 for the same owner and type: a package may be matched by one rule \
             only"
        );
        // `@me` may be `user:octocat`: ghpkg cannot tell before asking.
        let text = r#"type = "npm"
[[rule]]
owner = "user:octocat"
name = ["lib-*"]
untagged = true
[[rule]]
owner = "@me"
name = ["tools"]
keep-latest = 3
"#;
        assert_eq!(
            errors(text),
            "policy.toml:6:1: key `owner`: owner @me beside user:octocat (the rule at \
             policy.toml:2) for the same type: `@me` may be that user, so a package could be \
             matched by two rules; name the user the same way in both"
        );
        // For different types, they do not meet.
        let text = text.replacen(
            "type = \"npm\"\n[[rule]]\nowner = \"user:octocat\"",
            "[[rule]]\ntype = \"maven\"\nowner = \"user:octocat\"",
            1,
        );
        let text = text.replace("owner = \"@me\"", "owner = \"@me\"\ntype = \"npm\"");
        assert!(parse("policy.toml", &text).is_ok(), "{text}");
    }
}
