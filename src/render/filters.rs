//! What themes may call beyond tera's own filters: the planet's words and dates, an entry's
//! headings put under its title, and the filters tera 1 had built in that themes use, kept under
//! their tera 1 names so themes written for it keep working. tera-contrib supplies `slugify`,
//! `urlencode`, `json_encode` and `striptags`; `filesizeformat` (tera 1's units) and `date` are
//! written here, `date` on chrono, which the planet already uses, rather than tera-contrib's,
//! which brings ICU's date data.

use std::borrow::Cow;

use tera::{Kwargs, State, Tera, TeraResult, Value};

use crate::locale::Locale;
use crate::text;

/// Registers every filter of this module in `tera`, `local_date` speaking `locale`. Done
/// before templates are added: tera refuses a template calling a filter it does not know.
pub fn register(tera: &mut Tera, locale: &Locale) {
    tera.set_escape_fn(escape);
    let words = locale.clone();
    tera.register_filter(
        "local_date",
        move |value: &str, kwargs: Kwargs, _: &State| -> TeraResult<String> {
            local_date(&words, value, kwargs.get::<&str>("format")?)
        },
    );
    tera.register_filter("date", date);
    tera.register_filter("demote_headings", |html: &str, _: Kwargs, _: &State| {
        demote_headings(html).into_owned()
    });
    // tera 1's names for tera-contrib's filters, and tera-contrib's own.
    for name in ["slugify", "slug"] {
        tera.register_filter(name, tera_contrib::slug::slug);
    }
    tera.register_filter("filesizeformat", filesizeformat);
    tera.register_filter(
        "filesize_format",
        tera_contrib::filesize_format::filesize_format,
    );
    tera.register_filter("urlencode", tera_contrib::urlencode::urlencode);
    tera.register_filter(
        "urlencode_strict",
        tera_contrib::urlencode::urlencode_strict,
    );
    tera.register_filter("json_encode", tera_contrib::json::json_encode);
    tera.register_filter("striptags", tera_contrib::regex::striptags);
    tera.register_filter("spaceless", tera_contrib::regex::spaceless);
}

/// The escape of every `.html` and `.xml` page: [`text::escape_html`], which leaves `/` alone
/// (tera 1 escaped it), so URLs stay readable in the page source.
fn escape(s: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    out.write_all(text::escape_html(s).as_bytes())
}

/// `{{ date | local_date }}`, `{{ date | local_date(format="%-d %B") }}`: an RFC 3339 date in
/// the planet's time zone and language; the format is strftime's, or a key of the word catalogue
/// (`day_format`, `time_format`, `datetime_format` by default, `date_format`, `month_format`).
fn local_date(locale: &Locale, value: &str, format: Option<&str>) -> TeraResult<String> {
    let date = chrono::DateTime::parse_from_rfc3339(value)
        .map_err(|e| tera::Error::message(format!("local_date: `{value}` is not RFC 3339: {e}")))?
        .with_timezone(&chrono::Utc);
    let format = format.unwrap_or("datetime_format");
    let format = locale.words.get(format).map_or(format, String::as_str);
    Ok(locale.format_with(date, format))
}

/// tera 1's `filesizeformat`: 1,024-byte units named `kB`, `MB`…, or `KiB`… with
/// `binary=true` (tera-contrib's `filesize_format` defaults to those).
fn filesizeformat(bytes: u64, kwargs: Kwargs, _: &State) -> TeraResult<String> {
    let units = match kwargs.get::<bool>("binary")? {
        Some(true) => humansize::BINARY,
        _ => humansize::WINDOWS,
    };
    Ok(humansize::format_size(bytes, units))
}

