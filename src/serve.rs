//! `planet serve`: the output folder over HTTP, for previews and small deployments; with
//! `--every`, the same process also publishes on a schedule, so one binary is a whole planet.
//!
//! Takes the folder, an address and, optionally, a publishing cycle (a closure the binary passes
//! in, run through [`crate::every`]); serves until SIGTERM or Ctrl-C. What a request gets, in
//! order:
//! 1. any method but GET and HEAD: 405;
//! 2. the path is percent-decoded, then split on `/`; a segment that starts with `.` (so `.`,
//!    `..` and the publisher's temporary files), or holds `\`, `:` or NUL: 404;
//! 3. the file is found through [`std::fs::canonicalize`], so symlinks are followed, and
//!    anything that lands outside the (canonical) folder: 404;
//! 4. a folder: a path without its trailing slash is redirected (301) to the slash form, else
//!    its `index.html` (checked like any file);
//! 5. a conditional request whose `If-None-Match` matches the ETag (a hash of the bytes), or
//!    that has none and whose `If-Modified-Since` is not older than the file: 304;
//! 6. otherwise the file, its type named after its name ([`content_type`]), gzipped for
//!    text when the client accepts gzip, with `Cache-Control: no-cache` (always revalidate: the
//!    ETag makes that cheap, and a preview is never stale).
//!
//! Files are read whole: outputs are small and published by rename, so a read sees one version.
//! HTTP/1.1 only, no TLS, no ranges: in front of the internet, put nginx (`contrib/nginx`).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};
use sha2::{Digest, Sha256};

use crate::every::{self, Stop};

/// Connections served at once; more wait to be accepted. Bounds memory on a small host.
const MAX_CONNECTIONS: usize = 256;

/// A client that has not sent its request headers by then is dropped (slowloris).
const HEADER_TIMEOUT: Duration = Duration::from_secs(30);

/// How long requests under way may take to finish once the order to stop is given.
const DRAIN: Duration = Duration::from_secs(10);

/// What to serve, where, and how often to publish.
#[derive(Clone, Debug)]
pub struct Options {
    /// The folder served (`output_dir`).
    pub root: PathBuf,
    /// The address to listen on; port 0 picks a free one.
    pub addr: SocketAddr,
    /// Publish at once and then this often (`--every`), or never.
    pub every: Option<Duration>,
}

/// Why serving cannot start.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The address is taken or not ours.
    #[error("cannot listen on `{addr}`")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Nothing published yet, and nothing will be.
    #[error("`{}` does not exist yet: publish it with `planet run`, or serve with `--every 30m`", path.display())]
    NoOutput {
        /// The output folder.
        path: PathBuf,
    },
    /// The listener could not join the runtime, or the signals could not be listened for.
    #[error("cannot start serving")]
    Start(#[source] std::io::Error),
}

/// A bound listener, not yet answering: bind first, so the caller can say where it listens
/// (port 0) before anything else happens.
#[derive(Debug)]
pub struct Server {
    listener: std::net::TcpListener,
    options: Options,
}

impl Server {
    /// Binds the address. Without `every`, the folder must already exist.
    pub fn bind(options: Options) -> Result<Server, Error> {
        if options.every.is_none() && !options.root.is_dir() {
            return Err(Error::NoOutput {
                path: options.root.clone(),
            });
        }
        let bind_err = |source| Error::Bind {
            addr: options.addr,
            source,
        };
        let listener = std::net::TcpListener::bind(options.addr).map_err(bind_err)?;
        listener.set_nonblocking(true).map_err(bind_err)?;
        Ok(Server { listener, options })
    }

    /// The address bound (with the port chosen, when 0 was asked).
    pub fn local_addr(&self) -> Result<SocketAddr, Error> {
        self.listener.local_addr().map_err(|source| Error::Bind {
            addr: self.options.addr,
            source,
        })
    }

