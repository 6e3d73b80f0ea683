//! The feed behind what the operator typed, for `planet add`.
//!
//! Takes a URL (or a bare host) and fetches it through the run's [`fetch::Client`]: a feed is
//! taken as it is; a web page is searched for the feeds it declares and the usual feed paths
//! ([`super::discover`]), each fetched and parsed until one is a real feed.

use url::Url;

use super::{discover, Error};
use crate::{fetch, parse};

/// A feed found for `add`.
#[derive(Debug, Clone)]
pub struct Found {
    /// The feed's URL, as given or found on the page.
    pub url: Url,
    /// Where it moved for good (every redirect 301 or 308), as `run` would see it.
    pub moved_to: Option<Url>,
    /// Where fetching it ended, after redirects.
    pub final_url: Url,
    /// The feed's own title (may be empty).
    pub title: String,
    /// How it was found: `None` when the URL given was the feed, else the page it came from.
    pub via_page: Option<Url>,
}

/// Parses what the operator typed as a URL; a bare host (`blog.example.org`) means https.
pub fn parse_url(input: &str) -> Result<Url, Error> {
    let input = input.trim();
    let url = Url::parse(input)
        .or_else(|_| Url::parse(&format!("https://{input}")))
        .map_err(|_| Error::BadUrl(input.to_owned()))?;
    if matches!(url.scheme(), "http" | "https") && url.host_str().is_some() {
        Ok(url)
    } else {
        Err(Error::BadUrl(input.to_owned()))
    }
}

/// Finds the feed at `url`: the URL itself when it is a feed, else the best feed its page
/// declares or one at a common path. Each candidate is fetched and parsed: only a real feed wins.
pub async fn find_feed(client: &fetch::Client, url: &Url) -> Result<Found, Error> {
    let body = get(client, url).await.map_err(|e| Error::Fetch {
        url: url.to_string(),
        source: e,
    })?;
    if let Ok(parsed) = parse::parse_feed(
        &body.bytes[..],
        url.as_str(),
        body.final_url.as_str(),
        body.content_type.as_deref(),
    ) {
        return Ok(Found {
            url: url.clone(),
            moved_to: body.hints.moved_to.clone(),
            final_url: body.final_url,
            title: parsed.meta.title,
            via_page: None,
        });
    }
    let candidates = discover::candidates(&body.bytes, &body.final_url);
    for c in &candidates {
        let Ok(feed) = get(client, &c.url).await else {
            continue;
        };
        if let Ok(parsed) = parse::parse_feed(
            &feed.bytes[..],
            c.url.as_str(),
            feed.final_url.as_str(),
            feed.content_type.as_deref(),
        ) {
            return Ok(Found {
                url: c.url.clone(),
                moved_to: feed.hints.moved_to.clone(),
                final_url: feed.final_url,
                title: parsed.meta.title,
                via_page: Some(url.clone()),
            });
        }
    }
    Err(Error::NoFeed {
        url: url.to_string(),
        tried: candidates.len(),
    })
}

async fn get(client: &fetch::Client, url: &Url) -> Result<fetch::Body, fetch::Error> {
    let req = fetch::Request {
        url: url.clone(),
        etag: None,
        last_modified: None,
    };
    match client.fetch(&req).await? {
        fetch::Outcome::Body(b) => Ok(b),
        // Without validators a server has no reason to answer 304; treat it as an empty body.
        fetch::Outcome::NotModified { .. } => Ok(fetch::Body {
            bytes: Vec::new(),
            final_url: url.clone(),
            etag: None,
            last_modified: None,
            hints: Default::default(),
            content_type: None,
        }),
    }
}
