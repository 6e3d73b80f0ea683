//! `feed.json`: JSON Feed 1.1 (<https://www.jsonfeed.org/version/1.1/>), written with serde.
//!
//! The same entries as `atom.xml`, in the same order: the original id, link, title, sanitized
//! HTML as `content_html`, the author, dates in RFC 3339, categories as `tags`, and the source
//! feed in a `_planet` extension object (the spec's way to add fields); the feed names its
//! WebSub `hubs`. Optional fields that are unknown are left out, never null, as the spec asks.
//! No clock is read, and fields are written in declaration order, so an unchanged planet
//! produces a byte-identical file.

use serde::Serialize;

use super::{Error, View};

/// The JSON Feed version URL that readers check first.
const VERSION: &str = "https://jsonfeed.org/version/1.1";

#[derive(Serialize)]
struct Feed<'a> {
    version: &'static str,
    title: &'a str,
    home_page_url: &'a str,
    feed_url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    favicon: String,
    language: &'a str,
    authors: Vec<Author<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hubs: Vec<Hub<'a>>,
    items: Vec<Item<'a>>,
}

/// A WebSub hub (JSON Feed 1.1: `hubs`, each with a `type` and a `url`).
#[derive(Serialize)]
struct Hub<'a> {
    r#type: &'static str,
    url: &'a str,
}

#[derive(Serialize)]
struct Author<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

#[derive(Serialize)]
struct Item<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    title: &'a str,
    /// Required by the spec to be present (possibly empty) when there is no `content_text`.
    content_html: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_published: Option<&'a str>,
    date_modified: &'a str,
    authors: Vec<Author<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: &'a Vec<String>,
    _planet: Origin<'a>,
}

/// Where an entry came from (JSON Feed has no `source`; extensions start with `_`).
#[derive(Serialize)]
struct Origin<'a> {
    source_name: &'a str,
    source_feed_url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_home_page_url: Option<&'a str>,
    source_id: &'a str,
}

/// Renders the view as a JSON Feed 1.1 document.
pub fn render(view: &View) -> Result<Vec<u8>, Error> {
    let p = &view.planet;
    let feed = Feed {
        version: VERSION,
        title: &p.name,
        home_page_url: &p.link,
        feed_url: p
            .json_url
            .clone()
            .unwrap_or_else(|| format!("{}feed.json", p.link)),
        description: p.description.as_deref(),
        favicon: format!("{}favicon.svg", p.link),
        language: &p.language,
        authors: vec![Author {
            name: &p.owner_name,
            url: p.owner_email.as_ref().map(|m| format!("mailto:{m}")),
        }],
        hubs: p
            .hubs
            .iter()
            .map(|url| Hub {
                r#type: "WebSub",
                url,
            })
            .collect(),
        items: view
            .entries
            .iter()
            .map(|e| Item {
                id: &e.id,
                url: e.link.as_deref(),
                title: &e.title,
                content_html: &e.content,
                date_published: e.published.as_deref(),
                date_modified: &e.updated,
                authors: (e.detail.authors.iter())
                    .map(|p| Author {
                        name: &p.name,
                        url: p.uri.clone(),
                    })
                    .collect(),
                tags: &e.categories,
                _planet: Origin {
                    source_name: &e.source.name,
                    source_feed_url: &e.source.url,
                    source_home_page_url: e.source.link.as_deref(),
                    source_id: &e.source.id,
                },
            })
            .collect(),
    };
    let mut buf = serde_json::to_vec_pretty(&feed).map_err(Error::Json)?;
    buf.push(b'\n');
    Ok(buf)
}
