//! HTML cleaning and URL resolution: one allow-list, applied in one pass over one parsed tree.
//!
//! Takes feed HTML (or plain text) and the base URL it was written against; returns HTML that is
//! safe to put on the planet's own page, and valid there. Safe: no script, no styles, no frames,
//! no event handlers, only `http`, `https` and `mailto` links (and `data:` raster images), every
//! relative URL made absolute, URLs judged after the browser's own parsing (`url`). Valid: the
//! fragment is parsed by html5ever, the parser the HTML standard specifies, and one depth-first
//! walk over its tree (`tree`) applies the allow-list below on the way down (elements dropped
//! with their content, unwrapped, or renamed from their obsolete form; attributes kept only with
//! a value of the kind the standard defines) and, on the way back up, repairs each element's
//! children against HTML's content models the way HTML's own rules do (`repair`, `table`): a
//! paragraph closes before a block, inline formatting moves inside the blocks it wrapped, stray
//! list content joins the item before it, stray table content moves before the table. Every
//! piece of text, every link and every image survives the repair; only the policy removes
//! anything. The tables below are the whole policy.
//!
//! This stage does not decide *which* entries are shown, and does not escape for templates
//! (tera's autoescape does that for everything not marked safe). [`html_to_text`] is the crate's
//! one way to read HTML as plain text.

mod repair;
mod table;
mod text;
mod tree;
mod url;
pub(crate) mod values;

pub use text::html_to_text;

use crate::model::{EntryDetail, StoredEntry, TextKind};

/// Elements kept: document structure, links, images, figures, tables, code, quotes, media.
pub const ALLOWED_TAGS: &[&str] = &[
    "a",
    "abbr",
    "address",
    "article",
    "aside",
    "audio",
    "b",
    "bdi",
    "bdo",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
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
    "s",
    "samp",
    "section",
    "small",
    "source",
    "span",
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
    "u",
    "ul",
    "var",
    "video",
    "wbr",
];

/// Obsolete elements written as their modern equivalents. Other elements that are not allowed
/// (`font`, `big`, `blink`, `marquee`, `nobr`, `ruby`, unknown ones…) are unwrapped: their
/// content stays where they were.
pub const RENAMED: &[(&str, &str)] = &[
    ("tt", "code"),
    ("acronym", "abbr"),
    ("strike", "s"),
    ("center", "div"),
    ("dir", "ul"),
    ("menu", "ul"),
    ("listing", "pre"),
    ("xmp", "pre"),
    ("plaintext", "pre"),
];

/// The kind of value an attribute must hold to be kept (see `values`).
#[derive(Clone, Copy, Debug)]
pub enum AttrValue {
    /// Any text.
    Text,
    /// A URL that is safe in this attribute, made absolute.
    Url,
    /// An image candidate list whose URLs are safe.
    Srcset,
    /// The `sizes` of a `srcset` that gives widths.
    Sizes,
    /// A media query list.
    Media,
    /// A MIME type.
    MimeType,
    /// A language tag from the IANA registry; `empty` says whether `""` (unknown) is allowed.
    Language {
        /// Whether the empty string is allowed.
        empty: bool,
    },
    /// A date, time or duration.
    TimeValue,
    /// A date, or a date and time with its zone.
    DateOrGlobalDateTime,
    /// An integer of at least the first bound (larger ones are clamped to the second).
    Integer(i64, i64),
    /// One of these keywords.
    Keyword(&'static [&'static str]),
    /// Present or absent (written empty).
    Boolean,
}

use AttrValue as V;

/// Attributes kept, per element, with the values they may hold. Deliberately absent: `style`,
/// `width`, `height` (they break a responsive layout), `class`/`id` (they could collide with
/// the theme; and without ids, `headers` could point nowhere), every `on*` handler.
pub const ALLOWED_ATTRIBUTES: &[(&str, &[(&str, AttrValue)])] = &[
    (
        "a",
        &[("href", V::Url), ("hreflang", V::Language { empty: false })],
    ),
    ("audio", &[("src", V::Url), ("controls", V::Boolean)]),
    ("blockquote", &[("cite", V::Url)]),
    (
        "del",
        &[("cite", V::Url), ("datetime", V::DateOrGlobalDateTime)],
    ),
    (
        "img",
        &[
            ("src", V::Url),
            ("srcset", V::Srcset),
            ("sizes", V::Sizes),
            ("alt", V::Text),
        ],
    ),
    (
        "ins",
        &[("cite", V::Url), ("datetime", V::DateOrGlobalDateTime)],
    ),
    (
        "ol",
        &[
            ("start", V::Integer(i64::MIN, i64::MAX)),
            ("reversed", V::Boolean),
            ("type", V::Keyword(&["1", "a", "A", "i", "I"])),
        ],
    ),
    ("q", &[("cite", V::Url)]),
    (
        "source",
        &[
            ("src", V::Url),
            ("srcset", V::Srcset),
            ("sizes", V::Sizes),
            ("type", V::MimeType),
            ("media", V::Media),
        ],
    ),
    (
        "td",
        &[
            ("colspan", V::Integer(1, 1000)),
            ("rowspan", V::Integer(0, 65534)),
        ],
    ),
    (
        "th",
        &[
            ("colspan", V::Integer(1, 1000)),
            ("rowspan", V::Integer(0, 65534)),
            ("scope", V::Keyword(&["row", "col", "rowgroup", "colgroup"])),
            ("abbr", V::Text),
        ],
    ),
    ("time", &[("datetime", V::TimeValue)]),
    (
        "video",
        &[
            ("src", V::Url),
            ("poster", V::Url),
            ("controls", V::Boolean),
        ],
    ),
];

