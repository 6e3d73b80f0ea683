//! The console: how the binary talks to the operator on stderr and hands data to stdout.
//!
//! Messages go to stderr as `error:`/`warning:` lines with no timestamps or module paths, the
//! way compilers and uv print, so cron mails read well; `-q` keeps errors only, `-v` adds
//! per-feed detail, `-vv` the HTTP library's. On a terminal a progress bar shows the fetch, and
//! a line printed meanwhile clears it, prints, and redraws it below. Data (`status`, `export`,
//! `schema`) goes to stdout and nothing else does.

use std::fmt;
use std::io::{IsTerminal, Write as _};
use std::sync::{Arc, Mutex};

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressStyle};
pub use planet::text::{and_list, plural};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::{format::Writer, FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// The operator's console: verbosity, and the progress bar under way, if any.
#[derive(Clone)]
pub struct Console {
    quiet: bool,
    bar: BarSlot,
}

impl Console {
    /// Sets up logging to stderr at the verbosity asked for.
    pub fn init(quiet: bool, verbose: u8) -> Console {
        let bar = BarSlot::default();
        // -v is per-feed detail from planet itself; -vv adds the HTTP and TLS libraries' chatter.
        let filter = match (quiet, verbose) {
            (true, _) => "error",
            (false, 0) => "warn",
            (false, 1) => "warn,planet=debug",
            _ => "debug",
        };
        let slot = bar.clone();
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_writer(move || LogWriter(slot.clone()))
            .with_ansi(std::io::stderr().is_terminal())
            .event_format(Plain)
            .init();
        Console { quiet, bar }
    }

    /// A line for the operator on stderr, unless `--quiet`.
    pub fn say(&self, line: &str) {
        if !self.quiet {
            eprintln!("{line}");
        }
    }

    /// A `warning:` line.
    pub fn warn(&self, what: &dyn fmt::Display) {
        tracing::warn!("{what}");
    }

    /// Runs `work` with a progress bar on a terminal (none under cron or `-q`), shown from the
    /// first report of progress; `work` gets the callback to report (done, total) with.
    pub fn with_progress<T>(
        &self,
        label: &str,
        work: impl FnOnce(&dyn Fn(usize, usize)) -> T,
    ) -> T {
        let shown = std::io::stderr().is_terminal() && !self.quiet;
        let bar: std::sync::OnceLock<ProgressBar> = std::sync::OnceLock::new();
        let progress = |done: usize, total: usize| {
            if !shown {
                return;
            }
            let bar = bar.get_or_init(|| {
                let bar = ProgressBar::new(0);
                let template = format!("{label} {{bar:30}} {{pos}}/{{len}}");
                bar.set_style(
                    ProgressStyle::with_template(&template)
                        .unwrap_or_else(|_| ProgressStyle::default_bar()),
                );
                self.bar.set(Some(bar.clone()));
                bar
            });
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        };
        let out = work(&progress);
        if let Some(bar) = bar.get() {
            bar.finish_and_clear();
            self.bar.set(None);
        }
        out
    }
}

/// Writes a command's data on stdout. A reader that stopped reading (`planet status | head`)
/// is not an error: the rest had nowhere to go.
pub fn print_data(data: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(data.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        written => written.context("cannot write to stdout"),
    }
}

/// `error: …`, then one `caused by: …` per cause, then the hint, if the error has one.
pub fn print_error(err: &anyhow::Error, hint: Option<&str>) {
    let mut chain = err.chain();
    if let Some(top) = chain.next() {
        eprintln!("error: {top}");
    }
    for cause in chain {
        eprintln!("  caused by: {cause}");
    }
    if let Some(hint) = hint {
        eprintln!("hint: {hint}");
    }
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

/// `warning: message`: no timestamps, no module paths.
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
