//! Which retention rule applies to which package: rules (from a policy file
//! or the command line) matched by owner, type and package-name globs.
//!
//! A package is pruned by exactly one rule. A package that no rule matches
//! is left alone; one that two rules match is a contradiction, refused
//! before anything is deleted, since no order of the rules would make it
//! obvious which retention the author meant.

use std::fmt;
use std::path::PathBuf;

use github_packages::Owner;
use github_packages::types::PackageType;

use crate::duration::format_age;
use crate::glob::Glob;
use crate::policy::{Order, RetentionPolicy};
use crate::references::Reference;

/// Where a rule was written, for messages: `policy.toml:12` or the command
/// line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuleSource {
    /// A `[[rule]]` table; the line of its header (1-based).
    File {
        path: String,
        line: usize,
    },
    CommandLine,
}

impl fmt::Display for RuleSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RuleSource::File { path, line } => write!(f, "{path}:{line}"),
            RuleSource::CommandLine => f.write_str("the command line"),
        }
    }
}

/// One retention rule: which packages, and what to delete from them.
#[derive(Clone, Debug)]
pub struct Rule {
    pub source: RuleSource,
    pub owner: Owner,
    pub package_type: PackageType,
    /// Package-name globs; a package matching one of them is selected.
    pub names: Vec<Glob>,
    /// Package-name globs that take a selected package out again.
    pub exclude_names: Vec<Glob>,
    pub retention: RetentionPolicy,
    /// Files and folders whose image references protect this rule's
    /// images (`keep-referenced`, the file's and the rule's own; relative
    /// to the policy file's folder); read before any request into
    /// [`RetentionPolicy::referenced`].
    pub keep_referenced: Vec<PathBuf>,
}

/// Whether a rule applies to a package, and why (not).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fit {
    /// Selected by this `name` glob.
    Applies {
        name: String,
    },
    /// Selected by `name`, then taken out by `exclude_name`.
    Excluded {
        name: String,
        exclude_name: String,
    },
    NoNameMatches,
    OtherOwner,
    OtherType,
}

impl Fit {
    /// Whether `rule` applies, and why (not), in a sentence.
    pub fn verdict(&self, rule: &Rule) -> String {
        match self {
            Fit::Applies { name } => format!("applies: `name` glob '{name}' matches"),
            Fit::Excluded { name, exclude_name } => format!(
                "does not apply: `name` glob '{name}' matches, but `exclude-name` \
                 '{exclude_name}' leaves it out"
            ),
            Fit::NoNameMatches => format!(
                "does not apply: no `name` glob matches ({})",
                globs(&rule.names)
            ),
            Fit::OtherOwner => format!("does not apply: owner is {}", rule.owner),
            Fit::OtherType => format!("does not apply: type is {}", rule.package_type),
        }
    }

    pub fn applies(&self) -> bool {
        matches!(self, Fit::Applies { .. })
    }
}

impl Rule {
    /// Whether the rule covers `owner`'s package `package` of this type.
    pub fn fit(&self, owner: &Owner, package_type: &PackageType, package: &str) -> Fit {
        if !self.owner.same_account(owner) {
            return Fit::OtherOwner;
        }
        if &self.package_type != package_type {
            return Fit::OtherType;
        }
        self.fit_name(package)
    }

    /// The name globs alone.
    pub fn fit_name(&self, package: &str) -> Fit {
        let Some(name) = self.names.iter().find(|glob| glob.is_match(package)) else {
            return Fit::NoNameMatches;
        };
        let name = name.as_str().to_string();
        match self
            .exclude_names
            .iter()
            .find(|glob| glob.is_match(package))
        {
            Some(exclude) => Fit::Excluded {
                name,
                exclude_name: exclude.as_str().to_string(),
            },
            None => Fit::Applies { name },
        }
    }

