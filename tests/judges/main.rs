//! The external judges: our outputs checked by validators others wrote. jing (RFC 4287's
//! RELAX NG grammar) on `atom.xml`, the Nu Html Checker on `index.html`, Python feedparser and
//! the W3C Feed Validator on the feeds, a headless Chromium with axe-core on the page's layout
//! and accessibility.
//!
//! A target of its own, so `tests/it` (behaviour, in-process) never waits for a JVM or a
//! browser; `cargo test` runs both. When a tool is missing its tests print a `skip:` line,
//! unless `PLANET_REQUIRE_TOOLS=1` (set by `.ci/run`), where they fail. The planets judged are
//! built in-process at a fixed clock by the same support code as `tests/it`.

mod browser;
mod feeds;
mod feedvalidator;
mod html;
mod layout;
// Shared with `tests/it`, each of which uses part of them.
#[allow(dead_code)]
#[path = "../it/planets.rs"]
mod planets;
mod schema;
#[allow(dead_code)]
#[path = "../support/server.rs"]
mod server;
#[allow(dead_code)]
#[path = "../it/support.rs"]
mod support;
mod tools;
