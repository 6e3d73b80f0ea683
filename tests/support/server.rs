//! The HTTP server of the integration tests and of the benchmark, on 127.0.0.1: each path
//! answers what its [`Route`] says, and every request is logged, so a test can check what the
//! client sent and a benchmark step can sum the traffic it caused ([`Server::take_traffic`]).
//!
//! Hand-written on std::net, one thread per connection: tests need byte-level control (slow
//! bodies, broken responses), and tiny_http stalled under concurrent connections. A route can
//! hold its body already gzipped (a real server caches its compressed feeds too), answer
//! conditional GETs with 304, wait before answering, trickle its body or redirect. By default
//! each answer closes its connection; the benchmark keeps connections alive, as feed servers
//! do ([`Options`]). It parses no more HTTP than a feed fetcher sends (GET, headers; a POST's
//! body is read whole, for the WebSub pings) and is meant for nothing else. Included by
//! `tests/it/main.rs` and `benches/planet-bench.rs`, each of which uses part of it.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read as _, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What one path answers.
#[derive(Clone, Debug)]
pub struct Route {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// Shared, so answering does not copy it.
    pub body: Arc<[u8]>,
    /// The body is stored gzipped: sent as is (`Content-Encoding: gzip`) to a client that
    /// accepts gzip, decompressed for one that does not.
    pub gzipped: bool,
    /// When set, a request whose If-None-Match lists it gets a 304.
    pub etag: Option<String>,
    /// When set, a request without If-None-Match whose If-Modified-Since equals it gets a 304.
    pub last_modified: Option<String>,
    /// Wait this long before answering.
    pub delay: Option<Duration>,
    /// Send the body one byte at a time, pausing this long between bytes.
    pub trickle: Option<Duration>,
    /// When set, a 304 carries exactly these headers (none: a bare 304) instead of the route's.
    pub on_304: Option<Vec<(String, String)>>,
}

impl Route {
    pub fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Route {
        Route {
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into().into(),
            ..Route::status(200)
        }
    }

    pub fn xml(body: impl Into<Vec<u8>>) -> Route {
        Route::ok("application/xml", body)
    }

    /// A 200 whose body is `xml` gzipped once, here, for every answer to come.
    pub fn gzipped_xml(xml: &[u8]) -> Route {
        let mut enc = flate2::write::GzEncoder::new(
            Vec::with_capacity(xml.len() / 3),
            flate2::Compression::default(),
        );
        enc.write_all(xml).expect("writing to a Vec cannot fail");
        let gz = enc.finish().expect("writing to a Vec cannot fail");
        Route {
            gzipped: true,
            ..Route::ok("application/xml; charset=utf-8", gz).with_header("Vary", "Accept-Encoding")
        }
    }

    pub fn status(status: u16) -> Route {
        Route {
            status,
            headers: vec![],
            body: format!("status {status}").into_bytes().into(),
            gzipped: false,
            etag: None,
            last_modified: None,
            delay: None,
            trickle: None,
            on_304: None,
        }
    }

    pub fn with_etag(mut self, etag: &str) -> Route {
        self.etag = Some(etag.into());
        self
    }

    pub fn with_last_modified(mut self, date: &str) -> Route {
        self.last_modified = Some(date.into());
        self
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Route {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn with_delay(mut self, delay: Duration) -> Route {
        self.delay = Some(delay);
        self
    }

    pub fn with_trickle(mut self, pause: Duration) -> Route {
        self.trickle = Some(pause);
        self
    }

    pub fn with_304_headers(mut self, headers: &[(&str, &str)]) -> Route {
        self.on_304 = Some(
            headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        );
        self
    }

    /// A redirect with this status to `location`.
    pub fn redirect(status: u16, location: &str) -> Route {
        Route::status(status).with_header("Location", location)
    }

    /// Whether a request with these headers gets a 304: If-None-Match decides when sent, else
    /// If-Modified-Since (RFC 9110, 13.2.2).
    fn not_modified(&self, headers: &HashMap<String, String>) -> bool {
        match (headers.get("if-none-match"), &self.etag) {
            (Some(inm), Some(etag)) => inm.split(',').any(|t| t.trim() == etag),
            (Some(_), None) => false,
            (None, _) => {
                self.last_modified.is_some()
                    && headers.get("if-modified-since") == self.last_modified.as_ref()
            }
        }
    }
}

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    /// `GET`, or `POST` from a WebSub ping.
    pub method: String,
    pub path: String,
    pub headers: HashMap<String, String>,
    pub status: u16,
    pub bytes: usize,
    /// What the server sent: response head and body.
    pub wire_bytes: usize,
    /// What the client sent: request line and headers.
    pub request_bytes: usize,
    /// The request's body (`Content-Length` bytes), e.g. a ping's form.
    pub body: Vec<u8>,
}

/// The traffic of the requests logged since the last [`Server::take_traffic`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Traffic {
    pub requests: u64,
    /// Answered 200.
    pub ok: u64,
    /// Answered 304.
    pub not_modified: u64,
    /// Answered anything else.
    pub errors: u64,
    /// Sent: response heads and bodies.
    pub bytes: u64,
}

