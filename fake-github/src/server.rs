//! HTTP/1.1 plumbing: accepting connections, answering requests through
//! [`api`], and the wire-level faults (truncated bodies, resets).

use std::convert::Infallible;
use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Context as TaskContext, Poll};

use hyper::body::{Body, Bytes, Frame, Incoming, SizeHint};
use hyper::header::{HeaderName, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use tokio_rustls::TlsAcceptor;

use crate::api::{self, Auth, Context, DOCS_REST, Reply};
use crate::fault::FaultKind;
use crate::recording::RecordedRequest;
use crate::registry;
use crate::store::Store;

pub(crate) type SharedStore = Arc<Mutex<Store>>;

/// Locks the store; a panic elsewhere while it was held leaves it usable.
pub(crate) fn lock(store: &Mutex<Store>) -> MutexGuard<'_, Store> {
    store.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Whether a background server's thread is done: its socket closed and its
/// connections dropped.
#[derive(Default)]
pub(crate) struct Closed {
    closed: Mutex<bool>,
    changed: Condvar,
}

impl Closed {
    pub(crate) fn set(&self) {
        *self.closed.lock().unwrap_or_else(PoisonError::into_inner) = true;
        self.changed.notify_all();
    }

    /// Blocks until the socket is closed; only for callers that do not run
    /// the server's runtime themselves.
    pub(crate) fn wait(&self) {
        let mut closed = self.closed.lock().unwrap_or_else(PoisonError::into_inner);
        while !*closed {
            closed = self
                .changed
                .wait(closed)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// Accepts connections until `shutdown`'s sender is dropped or sends, over
/// TLS when given an acceptor.
pub(crate) async fn serve(
    listener: TcpListener,
    store: SharedStore,
    tls: Option<TlsAcceptor>,
    mut shutdown: watch::Receiver<()>,
) {
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    lock(&store).connections += 1;
                    tokio::spawn(accept_connection(
                        stream,
                        tls.clone(),
                        store.clone(),
                        shutdown.clone(),
                    ));
                }
                // E.g. out of file descriptors: let other tasks run, then retry.
                Err(_) => tokio::task::yield_now().await,
            },
            _ = shutdown.changed() => return,
        }
    }
}

/// Lets a request's handler end its connection.
#[derive(Default)]
struct ConnectionControl {
    /// Drops the connection when notified.
    abort: Notify,
    /// Makes the drop send a TCP reset instead of a FIN.
    reset: AtomicBool,
}

impl ConnectionControl {
    fn close(&self) {
        self.abort.notify_one();
    }

    fn reset(&self) {
        self.reset.store(true, Ordering::SeqCst);
        self.abort.notify_one();
    }
}

async fn accept_connection(
    stream: TcpStream,
    tls: Option<TlsAcceptor>,
    store: SharedStore,
    shutdown: watch::Receiver<()>,
) {
    let _ = stream.set_nodelay(true);
    let control = Arc::new(ConnectionControl::default());
    let stream = ConnectionStream {
        stream,
        control: control.clone(),
    };
    match tls {
        None => serve_connection(stream, control, store, shutdown).await,
        Some(acceptor) => {
            // A client that refuses the certificate ends the handshake;
            // there is nothing to serve then.
            if let Ok(stream) = acceptor.accept(stream).await {
                serve_connection(stream, control, store, shutdown).await;
            }
        }
    }
}

async fn serve_connection(
    io: impl AsyncRead + AsyncWrite + Unpin + Send + 'static,
    control: Arc<ConnectionControl>,
    store: SharedStore,
    mut shutdown: watch::Receiver<()>,
) {
    let io = TokioIo::new(io);
    let handler_control = control.clone();
    let service =
        service_fn(move |request| handle(store.clone(), handler_control.clone(), request));
    let connection = http1::Builder::new().serve_connection(io, service);
    // Leaving the select drops the connection, and with it the socket.
    tokio::select! {
        _ = connection => {}
        () = control.abort.notified() => {}
        _ = shutdown.changed() => {}
    }
}

/// The socket, able to close with a reset when its connection asks for it.
struct ConnectionStream {
    stream: TcpStream,
    control: Arc<ConnectionControl>,
}

impl Drop for ConnectionStream {
    fn drop(&mut self) {
        if self.control.reset.load(Ordering::SeqCst) {
            // SO_LINGER 0: closing sends RST and discards unsent data.
            let _ = self.stream.set_zero_linger();
        }
    }
}

impl AsyncRead for ConnectionStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for ConnectionStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

