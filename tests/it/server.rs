//! A scripted HTTP server on 127.0.0.1 for tests: each path answers what the test set, and
//! every request is logged so tests can check what the client sent.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What one path answers.
#[derive(Clone, Debug)]
pub struct Route {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// When set, a request whose If-None-Match equals it gets a 304.
    pub etag: Option<String>,
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
            status: 200,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
            etag: None,
            delay: None,
            trickle: None,
            on_304: None,
        }
    }

    pub fn xml(body: impl Into<Vec<u8>>) -> Route {
        Route::ok("application/xml", body)
    }

    pub fn status(status: u16) -> Route {
        Route {
            status,
            headers: vec![],
            body: format!("status {status}").into_bytes(),
            etag: None,
            delay: None,
            trickle: None,
            on_304: None,
        }
    }

    pub fn with_etag(mut self, etag: &str) -> Route {
        self.etag = Some(etag.into());
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
}

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub path: String,
    pub headers: HashMap<String, String>,
    pub status: u16,
    pub bytes: usize,
    /// What the server sent: response head and body.
    pub wire_bytes: usize,
    /// What the client sent: request line and headers.
    pub request_bytes: usize,
}

pub struct Server {
    pub base: String,
    routes: Arc<Mutex<HashMap<String, Route>>>,
    log: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<std::sync::atomic::AtomicBool>,
    /// Requests being answered right now, and the most ever at once.
    load: Arc<Load>,
}

#[derive(Default)]
struct Load {
    now: AtomicUsize,
    max: AtomicUsize,
}

impl Server {
    /// Starts a server on 127.0.0.1 with a free port; it answers until dropped.
    /// Hand-written on std::net (one thread per connection, `Connection: close`): tests need
    /// byte-level control (slow bodies, broken responses), and tiny_http stalled under
    /// concurrent connections.
    pub fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("local addr").port();
        let routes: Arc<Mutex<HashMap<String, Route>>> = Arc::default();
        let log: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let load: Arc<Load> = Arc::default();
        let (r, l, st, ld) = (routes.clone(), log.clone(), stop.clone(), load.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if st.load(std::sync::atomic::Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (r, l, ld) = (r.clone(), l.clone(), ld.clone());
                std::thread::spawn(move || {
                    let _ = handle(conn, &r, &l, &ld);
                });
            }
        });
        Server {
            base: format!("http://127.0.0.1:{port}"),
            routes,
            log,
            stop,
            load,
        }
    }

    /// How many requests the server is answering right now (read, not yet answered): tests use
    /// it to act while a client is mid-fetch. The request log fills only once an answer starts.
    pub fn in_flight(&self) -> usize {
        self.load.now.load(Ordering::SeqCst)
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
}

fn handle(
    mut conn: TcpStream,
    routes: &Mutex<HashMap<String, Route>>,
    log: &Mutex<Vec<Seen>>,
    load: &Load,
) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut line = String::new();
    let mut request_bytes = reader.read_line(&mut line)?;
    if request_bytes == 0 {
        return Ok(());
    }
    answer(
        &mut conn,
        &mut reader,
        line,
        &mut request_bytes,
        routes,
        log,
        load,
    )
}

fn answer(
    conn: &mut TcpStream,
    reader: &mut BufReader<TcpStream>,
    line: String,
    request_bytes: &mut usize,
    routes: &Mutex<HashMap<String, Route>>,
    log: &Mutex<Vec<Seen>>,
    load: &Load,
) -> std::io::Result<()> {
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        let n = reader.read_line(&mut h)?;
        *request_bytes += n;
        if n == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
    }
    let route = routes
        .lock()
        .unwrap()
        .get(&path)
        .cloned()
        .unwrap_or_else(|| Route::status(404));
    // A request counts as in flight from the moment its head is read until its answer starts:
    // the client cannot have seen the answer before, so it cannot have freed its slot.
    let now = load.now.fetch_add(1, Ordering::SeqCst) + 1;
    load.max.fetch_max(now, Ordering::SeqCst);
    if let Some(d) = route.delay {
        std::thread::sleep(d);
    }
    load.now.fetch_sub(1, Ordering::SeqCst);
    let not_modified = route.etag.is_some() && headers.get("if-none-match") == route.etag.as_ref();
    let (status, body) = if not_modified {
        (304, Vec::new())
    } else {
        (route.status, route.body.clone())
    };
    let mut head = format!(
        "HTTP/1.1 {status} X\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    let extra: Vec<(String, String)> = match (&route.on_304, not_modified) {
        (Some(h), true) => h.clone(),
        _ => {
            let mut h = route.headers.clone();
            if let Some(e) = &route.etag {
                h.push(("ETag".into(), e.clone()));
            }
            h
        }
    };
    for (k, v) in &extra {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    log.lock().unwrap().push(Seen {
        path,
        headers,
        status,
        bytes: body.len(),
        wire_bytes: head.len() + body.len(),
        request_bytes: *request_bytes,
    });
    conn.write_all(head.as_bytes())?;
    match route.trickle {
        Some(pause) => {
            for b in &body {
                conn.write_all(std::slice::from_ref(b))?;
                conn.flush()?;
                std::thread::sleep(pause);
            }
        }
        None => conn.write_all(&body)?,
    }
    conn.flush()
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.base.trim_start_matches("http://"));
    }
}
