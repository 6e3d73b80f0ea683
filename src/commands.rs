//! The operator's commands, for the binary: `add`, `remove`, `import`, `export`, `check`,
//! `schema`, `theme`, `completions`, `man`.
//!
//! Each is a thin shell over the library (`subscribe`, `migrate`, `check`, `config::schema`):
//! it loads what it needs, runs, and words the outcome for a person on stderr. Only `export`
//! and `schema` print on stdout, because their output is data. `run`, `fetch` and `render` are
//! not here: [`operator`] answers `None` for them.

use std::path::Path;

use anyhow::{bail, Context as _};
use clap::CommandFactory as _;
use planet::subscribe::{self, NewFeed, Subscriptions};
use planet::{check, config, fetch, manual, store};

use crate::cli::{Cli, Command};

/// Runs an operator command; `None` when the command is one of the pipeline's.
pub fn operator(cli: &Cli) -> Option<anyhow::Result<()>> {
    Some(match &cli.command {
        Command::Add { url, name } => add(cli, url, name.as_deref()),
        Command::Remove { feed } => remove(cli, feed),
        Command::Import { file } => import(cli, file),
        Command::Export => export(cli),
        Command::Check { fetch } => check(cli, *fetch),
        Command::Schema => print_data(&format!("{}\n", config::schema())),
        Command::Theme { dir, force } => theme(cli, dir, *force),
        Command::Completions { shell } => print_data(&String::from_utf8_lossy(
            &manual::completions(Cli::command(), *shell),
        )),
        Command::Man => manual::man_page(Cli::command())
            .context("cannot write the man page")
            .and_then(|page| print_data(&String::from_utf8_lossy(&page))),
        Command::Run { .. }
        | Command::Fetch { .. }
        | Command::Render
        | Command::Status { .. }
        | Command::Serve { .. } => return None,
    })
}

/// Writes a command's data on stdout. A reader that stopped reading (`planet status | head`)
/// is not an error: the rest had nowhere to go.
pub fn print_data(data: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(data.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        written => written.context("cannot write to stdout"),
    }
}

