//! `ghpkg restore`: bring back one package or version, or everything a
//! journal records as deleted or possibly deleted (`unknown`). What is there
//! already is reported as `already-active` without a request to restore it,
//! so running it twice is harmless.
//!
//! The versions of a container image come back children first, an index
//! only once every manifest it lists is back: which those are, its journal
//! line says (`lists`, read from the index's own manifest when it was
//! deleted), so this holds across runs that share one journal, whatever
//! level each run deleted them at. An index one of whose manifests could
//! not be restored is not attempted, so that no index comes back listing a
//! manifest that is missing. Lines of older journals (without `lists`) go
//! by level: a version that fails holds back the levels above it of its
//! image and of every other image the journal says lists it. A signature
//! or referrer (attached to an image, listed by no index) that fails holds
//! nothing back.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use futures_util::StreamExt;
use github_packages::Owner;
use github_packages::types::PackageVersionState;
use indicatif::ProgressBar;

use crate::args::TypeArg;
use crate::context::Context;
use crate::exit::{Exit, ExitStatus};
use crate::failure::{Failure, FailureKind};
use crate::journal::{self, JournalRecord, Outcome};
use crate::model::{PackageRef, RestoreTally, Restored};
use crate::output::json::{RestoreDoc, RestoreRow};
use crate::output::{self, Table, tags_cell};
use crate::presence::{Presence, presence};

/// Restores in flight at once.
const CONCURRENCY: usize = 4;

/// One thing to restore.
struct Item {
    package: PackageRef,
    version_id: Option<i64>,
    name: Option<String>,
    tags: Vec<String>,
    /// For a version deleted with its container image: the image's root
    /// digest, and its level in that deletion (see
    /// `JournalRecord::image_level`).
    image: Option<String>,
    image_level: Option<usize>,
    /// The other deleted images that list it.
    also_in_images: Vec<String>,
    /// A signature or referrer no index lists: its failure holds nothing
    /// back.
    attached: bool,
    /// The manifests it lists (see `JournalRecord::lists`); `None` in
    /// older journals.
    lists: Option<Vec<String>>,
}

/// Why a version of an image is not restored after one it lists failed.
const CHILD_NOT_RESTORED: &str = "not restored: a manifest it lists could not be restored";

/// `ghpkg restore OWNER --type T --name N [--version ID]`
pub async fn one(
    context: &Context,
    owner: Owner,
    package_type: TypeArg,
    name: &str,
    version_id: Option<i64>,
) -> Result<(), Exit> {
    let item = Item {
        package: PackageRef::new(owner, package_type.package_type(), name),
        version_id,
        name: None,
        tags: Vec::new(),
        image: None,
        image_level: None,
        also_in_images: Vec::new(),
        attached: false,
        lists: None,
    };
    let result = restore(context, &item, None).await;
    report(context, None, &[item], &[result])
}

/// `ghpkg restore --journal FILE`
pub async fn from_journal(context: &Context, path: &Path) -> Result<(), Exit> {
    let items = items_of_journal(context, path)?;
    let active = active_versions(context, &items).await;
    let bar = context.ui.bar("restoring", items.len() as u64);
    let mut results: Vec<(usize, Restored)> = Vec::with_capacity(items.len());
    // Packages one by one, then their versions concurrently.
    let split = items
        .iter()
        .position(|item| item.version_id.is_some())
        .unwrap_or(items.len());
    for (index, item) in items[..split].iter().enumerate() {
        results.push((index, restore(context, item, None).await));
        bar.inc(1);
    }
    results.extend(restore_versions(context, &items, split, &active, &bar).await);
    results.sort_by_key(|(index, _)| *index);
    context.ui.finish();
    let results: Vec<Restored> = results.into_iter().map(|(_, result)| result).collect();
    report(context, Some(path), &items, &results)
}

/// What a journal records as deleted, or possibly deleted (`unknown`:
/// GitHub may have deleted it, even after answering otherwise); each is
/// checked before it is restored. Whole packages first (their versions can
/// only come back with them), then the versions of container images from
/// the deepest level up, so that a child is back before the index that
/// lists it.
fn items_of_journal(context: &Context, path: &Path) -> Result<Vec<Item>, Exit> {
    let (records, warnings) = journal::read(path).map_err(Exit::usage)?;
    for warning in warnings {
        context.ui.warn(warning);
    }
    let mut items: Vec<Item> = Vec::new();
    for record in journal::latest(&records) {
        if record.outcome == Outcome::Failed {
            continue;
        }
        match item_of(record) {
            Ok(item) => items.push(item),
            Err(error) => context
                .ui
                .warn(format!("{}: skipped a line: {error}", path.display())),
        }
    }
    items.sort_by_key(|item| {
        (
            item.version_id.is_some(),
            std::cmp::Reverse(item.image_level.unwrap_or(0)),
        )
    });
    context.ui.note(format!(
        "{} deletions to undo in {}",
        items.len(),
        path.display()
    ));
    Ok(items)
}

