//! The page in a real browser: a headless Chromium loads `index.html` (served as a web host
//! would) at phone and desktop widths, in light and dark schemes; nothing overflows, every
//! resource of our own loads and the CSP refuses nothing; axe-core finds no accessibility
//! violation in the theme. Screenshots are left in `target/test-artifacts/`.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Value};

use crate::browser::Browser;
use crate::planets::published;
use crate::server::{Route, Server};
use crate::support::{at, files_under, Planet};
use crate::tools::{axe, chromium};

/// Serves `output/` under `/site/` from the test server, as a web host would.
fn serve_output(server: &Server, planet: &Planet) {
    for (name, path) in files_under(&planet.dir.path().join("output")) {
        let ct = match name.rsplit('.').next() {
            Some("html") => "text/html; charset=utf-8",
            Some("css") => "text/css",
            Some("svg") => "image/svg+xml",
            Some("json") => "application/feed+json",
            _ => "application/xml",
        };
        server.set(
            &format!("/site/{name}"),
            Route::ok(ct, std::fs::read(&path).unwrap()),
        );
    }
}

#[test]
fn page_fits_phones_and_desktops_and_loads_every_resource() {
    let Some(chromium) = chromium() else { return };
    let (server, planet) = published();
    serve_output(&server, &planet);
    let artifacts = Path::new(env!("CARGO_BIN_EXE_planet"))
        .ancestors()
        .nth(2)
        .expect("target folder")
        .join("test-artifacts");
    let axe = axe();
    let mut browser = Browser::launch(&chromium);
    let page = browser.new_page();
    for domain in [
        "Page.enable",
        "Network.enable",
        "Log.enable",
        "Runtime.enable",
    ] {
        browser.call(Some(&page), domain, json!({}));
    }
    let url = server.url("/site/index.html");
    let mut shots = Vec::new();
    for (width, scheme) in [
        (375, "light"),
        (1280, "light"),
        (375, "dark"),
        (1280, "dark"),
    ] {
        browser.call(
            Some(&page),
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600 }),
        );
        browser.call(
            Some(&page),
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] }),
        );
        browser.events.clear();
        browser.call(Some(&page), "Page.navigate", json!({ "url": url }));
        browser.wait_for("Page.loadEventFired");
        // Let lazy images near the top arrive.
        browser.eval(&page, "new Promise(r => setTimeout(r, 300))");
        let layout = browser.eval(
            &page,
            r#"JSON.stringify({
                inner: window.innerWidth,
                scroll: document.documentElement.scrollWidth,
                body: document.body.scrollWidth,
                wide: [...document.querySelectorAll('body *')]
                    .filter(e => !e.closest('.skip, pre, table'))
                    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                    .slice(0, 5).map(e => e.tagName + '.' + e.className),
                picture: (document.querySelector('img[src$="wide.svg"]') || {}).naturalWidth,
                pictureShown: (document.querySelector('img[src$="wide.svg"]') || {}).clientWidth,
                dark: matchMedia('(prefers-color-scheme: dark)').matches,
                background: getComputedStyle(document.body).backgroundColor,
                height: document.documentElement.scrollHeight,
            })"#,
        );
        let layout: Value = serde_json::from_str(layout.as_str().unwrap()).unwrap();
        let at = format!("{width} px, {scheme}");
        // Every resource of our own origin loads; so does nothing the CSP refuses.
        let own = |u: &str| u.starts_with(&server.base);
        let mut urls = BTreeMap::new();
        let mut failures = Vec::new();
        for e in &browser.events {
            let p = &e["params"];
            match e["method"].as_str() {
                Some("Network.requestWillBeSent") => {
                    urls.insert(
                        p["requestId"].to_string(),
                        p["request"]["url"].as_str().unwrap_or_default().to_owned(),
                    );
                }
                Some("Network.responseReceived") => {
                    let u = p["response"]["url"].as_str().unwrap_or_default();
                    if own(u) && p["response"]["status"].as_i64().unwrap_or(0) >= 400 {
                        failures.push(format!("{u}: HTTP {}", p["response"]["status"]));
                    }
                }
                Some("Network.loadingFailed") => {
                    let u = urls
                        .get(&p["requestId"].to_string())
                        .cloned()
                        .unwrap_or_default();
                    if own(&u) {
                        failures.push(format!("{u}: {}", p["errorText"]));
                    }
                }
                Some("Log.entryAdded") => {
                    let entry = &p["entry"];
                    let text = entry["text"].as_str().unwrap_or_default();
                    if entry["level"] == "error"
                        && (own(entry["url"].as_str().unwrap_or_default())
                            || text.contains("Content Security Policy"))
                    {
                        failures.push(format!("console: {text}"));
                    }
                }
                _ => {}
            }
        }
        assert!(
            urls.values().any(|u| u.ends_with("/site/style.css")),
            "the stylesheet was requested at {at}"
        );
        assert!(
            failures.is_empty(),
            "resources failed at {at}: {failures:#?}"
        );

        assert!(
            layout["scroll"].as_i64() <= layout["inner"].as_i64(),
            "the page overflows horizontally at {at}: {layout}"
        );
        assert_eq!(layout["dark"], scheme == "dark", "{at}");
        assert_eq!(layout["picture"], 3000, "the local picture loaded at {at}");
        assert!(
            layout["pictureShown"].as_i64().unwrap() <= width,
            "the picture shrinks to the column at {at}: {layout}"
        );

        // Accessibility of the theme (feed content is the feeds' own): WCAG 2.1 A and AA
        // (contrast in both colour schemes, names, landmarks, lang) and axe's best practices.
        if let Some(axe) = &axe {
            browser.eval(&page, axe);
            let violations = axe_violations(&mut browser, &page);
            assert_eq!(
                violations,
                json!([]),
                "axe-core finds accessibility violations at {at}"
            );
        }

        // A tall screenshot of the top of the page, as a test artifact.
        let height = layout["height"].as_i64().unwrap_or(900).clamp(900, 2400);
        browser.call(
            Some(&page),
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600 }),
        );
        let name = if scheme == "light" {
            format!("index-{width}.png")
        } else {
            format!("index-{width}-{scheme}.png")
        };
        shots.push(browser.screenshot(&page, &artifacts.join(name)));
        // And the end of the page (the sidebar on phones, the footer), one screen high.
        browser.call(
            Some(&page),
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": 1200, "deviceScaleFactor": 1, "mobile": width < 600 }),
        );
        browser.eval(
            &page,
            "window.scrollTo(0, document.documentElement.scrollHeight)",
        );
        let name = format!("index-{width}-{scheme}-end.png");
        shots.push(browser.screenshot(&page, &artifacts.join(name)));
    }
    eprintln!("screenshots: {shots:?}");
}

