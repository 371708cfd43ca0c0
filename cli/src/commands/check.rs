//! `ghpkg check`: the packages prune would select (flags or a policy
//! file's rules), each container package's images checked
//! ([`PackageHealth`]) and reported as a table with a one-line verdict, or
//! as one JSON document. Exit 1 when an image is broken, a version cannot
//! be read or a package cannot be checked.

use chrono::Utc;
use github_packages::types::{PackageType, PackageVersionState};
use github_packages_oci::images::Relation;

use crate::args::CheckArgs;
use crate::context::Context;
use crate::duration::format_age;
use crate::exit::{Exit, ExitStatus};
use crate::model::{OwnerSpelling, PackageRef};
use crate::output::json::{
    BrokenImageDoc, CheckDoc, CheckPackageDoc, CheckSummaryDoc, DanglingAttachmentDoc,
    MissingManifestDoc, OrphanImageDoc, UnlistedDoc, UnreadableDoc,
};
use crate::output::{self, Table, bytes_cell, tags_cell};
use crate::package_health::{PackageHealth, dangling_words, missing_words};
use crate::prune::run::{Unlisted, select};

/// How one selected package's check went.
enum Checked {
    Images(PackageRef, Box<PackageHealth>),
    /// Not a container package: its active versions.
    Other(PackageRef, usize),
    Failed(PackageRef, String),
}

impl Checked {
    fn package(&self) -> &PackageRef {
        match self {
            Checked::Images(package, _) | Checked::Other(package, _) => package,
            Checked::Failed(package, _) => package,
        }
    }

    fn verdict(&self) -> &'static str {
        match self {
            Checked::Images(_, health) if health.is_healthy() => "healthy",
            Checked::Images(..) => "broken",
            Checked::Other(..) => "nothing-to-check",
            Checked::Failed(..) => "failed",
        }
    }

    fn fails(&self) -> bool {
        matches!(self.verdict(), "broken" | "failed")
    }
}

pub async fn run(context: &Context, args: &CheckArgs) -> Result<(), Exit> {
    let rules = crate::rule_check::selection_of(args)?;
    let (selected, unlisted) = select(context, &rules).await?;
    let mut checked = Vec::with_capacity(selected.len());
    for (package, _) in selected {
        checked.push(check_one(context, package).await);
    }
    if context.json {
        context.print_json(&document(&checked, &unlisted))?;
    } else {
        output::print_text(&text(&checked, &unlisted));
    }
    if unlisted.is_empty() && !checked.iter().any(Checked::fails) {
        Ok(())
    } else {
        Err(Exit::reported(ExitStatus::Failed))
    }
}

async fn check_one(context: &Context, mut package: PackageRef) -> Checked {
    let outcome = if package.package_type == PackageType::Container {
        PackageHealth::read(context, &mut package)
            .await
            .map(|health| Checked::Images(package.clone(), Box::new(health)))
    } else {
        context
            .list_versions(&package, PackageVersionState::Active)
            .await
            .map(|versions| Checked::Other(package.clone(), versions.len()))
    };
    outcome.unwrap_or_else(|exit| {
        let error = exit.message.unwrap_or_else(|| "the check failed".into());
        context.ui.error(&error);
        Checked::Failed(package, error)
    })
}

/// Every package's table and verdict, then the totals.
fn text(checked: &[Checked], unlisted: &[Unlisted]) -> String {
    let mut text = String::new();
    for unlisted in unlisted {
        text.push_str(&format!(
            "== {} {}: cannot list the packages: {}\n\n",
            unlisted.owner, unlisted.package_type, unlisted.error
        ));
    }
    for package in checked {
        let about = package.package();
        text.push_str(&format!(
            "== {} {} {}\n",
            about.owner, about.package_type, about.name
        ));
        match package {
            Checked::Images(_, health) => text.push_str(&images_text(&about.name, health)),
            Checked::Other(_, versions) => text.push_str(&format!(
                "{}: {versions} versions, nothing to check (not a container package)\n",
                about.name
            )),
            Checked::Failed(_, error) => text.push_str(&format!("failed: {error}\n")),
        }
        text.push('\n');
    }
    let healthy = checked.iter().filter(|c| !c.fails()).count();
    let total = checked.len() + unlisted.len();
    let packages = if total == 1 { "package" } else { "packages" };
    text.push_str(&format!(
        "{total} {packages}: {healthy} without a problem, {} broken or not checked\n",
        total - healthy
    ));
    text
}

