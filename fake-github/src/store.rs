//! The fake's state: accounts, packages and their versions, and tokens;
//! beside them the rate-limit windows ([`crate::rate`]), the pending faults
//! ([`crate::fault::FaultQueue`]) and the request log, each kept by its own
//! module.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, SubsecRound, TimeZone, Utc};

use crate::fault::FaultQueue;
use crate::rate::{RateWindows, TOKEN_RATE_LIMIT};
use crate::real_registry::Backing;
use crate::recording::RecordedRequest;
use crate::registry::Registry;
use crate::secondary_limit::SecondaryLimiter;

/// The six package types GitHub knows, as they appear in paths and queries.
pub(crate) const PACKAGE_TYPES: [&str; 6] =
    ["npm", "maven", "rubygems", "docker", "nuget", "container"];

/// Returns the canonical spelling of a known package type.
pub(crate) fn known_package_type(value: &str) -> Option<&'static str> {
    PACKAGE_TYPES.iter().copied().find(|known| *known == value)
}

/// The visibilities a package can have.
pub(crate) const VISIBILITIES: [&str; 3] = ["public", "private", "internal"];

/// Default `created_at` of seeded packages and versions: fixed, so that
/// responses are the same on every run.
pub(crate) fn base_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0)
        .single()
        .expect("valid constant date")
}

/// Who owns a package: an organization (`/orgs/{org}/...`) or a user
/// (`/users/{username}/...`, and `/user/...` for the authenticated user).
///
/// Logins are compared case-insensitively, as GitHub does.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Owner {
    /// An organization, by login.
    Org(String),
    /// A user, by login.
    User(String),
}

impl Owner {
    /// `Owner::Org(login)`.
    pub fn org(login: impl Into<String>) -> Owner {
        Owner::Org(login.into())
    }

    /// `Owner::User(login)`.
    pub fn user(login: impl Into<String>) -> Owner {
        Owner::User(login.into())
    }

    pub(crate) fn key(&self) -> OwnerKey {
        match self {
            Owner::Org(login) => OwnerKey::new(OwnerKind::Org, login),
            Owner::User(login) => OwnerKey::new(OwnerKind::User, login),
        }
    }

    fn login(&self) -> &str {
        match self {
            Owner::Org(login) | Owner::User(login) => login,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum OwnerKind {
    Org,
    User,
}

/// An owner as the store indexes it: kind plus lower-cased login.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct OwnerKey {
    pub(crate) kind: OwnerKind,
    login: String,
}

impl OwnerKey {
    pub(crate) fn new(kind: OwnerKind, login: &str) -> OwnerKey {
        OwnerKey {
            kind,
            login: login.to_lowercase(),
        }
    }
}

/// A version to seed with [`FakeGitHub::add_version`](crate::FakeGitHub::add_version).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionSpec {
    /// Version name, e.g. `1.0.4` or a container digest `sha256:...`.
    pub name: String,
    /// Container tags (sent as `metadata.container.tags` for container
    /// packages and `metadata.docker.tag` for docker packages).
    pub tags: Vec<String>,
    /// Creation time; the version lists are ordered newest first.
    pub created_at: DateTime<Utc>,
    /// Downloads so far. A version of a public package with more than 5,000
    /// downloads cannot be deleted (nor can its package).
    pub download_count: u64,
}

impl VersionSpec {
    /// A version without tags or downloads, created at 2024-01-01T00:00:00Z.
    /// Versions with equal `created_at` are listed newest-added first.
    pub fn new(name: impl Into<String>) -> VersionSpec {
        VersionSpec {
            name: name.into(),
            tags: Vec::new(),
            created_at: base_time(),
            download_count: 0,
        }
    }

    /// Sets the container tags.
    pub fn tags(mut self, tags: &[&str]) -> VersionSpec {
        self.tags = tags.iter().map(|tag| tag.to_string()).collect();
        self
    }

    /// Sets the creation time.
    pub fn created_at(mut self, created_at: DateTime<Utc>) -> VersionSpec {
        self.created_at = created_at;
        self
    }

    /// Sets the download count.
    pub fn download_count(mut self, download_count: u64) -> VersionSpec {
        self.download_count = download_count;
        self
    }
}

/// A version as the fake currently holds it (see
/// [`FakeGitHub::versions`](crate::FakeGitHub::versions)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredVersion {
    /// Version id.
    pub id: i64,
    /// Version name.
    pub name: String,
    /// Container tags.
    pub tags: Vec<String>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Whether the version is deleted (restorable, listed with `state=deleted`).
    pub deleted: bool,
}

