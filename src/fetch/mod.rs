//! HTTP: one client for the run, conditional GET, redirects, limits, bounded concurrency.
//!
//! Takes [`Request`]s (a URL and the validators the store kept) and yields one [`Outcome`] or one
//! [`Error`] per feed. A 304 is a result, not an error. Redirects are followed here, hop by hop
//! (reqwest's own policy is off), so each hop can be told apart: permanent ones (301, 308) are
//! reported as `Moved` for the store to remember, loops and long chains end the feed's fetch,
//! and a redirect from a public address into a loopback, private or link-local one is refused
//! (the classic way to make a fetcher read `169.254.169.254`); a feed URL the operator wrote may
//! point inside, and redirect anywhere from there. That check holds for the very address
//! connected to: the feed's own address is the one its answer came from, and the hops after a
//! public one go through a second HTTP client whose resolver answers only the public addresses
//! of a name, so what was checked is what is connected to, and a name cannot answer a public
//! address to the check and a private one to the connection (DNS rebinding). For the same
//! reason no proxy is used: through one, the proxy would resolve and connect.
//!
//! Each hop holds a permit of its host's semaphore, so no host sees more than
//! `per_host_concurrency` requests from us at once. A body past `SMALL_BODY` waits for one of
//! a few large-body slots, so that however many fetches run at once, only that many large
//! bodies (and the feeds parsed from them) are in memory. Every failure is contained in its
//! feed's result: nothing here can stop the other feeds. The body is handed on as raw bytes,
//! never decoded to text, so the parser can honour the XML encoding declaration. This stage
//! does not parse, does not decide when a feed is due (the `schedule` module does) and does
//! not touch the cache.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use reqwest::header::{
    HeaderMap, HeaderValue, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, LOCATION,
    RETRY_AFTER,
};
use reqwest::StatusCode;
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use url::Url;

use crate::config::Planet;

mod body;
mod error;
mod freshness;
mod network;

use body::{gunzip, gzip_claim};
pub use error::Error;
use freshness::{fresh_for, retry_after};
pub use network::{private_ip, Addrs, Name, Network, Resolve, Resolving};
use network::{private_only, PublicOnly};

/// How many redirects one fetch may follow before it is abandoned.
pub const MAX_REDIRECTS: usize = 5;

/// A body up to this size is read at once; a larger one waits for one of the run's large-body
/// slots (one per parse slot, see [`fetch_all`]), held until its feed is handed over. Most
/// feeds are far smaller, and the slots bound what large ones hold in memory at once to a few
/// `max_feed_bytes`, whatever the concurrency. The wait counts towards the request's timeout.
const SMALL_BODY: u64 = 1 << 20;

/// One feed to fetch, with what the last fetch left us.
#[derive(Debug, Clone)]
pub struct Request {
    /// The URL to fetch.
    pub url: Url,
    /// The `ETag` stored from the last response.
    pub etag: Option<String>,
    /// The `Last-Modified` stored from the last response.
    pub last_modified: Option<String>,
}

impl AsRef<Request> for Request {
    fn as_ref(&self) -> &Request {
        self
    }
}

/// A successful answer.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// 200: a new body to parse.
    Body(Body),
    /// 304: nothing changed; the stored entries stand.
    NotModified {
        /// A fresh `ETag`, if the server sent one.
        etag: Option<String>,
        /// A fresh `Last-Modified`, if the server sent one.
        last_modified: Option<String>,
        /// What the response says about caching and redirects.
        hints: Hints,
    },
}

impl Outcome {
    /// The caching and redirect facts of either kind of answer.
    pub fn hints(&self) -> &Hints {
        match self {
            Outcome::Body(b) => &b.hints,
            Outcome::NotModified { hints, .. } => hints,
        }
    }
}

/// What a successful response tells the scheduler and the store besides its body.
#[derive(Debug, Clone, Default)]
pub struct Hints {
    /// How long the response stays fresh (`Cache-Control: max-age`, else `Expires`).
    pub fresh_for: Option<Duration>,
    /// Where the feed now lives, when every redirect on the way was permanent (301, 308).
    pub moved_to: Option<Url>,
}

