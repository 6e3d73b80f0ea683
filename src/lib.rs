//! planet: many blogs in, one page and one feed out.
//!
//! The pipeline, one stage per module: [`config`] → [`refresh`] (plan, then [`fetch`] and
//! [`parse`], then classify) → [`store`] → [`filter`] and [`select`] → [`sanitize`] →
//! [`render`] → [`publish`] → [`websub`]. Fetch, store, publish and the hubs' pings touch the
//! network and the disk; the stages between them take values and return values. This file
//! wires them together, one line per stage, and is the only place that knows the order. The commands around the pipeline
//! (`status`, `check`, the subscription edits) are modules of their own that use the stages.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod check;
pub mod config;
pub mod every;
pub mod fetch;
pub mod filter;
pub mod health;
pub mod links;
pub mod lock;
pub mod model;
pub mod parse;
pub mod publish;
pub mod refresh;
pub mod render;
pub mod sanitize;
pub mod schedule;
pub mod select;
pub mod serve;
pub mod starter;
pub mod status;
pub mod store;
pub mod subscriptions;
pub mod text;
pub mod websub;

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::model::StoredEntry;
use crate::store::Store;

/// Errors that stop a run (a failing feed never does: it is reported and recorded).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration is unreadable or invalid.
    #[error(transparent)]
    Config(#[from] config::Error),
    /// The cache cannot be opened or written.
    #[error(transparent)]
    Store(#[from] store::Error),
    /// The HTTP client cannot be built.
    #[error(transparent)]
    Fetch(#[from] fetch::Error),
    /// A template or writer failed.
    #[error(transparent)]
    Render(#[from] render::Error),
    /// The output cannot be written.
    #[error(transparent)]
    Publish(#[from] publish::Error),
    /// Another planet holds the cache, or its lock cannot be taken.
    #[error(transparent)]
    Lock(#[from] lock::Error),
    /// The async runtime the fetch runs on cannot start.
    #[error("cannot start the async runtime")]
    Runtime(#[source] std::io::Error),
}

/// Which steps a cycle takes: `planet run`, `planet fetch` or `planet render`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Steps {
    /// Fetch what is due, then publish.
    Run,
    /// Fetch what is due; publish nothing.
    Fetch,
    /// Publish from the cache alone.
    Render,
}

/// What one cycle did.
#[derive(Debug, Default)]
pub struct Cycle {
    /// The fetch, when the cycle fetched.
    pub refresh: Option<refresh::Report>,
    /// The publish, when the cycle published.
    pub publish: Option<PublishReport>,
    /// The WebSub pings, when feeds changed and there are hubs to tell.
    pub announce: Option<websub::Report>,
}

/// One cycle of `planet run`, `fetch` or `render` on the config at `path`: reads it afresh (so
/// a long-running planet sees edits), refuses what cannot work before fetching anything, takes
/// the cache's lock, then fetches and publishes as `steps` says, at `options.now`.
pub fn cycle(path: &std::path::Path, steps: Steps, options: &Options<'_>) -> Result<Cycle, Error> {
    let config = config::load(path)?;
    let problems = check::preflight(&config);
    if !problems.is_empty() {
        return Err(config::Error::Invalid {
            path: path.to_owned(),
            problems,
        }
        .into());
    }
    let _lock = lock::Lock::acquire(&config.planet.cache_dir)?;
    let store = Store::open(&config.planet.cache_dir)?;
    // The fetch and the pings after the publish share one deadline.
    let deadline = tokio::time::Instant::now() + config.planet.run_timeout();
    let mut done = Cycle::default();
    // `render` never touches the network.
    let runtime = match steps {
        Steps::Render => None,
        Steps::Run | Steps::Fetch => Some(
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .map_err(Error::Runtime)?,
        ),
    };
    if let Some(runtime) = &runtime {
        done.refresh = Some(runtime.block_on(refresh(&config, &store, options))?);
    }
    if steps != Steps::Fetch {
        done.publish = Some(publish(&config, &store, options.now)?);
    }
    if let (Some(runtime), Some(published)) = (&runtime, &done.publish) {
        let hubs = &config.planet.hubs;
        if !hubs.is_empty() && !published.feeds_changed.is_empty() {
            let client = fetch::Client::new(&config.planet)?.until(deadline);
            let pings = websub::announce(&client, hubs, &published.feeds_changed);
            done.announce = Some(runtime.block_on(pings));
        }
    }
    Ok(done)
}

/// How a refresh is run.
pub struct Options<'a> {
    /// The time of the run: every date the run records comes from here, never from the clock.
    pub now: DateTime<Utc>,
    /// Fetch every feed, due or not (`--force`); gone feeds stay skipped.
    pub force: bool,
    /// Called with (done, total) as feeds complete, for a progress bar.
    pub progress: Option<&'a dyn Fn(usize, usize)>,
}

impl Options<'_> {
    /// A scheduled run at `now`: only the feeds that are due, no progress bar.
    pub fn at(now: DateTime<Utc>) -> Options<'static> {
        Options {
            now,
            force: false,
            progress: None,
        }
    }
}

/// Fetches every feed that is due, reads what changed and records each answer in the cache.
pub async fn refresh(
    config: &Config,
    store: &Store,
    options: &Options<'_>,
) -> Result<refresh::Report, Error> {
    let known = store.sources_by_url()?;
    let plan = refresh::plan(config, &known, options.now, options.force);
    let mut report = refresh::Report::planned(&plan);
    let context = Arc::new(refresh::Context::new(config, known, options.now));
    let client = fetch::Client::new(&config.planet)?;
    let total = plan.requests.len();
    let mut answers = fetch::fetch_all(
        client,
        plan.requests,
        config.planet.concurrency,
        move |planned, result| {
            let classified = refresh::classify(&context, &planned, result);
            (planned.subscription, classified)
        },
    );
    store.begin()?;
    while let Some((url, classified)) = answers.recv().await {
        let new_entries = store.record(&url, &classified.update)?;
        tracing::debug!("feed `{url}`: {}", classified.update.outcome);
        report.add(&url, classified, new_entries);
        if let Some(progress) = options.progress {
            progress(report.done(), total);
        }
    }
    store.commit()?;
    Ok(report.finish())
}

/// What a publish did.
#[derive(Debug, Default)]
pub struct PublishReport {
    /// Entries on the page.
    pub entries: usize,
    /// Output files whose bytes changed, or that were deleted.
    pub files_changed: usize,
    /// The public URLs of the feeds among them whose bytes changed: what the hubs are told.
    pub feeds_changed: Vec<String>,
    /// Where they are.
    pub output_dir: std::path::PathBuf,
}

/// Selects, sanitizes, renders and publishes from the cache alone: no network.
pub fn publish(config: &Config, store: &Store, now: DateTime<Utc>) -> Result<PublishReport, Error> {
    let theme = render::html::load(config.planet.templates_dir.as_deref())?;
    let limit = config.planet.items_per_page;
    let selected = select_from(store, limit, |c| filter::filter(config, c, now))?;
    let shown: Vec<StoredEntry> = selected.into_iter().map(sanitize::entry).collect();
    let view = render::build(config, &shown, &store.sources()?, &store.stored()?, now);
    let outputs = render::all(&theme, &view, &config.planet.outputs)?;
    let dir = &config.planet.output_dir;
    let changed = publish::publish(dir, &outputs.files)?;
    let files_changed = changed.len() + publish::retire(dir, &outputs.retired)?;
    let feeds_changed = changed
        .iter()
        .filter(|name| outputs.feeds.contains(name))
        .map(|name| format!("{}{name}", view.planet.link))
        .collect();
    prune(config, store, &shown, now)?;
    Ok(PublishReport {
        entries: shown.len(),
        files_changed,
        feeds_changed,
        output_dir: dir.clone(),
    })
}

/// Bounds the cache: drops entries older than `retention_days` that left their feed (or whose
/// feed left `planet.toml`) and are not on the page just published.
fn prune(
    config: &Config,
    store: &Store,
    shown: &[StoredEntry],
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let days = i64::try_from(config.planet.retention_days).unwrap_or(i64::MAX);
    let Some(cutoff) = chrono::Duration::try_days(days).and_then(|d| now.checked_sub_signed(d))
    else {
        return Ok(()); // a retention longer than the calendar keeps everything
    };
    let subscribed: Vec<&str> = config.feeds.iter().map(|f| f.url.as_str()).collect();
    let keep: Vec<(&str, &str)> = shown
        .iter()
        .map(|s| (s.feed_url.as_str(), s.entry.id.as_str()))
        .collect();
    let pruned = store.prune(cutoff, &subscribed, &keep)?;
    if pruned > 0 {
        tracing::debug!(
            "pruned {} older than {}",
            text::plural(pruned, "entry"),
            text::plural(
                usize::try_from(config.planet.retention_days).unwrap_or(usize::MAX),
                "day"
            )
        );
    }
    Ok(())
}

/// Reads candidates from the store until deduplication leaves `limit` entries (or the store
/// runs out): most runs need one small query, never a scan of the whole cache.
fn select_from(
    store: &Store,
    limit: usize,
    rules: impl Fn(Vec<StoredEntry>) -> Vec<StoredEntry>,
) -> Result<Vec<StoredEntry>, Error> {
    let mut want = limit.saturating_mul(2).saturating_add(16);
    loop {
        let candidates = store.newest(want, 0)?;
        let exhausted = candidates.len() < want;
        let selected = select::select(rules(candidates), limit);
        if selected.len() >= limit || exhausted {
            return Ok(selected);
        }
        want = want.saturating_mul(4);
    }
}

/// An error and its causes on one line: `reason: cause: cause`.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let c = cause.to_string();
        if !s.contains(&c) {
            s.push_str(": ");
            s.push_str(&c);
        }
        source = cause.source();
    }
    s
}