    /// Serves until `stop`; with `every`, runs `cycle` at once and then on the schedule, on
    /// the calling thread (which must not be one of the runtime's), while requests are served.
    /// Requests under way when the order comes are finished, for `DRAIN` at most.
    pub fn run(
        self,
        runtime: &tokio::runtime::Runtime,
        stop: &Stop,
        cycle: impl FnMut(),
    ) -> Result<(), Error> {
        let listener = {
            let _inside = runtime.enter();
            tokio::net::TcpListener::from_std(self.listener).map_err(Error::Start)?
        };
        let root = Arc::new(self.options.root);
        let accepting = runtime.spawn(accept(listener, root, stop.clone()));
        match self.options.every {
            Some(interval) => every::repeat(runtime, interval, stop, cycle),
            None => runtime.block_on(stop.stopped()),
        }
        stop.stop();
        // The accept loop never panics; a join error would only say the runtime is going away.
        let _ = runtime.block_on(accepting);
        Ok(())
    }
}

/// Accepts connections until `stop`, then lets those under way finish.
async fn accept(listener: tokio::net::TcpListener, root: Arc<PathBuf>, stop: Stop) {
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot,
            () = stop.stopped() => break,
        };
        let Ok(slot) = slot else { break };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors, usually: give the connections time to close.
                    tracing::warn!("cannot accept a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = stop.stopped() => break,
        };
        let root = root.clone();
        let service = hyper::service::service_fn(move |req| respond(root.clone(), req));
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_TIMEOUT)
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!("connection ended: {e}");
            }
            drop(slot);
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(DRAIN, graceful.shutdown()).await;
}

async fn respond(
    root: Arc<PathBuf>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, _) = req.into_parts();
    let head = parts.method == Method::HEAD;
    if !head && parts.method != Method::GET {
        let mut res = plain(StatusCode::METHOD_NOT_ALLOWED, false);
        res.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return Ok(res);
    }
    let path = parts.uri.path().to_owned();
    let res = tokio::task::spawn_blocking(move || answer(&root, &path, &parts.headers, head))
        .await
        .unwrap_or_else(|_| plain(StatusCode::INTERNAL_SERVER_ERROR, head));
    tracing::debug!("{} {} {}", parts.method, parts.uri, res.status().as_u16());
    Ok(res)
}

/// Where a request path leads inside the folder.
#[derive(Debug, PartialEq)]
enum Found {
    /// A file, with its path relative to the folder (for its type).
    File(PathBuf, PathBuf),
    /// A folder asked without its trailing slash: where to send the client.
    Folder(String),
}

/// Characters a path segment keeps percent-encoded in a redirect.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'\\')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// Rules 2–4 of the module header; `None` is a 404.
fn resolve(root: &Path, path: &str) -> Option<Found> {
    let decoded = percent_decode_str(path).decode_utf8().ok()?;
    let mut segments = Vec::new();
    for segment in decoded.split('/').filter(|s| !s.is_empty()) {
        if segment.starts_with('.') || segment.contains(['\\', ':', '\0']) {
            return None;
        }
        segments.push(segment);
    }
    // Canonical each time: the folder may be published (or replaced) while we serve.
    let root = root.canonicalize().ok()?;
    let real = segments
        .iter()
        .fold(root.clone(), |p, s| p.join(s))
        .canonicalize()
        .ok()?;
    if !real.starts_with(&root) {
        return None;
    }
    let file = if real.is_dir() {
        if !decoded.ends_with('/') {
            let mut to = String::from("/");
            for segment in &segments {
                to.extend(utf8_percent_encode(segment, SEGMENT));
                to.push('/');
            }
            return Some(Found::Folder(to));
        }
        real.join("index.html").canonicalize().ok()?
    } else {
        real
    };
    if !file.starts_with(&root) || !file.is_file() {
        return None;
    }
    let relative = file.strip_prefix(&root).ok()?.to_owned();
    Some(Found::File(file, relative))
}

/// The media type of a published file, by its name: the feeds by theirs, the rest by extension.
pub fn content_type(relative: &Path) -> &'static str {
    let name = relative
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    match name {
        "atom.xml" => return "application/atom+xml",
        "rss.xml" => return "application/rss+xml",
        "feed.json" => return "application/feed+json",
        "opml.xml" => return "text/x-opml",
        "sitemap.xml" => return "application/xml",
        _ => {}
    }
    let extension = relative
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    match extension.as_str() {
        "xml" if relative.starts_with("topics") => "application/atom+xml",
        "xml" => "application/xml",
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css",
        "json" => "application/json",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        _ => "application/octet-stream",
    }
}

