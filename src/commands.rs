//! The one dispatcher: each command is a thin shell over the library.
//!
//! A command loads what it needs, calls the stages (or the library's `refresh` and `publish`),
//! and words the outcome for a person through the [`Console`]. Only `status`, `export` and
//! `schema` print on stdout, because their output is data.

use std::path::Path;
use std::time::Duration;

use anyhow::{bail, Context as _};
use clap::CommandFactory as _;
use planet::subscriptions::{self, Subscriptions};
use planet::{check, config, every, serve, starter, status, store, Steps};

use crate::cli::{Cli, Command};
use crate::console::{self, plural, Console};
use crate::manual;

/// Runs the command the operator asked for.
pub fn dispatch(cli: &Cli, console: &Console) -> anyhow::Result<()> {
    match &cli.command {
        Command::Init {
            dir,
            name,
            link,
            owner,
        } => init(
            cli,
            console,
            dir.as_deref(),
            starter::Fill {
                name: name.clone(),
                link: link.as_ref().map(ToString::to_string),
                owner: owner.clone(),
            },
        ),
        Command::Run {
            force,
            every: Some(every),
        } => run_every(cli, console, *force, *every),
        Command::Run { force, every: None } => cycle(cli, console, Steps::Run, *force),
        Command::Fetch { force } => cycle(cli, console, Steps::Fetch, *force),
        Command::Render => cycle(cli, console, Steps::Render, false),
        Command::Status {
            json,
            failing,
            check,
            wide,
        } => status(cli, *json, *failing, *check, *wide),
        Command::Add { url, name } => add(cli, console, url, name.as_deref()),
        Command::Remove { feed } => remove(cli, console, feed),
        Command::Import { file } => import(cli, console, file),
        Command::Export => export(cli),
        Command::Check { fetch, fix } => check(cli, console, *fetch, *fix),
        Command::Schema => console::print_data(&format!("{}\n", config::schema())),
        Command::Serve { port, bind, every } => serve(
            cli,
            console,
            std::net::SocketAddr::new(*bind, *port),
            *every,
        ),
        Command::Theme { dir, force } => theme(console, dir, *force),
        Command::Completions { shell } => console::print_data(&String::from_utf8_lossy(
            &manual::completions(Cli::command(), *shell),
        )),
        Command::Man => manual::man_page(Cli::command())
            .context("cannot write the man page")
            .and_then(|page| console::print_data(&String::from_utf8_lossy(&page))),
    }
}

/// `init [DIR]`: a new `planet.toml`, and what to do next.
fn init(
    cli: &Cli,
    console: &Console,
    dir: Option<&Path>,
    fill: starter::Fill,
) -> anyhow::Result<()> {
    let path = dir.map_or_else(|| cli.config.clone(), |d| d.join("planet.toml"));
    starter::write(&path, &fill)?;
    let set = to_set(&fill.placeholders())
        .map(|s| format!("{s}, "))
        .unwrap_or_default();
    // The next commands must find this file: from elsewhere, they need `--config`.
    let config = if path == Path::new("planet.toml") {
        String::new()
    } else {
        format!(" -c {}", path.display())
    };
    console.say(&format!(
        "wrote `{}`: {set}add a feed with `planet{config} add URL`, then `planet{config} run`",
        path.display()
    ));
    Ok(())
}

/// `set `name` and `link` (placeholders for now)`: what a new `planet.toml` still needs.
fn to_set(placeholders: &[&str]) -> Option<String> {
    let keys: Vec<String> = placeholders.iter().map(|k| format!("`{k}`")).collect();
    (!keys.is_empty()).then(|| format!("set {} (placeholders for now)", console::and_list(&keys)))
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    planet::fetch::runtime().context("cannot start the async runtime")
}

