//! `planet-bench`: how fast and how lean `planet` is, measured the way operators run it
//! (`cargo bench --bench planet-bench -- --feeds 1000`).
//!
//! Generates N feeds (`planet_bench/corpus.rs`), serves them from the tests' HTTP server
//! (`tests/support/server.rs`) and runs the real `planet` binary five times, measuring each run
//! (`planet_bench/run.rs`, `planet_bench/measure.rs`); prints a Markdown table on stdout. With
//! `--stages`, times the library's parsing stages instead (`planet_bench/stages.rs`). It
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
#[path = "planet_bench/stages.rs"]
mod stages;

use clap::Parser as _;

fn main() -> anyhow::Result<()> {
    let args = run::Args::parse();
    if args.launcher {
        return measure::launcher_loop();
    }
    if let Some(dir) = &args.stages {
        let docs = match dir {
            Some(dir) => stages::read_folder(dir)?,
            None => {
                let anchor = run::anchor(&args)?;
                (0..args.feeds)
                    .map(|i| run::feed_document(&args, anchor, i, 0))
                    .collect()
            }
        };
        print!("{}", stages::time(docs)?);
        return Ok(());
    }
    // Started while this process is still small: see `measure.rs`.
    let mut runner = measure::Runner::Launcher(measure::Launcher::start()?);
    print!("{}", run::run(&args, &mut runner)?);
    Ok(())
}
