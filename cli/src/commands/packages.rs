//! `ghpkg packages`: the packages of one type an owner has.

use futures_util::TryStreamExt;
use github_packages::Owner;

use crate::args::{TypeArg, VisibilityArg};
use crate::context::Context;
use crate::exit::Exit;
use crate::explain::Failure;
use crate::output::json::{OwnerView, PackageView, PackagesDoc};
use crate::output::{self, packages_text};
use crate::target::{Target, owner_words};

pub async fn run(
    context: &Context,
    owner: Owner,
    package_type: TypeArg,
    visibility: Option<VisibilityArg>,
) -> Result<(), Exit> {
    let package_type = package_type.package_type();
    let target = Target::new(owner, package_type.clone(), "");
    let spinner = context.ui.spinner("listing packages");
    let mut list = context.client.packages(&target.owner, package_type.clone());
    if let Some(visibility) = visibility {
        list = list.visibility(visibility.visibility());
    }
    let packages: Vec<_> = list
        .inspect_ok(|_| spinner.inc(1))
        .try_collect()
        .await
        .map_err(|error| Failure::from(error).exit(target.subject(false)))?;
    context.ui.finish();
    let views: Vec<PackageView> = packages.iter().map(PackageView::from).collect();
    if context.json {
        return context.print_json(&PackagesDoc {
            owner: OwnerView::from(&target.owner),
            package_type: package_type.as_str(),
            packages: &views,
        });
    }
    output::print_text(&packages_text(
        &views,
        format!(
            "no {package_type} packages for {}",
            owner_words(&target.owner)
        ),
    ));
    Ok(())
}
