//! What every command gets: how to talk (the [`Ui`], `--json`), the client,
//! and the listing every command that reads versions shares.

use futures_util::TryStreamExt;
use github_packages::types::{
    Package, PackageType, PackageVersion, PackageVersionState, PackageVisibility,
};
use github_packages::{Client, Owner};
use indicatif::ProgressBar;
use serde::Serialize;

use crate::exit::Exit;
use crate::failure::Failure;
use crate::image_graph::ImageRegistry;
use crate::model::{PackageRef, Subject};
use crate::output;
use crate::ui::Ui;

/// What every command gets.
pub struct Context {
    pub ui: Ui,
    pub json: bool,
    pub client: Client,
    /// The container registry, for container packages' images.
    pub registry: ImageRegistry,
}

impl Context {
    /// The versions of `package` in `state`, counted on `progress`.
    pub async fn versions(
        &self,
        package: &PackageRef,
        state: PackageVersionState,
        progress: &ProgressBar,
    ) -> Result<Vec<PackageVersion>, Failure> {
        self.client
            .versions(&package.owner, package.package_type.clone(), &package.name)
            .state(state)
            .inspect_ok(|_| progress.inc(1))
            .try_collect()
            .await
            .map_err(Failure::from)
    }

    /// Lists the versions behind a spinner; a failure ends the command with
    /// its explanation.
    pub async fn list_versions(
        &self,
        package: &PackageRef,
        state: PackageVersionState,
    ) -> Result<Vec<PackageVersion>, Exit> {
        let spinner = self.ui.spinner("listing versions");
        let versions = self
            .versions(package, state, &spinner)
            .await
            .map_err(|failure| failure.exit(package.subject(false)))?;
        self.ui.finish();
        Ok(versions)
    }

    /// Lists `owner`'s packages of one type (of one visibility, if given)
    /// behind a spinner; a failure is explained as the command's error.
    pub async fn list_packages(
        &self,
        owner: &Owner,
        package_type: &PackageType,
        visibility: Option<PackageVisibility>,
    ) -> Result<Vec<Package>, Exit> {
        let subject = Subject::Packages {
            owner,
            package_type,
        };
        let spinner = self.ui.spinner("listing packages");
        let mut list = self.client.packages(owner, package_type.clone());
        if let Some(visibility) = visibility {
            list = list.visibility(visibility);
        }
        let packages = list
            .inspect_ok(|_| spinner.inc(1))
            .try_collect()
            .await
            .map_err(|error| Failure::from(error).exit(subject))?;
        self.ui.finish();
        Ok(packages)
    }

    /// Prints a command's `--json` document (one of `output::json`'s views).
    pub fn print_json<T: Serialize>(&self, document: &T) -> Result<(), Exit> {
        output::print_json(document).map_err(|error| Exit::failed(error.to_string()))
    }
}
