//! `--every`: a planet that runs on its own, for containers and systemd where there is no cron.
//!
//! Takes an interval and a cycle (a closure the binary passes in, so this module knows nothing of
//! the commands) and runs the cycle at once, then once per interval, until SIGTERM or Ctrl-C.
//! The rules, in order:
//! 1. the interval is at least [`MIN`]: feeds are polite to poll every half hour at most, and a
//!    zero interval would spin the CPU;
//! 2. an interval without a unit (`--every 5`) is refused, naming the units, rather than read in
//!    some unit the operator did not mean;
//! 3. a signal during a cycle lets it finish (the cache and the output stay whole), a signal
//!    while waiting ends the wait at once;
//! 4. a cycle that fails is the closure's business to report: the next one is tried anyway, as
//!    nobody is there to restart the process.
//!
//! It does not fetch, publish or print: the closure does.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

/// The shortest interval accepted.
pub const MIN: Duration = Duration::from_secs(60);

/// Why an interval is refused.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A bare number: seconds, minutes and milliseconds are all plausible readings.
    #[error("`{0}` has no unit: write `{0}m` or `{0}h`")]
    NoUnit(String),
    /// Under [`MIN`].
    #[error("`{0}` is too short: the minimum is `1m` (feeds need not be asked more often)")]
    TooShort(String),
    /// Not a duration at all.
    #[error("`{text}` is not a duration: write it like `30m`, `1h` or `1h30m`")]
    Invalid {
        /// What was given.
        text: String,
        /// humantime's reading of it.
        #[source]
        source: humantime::DurationError,
    },
}

/// Reads an `--every` interval (`30m`, `1h`, `1h30m`, `2days`), at least [`MIN`].
pub fn parse(text: &str) -> Result<Duration, Error> {
    let trimmed = text.trim();
    if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::NoUnit(trimmed.to_owned()));
    }
    let every = humantime::parse_duration(trimmed).map_err(|source| Error::Invalid {
        text: trimmed.to_owned(),
        source,
    })?;
    if every < MIN {
        return Err(Error::TooShort(trimmed.to_owned()));
    }
    Ok(every)
}

/// The order to stop, given by a signal (or by a test), seen by every part of a long-running
/// planet: the cycle loop and the server's connections.
#[derive(Clone, Debug)]
pub struct Stop(Arc<watch::Sender<bool>>);

impl Default for Stop {
    fn default() -> Stop {
        Stop(Arc::new(watch::channel(false).0))
    }
}

impl Stop {
    /// A stop that SIGTERM or Ctrl-C gives. Needs the runtime to listen for the signals.
    pub fn on_signals(runtime: &tokio::runtime::Handle) -> std::io::Result<Stop> {
        use tokio::signal::unix::{signal, SignalKind};
        let stop = Stop::default();
        let mut term = {
            let _inside = runtime.enter();
            signal(SignalKind::terminate())?
        };
        let given = stop.clone();
        runtime.spawn(async move {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            tracing::info!("stopping");
            given.stop();
        });
        Ok(stop)
    }

    /// Gives the order.
    pub fn stop(&self) {
        self.0.send_replace(true);
    }

    /// Whether the order was given.
    pub fn is_stopped(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves once the order is given (at once if it was).
    pub async fn stopped(&self) {
        let mut seen = self.0.subscribe();
        // The sender lives in `self`, so waiting cannot fail for want of one.
        let _ = seen.wait_for(|stopped| *stopped).await;
    }
}

/// Runs `cycle` now, then every `every` (from the end of one to the start of the next, so
/// cycles never overlap), until `stop`. Blocks the calling thread, which must not be one of the
/// runtime's: the cycle is free to `block_on` it.
pub fn repeat(
    runtime: &tokio::runtime::Runtime,
    every: Duration,
    stop: &Stop,
    mut cycle: impl FnMut(),
) {
    loop {
        cycle();
        if stop.is_stopped() {
            return;
        }
        runtime.block_on(async {
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = stop.stopped() => {}
            }
        });
        if stop.is_stopped() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_cases() {
        let ok = [
            ("minutes", "30m", 30 * 60),
            ("an hour", "1h", 3600),
            ("the minimum", "1m", 60),
            ("in seconds", "90s", 90),
            ("combined", "1h 30m", 5400),
            ("spaces around", " 2h ", 7200),
        ];
        for (name, text, secs) in ok {
            assert_eq!(
                parse(text).ok(),
                Some(Duration::from_secs(secs)),
                "{name}: {text}"
            );
        }
        let refused = [
            ("zero", "0s", "`0s` is too short: the minimum is `1m`"),
            ("seconds", "30s", "`30s` is too short: the minimum is `1m`"),
            ("milliseconds", "500ms", "`500ms` is too short"),
            ("no unit", "5", "`5` has no unit: write `5m` or `5h`"),
            (
                "zero without unit",
                "0",
                "`0` has no unit: write `0m` or `0h`",
            ),
            ("unknown unit", "5 parsecs", "`5 parsecs` is not a duration"),
            (
                "empty",
                "",
                "`` is not a duration: write it like `30m`, `1h`",
            ),
            ("words", "hourly", "`hourly` is not a duration"),
        ];
        for (name, text, want) in refused {
            match parse(text) {
                Ok(d) => panic!("{name}: `{text}` accepted as {d:?}"),
                Err(e) => assert!(e.to_string().starts_with(want), "{name}: {e}"),
            }
        }
    }

    /// A runtime whose clock moves on whenever every task is waiting, so an hour passes at once.
    fn paused_runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap()
    }

    #[test]
    fn repeat_runs_at_once_then_once_per_interval_until_stopped() {
        let runtime = paused_runtime();
        let stop = Stop::default();
        let started = runtime.block_on(async { tokio::time::Instant::now() });
        let mut at = Vec::new();
        repeat(&runtime, Duration::from_secs(3600), &stop, || {
            at.push(runtime.block_on(async { started.elapsed().as_secs() }));
            if at.len() == 3 {
                stop.stop();
            }
        });
        assert_eq!(at, [0, 3600, 7200], "at once, then hourly");
    }

    #[test]
    fn a_stop_during_the_wait_ends_it_at_once() {
        let runtime = paused_runtime();
        let stop = Stop::default();
        let waiting = stop.clone();
        runtime.spawn(async move {
            tokio::time::sleep(Duration::from_secs(60)).await;
            waiting.stop();
        });
        let mut cycles = 0;
        let started = runtime.block_on(async { tokio::time::Instant::now() });
        repeat(&runtime, Duration::from_secs(86_400), &stop, || cycles += 1);
        let waited = runtime.block_on(async { started.elapsed() });
        assert_eq!(cycles, 1, "no cycle after the stop");
        assert!(waited < Duration::from_secs(86_400), "waited {waited:?}");
    }
}