/// A 200 response.
#[derive(Debug, Clone)]
pub struct Body {
    /// The raw bytes, decompressed but not decoded.
    pub bytes: Vec<u8>,
    /// The URL after redirects: the base for relative links of last resort.
    pub final_url: Url,
    /// `ETag`, verbatim.
    pub etag: Option<String>,
    /// `Last-Modified`, verbatim.
    pub last_modified: Option<String>,
    /// `Content-Type`, verbatim (carries the HTTP charset).
    pub content_type: Option<String>,
    /// Caching and redirect facts.
    pub hints: Hints,
}

/// The one HTTP client of a run.
#[derive(Clone)]
pub struct Client {
    /// For the feed's own URL, and where it redirects when that is inside.
    inner: reqwest::Client,
    /// For where a public address redirects: it connects to public addresses only.
    outside: reqwest::Client,
    private: fn(IpAddr) -> bool,
    max_bytes: u64,
    per_host: usize,
    hosts: Arc<Mutex<HashMap<String, Arc<Semaphore>>>>,
    /// The large-body slots (see [`SMALL_BODY`]).
    large: Arc<Semaphore>,
    deadline: Instant,
}

/// A large-body slot, held while its body, and the feed parsed from it, are in memory.
type Slot = Option<OwnedSemaphorePermit>;

/// How many feeds are parsed at once: one per core. More would only take turns on the cores.
fn parse_slots() -> usize {
    std::thread::available_parallelism().map_or(2, usize::from)
}

/// The async runtime fetches run on, the same for every command that reaches the network:
/// a worker per core, with I/O and timers.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
}

/// The User-Agent: names the software, its version and the planet, so a feed host knows who
/// is asking and where to complain.
pub fn user_agent(planet: &Planet) -> String {
    format!("planet/{} (+{})", env!("CARGO_PKG_VERSION"), planet.link)
}

impl Client {
    /// Builds the client from the planet's limits and identity. The whole-run deadline starts
    /// now: a feed not done by then fails with [`Error::Deadline`].
    pub fn new(planet: &Planet) -> Result<Client, Error> {
        Client::on(planet, Network::system())
    }

    /// [`Client::new`], resolving names and telling private addresses as `network` does.
    pub fn on(planet: &Planet, network: Network) -> Result<Client, Error> {
        let mut headers = HeaderMap::new();
        if let Some(email) = &planet.owner_email {
            if let Ok(v) = HeaderValue::from_str(email) {
                headers.insert(reqwest::header::FROM, v);
            }
        }
        headers.insert(
            reqwest::header::ACCEPT,
            HeaderValue::from_static(
                // Compact: it is sent on every request, 304s included.
                "application/atom+xml,application/rss+xml,application/feed+json,application/xml;q=0.9,*/*;q=0.8",
            ),
        );
        // gzip is decompressed here (see `gunzip`); brotli and deflate, rarer, by reqwest. An
        // `Accept-Encoding` of our own keeps all three offered.
        headers.insert(
            reqwest::header::ACCEPT_ENCODING,
            HeaderValue::from_static("gzip, br, deflate"),
        );
        let builder = |resolver: Arc<dyn Resolve>| {
            reqwest::Client::builder()
                .user_agent(user_agent(planet))
                .default_headers(headers.clone())
                .connect_timeout(planet.connect_timeout())
                .timeout(planet.timeout())
                // Followed by hand, hop by hop: see the module header.
                .redirect(reqwest::redirect::Policy::none())
                .pool_idle_timeout(Duration::from_secs(30))
                .no_proxy()
                .dns_resolver(resolver)
                .build()
                .map_err(Error::Client)
        };
        let private = network.private;
        Ok(Client {
            inner: builder(network.resolver.clone())?,
            outside: builder(Arc::new(PublicOnly(network)))?,
            private,
            max_bytes: planet.max_feed_bytes,
            per_host: planet.per_host_concurrency.max(1),
            hosts: Arc::default(),
            large: Arc::new(Semaphore::new(parse_slots())),
            deadline: Instant::now() + planet.run_timeout(),
        })
    }

