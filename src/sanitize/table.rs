//! Tables, repaired as a whole once their cells are final: the parts in the order HTML allows
//! (caption, head, bodies, foot), rows inside row groups and cells inside rows, anything else
//! moved before the table (the parser's own "foster parenting"); then the grid of the HTML
//! table model, so that no cell overlaps another, no cell spans past its row group, every row
//! has a cell starting in it and every column one starting in it. Spans are shrunk to what
//! the cells really cover, never the content: a row with no cell in it is the only thing
//! removed, and it holds nothing.

use ego_tree::NodeId;

use super::tree::Dom;
use super::values;

pub fn repair(dom: &mut Dom, table: NodeId) {
    parts(dom, table);
    rows(dom, table);
    columns(dom, table);
}

fn is_cell(dom: &Dom, n: NodeId) -> bool {
    dom.is(n, "td") || dom.is(n, "th")
}

fn groups(dom: &Dom, table: NodeId) -> Vec<NodeId> {
    dom.children(table)
        .into_iter()
        .filter(|&c| dom.is(c, "thead") || dom.is(c, "tbody") || dom.is(c, "tfoot"))
        .collect()
}

fn rows_of(dom: &Dom, group: NodeId) -> Vec<NodeId> {
    dom.children(group)
        .into_iter()
        .filter(|&c| dom.is(c, "tr"))
        .collect()
}

fn cells_of(dom: &Dom, row: NodeId) -> Vec<NodeId> {
    dom.children(row)
        .into_iter()
        .filter(|&c| is_cell(dom, c))
        .collect()
}

/// Wraps each run of children of `parent` that `fits` (spaces between them included) in a new
/// `name` element.
fn wrap_runs(dom: &mut Dom, parent: NodeId, fits: fn(&Dom, NodeId) -> bool, name: &str) {
    let mut run: Vec<NodeId> = Vec::new();
    let flush = |dom: &mut Dom, run: &mut Vec<NodeId>| {
        while run.last().is_some_and(|&n| dom.is_blank_text(n)) {
            run.pop();
        }
        if !run.is_empty() {
            let w = dom.new_element(name);
            dom.wrap(run, w);
        }
        run.clear();
    };
    for c in dom.children(parent) {
        if fits(dom, c) || (dom.is_blank_text(c) && !run.is_empty()) {
            run.push(c);
        } else {
            flush(dom, &mut run);
        }
    }
    flush(dom, &mut run);
}

/// One caption first, one head after it, one foot last, rows in row groups, cells in rows.
fn parts(dom: &mut Dom, table: NodeId) {
    let (mut caption, mut head, mut foot) = (None, None, None);
    for c in dom.children(table) {
        match dom.name(c) {
            Some("caption") if caption.is_none() => caption = Some(c),
            Some("caption") => {
                dom.rename(c, "div");
                dom.insert_before(table, c);
            }
            Some("thead") if head.is_none() => head = Some(c),
            Some("tfoot") if foot.is_none() => foot = Some(c),
            Some("thead" | "tfoot") => dom.rename(c, "tbody"),
            Some("tbody" | "tr") => {}
            _ if dom.is_blank_text(c) => {}
            _ => dom.insert_before(table, c),
        }
    }
    wrap_runs(dom, table, |d, n| d.is(n, "tr"), "tbody");
    if let Some(h) = head {
        dom.prepend(table, h);
    }
    if let Some(c) = caption {
        dom.prepend(table, c);
    }
    if let Some(f) = foot {
        dom.append(table, f);
    }
    for group in groups(dom, table) {
        for c in dom.children(group) {
            if !(dom.is(c, "tr") || is_cell(dom, c) || dom.is_blank_text(c)) {
                dom.insert_before(table, c);
            }
        }
        wrap_runs(dom, group, is_cell, "tr");
        for row in rows_of(dom, group) {
            for c in dom.children(row) {
                if !(is_cell(dom, c) || dom.is_blank_text(c)) {
                    dom.insert_before(table, c);
                }
            }
        }
    }
}

fn span(dom: &Dom, cell: NodeId, attr: &str) -> Option<usize> {
    let v = dom.attr(cell, attr)?;
    values::integer(v, 0, 65_534)?.parse().ok()
}

fn set_span(dom: &mut Dom, cell: NodeId, attr: &str, n: usize) {
    if n <= 1 {
        dom.remove_attr(cell, attr);
    } else {
        dom.set_attr(cell, attr, &n.to_string());
    }
}

