//! The API's behaviour: authentication, scopes, and the 27 operations
//! carried out on the [`Store`].

use std::time::{Duration, Instant};

use chrono::{SubsecRound, Utc};
use serde::Serialize;

use crate::fault::FaultKind;
use crate::json::{self, BasicError, VersionWriter};
use crate::pagination::{self, PageRequest};
use crate::rate::{ANONYMOUS_RATE_LIMIT, RateStatus};
use crate::real_registry;
use crate::recording::RecordedRequest;
use crate::route::{self, Action, OwnerRef, PackagePath, Query, Resource, Route};
use crate::secondary_limit::{InFlight, Refused};
use crate::store::{
    OwnerKey, OwnerKind, PACKAGE_TYPES, Store, VISIBILITIES, VersionState, known_package_type,
};

pub(crate) const DOCS_REST: &str = "https://docs.github.com/rest";
const DOCS_PACKAGES: &str = "https://docs.github.com/rest/packages/packages";

/// GitHub's package lists refuse to page past this many results.
const PACKAGE_LIST_WINDOW: usize = 10_000;

const LAST_VERSION: &str =
    "You cannot delete the last version of a package. You must delete the package instead.";
const POPULAR_VERSION: &str = "You cannot delete a public package version that has been downloaded more than \
     5,000 times. Contact GitHub Support for further assistance.";
const POPULAR_PACKAGE: &str = "You cannot delete a public package that has a version downloaded more than \
     5,000 times. Contact GitHub Support for further assistance.";

/// A response before the headers every response carries are added.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(&'static str, String)>,
    /// A JSON document; `None` for 204.
    pub(crate) body: Option<Vec<u8>>,
}

impl Reply {
    pub(crate) fn json(status: u16, value: &impl Serialize) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Some(serde_json::to_vec(value).expect("response bodies serialize")),
        }
    }

    fn no_content() -> Reply {
        Reply {
            status: 204,
            headers: Vec::new(),
            body: None,
        }
    }

    /// A `BasicError` body: `{"message", "documentation_url", "status"}`.
    pub(crate) fn error(status: u16, message: &str, documentation_url: &str) -> Reply {
        Reply::json(
            status,
            &BasicError {
                message,
                documentation_url,
                status: status.to_string(),
            },
        )
    }

    pub(crate) fn header(mut self, name: &'static str, value: impl Into<String>) -> Reply {
        self.headers.push((name, value.into()));
        self
    }
}

fn not_found() -> Reply {
    Reply::error(404, "Not Found", DOCS_PACKAGES)
}

fn bad_request(message: &str) -> Reply {
    Reply::error(400, message, DOCS_PACKAGES)
}

/// Who is calling.
#[derive(Debug)]
pub(crate) enum Auth {
    Missing,
    Invalid,
    Token { scopes: Vec<String> },
}

/// What is known about a request once it is recorded.
#[derive(Debug)]
pub(crate) struct Context {
    pub(crate) auth: Auth,
    pub(crate) rate: RateStatus,
    pub(crate) request_id: u64,
    pub(crate) route: Option<Route>,
}

/// What the server does with a request before answering it.
pub(crate) struct Admission {
    pub(crate) context: Context,
    pub(crate) fault: Option<FaultKind>,
    pub(crate) latency: Duration,
    /// The request's in-flight slot, or its secondary-limit refusal.
    pub(crate) secondary: Result<InFlight, Refused>,
}

/// Records `request`, authenticates it, counts it against its rate-limit
/// window and takes the fault, if any, that it triggers.
pub(crate) fn admit(store: &mut Store, request: &RecordedRequest) -> Admission {
    store.requests.push(request.clone());
    store.request_count += 1;
    let auth = authenticate(store, request);
    let now = Utc::now().timestamp();
    let secondary = store.secondary.admit(&request.method, Instant::now());
    let rate = match (&auth, bearer_token(request)) {
        (Auth::Token { .. }, Some(token)) => {
            store.rate_windows.count(token, store.token_rate_limit, now)
        }
        _ => store.rate_windows.count("", ANONYMOUS_RATE_LIMIT, now),
    };
    Admission {
        context: Context {
            auth,
            rate,
            request_id: store.request_count,
            route: request
                .raw_path
                .strip_prefix(store.path_prefix.as_str())
                .and_then(|path| route::route(&request.method, path)),
        },
        // A refused request is not carried out: it uses up no fault.
        fault: secondary
            .is_ok()
            .then(|| store.faults.take(request))
            .flatten(),
        latency: store.latency,
        secondary,
    }
}

/// The token of `Authorization: Bearer <token>` or `token <token>`.
fn bearer_token(request: &RecordedRequest) -> Option<&str> {
    let (scheme, token) = request.header("authorization")?.trim().split_once(' ')?;
    let known = scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token");
    known.then(|| token.trim())
}

fn authenticate(store: &Store, request: &RecordedRequest) -> Auth {
    if request.header("authorization").is_none() {
        return Auth::Missing;
    }
    match bearer_token(request).and_then(|token| store.scopes(token)) {
        Some(scopes) => Auth::Token {
            scopes: scopes.to_vec(),
        },
        None => Auth::Invalid,
    }
}

