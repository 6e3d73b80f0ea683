//! Every problem in `planet.toml` in one pass, each with its line.
//!
//! The text is read into `toml`'s spanned tree, then walked against the JSON Schema that
//! `schemars` derives from the very structs the config deserializes into, so the walk knows
//! every key, type, bound and allowed value without a second list to keep in step. Each key
//! the schema does not know, or whose value it refuses, becomes a [`Problem`] (with the
//! closest known key as a hint) and is set aside, so the walk goes on and the rest can still be
//! read; then the rules no type can say are checked on what was read (`rules`). Nothing here
//! reads a file or the network.

use serde::Deserialize;
use serde_json::Value;
use toml::de::{DeArray, DeTable, DeValue};
use toml::Spanned;

use super::problem::{Lines, Problem};
use super::Config;

/// Reads the text: the config made of everything that could be read, and every problem found.
/// The config is `None` only when what is wrong leaves nothing to read (broken TOML, or a
/// `[planet]` table that cannot stand).
pub(super) fn read(text: &str) -> (Option<Config>, Vec<Problem>, Lines) {
    // Line starts, found once: a line is looked up for every key of a config of thousands of
    // feeds.
    let newlines: Vec<usize> = memchr::memchr_iter(b'\n', text.as_bytes()).collect();
    let line_of = |offset: usize| Some(newlines.partition_point(|&n| n < offset) + 1);
    let (doc, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        let problems = errors
            .iter()
            .map(|e| Problem {
                line: e.span().and_then(|s| line_of(s.start)),
                place: String::new(),
                key: String::new(),
                message: e.message().trim().to_owned(),
                hint: None,
            })
            .collect();
        return (None, problems, Lines::default());
    }
    let schema = serde_json::to_value(schemars::schema_for!(Config)).unwrap_or_default();
    let mut walk = Walk {
        defs: std::rc::Rc::new(schema.get("$defs").cloned().unwrap_or_default()),
        line_of: &line_of,
        problems: Vec::new(),
        lines: Lines::default(),
    };
    let span = doc.span();
    let mut root = doc.into_inner();
    walk.root(&mut root, &schema);
    if !walk.usable(&root) {
        return (None, walk.problems, walk.lines);
    }
    let parsed = Config::deserialize(toml::de::Deserializer::from(Spanned::new(span, root)));
    let mut config = match parsed {
        Ok(c) => c,
        // The walk refuses everything the types refuse; should it miss a case, the type's own
        // message still names the line.
        Err(e) => {
            walk.problems.push(Problem {
                line: e.span().and_then(|s| line_of(s.start)),
                place: String::new(),
                key: String::new(),
                message: e.message().trim().to_owned(),
                hint: None,
            });
            return (None, walk.problems, walk.lines);
        }
    };
    for (i, feed) in config.feeds.iter_mut().enumerate() {
        feed.line = walk.lines.of(&format!("feeds.{i}.url"), 0);
    }
    let mut problems = walk.problems;
    problems.extend(super::rules::check(&mut config, &walk.lines));
    (Some(config), problems, walk.lines)
}

/// The schema a `$ref` to `defs` points at, else `schema` itself.
fn resolve<'s>(defs: &'s Value, schema: &'s Value) -> &'s Value {
    match schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/$defs/"))
    {
        Some(name) => defs.get(name).unwrap_or(schema),
        None => schema,
    }
}

/// The way out of a refused value, for the keys where one is not obvious.
const HINTS: &[(&str, &str)] = &[("max_items", "use `enabled = false` to hide a feed")];

struct Walk<'a> {
    /// The schema's definitions, shared: a table's schema is read from them while the walk
    /// records problems, and cloning it for each of 5,000 `[[feeds]]` was most of a large
    /// config's load.
    defs: std::rc::Rc<Value>,
    line_of: &'a dyn Fn(usize) -> Option<usize>,
    problems: Vec<Problem>,
    lines: Lines,
}

