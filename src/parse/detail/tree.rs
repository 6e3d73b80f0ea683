//! A light tree of a well-formed XML document, for the fidelity pass to query.
//!
//! quick-xml tokenizes the markup; this module checks what XML requires on top of that (one
//! root element, closed tags, qualified names, bound prefixes, known references in attribute
//! values, no DTD) and keeps elements, attributes and text as slices of the input, resolving
//! namespaces to the few the pass asks about ([`Ns`]). Character data never goes through
//! quick-xml, which reports every reference as an event of its own while escaped HTML bodies
//! hold one every few bytes: only its end, the next `<`, is looked for. It is unescaped, and
//! its references and any `]]>` checked, when a fact reads it ([`Node::text`]); a text that
//! breaks those rules is noted ([`Document::read_broken_text`]) so that the document can be
//! refused as a whole. Text no fact reads (most of a feed: entry bodies) is never unescaped,
//! copied or checked, since it cannot change an answer. The tree is a flat vector in document
//! order, so building and walking it never recurse, whatever the nesting.
//!
//! It does not keep comments, processing instructions or the XML declaration. Some rules are
//! not checked: names only on their ASCII characters (not the Unicode tables of the Name
//! production), and attributes need no whitespace between them (`a="1"b="2"` reads as two,
//! as quick-xml reads it); a document that breaks one of those is read as if it did not.

use std::borrow::Cow;
use std::cell::Cell;

use quick_xml::events::attributes::Attributes;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::QName;
use quick_xml::Reader;

use crate::parse::repair::xml_reference;
use crate::text::is_xml_char;

/// At most this many nodes (elements and runs of text) are built: beyond it the document is
/// not read, so a hostile one costs bounded memory.
pub(super) const NODES_LIMIT: usize = 1_000_000;

/// A namespace the fidelity pass asks about (by its URI); `Other` is any other, `None` is no
/// namespace at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ns {
    /// No namespace.
    None,
    /// `http://www.w3.org/2005/Atom`
    Atom,
    /// `http://purl.org/atom/ns#` (Atom 0.3)
    Atom03,
    /// `http://purl.org/rss/1.0/`
    Rss1,
    /// `http://my.netscape.com/rdf/simple/0.9/`
    Rss090,
    /// `http://purl.org/dc/elements/1.1/`
    Dc,
    /// `http://www.w3.org/1999/xhtml`
    Xhtml,
    /// `http://www.w3.org/XML/1998/namespace` (`xml:lang`)
    Xml,
    /// `http://www.w3.org/1999/02/22-rdf-syntax-ns#`
    Rdf,
    /// `http://web.resource.org/cc/`
    Cc,
    /// `http://backend.userland.com/creativeCommonsRssModule`
    UserlandCc,
    /// `http://rssnamespace.org/feedburner/ext/1.0`
    Feedburner,
    /// `http://purl.org/rss/1.0/modules/content/` (`content:encoded`)
    Content,
    /// Any other namespace.
    Other,
}

impl Ns {
    fn of(uri: &str) -> Ns {
        match uri {
            "http://www.w3.org/2005/Atom" => Ns::Atom,
            "http://purl.org/atom/ns#" => Ns::Atom03,
            "http://purl.org/rss/1.0/" => Ns::Rss1,
            "http://my.netscape.com/rdf/simple/0.9/" => Ns::Rss090,
            "http://purl.org/dc/elements/1.1/" => Ns::Dc,
            "http://www.w3.org/1999/xhtml" => Ns::Xhtml,
            "http://www.w3.org/XML/1998/namespace" => Ns::Xml,
            "http://www.w3.org/1999/02/22-rdf-syntax-ns#" => Ns::Rdf,
            "http://web.resource.org/cc/" => Ns::Cc,
            "http://backend.userland.com/creativeCommonsRssModule" => Ns::UserlandCc,
            "http://rssnamespace.org/feedburner/ext/1.0" => Ns::Feedburner,
            "http://purl.org/rss/1.0/modules/content/" => Ns::Content,
            "" => Ns::None,
            _ => Ns::Other,
        }
    }
}

/// At most this many namespace declarations are in scope at once (feeds use a few dozen):
/// resolving a name searches them, so a hostile document cannot make that search long.
const BINDINGS_LIMIT: usize = 256;