/// A 403 naming the missing scope, if `scopes` do not allow `action`.
fn check_scopes(scopes: &[String], action: Action) -> Option<Reply> {
    let has = |scope: &str| scopes.iter().any(|granted| granted == scope);
    // As on GitHub, granting write:packages grants read:packages too.
    let missing = if !(has("read:packages") || has("write:packages")) {
        "You need at least read:packages scope to list packages."
    } else if action == Action::Delete && !has("delete:packages") {
        "You need at least delete:packages scope to delete packages."
    } else if action == Action::Restore && !has("write:packages") {
        "You need at least write:packages scope to restore packages."
    } else {
        return None;
    };
    Some(Reply::error(403, missing, DOCS_PACKAGES))
}

/// Carries out the request and says what GitHub would answer.
pub(crate) fn respond(store: &mut Store, context: &Context, request: &RecordedRequest) -> Reply {
    let Some(route) = &context.route else {
        return not_found();
    };
    match &context.auth {
        Auth::Missing => return Reply::error(401, "Requires authentication", DOCS_REST),
        Auth::Invalid => return Reply::error(401, "Bad credentials", DOCS_REST),
        Auth::Token { scopes } => {
            if let Some(refusal) = check_scopes(scopes, route.action) {
                return refusal;
            }
        }
    }
    let owner = match &route.owner {
        OwnerRef::Org(login) => OwnerKey::new(OwnerKind::Org, login),
        OwnerRef::User(login) => OwnerKey::new(OwnerKind::User, login),
        OwnerRef::AuthenticatedUser => OwnerKey::new(OwnerKind::User, &store.authenticated_user),
    };
    let query = Query::parse(request.query.as_deref());
    let list = ListRequest {
        raw_path: &request.raw_path,
        query: &query,
    };
    let outcome = match (&route.resource, route.action) {
        (Resource::DockerConflicts, _) => Ok(docker_conflicts(store, &owner)),
        (Resource::PackageList, _) => list_packages(store, &owner, &list),
        (Resource::Package(path), Action::Delete) => delete_package(store, &owner, path),
        (Resource::Package(path), _) => get_package(store, &owner, path),
        (Resource::PackageRestore(path), _) => restore_package(store, &owner, path),
        (Resource::VersionList(path), _) => list_versions(store, &owner, path, &list),
        (Resource::Version(path, id), Action::Delete) => delete_version(store, &owner, path, *id),
        (Resource::Version(path, id), _) => get_version(store, &owner, path, *id),
        (Resource::VersionRestore(path, id), _) => restore_version(store, &owner, path, *id),
    };
    outcome.unwrap_or_else(|refusal| refusal)
}

/// The parts of a list request its `Link` header is built from.
struct ListRequest<'a> {
    raw_path: &'a str,
    query: &'a Query<'a>,
}

impl ListRequest<'_> {
    /// A page of a list of `total` items, with GitHub's `Link` header.
    fn page(
        &self,
        store: &Store,
        page: PageRequest,
        total: usize,
        items: &impl Serialize,
    ) -> Reply {
        let reply = Reply::json(200, items);
        let last_page = page.last_page(total);
        // `raw_path` is the whole path as sent, prefix included.
        let origin = store
            .base_url
            .strip_suffix(store.path_prefix.as_str())
            .unwrap_or(&store.base_url);
        match pagination::link_header(origin, self.raw_path, self.query, page.page, last_page) {
            Some(link) => reply.header("link", link),
            None => reply,
        }
    }
}

fn invalid_package_type(value: &str) -> Reply {
    bad_request(&format!(
        "Invalid package_type {value:?}: must be one of {}.",
        PACKAGE_TYPES.join(", ")
    ))
}

/// The slot of a live package, or the refusal GitHub would give.
fn find_package(store: &Store, owner: &OwnerKey, path: &PackagePath) -> Result<usize, Reply> {
    if known_package_type(&path.package_type).is_none() {
        return Err(invalid_package_type(&path.package_type));
    }
    store
        .live_package_slot(owner, &path.package_type, &path.name)
        .ok_or_else(not_found)
}

fn docker_conflicts(store: &Store, owner: &OwnerKey) -> Reply {
    let packages: Vec<_> = store
        .conflicts_of(owner)
        .map(|package| json::package(store, package))
        .collect();
    Reply::json(200, &packages)
}

fn list_packages(store: &Store, owner: &OwnerKey, list: &ListRequest<'_>) -> Result<Reply, Reply> {
    let package_type = match list.query.get("package_type") {
        None => return Err(bad_request("Invalid argument: package_type is required.")),
        Some(value) => known_package_type(&value).ok_or_else(|| invalid_package_type(&value))?,
    };
    let visibility = match list.query.get("visibility") {
        None => None,
        Some(value) => Some(
            VISIBILITIES
                .iter()
                .copied()
                .find(|known| *known == value)
                .ok_or_else(|| {
                    bad_request(&format!(
                        "Invalid visibility {value:?}: must be one of {}.",
                        VISIBILITIES.join(", ")
                    ))
                })?,
        ),
    };
    let page = PageRequest::from_query(list.query);
    if page.page.saturating_mul(page.per_page) > PACKAGE_LIST_WINDOW {
        return Err(bad_request(
            "Pagination is limited to 10000 results. Use filters to narrow down the list.",
        ));
    }
    let matching: Vec<_> = store
        .packages_of(owner, package_type)
        .filter(|package| visibility.is_none_or(|visibility| package.visibility == visibility))
        .collect();
    let items: Vec<_> = matching
        .iter()
        .skip(page.offset())
        .take(page.per_page)
        .map(|package| json::package(store, package))
        .collect();
    Ok(list.page(store, page, matching.len(), &items))
}

