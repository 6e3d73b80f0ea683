//! Containers whose children HTML constrains: lists and description lists, figures, details,
//! heading groups, pictures and media, and paragraphs' orphans. Each is repaired once its
//! children are final ([`super::close`]), by moving, wrapping or unwrapping, never deleting.

use ego_tree::NodeId;

use super::{is_heading, Dom};

/// List items, terms and descriptions outside their list are wrapped in one; a caption or a
/// summary outside its figure or details becomes a `div`.
pub(super) fn fix_orphans(dom: &mut Dom, p: NodeId) {
    let pname = dom.name(p).unwrap_or_default().to_owned();
    let in_dl = pname == "dl" || (pname == "div" && dom.parent(p).is_some_and(|g| dom.is(g, "dl")));
    let kids = dom.children(p);
    let mut i = 0;
    while i < kids.len() {
        let c = kids[i];
        match dom.name(c) {
            Some("li") if !matches!(pname.as_str(), "ul" | "ol") => {
                let run = run_of(dom, &kids[i..], &["li"]);
                i += run.len().max(1);
                let ul = dom.new_element("ul");
                dom.wrap(&run, ul);
                continue;
            }
            Some("dt" | "dd") if !in_dl => {
                let run = run_of(dom, &kids[i..], &["dt", "dd"]);
                i += run.len().max(1);
                let list = dom.new_element("dl");
                dom.wrap(&run, list);
                dl(dom, list);
                continue;
            }
            Some("figcaption") if pname != "figure" => dom.rename(c, "div"),
            Some("summary") if pname != "details" => dom.rename(c, "div"),
            _ => {}
        }
        i += 1;
    }
}

/// The leading `nodes` that are elements named in `names`, with the spaces between them.
fn run_of(dom: &Dom, nodes: &[NodeId], names: &[&str]) -> Vec<NodeId> {
    let mut end = 0;
    for (i, &n) in nodes.iter().enumerate() {
        if dom.name(n).is_some_and(|x| names.contains(&x)) {
            end = i + 1;
        } else if !dom.is_blank_text(n) {
            break;
        }
    }
    nodes[..end].to_vec()
}

/// Whether `n` shows nothing: spaces, line breaks, rules, or elements holding only those.
fn is_blank(dom: &Dom, n: NodeId) -> bool {
    if dom.text(n).is_some() {
        return dom.is_blank_text(n);
    }
    match dom.name(n) {
        Some("br" | "wbr" | "hr") => true,
        Some("img" | "picture" | "video" | "audio") => false,
        Some("a") if dom.attr(n, "href").is_some() => false,
        Some(_) => dom.children(n).into_iter().all(|c| is_blank(dom, c)),
        None => true,
    }
}

