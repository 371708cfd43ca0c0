//! End-to-end tests: a real server on 127.0.0.1, driven with reqwest.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::{FakeGitHub, Fault, FaultKind, Gate, Matcher, Owner, VersionSpec};

/// A plain reqwest client. In a workspace build reqwest has github-packages'
/// `rustls-no-provider` feature, which needs a process-wide crypto provider.
fn http_client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

struct Api {
    github: FakeGitHub,
    client: reqwest::Client,
}

impl Api {
    async fn start() -> Api {
        Api {
            github: FakeGitHub::start().await,
            client: http_client(),
        }
    }

    fn url(&self, path_and_query: &str) -> String {
        format!("{}{path_and_query}", self.github.base_url())
    }

    async fn send_as(
        &self,
        token: Option<&str>,
        method: Method,
        path_and_query: &str,
    ) -> reqwest::Result<Response> {
        let mut request = self.client.request(method, self.url(path_and_query));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await
    }

    async fn send(&self, method: Method, path_and_query: &str) -> Response {
        self.send_as(Some(FakeGitHub::TOKEN), method, path_and_query)
            .await
            .unwrap_or_else(|error| panic!("{path_and_query}: {error}"))
    }

    async fn get(&self, path_and_query: &str) -> Response {
        self.send(Method::GET, path_and_query).await
    }

    async fn get_json(&self, path_and_query: &str) -> Value {
        let response = self.get(path_and_query).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path_and_query}");
        response.json().await.unwrap()
    }

    async fn delete(&self, path: &str) -> Response {
        self.send(Method::DELETE, path).await
    }

    async fn post(&self, path: &str) -> Response {
        self.send(Method::POST, path).await
    }
}

fn header(response: &Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .map(|value| value.to_str().unwrap().to_string())
}

/// The URL of one `rel` in a `Link` header.
fn link_target(link: &str, rel: &str) -> Option<String> {
    link.split(", ").find_map(|entry| {
        let (url, entry_rel) = entry.split_once("; ")?;
        (entry_rel == format!("rel=\"{rel}\"")).then(|| {
            url.trim_start_matches('<')
                .trim_end_matches('>')
                .to_string()
        })
    })
}

async fn error_message(response: Response) -> String {
    let body: Value = response.json().await.unwrap();
    body["message"].as_str().unwrap().to_string()
}

fn listed_ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_i64().unwrap())
        .collect()
}

const VERSIONS: &str = "/orgs/acme/packages/npm/tool/versions";

/// An org `acme` with an npm package `tool` holding `count` versions.
async fn with_versions(count: usize) -> (Api, Vec<i64>) {
    let api = Api::start().await;
    let acme = Owner::org("acme");
    api.github.add_package(&acme, "npm", "tool", "private");
    let ids = api.github.add_versions(&acme, "npm", "tool", count);
    (api, ids)
}

// ------------------------------------------------------------ pagination --

#[tokio::test]
async fn link_headers_on_first_middle_and_last_pages() {
    let (api, ids) = with_versions(250).await;
    let base = api.url(VERSIONS);

    let first = api
        .get(&format!("{VERSIONS}?page=1&per_page=100&state=active"))
        .await;
    assert_eq!(
        header(&first, "link").unwrap(),
        format!(
            "<{base}?page=2&per_page=100&state=active>; rel=\"next\", \
             <{base}?page=3&per_page=100&state=active>; rel=\"last\""
        )
    );
    let first: Value = first.json().await.unwrap();
    let newest_first: Vec<i64> = ids.iter().rev().copied().collect();
    assert_eq!(listed_ids(&first), newest_first[..100]);
    assert_eq!(first[0]["name"], "1.0.249");

    let middle = api
        .get(&format!("{VERSIONS}?page=2&per_page=100&state=active"))
        .await;
    assert_eq!(
        header(&middle, "link").unwrap(),
        format!(
            "<{base}?page=1&per_page=100&state=active>; rel=\"prev\", \
             <{base}?page=3&per_page=100&state=active>; rel=\"next\", \
             <{base}?page=3&per_page=100&state=active>; rel=\"last\", \
             <{base}?page=1&per_page=100&state=active>; rel=\"first\""
        )
    );
    assert_eq!(
        listed_ids(&middle.json().await.unwrap()),
        newest_first[100..200]
    );

    // No `page` in the request: it is appended.
    let last = api.get(&format!("{VERSIONS}?per_page=100&page=3")).await;
    assert_eq!(
        header(&last, "link").unwrap(),
        format!(
            "<{base}?per_page=100&page=2>; rel=\"prev\", <{base}?per_page=100&page=1>; rel=\"first\""
        )
    );
    assert_eq!(listed_ids(&last.json().await.unwrap()), newest_first[200..]);

    let only = api
        .get("/orgs/acme/packages/npm/tool/versions?per_page=100&state=deleted")
        .await;
    assert_eq!(header(&only, "link"), None);
    assert_eq!(only.json::<Value>().await.unwrap(), json!([]));
}

