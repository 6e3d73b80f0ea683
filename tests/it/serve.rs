//! `planet serve`: the real binary on an ephemeral port, asked by a raw HTTP/1.1 client that
//! sends paths exactly as written (a library client would clean up the `..` before sending).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::time::Duration;

use crate::server::{Route, Server};
use crate::support::{rss, signal, wait_for, Planet};

const SECRET: &str = "the planet's secret, outside the output folder";

/// A response as read off the wire.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends `METHOD TARGET HTTP/1.1` with the extra header lines, and reads the whole answer.
fn ask(addr: &str, method: &str, target: &str, extra: &[&str]) -> Answer {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut request =
        format!("{method} {target} HTTP/1.1\r\nHost: planet.test\r\nConnection: close\r\n");
    for line in extra {
        request.push_str(line);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read the answer");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end in {:?}", String::from_utf8_lossy(&raw)));
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line in {head}"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Answer {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

fn get(addr: &str, target: &str) -> Answer {
    ask(addr, "GET", target, &[])
}

/// A running `planet serve`, killed if the test fails before stopping it, and the lines it
/// says on stderr after the first.
struct Serving(Option<Child>, std::sync::mpsc::Receiver<String>);

impl Serving {
    /// Waits until it says a line holding `needle` (`-v` tells each step of a cycle).
    fn wait_for_line(&self, needle: &str) {
        loop {
            match self.1.recv_timeout(Duration::from_secs(60)) {
                Ok(line) if line.contains(needle) => return,
                Ok(_) => {}
                Err(e) => panic!("no line with {needle:?}: {e:?}"),
            }
        }
    }