fn get_package(store: &Store, owner: &OwnerKey, path: &PackagePath) -> Result<Reply, Reply> {
    let slot = find_package(store, owner, path)?;
    Ok(Reply::json(200, &json::package(store, store.package(slot))))
}

fn delete_package(store: &mut Store, owner: &OwnerKey, path: &PackagePath) -> Result<Reply, Reply> {
    let slot = find_package(store, owner, path)?;
    let package = store.package_mut(slot);
    if package.has_popular_public_version() {
        return Err(bad_request(POPULAR_PACKAGE));
    }
    package.deleted = true;
    Ok(Reply::no_content())
}

fn restore_package(
    store: &mut Store,
    owner: &OwnerKey,
    path: &PackagePath,
) -> Result<Reply, Reply> {
    if known_package_type(&path.package_type).is_none() {
        return Err(invalid_package_type(&path.package_type));
    }
    // Restoring a package that is not deleted changes nothing.
    let slot = store
        .package_slot(owner, &path.package_type, &path.name)
        .ok_or_else(not_found)?;
    store.package_mut(slot).deleted = false;
    Ok(Reply::no_content())
}

fn list_versions(
    store: &Store,
    owner: &OwnerKey,
    path: &PackagePath,
    list: &ListRequest<'_>,
) -> Result<Reply, Reply> {
    let slot = find_package(store, owner, path)?;
    let state = match list.query.get("state").as_deref() {
        None | Some("active") => VersionState::Active,
        Some("deleted") => VersionState::Deleted,
        Some(other) => {
            return Err(bad_request(&format!(
                "Invalid state {other:?}: must be one of active, deleted."
            )));
        }
    };
    // Unlike the package lists, version lists page on past 10,000 results:
    // the spec documents no 400 for them.
    let page = PageRequest::from_query(list.query);
    let package = store.package(slot);
    let writer = VersionWriter::new(store, package);
    let items: Vec<_> = package
        .listed(state)
        .skip(page.offset())
        .take(page.per_page)
        .map(|version| writer.version(version))
        .collect();
    Ok(list.page(store, page, package.count(state), &items))
}

/// The slots of a live package and of one of its versions.
fn find_version(
    store: &Store,
    owner: &OwnerKey,
    path: &PackagePath,
    id: i64,
) -> Result<(usize, usize), Reply> {
    let package_slot = find_package(store, owner, path)?;
    let version_slot = store.version_slot(package_slot, id).ok_or_else(not_found)?;
    Ok((package_slot, version_slot))
}

fn get_version(
    store: &Store,
    owner: &OwnerKey,
    path: &PackagePath,
    id: i64,
) -> Result<Reply, Reply> {
    // Deleted versions can still be read by id (they carry `deleted_at`).
    let (package_slot, version_slot) = find_version(store, owner, path, id)?;
    let package = store.package(package_slot);
    let writer = VersionWriter::new(store, package);
    Ok(Reply::json(
        200,
        &writer.version(package.version(version_slot)),
    ))
}

fn delete_version(
    store: &mut Store,
    owner: &OwnerKey,
    path: &PackagePath,
    id: i64,
) -> Result<Reply, Reply> {
    let (package_slot, version_slot) = find_version(store, owner, path, id)?;
    let package = store.package_mut(package_slot);
    let version = package.version(version_slot);
    // Deleting a deleted version again is a 404, so a retried DELETE whose
    // first attempt got through sees 404.
    if version.state() == VersionState::Deleted {
        return Err(not_found());
    }
    if package.visibility == "public" && version.download_count > 5000 {
        return Err(bad_request(POPULAR_VERSION));
    }
    if package.count(VersionState::Active) == 1 {
        return Err(bad_request(LAST_VERSION));
    }
    real_registry::delete_through(store, package_slot, version_slot)?;
    store
        .package_mut(package_slot)
        .set_deleted(version_slot, Some(Utc::now().trunc_subsecs(0)));
    Ok(Reply::no_content())
}

fn restore_version(
    store: &mut Store,
    owner: &OwnerKey,
    path: &PackagePath,
    id: i64,
) -> Result<Reply, Reply> {
    // Restoring a version that is not deleted changes nothing.
    let (package_slot, version_slot) = find_version(store, owner, path, id)?;
    real_registry::restore_through(store, package_slot, version_slot)?;
    store
        .package_mut(package_slot)
        .set_deleted(version_slot, None);
    Ok(Reply::no_content())
}
