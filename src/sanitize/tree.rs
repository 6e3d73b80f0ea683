//! The one pass: html5ever parses the fragment into a tree (scraper's, an arena of nodes), and one
//! depth-first walk applies the policy to each node on the way down and repairs each element's
//! children on the way up; then html5ever serializes what is left.
//!
//! On the way down a node's ancestors are final (their names, after renaming, are known), so
//! the rules that depend on where an element sits are applied there: no link inside a link, no
//! heading inside a table header, no controls inside a link, table parts only inside tables.
//! On the way up an element's children are final, so its content model can be checked as a
//! whole (`repair`). The walk keeps its own stack (no recursion), so a deep tree cannot
//! overflow the thread's.

use ego_tree::{NodeId, Tree};
use html5ever::tendril::StrTendril;
use html5ever::{ns, LocalName, QualName};
use scraper::node::{Element, Text};
use scraper::{ElementRef, Html, Node};
use url::Url;

use super::{
    repair, url as urls, values, AttrValue, ALLOWED_ATTRIBUTES, ALLOWED_TAGS, DROPPED_WITH_CONTENT,
    GENERIC_ATTRIBUTES, LINK_REL, RENAMED,
};

/// A parsed fragment, with the few tree operations the repair needs. Every operation checks
/// what it relies on (a node has a parent before a sibling is inserted next to it), so a repair
/// rule that meets a shape it did not expect does nothing rather than panic.
pub struct Dom {
    tree: Tree<Node>,
    /// The element the fragment was parsed in: the root of its content.
    pub root: NodeId,
    /// An element without name or attributes, copied to make new ones.
    blank: Element,
    /// The `pre` elements met, whose leading newline needs protecting when serialized.
    pub preformatted: Vec<NodeId>,
}

impl Dom {
    pub fn parse(html: &str) -> Dom {
        let tree = Html::parse_fragment(html).tree;
        // scraper parses a fragment into a Fragment node holding one `html` element, the
        // context the parser used; the content is that element's children.
        let (root, mut blank) = tree
            .root()
            .children()
            .find_map(|c| c.value().as_element().map(|e| (c.id(), e.clone())))
            .expect("the fragment parser always creates its context element");
        blank.attrs = Vec::new().into_iter().collect();
        Dom {
            tree,
            root,
            blank,
            preformatted: Vec::new(),
        }
    }

    /// The content, serialized as HTML.
    pub fn serialize(mut self) -> String {
        // The parser drops a newline right after `<pre>`: one more keeps the text's own
        // when the page is read (the serializer does not add it).
        for pre in std::mem::take(&mut self.preformatted) {
            let first = self.first_child(pre);
            if first.is_some_and(|f| self.text(f).is_some_and(|t| t.starts_with('\n'))) {
                let newline = self.new_text("\n");
                self.prepend(pre, newline);
            }
        }
        self.inner_html(self.root)
    }

    /// The children of `parent`, serialized as HTML.
    fn inner_html(&self, parent: NodeId) -> String {
        self.tree
            .get(parent)
            .and_then(ElementRef::wrap)
            .map(|e| e.inner_html())
            .unwrap_or_default()
    }

    pub fn value(&self, id: NodeId) -> Option<&Node> {
        self.tree.get(id).map(|n| n.value())
    }

    pub fn element(&self, id: NodeId) -> Option<&Element> {
        self.value(id).and_then(Node::as_element)
    }

    /// Runs `f` on element `id` (nothing for other nodes).
    fn edit(&mut self, id: NodeId, f: impl FnOnce(&mut Element)) {
        if let Some(mut n) = self.tree.get_mut(id) {
            if let Node::Element(e) = n.value() {
                f(e);
            }
        }
    }

    /// The local name of an HTML element; `None` for text and other nodes.
    pub fn name(&self, id: NodeId) -> Option<&str> {
        self.element(id)
            .filter(|e| e.name.ns == ns!(html))
            .map(|e| &*e.name.local)
    }

