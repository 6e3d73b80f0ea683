//! Pure: other aggregators' subscription lists, read.
//!
//! Reads OPML 1.0/1.1/2.0 (the `opml` crate; nested outlines are walked, and a folder's name
//! is kept as its feeds' group) and the INI config of Planet 2.0 / Planet Venus (`rust-ini`, a
//! small, maintained INI parser that keeps section order; each `[http://…]` section is a feed
//! with `name`, `face` and the regex filters; the `[Planet]` settings with an equivalent are
//! mapped onto `[planet]` keys). Returns values: the caller decides what is new. (OPML is
//! written by `render::opml`, for `output/opml.xml` and `planet export` alike.)
//! Every option is mapped or reported, never silently lost: one with no equivalent (Venus's
//! `xpath_sifter`…) is `unreadable`; a regex Rust's `regex` cannot compile (look-around,
//! back-references) is reported and left out, and its feed added without it; Venus's own
//! settings (its cache, logs, theme) are listed as `left_out`.

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
    /// The OPML folder it was in (`Parent / Child` when nested): written as a heading comment
    /// above the group's first feed.
    pub group: Option<String>,
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
    /// The required `[planet]` keys the list gives (Venus's `name`, `link`, `owner_name`;
    /// OPML's `title` and `ownerName`), for a `planet.toml` made by the import.
    pub fill: crate::starter::Fill,
    /// Settings of the other aggregator's own, which planet has no use for, as one line each.
    pub left_out: Vec<String>,
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
    /// One more URL for a list (`hubs`).
    Url(String),
}

/// Venus `[Planet]` keys that only configure Venus itself (its cache, logs, theme, output
/// and test harness), which planet sets its own way: listed once, as left out.
const VENUS_ONLY: &[&str] = &[
    "cache_directory",
    "cache_blacklist_directory",
    "cache_blasklist_directory",
    "http_cache_directory",
    "output_dir",
    "output_theme",
    "template_files",
    "template_directories",
    "filter_directories",
    "bill_of_materials",
    "log_level",
    "log_format",
    "test_port",
    "date_format",
    "new_date_format",
    "encoding",
    "locale",
    "days_per_page",
];

/// Venus `[Planet]` counts and their `[planet]` keys: `feed_timeout` is seconds per feed,
/// `spider_threads` the feeds fetched at once, `activity_threshold` the days after which a
/// feed without a new entry is marked.
const VENUS_COUNTS: &[(&str, &str)] = &[
    ("items_per_page", "items_per_page"),
    ("new_feed_items", "new_feed_items"),
    ("feed_timeout", "timeout_secs"),
    ("spider_threads", "concurrency"),
    ("activity_threshold", "stale_days"),
];