/// Rows: a row with no cell starting in it is removed, and row spans cover the rows that are
/// left, within their row group (`rowspan="0"` and spans past the group's end stop at it).
fn rows(dom: &mut Dom, table: NodeId) {
    for group in groups(dom, table) {
        let rows = rows_of(dom, group);
        let n = rows.len();
        // kept[i]: how many of the first i rows have cells.
        let mut kept = vec![0usize; n + 1];
        for (i, &r) in rows.iter().enumerate() {
            kept[i + 1] = kept[i] + usize::from(!cells_of(dom, r).is_empty());
        }
        for (i, &r) in rows.iter().enumerate() {
            for cell in cells_of(dom, r) {
                let rows_left = n - i;
                let asked = match span(dom, cell, "rowspan") {
                    Some(0) => rows_left,
                    Some(s) => s.min(rows_left),
                    None => 1,
                };
                set_span(dom, cell, "rowspan", kept[i + asked] - kept[i]);
            }
        }
        for (i, &r) in rows.iter().enumerate() {
            if kept[i + 1] == kept[i] {
                dom.detach(r);
            }
        }
    }
}

/// Columns: each cell is placed as the HTML table model places it; a column span is cut where
/// it would overlap a cell from a row above, and columns where no cell starts are dropped from
/// the spans that cover them. Only spanning cells are tracked, so a table with huge spans costs
/// no more than its cells.
fn columns(dom: &mut Dom, table: NodeId) {
    // (cell, first column, columns spanned)
    let mut placed: Vec<(NodeId, usize, usize)> = Vec::new();
    let mut starts: Vec<usize> = Vec::new();
    for group in groups(dom, table) {
        // Cells from rows above still covering this row: (first column, end column, end row).
        let mut above: Vec<(usize, usize, usize)> = Vec::new();
        for (y, row) in rows_of(dom, group).into_iter().enumerate() {
            above.retain(|&(_, _, bottom)| bottom > y);
            above.sort_unstable();
            let mut below = Vec::new();
            let mut x = 0;
            for cell in cells_of(dom, row) {
                // Skip the slots taken from above.
                for &(from, to, _) in &above {
                    if from <= x && x < to {
                        x = to;
                    }
                }
                let asked = span(dom, cell, "colspan").unwrap_or(1).clamp(1, 1000);
                let limit = above
                    .iter()
                    .map(|&(from, _, _)| from)
                    .filter(|&from| from > x)
                    .min()
                    .map_or(asked, |from| from - x);
                let width = asked.min(limit).max(1);
                let height = span(dom, cell, "rowspan").unwrap_or(1).max(1);
                if height > 1 {
                    below.push((x, x + width, y + height));
                }
                placed.push((cell, x, width));
                starts.push(x);
                x += width;
            }
            above.extend(below);
        }
    }
    starts.sort_unstable();
    starts.dedup();
    for (cell, x, width) in placed {
        let covered =
            starts.partition_point(|&s| s < x + width) - starts.partition_point(|&s| s < x);
        set_span(dom, cell, "colspan", covered);
    }
}

#[cfg(test)]
mod tests {
    use crate::sanitize::tests::check;

    #[test]
    fn tables_follow_the_table_model() {
        check(&[
            (
                "head first, foot last",
                "<table><tfoot><tr><td>f</td></tr></tfoot><tbody><tr><td>b</td></tr></tbody><thead><tr><th>h</th></tr></thead></table>",
                "<table><thead><tr><th>h</th></tr></thead><tbody><tr><td>b</td></tr></tbody><tfoot><tr><td>f</td></tr></tfoot></table>",
            ),
            (
                "a span past the last column",
                "<table><tr><th colspan=\"14\">wide</th></tr><tr><td>a</td><td>b</td></tr></table>",
                "<table><tbody><tr><th colspan=\"2\">wide</th></tr><tr><td>a</td><td>b</td></tr></tbody></table>",
            ),
            (
                "an empty row and a span past the group",
                "<table><tr><td rowspan=\"5\">a</td><td>b</td></tr><tr></tr><tr><td>c</td></tr></table>",
                "<table><tbody><tr><td rowspan=\"2\">a</td><td>b</td></tr><tr><td>c</td></tr></tbody></table>",
            ),
            (
                "a span over a cell from above",
                "<table><tr><td rowspan=\"2\">a</td><td>b</td><td>c</td></tr><tr><td colspan=\"3\">d</td></tr></table>",
                "<table><tbody><tr><td rowspan=\"2\">a</td><td>b</td><td>c</td></tr><tr><td colspan=\"2\">d</td></tr></tbody></table>",
            ),
            ("spans read as browsers read them", "<table><tr><td colspan=\" 2px\">a</td><td colspan=\"x\">b</td></tr><tr><td>c</td><td>d</td><td>e</td></tr></table>", "<table><tbody><tr><td colspan=\"2\">a</td><td>b</td></tr><tr><td>c</td><td>d</td><td>e</td></tr></tbody></table>"),
            ("one caption", "<table><caption>c1</caption><caption>c2</caption><tr><td>x</td></tr></table>", "<div>c2</div><table><caption>c1</caption><tbody><tr><td>x</td></tr></tbody></table>"),
        ]);
    }
}
