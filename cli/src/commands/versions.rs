//! `ghpkg versions`: the active or deleted versions of a package.

use chrono::Utc;
use github_packages::Owner;

use crate::args::{PackageArgs, StateArg};
use crate::context::Context;
use crate::duration::format_age;
use crate::exit::Exit;
use crate::model::{PackageRef, Version};
use crate::output::json::{VersionView, VersionsDoc};
use crate::output::{self, Table, bytes_cell, tags_cell, time_cell};

pub async fn run(
    context: &Context,
    owner: Owner,
    package: &PackageArgs,
    state: StateArg,
    sizes: bool,
) -> Result<(), Exit> {
    let mut target = PackageRef::new(owner, package.package_type.package_type(), &package.name);
    let versions = context.list_versions(&target, state.state()).await?;
    let mut views: Vec<VersionView> = versions.iter().map(VersionView::from).collect();
    if sizes {
        target.learn_login(&context.client).await;
        add_image_sizes(context, &target, &mut views).await?;
    }
    if context.json {
        return context.print_json(&VersionsDoc {
            about: &target,
            state: state.state().to_string(),
            versions: &views,
        });
    }
    if views.is_empty() {
        output::print_text(&format!(
            "no {} versions of {} package {}\n",
            state.state(),
            target.package_type,
            target.name
        ));
        return Ok(());
    }
    let now = Utc::now();
    let deleted = state == StateArg::Deleted;
    let mut headers = vec!["ID", "NAME", "TAGS", "CREATED", "AGE"];
    if deleted {
        headers.push("DELETED");
    }
    if sizes {
        headers.push("IMAGE SIZE");
    }
    let mut table = Table::new(&headers);
    for version in &views {
        let mut row = vec![
            version.id.to_string(),
            version.name.clone(),
            tags_cell(&version.tags),
            time_cell(version.created_at),
            format_age(now - version.created_at),
        ];
        if deleted {
            row.push(version.deleted_at.map_or("-".to_string(), time_cell));
        }
        if sizes {
            row.push(version.image_bytes.map_or("-".to_string(), bytes_cell));
        }
        table.row(row);
    }
    output::print_text(&table.render());
    Ok(())
}

/// Sets each image root's `image_bytes`, from the registry's manifests
/// (versions that cannot be read are left without).
async fn add_image_sizes(
    context: &Context,
    target: &PackageRef,
    views: &mut [VersionView],
) -> Result<(), Exit> {
    let versions: Vec<Version> = views
        .iter()
        .map(|view| Version {
            id: view.id,
            name: view.name.clone(),
            tags: view.tags.clone(),
            created_at: view.created_at,
        })
        .collect();
    let read = context
        .registry
        .readable_graph(&context.ui, target, &versions)
        .await?;
    for (image, entry) in read.graph.images().iter().enumerate() {
        let id = read.versions[entry.root].id;
        if let Some(view) = views.iter_mut().find(|view| view.id == id) {
            view.image_bytes = Some(read.graph.image_bytes(image));
        }
    }
    Ok(())
}