#[tokio::test]
async fn per_page_defaults_to_30_and_is_clamped_to_100() {
    let (api, _) = with_versions(120).await;
    assert_eq!(api.get_json(VERSIONS).await.as_array().unwrap().len(), 30);
    let clamped = api.get(&format!("{VERSIONS}?per_page=500")).await;
    let link = header(&clamped, "link").unwrap();
    // Pages of 100, while the links keep the per_page that was sent.
    assert_eq!(
        link_target(&link, "last").unwrap(),
        api.url(&format!("{VERSIONS}?per_page=500&page=2"))
    );
    assert_eq!(
        clamped
            .json::<Value>()
            .await
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        100
    );
}

#[tokio::test]
async fn lists_more_than_10000_versions_by_following_links() {
    let (api, ids) = with_versions(10_050).await;
    let mut next = Some(api.url(&format!("{VERSIONS}?per_page=100")));
    let mut listed = Vec::new();
    while let Some(url) = next {
        let response = api
            .client
            .get(&url)
            .bearer_auth(FakeGitHub::TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{url}");
        next = header(&response, "link").and_then(|link| link_target(&link, "next"));
        listed.extend(ids_of(response).await);
    }
    let newest_first: Vec<i64> = ids.iter().rev().copied().collect();
    assert_eq!(listed, newest_first);
    assert_eq!(api.github.requests().len(), 101);
}

async fn ids_of(response: Response) -> Vec<i64> {
    listed_ids(&response.json().await.unwrap())
}

// --------------------------------------------------------- paths & bodies --

#[tokio::test]
async fn package_names_are_matched_percent_encoded() {
    let api = Api::start().await;
    let acme = Owner::org("acme");
    for name in ["repo/image", "a b", "x%y"] {
        api.github.add_package(&acme, "container", name, "public");
        api.github.add_version(
            &acme,
            "container",
            name,
            VersionSpec::new("sha256:1").tags(&["latest", "v1"]),
        );
    }
    for (encoded, name) in [
        ("repo%2Fimage", "repo/image"),
        ("a%20b", "a b"),
        ("x%25y", "x%y"),
    ] {
        let package = api
            .get_json(&format!("/orgs/acme/packages/container/{encoded}"))
            .await;
        assert_eq!(package["name"], name);
        assert_eq!(package["owner"]["login"], "acme");
        assert_eq!(package["owner"]["type"], "Organization");
        assert_eq!(package["package_type"], "container");
        assert_eq!(package["visibility"], "public");
        assert_eq!(package["version_count"], 1);
        assert_eq!(
            package["url"],
            api.url(&format!("/orgs/acme/packages/container/{encoded}"))
        );
        let versions = api
            .get_json(&format!("/orgs/acme/packages/container/{encoded}/versions"))
            .await;
        assert_eq!(
            versions[0]["metadata"],
            json!({"package_type": "container", "container": {"tags": ["latest", "v1"]}})
        );
    }
    let unencoded = api.get("/orgs/acme/packages/container/repo/image").await;
    assert_eq!(unencoded.status(), StatusCode::NOT_FOUND);
    let paths: Vec<String> = api
        .github
        .requests()
        .into_iter()
        .map(|r| r.raw_path)
        .collect();
    assert_eq!(paths[0], "/orgs/acme/packages/container/repo%2Fimage");
    assert_eq!(
        paths.last().unwrap(),
        "/orgs/acme/packages/container/repo/image"
    );
}

#[tokio::test]
async fn requests_are_recorded_as_sent() {
    let api = Api::start().await;
    let response = api
        .client
        .get(api.url("/user/packages?package_type=npm&visibility=public"))
        .header("Authorization", "token test-token")
        .header("X-GitHub-Api-Version", "2022-11-28")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    api.github.clear_requests();
    api.get("/user/packages?package_type=npm").await;
    let requests = api.github.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(
        (request.method.as_str(), request.raw_path.as_str()),
        ("GET", "/user/packages")
    );
    assert_eq!(request.query.as_deref(), Some("package_type=npm"));
    assert_eq!(request.header("Authorization"), Some("Bearer test-token"));
    assert!(
        request
            .headers
            .iter()
            .all(|(name, _)| *name == name.to_lowercase())
    );
}

#[tokio::test]
async fn package_types_in_paths_and_queries_are_checked() {
    let api = Api::start().await;
    let bad_path = api.get("/orgs/acme/packages/pypi/tool").await;
    assert_eq!(bad_path.status(), StatusCode::BAD_REQUEST);
    assert!(error_message(bad_path).await.contains("pypi"));
    let missing = api.get("/orgs/acme/packages").await;
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
    let bad_query = api.get("/orgs/acme/packages?package_type=pypi").await;
    assert_eq!(bad_query.status(), StatusCode::BAD_REQUEST);
    let unknown_route = api.get("/orgs/acme/repos").await;
    assert_eq!(unknown_route.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        unknown_route.json::<Value>().await.unwrap(),
        json!({"message": "Not Found", "documentation_url": "https://docs.github.com/rest/packages/packages", "status": "404"})
    );
}

#[tokio::test]
async fn package_lists_filter_paginate_and_follow_the_authenticated_user() {
    let api = Api::start().await;
    let hubot = Owner::user("Hubot");
    api.github
        .add_package(&hubot, "npm", "public-one", "public");
    api.github
        .add_package(&hubot, "npm", "private-one", "private");
    api.github.add_package(&hubot, "maven", "jar", "public");
    api.github
        .add_package(&Owner::org("hubot"), "npm", "org-owned", "public");

    let names = |list: Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|package| package["name"].as_str().unwrap().to_string())
            .collect()
    };
    // Logins are case-insensitive; orgs and users are distinct owners.
    let npm = api.get_json("/users/hubot/packages?package_type=npm").await;
    assert_eq!(names(npm.clone()), ["public-one", "private-one"]);
    assert_eq!(npm[0]["owner"]["login"], "Hubot");
    assert_eq!(npm[0]["owner"]["type"], "User");
    let public = api
        .get_json("/users/hubot/packages?package_type=npm&visibility=public")
        .await;
    assert_eq!(names(public), ["public-one"]);

    // `/user` is octocat until told otherwise.
    assert_eq!(
        api.get_json("/user/packages?package_type=npm").await,
        json!([])
    );
    api.github.set_authenticated_user("hubot");
    let page = api.get("/user/packages?package_type=npm&per_page=1").await;
    let link = header(&page, "link").unwrap();
    assert_eq!(
        link_target(&link, "next").unwrap(),
        api.url("/user/packages?package_type=npm&per_page=1&page=2")
    );
    assert_eq!(names(page.json().await.unwrap()), ["public-one"]);

    let too_deep = api
        .get("/user/packages?package_type=npm&per_page=100&page=101")
        .await;
    assert_eq!(too_deep.status(), StatusCode::BAD_REQUEST);
    assert!(
        error_message(too_deep)
            .await
            .starts_with("Pagination is limited to 10000")
    );
    let deepest = api
        .get("/user/packages?package_type=npm&per_page=100&page=100")
        .await;
    assert_eq!(deepest.status(), StatusCode::OK);
}

