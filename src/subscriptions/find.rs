//! The feed behind what the operator typed, for `planet add`.
//!
//! Takes a URL (or one without its scheme: `blog.example.org/feed`, `127.0.0.1:8765/feed.xml`)
//! and fetches it through the run's [`fetch::Client`]: a feed is taken as it is; a web page is
//! searched for the feeds it declares and the usual feed paths ([`super::discover`]), each
//! fetched and parsed until one is a real feed. Without a scheme, https is tried, then http
//! when https could not be fetched at all (a local server rarely speaks TLS).

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
    /// When no scheme was given and https could not be fetched (so http was used): why.
    pub https_failed: Option<String>,
}

/// The URLs what the operator typed may mean, in the order to try: the URL itself when it
/// has a scheme (`http`, `https`), else https then http.
pub fn urls(input: &str) -> Result<Vec<Url>, Error> {
    let input = input.trim();
    let bad = || Error::BadUrl(input.to_owned());
    let web = |url: &Url| matches!(url.scheme(), "http" | "https") && url.host_str().is_some();
    // `localhost:8080/feed` parses as a URL of scheme `localhost`: only `://` says a scheme.
    if input.contains("://") {
        let url = Url::parse(input).map_err(|_| bad())?;
        return if web(&url) { Ok(vec![url]) } else { Err(bad()) };
    }
    let urls: Vec<Url> = ["https", "http"]
        .iter()
        .filter_map(|scheme| Url::parse(&format!("{scheme}://{input}")).ok())
        .filter(web)
        .collect();
    if urls.is_empty() {
        Err(bad())
    } else {
        Ok(urls)
    }
}

/// Finds the feed at the first of `urls` that can be fetched (see [`urls`]).
pub async fn find_feed(client: &fetch::Client, urls: &[Url]) -> Result<Found, Error> {
    let mut https_failed = None;
    for (i, url) in urls.iter().enumerate() {
        match find_at(client, url).await {
            Ok(found) => {
                return Ok(Found {
                    https_failed,
                    ..found
                })
            }
            // Reached but no feed, or the last to try: that is the answer.
            Err(e @ Error::Fetch { .. }) if i + 1 < urls.len() => {
                tracing::debug!("{}; trying `{}`", crate::error_chain(&e), urls[i + 1]);
                https_failed = Some(fetch_reason(&e));
            }
            Err(e @ Error::Fetch { .. }) => {
                return Err(match https_failed {
                    Some(https) => Error::NoScheme {
                        input: url.to_string().replacen("http://", "", 1),
                        https,
                        source: Box::new(e),
                    },
                    None => e,
                })
            }
            Err(e) => return Err(e),
        }
    }
    Err(Error::BadUrl(String::new()))
}

/// The cause of a fetch error, without the URL the message repeats.
fn fetch_reason(e: &Error) -> String {
    match e {
        Error::Fetch { source, .. } => crate::error_chain(source),
        other => crate::error_chain(other),
    }
}

/// Finds the feed at `url`: the URL itself when it is a feed, else the best feed its page
/// declares or one at a common path. Each candidate is fetched and parsed: only a real feed
/// wins; each one tried is logged (`-v`), and named in the error when none is a feed.
async fn find_at(client: &fetch::Client, url: &Url) -> Result<Found, Error> {
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
            https_failed: None,
        });
    }
    let candidates = discover::candidates(&body.bytes, &body.final_url);
    let mut tried = Vec::new();
    for c in &candidates {
        let feed = match get(client, &c.url).await {
            Ok(feed) => feed,
            Err(e) => {
                tracing::debug!("tried `{}`: {}", c.url, crate::error_chain(&e));
                tried.push((c.url.to_string(), crate::error_chain(&e)));
                continue;
            }
        };
        match parse::parse_feed(
            &feed.bytes[..],
            c.url.as_str(),
            feed.final_url.as_str(),
            feed.content_type.as_deref(),
        ) {
            Ok(parsed) => {
                tracing::debug!("tried `{}`: a feed", c.url);
                return Ok(Found {
                    url: c.url.clone(),
                    moved_to: feed.hints.moved_to.clone(),
                    final_url: feed.final_url,
                    title: parsed.meta.title,
                    via_page: Some(url.clone()),
                    https_failed: None,
                });
            }
            Err(_) => {
                tracing::debug!("tried `{}`: not a feed", c.url);
                tried.push((c.url.to_string(), "not a feed".to_owned()));
            }
        }
    }
    Err(Error::NoFeed {
        url: url.to_string(),
        tried,
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
