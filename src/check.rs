//! `planet check`: what is wrong with `planet.toml`, and with `--fetch`, with its feeds.
//!
//! [`lint`] reads the config text and lists every problem it can find, not only the first: each
//! config error names its feed and line; the feed at fault is blanked out (its lines, so line
//! numbers hold) and the text parsed again, so one bad feed does not hide the next. On a valid
//! config it adds what the loader tolerates but an operator wants to know: the same feed twice
//! under two spellings, a missing `templates_dir`. [`probe`] fetches every enabled feed once
//! through the run's [`fetch::Client`] and reports the moved, gone, failing and not-a-feed ones.
//! Nothing here writes: the operator (or the CI of a planet that takes subscriptions by pull
//! request) reads the list and fixes the file.

use std::collections::HashMap;
use std::path::Path;

use crate::config::{self, Config};
use crate::{discover, error_chain, fetch, parse, select};

/// One thing wrong, as one line for the operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem(pub String);

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// How many config errors one `lint` reports before it stops looking.
const MAX_PROBLEMS: usize = 50;

/// Every problem in the config text, and the config made of what is left once the feeds at
/// fault are set aside (so `--fetch` can still try the good ones); `None` when even that fails.
pub fn lint(text: &str, path: &Path) -> (Vec<Problem>, Option<Config>) {
    let mut found: Vec<(Option<usize>, Problem)> = Vec::new();
    let mut text = text.to_owned();
    let config = loop {
        match config::parse(&text, path) {
            Ok(c) => break Some(c),
            Err(e) => {
                let line = error_line(&e, &text);
                found.push((line, Problem(error_chain(&e))));
                // Blank out the feed at fault and look again; anything else ends the search.
                let Some(range) = line.and_then(|l| feed_table(&text, l)) else {
                    break None;
                };
                if found.len() >= MAX_PROBLEMS {
                    break None;
                }
                text = blank_lines(&text, range);
            }
        }
    };
    // Syntax errors surface before rule errors: report in the file's order instead.
    found.sort_by_key(|(line, _)| *line);
    let mut problems: Vec<Problem> = found.into_iter().map(|(_, p)| p).collect();
    let Some(config) = config else {
        return (problems, None);
    };
    let mut seen: HashMap<String, &str> = HashMap::new();
    for f in &config.feeds {
        let Some(key) = select::canonical_link(f.url.as_str()) else {
            continue;
        };
        if let Some(first) = seen.insert(key, f.url.as_str()) {
            let at = f.line.map(|l| format!(" (line {l})")).unwrap_or_default();
            problems.push(Problem(format!(
                "feed `{}`{at} is the same feed as `{first}`",
                f.url
            )));
        }
    }
    if let Some(dir) = &config.planet.templates_dir {
        let full = path.parent().unwrap_or(Path::new(".")).join(dir);
        if !full.is_dir() {
            problems.push(Problem(format!(
                "`templates_dir` `{}` does not exist",
                full.display()
            )));
        }
    }
    (problems, Some(config))
}

/// Fetches every enabled feed once and reports the ones an operator must act on.
pub async fn probe(config: &Config, text: &str) -> Result<Vec<Problem>, fetch::Error> {
    let client = fetch::Client::new(&config.planet)?;
    let requests = config
        .feeds
        .iter()
        .filter(|f| f.enabled)
        .map(|f| fetch::Request {
            url: f.url.clone(),
            etag: None,
            last_modified: None,
        })
        .collect();
    let mut results = fetch::fetch_all(client, requests, config.planet.concurrency, |req, res| {
        let url = req.url.to_string();
        let verdict = match res {
            Ok(fetch::Outcome::Body(body)) => {
                match parse::parse_feed(&body.bytes[..], &url, body.final_url.as_str(), body.content_type.as_deref()) {
                        Err(_) if discover::looks_like_html(&body.bytes) => Verdict::Problem(format!(
                            "is a web page, not a feed\n  hint: `planet add {url}` finds the feed it links to"
                        )),
                        Err(e) => Verdict::Problem(format!("is not a feed: {}", error_chain(&e))),
                        // Moved only as `run` sees it: every redirect on the way permanent.
                        Ok(_) => match &body.hints.moved_to {
                            Some(to) => Verdict::Problem(format!(
                                "has moved to `{to}`\n  hint: change its `url` to the new address"
                            )),
                            None => Verdict::Fine,
                        },
                    }
            }
            Ok(fetch::Outcome::NotModified { .. }) => Verdict::Fine,
            Err(fetch::Error::Status { status, .. }) if status.as_u16() == 410 => Verdict::Problem(
                "is gone (HTTP 410)\n  hint: the blog removed it for good: remove the feed"
                    .to_owned(),
            ),
            Err(e) => Verdict::Problem(format!("is failing: {}", error_chain(&e))),
        };
        (url, verdict)
    });
    let mut problems = Vec::new();
    while let Some((url, verdict)) = results.recv().await {
        let problem = match verdict {
            Verdict::Fine => None,
            Verdict::Problem(p) => Some(p),
        };
        if let Some(p) = problem {
            let at = config
                .feeds
                .iter()
                .find(|f| f.url.as_str() == url)
                .and_then(|f| f.line)
                .or_else(|| config::line_of(text, &url))
                .map(|l| format!(" (line {l})"))
                .unwrap_or_default();
            problems.push(Problem(format!("feed `{url}`{at} {p}")));
        }
    }
    // Results arrive as fetches complete: report in the file's order.
    problems.sort_by_key(|p| {
        config
            .feeds
            .iter()
            .position(|f| p.0.starts_with(&format!("feed `{}`", f.url)))
    });
    Ok(problems)
}

