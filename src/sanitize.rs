//! HTML cleaning and URL resolution, with ammonia and one allow-list.
//!
//! Takes feed HTML (or plain text) and the base URL it was written against; returns HTML that is
//! safe to put on the planet's own page: no script, no styles, no frames, no event handlers, only
//! `http`, `https` and `mailto` links (and `data:` images), every relative URL made absolute.
//! The allow-list below is the whole policy; nothing else decides what survives.
//! This stage does not decide *which* entries are shown, and does not escape for templates
//! (tera's autoescape does that for everything not marked safe).

use std::collections::{HashMap, HashSet};

use url::Url;

use crate::model::TextKind;

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

/// Cleans one piece of feed content for publication. `base` resolves relative URLs; without
/// one, relative URLs are dropped rather than left to resolve against the planet's own site.
pub fn sanitize_html(content: &str, kind: TextKind, base: Option<&str>) -> String {
    match kind {
        TextKind::Text => text_to_html(content),
        TextKind::Html => clean(content, base.and_then(|b| Url::parse(b).ok())),
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
    b.clean(html).to_string()
}

/// Extra rules ammonia's allow-list cannot express: `data:` only for images, `srcset`
/// candidates resolved one by one, `mailto:` only on links.
fn filter_attribute<'v>(
    element: &str,
    attribute: &str,
    value: &'v str,
    base: Option<&Url>,
) -> Option<std::borrow::Cow<'v, str>> {
    let lower = value.trim_start().to_ascii_lowercase();
    match attribute {
        "href" | "src" | "poster" | "cite" => {
            if lower.starts_with("data:") {
                let is_image =
                    lower.starts_with("data:image/") && !lower.starts_with("data:image/svg");
                return (is_image && element == "img" && attribute == "src")
                    .then_some(value.into());
            }
            if lower.starts_with("mailto:") && element != "a" {
                return None;
            }
            Some(value.into())
        }
        "srcset" => {
            let mut out = Vec::new();
            for candidate in value.split(',') {
                let mut parts = candidate.split_whitespace();
                let Some(url) = parts.next() else { continue };
                let descriptor: Vec<&str> = parts.collect();
                let resolved = match (Url::parse(url), base) {
                    (Ok(u), _) => u,
                    (Err(_), Some(b)) => b.join(url).ok()?,
                    (Err(_), None) => continue,
                };
                if !matches!(resolved.scheme(), "http" | "https") {
                    continue;
                }
                let mut s = resolved.to_string();
                for d in descriptor {
                    s.push(' ');
                    s.push_str(d);
                }
                out.push(s);
            }
            (!out.is_empty()).then(|| out.join(", ").into())
        }
        _ => Some(value.into()),
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
        .clean(html)
        .to_string();
    // ammonia's serializer escapes exactly these in text nodes; undo them to get the text back.
    cleaned
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// Whether a link may be rendered as a link: only http(s) ones may.
pub fn is_web_link(link: &str) -> bool {
    Url::parse(link).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
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
    fn text_is_escaped_not_interpreted() {
        let out = sanitize_html("<b>bold</b> & co", TextKind::Text, None);
        assert_eq!(out, "<p>&lt;b&gt;bold&lt;&#x2F;b&gt; &amp; co</p>");
    }

    #[test]
    fn html_to_text_decodes() {
        assert_eq!(html_to_text("AT&amp;T <b>rocks</b>"), "AT&T rocks");
    }
}
