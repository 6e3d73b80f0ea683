//! The stages of [`parse_feed`](super::parse_feed) one at a time, for the benchmark's `--stages`
//! mode (`benches/`), which times each over a folder of documents to show where parsing spends
//! its time. Not an API: hidden from the docs, it follows the stages as they are and changes
//! with them.

use crate::model::Parsed;

pub use super::limits::{first_entries, shorten_runs, MAX_ENTRIES, MAX_RUN};
pub use super::repair::{
    add_missing_channel, drop_inner_declarations, escaped_text_as_cdata, fix_rss_version,
    link_rss1_items, modernize_namespaces, repair_references,
};

/// A body decoded to UTF-8 as `parse_feed` decodes it, without a `Content-Type`.
pub fn decode(bytes: Vec<u8>) -> String {
    super::decode::decode(bytes, None).as_str().to_owned()
}

/// What the detail pass read in one document, for [`convert`].
pub struct Detail(Option<Vec<super::detail::Extra>>);

/// The detail pass: the facts about each entry that feed-rs does not keep, and the `xml:base`
/// in effect for each, read from `url`.
pub fn detail(xml: &[u8], url: &str) -> Detail {
    Detail(super::detail::read(xml, url))
}

/// feed-rs set up as `parse_feed` sets it up, for one document (a reader is not used twice).
pub fn feed_reader(url: &str) -> feed_rs::parser::Parser {
    super::feed_reader(url)
}

/// feed-rs's feed and the detail pass's facts made into planet's model, as fetched from `url`.
pub fn convert(feed: feed_rs::model::Feed, detail: Detail, url: &str) -> Parsed {
    super::convert(feed, url, url, detail.0)
}