/// A namespace declaration in scope (Namespaces in XML 1.0, section 3).
struct Binding<'a> {
    /// The prefix, empty for the default namespace.
    prefix: &'a str,
    /// `None` for a prefix undeclared by `xmlns:p=""` (Namespaces in XML 1.1 only).
    ns: Option<Ns>,
    /// The depth of the element that declared it, 1 for the root element.
    depth: usize,
}

/// The namespace of an element's (`element`) or an attribute's name with this prefix; `None`
/// for a prefix that is not declared.
fn resolve(bindings: &[Binding], prefix: Option<&str>, element: bool) -> Option<Ns> {
    match prefix {
        // An attribute without a prefix is in no namespace, whatever the default.
        None if !element => Some(Ns::None),
        None => Some(
            bindings
                .iter()
                .rev()
                .find(|b| b.prefix.is_empty())
                .and_then(|b| b.ns)
                .unwrap_or(Ns::None),
        ),
        // Bound by definition, and may not be bound to another namespace.
        Some("xml") => Some(Ns::Xml),
        Some(p) => bindings.iter().rev().find(|b| b.prefix == p)?.ns,
    }
}

/// The parent of the root element.
const NO_PARENT: u32 = u32::MAX;

struct NodeData<'a> {
    parent: u32,
    /// The index just past the node's last descendant: its children start at the next index
    /// and follow one another by `end`.
    end: u32,
    kind: Kind<'a>,
}

enum Kind<'a> {
    Element {
        ns: Ns,
        /// The local name.
        name: &'a str,
        /// The element's attributes, as indexes into `Document::attributes`.
        attributes: (u32, u32),
    },
    /// A run of character data as written (with references), between these byte offsets.
    Text { start: u32, end: u32 },
    /// The inside of a CDATA section, between these byte offsets.
    CData { start: u32, end: u32 },
}

/// Names and values are kept as written: most are never read.
struct AttributeData<'a> {
    ns: Ns,
    /// The prefix as written, until it is resolved to `ns`.
    prefix: Option<&'a str>,
    /// The local name.
    name: &'a str,
    /// The value as written, between the quotes.
    raw: &'a str,
}

/// A parsed document: its root element is node 0.
pub(super) struct Document<'a> {
    text: &'a str,
    nodes: Vec<NodeData<'a>>,
    attributes: Vec<AttributeData<'a>>,
    /// Whether a text read so far breaks a rule of character data (an unknown reference,
    /// `]]>`), which is checked on reading rather than while building.
    broken_text: Cell<bool>,
}

