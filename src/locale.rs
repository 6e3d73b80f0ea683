//! The planet's language and time zone: the words and the dates readers see.
//!
//! `[planet] language` (a BCP 47 tag) picks a table of the word catalogue (`templates/words.toml`,
//! compiled in; a theme's own `words.toml` replaces any of its keys) and the locale whose day and
//! month names chrono writes (glibc's data, through pure-rust-locales); `[planet] timezone` (an
//! IANA name) says where a day begins and ends. [`Locale`] formats every date a page shows, so
//! the days, times and notes of every page agree. Feeds keep their RFC 3339 dates: this module
//! only makes dates for people. Pure: the catalogue is read from strings.

use std::collections::BTreeMap;

use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// The languages the catalogue has words for (primary subtags).
pub const LANGUAGES: &[&str] = &["en", "fr", "de", "es", "it", "pt", "nl"];

/// The embedded catalogue.
/// The embedded word catalogue, every language.
pub const CATALOGUE: &str = include_str!("../templates/words.toml");

/// Errors from reading a word catalogue.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The catalogue is not TOML of tables of strings.
    #[error("the word catalogue `words.toml` is not valid")]
    Catalogue(#[source] toml::de::Error),
    /// A date format chrono cannot read.
    #[error("`{key}` in the word catalogue is not a date format chrono reads: `{format}`")]
    Format {
        /// The key.
        key: String,
        /// The format.
        format: String,
    },
}

/// The primary language subtag of a BCP 47 tag, lowercased, when the catalogue has it.
pub fn supported(tag: &str) -> Option<&'static str> {
    let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    LANGUAGES.iter().copied().find(|l| *l == primary)
}

/// The time zone named, when it is an IANA name chrono-tz knows (`UTC`, `Europe/Paris`).
pub fn time_zone(name: &str) -> Option<Tz> {
    name.trim().parse::<Tz>().ok()
}

/// The words of one language, keyed as in `words.toml`.
pub type Words = BTreeMap<String, String>;

/// The words and date formats of the planet's language, in its time zone.
#[derive(Debug, Clone)]
pub struct Locale {
    /// The catalogue's table for the language, the theme's keys over the embedded ones.
    pub words: Words,
    /// chrono's locale for day and month names.
    pub dates: chrono::Locale,
    /// Where the planet's days begin and end.
    pub tz: Tz,
}

/// The keys that are date formats, checked when the catalogue is read: chrono panics when asked
/// to write a format it cannot read.
const FORMATS: &[&str] = &[
    "day_format",
    "time_format",
    "datetime_format",
    "date_format",
    "month_format",
];

impl Locale {
    /// The locale of `language` in `tz`, with the theme's catalogue (`words.toml` text) over the
    /// embedded one. An unsupported language falls back to English (the config refuses it).
    pub fn new(language: &str, tz: Tz, theme: Option<&str>) -> Result<Locale, Error> {
        let lang = supported(language).unwrap_or("en");
        let mut words = table(CATALOGUE, lang)?;
        if let Some(theme) = theme {
            words.extend(table(theme, lang)?);
        }
        for key in FORMATS {
            let format = words.get(*key).map(String::as_str).unwrap_or_default();
            if StrftimeItems::new(format).any(|i| matches!(i, Item::Error)) {
                return Err(Error::Format {
                    key: (*key).to_owned(),
                    format: format.to_owned(),
                });
            }
        }
        Ok(Locale {
            words,
            dates: chrono_locale(language, lang),
            tz,
        })
    }

    /// English in UTC, for tests and callers with no config.
    pub fn english() -> Locale {
        Locale::new("en", Tz::UTC, None).expect("the embedded catalogue is valid")
    }

    /// A word of the catalogue, or the key itself when a theme's catalogue lost it.
    pub fn word(&self, key: &str) -> String {
        self.words
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_owned())
    }

    /// A word with its `{name}` (or `{n}`, `{date}`) placeholder filled.
    pub fn fill(&self, key: &str, placeholder: &str, value: &str) -> String {
        self.word(key).replace(&format!("{{{placeholder}}}"), value)
    }

    /// `d` in the planet's time zone, written with the catalogue's format `key`.
    pub fn format(&self, d: DateTime<Utc>, key: &str) -> String {
        match self.words.get(key) {
            // Checked when the catalogue was read, and written for every entry of a page.
            Some(format) if FORMATS.contains(&key) => d
                .with_timezone(&self.tz)
                .format_localized(format, self.dates)
                .to_string(),
            _ => self.format_with(d, &self.word(key)),
        }
    }

    /// `d` in the planet's time zone, written with `format` (checked: a format chrono cannot
    /// read gives the RFC 3339 date rather than a panic).
    pub fn format_with(&self, d: DateTime<Utc>, format: &str) -> String {
        if StrftimeItems::new(format).any(|i| matches!(i, Item::Error)) {
            return d.to_rfc3339();
        }
        d.with_timezone(&self.tz)
            .format_localized(format, self.dates)
            .to_string()
    }

    /// The local calendar day of `d`, `YYYY-MM-DD`: a day ends at the planet's midnight.
    pub fn day_key(&self, d: DateTime<Utc>) -> String {
        d.with_timezone(&self.tz).format("%Y-%m-%d").to_string()
    }

    /// The local month of `d`, `YYYY/MM`, as the archive's paths have it.
    pub fn month_key(&self, d: DateTime<Utc>) -> String {
        d.with_timezone(&self.tz).format("%Y/%m").to_string()
    }
}