    /// The same client with the run's deadline at `deadline`: the pings that follow a publish
    /// keep to the deadline of the fetch before it.
    pub fn until(mut self, deadline: Instant) -> Client {
        self.deadline = deadline;
        self
    }

    /// POSTs `form` as `application/x-www-form-urlencoded` to `url`, within the run's
    /// deadline; any answer but a 2xx (a redirect included: a POST is not replayed elsewhere)
    /// is an error.
    pub async fn post_form(&self, url: &Url, form: &[(&str, &str)]) -> Result<(), Error> {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let send = self
            .inner
            .post(url.clone())
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body)
            .send();
        let resp = match tokio::time::timeout_at(self.deadline, send).await {
            Ok(resp) => resp.map_err(Error::Transport)?,
            Err(_) => return Err(Error::Deadline),
        };
        match resp.status() {
            status if status.is_success() => Ok(()),
            status => Err(Error::Status {
                status,
                retry_after: None,
            }),
        }
    }

    /// Fetches one feed with a conditional GET, following redirects, within the run's deadline.
    pub async fn fetch(&self, req: &Request) -> Result<Outcome, Error> {
        self.fetch_holding(req).await.0
    }

    /// [`Client::fetch`], and the large-body slot its body holds, if it needed one.
    async fn fetch_holding(&self, req: &Request) -> (Result<Outcome, Error>, Slot) {
        let mut slot = None;
        let fetched = tokio::time::timeout_at(self.deadline, self.follow(req, &mut slot)).await;
        (fetched.unwrap_or(Err(Error::Deadline)), slot)
    }

    async fn follow(&self, req: &Request, slot: &mut Slot) -> Result<Outcome, Error> {
        let mut url = req.url.clone();
        let mut visited = HashSet::from([url.clone()]);
        let mut moved_to = None;
        let mut all_permanent = true;
        // Whether the hops must stay outside: the feed's own address was public.
        let mut outside = false;
        let mut hop = 0;
        loop {
            let _permit = self.host_permit(&url).await;
            let client = if outside { &self.outside } else { &self.inner };
            let mut rb = client.get(url.clone());
            if let Some(etag) = &req.etag {
                rb = rb.header(IF_NONE_MATCH, etag);
            }
            if let Some(lm) = &req.last_modified {
                rb = rb.header(IF_MODIFIED_SINCE, lm);
            }
            let resp = rb.send().await.map_err(|e| {
                if private_only(&e) {
                    Error::PrivateRedirect { url: url.clone() }
                } else {
                    Error::Transport(e)
                }
            })?;
            let status = resp.status();
            if is_redirect(status) {
                let next = header(resp.headers(), LOCATION)
                    .and_then(|l| url.join(&l).ok())
                    .filter(|u| matches!(u.scheme(), "http" | "https"))
                    .ok_or_else(|| Error::BadRedirect { url: url.clone() })?;
                if hop >= MAX_REDIRECTS {
                    return Err(Error::TooManyRedirects {
                        limit: MAX_REDIRECTS,
                    });
                }
                if !visited.insert(next.clone()) {
                    return Err(Error::RedirectLoop { url: next });
                }
                // The address the feed's own URL was read from, not a second lookup of its name.
                if hop == 0 {
                    outside = !resp.remote_addr().is_some_and(|a| (self.private)(a.ip()));
                }
                // A name's addresses are checked as it is connected to (see `PublicOnly`).
                let literal = match next.host() {
                    Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
                    Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
                    _ => None,
                };
                if outside && literal.is_some_and(self.private) {
                    return Err(Error::PrivateRedirect { url: next });
                }
                all_permanent &= matches!(
                    status,
                    StatusCode::MOVED_PERMANENTLY | StatusCode::PERMANENT_REDIRECT
                );
                if all_permanent {
                    moved_to = Some(next.clone());
                }
                url = next;
                hop += 1;
                continue;
            }
            return self.answer(resp, moved_to, slot).await;
        }
    }

    /// Turns the final response of a fetch into its outcome.
    async fn answer(
        &self,
        mut resp: reqwest::Response,
        moved_to: Option<Url>,
        slot: &mut Slot,
    ) -> Result<Outcome, Error> {
        let status = resp.status();
        let headers = resp.headers();
        let hints = Hints {
            fresh_for: fresh_for(headers, SystemTime::now()),
            moved_to,
        };
        let etag = header(headers, ETAG);
        let last_modified = header(headers, LAST_MODIFIED);
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Outcome::NotModified {
                etag,
                last_modified,
                hints,
            });
        }
        if !status.is_success() {
            let retry_after = match status {
                StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => {
                    header(headers, RETRY_AFTER).and_then(|v| retry_after(&v, SystemTime::now()))
                }
                _ => None,
            };
            return Err(Error::Status {
                status,
                retry_after,
            });
        }
        let content_type = header(headers, reqwest::header::CONTENT_TYPE);
        let gzipped = header(headers, reqwest::header::CONTENT_ENCODING).is_some_and(|e| {
            e.trim().eq_ignore_ascii_case("gzip") || e.trim().eq_ignore_ascii_case("x-gzip")
        });
        let final_url = resp.url().clone();
        let announced = resp.content_length().unwrap_or(0).min(self.max_bytes);
        if announced > SMALL_BODY {
            self.hold(slot).await;
        }
        let mut bytes = Vec::with_capacity(usize::try_from(announced).unwrap_or(0));
        // Counted chunk by chunk (after reqwest's brotli or deflate decompression), so an endless
        // or bomb body stops at the limit; a gzip one is checked again as it is decompressed.
        while let Some(chunk) = resp.chunk().await.map_err(Error::Transport)? {
            let len = (bytes.len() + chunk.len()) as u64;
            if len > self.max_bytes {
                return Err(Error::TooLarge {
                    limit: self.max_bytes,
                });
            }
            if len > SMALL_BODY {
                self.hold(slot).await;
            }
            bytes.extend_from_slice(&chunk);
        }
        // A gzip file served as is (a `feed.xml.gz`, or a server that compressed it without
        // saying so) is read like one the server said it compressed: it is still the feed.
        if gzipped || bytes.starts_with(&[0x1f, 0x8b]) {
            // Decompressed within a small body's size unless a slot is held (the trailer's
            // claim may lie): past it, again once one is.
            if gzip_claim(&bytes).is_none_or(|claimed| claimed > SMALL_BODY) {
                self.hold(slot).await;
            }
            let within = if slot.is_some() {
                self.max_bytes
            } else {
                SMALL_BODY.min(self.max_bytes)
            };
            bytes = match gunzip(&bytes, within) {
                Err(Error::TooLarge { .. }) if within < self.max_bytes => {
                    self.hold(slot).await;
                    gunzip(&bytes, self.max_bytes)?
                }
                unzipped => unzipped?,
            };
        }
        Ok(Outcome::Body(Body {
            bytes,
            final_url,
            etag,
            last_modified,
            content_type,
            hints,
        }))
    }

    /// Takes a large-body slot, unless `slot` holds one already.
    async fn hold(&self, slot: &mut Slot) {
        if slot.is_none() {
            *slot = self.large.clone().acquire_owned().await.ok();
        }
    }

    /// Waits for a free slot on the URL's host: at most `per_host_concurrency` requests to one
    /// host at once, whatever the global concurrency.
    async fn host_permit(&self, url: &Url) -> Option<OwnedSemaphorePermit> {
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let sem = {
            let mut hosts = self.hosts.lock().ok()?;
            hosts
                .entry(host)
                .or_insert_with(|| Arc::new(Semaphore::new(self.per_host)))
                .clone()
        };
        sem.acquire_owned().await.ok()
    }
}

