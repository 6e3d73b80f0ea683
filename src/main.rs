//! The `planet` binary: parse the command line, set up logging, run, report, choose the exit code.

mod cli;
mod commands;

use std::fmt;
use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser;
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::{format::Writer, FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

use cli::{Cli, Command};

/// Exit status when the run could not do its job (bad config, cache or output unusable).
const EXIT_FAILURE: u8 = 1;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(&cli);
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let mut chain = err.chain();
            if let Some(top) = chain.next() {
                eprintln!("error: {top}");
            }
            for cause in chain {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

fn run(cli: &Cli) -> anyhow::Result<()> {
    if let Some(done) = commands::operator(cli) {
        return done;
    }
    let config = planet::config::load(&cli.config)?;
    let store = planet::store::Store::open(&config.planet.cache_dir)?;
    let now = chrono::Utc::now();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    if matches!(cli.command, Command::Run | Command::Fetch) {
        let report = runtime.block_on(planet::fetch(&config, &store, now))?;
        tracing::info!(
            "fetched {} feeds: {} updated, {} unchanged, {} failed; {} new entries",
            config.feeds.len(),
            report.updated,
            report.not_modified,
            report.failed.len(),
            report.new_entries
        );
    }
    if matches!(cli.command, Command::Run | Command::Render) {
        let report = planet::publish(&config, &store, now)?;
        tracing::info!(
            "published {} entries to `{}` ({} files changed)",
            report.entries,
            config.planet.output_dir.display(),
            report.files_changed
        );
    }
    Ok(())
}

fn init_logging(cli: &Cli) {
    let level = match (cli.quiet, cli.verbose) {
        (true, _) => Level::ERROR,
        (false, 0) => Level::WARN,
        (false, 1) => Level::INFO,
        _ => Level::DEBUG,
    };
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .event_format(Plain)
        .init();
}

/// `warning: message`, the way compilers and uv print: no timestamps, no module paths.
struct Plain;

impl<S, N> FormatEvent<S, N> for Plain
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut w: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let label = match *event.metadata().level() {
            Level::ERROR => "error",
            Level::WARN => "warning",
            Level::INFO => "info",
            _ => "debug",
        };
        write!(w, "{label}: ")?;
        ctx.field_format().format_fields(w.by_ref(), event)?;
        writeln!(w)
    }
}
