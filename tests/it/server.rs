//! A scripted HTTP server on 127.0.0.1 for tests: each path answers what the test set, and
//! every request is logged so tests can check what the client sent.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
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
}

impl Route {
    pub fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Route {
        Route {
            status: 200,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
            etag: None,
            delay: None,
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
}

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub path: String,
    pub headers: HashMap<String, String>,
    pub status: u16,
    pub bytes: usize,
}

pub struct Server {
    pub base: String,
    routes: Arc<Mutex<HashMap<String, Route>>>,
    log: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<std::sync::atomic::AtomicBool>,
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
        let (r, l, st) = (routes.clone(), log.clone(), stop.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if st.load(std::sync::atomic::Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (r, l) = (r.clone(), l.clone());
                std::thread::spawn(move || {
                    let _ = handle(conn, &r, &l);
                });
            }
        });
        Server {
            base: format!("http://127.0.0.1:{port}"),
            routes,
            log,
            stop,
        }
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
) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h.trim().is_empty() {
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
    if let Some(d) = route.delay {
        std::thread::sleep(d);
    }
    let not_modified = route.etag.is_some() && headers.get("if-none-match") == route.etag.as_ref();
    let (status, body) = if not_modified {
        (304, Vec::new())
    } else {
        (route.status, route.body.clone())
    };
    log.lock().unwrap().push(Seen {
        path,
        headers,
        status,
        bytes: body.len(),
    });
    let mut head = format!(
        "HTTP/1.1 {status} X\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in &route.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(e) = &route.etag {
        head.push_str(&format!("ETag: {e}\r\n"));
    }
    head.push_str("\r\n");
    conn.write_all(head.as_bytes())?;
    conn.write_all(&body)?;
    conn.flush()
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.base.trim_start_matches("http://"));
    }
}
