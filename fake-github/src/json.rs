//! JSON bodies, shaped like the spec's `Package`, `PackageVersion`,
//! `SimpleUser` and `BasicError` schemas.

use chrono::{DateTime, SecondsFormat, Utc};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde::Serialize;

use crate::store::{Account, OwnerKind, Package, Store, Version};

/// Characters encoded in a URL path segment: `/` and `%` above all, so a
/// package named `repo/image` appears as `repo%2Fimage`.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

pub(crate) fn encode_segment(segment: &str) -> String {
    utf8_percent_encode(segment, SEGMENT).to_string()
}

/// GitHub's timestamp form, e.g. `2019-11-05T22:49:04Z`.
fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[derive(Serialize)]
pub(crate) struct BasicError<'a> {
    pub(crate) message: &'a str,
    pub(crate) documentation_url: &'a str,
    pub(crate) status: String,
}

#[derive(Serialize)]
struct SimpleUser {
    login: String,
    id: i64,
    node_id: String,
    avatar_url: String,
    gravatar_id: &'static str,
    url: String,
    html_url: String,
    followers_url: String,
    following_url: String,
    gists_url: String,
    starred_url: String,
    subscriptions_url: String,
    organizations_url: String,
    repos_url: String,
    events_url: String,
    received_events_url: String,
    #[serde(rename = "type")]
    kind: &'static str,
    site_admin: bool,
}

impl SimpleUser {
    fn new(base_url: &str, account: &Account) -> SimpleUser {
        let login = &account.login;
        let user_url = format!("{base_url}/users/{}", encode_segment(login));
        let (kind, node_prefix) = match account.kind {
            OwnerKind::Org => ("Organization", "O_kgDO"),
            OwnerKind::User => ("User", "U_kgDO"),
        };
        SimpleUser {
            login: login.clone(),
            id: account.id,
            node_id: format!("{node_prefix}{:08}", account.id),
            avatar_url: format!("https://avatars.githubusercontent.com/u/{}?v=4", account.id),
            gravatar_id: "",
            html_url: format!("https://github.com/{}", encode_segment(login)),
            followers_url: format!("{user_url}/followers"),
            following_url: format!("{user_url}/following{{/other_user}}"),
            gists_url: format!("{user_url}/gists{{/gist_id}}"),
            starred_url: format!("{user_url}/starred{{/owner}}{{/repo}}"),
            subscriptions_url: format!("{user_url}/subscriptions"),
            organizations_url: format!("{user_url}/orgs"),
            repos_url: format!("{user_url}/repos"),
            events_url: format!("{user_url}/events{{/privacy}}"),
            received_events_url: format!("{user_url}/received_events"),
            url: user_url,
            kind,
            site_admin: false,
        }
    }
}

#[derive(Serialize)]
pub(crate) struct PackageJson<'a> {
    id: i64,
    name: &'a str,
    package_type: &'static str,
    owner: SimpleUser,
    version_count: usize,
    visibility: &'static str,
    url: String,
    created_at: String,
    updated_at: String,
    html_url: String,
}

/// The API URL and web URL of a package.
struct PackageUrls {
    url: String,
    html_url: String,
}

fn package_urls(base_url: &str, account: &Account, package: &Package) -> PackageUrls {
    let owner_path = match account.kind {
        OwnerKind::Org => "orgs",
        OwnerKind::User => "users",
    };
    let login = encode_segment(&account.login);
    let name = encode_segment(&package.name);
    let package_type = package.package_type;
    PackageUrls {
        url: format!("{base_url}/{owner_path}/{login}/packages/{package_type}/{name}"),
        html_url: format!(
            "https://github.com/{owner_path}/{login}/packages/{package_type}/package/{name}"
        ),
    }
}

pub(crate) fn package<'a>(store: &Store, package: &'a Package) -> PackageJson<'a> {
    let account = store.account(&package.owner);
    let urls = package_urls(&store.base_url, &account, package);
    PackageJson {
        id: package.id,
        name: &package.name,
        package_type: package.package_type,
        owner: SimpleUser::new(&store.base_url, &account),
        version_count: package.count(crate::store::VersionState::Active),
        visibility: package.visibility,
        url: urls.url,
        created_at: timestamp(package.created_at),
        updated_at: timestamp(package.updated_at),
        html_url: urls.html_url,
    }
}

