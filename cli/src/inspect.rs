//! Read-only commands: `packages`, `versions`, `show`, `conflicts`.

use chrono::Utc;
use serde::Serialize;

use crate::cli::{PackageArgs, StateArg, TypeArg, VisibilityArg};
use crate::deletion::Target;
use crate::duration::format_age;
use crate::output::{
    self, OwnerView, PackageView, Table, VersionView, tags_cell, tags_of, time_cell,
};
use crate::owner::OwnerRef;
use crate::{Context, Exit};

fn json_out<T: Serialize>(value: &T) -> Result<(), Exit> {
    output::print_json(value).map_err(|error| Exit::failed(error.to_string()))
}

fn packages_table(packages: &[PackageView]) -> String {
    let mut table = Table::new(&["NAME", "VISIBILITY", "VERSIONS", "REPOSITORY", "UPDATED"]);
    for package in packages {
        table.row(vec![
            package.name.clone(),
            package.visibility.clone(),
            package.version_count.to_string(),
            package
                .repository
                .clone()
                .unwrap_or_else(|| "-".to_string()),
            time_cell(package.updated_at),
        ]);
    }
    table.render()
}

pub async fn packages(
    context: &Context,
    owner: OwnerRef,
    package_type: TypeArg,
    visibility: Option<VisibilityArg>,
) -> Result<(), Exit> {
    let package_type = package_type.package_type();
    let target = Target::new(owner, package_type.clone(), "");
    let spinner = context.ui.spinner("listing packages");
    let packages = context
        .api
        .packages(
            &target.owner,
            &package_type,
            visibility.map(VisibilityArg::visibility),
            &spinner,
        )
        .await
        .map_err(|failure| failure.exit(target.subject(false)))?;
    context.ui.finish();
    let views: Vec<PackageView> = packages.iter().map(PackageView::from).collect();
    if context.json {
        #[derive(Serialize)]
        struct View<'a> {
            owner: OwnerView,
            #[serde(rename = "type")]
            package_type: &'a str,
            packages: &'a [PackageView],
        }
        return json_out(&View {
            owner: OwnerView::from(&target.owner),
            package_type: package_type.as_str(),
            packages: &views,
        });
    }
    if views.is_empty() {
        output::print_text(&format!(
            "no {package_type} packages for {}\n",
            target.owner
        ));
    } else {
        output::print_text(&packages_table(&views));
    }
    Ok(())
}

pub async fn versions(
    context: &Context,
    owner: OwnerRef,
    package: &PackageArgs,
    state: StateArg,
) -> Result<(), Exit> {
    let target = Target::new(owner, package.package_type.package_type(), &package.name);
    let spinner = context.ui.spinner("listing versions");
    let versions = context
        .api
        .versions(
            &target.owner,
            &target.package_type,
            &target.package,
            state.state(),
            &spinner,
        )
        .await
        .map_err(|failure| failure.exit(target.subject(false)))?;
    context.ui.finish();
    let views: Vec<VersionView> = versions.iter().map(VersionView::from).collect();
    if context.json {
        #[derive(Serialize)]
        struct View<'a> {
            owner: OwnerView,
            #[serde(rename = "type")]
            package_type: &'a str,
            package: &'a str,
            state: String,
            versions: &'a [VersionView],
        }
        return json_out(&View {
            owner: OwnerView::from(&target.owner),
            package_type: target.package_type.as_str(),
            package: &target.package,
            state: state.state().to_string(),
            versions: &views,
        });
    }
    if views.is_empty() {
        output::print_text(&format!(
            "no {} versions of {} package {}\n",
            state.state(),
            target.package_type,
            target.package
        ));
        return Ok(());
    }
    let now = Utc::now();
    let deleted = state == StateArg::Deleted;
    let mut headers = vec!["ID", "NAME", "TAGS", "CREATED", "AGE"];
    if deleted {
        headers.push("DELETED");
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
        table.row(row);
    }
    output::print_text(&table.render());
    Ok(())
}

