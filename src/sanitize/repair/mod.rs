//! Content models, repaired on the way up: when an element is left, its children are final, and
//! whatever HTML does not allow among them is moved, wrapped or unwrapped the way HTML's own
//! rules do it, never deleted when it holds text, a link or an image:
//!
//! - inline formatting around blocks (`<code><pre>`, `<span><p>`, `<u><li>`) moves inside
//!   them, as the parser's adoption agency reopens formatting inside a new block;
//! - a block in a paragraph ends it there, as the parser's own "close a `p`" does; in a heading
//!   or a summary it is unwrapped, its content kept on its own line (`<br>`); in a `pre`, on its
//!   own line of text;
//! - content between list items joins the item before it (a nested `ul` right in a `ul`
//!   becomes part of the item it follows), and content before the first item goes before the
//!   list; likewise in a `dl`, where a term without a description gets an empty one;
//! - list items, terms and descriptions outside their list are wrapped in one; a caption or a
//!   summary outside its figure or details becomes a `div`;
//! - a figure's caption goes last when it is not first; a `details` without a summary becomes
//!   a `div`; a `picture` keeps its sources and its image, and its strays follow it;
//! - tables are in `table`.

use ego_tree::NodeId;

use super::tree::Dom;
use super::{table, values};

mod containers;

use containers::{details, dl, figure, fix_orphans, hgroup, list, media, picture};

/// How an element's content is repaired, by its place in HTML's content models.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    /// Phrasing content that holds phrasing content (`span`, `code`, `em`…): moved into the
    /// blocks it wraps.
    Phrasing,
    /// Takes its parent's content model (`a`, `del`, `ins`, and the fallback of `audio` and
    /// `video`).
    Transparent,
    /// Never has children (`br`, `img`, `hr`, `source`, `wbr`).
    Void,
    /// A block that holds phrasing content (`p`, headings, `summary`, `pre`).
    Block(Inside),
    /// A block that holds flow content (`div`, `blockquote`, `li`, `td`…).
    Flow,
    Figure,
    Details,
    /// `ul` and `ol`.
    List,
    Dl,
    Table,
    /// `thead`, `tbody`, `tfoot` and `tr`, repaired with their table.
    RowPart,
    Picture,
    Hgroup,
}

/// What a block that holds phrasing content does with a block found inside it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Inside {
    /// Ends before it and starts again after it (`p`).
    Split,
    /// Unwraps it, on its own line (headings; `summary`, which may hold headings).
    Flatten { headings: bool },
    /// Unwraps it, on its own line of text (`pre`).
    Lines,
}

pub fn kind(name: &str) -> Kind {
    match name {
        "a" | "del" | "ins" | "audio" | "video" => Kind::Transparent,
        "abbr" | "b" | "bdi" | "bdo" | "cite" | "code" | "dfn" | "em" | "i" | "kbd" | "mark"
        | "q" | "s" | "samp" | "small" | "span" | "strong" | "sub" | "sup" | "time" | "u"
        | "var" => Kind::Phrasing,
        "br" | "wbr" | "img" | "hr" | "source" => Kind::Void,
        "p" => Kind::Block(Inside::Split),
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => Kind::Block(Inside::Flatten { headings: false }),
        "summary" => Kind::Block(Inside::Flatten { headings: true }),
        "pre" => Kind::Block(Inside::Lines),
        "figure" => Kind::Figure,
        "details" => Kind::Details,
        "ul" | "ol" => Kind::List,
        "dl" => Kind::Dl,
        "table" => Kind::Table,
        "thead" | "tbody" | "tfoot" | "tr" => Kind::RowPart,
        "picture" => Kind::Picture,
        "hgroup" => Kind::Hgroup,
        _ => Kind::Flow,
    }
}

fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

/// Where a node may go: anywhere phrasing content may, only where flow content may, or
/// anywhere (spaces between elements; a media `source`, which stays where it is).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Phrasing,
    Flow,
    Neutral,
}

