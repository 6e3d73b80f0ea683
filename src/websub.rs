//! WebSub, the publisher's side (<https://www.w3.org/TR/websub/>): telling the hubs that a
//! feed changed, so its subscribers hear of new entries at once instead of at their next poll.
//!
//! Every feed the planet writes names the hubs of `[planet] hubs` (the `render` writers do).
//! After a publish in which feeds' bytes changed, [`announce`] POSTs `hub.mode=publish` and
//! `hub.url=` each changed feed's public URL to every hub, form-encoded: WebSub leaves the
//! publisher's ping to each hub, and this is the form hubs accept (PubSubHubbub 0.4). Hubs are
//! told at once, each of them feed after feed, within the run's deadline (the client's). A hub
//! that fails or does not answer in time is asked nothing more this run and is one
//! [`Failure`]: worth a warning, never a failed run, since the feeds are published and
//! subscribers still poll. Nothing here decides which
//! files changed (`publish` does) or writes anything.

use std::fmt;

use url::Url;

use crate::{error_chain, fetch, text};

/// What the pings did.
#[derive(Debug, Default)]
pub struct Report {
    /// Pings a hub accepted.
    pub sent: usize,
    /// The hubs that were not told of every changed feed, one each.
    pub failures: Vec<Failure>,
}

/// A hub not told of some changed feeds.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// The hub.
    pub hub: String,
    /// How many changed feeds it was not told of: after a failure, the hub is asked nothing
    /// more this run.
    pub untold: usize,
    /// Why its ping failed.
    pub reason: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "WebSub hub `{}` was not told of {}: {}",
            self.hub,
            text::plural(self.untold, "changed feed"),
            self.reason
        )
    }
}

/// Tells the planet's hubs of the feeds a publish changed, within the run's `deadline`:
/// nothing to do (`None`) without hubs or changes.
pub async fn announce_changes(
    planet: &crate::config::Planet,
    feeds_changed: &[String],
    deadline: tokio::time::Instant,
) -> Result<Option<Report>, fetch::Error> {
    if planet.hubs.is_empty() || feeds_changed.is_empty() {
        return Ok(None);
    }
    let client = fetch::Client::new(planet)?.until(deadline);
    Ok(Some(announce(&client, &planet.hubs, feeds_changed).await))
}

/// Tells every hub of every feed in `feeds` (their public URLs).
pub async fn announce(client: &fetch::Client, hubs: &[Url], feeds: &[String]) -> Report {
    let pings = hubs.iter().map(|hub| async move {
        let mut sent = 0;
        for (i, feed) in feeds.iter().enumerate() {
            let form = [("hub.mode", "publish"), ("hub.url", feed.as_str())];
            if let Err(e) = client.post_form(hub, &form).await {
                // A hub down or slow for one ping is so for the next: one wait is enough.
                let failure = Failure {
                    hub: hub.to_string(),
                    untold: feeds.len() - i,
                    reason: error_chain(&e),
                };
                return (sent, Some(failure));
            }
            sent += 1;
            tracing::debug!("told WebSub hub `{hub}` of `{feed}`");
        }
        (sent, None)
    });
    let mut report = Report::default();
    for (sent, failure) in futures_util::future::join_all(pings).await {
        report.sent += sent;
        report.failures.extend(failure);
    }
    report
}
