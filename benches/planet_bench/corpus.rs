//! The benchmark's feeds: generated, deterministic, realistic enough to cost what real ones cost.
//!
//! Feed `i` is a function of the seed, `i`, its entry count and the anchor time, so two runs of
//! the benchmark serve the same bytes and adding an entry leaves the older ones byte-identical
//! (the cache must see them as unchanged). The mix: RSS 2.0 with escaped `description`, RSS 2.0
//! with `content:encoded` in CDATA, and Atom 1.0 with escaped HTML `content`; 2–4 KB of HTML per
//! entry (paragraphs, links, code, lists, quotes, relative images, the odd `<script>` the
//! sanitizer must drop); dates spread over the two months before the anchor; about 3% of entries
//! are cross-posts of another feed's entry under a variant of its link; 3% of the feeds are
//! broken (HTTP 500, 404, or a truncated document). This file builds bytes; it serves nothing.

use chrono::{DateTime, Duration, Utc};

/// How a feed misbehaves, if it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Broken {
    /// Answers 500.
    ServerError,
    /// Answers 404.
    NotFound,
    /// Answers 200 with a document cut in half.
    Truncated,
}

/// Which feeds are broken: three in every hundred, always the same ones.
pub fn broken(i: usize) -> Option<Broken> {
    match i % 100 {
        7 => Some(Broken::ServerError),
        37 => Some(Broken::NotFound),
        73 => Some(Broken::Truncated),
        _ => None,
    }
}

/// SplitMix64: tiny, fast, and good enough to make text; seeded per feed and entry so every
/// piece can be generated on its own.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64, a: u64, b: u64) -> Rng {
        let mut r = Rng(seed
            ^ a.wrapping_mul(0x9E37_79B9_7F4A_7C15)
            ^ b.wrapping_mul(0xD1B5_4A32_D192_ED03));
        r.next();
        r
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const WORDS: &[&str] = &[
    "the",
    "a",
    "of",
    "to",
    "and",
    "in",
    "is",
    "for",
    "that",
    "with",
    "on",
    "we",
    "it",
    "this",
    "our",
    "as",
    "when",
    "from",
    "by",
    "be",
    "are",
    "was",
    "not",
    "but",
    "or",
    "at",
    "you",
    "can",
    "deploy",
    "cluster",
    "kubernetes",
    "pipeline",
    "latency",
    "incident",
    "postmortem",
    "service",
    "database",
    "replica",
    "backup",
    "terraform",
    "ansible",
    "prometheus",
    "alert",
    "dashboard",
    "container",
    "image",
    "registry",
    "rollout",
    "canary",
    "traffic",
    "load",
    "balancer",
    "cache",
    "queue",
    "worker",
    "memory",
    "CPU",
    "disk",
    "network",
    "packet",
    "TLS",
    "certificate",
    "DNS",
    "outage",
    "on-call",
    "runbook",
    "toil",
    "automation",
    "reliability",
    "budget",
    "error",
    "objective",
    "metric",
    "trace",
    "log",
    "span",
    "sampling",
    "throughput",
    "capacity",
    "scaling",
    "horizontal",
    "vertical",
    "config",
    "secret",
    "vault",
    "policy",
    "review",
    "release",
    "branch",
    "merge",
    "build",
    "test",
    "flaky",
    "runner",
    "artifact",
    "storage",
    "bucket",
    "region",
    "zone",
    "failover",
    "quorum",
    "consensus",
    "leader",
    "election",
    "timeout",
    "retry",
    "backoff",
    "idempotent",
    "migration",
    "schema",
    "index",
    "query",
    "planner",
    "vacuum",
    "shard",
    "tenant",
    "team",
    "culture",
    "blameless",
    "learning",
    "practice",
    "week",
    "year",
    "finally",
    "really",
    "simple",
    "complex",
    "fast",
    "slow",
    "cheap",
    "expensive",
    "better",
    "worse",
    "new",
    "old",
    "small",
    "large",
    "every",
    "some",
    "many",
    "few",
    "first",
    "last",
    "next",
    "previous",
];

const TAGS: &[&str] = &[
    "devops",
    "sre",
    "kubernetes",
    "observability",
    "ci",
    "cloud",
    "linux",
    "postgres",
    "networking",
    "security",
    "culture",
    "on-call",
];

