//! `ghpkg show`: one package, or one of its versions.

use github_packages::Owner;

use crate::args::PackageArgs;
use crate::context::Context;
use crate::exit::Exit;
use crate::failure::Failure;
use crate::model::{OwnerSpelling, PackageRef};
use crate::output::json::{PackageView, ShowPackageDoc, ShowVersionDoc, VersionView};
use crate::output::{self, Table, tags_cell, tags_of, time_cell};

pub async fn run(
    context: &Context,
    owner: Owner,
    package: &PackageArgs,
    version_id: Option<i64>,
) -> Result<(), Exit> {
    let target = PackageRef::new(owner, package.package_type.package_type(), &package.name);
    let subject = target.subject(version_id.is_some());
    let (owner, package_type, name) = (&target.owner, &target.package_type, target.name.as_str());
    let mut lines = Table::new(&["FIELD", "VALUE"]);
    match version_id {
        Some(id) => {
            let version = context
                .client
                .version(owner, package_type.clone(), name, id)
                .await
                .map_err(|error| Failure::from(error).exit(subject))?;
            let view = VersionView::from(&version);
            if context.json {
                return context.print_json(&ShowVersionDoc {
                    about: &target,
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
                .client
                .package(owner, package_type.clone(), name)
                .await
                .map_err(|error| Failure::from(error).exit(subject))?;
            let view = PackageView::from(&found);
            if context.json {
                return context.print_json(&ShowPackageDoc {
                    owner: owner.view(),
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