fn class(dom: &Dom, id: NodeId) -> Class {
    if dom.text(id).is_some() {
        return if dom.is_blank_text(id) {
            Class::Neutral
        } else {
            Class::Phrasing
        };
    }
    let Some(name) = dom.name(id) else {
        return Class::Neutral;
    };
    match name {
        "source" => Class::Neutral,
        "br" | "wbr" | "img" | "picture" => Class::Phrasing,
        _ => match kind(name) {
            Kind::Phrasing => Class::Phrasing,
            Kind::Transparent if !has_flow_child(dom, id) => Class::Phrasing,
            _ => Class::Flow,
        },
    }
}

fn has_flow_child(dom: &Dom, id: NodeId) -> bool {
    dom.children(id)
        .into_iter()
        .any(|c| class(dom, c) == Class::Flow)
}

/// Repairs the children of `id`, which are final, and its own place among its siblings when
/// it must move (inline formatting around blocks). `ancestors` are the names of its
/// ancestors, innermost last.
pub fn close(dom: &mut Dom, id: NodeId, ancestors: &[&str]) {
    if id == dom.root {
        fix_orphans(dom, id);
        return;
    }
    let Some(name) = dom.name(id).map(str::to_owned) else {
        return;
    };
    match kind(&name) {
        Kind::Phrasing => {
            if name == "time" && dom.attr(id, "datetime").is_none() && !time_text(dom, id) {
                dom.unwrap(id);
            } else if has_flow_child(dom, id) {
                distribute(dom, id);
            }
        }
        Kind::Transparent => {
            if matches!(name.as_str(), "audio" | "video") {
                media(dom, id);
            }
            // The content model it passes on is its nearest other ancestor's.
            let model = ancestors
                .iter()
                .map(|a| kind(a))
                .rev()
                .find(|k| *k != Kind::Transparent)
                .unwrap_or(Kind::Flow);
            let fits = dom
                .children(id)
                .into_iter()
                .any(|c| dom.name(c).is_some_and(|n| item_of(model, n)));
            // `<ul><a><li>`: the link moves into the items, which join their list (a player is
            // not copied: its items stay in its fallback, in a list of their own).
            if fits && !matches!(name.as_str(), "audio" | "video") {
                distribute(dom, id);
            } else {
                fix_orphans(dom, id);
            }
        }
        Kind::Void | Kind::RowPart => {}
        Kind::Block(inside) => {
            fix_orphans(dom, id);
            match inside {
                Inside::Split => {
                    if has_flow_child(dom, id) {
                        split(dom, id);
                    }
                }
                Inside::Flatten { headings } => {
                    flatten_children(dom, id, Separator::Break, headings);
                }
                Inside::Lines => {
                    flatten_children(dom, id, Separator::Newline, false);
                    dom.preformatted.push(id);
                }
            }
        }
        Kind::Flow => fix_orphans(dom, id),
        Kind::Figure => {
            fix_orphans(dom, id);
            figure(dom, id);
        }
        Kind::Details => {
            fix_orphans(dom, id);
            details(dom, id);
        }
        Kind::List => {
            fix_orphans(dom, id);
            list(dom, id);
        }
        Kind::Dl => dl(dom, id),
        Kind::Table => table::repair(dom, id),
        Kind::Picture => picture(dom, id),
        Kind::Hgroup => hgroup(dom, id),
    }
}

/// Whether an element named `child` may be a child of a container of kind `model`.
fn item_of(model: Kind, child: &str) -> bool {
    match model {
        Kind::List => child == "li",
        Kind::Dl => matches!(child, "dt" | "dd"),
        Kind::Table => matches!(child, "caption" | "thead" | "tbody" | "tfoot" | "tr"),
        Kind::RowPart => matches!(child, "tr" | "td" | "th"),
        Kind::Picture => matches!(child, "source" | "img"),
        Kind::Hgroup => child == "p" || is_heading(child),
        _ => false,
    }
}

