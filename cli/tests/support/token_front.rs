//! The origin a registry with `silly` auth is reached through: it answers
//! the token endpoint (`/token`) itself and passes every other request to
//! the registry. ghpkg sends credentials only to its registry's own
//! origin, so the realm must be on the origin it talks to, as ghcr.io's is.
//!
//! One request per connection: each answer is sent with
//! `Connection: close`, and the client connects again.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A running front (its thread lives as long as the test process).
pub struct TokenFront {
    address: String,
    /// Token requests that carried credentials (`Authorization`).
    credentialed: Arc<AtomicUsize>,
    /// All token requests.
    tokens: Arc<AtomicUsize>,
}

impl TokenFront {
    /// Takes a free port of 127.0.0.1 (the registry's realm names it
    /// before the registry starts); [`serve`](Self::serve) then serves it.
    pub fn bind() -> (TokenFront, TcpListener) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        let address = listener.local_addr().expect("its address").to_string();
        let front = TokenFront {
            address,
            credentialed: Arc::default(),
            tokens: Arc::default(),
        };
        (front, listener)
    }

    /// Serves `listener`, passing requests on to `registry` (`127.0.0.1:PORT`).
    pub fn serve(&self, listener: TcpListener, registry: &str) {
        let registry = registry.to_string();
        let (credentialed, tokens) = (self.credentialed.clone(), self.tokens.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let registry = registry.clone();
                let (credentialed, tokens) = (credentialed.clone(), tokens.clone());
                std::thread::spawn(move || {
                    let _ = handle(stream, &registry, &credentialed, &tokens);
                });
            }
        });
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// `127.0.0.1:PORT`.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// (token requests with credentials, all token requests).
    pub fn token_requests(&self) -> (usize, usize) {
        (
            self.credentialed.load(Ordering::SeqCst),
            self.tokens.load(Ordering::SeqCst),
        )
    }
}

fn handle(
    mut client: TcpStream,
    registry: &str,
    credentialed: &AtomicUsize,
    tokens: &AtomicUsize,
) -> std::io::Result<()> {
    let (head, body) = read_request(&mut client)?;
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default().to_string();
    let headers: Vec<&str> = lines.filter(|line| !line.is_empty()).collect();
    let path = request_line.split(' ').nth(1).unwrap_or_default();
    if path.starts_with("/token") {
        tokens.fetch_add(1, Ordering::SeqCst);
        let has_credentials = headers
            .iter()
            .any(|line| line.to_ascii_lowercase().starts_with("authorization:"));
        if has_credentials {
            credentialed.fetch_add(1, Ordering::SeqCst);
        }
        let token = r#"{"token":"silly-token","access_token":"silly-token","expires_in":300}"#;
        let answer = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{token}",
            token.len()
        );
        return client.write_all(answer.as_bytes());
    }
    let mut upstream = TcpStream::connect(registry)?;
    let mut forwarded = format!("{request_line}\r\n");
    for line in headers {
        if !line.to_ascii_lowercase().starts_with("connection:") {
            forwarded.push_str(line);
            forwarded.push_str("\r\n");
        }
    }
    forwarded.push_str("Connection: close\r\n\r\n");
    upstream.write_all(forwarded.as_bytes())?;
    upstream.write_all(&body)?;
    std::io::copy(&mut upstream, &mut client)?;
    Ok(())
}

/// The request's head (up to the blank line) and its body (by
/// `Content-Length`; the clients here send no chunked requests).
fn read_request(client: &mut TcpStream) -> std::io::Result<(String, Vec<u8>)> {
    let mut raw = Vec::new();
    let mut buffer = [0u8; 8192];
    let end = loop {
        if let Some(end) = raw.windows(4).position(|window| window == b"\r\n\r\n") {
            break end;
        }
        let read = client.read(&mut buffer)?;
        if read == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        raw.extend_from_slice(&buffer[..read]);
    };
    let head = String::from_utf8_lossy(&raw[..end]).to_string();
    let length: usize = head
        .split("\r\n")
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse().ok())
        .unwrap_or(0);
    let mut body = raw[end + 4..].to_vec();
    while body.len() < length {
        let read = client.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        body.extend_from_slice(&buffer[..read]);
    }
    Ok((head, body))
}
