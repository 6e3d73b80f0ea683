//! `planet-bench`: how fast and how lean `planet` is, measured the way operators run it
//! (`cargo bench --bench planet-bench -- --feeds 1000`).
//!
//! Generates N feeds (`planet_bench/corpus.rs`), serves them from the tests' HTTP server
//! (`tests/support/server.rs`) and runs the real `planet` binary four times, measuring each run
//! (`planet_bench/run.rs`, `planet_bench/measure.rs`); prints a Markdown table on stdout. It
//! measures; it asserts nothing (timings belong here, never in tests).

#[path = "planet_bench/corpus.rs"]
mod corpus;
// `Runner::Here` serves the tests.
#[allow(dead_code)]
#[path = "planet_bench/measure.rs"]
mod measure;
#[path = "planet_bench/run.rs"]
mod run;
// The tests use the rest of it.
#[allow(dead_code)]
#[path = "../tests/support/server.rs"]
mod server;

use clap::Parser as _;

fn main() -> anyhow::Result<()> {
    let args = run::Args::parse();
    if args.launcher {
        return measure::launcher_loop();
    }
    // Started while this process is still small: see `measure.rs`.
    let mut runner = measure::Runner::Launcher(measure::Launcher::start()?);
    print!("{}", run::run(&args, &mut runner)?);
    Ok(())
}
