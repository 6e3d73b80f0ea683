//! Pure: other aggregators' subscription lists, read.
//!
//! Reads OPML 1.0/1.1/2.0 (the `opml` crate; nested outlines are walked, folders are not feeds)
//! and the INI config of Planet 2.0 / Planet Venus (`rust-ini`, a small, maintained INI parser
//! that keeps section order; each `[http://…]` section is a feed with `name`, `face` and the
//! regex filters; the `[Planet]` settings with an equivalent are mapped onto `[planet]` keys).
//! Returns values: the caller decides what is new. (OPML is written by `render::opml`, for
//! `output/opml.xml` and `planet export` alike.)
//! Options with no equivalent here (Venus's `xpath_sifter`, a Python-only regex…) are reported, not
//! silently lost.

use std::path::{Path, PathBuf};

use ini::{Ini, ParseOption};
use opml::{Outline, OPML};

use crate::config::Display;

/// A feed to append to `planet.toml`: the keys worth writing, nothing else.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewFeed {
    /// `url`.
    pub url: String,
    /// `name`, when known.
    pub name: Option<String>,
    /// `link`, when given (OPML `htmlUrl`).
    pub link: Option<String>,
    /// `face`, when given (Venus `face`).
    pub face: Option<String>,
    /// `include` regexes (Venus `filter`, `regexp_sifter.py?require=`).
    pub include: Vec<String>,
    /// `exclude` regexes (Venus `exclude`, `regexp_sifter.py?exclude=`).
    pub exclude: Vec<String>,
    /// `display` (Venus `excerpt.py`).
    pub display: Option<Display>,
}

/// Why a subscription list cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file looks like OPML but is not valid OPML.
    #[error("cannot read `{path}` as OPML")]
    Opml {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: opml::Error,
    },
    /// The file is not a Planet INI config either.
    #[error("cannot read `{path}` as a Planet Venus config")]
    Ini {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: ini::ParseError,
    },
}

/// The feeds of a list, and what in it could not be read.
#[derive(Debug, Default)]
pub struct List {
    /// The feeds, in the file's order.
    pub feeds: Vec<NewFeed>,
    /// One line per entry or option that could not be brought over, and why.
    pub unreadable: Vec<String>,
    /// Planet-wide settings with an equivalent in `[planet]`: (key there, value).
    pub planet: Vec<(&'static str, PlanetValue)>,
}

/// A `[planet]` value brought over from a Venus `[Planet]` section.
#[derive(Debug, Clone, PartialEq)]
pub enum PlanetValue {
    /// A count (`items_per_page`, `new_feed_items`).
    Count(i64),
    /// A string (`owner_email`).
    Text(String),
    /// One more regex for a list (`exclude`).
    Regex(String),
}

/// Venus `[Planet]` keys that only configure Venus itself (its cache, logs, theme and spider),
/// which planet sets differently or not at all: not worth a warning each.
const VENUS_ONLY: &[&str] = &[
    "name",
    "link",
    "owner_name",
    "cache_directory",
    "cache_blacklist_directory",
    "cache_blasklist_directory",
    "output_dir",
    "output_theme",
    "template_files",
    "template_directories",
    "bill_of_materials",
    "log_level",
    "log_format",
    "spider_threads",
    "feed_timeout",
    "test_port",
];

/// Maps a Venus `[Planet]` section onto `[planet]` keys; the rest is reported.
fn venus_planet(props: &ini::Properties, list: &mut List) {
    let mut unknown = Vec::new();
    for (key, v) in props.iter() {
        let (key, v) = (key.trim().to_ascii_lowercase(), v.trim());
        match key.as_str() {
            "items_per_page" | "new_feed_items" => match v.parse::<i64>() {
                Ok(n) if n >= 0 => list.planet.push((
                    if key == "items_per_page" {
                        "items_per_page"
                    } else {
                        "new_feed_items"
                    },
                    PlanetValue::Count(n),
                )),
                _ => unknown.push(format!("`{key} = {v}`")),
            },
            "owner_email" if !v.is_empty() => list
                .planet
                .push(("owner_email", PlanetValue::Text(v.to_owned()))),
            "exclude" if regex::Regex::new(v).is_ok() => list
                .planet
                .push(("exclude", PlanetValue::Regex(v.to_owned()))),
            k if VENUS_ONLY.contains(&k) || v.is_empty() => {}
            k => unknown.push(format!("`{k}`")),
        }
    }
    if !unknown.is_empty() {
        list.unreadable.push(format!(
            "`[Planet]`: no equivalent for {}",
            unknown.join(", ")
        ));
    }
}

/// Reads OPML (anything starting with `<`) or a Planet INI config.
pub fn read(text: &str, path: &Path) -> Result<List, Error> {
    let body = text.trim_start_matches('\u{feff}').trim_start();
    if body.starts_with('<') {
        read_opml(body, path)
    } else {
        read_ini(body, path)
    }
}

fn read_opml(text: &str, path: &Path) -> Result<List, Error> {
    let doc = OPML::from_str(text).map_err(|e| Error::Opml {
        path: path.to_owned(),
        source: e,
    })?;
    let mut list = List::default();
    walk(&doc.body.outlines, &mut list);
    Ok(list)
}

fn walk(outlines: &[Outline], list: &mut List) {
    for o in outlines {
        let label = Some(o.text.trim()).filter(|t| !t.is_empty()).or(o
            .title
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty()));
        match o.xml_url.as_deref().map(str::trim) {
            Some(url) => match checked_url(url) {
                Ok(url) => list.feeds.push(NewFeed {
                    url,
                    name: label.map(str::to_owned),
                    link: o.html_url.as_deref().and_then(|l| checked_url(l).ok()),
                    ..NewFeed::default()
                }),
                Err(why) => list
                    .unreadable
                    .push(format!("outline `{}`: {why}", label.unwrap_or(url))),
            },
            None if o.outlines.is_empty() => list.unreadable.push(format!(
                "outline `{}`: no `xmlUrl`",
                label.unwrap_or("(untitled)")
            )),
            None => {}
        }
        walk(&o.outlines, list);
    }
}

