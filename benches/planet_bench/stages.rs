//! `--stages`: where parsing spends its time, stage by stage, over many documents at once: decode,
//! the CDATA rewrite, the reference repair, the other fixes, feed-rs (without and with a base
//! URI), the `xml:base` pass, the detail pass, the conversion to planet's model, the entries'
//! JSON, and the whole `parse_feed` for comparison. Each stage runs over every document before
//! the next starts, so its time is its own. Reads the stages through
//! `planet::parse::stages`; runs no `planet` process.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use anyhow::{bail, Context as _};
use planet::parse::{parse_feed, stages};

/// Where the documents come from, as they are fetched from.
const URL: &str = "http://x.test/f";

/// Every file of `dir`, read whole.
pub fn read_folder(dir: &Path) -> anyhow::Result<Vec<Vec<u8>>> {
    let mut docs = Vec::new();
    for entry in
        std::fs::read_dir(dir).with_context(|| format!("cannot read `{}`", dir.display()))?
    {
        let path = entry?.path();
        if path.is_file() {
            docs.push(
                std::fs::read(&path)
                    .with_context(|| format!("cannot read `{}`", path.display()))?,
            );
        }
    }
    Ok(docs)
}

/// Times each stage over `docs` (those every stage reads) and returns one line per stage.
pub fn time(mut docs: Vec<Vec<u8>>) -> anyhow::Result<String> {
    let total = docs.len();
    docs.retain(|d| {
        let text = stages::decode(d.clone());
        stages::feed_reader(URL)
            .parse(stages::repair_references(&text).as_bytes())
            .is_ok()
    });
    if docs.is_empty() {
        bail!("no readable feed among the {total} documents");
    }
    let mut out = format!(
        "{} documents ({} unreadable left out)\n\n",
        docs.len(),
        total - docs.len()
    );
    let mut time = |name: &str, f: &mut dyn FnMut()| {
        let t = Instant::now();
        f();
        let _ = writeln!(
            out,
            "{name:<13} {:>8.1} ms",
            t.elapsed().as_secs_f64() * 1e3
        );
    };
    let mut rep = Vec::new();
    time("decode", &mut || {
        rep = docs.iter().map(|d| stages::decode(d.clone())).collect();
    });
    time("cdata", &mut || {
        for x in rep.iter_mut() {
            if let Some(c) = stages::escaped_text_as_cdata(x) {
                *x = c;
            }
        }
    });
    time("repair", &mut || {
        for x in rep.iter_mut() {
            if let Cow::Owned(r) = stages::repair_references(x) {
                *x = r;
            }
        }
    });
    time("fixes", &mut || {
        for x in &rep {
            let _ = stages::first_entries(x, stages::MAX_ENTRIES);
            let _ = stages::shorten_runs(x, stages::MAX_RUN);
            for fix in [
                stages::drop_inner_declarations,
                stages::fix_rss_version,
                stages::modernize_namespaces,
                stages::add_missing_channel,
                stages::link_rss1_items,
            ] {
                let _ = fix(x);
            }
        }
    });
    let mut feeds = Vec::new();
    time("feed-rs", &mut || {
        feeds = rep
            .iter()
            .filter_map(|x| stages::feed_reader(URL).parse(x.as_bytes()).ok())
            .collect();
    });
    let mut details = Vec::new();
    time("detail", &mut || {
        details = rep
            .iter()
            .map(|x| stages::detail(x.as_bytes(), URL))
            .collect();
    });
    let mut parsed = Vec::new();
    time("convert", &mut || {
        parsed = std::mem::take(&mut feeds)
            .into_iter()
            .zip(std::mem::take(&mut details))
            .map(|(f, d)| stages::convert(f, d, URL))
            .collect();
    });
    time("json", &mut || {
        for p in &parsed {
            for e in &p.entries {
                let _ = serde_json::to_string(&e.detail);
            }
        }
    });
    time("total", &mut || {
        for d in &docs {
            let _ = parse_feed(d.clone(), URL, URL, None);
        }
    });
    Ok(out)
}
