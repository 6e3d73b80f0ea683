//! The HTML theme: tera templates embedded in the binary, overridable file by file.
//!
//! The default theme (`templates/` in the repo) is compiled in, so `planet` runs with no files
//! beside it. A `templates_dir` may override any of it: a `NAME.tera` file replaces the embedded
//! template of that name or adds a new page rendered to `output/NAME`; any other file replaces or
//! adds a static asset copied to `output/` as is. Autoescaping is on for every `.html` and `.xml`
//! page; only `entry.content`, already sanitized, is marked safe in the theme, after the
//! `demote_headings` filter puts its headings below the entry's own. This module does not build
//! the view (`render::build` does) nor write the output (publish does); it writes files only to
//! [`export`] the embedded theme, as a `templates_dir` to start editing from.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use tera::Tera;

use super::{Error, View};
use crate::locale::Locale;
use crate::text;

/// The embedded templates: (name, source). Names starting with `_` are partials and layouts;
/// [`LAYOUTS`] are the page types the archive, the sources and the topics are made with; the
/// others are pages rendered to `output/NAME`.
const TEMPLATES: &[(&str, &str)] = &[
    (
        "_base.html",
        include_str!("../../templates/_base.html.tera"),
    ),
    (
        "_entry.html",
        include_str!("../../templates/_entry.html.tera"),
    ),
    (
        "_days.html",
        include_str!("../../templates/_days.html.tera"),
    ),
    (
        "_headlines.html",
        include_str!("../../templates/_headlines.html.tera"),
    ),
    (
        "_pager.html",
        include_str!("../../templates/_pager.html.tera"),
    ),
    (
        "_pages.html",
        include_str!("../../templates/_pages.html.tera"),
    ),
    (
        "index.html",
        include_str!("../../templates/index.html.tera"),
    ),
    (
        "month.html",
        include_str!("../../templates/month.html.tera"),
    ),
    (
        "archive.html",
        include_str!("../../templates/archive.html.tera"),
    ),
    (
        "source.html",
        include_str!("../../templates/source.html.tera"),
    ),
    (
        "sources.html",
        include_str!("../../templates/sources.html.tera"),
    ),
    (
        "topic.html",
        include_str!("../../templates/topic.html.tera"),
    ),
];

/// The page types: templates rendered once per month, source or topic, never as a page of
/// their own.
pub const LAYOUTS: &[&str] = &[
    "month.html",
    "archive.html",
    "source.html",
    "sources.html",
    "topic.html",
];

/// The embedded static assets: (output name, bytes).
const ASSETS: &[(&str, &[u8])] = &[
    ("style.css", include_bytes!("../../templates/style.css")),
    ("favicon.svg", include_bytes!("../../templates/favicon.svg")),
];

/// The theme's word catalogue file: read as data, never copied to the output.
const WORDS: &str = "words.toml";

/// The stylesheet a theme adds after the default one, when it has one.
const CUSTOM_CSS: &str = "custom.css";

/// A loaded theme: templates ready to render and assets ready to copy.
pub struct Theme {
    tera: Tera,
    pages: Vec<String>,
    assets: Vec<(String, Vec<u8>)>,
    /// The theme's `words.toml`, over the embedded catalogue.
    pub words: Option<String>,
    /// Whether the theme has a `custom.css`, linked after `style.css`.
    pub custom_css: bool,
    /// A hash of every template, word and asset: a page rendered by another theme is stale.
    pub fingerprint: u64,
}

/// The planet's theme, speaking its language in its time zone: the theme loaded (see [`load`])
/// and its words laid over the embedded catalogue.
pub fn load_for(planet: &crate::config::Planet) -> Result<(Theme, Locale), Error> {
    let mut theme = load(planet.templates_dir.as_deref())?;
    let locale =
        Locale::new(&planet.language, planet.tz(), theme.words.as_deref()).map_err(Error::Words)?;
    theme.localize(&locale);
    Ok((theme, locale))
}

