//! Why the retention policy keeps or deletes a version or an image
//! ([`Reason`]), worded for what it was decided about: the policy speaks
//! of versions, and of images where it counted images (a container
//! package's roots).

use std::fmt;

use chrono::TimeDelta;
use serde::{Serialize, Serializer};

use crate::duration::format_age;
use crate::policy::Action;
use crate::rules::RuleSource;

/// What a reason is worded for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Version,
    Image,
}

impl Unit {
    fn plural(self) -> &'static str {
        match self {
            Unit::Version => "versions",
            Unit::Image => "images",
        }
    }
}

/// Why the policy keeps or deletes something.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// Kept: a tag matches `--keep-tag`.
    KeepTag { tag: String, glob: String },
    /// Kept: tagged, and `--untagged` selects only untagged ones.
    Tagged { tags: Vec<String> },
    /// Kept: untagged, and `--tag` selects only tagged versions.
    Untagged,
    /// Kept: no tag matches `--tag`.
    NoTagMatches { tags: Vec<String> },
    /// Kept: a tag matches `--exclude-tag`.
    ExcludeTag { tag: String, glob: String },
    /// Kept: one of the `--keep-latest` newest selected ones.
    AmongNewest(usize),
    /// Kept: one of the `keep-latest` highest by semver (`order = "semver"`).
    AmongHighest(usize),
    /// Kept: not older than `--older-than`.
    NotOlder { age: TimeDelta, limit: TimeDelta },
    /// Kept: the policy selects every version, and GitHub does not delete
    /// a package's last one.
    LastVersion,
    /// Deleted: each rule that selected it (none: the policy selects all).
    Selected(Vec<Selected>),
    /// A root version, decided with its image: the image's reason.
    OfImage(Box<Reason>),
    /// An image another image lists, decided on its own (`--keep-latest`,
    /// given or not, does not count it).
    Listed {
        reason: Box<Reason>,
        keep_latest: bool,
    },
    /// A version a kept image reaches (`relation`: how).
    InKeptImage { relation: String, image: String },
    /// A version that goes with a deleted image, and why the image goes.
    InDeletedImage {
        relation: String,
        image: String,
        reason: Box<Reason>,
    },
    /// Decided by a retention class: the first class that keeps it, else
    /// the first that deletes it (`action`: that class's verdict);
    /// `others`: the other classes it belongs to, with their verdicts.
    Class {
        class: RuleSource,
        action: Action,
        reason: Box<Reason>,
        others: Vec<ClassVerdict>,
    },
    /// Kept: the rule has classes and none takes it.
    NoClass { rule: RuleSource },
    /// Kept: a deployment file names it (`deploy/app.yaml:14`).
    Referenced { place: String },
}

/// One class's verdict on a version that belongs to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClassVerdict {
    pub class: RuleSource,
    pub action: Action,
    pub reason: Reason,
}

/// One rule that selected a version for deletion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selected {
    Untagged,
    Tag { tag: String, glob: String },
    NotAmongNewest(usize),
    NotAmongHighest(usize),
    Older { age: TimeDelta, limit: TimeDelta },
}

/// A tagged manifest another image lists: its own reason, and why
/// `--keep-latest` did not count it.
fn listed_wording(reason: &Reason, keep_latest: bool) -> String {
    let mut text = match reason {
        Reason::Selected(rules) if rules.is_empty() => "selected by the policy".to_string(),
        reason => reason.wording(Unit::Image),
    };
    if keep_latest {
        text.push_str("; listed by another image, so --keep-latest does not count it");
    }
    text
}

/// The deciding class's reason, then each other class's verdict.
fn class_wording(
    class: &RuleSource,
    reason: &Reason,
    others: &[ClassVerdict],
    unit: Unit,
) -> String {
    let mut text = format!("class {class}: {}", reason.wording(unit));
    for other in others {
        let verb = match other.action {
            Action::Keep => "keeps",
            Action::Delete => "selects",
        };
        text.push_str(&format!(
            "; class {} {verb} it too: {}",
            other.class,
            other.reason.wording(unit)
        ));
    }
    text
}