impl<'a> Document<'a> {
    /// Builds the tree of `text`; `None` when it is not well-formed XML as checked here, has a
    /// document type declaration (never read, so never expanded), or exceeds [`NODES_LIMIT`].
    pub(super) fn parse(text: &'a str) -> Option<Document<'a>> {
        // Offsets are kept as u32 to keep nodes small.
        u32::try_from(text.len()).ok()?;
        let mut reader = Reader::from_str(text);
        reader.config_mut().check_comments = true;
        let mut doc = Document {
            text,
            nodes: Vec::new(),
            attributes: Vec::new(),
            broken_text: Cell::new(false),
        };
        // The open elements, innermost last, and the namespaces they declare.
        let mut open: Vec<u32> = Vec::new();
        let mut bindings: Vec<Binding> = Vec::new();
        let mut seen_root = false;
        // Where the reader is in `text`.
        let position = |r: &Reader<&[u8]>| text.len() - r.get_ref().len();
        loop {
            // Character data is skipped here rather than read by quick-xml, which reports
            // every reference as an event of its own (escaped HTML bodies hold one every few
            // bytes): only its end is looked for, and its references are checked when it is
            // read (`Node::text`). Advancing the reader's input to the next `<` leaves it
            // about to read markup, the state it is in after any event, so it never sees text.
            let at = position(&reader);
            let len = find_markup(text.as_bytes(), at) - at;
            if len > 0 {
                if !open.is_empty() {
                    let (start, end) = (u32::try_from(at).ok()?, u32::try_from(at + len).ok()?);
                    doc.push(&open, Kind::Text { start, end })?;
                } else if !text.as_bytes()[at..at + len]
                    .iter()
                    .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
                {
                    // Outside the root element only whitespace is allowed.
                    return None;
                }
                let input = reader.get_mut();
                *input = input.get(len..)?;
            }
            let before = position(&reader);
            // A CDATA section is skipped the same way, by its `]]>`: quick-xml looks for that at
            // every `>`, and the HTML bodies the CDATA rewrite makes hold one every few bytes.
            if let Some(body) = text.as_bytes()[before..].strip_prefix(b"<![CDATA[") {
                if open.is_empty() {
                    return None;
                }
                let len = memchr::memmem::find(body, b"]]>")?;
                // Without `<![CDATA[` and `]]>`.
                let start = u32::try_from(before + 9).ok()?;
                let end = u32::try_from(before + 9 + len).ok()?;
                doc.push(&open, Kind::CData { start, end })?;
                let input = reader.get_mut();
                *input = input.get(9 + len + 3..)?;
                continue;
            }
            match reader.read_event().ok()? {
                // One root element only (XML 1.0 section 2.1).
                Event::Start(_) | Event::Empty(_) if seen_root => return None,
                Event::Start(e) => {
                    let id = doc.push_element(&mut bindings, &open, before, &e)?;
                    open.push(id);
                }
                Event::Empty(e) => {
                    doc.push_element(&mut bindings, &open, before, &e)?;
                    unbind(&mut bindings, open.len());
                    seen_root = open.is_empty();
                }
                Event::End(_) => {
                    // quick-xml has checked that it closes the innermost open element.
                    let id = open.pop()?;
                    let end = u32::try_from(doc.nodes.len()).ok()?;
                    doc.nodes.get_mut(usize::try_from(id).ok()?)?.end = end;
                    unbind(&mut bindings, open.len());
                    seen_root = open.is_empty();
                }
                // The declaration is only allowed at the very start (XML 1.0 section 2.8).
                Event::Decl(_) if before != 0 => return None,
                // A DTD is never read: its entities would be expanded (billion laughs).
                Event::DocType(_) => return None,
                Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {}
                // Text and CDATA were consumed above, so these do not happen; were they to, the
                // document would not be read as described.
                Event::Text(_) | Event::GeneralRef(_) | Event::CData(_) => return None,
                Event::Eof => break,
            }
        }
        (seen_root && open.is_empty()).then_some(doc)
    }

    /// Adds an element whose start tag (`<` at `at`) quick-xml has just read, under the
    /// innermost of `open`, and the namespaces it declares to `bindings`.
    fn push_element(
        &mut self,
        bindings: &mut Vec<Binding<'a>>,
        open: &[u32],
        at: usize,
        start: &BytesStart,
    ) -> Option<u32> {
        let depth = open.len() + 1;
        // The tag as written, without its `<` and `>` (or `/>`), so that names and attribute
        // values borrow from the document.
        let tag = self.text.get(at + 1..at + 1 + start.len())?;
        let qname_len = start.name().as_ref().len();
        let qname = QName(tag.get(..qname_len)?);
        if !is_qname(qname.as_ref().as_bytes()) {
            return None;
        }
        let first = self.attributes.len();
        for a in Attributes::new(tag, qname_len) {
            let a = a.ok()?;
            let raw = match a.value {
                Cow::Borrowed(v) => v,
                Cow::Owned(_) => return None,
            };
            // `<` may not appear in an attribute value, and its references must be known.
            if !attribute_ok(raw.as_bytes()) {
                return None;
            }
            let key = a.key.into_inner();
            if !is_qname(key.as_bytes()) {
                return None;
            }
            // Namespace declarations are not attributes of the element.
            if let Some(prefix) = key.strip_prefix("xmlns") {
                if prefix.is_empty() || prefix.starts_with(':') {
                    if bindings.len() >= BINDINGS_LIMIT {
                        return None;
                    }
                    let uri = normalize_attribute(raw);
                    bindings.push(Binding {
                        prefix: prefix.get(1..).unwrap_or_default(),
                        ns: (prefix.is_empty() || !uri.is_empty()).then(|| Ns::of(&uri)),
                        depth,
                    });
                    continue;
                }
            }
            self.attributes.push(AttributeData {
                ns: Ns::None,
                prefix: a.key.prefix().map(|p| p.into_inner()),
                name: a.key.local_name().into_inner(),
                raw,
            });
        }
        // Declarations apply to the element's own name and attributes, wherever they stand.
        for a in &mut self.attributes[first..] {
            if a.prefix.is_some() {
                a.ns = resolve(bindings, a.prefix, false)?;
            }
        }
        let ns = resolve(bindings, qname.prefix().map(|p| p.into_inner()), true)?;
        let name = tag.get(qname_len - qname.local_name().as_ref().len()..qname_len)?;
        let attributes = (
            u32::try_from(first).ok()?,
            u32::try_from(self.attributes.len()).ok()?,
        );
        self.push(
            open,
            Kind::Element {
                ns,
                name,
                attributes,
            },
        )
    }

    /// Adds a node under the innermost open element; returns its index.
    fn push(&mut self, open: &[u32], kind: Kind<'a>) -> Option<u32> {
        if self.nodes.len() >= NODES_LIMIT {
            return None;
        }
        let id = u32::try_from(self.nodes.len()).ok()?;
        self.nodes.push(NodeData {
            parent: open.last().copied().unwrap_or(NO_PARENT),
            end: id.checked_add(1)?,
            kind,
        });
        Some(id)
    }

    /// Whether a text read so far was not well-formed character data: a reference that is
    /// neither predefined nor to a character XML allows, or `]]>`. A document holding one is
    /// not XML; only the text that is read is checked, since the rest changes no answer.
    pub(super) fn read_broken_text(&self) -> bool {
        self.broken_text.get()
    }

    /// The root element.
    pub(super) fn root_element(&self) -> Node<'_, 'a> {
        Node { doc: self, id: 0 }
    }
}

/// The bytes a name may hold, `:` aside: ASCII letters and digits, `_`, `-`, `.`, and those
/// of any non-ASCII character.
const NAME_BYTES: [bool; 256] = {
    let mut bytes = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        bytes[b] = c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'.' || c >= 0x80;
        b += 1;
    }
    bytes
};