/// Which versions are active already, one listing per package (`None`
/// where the listing failed).
async fn active_versions(
    context: &Context,
    items: &[Item],
) -> HashMap<PackageRef, Option<HashSet<i64>>> {
    let mut active: HashMap<PackageRef, Option<HashSet<i64>>> = HashMap::new();
    for item in items.iter().filter(|item| item.version_id.is_some()) {
        let target = &item.package;
        if active.contains_key(target) {
            continue;
        }
        let listed = context
            .versions(target, PackageVersionState::Active, &ProgressBar::hidden())
            .await;
        let ids = match listed {
            Ok(versions) => Some(versions.iter().map(|v| v.id).collect()),
            Err(failure) if failure.kind == FailureKind::NotFound => Some(HashSet::new()),
            Err(failure) => {
                context.ui.note(format!(
                    "could not list the active versions of {}: {}",
                    target.name,
                    failure.explain(target.subject(false))
                ));
                None
            }
        };
        active.insert(target.clone(), ids);
    }
    active
}

/// Restores the versions (`items[first..]`) in rounds: each round, the
/// versions whose prerequisites (see [`prerequisites`]) are all decided;
/// one whose prerequisite did not come back is not attempted. Within a
/// round, concurrently.
async fn restore_versions(
    context: &Context,
    items: &[Item],
    first: usize,
    active: &HashMap<PackageRef, Option<HashSet<i64>>>,
    bar: &ProgressBar,
) -> Vec<(usize, Restored)> {
    let needs = prerequisites(items, first);
    // Per decided version: whether it is back.
    let mut back: HashMap<usize, bool> = HashMap::new();
    let mut results = Vec::new();
    let mut rest: Vec<usize> = (first..items.len()).collect();
    while !rest.is_empty() {
        let (mut ready, mut waiting): (Vec<usize>, Vec<usize>) = rest
            .into_iter()
            .partition(|index| needs[index].iter().all(|need| back.contains_key(need)));
        if ready.is_empty() {
            // Lines that need each other (journals of runs that disagree):
            // the first goes on, held back by what failed already.
            ready.push(waiting.remove(0));
        }
        rest = waiting;
        let (held, batch): (Vec<usize>, Vec<usize>) = ready.into_iter().partition(|index| {
            needs[index]
                .iter()
                .any(|need| back.get(need) == Some(&false))
        });
        for index in held {
            back.insert(index, false);
            results.push((index, Restored::Failed(CHILD_NOT_RESTORED.to_string())));
            bar.inc(1);
        }
        let versions = futures_util::stream::iter(batch)
            .map(|index| async move {
                let item = &items[index];
                let known = active.get(&item.package).cloned().flatten();
                let already = match (&known, item.version_id) {
                    (Some(ids), Some(id)) => Some(ids.contains(&id)),
                    _ => None,
                };
                let result = restore(context, item, already).await;
                bar.inc(1);
                (index, result)
            })
            .buffer_unordered(CONCURRENCY)
            .collect::<Vec<_>>()
            .await;
        for (index, result) in &versions {
            back.insert(*index, !matches!(result, Restored::Failed(_)));
        }
        results.extend(versions);
    }
    results
}

/// Per version item (`items[first..]`): the items that must be back before
/// it is restored. For a line that says what it lists (`lists`): the
/// journal's versions of its package with those digests, whatever image or
/// level they were deleted with. For an older line: the items of a deeper
/// level that its image lists (see [`image_keys`]).
fn prerequisites(items: &[Item], first: usize) -> HashMap<usize, Vec<usize>> {
    let mut by_digest: HashMap<(&PackageRef, &str), Vec<usize>> = HashMap::new();
    let mut by_image: HashMap<(PackageRef, &str), Vec<usize>> = HashMap::new();
    for (index, item) in items.iter().enumerate().skip(first) {
        if let Some(name) = &item.name {
            let key = (&item.package, name.as_str());
            by_digest.entry(key).or_default().push(index);
        }
        for key in image_keys(item) {
            by_image.entry(key).or_default().push(index);
        }
    }
    let level = |index: usize| items[index].image_level.unwrap_or(0);
    (first..items.len())
        .map(|index| {
            let item = &items[index];
            let needs: Vec<usize> = match (&item.lists, image_key(item)) {
                (Some(lists), _) => lists
                    .iter()
                    .filter_map(|digest| by_digest.get(&(&item.package, digest.as_str())))
                    .flatten()
                    .copied()
                    .filter(|&other| other != index)
                    .collect(),
                (None, Some(image)) => by_image
                    .get(&image)
                    .into_iter()
                    .flatten()
                    .copied()
                    .filter(|&other| level(other) > level(index))
                    .collect(),
                (None, None) => Vec::new(),
            };
            (index, needs)
        })
        .collect()
}