    /// Sends the signal and expects a clean exit.
    fn stop(mut self, signal_name: &str) {
        let mut child = self.0.take().expect("running");
        signal(&child, signal_name);
        let status = wait_for(&mut child, Duration::from_secs(15));
        assert!(
            status.success(),
            "SIG{signal_name} ends it cleanly: {status:?}"
        );
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        if let Some(child) = self.0.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `planet serve ARGS` and the address it says it serves on.
fn start(planet: &Planet, args: &[&str]) -> (Serving, String) {
    let mut child = planet
        .cmd(&[&["serve", "--port", "0"], args].concat())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start planet serve");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let line = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("a first line on stderr");
    let (dir, addr) = line
        .strip_prefix("serving `")
        .and_then(|rest| rest.split_once("` on http://"))
        .and_then(|(dir, rest)| Some((dir, rest.strip_suffix('/')?)))
        .unwrap_or_else(|| panic!("unexpected first line: {line}"));
    assert_eq!(
        std::path::Path::new(dir).canonicalize().ok(),
        planet.out_path("").canonicalize().ok(),
        "names the output folder: {line}"
    );
    let addr = addr.to_owned();
    (Serving(Some(child), rx), addr)
}

/// A planet published once from a local feed, with extra files and traps in its output.
fn published() -> (Server, Planet) {
    let server = Server::start();
    server.set(
        "/f.xml",
        Route::xml(rss(
            "Feed",
            &[(
                "1",
                "Served entry",
                "https://feed.test/1",
                "Mon, 01 Jan 2024 10:00:00 GMT",
            )],
        )),
    );
    let planet = Planet::with_feeds("", &[server.url("/f.xml")]);
    planet.run_ok(&["run"]);
    let out = planet.dir.path().join("output");
    std::fs::create_dir_all(out.join("topics")).unwrap();
    std::fs::create_dir_all(out.join("archive")).unwrap();
    std::fs::write(out.join("topics/rust.xml"), "<feed/>").unwrap();
    std::fs::write(out.join("archive/index.html"), "<p>archive</p>").unwrap();
    std::fs::write(out.join("face.png"), b"\x89PNG\r\n\x1a\nnot really").unwrap();
    std::fs::write(planet.dir.path().join("secret.txt"), SECRET).unwrap();
    std::os::unix::fs::symlink(planet.dir.path().join("secret.txt"), out.join("leak")).unwrap();
    std::os::unix::fs::symlink(planet.dir.path(), out.join("up")).unwrap();
    (server, planet)
}

#[test]
fn serve_answers_with_types_validators_gzip_and_folders() {
    let (_feeds, planet) = published();
    let (serving, addr) = start(&planet, &[]);
    assert!(addr.starts_with("127.0.0.1:"), "binds 127.0.0.1: {addr}");

    for (path, file, kind) in [
        ("/", "index.html", "text/html; charset=utf-8"),
        ("/index.html", "index.html", "text/html; charset=utf-8"),
        ("/atom.xml", "atom.xml", "application/atom+xml"),
        ("/rss.xml", "rss.xml", "application/rss+xml"),
        ("/feed.json", "feed.json", "application/feed+json"),
        ("/opml.xml", "opml.xml", "text/x-opml"),
        ("/style.css", "style.css", "text/css"),
        ("/favicon.svg", "favicon.svg", "image/svg+xml"),
        (
            "/topics/rust.xml",
            "topics/rust.xml",
            "application/atom+xml",
        ),
        ("/face.png", "face.png", "image/png"),
    ] {
        let a = get(&addr, path);
        assert_eq!(a.status, 200, "{path}");
        assert_eq!(a.header("content-type"), Some(kind), "{path}");
        assert_eq!(
            a.body,
            std::fs::read(planet.out_path(file)).unwrap(),
            "{path}"
        );
        assert!(a.header("etag").is_some(), "{path}: an ETag");
        assert!(
            a.header("last-modified").is_some(),
            "{path}: a Last-Modified"
        );
    }
    assert!(get(&addr, "/").text().contains("Served entry"));

    // Conditional requests.
    let first = get(&addr, "/atom.xml");
    let etag = first.header("etag").unwrap().to_owned();
    let modified = first.header("last-modified").unwrap().to_owned();
    let inm = format!("If-None-Match: {etag}");
    let ims = format!("If-Modified-Since: {modified}");
    let a = ask(&addr, "GET", "/atom.xml", &[&inm]);
    assert_eq!(a.status, 304, "same ETag");
    assert!(a.body.is_empty());
    assert_eq!(a.header("etag"), Some(etag.as_str()));
    let a = ask(&addr, "GET", "/atom.xml", &[&ims]);
    assert_eq!(a.status, 304, "not modified since");
    let a = ask(
        &addr,
        "GET",
        "/atom.xml",
        &["If-Modified-Since: Sat, 01 Jan 2000 00:00:00 GMT"],
    );
    assert_eq!(a.status, 200, "modified since 2000");
    let a = ask(
        &addr,
        "GET",
        "/atom.xml",
        &["If-None-Match: \"other\"", &ims],
    );
    assert_eq!(a.status, 200, "If-None-Match decides when both are sent");

    // gzip, for text only, when asked.
    let a = ask(&addr, "GET", "/index.html", &["Accept-Encoding: br, gzip"]);
    assert_eq!(a.status, 200);
    assert_eq!(a.header("content-encoding"), Some("gzip"));
    assert_eq!(a.header("vary"), Some("accept-encoding"));
    let mut plain = Vec::new();
    flate2::read::GzDecoder::new(&a.body[..])
        .read_to_end(&mut plain)
        .expect("a gzip body");
    assert_eq!(plain, std::fs::read(planet.out_path("index.html")).unwrap());
    let gz_etag = a.header("etag").unwrap().to_owned();
    let a = ask(
        &addr,
        "GET",
        "/index.html",
        &[
            "Accept-Encoding: gzip",
            &format!("If-None-Match: {gz_etag}"),
        ],
    );
    assert_eq!(a.status, 304, "the gzipped body's ETag revalidates");
    let a = get(&addr, "/index.html");
    assert_eq!(a.header("content-encoding"), None, "not asked: not gzipped");
    let a = ask(&addr, "GET", "/face.png", &["Accept-Encoding: gzip"]);
    assert_eq!(a.header("content-encoding"), None, "images are not gzipped");

    // HEAD: the headers of a GET, no body.
    let got = get(&addr, "/rss.xml");
    let a = ask(&addr, "HEAD", "/rss.xml", &[]);
    assert_eq!(a.status, 200);
    assert!(a.body.is_empty(), "HEAD has no body");
    assert_eq!(
        a.header("content-length"),
        Some(got.body.len().to_string().as_str())
    );
    assert_eq!(a.header("etag"), got.header("etag"));
    assert_eq!(a.header("content-type"), Some("application/rss+xml"));

    // Folders, and what is not there.
    let a = get(&addr, "/archive");
    assert_eq!(a.status, 301, "a folder without its slash");
    assert_eq!(a.header("location"), Some("/archive/"));
    let a = get(&addr, "/archive/");
    assert_eq!((a.status, a.text().as_str()), (200, "<p>archive</p>"));
    assert_eq!(
        get(&addr, "/topics/").status,
        404,
        "a folder without index.html"
    );
    assert_eq!(get(&addr, "/nothing.html").status, 404);
    let a = ask(&addr, "POST", "/index.html", &["Content-Length: 0"]);
    assert_eq!(a.status, 405);
    assert_eq!(a.header("allow"), Some("GET, HEAD"));

    serving.stop("TERM");
}

#[test]
fn serve_never_answers_with_a_file_outside_the_output_folder() {
    let (_feeds, planet) = published();
    let (serving, addr) = start(&planet, &[]);
    // The trap works: the secret is one level up, and readable.
    assert!(std::fs::read_to_string(planet.out_path("../secret.txt")).is_ok());
    for target in [
        "/../secret.txt",
        "/topics/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2e/secret.txt",
        "/topics/%2e%2e/%2E%2E/secret.txt",
        "/..%2fsecret.txt",
        "/%2e%2e%2fsecret.txt",
        "/..\\secret.txt",
        "/%5c..%5csecret.txt",
        "/topics\\..\\..\\secret.txt",
        "/leak",
        "/up/secret.txt",
        "//../secret.txt",
        "http://planet.test/../secret.txt",
        "/.%2e/secret.txt",
    ] {
        let a = get(&addr, target);
        assert!(
            (400..500).contains(&a.status),
            "{target}: status {}",
            a.status
        );
        assert!(!a.text().contains(SECRET), "{target} leaked the secret");
    }
    serving.stop("TERM");
}

#[test]
fn serve_every_publishes_at_once_and_then_serves_it() {
    let feeds = Server::start();
    feeds.set(
        "/f.xml",
        Route::xml(rss(
            "Feed",
            &[(
                "1",
                "Fresh entry",
                "https://feed.test/1",
                "Mon, 01 Jan 2024 10:00:00 GMT",
            )],
        )),
    );
    let planet = Planet::with_feeds("", &[feeds.url("/f.xml")]);
    assert!(!planet.out_path("").exists(), "nothing published yet");
    let (serving, addr) = start(&planet, &["--every", "1h", "-v"]);
    serving.wait_for_line("published");
    let page = get(&addr, "/");
    assert_eq!(page.status, 200, "the first cycle published");
    assert!(page.text().contains("Fresh entry"), "{}", page.text());
    assert_eq!(feeds.requests().len(), 1, "one cycle so far");
    serving.stop("TERM");
}

#[test]
fn serve_ends_cleanly_on_ctrl_c() {
    let (_feeds, planet) = published();
    let (serving, addr) = start(&planet, &[]);
    assert_eq!(get(&addr, "/").status, 200);
    serving.stop("INT");
}

#[test]
fn serve_without_output_says_how_to_make_it() {
    let planet = Planet::with_feeds("", &[]);
    let out = planet.run(&["serve", "--port", "0"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "does not exist yet: publish it with `planet run`, or serve with `--every 30m`"
        ),
        "{stderr}"
    );
}
