//! GitHub's `Link`-header pagination, as a `Stream` of items.
//!
//! The first page comes from a generated operation. When its `Link` header
//! names the last page (`rel="last"`), the remaining pages are fetched
//! concurrently, by tasks on the current tokio runtime, at most
//! `concurrency` pages ahead of the page being read, and still yielded in
//! page order; otherwise `rel="next"` is followed one page at a time, when
//! the page before is used up. Because the page tasks run on their own, a
//! consumer that takes its time over each item does not hold up (or time
//! out) the requests already started; dropping the stream aborts them.
//!
//! What a server says is not trusted further than it has to be:
//!
//! - pages are planned lazily, so a `rel="last"` of `page=4294967295`
//!   allocates nothing; an empty page ends the listing (pages past the real
//!   end are empty);
//! - where GitHub lists at most 10,000 results (the package lists), no page
//!   past that is requested: the stream ends with
//!   [`ErrorKind::PaginationLimit`](crate::ErrorKind::PaginationLimit);
//! - a `rel="next"` must move forward (a higher `page`), so a backward or
//!   cyclic link ends the stream with
//!   [`ErrorKind::InvalidLink`](crate::ErrorKind::InvalidLink) instead of
//!   looping;
//! - a link to another origin than the base URL's is refused
//!   ([`ErrorKind::ForeignLink`](crate::ErrorKind::ForeignLink)): following
//!   it would send the token there.
//!
//! At most the pages in flight are held in memory. A page answered with an
//! error status ends the stream with that error; it is never decoded as a
//! page.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_core::Stream;
use progenitor_client::{ClientHooks, OperationInfo, ResponseValue};
use reqwest::header::{HeaderMap, LINK};
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;
use tokio::task::JoinHandle;

use crate::Client;
use crate::call::{Call, Failure};
use crate::error::Error;
use crate::hooks::Runtime;

/// GitHub's page size when a URL names none.
const GITHUB_DEFAULT_PER_PAGE: u64 = 30;

/// The most results GitHub lists in the listings that are limited (the
/// package lists): `page * per_page` may not exceed it.
pub(crate) const GITHUB_RESULT_LIMIT: u64 = 10_000;

/// A stream of listed items.
pub(crate) type Items<T> = Pin<Box<dyn Stream<Item = Result<T, Error>> + Send>>;

/// The first page's request, not yet sent.
pub(crate) type FirstPage<T> = Pin<Box<dyn Future<Output = Result<Page<T>, Error>> + Send>>;

/// The request for a page after the first.
type PageFuture<T> = FirstPage<T>;

/// One page of a listing and where the listing goes on.
pub(crate) struct Page<T> {
    /// The first page's call (which of the owner's operations listed it);
    /// the pages after it are fetched under the same name.
    call: Option<Call>,
    items: Vec<T>,
    next: Option<Url>,
    last: Option<Url>,
}

impl<T> Page<T> {
    fn new(items: Vec<T>, headers: &HeaderMap) -> Self {
        let links = headers
            .get(LINK)
            .and_then(|value| value.to_str().ok())
            .map(Links::parse)
            .unwrap_or_default();
        Page {
            call: None,
            items,
            next: links.next.and_then(|url| Url::parse(&url).ok()),
            last: links.last.and_then(|url| Url::parse(&url).ok()),
        }
    }

    /// The first page, from a generated list operation.
    pub(crate) async fn first(
        call: Call,
        result: Result<ResponseValue<Vec<T>>, Failure>,
    ) -> Result<Self, Error> {
        match result {
            Ok(value) => {
                let page = Page::new(Vec::new(), value.headers());
                Ok(Page {
                    call: Some(call),
                    items: value.into_inner(),
                    ..page
                })
            }
            Err(failure) => Err(Error::from_failure(call, failure).await),
        }
    }
}

/// The `rel="next"` and `rel="last"` targets of a `Link` header.
#[derive(Debug, Default, PartialEq, Eq)]
struct Links {
    next: Option<String>,
    last: Option<String>,
}

impl Links {
    /// Parses `<url>; rel="next", <url>; rel="last"` (RFC 8288), tolerating
    /// extra parameters, unquoted values and several relations in one `rel`.
    fn parse(header: &str) -> Self {
        let mut links = Links::default();
        let mut rest = header;
        while let Some(start) = rest.find('<') {
            let after = &rest[start + 1..];
            let Some(end) = after.find('>') else { break };
            let target = after[..end].trim();
            let tail = &after[end + 1..];
            let params_end = tail.find('<').unwrap_or(tail.len());
            for param in tail[..params_end].split([';', ',']) {
                let Some((name, value)) = param.split_once('=') else {
                    continue;
                };
                if !name.trim().eq_ignore_ascii_case("rel") {
                    continue;
                }
                for relation in value.trim().trim_matches('"').split_ascii_whitespace() {
                    if relation.eq_ignore_ascii_case("next") {
                        links.next = Some(target.to_string());
                    } else if relation.eq_ignore_ascii_case("last") {
                        links.last = Some(target.to_string());
                    }
                }
            }
            rest = &tail[params_end..];
        }
        links
    }
}