pub async fn show(
    context: &Context,
    owner: OwnerRef,
    package: &PackageArgs,
    version_id: Option<i64>,
) -> Result<(), Exit> {
    let target = Target::new(owner, package.package_type.package_type(), &package.name);
    let subject = target.subject(version_id.is_some());
    let (owner, package_type, name) =
        (&target.owner, &target.package_type, target.package.as_str());
    let mut lines = Table::new(&["FIELD", "VALUE"]);
    match version_id {
        Some(id) => {
            let version = context
                .api
                .version(owner, package_type, name, id)
                .await
                .map_err(|failure| failure.exit(subject))?;
            let view = VersionView::from(&version);
            if context.json {
                #[derive(Serialize)]
                struct View<'a> {
                    owner: OwnerView,
                    #[serde(rename = "type")]
                    package_type: &'a str,
                    package: &'a str,
                    version: VersionView,
                }
                return json_out(&View {
                    owner: OwnerView::from(owner),
                    package_type: package_type.as_str(),
                    package: name,
                    version: view,
                });
            }
            lines.row(vec!["id".into(), view.id.to_string()]);
            lines.row(vec!["name".into(), view.name.clone()]);
            lines.row(vec!["package".into(), format!("{package_type} {name}")]);
            lines.row(vec!["tags".into(), tags_cell(&tags_of(&version))]);
            lines.row(vec!["created".into(), time_cell(view.created_at)]);
            lines.row(vec!["updated".into(), time_cell(view.updated_at)]);
            lines.row(vec![
                "state".into(),
                view.deleted_at.map_or("active".to_string(), |at| {
                    format!("deleted {}", time_cell(at))
                }),
            ]);
            if let Some(url) = &view.html_url {
                lines.row(vec!["url".into(), url.clone()]);
            }
        }
        None => {
            let found = context
                .api
                .package(owner, package_type, name)
                .await
                .map_err(|failure| failure.exit(subject))?;
            let view = PackageView::from(&found);
            if context.json {
                #[derive(Serialize)]
                struct View {
                    owner: OwnerView,
                    package: PackageView,
                }
                return json_out(&View {
                    owner: OwnerView::from(owner),
                    package: view,
                });
            }
            lines.row(vec!["id".into(), view.id.to_string()]);
            lines.row(vec!["name".into(), view.name.clone()]);
            lines.row(vec!["type".into(), view.package_type.clone()]);
            lines.row(vec!["visibility".into(), view.visibility.clone()]);
            lines.row(vec!["versions".into(), view.version_count.to_string()]);
            lines.row(vec![
                "repository".into(),
                view.repository.clone().unwrap_or_else(|| "-".into()),
            ]);
            lines.row(vec!["created".into(), time_cell(view.created_at)]);
            lines.row(vec!["updated".into(), time_cell(view.updated_at)]);
            lines.row(vec!["url".into(), view.html_url.clone()]);
        }
    }
    // Key/value lines without the header row.
    let text = lines.render();
    output::print_text(text.split_once('\n').map_or("", |(_, rest)| rest));
    Ok(())
}

pub async fn conflicts(context: &Context, owner: OwnerRef) -> Result<(), Exit> {
    let target = Target::new(owner, github_packages::types::PackageType::Docker, "");
    let packages = context
        .api
        .docker_conflicts(&target.owner)
        .await
        .map_err(|failure| failure.exit(target.subject(false)))?;
    let views: Vec<PackageView> = packages.iter().map(PackageView::from).collect();
    if context.json {
        #[derive(Serialize)]
        struct View<'a> {
            owner: OwnerView,
            packages: &'a [PackageView],
        }
        return json_out(&View {
            owner: OwnerView::from(&target.owner),
            packages: &views,
        });
    }
    if views.is_empty() {
        output::print_text(&format!(
            "no Docker migration conflicts for {}\n",
            target.owner
        ));
    } else {
        output::print_text(&packages_table(&views));
    }
    Ok(())
}