pub(crate) struct Account {
    pub(crate) login: String,
    pub(crate) id: i64,
    pub(crate) kind: OwnerKind,
}

/// Which versions a list shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum VersionState {
    Active,
    Deleted,
}

pub(crate) struct Version {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) tags: Vec<String>,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) download_count: u64,
    pub(crate) deleted_at: Option<DateTime<Utc>>,
    /// `metadata.container` is left out of the API's answers.
    pub(crate) tags_left_out: bool,
}

impl Version {
    pub(crate) fn state(&self) -> VersionState {
        if self.deleted_at.is_some() {
            VersionState::Deleted
        } else {
            VersionState::Active
        }
    }

    /// GitHub's list order: newest first, ties broken by the higher id.
    fn listed_before(&self, other: &Version) -> bool {
        (self.created_at, self.id) > (other.created_at, other.id)
    }
}

pub(crate) struct Package {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) package_type: &'static str,
    pub(crate) visibility: &'static str,
    pub(crate) owner: OwnerKey,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
    pub(crate) deleted: bool,
    pub(crate) docker_conflict: bool,
    /// In insertion order; `order` holds the list order.
    versions: Vec<Version>,
    /// Indices into `versions`, in GitHub's list order.
    order: Vec<usize>,
    /// Indices into `versions` by name: the registry finds a manifest
    /// without a scan of every version (100,000 reads of a 100,000-version
    /// package would cost 5 billion comparisons).
    by_name: HashMap<String, Vec<usize>>,
    active: usize,
}

impl Package {
    pub(crate) fn count(&self, state: VersionState) -> usize {
        match state {
            VersionState::Active => self.active,
            VersionState::Deleted => self.versions.len() - self.active,
        }
    }

    /// Versions in `state`, in list order. Lazy, so a page costs only the
    /// versions up to its end.
    pub(crate) fn listed(&self, state: VersionState) -> impl Iterator<Item = &Version> {
        self.order
            .iter()
            .map(|&index| &self.versions[index])
            .filter(move |version| version.state() == state)
    }

    pub(crate) fn version(&self, slot: usize) -> &Version {
        &self.versions[slot]
    }

    /// The active version named `name`, the first in list order if two are.
    pub(crate) fn active_named(&self, name: &str) -> Option<&Version> {
        let slots = self.by_name.get(name)?;
        let mut active = slots
            .iter()
            .map(|&slot| &self.versions[slot])
            .filter(|version| version.state() == VersionState::Active);
        let first = active.next()?;
        if active.next().is_none() {
            return Some(first);
        }
        self.listed(VersionState::Active)
            .find(|version| version.name == name)
    }

    /// Adds `version` and returns its slot.
    fn push_version(&mut self, version: Version) -> usize {
        let slot = self.versions.len();
        self.by_name
            .entry(version.name.clone())
            .or_default()
            .push(slot);
        self.versions.push(version);
        slot
    }

    pub(crate) fn has_popular_public_version(&self) -> bool {
        self.visibility == "public" && self.versions.iter().any(|v| v.download_count > 5000)
    }

    /// From now on the API leaves out the version's `metadata.container`.
    pub(crate) fn leave_out_tags(&mut self, slot: usize) {
        self.versions[slot].tags_left_out = true;
    }

    pub(crate) fn set_deleted(&mut self, slot: usize, deleted_at: Option<DateTime<Utc>>) {
        let version = &mut self.versions[slot];
        match (version.deleted_at.is_some(), deleted_at.is_some()) {
            (false, true) => self.active -= 1,
            (true, false) => self.active += 1,
            _ => {}
        }
        version.deleted_at = deleted_at;
    }

    fn newest_created_at(&self) -> Option<DateTime<Utc>> {
        self.order
            .first()
            .map(|&index| self.versions[index].created_at)
    }
}