/// Loads the embedded theme, then the operator's overrides from `dir`, if any. A template
/// that does not parse is named, with its file and line.
pub fn load(dir: Option<&Path>) -> Result<Theme, Error> {
    // (name, source, the file it came from when not embedded)
    let mut sources: Vec<(String, String, Option<PathBuf>)> = TEMPLATES
        .iter()
        .map(|(n, s)| (n.to_string(), s.to_string(), None))
        .collect();
    let mut assets: Vec<(String, Vec<u8>)> = ASSETS
        .iter()
        .map(|(n, b)| (n.to_string(), b.to_vec()))
        .collect();
    let mut words = None;
    if let Some(dir) = dir {
        let read_err = |e| Error::Read {
            path: dir.to_owned(),
            source: e,
        };
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .map_err(read_err)?
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| e.path())
            .collect();
        files.sort();
        for path in files {
            let Some(file) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if file.starts_with('.') {
                continue;
            }
            let read = |e| Error::Read {
                path: path.clone(),
                source: e,
            };
            if let Some(name) = file.strip_suffix(".tera") {
                let text = std::fs::read_to_string(&path).map_err(read)?;
                sources.retain(|(n, _, _)| n != name);
                sources.push((name.to_owned(), text, Some(path.clone())));
            } else if file == WORDS {
                words = Some(std::fs::read_to_string(&path).map_err(read)?);
            } else {
                let bytes = std::fs::read(&path).map_err(read)?;
                assets.retain(|(n, _)| n != file);
                assets.push((file.to_owned(), bytes));
            }
        }
    }
    let fingerprint = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        sources.hash(&mut h);
        assets.hash(&mut h);
        words.hash(&mut h);
        h.finish()
    };
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html", ".htm", ".xml"]);
    tera.set_escape_fn(escape);
    tera.register_filter("demote_headings", demote_headings_filter);
    // Each parsed alone first: tera's error for the whole set names no template.
    for (name, text, path) in &sources {
        if let Err(e) = tera::Template::new(name, None, text) {
            return Err(Error::Parse {
                name: name.clone(),
                path: path.clone(),
                line: parse_line(&e),
                source: Box::new(e),
            });
        }
    }
    let pages: Vec<String> = sources
        .iter()
        .map(|(n, _, _)| n.clone())
        .filter(|n| !n.starts_with('_') && !LAYOUTS.contains(&n.as_str()))
        .collect();
    tera.add_raw_templates(sources.iter().map(|(n, s, _)| (n.as_str(), s.as_str())))
        .map_err(|e| Error::Template {
            // What spans templates (a missing parent, a loop of `extends`) names its own.
            name: match e.kind {
                tera::ErrorKind::MissingParent { ref current, .. } => current.clone(),
                tera::ErrorKind::CircularExtend { ref tpl, .. } => tpl.clone(),
                _ => pages.join(", "),
            },
            source: e,
        })?;
    let custom_css = assets.iter().any(|(n, _)| n == CUSTOM_CSS);
    Ok(Theme {
        tera,
        pages,
        assets,
        words,
        custom_css,
        fingerprint,
    })
}

/// The line of a parse error: tera passes on the parser's message, which points at it as
/// `--> LINE:COLUMN`; `None` when it does not.
fn parse_line(e: &tera::Error) -> Option<usize> {
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(err) = source {
        let text = err.to_string();
        let found = text.split("--> ").nth(1).and_then(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        });
        if found.is_some() {
            return found;
        }
        source = err.source();
    }
    None
}

/// Writes the embedded theme into `dir` (made if missing) as a `templates_dir` holds it:
/// templates as `NAME.tera`, assets as they are, so that rendering with `templates_dir = dir`
/// gives the same bytes as the embedded theme. Without `force`, an existing file is an error
/// and nothing at all is written. Returns the files written.
pub fn export(dir: &Path, force: bool) -> Result<Vec<PathBuf>, Error> {
    let files: Vec<(PathBuf, &[u8])> = TEMPLATES
        .iter()
        .map(|(name, text)| (dir.join(format!("{name}.tera")), text.as_bytes()))
        .chain(ASSETS.iter().map(|(name, bytes)| (dir.join(name), *bytes)))
        .chain([(dir.join(WORDS), crate::locale::CATALOGUE.as_bytes())])
        .collect();
    if !force {
        if let Some((path, _)) = files
            .iter()
            .find(|(path, _)| path.symlink_metadata().is_ok())
        {
            return Err(Error::Exists { path: path.clone() });
        }
    }
    std::fs::create_dir_all(dir).map_err(|source| Error::Write {
        path: dir.to_owned(),
        source,
    })?;
    for (path, bytes) in &files {
        std::fs::write(path, bytes).map_err(|source| Error::Write {
            path: path.clone(),
            source,
        })?;
    }
    Ok(files.into_iter().map(|(path, _)| path).collect())
}

