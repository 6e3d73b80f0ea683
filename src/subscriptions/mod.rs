//! Subscriptions: `add`, `remove` and `import` edit `planet.toml` in place.
//!
//! [`find`] finds the feed behind a URL for `add` (a blog's home page leads to its feed,
//! [`discover`] says where to look); [`import`](mod@import) reads other aggregators' lists.
//!
//! The file is edited with `toml_edit`, so the operator's comments, order and formatting stay as
//! they were; a new feed is appended as a `[[feeds]]` table at the end. Every edit is checked by
//! parsing the result as a config before it is written (atomically: a temporary file renamed
//! into place), so a command can never leave a broken `planet.toml`. `add` reaches the network
//! through the run's [`fetch::Client`] to prove that a URL is a feed, or to discover the feed of
//! a blog's home page ([`discover`]). This module does not touch the cache's entries.

use std::path::{Path, PathBuf};

use toml_edit::{value, Array, ArrayOfTables, DocumentMut, Item, Table};

pub mod discover;
pub mod find;
pub mod import;

pub use import::NewFeed;

use crate::config::{self, Display};
use crate::links::canonical_link;
use crate::{fetch, starter};

/// Why a subscription command failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `planet.toml` could not be read or written.
    #[error("cannot {action} `{path}`")]
    Io {
        /// `read` or `write`.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// `planet.toml` is not TOML.
    #[error("cannot edit `{path}`")]
    Toml {
        /// The file.
        path: PathBuf,
        /// toml_edit's message, with the line.
        #[source]
        source: toml_edit::TomlError,
    },
    /// `planet.toml` is invalid before or after the edit.
    #[error(transparent)]
    Config(#[from] config::Error),
    /// The URL given is not an http(s) URL.
    #[error("`{0}` is not an http(s) URL")]
    BadUrl(String),
    /// The feed is already subscribed.
    #[error("`{url}` is already subscribed as `{existing}`{line}")]
    Duplicate {
        /// The URL asked for.
        url: String,
        /// The entry it duplicates (its URL in `planet.toml`).
        existing: String,
        /// ` (line N)` when known.
        line: String,
    },
    /// No feed matches what `remove` was given.
    #[error("no feed with URL or name `{given}` in the config{}", suggestion.as_ref().map(|s| format!(": did you mean `{s}`?")).unwrap_or_default())]
    NotSubscribed {
        /// What was given.
        given: String,
        /// The closest name, when one is close.
        suggestion: Option<String>,
    },
    /// Several feeds share the name `remove` was given.
    #[error("{count} feeds are named `{name}`: remove one by its URL")]
    Ambiguous {
        /// The name.
        name: String,
        /// How many feeds carry it.
        count: usize,
    },
    /// The URL could not be fetched.
    #[error("cannot fetch `{url}`")]
    Fetch {
        /// The URL.
        url: String,
        /// Why.
        #[source]
        source: fetch::Error,
    },
    /// A URL typed without a scheme could be fetched neither over https nor over http.
    #[error("cannot fetch `{input}` over https ({https}) nor over http")]
    NoScheme {
        /// What was typed.
        input: String,
        /// Why https failed.
        https: String,
        /// Why http failed.
        #[source]
        source: Box<Error>,
    },
    /// The URL is neither a feed nor a page that leads to one.
    #[error("`{url}` is not a feed, and no feed was found on it; tried {}:{}", tried.len(), tried.iter().map(|(u, why)| format!("\n  `{u}`: {why}")).collect::<String>())]
    NoFeed {
        /// The URL.
        url: String,
        /// Every candidate feed URL tried, and why it was not the feed.
        tried: Vec<(String, String)>,
    },
    /// `feeds` is written in a form this tool does not edit (an inline array of tables).
    #[error("`feeds` in `{path}` is not written as `[[feeds]]` tables: cannot append to it")]
    Layout {
        /// The file.
        path: PathBuf,
    },
    /// The file to import is neither OPML nor a Planet Venus config.
    #[error(transparent)]
    Import(#[from] import::Error),
    /// `planet.toml` could not be made for the import.
    #[error(transparent)]
    Init(#[from] starter::Error),
    /// The cache, where `add` looks for feeds that moved, cannot be read.
    #[error(transparent)]
    Store(#[from] crate::store::Error),
    /// The HTTP client `add` fetches with cannot be built.
    #[error(transparent)]
    Client(#[from] fetch::Error),
    /// The async runtime `add` fetches on cannot start.
    #[error("cannot start the async runtime")]
    Runtime(#[source] std::io::Error),
}

/// `planet.toml` open for editing.
pub struct Subscriptions {
    path: PathBuf,
    doc: DocumentMut,
    /// The group of the last feed appended, so a group's heading is written once.
    group: Option<String>,
}

impl Subscriptions {
    /// Reads `planet.toml` for editing.
    pub fn open(path: &Path) -> Result<Subscriptions, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
            action: "read",
            path: path.to_owned(),
            source: e,
        })?;
        let doc = text.parse::<DocumentMut>().map_err(|e| Error::Toml {
            path: path.to_owned(),
            source: e,
        })?;
        Ok(Subscriptions {
            path: path.to_owned(),
            doc,
            group: None,
        })
    }

    /// The subscribed URLs and names, in file order.
    pub fn feeds(&self) -> Vec<(String, Option<String>)> {
        self.tables()
            .map(|aot| {
                aot.iter()
                    .map(|t| {
                        let s = |k: &str| t.get(k).and_then(Item::as_str).map(str::to_owned);
                        (s("url").unwrap_or_default(), s("name"))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The entry `url` duplicates, when any: the same canonical URL (scheme, `www.` and a
    /// trailing slash aside) as a subscription, or as where one of them was last redirected to.
    /// `redirects` holds (subscription URL, final URL) pairs the cache knows.
    pub fn duplicate_of(&self, urls: &[&str], redirects: &[(String, String)]) -> Option<String> {
        let wanted: Vec<String> = urls.iter().filter_map(|u| canonical_link(u)).collect();
        let same = |u: &str| canonical_link(u).is_some_and(|c| wanted.contains(&c));
        self.feeds().into_iter().map(|(u, _)| u).find(|existing| {
            same(existing)
                || redirects
                    .iter()
                    .any(|(from, to)| from == existing && same(to))
        })
    }

    /// Refuses a feed already subscribed (see [`Subscriptions::duplicate_of`]), naming the entry.
    pub fn refuse_duplicate(
        &self,
        urls: &[&str],
        redirects: &[(String, String)],
    ) -> Result<(), Error> {
        match self.duplicate_of(urls, redirects) {
            Some(existing) => Err(Error::Duplicate {
                url: urls.first().copied().unwrap_or_default().to_owned(),
                line: self.line_of(&existing),
                existing,
            }),
            None => Ok(()),
        }
    }

    /// The ` (line N)` of a subscription in the file as read, for messages.
    pub fn line_of(&self, url: &str) -> String {
        let text = self.doc.to_string();
        config::line_of(&text, &format!("\"{url}\""))
            .or_else(|| config::line_of(&text, url))
            .map(|l| format!(" (line {l})"))
            .unwrap_or_default()
    }

    /// Appends a `[[feeds]]` table at the end of the file, under a `# --- GROUP` heading when
    /// it starts a group.
    pub fn append(&mut self, feed: &NewFeed) -> Result<(), Error> {
        let mut t = Table::new();
        t.insert("url", value(feed.url.as_str()));
        if let Some(n) = &feed.name {
            t.insert("name", value(n.as_str()));
        }
        if let Some(l) = &feed.link {
            t.insert("link", value(l.as_str()));
        }
        if let Some(f) = &feed.face {
            t.insert("face", value(f.as_str()));
        }
        for (key, list) in [("include", &feed.include), ("exclude", &feed.exclude)] {
            if !list.is_empty() {
                t.insert(key, value(list.iter().collect::<Array>()));
            }
        }
        if let Some(d) = feed.display.filter(|d| *d != Display::Full) {
            t.insert("display", value(d.as_str()));
        }
        // A comment at the very end of the file stays above the new table, not below it.
        let trailing = self.doc.trailing().as_str().unwrap_or_default().to_owned();
        self.doc.set_trailing("");
        let comment = trailing.trim_end();
        let mut prefix = if comment.trim().is_empty() {
            "\n".to_owned()
        } else {
            format!("{comment}\n\n")
        };
        if feed.group.is_some() && feed.group != self.group {
            let group = feed.group.as_deref().unwrap_or_default();
            let one_line: String = group.split_whitespace().collect::<Vec<_>>().join(" ");
            prefix.push_str(&format!("# --- {one_line}\n"));
        }
        self.group = feed.group.clone();
        t.decor_mut().set_prefix(prefix);
        let feeds = self
            .doc
            .entry("feeds")
            .or_insert(Item::ArrayOfTables(ArrayOfTables::new()));
        // `feeds = []` written inline is a list too: an empty one becomes `[[feeds]]` tables.
        if feeds.as_array().is_some_and(|a| a.is_empty()) {
            *feeds = Item::ArrayOfTables(ArrayOfTables::new());
        }
        match feeds.as_array_of_tables_mut() {
            Some(aot) => {
                aot.push(t);
                Ok(())
            }
            None => Err(Error::Layout {
                path: self.path.clone(),
            }),
        }
    }

    /// Sets a `[planet]` key from an imported config, unless `planet.toml` already sets it (the
    /// operator's value wins); an `exclude` regex or a hub is added to its list. Returns what
    /// was done.
    pub fn set_planet(&mut self, key: &str, v: import::PlanetValue) -> Option<String> {
        let planet = self.doc.get_mut("planet")?.as_table_mut()?;
        let done = match v {
            import::PlanetValue::Regex(item) | import::PlanetValue::Url(item) => {
                let list = planet
                    .entry(key)
                    .or_insert(value(Array::new()))
                    .as_array_mut()?;
                if list.iter().any(|x| x.as_str() == Some(item.as_str())) {
                    return None;
                }
                list.push(item.as_str());
                format!("{key} += [{item:?}]")
            }
            _ if planet.contains_key(key) => return None,
            import::PlanetValue::Count(n) => {
                planet.insert(key, value(n));
                format!("{key} = {n}")
            }
            import::PlanetValue::Text(t) => {
                planet.insert(key, value(t.as_str()));
                format!("{key} = {t:?}")
            }
        };
        Some(done)
    }

    /// Removes the subscription with this URL, else the one shown under this name: its
    /// `name`, else (for a feed without one) its own title, which `titles` gives as
    /// (subscription URL, title) from the cache. The same case is tried first, then any
    /// case. Returns its URL. When nothing matches, the error suggests the closest name.
    ///
    /// The comments above the feed's table that are its own go with it; the rest stay (see
    /// [`kept_comments`]): a group heading belongs to the feeds after it.
    pub fn remove(
        &mut self,
        url_or_name: &str,
        titles: &[(String, String)],
    ) -> Result<String, Error> {
        let feeds = self.feeds();
        // The name each feed is shown under, when known.
        let shown: Vec<Option<&str>> = feeds
            .iter()
            .map(|(url, name)| {
                name.as_deref().or_else(|| {
                    titles
                        .iter()
                        .find(|(u, _)| u == url)
                        .map(|(_, title)| title.as_str())
                })
            })
            .map(|n| n.map(str::trim).filter(|n| !n.is_empty()))
            .collect();
        let wanted = canonical_link(url_or_name);
        let given = url_or_name.trim();
        let rules: [&dyn Fn(usize) -> bool; 3] = [
            &|i| wanted.is_some() && canonical_link(&feeds[i].0) == wanted,
            &|i| shown[i] == Some(given),
            &|i| shown[i].map(str::to_lowercase) == Some(given.to_lowercase()),
        ];
        let matches: Vec<usize> = rules
            .iter()
            .map(|rule| (0..feeds.len()).filter(|&i| rule(i)).collect::<Vec<_>>())
            .find(|m| !m.is_empty())
            .unwrap_or_default();
        let i = match matches[..] {
            [] => {
                let known: Vec<&str> = shown.iter().flatten().copied().collect();
                return Err(Error::NotSubscribed {
                    given: url_or_name.to_owned(),
                    suggestion: config::closest(given, &known).map(str::to_owned),
                });
            }
            [i] => i,
            _ => {
                return Err(Error::Ambiguous {
                    name: url_or_name.to_owned(),
                    count: matches.len(),
                })
            }
        };
        if let Some(aot) = self
            .doc
            .get_mut("feeds")
            .and_then(Item::as_array_of_tables_mut)
        {
            let prefix = |t: &Table| {
                let p = t.decor().prefix().and_then(|p| p.as_str());
                p.unwrap_or_default().to_owned()
            };
            let own = aot.get(i).map(prefix).unwrap_or_default();
            let next = aot.get(i + 1).map(prefix);
            // The group goes on past this feed when the next one has no comment of its own.
            let continues = next.as_deref().is_some_and(|n| !has_comment(n));
            let kept = kept_comments(&own, continues);
            aot.remove(i);
            match (aot.get_mut(i), next) {
                (Some(t), Some(next)) => {
                    t.decor_mut().set_prefix(join_comments(&kept, &next));
                }
                _ if has_comment(&kept) => {
                    let trailing = self.doc.trailing().as_str().unwrap_or_default().to_owned();
                    self.doc
                        .set_trailing(format!("{}{trailing}", without_blank_tail(&kept)));
                }
                _ => {}
            }
        }
        Ok(feeds[i].0.clone())
    }

    /// Changes the `url` of the subscription written `from` to `to`, keeping the comment on
    /// its line; `NotSubscribed` when no feed has that URL.
    pub fn set_url(&mut self, from: &str, to: &str) -> Result<(), Error> {
        let not_there = || Error::NotSubscribed {
            given: from.to_owned(),
            suggestion: None,
        };
        let aot = self
            .doc
            .get_mut("feeds")
            .and_then(Item::as_array_of_tables_mut)
            .ok_or_else(not_there)?;
        let url = aot
            .iter_mut()
            .filter_map(|t| t.get_mut("url").and_then(Item::as_value_mut))
            .find(|v| v.as_str() == Some(from))
            .ok_or_else(not_there)?;
        let decor = url.decor().clone();
        *url = toml_edit::Value::from(to);
        *url.decor_mut() = decor;
        Ok(())
    }

    /// Checks the edited text as a config, then writes it atomically.
    pub fn save(&self) -> Result<(), Error> {
        let text = self.doc.to_string();
        config::parse(&text, &self.path)?;
        let io = |e| Error::Io {
            action: "write",
            path: self.path.clone(),
            source: e,
        };
        let mut tmp = self.path.clone().into_os_string();
        tmp.push(".planet-tmp");
        std::fs::write(&tmp, text).map_err(io)?;
        std::fs::rename(&tmp, &self.path).map_err(io)
    }

    fn tables(&self) -> Option<&ArrayOfTables> {
        self.doc.get("feeds").and_then(Item::as_array_of_tables)
    }
}

fn has_comment(text: &str) -> bool {
    text.lines().any(|l| l.trim_start().starts_with('#'))
}

/// Whether a comment line heads a group: `# --- Cloud`, `## Cloud`, `# === Cloud ===`.
fn is_heading(line: &str) -> bool {
    let line = line.trim_start();
    let text = line.trim_start_matches('#').trim_start();
    line.starts_with("##")
        || ["--", "==", "**", "~~", "__"]
            .iter()
            .any(|rule| text.starts_with(rule))
}

/// `text` without its blank lines at the end, ending in one line break.
fn without_blank_tail(text: &str) -> String {
    format!("{}\n", text.trim_end())
}

/// What stays of the comments above a feed's table (`prefix`, toml_edit's decor of its
/// header) when the feed is removed. The paragraph right above the table (no blank line
/// between) is the feed's own and goes, except its heading lines, or all of it when the group
/// goes on past this feed (`continues`: the next feed has no comment of its own, so the
/// paragraph heads several feeds). Paragraphs further up, apart from the table by a blank
/// line, head a group or the file and stay.
pub fn kept_comments(prefix: &str, continues: bool) -> String {
    let lines: Vec<&str> = prefix.split_inclusive('\n').collect();
    let own = lines
        .iter()
        .rev()
        .take_while(|l| l.trim_start().starts_with('#'))
        .count();
    let (above, adjacent) = lines.split_at(lines.len() - own);
    let mut kept: String = above.concat();
    for line in adjacent {
        if continues || is_heading(line) {
            kept.push_str(line);
        }
    }
    kept
}

/// The comments kept from a removed feed, put above the next feed's own (its `prefix`): right
/// above them when they were right above the removed feed, else a blank line apart.
pub fn join_comments(kept: &str, next: &str) -> String {
    if !has_comment(kept) {
        return next.to_owned();
    }
    let next: String = next
        .split_inclusive('\n')
        .skip_while(|l| l.trim().is_empty())
        .collect();
    let adjacent = kept
        .split_inclusive('\n')
        .next_back()
        .is_some_and(|l| l.trim_start().starts_with('#'));
    if adjacent {
        format!("{kept}{next}")
    } else {
        format!("{}\n{next}", without_blank_tail(kept))
    }
}

/// What `import` did, for its report.
#[derive(Debug, Default)]
pub struct ImportReport {
    /// URLs added.
    pub added: Vec<String>,
    /// (URL, why) of feeds left out because they are already subscribed.
    pub skipped: Vec<(String, String)>,
    /// What could not be read, and why.
    pub unreadable: Vec<String>,
    /// `[planet]` settings brought over (e.g. `new_feed_items = 5`).
    pub settings: Vec<String>,
    /// The other aggregator's own settings, which planet has no use for.
    pub left_out: Vec<String>,
    /// When there was no `planet.toml`, the one written (as `planet init` does), with the
    /// required keys still holding a placeholder.
    pub created: Option<Vec<&'static str>>,
}

/// Imports an OPML file or a Planet Venus / Planet 2.0 `config.ini` into `planet.toml`; with
/// no `planet.toml` yet, writes one first, as `planet init` does, with the name, link and
/// owner the list gives.
pub fn import(config_path: &Path, file: &Path) -> Result<ImportReport, Error> {
    let text = std::fs::read_to_string(file).map_err(|e| Error::Io {
        action: "read",
        path: file.to_owned(),
        source: e,
    })?;
    let list = import::read(&text, file)?;
    let created = match starter::write(config_path, &list.fill) {
        Ok(()) => Some(list.fill.placeholders()),
        Err(starter::Error::Exists { .. }) => None,
        Err(e) => return Err(e.into()),
    };
    let mut subs = Subscriptions::open(config_path)?;
    let mut report = ImportReport {
        unreadable: list.unreadable,
        left_out: list.left_out,
        created,
        ..ImportReport::default()
    };
    for (key, v) in list.planet {
        if let Some(done) = subs.set_planet(key, v) {
            report.settings.push(done);
        }
    }
    for feed in list.feeds {
        if let Some(existing) = subs.duplicate_of(&[&feed.url], &[]) {
            let why = if report.added.contains(&existing) {
                format!("listed twice in `{}`", file.display())
            } else {
                format!("already subscribed as `{existing}`")
            };
            report.skipped.push((feed.url, why));
            continue;
        }
        report.added.push(feed.url.clone());
        subs.append(&feed)?;
    }
    if !report.added.is_empty() || !report.settings.is_empty() {
        subs.save()?;
    }
    Ok(report)
}

/// What [`add`] wrote.
#[derive(Debug)]
pub struct Added {
    /// The feed's URL, as written in `planet.toml`.
    pub url: String,
    /// The name written with it.
    pub name: Option<String>,
    /// The page the feed was found on, when the URL given was not the feed.
    pub via_page: Option<String>,
    /// Why https failed, when no scheme was given and http was used.
    pub https_failed: Option<String>,
}

/// `planet add`: subscribes to the feed behind `input` (a feed, a blog's page, or a host and
/// path without a scheme), named `name` or else by its own title. A feed already subscribed is
/// refused before anything is fetched, and again by where the fetch led (the cache knows where
/// subscribed feeds moved); a feed that moved for good is written where it went, or the next
/// run would ask the operator to change the line just written.
pub fn add(config_path: &Path, input: &str, name: Option<&str>) -> Result<Added, Error> {
    let config = config::load(config_path)?;
    let mut subs = Subscriptions::open(config_path)?;
    let urls = find::urls(input)?;
    let redirects = known_redirects(&config)?;
    let given: Vec<&str> = urls.iter().map(url::Url::as_str).collect();
    subs.refuse_duplicate(&given, &redirects)?;
    let client = fetch::Client::new(&config.planet)?;
    let runtime = fetch::runtime().map_err(Error::Runtime)?;
    let found = runtime.block_on(find::find_feed(&client, &urls))?;
    subs.refuse_duplicate(&[found.url.as_str(), found.final_url.as_str()], &redirects)?;
    let url = found.moved_to.unwrap_or(found.url).to_string();
    let name = name
        .map(str::to_owned)
        .or_else(|| Some(found.title.trim().to_owned()).filter(|t| !t.is_empty()));
    subs.append(&NewFeed {
        url: url.clone(),
        name: name.clone(),
        ..NewFeed::default()
    })?;
    subs.save()?;
    Ok(Added {
        url,
        name,
        via_page: found.via_page.map(|u| u.to_string()),
        https_failed: found.https_failed,
    })
}

/// (subscription, final URL) of the feeds the cache knows moved; none without a cache.
fn known_redirects(config: &config::Config) -> Result<Vec<(String, String)>, crate::store::Error> {
    if !config
        .planet
        .cache_dir
        .join(crate::store::FILE_NAME)
        .exists()
    {
        return Ok(Vec::new());
    }
    let store = crate::store::Store::open(&config.planet.cache_dir)?;
    Ok(store
        .sources()?
        .into_iter()
        .filter_map(|s| Some((s.url.clone(), s.final_url.filter(|f| *f != s.url)?)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# my planet\n[planet]\nname = \"P\" # the name\nlink = \"https://p.test/\"\nowner_name = \"O\"\n\n# first blog\n[[feeds]]\nurl = \"https://a.test/feed\"\nname = \"Alpha\"\n\n[[feeds]]\nurl = \"https://b.test/feed\"   # keep this\n";

    fn subs() -> (tempfile::TempDir, Subscriptions) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("planet.toml");
        std::fs::write(&path, TEXT).unwrap();
        let s = Subscriptions::open(&path).unwrap();
        (dir, s)
    }

    #[test]
    fn append_keeps_comments_and_order() {
        let (_d, mut s) = subs();
        s.append(&NewFeed {
            url: "https://c.test/atom.xml".into(),
            name: Some("Gamma \"quoted\"".into()),
            ..NewFeed::default()
        })
        .unwrap();
        s.save().unwrap();
        let text = std::fs::read_to_string(&s.path).unwrap();
        assert!(
            text.starts_with(TEXT),
            "the old text is kept byte for byte:\n{text}"
        );
        assert!(
            text.ends_with(
                "\n[[feeds]]\nurl = \"https://c.test/atom.xml\"\nname = 'Gamma \"quoted\"'\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn remove_by_name_or_url_keeps_the_rest() {
        let (_d, mut s) = subs();
        assert_eq!(s.remove("Alpha", &[]).unwrap(), "https://a.test/feed");
        assert_eq!(
            s.remove("http://b.test/feed/", &[]).unwrap(),
            "https://b.test/feed"
        );
        assert!(matches!(
            s.remove("Nope", &[]),
            Err(Error::NotSubscribed { .. })
        ));
        let text = s.doc.to_string();
        assert!(
            text.contains("# my planet") && text.contains("# the name"),
            "{text}"
        );
        assert!(!text.contains("a.test"), "{text}");
    }

    #[test]
    fn remove_keeps_the_comments_that_are_not_the_feeds_own() {
        let feed = |x: &str| format!("[[feeds]]\nurl = \"https://{x}.test/\"\n");
        let (a, b, c) = (feed("a"), feed("b"), feed("c"));
        let cases = [
            (
                "a group heading right above the group's first feed stays above the next",
                format!("\n# --- Kubernetes\n{a}\n{b}"),
                "a",
                format!("\n# --- Kubernetes\n{b}"),
            ),
            (
                "a comment right above a feed, the next one commented too, goes with it",
                format!("\n# alpha, weekly\n{a}\n# beta\n{b}"),
                "a",
                format!("\n# beta\n{b}"),
            ),
            (
                "a comment right above several feeds heads them and stays",
                format!("\n# the cloud ones\n{a}\n{b}\n# gamma\n{c}"),
                "a",
                format!("\n# the cloud ones\n{b}\n# gamma\n{c}"),
            ),
            (
                "of a heading and the feed's own line, the heading stays",
                format!("\n# --- Group\n# alpha\n{a}\n# beta\n{b}"),
                "a",
                format!("\n# --- Group\n# beta\n{b}"),
            ),
            (
                "a heading apart by a blank line stays, a blank line apart",
                format!("\n# Group\n\n# alpha\n{a}\n# beta\n{b}"),
                "a",
                format!("\n# Group\n\n# beta\n{b}"),
            ),
            (
                "the next group's heading stays the next feed's",
                format!("\n# --- One\n{a}\n{b}\n# --- Two\n{c}"),
                "b",
                format!("\n# --- One\n{a}\n# --- Two\n{c}"),
            ),
            (
                "the last feed's heading stays at the end of the file",
                format!("\n{a}\n# --- Two\n{c}"),
                "c",
                format!("\n{a}\n# --- Two\n"),
            ),
            (
                "the last feed's own comment goes",
                format!("\n{a}\n# gamma\n{c}"),
                "c",
                format!("\n{a}"),
            ),
        ];
        for (name, feeds, gone, want) in cases {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("planet.toml");
            std::fs::write(&path, format!("[planet]\nname = \"P\"\n{feeds}")).unwrap();
            let mut s = Subscriptions::open(&path).unwrap();
            s.remove(&format!("https://{gone}.test/"), &[]).unwrap();
            assert_eq!(
                s.doc.to_string(),
                format!("[planet]\nname = \"P\"\n{want}"),
                "{name}"
            );
        }
    }

    #[test]
    fn remove_matches_names_in_any_case_and_suggests_the_closest() {
        let (_d, mut s) = subs();
        let titles = [("https://b.test/feed".to_owned(), "Beta Blog".to_owned())];
        let err = s.remove("Betta blog", &titles).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no feed with URL or name `Betta blog` in the config: did you mean `Beta Blog`?"
        );
        let err = s.remove("zzz", &titles).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no feed with URL or name `zzz` in the config"
        );
        assert_eq!(
            s.remove("beta BLOG", &titles).unwrap(),
            "https://b.test/feed"
        );
        assert_eq!(s.remove("ALPHA", &[]).unwrap(), "https://a.test/feed");
    }

    #[test]
    fn duplicates_are_found_through_scheme_and_redirects() {
        let (_d, s) = subs();
        assert_eq!(
            s.duplicate_of(&["http://www.a.test/feed/"], &[]).as_deref(),
            Some("https://a.test/feed")
        );
        let redirects = [(
            "https://b.test/feed".to_owned(),
            "https://new.test/feed".to_owned(),
        )];
        assert_eq!(
            s.duplicate_of(&["https://new.test/feed"], &redirects)
                .as_deref(),
            Some("https://b.test/feed")
        );
        assert_eq!(s.duplicate_of(&["https://c.test/feed"], &redirects), None);
    }
}
