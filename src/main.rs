//! The `planet` binary: parse the command line, set up logging, run, report, choose the exit code.

mod cli;
mod commands;

use std::fmt;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use anyhow::Context as _;
use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::{format::Writer, FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

use cli::{Cli, Command};

/// Exit status when the run could not do its job (bad config, cache or output unusable).
const EXIT_FAILURE: u8 = 1;

/// Exit status when another planet holds the cache's lock: nothing was done, nothing is wrong.
const EXIT_LOCKED: u8 = 3;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let bar = BarSlot::default();
    init_logging(&cli, bar.clone());
    let result = match commands::operator(&cli) {
        Some(done) => done,
        None => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .context("cannot start the async runtime")
            .and_then(|runtime| match &cli.command {
                Command::Run {
                    every: Some(every), ..
                } => run_every(&cli, &runtime, &bar, *every),
                Command::Serve { port, bind, every } => serve(
                    &cli,
                    &runtime,
                    &bar,
                    std::net::SocketAddr::new(*bind, *port),
                    *every,
                ),
                _ => cycle(&cli, &runtime, &bar),
            }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            print_error(&err);
            if is_locked(&err) {
                ExitCode::from(EXIT_LOCKED)
            } else {
                ExitCode::from(EXIT_FAILURE)
            }
        }
    }
}

fn print_error(err: &anyhow::Error) {
    let mut chain = err.chain();
    if let Some(top) = chain.next() {
        eprintln!("error: {top}");
    }
    for cause in chain {
        eprintln!("  caused by: {cause}");
    }
    if is_locked(err) {
        eprintln!("hint: wait for it to finish; a lock left by a process that died is taken over");
    }
}

fn is_locked(err: &anyhow::Error) -> bool {
    matches!(
        err.downcast_ref::<planet::lock::Error>(),
        Some(planet::lock::Error::Held { .. })
    )
}

/// `run --every`: cycles until SIGTERM or Ctrl-C (see `planet::every`); a failing cycle is
/// reported and the next one tried.
fn run_every(
    cli: &Cli,
    runtime: &tokio::runtime::Runtime,
    bar: &BarSlot,
    every: std::time::Duration,
) -> anyhow::Result<()> {
    let stop = planet::every::Stop::on_signals(runtime.handle())?;
    planet::every::repeat(runtime, every, &stop, || {
        if let Err(err) = cycle(cli, runtime, bar) {
            print_error(&err);
        }
    });
    Ok(())
}

/// `serve`: the output folder over HTTP until SIGTERM or Ctrl-C; with `--every`, the cycles of
/// `run --every` in the same process.
fn serve(
    cli: &Cli,
    runtime: &tokio::runtime::Runtime,
    bar: &BarSlot,
    addr: std::net::SocketAddr,
    every: Option<std::time::Duration>,
) -> anyhow::Result<()> {
    let root = planet::config::load(&cli.config)?.planet.output_dir;
    let options = planet::serve::Options { root, addr, every };
    // Listening for signals first: whoever reads the address below may stop us at once.
    let stop = planet::every::Stop::on_signals(runtime.handle())?;
    let server = planet::serve::Server::bind(options.clone())?;
    let addr = server.local_addr()?;
    eprintln!("serving `{}` on http://{addr}/", options.root.display());
    server.run(runtime, &stop, || {
        if let Err(err) = cycle(cli, runtime, bar) {
            print_error(&err);
        }
    })?;
    Ok(())
}

/// One invocation's work: reads the config afresh (so `--every` sees edits), takes the cache's
/// lock (except `status`, which only reads), then fetches and/or publishes.
fn cycle(cli: &Cli, runtime: &tokio::runtime::Runtime, slot: &BarSlot) -> anyhow::Result<()> {
    let config = planet::config::load(&cli.config)?;
    let now = chrono::Utc::now();
    if let Command::Status { json } = cli.command {
        let store = planet::store::Store::open(&config.planet.cache_dir)?;
        let rows = planet::status::rows(&config, &store.sources()?, &store.feed_stats()?, now);
        let text = if json {
            let mut text =
                serde_json::to_string_pretty(&rows).context("cannot write the status")?;
            text.push('\n');
            text
        } else {
            planet::status::table(&rows)
        };
        return commands::print_data(&text);
    }
    let _lock = planet::lock::Lock::acquire(&config.planet.cache_dir)?;
    let store = planet::store::Store::open(&config.planet.cache_dir)?;
    let force = match cli.command {
        Command::Run { force, .. } | Command::Fetch { force } => Some(force),
        Command::Serve { .. } => Some(false),
        _ => None,
    };
    if let Some(force) = force {
        let bar = (std::io::stderr().is_terminal() && !cli.quiet).then(|| {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template("fetching {bar:30} {pos}/{len} feeds")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            slot.set(Some(bar.clone()));
            bar
        });
        let progress = |done: usize, total: usize| {
            if let Some(bar) = &bar {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
            }
        };
        let options = planet::FetchOptions {
            force,
            progress: Some(&progress),
        };
        let report = runtime.block_on(planet::fetch_with(&config, &store, now, &options));
        if let Some(bar) = &bar {
            bar.finish_and_clear();
            slot.set(None);
        }
        let report = report?;
        tracing::info!(
            "fetched {} feeds: {} updated, {} unchanged, {} failed, {} not due, {} gone; {} new entries",
            config.feeds.len(),
            report.updated,
            report.not_modified,
            report.failed.len(),
            report.not_due,
            report.gone,
            report.new_entries
        );
    }
    if matches!(
        cli.command,
        Command::Run { .. } | Command::Render | Command::Serve { .. }
    ) {
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

/// The progress bar of the fetch under way, if any, shared with the log writer so that a
/// warning printed mid-fetch clears the bar, prints its line and redraws the bar below it.
#[derive(Clone, Default)]
struct BarSlot(Arc<Mutex<Option<ProgressBar>>>);

impl BarSlot {
    fn set(&self, bar: Option<ProgressBar>) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = bar;
        }
    }

    fn current(&self) -> Option<ProgressBar> {
        self.0.lock().ok().and_then(|slot| slot.clone())
    }
}

/// stderr, around the progress bar.
struct LogWriter(BarSlot);

impl std::io::Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self.0.current() {
            Some(bar) => bar.suspend(|| std::io::stderr().write(buf)),
            None => std::io::stderr().write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

fn init_logging(cli: &Cli, bar: BarSlot) {
    // -v is per-feed detail from planet itself; -vv adds the HTTP and TLS libraries' chatter.
    let filter = match (cli.quiet, cli.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "warn,planet=debug",
        _ => "debug",
    };
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(move || LogWriter(bar.clone()))
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