/// Whether `name` is a qualified name (Namespaces in XML 1.0, section 4): one name, or two
/// joined by a colon. Only ASCII characters are checked, against the characters names may
/// hold: enough to refuse what broken markup leaves in a name as quick-xml cuts it (`<`, `&`,
/// `=`, quotes, `!`), without the Unicode tables of the Name production.
fn is_qname(name: &[u8]) -> bool {
    let is_ncname = |part: &[u8]| {
        part.first()
            .is_some_and(|b| !b.is_ascii_digit() && !matches!(b, b'-' | b'.'))
            && part.iter().all(|&b| NAME_BYTES[usize::from(b)])
    };
    match name.iter().position(|&b| b == b':') {
        None => is_ncname(name),
        Some(colon) => is_ncname(&name[..colon]) && is_ncname(&name[colon + 1..]),
    }
}

/// Drops the namespaces declared by elements deeper than `depth`, which have ended.
fn unbind(bindings: &mut Vec<Binding>, depth: usize) {
    while bindings.last().is_some_and(|b| b.depth > depth) {
        bindings.pop();
    }
}

/// One node of a [`Document`]: an element or a run of text.
#[derive(Clone, Copy)]
pub(super) struct Node<'d, 'a> {
    doc: &'d Document<'a>,
    id: u32,
}

impl<'d, 'a> Node<'d, 'a> {
    fn data(&self) -> &'d NodeData<'a> {
        &self.doc.nodes[self.id as usize]
    }

    fn at(&self, id: u32) -> Node<'d, 'a> {
        Node { doc: self.doc, id }
    }

    /// Whether this is an element (not text).
    pub(super) fn is_element(&self) -> bool {
        matches!(self.data().kind, Kind::Element { .. })
    }

    /// The element's namespace (`Ns::None` for text).
    pub(super) fn namespace(&self) -> Ns {
        match self.data().kind {
            Kind::Element { ns, .. } => ns,
            _ => Ns::None,
        }
    }