#[derive(Serialize)]
struct ContainerMetadata<'a> {
    tags: &'a [String],
}

#[derive(Serialize)]
struct DockerMetadata<'a> {
    tag: &'a [String],
}

#[derive(Serialize)]
struct Metadata<'a> {
    package_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    container: Option<ContainerMetadata<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    docker: Option<DockerMetadata<'a>>,
}

#[derive(Serialize)]
pub(crate) struct VersionJson<'a> {
    id: i64,
    name: &'a str,
    url: String,
    package_html_url: &'a str,
    created_at: String,
    updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    deleted_at: Option<String>,
    html_url: String,
    metadata: Metadata<'a>,
}

/// Serializes versions of one package, sharing the per-package parts.
pub(crate) struct VersionWriter {
    package_url: String,
    package_html_url: String,
    package_type: &'static str,
}

impl VersionWriter {
    pub(crate) fn new(store: &Store, package: &Package) -> VersionWriter {
        let account = store.account(&package.owner);
        let urls = package_urls(&store.base_url, &account, package);
        VersionWriter {
            package_url: urls.url,
            package_html_url: urls.html_url,
            package_type: package.package_type,
        }
    }

    pub(crate) fn version<'a>(&'a self, version: &'a Version) -> VersionJson<'a> {
        let tags = version.tags.as_slice();
        VersionJson {
            id: version.id,
            name: &version.name,
            url: format!("{}/versions/{}", self.package_url, version.id),
            package_html_url: &self.package_html_url,
            created_at: timestamp(version.created_at),
            updated_at: timestamp(version.created_at),
            deleted_at: version.deleted_at.map(timestamp),
            html_url: format!(
                "{}/{}",
                self.package_html_url.replacen("/package/", "/", 1),
                version.id
            ),
            metadata: Metadata {
                package_type: self.package_type,
                container: (self.package_type == "container" && !version.tags_left_out)
                    .then_some(ContainerMetadata { tags }),
                docker: (self.package_type == "docker").then_some(DockerMetadata { tag: tags }),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Owner, VersionSpec};

    #[test]
    fn package_and_version_bodies() {
        let mut store = Store::new("http://127.0.0.1:9".into(), "", "t");
        let owner = Owner::org("Acme");
        store.add_package(&owner, "container", "repo/image", "public");
        let id = store.add_version(
            &owner,
            "container",
            "repo/image",
            VersionSpec::new("sha256:1").tags(&["latest"]),
        );
        let slot = store
            .live_package_slot(&owner.key(), "container", "repo/image")
            .unwrap();
        let stored = store.package(slot);

        let json = serde_json::to_value(package(&store, stored)).unwrap();
        assert_eq!(json["name"], "repo/image");
        assert_eq!(json["version_count"], 1);
        assert_eq!(json["owner"]["login"], "Acme");
        assert_eq!(json["owner"]["type"], "Organization");
        assert_eq!(
            json["url"],
            "http://127.0.0.1:9/orgs/Acme/packages/container/repo%2Fimage"
        );
        assert_eq!(
            json["html_url"],
            "https://github.com/orgs/Acme/packages/container/package/repo%2Fimage"
        );
        assert_eq!(json["created_at"], "2024-01-01T00:00:00Z");

        let writer = VersionWriter::new(&store, stored);
        let version = stored.version(store.version_slot(slot, id).unwrap());
        let json = serde_json::to_value(writer.version(version)).unwrap();
        assert_eq!(json["id"], id);
        assert_eq!(
            json["url"],
            format!("http://127.0.0.1:9/orgs/Acme/packages/container/repo%2Fimage/versions/{id}")
        );
        assert_eq!(
            json["html_url"],
            format!("https://github.com/orgs/Acme/packages/container/repo%2Fimage/{id}")
        );
        assert_eq!(
            json["metadata"],
            serde_json::json!({"package_type": "container", "container": {"tags": ["latest"]}})
        );
        assert!(json.get("deleted_at").is_none());

        store.leave_out_tags(&owner, "repo/image", id);
        let stored = store.package(slot);
        let writer = VersionWriter::new(&store, stored);
        let version = stored.version(store.version_slot(slot, id).unwrap());
        let json = serde_json::to_value(writer.version(version)).unwrap();
        assert_eq!(
            json["metadata"],
            serde_json::json!({"package_type": "container"})
        );
    }
}