/// Venus keys that need no equivalent: the face's size is the theme's business.
const IGNORED_KEYS: &[&str] = &["facewidth", "faceheight"];

fn read_ini(text: &str, path: &Path) -> Result<List, Error> {
    let opt = ParseOption {
        enabled_quote: false,
        // Regexes are full of backslashes: they are not escapes in Python's ConfigParser.
        enabled_escape: false,
        enabled_indented_mutiline_value: true,
        enabled_preserve_key_leading_whitespace: false,
    };
    let ini = Ini::load_from_str_opt(text, opt).map_err(|e| Error::Ini {
        path: path.to_owned(),
        source: e,
    })?;
    let mut list = List::default();
    for (section, props) in ini.iter() {
        let Some(section) = section.map(str::trim) else {
            continue;
        };
        if section.eq_ignore_ascii_case("planet") {
            venus_planet(props, &mut list);
            continue;
        }
        if section.eq_ignore_ascii_case("default") {
            continue;
        }
        let url = match checked_url(section) {
            Ok(u) => u,
            Err(why) => {
                // Venus also keeps theme settings in sections named after template files.
                if !section.contains(".tmpl") {
                    list.unreadable
                        .push(format!("section `[{section}]`: {why}"));
                }
                continue;
            }
        };
        let mut feed = NewFeed {
            url,
            ..NewFeed::default()
        };
        for (key, v) in props.iter() {
            let v = v.trim();
            match key.trim().to_ascii_lowercase().as_str() {
                "name" => feed.name = Some(v.to_owned()).filter(|v| !v.is_empty()),
                "face" => feed.face = Some(v.to_owned()).filter(|v| !v.is_empty()),
                "filter" => feed.include.push(v.to_owned()),
                "exclude" => feed.exclude.push(v.to_owned()),
                "filters" => {
                    for f in v.split_whitespace() {
                        if let Err(why) = venus_filter(f, &mut feed) {
                            list.unreadable.push(format!("`[{section}]`: {why}"));
                        }
                    }
                }
                k if IGNORED_KEYS.contains(&k) => {}
                k => list
                    .unreadable
                    .push(format!("`[{section}]`: option `{k}` has no equivalent")),
            }
        }
        let bad = feed
            .include
            .iter()
            .chain(&feed.exclude)
            .find_map(|p| regex::Regex::new(p).err().map(|_| p.clone()));
        match bad {
            Some(p) => list.unreadable.push(format!(
                "`[{section}]`: the regex `{p}` is not valid here (Rust regex syntax)"
            )),
            None => list.feeds.push(feed),
        }
    }
    Ok(list)
}