/// tera 1's `date`: `{{ value | date(format="%Y-%m-%d", timezone="Europe/Paris",
/// locale="fr_FR") }}`, of a Unix timestamp, an RFC 3339 date, a date and time with no zone
/// (taken as UTC) or a bare `YYYY-MM-DD`.
fn date(value: &Value, kwargs: Kwargs, _: &State) -> TeraResult<String> {
    use chrono::{NaiveDate, NaiveDateTime, TimeZone as _, Utc};
    let format = kwargs.get::<&str>("format")?.unwrap_or("%Y-%m-%d");
    let when = if let Some(n) = value.as_i64() {
        Utc.timestamp_opt(n, 0).single()
    } else if let Some(s) = value.as_str() {
        chrono::DateTime::parse_from_rfc3339(s)
            .map(|d| d.with_timezone(&Utc))
            .ok()
            .or_else(|| {
                NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
                    .ok()
                    .or_else(|| {
                        NaiveDate::parse_from_str(s, "%Y-%m-%d")
                            .ok()?
                            .and_hms_opt(0, 0, 0)
                    })
                    .map(|d| d.and_utc())
            })
    } else {
        None
    };
    let when = when.ok_or_else(|| {
        tera::Error::message(format!(
            "date: `{value}` is not a timestamp, an RFC 3339 date nor a YYYY-MM-DD date"
        ))
    })?;
    if chrono::format::StrftimeItems::new(format).any(|i| matches!(i, chrono::format::Item::Error))
    {
        let message = format!("date: `{format}` is not a valid format");
        return Err(tera::Error::message(message));
    }
    let tz: chrono_tz::Tz = match kwargs.get::<&str>("timezone")? {
        Some(name) => name
            .parse()
            .map_err(|_| tera::Error::message(format!("date: `{name}` is not a time zone")))?,
        None => chrono_tz::UTC,
    };
    let when = when.with_timezone(&tz);
    Ok(match kwargs.get::<&str>("locale")? {
        Some(name) => {
            let locale = chrono::Locale::try_from(name)
                .map_err(|_| tera::Error::message(format!("date: `{name}` is not a locale")))?;
            when.format_localized(format, locale).to_string()
        }
        None => when.format(format).to_string(),
    })
}

/// Demotes the headings inside an entry's (sanitized) HTML so they sit below the entry's own
/// `h3`: the levels the fragment uses, from the highest, become `h4`, `h5` and `h6` (the rest
/// `h6` too), so a post whose subheads are `h4` and `h5` keeps them, one using `h1` and `h3`
/// gets `h4` and `h5`; and no heading goes more than one level below the one before it. Keeps
/// the page's heading outline in order for screen readers, with no level skipped. Safe on the
/// sanitizer's output, where a `<` in text is always escaped, so `<hN` only ever starts a tag.
fn demote_headings(html: &str) -> Cow<'_, str> {
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
    fn escape_keeps_slashes_and_escapes_the_rest() {
        let mut out = Vec::new();
        escape(r#"a/b <&> "q" 'r'"#, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "a/b &lt;&amp;&gt; &quot;q&quot; &#39;r&#39;"
        );
    }

    #[test]
    fn date_reads_what_tera_1_read() {
        let mut tera = Tera::new();
        register(&mut tera, &Locale::english());
        let cases = [
            ("{{ 0 | date }}", "1970-01-01"),
            (
                "{{ '2026-12-03T23:30:00Z' | date(format='%A %H:%M', timezone='Europe/Paris') }}",
                "Friday 00:30",
            ),
            (
                "{{ '2026-12-03' | date(format='%-d %B', locale='fr_FR') }}",
                "3 décembre",
            ),
            ("{{ '2026-12-03T10:00:00' | date(format='%H') }}", "10"),
            (
                "{{ 'A b' | slugify }} {{ 1024 | filesizeformat }}",
                "a-b 1 kB",
            ),
        ];
        for (template, want) in cases {
            let got = tera
                .render_str(template, &tera::Context::new(), false)
                .unwrap();
            assert_eq!(got, want, "{template}");
        }
        for bad in [
            "{{ 'soon' | date }}",
            "{{ 0 | date(timezone='Mars/Olympus') }}",
        ] {
            let err = tera
                .render_str(bad, &tera::Context::new(), false)
                .unwrap_err();
            assert!(format!("{err:?}").contains("date: "), "{bad}: {err:?}");
        }
    }
}
