//! GitHub's `Link`-header pagination, as a `Stream` of items.
//!
//! The first page comes from a generated operation. When its `Link` header
//! names the last page (`rel="last"`), the remaining pages are fetched
//! concurrently, a bounded number at a time, and still yielded in page
//! order; otherwise `rel="next"` is followed one page at a time. At most the
//! pages in flight are held in memory. A page answered with an error status
//! ends the stream with that error; it is never decoded as a page.

use std::future::Future;
use std::pin::Pin;

use futures_core::Stream;
use futures_util::stream::{self, StreamExt};
use progenitor_client::{ClientHooks, OperationInfo, ResponseValue};
use reqwest::header::{HeaderMap, LINK};
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;

use crate::Client;
use crate::error::{Call, Error, GeneratedError};
use crate::runtime::Runtime;

/// GitHub's page size when a URL names none.
const GITHUB_DEFAULT_PER_PAGE: u64 = 30;

/// A stream of listed items.
pub(crate) type Items<T> = Pin<Box<dyn Stream<Item = Result<T, Error>> + Send>>;

/// The first page's request, not yet sent.
pub(crate) type FirstPage<T> = Pin<Box<dyn Future<Output = Result<Page<T>, Error>> + Send>>;

type Pages<T> = Pin<Box<dyn Stream<Item = Result<Page<T>, Error>> + Send>>;

