//! `contrib/`: the systemd units pass `systemd-analyze verify`, the nginx snippet serves a real
//! output with the feeds' types and the cache headers it promises, and the Dockerfile's command
//! is one the binary accepts. A missing tool skips its test (always: CI does not install
//! systemd or nginx for these).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{planet_table, Planet};

fn contrib(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("contrib")
        .join(rel)
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(contrib(rel)).unwrap_or_else(|e| panic!("contrib/{rel}: {e}"))
}

fn has(tool: &str) -> bool {
    let found = Command::new(tool)
        .arg("-v")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !found {
        eprintln!("skip: `{tool}` is not installed");
    }
    found
}

#[test]
fn systemd_units_verify_and_are_hardened() {
    let service = read("systemd/planet.service");
    for setting in [
        "Type=oneshot",
        "DynamicUser=yes",
        "ProtectSystem=strict",
        "StateDirectory=planet",
        "ReadWritePaths=/var/www/planet",
        "NoNewPrivileges=yes",
        "PrivateTmp=yes",
        "ProtectHome=yes",
        "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
        "ExecStart=/usr/local/bin/planet run --config /etc/planet/planet.toml",
    ] {
        assert!(service.lines().any(|l| l == setting), "no `{setting}`");
    }
    if !has("systemd-analyze") {
        return;
    }
    // verify wants the ExecStart binary to exist: point it at the one just built.
    let dir = tempfile::tempdir().unwrap();
    let unit = dir.path().join("planet.service");
    std::fs::write(
        &unit,
        service.replace("/usr/local/bin/planet", env!("CARGO_BIN_EXE_planet")),
    )
    .unwrap();
    let timer = dir.path().join("planet.timer");
    std::fs::write(&timer, read("systemd/planet.timer")).unwrap();
    let out = Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .args([&unit, &timer])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    // Unknown or misspelt keys are only warnings: none is allowed.
    assert!(stderr.trim().is_empty(), "{stderr}");
    // An exposure of 2.0 or less out of 10 ("OK" in systemd's words).
    let out = Command::new("systemd-analyze")
        .args(["security", "--offline=yes", "--threshold=20"])
        .arg(&unit)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn dockerfile_builds_in_two_stages_and_runs_serve_as_a_user() {
    let file = read("docker/Dockerfile");
    let from: Vec<&str> = file.lines().filter(|l| l.starts_with("FROM ")).collect();
    assert_eq!(from.len(), 2, "a builder and a runtime: {from:?}");
    assert!(from[0].starts_with("FROM rust:") && from[0].ends_with(" AS build"));
    assert!(from[1].starts_with("FROM debian:") && from[1].contains("-slim"));
    assert!(file.contains("ca-certificates"));
    assert!(file.contains("USER planet"), "not root");
    let json = |prefix: &str| -> Vec<String> {
        let line = file
            .lines()
            .find_map(|l| l.strip_prefix(prefix))
            .unwrap_or_else(|| panic!("no {prefix}"));
        serde_json::from_str(line).unwrap_or_else(|e| panic!("{prefix}{line}: {e}"))
    };
    let entrypoint = json("ENTRYPOINT ");
    let cmd = json("CMD ");
    assert_eq!(cmd, ["serve", "--every", "30m", "--bind", "0.0.0.0"]);
    assert_eq!(entrypoint[0], "planet");

    // The binary takes those arguments: with a config and no output yet, it binds, says
    // where, and publishes; SIGTERM (docker stop) ends it with 0.
    let planet = Planet::new(&planet_table(""));
    let mut args: Vec<String> = entrypoint[1..].to_vec();
    args[1] = planet.config.display().to_string();
    args.extend(cmd);
    args.extend(["--port".into(), "0".into()]);
    args.push("-v".into());
    let mut command = Command::new(env!("CARGO_BIN_EXE_planet"));
    command.args(&args);
    let mut serving = crate::support::Running::start(command);
    serving.wait_for("published", 1);
    serving.signal(libc::SIGTERM);
    let (status, said) = serving.end();
    let stderr = said.join("\n");
    assert!(status.success(), "{args:?}: {stderr}");
    assert!(stderr.contains("on http://0.0.0.0:"), "{stderr}");
    assert!(
        planet.out_path("index.html").exists(),
        "published: {stderr}"
    );
}

/// GET with optional extra header lines through a raw HTTP/1.1 connection.
fn get(port: u16, path: &str, extra: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: planet.example.org\r\nConnection: close\r\n{extra}\r\n"
    )
    .unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let head = raw.split("\r\n\r\n").next().unwrap_or_default().to_owned();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head.to_ascii_lowercase())
}