/// The table of `lang` in a catalogue text (empty when it has none).
fn table(text: &str, lang: &str) -> Result<Words, Error> {
    let all: BTreeMap<String, Words> = toml::from_str(text).map_err(Error::Catalogue)?;
    Ok(all.get(lang).cloned().unwrap_or_default())
}

/// chrono's locale for a tag: its own region when glibc has that locale (`pt-BR` → `pt_BR`),
/// else the language's home one.
fn chrono_locale(tag: &str, lang: &str) -> chrono::Locale {
    let region = tag
        .trim()
        .split(['-', '_'])
        .skip(1)
        .find(|s| s.len() == 2 && s.chars().all(|c| c.is_ascii_alphabetic()));
    let home = match lang {
        "en" => "en_GB",
        "fr" => "fr_FR",
        "de" => "de_DE",
        "es" => "es_ES",
        "it" => "it_IT",
        "pt" => "pt_PT",
        "nl" => "nl_NL",
        _ => "POSIX",
    };
    region
        .and_then(|r| {
            chrono::Locale::try_from(format!("{lang}_{}", r.to_ascii_uppercase()).as_str()).ok()
        })
        .or_else(|| chrono::Locale::try_from(home).ok())
        .unwrap_or(chrono::Locale::POSIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn day_headings_speak_the_planet_language() {
        let d = at("2026-12-03T13:05:00Z");
        let paris = time_zone("Europe/Paris").unwrap();
        for (lang, want) in [
            ("en", "Thursday, 3 December 2026"),
            ("fr", "jeudi 3 décembre 2026"),
            ("fr-CA", "jeudi 3 décembre 2026"),
            ("de", "Donnerstag, 3. Dezember 2026"),
            ("es", "jueves, 3 de diciembre de 2026"),
            ("it", "giovedì 3 dicembre 2026"),
            ("pt", "quinta, 3 de dezembro de 2026"),
            ("nl", "donderdag 3 december 2026"),
        ] {
            let l = Locale::new(lang, paris, None).unwrap();
            assert_eq!(l.format(d, "day_format"), want, "{lang}");
        }
        let fr = Locale::new("fr", paris, None).unwrap();
        assert_eq!(fr.format(d, "time_format"), "14:05 CET");
    }

    #[test]
    fn a_day_ends_at_the_planets_midnight() {
        let late = at("2026-12-03T23:30:00Z");
        let utc = Locale::english();
        let paris = Locale::new("en", time_zone("Europe/Paris").unwrap(), None).unwrap();
        assert_eq!(utc.day_key(late), "2026-12-03");
        assert_eq!(paris.day_key(late), "2026-12-04");
        assert_eq!(paris.month_key(at("2026-11-30T23:30:00Z")), "2026/12");
    }

    #[test]
    fn a_theme_replaces_single_words_and_bad_formats_are_refused() {
        let l = Locale::new("fr", Tz::UTC, Some("[fr]\nhome = \"Maison\"\n")).unwrap();
        assert_eq!(l.word("home"), "Maison");
        assert_eq!(l.word("archive"), "Archives");
        let bad = Locale::new("en", Tz::UTC, Some("[en]\nday_format = \"%Q\"\n"));
        assert!(matches!(bad, Err(Error::Format { .. })), "{bad:?}");
    }

    #[test]
    fn every_language_has_every_word() {
        let english = table(CATALOGUE, "en").unwrap();
        for lang in LANGUAGES {
            let words = table(CATALOGUE, lang).unwrap();
            let missing: Vec<&String> =
                english.keys().filter(|k| !words.contains_key(*k)).collect();
            assert!(missing.is_empty(), "{lang} lacks {missing:?}");
        }
    }

    #[test]
    fn tags_and_zones() {
        assert_eq!(supported("pt-BR"), Some("pt"));
        assert_eq!(supported("EN"), Some("en"));
        assert_eq!(supported("ja"), None);
        assert!(time_zone("Europe/Paris").is_some());
        assert!(time_zone("Mars/Olympus").is_none());
    }
}
