//! Attribute values as the HTML standard defines them. The allow-list names, for each attribute
//! it keeps, the kind of value it must hold ([`super::AttrValue`]); a value that is not one is
//! dropped with its attribute (`lang="ruby"`, `datetime="00"`, `colspan="two"`), never guessed
//! at, except where browsers themselves read a sloppy value one way (`colspan=" 3"` is `3`).

use chrono::NaiveDate;
use language_tags::LanguageTag;

/// A BCP 47 language tag whose subtags are in the IANA registry, or the empty string ("unknown").
pub fn language(v: &str) -> bool {
    v.is_empty() || LanguageTag::parse(v).is_ok_and(|t| t.is_valid())
}

/// A language tag that names a language: [`language`] without the empty "unknown". What a
/// page's `lang` carries for an entry, whole or as a headline.
pub fn named_language(v: &str) -> bool {
    !v.is_empty() && language(v)
}

/// An integer read as browsers read one (leading spaces, digits up to the first non-digit),
/// clamped to `max` as browsers clamp it, written back plainly; `None` below `min` or without
/// digits.
pub fn integer(v: &str, min: i64, max: i64) -> Option<String> {
    let s = v.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let (negative, s) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let magnitude: i64 = s[..digits].parse().unwrap_or(i64::MAX);
    let n = if negative { -magnitude } else { magnitude };
    (n >= min).then(|| n.min(max).to_string())
}

/// One of `allowed`, compared as HTML compares enumerated values (ASCII case-insensitively,
/// unless two differ by case only, as `ol`'s `a` and `A` do), written as the standard spells it.
pub fn keyword(v: &str, allowed: &[&str]) -> Option<String> {
    let v = v.trim();
    allowed
        .iter()
        .find(|k| **k == v)
        .or_else(|| allowed.iter().find(|k| k.eq_ignore_ascii_case(v)))
        .map(|k| (*k).to_owned())
}

/// A MIME type: `type/subtype`, optionally followed by `;` parameters.
pub fn mime_type(v: &str) -> bool {
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
    };
    let mut parts = v.split(';');
    let essence = parts.next().unwrap_or_default();
    let Some((kind, sub)) = essence.split_once('/') else {
        return false;
    };
    token(kind)
        && token(sub)
        && parts.all(|p| {
            p.trim().split_once('=').is_some_and(|(name, value)| {
                token(name)
                    && (token(value)
                        || (value.len() >= 2 && value.starts_with('"') && value.ends_with('"')))
            })
        })
}

/// A `sizes` value: source sizes separated by commas, each a media condition and a length, the
/// last one's condition optional; `auto` may come first on a lazy image.
pub fn sizes(v: &str, lazy: bool) -> bool {
    let entries = split_top_level(v, ',');
    let last = entries.len().saturating_sub(1);
    entries.iter().enumerate().all(|(i, entry)| {
        let entry = entry.trim();
        if entry.eq_ignore_ascii_case("auto") {
            return lazy && i == 0;
        }
        let (condition, length) = split_length(entry);
        if !css_length(length) {
            return false;
        }
        match condition.trim() {
            "" => i == last,
            c => media_condition(c),
        }
    })
}

/// A media query list of the simple kinds feeds use: `screen`, `(min-width: 600px)`,
/// `screen and (max-width: 40em)`, `not print`, separated by commas.
pub fn media(v: &str) -> bool {
    !v.trim().is_empty()
        && split_top_level(v, ',').iter().all(|query| {
            let mut words = query.split_ascii_whitespace().peekable();
            if words
                .peek()
                .is_some_and(|w| w.eq_ignore_ascii_case("not") || w.eq_ignore_ascii_case("only"))
            {
                words.next();
            }
            let rest: Vec<&str> = words.collect();
            let rest = rest.join(" ");
            let mut rest = rest.as_str();
            if let Some(word) = rest.split_ascii_whitespace().next() {
                if ["all", "screen", "print"]
                    .iter()
                    .any(|t| t.eq_ignore_ascii_case(word))
                {
                    rest = rest[word.len()..].trim_start();
                    if rest.is_empty() {
                        return true;
                    }
                    let Some(after) = rest.strip_prefix("and ") else {
                        return false;
                    };
                    rest = after;
                }
            }
            media_condition(rest)
        })
}