/// Where content found among a container's items goes.
enum Stray {
    /// Into this item, the one before it.
    Join(NodeId),
    /// Into a new item of this name (a description after a term).
    NewItem(&'static str),
    /// Before the container, ahead of its first item.
    Before(NodeId),
}

/// Moves `run`, content found among a container's items, where `to` says; when it shows
/// nothing and has no item to join, it is dropped instead.
fn place_stray(dom: &mut Dom, run: &mut Vec<NodeId>, to: Stray) {
    if run.is_empty() {
        return;
    }
    match to {
        Stray::Join(item) => {
            for &n in run.iter() {
                dom.append(item, n);
            }
        }
        _ if run.iter().all(|&n| is_blank(dom, n)) => {
            for &n in run.iter() {
                if !dom.is_blank_text(n) {
                    dom.detach(n);
                }
            }
        }
        Stray::NewItem(name) => {
            let w = dom.new_element(name);
            dom.wrap(run, w);
        }
        Stray::Before(container) => {
            for &n in run.iter() {
                dom.insert_before(container, n);
            }
        }
    }
    run.clear();
}

/// `ul`/`ol`: only `li` children. Content between items joins the item before it (a nested
/// list right in a list becomes part of the item it follows); content before the first item
/// goes before the list.
pub(super) fn list(dom: &mut Dom, l: NodeId) {
    let mut item = None;
    let mut run = Vec::new();
    for c in dom.children(l) {
        if dom.is(c, "li") {
            place_stray(dom, &mut run, item.map_or(Stray::Before(l), Stray::Join));
            item = Some(c);
        } else if !(run.is_empty() && dom.is_blank_text(c)) {
            run.push(c);
        }
    }
    place_stray(dom, &mut run, item.map_or(Stray::Before(l), Stray::Join));
}

/// `dl`: groups of terms followed by descriptions. Grouping `div`s are unwrapped; other content
/// joins the description before it, becomes the description of the term before it, or goes
/// before the list; a description with no term before it gets an empty term, a term with no
/// description after it an empty description.
pub(super) fn dl(dom: &mut Dom, d: NodeId) {
    fix_orphans(dom, d);
    for c in dom.children(d) {
        let groups = dom.is(c, "div")
            && dom
                .children(c)
                .into_iter()
                .any(|g| dom.is(g, "dt") || dom.is(g, "dd"));
        if groups {
            dom.unwrap(c);
        }
    }
    let stray_to = |dom: &Dom, item: Option<NodeId>| match item {
        Some(i) if dom.is(i, "dd") => Stray::Join(i),
        Some(_) => Stray::NewItem("dd"),
        None => Stray::Before(d),
    };
    let mut item: Option<NodeId> = None;
    let mut run = Vec::new();
    for c in dom.children(d) {
        if dom.is(c, "dt") || dom.is(c, "dd") {
            let to = stray_to(dom, item);
            place_stray(dom, &mut run, to);
            item = Some(c);
        } else if !(run.is_empty() && dom.is_blank_text(c)) {
            run.push(c);
        }
    }
    let to = stray_to(dom, item);
    place_stray(dom, &mut run, to);
    let items: Vec<NodeId> = dom
        .children(d)
        .into_iter()
        .filter(|&c| dom.is(c, "dt") || dom.is(c, "dd"))
        .collect();
    if let Some(&first) = items.first().filter(|&&f| dom.is(f, "dd")) {
        let term = dom.new_element("dt");
        dom.insert_before(first, term);
    }
    if let Some(&last) = items.last().filter(|&&l| dom.is(l, "dt")) {
        let description = dom.new_element("dd");
        dom.insert_after(last, description);
    }
}

/// The children of `id` that are not spaces.
fn content(dom: &Dom, id: NodeId) -> Vec<NodeId> {
    dom.children(id)
        .into_iter()
        .filter(|&c| !dom.is_blank_text(c))
        .collect()
}

/// `figure`: one caption, first or last.
pub(super) fn figure(dom: &mut Dom, f: NodeId) {
    let captions: Vec<NodeId> = dom
        .children(f)
        .into_iter()
        .filter(|&c| dom.is(c, "figcaption"))
        .collect();
    let Some((&first, rest)) = captions.split_first() else {
        return;
    };
    for &c in rest {
        dom.rename(c, "div");
    }
    let content = content(dom, f);
    if content.first() != Some(&first) && content.last() != Some(&first) {
        dom.append(f, first);
    }
}

/// `details`: one summary, first; without one it is a `div`.
pub(super) fn details(dom: &mut Dom, d: NodeId) {
    let summaries: Vec<NodeId> = dom
        .children(d)
        .into_iter()
        .filter(|&c| dom.is(c, "summary"))
        .collect();
    let Some((&first, rest)) = summaries.split_first() else {
        dom.rename(d, "div");
        return;
    };
    for &s in rest {
        dom.rename(s, "div");
    }
    if content(dom, d).first() != Some(&first) {
        dom.prepend(d, first);
    }
}

/// `hgroup`: one heading among paragraphs, or it is unwrapped.
pub(super) fn hgroup(dom: &mut Dom, h: NodeId) {
    let content = content(dom, h);
    let headings = content
        .iter()
        .filter(|&&c| dom.name(c).is_some_and(is_heading))
        .count();
    let valid = headings == 1
        && content
            .iter()
            .all(|&c| dom.name(c).is_some_and(|n| n == "p" || is_heading(n)));
    if !valid {
        dom.unwrap(h);
    }
}

/// `picture`: its sources, then one image. What else it holds follows it; without an image it
/// shows nothing of its sources, so it is unwrapped. A source that matches every screen hides
/// the choices after it, so it stays only as the last choice.
pub(super) fn picture(dom: &mut Dom, p: NodeId) {
    let mut img = None;
    let mut sources = Vec::new();
    let mut stray = Vec::new();
    for c in dom.children(p) {
        match dom.name(c) {
            Some("source") if img.is_none() => sources.push(c),
            Some("source") => dom.detach(c),
            Some("img") if img.is_none() => img = Some(c),
            _ if dom.is_blank_text(c) => {}
            _ => stray.push(c),
        }
    }
    let mut anchor = p;
    for s in stray {
        dom.insert_after(anchor, s);
        anchor = s;
    }
    let Some(img) = img else {
        for s in sources {
            dom.detach(s);
        }
        dom.unwrap(p);
        return;
    };
    let mut followed = dom.attr(img, "srcset").is_some();
    for &s in sources.iter().rev() {
        let selective = dom
            .attr(s, "media")
            .is_some_and(|m| !m.trim().eq_ignore_ascii_case("all"))
            || dom.attr(s, "type").is_some();
        if !selective && followed {
            dom.detach(s);
        } else {
            followed = true;
        }
    }
}

/// `audio`/`video`: with a `src`, no sources; else the sources first.
pub(super) fn media(dom: &mut Dom, v: NodeId) {
    let sources: Vec<NodeId> = dom
        .children(v)
        .into_iter()
        .filter(|&c| dom.is(c, "source"))
        .collect();
    if dom.attr(v, "src").is_some() {
        for s in sources {
            dom.detach(s);
        }
    } else {
        for s in sources.into_iter().rev() {
            dom.prepend(v, s);
        }
    }
}