/// Attributes kept on every element.
pub const GENERIC_ATTRIBUTES: &[(&str, AttrValue)] = &[
    ("lang", V::Language { empty: true }),
    ("dir", V::Keyword(&["ltr", "rtl", "auto"])),
    ("title", V::Text),
];

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

/// Whether text that a feed calls plain is HTML written where plain text was expected (RSS
/// cannot say which a title is, and many feeds escape their HTML once too often): it holds an
/// end tag or a character reference, every tag is an element of HTML and every named
/// reference one HTML defines, as Python feedparser judges it. `Bread &amp; Butter` and
/// `<i>Legend</i>` are; `AT&T`, `x < y` and `a <thing>` are not.
pub fn looks_like_html(s: &str) -> bool {
    // Most titles have neither: no searcher is built for them (pages ask for every headline).
    if !s.contains(['&', '<']) {
        return false;
    }
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let name_at = |i: usize| &s[i..i + s[i..].find(|c: char| !word(c)).unwrap_or(s.len() - i)];
    let end_tag = s.match_indices("</").any(|(i, _)| {
        let name = name_at(i + 2);
        !name.is_empty() && s[i + 2 + name.len()..].starts_with('>')
    });
    let references: Vec<&str> = s
        .match_indices('&')
        .filter_map(|(i, _)| {
            let hash = usize::from(s[i + 1..].starts_with('#'));
            let name = name_at(i + 1 + hash);
            (!name.is_empty() && s[i + 1 + hash + name.len()..].starts_with(';'))
                .then_some(if hash == 1 { "#" } else { name })
        })
        .collect();
    let element = |name: &str| {
        let name = name.to_ascii_lowercase();
        ALLOWED_TAGS.contains(&name.as_str())
            || DROPPED_WITH_CONTENT.contains(&name.as_str())
            || RENAMED.iter().any(|(old, _)| *old == name)
            || ["font", "big", "nobr", "blink", "marquee"].contains(&name.as_str())
    };
    (end_tag || !references.is_empty())
        && s.match_indices('<')
            .map(|(i, _)| name_at(i + 1 + usize::from(s[i + 1..].starts_with('/'))))
            .filter(|n| !n.is_empty())
            .all(element)
        && references
            .iter()
            .all(|r| *r == "#" || quick_xml::escape::resolve_html5_entity(r).is_some())
}

