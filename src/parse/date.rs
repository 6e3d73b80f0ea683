//! Feed dates as the web writes them, not as the RFCs do.
//!
//! RSS says RFC 822 and Atom says RFC 3339; real feeds write full day and month names, two-digit
//! years, no seconds, time-zone abbreviations, ISO 8601 with a space or no colon, and dates with
//! no time zone at all. This parser reads all of those and returns UTC. A date without a zone is
//! taken as UTC (what feedparser does: a guess, but a stable one); a date it cannot read is
//! `None`, and the entry then sorts by when the planet first saw it.
//! Hand-written rather than a crate: chrono reads the strict forms, and the lenient ones are a
//! short table of tokens, tested case by case below.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// Parses a feed date; `None` when it is not one.
pub fn parse(text: &str) -> Option<DateTime<Utc>> {
    let s = text.trim();
    if s.is_empty() {
        return None;
    }
    DateTime::parse_from_rfc3339(s)
        .or_else(|_| DateTime::parse_from_rfc2822(s))
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| iso8601(s))
        .or_else(|| rfc822ish(s))
}

/// ISO 8601 / W3CDTF variants: `2024-01-02`, `2024-01-02 10:00`, `2024-01-02T10:00:00.5+0100`,
/// `20240102T100000Z`.
fn iso8601(s: &str) -> Option<DateTime<Utc>> {
    let s = s.replace(' ', "T");
    let (date_part, rest) = match s.split_once('T') {
        Some((d, t)) => (d.to_owned(), Some(t.to_owned())),
        None => (s.clone(), None),
    };
    let date = NaiveDate::parse_from_str(&date_part, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(&date_part, "%Y%m%d"))
        .or_else(|_| NaiveDate::parse_from_str(&format!("{date_part}-01"), "%Y-%m-%d"))
        .ok()?;
    let Some(rest) = rest.filter(|r| !r.is_empty()) else {
        return Some(Utc.from_utc_datetime(&date.and_time(NaiveTime::MIN)));
    };
    // Split the time from its zone: `Z`, `+hh:mm`, `+hhmm`, `+hh`, or a name.
    let zone_at = rest
        .find(|c: char| c == 'Z' || c == 'z' || c == '+' || c == '-' || c.is_ascii_alphabetic())
        .unwrap_or(rest.len());
    let (time_part, zone_part) = rest.split_at(zone_at);
    let time = parse_time(time_part.trim_end_matches('T'))?;
    let zone_part = zone_part.trim_start_matches(['T', 't']).trim();
    let offset = if zone_part.is_empty() {
        0
    } else {
        zone_offset(zone_part)?
    };
    local_to_utc(date.and_time(time), offset)
}

fn parse_time(t: &str) -> Option<NaiveTime> {
    let t = t.trim();
    NaiveTime::parse_from_str(t, "%H:%M:%S%.f")
        .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M"))
        .or_else(|_| NaiveTime::parse_from_str(t, "%H%M%S"))
        .or_else(|_| NaiveTime::parse_from_str(t, "%H%M"))
        .ok()
}

/// RFC 822 as written in the wild: day names full, short or missing; month names in any case
/// and length (`Sept`); two-digit years; missing seconds; zone as an offset, an abbreviation,
/// `GMT+1`, or nothing; also the asctime order `Tue Jan  2 10:00:00 2024`.
fn rfc822ish(s: &str) -> Option<DateTime<Utc>> {
    let cleaned = s.replace([',', '.'], " ");
    let mut day = None;
    let mut month = None;
    let mut year = None;
    let mut time = None;
    let mut offset = None;
    for tok in cleaned.split_whitespace() {
        let lower = tok.to_ascii_lowercase();
        if let Some(m) = month_of(&lower) {
            month = Some(m);
        } else if is_day_name(&lower) {
            continue;
        } else if tok.contains(':') && time.is_none() {
            // `10:00:00+0100` carries its zone glued on.
            let split = tok
                .char_indices()
                .skip(1)
                .find(|(_, c)| matches!(c, '+' | '-'))
                .map_or(tok.len(), |(i, _)| i);
            time = Some(parse_time(&tok[..split])?);
            if split < tok.len() {
                offset = Some(zone_offset(&tok[split..])?);
            }
        } else if let Some(n) = tok
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| tok.parse::<i32>().ok())
            .flatten()
        {
            // Digits only: a signed `+0100` is a zone (below), never a year.
            if tok.len() >= 3 {
                year = Some(n);
            } else if day.is_none() {
                day = Some(n);
            } else if year.is_none() {
                year = Some(if n < 50 { 2000 + n } else { 1900 + n });
            }
        } else if offset.is_none() {
            offset = Some(zone_offset(tok)?);
        }
    }
    let (Some(year), Some(month), Some(day)) = (year, month, day) else {
        return None;
    };
    let date = NaiveDate::from_ymd_opt(year, month, u32::try_from(day).ok()?)?;
    local_to_utc(
        date.and_time(time.unwrap_or(NaiveTime::MIN)),
        offset.unwrap_or(0),
    )
}