#[test]
fn nginx_snippet_serves_the_feeds_types_and_cache_headers() {
    if !has("nginx") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("output");
    std::fs::create_dir_all(root.join("topics")).unwrap();
    for name in [
        "index.html",
        "atom.xml",
        "rss.xml",
        "feed.json",
        "opml.xml",
        "style.css",
        "favicon.svg",
        "topics/rust.xml",
        ".index.html.1.tmp",
    ] {
        std::fs::write(root.join(name), format!("{name}\n")).unwrap();
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let snippet = read("nginx/planet.conf")
        .replace("listen 80;", &format!("listen 127.0.0.1:{port};"))
        .replace("listen [::]:80;", "")
        .replace(
            "root /var/www/planet;",
            &format!("root {};", root.display()),
        );
    std::fs::write(dir.path().join("planet.conf"), snippet).unwrap();
    // One process (no master), so that killing it leaves nothing behind. As root (CI), nginx
    // would otherwise serve as `nobody`, who cannot read a private temp dir.
    let user = if is_root() { "user root;" } else { "" };
    let main = format!(
        "{user}\nmaster_process off;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\ndaemon off;\n\
         events {{}}\nhttp {{\n  include /etc/nginx/mime.types;\n  default_type application/octet-stream;\n  \
         access_log off;\n  client_body_temp_path {d}/tmp;\n  proxy_temp_path {d}/tmp;\n  \
         fastcgi_temp_path {d}/tmp;\n  uwsgi_temp_path {d}/tmp;\n  scgi_temp_path {d}/tmp;\n  \
         include {d}/planet.conf;\n}}\n",
        d = dir.path().display()
    );
    std::fs::write(dir.path().join("nginx.conf"), main).unwrap();
    let conf = dir.path().join("nginx.conf");
    let check = Command::new("nginx")
        .args(["-t", "-q", "-p"])
        .arg(dir.path())
        .arg("-c")
        .arg(&conf)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let mut nginx = Command::new("nginx")
        .arg("-p")
        .arg(dir.path())
        .arg("-c")
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // nginx says nothing when it listens: the one wait in the tests that has no event to wait
    // on polls the port (this test runs only where nginx is installed; CI does not).
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "nginx did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let short = "cache-control: max-age=300, must-revalidate";
    let cases = [
        ("/", "content-type: text/html", short),
        ("/atom.xml", "content-type: application/atom+xml", short),
        ("/rss.xml", "content-type: application/rss+xml", short),
        ("/feed.json", "content-type: application/feed+json", short),
        ("/opml.xml", "content-type: text/x-opml", short),
        (
            "/topics/rust.xml",
            "content-type: application/atom+xml",
            short,
        ),
        (
            "/style.css",
            "content-type: text/css",
            "cache-control: max-age=86400",
        ),
        (
            "/favicon.svg",
            "content-type: image/svg+xml",
            "cache-control: max-age=604800",
        ),
    ];
    let mut failures = Vec::new();
    for (path, kind, cache) in cases {
        let (status, head) = get(port, path, "");
        if status != 200 || !head.contains(kind) || !head.contains(cache) {
            failures.push(format!("{path}: {head}"));
        }
    }
    let (_, head) = get(port, "/atom.xml", "");
    let etag = head
        .lines()
        .find_map(|l| l.strip_prefix("etag: "))
        .unwrap_or_default()
        .to_owned();
    let (status, _) = get(port, "/atom.xml", &format!("If-None-Match: {etag}\r\n"));
    if status != 304 {
        failures.push(format!("revalidation: {status}"));
    }
    let (status, _) = get(port, "/.index.html.1.tmp", "");
    if status != 404 {
        failures.push(format!("temporary file: {status}"));
    }
    let _ = nginx.kill();
    let _ = nginx.wait();
    assert!(failures.is_empty(), "{failures:#?}");
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}