    pub fn is(&self, id: NodeId, name: &str) -> bool {
        self.name(id) == Some(name)
    }

    pub fn text(&self, id: NodeId) -> Option<&str> {
        self.value(id).and_then(Node::as_text).map(|t| &**t)
    }

    /// Whether `id` is text of spaces only (which every content model allows between elements).
    pub fn is_blank_text(&self, id: NodeId) -> bool {
        self.text(id)
            .is_some_and(|t| t.chars().all(|c| c.is_ascii_whitespace()))
    }

    pub fn attr(&self, id: NodeId, name: &str) -> Option<&str> {
        self.element(id)?
            .attrs
            .iter()
            .find(|(k, _)| k.ns == ns!() && &*k.local == name)
            .map(|(_, v)| &**v)
    }

    pub fn set_attr(&mut self, id: NodeId, name: &str, value: &str) {
        self.edit(id, |e| {
            let mut attrs: Vec<(QualName, StrTendril)> = e
                .attrs
                .iter()
                .filter(|(k, _)| !(k.ns == ns!() && &*k.local == name))
                .cloned()
                .collect();
            attrs.push((attr_name(name), StrTendril::from_slice(value)));
            // In name order, as the parser gives them: the output then reads the same when
            // sanitized again.
            attrs.sort_by(|a, b| a.0.local.cmp(&b.0.local));
            e.attrs = attrs.into_iter().collect();
        });
    }

    pub fn remove_attr(&mut self, id: NodeId, name: &str) {
        self.edit(id, |e| {
            let attrs: Vec<(QualName, StrTendril)> = e
                .attrs
                .iter()
                .filter(|(k, _)| !(k.ns == ns!() && &*k.local == name))
                .cloned()
                .collect();
            e.attrs = attrs.into_iter().collect();
        });
    }

    pub fn parent(&self, id: NodeId) -> Option<NodeId> {
        self.tree.get(id)?.parent().map(|p| p.id())
    }

    pub fn first_child(&self, id: NodeId) -> Option<NodeId> {
        self.tree.get(id)?.first_child().map(|c| c.id())
    }

    pub fn next_sibling(&self, id: NodeId) -> Option<NodeId> {
        self.tree.get(id)?.next_sibling().map(|c| c.id())
    }

    pub fn prev_sibling(&self, id: NodeId) -> Option<NodeId> {
        self.tree.get(id)?.prev_sibling().map(|c| c.id())
    }

    pub fn children(&self, id: NodeId) -> Vec<NodeId> {
        self.tree
            .get(id)
            .map(|n| n.children().map(|c| c.id()).collect())
            .unwrap_or_default()
    }

    /// A new HTML element, not yet in the tree.
    pub fn new_element(&mut self, name: &str) -> NodeId {
        let mut e = self.blank.clone();
        e.name = html_name(name);
        self.tree.orphan(Node::Element(e)).id()
    }

    /// A new text node, not yet in the tree.
    pub fn new_text(&mut self, text: &str) -> NodeId {
        self.tree
            .orphan(Node::Text(Text {
                text: StrTendril::from_slice(text),
            }))
            .id()
    }

    /// A copy of element `id` (name and attributes, no children), not yet in the tree.
    pub fn copy(&mut self, id: NodeId) -> Option<NodeId> {
        let value = self.value(id)?.clone();
        Some(self.tree.orphan(value).id())
    }

    pub fn rename(&mut self, id: NodeId, name: &str) {
        self.edit(id, |e| e.name = html_name(name));
    }

    /// Turns element `id` into text (its children are dropped).
    pub fn replace_with_text(&mut self, id: NodeId, text: &str) {
        if let Some(mut n) = self.tree.get_mut(id) {
            *n.value() = Node::Text(Text {
                text: StrTendril::from_slice(text),
            });
        }
        for c in self.children(id) {
            self.detach(c);
        }
    }

    pub fn detach(&mut self, id: NodeId) {
        if let Some(mut n) = self.tree.get_mut(id) {
            n.detach();
        }
    }

