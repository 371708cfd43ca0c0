//! A prune's verification: after its deletions, a container package is
//! listed and read again and its images checked as `ghpkg check` does
//! ([`PackageHealth`]); an image the plan kept that is now broken (or a
//! kept version the registry no longer serves) is an error of the run.
//! Images broken before the prune were reported while planning (a kept one
//! stops the package's prune there), so what this finds is new.

use std::collections::HashSet;

use super::plan::Plan;
use crate::context::Context;
use crate::package_health::{PackageHealth, missing_words};
use crate::policy::Action;

/// What the verification found about the kept images.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Verification {
    /// One line per kept image that is broken, or kept version that cannot
    /// be read, or why the package could not be checked again.
    pub problems: Vec<String>,
}

impl Verification {
    pub fn is_healthy(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Checks the images `plan` kept, after its deletions.
pub async fn verify(context: &Context, plan: &Plan) -> Verification {
    let kept: HashSet<&str> = plan
        .decisions
        .iter()
        .filter(|decision| decision.action == Action::Keep)
        .map(|decision| decision.version.name.as_str())
        .collect();
    let mut package = plan.package.clone();
    let health = match PackageHealth::read(context, &mut package).await {
        Ok(health) => health,
        Err(exit) => {
            let why = exit.message.unwrap_or_else(|| "the check failed".into());
            return Verification {
                problems: vec![format!("could not check the kept images again: {why}")],
            };
        }
    };
    let broken = health.health.broken.iter().filter_map(|broken| {
        let root = health.root(broken.image);
        kept.contains(root.name.as_str()).then(|| {
            let tags = crate::output::tags_cell(
                health
                    .read
                    .graph
                    .own_tags(health.read.graph.images()[broken.image].root),
            );
            format!(
                "kept image {} ({tags}) is broken: it {}",
                root.name,
                missing_words(broken)
            )
        })
    });
    let unreadable = health
        .read
        .unreadable
        .iter()
        .filter(|(version, _)| kept.contains(version.name.as_str()))
        .map(|(version, why)| format!("kept version {} cannot be read: {why}", version.id));
    Verification {
        problems: broken.chain(unreadable).collect(),
    }
}