/// How a server answers, beyond its routes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Keep connections open for further requests (HTTP/1.1 keep-alive), instead of closing
    /// each after its answer.
    pub keep_alive: bool,
    /// Wait this long before every answer, on top of a route's own delay.
    pub latency: Duration,
}

pub struct Server {
    pub base: String,
    routes: Arc<Mutex<HashMap<String, Route>>>,
    log: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
    /// Requests being answered right now, and the most ever at once.
    load: Arc<Load>,
}

#[derive(Default)]
struct Load {
    now: AtomicUsize,
    max: AtomicUsize,
}

/// What a connection's thread shares with the server.
struct Shared {
    routes: Arc<Mutex<HashMap<String, Route>>>,
    log: Arc<Mutex<Vec<Seen>>>,
    load: Arc<Load>,
    options: Options,
}

impl Server {
    /// Starts a server on 127.0.0.1 with a free port, closing every connection after its
    /// answer; it answers until dropped.
    pub fn start() -> Server {
        Server::start_with(Options::default()).expect("bind 127.0.0.1")
    }

    /// Starts a server on 127.0.0.1 with a free port; it answers until dropped.
    pub fn start_with(options: Options) -> std::io::Result<Server> {
        Server::start_on("127.0.0.1", options)
    }

    /// Starts a server on another loopback address (`127.0.0.2`, say) with a free port.
    pub fn start_on(ip: &str, options: Options) -> std::io::Result<Server> {
        let listener = TcpListener::bind((ip, 0))?;
        let port = listener.local_addr()?.port();
        let shared = Arc::new(Shared {
            routes: Arc::default(),
            log: Arc::default(),
            load: Arc::default(),
            options,
        });
        let stop = Arc::new(AtomicBool::new(false));
        let server = Server {
            base: format!("http://{ip}:{port}"),
            routes: shared.routes.clone(),
            log: shared.log.clone(),
            stop: stop.clone(),
            load: shared.load.clone(),
        };
        std::thread::Builder::new()
            .name("accept".into())
            .spawn(move || {
                for conn in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(conn) = conn else { continue };
                    let shared = shared.clone();
                    std::thread::spawn(move || {
                        let _ = handle(conn, &shared);
                    });
                }
            })?;
        Ok(server)
    }

    /// The most requests this server was ever answering at once.
    pub fn max_concurrent(&self) -> usize {
        self.load.max.load(Ordering::SeqCst)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn set(&self, path: &str, route: Route) {
        self.routes.lock().unwrap().insert(path.to_owned(), route);
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.log.lock().unwrap().clone()
    }

    /// Sums the requests logged so far and empties the log: the traffic since the last call.
    pub fn take_traffic(&self) -> Traffic {
        let seen = std::mem::take(&mut *self.log.lock().unwrap());
        let mut t = Traffic {
            requests: seen.len() as u64,
            ..Traffic::default()
        };
        for s in &seen {
            match s.status {
                200 => t.ok += 1,
                304 => t.not_modified += 1,
                _ => t.errors += 1,
            }
            t.bytes += s.wire_bytes as u64;
        }
        t
    }
}