/// One cycle, as the library runs it, worded for the operator: the notices of the fetch as
/// `warning:` lines, a summary of each step with `-v`.
fn cycle(cli: &Cli, console: &Console, steps: Steps, force: bool) -> anyhow::Result<()> {
    let done = console.with_progress("fetching", |progress| {
        let options = planet::Options {
            now: chrono::Utc::now(),
            force,
            progress: Some(progress),
        };
        planet::cycle(&cli.config, steps, &options)
    })?;
    if let Some(report) = &done.refresh {
        for notice in &report.notices {
            console.warn(notice);
        }
        tracing::info!(
            "fetched {}: {} updated, {} unchanged, {} failed, {} not due, {} gone; {}",
            plural(report.requested(), "feed"),
            report.updated,
            report.not_modified,
            report.failed.len(),
            report.not_due,
            report.gone,
            plural(report.new_entries, "new entry")
        );
    }
    if let Some(report) = &done.publish {
        tracing::info!(
            "published {} to `{}` ({} changed)",
            plural(report.entries, "entry"),
            report.output_dir.display(),
            plural(report.files_changed, "file")
        );
    }
    if let Some(report) = &done.announce {
        for failure in &report.failures {
            console.warn(failure);
        }
        tracing::info!("told the WebSub hubs: {}", plural(report.sent, "ping"));
    }
    Ok(())
}

/// `run --every`: cycles until SIGTERM or Ctrl-C (see `planet::every`); a failing cycle is
/// reported and the next one tried.
fn run_every(cli: &Cli, console: &Console, force: bool, every: Duration) -> anyhow::Result<()> {
    let runtime = runtime()?;
    let stop = every::Stop::on_signals(runtime.handle())?;
    every::repeat(&runtime, every, &stop, || {
        if let Err(err) = cycle(cli, console, Steps::Run, force) {
            console::print_error(&err, crate::hint(&err));
        }
    });
    Ok(())
}

/// `serve`: the output folder over HTTP until SIGTERM or Ctrl-C; with `--every`, the cycles of
/// `run --every` in the same process.
fn serve(
    cli: &Cli,
    console: &Console,
    addr: std::net::SocketAddr,
    every: Option<Duration>,
) -> anyhow::Result<()> {
    let runtime = runtime()?;
    let root = config::load(&cli.config)?.planet.output_dir;
    let options = serve::Options { root, addr, every };
    // Listening for signals first: whoever reads the address below may stop us at once.
    let stop = every::Stop::on_signals(runtime.handle())?;
    let server = serve::Server::bind(options.clone())?;
    let addr = server.local_addr()?;
    eprintln!("serving `{}` on http://{addr}/", options.root.display());
    server.run(&runtime, &stop, || {
        if let Err(err) = cycle(cli, console, Steps::Run, false) {
            console::print_error(&err, crate::hint(&err));
        }
    })?;
    Ok(())
}

/// `theme DIR`: the embedded theme, written out to be edited.
fn theme(console: &Console, dir: &Path, force: bool) -> anyhow::Result<()> {
    let written = planet::render::html::export(dir, force)?;
    console.say(&format!(
        "wrote {} to `{}`: set `templates_dir = \"{}\"` in `[planet]` to use them",
        plural(written.len(), "file"),
        dir.display(),
        dir.display()
    ));
    Ok(())
}

/// `status --check` found failing feeds: its line is on stdout, and the exit status says it.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Unhealthy(String);

fn status(cli: &Cli, json: bool, failing: bool, check: bool, wide: bool) -> anyhow::Result<()> {
    let config = config::load(&cli.config)?;
    let store = store::Store::open(&config.planet.cache_dir)?;
    let now = chrono::Utc::now();
    let mut rows = status::rows(&config, &store.sources()?, &store.stored()?, now);
    if check {
        let summary = status::Summary::of(&rows);
        console::print_data(&format!("{summary}\n"))?;
        if summary.ok() {
            return Ok(());
        }
        return Err(Unhealthy(summary.to_string()).into());
    }
    if failing {
        rows.retain(status::Row::has_problem);
    }
    let text = if json {
        let mut text = serde_json::to_string_pretty(&rows).context("cannot write the status")?;
        text.push('\n');
        text
    } else {
        status::table(&rows, now, wide)
    };
    console::print_data(&text)
}

/// (subscription, final URL) pairs the cache knows, for duplicate checks; none without a cache.
fn add(cli: &Cli, console: &Console, input: &str, name: Option<&str>) -> anyhow::Result<()> {
    let added = subscriptions::add(&cli.config, input, name)?;
    let via = added
        .via_page
        .map(|p| format!(", found on `{p}`"))
        .unwrap_or_default();
    let named = added
        .name
        .map(|n| format!(" as \"{n}\""))
        .unwrap_or_default();
    let scheme = added
        .https_failed
        .map(|why| format!(" (no scheme given: over http, as https failed: {why})"))
        .unwrap_or_default();
    console.say(&format!("added `{}`{named}{via}{scheme}", added.url));
    Ok(())
}

