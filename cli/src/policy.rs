//! The retention policy of `ghpkg prune`: which versions to delete, and why.
//!
//! [`decide`] is a pure function of the policy, the package's active versions
//! and the current time, so a dry run and `--execute` make the same decisions
//! and every rule is unit-tested without a server.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use crate::glob::Glob;
use crate::model::{ClassVerdict, Reason, Selected, Version};
use crate::references::Reference;
use crate::rules::RuleSource;

/// Which versions `prune` deletes. Selection flags (`--tag`, `--untagged`,
/// `--keep-latest`, `--older-than`) narrow the candidates; all given flags must
/// agree before a version is deleted. `--exclude-tag` and `--keep-tag` only
/// ever protect.
#[derive(Clone, Debug, Default)]
pub struct RetentionPolicy {
    /// Keep the N newest of the versions the tag filters select.
    pub keep_latest: Option<usize>,
    /// Only delete versions created longer ago than this.
    pub older_than: Option<TimeDelta>,
    /// Only delete versions with a tag matching one of these.
    pub tags: Vec<Glob>,
    /// Never delete versions with a tag matching one of these (filter).
    pub exclude_tags: Vec<Glob>,
    /// Never delete versions with a tag matching one of these (protection).
    pub keep_tags: Vec<Glob>,
    /// Only delete versions without any tag.
    pub untagged: bool,
    /// How `keep_latest` ranks the versions it counts.
    pub order: Order,
    /// A rule's retention classes (`[[rule.class]]`): when given, they
    /// decide, and the fields above only protect (`keep_tags`,
    /// `exclude_tags`) across them.
    pub classes: Option<Classes>,
    /// Images named in deployment files (`keep-referenced`): a container
    /// image that one of them names is kept, whatever else the policy says.
    pub referenced: Vec<Reference>,
}

/// How `--keep-latest` ranks what it counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Order {
    /// Newest first, by creation time.
    #[default]
    Created,
    /// Highest first, by the highest tag that the `tag` globs match and
    /// that parses as semver (an optional leading `v`); versions with no
    /// such tag rank after, newest first.
    Semver,
}

/// A rule's retention classes, and where the rule is written (for the
/// reason of a version no class takes).
#[derive(Clone, Debug)]
pub struct Classes {
    pub rule: RuleSource,
    pub classes: Vec<Class>,
}

/// One retention class: which versions belong to it (`tags`, or
/// `untagged`; neither: every version) and its retention over them.
#[derive(Clone, Debug)]
pub struct Class {
    /// Where its `[[rule.class]]` header is written.
    pub source: RuleSource,
    pub policy: RetentionPolicy,
}

impl Class {
    /// Whether `version` belongs to the class.
    pub fn has(&self, version: &Version) -> bool {
        if self.policy.untagged {
            return version.tags.is_empty();
        }
        self.policy.tags.is_empty()
            || self
                .policy
                .tags
                .iter()
                .any(|glob| glob.first_match(&version.tags).is_some())
    }
}

impl RetentionPolicy {
    /// Whether the policy selects anything at all; a policy made only of
    /// protections would otherwise delete every version.
    pub fn selects_something(&self) -> bool {
        self.keep_latest.is_some()
            || self.older_than.is_some()
            || !self.tags.is_empty()
            || self.untagged
            || self.classes.is_some()
    }

    /// The same policy without `keep_latest`, in its classes too.
    fn uncounted(&self) -> RetentionPolicy {
        let mut policy = RetentionPolicy {
            keep_latest: None,
            ..self.clone()
        };
        if let Some(classes) = &mut policy.classes {
            for class in &mut classes.classes {
                class.policy.keep_latest = None;
            }
        }
        policy
    }
}

/// Delete or keep.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Delete,
    Keep,
}

/// The policy's verdict on one version, with a reason a person can read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub version: Version,
    pub action: Action,
    pub reason: Reason,
}

