//! Planning one package's prune: list its active versions and let the
//! retention policy decide about each. A dry run prints the plan; an
//! `--execute` run hands it to `execute`.

use chrono::{DateTime, Utc};
use github_packages::types::PackageVersionState;

use super::Fate;
use crate::context::Context;
use crate::exit::Exit;
use crate::policy::{Action, Decision, RetentionPolicy, VersionInfo, decide};
use crate::target::Target;

/// What to do with each active version of one package.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The package (its login learnt before executing, for `--me`).
    pub target: Target,
    /// Every active version, newest first, with the policy's action and reason.
    pub decisions: Vec<Decision>,
    /// Whether the plan is to be carried out (`--execute`) or only shown.
    pub execute: bool,
    /// The time the policy's ages were computed at.
    pub now: DateTime<Utc>,
}

impl Plan {
    /// The decisions to delete, in plan order.
    pub fn to_delete(&self) -> Vec<&Decision> {
        self.decisions
            .iter()
            .filter(|decision| decision.action == Action::Delete)
            .collect()
    }

    /// The fates of a dry run: what would be deleted, what is kept.
    pub fn dry_run(&self) -> Vec<Fate> {
        self.decisions
            .iter()
            .map(|decision| match decision.action {
                Action::Delete => Fate::WouldDelete,
                Action::Keep => Fate::Kept,
            })
            .collect()
    }
}

/// Lists `target`'s active versions (behind a spinner; a failure ends the
/// command) and decides about each with `policy` as of `now`.
pub async fn plan(
    context: &Context,
    target: Target,
    policy: &RetentionPolicy,
    execute: bool,
    now: DateTime<Utc>,
) -> Result<Plan, Exit> {
    let versions = context
        .list_versions(&target, PackageVersionState::Active)
        .await?;
    let infos: Vec<VersionInfo> = versions.iter().map(VersionInfo::of).collect();
    let decisions = decide(policy, &infos, now);
    let plan = Plan {
        target,
        decisions,
        execute,
        now,
    };
    context.ui.note(format!(
        "{} active versions, {} selected by the policy",
        plan.decisions.len(),
        plan.to_delete().len()
    ));
    Ok(plan)
}
