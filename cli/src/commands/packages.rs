//! `ghpkg packages`: the packages of one type an owner has.

use github_packages::Owner;

use crate::args::{TypeArg, VisibilityArg};
use crate::context::Context;
use crate::exit::Exit;
use crate::model::OwnerSpelling;
use crate::output::json::{PackageView, PackagesDoc};
use crate::output::{self, packages_text};

pub async fn run(
    context: &Context,
    owner: Owner,
    package_type: TypeArg,
    visibility: Option<VisibilityArg>,
) -> Result<(), Exit> {
    let package_type = package_type.package_type();
    let packages = context
        .list_packages(
            &owner,
            &package_type,
            visibility.map(VisibilityArg::visibility),
        )
        .await?;
    let views: Vec<PackageView> = packages.iter().map(PackageView::from).collect();
    if context.json {
        return context.print_json(&PackagesDoc {
            owner: owner.view(),
            package_type: package_type.as_str(),
            packages: &views,
        });
    }
    output::print_text(&packages_text(
        &views,
        format!("no {package_type} packages for {}", owner.words()),
    ));
    Ok(())
}
