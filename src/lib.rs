//! planet: many blogs in, one page and one feed out.
//!
//! The pipeline, one stage per module: [`config`] → [`refresh`](mod@refresh) (plan, then
//! [`fetch`] and [`parse`], then classify) → [`store`] → [`filter`] and [`select`] →
//! [`sanitize`] → [`render`] → [`publish`](mod@publish) → [`websub`]. Fetch, store, publish
//! and the hubs' pings touch the network and the disk; the stages between them take values and
//! return values. This file wires them together, one line per stage, and is the only place
//! that knows the order. The commands around the pipeline (`status`, `check`, the subscription
//! edits) are modules of their own that use the stages.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod check;
pub mod config;
pub mod every;
pub mod fetch;
pub mod filter;
pub mod health;
pub mod links;
pub mod locale;
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
    check::ready(&config, path)?;
    let _lock = lock::Lock::acquire(&config.planet.cache_dir)?;
    let store = Store::open(&config.planet.cache_dir)?;
    let mut done = Cycle::default();
    // `render` never touches the network; the fetch and the pings share one deadline.
    let deadline = tokio::time::Instant::now() + config.planet.run_timeout();
    let runtime = (steps != Steps::Render)
        .then(fetch::runtime)
        .transpose()
        .map_err(Error::Runtime)?;
    if let Some(runtime) = &runtime {
        done.refresh = Some(runtime.block_on(refresh(&config, &store, options))?);
    }
    if steps != Steps::Fetch {
        done.publish = Some(publish(&config, &store, options.now)?);
    }
    if let (Some(runtime), Some(published)) = (&runtime, &done.publish) {
        let pings = websub::announce_changes(&config.planet, &published.feeds_changed, deadline);
        done.announce = runtime.block_on(pings)?;
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
    if report.new_entries > 0 {
        store.place_undated(options.now)?;
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

/// Selects, sanitizes, renders and publishes from the cache alone: no network. The front page
/// and the feeds carry the newest entries; the archive, the sources' and the topics' pages
/// carry every entry the rules keep, rendered only where something they show changed.
pub fn publish(config: &Config, store: &Store, now: DateTime<Utc>) -> Result<PublishReport, Error> {
    let (theme, locale) = render::html::load_for(&config.planet)?;
    let limit = config.planet.items_per_page;
    let selected = select::newest(store, limit, |c| filter::filter(config, c, now))?;
    let shown: Vec<StoredEntry> = selected.into_iter().map(sanitize::entry).collect();
    let (sources, stored) = (store.sources()?, store.stored()?);
    let maker = render::Maker::new(config, &sources, &stored, &locale, now);
    let view = maker.view(&shown);
    let mut outputs = render::all(&theme, &view, &config.planet.outputs)?;
    let catalogue = select::archive(config, store, &stored, now)?;
    let pages = render::site::plan(&maker, &catalogue, &view, limit);
    let (dir, cache) = (&config.planet.output_dir, &config.planet.cache_dir);
    let old = publish::Manifest::load(cache, dir);
    let mut out = publish::Writer::new(dir);
    let load = |rows: &[i64]| Ok::<_, Error>(store.by_rows(rows)?);
    render::site::render(
        &theme,
        &maker,
        &view,
        &catalogue,
        &pages,
        &old,
        load,
        |page| {
            if page.feed {
                outputs.feeds.push(page.path.clone());
            }
            Ok(out.add(page.path, Some(page.fingerprint), page.bytes)?)
        },
    )?;
    let names: Vec<String> = outputs.files.iter().map(|(n, _)| n.clone()).collect();
    let sitemap = render::site::sitemap(&view.planet.link, &view, &catalogue, &pages, &names);
    outputs.files.push(("sitemap.xml".to_owned(), sitemap));
    for (name, bytes) in outputs.files {
        out.add(name, None, Some(bytes))?;
    }
    let written = out.finish(&old, &outputs.retired, cache)?;
    let feeds_changed = (written.changed.iter())
        .filter(|name| outputs.feeds.contains(name))
        .map(|name| format!("{}{name}", view.planet.link))
        .collect();
    let subscribed: Vec<&str> = config.feeds.iter().map(|f| f.url.as_str()).collect();
    store.prune_older(config.planet.retention_days, now, &subscribed, &shown)?;
    Ok(PublishReport {
        entries: shown.len(),
        files_changed: written.changed.len() + written.removed,
        feeds_changed,
        output_dir: dir.clone(),
    })
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