/// Whether a type is text, and so worth gzipping.
fn is_text(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default();
    essence.starts_with("text/")
        || essence.ends_with("+xml")
        || essence.ends_with("+json")
        || matches!(essence, "application/xml" | "application/json")
}

/// Whether `Accept-Encoding` allows gzip (RFC 9110 §12.5.3): named with a non-zero weight, or
/// covered by `*` when not named.
fn accepts_gzip(headers: &HeaderMap) -> bool {
    let mut star = false;
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let weight = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            match coding.as_str() {
                "gzip" | "x-gzip" => return weight > 0.0,
                "*" => star = weight > 0.0,
                _ => {}
            }
        }
    }
    star
}

/// Whether `If-None-Match` lists this ETag (weak comparison, RFC 9110 §13.1.2) or is `*`.
fn etag_matches(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

/// Rules 4–6 of the module header, for a GET or HEAD of `path`.
fn answer(root: &Path, path: &str, headers: &HeaderMap, head: bool) -> Response<Full<Bytes>> {
    let (file, relative) = match resolve(root, path) {
        Some(Found::File(file, relative)) => (file, relative),
        Some(Found::Folder(to)) => {
            let mut res = plain(StatusCode::MOVED_PERMANENTLY, head);
            if let Ok(to) = HeaderValue::from_str(&to) {
                res.headers_mut().insert(header::LOCATION, to);
            }
            return res;
        }
        None => return plain(StatusCode::NOT_FOUND, head),
    };
    let (Ok(bytes), Ok(meta)) = (std::fs::read(&file), std::fs::metadata(&file)) else {
        return plain(StatusCode::NOT_FOUND, head);
    };
    let kind = content_type(&relative);
    let text = is_text(kind);
    let gzip = text && accepts_gzip(headers);
    let hash = Sha256::digest(&bytes);
    let hex: String = hash[..16].iter().map(|b| format!("{b:02x}")).collect();
    // A gzipped body is another representation: another strong ETag (RFC 9110 §8.8.3).
    let etag = if gzip {
        format!("\"{hex}-gzip\"")
    } else {
        format!("\"{hex}\"")
    };
    // HTTP dates have whole seconds: compare what the client could have been told.
    let modified = meta
        .modified()
        .ok()
        .map(|m| SystemTime::from(httpdate::HttpDate::from(m)));
    let fresh = if headers.contains_key(header::IF_NONE_MATCH) {
        etag_matches(headers, &etag)
    } else {
        let since = headers
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| httpdate::parse_http_date(v).ok());
        matches!((modified, since), (Some(m), Some(s)) if m <= s)
    };
    let body = if fresh {
        Vec::new()
    } else if gzip {
        gzipped(&bytes)
    } else {
        bytes
    };
    let mut res = Response::builder()
        .status(if fresh {
            StatusCode::NOT_MODIFIED
        } else {
            StatusCode::OK
        })
        .header(header::ETAG, &etag)
        .header(header::CACHE_CONTROL, "no-cache");
    if let Some(modified) = modified {
        res = res.header(header::LAST_MODIFIED, httpdate::fmt_http_date(modified));
    }
    if text {
        res = res.header(header::VARY, "accept-encoding");
    }
    if !fresh {
        res = res
            .header(header::CONTENT_TYPE, kind)
            .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
            .header(header::CONTENT_LENGTH, body.len());
        if gzip {
            res = res.header(header::CONTENT_ENCODING, "gzip");
        }
    }
    let body = if head { Vec::new() } else { body };
    res.body(Full::new(Bytes::from(body)))
        .unwrap_or_else(|_| plain(StatusCode::INTERNAL_SERVER_ERROR, head))
}

fn gzipped(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(bytes.len() / 4),
        flate2::Compression::default(),
    );
    // A Vec takes every write, so gzip into memory cannot fail.
    encoder.write_all(bytes).expect("writing to a Vec");
    encoder.finish().expect("writing to a Vec")
}

