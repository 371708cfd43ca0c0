//! The report of a prune run, as text or as `--json`: two renderers of one
//! [`Ran`]. A run of one prints its package's table (or the document
//! `output::json::PruneDoc`); a run over many prints each package's table
//! under a heading, with the owners whose packages could not be listed (or
//! `output::json::PruneRunDoc`). Both JSON documents are a published
//! contract.

use github_packages_oci::images::{Member, Relation};

use super::images::ImagePlan;
use super::plan::{Bytes, Plan};
use super::run::{Pruned, Ran};
use crate::context::Context;
use crate::duration::format_age;
use crate::exit::Exit;
use crate::journal;
use crate::model::{Fate, OwnerSpelling, Unit};
use crate::output::json::{
    BytesDoc, ImageMemberView, ImageView, PruneDoc, PrunePackageDoc, PruneRow, PruneRunDoc,
    ReferenceView, RunSummaryDoc, UnlistedDoc, VerificationDoc,
};
use crate::output::{self, Table, bytes_cell, tags_cell};
use crate::policy::Action;

/// Prints a run of one package: each version with its fate, the tally, and
/// the journal when the run wrote to it.
pub fn one_package(context: &Context, ran: &Ran) -> Result<(), Exit> {
    let Some(Pruned::Done { plan, fates, .. }) = ran.pruned.first() else {
        // The run's caller ends a run of one whose package failed before.
        return Ok(());
    };
    if context.json {
        return context.print_json(&PruneDoc {
            mode: ran.mode,
            about: &plan.package,
            versions: rows(plan, fates),
            images: plan.images.as_ref().map(image_views),
            bytes: plan.bytes(fates).map(bytes_doc),
            verification: verification_doc(&ran.pruned[0]),
            summary: &ran.tally,
            journal: ran.journal.as_ref().map(|p| p.display().to_string()),
            unresolved_references: plan.unresolved.iter().map(ReferenceView::from).collect(),
        });
    }
    let mut text = versions_text(plan, fates);
    text.push_str(&ran.tally.line(ran.mode));
    text.push('\n');
    if let Some(path) = &ran.journal {
        text.push_str(&journal::undo_hint(path));
        text.push('\n');
    }
    output::print_text(&text);
    Ok(())
}

/// Prints a run over many packages: every package's table and one line of
/// totals, or one JSON document.
pub fn many_packages(context: &Context, ran: &Ran) -> Result<(), Exit> {
    if context.json {
        return context.print_json(&many_document(ran));
    }
    let mut text = String::new();
    for unlisted in &ran.unlisted {
        text.push_str(&format!(
            "== {} {}: cannot list the packages: {}\n\n",
            unlisted.owner, unlisted.package_type, unlisted.error
        ));
    }
    for package in &ran.pruned {
        let about = package.package();
        text.push_str(&format!(
            "== {} {} {} (rule at {})\n",
            about.owner,
            about.package_type,
            about.name,
            package.rule().source
        ));
        match package {
            Pruned::Done {
                plan, fates, tally, ..
            } => {
                text.push_str(&versions_text(plan, fates));
                text.push_str(&tally.package_line(ran.mode));
            }
            Pruned::Failed { error, .. } => text.push_str(&format!("failed: {error}")),
        }
        text.push_str("\n\n");
    }
    let total = ran.pruned.len() + ran.unlisted.len();
    let packages = match ran.failed_packages() {
        0 => format!("{total} packages"),
        failed => format!("{total} packages, {failed} failed"),
    };
    text.push_str(&format!("{packages}: {}\n", ran.tally.line(ran.mode)));
    if let Some(path) = &ran.journal {
        text.push_str(&journal::undo_hint(path));
        text.push('\n');
    }
    output::print_text(&text);
    Ok(())
}

fn many_document<'a>(ran: &'a Ran) -> PruneRunDoc<'a> {
    PruneRunDoc {
        mode: ran.mode,
        packages: ran
            .pruned
            .iter()
            .map(|package| PrunePackageDoc {
                about: package.package(),
                rule: package.rule().source.to_string(),
                versions: match package {
                    Pruned::Done { plan, fates, .. } => rows(plan, fates),
                    Pruned::Failed { .. } => Vec::new(),
                },
                images: match package {
                    Pruned::Done { plan, .. } => plan.images.as_ref().map(image_views),
                    Pruned::Failed { .. } => None,
                },
                bytes: package.bytes().map(bytes_doc),
                verification: verification_doc(package),
                summary: package.tally(),
                error: package.error(),
            })
            .collect(),
        unlisted: ran
            .unlisted
            .iter()
            .map(|unlisted| UnlistedDoc {
                owner: unlisted.owner.view(),
                package_type: unlisted.package_type.as_str(),
                error: &unlisted.error,
            })
            .collect(),
        summary: RunSummaryDoc {
            tally: &ran.tally,
            bytes: ran.bytes().map(bytes_doc),
        },
        failed_packages: ran.failed_packages(),
        journal: ran.journal.as_ref().map(|p| p.display().to_string()),
        unresolved_references: ran
            .pruned
            .iter()
            .filter_map(|package| match package {
                Pruned::Done { plan, .. } => Some(plan.unresolved.iter()),
                Pruned::Failed { .. } => None,
            })
            .flatten()
            .map(ReferenceView::from)
            .collect(),
    }
}

fn bytes_doc(bytes: Bytes) -> BytesDoc {
    BytesDoc {
        reclaimable_bytes: bytes.reclaimable,
        total_bytes: bytes.total,
    }
}

fn verification_doc<'a>(package: &'a Pruned) -> Option<VerificationDoc<'a>> {
    match package {
        Pruned::Done {
            verification: Some(verification),
            ..
        } => Some(VerificationDoc {
            healthy: verification.is_healthy(),
            problems: &verification.problems,
        }),
        _ => None,
    }
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
            result: fate,
            error: fate.error(),
            image: plan
                .images
                .as_ref()
                .and_then(|images| images.image_digest_of(d.version.id)),
            class: d.reason.deciding_class().map(ToString::to_string),
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
            None => d.reason.to_string(),
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
            fate.to_string(),
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
            plan.package.package_type, plan.package.name
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
    if let Some(bytes) = plan.bytes(fates) {
        let frees = if plan.mode.is_dry_run() {
            "frees"
        } else {
            "freed"
        };
        text.push_str(&format!(
            "{frees} {} of {} (blobs no kept image names; blobs other packages share are not \
             seen)\n",
            bytes_cell(bytes.reclaimable),
            bytes_cell(bytes.total)
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
                reason: decision.reason.wording(Unit::Image),
                class: decision.reason.deciding_class().map(ToString::to_string),
                members: image
                    .members
                    .iter()
                    .map(|member| member_view(plan, member))
                    .collect(),
                missing: image.missing.iter().map(ToString::to_string).collect(),
            }
        })
        .collect()
}

/// A version an image reaches, as `prune --json` shows it.
fn member_view<'a>(plan: &'a ImagePlan, member: &Member) -> ImageMemberView<'a> {
    let (platform, describes, artifact_type) = match &member.relation {
        Relation::Platform(platform) => (Some(platform.to_string()), None, None),
        Relation::Attestation { describes } => {
            (None, describes.as_ref().map(ToString::to_string), None)
        }
        Relation::Manifest => (None, None, None),
        Relation::Signature { kind } => (None, None, Some(kind.to_string())),
        Relation::Referrer { artifact_type } => (None, None, artifact_type.clone()),
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
}
