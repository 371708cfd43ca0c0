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
//! `keep-tag`, `untagged`), with `order` (`"created"` or `"semver"`, how
//! `keep-latest` ranks); globs come as arrays. A rule may instead hold
//! retention classes, `[[rule.class]]` tables of those keys (see
//! [`crate::policy::Classes`]). This module reads the
//! file into raw rules, refusing, each with the file, line, column and key:
//! TOML that does not parse; an unknown key or a value of the wrong type;
//! an unknown owner or type; a bad glob, package name or duration; a file
//! without rules. What the values say together (a rule that selects
//! nothing, `untagged` with `tag`, the same glob in `tag` and `keep-tag`,
//! two rules matching one package, …) is the rule checker's, the same for
//! the flags: see [`crate::rule_check`].

use std::ops::Range;
use std::path::{Path, PathBuf};

use github_packages::Owner;
use github_packages::types::PackageType;
use serde::Deserialize;
use toml::Spanned;

use crate::duration::parse_age;
use crate::glob::Glob;
use crate::policy::Order;
use crate::rule_check::{
    self, Given, GivenList, Origin, Place, Problem, RawClass, RawRetention, RawRule, Refusal,
};
use crate::rules::{RuleSource, Rules};

/// The file as TOML has it; every value keeps its place for messages.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlFile {
    owner: Option<Spanned<String>>,
    #[serde(rename = "type")]
    package_type: Option<Spanned<String>>,
    #[serde(default, rename = "keep-referenced")]
    keep_referenced: Vec<Spanned<String>>,
    #[serde(default)]
    rule: Vec<Spanned<TomlRule>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct TomlRule {
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
    order: Option<Spanned<String>>,
    #[serde(default)]
    class: Vec<Spanned<TomlClass>>,
    #[serde(default)]
    keep_referenced: Vec<Spanned<String>>,
}

/// A `[[rule.class]]` table: a retention of its own.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct TomlClass {
    keep_latest: Option<Spanned<i64>>,
    older_than: Option<Spanned<String>>,
    #[serde(default)]
    tag: Vec<Spanned<String>>,
    #[serde(default)]
    exclude_tag: Vec<Spanned<String>>,
    #[serde(default)]
    keep_tag: Vec<Spanned<String>>,
    untagged: Option<Spanned<bool>>,
    order: Option<Spanned<String>>,
}

/// The retention keys of a rule or a class, as written.
struct TomlRetention<'a> {
    keep_latest: Option<&'a Spanned<i64>>,
    older_than: Option<&'a Spanned<String>>,
    tag: &'a [Spanned<String>],
    exclude_tag: &'a [Spanned<String>],
    keep_tag: &'a [Spanned<String>],
    untagged: Option<&'a Spanned<bool>>,
    order: Option<&'a Spanned<String>>,
}

impl TomlRule {
    fn retention(&self) -> TomlRetention<'_> {
        TomlRetention {
            keep_latest: self.keep_latest.as_ref(),
            older_than: self.older_than.as_ref(),
            tag: &self.tag,
            exclude_tag: &self.exclude_tag,
            keep_tag: &self.keep_tag,
            untagged: self.untagged.as_ref(),
            order: self.order.as_ref(),
        }
    }
}

impl TomlClass {
    fn retention(&self) -> TomlRetention<'_> {
        TomlRetention {
            keep_latest: self.keep_latest.as_ref(),
            older_than: self.older_than.as_ref(),
            tag: &self.tag,
            exclude_tag: &self.exclude_tag,
            keep_tag: &self.keep_tag,
            untagged: self.untagged.as_ref(),
            order: self.order.as_ref(),
        }
    }
}

/// Reads and checks a policy file.
pub fn read(path: &Path) -> Result<Rules, Refusal> {
    let shown = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&shown, &text),
        Err(error) => Err(Refusal {
            file: Some(shown),
            problems: vec![Problem::at(
                Origin::File(Place {
                    line: 1,
                    column: 1,
                    key: None,
                }),
                format!("cannot read the policy file: {error}"),
            )],
        }),
    }
}