/// Cleans one piece of feed content for publication. `base` resolves relative URLs; without
/// one, relative URLs are dropped rather than left to resolve against the planet's own site.
pub fn sanitize_html(content: &str, kind: TextKind, base: Option<&str>) -> String {
    match kind {
        TextKind::Text => text_to_html(content),
        TextKind::Html => {
            let base = base.and_then(|b| ::url::Url::parse(b).ok());
            tree::clean(&cap_depth(&cap_references(content)), base.as_ref())
        }
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
        let name = &rest[..name_len];
        if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        if NOT_NESTING.iter().any(|n| n.eq_ignore_ascii_case(name)) {
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

/// Plain text shown as HTML: escaped, paragraphs kept.
fn text_to_html(text: &str) -> String {
    let mut out = String::new();
    for para in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        out.push_str("<p>");
        out.push_str(&crate::text::escape_html(para).replace('\n', "<br>"));
        out.push_str("</p>");
    }
    out
}

/// An entry's details made safe to write into a feed: every HTML text construct cleaned with
/// the one allow-list, against `base`.
pub fn detail(d: &mut EntryDetail, base: Option<&str>) {
    d.clean_html(|html| sanitize_html(html, TextKind::Html, base));
}

/// A stored entry's content made safe to publish, with the one allow-list, against the base
/// it was written against. The cache keeps what the feed said and every entry shown whole is
/// cleaned here, when a page or feed shows it: a render shows a few dozen entries whole (the
/// front page, the topics, the feeds), while a first run stores thousands, and a change to the
/// rules reaches every stored entry at once. The HTML of its details (summaries, HTML titles,
/// rights), which only the feeds write back, is cleaned by [`detail`] when a feed is written.
pub fn entry(mut stored: StoredEntry) -> StoredEntry {
    let e = &mut stored.entry;
    e.content = sanitize_html(&e.content, e.content_kind, e.base.as_deref());
    stored
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(s: &str) -> String {
        sanitize_html(s, TextKind::Html, Some("https://blog.test/posts/1"))
    }

    #[test]
    fn plain_text_that_is_html() {
        for (s, want) in [
            ("Bread &amp; Butter", true),
            ("<i>Legend</i> tonight", true),
            ("Jokes&#8217; end", true),
            ("1bd 643ft<sup>2</sup>", true),
            ("AT&T", false),
            ("x < y", false),
            ("a <thing> b</thing>", false),
            ("Die Rückkehr von <i> und <b>", false),
            ("&bogus; name", false),
            ("plain", false),
        ] {
            assert_eq!(looks_like_html(s), want, "{s}");
        }
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

    /// Runs named cases of (input, expected output) through the sanitizer.
    pub(in crate::sanitize) fn check(cases: &[(&str, &str, &str)]) {
        for (name, input, want) in cases {
            assert_eq!(html(input), *want, "{name}");
        }
    }

    #[test]
    fn obsolete_elements_become_their_modern_equivalents() {
        check(&[
            ("tt", "<tt>x</tt>", "<code>x</code>"),
            (
                "acronym",
                "<acronym title=\"T\">A</acronym>",
                "<abbr title=\"T\">A</abbr>",
            ),
            ("strike", "<strike>s</strike>", "<s>s</s>"),
            (
                "center keeps its block",
                "a<center>c</center>",
                "a<div>c</div>",
            ),
            (
                "big and font keep their content",
                "<big>b</big> <font color=red>f</font>",
                "b f",
            ),
            (
                "dir is a list",
                "<dir><li>x</li></dir>",
                "<ul><li>x</li></ul>",
            ),
            (
                "xmp is preformatted text",
                "<xmp><b>raw</b></xmp>",
                "<pre>&lt;b&gt;raw&lt;/b&gt;</pre>",
            ),
            (
                "ruby is read inline",
                "<ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby>",
                "漢(kan)",
            ),
        ]);
    }

    #[test]
    fn invalid_attribute_values_are_dropped() {
        check(&[
            ("reserved language", "<code lang=\"ruby\">x</code>", "<code>x</code>"),
            ("registered language", "<p lang=\"en-US\">y</p>", "<p lang=\"en-US\">y</p>"),
            ("direction", "<p dir=\"RTL\">a</p><p dir=\"up\">b</p>", "<p dir=\"rtl\">a</p><p>b</p>"),
            ("del datetime", "<del datetime=\"00\">a</del><ins datetime=\"2020-01-02\">b</ins>", "<del>a</del><ins datetime=\"2020-01-02\">b</ins>"),
            ("time without a valid date", "<time datetime=\"yesterday\">c</time><time>2020-01-02</time><time>soon</time>", "c<time>2020-01-02</time>soon"),
            ("bdo needs a direction", "<bdo>x</bdo><bdo dir=\"rtl\">y</bdo>", "x<bdo dir=\"rtl\">y</bdo>"),
            ("list attributes", "<ol start=\" 3\" type=\"i\" reversed=\"yes\"><li>x</li></ol>", "<ol reversed=\"\" start=\"3\" type=\"i\"><li>x</li></ol>"),
            ("list type is case-sensitive", "<ol type=\"A\"><li>x</li></ol><ol type=\"b\"><li>y</li></ol>", "<ol type=\"A\"><li>x</li></ol><ol><li>y</li></ol>"),
            ("header scope", "<table><tr><th scope=\"ROW\" headers=\"h\">x</th></tr></table>", "<table><tbody><tr><th scope=\"row\">x</th></tr></tbody></table>"),
            ("a stray percent in a link", "<a href=\"http://x.test/20%%20to%2\">pct</a>", "<a href=\"http://x.test/20%25%20to%252\" rel=\"nofollow noopener ugc\">pct</a>"),
            (
                "widths and densities mixed",
                "<img src=\"https://x.test/a.png\" srcset=\"https://x.test/a.png 480w, https://x.test/b.png 2x\">",
                "<img alt=\"\" loading=\"lazy\" src=\"https://x.test/a.png\" srcset=\"https://x.test/a.png 480w\">",
            ),
            (
                "sizes only with widths",
                "<img src=\"https://x.test/a.png\" sizes=\"100vw\">",
                "<img alt=\"\" loading=\"lazy\" src=\"https://x.test/a.png\">",
            ),
            (
                "an image without src takes its srcset's first",
                "<img srcset=\"https://x.test/a.png 1x, https://x.test/b.png 2x\">",
                "<img alt=\"\" loading=\"lazy\" src=\"https://x.test/a.png\" srcset=\"https://x.test/a.png 1x, https://x.test/b.png 2x\">",
            ),
            ("an image without any source is its alt text", "<img alt=\"only alt\"><img src=\"javascript:x\">", "only alt"),
        ]);
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
        assert_eq!(out, "<p>&lt;b&gt;bold&lt;/b&gt; &amp; co</p>");
    }
}