/// A short text answer for the statuses that carry no file.
fn plain(status: StatusCode, head: bool) -> Response<Full<Bytes>> {
    let text = format!("{}\n", status.canonical_reason().unwrap_or("error"));
    let mut res = Response::new(Full::new(if head {
        Bytes::new()
    } else {
        Bytes::from(text.clone())
    }));
    *res.status_mut() = status;
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(text.len()));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_type_cases() {
        let cases = [
            ("atom.xml", "application/atom+xml"),
            ("rss.xml", "application/rss+xml"),
            ("feed.json", "application/feed+json"),
            ("opml.xml", "text/x-opml"),
            ("sitemap.xml", "application/xml"),
            ("index.html", "text/html; charset=utf-8"),
            ("archive/index.html", "text/html; charset=utf-8"),
            ("style.css", "text/css"),
            ("favicon.svg", "image/svg+xml"),
            ("topics/rust.xml", "application/atom+xml"),
            ("topics/atom.xml", "application/atom+xml"),
            ("foafroll.xml", "application/xml"),
            ("logo.PNG", "image/png"),
            ("face.jpeg", "image/jpeg"),
            ("planet.ini", "application/octet-stream"),
            ("README", "application/octet-stream"),
        ];
        for (name, want) in cases {
            assert_eq!(content_type(Path::new(name)), want, "{name}");
        }
    }

    #[test]
    fn text_types_are_the_compressible_ones() {
        for t in [
            "text/css",
            "text/x-opml",
            "application/atom+xml",
            "image/svg+xml",
        ] {
            assert!(is_text(t), "{t}");
        }
        for t in ["image/png", "application/octet-stream", "image/x-icon"] {
            assert!(!is_text(t), "{t}");
        }
    }

    #[test]
    fn accept_encoding_cases() {
        let cases = [
            ("plain gzip", "gzip", true),
            ("among others", "br, gzip, deflate", true),
            ("with a weight", "gzip;q=0.5", true),
            ("refused by weight", "gzip;q=0", false),
            ("refused with spaces", "gzip ; q=0.0, br", false),
            ("old name", "x-gzip", true),
            ("star", "*", true),
            ("star, but not gzip", "*, gzip;q=0", false),
            ("identity only", "identity", false),
            ("none", "", false),
            ("case", "GZIP", true),
        ];
        for (name, value, want) in cases {
            let mut headers = HeaderMap::new();
            headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(value));
            assert_eq!(accepts_gzip(&headers), want, "{name}");
        }
        assert!(!accepts_gzip(&HeaderMap::new()), "no header");
    }

    #[test]
    fn if_none_match_cases() {
        let etag = "\"abc\"";
        let cases = [
            ("same", "\"abc\"", true),
            ("weak form", "W/\"abc\"", true),
            ("in a list", "\"x\", \"abc\"", true),
            ("star", "*", true),
            ("other", "\"abd\"", false),
            ("unquoted", "abc", false),
        ];
        for (name, value, want) in cases {
            let mut headers = HeaderMap::new();
            headers.insert(header::IF_NONE_MATCH, HeaderValue::from_static(value));
            assert_eq!(etag_matches(&headers, etag), want, "{name}");
        }
    }

    #[test]
    fn resolve_stays_inside_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("out");
        std::fs::create_dir_all(root.join("topics")).unwrap();
        std::fs::write(root.join("index.html"), "i").unwrap();
        std::fs::write(root.join("topics/index.html"), "t").unwrap();
        std::fs::write(dir.path().join("secret"), "s").unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret"), root.join("link")).unwrap();
        let canonical = root.canonicalize().unwrap();
        let file = |rel: &str| Some(Found::File(canonical.join(rel), PathBuf::from(rel)));
        let cases = [
            ("root", "/", file("index.html")),
            ("folder", "/topics/", file("topics/index.html")),
            (
                "folder without slash",
                "/topics",
                Some(Found::Folder("/topics/".into())),
            ),
            (
                "encoded folder",
                "/%74opics",
                Some(Found::Folder("/topics/".into())),
            ),
            ("dot dot", "/../secret", None),
            ("encoded dots", "/%2e%2e/secret", None),
            ("encoded slash", "/topics%2f..%2f..%2fsecret", None),
            ("backslash", "/..\\secret", None),
            ("symlink out", "/link", None),
            ("dot file", "/.index.html.1.tmp", None),
            ("missing", "/nope.html", None),
            ("bad utf-8", "/%ff", None),
        ];
        for (name, path, want) in cases {
            assert_eq!(resolve(&root, path), want, "{name}");
        }
    }
}