/// A `time` without `datetime` must hold nothing but a valid date, time or duration.
fn time_text(dom: &Dom, id: NodeId) -> bool {
    let mut text = String::new();
    for c in dom.children(id) {
        match dom.text(c) {
            Some(t) => text.push_str(t),
            None => return false,
        }
    }
    values::time_value(&text)
}

/// Replaces inline element `x` by its content, each run of phrasing content in a copy of `x`
/// and `x` moved into each block (`<b>a<p>b</p></b>` → `<b>a</b><p><b>b</b></p>`).
fn distribute(dom: &mut Dom, x: NodeId) {
    wrap_runs(dom, x, x);
    dom.unwrap(x);
}

/// Wraps each run of phrasing children of `parent` in a copy of `template`, and moves
/// `template` into the children that are blocks.
fn wrap_runs(dom: &mut Dom, parent: NodeId, template: NodeId) {
    let mut run = Vec::new();
    for c in dom.children(parent) {
        match class(dom, c) {
            Class::Phrasing => run.push(c),
            Class::Neutral if dom.text(c).is_some() => {
                if !run.is_empty() {
                    run.push(c);
                }
            }
            Class::Neutral => wrap_run(dom, &mut run, template),
            Class::Flow => {
                wrap_run(dom, &mut run, template);
                push_into(dom, template, c);
            }
        }
    }
    wrap_run(dom, &mut run, template);
}

fn wrap_run(dom: &mut Dom, run: &mut Vec<NodeId>, template: NodeId) {
    while run.last().is_some_and(|&n| dom.is_blank_text(n)) {
        run.pop();
    }
    if !run.is_empty() {
        if let Some(w) = dom.copy(template) {
            dom.wrap(run, w);
        }
    }
    run.clear();
}

/// Moves (a copy of) inline `template` inside block `n`, down to where phrasing content is.
fn push_into(dom: &mut Dom, template: NodeId, n: NodeId) {
    let Some(name) = dom.name(n) else { return };
    match kind(name) {
        Kind::Void | Kind::Picture => {}
        Kind::List | Kind::Dl | Kind::Table | Kind::RowPart | Kind::Hgroup => {
            for c in dom.children(n) {
                if dom.name(c).is_some() {
                    push_into(dom, template, c);
                }
            }
        }
        _ => wrap_runs(dom, n, template),
    }
}

/// Ends paragraph `p` before each block inside it and starts it again after, as the parser
/// does when a block starts in a paragraph.
fn split(dom: &mut Dom, p: NodeId) {
    let mut run = Vec::new();
    for c in dom.children(p) {
        if class(dom, c) == Class::Flow {
            move_run_before(dom, &mut run, p);
            dom.insert_before(p, c);
        } else {
            run.push(c);
        }
    }
    move_run_before(dom, &mut run, p);
    dom.detach(p);
}

/// Moves `run` before paragraph `p`, in a copy of it unless it is only spaces.
fn move_run_before(dom: &mut Dom, run: &mut Vec<NodeId>, p: NodeId) {
    if run.iter().all(|&n| dom.is_blank_text(n)) {
        for &n in run.iter() {
            dom.insert_before(p, n);
        }
    } else if let Some(w) = dom.copy(p) {
        dom.insert_before(p, w);
        for &n in run.iter() {
            dom.append(w, n);
        }
    }
    run.clear();
}

/// How flattened blocks stay apart: a line break, or a new line of preformatted text.
#[derive(Clone, Copy)]
enum Separator {
    Break,
    Newline,
}

/// Unwraps the blocks among the children of `e` (deeply), each on a line of its own.
fn flatten_children(dom: &mut Dom, e: NodeId, sep: Separator, headings: bool) {
    for c in dom.children(e) {
        if class(dom, c) == Class::Flow {
            flatten(dom, c, sep, headings);
        }
    }
}

