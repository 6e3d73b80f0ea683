//! HTML read as plain text, the one way the crate does it: for titles and names given as HTML,
//! excerpts, derived titles and the text filters match.

use scraper::{Html, Node};

use super::{cap_depth, cap_references, DROPPED_WITH_CONTENT};

/// Elements whose edges separate words (`<p>one</p><p>two</p>` reads `one two`). The others
/// are inline: `<a>link</a>.` reads `link.`, with no space added.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "caption",
    "center",
    "dd",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "legend",
    "li",
    "listing",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "plaintext",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
    "xmp",
];

/// The text of an HTML fragment as one line: markup removed, character references decoded,
/// words separated where blocks and line breaks separate them, runs of whitespace (line ends
/// and no-break spaces included) collapsed to one space, and the text of scripts, styles and
/// other elements the sanitizer drops with their content left out.
pub fn html_to_text(html: &str) -> String {
    let doc = Html::parse_fragment(&cap_depth(&cap_references(html)));
    let mut out = String::new();
    // The tree is walked with a stack of its own (no recursion): (node, leaving it).
    let mut stack = vec![(doc.tree.root(), false)];
    while let Some((node, leaving)) = stack.pop() {
        match node.value() {
            Node::Text(t) => out.push_str(t),
            Node::Element(e) => {
                let name = &*e.name.local;
                if e.name.ns != html5ever::ns!(html) || DROPPED_WITH_CONTENT.contains(&name) {
                    continue;
                }
                if BLOCKS.contains(&name) {
                    out.push(' ');
                }
                if !leaving {
                    stack.push((node, true));
                    stack.extend(node.children().rev().map(|c| (c, false)));
                }
            }
            Node::Document | Node::Fragment if !leaving => {
                stack.extend(node.children().rev().map(|c| (c, false)));
            }
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_to_text_cases() {
        for (name, html, want) in [
            ("plain", "hello", "hello"),
            ("tags dropped", "<p>a <b>bold</b> word</p>", "a bold word"),
            (
                "link followed by punctuation",
                "<p>from our <a href=\"/d\">download page</a>.</p>",
                "from our download page.",
            ),
            (
                "nested inline",
                "<em>un<strong>believ</strong>able</em>, <code>x</code>!",
                "unbelievable, x!",
            ),
            ("blocks separated", "<p>one</p><p>two</p>", "one two"),
            (
                "list items separated",
                "<ul><li>a</li><li>b</li></ul>",
                "a b",
            ),
            (
                "table cells separated",
                "<table><tr><td>a</td><td>b</td></tr></table>",
                "a b",
            ),
            ("br separates", "one<br>two", "one two"),
            (
                "entities decoded",
                "<p>a &amp;lt; b &lt; c &gt; d &quot;q&quot; AT&amp;T</p>",
                "a &lt; b < c > d \"q\" AT&T",
            ),
            (
                "quoted gt in attribute",
                "<a title=\"x>y\" href=\"/\">link</a>",
                "link",
            ),
            ("nbsp and newlines", "a&nbsp;b\n\n  c", "a b c"),
            (
                "scripts and styles left out",
                "a<script>alert(1)</script><style>p{}</style>b",
                "ab",
            ),
            ("comments left out", "a<!-- note -->b", "ab"),
            ("images have no text", "<img src=\"x\" alt=\"A\">", ""),
            ("text that looks like markup", "a &lt;b&gt; c", "a <b> c"),
        ] {
            assert_eq!(html_to_text(html), want, "{name}");
        }
    }
}