/// A planet with every page type: the fixture planet, a topic, in `language`.
/// What axe-core (already loaded in `page`) finds against WCAG 2.1 A and AA and its best
/// practices, in the theme only: feed content (`.content`) is the feeds' own.
fn axe_violations(browser: &mut Browser, page: &str) -> Value {
    let found = browser.eval(
        page,
        r#"axe.run({ exclude: [['.content']] }, {
            runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
            resultTypes: ['violations'],
        }).then(r => JSON.stringify(r.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
        }))))"#,
    );
    serde_json::from_str(found.as_str().expect("axe answers a string")).expect("axe answers JSON")
}

pub fn published_with_pages(language: &str) -> (Server, Planet) {
    let (server, planet) = published();
    let text = std::fs::read_to_string(&planet.config).unwrap();
    let text = text.replacen(
        "[planet]\n",
        &format!("[planet]\nlanguage = \"{language}\"\ntimezone = \"Europe/Paris\"\n"),
        1,
    ) + "[[topics]]\nname = \"Everything & more\"\ninclude = [\".\"]\n";
    let text = text.replace("items_per_page = 1000", "items_per_page = 20");
    planet.write_config(&text);
    planet.render_at(at(1));
    (server, planet)
}

/// One page of each type, by its path in `output/`.
pub fn page_types(planet: &Planet) -> Vec<String> {
    let files: Vec<String> = files_under(&planet.dir.path().join("output"))
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    let first = |prefix: &str| {
        files
            .iter()
            .find(|n| n.starts_with(prefix) && n.ends_with(".html") && !n.ends_with("index.html"))
            .cloned()
            .unwrap_or_else(|| panic!("no page under {prefix}: {files:?}"))
    };
    vec![
        "index.html".to_owned(),
        "archive/index.html".to_owned(),
        first("archive/"),
        "sources/index.html".to_owned(),
        first("sources/"),
        first("topics/"),
    ]
}

#[test]
fn every_page_type_has_zero_axe_violations() {
    let Some(chromium) = chromium() else { return };
    let Some(axe) = axe() else { return };
    let (server, planet) = published_with_pages("fr");
    serve_output(&server, &planet);
    let mut browser = Browser::launch(&chromium);
    let page = browser.new_page();
    browser.call(Some(&page), "Page.enable", json!({}));
    for path in page_types(&planet) {
        for width in [375, 1280] {
            browser.call(
                Some(&page),
                "Emulation.setDeviceMetricsOverride",
                json!({ "width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600 }),
            );
            browser.events.clear();
            let url = server.url(&format!("/site/{path}"));
            browser.call(Some(&page), "Page.navigate", json!({ "url": url }));
            browser.wait_for("Page.loadEventFired");
            let wide = browser.eval(
                &page,
                "document.documentElement.scrollWidth <= window.innerWidth",
            );
            assert_eq!(wide, json!(true), "{path} overflows at {width} px");
            browser.eval(&page, &axe);
            let violations = axe_violations(&mut browser, &page);
            assert_eq!(
                violations,
                json!([]),
                "axe-core finds violations in {path} at {width} px"
            );
        }
    }
}