    /// Whether both rules are about the same owner's packages of one type
    /// (logins compared as GitHub does, without case).
    pub fn same_packages_as(&self, other: &Rule) -> bool {
        self.owner.same_account(&other.owner) && self.package_type == other.package_type
    }

    /// The one package this rule names, when it selects by a single literal
    /// name and excludes nothing: it can then be pruned without listing the
    /// owner's packages first.
    pub fn single_package(&self) -> Option<&str> {
        match self.names.as_slice() {
            [only] if only.is_literal() && self.exclude_names.is_empty() => Some(only.as_str()),
            _ => None,
        }
    }
}

/// Two rules that both match a package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Overlap {
    pub package: String,
    pub first: RuleSource,
    pub second: RuleSource,
}

impl fmt::Display for Overlap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "package {} is matched by the rule at {} and by the rule at {}: a package may be \
             matched by one rule only (narrow `name` or add `exclude-name`)",
            self.package, self.first, self.second
        )
    }
}

/// The rules of one run, in the order they were written.
#[derive(Clone, Debug)]
pub struct Rules {
    rules: Vec<Rule>,
}

impl Rules {
    pub fn new(rules: Vec<Rule>) -> Rules {
        Rules { rules }
    }

    pub fn iter(&self) -> impl Iterator<Item = &Rule> {
        self.rules.iter()
    }

    /// Reads the image references that protect each rule's images: the
    /// rule's `keep-referenced` and `shared` (`--keep-referenced`), under
    /// the registry `host`. Each path is read once. `Err`: a path that
    /// cannot be read, named.
    pub fn read_references(&mut self, shared: &[PathBuf], host: &str) -> Result<(), String> {
        let mut read: Vec<(PathBuf, Vec<Reference>)> = Vec::new();
        for rule in &mut self.rules {
            let mut references = Vec::new();
            for path in shared.iter().chain(&rule.keep_referenced) {
                let known = read.iter().find(|(seen, _)| seen == path);
                let found = match known {
                    Some((_, found)) => found.clone(),
                    None => {
                        let found = crate::references::read(std::slice::from_ref(path), host)?;
                        read.push((path.clone(), found.clone()));
                        found
                    }
                };
                references.extend(found);
            }
            rule.retention.referenced = references;
        }
        Ok(())
    }

    /// The (owner, type) pairs the rules cover, each once (an owner as the
    /// first rule for it spells the login), in rule order: what a run has
    /// to list.
    pub fn groups(&self) -> Vec<(&Owner, &PackageType)> {
        let mut groups: Vec<(&Owner, &PackageType)> = Vec::new();
        for rule in &self.rules {
            let listed = groups.iter().any(|(owner, package_type)| {
                owner.same_account(&rule.owner) && **package_type == rule.package_type
            });
            if !listed {
                groups.push((&rule.owner, &rule.package_type));
            }
        }
        groups
    }

