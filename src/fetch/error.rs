//! Why a feed's fetch failed, in the one line every command prints.

use std::time::Duration;

use url::Url;

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
        /// `Retry-After` (on 429 and 503), as a delay from now.
        retry_after: Option<Duration>,
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
    /// A redirect led back to a URL already visited.
    #[error("redirect loop at `{url}`")]
    RedirectLoop {
        /// The URL seen twice.
        url: Url,
    },
    /// More redirects than [`MAX_REDIRECTS`](super::MAX_REDIRECTS).
    #[error("more than {limit} redirects")]
    TooManyRedirects {
        /// The limit.
        limit: usize,
    },
    /// A redirect without a usable `Location`, or to something other than http(s).
    #[error("bad redirect from `{url}`")]
    BadRedirect {
        /// The URL that answered with the redirect.
        url: Url,
    },
    /// A redirect from a public address to a loopback, private or link-local one.
    #[error("refused redirect to private address `{url}`")]
    PrivateRedirect {
        /// The refused target.
        url: Url,
    },
    /// The whole run's deadline passed before this feed was done.
    #[error("run deadline reached")]
    Deadline,
    /// A gzip body (`Content-Encoding: gzip`) that does not decompress.
    #[error("bad gzip body: {0}")]
    Gzip(#[source] std::io::Error),
}

impl Error {
    /// The HTTP status behind the failure, when a response came.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Status { status, .. } => Some(status.as_u16()),
            _ => None,
        }
    }
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