/// One page of a listing and where the listing goes on.
pub(crate) struct Page<T> {
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
            items,
            next: links.next.and_then(|url| Url::parse(&url).ok()),
            last: links.last.and_then(|url| Url::parse(&url).ok()),
        }
    }

    /// The first page, from a generated list operation.
    pub(crate) async fn first(
        call: Call,
        result: Result<ResponseValue<Vec<T>>, GeneratedError>,
    ) -> Result<Self, Error> {
        match result {
            Ok(value) => {
                let page = Page::new(Vec::new(), value.headers());
                Ok(Page {
                    items: value.into_inner(),
                    ..page
                })
            }
            Err(error) => Err(Error::from_generated(call, error).await),
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
/// rate-limit bookkeeping) as the generated operations, again if its body is
/// cut off.
async fn fetch_page<T: DeserializeOwned>(
    client: &Client,
    url: Url,
    call: Call,
) -> Result<Page<T>, Error> {
    if let Ok(base) = Url::parse(&client.baseurl) {
        check_origin(&base, &url).map_err(|error| error.during(call.operation))?;
    }
    let call = Call {
        page: query_number(&url, "page").map(|page| {
            let per_page = query_number(&url, "per_page").unwrap_or(GITHUB_DEFAULT_PER_PAGE);
            (page, per_page)
        }),
        ..call
    };
    client
        .inner
        .again_if_cut_off(call.operation, Error::is_cut_off, || {
            fetch_page_once(client, url.clone(), call)
        })
        .await
}

async fn fetch_page_once<T: DeserializeOwned>(
    client: &Client,
    url: Url,
    call: Call,
) -> Result<Page<T>, Error> {
    let info = OperationInfo {
        operation_id: call.operation,
    };
    let mut request = reqwest::Request::new(Method::GET, url);
    if let Err(error) = <Client as ClientHooks<Runtime>>::pre(client, &mut request, &info).await {
        return Err(Error::from_generated(call, error).await);
    }
    let mut response = <Client as ClientHooks<Runtime>>::exec(client, request, &info)
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
/// following it would send the token there.
fn check_origin(base: &Url, url: &Url) -> Result<(), Error> {
    if url.origin() == base.origin() {
        Ok(())
    } else {
        Err(Error::foreign_link(url.as_str()))
    }
}

enum State<T> {
    First(FirstPage<T>),
    Concurrent { pages: Pages<T>, after: Option<Url> },
    Sequential(Option<Url>),
    Done,
}

/// The pages after the first: concurrently when the last page is known.
fn plan<T: DeserializeOwned + Send + 'static>(
    client: &Client,
    call: Call,
    concurrency: usize,
    next: Option<Url>,
    last: Option<Url>,
) -> State<T> {
    let last_page = last
        .as_ref()
        .and_then(|url| Some((url, query_number(url, "page")?)));
    match last_page {
        Some((last, last_page)) if concurrency > 1 && last_page > 1 => {
            // A page past GitHub's 10,000-result limit is refused with a 400,
            // which ends the stream with `ErrorKind::PaginationLimit`.
            let client = client.clone();
            let urls: Vec<Url> = (2..=last_page).map(|page| with_page(last, page)).collect();
            let pages = stream::iter(urls)
                .map(move |url| {
                    let client = client.clone();
                    async move { fetch_page::<T>(&client, url, call).await }
                })
                .buffered(concurrency);
            State::Concurrent {
                pages: Box::pin(pages),
                after: None,
            }
        }
        _ => State::Sequential(next),
    }
}

/// The items of a listing whose first page is `first`.
pub(crate) fn items<T>(
    client: Client,
    call: Call,
    concurrency: usize,
    first: FirstPage<T>,
) -> Items<T>
where
    T: DeserializeOwned + Send + 'static,
{
    let pages = stream::unfold(State::First(first), move |mut state| {
        let client = client.clone();
        async move {
            loop {
                match state {
                    State::Done | State::Sequential(None) => return None,
                    State::First(first) => {
                        return Some(match first.await {
                            Ok(page) => {
                                let next = plan(&client, call, concurrency, page.next, page.last);
                                (Ok(page.items), next)
                            }
                            Err(error) => (Err(error), State::Done),
                        });
                    }
                    State::Concurrent { mut pages, after } => match pages.next().await {
                        Some(Ok(page)) => {
                            // Only the final page's `next` survives: it is set
                            // when the listing grew while being read.
                            let after = page.next;
                            return Some((Ok(page.items), State::Concurrent { pages, after }));
                        }
                        Some(Err(error)) => return Some((Err(error), State::Done)),
                        None => state = State::Sequential(after),
                    },
                    State::Sequential(Some(url)) => {
                        return Some(match fetch_page::<T>(&client, url.clone(), call).await {
                            // A `next` pointing at the same page would loop.
                            Ok(page) => {
                                let next = page.next.filter(|next| *next != url);
                                (Ok(page.items), State::Sequential(next))
                            }
                            Err(error) => (Err(error), State::Done),
                        });
                    }
                }
            }
        }
    });
    Box::pin(pages.flat_map(|page| stream::iter(PageItems::from(page))))
}

/// A stream that yields `error` and ends.
pub(crate) fn failed<T: Send + 'static>(error: Error) -> Items<T> {
    Box::pin(stream::once(async move { Err(error) }))
}

/// The items of one page, or the error that ended the listing.
enum PageItems<T> {
    Items(std::vec::IntoIter<T>),
    Failed(Option<Error>),
}

impl<T> From<Result<Vec<T>, Error>> for PageItems<T> {
    fn from(page: Result<Vec<T>, Error>) -> Self {
        match page {
            Ok(items) => PageItems::Items(items.into_iter()),
            Err(error) => PageItems::Failed(Some(error)),
        }
    }
}

impl<T> Iterator for PageItems<T> {
    type Item = Result<T, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            PageItems::Items(items) => items.next().map(Ok),
            PageItems::Failed(error) => error.take().map(Err),
        }
    }
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

    #[test]
    fn refuses_links_to_other_hosts() {
        let base = Url::parse("https://api.github.com").unwrap();
        check_origin(
            &base,
            &Url::parse("https://api.github.com/x?page=2").unwrap(),
        )
        .unwrap();
        assert!(
            check_origin(&base, &Url::parse("https://evil.example/x?page=2").unwrap()).is_err()
        );
        assert!(check_origin(&base, &Url::parse("http://api.github.com/x").unwrap()).is_err());
    }
}
