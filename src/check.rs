//! `planet check`: what is wrong with `planet.toml`, and with `--fetch`, with its feeds.
//!
//! [`lint`] lists every problem of the config text in one pass (each with its line, see
//! `config`), then what `planet run` would refuse before fetching ([`preflight`]: an output
//! folder that is a file, a theme that does not load), then what the loader tolerates but an
//! operator wants to know: the same feed twice under two spellings. [`probe`] fetches every
//! enabled feed once and classifies each answer exactly as a run does (`refresh`), so both say
//! the same thing of a feed that moved, is gone, fails or is not a feed. The operator (or the
//! CI of a planet that takes subscriptions by pull request) reads the list and fixes the file;
//! [`fix`] (`--fix`) is the one write: the `url` of each feed that moved for good becomes its
//! new address, through `subscriptions`, so the file's comments and layout stay.

use std::collections::HashMap;
use std::path::Path;

use crate::config::{self, Config, Problem};
use crate::links::canonical_link;
use crate::model::Outcome;
use crate::subscriptions::{self, Subscriptions};
use crate::{error_chain, fetch, refresh, render};

/// Every problem of the config text, and the config made of what could be read (with its
/// paths resolved against `path`), so `--fetch` can still try the good feeds.
pub fn lint(text: &str, path: &Path) -> (Vec<Problem>, Option<Config>) {
    let (config, mut problems) = config::lint(text);
    let Some(mut config) = config else {
        return (problems, None);
    };
    config::resolve_paths(&mut config, path);
    problems.extend(preflight(&config));
    let mut seen: HashMap<String, &str> = HashMap::new();
    for f in &config.feeds {
        let Some(key) = canonical_link(f.url.as_str()) else {
            continue;
        };
        // Spelt the same, it is already a problem of the config itself.
        let twice = seen
            .insert(key, f.url.as_str())
            .filter(|first| *first != f.url.as_str());
        if let Some(first) = twice {
            problems.push(Problem {
                line: f.line,
                place: format!("feed `{}`", f.url),
                key: "url".to_owned(),
                message: format!("the same feed as `{first}`"),
                hint: Some("delete one of the two".to_owned()),
            });
        }
    }
    (problems, Some(config))
}

/// What would stop a run before it fetches anything, beyond the config text itself: an output
/// folder that is a file, a theme that does not load. `planet run` refuses these too.
pub fn preflight(config: &Config) -> Vec<Problem> {
    let mut problems = Vec::new();
    let out = &config.planet.output_dir;
    if out.exists() && !out.is_dir() {
        problems.push(Problem::new(
            "output_dir",
            format!("`output_dir` `{}` is a file, not a folder", out.display()),
        ));
    }
    if let Err(e) = render::html::load_for(&config.planet) {
        problems.push(Problem::new("templates_dir", error_chain(&e)));
    }
    problems
}

/// What fetching every feed found.
#[derive(Debug, Default)]
pub struct Probe {
    /// Feeds that fail, are gone or are not feeds, in the file's order.
    pub problems: Vec<Problem>,
    /// Feeds that moved for good, in the file's order: a problem each, until [`fix`]ed.
    pub moved: Vec<Moved>,
}

/// A feed that moved for good (every redirect 301 or 308).
#[derive(Debug, Clone, PartialEq)]
pub struct Moved {
    /// The subscription, as `planet.toml` has it.
    pub url: String,
    /// Where it went.
    pub to: String,
    /// The line of its `url`.
    pub line: Option<usize>,
}

impl Moved {
    /// The problem it is while `planet.toml` keeps the old address.
    pub fn problem(&self) -> Problem {
        Problem {
            line: self.line,
            place: format!("feed `{}`", self.url),
            key: "url".to_owned(),
            message: format!("moved permanently to `{}`", self.to),
            hint: Some(
                "change its `url` to the new address (`planet check --fetch --fix` does)"
                    .to_owned(),
            ),
        }
    }
}

/// What [`fix`] did with one feed that moved.
#[derive(Debug, Clone, PartialEq)]
pub enum Fixed {
    /// Its `url` is now the new address.
    Changed(Moved),
    /// The new address is already subscribed (as `existing`): two entries for one feed would
    /// be worse, so the operator chooses.
    Duplicate {
        /// The feed.
        moved: Moved,
        /// The subscription at the new address.
        existing: String,
    },
}

impl Fixed {
    /// What is left to do, if anything.
    pub fn problem(&self) -> Option<Problem> {
        match self {
            Fixed::Changed(_) => None,
            Fixed::Duplicate { moved, existing } => Some(Problem {
                message: format!(
                    "moved permanently to `{}`, which is already subscribed as `{existing}`",
                    moved.to
                ),
                hint: Some("delete one of the two".to_owned()),
                ..moved.problem()
            }),
        }
    }
}