fn query_number(url: &Url, name: &str) -> Option<u64> {
    url.query_pairs()
        .find(|(key, _)| key == name)
        .and_then(|(_, value)| value.parse().ok())
}

/// The page size a page URL asks for.
fn per_page_of(url: &Url) -> u64 {
    query_number(url, "per_page").unwrap_or(GITHUB_DEFAULT_PER_PAGE)
}

/// `url` with its `page` parameter set to `page`.
fn with_page(url: &Url, page: u64) -> Url {
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(key, _)| key != "page")
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect();
    let mut url = url.clone();
    url.query_pairs_mut()
        .clear()
        .extend_pairs(pairs)
        .append_pair("page", &page.to_string());
    url
}

/// Fetches one page by URL, through the same hooks (headers, retries,
/// rate-limit bookkeeping, a cut-off body read again) as the generated
/// operations.
async fn fetch_page<T: DeserializeOwned>(
    client: Client,
    url: Url,
    call: Call,
) -> Result<Page<T>, Error> {
    check_origin(&client.baseurl, &url).map_err(|error| error.during(call.operation))?;
    let call = Call {
        page: query_number(&url, "page").map(|page| (page, per_page_of(&url))),
        ..call
    };
    let info = OperationInfo {
        operation_id: call.operation,
    };
    let mut request = reqwest::Request::new(Method::GET, url);
    if let Err(error) = <Client as ClientHooks<Runtime>>::pre(&client, &mut request, &info).await {
        return Err(Error::from_generated(call, error).await);
    }
    let mut response = <Client as ClientHooks<Runtime>>::exec(&client, request, &info)
        .await
        .map_err(|error| Error::transport(call, error))?;
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    let body = response
        .bytes()
        .await
        .map_err(|error| Error::transport(call, error))?;
    if status != StatusCode::OK {
        return Err(Error::response(call, status, &headers, &body));
    }
    let items = serde_json::from_slice(&body).map_err(|error| Error::decode(call, error))?;
    Ok(Page::new(items, &headers))
}

/// Refuses a `Link` target on another origin than the client's base URL:
/// following it would send the token there. Fails closed: a base URL that
/// does not parse accepts no link.
fn check_origin(base: &str, url: &Url) -> Result<(), Error> {
    match Url::parse(base) {
        Ok(base) if url.origin() == base.origin() => Ok(()),
        _ => Err(Error::foreign_link(url.as_str())),
    }
}

/// A listing: the stream behind [`crate::PackageList`] and
/// [`crate::VersionList`].
struct Listing<T> {
    client: Client,
    /// Set by the first page, which knows the owner's operation.
    call: Option<Call>,
    concurrency: usize,
    /// The most results GitHub lists, where it limits them.
    limit: Option<u64>,
    /// The rest of the page being read.
    items: std::vec::IntoIter<T>,
    state: State<T>,
}

// Nothing is pinned in place: the futures are boxed, the tasks are handles.
impl<T> Unpin for Listing<T> {}

enum State<T> {
    /// The first page's request.
    First(FirstPage<T>),
    /// The pages up to the last one the first page named, fetched
    /// concurrently.
    Concurrent(Concurrent<T>),
    /// Following `rel="next"`: where to go after page `current`.
    Sequential {
        next: Option<Url>,
        current: u64,
    },
    /// Page `number`, reached by `rel="next"`, being fetched.
    Fetching {
        page: PageFuture<T>,
        number: u64,
    },
    /// Yields this error, then ends.
    Failed(Error),
    Done,
}

/// Pages fetched by tasks, in page order.
struct Concurrent<T> {
    /// A URL of the listing; each page's is this one with another `page`.
    template: Url,
    /// The page `tasks`' first task fetches.
    front: u64,
    /// The next page to start, and the last one to fetch.
    next: u64,
    last: u64,
    /// `(page, per_page)` GitHub would refuse: ends the listing once every
    /// page before it is read.
    refused: Option<(u64, u64)>,
    /// Started pages: a finished task holds its page until it is read.
    tasks: VecDeque<JoinHandle<Result<Page<T>, Error>>>,
    /// The `rel="next"` of page `last`: set when the listing grew while it
    /// was read.
    after: Option<Url>,
}

