//! Listings of packages and of package versions, for any [`Owner`]: streams
//! that fetch pages as they are consumed (see [`crate::pagination`]).

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;

use crate::Client;
use crate::config::{check_page_concurrency, check_per_page};
use crate::error::{Call, Error};
use crate::owner::Owner;
use crate::pagination::{self, FirstPage, Items, Page};
use crate::path::check_segment;
use crate::retry::generated_cut_off;
use crate::types::{Package, PackageType, PackageVersion, PackageVersionState, PackageVisibility};

/// The packages of one type an owner has: a [`Stream`] of
/// `Result<Package, Error>`, made by [`Client::packages`]. Nothing is sent
/// until it is first polled.
pub struct PackageList {
    client: Client,
    owner: Owner,
    package_type: PackageType,
    visibility: Option<PackageVisibility>,
    per_page: u8,
    concurrency: usize,
    items: Option<Items<Package>>,
}

/// The versions of one package: a [`Stream`] of
/// `Result<PackageVersion, Error>`, made by [`Client::versions`]. Nothing is
/// sent until it is first polled.
pub struct VersionList {
    client: Client,
    owner: Owner,
    package_type: PackageType,
    package_name: String,
    state: Option<PackageVersionState>,
    per_page: u8,
    concurrency: usize,
    items: Option<Items<PackageVersion>>,
}

impl Client {
    /// Lists an owner's packages of one type.
    ///
    /// ```no_run
    /// # async fn run(client: github_packages::Client) -> Result<(), github_packages::Error> {
    /// use futures_util::TryStreamExt;
    /// use github_packages::Owner;
    /// use github_packages::types::{PackageType, PackageVisibility};
    ///
    /// let public: Vec<_> = client
    ///     .packages(&Owner::org("octo-org"), PackageType::Container)
    ///     .visibility(PackageVisibility::Public)
    ///     .try_collect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn packages(&self, owner: &Owner, package_type: PackageType) -> PackageList {
        PackageList {
            client: self.clone(),
            owner: owner.clone(),
            package_type,
            visibility: None,
            per_page: self.inner.per_page(),
            concurrency: self.inner.page_concurrency(),
            items: None,
        }
    }

    /// Lists the versions of a package, newest first as GitHub orders them.
    pub fn versions(
        &self,
        owner: &Owner,
        package_type: PackageType,
        package_name: &str,
    ) -> VersionList {
        VersionList {
            client: self.clone(),
            owner: owner.clone(),
            package_type,
            package_name: package_name.to_string(),
            state: None,
            per_page: self.inner.per_page(),
            concurrency: self.inner.page_concurrency(),
            items: None,
        }
    }
}

impl PackageList {
    /// Only packages with this visibility.
    pub fn visibility(mut self, visibility: PackageVisibility) -> Self {
        self.visibility = Some(visibility);
        self
    }

    /// Items per page, 1 to 100 (default: the client's, 100 unless set).
    pub fn per_page(mut self, per_page: u8) -> Self {
        self.per_page = per_page;
        self
    }

    /// Pages fetched at once once the last page is known (default: the
    /// client's, 4 unless set); 1 follows `rel="next"` one page at a time.
    pub fn concurrency(mut self, pages: usize) -> Self {
        self.concurrency = pages;
        self
    }

    fn start(&self) -> Items<Package> {
        let checked = self
            .owner
            .check()
            .and_then(|()| check_per_page(self.per_page))
            .and_then(|()| check_page_concurrency(self.concurrency));
        if let Err(error) = checked {
            return pagination::failed(error);
        }
        let call = Call::read(match self.owner {
            Owner::Org(_) => "list_packages_for_organization",
            Owner::User(_) => "list_packages_for_user",
            Owner::AuthenticatedUser => "list_packages_for_authenticated_user",
        });
        let client = self.client.clone();
        let owner = self.owner.clone();
        let package_type = self.package_type.clone();
        let visibility = self.visibility.clone();
        let per_page = i64::from(self.per_page);
        let first: FirstPage<Package> = Box::pin(async move {
            let (client, owner) = (&client, &owner);
            let send = || {
                let package_type = package_type.clone();
                let visibility = visibility.clone();
                async move {
                    match owner {
                        Owner::Org(org) => {
                            let mut request = client
                                .list_packages_for_organization()
                                .org(org)
                                .package_type(package_type)
                                .per_page(per_page);
                            if let Some(visibility) = visibility {
                                request = request.visibility(visibility);
                            }
                            request.send().await
                        }
                        Owner::User(username) => {
                            let mut request = client
                                .list_packages_for_user()
                                .username(username)
                                .package_type(package_type)
                                .per_page(per_page);
                            if let Some(visibility) = visibility {
                                request = request.visibility(visibility);
                            }
                            request.send().await
                        }
                        Owner::AuthenticatedUser => {
                            let mut request = client
                                .list_packages_for_authenticated_user()
                                .package_type(package_type)
                                .per_page(per_page);
                            if let Some(visibility) = visibility {
                                request = request.visibility(visibility);
                            }
                            request.send().await
                        }
                    }
                }
            };
            let result = client
                .inner
                .again_if_cut_off(call.operation, generated_cut_off, send)
                .await;
            Page::first(call, result).await
        });
        pagination::items(self.client.clone(), call, self.concurrency, first)
    }
}