/// Fetches every request, at most `concurrency` at once, and runs `then` on each result on the
/// blocking pool (parsing is CPU work that must not stall the network). Results arrive on the
/// returned channel as they complete, in no particular order. Requests are started host by host
/// in turn, so a host with many feeds, held to its per-host limit, does not fill every slot of
/// the global one while other hosts wait.
pub fn fetch_all<P, T, F>(
    client: Client,
    requests: Vec<P>,
    concurrency: usize,
    then: F,
) -> mpsc::Receiver<T>
where
    P: AsRef<Request> + Send + 'static,
    T: Send + 'static,
    F: Fn(P, Result<Outcome, Error>) -> T + Send + Sync + 'static,
{
    let (tx, rx) = mpsc::channel(concurrency.max(1) * 2);
    let limit = Arc::new(Semaphore::new(concurrency.max(1)));
    // At most one `then` per core: more only take turns on the cores, and they crowd out the
    // thread that receives the results (the store's), which then falls behind and holds up
    // the fetches waiting to hand over theirs.
    let cpu = Arc::new(Semaphore::new(parse_slots()));
    let then = Arc::new(then);
    for req in interleave_hosts(requests) {
        let (tx, limit, then, client) = (tx.clone(), limit.clone(), then.clone(), client.clone());
        let cpu = cpu.clone();
        tokio::spawn(async move {
            let (permit, (result, slot)) =
                match tokio::time::timeout_at(client.deadline, limit.acquire_owned()).await {
                    Ok(Ok(permit)) => (Some(permit), client.fetch_holding(req.as_ref()).await),
                    Ok(Err(_)) => return,
                    Err(_) => (None, (Err(Error::Deadline), None)),
                };
            let Ok(core) = cpu.acquire_owned().await else {
                return;
            };
            let out = tokio::task::spawn_blocking(move || {
                let out = then(req, result);
                drop(core);
                out
            })
            .await;
            if let Ok(out) = out {
                let _ = tx.send(out).await;
            }
            // Held until the result is handed over, so at most `concurrency` feeds are in
            // memory beyond the channel (and as many large ones as there are slots): without
            // it, fast fetches piled up parsed feeds behind the store.
            drop(permit);
            drop(slot);
        });
    }
    rx
}