/// The container image an item was deleted with, in its package.
fn image_key(item: &Item) -> Option<(PackageRef, &str)> {
    Some((item.package.clone(), item.image.as_deref()?))
}

/// Every image of the item's package that lists it: the one it was deleted
/// with and the others the journal names; none for a signature or referrer
/// that no index lists (the image it is attached to is whole without it).
fn image_keys(item: &Item) -> impl Iterator<Item = (PackageRef, &str)> {
    let images = item
        .image
        .iter()
        .chain(&item.also_in_images)
        .filter(|_| !item.attached);
    images.map(|image| (item.package.clone(), image.as_str()))
}

fn item_of(record: JournalRecord) -> Result<Item, String> {
    Ok(Item {
        package: PackageRef::of_record(&record)?,
        version_id: record.version_id,
        name: record.name,
        tags: record.tags,
        image: record.image,
        image_level: record.image_level,
        also_in_images: record.also_in_images,
        attached: record.attached,
        lists: record.lists,
    })
}

/// Restores one item. `already_active` is what a listing said, if known;
/// otherwise the current state is read first, and only what is deleted is
/// restored.
async fn restore(context: &Context, item: &Item, already_active: Option<bool>) -> Restored {
    let target = &item.package;
    let (owner, package_type, package) =
        (&target.owner, &target.package_type, target.name.as_str());
    let found = match already_active {
        Some(true) => return Restored::AlreadyActive,
        Some(false) => Ok(Presence::Deleted),
        None => presence(&context.client, target, item.version_id).await,
    };
    match found {
        Ok(Presence::Active { package_id }) => return active(target, item, package_id),
        Ok(Presence::Deleted) => {}
        // Could not tell: try, and explain the refusal if there is one.
        Err(failure) => context.ui.note(format!(
            "could not read the state of {package}: {}",
            failure.explain(target.subject(item.version_id.is_some()))
        )),
    }
    context.ui.note(match item.version_id {
        Some(id) => format!("restoring version {id} of {package}"),
        None => format!("restoring package {package}"),
    });
    let result = match item.version_id {
        Some(id) => {
            context
                .client
                .restore_version(owner, package_type.clone(), package, id)
                .await
        }
        None => {
            context
                .client
                .restore_package(owner, package_type.clone(), package)
                .await
        }
    };
    let Err(failure) = result.map_err(Failure::from) else {
        return Restored::Yes;
    };
    // GitHub refuses to restore what is not deleted; find out if that is why.
    match presence(&context.client, target, item.version_id).await {
        Ok(Presence::Active { package_id }) => active(target, item, package_id),
        _ => Restored::Failed(failure.explain(target.subject(item.version_id.is_some()))),
    }
}

/// What restoring something that is there amounts to: nothing to do, unless
/// the package there is not the one that was deleted.
fn active(target: &PackageRef, item: &Item, package_id: Option<i64>) -> Restored {
    match (item.version_id, target.package_id, package_id) {
        (None, Some(deleted), Some(now)) if deleted != now => Restored::Failed(format!(
            "a different {} package named '{}' exists now (id {now}; the deleted one was id \
             {deleted}): GitHub does not restore a package while another of its name exists",
            target.package_type, target.name
        )),
        _ => Restored::AlreadyActive,
    }
}

fn report(
    context: &Context,
    journal: Option<&Path>,
    items: &[Item],
    results: &[Restored],
) -> Result<(), Exit> {
    let summary = RestoreTally::of(results);
    let failed = summary.failed;
    if context.json {
        context.print_json(&RestoreDoc {
            journal: journal.map(|p| p.display().to_string()),
            results: items
                .iter()
                .zip(results)
                .map(|(item, result)| RestoreRow {
                    about: &item.package,
                    version_id: item.version_id,
                    name: item.name.as_deref(),
                    tags: &item.tags,
                    result,
                    error: result.error(),
                })
                .collect(),
            summary,
        })?;
    } else {
        let mut table = Table::new(&["RESULT", "TYPE", "PACKAGE", "ID", "NAME", "TAGS", "WHY"]);
        for (item, result) in items.iter().zip(results) {
            table.row(vec![
                result.to_string(),
                item.package.package_type.to_string(),
                item.package.name.clone(),
                item.version_id.map_or("-".to_string(), |id| id.to_string()),
                item.name.clone().unwrap_or_else(|| "-".to_string()),
                tags_cell(&item.tags),
                result.error().unwrap_or_default().to_string(),
            ]);
        }
        let mut text = if table.is_empty() {
            "nothing to restore: the journal records no deletion\n".to_string()
        } else {
            table.render()
        };
        text.push_str(&format!(
            "restored {}, already active {}, failed {}\n",
            summary.restored, summary.already_active, summary.failed
        ));
        output::print_text(&text);
    }
    if failed > 0 {
        return Err(Exit::reported(ExitStatus::Failed));
    }
    Ok(())
}