    /// The element's local name (empty for text).
    pub(super) fn name(&self) -> &'a str {
        match self.data().kind {
            Kind::Element { name, .. } => name,
            _ => "",
        }
    }

    /// Whether this is an element of namespace `ns` named `name`.
    pub(super) fn is(&self, ns: Ns, name: &str) -> bool {
        matches!(self.data().kind, Kind::Element { ns: n, name: l, .. } if n == ns && l == name)
    }

    /// The node's children, in document order.
    pub(super) fn children(&self) -> impl Iterator<Item = Node<'d, 'a>> + 'd {
        let doc = self.doc;
        let end = self.data().end;
        let mut next = self.id + 1;
        std::iter::from_fn(move || {
            (next < end).then(|| {
                let id = next;
                next = doc.nodes[id as usize].end;
                Node { doc, id }
            })
        })
    }

    /// The node and all its descendants, in document order.
    pub(super) fn descendants(&self) -> impl Iterator<Item = Node<'d, 'a>> + 'd {
        let doc = self.doc;
        (self.id..self.data().end).map(move |id| Node { doc, id })
    }

    /// The node, its parent, and so on up to the root element.
    pub(super) fn ancestors(&self) -> impl Iterator<Item = Node<'d, 'a>> + 'd {
        let mut next = Some(*self);
        std::iter::from_fn(move || {
            let n = next?;
            let parent = n.data().parent;
            next = (parent != NO_PARENT).then(|| n.at(parent));
            Some(n)
        })
    }

    /// A text node's text, references replaced and line ends normalized (XML 1.0 section
    /// 2.11); `None` for an element. Text that breaks a rule of character data is returned
    /// as written and noted ([`Document::read_broken_text`]).
    pub(super) fn text(&self) -> Option<Cow<'a, str>> {
        let text = self.doc.text;
        match self.data().kind {
            Kind::Text { start, end } => {
                let raw = text.get(start as usize..end as usize).unwrap_or_default();
                Some(unescape_text(raw).unwrap_or_else(|| {
                    self.doc.broken_text.set(true);
                    Cow::Borrowed(raw)
                }))
            }
            Kind::CData { start, end } => {
                let raw = text.get(start as usize..end as usize).unwrap_or_default();
                Some(normalize_eol(raw))
            }
            Kind::Element { .. } => None,
        }
    }

    fn attribute_data(&self) -> &'d [AttributeData<'a>] {
        match self.data().kind {
            Kind::Element {
                attributes: (first, end),
                ..
            } => &self.doc.attributes[first as usize..end as usize],
            _ => &[],
        }
    }

    /// The value of the attribute `name` without a namespace.
    pub(super) fn attribute(&self, name: &str) -> Option<Cow<'a, str>> {
        self.attribute_ns(Ns::None, name)
    }

    /// The value of the attribute `name` in namespace `ns`, normalized (XML 1.0 section 3.3.3).
    pub(super) fn attribute_ns(&self, ns: Ns, name: &str) -> Option<Cow<'a, str>> {
        let a = self
            .attribute_data()
            .iter()
            .find(|a| a.ns == ns && a.name == name)?;
        Some(normalize_attribute(a.raw))
    }

    /// The element's attributes (not its namespace declarations) in document order, as
    /// (namespace, local name, normalized value).
    pub(super) fn attributes(&self) -> impl Iterator<Item = (Ns, &'a str, Cow<'a, str>)> + 'd {
        self.attribute_data()
            .iter()
            .map(|a| (a.ns, a.name, normalize_attribute(a.raw)))
    }
}

/// The character a reference at the start of `bytes` (which starts with `&`) stands for, and
/// the reference's length; `None` unless it is one of the five predefined entities or a
/// character reference to a character XML allows (there is no DTD to declare others). A
/// number that is no Unicode scalar value (a surrogate, or past U+10FFFF) reads as U+FFFD, as
/// it did when this pass used roxmltree.
fn reference(bytes: &[u8]) -> Option<(char, usize)> {
    let (n, len) = xml_reference(bytes.get(1..)?)?;
    let c = char::from_u32(n).unwrap_or('\u{FFFD}');
    is_xml_char(c).then_some((c, len + 1))
}

/// The index of the first byte of `bytes` from `from` on that is one of `needles`, or the
/// length of `bytes`.
fn find_any(bytes: &[u8], from: usize, needles: &[u8]) -> usize {
    let rest = bytes.get(from..).unwrap_or_default();
    let found = match *needles {
        [a] => memchr::memchr(a, rest),
        [a, b] => memchr::memchr2(a, b, rest),
        [a, b, c] => memchr::memchr3(a, b, c, rest),
        _ => rest.iter().position(|b| needles.contains(b)),
    };
    found.map_or(bytes.len(), |i| from + i)
}

