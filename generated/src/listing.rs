//! Listings of packages and of package versions, for any [`Owner`]: streams
//! that fetch pages as they are consumed (see [`crate::pagination`]).

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;

use crate::Client;
use crate::construction::{check_page_concurrency, check_per_page};
use crate::error::Error;
use crate::owner::Owner;
use crate::package_calls::{check_package, per_owner};
use crate::pagination::{self, FirstPage, GITHUB_RESULT_LIMIT, Items, Page};
use crate::path::check_package_type;
use crate::types::{Package, PackageType, PackageVersion, PackageVersionState, PackageVisibility};

/// The packages of one type an owner has: a [`Stream`] of
/// `Result<Package, Error>`, made by [`Client::packages`]. Nothing is sent
/// until it is first polled.
///
/// GitHub lists at most 10,000 packages (`page * per_page`); a listing that
/// reaches that ends with [`crate::ErrorKind::PaginationLimit`] without
/// requesting the page past it.
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

/// What [`PackageList`] and [`VersionList`] share: the page size and
/// concurrency setters, the `Stream` that starts on the first poll, and
/// `Debug`.
macro_rules! listing {
    ($list:ident, $item:ty, debug: [$($field:ident),*]) => {
        impl $list {
            /// Items per page, 1 to 100 (default: the client's, 100 unless set).
            pub fn per_page(mut self, per_page: u8) -> Self {
                self.per_page = per_page;
                self
            }

            /// Pages fetched at once once the last page is known (default: the
            /// client's, 4 unless set); 1 follows `rel="next"` one page at a
            /// time. The pages are fetched by tasks on the current tokio
            /// runtime, at most this many ahead of the page being read, so
            /// a consumer that takes its time over each item does not hold
            /// them up.
            pub fn concurrency(mut self, pages: usize) -> Self {
                self.concurrency = pages;
                self
            }

            /// The checks every listing makes before sending anything.
            fn check_common(&self) -> Result<(), Error> {
                check_per_page(self.per_page)?;
                check_page_concurrency(self.concurrency)
            }
        }

        impl Stream for $list {
            type Item = Result<$item, Error>;

            fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
                let this = self.get_mut();
                if this.items.is_none() {
                    this.items = Some(match this.check_common() {
                        Ok(()) => this.start(),
                        Err(error) => pagination::failed(error),
                    });
                }
                this.items
                    .as_mut()
                    .map_or(Poll::Ready(None), |items| items.as_mut().poll_next(cx))
            }
        }

        impl fmt::Debug for $list {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($list))
                    $(.field(stringify!($field), &self.$field))*
                    .field("per_page", &self.per_page)
                    .field("concurrency", &self.concurrency)
                    .field("started", &self.items.is_some())
                    .finish()
            }
        }
    };
}

listing!(PackageList, Package, debug: [owner, package_type, visibility]);
listing!(VersionList, PackageVersion, debug: [owner, package_type, package_name, state]);

impl PackageList {
    /// Only packages with this visibility.
    pub fn visibility(mut self, visibility: PackageVisibility) -> Self {
        self.visibility = Some(visibility);
        self
    }

    fn start(&self) -> Items<Package> {
        let checked = self
            .owner
            .check()
            .and_then(|()| check_package_type(&self.package_type));
        if let Err(error) = checked {
            return pagination::failed(error);
        }
        let client = self.client.clone();
        let owner = self.owner.clone();
        let package_type = self.package_type.clone();
        let visibility = self.visibility.clone();
        let per_page = i64::from(self.per_page);
        let first: FirstPage<Package> = Box::pin(async move {
            per_owner!(
                &owner,
                client,
                Page::first,
                read,
                [
                    list_packages_for_organization,
                    list_packages_for_user,
                    list_packages_for_authenticated_user
                ],
                |request| {
                    let request = request.package_type(package_type).per_page(per_page);
                    match visibility {
                        Some(visibility) => request.visibility(visibility),
                        None => request,
                    }
                }
            )
        });
        pagination::items(
            self.client.clone(),
            self.concurrency,
            Some(GITHUB_RESULT_LIMIT),
            first,
        )
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

    fn start(&self) -> Items<PackageVersion> {
        let checked =
            check_package(&self.owner, &self.package_type, &self.package_name).and_then(|()| {
                match self.state {
                    Some(PackageVersionState::Deleted) if !self.owner.lists_deleted_versions() => {
                        Err(Error::unsupported(
                            "listing deleted versions of another user's package",
                        ))
                    }
                    _ => Ok(()),
                }
            });
        if let Err(error) = checked {
            return pagination::failed(error);
        }
        let client = self.client.clone();
        let owner = self.owner.clone();
        let package_type = self.package_type.clone();
        let package_name = self.package_name.clone();
        let state = self.state;
        let per_page = i64::from(self.per_page);
        let first: FirstPage<PackageVersion> = Box::pin(async move {
            let name = package_name.as_str();
            per_owner!(
                &owner, client, Page::first, read,
                org: get_all_package_versions_for_package_owned_by_org |request| {
                    let request = request.package_type(package_type).package_name(name);
                    match state {
                        Some(state) => request.state(state),
                        None => request,
                    }
                    .per_page(per_page)
                },
                // `active` is GitHub's default, so leaving it out is exact.
                user: get_all_package_versions_for_package_owned_by_user |request| request
                    .package_type(package_type)
                    .package_name(name)
                    .per_page(per_page),
                me: get_all_package_versions_for_package_owned_by_authenticated_user |request| {
                    let request = request.package_type(package_type).package_name(name);
                    match state {
                        Some(state) => request.state(state),
                        None => request,
                    }
                    .per_page(per_page)
                },
            )
        });
        pagination::items(self.client.clone(), self.concurrency, None, first)
    }
}