impl Theme {
    /// Gives the templates the planet's language and time zone: the `local_date` filter.
    pub fn localize(&mut self, locale: &Locale) {
        self.tera.register_filter(
            "local_date",
            LocalDate {
                locale: locale.clone(),
            },
        );
    }

    /// Renders one page of a page type (or a page) with its context.
    pub fn page(&self, template: &str, context: &tera::Context) -> Result<Vec<u8>, Error> {
        let text = self
            .tera
            .render(template, context)
            .map_err(|e| Error::Template {
                name: template.to_owned(),
                source: e,
            })?;
        // Feeds double-encoded upstream are full of C1 controls, which HTML forbids.
        Ok(text::publishable(&text).into_owned().into_bytes())
    }
}

/// `{{ date | local_date }}`, `{{ date | local_date(format="%-d %B") }}`: an RFC 3339 date in
/// the planet's time zone and language; the format is strftime's, or a key of the word catalogue
/// (`day_format`, `time_format`, `datetime_format` by default, `date_format`, `month_format`).
struct LocalDate {
    locale: Locale,
}

impl tera::Filter for LocalDate {
    fn filter(
        &self,
        value: &tera::Value,
        args: &std::collections::HashMap<String, tera::Value>,
    ) -> tera::Result<tera::Value> {
        let text = tera::try_get_value!("local_date", "value", String, value);
        let date = chrono::DateTime::parse_from_rfc3339(&text)
            .map_err(|e| tera::Error::msg(format!("local_date: `{text}` is not RFC 3339: {e}")))?
            .with_timezone(&chrono::Utc);
        let format = match args.get("format") {
            Some(f) => tera::try_get_value!("local_date", "format", String, f),
            None => "datetime_format".to_owned(),
        };
        let format = self.locale.words.get(&format).cloned().unwrap_or(format);
        Ok(tera::Value::String(self.locale.format_with(date, &format)))
    }
}