/// The index of the first `<` in `bytes` from `from` on, or the length of `bytes`.
fn find_markup(bytes: &[u8], from: usize) -> usize {
    find_any(bytes, from, b"<")
}

/// Whether an attribute value as written is allowed: no `<`, and only known references.
fn attribute_ok(raw: &[u8]) -> bool {
    let mut i = 0;
    loop {
        i = find_any(raw, i, b"<&");
        match raw.get(i) {
            None => return true,
            Some(b'&') => match reference(&raw[i..]) {
                Some((_, len)) => i += len,
                None => return false,
            },
            Some(_) => return false,
        }
    }
}

/// Character data as written → its text: references replaced, `\r\n` and a lone `\r` read as
/// `\n` (XML 1.0 section 2.11); `None` when it holds a reference [`reference`] does not know,
/// or `]]>` (section 2.4).
fn unescape_text(raw: &str) -> Option<Cow<'_, str>> {
    unescape(raw, b"&\r]", '\n')
}

/// An attribute value as written → its value: references replaced, and tab, newline and
/// carriage return (a `\r\n` pair counting once) read as a space; a character written as a
/// reference is kept as it is (XML 1.0 section 3.3.3). Its references were checked while
/// building.
fn normalize_attribute(raw: &str) -> Cow<'_, str> {
    unescape(raw, b"&\r\n\t", ' ').unwrap_or(Cow::Borrowed(raw))
}

/// `\r\n` and a lone `\r` read as `\n` (XML 1.0 section 2.11), as in CDATA sections.
fn normalize_eol(raw: &str) -> Cow<'_, str> {
    unescape(raw, b"\r", '\n').unwrap_or(Cow::Borrowed(raw))
}