impl<T: DeserializeOwned + Send + 'static> Concurrent<T> {
    /// Starts pages until `concurrency` are fetched or in flight ahead of
    /// the page being read.
    fn start_pages(&mut self, client: &Client, call: Call, concurrency: usize) {
        while self.tasks.len() < concurrency && self.next <= self.last {
            let url = with_page(&self.template, self.next);
            self.tasks
                .push_back(tokio::spawn(fetch_page(client.clone(), url, call)));
            self.next += 1;
        }
    }
}

impl<T> Drop for Concurrent<T> {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl<T: DeserializeOwned + Send + 'static> Listing<T> {
    /// Takes a page's items; an empty page ends the listing.
    fn read(&mut self, items: Vec<T>) -> bool {
        if items.is_empty() {
            self.state = State::Done;
            false
        } else {
            self.items = items.into_iter();
            true
        }
    }

    /// The listing's call, once the first page has named it (every state
    /// after `First`; before it, a generic name).
    fn call(&self) -> Call {
        call_or_generic(self.call)
    }

    /// Plans the pages after the first.
    fn plan(&mut self, next: Option<Url>, last: Option<Url>) -> State<T> {
        let last_page = last
            .and_then(|url| Some((query_number(&url, "page")?, url)))
            .filter(|(page, _)| *page > 1);
        let Some((last_page, template)) = last_page.filter(|_| self.concurrency > 1) else {
            return State::Sequential { next, current: 1 };
        };
        let per_page = per_page_of(&template);
        let (last, refused) = match self.limit {
            Some(limit) if last_page.saturating_mul(per_page) > limit => {
                let allowed = limit / per_page.max(1);
                (allowed, Some((allowed.saturating_add(1).max(2), per_page)))
            }
            _ => (last_page, None),
        };
        let mut pages = Concurrent {
            template,
            front: 2,
            next: 2,
            last,
            refused,
            tasks: VecDeque::new(),
            after: None,
        };
        pages.start_pages(&self.client, self.call(), self.concurrency);
        State::Concurrent(pages)
    }

    /// Checks a `rel="next"` target before following it from page `current`.
    fn follow(&self, url: &Url, current: u64) -> Result<u64, Error> {
        let number = query_number(url, "page")
            .filter(|number| *number > current)
            .ok_or_else(|| {
                Error::invalid_link(url.as_str(), "does not lead to a later page")
                    .during(self.call().operation)
            })?;
        let per_page = per_page_of(url);
        match self.limit {
            Some(limit) if number.saturating_mul(per_page) > limit => {
                Err(Error::pagination_limit(self.call(), number, per_page))
            }
            _ => Ok(number),
        }
    }
}

impl<T: DeserializeOwned + Send + 'static> Stream for Listing<T> {
    type Item = Result<T, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.items.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            match &mut this.state {
                State::Done => return Poll::Ready(None),
                State::Failed(_) => {
                    let State::Failed(error) = std::mem::replace(&mut this.state, State::Done)
                    else {
                        unreachable!("matched above")
                    };
                    return Poll::Ready(Some(Err(error)));
                }
                State::First(first) => match ready!(first.as_mut().poll(cx)) {
                    Ok(page) => {
                        this.call = page.call;
                        this.state = State::Done;
                        if this.read(page.items) {
                            this.state = this.plan(page.next, page.last);
                        }
                    }
                    Err(error) => this.state = State::Failed(error),
                },
                State::Concurrent(pages) => {
                    let Some(task) = pages.tasks.front_mut() else {
                        this.state = match (pages.refused, pages.after.take()) {
                            (Some((page, per_page)), _) => {
                                State::Failed(Error::pagination_limit(this.call(), page, per_page))
                            }
                            (None, next) => State::Sequential {
                                next,
                                current: pages.last,
                            },
                        };
                        continue;
                    };
                    let joined = ready!(Pin::new(task).poll(cx));
                    pages.tasks.pop_front();
                    let number = pages.front;
                    pages.front += 1;
                    let page = match joined {
                        Ok(Ok(page)) => page,
                        Ok(Err(error)) => {
                            this.state = State::Failed(error);
                            continue;
                        }
                        Err(join_error) => match join_error.try_into_panic() {
                            Ok(panic) => std::panic::resume_unwind(panic),
                            // Only dropping the listing aborts its tasks.
                            Err(_) => {
                                this.state = State::Done;
                                continue;
                            }
                        },
                    };
                    if page.items.is_empty() {
                        // Dropping the tasks aborts them.
                        this.state = State::Done;
                        continue;
                    }
                    if number == pages.last {
                        pages.after = page.next;
                    }
                    let call = call_or_generic(this.call);
                    pages.start_pages(&this.client, call, this.concurrency);
                    this.items = page.items.into_iter();
                }
                State::Sequential { next, current } => {
                    let current = *current;
                    let Some(url) = next.take() else {
                        this.state = State::Done;
                        continue;
                    };
                    this.state = match this.follow(&url, current) {
                        Ok(number) => State::Fetching {
                            page: Box::pin(fetch_page(this.client.clone(), url, this.call())),
                            number,
                        },
                        Err(error) => State::Failed(error),
                    };
                }
                State::Fetching { page, number } => {
                    let number = *number;
                    match ready!(page.as_mut().poll(cx)) {
                        Ok(page) => {
                            this.state = State::Sequential {
                                next: page.next,
                                current: number,
                            };
                            this.read(page.items);
                        }
                        Err(error) => this.state = State::Failed(error),
                    }
                }
            }
        }
    }
}