    /// Whether `node` is `anchor` or one of its ancestors (moving it there would make a cycle).
    fn contains(&self, node: NodeId, anchor: NodeId) -> bool {
        let mut at = Some(anchor);
        while let Some(a) = at {
            if a == node {
                return true;
            }
            at = self.parent(a);
        }
        false
    }

    /// Moves `node` just before `anchor`.
    pub fn insert_before(&mut self, anchor: NodeId, node: NodeId) {
        if self.parent(anchor).is_none() || self.contains(node, anchor) {
            return;
        }
        if let Some(mut a) = self.tree.get_mut(anchor) {
            a.insert_id_before(node);
        }
    }

    /// Moves `node` just after `anchor`.
    pub fn insert_after(&mut self, anchor: NodeId, node: NodeId) {
        if self.parent(anchor).is_none() || self.contains(node, anchor) {
            return;
        }
        if let Some(mut a) = self.tree.get_mut(anchor) {
            a.insert_id_after(node);
        }
    }

    /// Moves `node` to the end of `parent`'s children.
    pub fn append(&mut self, parent: NodeId, node: NodeId) {
        if self.contains(node, parent) {
            return;
        }
        if let Some(mut p) = self.tree.get_mut(parent) {
            p.append_id(node);
        }
    }

    /// Moves `node` to the start of `parent`'s children.
    pub fn prepend(&mut self, parent: NodeId, node: NodeId) {
        if self.contains(node, parent) {
            return;
        }
        if let Some(mut p) = self.tree.get_mut(parent) {
            p.prepend_id(node);
        }
    }

    /// Replaces `id` by its children.
    pub fn unwrap(&mut self, id: NodeId) {
        if self.parent(id).is_none() {
            return;
        }
        for c in self.children(id) {
            self.insert_before(id, c);
        }
        self.detach(id);
    }

    /// Puts `nodes` (siblings, in order) inside `wrapper`, which takes the place of the first.
    pub fn wrap(&mut self, nodes: &[NodeId], wrapper: NodeId) {
        let Some(&first) = nodes.first() else {
            return;
        };
        self.insert_before(first, wrapper);
        for &n in nodes {
            self.append(wrapper, n);
        }
    }
}

fn html_name(name: &str) -> QualName {
    QualName::new(None, ns!(html), LocalName::from(name))
}

fn attr_name(name: &str) -> QualName {
    QualName::new(None, ns!(), LocalName::from(name))
}

/// What the policy does with a node met on the way down.
enum Step {
    /// Keep it (and walk into it).
    Keep,
    /// Remove it with everything inside.
    Drop,
    /// Replace it by its children, which are walked next.
    Unwrap,
}

/// An element being walked: where it is, its (final) name, and its next child to visit.
struct Frame {
    id: NodeId,
    name: LocalName,
    next: Option<NodeId>,
}

/// Parses `html`, applies the policy and the repairs, and serializes the result.
pub fn clean(html: &str, base: Option<&Url>) -> String {
    let mut dom = Dom::parse(html);
    let root = dom.root;
    let mut stack = vec![Frame {
        id: root,
        name: LocalName::from(""),
        next: dom.first_child(root),
    }];
    while let Some(top) = stack.last_mut() {
        let Some(child) = top.next else {
            let Some(done) = stack.pop() else { break };
            let ancestors: Vec<&str> = stack.iter().map(|f| &*f.name).collect();
            repair::close(&mut dom, done.id, &ancestors);
            continue;
        };
        let ancestors: Vec<&str> = stack.iter().map(|f| &*f.name).collect();
        match open(&mut dom, child, &ancestors, base) {
            Step::Drop => {
                let next = dom.next_sibling(child);
                dom.detach(child);
                set_next(&mut stack, next);
            }
            Step::Unwrap => {
                let next = dom.first_child(child).or_else(|| dom.next_sibling(child));
                dom.unwrap(child);
                set_next(&mut stack, next);
            }
            Step::Keep => {
                let next = dom.next_sibling(child);
                set_next(&mut stack, next);
                if let Some(name) = dom.name(child).map(LocalName::from) {
                    stack.push(Frame {
                        id: child,
                        name,
                        next: dom.first_child(child),
                    });
                }
            }
        }
    }
    dom.serialize()
}

