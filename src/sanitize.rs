//! HTML cleaning and URL resolution, with ammonia and one allow-list.
//!
//! Takes feed HTML (or plain text) and the base URL it was written against; returns HTML that is
//! safe to put on the planet's own page: no script, no styles, no frames, no event handlers, only
//! `http`, `https` and `mailto` links (and `data:` raster images), every relative URL made
//! absolute. URLs are judged after the browser's own parsing (entities decoded, tabs and newlines
//! stripped), so `java&#x09;script:` is `javascript:` here too. The allow-list below is the whole
//! policy; nothing else decides what survives.
//! This stage does not decide *which* entries are shown, and does not escape for templates
//! (tera's autoescape does that for everything not marked safe).

use std::collections::{HashMap, HashSet};

use url::Url;

use crate::links::strict_link;
use crate::model::{StoredEntry, TextKind};

/// Elements kept: document structure, links, images, figures, tables, code, quotes, media.
pub const ALLOWED_TAGS: &[&str] = &[
    "a",
    "abbr",
    "acronym",
    "address",
    "article",
    "aside",
    "audio",
    "b",
    "bdi",
    "bdo",
    "big",
    "blockquote",
    "br",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hgroup",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "picture",
    "pre",
    "q",
    "rp",
    "rt",
    "ruby",
    "s",
    "samp",
    "section",
    "small",
    "source",
    "span",
    "strike",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "tt",
    "u",
    "ul",
    "var",
    "video",
    "wbr",
];

/// Attributes kept, per element. Deliberately absent: `style`, `width`, `height` (they break a
/// responsive layout), `class`/`id` (they could collide with the theme), every `on*` handler.
pub const ALLOWED_ATTRIBUTES: &[(&str, &[&str])] = &[
    ("a", &["href", "title", "hreflang"]),
    ("abbr", &["title"]),
    ("acronym", &["title"]),
    ("audio", &["src", "controls"]),
    ("blockquote", &["cite"]),
    ("col", &["span"]),
    ("colgroup", &["span"]),
    ("del", &["cite", "datetime"]),
    ("img", &["src", "srcset", "alt", "title", "sizes"]),
    ("ins", &["cite", "datetime"]),
    ("ol", &["start", "reversed", "type"]),
    ("q", &["cite"]),
    ("source", &["src", "srcset", "type", "media", "sizes"]),
    ("td", &["colspan", "rowspan", "headers"]),
    ("th", &["colspan", "rowspan", "headers", "scope", "abbr"]),
    ("time", &["datetime"]),
    ("video", &["src", "poster", "controls"]),
];

/// Attributes kept on every element.
pub const GENERIC_ATTRIBUTES: &[&str] = &["lang", "dir", "title"];

/// URL schemes allowed in links and sources (`data:` is further limited to images below).
pub const URL_SCHEMES: &[&str] = &["http", "https", "mailto", "data"];

/// `rel` put on every link: the planet vouches for none of them.
pub const LINK_REL: &str = "nofollow noopener ugc";

/// Elements removed together with everything inside them.
pub const DROPPED_WITH_CONTENT: &[&str] = &[
    "script", "style", "iframe", "object", "embed", "noscript", "template", "textarea", "select",
    "form", "button", "math", "svg", "title", "head", "meta", "base", "link", "frame", "frameset",
    "applet",
];

/// The most character references one piece of HTML may hold; the rest is cut. html5ever's
/// cost grows with the square of the references in one text run (20 000 `&amp;` take seconds),
/// so without a cap one hostile entry could stall every run. Real posts stay far below it.
pub const MAX_REFERENCES: usize = 10_000;

/// The deepest element nesting one piece of HTML may reach; tags deeper are dropped (their text
/// stays). The HTML parser
/// checks the open elements for most start tags, so its cost grows with the square of the depth
/// (50 000 nested `<div>` take minutes); real posts stay far below it.
pub const MAX_DEPTH: usize = 256;

/// Elements that never nest (void) or whose end tag is usually left out: they do not count
/// towards [`MAX_DEPTH`], so ordinary lists and tables never reach it.
const NOT_NESTING: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "option", "thead", "tbody", "tfoot",
    "colgroup", "rb", "rt", "rp", "optgroup",
];

