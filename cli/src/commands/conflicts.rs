//! `ghpkg conflicts`: packages that hit a conflict in the Docker-to-Container
//! migration.

use github_packages::Owner;
use github_packages::types::PackageType;

use crate::context::Context;
use crate::exit::Exit;
use crate::failure::Failure;
use crate::output::json::{ConflictsDoc, OwnerView, PackageView};
use crate::output::{self, packages_text};
use crate::target::{Target, owner_words};

pub async fn run(context: &Context, owner: Owner) -> Result<(), Exit> {
    let target = Target::new(owner, PackageType::Docker, "");
    let packages = context
        .client
        .docker_conflicts(&target.owner)
        .await
        .map_err(|error| Failure::from(error).exit(target.subject(false)))?;
    let views: Vec<PackageView> = packages.iter().map(PackageView::from).collect();
    if context.json {
        return context.print_json(&ConflictsDoc {
            owner: OwnerView::from(&target.owner),
            packages: &views,
        });
    }
    output::print_text(&packages_text(
        &views,
        format!(
            "no Docker migration conflicts for {}",
            owner_words(&target.owner)
        ),
    ));
    Ok(())
}