fn local_to_utc(local: NaiveDateTime, offset_secs: i32) -> Option<DateTime<Utc>> {
    FixedOffset::east_opt(offset_secs)?
        .from_local_datetime(&local)
        .single()
        .map(|d| d.with_timezone(&Utc))
}

fn month_of(tok: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    if tok.len() < 3 || !tok.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let full = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    MONTHS
        .iter()
        .zip(full)
        .position(|(short, long)| long.starts_with(tok) && tok.starts_with(short))
        .map(|i| i as u32 + 1)
}

fn is_day_name(tok: &str) -> bool {
    const DAYS: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    tok.len() >= 3 && DAYS.iter().any(|d| d.starts_with(tok))
}

/// A zone as seconds east of UTC: `Z`, `+0100`, `+01:00`, `+01`, `GMT+1`, `UTC-05:00`, or an
/// abbreviation (RFC 822's and the common ones; military letters count as UTC, per RFC 2822).
fn zone_offset(z: &str) -> Option<i32> {
    let z = z.trim().trim_matches(['(', ')']);
    let upper = z.to_ascii_uppercase();
    for prefix in ["GMT", "UTC", "UT"] {
        if let Some(rest) = upper.strip_prefix(prefix) {
            if rest.is_empty() {
                return Some(0);
            }
            if rest.starts_with(['+', '-']) {
                return numeric_offset(rest);
            }
        }
    }
    if z.starts_with(['+', '-']) {
        return numeric_offset(z);
    }
    let hours: f32 = match upper.as_str() {
        "Z" => 0.0,
        "EST" => -5.0,
        "EDT" => -4.0,
        "CST" => -6.0,
        "CDT" => -5.0,
        "MST" => -7.0,
        "MDT" => -6.0,
        "PST" => -8.0,
        "PDT" => -7.0,
        "AKST" => -9.0,
        "AKDT" => -8.0,
        "HST" => -10.0,
        "AST" => -4.0,
        "ADT" => -3.0,
        "NST" => -3.5,
        "NDT" => -2.5,
        "WET" => 0.0,
        "BST" | "WEST" | "CET" | "MET" => 1.0,
        "CEST" | "MEST" | "EET" | "SAST" => 2.0,
        "EEST" | "MSK" => 3.0,
        "IST" => 5.5,
        "SGT" | "HKT" | "AWST" => 8.0,
        "JST" | "KST" => 9.0,
        "ACST" => 9.5,
        "AEST" => 10.0,
        "ACDT" => 10.5,
        "AEDT" => 11.0,
        "NZST" => 12.0,
        "NZDT" => 13.0,
        m if m.len() == 1 && m.chars().all(|c| c.is_ascii_alphabetic()) => 0.0,
        _ => return None,
    };
    Some((hours * 3600.0) as i32)
}