/// Maps a Venus `[Planet]` section onto `[planet]` keys; the rest is reported.
fn venus_planet(props: &ini::Properties, list: &mut List) {
    let mut unknown = Vec::new();
    let mut left_out = Vec::new();
    for (key, v) in props.iter() {
        let (key, v) = (key.trim().to_ascii_lowercase(), v.trim());
        let count = VENUS_COUNTS.iter().find(|(venus, _)| *venus == key);
        match key.as_str() {
            _ if v.is_empty() => {}
            _ if count.is_some() => match (v.parse::<i64>(), count) {
                // Zero is Venus's "off" for the threshold; planet's minimum for the others.
                (Ok(n), Some((_, to))) if n > 0 || (n == 0 && *to == "new_feed_items") => {
                    list.planet.push((to, PlanetValue::Count(n)))
                }
                _ => unknown.push(format!("`{key} = {v}`")),
            },
            "name" => list.fill.name = Some(v.to_owned()),
            "owner_name" => list.fill.owner = Some(v.to_owned()),
            "link" => list.fill.link = checked_url(v).ok(),
            "owner_email" => list
                .planet
                .push(("owner_email", PlanetValue::Text(v.to_owned()))),
            "exclude" => match regex::Regex::new(v) {
                Ok(_) => list
                    .planet
                    .push(("exclude", PlanetValue::Regex(v.to_owned()))),
                Err(_) => list.unreadable.push(format!(
                    "`[Planet]`: the regex `{v}` in `exclude` is not valid here (Rust regex syntax): left out"
                )),
            },
            "pubsubhubbub_hub" => match checked_url(v) {
                Ok(hub) => list.planet.push(("hubs", PlanetValue::Url(hub))),
                Err(why) => unknown.push(format!("`{key}` ({why})")),
            },
            // Planet's own rule for dates in the future.
            "future_dates" if v == "ignore_date" => {}
            k if VENUS_ONLY.contains(&k) => left_out.push(format!("`{k}`")),
            k => unknown.push(format!("`{k}`")),
        }
    }
    if !unknown.is_empty() {
        list.unreadable.push(format!(
            "`[Planet]`: no equivalent for {}",
            unknown.join(", ")
        ));
    }
    if !left_out.is_empty() {
        list.left_out.push(format!(
            "`[Planet]` {}: Venus's own settings (planet keeps its cache, output and theme as \
             `[planet]` says)",
            left_out.join(", ")
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
    let text = |t: Option<&String>| t.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    list.fill.name = text(doc.head.as_ref().and_then(|h| h.title.as_ref()));
    list.fill.owner = text(doc.head.as_ref().and_then(|h| h.owner_name.as_ref()));
    walk(&doc.body.outlines, &mut list, None);
    Ok(list)
}

fn walk(outlines: &[Outline], list: &mut List, group: Option<&str>) {
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
                    group: group.map(str::to_owned),
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
        // A folder's feeds are its group; a nested folder's, `Parent / Child`.
        let inner = match (o.xml_url.is_none(), label, group) {
            (true, Some(label), Some(group)) => Some(format!("{group} / {label}")),
            (true, Some(label), None) => Some(label.to_owned()),
            _ => group.map(str::to_owned),
        };
        walk(&o.outlines, list, inner.as_deref());
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
            // Venus applies these to every feed; planet has no such layer.
            let keys: Vec<String> = props
                .iter()
                .map(|(k, _)| k.trim().to_ascii_lowercase())
                .filter(|k| !IGNORED_KEYS.contains(&k.as_str()))
                .map(|k| format!("`{k}`"))
                .collect();
            if !keys.is_empty() {
                list.unreadable.push(format!(
                    "`[DEFAULT]`: no equivalent for {} (set them on each feed)",
                    keys.join(", ")
                ));
            }
            continue;
        }
        let url = match checked_url(section) {
            Ok(u) => u,
            Err(why) => {
                // Venus also keeps theme settings in sections named after template files.
                if section.contains(".tmpl") {
                    list.left_out.push(format!(
                        "`[{section}]`: the settings of a Venus template (planet's theme is `templates_dir`)"
                    ));
                } else {
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
                "future_dates" if v == "ignore_date" => {}
                k if IGNORED_KEYS.contains(&k) => {}
                k => list
                    .unreadable
                    .push(format!("`[{section}]`: option `{k}` has no equivalent")),
            }
        }
        // Python's regexes have look-around and back-references; Rust's do not. The feed
        // comes without the one that cannot be compiled, and the operator is told.
        for (key, list_of) in [
            ("include", &mut feed.include),
            ("exclude", &mut feed.exclude),
        ] {
            list_of.retain(|p| {
                let ok = regex::Regex::new(p).is_ok();
                if !ok {
                    list.unreadable.push(format!(
                        "`[{section}]`: the regex `{p}` is not valid here (Rust regex syntax): \
                         the feed is added without this `{key}` rule"
                    ));
                }
                ok
            });
        }
        list.feeds.push(feed);
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
    <outline text="Inner"><outline title="B only title" xmlUrl="http://b.test/rss"/></outline>
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
        assert_eq!(list.feeds[0].group.as_deref(), Some("Group"));
        assert_eq!(list.feeds[1].group.as_deref(), Some("Group / Inner"));
        assert_eq!(list.fill.name.as_deref(), Some("t"));
        assert_eq!(list.unreadable.len(), 2, "{:?}", list.unreadable);
    }

    #[test]
    fn reads_venus_ini_with_faces_and_filters() {
        let text = "[Planet]\nname = Planet X\nlink = https://x.test/\nowner_name = Xavier\nnew_feed_items = 5\nexclude = (?i)spam\nactivity_threshold = 90\nfeed_timeout = 20\nspider_threads = 4\npubsubhubbub_hub = https://hub.test/\ncache_directory = cache\nlog_level = DEBUG\nfilters = mememe.plugin\n\n[DEFAULT]\nfacewidth = 64\nignore_in_feed = updated\n\n[https://a.test/feed]\nname = Alice\nface = alice.png\nfilters = excerpt.py regexp_sifter.py?require=rust%7Cgo\nexclude = (?i)politics\n\n[tests/data/feed.atom]\nname = local\n\n[https://b.test/rss]\nname = Bob\nfilter = (?<=x)y\nexclude = (a)\\1\n";
        let list = read(text, Path::new("config.ini")).unwrap();
        let a = &list.feeds[0];
        assert_eq!(a.name.as_deref(), Some("Alice"));
        assert_eq!(a.face.as_deref(), Some("alice.png"));
        assert_eq!(a.display, Some(Display::Excerpt));
        assert_eq!(a.include, ["rust|go"]);
        assert_eq!(a.exclude, ["(?i)politics"]);
        // Bob comes without the rules Rust cannot compile, each reported.
        let b = &list.feeds[1];
        assert_eq!(
            (b.name.as_deref(), b.include.len(), b.exclude.len()),
            (Some("Bob"), 0, 0)
        );
        let unreadable = list.unreadable.join("\n");
        assert_eq!(
            list.unreadable,
            [
                "`[Planet]`: no equivalent for `filters`",
                "`[DEFAULT]`: no equivalent for `ignore_in_feed` (set them on each feed)",
                "section `[tests/data/feed.atom]`: `tests/data/feed.atom` is not an http(s) URL",
                "`[https://b.test/rss]`: the regex `(?<=x)y` is not valid here (Rust regex syntax): the feed is added without this `include` rule",
                "`[https://b.test/rss]`: the regex `(a)\\1` is not valid here (Rust regex syntax): the feed is added without this `exclude` rule",
            ][..],
            "{unreadable}"
        );
        assert_eq!(
            list.planet,
            [
                ("new_feed_items", PlanetValue::Count(5)),
                ("exclude", PlanetValue::Regex("(?i)spam".into())),
                ("stale_days", PlanetValue::Count(90)),
                ("timeout_secs", PlanetValue::Count(20)),
                ("concurrency", PlanetValue::Count(4)),
                ("hubs", PlanetValue::Url("https://hub.test/".into())),
            ]
        );
        assert_eq!(
            list.left_out,
            ["`[Planet]` `cache_directory`, `log_level`: Venus's own settings (planet keeps its cache, output and theme as `[planet]` says)"]
        );
        assert_eq!(
            (
                list.fill.name.as_deref(),
                list.fill.link.as_deref(),
                list.fill.owner.as_deref()
            ),
            (Some("Planet X"), Some("https://x.test/"), Some("Xavier"))
        );
    }
}