/// Parses a policy file's text and checks it into [`Rule`](crate::rules::Rule)s; `path` is only
/// for messages. Every problem is reported, the reader's and the checker's, in file
/// order.
pub fn parse(path: &str, text: &str) -> Result<Rules, Refusal> {
    let mut reader = Reader {
        path,
        text,
        problems: Vec::new(),
    };
    let raw_rules = reader.rules();
    let mut problems = reader.problems;
    match raw_rules.map(|raw_rules| rule_check::check(&raw_rules)) {
        Some(Ok(rules)) if problems.is_empty() => return Ok(rules),
        Some(Err(found)) => problems.extend(found),
        _ => {}
    }
    // Stable: problems at one place stay in the order they were found.
    problems.sort_by_key(|problem| problem.at.map(|at| (at.line, at.column)));
    Err(Refusal {
        file: Some(path.to_string()),
        problems,
    })
}

/// The file-level `owner` and `type`, for the rules that do not name
/// their own.
struct Defaults {
    owner: Option<Given<Owner>>,
    package_type: Option<Given<PackageType>>,
    keep_referenced: Vec<PathBuf>,
}

/// Reads the file's values into raw rules, recording what it cannot read.
struct Reader<'t> {
    path: &'t str,
    text: &'t str,
    problems: Vec<Problem>,
}