/// Cleans one piece of feed content for publication. `base` resolves relative URLs; without
/// one, relative URLs are dropped rather than left to resolve against the planet's own site.
pub fn sanitize_html(content: &str, kind: TextKind, base: Option<&str>) -> String {
    match kind {
        TextKind::Text => text_to_html(content),
        TextKind::Html => clean(
            &cap_depth(&cap_references(content)),
            base.and_then(|b| Url::parse(b).ok()),
        ),
    }
}

/// `html` without the tags that would nest deeper than [`MAX_DEPTH`]; their text stays, so
/// nothing the author wrote is lost, only structure no layout could show anyway. Counted from
/// the tags alone, without parsing: a start tag opens one level, an end tag closes one, and
/// [`NOT_NESTING`] elements count for nothing.
fn cap_depth(html: &str) -> std::borrow::Cow<'_, str> {
    let mut depth = 0usize;
    let mut out: Option<String> = None;
    // Bytes of `html` already copied to `out`, or skipped.
    let mut copied = 0usize;
    for (at, _) in html.match_indices('<') {
        if at < copied {
            continue;
        }
        let rest = &html[at + 1..];
        let (closing, rest) = match rest.strip_prefix('/') {
            Some(r) => (true, r),
            None => (false, rest),
        };
        let name_len = rest
            .find(|c: char| !c.is_ascii_alphanumeric() && c != '-')
            .unwrap_or(rest.len());
        let name = rest[..name_len].to_ascii_lowercase();
        if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        if NOT_NESTING.contains(&name.as_str()) {
            continue;
        }
        let too_deep = if closing {
            let deep = depth > MAX_DEPTH;
            depth = depth.saturating_sub(1);
            deep
        } else {
            depth += 1;
            depth > MAX_DEPTH
        };
        if too_deep {
            let end = html[at..].find('>').map_or(html.len(), |e| at + e + 1);
            let o = out.get_or_insert_with(|| String::with_capacity(html.len()));
            o.push_str(&html[copied..at]);
            copied = end;
        }
    }
    match out {
        Some(mut o) => {
            o.push_str(&html[copied..]);
            o.into()
        }
        None => html.into(),
    }
}

/// `html` cut before its `MAX_REFERENCES + 1`-th `&`, with `…` marking the cut.
fn cap_references(html: &str) -> std::borrow::Cow<'_, str> {
    match html.match_indices('&').nth(MAX_REFERENCES) {
        Some((at, _)) => format!("{}…", &html[..at]).into(),
        None => html.into(),
    }
}

fn clean(html: &str, base: Option<Url>) -> String {
    let mut tags: HashMap<&str, HashSet<&str>> = HashMap::new();
    for (tag, attrs) in ALLOWED_ATTRIBUTES {
        tags.insert(tag, attrs.iter().copied().collect());
    }
    let base_for_filter = base.clone();
    let mut b = ammonia::Builder::default();
    b.tags(ALLOWED_TAGS.iter().copied().collect())
        .tag_attributes(tags)
        .generic_attributes(GENERIC_ATTRIBUTES.iter().copied().collect())
        .url_schemes(URL_SCHEMES.iter().copied().collect())
        .link_rel(Some(LINK_REL))
        .clean_content_tags(DROPPED_WITH_CONTENT.iter().copied().collect())
        .strip_comments(true)
        .set_tag_attribute_value("img", "loading", "lazy")
        .attribute_filter(move |element, attribute, value| {
            filter_attribute(element, attribute, value, base_for_filter.as_ref())
        });
    match base {
        Some(base) => b.url_relative(ammonia::UrlRelative::RewriteWithBase(base)),
        None => b.url_relative(ammonia::UrlRelative::Deny),
    };
    finish_tags(&b.clean(html).to_string())
}