fn numeric_offset(z: &str) -> Option<i32> {
    let sign = if z.starts_with('-') { -1 } else { 1 };
    let digits: String = z[1..].chars().filter(char::is_ascii_digit).collect();
    let (h, m) = match digits.len() {
        1 | 2 => (digits.parse::<i32>().ok()?, 0),
        3 => (digits[..1].parse::<i32>().ok()?, digits[1..].parse().ok()?),
        4 => (digits[..2].parse::<i32>().ok()?, digits[2..].parse().ok()?),
        _ => return None,
    };
    (h <= 23 && m <= 59).then_some(sign * (h * 3600 + m * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_real_world_dates() {
        let cases = [
            (
                "rfc 3339",
                "2024-01-02T10:00:00Z",
                Some("2024-01-02T10:00:00Z"),
            ),
            (
                "rfc 3339 offset",
                "2024-01-02T10:00:00+01:00",
                Some("2024-01-02T09:00:00Z"),
            ),
            (
                "rfc 3339 fraction",
                "2024-01-02T10:00:00.123Z",
                Some("2024-01-02T10:00:00.123Z"),
            ),
            (
                "iso no zone",
                "2024-01-02T10:00:00",
                Some("2024-01-02T10:00:00Z"),
            ),
            (
                "iso space",
                "2024-01-02 10:00:00",
                Some("2024-01-02T10:00:00Z"),
            ),
            (
                "iso space zone",
                "2024-01-02 10:00:00 +01:00",
                Some("2024-01-02T09:00:00Z"),
            ),
            (
                "wrong day name, numeric zone",
                "Mon, 20 Nov 2026 10:00:00 +0100",
                Some("2026-11-20T09:00:00Z"),
            ),
            (
                "iso no colon offset",
                "2024-01-02T10:00:00+0100",
                Some("2024-01-02T09:00:00Z"),
            ),
            (
                "iso hours offset",
                "2024-01-02T10:00-05",
                Some("2024-01-02T15:00:00Z"),
            ),
            (
                "iso no seconds",
                "2024-01-02T10:00Z",
                Some("2024-01-02T10:00:00Z"),
            ),
            ("iso date only", "2024-01-02", Some("2024-01-02T00:00:00Z")),
            (
                "iso basic",
                "20240102T100000Z",
                Some("2024-01-02T10:00:00Z"),
            ),
            ("w3cdtf month", "2024-01", Some("2024-01-01T00:00:00Z")),
            (
                "rfc 822",
                "Tue, 02 Jan 2024 10:00:00 +0000",
                Some("2024-01-02T10:00:00Z"),
            ),
            (
                "rfc 822 gmt",
                "Tue, 02 Jan 2024 10:00:00 GMT",
                Some("2024-01-02T10:00:00Z"),
            ),
            (
                "rfc 822 est",
                "Tue, 02 Jan 2024 10:00:00 EST",
                Some("2024-01-02T15:00:00Z"),
            ),
            (
                "rfc 822 cest",
                "Tue, 02 Jan 2024 10:00:00 CEST",
                Some("2024-01-02T08:00:00Z"),
            ),
            (
                "no day name",
                "02 Jan 2024 10:00:00 +0100",
                Some("2024-01-02T09:00:00Z"),
            ),
            (
                "full names",
                "Tuesday, 2 January 2024 10:00:00 GMT",
                Some("2024-01-02T10:00:00Z"),
            ),
            (
                "sept",
                "Mon, 2 Sept 2024 10:00:00 GMT",
                Some("2024-09-02T10:00:00Z"),
            ),
            (
                "no seconds",
                "Tue, 02 Jan 2024 10:00 GMT",
                Some("2024-01-02T10:00:00Z"),
            ),
            (
                "two-digit year",
                "Tue, 02 Jan 24 10:00:00 GMT",
                Some("2024-01-02T10:00:00Z"),
            ),
            (
                "no zone",
                "Tue, 02 Jan 2024 10:00:00",
                Some("2024-01-02T10:00:00Z"),
            ),
            (
                "gmt+1",
                "Tue, 02 Jan 2024 10:00:00 GMT+1",
                Some("2024-01-02T09:00:00Z"),
            ),
            (
                "utc-05:00",
                "Tue, 02 Jan 2024 10:00:00 UTC-05:00",
                Some("2024-01-02T15:00:00Z"),
            ),
            (
                "glued offset",
                "Tue, 02 Jan 2024 10:00:00+0200",
                Some("2024-01-02T08:00:00Z"),
            ),
            (
                "wrong day name",
                "Mon, 02 Jan 2024 10:00:00 GMT",
                Some("2024-01-02T10:00:00Z"),
            ),
            (
                "lower case",
                "tue, 02 jan 2024 10:00:00 gmt",
                Some("2024-01-02T10:00:00Z"),
            ),
            (
                "asctime",
                "Tue Jan  2 10:00:00 2024",
                Some("2024-01-02T10:00:00Z"),
            ),
            (
                "zone comment",
                "Tue, 02 Jan 2024 10:00:00 +0000 (UTC)",
                Some("2024-01-02T10:00:00Z"),
            ),
            (
                "date only rfc 822",
                "2 Jan 2024",
                Some("2024-01-02T00:00:00Z"),
            ),
            ("garbage", "yesterday", None),
            ("non-ascii", "é:00 Jän 2024 ü", None),
            ("non-ascii zone", "2024-01-02T10:00:00ü", None),
            ("empty", "  ", None),
            ("impossible day", "Tue, 32 Jan 2024 10:00:00 GMT", None),
        ];
        for (name, input, want) in cases {
            let got = parse(input).map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true));
            assert_eq!(got.as_deref(), want, "case {name}: {input}");
        }
    }
}
