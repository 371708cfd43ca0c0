//! The retention policy of `ghpkg prune`: which versions to delete, and why.
//!
//! [`decide`] is a pure function of the policy, the package's active versions
//! and the current time, so a dry run and `--execute` make the same decisions
//! and every rule is unit-tested without a server.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use crate::glob::Glob;
use crate::model::{Reason, Selected, Version};

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
}

impl RetentionPolicy {
    /// Whether the policy selects anything at all; a policy made only of
    /// protections would otherwise delete every version.
    pub fn selects_something(&self) -> bool {
        self.keep_latest.is_some()
            || self.older_than.is_some()
            || !self.tags.is_empty()
            || self.untagged
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
    let mut ordered: Vec<&Version> = versions.iter().collect();
    ordered.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));

    let mut selected_so_far = 0usize;
    let mut decisions: Vec<Decision> = ordered
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
    let uncounted = RetentionPolicy {
        keep_latest: None,
        ..policy.clone()
    };
    let (action, reason) = match filter(&uncounted, version) {
        Err(reason) => (Action::Keep, reason),
        Ok(why) => judge(&uncounted, version, 0, now, why),
    };
    Decision {
        version: version.clone(),
        action,
        reason,
    }
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
        if rank < keep {
            return (Action::Keep, Reason::AmongNewest(keep));
        }
        why.push(Selected::NotAmongNewest(keep));
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
