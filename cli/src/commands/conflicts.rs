//! `ghpkg conflicts`: packages that hit a conflict in the Docker-to-Container
//! migration.

use github_packages::Owner;
use github_packages::types::PackageType;

use crate::context::Context;
use crate::exit::Exit;
use crate::failure::Failure;
use crate::model::{OwnerSpelling, Subject};
use crate::output::json::{ConflictsDoc, PackageView};
use crate::output::{self, packages_text};

pub async fn run(context: &Context, owner: Owner) -> Result<(), Exit> {
    let subject = Subject::Packages {
        owner: &owner,
        package_type: &PackageType::Docker,
    };
    let packages = context
        .client
        .docker_conflicts(&owner)
        .await
        .map_err(|error| Failure::from(error).exit(subject))?;
    let views: Vec<PackageView> = packages.iter().map(PackageView::from).collect();
    if context.json {
        return context.print_json(&ConflictsDoc {
            owner: owner.view(),
            packages: &views,
        });
    }
    output::print_text(&packages_text(
        &views,
        format!("no Docker migration conflicts for {}", owner.words()),
    ));
    Ok(())
}