impl Reason {
    /// The reason worded for `unit`.
    pub fn wording(&self, unit: Unit) -> String {
        match self {
            Reason::KeepTag { tag, glob } => format!("tag '{tag}' matches --keep-tag '{glob}'"),
            Reason::Tagged { tags } => format!(
                "tagged ({}); --untagged selects only untagged {}",
                tags.join(", "),
                unit.plural()
            ),
            Reason::Untagged => "untagged; --tag selects only tagged versions".to_string(),
            Reason::NoTagMatches { tags } => {
                format!("no tag ({}) matches --tag", tags.join(", "))
            }
            Reason::ExcludeTag { tag, glob } => {
                format!("tag '{tag}' matches --exclude-tag '{glob}'")
            }
            Reason::AmongNewest(keep) => format!(
                "one of the {keep} newest selected {} (--keep-latest)",
                unit.plural()
            ),
            Reason::AmongHighest(keep) => format!(
                "one of the {keep} highest selected {} by semver (keep-latest)",
                unit.plural()
            ),
            Reason::NotOlder { age, limit } => format!(
                "created {} ago, not older than {}",
                format_age(*age),
                format_age(*limit)
            ),
            Reason::LastVersion => "the policy selects every version, but GitHub does not \
                                    delete the last version of a package: kept the newest \
                                    (delete the whole package instead)"
                .to_string(),
            Reason::Selected(rules) => rules
                .iter()
                .map(Selected::wording)
                .collect::<Vec<_>>()
                .join("; "),
            Reason::OfImage(reason) => reason.wording(Unit::Image),
            Reason::Listed {
                reason,
                keep_latest,
            } => listed_wording(reason, *keep_latest),
            Reason::InKeptImage { relation, image } => format!("{relation} of kept {image}"),
            Reason::InDeletedImage {
                relation,
                image,
                reason,
            } => format!(
                "{relation} of deleted {image} ({})",
                reason.wording(Unit::Image)
            ),
            Reason::Class {
                class,
                reason,
                others,
                ..
            } => class_wording(class, reason, others, unit),
            Reason::NoClass { rule } => format!("no class of rule {rule} matches its tags"),
            Reason::Referenced { place } => format!("referenced in {place}"),
        }
    }

    /// The retention class that decided, if a class did (`policy.toml:12`).
    pub fn deciding_class(&self) -> Option<&RuleSource> {
        match self {
            Reason::Class { class, .. } => Some(class),
            Reason::OfImage(reason)
            | Reason::Listed { reason, .. }
            | Reason::InDeletedImage { reason, .. } => reason.deciding_class(),
            _ => None,
        }
    }

    /// Every retention class's verdict, the deciding class first (none:
    /// no class decided), for `--explain`.
    pub fn class_verdicts(&self) -> Vec<ClassVerdict> {
        match self {
            Reason::Class {
                class,
                action,
                reason,
                others,
            } => {
                let deciding = ClassVerdict {
                    class: class.clone(),
                    action: *action,
                    reason: (**reason).clone(),
                };
                std::iter::once(deciding)
                    .chain(others.iter().cloned())
                    .collect()
            }
            Reason::OfImage(reason)
            | Reason::Listed { reason, .. }
            | Reason::InDeletedImage { reason, .. } => reason.class_verdicts(),
            _ => Vec::new(),
        }
    }
}

impl Selected {
    fn wording(&self) -> String {
        match self {
            Selected::Untagged => "untagged".to_string(),
            Selected::Tag { tag, glob } => format!("tag '{tag}' matches --tag '{glob}'"),
            Selected::NotAmongNewest(keep) => format!("not among the {keep} newest"),
            Selected::NotAmongHighest(keep) => {
                format!("not among the {keep} highest by semver")
            }
            Selected::Older { age, limit } => format!(
                "created {} ago, older than {}",
                format_age(*age),
                format_age(*limit)
            ),
        }
    }
}

/// A version's reason, as the tables and `--json` show it.
impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.wording(Unit::Version))
    }
}

impl Serialize for Reason {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_counted_over_images_says_images() {
        let newest = Reason::AmongNewest(3);
        assert_eq!(
            newest.to_string(),
            "one of the 3 newest selected versions (--keep-latest)"
        );
        assert_eq!(
            Reason::OfImage(Box::new(newest)).to_string(),
            "one of the 3 newest selected images (--keep-latest)"
        );
        let tagged = Reason::Tagged {
            tags: vec!["v1".into(), "latest".into()],
        };
        assert_eq!(
            tagged.wording(Unit::Image),
            "tagged (v1, latest); --untagged selects only untagged images"
        );
        let listed = Reason::Listed {
            reason: Box::new(Reason::Selected(Vec::new())),
            keep_latest: true,
        };
        assert_eq!(
            listed.wording(Unit::Image),
            "selected by the policy; listed by another image, so --keep-latest does not count it"
        );
    }
}