impl Walk<'_> {
    fn root(&mut self, root: &mut DeTable<'_>, schema: &Value) {
        let root_place = String::new();
        self.table(root, schema, "", &root_place, 1);
    }

    /// Whether the root can be deserialized: the walk puts stand-ins for missing required keys
    /// of the tables it reads, but a config without `[planet]` has nothing to stand on.
    fn usable(&self, root: &DeTable<'_>) -> bool {
        root.get("planet")
            .is_some_and(|p| p.get_ref().as_table().is_some())
    }

    /// Checks a table's keys against its schema; sets aside what it refuses.
    fn table(
        &mut self,
        table: &mut DeTable<'_>,
        schema: &Value,
        path: &str,
        place: &str,
        header_line: usize,
    ) {
        let defs = std::rc::Rc::clone(&self.defs);
        let schema = resolve(&defs, schema);
        let props = schema.get("properties").and_then(Value::as_object);
        let known: Vec<&str> = props
            .map(|p| p.keys().map(String::as_str).collect())
            .unwrap_or_default();
        let keys: Vec<String> = table.iter().map(|(k, _)| k.get_ref().to_string()).collect();
        // Keys whose value was refused: not "missing" as well.
        let mut reported = Vec::new();
        for key in keys {
            let Some((k, v)) = table.get_key_value(key.as_str()) else {
                continue;
            };
            let line = (self.line_of)(k.span().start);
            let at = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            let Some(prop) = props.and_then(|p| p.get(&key)) else {
                let mut p = Problem::new(&key, format!("unknown key `{key}`")).at(line, place);
                if let Some(close) = closest(&key, &known) {
                    p = p.hint(format!("did you mean `{close}`?"));
                }
                self.problems.push(p);
                table.remove(key.as_str());
                continue;
            };
            self.note_lines(&at, v);
            let refused = self.value(v.get_ref(), prop, &key);
            if let Some(message) = refused {
                reported.push(key.clone());
                let line = (self.line_of)(v.span().start).or(line);
                let mut p = Problem::new(&key, message).at(line, place);
                if let Some((_, hint)) = HINTS.iter().find(|(k, _)| *k == key) {
                    p = p.hint(*hint);
                }
                self.problems.push(p);
                table.remove(key.as_str());
                continue;
            }
            // Tables and lists of tables are walked in turn.
            let Some(v) = table.get_mut(key.as_str()) else {
                continue;
            };
            let vline = (self.line_of)(v.span().start).unwrap_or(header_line);
            match v.get_mut() {
                DeValue::Table(inner) => {
                    let inner_place = if path.is_empty() {
                        format!("`[{key}]`")
                    } else {
                        place.to_owned()
                    };
                    self.table(inner, resolve(&defs, prop), &at, &inner_place, vline);
                }
                DeValue::Array(items) => {
                    if let Some(item_schema) = prop.get("items") {
                        if resolve(&defs, item_schema).get("properties").is_some() {
                            self.tables(items, item_schema, &at, &key);
                        }
                    }
                }
                _ => {}
            }
        }
        for req in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !table.contains_key(req) && !reported.iter().any(|r| r == req) {
                self.problems.push(
                    Problem::new(req, format!("missing `{req}`")).at(Some(header_line), place),
                );
                if let Some(stand_in) = stand_in(req) {
                    table.insert(
                        Spanned::new(0..0, req.to_owned().into()),
                        Spanned::new(0..0, stand_in),
                    );
                }
            }
        }
    }

    /// Checks each table of a list (`[[feeds]]`, `[[topics]]`); one that cannot stand (no
    /// readable `url` or `name`) is set aside whole, so the others are still read.
    fn tables(&mut self, items: &mut DeArray<'_>, schema: &Value, path: &str, key: &str) {
        let defs = std::rc::Rc::clone(&self.defs);
        let schema = resolve(&defs, schema);
        let required: Vec<String> = schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|r| r.as_str().map(str::to_owned))
            .collect();
        let mut kept = DeArray::new();
        let taken: Vec<Spanned<DeValue<'_>>> = items.iter().cloned().collect();
        for (i, mut item) in taken.into_iter().enumerate() {
            let line = (self.line_of)(item.span().start).unwrap_or(1);
            let before = self.problems.len();
            let index = kept.len();
            if let DeValue::Table(t) = item.get_mut() {
                let place = describe(key, t, i);
                self.table(t, schema, &format!("{path}.{index}"), &place, line);
                let stands = required.iter().all(|r| {
                    t.get(r.as_str()).is_some()
                        && !self.problems[before..].iter().any(|p| p.key == *r)
                });
                if !stands {
                    self.forget(&format!("{path}.{index}."));
                    continue;
                }
            }
            kept.push(item);
        }
        *items = kept;
    }

    /// Drops the lines recorded under a table that was set aside.
    fn forget(&mut self, prefix: &str) {
        self.lines.0.retain(|k, _| !k.starts_with(prefix));
    }

    fn note_lines(&mut self, path: &str, v: &Spanned<DeValue<'_>>) {
        let mut lines = vec![(self.line_of)(v.span().start).unwrap_or(0)];
        if let DeValue::Array(items) = v.get_ref() {
            lines.extend(
                items
                    .iter()
                    .map(|i| (self.line_of)(i.span().start).unwrap_or(0)),
            );
        }
        self.lines.0.insert(path.to_owned(), lines);
    }

    fn resolve<'s>(&'s self, schema: &'s Value) -> &'s Value {
        resolve(&self.defs, schema)
    }

    /// Why the schema refuses the value, or `None` when it takes it (tables are walked apart).
    fn value(&self, v: &DeValue<'_>, schema: &Value, key: &str) -> Option<String> {
        let schema = self.resolve(schema);
        if let Some(choices) = schema.get("oneOf").or_else(|| schema.get("anyOf")) {
            let choices = choices.as_array()?;
            // An optional choice (`Option<Display>`) is a choice of the choice or null.
            let consts: Vec<&str> = choices
                .iter()
                .map(|c| self.resolve(c))
                .flat_map(|c| match c.get("oneOf").or_else(|| c.get("anyOf")) {
                    Some(Value::Array(inner)) => inner.iter().map(|i| self.resolve(i)).collect(),
                    _ => vec![c],
                })
                .filter_map(|c| c.get("const").and_then(Value::as_str))
                .collect();
            if choices.iter().any(|c| self.value(v, c, key).is_none()) {
                return None;
            }
            return Some(if consts.is_empty() {
                format!("`{key}` {}", expected(schema))
            } else {
                let list: Vec<String> = consts.iter().map(|c| format!("`{c}`")).collect();
                format!(
                    "`{key}` must be one of {}, not {}",
                    list.join(", "),
                    shown(v)
                )
            });
        }
        if let Some(c) = schema.get("const").and_then(Value::as_str) {
            return (v.as_str() != Some(c)).then(|| format!("`{key}` must be `{c}`"));
        }
        let types: Vec<&str> = match schema.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => return None,
        };
        let wrong = || Some(format!("`{key}` {}, not {}", expected(schema), shown(v)));
        match v {
            DeValue::Integer(i) if types.contains(&"integer") => {
                let n = i64::from_str_radix(i.as_str().replace('_', "").as_str(), i.radix()).ok();
                let min = schema.get("minimum").and_then(Value::as_i64);
                let max = match schema.get("format").and_then(Value::as_str) {
                    Some("uint32") => Some(i64::from(u32::MAX)),
                    Some("uint8") => Some(255),
                    _ => None,
                };
                match (n, min, max) {
                    (None, ..) => Some(format!("`{key}` is too large")),
                    (Some(n), Some(min), _) if n < min => {
                        Some(format!("`{key}` must be {min} or more, not `{n}`"))
                    }
                    (Some(n), _, Some(max)) if n > max => {
                        Some(format!("`{key}` must be {max} or less, not `{n}`"))
                    }
                    _ => None,
                }
            }
            DeValue::Float(_) if types.contains(&"number") => None,
            DeValue::Boolean(_) if types.contains(&"boolean") => None,
            DeValue::String(s) if types.contains(&"string") => {
                match schema.get("format").and_then(Value::as_str) {
                    Some("uri") => url::Url::parse(s.trim())
                        .err()
                        .map(|e| format!("`{key}` must be an absolute URL, not `{s}` ({e})")),
                    _ => None,
                }
            }
            DeValue::Array(items) if types.contains(&"array") => {
                let item = schema.get("items")?;
                items.iter().enumerate().find_map(|(n, i)| {
                    let is_table = self.resolve(item).get("properties").is_some();
                    if is_table && matches!(i.get_ref(), DeValue::Table(_)) {
                        return None;
                    }
                    self.value(i.get_ref(), item, key)
                        .map(|why| format!("item {} of {why}", n + 1))
                })
            }
            DeValue::Table(_) if types.contains(&"object") => None,
            _ => wrong(),
        }
    }
}