/// Reorders requests round-robin over their hosts (first host's first feed, second host's
/// first feed, …), keeping each host's feeds in their order.
fn interleave_hosts<P: AsRef<Request>>(requests: Vec<P>) -> Vec<P> {
    let mut order: Vec<String> = Vec::new();
    let mut by_host: HashMap<String, std::collections::VecDeque<P>> = HashMap::new();
    for req in requests {
        let host = req
            .as_ref()
            .url
            .host_str()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if !by_host.contains_key(&host) {
            order.push(host.clone());
        }
        by_host.entry(host).or_default().push_back(req);
    }
    let mut out = Vec::new();
    loop {
        let before = out.len();
        for host in &order {
            if let Some(req) = by_host.get_mut(host).and_then(|q| q.pop_front()) {
                out.push(req);
            }
        }
        if out.len() == before {
            return out;
        }
    }
}

fn is_redirect(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::MOVED_PERMANENTLY
            | StatusCode::FOUND
            | StatusCode::SEE_OTHER
            | StatusCode::TEMPORARY_REDIRECT
            | StatusCode::PERMANENT_REDIRECT
    )
}

fn header(headers: &HeaderMap, name: reqwest::header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_alternate_between_hosts() {
        let reqs = [
            "https://a.test/1",
            "https://a.test/2",
            "https://a.test/3",
            "https://b.test/1",
            "https://c.test/1",
            "https://b.test/2",
        ]
        .iter()
        .map(|u| Request {
            url: Url::parse(u).unwrap(),
            etag: None,
            last_modified: None,
        })
        .collect();
        let got: Vec<String> = interleave_hosts(reqs)
            .into_iter()
            .map(|r| r.url.to_string())
            .collect();
        assert_eq!(
            got,
            [
                "https://a.test/1",
                "https://b.test/1",
                "https://c.test/1",
                "https://a.test/2",
                "https://b.test/2",
                "https://a.test/3"
            ]
        );
    }
}