/// Maps one of Venus's filter plugins onto per-feed options.
fn venus_filter(f: &str, feed: &mut NewFeed) -> Result<(), String> {
    let (name, args) = f.split_once('?').unwrap_or((f, ""));
    match name {
        "excerpt.py" => feed.display = Some(Display::Excerpt),
        "regexp_sifter.py" => {
            for pair in args.split('&') {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                let v = percent_decode(v);
                match k {
                    "require" => feed.include.push(v),
                    "exclude" => feed.exclude.push(v),
                    _ => return Err(format!("filter `{f}`: unknown argument `{k}`")),
                }
            }
        }
        _ => return Err(format!("filter `{f}` has no equivalent")),
    }
    Ok(())
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("v={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

fn checked_url(s: &str) -> Result<String, String> {
    match url::Url::parse(s) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(u.to_string()),
        Ok(_) | Err(_) => Err(format!("`{s}` is not an http(s) URL")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nested_opml_1_and_2() {
        let text = r#"<?xml version="1.0"?>
<!-- a comment -->
<opml version="1.0"><head><title>t</title></head><body>
  <outline text="Group">
    <outline text="A" type="rss" xmlUrl="https://a.test/feed" htmlUrl="https://a.test/" x-other="1"/>
    <outline title="B only title" xmlUrl="http://b.test/rss"/>
  </outline>
  <outline text="bad" xmlUrl="ftp://c.test/"/>
  <outline text="no url"/>
</body></opml>"#;
        let list = read(text, Path::new("x.opml")).unwrap();
        let urls: Vec<_> = list.feeds.iter().map(|f| f.url.as_str()).collect();
        assert_eq!(urls, ["https://a.test/feed", "http://b.test/rss"]);
        assert_eq!(list.feeds[0].name.as_deref(), Some("A"));
        assert_eq!(list.feeds[0].link.as_deref(), Some("https://a.test/"));
        assert_eq!(list.feeds[1].name.as_deref(), Some("B only title"));
        assert_eq!(list.unreadable.len(), 2, "{:?}", list.unreadable);
    }

    #[test]
    fn reads_venus_ini_with_faces_and_filters() {
        let text = "[Planet]\nname = Planet X\nnew_feed_items = 5\nexclude = (?i)spam\nactivity_threshold = 90\n\n[DEFAULT]\nfacewidth = 64\n\n[https://a.test/feed]\nname = Alice\nface = alice.png\nfilters = excerpt.py regexp_sifter.py?require=rust%7Cgo\nexclude = (?i)politics\n\n[tests/data/feed.atom]\nname = local\n\n[https://b.test/rss]\nname = Bob\nfilter = (?<=x)y\n";
        let list = read(text, Path::new("config.ini")).unwrap();
        assert_eq!(list.feeds.len(), 1, "{:?}", list.unreadable);
        let a = &list.feeds[0];
        assert_eq!(a.name.as_deref(), Some("Alice"));
        assert_eq!(a.face.as_deref(), Some("alice.png"));
        assert_eq!(a.display, Some(Display::Excerpt));
        assert_eq!(a.include, ["rust|go"]);
        assert_eq!(a.exclude, ["(?i)politics"]);
        assert_eq!(list.unreadable.len(), 3, "{:?}", list.unreadable);
        assert!(
            list.unreadable[0].contains("`activity_threshold`"),
            "{:?}",
            list.unreadable
        );
        assert_eq!(
            list.planet,
            [
                ("new_feed_items", PlanetValue::Count(5)),
                ("exclude", PlanetValue::Regex("(?i)spam".into()))
            ]
        );
    }
}