pub(crate) struct Store {
    /// The API's root, e.g. `http://127.0.0.1:PORT`, or
    /// `https://127.0.0.1:PORT/api/v3` for Enterprise Server.
    pub(crate) base_url: String,
    /// What comes before the API's paths (`/api/v3` for Enterprise Server).
    pub(crate) path_prefix: String,
    pub(crate) authenticated_user: String,
    tokens: HashMap<String, Vec<String>>,
    pub(crate) rate_windows: RateWindows,
    accounts: HashMap<OwnerKey, Account>,
    packages: Vec<Package>,
    package_slots: HashMap<(OwnerKey, &'static str, String), usize>,
    /// Version id -> (package slot, version slot).
    version_slots: HashMap<i64, (usize, usize)>,
    next_account_id: i64,
    next_package_id: i64,
    next_version_id: i64,
    pub(crate) faults: FaultQueue,
    pub(crate) latency: Duration,
    pub(crate) requests: Vec<RecordedRequest>,
    pub(crate) request_count: u64,
    /// Connections accepted, whether or not a request followed.
    pub(crate) connections: u64,
    /// The hourly quota of each token (`x-ratelimit-limit`).
    pub(crate) token_rate_limit: u32,
    pub(crate) secondary: SecondaryLimiter,
    /// The container registry's manifests and tokens.
    pub(crate) registry: Registry,
    /// Container packages (by slot) whose versions are a real registry's
    /// manifests.
    pub(crate) real_registries: HashMap<usize, Backing>,
}

impl Store {
    pub(crate) fn new(base_url: String, path_prefix: &str, default_token: &str) -> Store {
        let mut store = Store {
            base_url,
            path_prefix: path_prefix.to_string(),
            authenticated_user: "octocat".to_string(),
            tokens: HashMap::new(),
            rate_windows: RateWindows::default(),
            accounts: HashMap::new(),
            packages: Vec::new(),
            package_slots: HashMap::new(),
            version_slots: HashMap::new(),
            next_account_id: 1,
            next_package_id: 1_000,
            next_version_id: 1_000_000,
            faults: FaultQueue::default(),
            latency: Duration::ZERO,
            requests: Vec::new(),
            request_count: 0,
            connections: 0,
            token_rate_limit: TOKEN_RATE_LIMIT,
            secondary: SecondaryLimiter::default(),
            registry: Registry::default(),
            real_registries: HashMap::new(),
        };
        store.add_token(
            default_token,
            &["read:packages", "write:packages", "delete:packages"],
        );
        store
    }

    // ----------------------------------------------------------- tokens --

    pub(crate) fn add_token(&mut self, token: &str, scopes: &[&str]) {
        let scopes = scopes.iter().map(|scope| scope.to_string()).collect();
        self.tokens.insert(token.to_string(), scopes);
    }

    pub(crate) fn scopes(&self, token: &str) -> Option<&[String]> {
        self.tokens.get(token).map(Vec::as_slice)
    }

    // --------------------------------------------------------- accounts --

    fn ensure_account(&mut self, owner: &Owner) -> OwnerKey {
        let key = owner.key();
        if !self.accounts.contains_key(&key) {
            let id = self.next_account_id;
            self.next_account_id += 1;
            let account = Account {
                login: owner.login().to_string(),
                id,
                kind: key.kind,
            };
            self.accounts.insert(key.clone(), account);
        }
        key
    }

    /// The account record, made up on the fly for an owner never seeded.
    pub(crate) fn account(&self, key: &OwnerKey) -> Account {
        match self.accounts.get(key) {
            Some(account) => Account {
                login: account.login.clone(),
                id: account.id,
                kind: account.kind,
            },
            None => Account {
                login: key.login.clone(),
                id: 0,
                kind: key.kind,
            },
        }
    }

    // --------------------------------------------------------- packages --

    pub(crate) fn add_package(
        &mut self,
        owner: &Owner,
        package_type: &str,
        name: &str,
        visibility: &str,
    ) -> i64 {
        let package_type = known_package_type(package_type).unwrap_or_else(|| {
            panic!("fake-github: unknown package type {package_type:?}; expected one of {PACKAGE_TYPES:?}")
        });
        let visibility = VISIBILITIES
            .iter()
            .copied()
            .find(|known| *known == visibility)
            .unwrap_or_else(|| {
                panic!("fake-github: unknown visibility {visibility:?}; expected one of {VISIBILITIES:?}")
            });
        let owner_key = self.ensure_account(owner);
        let index_key = (owner_key.clone(), package_type, name.to_string());
        if let Some(&slot) = self.package_slots.get(&index_key) {
            // A deleted package's name may be reused; the old package then
            // can no longer be restored, as on GitHub.
            assert!(
                self.packages[slot].deleted,
                "fake-github: package {owner:?}/{package_type}/{name} already exists"
            );
        }
        let id = self.next_package_id;
        self.next_package_id += 1;
        self.packages.push(Package {
            id,
            name: name.to_string(),
            package_type,
            visibility,
            owner: owner_key,
            created_at: base_time(),
            updated_at: base_time(),
            deleted: false,
            docker_conflict: false,
            versions: Vec::new(),
            order: Vec::new(),
            by_name: HashMap::new(),
            active: 0,
        });
        self.package_slots
            .insert(index_key, self.packages.len() - 1);
        id
    }