/// Finishes ammonia's output for HTML validity: every `<img>` without an `alt` gets an empty
/// one (HTML requires the attribute; empty says the image adds nothing to the text around it,
/// the most a feed lets us know), and an `<a>` whose `href` was dropped (a `javascript:` link,
/// a named anchor) loses the `rel` ammonia gave it, which only a link may carry. Reads
/// ammonia's serialization: text `<` is escaped and attribute values are double-quoted.
fn finish_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        let (before, tag_on) = rest.split_at(i);
        out.push_str(before);
        let name_len = tag_on[1..]
            .find(|c: char| !c.is_ascii_alphanumeric())
            .map_or(tag_on.len() - 1, |n| n);
        let name = &tag_on[1..1 + name_len];
        // The tag ends at the first `>` outside a quoted value; note where attributes start.
        let mut quoted = false;
        let mut end = tag_on.len();
        let mut attrs: Vec<(usize, &str)> = Vec::new();
        for (j, c) in tag_on.char_indices() {
            match c {
                '"' => quoted = !quoted,
                '>' if !quoted => {
                    end = j;
                    break;
                }
                c if c.is_whitespace() && !quoted => {
                    let at = j + c.len_utf8();
                    let attr = &tag_on[at..];
                    let len = attr.find(['=', ' ', '>']).unwrap_or(attr.len());
                    attrs.push((j, &attr[..len]));
                }
                _ => {}
            }
        }
        let has = |a: &str| attrs.iter().any(|(_, n)| *n == a);
        let mut tag = tag_on[..end].to_owned();
        if name == "img" && !has("alt") && end < tag_on.len() {
            tag.push_str(" alt=\"\"");
        } else if name == "a" && !has("href") {
            let rel = format!(" rel=\"{LINK_REL}\"");
            if let Some((at, _)) = attrs.iter().find(|(_, n)| *n == "rel") {
                if tag[*at..].starts_with(&rel) {
                    tag.replace_range(*at..*at + rel.len(), "");
                }
            }
        }
        out.push_str(&tag);
        rest = &tag_on[end..];
    }
    out.push_str(rest);
    out
}

/// Extra rules ammonia's allow-list cannot express. Every URL is judged the way a browser
/// reads it (the WHATWG URL parser, which also strips the tabs, newlines and leading controls
/// that hide `java\tscript:`), after resolving it against the base: `http`/`https` anywhere,
/// `mailto:` only as a link, `data:` only as a raster image's `src`; anything else drops the
/// attribute. `srcset` candidates are judged one by one.
fn filter_attribute<'v>(
    element: &str,
    attribute: &str,
    value: &'v str,
    base: Option<&Url>,
) -> Option<std::borrow::Cow<'v, str>> {
    match attribute {
        "href" | "src" | "poster" | "cite" => {
            safe_url(element, attribute, value, base).map(std::borrow::Cow::Owned)
        }
        "srcset" => {
            let out: Vec<String> = srcset_candidates(value)
                .into_iter()
                .filter_map(|(url, descriptor)| {
                    let url = safe_url("img", "srcset", url, base)?;
                    Some(if descriptor.is_empty() {
                        url
                    } else {
                        format!("{url} {descriptor}")
                    })
                })
                .collect();
            (!out.is_empty()).then(|| out.join(", ").into())
        }
        _ => Some(value.into()),
    }
}

/// The absolute form of `value` when it may appear in `attribute` of `element`, else `None`.
fn safe_url(element: &str, attribute: &str, value: &str, base: Option<&Url>) -> Option<String> {
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

/// Plain text shown as HTML: escaped, paragraphs kept.
fn text_to_html(text: &str) -> String {
    let mut out = String::new();
    for para in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        out.push_str("<p>");
        out.push_str(&tera::escape_html(para).replace('\n', "<br>"));
        out.push_str("</p>");
    }
    out
}

