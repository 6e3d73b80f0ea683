//! What readers get beyond the front page: every kept entry in the archive within three
//! clicks, a page per source, topics, the planet's language and time zone, and pages that keep
//! their bytes while nothing they show changes. In-process runs at a fixed clock.

use std::collections::{BTreeSet, HashSet};
use std::path::Path;

use crate::server::{Route, Server};
use crate::support::files_under;
use crate::support::{at, planet_table, t0, Planet};

/// An RSS feed of `n` entries, one every `hours` hours back from `t0`, with a category.
fn dated_feed(name: &str, n: usize, hours: i64, category: &str) -> String {
    let mut s = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>{name}</title><link>https://{name}.test/</link><description>d</description>"
    );
    for i in 0..n {
        let date = t0() - chrono::Duration::hours(hours * i as i64 + 1);
        s.push_str(&format!(
            "<item><guid>https://{name}.test/{i}</guid><title>{name} post {i}</title><link>https://{name}.test/{i}</link><pubDate>{}</pubDate><category>{category}</category><description>&lt;p&gt;Body {i} of {name}&lt;/p&gt;</description></item>",
            date.to_rfc2822()
        ));
    }
    s.push_str("</channel></rss>");
    s
}

fn serve(server: &Server, feeds: &[(&str, usize, i64, &str)]) -> String {
    let mut toml = String::new();
    for (name, n, hours, cat) in feeds {
        let path = format!("/{name}.xml");
        server.set(&path, Route::xml(dated_feed(name, *n, *hours, cat)));
        toml.push_str(&format!(
            "[[feeds]]\nurl = \"{}\"\nname = \"{name}\"\n\n",
            server.url(&path)
        ));
    }
    toml
}

/// The relative links of an HTML page, resolved against its path in `output/`.
fn links(dir: &Path, page: &str) -> Vec<String> {
    let html = std::fs::read_to_string(dir.join(page)).unwrap_or_default();
    let doc = scraper::Html::parse_document(&html);
    let sel = scraper::Selector::parse("a[href], link[href]").unwrap();
    let base = url::Url::parse("http://site.test/")
        .unwrap()
        .join(page)
        .unwrap();
    doc.select(&sel)
        .filter_map(|e| e.value().attr("href"))
        .filter_map(|h| base.join(h).ok())
        .filter(|u| u.host_str() == Some("site.test"))
        .map(|u| u.path().trim_start_matches('/').to_owned())
        .collect()
}

/// Every page reachable from `index.html`, with the clicks it takes; and the broken links.
fn crawl(dir: &Path) -> (Vec<(String, usize)>, Vec<String>) {
    let mut seen: HashSet<String> = HashSet::from(["index.html".to_owned()]);
    let mut found = vec![("index.html".to_owned(), 0)];
    let mut broken = Vec::new();
    let mut i = 0;
    while i < found.len() {
        let (page, depth) = found[i].clone();
        i += 1;
        if !page.ends_with(".html") {
            continue;
        }
        for link in links(dir, &page) {
            if !dir.join(&link).is_file() {
                broken.push(format!("{page} → {link}"));
                continue;
            }
            if seen.insert(link.clone()) {
                found.push((link, depth + 1));
            }
        }
    }
    (found, broken)
}

/// The entry links on a page (those of the entries' titles, whole or headlines).
fn entry_links(dir: &Path, page: &str) -> BTreeSet<String> {
    let html = std::fs::read_to_string(dir.join(page)).unwrap_or_default();
    let doc = scraper::Html::parse_document(&html);
    let sel = scraper::Selector::parse("article.entry h3 a, .headlines .title a").unwrap();
    doc.select(&sel)
        .filter_map(|e| e.value().attr("href").map(str::to_owned))
        .collect()
}

