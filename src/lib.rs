//! planet: many blogs in, one page and one feed out.
//!
//! The pipeline, one stage per module: [`config`] → [`refresh`] (plan, then [`fetch`] and
//! [`parse`], then classify) → [`store`] → [`filter`] and [`select`] → [`sanitize`] →
//! [`render`] → [`publish`]. Fetch, store and publish touch the network and the disk; the
//! stages between them take values and return values. This file wires them together, one line
//! per stage, and is the only place that knows the order. The commands around the pipeline
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
pub mod status;
pub mod store;
pub mod subscriptions;
pub mod text;

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
    let mut done = Cycle::default();
    if steps != Steps::Render {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(Error::Runtime)?;
        done.refresh = Some(runtime.block_on(refresh(&config, &store, options))?);
    }
    if steps != Steps::Fetch {
        done.publish = Some(publish(&config, &store, options.now)?);
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
    store.place_undated(options.now)?;
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
    /// Where they are.
    pub output_dir: std::path::PathBuf,
}

/// Selects, sanitizes, renders and publishes from the cache alone: no network. The front page
/// and the feeds carry the newest entries; the archive, the sources' and the topics' pages
/// carry every entry the rules keep, rendered only where something they show changed.
pub fn publish(config: &Config, store: &Store, now: DateTime<Utc>) -> Result<PublishReport, Error> {
    let mut theme = render::html::load(config.planet.templates_dir.as_deref())?;
    let locale = locale::Locale::new(
        &config.planet.language,
        config.planet.tz(),
        theme.words.as_deref(),
    )
    .map_err(render::Error::Words)?;
    theme.localize(&locale);
    let limit = config.planet.items_per_page;
    let selected = select_from(store, limit, |c| filter::filter(config, c, now))?;
    let shown: Vec<StoredEntry> = selected.into_iter().map(sanitize::entry).collect();
    let (sources, stored) = (store.sources()?, store.stored()?);
    let maker = render::Maker::new(config, &sources, &stored, &locale, now);
    let view = maker.view(&shown);
    let outputs = render::all(&theme, &view, &config.planet.outputs)?;
    let catalogue = catalogue(config, store, now)?;
    let pages = render::site::plan(&maker, &catalogue, limit);
    let dir = &config.planet.output_dir;
    let cache = &config.planet.cache_dir;
    let old = publish::Manifest::load(cache, dir);
    // What every page shares, without what changes every run.
    let frame = render::View {
        entries: Vec::new(),
        days: Vec::new(),
        feeds: Vec::new(),
        updated: String::new(),
        updated_text: String::new(),
        generated: String::new(),
        generated_text: String::new(),
        ..view.clone()
    };
    let mut manifest = publish::Manifest {
        output_dir: dir.clone(),
        files: Default::default(),
    };
    // Pages are written as they are made, a batch at a time: a first run makes hundreds of
    // megabytes of them.
    let mut batch: Vec<(String, Vec<u8>)> = Vec::new();
    let mut batched = 0;
    let mut files_changed = 0;
    render::site::render(
        &theme,
        &maker,
        &frame,
        &catalogue,
        &pages,
        |path, fp| old.current(path, fp),
        |rows| Ok::<_, Error>(store.by_rows(rows)?),
        |page| {
            manifest.add(&page.path, Some(page.fingerprint));
            if let Some(bytes) = page.bytes {
                batched += bytes.len();
                batch.push((page.path, bytes));
                if batch.len() >= 256 || batched > 16 << 20 {
                    files_changed += publish::publish(dir, &batch)?;
                    batch.clear();
                    batched = 0;
                }
            }
            Ok(())
        },
    )?;
    files_changed += publish::publish(dir, &batch)?;
    drop(batch);
    let mut files = outputs.files;
    for (name, _) in &files {
        manifest.add(name, None);
    }
    let names: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
    let sitemap = render::site::sitemap(&view.planet.link, &view, &catalogue, &pages, &names);
    files.push(("sitemap.xml".to_owned(), sitemap));
    manifest.add("sitemap.xml", None);
    files_changed += publish::publish(dir, &files)?
        + publish::retire(dir, &outputs.retired)?
        + manifest.retire_since(&old)?;
    manifest.save(cache)?;
    prune(config, store, &shown, now)?;
    Ok(PublishReport {
        entries: shown.len(),
        files_changed,
        output_dir: dir.clone(),
    })
}

/// Every entry the rules keep, newest first, light (no content, no details): read from the
/// cache one row at a time, so 100,000 entries cost their dates and links, not their text.
fn catalogue(
    config: &Config,
    store: &Store,
    now: DateTime<Utc>,
) -> Result<render::site::Catalogue, Error> {
    use std::hash::{Hash, Hasher};
    let mut rules = filter::Rules::new(config, now);
    let need_text = rules.need_text();
    let mut kept: Vec<(store::Light, Vec<usize>)> = Vec::new();
    for mut light in store.light(need_text)? {
        let text = need_text.then(|| filter::text_of(&light.stored.entry));
        if !rules.admits(&light.stored, text.as_deref()) {
            continue;
        }
        let topics = filter::topics_of(config, &light.stored, text.as_deref());
        light.stored.entry.content = String::new();
        kept.push((light, topics));
    }
    let stored: Vec<&StoredEntry> = kept.iter().map(|(l, _)| &l.stored).collect();
    let keep = select::distinct_refs(&stored);
    let mut feeds: Vec<String> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = Default::default();
    let mut rows = Vec::with_capacity(kept.len());
    for ((light, topics), keep) in kept.into_iter().zip(keep) {
        if !keep {
            continue;
        }
        let s = light.stored;
        let feed = *index.entry(s.feed_url.clone()).or_insert_with(|| {
            feeds.push(s.feed_url.clone());
            feeds.len() - 1
        });
        let e = &s.entry;
        // What the page shows of a date depends on whether it is still in the future.
        let past = |d: DateTime<Utc>| if d > now { s.sort_date } else { d };
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (light.row, light.revision).hash(&mut h);
        (e.published.map(|d| d > now), e.updated.map(|d| d > now)).hash(&mut h);
        rows.push(render::site::Row {
            row: light.row,
            feed,
            sort_date: s.sort_date,
            updated: e.updated.or(e.published).map(past).unwrap_or(s.first_seen),
            stamp: h.finish(),
            topics,
        });
    }
    Ok(render::site::Catalogue { feeds, rows })
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
        tracing::debug!("pruned {pruned} entries older than {days} days");
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
