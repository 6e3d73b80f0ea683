//! JSON Feed, fitted to what feed-rs reads.
//!
//! feed-rs reads JSON Feed through a strict serde model: one field of the wrong type (a real
//! feed writes `"tags": "workflow,omnifocus"`, a string where JSON Feed has an array) refuses the
//! whole feed, as does an early feed's `http://jsonfeed.org/version/1` or a missing `title`. As
//! an XML feed keeps what can be read, so does a JSON one: each field JSON Feed 1.1 defines is
//! checked against its type and dropped when it does not have it, an item `id` written as a
//! number is read as text (the spec asks readers to), and what feed-rs requires is given its
//! empty value. People's names get the space [`super::people`] gives them in XML. Fields JSON
//! Feed does not define are left alone: feed-rs does not read them.

use std::cell::Cell;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::limits::MAX_ENTRIES;

/// What a field of JSON Feed holds.
#[derive(Clone, Copy)]
enum Kind {
    /// A string.
    Text,
    /// A string, or a number read as one (an item's `id`).
    Id,
    /// An array of strings (`tags`).
    Texts,
    /// An author object.
    Person,
    /// An array of author objects.
    People,
    /// An array of attachment objects.
    Attachments,
    /// A whole number of bytes.
    Size,
    /// The array of items.
    Items,
}

const FEED: &[(&str, Kind)] = &[
    ("version", Kind::Text),
    ("title", Kind::Text),
    ("home_page_url", Kind::Text),
    ("feed_url", Kind::Text),
    ("language", Kind::Text),
    ("description", Kind::Text),
    ("icon", Kind::Text),
    ("favicon", Kind::Text),
    ("author", Kind::Person),
    ("authors", Kind::People),
    ("items", Kind::Items),
];

const ITEM: &[(&str, Kind)] = &[
    ("id", Kind::Id),
    ("url", Kind::Text),
    ("external_url", Kind::Text),
    ("title", Kind::Text),
    ("content_html", Kind::Text),
    ("content_text", Kind::Text),
    ("summary", Kind::Text),
    ("date_published", Kind::Text),
    ("date_modified", Kind::Text),
    ("author", Kind::Person),
    ("authors", Kind::People),
    ("tags", Kind::Texts),
    ("attachments", Kind::Attachments),
];

const PERSON: &[(&str, Kind)] = &[("name", Kind::Text), ("url", Kind::Text)];

const ATTACHMENT: &[(&str, Kind)] = &[
    ("url", Kind::Text),
    ("mime_type", Kind::Text),
    ("title", Kind::Text),
    ("size_in_bytes", Kind::Size),
];

/// The feed fitted to feed-rs's model; `None` when it needs nothing, an error when it is not
/// a JSON object. Items past the first [`MAX_ENTRIES`] are skipped as they are read, never
/// built: a document of tiny items would cost many times its size.
pub(super) fn fitted(text: &str) -> Result<Option<String>, serde_json::Error> {
    let cut = Cell::new(false);
    let mut reader = serde_json::Deserializer::from_str(text);
    let mut doc = reader.deserialize_map(Feed { cut: &cut })?;
    reader.end()?;
    let feed = &mut doc;
    let mut changed = cut.get() | fit_object(feed, FEED);
    if let Some(Value::String(version)) = feed.get_mut("version") {
        if let Some(number) = version.strip_prefix("http://jsonfeed.org/version/") {
            *version = format!("https://jsonfeed.org/version/{number}");
            changed = true;
        }
    }
    // What feed-rs's model cannot be without.
    for (name, empty) in [
        ("title", Value::from("")),
        ("items", Value::Array(Vec::new())),
    ] {
        if !feed.contains_key(name) || feed[name].is_null() {
            feed.insert(name.to_owned(), empty);
            changed = true;
        }
    }
    if changed {
        serde_json::to_string(&doc).map(Some)
    } else {
        Ok(None)
    }
}

/// The feed object, read with [`FirstItems`] for its `items`.
struct Feed<'a> {
    cut: &'a Cell<bool>,
}

impl<'de> Visitor<'de> for Feed<'_> {
    type Value = Map<String, Value>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON Feed object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut feed = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = if key == "items" {
                map.next_value_seed(FirstItems { cut: self.cut })?
            } else {
                map.next_value()?
            };
            feed.insert(key, value);
        }
        Ok(feed)
    }
}

/// The first [`MAX_ENTRIES`] items of an array, the others read past (setting `cut`); any
/// other value reads as `null`, which is no items.
struct FirstItems<'a> {
    cut: &'a Cell<bool>,
}

impl<'de> DeserializeSeed<'de> for FirstItems<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for FirstItems<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of items")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Value>()? {
            items.push(item);
            if items.len() == MAX_ENTRIES {
                while seq.next_element::<IgnoredAny>()?.is_some() {
                    self.cut.set(true);
                }
                break;
            }
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Value::Null)
    }

    fn visit_str<E>(self, _: &str) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
}

/// Fits the fields of `object` that `fields` names, dropping those that cannot be fitted;
/// whether anything changed.
fn fit_object(object: &mut Map<String, Value>, fields: &[(&str, Kind)]) -> bool {
    let mut changed = false;
    for &(name, kind) in fields {
        let Some(value) = object.get_mut(name) else {
            continue;
        };
        match fit(value, kind) {
            Some(field_changed) => changed |= field_changed,
            None => {
                object.remove(name);
                changed = true;
            }
        }
    }
    changed
}