/// A listing's call: the one its first page named, else (never reached
/// after the first page) a generic one.
fn call_or_generic(call: Option<Call>) -> Call {
    call.unwrap_or(Call::read("list"))
}

/// The items of a listing whose first page is `first`. `limit` is the most
/// results GitHub lists, for listings it limits.
pub(crate) fn items<T>(
    client: Client,
    concurrency: usize,
    limit: Option<u64>,
    first: FirstPage<T>,
) -> Items<T>
where
    T: DeserializeOwned + Send + 'static,
{
    Box::pin(Listing {
        client,
        call: None,
        concurrency,
        limit,
        items: Vec::new().into_iter(),
        state: State::First(first),
    })
}

/// A stream that yields `error` and ends.
pub(crate) fn failed<T: Send + 'static>(error: Error) -> Items<T> {
    Box::pin(futures_util::stream::once(async move { Err(error) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_github_link_headers() {
        let header = r#"<https://api.github.com/orgs/o/packages?package_type=npm&page=2&per_page=100>; rel="next", <https://api.github.com/orgs/o/packages?package_type=npm&page=7&per_page=100>; rel="last""#;
        let links = Links::parse(header);
        assert_eq!(
            links.next.as_deref(),
            Some("https://api.github.com/orgs/o/packages?package_type=npm&page=2&per_page=100")
        );
        assert!(links.last.unwrap().contains("page=7"));

        let odd = r#"<https://x/a?page=1>; rel="prev first"; title="a, b", <https://x/a?page=3>;rel=next"#;
        let links = Links::parse(odd);
        assert_eq!(links.next.as_deref(), Some("https://x/a?page=3"));
        assert_eq!(links.last, None);
        assert_eq!(Links::parse(""), Links::default());
    }

    #[test]
    fn rewrites_the_page_parameter_only() {
        let url = Url::parse("https://x/v?state=deleted&page=9&per_page=100").unwrap();
        let third = with_page(&url, 3);
        assert_eq!(query_number(&third, "page"), Some(3));
        assert_eq!(query_number(&third, "per_page"), Some(100));
        assert!(third.query().unwrap().contains("state=deleted"));
    }

    #[tokio::test]
    async fn dropping_the_pages_aborts_their_tasks() {
        let (dropped, when_dropped) = tokio::sync::oneshot::channel::<()>();
        let never_done = tokio::spawn(async move {
            let _guard = dropped;
            std::future::pending::<Result<Page<u8>, Error>>().await
        });
        let pages = Concurrent {
            template: Url::parse("https://api.github.com/x?page=9").unwrap(),
            front: 2,
            next: 3,
            last: 9,
            refused: None,
            tasks: VecDeque::from([never_done]),
            after: None,
        };
        drop(pages);
        // The task's future, and the sender it holds, are dropped only if
        // the task was aborted; otherwise nothing ever arrives.
        let waited = tokio::time::timeout(std::time::Duration::from_secs(60), when_dropped)
            .await
            .expect("dropping the pages did not abort their task within 60 s");
        assert!(waited.is_err());
    }

    #[test]
    fn refuses_links_to_other_origins_and_fails_closed() {
        let base = "https://api.github.com";
        let link = |url: &str| Url::parse(url).unwrap();
        check_origin(base, &link("https://api.github.com/x?page=2")).unwrap();
        assert!(check_origin(base, &link("https://evil.example/x?page=2")).is_err());
        assert!(check_origin(base, &link("http://api.github.com/x")).is_err());
        assert!(check_origin(base, &link("https://api.github.com:444/x")).is_err());
        // A base URL that does not parse accepts nothing.
        assert!(check_origin("not a url", &link("https://api.github.com/x")).is_err());
        assert!(check_origin("", &link("https://api.github.com/x")).is_err());
    }
}