    /// The package's slot whatever its state.
    pub(crate) fn package_slot(
        &self,
        owner: &OwnerKey,
        package_type: &str,
        name: &str,
    ) -> Option<usize> {
        let package_type = known_package_type(package_type)?;
        self.package_slots
            .get(&(owner.clone(), package_type, name.to_string()))
            .copied()
    }

    /// The slot of a package that is not deleted.
    pub(crate) fn live_package_slot(
        &self,
        owner: &OwnerKey,
        package_type: &str,
        name: &str,
    ) -> Option<usize> {
        self.package_slot(owner, package_type, name)
            .filter(|&slot| !self.packages[slot].deleted)
    }

    fn seeded_package_slot(&self, owner: &Owner, package_type: &str, name: &str) -> usize {
        self.package_slot(&owner.key(), package_type, name)
            .unwrap_or_else(|| {
                panic!("fake-github: no package {owner:?}/{package_type}/{name}; call add_package first")
            })
    }

    pub(crate) fn package(&self, slot: usize) -> &Package {
        &self.packages[slot]
    }

    pub(crate) fn package_mut(&mut self, slot: usize) -> &mut Package {
        &mut self.packages[slot]
    }

    /// Live packages of one owner and type, oldest first.
    pub(crate) fn packages_of<'a>(
        &'a self,
        owner: &'a OwnerKey,
        package_type: &'a str,
    ) -> impl Iterator<Item = &'a Package> + 'a {
        self.packages.iter().filter(move |package| {
            !package.deleted && package.package_type == package_type && package.owner == *owner
        })
    }