/// Replaces references (when `&` is special) and reads `\r\n`, `\r` and the other special
/// bytes but `]` as `space`; `None` at a reference that is not known, or at `]]>` (when `]`
/// is special).
fn unescape<'r>(raw: &'r str, special: &[u8], space: char) -> Option<Cow<'r, str>> {
    let bytes = raw.as_bytes();
    let mut i = find_any(bytes, 0, special);
    if i == bytes.len() {
        return Some(Cow::Borrowed(raw));
    }
    let mut out = String::with_capacity(raw.len());
    let mut done = 0;
    while let Some(&b) = bytes.get(i) {
        // All the special bytes are ASCII, so `done` and `i` are character boundaries.
        out.push_str(&raw[done..i]);
        let len = match b {
            b'&' => {
                let (c, len) = reference(&bytes[i..])?;
                out.push(c);
                len
            }
            b']' if bytes[i..].starts_with(b"]]>") => return None,
            b']' => {
                out.push(']');
                1
            }
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                out.push(space);
                2
            }
            _ => {
                out.push(space);
                1
            }
        };
        done = i + len;
        i = find_any(bytes, done, special);
    }
    out.push_str(&raw[done..]);
    Some(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(doc: &Document) -> Vec<String> {
        doc.root_element()
            .descendants()
            .filter_map(|n| n.text().map(Cow::into_owned))
            .collect()
    }

    #[test]
    fn text_and_references_are_one_run_and_unescaped_on_reading() {
        let doc = Document::parse("<a>x &lt;b&gt; &#233;&#x41;&amp;&quot;&apos; y</a>").unwrap();
        assert_eq!(texts(&doc), ["x <b> éA&\"' y"]);
        assert_eq!(doc.nodes.len(), 2, "one element, one run of text");
    }

    #[test]
    fn cdata_is_found_by_its_end_alone() {
        let doc = Document::parse("<a><![CDATA[x]]y>z]>]]></a>").unwrap();
        assert_eq!(texts(&doc), ["x]]y>z]>"]);
        assert!(Document::parse("<a><![CDATA[x]]</a>").is_none());
        assert!(Document::parse("<![CDATA[x]]><a/>").is_none());
        assert!(Document::parse("<a/><![CDATA[x]]>").is_none());
    }

    #[test]
    fn cdata_is_kept_as_written() {
        let doc = Document::parse("<a>x<![CDATA[ <b>&amp;</b> ]]>y</a>").unwrap();
        assert_eq!(texts(&doc).concat(), "x <b>&amp;</b> y");
    }

    #[test]
    fn line_ends_are_normalized() {
        let doc =
            Document::parse("<a b=\"1\r\n2\t3\n4&#10;5\">x\r\ny\rz<![CDATA[\r\n]]></a>").unwrap();
        assert_eq!(texts(&doc).concat(), "x\ny\nz\n");
        let b = doc.root_element().attribute("b").unwrap();
        assert_eq!(b, "1 2 3 4\n5");
    }

    #[test]
    fn attributes_are_unescaped_and_namespaced() {
        let doc = Document::parse(
            r#"<a xmlns:r="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xml:lang="de" r:resource="x?a=1&amp;b=2" t="&lt;&#x41;"/>"#,
        )
        .unwrap();
        let a = doc.root_element();
        assert_eq!(a.attribute_ns(Ns::Xml, "lang").as_deref(), Some("de"));
        assert_eq!(a.attribute("lang"), None);
        assert_eq!(
            a.attribute_ns(Ns::Rdf, "resource").as_deref(),
            Some("x?a=1&b=2")
        );
        assert_eq!(a.attribute("resource"), None);
        assert_eq!(a.attribute("t").as_deref(), Some("<A"));
        assert_eq!(a.attributes().count(), 3, "xmlns:r is a declaration");
    }

    #[test]
    fn resolves_default_and_prefixed_namespaces() {
        let doc = Document::parse(
            r#"<feed xmlns="http://www.w3.org/2005/Atom" xmlns:d="http://purl.org/dc/elements/1.1/">
              <entry><d:language>en</d:language><x xmlns=""/><h:div xmlns:h="http://www.w3.org/1999/xhtml"/></entry>
              <o:x xmlns:o="urn:other"/></feed>"#,
        )
        .unwrap();
        let root = doc.root_element();
        assert_eq!(root.namespace(), Ns::Atom);
        let entry = root.children().find(|n| n.is_element()).unwrap();
        let kids: Vec<_> = entry
            .children()
            .map(|n| (n.namespace(), n.name()))
            .collect();
        assert_eq!(
            kids,
            [(Ns::Dc, "language"), (Ns::None, "x"), (Ns::Xhtml, "div")]
        );
        let last = root.children().filter(|n| n.is_element()).last().unwrap();
        assert_eq!((last.namespace(), last.name()), (Ns::Other, "x"));
        assert_eq!(last.ancestors().count(), 2);
    }

    #[test]
    fn children_skip_over_subtrees() {
        let doc = Document::parse("<a><b><c/>t</b>u<d/></a>").unwrap();
        let names: Vec<_> = doc
            .root_element()
            .children()
            .map(|n| {
                if n.is_element() {
                    n.name().to_owned()
                } else {
                    n.text().unwrap().into_owned()
                }
            })
            .collect();
        assert_eq!(names, ["b", "u", "d"]);
    }

    #[test]
    fn refuses_what_is_not_well_formed() {
        for (name, xml) in [
            ("mismatched end tag", "<a><b></a></b>"),
            ("unclosed element", "<a><b></b>"),
            ("stray end tag", "<a></a></b>"),
            ("two roots", "<a/><b/>"),
            ("no root", "<!-- nothing -->"),
            ("text outside the root", "x<a/>"),
            ("unknown entity in attribute", "<a b='&nbsp;'/>"),
            ("lone ampersand in attribute", "<a b='AT&T'/>"),
            ("not an XML character in attribute", "<a b='&#0;'/>"),
            ("< in attribute", "<a b='<'/>"),
            ("unbound element prefix", "<p:a/>"),
            ("unbound attribute prefix", "<a p:b='1'/>"),
            ("duplicate attribute", "<a b='1' b='2'/>"),
            ("unquoted attribute", "<a b=1/>"),
            ("-- in comment", "<a><!-- a -- b --></a>"),
            ("late declaration", " <?xml version='1.0'?><a/>"),
            ("doctype", "<!DOCTYPE a><a/>"),
            (
                "markup in an element name",
                "<a><b<!-- c --></b<!-- c --></a>",
            ),
            ("markup in an attribute name", "<a b&amp;='1'/>"),
            ("attribute without a name", "<a ='1'/>"),
            ("name starting with a digit", "<a><1b/></a>"),
            ("two colons", "<a xmlns:p='urn:p'><p:b:c/></a>"),
        ] {
            assert!(Document::parse(xml).is_none(), "{name}");
        }
    }

    #[test]
    fn notes_broken_text_when_it_is_read() {
        for (name, xml) in [
            ("unknown entity", "<a><b>&nbsp;</b></a>"),
            ("lone ampersand", "<a><b>AT&T</b></a>"),
            ("not an XML character", "<a><b>&#1;</b></a>"),
            ("empty character reference", "<a><b>&#;</b></a>"),
            ("]]> in text", "<a><b>x]]>y</b></a>"),
        ] {
            let doc = Document::parse(xml).unwrap();
            assert!(!doc.read_broken_text(), "{name}: not read yet");
            let b = doc.root_element().children().next().unwrap();
            assert!(b.text().is_none());
            let text = b.children().next().unwrap().text().unwrap();
            assert!(doc.read_broken_text(), "{name}");
            assert!(xml.contains(text.as_ref()), "{name}: kept as written");
        }
        let fine = Document::parse("<a>]] > ] &#x10FFFF;</a>").unwrap();
        let text = fine
            .root_element()
            .children()
            .next()
            .unwrap()
            .text()
            .unwrap();
        assert_eq!(text, "]] > ] \u{10FFFF}");
        assert!(!fine.read_broken_text());
    }

    #[test]
    fn accepts_what_is_well_formed() {
        for (name, xml) in [
            ("declaration", "<?xml version='1.0'?>\n<a/>"),
            (
                "comments and PIs around",
                "<!-- c --><?pi x?><a/><!-- c -->\n",
            ),
            ("empty root", "<a/>"),
            ("gt in text", "<a>a > b</a>"),
        ] {
            assert!(Document::parse(xml).is_some(), "{name}");
        }
    }

    #[test]
    fn finds_markup_at_any_offset() {
        for len in [0, 1, 31, 32, 33, 64, 100] {
            for at in 0..=len {
                let mut bytes = vec![b'x'; len];
                if at < len {
                    bytes[at] = b'<';
                }
                for from in [0, at.min(len), at.saturating_sub(1)] {
                    assert_eq!(
                        find_markup(&bytes, from),
                        at,
                        "len {len}, < at {at}, from {from}"
                    );
                }
            }
        }
    }

    #[test]
    fn refuses_more_namespaces_in_scope_than_the_limit() {
        let declare = |n: usize| {
            (0..n)
                .map(|i| format!(" xmlns:p{i}='urn:{i}'"))
                .collect::<String>()
        };
        let within = format!(
            "<a{}><b{}/></a>",
            declare(100),
            declare(BINDINGS_LIMIT - 100)
        );
        assert!(Document::parse(&within).is_some());
        let beyond = format!(
            "<a{}><b{}/></a>",
            declare(100),
            declare(BINDINGS_LIMIT - 99)
        );
        assert!(Document::parse(&beyond).is_none());
        // Declarations go out of scope with their element.
        let siblings = format!("<a>{}</a>", format!("<b{}/>", declare(200)).repeat(10));
        assert!(Document::parse(&siblings).is_some());
    }

    #[test]
    fn refuses_more_nodes_than_the_limit() {
        let within = format!("<a>{}</a>", "<b/>".repeat(NODES_LIMIT - 1));
        assert!(Document::parse(&within).is_some());
        let beyond = format!("<a>{}</a>", "<b/>".repeat(NODES_LIMIT));
        assert!(Document::parse(&beyond).is_none());
        let text = format!("<a>{}</a>", "<b/>x".repeat(NODES_LIMIT / 2));
        assert!(Document::parse(&text).is_none(), "runs of text count too");
    }

    #[test]
    fn nesting_is_walked_without_recursion() {
        let depth = 100_000;
        let xml = format!("<a>{}deep{}</a>", "<b>".repeat(depth), "</b>".repeat(depth));
        let doc = Document::parse(&xml).unwrap();
        let root = doc.root_element();
        assert_eq!(root.descendants().count(), depth + 2);
        let text = root.descendants().last().unwrap();
        assert_eq!(text.ancestors().count(), depth + 2, "itself, the b, the a");
    }
}