/// A response body: all at once, or (for `TruncatedBody`) a part of it
/// under a `content-length` that promises more, after which the connection
/// is closed.
pub(crate) struct ResponseBody {
    data: Option<Bytes>,
    truncation: Option<Truncation>,
}

struct Truncation {
    declared_length: u64,
    control: Arc<ConnectionControl>,
}

impl ResponseBody {
    fn full(data: Option<Vec<u8>>) -> ResponseBody {
        ResponseBody {
            data: data.map(Bytes::from),
            truncation: None,
        }
    }
}

impl Body for ResponseBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut TaskContext<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = self.get_mut();
        if let Some(data) = this.data.take() {
            return Poll::Ready(Some(Ok(Frame::data(data))));
        }
        match &this.truncation {
            None => Poll::Ready(None),
            Some(truncation) => {
                // hyper flushes what it has before it polls again, and the
                // connection task closes the socket once notified; the body
                // never ends, so hyper never notices the missing bytes.
                truncation.control.close();
                Poll::Pending
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_none() && self.truncation.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        match (&self.truncation, &self.data) {
            (Some(truncation), _) => SizeHint::with_exact(truncation.declared_length),
            (None, Some(data)) => SizeHint::with_exact(data.len() as u64),
            (None, None) => SizeHint::with_exact(0),
        }
    }
}

/// How a request ends.
enum Outcome {
    Reply(Reply),
    /// A 200 with part of this reply's body (or of a stand-in message).
    Truncated(Option<Reply>),
    Reset,
}

async fn handle(
    store: SharedStore,
    control: Arc<ConnectionControl>,
    request: Request<Incoming>,
) -> Result<Response<ResponseBody>, Infallible> {
    let (parts, mut body) = request.into_parts();
    // The API takes no request bodies; read any so the connection stays usable.
    while let Some(Ok(_)) = poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {}
    let request = RecordedRequest::from_parts(&parts);
    let admission = api::admit(&mut lock(&store), &request);
    let mut context = admission.context;
    // Held until the answer is built: the request is in flight till then.
    let _in_flight = match admission.secondary {
        Ok(in_flight) => in_flight,
        Err(refused) => {
            let reply = Reply::error(
                refused.status,
                &secondary_rate_limit_message(&context),
                SECONDARY_DOCS,
            )
            .header("retry-after", refused.retry_after_secs.to_string());
            let body = ResponseBody::full(reply.body);
            return Ok(response(&context, reply.status, reply.headers, body));
        }
    };
    if !admission.latency.is_zero() {
        tokio::time::sleep(admission.latency).await;
    }
    let outcome = match admission.fault {
        None => Outcome::Reply(carry_out(&store, &context, &request)),
        Some(fault) => apply_fault(&store, &mut context, &request, fault).await,
    };
    match outcome {
        Outcome::Reply(reply) => Ok(response(
            &context,
            reply.status,
            reply.headers,
            ResponseBody::full(reply.body),
        )),
        Outcome::Truncated(reply) => Ok(truncated_response(&context, reply, control)),
        Outcome::Reset => {
            control.reset();
            // The connection task drops this future along with the socket.
            std::future::pending().await
        }
    }
}

fn carry_out(store: &SharedStore, context: &Context, request: &RecordedRequest) -> Reply {
    let mut store = lock(store);
    if let Some(reply) = registry::respond(&mut store, request) {
        return reply;
    }
    api::respond(&mut store, context, request)
}

