//! `page`/`per_page` and the `Link` header, the way GitHub does them.

use crate::route::Query;

/// `per_page` when the client sends none (or 0, or garbage).
pub(crate) const DEFAULT_PER_PAGE: usize = 30;
/// Larger `per_page` values are clamped to this.
pub(crate) const MAX_PER_PAGE: usize = 100;

/// The page a list request asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PageRequest {
    /// 1-based; 0 and unparsable values mean 1.
    pub(crate) page: usize,
    pub(crate) per_page: usize,
}

impl PageRequest {
    pub(crate) fn from_query(query: &Query<'_>) -> PageRequest {
        let number = |key| query.get(key).and_then(|value| value.parse::<usize>().ok());
        let page = number("page").filter(|&page| page > 0).unwrap_or(1);
        let per_page = number("per_page")
            .filter(|&per_page| per_page > 0)
            .unwrap_or(DEFAULT_PER_PAGE)
            .min(MAX_PER_PAGE);
        PageRequest { page, per_page }
    }

    /// How many items come before this page.
    pub(crate) fn offset(&self) -> usize {
        (self.page - 1).saturating_mul(self.per_page)
    }

    /// The last page number for `total` items (1 for an empty list).
    pub(crate) fn last_page(&self, total: usize) -> usize {
        total.div_ceil(self.per_page).max(1)
    }
}

/// GitHub's `Link` header for `page` of a list whose last page is
/// `last_page`, or `None` when there is only one page and it was asked for.
///
/// The order is GitHub's: `prev`, `next`, `last`, `first`. Each URL is the
/// request URL (absolute, from `base_url`) with `page` replaced in place, or
/// appended when the request had none; other parameters stay as sent.
pub(crate) fn link_header(
    base_url: &str,
    raw_path: &str,
    query: &Query<'_>,
    page: usize,
    last_page: usize,
) -> Option<String> {
    let url = |page: usize| {
        format!(
            "<{base_url}{raw_path}?{}>",
            query.with("page", &page.to_string())
        )
    };
    let mut links = Vec::with_capacity(4);
    if page > 1 {
        links.push(format!("{}; rel=\"prev\"", url(page - 1)));
    }
    if page < last_page {
        links.push(format!("{}; rel=\"next\"", url(page + 1)));
        links.push(format!("{}; rel=\"last\"", url(last_page)));
    }
    if page > 1 {
        links.push(format!("{}; rel=\"first\"", url(1)));
    }
    (!links.is_empty()).then(|| links.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_defaults_and_clamping() {
        let page = |raw| PageRequest::from_query(&Query::parse(raw));
        assert_eq!(
            page(None),
            PageRequest {
                page: 1,
                per_page: 30
            }
        );
        assert_eq!(
            page(Some("page=0&per_page=0")),
            PageRequest {
                page: 1,
                per_page: 30
            }
        );
        assert_eq!(
            page(Some("page=x&per_page=500")),
            PageRequest {
                page: 1,
                per_page: 100
            }
        );
        let third = page(Some("page=3&per_page=10"));
        assert_eq!(
            (third.offset(), third.last_page(0), third.last_page(21)),
            (20, 1, 3)
        );
    }

    #[test]
    fn link_header_first_middle_last() {
        let query = Query::parse(Some("page=1&per_page=100&state=active"));
        let base = "http://127.0.0.1:1";
        let path = "/user/packages/npm/p/versions";
        assert_eq!(
            link_header(base, path, &query, 1, 3).unwrap(),
            "<http://127.0.0.1:1/user/packages/npm/p/versions?page=2&per_page=100&state=active>; rel=\"next\", \
             <http://127.0.0.1:1/user/packages/npm/p/versions?page=3&per_page=100&state=active>; rel=\"last\""
        );
        assert_eq!(
            link_header(base, path, &query, 2, 3).unwrap(),
            "<http://127.0.0.1:1/user/packages/npm/p/versions?page=1&per_page=100&state=active>; rel=\"prev\", \
             <http://127.0.0.1:1/user/packages/npm/p/versions?page=3&per_page=100&state=active>; rel=\"next\", \
             <http://127.0.0.1:1/user/packages/npm/p/versions?page=3&per_page=100&state=active>; rel=\"last\", \
             <http://127.0.0.1:1/user/packages/npm/p/versions?page=1&per_page=100&state=active>; rel=\"first\""
        );
        assert_eq!(
            link_header(base, path, &query, 3, 3).unwrap(),
            "<http://127.0.0.1:1/user/packages/npm/p/versions?page=2&per_page=100&state=active>; rel=\"prev\", \
             <http://127.0.0.1:1/user/packages/npm/p/versions?page=1&per_page=100&state=active>; rel=\"first\""
        );
        assert_eq!(link_header(base, path, &query, 1, 1), None);
    }
}