/// `--fix`: writes the new address of every feed that moved into `planet.toml`, keeping its
/// comments and layout, unless the new address is already subscribed. Writes nothing when no
/// `url` changes.
pub fn fix(path: &Path, moved: &[Moved]) -> Result<Vec<Fixed>, subscriptions::Error> {
    let mut subs = Subscriptions::open(path)?;
    let mut done = Vec::new();
    for m in moved {
        let existing = subs
            .duplicate_of(&[&m.to], &[])
            .filter(|e| canonical_link(e) != canonical_link(&m.url));
        done.push(match existing {
            Some(existing) => Fixed::Duplicate {
                moved: m.clone(),
                existing,
            },
            None => {
                subs.set_url(&m.url, &m.to)?;
                Fixed::Changed(m.clone())
            }
        });
    }
    if done.iter().any(|d| matches!(d, Fixed::Changed(_))) {
        subs.save()?;
    }
    Ok(done)
}

/// [`preflight`] as a run takes it: its problems, if any, refuse the run as an invalid config.
pub fn ready(config: &Config, path: &Path) -> Result<(), config::Error> {
    let problems = preflight(config);
    if problems.is_empty() {
        return Ok(());
    }
    Err(config::Error::Invalid {
        path: path.to_owned(),
        problems,
    })
}

/// Fetches every enabled feed once, as a forced run would, and reports the ones an operator
/// must act on, in the file's order.
pub async fn probe(
    config: &Config,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Probe, fetch::Error> {
    let plan = refresh::plan(config, &HashMap::new(), now, true);
    let context = std::sync::Arc::new(refresh::Context::new(config, HashMap::new(), now));
    let client = fetch::Client::new(&config.planet)?;
    let mut answers = fetch::fetch_all(
        client,
        plan.requests,
        config.planet.concurrency,
        move |planned, result| {
            let classified = refresh::classify(&context, &planned, result);
            (planned, classified.update.outcome)
        },
    );
    let mut probe = Probe::default();
    while let Some((planned, outcome)) = answers.recv().await {
        match outcome {
            Outcome::Failed(f) => probe.problems.push(Problem {
                line: planned.line,
                place: format!("feed `{}`", planned.subscription),
                key: "url".to_owned(),
                message: f.reason,
                hint: f.hint,
            }),
            Outcome::Fetched(f) => probe.moved.extend(f.moved_to.map(|to| Moved {
                url: planned.subscription.clone(),
                to,
                line: planned.line,
            })),
            Outcome::NotModified { .. } => {}
        }
    }
    // Answers arrive as fetches complete: report in the file's order.
    probe.problems.sort_by_key(|p| p.line);
    probe.moved.sort_by_key(|m| m.line);
    Ok(probe)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLANET: &str = "[planet]\nname = \"P\"\nlink = \"https://p.test/\"\nowner_name = \"O\"\n";

    #[test]
    fn flags_the_same_feed_spelt_twice() {
        let text = format!(
            "{PLANET}[[feeds]]\nurl = \"https://a.test/feed\"\n[[feeds]]\nurl = \"http://www.a.test/feed/\"\n"
        );
        let (problems, _) = lint(&text, Path::new("planet.toml"));
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(
            problems[0].to_string(),
            "line 8: feed `http://www.a.test/feed/`: the same feed as `https://a.test/feed`\n  hint: delete one of the two"
        );
    }

    #[test]
    fn refuses_what_a_run_refuses() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("out"), "a file").unwrap();
        std::fs::create_dir(dir.path().join("theme")).unwrap();
        std::fs::write(
            dir.path().join("theme/index.html.tera"),
            "{% for x in %}broken",
        )
        .unwrap();
        let text = format!("{PLANET}output_dir = \"out\"\ntemplates_dir = \"theme\"\n");
        let (problems, config) = lint(&text, &dir.path().join("planet.toml"));
        assert!(config.is_some());
        let all: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(all.len(), 2, "{all:#?}");
        assert!(all[0].contains("is a file, not a folder"), "{all:#?}");
        assert!(all[1].contains("index.html"), "{all:#?}");
    }

    #[test]
    fn the_planet_toml_of_init_has_no_problems_with_placeholders_or_values() {
        use crate::starter::{text, Fill};
        let filled = Fill {
            name: Some("Planet \"Rust\" \\ friends".into()),
            link: Some("https://rust.example.org/planet/".into()),
            owner: Some("Ferris".into()),
        };
        for fill in [Fill::default(), filled] {
            let (problems, config) = lint(&text(&fill), Path::new("planet.toml"));
            assert!(problems.is_empty(), "{problems:?}");
            assert!(config.is_some_and(|c| c.feeds.is_empty()));
        }
    }

    #[test]
    fn a_clean_config_has_no_problems() {
        let text = format!("{PLANET}[[feeds]]\nurl = \"https://a.test/feed\"\n");
        let (problems, config) = lint(&text, Path::new("planet.toml"));
        assert!(problems.is_empty(), "{problems:?}");
        assert!(config.is_some());
    }
}
