//! The benchmark's feed server: HTTP/1.1 on 127.0.0.1, one thread per connection, keep-alive.
//!
//! Serves `/feed/N.xml` from bodies held in memory already gzipped (a real server caches its
//! compressed feeds too), answers conditional GETs (`If-None-Match`, `If-Modified-Since`) with
//! 304, sleeps the configured latency before every answer, and counts requests, statuses and
//! bytes written so each benchmark step can report its traffic. It does not parse more HTTP
//! than a feed fetcher sends (GET, headers, no request body) and is not meant for anything else.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// What one feed answers.
#[derive(Clone)]
pub enum Answer {
    /// 200 with this gzipped body, and its validators.
    Feed {
        gz: Arc<Vec<u8>>,
        etag: String,
        last_modified: String,
    },
    /// An error status.
    Status(u16),
}

/// Traffic since the last [`Traffic::take`].
#[derive(Default)]
pub struct Traffic {
    requests: AtomicU64,
    ok: AtomicU64,
    not_modified: AtomicU64,
    errors: AtomicU64,
    bytes: AtomicU64,
}

/// A snapshot of [`Traffic`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    pub requests: u64,
    pub ok: u64,
    pub not_modified: u64,
    pub errors: u64,
    pub bytes: u64,
}

impl Traffic {
    /// Reads and resets the counters.
    pub fn take(&self) -> Counts {
        Counts {
            requests: self.requests.swap(0, Ordering::Relaxed),
            ok: self.ok.swap(0, Ordering::Relaxed),
            not_modified: self.not_modified.swap(0, Ordering::Relaxed),
            errors: self.errors.swap(0, Ordering::Relaxed),
            bytes: self.bytes.swap(0, Ordering::Relaxed),
        }
    }
}

/// The feeds, by index; swapped in place when the benchmark adds entries.
pub type Feeds = Arc<RwLock<Vec<Answer>>>;

/// A running server.
pub struct Server {
    pub port: u16,
    pub traffic: Arc<Traffic>,
}

/// Starts serving `feeds` on a free port of 127.0.0.1, in background threads that live as long
/// as the process.
pub fn start(feeds: Feeds, latency: Duration) -> std::io::Result<Server> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let traffic = Arc::new(Traffic::default());
    let t = traffic.clone();
    std::thread::Builder::new()
        .name("accept".into())
        .spawn(move || {
            for stream in listener.incoming().flatten() {
                let (feeds, t) = (feeds.clone(), t.clone());
                let _ = std::thread::Builder::new()
                    .stack_size(256 * 1024)
                    .spawn(move || {
                        let _ = serve(stream, &feeds, &t, latency);
                    });
            }
        })?;
    Ok(Server { port, traffic })
}

fn serve(
    stream: TcpStream,
    feeds: &Feeds,
    traffic: &Traffic,
    latency: Duration,
) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut out = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
        let mut headers = HashMap::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h)? == 0 {
                return Ok(());
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
            }
        }
        if !latency.is_zero() {
            std::thread::sleep(latency);
        }
        let answer = path
            .strip_prefix("/feed/")
            .and_then(|p| p.strip_suffix(".xml"))
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| feeds.read().ok()?.get(n).cloned())
            .unwrap_or(Answer::Status(404));
        let response = respond(&answer, &headers)?;
        traffic.requests.fetch_add(1, Ordering::Relaxed);
        traffic
            .bytes
            .fetch_add(response.len() as u64, Ordering::Relaxed);
        let counter = match &answer {
            Answer::Feed { .. } if response.starts_with(b"HTTP/1.1 304") => &traffic.not_modified,
            Answer::Feed { .. } => &traffic.ok,
            Answer::Status(_) => &traffic.errors,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        out.write_all(&response)?;
        if headers
            .get("connection")
            .is_some_and(|c| c.eq_ignore_ascii_case("close"))
        {
            return Ok(());
        }
    }
}

fn respond(answer: &Answer, headers: &HashMap<String, String>) -> std::io::Result<Vec<u8>> {
    match answer {
        Answer::Status(code) => {
            let body = format!("status {code}\n");
            Ok(format!(
                "HTTP/1.1 {code} Error\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
            .into_bytes())
        }
        Answer::Feed {
            gz,
            etag,
            last_modified,
        } => {
            let fresh = match headers.get("if-none-match") {
                Some(inm) => inm.split(',').any(|t| t.trim() == etag),
                None => headers.get("if-modified-since") == Some(last_modified),
            };
            let validators = format!("ETag: {etag}\r\nLast-Modified: {last_modified}\r\n");
            if fresh {
                return Ok(format!("HTTP/1.1 304 Not Modified\r\n{validators}\r\n").into_bytes());
            }
            let gzip = headers
                .get("accept-encoding")
                .is_some_and(|a| a.contains("gzip"));
            let plain;
            let (body, encoding): (&[u8], &str) = if gzip {
                (gz, "Content-Encoding: gzip\r\n")
            } else {
                let mut v = Vec::new();
                flate2::read::GzDecoder::new(&gz[..]).read_to_end(&mut v)?;
                plain = v;
                (&plain, "")
            };
            let mut r = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/xml; charset=utf-8\r\nContent-Length: {}\r\nVary: Accept-Encoding\r\n{encoding}{validators}\r\n",
                body.len()
            )
            .into_bytes();
            r.extend_from_slice(body);
            Ok(r)
        }
    }
}
