//! `ghpkg versions`: the active or deleted versions of a package.

use chrono::Utc;
use github_packages::Owner;

use crate::args::{PackageArgs, StateArg};
use crate::context::Context;
use crate::duration::format_age;
use crate::exit::Exit;
use crate::model::PackageRef;
use crate::output::json::{VersionView, VersionsDoc};
use crate::output::{self, Table, tags_cell, time_cell};

pub async fn run(
    context: &Context,
    owner: Owner,
    package: &PackageArgs,
    state: StateArg,
) -> Result<(), Exit> {
    let target = PackageRef::new(owner, package.package_type.package_type(), &package.name);
    let versions = context.list_versions(&target, state.state()).await?;
    let views: Vec<VersionView> = versions.iter().map(VersionView::from).collect();
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
