//! `planet theme DIR`: the built-in theme written out, and a planet rendered with it as its
//! `templates_dir` publishing the very same bytes.

use std::collections::BTreeMap;
use std::path::Path;

use crate::server::{Route, Server};
use crate::support::{at, feeds_toml, planet_table, rss, t0, Planet};

/// Every file under `dir`, by relative path.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path.strip_prefix(dir).unwrap().display().to_string();
                out.insert(name, std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

#[test]
fn an_exported_theme_renders_byte_for_byte_as_the_built_in_one() {
    let server = Server::start();
    server.set(
        "/f.xml",
        Route::xml(rss(
            "Feed",
            &[
                (
                    "1",
                    "First <entry>",
                    "https://feed.test/1",
                    "Mon, 01 Jan 2024 10:00:00 GMT",
                ),
                (
                    "2",
                    "Second",
                    "https://feed.test/2",
                    "Tue, 02 Jan 2024 10:00:00 GMT",
                ),
            ],
        )),
    );
    let feeds = feeds_toml(&[server.url("/f.xml")]);
    let planet = Planet::new(&format!("{}{feeds}", planet_table("")));
    planet.run_at(t0());
    let built_in = files(&planet.out_path(""));
    assert!(built_in.contains_key("index.html") && built_in.contains_key("style.css"));

    let theme = planet.dir.path().join("theme");
    let written = planet::render::html::export(&theme, false).unwrap();
    for name in [
        "index.html.tera",
        "_base.html.tera",
        "style.css",
        "words.toml",
    ] {
        assert!(written.contains(&theme.join(name)), "{name} in {written:?}");
    }
    assert!(theme.join("index.html.tera").is_file());
    planet.write_config(&format!(
        "{}{feeds}",
        planet_table("templates_dir = \"theme\"")
    ));
    // At the same time as the first run: the front page says when it was built.
    planet.render_at(t0());
    let exported = files(&planet.out_path(""));
    assert_eq!(
        exported.keys().collect::<Vec<_>>(),
        built_in.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &built_in {
        assert!(exported[name] == *bytes, "`{name}` differs");
    }

    // The comparison would see a difference: the folder is what renders now.
    let css = theme.join("style.css");
    let mut edited = std::fs::read(&css).unwrap();
    edited.extend_from_slice(b"/* mine */\n");
    std::fs::write(&css, &edited).unwrap();
    planet.render_at(at(2));
    assert_eq!(std::fs::read(planet.out_path("style.css")).unwrap(), edited);
}

#[test]
fn theme_refuses_to_overwrite_and_changes_nothing_unless_forced() {
    let planet = Planet::new(&planet_table(""));
    let theme = planet.dir.path().join("theme");
    planet.theme_file("style.css", "mine");

    let out = planet.run(&["theme", "theme"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "theme/style.css` already exists: nothing was written (`--force` overwrites)"
        ),
        "{stderr}"
    );
    assert_eq!(files(&theme).len(), 1, "nothing written");
    assert_eq!(
        std::fs::read_to_string(theme.join("style.css")).unwrap(),
        "mine"
    );

    planet::render::html::export(&theme, true).unwrap();
    assert!(
        files(&theme).len() > 10,
        "the whole theme, templates, assets and words"
    );
    assert_ne!(
        std::fs::read_to_string(theme.join("style.css")).unwrap(),
        "mine"
    );
}

#[test]
fn a_template_that_does_not_parse_is_named_with_its_file_and_line() {
    let planet = Planet::new(&planet_table("templates_dir = \"theme\""));
    planet.theme_file(
        "archive.html.tera",
        "<p>{{ planet.name }}</p>{% include \"_broken\" %}\n",
    );
    let broken = planet.theme_file("_broken.tera", "<ul>\n<li>ok</li>\n{% for x in %}\n</ul>\n");
    let problems = planet.check();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let want = format!(
        "cannot parse template `_broken` (`{}`, line 3)",
        broken.display()
    );
    assert!(problems[0].contains(&want), "{problems:#?}");
    assert!(
        !problems[0].contains("archive.html") && !problems[0].contains("index.html"),
        "only the broken one is named: {problems:#?}"
    );
    let error = planet.fail_at(planet::Steps::Render, t0());
    assert!(error.contains(&want), "a run refuses it the same: {error}");

    // A parent that is missing names the template that extends it.
    planet.theme_file("_broken.tera", "fixed");
    let page = planet.theme_file("page.html.tera", "{% extends \"_missing.html\" %}");
    let problems = planet.check();
    assert!(
        problems.len() == 1 && problems[0].contains("template `page.html` failed"),
        "{problems:#?}"
    );

    // A misspelt filter is found when the theme is loaded, at its line, before any page.
    planet.theme_file(
        "page.html.tera",
        "<p>{{ planet.name }}</p>\n<p>{{ planet.name | slugfy }}</p>\n",
    );
    let problems = planet.check();
    let want = format!(
        "cannot parse template `page.html` (`{}`, line 2)",
        page.display()
    );
    assert!(
        problems.len() == 1
            && problems[0].contains(&want)
            && problems[0].contains("Unknown filter `slugfy`"),
        "{problems:#?}"
    );
}

#[test]
fn a_page_whose_template_is_deleted_is_removed_and_the_operators_files_stay() {
    let planet = Planet::new(&planet_table("templates_dir = \"theme\""));
    let foaf = planet.theme_file("foafroll.xml.tera", "<rdf>{{ planet.name }}</rdf>");
    std::fs::create_dir_all(planet.out_path("")).unwrap();
    std::fs::write(planet.out_path("robots.txt"), "User-agent: *").unwrap();
    planet.render_at(t0());
    assert!(planet.output("foafroll.xml").contains("Test Planet"));
    std::fs::remove_file(&foaf).unwrap();
    planet.render_at(at(1));
    assert!(
        !planet.out_path("foafroll.xml").exists(),
        "no template makes it any more"
    );
    assert!(
        planet.out_path("robots.txt").exists(),
        "a file the planet never made stays"
    );
}

#[test]
fn a_theme_looping_over_a_map_writes_the_same_bytes_every_run() {
    let planet = Planet::new(&planet_table("templates_dir = \"theme\""));
    planet.theme_file(
        "words.txt.tera",
        "{% for key, word in words %}{{ key }}\n{% endfor %}",
    );
    planet.render_at(t0());
    let first = planet.output("words.txt");
    let keys: Vec<&str> = first.lines().collect();
    assert!(keys.len() > 20, "{first}");
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    assert_eq!(keys, sorted, "in the catalogue's order, as tera 1 looped");
    planet.render_at(at(1));
    assert_eq!(
        planet.output("words.txt"),
        first,
        "an unchanged page keeps its bytes, so it is not rewritten"
    );
}
