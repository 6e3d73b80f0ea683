//! `planet-bench` (issue 6) measures what it claims: four runs of the real binary, the traffic
//! each one caused, and new entries that reach the output. No timing is asserted here: timings
//! belong to the benchmark, never to a test.

use std::process::Command;

/// The `200 / 304 / error` cell and the request count of each row of the table, in order.
fn traffic(table: &str) -> Vec<(u64, String)> {
    table
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| step"))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            assert!(
                !cells[1].contains("exit status"),
                "planet failed in a step: {l}"
            );
            (
                cells[5].parse().expect("a request count"),
                cells[6].to_owned(),
            )
        })
        .collect()
}

#[test]
fn bench_runs_four_steps_and_counts_their_traffic() {
    let dir = tempfile::tempdir().expect("temp dir");
    let keep = dir.path().join("planet");
    let out = Command::new(env!("CARGO_BIN_EXE_planet-bench"))
        .args(["--feeds", "40", "--entries", "3", "--planet"])
        .arg(env!("CARGO_BIN_EXE_planet"))
        .arg("--keep")
        .arg(&keep)
        .output()
        .expect("run planet-bench");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "planet-bench failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Feeds 7 and 37 are broken (500 and 404), and back off after failing, so later runs leave
    // them alone; of the others, every 20th gains an entry.
    assert_eq!(
        traffic(&stdout),
        [
            (40, "38 / 0 / 2".to_owned()),
            (38, "0 / 38 / 0".to_owned()),
            (38, "2 / 36 / 0".to_owned()),
            (0, "0 / 0 / 0".to_owned()),
        ],
        "{stdout}"
    );
    // The entries added before the third run are the newest on the published feed.
    let atom = std::fs::read(keep.join("output/atom.xml")).expect("atom.xml");
    let feed = feed_rs::parser::parse(&atom[..]).expect("atom.xml parses");
    let newest: Vec<&str> = feed.entries.iter().take(2).map(|e| e.id.as_str()).collect();
    assert_eq!(
        newest,
        [
            "tag:blog21.example.net,2026:post-3",
            "tag:blog0.example.net,2026:post-3"
        ]
    );
}