const AUTHORS: &[&str] = &[
    "Alex Rivera",
    "Sam Chen",
    "Priya Natarajan",
    "Jo Müller",
    "Kenji Watanabe",
    "Fatima Zahra",
    "Olu Adeyemi",
    "Maria Rossi",
    "Ilya Petrov",
    "Chloé Martin",
];

/// Between `min` and `min + spread - 1` words (exactly `min` when `spread` is 0 or 1).
fn words(rng: &mut Rng, min: u64, spread: u64, out: &mut String) {
    let n = min + rng.below(spread);
    for k in 0..n {
        if k > 0 {
            out.push(' ');
        }
        out.push_str(rng.pick(WORDS));
    }
}

fn sentence(rng: &mut Rng, out: &mut String) {
    let start = out.len();
    words(rng, 8, 14, out);
    if let Some(c) = out[start..].chars().next() {
        let upper = c.to_uppercase().to_string();
        out.replace_range(start..start + c.len_utf8(), &upper);
    }
    out.push_str(". ");
}

/// 2–4 KB of the HTML blog engines emit.
fn html(rng: &mut Rng, feed: usize, out: &mut String) {
    let target = out.len() + 2000 + rng.below(2000) as usize;
    while out.len() < target {
        match rng.below(12) {
            0 => {
                out.push_str("<h2>");
                words(rng, 3, 4, out);
                out.push_str("</h2>\n");
            }
            1 => {
                out.push_str("<pre><code class=\"language-sh\">$ kubectl get pods -n ");
                words(rng, 2, 0, out);
                out.push_str("\n$ curl -sS https://api.example.com/v1/health | jq '.status'\n</code></pre>\n");
            }
            2 => {
                out.push_str("<ul>\n");
                for _ in 0..2 + rng.below(4) {
                    out.push_str("  <li>");
                    words(rng, 4, 8, out);
                    out.push_str("</li>\n");
                }
                out.push_str("</ul>\n");
            }
            3 => {
                out.push_str("<blockquote><p>");
                sentence(rng, out);
                out.push_str("</p></blockquote>\n");
            }
            4 => {
                let n = rng.below(1000);
                out.push_str(&format!(
                    "<p><img src=\"/images/{n}.png\" alt=\"diagram {n}\" width=\"640\" height=\"360\" style=\"border:1px solid #ccc\"></p>\n"
                ));
            }
            5 if rng.below(8) == 0 => {
                out.push_str("<script>document.write('tracking pixel')</script>\n");
            }
            _ => {
                out.push_str("<p>");
                sentence(rng, out);
                out.push_str("See <a href=\"https://docs.example.org/");
                out.push_str(rng.pick(TAGS));
                out.push_str(&format!("/{feed}\" rel=\"nofollow\">the <em>"));
                words(rng, 2, 0, out);
                out.push_str("</em> docs</a> and <code>");
                out.push_str(rng.pick(WORDS));
                out.push_str("</code>. ");
                sentence(rng, out);
                out.push_str("<strong>");
                words(rng, 3, 0, out);
                out.push_str("</strong> ");
                sentence(rng, out);
                out.push_str("</p>\n");
            }
        }
    }
}

/// The permalink of entry `j` of feed `i`.
fn permalink(i: usize, j: usize) -> String {
    format!(
        "https://blog{i}.example.net/posts/{j}-{:x}/",
        (i * 7919 + j * 104_729) % 65_536
    )
}

/// One entry, whatever the format.
struct Item {
    id: String,
    title: String,
    link: String,
    author: &'static str,
    date: DateTime<Utc>,
    tags: Vec<&'static str>,
    html: String,
}