#[tokio::test]
async fn docker_conflicts_are_empty_until_set() {
    let api = Api::start().await;
    let octocat = Owner::user("octocat");
    api.github
        .add_package(&octocat, "docker", "old-image", "private");
    assert_eq!(api.get_json("/user/docker/conflicts").await, json!([]));
    api.github
        .set_docker_conflict(&octocat, "docker", "old-image");
    let conflicts = api.get_json("/user/docker/conflicts").await;
    assert_eq!(conflicts[0]["name"], "old-image");
    assert_eq!(
        api.get_json("/users/octocat/docker/conflicts").await,
        conflicts
    );
    assert_eq!(
        api.get_json("/orgs/octocat/docker/conflicts").await,
        json!([])
    );
}

// ---------------------------------------------------------------- auth --

#[tokio::test]
async fn authentication_and_scopes() {
    let (api, ids) = with_versions(3).await;
    let missing = api.send_as(None, Method::GET, VERSIONS).await.unwrap();
    assert_eq!(missing.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(header(&missing, "x-oauth-scopes"), None);
    assert_eq!(
        header(&missing, "x-accepted-oauth-scopes").unwrap(),
        "read:packages"
    );
    assert_eq!(
        missing.json::<Value>().await.unwrap(),
        json!({"message": "Requires authentication", "documentation_url": "https://docs.github.com/rest", "status": "401"})
    );
    let unknown = api
        .send_as(Some("nope"), Method::GET, VERSIONS)
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_message(unknown).await, "Bad credentials");

    let full = api.get(VERSIONS).await;
    assert_eq!(
        header(&full, "x-oauth-scopes").unwrap(),
        "read:packages, write:packages, delete:packages"
    );

    api.github.add_token("reader", &["read:packages"]);
    let read = api
        .send_as(Some("reader"), Method::GET, VERSIONS)
        .await
        .unwrap();
    assert_eq!(read.status(), StatusCode::OK);
    assert_eq!(header(&read, "x-oauth-scopes").unwrap(), "read:packages");
    let version = format!("{VERSIONS}/{}", ids[0]);
    let delete = api
        .send_as(Some("reader"), Method::DELETE, &version)
        .await
        .unwrap();
    assert_eq!(delete.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        header(&delete, "x-accepted-oauth-scopes").unwrap(),
        "delete:packages, read:packages"
    );
    assert!(error_message(delete).await.contains("delete:packages"));

    api.github
        .add_token("deleter", &["read:packages", "delete:packages"]);
    let restore = api
        .send_as(Some("deleter"), Method::POST, &format!("{version}/restore"))
        .await
        .unwrap();
    assert_eq!(restore.status(), StatusCode::FORBIDDEN);
    assert!(error_message(restore).await.contains("write:packages"));

    api.github.add_token("nothing", &[]);
    let none = api
        .send_as(Some("nothing"), Method::GET, VERSIONS)
        .await
        .unwrap();
    assert_eq!(none.status(), StatusCode::FORBIDDEN);
    assert!(error_message(none).await.contains("read:packages"));
    assert!(!api.github.versions(&Owner::org("acme"), "npm", "tool")[2].deleted);
}

