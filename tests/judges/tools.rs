//! Finding the judges: each is looked up where `.ci/run` installs it (or an environment variable
//! says); a missing one skips its test with a `skip:` line, or fails it under
//! `PLANET_REQUIRE_TOOLS=1`.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// Whether a missing tool fails the test instead of skipping it (CI sets this).
fn required() -> bool {
    std::env::var("PLANET_REQUIRE_TOOLS").as_deref() == Ok("1")
}

/// A tool a test needs: found, or the test skips (or fails under `PLANET_REQUIRE_TOOLS=1`).
pub fn require<T>(what: &str, found: Option<T>) -> Option<T> {
    if found.is_none() {
        assert!(
            !required(),
            "{what} is required (PLANET_REQUIRE_TOOLS=1) but was not found; .ci/run installs it"
        );
        eprintln!("skip: {what} not found; install it (see .ci/run) to run this check");
    }
    found
}

fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names.iter().find_map(|n| {
        std::env::split_paths(&path)
            .map(|d| d.join(n))
            .find(|p| p.is_file())
    })
}

/// `python3`, when it can import every one of `modules`.
fn python_with(modules: &str) -> Option<PathBuf> {
    on_path(&["python3"]).filter(|p| {
        Command::new(p)
            .args(["-c", &format!("import {modules}")])
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

pub fn jing() -> Option<PathBuf> {
    require("jing", on_path(&["jing"]))
}

/// RFC 4287's RELAX NG grammar (Appendix B).
pub fn atom_schema() -> PathBuf {
    Path::new(crate::support::FIXTURES).join("atom.rnc")
}

/// jing's report on `files` against RFC 4287's grammar (one JVM for all of them): `None` when
/// they are valid, else what it printed.
pub fn jing_errors(jing: &Path, files: &[PathBuf]) -> Option<String> {
    let out = Command::new(jing)
        .arg("-c")
        .arg(atom_schema())
        .args(files)
        .output()
        .expect("run jing");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let errors = report.lines().filter(|l| l.contains(": error:")).count();
    (!out.status.success() || errors > 0).then_some(report)
}

/// `java` and the Nu checker's jar (`PLANET_VNU_JAR`, else where `.ci/run` puts it).
pub fn vnu() -> Option<(PathBuf, PathBuf)> {
    let jar = std::env::var_os("PLANET_VNU_JAR")
        .map(PathBuf::from)
        .or_else(|| {
            [
                "/opt/vnu/node_modules/vnu-jar/build/dist/vnu.jar",
                concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/.ci/node_modules/vnu-jar/build/dist/vnu.jar"
                ),
            ]
            .iter()
            .map(PathBuf::from)
            .find(|p| p.is_file())
        })
        .filter(|p| p.is_file());
    let java = require("java", on_path(&["java"]))?;
    let jar = require("the Nu Html Checker (vnu.jar, PLANET_VNU_JAR)", jar)?;
    Some((java, jar))
}

/// The Nu checker's errors for a page, as JSON values.
pub fn nu_errors(java: &Path, jar: &Path, page: &Path) -> Vec<Value> {
    let out = Command::new(java)
        .arg("-jar")
        .arg(jar)
        .args(["--errors-only", "--format", "json"])
        .arg(page)
        .output()
        .expect("run the Nu checker");
    let report: Value =
        serde_json::from_slice(&out.stderr).expect("the Nu checker reports JSON on stderr");
    report["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter(|m| m["type"] == "error" || m["subType"] == "fatal")
        .cloned()
        .collect()
}

pub fn feedparser() -> Option<PathBuf> {
    require("python3 with feedparser", python_with("feedparser"))
}

/// Python with what the W3C Feed Validator needs, and its `validate.py`
/// (`PLANET_FEEDVALIDATOR`: the script or its folder; else `../shared/judges/feedvalidator`
/// beside the clone, where CI has it).
pub fn feedvalidator() -> Option<(PathBuf, PathBuf)> {
    let dir = std::env::var_os("PLANET_FEEDVALIDATOR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/judges/feedvalidator"),
        PathBuf::from,
    );
    let script = if dir.is_file() {
        dir
    } else {
        dir.join("validate.py")
    };
    let python = require(
        "python3 with lxml, html5lib and rdflib (pip)",
        python_with("lxml, html5lib, rdflib"),
    )?;
    let script = require(
        "the W3C Feed Validator (validate.py, PLANET_FEEDVALIDATOR)",
        Some(script).filter(|p| p.is_file()),
    )?;
    Some((python, script))
}

/// axe-core's script (`PLANET_AXE_JS`, else `.ci/node_modules`), the accessibility checker
/// that browsers' own audits use.
pub fn axe() -> Option<String> {
    let js = std::env::var_os("PLANET_AXE_JS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/.ci/node_modules/axe-core/axe.min.js"
            ))
        });
    let js = require(
        "axe-core (npm; PLANET_AXE_JS)",
        Some(js).filter(|p| p.is_file()),
    )?;
    Some(std::fs::read_to_string(js).expect("read axe.min.js"))
}

pub fn chromium() -> Option<PathBuf> {
    require(
        "chromium",
        on_path(&["chromium", "chromium-browser", "google-chrome"]),
    )
}