/// One container package: a row per problem, the orphans, the verdict.
fn images_text(name: &str, package: &PackageHealth) -> String {
    let now = Utc::now();
    let health = &package.health;
    let mut table = Table::new(&["PROBLEM", "ID", "NAME", "TAGS", "AGE", "WHAT"]);
    let mut row = |problem: &str, version: &crate::model::Version, what: String| {
        table.row(vec![
            problem.to_string(),
            version.id.to_string(),
            version.name.clone(),
            tags_cell(&version.tags),
            format_age(now - version.created_at),
            what,
        ]);
    };
    for broken in &health.broken {
        row("broken", package.root(broken.image), missing_words(broken));
    }
    for dangling in &health.dangling {
        row(
            "dangling",
            package.version(dangling.version),
            dangling_words(dangling),
        );
    }
    for (version, why) in &package.read.unreadable {
        row("unreadable", version, why.clone());
    }
    let mut text = if table.is_empty() {
        String::new()
    } else {
        table.render()
    };
    if let Some((oldest, newest)) = package.orphan_ages() {
        text.push_str(&format!(
            "orphans: {} untagged images no tag reaches, {} to {} old, {}\n",
            health.orphans.len(),
            format_age(now - newest),
            format_age(now - oldest),
            bytes_cell(health.orphan_bytes)
        ));
    }
    text.push_str(&verdict_line(name, package));
    text
}

/// `app: BROKEN: 1 broken image, 2 orphan images; 4 images in 14 versions, 96.0 MiB`.
fn verdict_line(name: &str, package: &PackageHealth) -> String {
    let graph = &package.read.graph;
    let health = &package.health;
    let mut problems = Vec::new();
    let count = |n: usize, one: &str, many: &str| match n {
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    };
    for (n, one, many) in [
        (health.broken.len(), "broken image", "broken images"),
        (
            package.read.unreadable.len(),
            "unreadable version",
            "unreadable versions",
        ),
        (
            health.dangling.len(),
            "dangling attachment",
            "dangling attachments",
        ),
        (health.orphans.len(), "orphan image", "orphan images"),
    ] {
        if n > 0 {
            problems.push(count(n, one, many));
        }
    }
    let verdict = if package.is_healthy() {
        "healthy"
    } else {
        "BROKEN"
    };
    let found = if problems.is_empty() {
        String::new()
    } else {
        format!(": {}", problems.join(", "))
    };
    format!(
        "{name}: {verdict}{found}; {} in {} versions, {}\n",
        count(graph.images().len(), "image", "images"),
        package.read.versions.len() + package.read.unreadable.len(),
        bytes_cell(health.total_bytes)
    )
}

fn document<'a>(checked: &'a [Checked], unlisted: &'a [Unlisted]) -> CheckDoc<'a> {
    let mut summary = CheckSummaryDoc {
        packages: checked.len() + unlisted.len(),
        failed_packages: unlisted.len(),
        ..CheckSummaryDoc::default()
    };
    let packages: Vec<CheckPackageDoc> = checked
        .iter()
        .map(|package| {
            let doc = package_document(package);
            summary.healthy_packages += usize::from(!package.fails());
            summary.failed_packages += usize::from(doc.error.is_some());
            summary.broken_images += doc.broken_images.len();
            summary.dangling_attachments += doc.dangling_attachments.len();
            summary.orphan_images += doc.orphan_images.len();
            summary.unreadable += doc.unreadable.len();
            summary.total_bytes += doc.total_bytes.unwrap_or(0);
            summary.orphan_bytes += doc.orphan_bytes.unwrap_or(0);
            doc
        })
        .collect();
    CheckDoc {
        packages,
        unlisted: unlisted
            .iter()
            .map(|unlisted| UnlistedDoc {
                owner: unlisted.owner.view(),
                package_type: unlisted.package_type.as_str(),
                error: &unlisted.error,
            })
            .collect(),
        summary,
    }
}

