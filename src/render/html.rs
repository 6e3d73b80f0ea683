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
    /// Whether the theme has a `custom.css`, linked after `style.css`.
    pub custom_css: bool,
    /// A hash of every template, word and asset: a page rendered by another theme is stale.
    pub fingerprint: u64,
}

/// The planet's theme, speaking its language in its time zone (see [`load`]).
pub fn load_for(planet: &crate::config::Planet) -> Result<(Theme, Locale), Error> {
    load(
        planet.templates_dir.as_deref(),
        &planet.language,
        planet.tz(),
    )
}

/// Loads the embedded theme and the operator's overrides from `dir`, if any, with its words
/// laid over the embedded catalogue in `language`. A template that does not parse is named,
/// with its file and line; so is one that calls a filter or a test no one defines.
pub fn load(
    dir: Option<&Path>,
    language: &str,
    tz: chrono_tz::Tz,
) -> Result<(Theme, Locale), Error> {
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
    let locale = Locale::new(language, tz, words.as_deref()).map_err(Error::Words)?;
    let fingerprint = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        sources.hash(&mut h);
        assets.hash(&mut h);
        words.hash(&mut h);
        h.finish()
    };
    let mut tera = Tera::new();
    tera.autoescape_on([".html", ".htm", ".xml"]);
    super::filters::register(&mut tera, &locale);
    let pages: Vec<String> = sources
        .iter()
        .map(|(n, _, _)| n.clone())
        .filter(|n| !n.starts_with('_') && !LAYOUTS.contains(&n.as_str()))
        .collect();
    tera.add_raw_templates(sources.iter().map(|(n, s, _)| (n.as_str(), s.as_str())))
        .map_err(|e| refused(e, &sources, &pages))?;
    let custom_css = assets.iter().any(|(n, _)| n == CUSTOM_CSS);
    let theme = Theme {
        tera,
        pages,
        assets,
        custom_css,
        fingerprint,
    };
    Ok((theme, locale))
}

/// Why tera refused the theme, naming the template at fault: with its file and line when it
/// does not parse or calls a filter, a test or a function no one defines; the one that extends
/// or includes in a loop or extends a missing parent. Anything else spans templates, and
/// names the pages.
fn refused(
    e: tera::Error,
    sources: &[(String, String, Option<PathBuf>)],
    pages: &[String],
) -> Error {
    let at = match e.kind() {
        tera::ErrorKind::SyntaxError(report) => {
            Some((report.filename().to_owned(), report.span().start_line))
        }
        // What tera checks across templates once they parse comes as its reports joined,
        // each pointing at its place as ` --> NAME:LINE:COLUMN`.
        tera::ErrorKind::Msg(reports) => reports.split_once(" --> ").and_then(|(_, at)| {
            let mut parts = at.lines().next()?.rsplitn(3, ':');
            let (_, line, name) = (parts.next()?, parts.next()?, parts.next()?);
            Some((name.to_owned(), line.parse().ok()?))
        }),
        _ => None,
    };
    let known = at.and_then(|(name, line)| {
        let (_, _, path) = sources.iter().find(|(n, _, _)| *n == name)?;
        Some((name, line, path.clone()))
    });
    if let Some((name, line, path)) = known {
        return Error::Parse {
            name,
            path,
            line: Some(line),
            source: Box::new(e),
        };
    }
    let name = match e.kind() {
        tera::ErrorKind::MissingParent { current, .. } => current.clone(),
        tera::ErrorKind::CircularExtend { tpl, .. } => tpl.clone(),
        tera::ErrorKind::CircularInclude { tpl, .. } => tpl.clone(),
        _ => pages.join(", "),
    };
    Error::Template { name, source: e }
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
        Ok(match text::publishable(&text) {
            Cow::Borrowed(_) => text.into_bytes(),
            Cow::Owned(clean) => clean.into_bytes(),
        })
    }
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
        let utc = chrono_tz::Tz::UTC;
        let loaded = sorted(load(Some(&theme), "en", utc).unwrap().0);
        let embedded = sorted(load(None, "en", utc).unwrap().0);
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
}