/// Decides every version, newest first. Versions are sorted by creation time
/// (then id) so the result does not depend on the order the API listed them.
pub fn decide(policy: &RetentionPolicy, versions: &[Version], now: DateTime<Utc>) -> Vec<Decision> {
    let mut decisions = decide_counted(policy, versions, now);
    // GitHub refuses to delete the last version of a package; say so in the
    // plan instead of letting one deletion, chosen by timing, fail.
    if !decisions.is_empty() && decisions.iter().all(|d| d.action == Action::Delete) {
        let newest = &mut decisions[0];
        newest.action = Action::Keep;
        newest.reason = Reason::LastVersion;
    }
    decisions
}

/// The policy's verdict on one version on its own: its tag filters and age
/// rule, without `--keep-latest`'s count (and so without the rule that keeps
/// a package's last version), for a version the count does not apply to.
/// An empty [`Reason::Selected`] means the policy selects every version.
pub fn decide_alone(policy: &RetentionPolicy, version: &Version, now: DateTime<Utc>) -> Decision {
    let uncounted = policy.uncounted();
    decide_counted(&uncounted, std::slice::from_ref(version), now)
        .pop()
        .expect("one decision per version")
}

/// Every version's decision, newest first, without the last-version rule.
fn decide_counted(
    policy: &RetentionPolicy,
    versions: &[Version],
    now: DateTime<Utc>,
) -> Vec<Decision> {
    match &policy.classes {
        Some(classes) => decide_classes(policy, classes, versions, now),
        None => decide_one(policy, versions, now),
    }
}

/// One retention over `versions`: each version's decision, newest first.
/// `keep_latest` counts the selected versions in the policy's [`Order`].
fn decide_one(policy: &RetentionPolicy, versions: &[Version], now: DateTime<Utc>) -> Vec<Decision> {
    let mut ranked: Vec<&Version> = versions.iter().collect();
    ranked.sort_by(|a, b| newest_first(a, b));
    if policy.order == Order::Semver {
        // Stable, and `None` sorts low: versions without a semver tag come
        // after, still newest first.
        ranked.sort_by_cached_key(|version| std::cmp::Reverse(highest_semver(policy, version)));
    }
    let mut selected_so_far = 0usize;
    let mut decisions: Vec<Decision> = ranked
        .into_iter()
        .map(|version| {
            let (action, reason) = match filter(policy, version) {
                Err(reason) => (Action::Keep, reason),
                Ok(why) => {
                    let rank = selected_so_far;
                    selected_so_far += 1;
                    judge(policy, version, rank, now, why)
                }
            };
            Decision {
                version: version.clone(),
                action,
                reason,
            }
        })
        .collect();
    decisions.sort_by(|a, b| newest_first(&a.version, &b.version));
    decisions
}

fn newest_first(a: &Version, b: &Version) -> std::cmp::Ordering {
    b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id))
}

/// The highest of `version`'s tags that the policy's `tag` globs match
/// (any tag, without globs) and that parses as semver after an optional
/// leading `v`.
fn highest_semver(policy: &RetentionPolicy, version: &Version) -> Option<semver::Version> {
    version
        .tags
        .iter()
        .filter(|tag| policy.tags.is_empty() || policy.tags.iter().any(|g| g.is_match(tag)))
        .filter_map(|tag| semver::Version::parse(tag.strip_prefix('v').unwrap_or(tag)).ok())
        .max()
}