#[tokio::test]
async fn rate_limit_headers_count_per_token() {
    let (api, _) = with_versions(1).await;
    api.github.add_token("other", &["read:packages"]);
    let numbers = |response: &Response| {
        ["limit", "remaining", "used"].map(|name| {
            header(response, &format!("x-ratelimit-{name}"))
                .unwrap()
                .parse::<u64>()
                .unwrap()
        })
    };
    let first = api.get(VERSIONS).await;
    assert_eq!(numbers(&first), [5000, 4999, 1]);
    assert_eq!(header(&first, "x-ratelimit-resource").unwrap(), "core");
    let reset: i64 = header(&first, "x-ratelimit-reset")
        .unwrap()
        .parse()
        .unwrap();
    assert!((reset - Utc::now().timestamp() - 3600).abs() <= 5);
    assert_eq!(numbers(&api.get(VERSIONS).await), [5000, 4998, 2]);
    let other = api
        .send_as(Some("other"), Method::GET, VERSIONS)
        .await
        .unwrap();
    assert_eq!(numbers(&other), [5000, 4999, 1]);
    let anonymous = api.send_as(None, Method::GET, VERSIONS).await.unwrap();
    assert_eq!(numbers(&anonymous), [60, 59, 1]);
}

// ------------------------------------------------------ delete & restore --