/// How a table of a list is named in messages: a feed by its URL, a topic by its name, else
/// by its position.
fn describe(key: &str, t: &DeTable<'_>, i: usize) -> String {
    let noun = key.strip_suffix('s').unwrap_or(key);
    for field in ["url", "name"] {
        if let Some(v) = t.get(field).and_then(|v| v.get_ref().as_str()) {
            return format!("{noun} `{}`", v.trim());
        }
    }
    format!("{noun} #{}", i + 1)
}

/// A value put in place of a missing required key of `[planet]`, so the rest of the file can
/// still be read and checked (the problem is reported; the config is never used to run).
fn stand_in(key: &str) -> Option<DeValue<'static>> {
    match key {
        "name" | "owner_name" => Some(DeValue::String("".into())),
        "link" => Some(DeValue::String("https://planet.invalid/".into())),
        _ => None,
    }
}

/// What a schema takes, in words.
fn expected(schema: &Value) -> String {
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let words = types
        .iter()
        .filter(|t| **t != "null")
        .map(|t| match *t {
            "integer" => match schema.get("minimum").and_then(Value::as_i64) {
                Some(min) => format!("a whole number, {min} or more"),
                None => "a whole number".to_owned(),
            },
            "number" => "a number".to_owned(),
            "boolean" => "`true` or `false`".to_owned(),
            "string" if schema.get("format").and_then(Value::as_str) == Some("uri") => {
                "an absolute URL in quotes".to_owned()
            }
            "string" => "a string in quotes".to_owned(),
            "array" => "a list (`[…]`)".to_owned(),
            "object" => "a table".to_owned(),
            other => other.to_owned(),
        })
        .collect::<Vec<_>>();
    format!("must be {}", words.join(" or "))
}