fn flatten(dom: &mut Dom, n: NodeId, sep: Separator, headings: bool) {
    let Some(name) = dom.name(n) else { return };
    if headings && is_heading(name) {
        return;
    }
    match kind(name) {
        Kind::Transparent => flatten_children(dom, n, sep, headings),
        Kind::Void => {
            // `hr`: a line break where it was.
            if dom.prev_sibling(n).is_some() && dom.next_sibling(n).is_some() {
                let s = separator(dom, sep);
                dom.insert_before(n, s);
            }
            dom.detach(n);
        }
        _ => {
            flatten_children(dom, n, sep, headings);
            if dom.prev_sibling(n).is_some_and(|p| !ends_line(dom, p, sep)) {
                let s = separator(dom, sep);
                dom.insert_before(n, s);
            }
            if dom
                .next_sibling(n)
                .is_some_and(|p| !starts_line(dom, p, sep))
            {
                let s = separator(dom, sep);
                dom.insert_after(n, s);
            }
            dom.unwrap(n);
        }
    }
}

fn separator(dom: &mut Dom, sep: Separator) -> NodeId {
    match sep {
        Separator::Break => dom.new_element("br"),
        Separator::Newline => dom.new_text("\n"),
    }
}

fn ends_line(dom: &Dom, n: NodeId, sep: Separator) -> bool {
    match sep {
        Separator::Break => dom.is(n, "br"),
        Separator::Newline => dom.text(n).is_some_and(|t| t.ends_with('\n')),
    }
}

fn starts_line(dom: &Dom, n: NodeId, sep: Separator) -> bool {
    match sep {
        Separator::Break => dom.is(n, "br"),
        Separator::Newline => dom.text(n).is_some_and(|t| t.starts_with('\n')),
    }
}

#[cfg(test)]
mod tests {
    use crate::sanitize::tests::check;

    #[test]
    fn inline_formatting_moves_inside_the_blocks_it_wraps() {
        check(&[
            ("code around pre", "<code><pre>x = 1</pre></code>", "<pre><code>x = 1</code></pre>"),
            (
                "span around paragraphs",
                "<div><span>a<p>b</p>c</span></div>",
                "<div><span>a</span><p><span>b</span></p><span>c</span></div>",
            ),
            (
                "u around list items",
                "<ul><u><li>a</li><li>b</li></u></ul>",
                "<ul><li><u>a</u></li><li><u>b</u></li></ul>",
            ),
            (
                "span around a table",
                "<span><table><tr><td>x</td></tr></table></span>",
                "<table><tbody><tr><td><span>x</span></td></tr></tbody></table>",
            ),
            ("span around a heading", "<span><h2>x</h2></span>", "<h2><span>x</span></h2>"),
            (
                "link around list items",
                "<ul><a href=\"https://x.test/\"><li>one</li></a></ul>",
                "<ul><li><a href=\"https://x.test/\" rel=\"nofollow noopener ugc\">one</a></li></ul>",
            ),
            (
                "a link may hold blocks where blocks may go",
                "<a href=\"https://x.test/\"><div>d</div></a>",
                "<a href=\"https://x.test/\" rel=\"nofollow noopener ugc\"><div>d</div></a>",
            ),
        ]);
    }

    #[test]
    fn blocks_inside_phrasing_blocks_are_split_out_or_unwrapped() {
        check(&[
            (
                "a paragraph ends before a block",
                "<p><code>a<div>b</div></code></p>",
                "<p><code>a</code></p><div><code>b</code></div><p></p>",
            ),
            (
                "a heading keeps its text on lines",
                "<h2>Title<div>block</div>more</h2>",
                "<h2>Title<br>block<br>more</h2>",
            ),
            (
                "a list in a heading",
                "<h3><ul><li>a</li><li>b</li></ul></h3>",
                "<h3>a<br>b</h3>",
            ),
            (
                "preformatted text keeps its lines",
                "<pre>a<div>b</div><p>c</p>d</pre>",
                "<pre>a\nb\nc\nd</pre>",
            ),
            ("pre in pre", "<pre>a<pre>b</pre></pre>", "<pre>a\nb</pre>"),
        ]);
    }