/// A line for the operator on stderr, unless `--quiet`.
fn say(cli: &Cli, line: &str) {
    if !cli.quiet {
        eprintln!("{line}");
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// (subscription, final URL) pairs the cache knows, for duplicate checks; none without a cache.
fn known_redirects(config: &config::Config) -> anyhow::Result<Vec<(String, String)>> {
    if !config.planet.cache_dir.join(store::FILE_NAME).exists() {
        return Ok(Vec::new());
    }
    let store = store::Store::open(&config.planet.cache_dir)?;
    Ok(store
        .sources()?
        .into_iter()
        .filter_map(|s| Some((s.url.clone(), s.final_url.filter(|f| *f != s.url)?)))
        .collect())
}

fn add(cli: &Cli, input: &str, name: Option<&str>) -> anyhow::Result<()> {
    let config = config::load(&cli.config)?;
    let mut subs = Subscriptions::open(&cli.config)?;
    let url = subscribe::parse_url(input)?;
    let redirects = known_redirects(&config)?;
    subs.refuse_duplicate(&[url.as_str()], &redirects)?;
    let client = fetch::Client::new(&config.planet)?;
    let runtime = runtime()?;
    let found = runtime.block_on(subscribe::find_feed(&client, &url))?;
    subs.refuse_duplicate(&[found.url.as_str(), found.final_url.as_str()], &redirects)?;
    // A feed that moved for good is subscribed where it went: else the next run would ask
    // the operator to change the line just written.
    let url = found.moved_to.clone().unwrap_or_else(|| found.url.clone());
    let name = name
        .map(str::to_owned)
        .or_else(|| Some(found.title.trim().to_owned()).filter(|t| !t.is_empty()));
    subs.append(&NewFeed {
        url: url.to_string(),
        name: name.clone(),
        ..NewFeed::default()
    })?;
    subs.save()?;
    let via = found
        .via_page
        .map(|p| format!(", found on `{p}`"))
        .unwrap_or_default();
    let named = name.map(|n| format!(" as \"{n}\"")).unwrap_or_default();
    say(cli, &format!("added `{url}`{named}{via}"));
    Ok(())
}

fn remove(cli: &Cli, feed: &str) -> anyhow::Result<()> {
    let mut subs = Subscriptions::open(&cli.config)?;
    let url = match subs.remove(feed) {
        // Not a URL nor a configured name: the feed's own title, as the page and `status`
        // show a feed that has no `name`.
        Err(e @ subscribe::Error::NotSubscribed(_)) => match titled(cli, feed) {
            Some(url) => subs.remove(&url)?,
            None => return Err(e.into()),
        },
        removed => removed?,
    };
    subs.save()?;
    say(cli, &format!("removed `{url}`"));
    Ok(())
}

/// The URL of the one subscription without a `name` whose feed the cache knows by this title.
fn titled(cli: &Cli, title: &str) -> Option<String> {
    let config = config::load(&cli.config).ok()?;
    if !config.planet.cache_dir.join(store::FILE_NAME).exists() {
        return None;
    }
    let sources = store::Store::open(&config.planet.cache_dir)
        .ok()?
        .sources()
        .ok()?;
    let urls: Vec<String> = config
        .feeds
        .iter()
        .filter(|f| f.name.is_none())
        .filter(|f| {
            sources
                .iter()
                .any(|s| s.url == f.url.as_str() && s.meta.title.trim() == title.trim())
        })
        .map(|f| f.url.to_string())
        .collect();
    match &urls[..] {
        [url] => Some(url.clone()),
        _ => None,
    }
}

fn import(cli: &Cli, file: &Path) -> anyhow::Result<()> {
    let report = subscribe::import(&cli.config, file)?;
    for setting in &report.settings {
        say(cli, &format!("set `[planet]` {setting}"));
    }
    for url in &report.added {
        say(cli, &format!("added `{url}`"));
    }
    for (url, why) in &report.skipped {
        say(cli, &format!("skipped `{url}`: {why}"));
    }
    for what in &report.unreadable {
        eprintln!("warning: could not read {what}");
    }
    say(
        cli,
        &format!(
            "imported `{}`: {} feeds added, {} skipped, {} could not be read",
            file.display(),
            report.added.len(),
            report.skipped.len(),
            report.unreadable.len()
        ),
    );
    Ok(())
}

fn export(cli: &Cli) -> anyhow::Result<()> {
    let config = config::load(&cli.config)?;
    let sources = if config.planet.cache_dir.join(store::FILE_NAME).exists() {
        store::Store::open(&config.planet.cache_dir)?.sources()?
    } else {
        Vec::new()
    };
    let title = |url: &str| {
        sources
            .iter()
            .find(|s| s.url == url)
            .map(|s| s.meta.title.trim().to_owned())
            .filter(|t| !t.is_empty())
    };
    print_data(&subscribe::export(&config, &title)?)
}

fn check(cli: &Cli, fetch: bool) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&cli.config)
        .with_context(|| format!("cannot read config `{}`", cli.config.display()))?;
    let (mut problems, config) = check::lint(&text, &cli.config);
    if fetch {
        if let Some(config) = config.as_ref() {
            problems.extend(runtime()?.block_on(check::probe(config, &text))?);
        }
    }
    for p in &problems {
        eprintln!("error: {p}");
    }
    let feeds = config.as_ref().map_or(0, |c| c.feeds.len());
    match problems.len() {
        0 => {
            let fetched = if fetch { ", every feed fetched" } else { "" };
            say(
                cli,
                &format!(
                    "`{}`: {feeds} feeds, no problems{fetched}",
                    cli.config.display()
                ),
            );
            Ok(())
        }
        1 => bail!("1 problem in `{}`", cli.config.display()),
        n => bail!("{n} problems in `{}`", cli.config.display()),
    }
}

fn theme(cli: &Cli, dir: &Path, force: bool) -> anyhow::Result<()> {
    let written = planet::render::html::export(dir, force)?;
    say(
        cli,
        &format!(
            "wrote {} files to `{}`: set `templates_dir = \"{}\"` in `[planet]` to use them",
            written.len(),
            dir.display(),
            dir.display()
        ),
    );
    Ok(())
}