/// Answers the requests of one connection: one, or, with keep-alive, until the client closes.
fn handle(conn: TcpStream, shared: &Shared) -> std::io::Result<()> {
    let keep_alive = shared.options.keep_alive;
    if keep_alive {
        // On a kept connection Nagle's algorithm would hold an answer back until the client's
        // delayed ACK of the last one. An idle kept connection is the client's to close.
        conn.set_nodelay(true)?;
    } else {
        conn.set_read_timeout(Some(Duration::from_secs(10)))?;
    }
    // A TLS ClientHello (a client trying https here) is closed at once, as a server that
    // speaks no TLS fails the handshake, instead of waiting for a line that never comes.
    let mut first = [0u8; 1];
    if conn.peek(&mut first)? == 1 && first[0] == 0x16 {
        return Ok(());
    }
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut conn = conn;
    loop {
        let mut line = String::new();
        let request_bytes = reader.read_line(&mut line)?;
        if request_bytes == 0 {
            return Ok(());
        }
        let close = answer(&mut conn, &mut reader, line, request_bytes, shared)?;
        if close || !keep_alive {
            return Ok(());
        }
    }
}

/// Reads the rest of one request and answers it; true when the client asked to close.
fn answer(
    conn: &mut TcpStream,
    reader: &mut BufReader<TcpStream>,
    line: String,
    mut request_bytes: usize,
    shared: &Shared,
) -> std::io::Result<bool> {
    let mut words = line.split_whitespace();
    let method = words.next().unwrap_or("GET").to_owned();
    let path = words.next().unwrap_or("/").to_owned();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        let n = reader.read_line(&mut h)?;
        request_bytes += n;
        if n == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
    }
    let length = headers
        .get("content-length")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(0);
    let mut request_body = vec![0; length.min(1 << 20)];
    reader.read_exact(&mut request_body)?;
    let route = shared
        .routes
        .lock()
        .unwrap()
        .get(&path)
        .cloned()
        .unwrap_or_else(|| Route::status(404));
    // A request counts as in flight from the moment its head is read until its answer starts:
    // the client cannot have seen the answer before, so it cannot have freed its slot.
    let load = &shared.load;
    let now = load.now.fetch_add(1, Ordering::SeqCst) + 1;
    load.max.fetch_max(now, Ordering::SeqCst);
    let wait = shared.options.latency + route.delay.unwrap_or_default();
    if !wait.is_zero() {
        std::thread::sleep(wait);
    }
    load.now.fetch_sub(1, Ordering::SeqCst);
    let not_modified = route.not_modified(&headers);
    let gzip = route.gzipped
        && headers
            .get("accept-encoding")
            .is_some_and(|a| a.contains("gzip"));
    let plain;
    let (status, body): (u16, &[u8]) = if not_modified {
        (304, &[])
    } else if route.gzipped && !gzip {
        let mut v = Vec::new();
        flate2::read::GzDecoder::new(&route.body[..]).read_to_end(&mut v)?;
        plain = v;
        (route.status, &plain)
    } else {
        (route.status, &route.body)
    };
    let mut head = format!("HTTP/1.1 {status} X\r\n");
    if !shared.options.keep_alive {
        head.push_str("Connection: close\r\n");
    }
    head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    let extra: Vec<(String, String)> = match (&route.on_304, not_modified) {
        (Some(h), true) => h.clone(),
        _ => {
            let mut h = route.headers.clone();
            if let Some(e) = &route.etag {
                h.push(("ETag".into(), e.clone()));
            }
            if let Some(d) = &route.last_modified {
                h.push(("Last-Modified".into(), d.clone()));
            }
            if gzip && !not_modified {
                h.push(("Content-Encoding".into(), "gzip".into()));
            }
            h
        }
    };
    for (k, v) in &extra {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let close = headers
        .get("connection")
        .is_some_and(|c| c.eq_ignore_ascii_case("close"));
    shared.log.lock().unwrap().push(Seen {
        method,
        path,
        headers,
        status,
        bytes: body.len(),
        wire_bytes: head.len() + body.len(),
        request_bytes,
        body: request_body,
    });
    conn.write_all(head.as_bytes())?;
    match route.trickle {
        Some(pause) => {
            for b in body {
                conn.write_all(std::slice::from_ref(b))?;
                conn.flush()?;
                std::thread::sleep(pause);
            }
        }
        None => conn.write_all(body)?,
    }
    conn.flush()?;
    Ok(close)
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.base.trim_start_matches("http://"));
    }
}
