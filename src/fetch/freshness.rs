//! How long a feed host asks us to wait: `Cache-Control`, `Expires` and `Retry-After`, read
//! as RFC 9111 and RFC 9110 say.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, CACHE_CONTROL, DATE, EXPIRES};

use super::header;

/// How long a response stays fresh: `Cache-Control: max-age` wins over `Expires` (RFC 9111
/// §4.2.1); `no-cache`/`no-store` mean no promise at all. `Expires` is read against the
/// response's own `Date` when it has one, so a server with a wrong clock is still understood.
pub fn fresh_for(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    if let Some(cc) = header(headers, CACHE_CONTROL) {
        let mut max_age = None;
        for directive in cc.split(',').map(str::trim) {
            let (name, value) = directive.split_once('=').unwrap_or((directive, ""));
            match name.trim().to_ascii_lowercase().as_str() {
                "no-cache" | "no-store" => return None,
                "max-age" => max_age = value.trim().trim_matches('"').parse::<u64>().ok(),
                _ => {}
            }
        }
        if let Some(secs) = max_age {
            return Some(Duration::from_secs(secs));
        }
    }
    let expires = httpdate::parse_http_date(&header(headers, EXPIRES)?).ok()?;
    let date = header(headers, DATE)
        .and_then(|d| httpdate::parse_http_date(&d).ok())
        .unwrap_or(now);
    expires.duration_since(date).ok()
}

/// `Retry-After`: delay-seconds or an HTTP-date (RFC 9110 §10.2.3), as a delay from `now`.
pub fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn freshness_rules() {
        let now = httpdate::parse_http_date("Fri, 27 Nov 2026 12:00:00 GMT").unwrap();
        type Case<'a> = (&'a str, &'a [(&'static str, &'a str)], Option<u64>);
        let cases: &[Case] = &[
            ("nothing", &[], None),
            (
                "max-age",
                &[("cache-control", "public, max-age=3600")],
                Some(3600),
            ),
            (
                "quoted max-age",
                &[("cache-control", "max-age=\"60\"")],
                Some(60),
            ),
            (
                "max-age beats expires",
                &[
                    ("cache-control", "max-age=10"),
                    ("expires", "Fri, 27 Nov 2026 13:00:00 GMT"),
                ],
                Some(10),
            ),
            (
                "no-cache",
                &[("cache-control", "no-cache, max-age=600")],
                None,
            ),
            (
                "expires against now",
                &[("expires", "Fri, 27 Nov 2026 12:30:00 GMT")],
                Some(1800),
            ),
            (
                "expires against the response date",
                &[
                    ("expires", "Fri, 27 Nov 2026 12:30:00 GMT"),
                    ("date", "Fri, 27 Nov 2026 12:20:00 GMT"),
                ],
                Some(600),
            ),
            (
                "expires in the past",
                &[("expires", "Fri, 27 Nov 2026 11:00:00 GMT")],
                None,
            ),
            ("expires garbage", &[("expires", "0")], None),
        ];
        for (name, h, want) in cases {
            let got = fresh_for(&headers(h), now).map(|d| d.as_secs());
            assert_eq!(got, *want, "case {name}");
        }
    }

    #[test]
    fn retry_after_rules() {
        let now = httpdate::parse_http_date("Fri, 27 Nov 2026 12:00:00 GMT").unwrap();
        let cases = [
            ("seconds", "120", Some(120)),
            ("date", "Fri, 27 Nov 2026 13:00:00 GMT", Some(3600)),
            ("past date", "Fri, 27 Nov 2026 11:00:00 GMT", Some(0)),
            ("garbage", "soon", None),
        ];
        for (name, v, want) in cases {
            assert_eq!(
                retry_after(v, now).map(|d| d.as_secs()),
                want,
                "case {name}"
            );
        }
    }
}
