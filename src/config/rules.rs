//! The rules no type can say, checked on what the schema walk read: a feed listed twice, a
//! regex that does not compile, a limit of zero, a topic naming a feed no table has, two topics
//! with one slug. The regexes are compiled on the way, once.

use std::collections::HashMap;

use super::problem::{Lines, Problem};
use super::{face_url, Config};

/// The rules no type can say, on what was read; compiles the regexes on the way.
pub(super) fn check(config: &mut Config, lines: &Lines) -> Vec<Problem> {
    let mut problems = Vec::new();
    let planet = "`[planet]`";
    let mut planet_rule = |key: &str, ok: bool, message: String| {
        if !ok {
            problems
                .push(Problem::new(key, message).at(lines.of(&format!("planet.{key}"), 0), planet));
        }
    };
    let p = &config.planet;
    planet_rule(
        "link",
        matches!(p.link.scheme(), "http" | "https"),
        format!("`link` must be an http(s) URL, not `{}`", p.link),
    );
    planet_rule(
        "language",
        crate::locale::supported(&p.language).is_some(),
        format!(
            "`language` must be one of {}, not `{}`",
            crate::locale::LANGUAGES.join(", "),
            p.language
        ),
    );
    if crate::locale::time_zone(&p.timezone).is_none() {
        problems.push(
            Problem::new(
                "timezone",
                format!(
                    "`timezone` must be an IANA time zone name, not `{}`",
                    p.timezone
                ),
            )
            .at(lines.of("planet.timezone", 0), planet)
            .hint("write `UTC` or a name such as `Europe/Paris`, `America/New_York`, `Asia/Tokyo`"),
        );
    }
    let (exclude, mut found) = compile(&p.exclude, "planet.exclude", "exclude", planet, lines);
    problems.append(&mut found);
    config.planet.exclude_re = exclude;
    let link = config.planet.link.clone();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, feed) in config.feeds.iter_mut().enumerate() {
        let place = format!("feed `{}`", feed.url);
        let line = |key: &str, n: usize| lines.of(&format!("feeds.{i}.{key}"), n);
        let mut rule = |key: &str, ok: bool, message: String, hint: Option<&str>| {
            if !ok {
                let mut p = Problem::new(key, message).at(line(key, 0), &place);
                if let Some(h) = hint {
                    p = p.hint(h);
                }
                problems.push(p);
            }
        };
        rule(
            "url",
            matches!(feed.url.scheme(), "http" | "https"),
            format!(
                "only http and https feeds can be fetched, not `{}`",
                feed.url.scheme()
            ),
            None,
        );
        if let Some(first) = seen.insert(feed.url.to_string(), i) {
            let first_line = lines.of(&format!("feeds.{first}.url"), 0);
            let also = first_line
                .map(|l| format!(" (line {l})"))
                .unwrap_or_default();
            rule(
                "url",
                false,
                format!("listed twice: also the feed above{also}"),
                Some("delete one of the two tables"),
            );
        }
        if let Some(face) = &feed.face {
            rule(
                "face",
                face_url(&link, face).is_some(),
                format!("`face` must be an http(s) URL or a path, not `{face}`"),
                None,
            );
        }
        let at = format!("feeds.{i}");
        let (include, mut a) = compile(
            &feed.include,
            &format!("{at}.include"),
            "include",
            &place,
            lines,
        );
        let (exclude, mut b) = compile(
            &feed.exclude,
            &format!("{at}.exclude"),
            "exclude",
            &place,
            lines,
        );
        problems.append(&mut a);
        problems.append(&mut b);
        feed.include_re = include;
        feed.exclude_re = exclude;
    }
    problems.extend(topic_rules(config, lines));
    problems
}

/// `[[topics]]`: regexes that compile, feeds that are listed, slugs that make file names and
/// name one topic each.
fn topic_rules(config: &mut Config, lines: &Lines) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut slugs: HashMap<String, usize> = HashMap::new();
    let feeds: Vec<(String, Option<String>)> = config
        .feeds
        .iter()
        .map(|f| (f.url.to_string(), f.name.clone()))
        .collect();
    for (i, topic) in config.topics.iter_mut().enumerate() {
        let place = format!("topic `{}`", topic.name);
        let at = format!("topics.{i}");
        let line = |key: &str, n: usize| lines.of(&format!("{at}.{key}"), n);
        let slug = topic.slug();
        let valid = !slug.is_empty()
            && slug
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !valid {
            let key = if topic.slug.is_some() { "slug" } else { "name" };
            problems.push(
                Problem::new(
                    "slug",
                    format!("`slug` must be lowercase ASCII letters, digits and `-`, not `{slug}`"),
                )
                .at(line(key, 0), &place)
                .hint("set `slug` to the file name the topic's pages should have"),
            );
        } else if let Some(first) = slugs.insert(slug.clone(), i) {
            let key = if topic.slug.is_some() { "slug" } else { "name" };
            let also = lines
                .of(&format!("topics.{first}.name"), 0)
                .map(|l| format!(" (line {l})"))
                .unwrap_or_default();
            problems.push(
                Problem::new(
                    "slug",
                    format!("slug `{slug}` is also the slug of the topic above{also}"),
                )
                .at(line(key, 0), &place)
                .hint("give one of them another `slug`"),
            );
        }
        let (include, mut found) = compile(
            &topic.include,
            &format!("{at}.include"),
            "include",
            &place,
            lines,
        );
        problems.append(&mut found);
        topic.include_re = include;
        topic.feed_urls.clear();
        for (n, wanted) in topic.feeds.iter().enumerate() {
            let w = wanted.trim();
            let found = feeds
                .iter()
                .find(|(url, name)| url == w || name.as_deref().is_some_and(|n| n.trim() == w));
            match found {
                Some((url, _)) => topic.feed_urls.push(url.clone()),
                None => problems.push(
                    Problem::new(
                        "feeds",
                        format!("`feeds` names `{w}`, which no `[[feeds]]` table has"),
                    )
                    .at(line("feeds", n), &place)
                    .hint("use a feed's `name` or its `url` as written in `[[feeds]]`"),
                ),
            }
        }
    }
    problems
}

/// Compiles each regex of a list, or says which one does not compile and why.
fn compile(
    patterns: &[String],
    path: &str,
    key: &str,
    place: &str,
    lines: &Lines,
) -> (Vec<regex::Regex>, Vec<Problem>) {
    let mut compiled = Vec::new();
    let mut problems = Vec::new();
    for (n, p) in patterns.iter().enumerate() {
        match regex::Regex::new(p) {
            Ok(re) => compiled.push(re),
            Err(e) => {
                let first = e.to_string();
                let last = first.lines().last().unwrap_or_default().trim();
                let reason = last.trim_start_matches("error:").trim();
                problems.push(
                    Problem::new(key, format!("invalid regex `{p}` in `{key}`: {reason}"))
                        .at(lines.of(path, n), place),
                );
            }
        }
    }
    (compiled, problems)
}
