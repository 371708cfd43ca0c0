//! What the fake remembers about each request it receives.

/// A request as received, recorded before any fault is applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    /// Method, e.g. `GET`.
    pub method: String,
    /// The path exactly as sent, percent-encoding intact, without the query,
    /// e.g. `/orgs/acme/packages/container/repo%2Fimage`.
    pub raw_path: String,
    /// The query exactly as sent, without `?`; `None` when there was none.
    pub query: Option<String>,
    /// Headers with lower-case names, in the order received (repeated
    /// headers keep their values together, at the first one's position).
    pub headers: Vec<(String, String)>,
}

impl RecordedRequest {
    pub(crate) fn from_parts(parts: &hyper::http::request::Parts) -> RecordedRequest {
        RecordedRequest {
            method: parts.method.as_str().to_string(),
            raw_path: parts.uri.path().to_string(),
            query: parts.uri.query().map(str::to_string),
            headers: parts
                .headers
                .iter()
                .map(|(name, value)| {
                    (
                        name.as_str().to_string(),
                        String::from_utf8_lossy(value.as_bytes()).into_owned(),
                    )
                })
                .collect(),
        }
    }

    /// The first value of a header (`name` is matched case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(header, _)| header.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}
