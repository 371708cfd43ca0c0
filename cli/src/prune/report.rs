//! Printing one package's prune: a table and a summary line, or the
//! `--json` document (`output::json::PruneDoc`). A run over many packages
//! (`prune::many`) prints the same table, rows and images for each package.

use std::path::Path;

use github_packages_oci::images::{CosignKind, Relation};

use super::Fate;
use super::images::ImagePlan;
use super::plan::Plan;
use crate::context::Context;
use crate::duration::format_age;
use crate::exit::Exit;
use crate::journal;
use crate::output::json::{About, ImageMemberView, ImageView, PruneDoc, PruneRow, PruneSummary};
use crate::output::{self, Table, tags_cell};
use crate::policy::Action;

/// Prints one package's prune: each version of `plan` with its fate (one per
/// decision), the summary, and the journal when the run wrote to it.
pub fn report(
    context: &Context,
    plan: &Plan,
    fates: &[Fate],
    summary: &PruneSummary,
    journal_path: Option<&Path>,
) -> Result<(), Exit> {
    if context.json {
        return context.print_json(&PruneDoc {
            mode: mode(plan.execute),
            about: About::from(&plan.target),
            versions: rows(plan, fates),
            images: plan.images.as_ref().map(image_views),
            summary,
            journal: journal_path.map(|p| p.display().to_string()),
        });
    }
    let mut text = versions_text(plan, fates);
    text.push_str(&summary.line(!plan.execute));
    text.push('\n');
    if let Some(path) = journal_path {
        text.push_str(&journal::undo_hint(path));
        text.push('\n');
    }
    output::print_text(&text);
    Ok(())
}

/// `dry-run` or `execute`, as the JSON documents say.
pub fn mode(execute: bool) -> &'static str {
    if execute { "execute" } else { "dry-run" }
}

/// Each version of `plan` with its fate, for `--json`.
pub fn rows<'a>(plan: &'a Plan, fates: &'a [Fate]) -> Vec<PruneRow<'a>> {
    plan.decisions
        .iter()
        .zip(fates)
        .map(|(d, fate)| PruneRow {
            id: d.version.id,
            name: &d.version.name,
            tags: &d.version.tags,
            created_at: d.version.created_at,
            action: d.action,
            reason: &d.reason,
            result: fate.result(),
            error: fate.error(),
            image: plan
                .images
                .as_ref()
                .and_then(|images| images.image_digest_of(d.version.id)),
        })
        .collect()
}

/// The table of `plan`'s versions with their fates and reasons (or a line
/// saying the package has no active versions), and for a container
/// package how many images are kept.
pub fn versions_text(plan: &Plan, fates: &[Fate]) -> String {
    let mut table = Table::new(&["RESULT", "ID", "NAME", "TAGS", "AGE", "WHY"]);
    for (d, fate) in plan.decisions.iter().zip(fates) {
        let why = match fate.error() {
            Some(error) => format!("{}: {error}", d.reason),
            None => d.reason.clone(),
        };
        // An image's members are indented under its root.
        let member = plan.images.as_ref().is_some_and(|images| {
            images.image_digest_of(d.version.id) != Some(d.version.name.as_str())
        });
        let name = if member {
            format!("└ {}", d.version.name)
        } else {
            d.version.name.clone()
        };
        table.row(vec![
            fate.result().to_string(),
            d.version.id.to_string(),
            name,
            tags_cell(&d.version.tags),
            format_age(plan.now - d.version.created_at),
            why,
        ]);
    }
    let mut text = if table.is_empty() {
        format!(
            "no active versions in {} package {}\n",
            plan.target.package_type, plan.target.package
        )
    } else {
        table.render()
    };
    if let Some(images) = &plan.images {
        let kept = images
            .images
            .iter()
            .filter(|image| image.action == Action::Keep)
            .count();
        text.push_str(&format!(
            "images: {kept} kept, {} to delete (each keeps or deletes every version it reaches)\n",
            images.images.len() - kept
        ));
    }
    text
}

/// The images of a plan as `prune --json` shows them.
pub fn image_views(plan: &ImagePlan) -> Vec<ImageView<'_>> {
    let graph = &plan.graph;
    plan.images
        .iter()
        .map(|decision| {
            let image = &graph.images()[decision.image];
            let root = &plan.decisions[image.root].version;
            ImageView {
                id: root.id,
                digest: &root.name,
                tags: graph.own_tags(image.root),
                created_at: root.created_at,
                action: decision.action,
                reason: &decision.reason,
                members: image
                    .members
                    .iter()
                    .map(|member| {
                        let (platform, describes, artifact_type) = match &member.relation {
                            Relation::Platform(platform) => {
                                (Some(platform.to_string()), None, None)
                            }
                            Relation::Attestation { describes } => {
                                (None, describes.as_ref().map(ToString::to_string), None)
                            }
                            Relation::Manifest => (None, None, None),
                            Relation::Signature { kind } => (
                                None,
                                None,
                                Some(
                                    match kind {
                                        CosignKind::Signature => "signature",
                                        CosignKind::Attestation => "attestation",
                                        CosignKind::Sbom => "sbom",
                                    }
                                    .to_string(),
                                ),
                            ),
                            Relation::Referrer { artifact_type } => {
                                (None, None, artifact_type.clone())
                            }
                        };
                        let version = &plan.decisions[member.version];
                        ImageMemberView {
                            id: version.version.id,
                            digest: &version.version.name,
                            kind: member.relation.kind(),
                            platform,
                            describes,
                            artifact_type,
                            via: &plan.decisions[member.via].version.name,
                            action: version.action,
                        }
                    })
                    .collect(),
                missing: image.missing.iter().map(ToString::to_string).collect(),
            }
        })
        .collect()
}