/// The text of an HTML fragment, markup removed and entities decoded: for titles and names
/// given as HTML, which the planet shows as text.
pub fn html_to_text(html: &str) -> String {
    let cleaned = ammonia::Builder::empty()
        .clean_content_tags(["script", "style"].into_iter().collect())
        .clean(&cap_depth(&cap_references(html)))
        .to_string();
    // ammonia's serializer escapes exactly these in text nodes; undo them to get the text back.
    cleaned
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// An entry made safe to publish: its content and every HTML text construct of its details
/// cleaned with the one allow-list, against the base its content was written against.
pub fn entry(mut stored: StoredEntry) -> StoredEntry {
    let e = &mut stored.entry;
    e.content = sanitize_html(&e.content, e.content_kind, e.base.as_deref());
    let base = e.base.as_deref();
    e.detail
        .clean_html(|html| sanitize_html(html, TextKind::Html, base));
    stored
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(s: &str) -> String {
        sanitize_html(s, TextKind::Html, Some("https://blog.test/posts/1"))
    }

    #[test]
    fn drops_script_and_handlers() {
        let out = html(r#"<p onclick="x()">hi<script>alert(1)</script></p>"#);
        assert_eq!(out, "<p>hi</p>");
    }

    #[test]
    fn drops_javascript_urls() {
        let out = html(r#"<a href="javascript:alert(1)">x</a>"#);
        assert!(!out.contains("javascript"), "{out}");
    }

    #[test]
    fn resolves_relative_urls_and_marks_links() {
        let out = html(r#"<a href="/about">a</a><img src="pic.png" srcset="a.png 1x, /b.png 2x">"#);
        assert!(out.contains(r#"href="https://blog.test/about""#), "{out}");
        assert!(out.contains(r#"rel="nofollow noopener ugc""#), "{out}");
        assert!(
            out.contains(r#"src="https://blog.test/posts/pic.png""#),
            "{out}"
        );
        assert!(
            out.contains("https://blog.test/posts/a.png 1x, https://blog.test/b.png 2x"),
            "{out}"
        );
        assert!(out.contains(r#"loading="lazy""#), "{out}");
    }

    #[test]
    fn every_image_has_an_alt() {
        let cases = [
            ("missing", r#"<img src="https://x.test/a.png">"#, 1),
            ("kept", r#"<img alt="A" src="https://x.test/a.png">"#, 0),
            (
                "gt in a value",
                r#"<img title="a>b" src="https://x.test/a.png">"#,
                1,
            ),
            (
                "alt in a value only",
                r#"<img title=" alt=x" src="https://x.test/a.png">"#,
                1,
            ),
        ];
        for (name, input, added) in cases {
            let out = html(input);
            assert_eq!(out.matches(r#"alt="""#).count(), added, "{name}: {out}");
        }
    }

    #[test]
    fn an_anchor_without_href_has_no_rel() {
        for (name, input, want) in [
            ("named anchor", r#"<a name="x">t</a>"#, "<a>t</a>"),
            (
                "script link",
                r#"<a href="javascript:alert(1)" title="T">t</a>"#,
                r#"<a title="T">t</a>"#,
            ),
            (
                "a real link keeps it",
                r#"<a href="https://x.test/">t</a>"#,
                r#"<a href="https://x.test/" rel="nofollow noopener ugc">t</a>"#,
            ),
        ] {
            assert_eq!(html(input), want, "{name}");
        }
    }

    #[test]
    fn drops_layout_attributes() {
        let out = html(r#"<img src="a.png" width="2000" style="float:left">"#);
        assert!(!out.contains("width") && !out.contains("style"), "{out}");
    }

    #[test]
    fn keeps_data_images_only() {
        assert!(html(r#"<img src="data:image/png;base64,AAAA">"#).contains("data:image/png"));
        assert!(!html(r#"<a href="data:text/html,x">x</a>"#).contains("data:"));
    }

    #[test]
    fn judges_urls_as_a_browser_reads_them() {
        let cases = [
            (
                "tab in scheme",
                r#"<a href="java&#x09;script:alert(1)">x</a>"#,
                None,
            ),
            (
                "newline in scheme",
                "<a href=\"java\nscript:alert(1)\">x</a>",
                None,
            ),
            (
                "leading control",
                r#"<a href="&#14;javascript:alert(1)">x</a>"#,
                None,
            ),
            (
                "entity-encoded",
                r#"<a href="&#106;avascript:alert(1)">x</a>"#,
                None,
            ),
            ("vbscript", r#"<a href="vbscript:msgbox(1)">x</a>"#, None),
            (
                "data link with tab",
                r#"<a href="da&#x09;ta:text/html,x">x</a>"#,
                None,
            ),
            (
                "svg data image",
                r#"<img src="data:image/svg+xml;base64,PHN2Zz4=">"#,
                None,
            ),
            ("mailto on img", r#"<img src="mailto:a@b.test">"#, None),
            (
                "javascript cite",
                r#"<blockquote cite="javascript:alert(1)">q</blockquote>"#,
                None,
            ),
            (
                "javascript poster",
                r#"<video poster="javascript:alert(1)"></video>"#,
                None,
            ),
            (
                "protocol-relative",
                r#"<a href="//cdn.test/x">x</a>"#,
                Some("https://cdn.test/x"),
            ),
            (
                "relative cite",
                r#"<q cite="/src">q</q>"#,
                Some("https://blog.test/src"),
            ),
            (
                "relative poster",
                r#"<video poster="p.jpg"></video>"#,
                Some("https://blog.test/posts/p.jpg"),
            ),
            (
                "mailto link",
                r#"<a href="mailto:a@b.test">x</a>"#,
                Some("mailto:a@b.test"),
            ),
            (
                "png data",
                r#"<img src="data:image/png;base64,AAAA">"#,
                Some("data:image/png;base64,AAAA"),
            ),
        ];
        for (name, input, want) in cases {
            let out = html(input);
            match want {
                Some(url) => assert!(out.contains(&format!("\"{url}\"")), "case {name}: {out}"),
                None => assert!(
                    !out.contains("href=")
                        && !out.contains("src=")
                        && !out.contains("cite=")
                        && !out.contains("poster="),
                    "case {name}: {out}"
                ),
            }
        }
    }

    #[test]
    fn srcset_is_split_as_browsers_do() {
        let out = html(
            r#"<img src="a.png" srcset="/w_100,h_100/a.png 1x,b.png 2x, javascript:alert(1) 3x">"#,
        );
        assert!(
            out.contains(r#"srcset="https://blog.test/w_100,h_100/a.png 1x, https://blog.test/posts/b.png 2x""#),
            "{out}"
        );
    }

    #[test]
    fn keeps_structure() {
        let input = "<h2>T</h2><figure><img src=\"a.png\" alt=\"A\"><figcaption>C</figcaption></figure><pre><code>let x = 1 &lt; 2;\n  indented</code></pre><table><thead><tr><th>h</th></tr></thead><tbody><tr><td>d</td></tr></tbody></table><blockquote><p>q</p></blockquote><ul><li>i</li></ul><ol><li>j</li></ol>";
        let out = html(input);
        for tag in [
            "<h2>",
            "<figure>",
            "<figcaption>",
            "<pre><code>let x = 1 &lt; 2;\n  indented</code></pre>",
            "<table>",
            "<th>",
            "<td>",
            "<blockquote>",
            "<ul>",
            "<ol>",
            "alt=\"A\"",
        ] {
            assert!(out.contains(tag), "{tag} kept: {out}");
        }
    }

    #[test]
    fn caps_character_references() {
        let big = "&amp;".repeat(MAX_REFERENCES + 50);
        let start = std::time::Instant::now();
        let out = html(&format!("<p>{big}</p>"));
        assert_eq!(
            out.matches("&amp;").count(),
            MAX_REFERENCES,
            "cut at the cap"
        );
        assert!(out.ends_with("…</p>"), "the cut is marked");
        assert!(start.elapsed() < std::time::Duration::from_secs(20));
        let small = html("<p>a &amp; b</p>");
        assert_eq!(small, "<p>a &amp; b</p>");
    }

    #[test]
    fn caps_nesting_depth() {
        let start = std::time::Instant::now();
        let out = html(&format!("{}deep text", "<div>".repeat(50_000)));
        assert_eq!(
            out.matches("<div>").count(),
            MAX_DEPTH,
            "tags beyond the cap dropped"
        );
        assert!(out.contains("deep text"), "their text kept");
        assert!(start.elapsed() < std::time::Duration::from_secs(20));
        // Lists and tables, whose end tags are often left out, are not cut.
        let list = format!("<ul>{}</ul>", "<li>item".repeat(2_000));
        assert_eq!(html(&list).matches("<li>").count(), 2_000);
        let nested = "<div><blockquote><p>deep <b>enough</b></p></blockquote></div>";
        assert_eq!(html(nested), nested);
    }

    #[test]
    fn text_is_escaped_not_interpreted() {
        let out = sanitize_html("<b>bold</b> & co", TextKind::Text, None);
        assert_eq!(out, "<p>&lt;b&gt;bold&lt;&#x2F;b&gt; &amp; co</p>");
    }

    #[test]
    fn html_to_text_decodes() {
        assert_eq!(html_to_text("AT&amp;T <b>rocks</b>"), "AT&T rocks");
    }
}