/// `(feature: value)` or `(feature)` tests joined by `and`, or one test after `not`.
fn media_condition(c: &str) -> bool {
    let c = c.trim();
    let c = c.strip_prefix("not ").map_or(c, str::trim_start);
    split_top_level_words(c)
        .iter()
        .enumerate()
        .all(|(i, part)| {
            if i % 2 == 1 {
                return part.eq_ignore_ascii_case("and") || part.eq_ignore_ascii_case("or");
            }
            let Some(inner) = part.strip_prefix('(').and_then(|p| p.strip_suffix(')')) else {
                return false;
            };
            match inner.split_once(':') {
                Some((name, value)) => {
                    feature_name(name.trim()) && {
                        let value = value.trim();
                        css_length(value)
                            || number(value)
                            || value
                                .split_once('/')
                                .is_some_and(|(a, b)| number(a.trim()) && number(b.trim()))
                            || (!value.is_empty()
                                && value.bytes().all(|b| b.is_ascii_alphabetic() || b == b'-'))
                    }
                }
                None => feature_name(inner.trim()),
            }
        })
        && !c.is_empty()
}

fn feature_name(n: &str) -> bool {
    !n.is_empty() && n.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
}

/// `c` split on `sep` outside parentheses.
fn split_top_level(c: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, ch) in c.char_indices() {
        match ch {
            '(' => depth += 1,
            ')' => depth -= 1,
            ch if ch == sep && depth == 0 => {
                out.push(&c[start..i]);
                start = i + ch.len_utf8();
            }
            _ => {}
        }
    }
    out.push(&c[start..]);
    out
}

/// `c` split on whitespace outside parentheses.
fn split_top_level_words(c: &str) -> Vec<&str> {
    split_top_level(c, ' ')
        .into_iter()
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .collect()
}

/// A source size split into its condition and its length (the last word, or a trailing
/// `calc(…)`-like function).
fn split_length(entry: &str) -> (&str, &str) {
    if entry.ends_with(')') {
        let mut depth = 0i32;
        for (i, ch) in entry.char_indices().rev() {
            match ch {
                ')' => depth += 1,
                '(' => {
                    depth -= 1;
                    if depth == 0 {
                        let start = entry[..i]
                            .char_indices()
                            .rev()
                            .find(|(_, c)| !c.is_ascii_alphabetic() && *c != '-')
                            .map_or(0, |(s, c)| s + c.len_utf8());
                        if start < i {
                            return (&entry[..start], &entry[start..]);
                        }
                        return (entry, "");
                    }
                }
                _ => {}
            }
        }
        return (entry, "");
    }
    match entry.rfind(|c: char| c.is_ascii_whitespace()) {
        Some(i) => (&entry[..i], &entry[i + 1..]),
        None => ("", entry),
    }
}

