//! `planet completions` and `planet man`, as a packager runs them: no config needed, data on
//! stdout, every command named.

use crate::support::Planet;

const COMMANDS: &[&str] = &[
    "init",
    "run",
    "fetch",
    "render",
    "status",
    "add",
    "remove",
    "import",
    "export",
    "check",
    "schema",
    "completions",
    "man",
    "serve",
];

/// Runs the binary in an empty folder (no `planet.toml`), expecting success and a quiet stderr.
fn stdout_of(args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_planet"))
        .args(args)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn completions_name_every_command_in_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = stdout_of(&["completions", shell]);
        assert!(script.len() > 500, "{shell}: {script}");
        for command in COMMANDS {
            assert!(script.contains(command), "{shell}: no `{command}`");
        }
        assert!(script.contains("--every"), "{shell}: options too");
    }
}

#[test]
fn completions_refuse_an_unknown_shell() {
    let planet = Planet::new("");
    let out = planet.run(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("possible values: bash, elvish, fish, powershell, zsh"),
        "{stderr}"
    );
}

#[test]
fn man_page_is_roff_and_describes_every_command() {
    let page = stdout_of(&["man"]);
    assert!(page.starts_with(".TH planet 1 "), "{page}");
    for command in COMMANDS {
        assert!(
            page.contains(&format!("planet {command}")),
            "no `planet {command}`"
        );
    }
    assert!(page.contains(".SH COMMANDS"), "{page}");
    assert!(page.contains("\\-\\-every"), "options of commands: {page}");
}