async fn apply_fault(
    store: &SharedStore,
    context: &mut Context,
    request: &RecordedRequest,
    fault: FaultKind,
) -> Outcome {
    let mut fault = fault;
    let mut after_action = false;
    while let FaultKind::AfterAction(inner) = fault {
        after_action = true;
        fault = *inner;
    }
    let acted = after_action.then(|| carry_out(store, context, request));
    match fault {
        FaultKind::Delay(delay) => {
            tokio::time::sleep(delay).await;
            Outcome::Reply(acted.unwrap_or_else(|| carry_out(store, context, request)))
        }
        FaultKind::Hold(gate) => {
            gate.wait().await;
            Outcome::Reply(acted.unwrap_or_else(|| carry_out(store, context, request)))
        }
        FaultKind::Publish {
            owner,
            package,
            image,
        } => {
            lock(store).publish_image(&owner, &package, &image);
            Outcome::Reply(acted.unwrap_or_else(|| carry_out(store, context, request)))
        }
        FaultKind::ConnectionReset => Outcome::Reset,
        FaultKind::TruncatedBody => {
            let is_read = matches!(request.method.as_str(), "GET" | "HEAD");
            let reply = acted.or_else(|| is_read.then(|| carry_out(store, context, request)));
            Outcome::Truncated(reply)
        }
        FaultKind::Status(status) => {
            let reason = StatusCode::from_u16(status)
                .ok()
                .and_then(|status| status.canonical_reason())
                .unwrap_or("Error");
            Outcome::Reply(Reply::error(status, reason, DOCS_REST))
        }
        FaultKind::TooManyRequests { retry_after_secs } => Outcome::Reply(
            Reply::error(429, &secondary_rate_limit_message(context), SECONDARY_DOCS)
                .header("retry-after", retry_after_secs.to_string()),
        ),
        FaultKind::SecondaryRateLimit { retry_after_secs } => {
            let reply = Reply::error(403, &secondary_rate_limit_message(context), SECONDARY_DOCS);
            Outcome::Reply(match retry_after_secs {
                Some(secs) => reply.header("retry-after", secs.to_string()),
                None => reply,
            })
        }
        FaultKind::PrimaryRateLimit { reset_in_secs } => {
            context.rate.used = context.rate.limit;
            context.rate.remaining = 0;
            let reset_in = i64::try_from(reset_in_secs).unwrap_or(i64::MAX / 2);
            context.rate.reset = chrono::Utc::now().timestamp().saturating_add(reset_in);
            let message = format!(
                "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, \
                 please include the request ID {}.",
                request_id(context)
            );
            Outcome::Reply(Reply::error(403, &message, PRIMARY_DOCS))
        }
        FaultKind::Redirect { status, location } => {
            Outcome::Reply(Reply::error(status, "Moved", DOCS_REST).header("location", location))
        }
        FaultKind::AfterAction(_) => unreachable!("AfterAction layers are unwrapped above"),
    }
}

const PRIMARY_DOCS: &str = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-the-primary-rate-limit";
const SECONDARY_DOCS: &str = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits";

fn secondary_rate_limit_message(context: &Context) -> String {
    format!(
        "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. \
         If you reach out to GitHub Support for help, please include the request ID {}.",
        request_id(context)
    )
}

fn request_id(context: &Context) -> String {
    format!("FAKE:{:08X}", context.request_id)
}

fn truncated_response(
    context: &Context,
    reply: Option<Reply>,
    control: Arc<ConnectionControl>,
) -> Response<ResponseBody> {
    let (headers, body) = match reply {
        Some(reply) => (reply.headers, reply.body),
        None => (Vec::new(), None),
    };
    let full = body
        .filter(|body| body.len() >= 2)
        .unwrap_or_else(|| br#"{"message":"This body is cut short by fake-github."}"#.to_vec());
    let sent = Bytes::copy_from_slice(&full[..full.len() / 2]);
    let body = ResponseBody {
        data: Some(sent),
        truncation: Some(Truncation {
            declared_length: full.len() as u64,
            control,
        }),
    };
    response(context, 200, headers, body)
}

/// Adds the headers every response carries and builds the response.
fn response(
    context: &Context,
    status: u16,
    extra_headers: Vec<(&'static str, String)>,
    body: ResponseBody,
) -> Response<ResponseBody> {
    let rate = context.rate;
    let mut headers: Vec<(&'static str, String)> = Vec::with_capacity(extra_headers.len() + 12);
    let typed = extra_headers
        .iter()
        .any(|(name, _)| *name == "content-type");
    if !body.is_end_stream() && !typed {
        headers.push((
            "content-type",
            "application/json; charset=utf-8".to_string(),
        ));
    }
    headers.extend([
        ("x-github-api-version-selected", "2022-11-28".to_string()),
        ("x-github-media-type", "github.v3; format=json".to_string()),
        ("x-github-request-id", request_id(context)),
        ("x-ratelimit-limit", rate.limit.to_string()),
        ("x-ratelimit-remaining", rate.remaining.to_string()),
        ("x-ratelimit-reset", rate.reset.to_string()),
        ("x-ratelimit-used", rate.used.to_string()),
        ("x-ratelimit-resource", "core".to_string()),
    ]);
    if let Auth::Token { scopes } = &context.auth {
        headers.push(("x-oauth-scopes", scopes.join(", ")));
    }
    let accepted = context
        .route
        .as_ref()
        .map_or("", |route| route.action.accepted_scopes());
    headers.push(("x-accepted-oauth-scopes", accepted.to_string()));
    headers.extend(extra_headers);

    let mut response = Response::new(body);
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let map = response.headers_mut();
    for (name, value) in headers {
        if let Ok(value) = HeaderValue::from_str(&value) {
            map.append(HeaderName::from_static(name), value);
        }
    }
    response
}