/// Entry `j` of feed `i`. Entries below `base` are spread over the two months before `anchor`;
/// later ones (added by the benchmark's "new entries" step) come after it, newest last.
fn item(seed: u64, feeds: usize, i: usize, j: usize, base: usize, anchor: DateTime<Utc>) -> Item {
    let mut rng = Rng::new(seed, i as u64, j as u64);
    let mut title = String::new();
    words(&mut rng, 3, 6, &mut title);
    let date = if j < base {
        anchor - Duration::seconds(rng.below(60 * 24 * 3600) as i64)
    } else {
        anchor + Duration::seconds(600 * (j - base + 1) as i64 + (i % 600) as i64)
    };
    // A cross-post: another feed's post under a variant of its link (http, www., utm_*).
    let link = if feeds > 1 && j < base && rng.below(100) < 3 {
        let other = (i + 1 + rng.below(feeds as u64 - 1) as usize) % feeds;
        permalink(other, rng.below(base as u64) as usize)
            .replace("https://", "http://www.")
            .trim_end_matches('/')
            .to_owned()
            + "?utm_source=planet"
    } else {
        permalink(i, j)
    };
    let mut tags = Vec::new();
    for _ in 0..1 + rng.below(3) {
        tags.push(rng.pick(TAGS));
    }
    let author = rng.pick(AUTHORS);
    let mut body = String::with_capacity(4200);
    html(&mut rng, i, &mut body);
    Item {
        id: format!("tag:blog{i}.example.net,2026:post-{j}"),
        title,
        link,
        author,
        date,
        tags,
        html: body,
    }
}

fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
}

/// The document of feed `i` with `entries` entries (`base` of them from the start). A
/// [`Broken::Truncated`] feed is cut in the middle.
pub fn feed(
    seed: u64,
    feeds: usize,
    i: usize,
    entries: usize,
    base: usize,
    anchor: DateTime<Utc>,
) -> Vec<u8> {
    let items: Vec<Item> = (0..entries)
        .rev()
        .map(|j| item(seed, feeds, i, j, base, anchor))
        .collect();
    let updated = items.iter().map(|e| e.date).max().unwrap_or(anchor);
    let mut s = String::with_capacity(entries * 4600 + 1000);
    let home = format!("https://blog{i}.example.net/");
    match i % 3 {
        0 | 1 => {
            s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n<channel>\n");
            s.push_str(&format!(
                "<title>Blog number {i}</title>\n<link>{home}</link>\n<description>Notes on operations, number {i}</description>\n<language>en</language>\n<lastBuildDate>{}</lastBuildDate>\n<generator>planet-bench</generator>\n",
                updated.to_rfc2822()
            ));
            for e in &items {
                s.push_str("<item>\n<title>");
                escape(&e.title, &mut s);
                s.push_str(&format!(
                    "</title>\n<link>{}</link>\n<guid isPermaLink=\"false\">{}</guid>\n<pubDate>{}</pubDate>\n<dc:creator>{}</dc:creator>\n",
                    e.link.replace('&', "&amp;"),
                    e.id,
                    e.date.to_rfc2822(),
                    e.author
                ));
                for t in &e.tags {
                    s.push_str(&format!("<category>{t}</category>\n"));
                }
                if i.is_multiple_of(3) {
                    s.push_str("<description>");
                    escape(&e.html, &mut s);
                    s.push_str("</description>\n");
                } else {
                    s.push_str("<description>");
                    escape(&e.title, &mut s);
                    s.push_str("</description>\n<content:encoded><![CDATA[");
                    s.push_str(&e.html);
                    s.push_str("]]></content:encoded>\n");
                }
                s.push_str("</item>\n");
            }
            s.push_str("</channel>\n</rss>\n");
        }
        _ => {
            s.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en\">\n");
            s.push_str(&format!(
                "<title>Blog number {i}</title>\n<id>{home}</id>\n<link rel=\"alternate\" href=\"{home}\"/>\n<link rel=\"self\" href=\"{home}atom.xml\"/>\n<updated>{}</updated>\n<author><name>Blogger {i}</name></author>\n",
                updated.to_rfc3339()
            ));
            for e in &items {
                s.push_str("<entry>\n<title type=\"text\">");
                escape(&e.title, &mut s);
                s.push_str(&format!(
                    "</title>\n<id>{}</id>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n<published>{}</published>\n<updated>{}</updated>\n<author><name>{}</name></author>\n",
                    e.id,
                    e.link.replace('&', "&amp;"),
                    e.date.to_rfc3339(),
                    e.date.to_rfc3339(),
                    e.author
                ));
                for t in &e.tags {
                    s.push_str(&format!("<category term=\"{t}\"/>\n"));
                }
                s.push_str("<content type=\"html\">");
                escape(&e.html, &mut s);
                s.push_str("</content>\n</entry>\n");
            }
            s.push_str("</feed>\n");
        }
    }
    let mut bytes = s.into_bytes();
    if broken(i) == Some(Broken::Truncated) {
        bytes.truncate(bytes.len() / 2);
    }
    bytes
}