fn remove(cli: &Cli, console: &Console, feed: &str) -> anyhow::Result<()> {
    let mut subs = Subscriptions::open(&cli.config)?;
    let url = subs.remove(feed, &titles(cli))?;
    subs.save()?;
    console.say(&format!("removed `{url}`"));
    Ok(())
}

/// (subscription URL, the feed's own title) of the feeds the cache knows: the name the page
/// and `status` show for a feed without `name`. None without a readable config or cache.
fn titles(cli: &Cli) -> Vec<(String, String)> {
    let Ok(config) = config::load(&cli.config) else {
        return Vec::new();
    };
    if !config.planet.cache_dir.join(store::FILE_NAME).exists() {
        return Vec::new();
    }
    let sources = store::Store::open(&config.planet.cache_dir).and_then(|s| s.sources());
    sources
        .map(|sources| sources.into_iter().map(|s| (s.url, s.meta.title)).collect())
        .unwrap_or_default()
}

fn import(cli: &Cli, console: &Console, file: &Path) -> anyhow::Result<()> {
    let report = subscriptions::import(&cli.config, file)?;
    if let Some(placeholders) = &report.created {
        let set = to_set(placeholders)
            .map(|s| format!(": {s}"))
            .unwrap_or_default();
        console.say(&format!(
            "wrote `{}`, as `planet init` does{set}",
            cli.config.display()
        ));
    }
    for setting in &report.settings {
        console.say(&format!("set `[planet]` {setting}"));
    }
    for url in &report.added {
        console.say(&format!("added `{url}`"));
    }
    for (url, why) in &report.skipped {
        console.say(&format!("skipped `{url}`: {why}"));
    }
    for what in &report.left_out {
        console.say(&format!("left out {what}"));
    }
    for what in &report.unreadable {
        console.warn(&format_args!("could not read {what}"));
    }
    console.say(&format!(
        "imported `{}`: {} added, {} skipped, {} could not be read",
        file.display(),
        plural(report.added.len(), "feed"),
        report.skipped.len(),
        report.unreadable.len()
    ));
    Ok(())
}

fn export(cli: &Cli) -> anyhow::Result<()> {
    let config = config::load(&cli.config)?;
    let (sources, stored) = if config.planet.cache_dir.join(store::FILE_NAME).exists() {
        let store = store::Store::open(&config.planet.cache_dir)?;
        (store.sources()?, store.stored()?)
    } else {
        Default::default()
    };
    let view = planet::render::build(&config, &[], &sources, &stored, chrono::Utc::now());
    let opml = planet::render::opml::render(&view)?;
    console::print_data(&String::from_utf8_lossy(&opml))
}

fn check(cli: &Cli, console: &Console, fetch: bool, fix: bool) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&cli.config)
        .with_context(|| format!("cannot read config `{}`", cli.config.display()))?;
    let (mut problems, config) = check::lint(&text, &cli.config);
    if fetch {
        if let Some(config) = config.as_ref() {
            let probed = runtime()?.block_on(check::probe(config, chrono::Utc::now()))?;
            problems.extend(probed.problems);
            if fix && !probed.moved.is_empty() {
                for done in check::fix(&cli.config, &probed.moved)? {
                    match &done {
                        check::Fixed::Changed(m) => console.say(&format!(
                            "{}feed `{}`: `url` changed to `{}` (it moved permanently)",
                            m.line.map(|l| format!("line {l}: ")).unwrap_or_default(),
                            m.url,
                            m.to
                        )),
                        check::Fixed::Duplicate { .. } => problems.extend(done.problem()),
                    }
                }
            } else {
                problems.extend(probed.moved.iter().map(check::Moved::problem));
            }
            problems.sort_by_key(|p| p.line.unwrap_or(usize::MAX));
        }
    }
    for p in &problems {
        eprintln!("error: {p}");
    }
    let feeds = config.as_ref().map_or(0, |c| c.feeds.len());
    if problems.is_empty() {
        let fetched = if fetch { ", every feed fetched" } else { "" };
        console.say(&format!(
            "`{}`: {}, no problems{fetched}",
            cli.config.display(),
            plural(feeds, "feed")
        ));
        return Ok(());
    }
    bail!(
        "{} in `{}`",
        plural(problems.len(), "problem"),
        cli.config.display()
    )
}