#[test]
fn every_kept_entry_is_within_three_clicks_and_no_link_is_broken() {
    let server = Server::start();
    // 130 entries over three months from one feed, 20 from another; 10 per page.
    let feeds = serve(
        &server,
        &[("alpha", 130, 16, "rust"), ("beta", 20, 30, "go")],
    );
    let planet = Planet::new(&format!(
        "{}{feeds}[[topics]]\nname = \"Rust things\"\ncategories = [\"RUST\"]\n",
        planet_table("items_per_page = 10")
    ));
    planet.run_at(t0());
    let dir = planet.dir.path().join("output");
    let (pages, broken) = crawl(&dir);
    assert!(broken.is_empty(), "broken links: {broken:#?}");
    let mut reached = BTreeSet::new();
    for (page, depth) in &pages {
        if *depth <= 3 {
            reached.extend(entry_links(&dir, page));
        }
    }
    let want: BTreeSet<String> = (0..130)
        .map(|i| format!("https://alpha.test/{i}"))
        .chain((0..20).map(|i| format!("https://beta.test/{i}")))
        .collect();
    let missing: Vec<&String> = want.difference(&reached).collect();
    assert!(missing.is_empty(), "not within 3 clicks: {missing:?}");
    let index = planet.output("index.html");
    assert!(
        index.contains("href=\"archive/index.html\">Older entries"),
        "{index}"
    );
    // The archive: months with their counts, months linking to their neighbours.
    let archive = planet.output("archive/index.html");
    assert!(archive.contains("November 2026"), "{archive}");
    assert!(archive.contains("entries)"), "{archive}");
    let november = planet.output("archive/2026/11.html");
    assert!(
        november.contains("Previous month: October 2026"),
        "{november}"
    );
    // Months and sources list headlines, each leading to its post, not the posts' text.
    let headline = scraper::Selector::parse(".headlines li").unwrap();
    let doc = scraper::Html::parse_document(&november);
    assert_eq!(doc.select(&headline).count(), 10, "{november}");
    assert!(!november.contains("class=\"content"), "{november}");
    assert!(
        november.contains("rel=\"next\""),
        "a paged month links its next page"
    );
    // A page per source, with its health in words; the sidebar links it.
    let alpha = planet.output("sources/alpha.html");
    assert!(
        alpha.contains("<h1>alpha</h1>") && alpha.contains("fine"),
        "{alpha}"
    );
    assert!(
        alpha.contains(r#"<a href="https://alpha.test/0">alpha post 0</a>"#),
        "{alpha}"
    );
    // Its headlines do not repeat its name; a month's name each one's source.
    assert!(!alpha.contains("class=\"by\""), "{alpha}");
    assert!(
        november.contains(r#"<span class="by"><a href="../../sources/alpha.html">alpha</a>"#),
        "{november}"
    );
    assert!(index.contains("href=\"sources/alpha.html\""), "{index}");
    let subscriptions = planet.output("sources/index.html");
    assert!(subscriptions.contains("<table"), "{subscriptions}");
    // The topic: its page and its feed hold the rust entries only.
    let topic = planet.output("topics/rust-things.html");
    assert!(
        topic.contains("alpha post 0") && !topic.contains("beta post"),
        "{topic}"
    );
    let feed = feed_rs::parser::parse(planet.output("topics/rust-things.xml").as_bytes())
        .expect("the topic's feed parses");
    assert_eq!(feed.entries.len(), 10);
    assert!(feed.id.ends_with("topics/rust-things.xml"), "{}", feed.id);
    let sitemap = planet.output("sitemap.xml");
    assert!(sitemap.contains("https://planet.test/archive/2026/11.html</loc><lastmod>"));
    assert!(sitemap.contains("https://planet.test/sources/beta.html"));
}

#[test]
fn unchanged_months_keep_their_bytes_and_pages_no_longer_made_are_deleted() {
    let server = Server::start();
    let feeds = serve(&server, &[("alpha", 60, 24, "rust"), ("beta", 5, 24, "go")]);
    let text = format!(
        "{}{feeds}[[topics]]\nname = \"Go\"\ncategories = [\"go\"]\n",
        planet_table("items_per_page = 10")
    );
    let planet = Planet::new(&text);
    planet.run_at(t0());
    let dir = planet.dir.path().join("output");
    std::fs::write(dir.join("archive/mine.txt"), "the operator's").unwrap();
    let mtime = |p: &str| std::fs::metadata(dir.join(p)).unwrap().modified().unwrap();
    let before: Vec<(String, std::time::SystemTime)> = files_under(&dir)
        .into_iter()
        .map(|(n, _)| {
            let t = mtime(&n);
            (n, t)
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(20));
    // A new entry for alpha: its month's newest page, its source page and the lists change.
    let mut newer = dated_feed("alpha", 60, 24, "rust");
    newer = newer.replacen(
        "<item>",
        &format!(
            "<item><guid>https://alpha.test/new</guid><title>alpha new</title><link>https://alpha.test/new</link><pubDate>{}</pubDate><description>n</description></item><item>",
            at(30).to_rfc2822()
        ),
        1,
    );
    server.set("/alpha.xml", Route::xml(newer));
    planet.run_at(at(60));
    let changed: Vec<&String> = before
        .iter()
        .filter(|(n, t)| dir.join(n).is_file() && mtime(n) != *t)
        .map(|(n, _)| n)
        .collect();
    let october: Vec<&String> = changed
        .iter()
        .copied()
        .filter(|n| n.contains("/10"))
        .collect();
    assert!(
        october.is_empty(),
        "older months were rewritten: {changed:?}"
    );
    assert!(
        changed.contains(&&"archive/2026/11.html".to_owned()),
        "{changed:?}"
    );
    assert!(
        !changed.contains(&&"sources/beta.html".to_owned()),
        "{changed:?}"
    );
    // Removing a feed and the topic removes their pages, not the operator's file.
    let without = text
        .replace("[[topics]]\nname = \"Go\"\ncategories = [\"go\"]\n", "")
        .replace(
            &format!(
                "[[feeds]]\nurl = \"{}\"\nname = \"beta\"\n",
                server.url("/beta.xml")
            ),
            "",
        );
    planet.write_config(&without);
    planet.render_at(at(61));
    assert!(!dir.join("sources/beta.html").exists());
    assert!(!dir.join("topics/go.html").exists() && !dir.join("topics").exists());
    assert!(
        dir.join("archive/mine.txt").exists(),
        "the operator's file stays"
    );
}

#[test]
fn a_french_planet_in_paris_time_speaks_french_everywhere() {
    let server = Server::start();
    let late = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Blogue</title><link>https://b.test/</link><description>d</description>\
        <item><guid>https://b.test/1</guid><title>Tard le soir</title><link>https://b.test/1</link><pubDate>Thu, 26 Nov 2026 23:30:00 GMT</pubDate><description>x</description></item>\
        </channel></rss>";
    server.set("/b.xml", Route::xml(late.to_owned()));
    let planet = Planet::new(&format!(
        "{}[[feeds]]\nurl = \"{}\"\n",
        planet_table("language = \"fr\"\ntimezone = \"Europe/Paris\"\ndisplay = \"excerpt\""),
        server.url("/b.xml")
    ));
    planet.run_at(t0());
    let index = planet.output("index.html");
    // 23:30 UTC on Thursday is 00:30 on Friday in Paris.
    assert!(index.contains("vendredi 27 novembre 2026"), "{index}");
    assert!(index.contains("00:30 CET"), "{index}");
    assert!(index.contains("Aller aux billets"), "{index}");
    assert!(index.contains("Dernière mise à jour"), "{index}");
    assert!(index.contains("<html lang=\"fr\">"), "{index}");
    assert!(
        index.contains("Lire tout le billet sur Blogue"),
        "planet-wide excerpt: {index}"
    );
    assert!(!index.contains("Skip to"), "{index}");
    let month = planet.output("archive/2026/11.html");
    assert!(month.contains("<h1>novembre 2026</h1>"), "{month}");
    // The feed keeps its RFC 3339 date.
    let atom = planet.output("atom.xml");
    assert!(atom.contains("2026-11-26T23:30:00"), "{atom}");
}

#[test]
fn a_headline_in_another_language_says_which() {
    let server = Server::start();
    let feed = |lang: &str, name: &str, title: &str| {
        format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>{name}</title><link>https://{name}.test/</link><description>d</description><language>{lang}</language>\
            <item><guid>https://{name}.test/1</guid><title>{title}</title><link>https://{name}.test/1</link><pubDate>Thu, 26 Nov 2026 12:00:00 GMT</pubDate><description>x</description></item>\
            </channel></rss>"
        )
    };
    server.set(
        "/fr.xml",
        Route::xml(feed("fr-FR", "blogue", "Le déploiement du jeudi")),
    );
    server.set(
        "/en.xml",
        Route::xml(feed("en", "blog", "Thursday deploys")),
    );
    server.set(
        "/none.xml",
        Route::xml(feed("", "plain", "No language said")),
    );
    let planet = Planet::new(&format!(
        "{}[[feeds]]\nurl = \"{}\"\n[[feeds]]\nurl = \"{}\"\n[[feeds]]\nurl = \"{}\"\n",
        planet_table(""),
        server.url("/fr.xml"),
        server.url("/en.xml"),
        server.url("/none.xml")
    ));
    planet.run_at(t0());
    let month = planet.output("archive/2026/11.html");
    let doc = scraper::Html::parse_document(&month);
    let items = scraper::Selector::parse("ul.headlines li").unwrap();
    let langs: Vec<(String, Option<String>)> = doc
        .select(&items)
        .map(|li| {
            let title = li.text().collect::<String>();
            (title, li.value().attr("lang").map(str::to_owned))
        })
        .collect();
    assert_eq!(langs.len(), 3, "{month}");
    for (title, lang) in &langs {
        let want = title.contains("déploiement").then(|| "fr-FR".to_owned());
        assert_eq!(lang, &want, "{title}");
    }
    let source = planet.output("sources/blogue.html");
    assert!(source.contains("<li lang=\"fr-FR\">"), "{source}");
}

#[test]
fn a_theme_changes_one_word_and_adds_a_stylesheet() {
    let server = Server::start();
    let feeds = serve(&server, &[("alpha", 3, 24, "rust")]);
    let planet = Planet::new(&format!(
        "{}{feeds}",
        planet_table("templates_dir = \"theme\"")
    ));
    planet.theme_file("words.toml", "[en]\narchive = \"Old stuff\"\n");
    planet.theme_file("custom.css", ":root { --brand: #123456; }\n");
    planet.theme_file("dates.html.tera", "{{ generated | local_date(format=\"%A\") }} {{ \"A b\" | slugify }} {{ 1024 | filesizeformat }}");
    planet.run_at(t0());
    let index = planet.output("index.html");
    assert!(index.contains(">Old stuff</a>"), "{index}");
    assert!(index.contains("href=\"custom.css\""), "{index}");
    assert_eq!(planet.output("custom.css"), ":root { --brand: #123456; }\n");
    assert_eq!(planet.output("dates.html"), "Friday a-b 1 kB");
}