/// Demotes the headings inside an entry's (sanitized) HTML so they sit below the entry's own
/// `h3`: the levels the fragment uses, from the highest, become `h4`, `h5` and `h6` (the rest
/// `h6` too), so a post whose subheads are `h4` and `h5` keeps them, one using `h1` and `h3`
/// gets `h4` and `h5`; and no heading goes more than one level below the one before it. Keeps
/// the page's heading outline in order for screen readers, with no level skipped. Safe on the sanitizer's output, where a `<` in text is always escaped, so `<hN`
/// only ever starts a tag.
pub fn demote_headings(html: &str) -> Cow<'_, str> {
    let bytes = html.as_bytes();
    let mut used: Vec<u8> = Vec::new();
    for at in memchr::memmem::find_iter(bytes, b"<h") {
        if let Some(&[d @ b'1'..=b'6', b'>' | b' ']) = bytes.get(at + 2..at + 4) {
            if !used.contains(&(d - b'0')) {
                used.push(d - b'0');
            }
        }
    }
    if used.is_empty() {
        return Cow::Borrowed(html);
    }
    used.sort_unstable();
    let level_of = |l: u8| {
        let rank = used.iter().position(|&u| u == l).unwrap_or(0);
        (4 + rank).min(6)
    };
    // One pass, so a heading is moved once whichever way it moves; and never more than one
    // level below the heading before it (a post may open with its deepest level).
    let mut prev = 3;
    let mut open: Option<usize> = None;
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        let (before, tag) = rest.split_at(i + 1);
        out.push_str(before);
        let name = tag.strip_prefix('/').unwrap_or(tag);
        out.push_str(&tag[..tag.len() - name.len()]);
        let mut chars = name.chars();
        match (chars.next(), chars.next(), chars.next()) {
            (Some('h'), Some(d @ '1'..='6'), Some('>' | ' ')) => {
                let level = if name.len() < tag.len() {
                    open.take().unwrap_or_else(|| level_of(d as u8 - b'0'))
                } else {
                    let level = level_of(d as u8 - b'0').min(prev + 1);
                    prev = level;
                    open = Some(level);
                    level
                };
                out.push('h');
                out.push_str(&level.to_string());
                rest = &name[2..];
            }
            _ => rest = name,
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

fn demote_headings_filter(
    value: &tera::Value,
    _: &std::collections::HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    let html = value
        .as_str()
        .ok_or_else(|| tera::Error::msg(format!("demote_headings: `{value}` is not a string")))?;
    Ok(tera::Value::String(demote_headings(html).into_owned()))
}

/// tera's escape function: [`text::escape_html`], which leaves `/` alone (tera's default escapes
/// it), so URLs stay readable in the page source.
fn escape(s: &str) -> String {
    text::escape_html(s).into_owned()
}

/// Renders every page of the theme and returns (output name, bytes) for pages and assets.
pub fn render(theme: &Theme, view: &View) -> Result<Vec<(String, Vec<u8>)>, Error> {
    let mut context = tera::Context::from_serialize(view).map_err(|e| Error::Template {
        name: "context".into(),
        source: e,
    })?;
    context.insert("custom_css", &theme.custom_css);
    let mut out = Vec::new();
    for name in &theme.pages {
        out.push((name.clone(), theme.page(name, &context)?));
    }
    out.extend(theme.assets.iter().cloned());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demote_headings_cases() {
        let cases = [
            ("h1 to h4", "<h1>a</h1>", "<h4>a</h4>"),
            (
                "h2 with attribute",
                "<h2 id=\"x\">a</h2>",
                "<h4 id=\"x\">a</h4>",
            ),
            (
                "h4 and h5 stay",
                "<h4>a</h4><h5>b</h5>",
                "<h4>a</h4><h5>b</h5>",
            ),
            (
                "h1 to h3, once each",
                "<h1>a</h1><h2>b</h2><h3>c</h3><h4>d</h4>",
                "<h4>a</h4><h5>b</h5><h6>c</h6><h6>d</h6>",
            ),
            (
                "a skipped level is closed up",
                "<h1>a</h1><h3>b</h3><h6>c</h6>",
                "<h4>a</h4><h5>b</h5><h6>c</h6>",
            ),
            (
                "h5 and h6 rise once each",
                "<h5>a</h5><h6 id=\"x\">b</h6>",
                "<h4>a</h4><h5 id=\"x\">b</h5>",
            ),
            (
                "opening with the deepest level",
                "<h3>a</h3><p>x</p><h2>b</h2><h3>c</h3>",
                "<h4>a</h4><p>x</p><h4>b</h4><h5>c</h5>",
            ),
            ("h6 alone rises to h4", "<h6>a</h6>", "<h4>a</h4>"),
            (
                "escaped text untouched",
                "<p>&lt;h1&gt;</p>",
                "<p>&lt;h1&gt;</p>",
            ),
            (
                "other tags untouched",
                "<hr><header>x</header>",
                "<hr><header>x</header>",
            ),
        ];
        for (name, html, want) in cases {
            assert_eq!(demote_headings(html), want, "{name}");
        }
    }

    #[test]
    fn export_writes_every_template_and_asset_and_loads_back() {
        let dir = tempfile::tempdir().unwrap();
        let theme = dir.path().join("theme");
        let written = export(&theme, false).unwrap();
        assert_eq!(
            written.len(),
            TEMPLATES.len() + ASSETS.len() + 1,
            "and the words"
        );
        for (name, text) in TEMPLATES {
            let path = theme.join(format!("{name}.tera"));
            assert_eq!(std::fs::read_to_string(path).unwrap(), *text, "{name}");
        }
        for (name, bytes) in ASSETS {
            assert_eq!(std::fs::read(theme.join(name)).unwrap(), *bytes, "{name}");
        }
        let sorted = |theme: Theme| {
            let mut assets = theme.assets;
            assets.sort();
            let mut pages = theme.pages;
            pages.sort();
            (pages, assets)
        };
        let loaded = sorted(load(Some(&theme)).unwrap());
        let embedded = sorted(load(None).unwrap());
        assert!(
            loaded == embedded,
            "the exported theme loads as the embedded one"
        );
    }

    #[test]
    fn export_changes_nothing_when_a_file_is_in_the_way_unless_forced() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("style.css"), "mine").unwrap();
        let err = export(dir.path(), false).unwrap_err();
        assert!(
            matches!(&err, Error::Exists { path } if path.ends_with("style.css")),
            "{err}"
        );
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "nothing written");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("style.css")).unwrap(),
            "mine"
        );
        export(dir.path(), true).unwrap();
        assert_eq!(
            std::fs::read(dir.path().join("style.css")).unwrap(),
            ASSETS.iter().find(|(n, _)| *n == "style.css").unwrap().1
        );
    }

    #[test]
    fn escape_keeps_slashes_and_escapes_the_rest() {
        assert_eq!(
            escape(r#"a/b <&> "q" 'r'"#),
            "a/b &lt;&amp;&gt; &quot;q&quot; &#39;r&#39;"
        );
    }
}