/// A value as the message shows it.
fn shown(v: &DeValue<'_>) -> String {
    match v {
        DeValue::String(s) => format!("`\"{s}\"`"),
        DeValue::Integer(i) => format!("`{i}`"),
        DeValue::Float(f) => format!("`{f}`"),
        DeValue::Boolean(b) => format!("`{b}`"),
        DeValue::Datetime(d) => format!("`{d}`"),
        DeValue::Array(_) => "a list".to_owned(),
        DeValue::Table(_) => "a table".to_owned(),
    }
}

/// The known word (a key, a feed's name) a misspelt one most likely meant, case aside.
pub fn closest<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    let key = key.to_lowercase();
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(&key, &k.to_lowercase()), *k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLANET: &str = "[planet]\nname = \"P\"\nlink = \"https://p.test/\"\nowner_name = \"O\"\n";

    fn problems(text: &str) -> Vec<String> {
        read(text).1.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn every_problem_in_one_pass_with_its_line() {
        let text = format!(
            "{PLANET}itmes_per_page = 5\nconcurrency = -1\nsort_by = \"title\"\nexclude = [\"ok\", \"(\"]\n\
             [[feeds]]\nurl = \"https://a.test/feed\"\ncolour = \"red\"\nmax_items = 0\n\
             [[feeds]]\nurl = \"https://b.test/feed\"\ninclude = [\"(unclosed\"]\nexclude = [\"[z-a]\"]\n\
             [[feeds]]\nurl = \"not a url\"\n\
             [[feeds]]\nurl = \"https://ok.test/feed\"\nenabled = \"yes\"\n"
        );
        let (config, found, _) = read(&text);
        let all: Vec<String> = found.iter().map(ToString::to_string).collect();
        let want = [
            "line 5: `[planet]`: unknown key `itmes_per_page`\n  hint: did you mean `items_per_page`?",
            "line 6: `[planet]`: `concurrency` must be 1 or more, not `-1`",
            "line 7: `[planet]`: `sort_by` must be one of `published`, `updated`, not `\"title\"`",
            "line 15: feed `https://b.test/feed`: invalid regex `(unclosed` in `include`: unclosed group",
            "line 18: feed `not a url`: `url` must be an absolute URL, not `not a url` (relative URL without a base)",
            "line 21: feed `https://ok.test/feed`: `enabled` must be `true` or `false`, not `\"yes\"`",
            "line 8: `[planet]`: invalid regex `(` in `exclude`: unclosed group",
            "line 11: feed `https://a.test/feed`: unknown key `colour`",
            "line 12: feed `https://a.test/feed`: `max_items` must be 1 or more, not `0`\n  hint: use `enabled = false` to hide a feed",
            "line 16: feed `https://b.test/feed`: invalid regex `[z-a]` in `exclude`: invalid character class range, the start must be <= the end",
        ];
        assert_eq!(all.len(), want.len(), "{all:#?}");
        for w in want {
            assert!(all.iter().any(|a| a == w), "missing {w:?} in {all:#?}");
        }
        let config = config.expect("what could be read");
        let urls: Vec<&str> = config.feeds.iter().map(|f| f.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://a.test/feed",
                "https://b.test/feed",
                "https://ok.test/feed"
            ],
            "a feed without a readable url is set aside; the others are read"
        );
        assert_eq!(config.feeds[2].line, Some(20));
    }

    #[test]
    fn a_missing_table_or_key_is_named() {
        assert_eq!(
            problems("[planet]\nname = \"P\"\nlink = \"https://p.test/\"\n"),
            ["line 1: `[planet]`: missing `owner_name`"]
        );
        let found = problems("title = \"x\"\n");
        assert!(
            found.iter().any(|p| p.contains("missing `planet`")),
            "{found:?}"
        );
        assert!(
            found.iter().any(|p| p.contains("unknown key `title`")),
            "{found:?}"
        );
    }

    #[test]
    fn broken_toml_names_its_line() {
        let found = problems(&format!("{PLANET}items_per_page = \n"));
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("line 5: "), "{found:?}");
    }

    #[test]
    fn nested_tables_and_lists_are_checked() {
        let found = problems(&format!(
            "{PLANET}outputs = {{ rss = true, atom = false }}\nhide = [1]\n"
        ));
        assert!(
            found.contains(
                &"line 5: `[planet]`: unknown key `atom`\n  hint: did you mean `rss`?".to_owned()
            ) || found.iter().any(|p| p.contains("unknown key `atom`")),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|p| p.contains("item 1 of `hide` must be a string in quotes, not `1`")),
            "{found:?}"
        );
    }

    #[test]
    fn topics_language_and_timezone_are_checked_with_their_lines() {
        let text = format!(
            "{PLANET}language = \"ja\"\ntimezone = \"Mars/Olympus\"\n\
             [[feeds]]\nurl = \"https://a.test/feed\"\nname = \"Alice\"\n\
             [[topics]]\nname = \"Rust news\"\ninclude = [\"(\"]\nfeeds = [\"Alice\", \"Bob\"]\ncolour = 1\n\
             [[topics]]\nname = \"Other\"\nslug = \"rust-news\"\n\
             [[topics]]\nname = \"Bad\"\nslug = \"Not OK\"\n"
        );
        let (config, _, _) = read(&text);
        let all = problems(&text);
        let want = [
            "line 5: `[planet]`: `language` must be one of en, fr, de, es, it, pt, nl, not `ja`",
            "line 6: `[planet]`: `timezone` must be an IANA time zone name, not `Mars/Olympus`\n  hint: write `UTC` or a name such as `Europe/Paris`, `America/New_York`, `Asia/Tokyo`",
            "line 12: topic `Rust news`: invalid regex `(` in `include`: unclosed group",
            "line 13: topic `Rust news`: `feeds` names `Bob`, which no `[[feeds]]` table has\n  hint: use a feed's `name` or its `url` as written in `[[feeds]]`",
            "line 14: topic `Rust news`: unknown key `colour`",
            "line 17: topic `Other`: slug `rust-news` is also the slug of the topic above (line 11)\n  hint: give one of them another `slug`",
            "line 20: topic `Bad`: `slug` must be lowercase ASCII letters, digits and `-`, not `Not OK`\n  hint: set `slug` to the file name the topic's pages should have",
        ];
        for w in want {
            assert!(all.iter().any(|a| a == w), "missing {w:?} in {all:#?}");
        }
        assert_eq!(all.len(), want.len(), "{all:#?}");
        let config = config.unwrap();
        assert_eq!(config.topics[0].feed_urls, ["https://a.test/feed"]);
        assert_eq!(config.topics[0].slug(), "rust-news");
    }

    #[test]
    fn a_clean_config_has_no_problems() {
        let (config, found, _) = read(&format!("{PLANET}[[feeds]]\nurl = \"https://a.test/f\"\n"));
        assert!(found.is_empty(), "{found:?}");
        assert_eq!(config.unwrap().feeds[0].line, Some(6));
    }
}