#[tokio::test]
async fn delete_and_restore_versions() {
    let (api, ids) = with_versions(3).await;
    let acme = Owner::org("acme");
    let version = |id: i64| format!("{VERSIONS}/{id}");

    assert_eq!(
        api.delete(&version(ids[0])).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(ids_of(api.get(VERSIONS).await).await, [ids[2], ids[1]]);
    let deleted = api.get_json(&format!("{VERSIONS}?state=deleted")).await;
    assert_eq!(listed_ids(&deleted), [ids[0]]);
    assert!(deleted[0]["deleted_at"].is_string());
    let stored = api.github.versions(&acme, "npm", "tool");
    assert_eq!(
        stored.iter().map(|v| v.deleted).collect::<Vec<_>>(),
        [false, false, true]
    );
    assert_eq!(
        api.get_json("/orgs/acme/packages/npm/tool").await["version_count"],
        2
    );
    // Still readable by id; deleting it again is a 404.
    assert_eq!(api.get_json(&version(ids[0])).await["name"], "1.0.0");
    assert_eq!(
        api.delete(&version(ids[0])).await.status(),
        StatusCode::NOT_FOUND
    );

    assert_eq!(
        api.delete(&version(ids[1])).await.status(),
        StatusCode::NO_CONTENT
    );
    let last = api.delete(&version(ids[2])).await;
    assert_eq!(last.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        error_message(last).await,
        "You cannot delete the last version of a package. You must delete the package instead."
    );

    let restore = |id: i64| format!("{VERSIONS}/{id}/restore");
    assert_eq!(
        api.post(&restore(ids[0])).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        api.post(&restore(ids[2])).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(ids_of(api.get(VERSIONS).await).await, [ids[2], ids[0]]);

    assert_eq!(
        api.delete(&version(1)).await.status(),
        StatusCode::NOT_FOUND
    );
    api.github.add_package(&acme, "npm", "other", "private");
    let foreign = api
        .github
        .add_version(&acme, "npm", "other", VersionSpec::new("9"));
    assert_eq!(
        api.get(&version(foreign)).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api.delete(&version(foreign)).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn popular_public_versions_cannot_be_deleted() {
    let api = Api::start().await;
    let acme = Owner::org("acme");
    for visibility in ["public", "private"] {
        api.github.add_package(&acme, "npm", visibility, visibility);
        let popular = api.github.add_version(
            &acme,
            "npm",
            visibility,
            VersionSpec::new("1").download_count(5001),
        );
        api.github
            .add_version(&acme, "npm", visibility, VersionSpec::new("2"));
        let path = format!("/orgs/acme/packages/npm/{visibility}");
        let response = api.delete(&format!("{path}/versions/{popular}")).await;
        if visibility == "public" {
            assert_eq!(response.status(), StatusCode::BAD_REQUEST);
            assert!(error_message(response).await.contains("5,000"));
            assert_eq!(api.delete(&path).await.status(), StatusCode::BAD_REQUEST);
        } else {
            assert_eq!(response.status(), StatusCode::NO_CONTENT);
            assert_eq!(api.delete(&path).await.status(), StatusCode::NO_CONTENT);
        }
    }
}

#[tokio::test]
async fn delete_and_restore_packages() {
    let (api, ids) = with_versions(2).await;
    let acme = Owner::org("acme");
    let package = "/orgs/acme/packages/npm/tool";
    assert_eq!(api.delete(package).await.status(), StatusCode::NO_CONTENT);
    assert!(!api.github.package_exists(&acme, "npm", "tool"));
    assert_eq!(api.get(package).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(api.get(VERSIONS).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        api.get(&format!("{VERSIONS}/{}", ids[0])).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(api.delete(package).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        api.get_json("/orgs/acme/packages?package_type=npm").await,
        json!([])
    );

    let restore = format!("{package}/restore?token=abc");
    assert_eq!(api.post(&restore).await.status(), StatusCode::NO_CONTENT);
    assert!(api.github.package_exists(&acme, "npm", "tool"));
    assert_eq!(ids_of(api.get(VERSIONS).await).await, [ids[1], ids[0]]);
    assert_eq!(api.post(&restore).await.status(), StatusCode::NO_CONTENT);
    let missing = api.post("/orgs/acme/packages/npm/never/restore").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn versions_with_explicit_times_are_listed_newest_first() {
    let api = Api::start().await;
    let acme = Owner::org("acme");
    api.github.add_package(&acme, "docker", "img", "private");
    let at = |day| {
        Utc.with_ymd_and_hms(2023, 5, day, 12, 0, 0)
            .single()
            .unwrap()
    };
    let old = api.github.add_version(
        &acme,
        "docker",
        "img",
        VersionSpec::new("a").created_at(at(1)).tags(&["old"]),
    );
    let new = api.github.add_version(
        &acme,
        "docker",
        "img",
        VersionSpec::new("b").created_at(at(9)),
    );
    let list = api
        .get_json("/orgs/acme/packages/docker/img/versions")
        .await;
    assert_eq!(listed_ids(&list), [new, old]);
    assert_eq!(list[1]["created_at"], "2023-05-01T12:00:00Z");
    assert_eq!(
        list[1]["metadata"],
        json!({"package_type": "docker", "docker": {"tag": ["old"]}})
    );
}

// --------------------------------------------------------------- faults --

#[tokio::test]
async fn status_faults_hit_matching_requests_the_given_number_of_times() {
    let (api, _) = with_versions(2).await;
    api.github.inject(
        Fault::new(FaultKind::Status(503))
            .on(Matcher::QueryContains("page=2".into()))
            .times(2),
    );
    api.github.inject(Fault::new(FaultKind::Status(502)));
    assert_eq!(api.github.pending_faults(), 3);

    // The first request does not match the first fault: the second takes it.
    let bad_gateway = api.get(VERSIONS).await;
    assert_eq!(bad_gateway.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(header(&bad_gateway, "x-ratelimit-limit").unwrap(), "5000");
    assert_eq!(error_message(bad_gateway).await, "Bad Gateway");
    assert_eq!(api.get(VERSIONS).await.status(), StatusCode::OK);
    let paged = format!("{VERSIONS}?page=2");
    assert_eq!(
        api.get(&paged).await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(
        api.get(&paged).await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(api.get(&paged).await.status(), StatusCode::OK);
    assert_eq!(api.github.pending_faults(), 0);
    // Faulted requests are recorded too.
    assert_eq!(api.github.requests().len(), 5);

    api.github.inject(Fault::new(FaultKind::Status(500)));
    api.github.clear_faults();
    assert_eq!(api.get(VERSIONS).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn rate_limit_faults() {
    let (api, _) = with_versions(1).await;
    api.github.inject(Fault::new(FaultKind::TooManyRequests {
        retry_after_secs: 7,
    }));
    let too_many = api.get(VERSIONS).await;
    assert_eq!(too_many.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(header(&too_many, "retry-after").unwrap(), "7");

    api.github.inject(Fault::new(FaultKind::SecondaryRateLimit {
        retry_after_secs: Some(3),
    }));
    let secondary = api.get(VERSIONS).await;
    assert_eq!(secondary.status(), StatusCode::FORBIDDEN);
    assert_eq!(header(&secondary, "retry-after").unwrap(), "3");
    assert!(
        error_message(secondary)
            .await
            .starts_with("You have exceeded a secondary rate limit")
    );

    api.github.inject(Fault::new(FaultKind::SecondaryRateLimit {
        retry_after_secs: None,
    }));
    let secondary = api.get(VERSIONS).await;
    assert_eq!(secondary.status(), StatusCode::FORBIDDEN);
    assert_eq!(header(&secondary, "retry-after"), None);
    assert!(
        error_message(secondary)
            .await
            .contains("secondary rate limit")
    );

    api.github.inject(Fault::new(FaultKind::PrimaryRateLimit {
        reset_in_secs: 60,
    }));
    let primary = api.get(VERSIONS).await;
    assert_eq!(primary.status(), StatusCode::FORBIDDEN);
    assert_eq!(header(&primary, "x-ratelimit-remaining").unwrap(), "0");
    assert_eq!(header(&primary, "x-ratelimit-used").unwrap(), "5000");
    let reset: i64 = header(&primary, "x-ratelimit-reset")
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (reset - Utc::now().timestamp() - 60).abs() <= 5,
        "reset {reset}"
    );
    assert!(
        error_message(primary)
            .await
            .starts_with("API rate limit exceeded")
    );
}

#[tokio::test]
async fn truncated_body_promises_more_than_it_sends() {
    let (api, _) = with_versions(5).await;
    api.github.inject(Fault::new(FaultKind::TruncatedBody));
    let response = api.get(VERSIONS).await;
    assert_eq!(response.status(), StatusCode::OK);
    let promised: usize = header(&response, "content-length")
        .unwrap()
        .parse()
        .unwrap();
    let full_length = api.get(VERSIONS).await.bytes().await.unwrap().len();
    assert_eq!(promised, full_length);
    assert!(response.bytes().await.is_err());
    assert_eq!(api.get(VERSIONS).await.status(), StatusCode::OK);

    // Not a read: nothing is carried out, and a stand-in body is cut short.
    let first = api.github.versions(&Owner::org("acme"), "npm", "tool")[0].id;
    api.github.inject(Fault::new(FaultKind::TruncatedBody));
    let delete = api.delete(&format!("{VERSIONS}/{first}")).await;
    assert_eq!(delete.status(), StatusCode::OK);
    assert!(delete.bytes().await.is_err());
    assert!(!api.github.versions(&Owner::org("acme"), "npm", "tool")[0].deleted);
}

#[tokio::test]
async fn delay_fault_and_latency_hold_back_the_response() {
    let (api, _) = with_versions(1).await;
    api.github
        .inject(Fault::new(FaultKind::Delay(Duration::from_millis(300))));
    let started = Instant::now();
    assert_eq!(api.get(VERSIONS).await.status(), StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(300));

    api.github.set_latency(Duration::from_millis(200));
    let started = Instant::now();
    assert_eq!(api.get(VERSIONS).await.status(), StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(200));
}

/// Waits (without assuming how long it takes) until the server has
/// recorded `count` requests.
async fn until_recorded(github: &FakeGitHub, count: usize) {
    while github.requests().len() < count {
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

#[tokio::test]
async fn hold_keeps_a_request_in_flight_until_the_gate_is_released() {
    let (api, ids) = with_versions(3).await;
    let acme = Owner::org("acme");
    let deleted = |id: i64| {
        api.github
            .versions(&acme, "npm", "tool")
            .iter()
            .any(|version| version.id == id && version.deleted)
    };
    let gate = api.github.hold(Matcher::Method("DELETE".into()));
    assert!(!gate.is_released());
    let client = api.client.clone();
    let url = api.url(&format!("{VERSIONS}/{}", ids[0]));
    let held = tokio::spawn(async move {
        client
            .delete(url)
            .bearer_auth(FakeGitHub::TOKEN)
            .send()
            .await
            .map(|response| response.status())
    });
    until_recorded(&api.github, 1).await;
    // Received, not carried out, not answered; other requests still flow.
    assert!(!deleted(ids[0]));
    assert_eq!(api.get(VERSIONS).await.status(), StatusCode::OK);
    assert!(!held.is_finished());
    assert_eq!(api.github.pending_faults(), 0);
    gate.release();
    assert_eq!(held.await.unwrap().unwrap(), StatusCode::NO_CONTENT);
    assert!(deleted(ids[0]));
    // A released gate holds nothing more.
    let again = Gate::new();
    again.release();
    api.github
        .inject(Fault::new(FaultKind::Hold(again)).on(Matcher::Method("DELETE".into())));
    let response = api.delete(&format!("{VERSIONS}/{}", ids[1])).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);

    // After the action, the answer is held but the deletion is done.
    let late = Gate::new();
    api.github.inject(
        Fault::new(FaultKind::AfterAction(Box::new(FaultKind::Hold(
            late.clone(),
        ))))
        .on(Matcher::Method("POST".into())),
    );
    let client = api.client.clone();
    let url = api.url(&format!("{VERSIONS}/{}/restore", ids[0]));
    let before = api.github.requests().len();
    let held = tokio::spawn(async move {
        client
            .post(url)
            .bearer_auth(FakeGitHub::TOKEN)
            .send()
            .await
            .map(|response| response.status())
    });
    until_recorded(&api.github, before + 1).await;
    while deleted(ids[0]) {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    assert!(!held.is_finished());
    late.release();
    assert_eq!(held.await.unwrap().unwrap(), StatusCode::NO_CONTENT);
    assert_eq!(late, late.clone());
    assert_ne!(late, Gate::new());
}

#[tokio::test]
async fn versions_can_be_marked_deleted_without_a_request() {
    let (api, ids) = with_versions(2).await;
    let acme = Owner::org("acme");
    api.github
        .set_version_deleted(&acme, "npm", "tool", ids[0], true);
    let deleted: Vec<i64> = listed_ids(&api.get_json(&format!("{VERSIONS}?state=deleted")).await);
    assert_eq!(deleted, [ids[0]]);
    let version = api.get_json(&format!("{VERSIONS}/{}", ids[0])).await;
    assert!(version["deleted_at"].is_string());
    api.github
        .set_version_deleted(&acme, "npm", "tool", ids[0], false);
    let active = listed_ids(&api.get_json(VERSIONS).await);
    assert_eq!(active.len(), 2);
    assert_eq!(api.github.requests().len(), 3, "only the test's own reads");
}

#[tokio::test]
async fn connection_reset_sends_no_response_and_does_nothing() {
    let (api, ids) = with_versions(2).await;
    api.github
        .inject(Fault::new(FaultKind::ConnectionReset).on(Matcher::Method("DELETE".into())));
    let version = format!("{VERSIONS}/{}", ids[0]);
    let error = api
        .send_as(Some(FakeGitHub::TOKEN), Method::DELETE, &version)
        .await
        .unwrap_err();
    assert!(!error.is_status() && !error.is_timeout(), "{error}");
    assert!(
        api.github
            .versions(&Owner::org("acme"), "npm", "tool")
            .iter()
            .all(|v| !v.deleted)
    );
    assert_eq!(api.github.requests().len(), 1);
    assert_eq!(api.delete(&version).await.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn after_action_faults_fail_requests_that_were_carried_out() {
    let (api, ids) = with_versions(3).await;
    let acme = Owner::org("acme");
    let deleted = |id: i64| {
        api.github
            .versions(&acme, "npm", "tool")
            .iter()
            .any(|version| version.id == id && version.deleted)
    };
    api.github.inject(
        Fault::new(FaultKind::AfterAction(Box::new(FaultKind::Status(500))))
            .on(Matcher::Method("DELETE".into())),
    );
    let response = api.delete(&format!("{VERSIONS}/{}", ids[0])).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(deleted(ids[0]));

    api.github
        .inject(Fault::new(FaultKind::AfterAction(Box::new(
            FaultKind::ConnectionReset,
        ))));
    let reset = api
        .send_as(
            Some(FakeGitHub::TOKEN),
            Method::DELETE,
            &format!("{VERSIONS}/{}", ids[1]),
        )
        .await;
    assert!(reset.is_err());
    assert!(deleted(ids[1]));

    api.github
        .inject(Fault::new(FaultKind::AfterAction(Box::new(
            FaultKind::Status(502),
        ))));
    let restore = api.post(&format!("{VERSIONS}/{}/restore", ids[1])).await;
    assert_eq!(restore.status(), StatusCode::BAD_GATEWAY);
    assert!(!deleted(ids[1]));
}

// ------------------------------------------------------------ the server --

#[tokio::test]
async fn serves_many_concurrent_connections() {
    let (api, _) = with_versions(10).await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..150 {
        // A client each, so that every request has its own connection.
        let client = http_client();
        let url = api.url(VERSIONS);
        tasks.spawn(async move {
            let response = client
                .get(url)
                .bearer_auth(FakeGitHub::TOKEN)
                .send()
                .await?;
            response.error_for_status()?.json::<Value>().await
        });
    }
    let mut ok = 0;
    while let Some(result) = tasks.join_next().await {
        assert_eq!(result.unwrap().unwrap().as_array().unwrap().len(), 10);
        ok += 1;
    }
    assert_eq!(ok, 150);
    let distinct_paths: HashSet<String> = api
        .github
        .requests()
        .iter()
        .map(|request| request.raw_path.clone())
        .collect();
    assert_eq!(
        (api.github.requests().len(), distinct_paths.len()),
        (150, 1)
    );
}

/// One HTTP/1.1 request over a plain socket; the response as text.
fn raw_get(base_url: &str, path: &str) -> std::io::Result<String> {
    let address = base_url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address)?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer test-token\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    Ok(response)
}

#[test]
fn background_server_serves_sync_callers_until_the_last_handle_is_dropped() {
    let github = FakeGitHub::start_in_background();
    let user = Owner::user("octocat");
    github.add_package(&user, "rubygems", "gem", "public");
    github.add_versions(&user, "rubygems", "gem", 1);
    let base_url = github.base_url();

    let clone = github.clone();
    drop(github);
    let response = raw_get(&base_url, "/user/packages/rubygems/gem/versions").unwrap();
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.contains("\"name\":\"1.0.0\""), "{response}");
    assert_eq!(
        clone.requests()[0].raw_path,
        "/user/packages/rubygems/gem/versions"
    );

    drop(clone);
    let error = raw_get(&base_url, "/user/packages/rubygems/gem/versions").unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::ConnectionRefused);
}

#[test]
fn a_stopped_server_refuses_connections_and_keeps_its_state() {
    let github = FakeGitHub::start_in_background();
    let user = Owner::user("octocat");
    github.add_package(&user, "rubygems", "gem", "public");
    let base_url = github.base_url();
    let path = "/user/packages/rubygems/gem/versions";
    assert!(
        raw_get(&base_url, path)
            .unwrap()
            .starts_with("HTTP/1.1 200 OK\r\n")
    );
    assert_eq!(github.connections(), 1);

    github.stop();
    let error = raw_get(&base_url, path).unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::ConnectionRefused);
    assert_eq!(github.requests().len(), 1);
    assert!(github.package_exists(&user, "rubygems", "gem"));
}