/// Fits one value to `kind`: whether it changed, or `None` when it must go. `null` stands for
/// no value, which every field may have.
fn fit(value: &mut Value, kind: Kind) -> Option<bool> {
    if value.is_null() {
        return Some(false);
    }
    match (kind, value) {
        (Kind::Text, Value::String(_)) => Some(false),
        (Kind::Id, Value::String(_)) => Some(false),
        (Kind::Id, v @ Value::Number(_)) => {
            *v = Value::String(v.to_string());
            Some(true)
        }
        (Kind::Size, Value::Number(n)) => n.is_u64().then_some(false),
        (Kind::Texts, Value::Array(texts)) => Some(retain(texts, |t| t.is_string())),
        (Kind::Person, Value::Object(person)) => Some(fit_person(person)),
        (Kind::People, Value::Array(people)) => {
            let mut changed = retain(people, Value::is_object);
            for person in people.iter_mut().filter_map(Value::as_object_mut) {
                changed |= fit_person(person);
            }
            Some(changed)
        }
        (Kind::Attachments, Value::Array(attachments)) => {
            let mut changed = false;
            for a in attachments.iter_mut().filter_map(Value::as_object_mut) {
                changed |= fit_object(a, ATTACHMENT);
            }
            // feed-rs needs both to make a link of one.
            let whole = |a: &Value| ["url", "mime_type"].iter().all(|k| a[k].is_string());
            Some(retain(attachments, whole) | changed)
        }
        (Kind::Items, Value::Array(items)) => {
            let mut changed = retain(items, Value::is_object);
            for item in items.iter_mut().filter_map(Value::as_object_mut) {
                changed |= fit_object(item, ITEM);
            }
            Some(changed)
        }
        _ => None,
    }
}

/// Fits an author object, its name spaced as in XML.
fn fit_person(person: &mut Map<String, Value>) -> bool {
    let mut changed = fit_object(person, PERSON);
    if let Some(Value::String(name)) = person.get_mut("name") {
        if let Some(spaced) = super::people::separate_addresses_in(name) {
            *name = spaced;
            changed = true;
        }
    }
    changed
}

/// Keeps the values `keep` accepts; whether any went.
fn retain(values: &mut Vec<Value>, keep: impl Fn(&Value) -> bool) -> bool {
    let before = values.len();
    values.retain(keep);
    values.len() != before
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fit_feed(json: &str) -> Option<Value> {
        fitted(json)
            .unwrap()
            .map(|t| serde_json::from_str(&t).unwrap())
    }

    #[test]
    fn fields_of_the_wrong_type_are_dropped_and_the_rest_kept() {
        let version = r#""version": "https://jsonfeed.org/version/1.1", "title": "T""#;
        for (case, json, want) in [
            (
                "tags as one string",
                format!(r#"{{{version}, "items": [{{"id": "1", "tags": "a,b", "title": "x"}}]}}"#),
                Some(r#"{"items": [{"id": "1", "title": "x"}]}"#),
            ),
            (
                "tags that are not all strings",
                format!(r#"{{{version}, "items": [{{"id": "1", "tags": ["a", 2]}}]}}"#),
                Some(r#"{"items": [{"id": "1", "tags": ["a"]}]}"#),
            ),
            (
                "numeric id",
                format!(r#"{{{version}, "items": [{{"id": 42}}]}}"#),
                Some(r#"{"items": [{"id": "42"}]}"#),
            ),
            (
                "author as a string, authors with a number",
                format!(
                    r#"{{{version}, "author": "Jane", "authors": [{{"name": "J"}}, 3], "items": []}}"#
                ),
                Some(r#"{"authors": [{"name": "J"}], "items": []}"#),
            ),
            (
                "attachment without a type, size as text",
                format!(
                    r#"{{{version}, "items": [{{"id": "1", "attachments": [{{"url": "u"}},
                       {{"url": "v", "mime_type": "audio/mpeg", "size_in_bytes": "9"}}]}}]}}"#
                ),
                Some(
                    r#"{"items": [{"id": "1", "attachments": [{"url": "v", "mime_type": "audio/mpeg"}]}]}"#,
                ),
            ),
            (
                "an item that is no object",
                format!(r#"{{{version}, "items": ["x", {{"id": "1"}}]}}"#),
                Some(r#"{"items": [{"id": "1"}]}"#),
            ),
            (
                "address next to a dash in a name",
                format!(
                    r#"{{{version}, "items": [{{"id": "1", "author": {{"name": "J —j@x.test"}}}}]}}"#
                ),
                Some(r#"{"items": [{"id": "1", "author": {"name": "J — j@x.test"}}]}"#),
            ),
            (
                "nothing to fit",
                format!(r#"{{{version}, "items": [{{"id": "1", "x": 1}}]}}"#),
                None,
            ),
        ] {
            let want = want.map(|w| {
                let mut w: Value = serde_json::from_str(w).unwrap();
                w["version"] = "https://jsonfeed.org/version/1.1".into();
                w["title"] = "T".into();
                w
            });
            assert_eq!(fit_feed(&json), want, "{case}");
        }
    }

    #[test]
    fn what_feed_rs_requires_is_given() {
        let got = fit_feed(r#"{"version": "http://jsonfeed.org/version/1", "items": null}"#);
        let want = serde_json::json!({"version": "https://jsonfeed.org/version/1", "title": "", "items": []});
        assert_eq!(got, Some(want));
        assert!(fitted("[1]").is_err(), "not a feed");
        assert!(fitted("{").is_err(), "not JSON");
        assert!(fitted("{} x").is_err(), "more than JSON");
        assert_eq!(
            fit_feed(r#"{"title": "t", "items": "none"}"#).unwrap()["items"],
            serde_json::json!([])
        );
    }
}