fn package_document(checked: &Checked) -> CheckPackageDoc<'_> {
    let mut doc = CheckPackageDoc {
        about: checked.package(),
        verdict: checked.verdict(),
        versions: 0,
        images: None,
        total_bytes: None,
        orphan_bytes: None,
        broken_images: Vec::new(),
        dangling_attachments: Vec::new(),
        orphan_images: Vec::new(),
        unreadable: Vec::new(),
        error: None,
    };
    match checked {
        Checked::Images(_, package) => {
            let health = &package.health;
            doc.versions = package.read.versions.len() + package.read.unreadable.len();
            doc.images = Some(package.read.graph.images().len());
            doc.total_bytes = Some(health.total_bytes);
            doc.orphan_bytes = Some(health.orphan_bytes);
            doc.broken_images = broken_documents(package);
            doc.dangling_attachments = dangling_documents(package);
            doc.orphan_images = orphan_documents(package);
            doc.unreadable = package
                .read
                .unreadable
                .iter()
                .map(|(version, error)| UnreadableDoc {
                    id: version.id,
                    name: &version.name,
                    tags: &version.tags,
                    error,
                })
                .collect();
        }
        Checked::Other(_, versions) => doc.versions = *versions,
        Checked::Failed(_, error) => doc.error = Some(error),
    }
    doc
}

fn broken_documents(package: &PackageHealth) -> Vec<BrokenImageDoc<'_>> {
    let graph = &package.read.graph;
    package
        .health
        .broken
        .iter()
        .map(|broken| {
            let root = package.root(broken.image);
            BrokenImageDoc {
                id: root.id,
                digest: &root.name,
                tags: graph.own_tags(graph.images()[broken.image].root),
                missing: broken
                    .missing
                    .iter()
                    .map(|missing| MissingManifestDoc {
                        digest: missing.digest.to_string(),
                        kind: missing.relation.kind(),
                        platform: match &missing.relation {
                            Relation::Platform(platform) => Some(platform.to_string()),
                            _ => None,
                        },
                        listed_by: package.version(missing.via).name.clone(),
                        reason: if missing.unreadable {
                            "unreadable"
                        } else {
                            "not-in-package"
                        },
                    })
                    .collect(),
            }
        })
        .collect()
}

fn dangling_documents(package: &PackageHealth) -> Vec<DanglingAttachmentDoc<'_>> {
    package
        .health
        .dangling
        .iter()
        .map(|dangling| {
            let version = package.version(dangling.version);
            let artifact_type = match &dangling.relation {
                Relation::Signature { kind } => Some(kind.to_string()),
                Relation::Referrer { artifact_type } => artifact_type.clone(),
                _ => None,
            };
            DanglingAttachmentDoc {
                id: version.id,
                digest: &version.name,
                tags: &version.tags,
                kind: dangling.relation.kind(),
                artifact_type,
                subject: dangling.subject.to_string(),
            }
        })
        .collect()
}

fn orphan_documents(package: &PackageHealth) -> Vec<OrphanImageDoc<'_>> {
    let graph = &package.read.graph;
    package
        .health
        .orphans
        .iter()
        .map(|&image| {
            let root = package.root(image);
            OrphanImageDoc {
                id: root.id,
                digest: &root.name,
                created_at: root.created_at,
                versions: graph.images()[image].versions().count(),
                bytes: graph.image_bytes(image),
            }
        })
        .collect()
}