fn set_next(stack: &mut [Frame], next: Option<NodeId>) {
    if let Some(top) = stack.last_mut() {
        top.next = next;
    }
}

/// The policy for one node, whose ancestors (innermost last) are final: drops what the
/// allow-list drops, renames obsolete elements, unwraps what it does not know, applies the
/// rules that depend on the ancestors, and keeps only valid attributes.
fn open(dom: &mut Dom, id: NodeId, ancestors: &[&str], base: Option<&Url>) -> Step {
    let name = match dom.value(id) {
        Some(Node::Text(_)) => return Step::Keep,
        Some(Node::Element(e)) if e.name.ns == ns!(html) => e.name.local.to_string(),
        // Comments, processing instructions, and elements of other namespaces (inside `svg`
        // and `math`, themselves dropped).
        _ => return Step::Drop,
    };
    if DROPPED_WITH_CONTENT.contains(&name.as_str()) {
        return Step::Drop;
    }
    let mut name = RENAMED
        .iter()
        .find(|(old, _)| *old == name)
        .map_or(name.clone(), |(_, new)| (*new).to_owned());
    if !ALLOWED_TAGS.contains(&name.as_str()) {
        return Step::Unwrap;
    }
    let parent = ancestors.last().copied().unwrap_or("");
    let inside = |names: &[&str]| ancestors.iter().any(|a| names.contains(a));
    match name.as_str() {
        // Interactive content may not nest in a link, nor a definition in a definition, nor
        // media in media.
        "a" if inside(&["a"]) => return Step::Unwrap,
        "dfn" if inside(&["dfn"]) => return Step::Unwrap,
        "audio" | "video" if inside(&["audio", "video"]) => return Step::Unwrap,
        "details" if inside(&["a"]) => name = "div".into(),
        // Table headers, terms and addresses hold no headings or sections.
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" if inside(&["dt", "th", "address"]) => {
            name = "p".into();
        }
        "hgroup" | "article" | "aside" | "section" | "address"
            if inside(&["dt", "th", "address"]) =>
        {
            name = "div".into();
        }
        // A caption holds no table; table parts live in tables only.
        "table" if inside(&["caption"]) => name = "div".into(),
        "caption" | "thead" | "tbody" | "tfoot" if parent != "table" => name = "div".into(),
        "tr" if !matches!(parent, "table" | "thead" | "tbody" | "tfoot") => name = "div".into(),
        "td" | "th" if parent != "tr" => name = "div".into(),
        _ => {}
    }
    dom.rename(id, &name);
    clean_attributes(dom, id, &name, base);
    match name.as_str() {
        "a" if dom.attr(id, "href").is_some() => dom.set_attr(id, "rel", LINK_REL),
        "audio" | "video" if inside(&["a"]) => dom.remove_attr(id, "controls"),
        "bdo" if !matches!(dom.attr(id, "dir"), Some("ltr" | "rtl")) => return Step::Unwrap,
        "img" => return finish_image(dom, id),
        "source" => return finish_source(dom, id, parent),
        _ => {}
    }
    Step::Keep
}

