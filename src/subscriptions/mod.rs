//! Subscriptions: `add`, `remove` and `import` edit `planet.toml` in place.
//!
//! [`find`] finds the feed behind a URL for `add` (a blog's home page leads to its feed,
//! [`discover`] says where to look); [`import`] reads other aggregators' lists.
//!
//! The file is edited with `toml_edit`, so the operator's comments, order and formatting stay as
//! they were; a new feed is appended as a `[[feeds]]` table at the end. Every edit is checked by
//! parsing the result as a config before it is written (atomically: a temporary file renamed
//! into place), so a command can never leave a broken `planet.toml`. `add` reaches the network
//! through the run's [`fetch::Client`] to prove that a URL is a feed, or to discover the feed of
//! a blog's home page ([`crate::discover`]). This module does not touch the cache's entries.

use std::path::{Path, PathBuf};

use toml_edit::{value, Array, ArrayOfTables, DocumentMut, Item, Table};

pub mod discover;
pub mod find;
pub mod import;

pub use import::NewFeed;

use crate::config::{self, Display};
use crate::fetch;
use crate::links::canonical_link;

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
    #[error("no feed with URL or name `{0}` in the config")]
    NotSubscribed(String),
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
    /// The URL is neither a feed nor a page that leads to one.
    #[error("`{url}` is not a feed, and no feed was found on it (tried {tried} candidates)")]
    NoFeed {
        /// The URL.
        url: String,
        /// How many candidate feed URLs were tried.
        tried: usize,
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
}

/// `planet.toml` open for editing.
pub struct Subscriptions {
    path: PathBuf,
    doc: DocumentMut,
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

    /// Appends a `[[feeds]]` table at the end of the file.
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
        if comment.trim().is_empty() {
            t.decor_mut().set_prefix("\n");
        } else {
            t.decor_mut().set_prefix(format!("{comment}\n\n"));
        }
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
    /// operator's value wins); an `exclude` regex is added to the list. Returns what was done.
    pub fn set_planet(&mut self, key: &str, v: import::PlanetValue) -> Option<String> {
        let planet = self.doc.get_mut("planet")?.as_table_mut()?;
        let done = match v {
            import::PlanetValue::Regex(re) => {
                let list = planet
                    .entry(key)
                    .or_insert(value(Array::new()))
                    .as_array_mut()?;
                if list.iter().any(|x| x.as_str() == Some(re.as_str())) {
                    return None;
                }
                list.push(re.as_str());
                format!("{key} += [{:?}]", re)
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

    /// Removes the subscription with this URL, else the one with this name; returns its URL.
    pub fn remove(&mut self, url_or_name: &str) -> Result<String, Error> {
        let feeds = self.feeds();
        let wanted = canonical_link(url_or_name);
        let by_url: Vec<usize> = (0..feeds.len())
            .filter(|&i| wanted.is_some() && canonical_link(&feeds[i].0) == wanted)
            .collect();
        let matches = if by_url.is_empty() {
            (0..feeds.len())
                .filter(|&i| feeds[i].1.as_deref().map(str::trim) == Some(url_or_name.trim()))
                .collect()
        } else {
            by_url
        };
        let i = match matches[..] {
            [] => return Err(Error::NotSubscribed(url_or_name.to_owned())),
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
            aot.remove(i);
        }
        Ok(feeds[i].0.clone())
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
}

/// Imports an OPML file or a Planet Venus / Planet 2.0 `config.ini` into `planet.toml`.
pub fn import(config_path: &Path, file: &Path) -> Result<ImportReport, Error> {
    let text = std::fs::read_to_string(file).map_err(|e| Error::Io {
        action: "read",
        path: file.to_owned(),
        source: e,
    })?;
    let list = import::read(&text, file)?;
    let mut subs = Subscriptions::open(config_path)?;
    let mut report = ImportReport {
        unreadable: list.unreadable,
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
        assert_eq!(s.remove("Alpha").unwrap(), "https://a.test/feed");
        assert_eq!(
            s.remove("http://b.test/feed/").unwrap(),
            "https://b.test/feed"
        );
        assert!(matches!(s.remove("Nope"), Err(Error::NotSubscribed(_))));
        let text = s.doc.to_string();
        assert!(
            text.contains("# my planet") && text.contains("# the name"),
            "{text}"
        );
        assert!(!text.contains("a.test"), "{text}");
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