    #[test]
    fn lists_hold_items_only() {
        check(&[
            (
                "stray content joins the item before it",
                "<ul><li>a</li><br><li>b</li><ul><li>nested</li></ul>text</ul>",
                "<ul><li>a<br></li><li>b<ul><li>nested</li></ul>text</li></ul>",
            ),
            ("content before the first item goes before the list", "<ul><p>intro</p><li>a</li></ul>", "<p>intro</p><ul><li>a</li></ul>"),
            ("a line break before the first item is dropped", "<ol><br><li>a</li></ol>", "<ol><li>a</li></ol>"),
            ("items outside a list get one", "<div><li>a</li><li>b</li></div>", "<div><ul><li>a</li><li>b</li></ul></div>"),
            ("a term without a description", "<dl><dt>term</dt></dl>", "<dl><dt>term</dt><dd></dd></dl>"),
            ("a description without a term", "<dl><dd>desc</dd></dl>", "<dl><dt></dt><dd>desc</dd></dl>"),
            (
                "stray content in a description list",
                "<dl><h4>Notable</h4><dt>a</dt><p>b</p><div>c</div><div><dt>d</dt><dd>e</dd></div></dl>",
                "<h4>Notable</h4><dl><dt>a</dt><dd><p>b</p><div>c</div></dd><dt>d</dt><dd>e</dd></dl>",
            ),
            ("a term outside a list", "<div><dt>t</dt></div>", "<div><dl><dt>t</dt><dd></dd></dl></div>"),
            ("a heading in a term", "<dl><dt><h3>x</h3></dt><dd>y</dd></dl>", "<dl><dt><p>x</p></dt><dd>y</dd></dl>"),
        ]);
    }

    #[test]
    fn figures_details_and_pictures_keep_their_shape() {
        check(&[
            ("a caption outside a figure", "<div><img src=\"https://x.test/a.png\"><figcaption>cap</figcaption></div>", "<div><img alt=\"\" loading=\"lazy\" src=\"https://x.test/a.png\"><div>cap</div></div>"),
            ("a caption in the middle goes last", "<figure><img src=\"https://x.test/a.png\"><figcaption>c</figcaption><p>after</p></figure>", "<figure><img alt=\"\" loading=\"lazy\" src=\"https://x.test/a.png\"><p>after</p><figcaption>c</figcaption></figure>"),
            ("one caption per figure", "<figure><figcaption>a</figcaption><p>x</p><figcaption>b</figcaption></figure>", "<figure><figcaption>a</figcaption><p>x</p><div>b</div></figure>"),
            ("details without summary", "<details><p>x</p></details>", "<div><p>x</p></div>"),
            ("the summary goes first", "<details><p>x</p><summary>S</summary></details>", "<details><summary>S</summary><p>x</p></details>"),
            (
                "a picture's strays follow it",
                "<picture><source srcset=\"https://x.test/a.webp\" type=\"image/webp\"><img src=\"https://x.test/c.png\"><p>stray</p></picture>",
                "<picture><source srcset=\"https://x.test/a.webp\" type=\"image/webp\"><img alt=\"\" loading=\"lazy\" src=\"https://x.test/c.png\"></picture><p>stray</p>",
            ),
            ("a picture without an image", "<picture><source srcset=\"https://x.test/a.webp\">alt</picture>", "alt"),
            ("a video's src wins over its sources", "<video src=\"https://x.test/v.mp4\"><source src=\"https://x.test/w.mp4\"></video>", "<video src=\"https://x.test/v.mp4\"></video>"),
            ("a link holds no controls", "<a href=\"https://x.test/\"><video controls src=\"https://x.test/v.mp4\"></video></a>", "<a href=\"https://x.test/\" rel=\"nofollow noopener ugc\"><video src=\"https://x.test/v.mp4\"></video></a>"),
            ("one heading per hgroup", "<hgroup><h2>a</h2><h3>b</h3></hgroup>", "<h2>a</h2><h3>b</h3>"),
        ]);
    }
}