/// Keeps the attributes the allow-list names for `name` whose values are valid, normalized.
fn clean_attributes(dom: &mut Dom, id: NodeId, name: &str, base: Option<&Url>) {
    let Some(e) = dom.element(id) else { return };
    let allowed = ALLOWED_ATTRIBUTES
        .iter()
        .find(|(tag, _)| *tag == name)
        .map_or(&[][..], |(_, attrs)| *attrs);
    let kind_of = |attr: &str| {
        allowed
            .iter()
            .chain(GENERIC_ATTRIBUTES)
            .find(|(a, _)| *a == attr)
            .map(|(_, kind)| *kind)
    };
    let lazy = name == "img";
    let sizes = e
        .attrs
        .iter()
        .find(|(k, _)| k.ns == ns!() && &*k.local == "sizes")
        .filter(|_| kind_of("sizes").is_some())
        .map(|(_, v)| v.to_string())
        .filter(|v| values::sizes(v, lazy));
    let mut kept: Vec<(QualName, StrTendril)> = Vec::new();
    let mut srcset_widths = false;
    for (key, value) in e.attrs.iter() {
        if key.ns != ns!() {
            continue;
        }
        let attr = &*key.local;
        let Some(kind) = kind_of(attr) else { continue };
        let value: &str = value;
        let cleaned = match kind {
            AttrValue::Text => Some(value.to_owned()),
            AttrValue::Url => urls::safe_url(name, attr, value, base),
            AttrValue::Srcset => {
                let s = urls::clean_srcset(value, base, lazy || sizes.is_some());
                srcset_widths = s.as_deref().is_some_and(urls::srcset_has_widths);
                s
            }
            // Kept below, once the `srcset` is known to give widths.
            AttrValue::Sizes => None,
            AttrValue::Media => values::media(value).then(|| value.trim().to_owned()),
            AttrValue::MimeType => values::mime_type(value).then(|| value.trim().to_owned()),
            AttrValue::Language { empty } => {
                (values::language(value) && (empty || !value.is_empty())).then(|| value.to_owned())
            }
            AttrValue::TimeValue => values::time_value(value).then(|| value.to_owned()),
            AttrValue::DateOrGlobalDateTime => {
                values::date_or_global_date_time(value).then(|| value.to_owned())
            }
            AttrValue::Integer(min, max) => values::integer(value, min, max),
            AttrValue::Keyword(words) => values::keyword(value, words),
            AttrValue::Boolean => Some(String::new()),
        };
        if let Some(v) = cleaned {
            kept.push((key.clone(), StrTendril::from_slice(&v)));
        }
    }
    if let Some(s) = sizes.filter(|_| srcset_widths) {
        kept.push((attr_name("sizes"), StrTendril::from_slice(&s)));
    }
    kept.sort_by(|a, b| a.0.local.cmp(&b.0.local));
    dom.edit(id, |e| e.attrs = kept.into_iter().collect());
}

/// An image needs a source: its `src`, else its `srcset`'s first candidate; without either it
/// shows nothing but its `alt` text, which takes its place. Every image gets an `alt` (empty
/// says it adds nothing to the text around it, the most a feed lets us know) and loads lazily.
fn finish_image(dom: &mut Dom, id: NodeId) -> Step {
    if dom.attr(id, "src").is_none() {
        match dom.attr(id, "srcset").and_then(urls::srcset_first_url) {
            Some(src) => dom.set_attr(id, "src", &src),
            None => {
                let alt = dom.attr(id, "alt").unwrap_or_default().trim().to_owned();
                if alt.is_empty() {
                    return Step::Drop;
                }
                dom.replace_with_text(id, &alt);
                return Step::Keep;
            }
        }
    }
    dom.set_attr(id, "loading", "lazy");
    if dom.attr(id, "alt").is_none() {
        dom.set_attr(id, "alt", "");
    }
    Step::Keep
}

/// A `source` in a `picture` offers a `srcset` (never a `src`); one in `audio` or `video` a
/// `src` (never a `srcset`, `sizes` or `media`); one anywhere else means nothing.
fn finish_source(dom: &mut Dom, id: NodeId, parent: &str) -> Step {
    match parent {
        "picture" => {
            dom.remove_attr(id, "src");
            if dom.attr(id, "srcset").is_none() {
                return Step::Drop;
            }
        }
        "audio" | "video" => {
            for attr in ["srcset", "sizes", "media"] {
                dom.remove_attr(id, attr);
            }
            if dom.attr(id, "src").is_none() {
                return Step::Drop;
            }
        }
        _ => return Step::Drop,
    }
    Step::Keep
}