/// A non-negative CSS length (`0`, `100vw`, `33.3em`, `calc(…)`), as `sizes` accepts them.
fn css_length(v: &str) -> bool {
    const UNITS: &[&str] = &[
        "px", "em", "rem", "ex", "rex", "ch", "rch", "ic", "ric", "cap", "rcap", "lh", "rlh", "vw",
        "vh", "vi", "vb", "vmin", "vmax", "svw", "svh", "lvw", "lvh", "dvw", "dvh", "cqw", "cqh",
        "cqi", "cqb", "cqmin", "cqmax", "cm", "mm", "q", "in", "pt", "pc",
    ];
    if v == "0" {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    for f in ["calc(", "min(", "max(", "clamp("] {
        if lower.starts_with(f) && lower.ends_with(')') {
            return true;
        }
    }
    let (n, unit) = lower.split_at(number_len(&lower));
    !n.starts_with('-') && number(n) && UNITS.contains(&unit)
}

/// The length of the CSS number `v` starts with (sign, digits, fraction, exponent).
fn number_len(v: &str) -> usize {
    let b = v.as_bytes();
    let digits = |from: usize| {
        b[from.min(b.len())..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count()
    };
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    i += digits(i);
    if b.get(i) == Some(&b'.') && digits(i + 1) > 0 {
        i += 1 + digits(i + 1);
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(b.get(i + 1), Some(b'+' | b'-')));
        let e = digits(i + 1 + sign);
        if e > 0 {
            i += 1 + sign + e;
        }
    }
    i
}

/// A CSS number: digits with an optional fraction and exponent.
fn number(v: &str) -> bool {
    let v = v.strip_prefix(['+', '-']).unwrap_or(v);
    let (mantissa, exponent) = match v.find(['e', 'E']) {
        Some(i) => (&v[..i], Some(&v[i + 1..])),
        None => (v, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    (!int.is_empty() || !frac.is_empty())
        && digits(int)
        && digits(frac)
        && !(mantissa.ends_with('.'))
        && exponent.is_none_or(|e| {
            let e = e.strip_prefix(['+', '-']).unwrap_or(e);
            !e.is_empty() && digits(e)
        })
}

/// Any date, time or duration the `time` element accepts (its `datetime`, or its text when it
/// has none): a month, date, yearless date, time, local or global date and time, time-zone
/// offset, week, year or duration.
pub fn time_value(v: &str) -> bool {
    whole(v, Cursor::month)
        || whole(v, Cursor::date)
        || whole(v, Cursor::yearless_date)
        || whole(v, Cursor::time)
        || whole(v, Cursor::local_date_time)
        || whole(v, Cursor::zone)
        || whole(v, Cursor::global_date_time)
        || whole(v, Cursor::week)
        || whole(v, Cursor::year)
        || duration(v)
}

/// What `del` and `ins` accept as `datetime`: a date, or a date and time with its zone.
pub fn date_or_global_date_time(v: &str) -> bool {
    whole(v, Cursor::date) || whole(v, Cursor::global_date_time)
}

/// Whether production `f` matches the whole of `v`.
fn whole<'v>(v: &'v str, f: fn(&mut Cursor<'v>) -> Option<()>) -> bool {
    let mut c = Cursor(v.as_bytes());
    f(&mut c).is_some() && c.0.is_empty()
}

/// A duration: ISO 8601's `P1DT2H30M`, or components like `1h 30m`.
fn duration(v: &str) -> bool {
    if let Some(rest) = v.strip_prefix('P') {
        let mut c = Cursor(rest.as_bytes());
        let mut any = false;
        if c.clone().number_then(b'D') {
            c.number_then(b'D');
            any = true;
        }
        if c.eat(b'T') {
            let mut timed = false;
            for unit in [b'H', b'M'] {
                if c.clone().number_then(unit) {
                    c.number_then(unit);
                    timed = true;
                }
            }
            if c.clone().seconds() {
                c.seconds();
                timed = true;
            }
            any |= timed;
            if !timed {
                return false;
            }
        }
        return any && c.0.is_empty();
    }
    let mut c = Cursor(v.as_bytes());
    let mut seen: Vec<u8> = Vec::new();
    loop {
        c.spaces();
        if c.0.is_empty() {
            return !seen.is_empty();
        }
        let digits = c.digit_count();
        if digits == 0 {
            return false;
        }
        c.0 = &c.0[digits..];
        let fraction = c.eat(b'.');
        if fraction {
            let f = c.digit_count();
            if !(1..=3).contains(&f) {
                return false;
            }
            c.0 = &c.0[f..];
        }
        c.spaces();
        let Some(&unit) = c.0.first() else {
            return false;
        };
        let unit = unit.to_ascii_uppercase();
        if !b"WDHMS".contains(&unit) || seen.contains(&unit) || (fraction && unit != b'S') {
            return false;
        }
        seen.push(unit);
        c.0 = &c.0[1..];
    }
}

/// A cursor over the text of a date or time, each method consuming one production of the
/// standard's grammar (`None`, having consumed some, when it does not match).
#[derive(Clone)]
struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    fn eat(&mut self, b: u8) -> bool {
        match self.0.split_first() {
            Some((&first, rest)) if first == b => {
                self.0 = rest;
                true
            }
            _ => false,
        }
    }

    fn digit_count(&self) -> usize {
        self.0.iter().take_while(|b| b.is_ascii_digit()).count()
    }

    fn spaces(&mut self) {
        let n = self
            .0
            .iter()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
        self.0 = &self.0[n..];
    }

    /// Exactly `n` digits, as a number.
    fn fixed(&mut self, n: usize) -> Option<u32> {
        if self.digit_count() < n {
            return None;
        }
        let (d, rest) = self.0.split_at(n);
        self.0 = rest;
        std::str::from_utf8(d).ok()?.parse().ok()
    }

    fn number_then(&mut self, unit: u8) -> bool {
        let n = self.digit_count();
        if n == 0 || self.0.get(n) != Some(&unit) {
            return false;
        }
        self.0 = &self.0[n + 1..];
        true
    }

    fn seconds(&mut self) -> bool {
        let n = self.digit_count();
        if n == 0 {
            return false;
        }
        let mut rest = &self.0[n..];
        if let Some(r) = rest.strip_prefix(b".") {
            let f = r.iter().take_while(|b| b.is_ascii_digit()).count();
            if !(1..=3).contains(&f) {
                return false;
            }
            rest = &r[f..];
        }
        match rest.strip_prefix(b"S") {
            Some(r) => {
                self.0 = r;
                true
            }
            None => false,
        }
    }

    /// Four or more digits, greater than zero.
    fn year_number(&mut self) -> Option<i32> {
        let n = self.digit_count();
        if n < 4 {
            return None;
        }
        let (d, rest) = self.0.split_at(n);
        self.0 = rest;
        let y: i32 = std::str::from_utf8(d).ok()?.parse().ok()?;
        (y > 0).then_some(y)
    }

    fn year(&mut self) -> Option<()> {
        self.year_number().map(|_| ())
    }

    fn month_number(&mut self) -> Option<(i32, u32)> {
        let y = self.year_number()?;
        self.eat(b'-').then_some(())?;
        let m = self.fixed(2)?;
        (1..=12).contains(&m).then_some((y, m))
    }

    fn month(&mut self) -> Option<()> {
        self.month_number().map(|_| ())
    }

    fn date(&mut self) -> Option<()> {
        let (y, m) = self.month_number()?;
        self.eat(b'-').then_some(())?;
        let d = self.fixed(2)?;
        NaiveDate::from_ymd_opt(y, m, d).map(|_| ())
    }

    fn yearless_date(&mut self) -> Option<()> {
        if self.eat(b'-') {
            self.eat(b'-').then_some(())?;
        }
        let m = self.fixed(2)?;
        self.eat(b'-').then_some(())?;
        let d = self.fixed(2)?;
        // Any year: 29 February counts.
        NaiveDate::from_ymd_opt(2000, m, d).map(|_| ())
    }

    fn time(&mut self) -> Option<()> {
        let h = self.fixed(2)?;
        self.eat(b':').then_some(())?;
        let m = self.fixed(2)?;
        if h > 23 || m > 59 {
            return None;
        }
        if self.eat(b':') {
            let s = self.fixed(2)?;
            if s > 59 {
                return None;
            }
            if self.eat(b'.') {
                let f = self.digit_count();
                if !(1..=3).contains(&f) {
                    return None;
                }
                self.0 = &self.0[f..];
            }
        }
        Some(())
    }

    fn local_date_time(&mut self) -> Option<()> {
        self.date()?;
        (self.eat(b'T') || self.eat(b' ')).then_some(())?;
        self.time()
    }

    fn zone(&mut self) -> Option<()> {
        if self.eat(b'Z') {
            return Some(());
        }
        (self.eat(b'+') || self.eat(b'-')).then_some(())?;
        let h = self.fixed(2)?;
        self.eat(b':');
        let m = self.fixed(2)?;
        (h <= 23 && m <= 59).then_some(())
    }

    fn global_date_time(&mut self) -> Option<()> {
        self.local_date_time()?;
        self.zone()
    }

    fn week(&mut self) -> Option<()> {
        let y = self.year_number()?;
        (self.eat(b'-') && self.eat(b'W')).then_some(())?;
        let w = self.fixed(2)?;
        NaiveDate::from_isoywd_opt(y, w, chrono::Weekday::Mon).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_come_from_the_registry() {
        for (v, ok) in [
            ("en", true),
            ("en-us", true),
            ("zh-Hans-CN", true),
            ("x-private", true),
            ("", true),
            ("ruby", false),
            ("javascript", false),
            ("html", false),
            ("xx", false),
            ("en_US", false),
        ] {
            assert_eq!(language(v), ok, "{v:?}");
        }
    }

    #[test]
    fn dates_and_times_follow_the_standard() {
        for (v, time, del) in [
            ("2020-01-02", true, true),
            ("2020-02-30", false, false),
            ("2024-02-29", true, true),
            ("2020-01", true, false),
            ("2020", true, false),
            ("00", false, false),
            ("12:30", true, false),
            ("12:30:59.123", true, false),
            ("24:00", false, false),
            ("2020-01-02T10:00", true, false),
            ("2020-01-02T10:00Z", true, true),
            ("2020-01-02 10:00:00.5+01:00", true, true),
            ("+0130", true, false),
            ("2020-W05", true, false),
            ("2020-W53", true, false),
            ("2021-W53", false, false),
            ("--12-25", true, false),
            ("12-25", true, false),
            ("P1D", true, false),
            ("PT1H30M", true, false),
            ("P", false, false),
            ("1h 30m", true, false),
            ("1 h 30m", true, false),
            ("1.5s", true, false),
            ("1.5h", false, false),
            ("yesterday", false, false),
            ("Jan 2", false, false),
        ] {
            assert_eq!(time_value(v), time, "time {v:?}");
            assert_eq!(date_or_global_date_time(v), del, "del {v:?}");
        }
    }

    #[test]
    fn integers_read_as_browsers_read_them() {
        for (v, want) in [
            ("3", Some("3")),
            (" 3px", Some("3")),
            ("0", None),
            ("two", None),
            ("5000", Some("1000")),
            ("", None),
        ] {
            assert_eq!(integer(v, 1, 1000).as_deref(), want, "{v:?}");
        }
        assert_eq!(integer("-3", i64::MIN, i64::MAX).as_deref(), Some("-3"));
    }

    #[test]
    fn sizes_and_media_queries() {
        for (v, ok) in [
            ("100vw", true),
            ("(max-width: 600px) 100vw, 600px", true),
            ("(min-width: 36em) 33.3vw, 100vw", true),
            ("calc(100vw - 2em)", true),
            ("auto", true),
            ("auto, 100vw", true),
            ("100%", false),
            ("600px, 100vw", false),
            ("é(1px)", false),
            ("(max-width: 1px) é", false),
            ("", false),
        ] {
            assert_eq!(sizes(v, true), ok, "sizes {v:?}");
        }
        assert!(!sizes("auto", false));
        for (v, ok) in [
            ("(min-width: 600px)", true),
            ("screen and (max-width: 40em)", true),
            ("print", true),
            ("(orientation: landscape)", true),
            ("(min-aspect-ratio: 16/9)", true),
            ("min-width: 600px", false),
            ("", false),
        ] {
            assert_eq!(media(v), ok, "media {v:?}");
        }
        assert!(mime_type("image/webp"));
        assert!(mime_type("video/mp4; codecs=\"avc1\""));
        assert!(!mime_type("webp"));
    }
}