/// What one fetch says about a feed.
enum Verdict {
    Fine,
    Problem(String),
}

/// The 1-based line a config error points at: toml's span, else `(line N)` in the message.
fn error_line(e: &config::Error, text: &str) -> Option<usize> {
    match e {
        config::Error::Syntax { source, .. } | config::Error::FeedSyntax { source, .. } => {
            let start = source.span()?.start;
            Some(text.get(..start)?.matches('\n').count() + 1)
        }
        config::Error::Invalid { message, .. } => {
            let (_, rest) = message.split_once("(line ")?;
            rest.split(')').next()?.parse().ok()
        }
        config::Error::Read { .. } => None,
    }
}

/// The 1-based line range of the `[[feeds]]` table holding `line`, header included.
fn feed_table(text: &str, line: usize) -> Option<std::ops::Range<usize>> {
    let lines: Vec<&str> = text.lines().collect();
    let is_header = |l: &str| l.trim_start().starts_with('[');
    let start = (1..=line.min(lines.len()))
        .rev()
        .find(|&n| is_header(lines[n - 1]))?;
    if !lines[start - 1].trim().starts_with("[[feeds]]") {
        return None;
    }
    let end = (start + 1..=lines.len())
        .find(|&n| is_header(lines[n - 1]))
        .unwrap_or(lines.len() + 1);
    Some(start..end)
}

fn blank_lines(text: &str, range: std::ops::Range<usize>) -> String {
    text.split_inclusive('\n')
        .enumerate()
        .map(|(i, l)| {
            if range.contains(&(i + 1)) {
                if l.ends_with('\n') {
                    "\n"
                } else {
                    ""
                }
            } else {
                l
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLANET: &str = "[planet]\nname = \"P\"\nlink = \"https://p.test/\"\nowner_name = \"O\"\n";

    #[test]
    fn lists_every_bad_feed_with_its_line() {
        let text = format!(
            "{PLANET}\n[[feeds]]\nurl = \"https://a.test/feed\"\ncolour = \"red\"\n\n[[feeds]]\nurl = \"https://b.test/feed\"\ninclude = [\"(unclosed\"]\n\n[[feeds]]\nurl = \"not a url\"\n\n[[feeds]]\nurl = \"https://ok.test/feed\"\n"
        );
        let (problems, config) = lint(&text, Path::new("planet.toml"));
        let rest = config.expect("the feeds left make a config");
        assert_eq!(rest.feeds.len(), 1, "only the good feed is left to fetch");
        let all: Vec<String> = problems.iter().map(|p| p.0.clone()).collect();
        assert_eq!(all.len(), 3, "{all:#?}");
        assert!(
            all[0].contains("https://a.test/feed")
                && all[0].contains("colour")
                && all[0].contains("line 8"),
            "{}",
            all[0]
        );
        assert!(
            all[1].contains("https://b.test/feed")
                && all[1].contains("line 12")
                && all[1].contains("regex"),
            "{}",
            all[1]
        );
        assert!(
            all[2].contains("not a url") && all[2].contains("line 15"),
            "{}",
            all[2]
        );
    }

    #[test]
    fn flags_the_same_feed_spelt_twice() {
        let text = format!(
            "{PLANET}[[feeds]]\nurl = \"https://a.test/feed\"\n[[feeds]]\nurl = \"http://www.a.test/feed/\"\n"
        );
        let (problems, _) = lint(&text, Path::new("planet.toml"));
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].0.contains("line 8"), "{}", problems[0]);
    }

    #[test]
    fn a_clean_config_has_no_problems() {
        let text = format!("{PLANET}[[feeds]]\nurl = \"https://a.test/feed\"\n");
        let (problems, config) = lint(&text, Path::new("planet.toml"));
        assert!(problems.is_empty());
        assert!(config.is_some());
    }
}
