//! Escaped HTML read as CDATA: the same characters, in the form feed-rs reads fastest.

use super::references::xml_reference;
use super::tag_end;
use crate::text::is_xml_char;

/// How long a run of escaped text must be before it is worth rewriting as CDATA.
const CDATA_MIN_LEN: usize = 128;

/// Rewrites long runs of escaped text (`&lt;p&gt;Hi &amp; bye&lt;/p&gt;`, how most feeds carry
/// HTML) as CDATA sections holding the same characters (`<![CDATA[<p>Hi & bye</p>]]>`). An XML
/// reader sees exactly the same text, but feed-rs (through quick-xml) handles every reference
/// as a separate event with its own allocation: escaped HTML has one every few characters, and
/// reading it was most of feed-rs's time. Called on a document `repair_references` has
/// already made well-formed, so the only references left are the five predefined ones and
/// character references. Leaves alone: text outside any element, text that would decode to
/// `]]>` or to a carriage return (an XML reader normalises a literal one), text with a
/// reference it does not know, and documents with a DOCTYPE (whose entities this pass does not
/// expand). Returns `None` when nothing was rewritten.
pub fn escaped_text_as_cdata(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    memchr::memmem::find(bytes, b"&lt;")?;
    let mut out: Option<String> = None;
    // Everything before `copied` is in `out` (once there is one).
    let mut copied = 0;
    let mut at = 0;
    let mut depth = 0usize;
    let mut changed = false;
    while let Some(lt) = memchr::memchr(b'<', &bytes[at..]).map(|i| at + i) {
        let run = &text[at..lt];
        if depth > 0
            && run.len() >= CDATA_MIN_LEN
            && memchr::memmem::find(run.as_bytes(), b"&lt;").is_some()
        {
            let out = out.get_or_insert_with(|| String::with_capacity(text.len()));
            out.push_str(&text[copied..at]);
            // Unescaped straight into the copy, taken back if the run cannot be CDATA.
            let mark = out.len();
            out.push_str("<![CDATA[");
            if unescape_for_cdata(run, out) {
                out.push_str("]]>");
                copied = lt;
                changed = true;
            } else {
                out.truncate(mark);
                copied = at;
            }
        }
        let rest = &text[lt..];
        let end = if rest.starts_with("<![CDATA[") {
            rest.find("]]>").map(|i| i + 3)
        } else if rest.starts_with("<!--") {
            rest.find("-->").map(|i| i + 3)
        } else if rest.starts_with("<?") {
            rest.find("?>").map(|i| i + 2)
        } else if rest.starts_with("<!") {
            return None; // a DOCTYPE: its entities are not this pass's to read
        } else {
            let end = tag_end(rest);
            if let Some(end) = end {
                let tag = &rest[..end];
                if tag.starts_with("</") {
                    depth = depth.saturating_sub(1);
                } else if !tag.ends_with("/>") {
                    depth += 1;
                }
            }
            end
        };
        let Some(end) = end else { break };
        at = lt + end;
    }
    let mut out = out.filter(|_| changed)?;
    out.push_str(&text[copied..]);
    Some(out)
}

/// Appends to `out` the characters an escaped run stands for; `false` (with `out` partly
/// written) when they cannot go into CDATA as they are.
fn unescape_for_cdata(run: &str, out: &mut String) -> bool {
    let start = out.len();
    let bytes = run.as_bytes();
    let mut copied = 0;
    for amp in memchr::memchr_iter(b'&', bytes) {
        if amp < copied {
            return false; // an `&` inside a reference: not one this pass knows
        }
        out.push_str(&run[copied..amp]);
        let Some((n, len)) = xml_reference(&bytes[amp + 1..]) else {
            return false;
        };
        let Some(c) = char::from_u32(n).filter(|&c| c != '\r' && is_xml_char(c)) else {
            return false;
        };
        out.push(c);
        copied = amp + 1 + len;
    }
    let Some(tail) = run.get(copied..) else {
        return false;
    };
    out.push_str(tail);
    memchr::memmem::find(&out.as_bytes()[start..], b"]]>").is_none()
}
