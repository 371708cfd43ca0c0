//! The scripted test server: a tiny HTTP/1.1 server on 127.0.0.1 whose
//! answers a test scripts and which records each request head as received
//! (method, raw percent-encoded target, headers). The wire test uses it to
//! see exactly what each operation sends; the client-layer tests use it for
//! what the stateful fake never sends: lying or backward `Link` headers,
//! error bodies that are cut off or huge. One request per connection
//! (`connection: close`).

use std::sync::{Arc, Mutex};

use github_packages::{Client, ClientBuilder, RetryPolicy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What a script sees of a request.
#[derive(Clone, Debug)]
pub(crate) struct Seen {
    pub(crate) method: String,
    /// Path and query, as sent.
    pub(crate) target: String,
    /// The headers, in the order sent, names lowercased.
    pub(crate) headers: Vec<(String, String)>,
    /// The server's `http://127.0.0.1:PORT`, for links back to it.
    pub(crate) base_url: String,
}

impl Seen {
    /// The path, without the query.
    pub(crate) fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    /// The value of a header (name in lower case), if sent.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// A query parameter, e.g. `page`.
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        let (_, query) = self.target.split_once('?')?;
        query.split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            (key == name).then_some(value)
        })
    }
}

type Script = dyn Fn(&Seen, usize) -> Vec<u8> + Send + Sync;

pub(crate) struct Scripted {
    pub(crate) base_url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Scripted {
    /// Serves every request with `script(request, index)`, `index` counting
    /// requests from 0; the bytes it returns are written as the whole
    /// response, then the connection is closed.
    pub(crate) async fn start(
        script: impl Fn(&Seen, usize) -> Vec<u8> + Send + Sync + 'static,
    ) -> Scripted {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let script: Arc<Script> = Arc::new(script);
        let log = Arc::clone(&seen);
        let base = base_url.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (log, script) = (Arc::clone(&log), Arc::clone(&script));
                tokio::spawn(serve(stream, log, script, base.clone()));
            }
        });
        Scripted { base_url, seen }
    }

    /// The token its clients send (the wire snapshot shows it).
    pub(crate) const TOKEN: &str = "wire-test-token";

    /// A builder for a client of this server, with [`Self::TOKEN`].
    pub(crate) fn client_builder(&self) -> ClientBuilder {
        Client::builder()
            .token(Self::TOKEN)
            .base_url(&self.base_url)
    }

    /// A client of this server with the given retries.
    pub(crate) fn client(&self, retry: RetryPolicy) -> Client {
        self.client_builder()
            .retry(retry)
            .build()
            .expect("a client for the scripted server")
    }

    /// The requests received so far.
    pub(crate) fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// The requests received since the last call (or since the start).
    pub(crate) fn take(&self) -> Vec<Seen> {
        std::mem::take(&mut self.seen.lock().unwrap())
    }
}

async fn serve(
    mut stream: TcpStream,
    log: Arc<Mutex<Vec<Seen>>>,
    script: Arc<Script>,
    base_url: String,
) {
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    // The client's requests have no body: the head is everything.
    while !received.windows(4).any(|window| window == b"\r\n\r\n") {
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(read) => received.extend_from_slice(&buffer[..read]),
        }
    }
    let head = String::from_utf8_lossy(&received);
    let head = head.split("\r\n\r\n").next().unwrap_or_default();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let seen = Seen {
        method: request_line.next().unwrap_or_default().to_string(),
        target: request_line.next().unwrap_or_default().to_string(),
        headers: lines
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.to_ascii_lowercase(), value.trim().to_string()))
            .collect(),
        base_url,
    };
    let index = {
        let mut log = log.lock().unwrap();
        log.push(seen.clone());
        log.len() - 1
    };
    let response = script(&seen, index);
    let _ = stream.write_all(&response).await;
    let _ = stream.shutdown().await;
}

/// A complete response: `status` (e.g. `"200 OK"`), extra headers and body.
pub(crate) fn reply(status: &str, headers: &[(&str, String)], body: &[u8]) -> Vec<u8> {
    cut_off(status, headers, body, body.len())
}

/// A response whose `content-length` promises `promised` bytes, of which
/// only `body` is sent before the connection closes (all of it when
/// `promised` is its length).
pub(crate) fn cut_off(
    status: &str,
    headers: &[(&str, String)],
    body: &[u8],
    promised: usize,
) -> Vec<u8> {
    let mut head =
        format!("HTTP/1.1 {status}\r\ncontent-length: {promised}\r\nconnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut response = head.into_bytes();
    response.extend_from_slice(body);
    response
}

/// A package version as GitHub lists it.
pub(crate) fn version_json(id: u64) -> String {
    format!(
        r#"{{"id":{id},"name":"1.0.{id}","url":"https://api.github.com/orgs/acme/packages/container/app/versions/{id}","package_html_url":"https://github.com/orgs/acme/packages/container/package/app","created_at":"2024-01-02T03:04:05Z","updated_at":"2024-01-02T03:04:05Z"}}"#
    )
}

/// A package as GitHub lists it.
pub(crate) fn package_json(id: u64) -> String {
    format!(
        r#"{{"id":{id},"name":"p{id}","package_type":"npm","url":"https://api.github.com/orgs/acme/packages/npm/p{id}","html_url":"https://github.com/orgs/acme/packages/npm/package/p{id}","version_count":1,"visibility":"public","created_at":"2024-01-02T03:04:05Z","updated_at":"2024-01-02T03:04:05Z"}}"#
    )
}

/// A JSON array of `items`.
pub(crate) fn array(items: impl IntoIterator<Item = String>) -> Vec<u8> {
    format!("[{}]", items.into_iter().collect::<Vec<_>>().join(",")).into_bytes()
}
