//! The `planet` binary: parse the command line, set up the console, dispatch, report the error
//! chain, choose the exit code.

mod cli;
mod commands;
mod console;
mod manual;

use std::process::ExitCode;

use clap::Parser;

/// Exit status when the command could not do its job (bad config, cache or output unusable).
const EXIT_FAILURE: u8 = 1;

/// Exit status when another planet holds the cache's lock: nothing was done, nothing is wrong.
const EXIT_LOCKED: u8 = 3;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let console = console::Console::init(cli.quiet, cli.verbose);
    match commands::dispatch(&cli, &console) {
        Ok(()) => ExitCode::SUCCESS,
        // Said on stdout already, where monitoring reads it.
        Err(err) if err.is::<commands::Unhealthy>() => ExitCode::from(EXIT_FAILURE),
        Err(err) => {
            console::print_error(&err, hint(&err));
            if is_locked(&err) {
                ExitCode::from(EXIT_LOCKED)
            } else {
                ExitCode::from(EXIT_FAILURE)
            }
        }
    }
}

/// The way out of an error, when there is an obvious one.
fn hint(err: &anyhow::Error) -> Option<&'static str> {
    is_locked(err)
        .then_some("wait for it to finish; a lock left by a process that died is taken over")
}

fn is_locked(err: &anyhow::Error) -> bool {
    use planet::lock::Error::Held;
    // A cycle wraps the lock's error in the library's own; a transparent wrapper is not a
    // cause of its own in the chain, so both shapes are looked for.
    matches!(
        err.downcast_ref::<planet::Error>(),
        Some(planet::Error::Lock(Held { .. }))
    ) || matches!(err.downcast_ref::<planet::lock::Error>(), Some(Held { .. }))
}
