//! The command line: subcommands and flags (clap derive).
//!
//! `--config`, `-q` and `-v` are global, so they work before or after the subcommand's name.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// The exit statuses, which scripts and monitoring read: after both helps.
macro_rules! exit_status {
    () => {
        "Exit status:
  0  done (a feed that failed is a warning, not a failure)
  1  the command could not do its job (an invalid config, a cache or output that cannot
     be used, a file `init` would overwrite); `check` found a problem; `add` found no
     feed or a duplicate; `status --check` found a failing feed
  2  the command line is wrong
  3  another planet holds the cache: nothing was done"
    };
}

/// Examples and exit statuses for `-h`.
const AFTER_HELP: &str = concat!(
    "Examples:
  planet init && planet add https://blog.example.org/ && planet run
  planet run --every 30m         # or from cron: planet run
  planet status --check          # one line, exit 1 when a feed fails (Nagios)

",
    exit_status!()
);

/// Examples and exit statuses for `--help`.
const LONG_AFTER_HELP: &str = concat!(
    "Examples:
  planet init                    # a commented planet.toml to start from
  planet add https://blog.example.org/   # finds the blog's feed
  planet import config.ini       # a Planet Venus config, or an OPML file
  planet run                     # fetch, then publish output/
  planet serve                   # preview output/ on http://127.0.0.1:8080/
  planet run --every 30m         # or from cron: */30 * * * * planet run
  planet status --failing        # the feeds with a problem
  planet status --check          # one line, exit 1 when a feed fails (Nagios)
  planet check --fetch --fix     # write where moved feeds went

",
    exit_status!()
);

/// planet: a feed aggregator. Fetches every feed in planet.toml and publishes one page and one feed.
#[derive(Debug, Parser)]
#[command(
    name = "planet",
    version,
    about,
    long_about = None,
    after_help = AFTER_HELP,
    after_long_help = LONG_AFTER_HELP
)]
pub struct Cli {
    /// The config file.
    #[arg(
        long,
        short = 'c',
        global = true,
        default_value = "planet.toml",
        value_name = "PATH"
    )]
    pub config: PathBuf,
    /// Print errors only.
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more: -v per-feed detail, -vv debugging.
    #[arg(long, short, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a new planet.toml, commented, with every common key at its default.
    Init {
        /// The folder to write `planet.toml` in (made if missing); default: where `--config`
        /// points, `./planet.toml`.
        dir: Option<PathBuf>,
        /// The planet's name (default: a placeholder).
        #[arg(long)]
        name: Option<String>,
        /// Where the output will be published, e.g. `https://planet.example.org/` (default: a
        /// placeholder).
        #[arg(long, value_parser = url::Url::parse)]
        link: Option<url::Url>,
        /// Who runs the planet (default: a placeholder).
        #[arg(long)]
        owner: Option<String>,
    },
    /// Fetch every feed, update the cache and publish the output (what cron runs).
    Run {
        /// Fetch every feed, even those not due yet (gone ones stay skipped).
        #[arg(long)]
        force: bool,
        /// Run forever, one cycle every DURATION (e.g. `30m`, `1h`; at least `1m`); SIGTERM or
        /// Ctrl-C end it after the current cycle. For containers and systemd, without cron.
        #[arg(long, value_name = "DURATION", value_parser = planet::every::parse)]
        every: Option<std::time::Duration>,
    },
    /// Fetch every feed and update the cache; publish nothing.
    Fetch {
        /// Fetch every feed, even those not due yet (gone ones stay skipped).
        #[arg(long)]
        force: bool,
    },
    /// Publish the output from the cache, without touching the network.
    Render,
    /// Print one row per feed: status, last success, entries, failures, next due, flags.
    Status {
        /// Print the rows as JSON on stdout, for monitoring.
        #[arg(long, conflicts_with = "wide")]
        json: bool,
        /// Only the feeds with a problem: failing, gone or moved.
        #[arg(long)]
        failing: bool,
        /// Print one line (how many feeds, which fail) and exit 1 when an enabled feed is
        /// failing or gone: a Nagios-style check.
        #[arg(long, conflicts_with_all = ["json", "failing", "wide"])]
        check: bool,
        /// Every column at full width, with full dates (the table keeps to 100 columns
        /// otherwise).
        #[arg(long)]
        wide: bool,
    },
    /// Subscribe to a feed, or to a blog by its home page (its feed is discovered).
    Add {
        /// The feed's URL, or the blog's home page.
        url: String,
        /// The name shown for the feed (default: the feed's own title).
        #[arg(long)]
        name: Option<String>,
    },
    /// Unsubscribe from a feed, given its URL or its name.
    Remove {
        /// The feed's URL or name.
        feed: String,
    },
    /// Subscribe to every feed of an OPML file or a Planet Venus / Planet 2.0 config.ini.
    Import {
        /// The OPML or INI file.
        file: PathBuf,
    },
    /// Print the subscriptions as OPML 2.0 on stdout.
    Export,
    /// Check planet.toml (and with --fetch, every feed); exit 1 when anything is wrong.
    Check {
        /// Also fetch every feed once and report moved, gone, failing and not-a-feed ones.
        #[arg(long)]
        fetch: bool,
        /// With --fetch: write the new address of every feed that moved permanently into
        /// planet.toml (its comments and layout stay), and say what changed.
        #[arg(long, requires = "fetch")]
        fix: bool,
    },
    /// Print a JSON Schema of planet.toml on stdout, for editors.
    Schema,
    /// Write the built-in theme (templates and assets) to DIR, to edit as a `templates_dir`.
    Theme {
        /// The folder to write to (made if missing).
        dir: PathBuf,
        /// Overwrite files that are already there.
        #[arg(long)]
        force: bool,
    },
    /// Print a completion script for SHELL on stdout.
    Completions {
        /// The shell.
        shell: crate::manual::Shell,
    },
    /// Print the man page (roff) on stdout.
    Man,
    /// Serve the output folder over HTTP (a preview, a small site); with --every, publish too.
    Serve {
        /// The port to listen on; 0 picks a free one (the address is printed on stderr).
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// The address to listen on: `0.0.0.0` or `::` for every interface (in a container).
        #[arg(long, default_value = "127.0.0.1", value_name = "ADDRESS")]
        bind: std::net::IpAddr,
        /// Fetch and publish at once, then every DURATION (e.g. `30m`, `1h`; at least `1m`),
        /// as `run --every` does: one process is then a whole planet.
        #[arg(long, value_name = "DURATION", value_parser = planet::every::parse)]
        every: Option<std::time::Duration>,
    },
}
