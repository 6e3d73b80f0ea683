//! URLs in feed HTML: which ones may stay, in which attribute, and in what spelling.
//!
//! Every URL is judged the way a browser reads it (the WHATWG URL parser, which also strips the
//! tabs, newlines and leading controls that hide `java\tscript:`), after resolving it against the
//! entry's base: `http`/`https` anywhere, `mailto:` only as a link, `data:` only as a raster
//! image's `src`. What stays is written in the strict form RFC 3986 and the HTML checker accept.

use url::Url;

use crate::links::strict_link;

/// The absolute form of `value` when it may appear in `attribute` of `element`, else `None`.
/// Without a base, a relative URL is refused rather than left to resolve against the planet.
pub fn safe_url(element: &str, attribute: &str, value: &str, base: Option<&Url>) -> Option<String> {
    let url = match Url::parse(value) {
        Ok(u) => u,
        Err(url::ParseError::RelativeUrlWithoutBase) => base?.join(value).ok()?,
        Err(_) => return None,
    };
    let allowed = match url.scheme() {
        "http" | "https" => true,
        "mailto" => element == "a" && attribute == "href",
        "data" => element == "img" && attribute == "src" && is_raster_image(&url),
        _ => false,
    };
    allowed.then(|| strict_link(url.as_str()))
}

/// Whether a `data:` URL holds a raster image (SVG can carry script, so it does not count).
fn is_raster_image(url: &Url) -> bool {
    let mime = url.path().split([';', ',']).next().unwrap_or_default();
    matches!(
        mime.trim().to_ascii_lowercase().as_str(),
        "image/png" | "image/jpeg" | "image/jpg" | "image/gif" | "image/webp" | "image/avif"
    )
}

/// What an image candidate of a `srcset` says about itself.
#[derive(Clone, Copy, PartialEq)]
enum Descriptor {
    /// `480w`: the image's width in pixels, which needs `sizes` (or a lazy `img`) to be used.
    Width(u32),
    /// `2x`, or nothing (`1x`): the screen density it is meant for.
    Density(f64),
}

/// A `srcset` the browser and the HTML checker both accept, from the candidates of `value`
/// whose URLs are safe: candidates with a descriptor the standard does not define (`100h`,
/// `0x`, two at once) are left out, so are repeats of a width or density already given, and
/// when widths and densities are mixed (which the standard forbids) the widths stay if
/// `widths_usable` (a `sizes` is given, or the image is lazy), else the densities. `None` when
/// no candidate is left.
pub fn clean_srcset(value: &str, base: Option<&Url>, widths_usable: bool) -> Option<String> {
    let mut candidates: Vec<(String, Descriptor, &str)> = srcset_candidates(value)
        .into_iter()
        .filter_map(|(url, written)| {
            let descriptor = parse_descriptor(written)?;
            Some((safe_url("img", "srcset", url, base)?, descriptor, written))
        })
        .collect();
    let has_width = candidates
        .iter()
        .any(|(_, d, _)| matches!(d, Descriptor::Width(_)));
    let keep_widths = has_width && widths_usable;
    candidates.retain(|(_, d, _)| matches!(d, Descriptor::Width(_)) == keep_widths);
    let mut seen: Vec<Descriptor> = Vec::new();
    candidates.retain(|(_, d, _)| {
        let repeat = seen.contains(d);
        seen.push(*d);
        !repeat
    });
    let out: Vec<String> = candidates
        .into_iter()
        .map(|(url, _, written)| match written {
            "" => url,
            d => format!("{url} {d}"),
        })
        .collect();
    (!out.is_empty()).then(|| out.join(", "))
}

/// Whether a cleaned `srcset` (from [`clean_srcset`]) gives widths.
pub fn srcset_has_widths(srcset: &str) -> bool {
    srcset_candidates(srcset)
        .iter()
        .any(|(_, d)| d.ends_with('w'))
}

/// The URL of a cleaned `srcset`'s first candidate.
pub fn srcset_first_url(srcset: &str) -> Option<String> {
    srcset_candidates(srcset)
        .first()
        .map(|(url, _)| (*url).to_owned())
}

/// A candidate's descriptor as the standard defines them: none (`1x`), a positive integer
/// followed by `w`, or a positive floating-point number followed by `x`.
fn parse_descriptor(descriptor: &str) -> Option<Descriptor> {
    let mut tokens = descriptor.split_ascii_whitespace();
    let Some(token) = tokens.next() else {
        return Some(Descriptor::Density(1.0));
    };
    if tokens.next().is_some() {
        return None;
    }
    if let Some(width) = token.strip_suffix('w') {
        if !width.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        return width
            .parse::<u32>()
            .ok()
            .filter(|w| *w > 0)
            .map(Descriptor::Width);
    }
    let density = token.strip_suffix('x')?;
    let valid_float = !density.is_empty()
        && !density.starts_with('+')
        && !density.ends_with('.')
        && density
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'e' | b'E' | b'+'));
    let x: f64 = density.parse().ok().filter(|_| valid_float)?;
    (x > 0.0 && x.is_finite()).then_some(Descriptor::Density(x))
}

/// The `(url, descriptor)` candidates of a `srcset`, split as the HTML standard does (a URL
/// runs to whitespace, so one with commas inside survives; trailing commas end it).
fn srcset_candidates(value: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let mut rest = value;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == ',');
        if rest.is_empty() {
            return out;
        }
        let url_end = rest
            .find(|c: char| c.is_ascii_whitespace())
            .unwrap_or(rest.len());
        let url = &rest[..url_end];
        if let Some(stripped) = url.strip_suffix(',') {
            out.push((stripped.trim_end_matches(','), ""));
            rest = &rest[url_end..];
            continue;
        }
        rest = &rest[url_end..];
        let desc_end = rest.find(',').unwrap_or(rest.len());
        out.push((url, rest[..desc_end].trim()));
        rest = &rest[desc_end..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn srcset_keeps_what_the_standard_defines() {
        let base = Url::parse("https://b.test/p/").ok();
        for (name, value, widths_usable, want) in [
            (
                "densities",
                "a.png, b.png 2x",
                false,
                Some("https://b.test/p/a.png, https://b.test/p/b.png 2x"),
            ),
            (
                "widths",
                "a.png 100w, b.png 200w",
                true,
                Some("https://b.test/p/a.png 100w, https://b.test/p/b.png 200w"),
            ),
            (
                "mixed, widths usable",
                "a.png 480w, b.png 2x",
                true,
                Some("https://b.test/p/a.png 480w"),
            ),
            (
                "mixed, no sizes",
                "a.png 480w, b.png 2x",
                false,
                Some("https://b.test/p/b.png 2x"),
            ),
            (
                "same density twice",
                "a.png 2x, b.png 2.0x, c.png",
                false,
                Some("https://b.test/p/a.png 2x, https://b.test/p/c.png"),
            ),
            (
                "implicit 1x repeated",
                "a.png, b.png 1x",
                false,
                Some("https://b.test/p/a.png"),
            ),
            ("unknown descriptor", "a.png 100h", false, None),
            ("zero density", "a.png 0x", false, None),
            ("unsafe url", "javascript:alert(1) 1x", false, None),
        ] {
            assert_eq!(
                clean_srcset(value, base.as_ref(), widths_usable).as_deref(),
                want,
                "{name}"
            );
        }
    }
}