/// A rule's classes over `versions`: a version is deleted only when every
/// class it belongs to selects it, and kept when it belongs to none. The
/// rule's own `keep_tags` and `exclude_tags` protect across its classes.
fn decide_classes(
    policy: &RetentionPolicy,
    classes: &Classes,
    versions: &[Version],
    now: DateTime<Utc>,
) -> Vec<Decision> {
    let verdicts: Vec<HashMap<i64, Decision>> = classes
        .classes
        .iter()
        .map(|class| {
            let members: Vec<Version> = versions
                .iter()
                .filter(|version| class.has(version))
                .cloned()
                .collect();
            decide_one(&class.policy, &members, now)
                .into_iter()
                .map(|decision| (decision.version.id, decision))
                .collect()
        })
        .collect();
    let protections = RetentionPolicy {
        keep_tags: policy.keep_tags.clone(),
        exclude_tags: policy.exclude_tags.clone(),
        ..RetentionPolicy::default()
    };
    let mut ordered: Vec<&Version> = versions.iter().collect();
    ordered.sort_by(|a, b| newest_first(a, b));
    ordered
        .into_iter()
        .map(|version| {
            let (action, reason) =
                match filter(&protections, version) {
                    Err(reason) => (Action::Keep, reason),
                    Ok(_) => {
                        let of_classes = classes.classes.iter().zip(&verdicts).filter_map(
                            |(class, verdicts)| Some((class, verdicts.get(&version.id)?)),
                        );
                        combine(classes, of_classes.collect())
                    }
                };
            Decision {
                version: version.clone(),
                action,
                reason,
            }
        })
        .collect()
}

/// One version's decision from those of the classes it belongs to: the
/// first class that keeps it decides, else the first that deletes it.
fn combine(classes: &Classes, verdicts: Vec<(&Class, &Decision)>) -> (Action, Reason) {
    let deciding = verdicts
        .iter()
        .find(|(_, decision)| decision.action == Action::Keep)
        .or(verdicts.first());
    let Some((class, decision)) = deciding else {
        return (
            Action::Keep,
            Reason::NoClass {
                rule: classes.rule.clone(),
            },
        );
    };
    let others = verdicts
        .iter()
        .filter(|(other, _)| other.source != class.source)
        .map(|(other, decision)| ClassVerdict {
            class: other.source.clone(),
            action: decision.action,
            reason: decision.reason.clone(),
        })
        .collect();
    (
        decision.action,
        Reason::Class {
            class: class.source.clone(),
            action: decision.action,
            reason: Box::new(decision.reason.clone()),
            others,
        },
    )
}

/// The tag filters: `Err(reason to keep)` or `Ok(rules that selected it)`.
fn filter(policy: &RetentionPolicy, version: &Version) -> Result<Vec<Selected>, Reason> {
    let tags = &version.tags;
    let glob_hit = |globs: &[Glob]| {
        globs.iter().find_map(|glob| {
            let tag = glob.first_match(tags)?;
            Some((tag.to_string(), glob.as_str().to_string()))
        })
    };
    if let Some((tag, glob)) = glob_hit(&policy.keep_tags) {
        return Err(Reason::KeepTag { tag, glob });
    }
    let mut why = Vec::new();
    if policy.untagged {
        if !tags.is_empty() {
            return Err(Reason::Tagged { tags: tags.clone() });
        }
        why.push(Selected::Untagged);
    }
    if !policy.tags.is_empty() {
        match glob_hit(&policy.tags) {
            Some((tag, glob)) => why.push(Selected::Tag { tag, glob }),
            None if tags.is_empty() => return Err(Reason::Untagged),
            None => return Err(Reason::NoTagMatches { tags: tags.clone() }),
        }
    }
    if let Some((tag, glob)) = glob_hit(&policy.exclude_tags) {
        return Err(Reason::ExcludeTag { tag, glob });
    }
    Ok(why)
}