impl VersionList {
    /// Only versions in this state (GitHub's default: active). GitHub has no
    /// state filter for another user's packages: asking for deleted versions
    /// of an [`Owner::User`] package is an [`crate::ErrorKind::Unsupported`]
    /// error.
    pub fn state(mut self, state: PackageVersionState) -> Self {
        self.state = Some(state);
        self
    }

    /// Items per page, 1 to 100 (default: the client's, 100 unless set).
    pub fn per_page(mut self, per_page: u8) -> Self {
        self.per_page = per_page;
        self
    }

    /// Pages fetched at once once the last page is known (default: the
    /// client's, 4 unless set); 1 follows `rel="next"` one page at a time.
    pub fn concurrency(mut self, pages: usize) -> Self {
        self.concurrency = pages;
        self
    }

    fn start(&self) -> Items<PackageVersion> {
        let checked = self
            .owner
            .check()
            .and_then(|()| check_segment("package_name", &self.package_name))
            .and_then(|()| check_per_page(self.per_page))
            .and_then(|()| check_page_concurrency(self.concurrency))
            .and_then(|()| match (&self.owner, self.state) {
                (Owner::User(_), Some(PackageVersionState::Deleted)) => Err(Error::unsupported(
                    "listing deleted versions of another user's package",
                )),
                _ => Ok(()),
            });
        if let Err(error) = checked {
            return pagination::failed(error);
        }
        let call = Call::read(match self.owner {
            Owner::Org(_) => "get_all_package_versions_for_package_owned_by_org",
            Owner::User(_) => "get_all_package_versions_for_package_owned_by_user",
            Owner::AuthenticatedUser => {
                "get_all_package_versions_for_package_owned_by_authenticated_user"
            }
        });
        let client = self.client.clone();
        let owner = self.owner.clone();
        let package_type = self.package_type.clone();
        let package_name = self.package_name.clone();
        let state = self.state;
        let per_page = i64::from(self.per_page);
        let first: FirstPage<PackageVersion> = Box::pin(async move {
            let (client, owner, package_name) = (&client, &owner, &package_name);
            let send = || {
                let package_type = package_type.clone();
                async move {
                    match owner {
                        Owner::Org(org) => {
                            let mut request = client
                                .get_all_package_versions_for_package_owned_by_org()
                                .org(org)
                                .package_type(package_type)
                                .package_name(package_name)
                                .per_page(per_page);
                            if let Some(state) = state {
                                request = request.state(state);
                            }
                            request.send().await
                        }
                        // `active` is GitHub's default, so leaving it out is exact.
                        Owner::User(username) => {
                            client
                                .get_all_package_versions_for_package_owned_by_user()
                                .username(username)
                                .package_type(package_type)
                                .package_name(package_name)
                                .per_page(per_page)
                                .send()
                                .await
                        }
                        Owner::AuthenticatedUser => {
                            let mut request = client
                                .get_all_package_versions_for_package_owned_by_authenticated_user()
                                .package_type(package_type)
                                .package_name(package_name)
                                .per_page(per_page);
                            if let Some(state) = state {
                                request = request.state(state);
                            }
                            request.send().await
                        }
                    }
                }
            };
            let result = client
                .inner
                .again_if_cut_off(call.operation, generated_cut_off, send)
                .await;
            Page::first(call, result).await
        });
        pagination::items(self.client.clone(), call, self.concurrency, first)
    }
}

impl Stream for PackageList {
    type Item = Result<Package, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.items.is_none() {
            this.items = Some(this.start());
        }
        this.items
            .as_mut()
            .map_or(Poll::Ready(None), |items| items.as_mut().poll_next(cx))
    }
}

impl Stream for VersionList {
    type Item = Result<PackageVersion, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.items.is_none() {
            this.items = Some(this.start());
        }
        this.items
            .as_mut()
            .map_or(Poll::Ready(None), |items| items.as_mut().poll_next(cx))
    }
}

impl fmt::Debug for PackageList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PackageList")
            .field("owner", &self.owner)
            .field("package_type", &self.package_type)
            .field("visibility", &self.visibility)
            .field("per_page", &self.per_page)
            .field("concurrency", &self.concurrency)
            .field("started", &self.items.is_some())
            .finish()
    }
}

impl fmt::Debug for VersionList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VersionList")
            .field("owner", &self.owner)
            .field("package_type", &self.package_type)
            .field("package_name", &self.package_name)
            .field("state", &self.state)
            .field("per_page", &self.per_page)
            .field("concurrency", &self.concurrency)
            .field("started", &self.items.is_some())
            .finish()
    }
}
