//! HTTP: one client for the run, conditional GET, limits, bounded concurrency.
//!
//! Takes [`Request`]s (a URL and the validators the store kept) and yields one [`Outcome`] or one
//! [`Error`] per feed. A 304 is a result, not an error. Every failure is contained in its feed's
//! result: nothing here can stop the other feeds. The body is handed on as raw bytes, never
//! decoded to text, so the parser can honour the XML encoding declaration. This stage does not
//! parse and does not touch the cache.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{
    HeaderMap, HeaderValue, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED,
};
use tokio::sync::{mpsc, Semaphore};
use url::Url;

use crate::config::Planet;

/// How many redirects one fetch may follow before it is abandoned.
pub const MAX_REDIRECTS: usize = 5;

/// Why one feed's fetch failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The HTTP client could not be built (bad TLS roots, bad header value).
    #[error("cannot set up the HTTP client")]
    Client(#[source] reqwest::Error),
    /// The server answered with an error status.
    #[error("HTTP {status}")]
    Status {
        /// The status code and reason.
        status: reqwest::StatusCode,
    },
    /// The connection failed, timed out, or the server broke the protocol.
    /// (The cause is folded into the message, innermost first: a feed failure is one line.)
    #[error("{}", describe(.0))]
    Transport(reqwest::Error),
    /// The body grew past the configured limit (counted after decompression).
    #[error("feed larger than {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },
}

/// One feed to fetch, with what the last fetch left us.
#[derive(Debug, Clone)]
pub struct Request {
    /// The URL to fetch.
    pub url: Url,
    /// The `ETag` stored from the last response.
    pub etag: Option<String>,
    /// The `Last-Modified` stored from the last response.
    pub last_modified: Option<String>,
}

/// A successful answer.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// 200: a new body to parse.
    Body(Body),
    /// 304: nothing changed; the stored entries stand.
    NotModified {
        /// A fresh `ETag`, if the server sent one.
        etag: Option<String>,
        /// A fresh `Last-Modified`, if the server sent one.
        last_modified: Option<String>,
    },
}

/// A 200 response.
#[derive(Debug, Clone)]
pub struct Body {
    /// The raw bytes, decompressed but not decoded.
    pub bytes: Vec<u8>,
    /// The URL after redirects: the base for relative links of last resort.
    pub final_url: Url,
    /// `ETag`, verbatim.
    pub etag: Option<String>,
    /// `Last-Modified`, verbatim.
    pub last_modified: Option<String>,
    /// `Content-Type`, verbatim (carries the HTTP charset).
    pub content_type: Option<String>,
}

/// The one HTTP client of a run.
#[derive(Clone)]
pub struct Client {
    inner: reqwest::Client,
    max_bytes: u64,
}

/// The User-Agent: names the software, its version and the planet, so a feed host knows who
/// is asking and where to complain.
pub fn user_agent(planet: &Planet) -> String {
    format!("planet/{} (+{})", env!("CARGO_PKG_VERSION"), planet.link)
}

impl Client {
    /// Builds the client from the planet's limits and identity.
    pub fn new(planet: &Planet) -> Result<Client, Error> {
        let mut headers = HeaderMap::new();
        if let Some(email) = &planet.owner_email {
            if let Ok(v) = HeaderValue::from_str(email) {
                headers.insert(reqwest::header::FROM, v);
            }
        }
        headers.insert(
            reqwest::header::ACCEPT,
            HeaderValue::from_static(
                "application/atom+xml, application/rss+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8",
            ),
        );
        let inner = reqwest::Client::builder()
            .user_agent(user_agent(planet))
            .default_headers(headers)
            .connect_timeout(planet.connect_timeout())
            .timeout(planet.timeout())
            .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
            .pool_idle_timeout(Duration::from_secs(30))
            .build()
            .map_err(Error::Client)?;
        Ok(Client {
            inner,
            max_bytes: planet.max_feed_bytes,
        })
    }

    /// Fetches one feed with a conditional GET.
    pub async fn fetch(&self, req: &Request) -> Result<Outcome, Error> {
        let mut rb = self.inner.get(req.url.clone());
        if let Some(etag) = &req.etag {
            rb = rb.header(IF_NONE_MATCH, etag);
        }
        if let Some(lm) = &req.last_modified {
            rb = rb.header(IF_MODIFIED_SINCE, lm);
        }
        let mut resp = rb.send().await.map_err(Error::Transport)?;
        let status = resp.status();
        let etag = header(resp.headers(), ETAG);
        let last_modified = header(resp.headers(), LAST_MODIFIED);
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(Outcome::NotModified {
                etag,
                last_modified,
            });
        }
        if !status.is_success() {
            return Err(Error::Status { status });
        }
        let content_type = header(resp.headers(), reqwest::header::CONTENT_TYPE);
        let final_url = resp.url().clone();
        let mut bytes = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(Error::Transport)? {
            if (bytes.len() + chunk.len()) as u64 > self.max_bytes {
                return Err(Error::TooLarge {
                    limit: self.max_bytes,
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Outcome::Body(Body {
            bytes,
            final_url,
            etag,
            last_modified,
            content_type,
        }))
    }
}

/// Fetches every request, at most `concurrency` at once, and runs `then` on each result on the
/// blocking pool (parsing is CPU work that must not stall the network). Results arrive on the
/// returned channel as they complete, in no particular order.
pub fn fetch_all<T, F>(
    client: Client,
    requests: Vec<Request>,
    concurrency: usize,
    then: F,
) -> mpsc::Receiver<T>
where
    T: Send + 'static,
    F: Fn(Request, Result<Outcome, Error>) -> T + Send + Sync + 'static,
{
    let (tx, rx) = mpsc::channel(concurrency.max(1) * 2);
    let limit = Arc::new(Semaphore::new(concurrency.max(1)));
    let then = Arc::new(then);
    for req in requests {
        let (tx, limit, then, client) = (tx.clone(), limit.clone(), then.clone(), client.clone());
        tokio::spawn(async move {
            let Ok(permit) = limit.acquire_owned().await else {
                return;
            };
            let result = client.fetch(&req).await;
            let out = tokio::task::spawn_blocking(move || then(req, result)).await;
            if let Ok(out) = out {
                let _ = tx.send(out).await;
            }
            // Held until the result is handed over, so at most `concurrency` feeds are in
            // memory beyond the channel: without it, fast fetches piled up parsed feeds
            // behind the store (issue 6).
            drop(permit);
        });
    }
    rx
}

fn header(headers: &HeaderMap, name: reqwest::header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// A one-line reason for a transport failure: the innermost cause says the most
/// ("connection refused", "dns error"), reqwest's outer message the least.
fn describe(err: &reqwest::Error) -> String {
    let kind = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "cannot connect"
    } else if err.is_redirect() {
        "too many redirects"
    } else if err.is_decode() || err.is_body() {
        "broken response body"
    } else {
        "request failed"
    };
    let mut source = std::error::Error::source(err);
    let mut inner = None;
    while let Some(s) = source {
        inner = Some(s.to_string());
        source = s.source();
    }
    let inner = inner.filter(|i| !i.starts_with("error sending request"));
    match inner {
        Some(i) if !kind.contains(&i) => format!("{kind}: {i}"),
        _ => kind.to_owned(),
    }
}