/// Count and age rules for a version the filters selected; `rank` is its
/// position among the selected versions, newest first.
fn judge(
    policy: &RetentionPolicy,
    version: &Version,
    rank: usize,
    now: DateTime<Utc>,
    mut why: Vec<Selected>,
) -> (Action, Reason) {
    if let Some(keep) = policy.keep_latest {
        let semver = policy.order == Order::Semver;
        if rank < keep {
            let reason = match semver {
                true => Reason::AmongHighest(keep),
                false => Reason::AmongNewest(keep),
            };
            return (Action::Keep, reason);
        }
        why.push(match semver {
            true => Selected::NotAmongHighest(keep),
            false => Selected::NotAmongNewest(keep),
        });
    }
    let age = now - version.created_at;
    if let Some(limit) = policy.older_than {
        if age <= limit {
            return (Action::Keep, Reason::NotOlder { age, limit });
        }
        why.push(Selected::Older { age, limit });
    }
    (Action::Delete, Reason::Selected(why))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2025-06-01T00:00:00Z".parse().unwrap()
    }

    /// A version `days` days old, with an id that grows as versions get newer.
    fn version(id: i64, days: i64, tags: &[&str]) -> Version {
        Version {
            id,
            name: format!("sha256:{id:04}"),
            tags: tags.iter().map(|tag| tag.to_string()).collect(),
            created_at: now() - TimeDelta::days(days),
        }
    }

    fn globs(patterns: &[&str]) -> Vec<Glob> {
        patterns.iter().map(|p| Glob::parse(p).unwrap()).collect()
    }

    fn sample() -> Vec<Version> {
        vec![
            version(1, 100, &["v1.0.0"]),
            version(2, 90, &[]),
            version(3, 60, &["pr-12"]),
            version(4, 40, &[]),
            version(5, 20, &["pr-15", "sha-abc"]),
            version(6, 10, &["v1.1.0", "latest"]),
            version(7, 1, &[]),
        ]
    }

    fn deleted(policy: &RetentionPolicy, versions: &[Version]) -> Vec<i64> {
        let mut ids: Vec<i64> = decide(policy, versions, now())
            .into_iter()
            .filter(|d| d.action == Action::Delete)
            .map(|d| d.version.id)
            .collect();
        ids.sort();
        ids
    }

    #[test]
    fn decisions_come_newest_first_whatever_the_input_order() {
        let mut versions = sample();
        versions.reverse();
        versions.swap(1, 4);
        let policy = RetentionPolicy {
            keep_latest: Some(2),
            ..Default::default()
        };
        let order: Vec<i64> = decide(&policy, &versions, now())
            .iter()
            .map(|d| d.version.id)
            .collect();
        assert_eq!(order, [7, 6, 5, 4, 3, 2, 1]);
    }

    #[test]
    fn keep_latest_keeps_the_n_newest() {
        let policy = RetentionPolicy {
            keep_latest: Some(3),
            ..Default::default()
        };
        assert_eq!(deleted(&policy, &sample()), [1, 2, 3, 4]);
        let decisions = decide(&policy, &sample(), now());
        assert!(
            decisions[0].reason.to_string().contains("3 newest"),
            "{}",
            decisions[0].reason
        );
        assert!(
            decisions[3]
                .reason
                .to_string()
                .contains("not among the 3 newest"),
            "{}",
            decisions[3].reason
        );
    }

    #[test]
    fn keep_latest_larger_than_the_package_deletes_nothing() {
        let policy = RetentionPolicy {
            keep_latest: Some(50),
            ..Default::default()
        };
        assert!(deleted(&policy, &sample()).is_empty());
    }

    #[test]
    fn older_than_deletes_only_older_versions() {
        let policy = RetentionPolicy {
            older_than: Some(TimeDelta::days(30)),
            ..Default::default()
        };
        assert_eq!(deleted(&policy, &sample()), [1, 2, 3, 4]);
        let decisions = decide(&policy, &sample(), now());
        let kept = decisions.iter().find(|d| d.version.id == 5).unwrap();
        assert_eq!(
            kept.reason.to_string(),
            "created 20d ago, not older than 30d"
        );
        let gone = decisions.iter().find(|d| d.version.id == 4).unwrap();
        assert_eq!(gone.reason.to_string(), "created 40d ago, older than 30d");
    }

    #[test]
    fn older_than_boundary_is_exclusive() {
        let versions = vec![version(1, 30, &[]), version(2, 0, &[])];
        let policy = RetentionPolicy {
            older_than: Some(TimeDelta::days(30)),
            ..Default::default()
        };
        assert!(deleted(&policy, &versions).is_empty());
    }

    #[test]
    fn tag_selects_versions_with_a_matching_tag() {
        let policy = RetentionPolicy {
            tags: globs(&["pr-*"]),
            ..Default::default()
        };
        assert_eq!(deleted(&policy, &sample()), [3, 5]);
        let decisions = decide(&policy, &sample(), now());
        let gone = decisions.iter().find(|d| d.version.id == 5).unwrap();
        assert_eq!(gone.reason.to_string(), "tag 'pr-15' matches --tag 'pr-*'");
        let untagged = decisions.iter().find(|d| d.version.id == 7).unwrap();
        assert!(
            untagged.reason.to_string().contains("untagged"),
            "{}",
            untagged.reason
        );
    }

    #[test]
    fn repeated_tag_globs_are_alternatives() {
        let policy = RetentionPolicy {
            tags: globs(&["pr-*", "v1.0.*"]),
            ..Default::default()
        };
        assert_eq!(deleted(&policy, &sample()), [1, 3, 5]);
    }

    #[test]
    fn exclude_tag_removes_from_the_selection() {
        let policy = RetentionPolicy {
            tags: globs(&["pr-*"]),
            exclude_tags: globs(&["sha-*"]),
            ..Default::default()
        };
        assert_eq!(deleted(&policy, &sample()), [3]);
        let decisions = decide(&policy, &sample(), now());
        let kept = decisions.iter().find(|d| d.version.id == 5).unwrap();
        assert_eq!(
            kept.reason.to_string(),
            "tag 'sha-abc' matches --exclude-tag 'sha-*'"
        );
    }

    #[test]
    fn untagged_selects_only_versions_without_tags() {
        let policy = RetentionPolicy {
            untagged: true,
            ..Default::default()
        };
        assert_eq!(deleted(&policy, &sample()), [2, 4, 7]);
    }

    #[test]
    fn keep_tag_protects_whatever_else_matches() {
        let policy = RetentionPolicy {
            older_than: Some(TimeDelta::days(5)),
            keep_tags: globs(&["v*", "latest"]),
            ..Default::default()
        };
        assert_eq!(deleted(&policy, &sample()), [2, 3, 4, 5]);
        let decisions = decide(&policy, &sample(), now());
        let kept = decisions.iter().find(|d| d.version.id == 6).unwrap();
        assert_eq!(
            kept.reason.to_string(),
            "tag 'v1.1.0' matches --keep-tag 'v*'"
        );
    }

    #[test]
    fn keep_latest_counts_only_the_selected_versions() {
        // Keep the 1 newest untagged version (7); delete the other untagged ones.
        let policy = RetentionPolicy {
            untagged: true,
            keep_latest: Some(1),
            ..Default::default()
        };
        assert_eq!(deleted(&policy, &sample()), [2, 4]);
    }

    #[test]
    fn combined_policy_needs_every_rule_to_agree() {
        let policy = RetentionPolicy {
            keep_latest: Some(1),
            older_than: Some(TimeDelta::days(50)),
            tags: globs(&["pr-*", "v*"]),
            exclude_tags: globs(&["sha-*"]),
            keep_tags: globs(&["latest"]),
            untagged: false,
            ..Default::default()
        };
        // Selected by tags, newest first: 3 (pr-12), 1 (v1.0.0); 6 is protected
        // and 5 excluded. The newest selected (3) is kept by --keep-latest,
        // and 1 is older than 50 days.
        assert_eq!(deleted(&policy, &sample()), [1]);
        let decisions = decide(&policy, &sample(), now());
        let gone = decisions.iter().find(|d| d.version.id == 1).unwrap();
        assert_eq!(
            gone.reason.to_string(),
            "tag 'v1.0.0' matches --tag 'v*'; not among the 1 newest; created 100d ago, older than 50d"
        );
    }

    #[test]
    fn never_plans_to_delete_the_last_version() {
        let policy = RetentionPolicy {
            older_than: Some(TimeDelta::days(0)),
            ..Default::default()
        };
        let decisions = decide(&policy, &sample(), now());
        assert_eq!(decisions[0].version.id, 7);
        assert_eq!(decisions[0].action, Action::Keep);
        assert!(decisions[0].reason.to_string().contains("last version"));
        assert_eq!(deleted(&policy, &sample()), [1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn empty_package_has_no_decisions() {
        assert!(decide(&RetentionPolicy::default(), &[], now()).is_empty());
    }

    #[test]
    fn a_policy_of_protections_alone_selects_nothing() {
        let only_protections = RetentionPolicy {
            keep_tags: globs(&["latest"]),
            exclude_tags: globs(&["v*"]),
            ..Default::default()
        };
        assert!(!only_protections.selects_something());
        let untagged = RetentionPolicy {
            untagged: true,
            ..Default::default()
        };
        assert!(untagged.selects_something());
    }

    #[test]
    fn globs_match_whole_tags_and_bad_globs_are_errors() {
        let pattern = Glob::parse("v1.*").unwrap();
        assert!(pattern.first_match(&["v1.2".to_string()]).is_some());
        assert!(pattern.first_match(&["xv1.2".to_string()]).is_none());
        assert!(
            Glob::parse("feature/*")
                .unwrap()
                .first_match(&["feature/a/b".to_string()])
                .is_some()
        );
        let error = Glob::parse("[abc").unwrap_err();
        assert!(error.contains("unclosed"), "{error}");
        assert!(Glob::parse("").is_err());
    }
}

#[cfg(test)]
mod class_tests {
    use super::*;
    use crate::policy_file;

    fn now() -> DateTime<Utc> {
        "2025-06-01T00:00:00Z".parse().unwrap()
    }

    /// A version `hours` hours old.
    fn version(id: i64, hours: i64, tags: &[&str]) -> Version {
        Version {
            id,
            name: format!("sha256:{id:04}"),
            tags: tags.iter().map(|tag| tag.to_string()).collect(),
            created_at: now() - TimeDelta::hours(hours),
        }
    }

    /// The retention of a policy file's one rule (header on line 3), whose
    /// body is `rule`.
    fn retention(rule: &str) -> RetentionPolicy {
        let text = format!("owner = \"org:acme\"\ntype = \"container\"\n[[rule]]\n{rule}");
        let rules = policy_file::parse("policy.toml", &text).unwrap();
        rules.iter().next().unwrap().retention.clone()
    }

    /// (id, action, reason) for each version, newest first.
    fn verdicts(policy: &RetentionPolicy, versions: &[Version]) -> Vec<(i64, Action, String)> {
        decide(policy, versions, now())
            .into_iter()
            .map(|d| (d.version.id, d.action, d.reason.to_string()))
            .collect()
    }

    const RELEASES_BRANCHES_PRS: &str = r#"name = ["app"]
keep-tag = ["latest"]
  [[rule.class]]
  tag = ["v*"]
  keep-latest = 2
  [[rule.class]]
  tag = ["main-*"]
  keep-latest = 1
  [[rule.class]]
  tag = ["pr-*"]
  older-than = "7d"
  [[rule.class]]
  untagged = true
  older-than = "1d"
"#;

    #[test]
    fn each_image_is_deleted_only_when_every_class_it_belongs_to_selects_it() {
        let policy = retention(RELEASES_BRANCHES_PRS);
        let d = 24;
        let versions = [
            version(1, 30 * d, &["v1.0.0"]),
            version(2, 20 * d, &["v1.1.0", "pr-9"]),
            version(3, 10 * d, &["v1.2.0"]),
            version(4, 9 * d, &["main-aaa"]),
            version(5, 8 * d, &["main-bbb"]),
            version(6, 8 * d + 1, &["pr-10"]),
            version(7, 2 * d, &["pr-11"]),
            version(8, 3 * d, &[]),
            version(9, 2, &[]),
            version(10, 40 * d, &["nightly"]),
            version(11, 50 * d, &["latest", "pr-1"]),
            version(12, 30 * d, &["v0.9.0", "pr-2"]),
        ];
        let seen = verdicts(&policy, &versions);
        let of = |id: i64| seen.iter().find(|(v, ..)| *v == id).unwrap().clone();
        // Releases: the 2 newest kept, the oldest deleted.
        assert_eq!(of(3).1, Action::Keep);
        assert_eq!(of(1).1, Action::Delete);
        assert_eq!(
            of(1).2,
            "class policy.toml:6: tag 'v1.0.0' matches --tag 'v*'; not among the 2 newest"
        );
        // In two classes: the PR class selects it, the release class keeps it.
        assert_eq!(of(2).1, Action::Keep);
        assert_eq!(
            of(2).2,
            "class policy.toml:6: one of the 2 newest selected versions (--keep-latest); \
             class policy.toml:12 selects it too: tag 'pr-9' matches --tag 'pr-*'; created \
             20d ago, older than 7d"
        );
        // In two classes, both selecting it: deleted, by the first.
        assert_eq!(of(12).1, Action::Delete);
        assert!(
            of(12).2.starts_with("class policy.toml:6: "),
            "{}",
            of(12).2
        );
        // Branch builds: only the newest main build stays.
        assert_eq!((of(5).1, of(4).1), (Action::Keep, Action::Delete));
        // PR builds: older than 7 days go.
        assert_eq!((of(6).1, of(7).1), (Action::Delete, Action::Keep));
        // Untagged: older than a day.
        assert_eq!((of(8).1, of(9).1), (Action::Delete, Action::Keep));
        // In no class: kept, naming the rule.
        assert_eq!(
            of(10),
            (
                10,
                Action::Keep,
                "no class of rule policy.toml:3 matches its tags".to_string()
            )
        );
        // The rule's keep-tag protects across its classes.
        assert_eq!(of(11).2, "tag 'latest' matches --keep-tag 'latest'");
        assert_eq!(
            decide(&policy, &versions, now())[0]
                .reason
                .deciding_class()
                .map(ToString::to_string),
            Some("policy.toml:15".to_string())
        );
    }

    #[test]
    fn the_order_of_the_classes_does_not_change_the_verdict() {
        let swapped = r#"name = ["app"]
  [[rule.class]]
  tag = ["pr-*"]
  older-than = "7d"
  [[rule.class]]
  tag = ["v*"]
  keep-latest = 1
"#;
        let versions = [
            version(1, 500, &["v1.0.0", "pr-9"]),
            version(2, 400, &["pr-10"]),
        ];
        let seen = verdicts(&retention(swapped), &versions);
        assert_eq!(seen[1].0, 1);
        assert_eq!(seen[1].1, Action::Keep);
        assert!(
            seen[1]
                .2
                .starts_with("class policy.toml:8: one of the 1 newest")
        );
        assert_eq!(seen[0].1, Action::Delete);
    }

    #[test]
    fn semver_order_ranks_a_backport_below_the_newer_release() {
        let rule = r#"name = ["app"]
  [[rule.class]]
  tag = ["v*"]
  keep-latest = 2
  order = "semver"
"#;
        // v1.9.4 is pushed after v2.3.0; v2.4.0-rc.1 ranks below v2.4.0.
        let versions = [
            version(1, 50, &["v2.2.0"]),
            version(2, 40, &["v2.3.0"]),
            version(3, 30, &["v1.9.4"]),
            version(4, 20, &["v2.4.0"]),
            version(5, 25, &["v2.4.0-rc.1"]),
            version(6, 10, &["v-next"]),
        ];
        let deleted: Vec<i64> = verdicts(&retention(rule), &versions)
            .into_iter()
            .filter(|(_, action, _)| *action == Action::Delete)
            .map(|(id, ..)| id)
            .collect();
        // Kept: v2.4.0 and v2.4.0-rc.1 (the 2 highest); v-next parses as no
        // semver and ranks after, so it is counted last and goes too.
        assert_eq!(deleted, [6, 3, 2, 1]);
        // By creation time, the backport would have been kept instead.
        let created = rule.replace("  order = \"semver\"\n", "");
        let deleted: Vec<i64> = verdicts(&retention(&created), &versions)
            .into_iter()
            .filter(|(_, action, _)| *action == Action::Delete)
            .map(|(id, ..)| id)
            .collect();
        assert_eq!(deleted, [5, 3, 2, 1]);
    }
}