    /// The rule for each of `owner`'s listed packages of this type that a
    /// rule matches, in listing order; packages no rule matches are left
    /// out. Two rules matching one package is an [`Overlap`].
    pub fn select<'p>(
        &self,
        owner: &Owner,
        package_type: &PackageType,
        packages: impl IntoIterator<Item = &'p str>,
    ) -> Result<Vec<(&'p str, &Rule)>, Overlap> {
        let mut selected = Vec::new();
        for package in packages {
            let mut matching = self.rules.iter().filter(|rule| {
                matches!(rule.fit(owner, package_type, package), Fit::Applies { .. })
            });
            if let Some(rule) = matching.next() {
                if let Some(second) = matching.next() {
                    return Err(Overlap {
                        package: package.to_string(),
                        first: rule.source.clone(),
                        second: second.source.clone(),
                    });
                }
                selected.push((package, rule));
            }
        }
        Ok(selected)
    }

    /// The packages of `owner`'s type `package_type` with their rules, when
    /// every rule for them names its packages plainly (no glob): they can
    /// then be pruned without listing the owner's packages first, which a
    /// workflow's `GITHUB_TOKEN` cannot do for an organization. `None` when
    /// some rule has a glob.
    pub fn named_packages(
        &self,
        owner: &Owner,
        package_type: &PackageType,
    ) -> Option<Vec<(&str, &Rule)>> {
        let mut named: Vec<(&str, &Rule)> = Vec::new();
        let group = self
            .rules
            .iter()
            .filter(|rule| rule.owner.same_account(owner) && &rule.package_type == package_type);
        for rule in group {
            for name in &rule.names {
                if !name.is_literal() {
                    return None;
                }
                let applies = rule.fit_name(name.as_str()).applies();
                if applies && !named.iter().any(|(seen, _)| *seen == name.as_str()) {
                    named.push((name.as_str(), rule));
                }
            }
        }
        Some(named)
    }

    /// For `--explain`: every rule's verdict on the package's name (owners
    /// and types are shown with each rule; a name can be a package of
    /// several).
    pub fn explain(&self, package: &str) -> Explanation {
        let verdicts = self
            .rules
            .iter()
            .map(|rule| (rule.clone(), rule.fit_name(package)))
            .collect();
        Explanation {
            package: package.to_string(),
            verdicts,
        }
    }
}

/// What `--explain` prints: each rule, whether it applies, and why.
#[derive(Clone, Debug)]
pub struct Explanation {
    pub package: String,
    pub verdicts: Vec<(Rule, Fit)>,
}

impl Explanation {
    /// The rules that apply, grouped by (owner, type): more than one in a
    /// group is a contradiction.
    pub fn applying(&self) -> Vec<Vec<&Rule>> {
        let mut groups: Vec<Vec<&Rule>> = Vec::new();
        for (rule, fit) in &self.verdicts {
            if !matches!(fit, Fit::Applies { .. }) {
                continue;
            }
            match groups
                .iter_mut()
                .find(|group| group[0].same_packages_as(rule))
            {
                Some(group) => group.push(rule),
                None => groups.push(vec![rule]),
            }
        }
        groups
    }

    /// The text `--explain` prints.
    pub fn render(&self) -> String {
        let mut text = format!("package {}:\n", self.package);
        for (number, (rule, fit)) in self.verdicts.iter().enumerate() {
            let verdict = fit.verdict(rule);
            text.push_str(&format!(
                "  rule {} ({}; {} {}): {verdict}\n",
                number + 1,
                rule.source,
                rule.owner,
                rule.package_type,
            ));
            if matches!(fit, Fit::Applies { .. }) {
                text.push_str(&explain_policy(&rule.retention));
            }
        }
        let applying = self.applying();
        if applying.is_empty() {
            text.push_str("no rule applies: prune leaves this package alone\n");
        }
        for group in applying {
            let rule = group[0];
            match group.as_slice() {
                [_] => text.push_str(&format!(
                    "for {} {}, the rule at {} applies\n",
                    rule.owner, rule.package_type, rule.source
                )),
                [first, second, ..] => text.push_str(&format!(
                    "for {} {}, the rules at {} and {} both apply: a contradiction, so prune \
                     refuses to run (narrow `name` or add `exclude-name`)\n",
                    rule.owner, rule.package_type, first.source, second.source
                )),
                [] => {}
            }
        }
        text
    }
}