impl Reader<'_> {
    /// The file's rules as written; `None` when the file cannot give any
    /// (it does not parse, or has none).
    fn rules(&mut self) -> Option<Vec<RawRule>> {
        let file: TomlFile = match toml::from_str(self.text) {
            Ok(file) => file,
            Err(error) => {
                let span = error.span().unwrap_or(0..0);
                let key = self.key_at(span.start);
                self.problem(span, key, error.message().trim_end());
                return None;
            }
        };
        if file.rule.is_empty() {
            self.problem(
                0..0,
                None,
                "no rules: add at least one [[rule]] table with `name` and a retention key",
            );
            return None;
        }
        let defaults = Defaults {
            owner: file.owner.map(|owner| self.owner(&owner)),
            package_type: file.package_type.map(|kind| self.package_type(&kind)),
            keep_referenced: self.paths(&file.keep_referenced),
        };
        Some(
            file.rule
                .iter()
                .map(|rule| self.rule(rule, &defaults))
                .collect(),
        )
    }

    fn problem(
        &mut self,
        span: Range<usize>,
        key: Option<&'static str>,
        message: impl Into<String>,
    ) {
        let origin = self.origin(span, key);
        self.problems.push(Problem::at(origin, message));
    }

    /// Where `span` starts, about `key`.
    fn place(&self, span: Range<usize>, key: Option<&'static str>) -> Place {
        let before = &self.text[..span.start.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Place {
            line,
            column: before[line_start..].chars().count() + 1,
            key,
        }
    }

    fn origin(&self, span: Range<usize>, key: Option<&'static str>) -> Origin {
        Origin::File(self.place(span, key))
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

    /// One `[[rule]]` table as written, with the file's defaults.
    fn rule(&mut self, rule: &Spanned<TomlRule>, defaults: &Defaults) -> RawRule {
        let header = self.place(rule.span(), None);
        let rule = rule.get_ref();
        let owner = rule.owner.as_ref().map(|owner| self.owner(owner));
        let package_type = rule
            .package_type
            .as_ref()
            .map(|kind| self.package_type(kind));
        RawRule {
            source: RuleSource::File {
                path: self.path.to_string(),
                line: header.line,
            },
            origin: Origin::File(header),
            owner: owner.or_else(|| defaults.owner.clone()),
            package_type: package_type.or_else(|| defaults.package_type.clone()),
            names: rule.name.as_ref().map(|names| self.names(names)),
            exclude_names: self.globs("exclude-name", &rule.exclude_name),
            retention: self.retention(&rule.retention()),
            classes: rule.class.iter().map(|class| self.class(class)).collect(),
            keep_referenced: defaults
                .keep_referenced
                .iter()
                .cloned()
                .chain(self.paths(&rule.keep_referenced))
                .collect(),
        }
    }

    /// `keep-referenced` paths, relative to the policy file's folder.
    fn paths(&self, paths: &[Spanned<String>]) -> Vec<PathBuf> {
        let folder = Path::new(self.path).parent().unwrap_or(Path::new(""));
        paths
            .iter()
            .map(|path| folder.join(path.get_ref()))
            .collect()
    }

    /// One `[[rule.class]]` table as written.
    fn class(&mut self, class: &Spanned<TomlClass>) -> RawClass {
        let header = self.place(class.span(), None);
        RawClass {
            source: RuleSource::File {
                path: self.path.to_string(),
                line: header.line,
            },
            origin: Origin::File(header),
            retention: self.retention(&class.get_ref().retention()),
        }
    }

    fn retention(&mut self, keys: &TomlRetention<'_>) -> RawRetention {
        RawRetention {
            keep_latest: keys.keep_latest.map(|n| self.keep_latest(n)),
            older_than: keys.older_than.map(|age| self.older_than(age)),
            tags: self.globs("tag", keys.tag),
            exclude_tags: self.globs("exclude-tag", keys.exclude_tag),
            keep_tags: self.globs("keep-tag", keys.keep_tag),
            untagged: keys.untagged.map(|untagged| {
                Given::read(
                    self.origin(untagged.span(), Some("untagged")),
                    *untagged.get_ref(),
                )
            }),
            order: keys.order.map(|order| self.order(order)),
        }
    }

    fn order(&mut self, text: &Spanned<String>) -> Given<Order> {
        let read = match text.get_ref().as_str() {
            "created" => Ok(Order::Created),
            "semver" => Ok(Order::Semver),
            other => Err(format!(
                "unknown order {other:?} (expected \"created\" or \"semver\")"
            )),
        };
        self.value("order", text.span(), read)
    }

    /// A value read by `read`, or refused with the message it gives.
    fn value<T, E: Into<String>>(
        &mut self,
        key: &'static str,
        span: Range<usize>,
        read: Result<T, E>,
    ) -> Given<T> {
        let origin = self.origin(span, Some(key));
        match read {
            Ok(value) => Given::read(origin, value),
            Err(message) => {
                self.problems.push(Problem::at(origin, message));
                Given::refused(origin)
            }
        }
    }

    fn owner(&mut self, text: &Spanned<String>) -> Given<Owner> {
        let owner = text.get_ref().parse::<Owner>();
        self.value("owner", text.span(), owner.map_err(|e| e.to_string()))
    }

    fn package_type(&mut self, text: &Spanned<String>) -> Given<PackageType> {
        let kind = PackageType::from(text.get_ref().as_str());
        let known: Vec<&str> = PackageType::KNOWN.iter().map(PackageType::as_str).collect();
        let read = match PackageType::KNOWN.contains(&kind) {
            true => Ok(kind),
            false => Err(format!(
                "unknown package type {:?} (expected one of {})",
                text.get_ref(),
                known.join(", ")
            )),
        };
        self.value("type", text.span(), read)
    }

    fn keep_latest(&mut self, n: &Spanned<i64>) -> Given<usize> {
        let read = usize::try_from(*n.get_ref()).map_err(|_| "must be 0 or more");
        self.value("keep-latest", n.span(), read)
    }

    fn older_than(&mut self, age: &Spanned<String>) -> Given<chrono::TimeDelta> {
        self.value("older-than", age.span(), parse_age(age.get_ref()))
    }

    fn glob(&mut self, key: &'static str, text: &Spanned<String>) -> Given<Glob> {
        let read = Glob::parse(text.get_ref())
            .map_err(|error| format!("bad glob {:?}: {error}", text.get_ref()));
        self.value(key, text.span(), read)
    }

    fn globs(&mut self, key: &'static str, values: &[Spanned<String>]) -> Vec<Given<Glob>> {
        values.iter().map(|value| self.glob(key, value)).collect()
    }

    /// `name`: globs, of which a plain name must be one GitHub can be asked
    /// about.
    fn names(&mut self, list: &Spanned<Vec<Spanned<String>>>) -> GivenList<Glob> {
        let mut items = self.globs("name", list.get_ref());
        for (given, text) in items.iter_mut().zip(list.get_ref()) {
            let plain = given.value.as_ref().filter(|glob| glob.is_literal());
            if let Some(Err(problem)) = plain.map(|glob| crate::args::package_name(glob.as_str())) {
                self.problem(text.span(), Some("name"), format!("package name {problem}"));
                given.value = None;
            }
        }
        GivenList {
            origin: self.origin(list.span(), Some("name")),
            items,
        }
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
    "order",
    "keep-referenced",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rule;

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
             `keep-tag`, `untagged`, `order`, `class`, `keep-referenced`"
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
        // `@me` may be `user:octocat`: ghpkg cannot tell before asking, so
        // the file is taken, and a run compares once `@me` is resolved
        // (`rule_check::same_account_named_twice`).
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
        let rules = parse("policy.toml", text).unwrap();
        let types = rule_check::types_naming_me_and_a_user(&rules);
        assert_eq!(types, [&PackageType::Npm]);
        assert_eq!(
            rule_check::same_account_named_twice(&rules, "OctoCat"),
            [
                "owner @me (the rule at policy.toml:6) is the user OctoCat, whom the rule at \
              policy.toml:2 names user:octocat for the same type: one account named two ways, \
              so a package could be matched by two rules; name it the same way in both"
            ]
        );
        assert!(rule_check::same_account_named_twice(&rules, "hubot").is_empty());
        // For different types, they do not meet.
        let text = text.replacen(
            "type = \"npm\"\n[[rule]]\nowner = \"user:octocat\"",
            "[[rule]]\ntype = \"maven\"\nowner = \"user:octocat\"",
            1,
        );
        let text = text.replace("owner = \"@me\"", "owner = \"@me\"\ntype = \"npm\"");
        let rules = parse("policy.toml", &text).unwrap();
        assert!(rule_check::types_naming_me_and_a_user(&rules).is_empty());
        assert!(rule_check::same_account_named_twice(&rules, "octocat").is_empty());
    }

    #[test]
    fn retention_classes_are_refused_with_file_line_and_key() {
        let text = r#"owner = "org:acme"
type = "container"
[[rule]]
name = ["app"]
tag = ["x-*"]
untagged = true
keep-latest = 3
older-than = "1d"
order = "semver"
keep-tag = ["v1*"]
  [[rule.class]]
  keep-tag = ["latest"]
  [[rule.class]]
  untagged = true
  tag = ["pr-*"]
  [[rule.class]]
  tag = ["v*", "v1*"]
  keep-tag = ["v*"]
  keep-latest = 2
  [[rule.class]]
  tag = ["pr-*"]
  older-than = "7d"
  order = "newest"
"#;
        assert_eq!(
            errors(text),
            "policy.toml:5:8: key `tag`: a rule with classes (`[[rule.class]]`) may not have \
             its own `tag`: move it into the classes it is meant for\n\
             policy.toml:6:12: key `untagged`: a rule with classes (`[[rule.class]]`) may not \
             have its own `untagged`: move it into the classes it is meant for\n\
             policy.toml:7:15: key `keep-latest`: a rule with classes (`[[rule.class]]`) may \
             not have its own `keep-latest`: move it into the classes it is meant for\n\
             policy.toml:8:14: key `older-than`: a rule with classes (`[[rule.class]]`) may \
             not have its own `older-than`: move it into the classes it is meant for\n\
             policy.toml:9:9: key `order`: a rule with classes (`[[rule.class]]`) may not \
             have its own `order`: move it into the classes it is meant for\n\
             policy.toml:10:13: key `keep-tag`: \"v1*\" is also in `tag`: what it selects, \
             `keep-tag` takes out again\n\
             policy.toml:11:3: key `rule.class`: the class selects no versions: give at least \
             one of `keep-latest`, `older-than`, `tag` or `untagged = true` (protections alone \
             would delete everything else)\n\
             policy.toml:15:10: key `tag`: `tag` selects tagged versions and `untagged = \
             true` only untagged ones: together they select nothing\n\
             policy.toml:18:15: key `keep-tag`: \"v*\" is also in `tag`: what it selects, \
             `keep-tag` takes out again\n\
             policy.toml:21:10: key `tag`: \"pr-*\" is also a `tag` of the class at \
             policy.toml:13: two classes of a rule may not name the same glob\n\
             policy.toml:23:11: key `order`: unknown order \"newest\" (expected \"created\" \
             or \"semver\")"
        );
    }
}
