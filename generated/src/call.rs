//! Sending a generated operation and keeping what its answer said: the
//! [`Call`] a hand-written method describes, [`send`], which keeps the
//! status and headers of an error answer in a task-local slot, and
//! [`note_answer`], which the `exec` hook fills it from.
//!
//! progenitor does not keep the status and headers of an error response
//! whose body cannot be decoded; without them an error could not say which
//! scope is missing or when the rate limit resets.

use std::cell::Cell;
use std::future::Future;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::error::GeneratedError;

/// The status and headers of an error response, which progenitor does not
/// keep when the body cannot be decoded.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
}

/// A generated operation's error, with the error response it came from
/// when the hand-written layer sent it ([`send`]).
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) error: GeneratedError,
    pub(crate) answer: Option<Answer>,
}

impl From<GeneratedError> for Failure {
    fn from(error: GeneratedError) -> Self {
        Failure {
            error,
            answer: None,
        }
    }
}

tokio::task_local! {
    /// The last answer of the generated operation being sent by [`send`],
    /// when it was an error status; set by the `exec` hook (see `hooks`).
    static ANSWER: Cell<Option<Answer>>;
}

/// Sends a generated operation (its `send()` future), keeping the status
/// and headers of an error answer for `Error::from_failure`.
pub(crate) async fn send<T>(
    operation: impl Future<Output = Result<T, GeneratedError>>,
) -> Result<T, Failure> {
    // Pinned where it stands: a generated operation's future is large, and
    // every move of it is a copy.
    let mut scoped = std::pin::pin!(ANSWER.scope(Cell::new(None), operation));
    scoped.as_mut().await.map_err(|error| Failure {
        error,
        answer: scoped.take_value().and_then(Cell::into_inner),
    })
}

/// Called with the final response of every request: keeps its status and
/// headers if it is an error and the request was made through [`send`].
pub(crate) fn note_answer(response: &reqwest::Response) {
    // Outside `send` (a generated operation called directly, or a page
    // fetched by the stream) there is nowhere to keep it, and nobody to ask.
    let _ = ANSWER.try_with(|slot| {
        let status = response.status();
        slot.set(
            (status.is_client_error() || status.is_server_error()).then(|| Answer {
                status,
                headers: response.headers().clone(),
            }),
        );
    });
}

/// What the layer calling a generated operation knows about the call.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Call {
    pub(crate) operation: &'static str,
    /// `DELETE` or `POST`: not safe to repeat when the outcome is unknown.
    pub(crate) mutating: Option<&'static str>,
    /// `(page, per_page)` of a list request.
    pub(crate) page: Option<(u64, u64)>,
}

impl Call {
    pub(crate) fn read(operation: &'static str) -> Self {
        Call {
            operation,
            mutating: None,
            page: None,
        }
    }

    pub(crate) fn write(operation: &'static str, method: &'static str) -> Self {
        Call {
            operation,
            mutating: Some(method),
            page: None,
        }
    }
}