    /// Live packages of one owner marked as Docker-migration conflicts.
    pub(crate) fn conflicts_of<'a>(
        &'a self,
        owner: &'a OwnerKey,
    ) -> impl Iterator<Item = &'a Package> + 'a {
        self.packages.iter().filter(move |package| {
            !package.deleted && package.docker_conflict && package.owner == *owner
        })
    }

    pub(crate) fn set_docker_conflict(&mut self, owner: &Owner, package_type: &str, name: &str) {
        let slot = self.seeded_package_slot(owner, package_type, name);
        self.packages[slot].docker_conflict = true;
    }

    pub(crate) fn package_exists(&self, owner: &Owner, package_type: &str, name: &str) -> bool {
        self.live_package_slot(&owner.key(), package_type, name)
            .is_some()
    }

    /// The live container package `name` of the account `login` (org or
    /// user), as the registry names them: case-insensitively.
    pub(crate) fn live_container_package(&self, login: &str, name: &str) -> Option<&Package> {
        let login = login.to_lowercase();
        self.packages.iter().find(|package| {
            !package.deleted
                && package.package_type == "container"
                && package.owner.login == login
                && package.name.eq_ignore_ascii_case(name)
        })
    }

    /// Removes `tag` from every version of the package (a push moves a tag).
    pub(crate) fn untag(&mut self, owner: &Owner, package_type: &str, package: &str, tag: &str) {
        let slot = self.seeded_package_slot(owner, package_type, package);
        for version in &mut self.packages[slot].versions {
            version.tags.retain(|existing| existing != tag);
        }
    }

    // --------------------------------------------------------- versions --

    pub(crate) fn add_version(
        &mut self,
        owner: &Owner,
        package_type: &str,
        package: &str,
        spec: VersionSpec,
    ) -> i64 {
        let package_slot = self.seeded_package_slot(owner, package_type, package);
        let id = self.next_version_id;
        self.next_version_id += 1;
        let package = &mut self.packages[package_slot];
        let version = Version {
            id,
            name: spec.name,
            tags: spec.tags,
            created_at: spec.created_at,
            download_count: spec.download_count,
            deleted_at: None,
            tags_left_out: false,
        };
        let position = package
            .order
            .partition_point(|&index| package.versions[index].listed_before(&version));
        package.updated_at = package.updated_at.max(version.created_at);
        let slot = package.push_version(version);
        package.order.insert(position, slot);
        package.active += 1;
        self.version_slots
            .insert(id, (package_slot, package.versions.len() - 1));
        id
    }

    pub(crate) fn add_versions(
        &mut self,
        owner: &Owner,
        package_type: &str,
        package: &str,
        count: usize,
    ) -> Vec<i64> {
        let package_slot = self.seeded_package_slot(owner, package_type, package);
        let first_id = self.next_version_id;
        self.next_version_id += i64::try_from(count).expect("count fits in i64");
        let package = &mut self.packages[package_slot];
        let start = package.versions.len();
        let first_created_at = match package.newest_created_at() {
            Some(newest) => (newest + chrono::Duration::minutes(1)).max(base_time()),
            None => base_time(),
        };
        let mut ids = Vec::with_capacity(count);
        for offset in 0..count {
            let id = first_id + offset as i64;
            package.push_version(Version {
                id,
                name: format!("1.0.{}", start + offset),
                tags: Vec::new(),
                created_at: first_created_at + chrono::Duration::minutes(offset as i64),
                download_count: 0,
                deleted_at: None,
                tags_left_out: false,
            });
            self.version_slots
                .insert(id, (package_slot, start + offset));
            ids.push(id);
        }
        package.active += count;
        if let Some(last) = package.versions.last() {
            package.updated_at = package.updated_at.max(last.created_at);
        }
        // One sort for the whole batch instead of one insertion per version.
        let versions = &package.versions;
        package.order = (0..versions.len()).collect();
        package.order.sort_by(|&a, &b| {
            (versions[b].created_at, versions[b].id).cmp(&(versions[a].created_at, versions[a].id))
        });
        ids
    }

    /// The version's slot in `package_slot`, if it belongs to that package.
    pub(crate) fn version_slot(&self, package_slot: usize, id: i64) -> Option<usize> {
        match self.version_slots.get(&id) {
            Some(&(owner_slot, version_slot)) if owner_slot == package_slot => Some(version_slot),
            _ => None,
        }
    }

    /// From now on the API leaves out the version `id`'s
    /// `metadata.container` (its tags).
    pub(crate) fn leave_out_tags(&mut self, owner: &Owner, package: &str, id: i64) {
        let package_slot = self.seeded_package_slot(owner, "container", package);
        let version_slot = self.version_slot(package_slot, id).unwrap_or_else(|| {
            panic!("fake-github: no version {id} in {owner:?}/container/{package}")
        });
        self.packages[package_slot].leave_out_tags(version_slot);
    }

    pub(crate) fn set_version_deleted(
        &mut self,
        owner: &Owner,
        package_type: &str,
        package: &str,
        id: i64,
        deleted: bool,
    ) {
        let package_slot = self.seeded_package_slot(owner, package_type, package);
        let version_slot = self.version_slot(package_slot, id).unwrap_or_else(|| {
            panic!("fake-github: no version {id} in {owner:?}/{package_type}/{package}")
        });
        let package = &mut self.packages[package_slot];
        let deleted_at = deleted.then(|| {
            package.versions[version_slot]
                .deleted_at
                .unwrap_or_else(|| Utc::now().trunc_subsecs(0))
        });
        package.set_deleted(version_slot, deleted_at);
    }

    pub(crate) fn stored_versions(
        &self,
        owner: &Owner,
        package_type: &str,
        package: &str,
    ) -> Vec<StoredVersion> {
        let Some(slot) = self.package_slot(&owner.key(), package_type, package) else {
            return Vec::new();
        };
        let package = &self.packages[slot];
        package
            .order
            .iter()
            .map(|&index| {
                let version = &package.versions[index];
                StoredVersion {
                    id: version.id,
                    name: version.name.clone(),
                    tags: version.tags.clone(),
                    created_at: version.created_at,
                    deleted: version.deleted_at.is_some(),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_listed_newest_first_whatever_the_insertion_order() {
        let mut store = Store::new("http://fake".into(), "", "t");
        let owner = Owner::org("acme");
        store.add_package(&owner, "npm", "pkg", "private");
        let day = |d| Utc.with_ymd_and_hms(2024, 3, d, 0, 0, 0).single().unwrap();
        let middle = store.add_version(
            &owner,
            "npm",
            "pkg",
            VersionSpec::new("b").created_at(day(2)),
        );
        let oldest = store.add_version(
            &owner,
            "npm",
            "pkg",
            VersionSpec::new("a").created_at(day(1)),
        );
        let newest = store.add_version(
            &owner,
            "npm",
            "pkg",
            VersionSpec::new("c").created_at(day(3)),
        );
        let ids: Vec<i64> = store
            .stored_versions(&owner, "npm", "pkg")
            .iter()
            .map(|v| v.id)
            .collect();
        assert_eq!(ids, [newest, middle, oldest]);

        let batch = store.add_versions(&owner, "npm", "pkg", 2);
        let names: Vec<String> = store
            .stored_versions(&owner, "npm", "pkg")
            .into_iter()
            .map(|v| v.name)
            .collect();
        assert_eq!(names, ["1.0.4", "1.0.3", "c", "b", "a"]);
        assert_eq!(store.version_slot(0, batch[1]), Some(4));
    }
}