fn globs(patterns: &[Glob]) -> String {
    patterns
        .iter()
        .map(|glob| format!("'{}'", glob.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A rule's policy for `--explain`: its flags, or each of its classes on
/// a line of its own (an image belongs to each class that matches one of
/// its tags, and is deleted only when each of them selects it).
fn explain_policy(policy: &RetentionPolicy) -> String {
    let Some(classes) = &policy.classes else {
        return format!("      policy: {}\n", describe(policy));
    };
    let mut text = String::from(
        "      policy: classes; each image belongs to every class that matches its tags, and \
         is deleted only when every one of them selects it\n",
    );
    let protections = describe(&RetentionPolicy {
        classes: None,
        ..policy.clone()
    });
    if !protections.is_empty() {
        text.push_str(&format!("      across the classes: {protections}\n"));
    }
    for class in &classes.classes {
        text.push_str(&format!(
            "      class {}: {}\n",
            class.source,
            describe(&class.policy)
        ));
    }
    text
}

/// A retention policy as the `ghpkg prune` flags that would give it.
pub fn describe(policy: &RetentionPolicy) -> String {
    let mut flags = Vec::new();
    if let Some(keep) = policy.keep_latest {
        flags.push(format!("--keep-latest {keep}"));
    }
    if let Some(age) = policy.older_than {
        flags.push(format!("--older-than {}", format_age(age)));
    }
    if policy.untagged {
        flags.push("--untagged".to_string());
    }
    let mut repeated = |flag: &str, patterns: &[Glob]| {
        for pattern in patterns {
            flags.push(format!("{flag} '{}'", pattern.as_str()));
        }
    };
    repeated("--tag", &policy.tags);
    repeated("--exclude-tag", &policy.exclude_tags);
    repeated("--keep-tag", &policy.keep_tags);
    if policy.order == Order::Semver {
        flags.push("(semver order)".to_string());
    }
    if let Some(classes) = &policy.classes {
        for class in &classes.classes {
            flags.push(format!(
                "[class {}: {}]",
                class.source,
                describe(&class.policy)
            ));
        }
    }
    flags.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(line: usize, owner: &str, kind: &str, names: &[&str], excludes: &[&str]) -> Rule {
        let globs = |patterns: &[&str]| patterns.iter().map(|p| Glob::parse(p).unwrap()).collect();
        Rule {
            source: RuleSource::File {
                path: "policy.toml".into(),
                line,
            },
            owner: owner.parse().unwrap(),
            package_type: PackageType::from(kind),
            names: globs(names),
            exclude_names: globs(excludes),
            retention: RetentionPolicy {
                untagged: true,
                ..Default::default()
            },
            keep_referenced: Vec::new(),
        }
    }

    fn container() -> PackageType {
        PackageType::Container
    }

    #[test]
    fn one_organization_however_its_login_is_spelt() {
        let rules = Rules::new(vec![
            rule(1, "org:Acme", "container", &["app-*"], &[]),
            rule(5, "org:acme", "container", &["*-web"], &[]),
        ]);
        assert_eq!(rules.groups().len(), 1);
        let overlap = rules
            .select(&Owner::org("ACME"), &container(), ["app-api", "app-web"])
            .unwrap_err();
        assert_eq!(overlap.package, "app-web");
        assert!(
            rules
                .named_packages(&Owner::org("acme"), &container())
                .is_none()
        );
    }

    #[test]
    fn selects_each_package_by_its_one_rule() {
        let rules = Rules::new(vec![
            rule(1, "org:acme", "container", &["app-*"], &["app-legacy"]),
            rule(5, "org:acme", "container", &["api"], &[]),
            rule(9, "org:acme", "npm", &["*"], &[]),
        ]);
        let owner = Owner::org("acme");
        let packages = ["app-web", "app-legacy", "api", "tools"];
        let selected = rules.select(&owner, &container(), packages).unwrap();
        let lines: Vec<(&str, String)> = selected
            .iter()
            .map(|(name, rule)| (*name, rule.source.to_string()))
            .collect();
        assert_eq!(
            lines,
            [
                ("app-web", "policy.toml:1".to_string()),
                ("api", "policy.toml:5".to_string())
            ]
        );
        assert_eq!(
            rules.groups(),
            [
                (&owner, &PackageType::Container),
                (&owner, &PackageType::Npm)
            ]
        );
    }

    #[test]
    fn a_package_two_rules_match_is_an_overlap() {
        let rules = Rules::new(vec![
            rule(1, "org:acme", "container", &["app-*"], &[]),
            rule(5, "org:acme", "container", &["*-web"], &[]),
        ]);
        let overlap = rules
            .select(&Owner::org("acme"), &container(), ["app-api", "app-web"])
            .unwrap_err();
        assert_eq!(overlap.package, "app-web");
        assert_eq!(
            overlap.to_string(),
            "package app-web is matched by the rule at policy.toml:1 and by the rule at \
             policy.toml:5: a package may be matched by one rule only (narrow `name` or add \
             `exclude-name`)"
        );
    }

    #[test]
    fn rules_of_other_owners_and_types_do_not_apply() {
        let r = rule(1, "org:acme", "container", &["app"], &[]);
        assert_eq!(
            r.fit(&Owner::org("other"), &container(), "app"),
            Fit::OtherOwner
        );
        assert_eq!(
            r.fit(&Owner::org("acme"), &PackageType::Npm, "app"),
            Fit::OtherType
        );
        assert_eq!(
            r.fit(&Owner::org("acme"), &container(), "app"),
            Fit::Applies { name: "app".into() }
        );
        assert_eq!(r.single_package(), Some("app"));
        assert_eq!(
            rule(1, "org:acme", "container", &["app*"], &[]).single_package(),
            None
        );
    }

    #[test]
    fn explain_names_the_rule_that_applies_and_why_the_others_do_not() {
        let rules = Rules::new(vec![
            rule(1, "org:acme", "container", &["app-*"], &["app-legacy"]),
            rule(5, "org:acme", "container", &["api", "worker-*"], &[]),
            rule(9, "org:acme", "npm", &["app-*"], &[]),
        ]);
        let text = rules.explain("app-web").render();
        assert_eq!(
            text,
            "package app-web:\n\
             \x20 rule 1 (policy.toml:1; org:acme container): applies: `name` glob 'app-*' matches\n\
             \x20     policy: --untagged\n\
             \x20 rule 2 (policy.toml:5; org:acme container): does not apply: no `name` glob matches ('api', 'worker-*')\n\
             \x20 rule 3 (policy.toml:9; org:acme npm): applies: `name` glob 'app-*' matches\n\
             \x20     policy: --untagged\n\
             for org:acme container, the rule at policy.toml:1 applies\n\
             for org:acme npm, the rule at policy.toml:9 applies\n"
        );
        let text = rules.explain("app-legacy").render();
        assert!(
            text.contains("'app-*' matches, but `exclude-name` 'app-legacy' leaves it out"),
            "{text}"
        );
        assert!(
            text.ends_with("for org:acme npm, the rule at policy.toml:9 applies\n"),
            "{text}"
        );
        let text = rules.explain("db").render();
        assert!(
            text.ends_with("no rule applies: prune leaves this package alone\n"),
            "{text}"
        );
    }

    #[test]
    fn explain_reports_two_applying_rules_as_a_contradiction() {
        let rules = Rules::new(vec![
            rule(1, "org:acme", "container", &["app-*"], &[]),
            rule(5, "org:acme", "container", &["*-web"], &[]),
        ]);
        let text = rules.explain("app-web").render();
        assert!(
            text.contains("the rules at policy.toml:1 and policy.toml:5 both apply"),
            "{text}"
        );
    }

    #[test]
    fn describe_spells_the_policy_as_flags() {
        let policy = RetentionPolicy {
            keep_latest: Some(5),
            older_than: Some(chrono::TimeDelta::days(30)),
            tags: vec![Glob::parse("pr-*").unwrap()],
            exclude_tags: vec![],
            keep_tags: vec![Glob::parse("v*").unwrap()],
            untagged: false,
            ..Default::default()
        };
        assert_eq!(
            describe(&policy),
            "--keep-latest 5 --older-than 30d --tag 'pr-*' --keep-tag 'v*'"
        );
    }
}
