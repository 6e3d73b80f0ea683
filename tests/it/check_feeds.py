"""Reads a planet's output/ the way feed readers do and prints what it found as JSON.

Used by tests/judges/feeds.rs: feedparser (the parser behind many readers) must read atom.xml and
rss.xml without setting its `bozo` flag; feed.json is checked against JSON Feed 1.1's required
fields and types (https://www.jsonfeed.org/version/1.1/); opml.xml against OPML 2.0's outline
attributes, and with listparser when it is installed. The Rust test compares the entries of all
three feeds.
"""
import json
import sys
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import feedparser

out = Path(sys.argv[1])
report = {}

for name in ("atom.xml", "rss.xml"):
    d = feedparser.parse(str(out / name))
    report[name] = {
        "bozo": bool(d.bozo),
        "bozo_exception": str(d.get("bozo_exception", "")),
        "version": d.version,
        "title": d.feed.get("title"),
        "self": [l.get("href") for l in d.feed.get("links", []) if l.get("rel") == "self"],
        "ids": [e.get("id") for e in d.entries],
        "titles": [e.get("title") for e in d.entries],
        "links": [e.get("link") for e in d.entries],
        "authors": [e.get("author") for e in d.entries],
        "sources": [e.get("source", {}).get("title") for e in d.entries],
    }


def rfc3339(value):
    return isinstance(value, str) and datetime.fromisoformat(value.replace("Z", "+00:00")) is not None


def check_json_feed(feed):
    """The rules of JSON Feed 1.1, section by section; returns the list of violations."""
    errors = []

    def need(obj, key, kind, where, required=False):
        if key not in obj:
            if required:
                errors.append(f"{where}: `{key}` is required")
            return
        if not isinstance(obj[key], kind):
            errors.append(f"{where}: `{key}` must be {kind}, not {type(obj[key]).__name__}")

    def authors(obj, where):
        need(obj, "authors", list, where)
        for i, a in enumerate(obj.get("authors", [])):
            w = f"{where}.authors[{i}]"
            if not isinstance(a, dict) or not any(k in a for k in ("name", "url", "avatar")):
                errors.append(f"{w}: an author needs name, url or avatar")
                continue
            for k in ("name", "url", "avatar"):
                need(a, k, str, w)

    need(feed, "version", str, "feed", required=True)
    if feed.get("version") != "https://jsonfeed.org/version/1.1":
        errors.append(f"feed: version is {feed.get('version')!r}")
    need(feed, "title", str, "feed", required=True)
    for k in ("home_page_url", "feed_url", "description", "user_comment", "next_url", "icon", "favicon", "language"):
        need(feed, k, str, "feed")
    need(feed, "expired", bool, "feed")
    authors(feed, "feed")
    need(feed, "items", list, "feed", required=True)
    seen = set()
    for i, item in enumerate(feed.get("items", [])):
        w = f"items[{i}]"
        need(item, "id", str, w, required=True)
        if item.get("id") in seen:
            errors.append(f"{w}: duplicate id {item.get('id')!r}")
        seen.add(item.get("id"))
        for k in ("url", "external_url", "title", "content_html", "content_text", "summary", "image", "banner_image", "language"):
            need(item, k, str, w)
        if "content_html" not in item and "content_text" not in item:
            errors.append(f"{w}: content_html or content_text is required")
        for k in ("date_published", "date_modified"):
            if k in item:
                try:
                    rfc3339(item[k])
                except ValueError:
                    errors.append(f"{w}: `{k}` is not RFC 3339: {item[k]!r}")
        need(item, "tags", list, w)
        if any(not isinstance(t, str) for t in item.get("tags", [])):
            errors.append(f"{w}: tags must be strings")
        authors(item, w)
        for k in item:
            known = {"id", "url", "external_url", "title", "content_html", "content_text", "summary", "image",
                     "banner_image", "date_published", "date_modified", "authors", "author", "tags",
                     "language", "attachments"}
            if k not in known and not k.startswith("_"):
                errors.append(f"{w}: unknown key `{k}` (extensions must start with `_`)")
    return errors


feed = json.loads((out / "feed.json").read_text(encoding="utf-8"))
report["feed.json"] = {
    "errors": check_json_feed(feed),
    "ids": [i.get("id") for i in feed.get("items", [])],
    "titles": [i.get("title") for i in feed.get("items", [])],
}

opml = ET.parse(out / "opml.xml").getroot()
outlines = opml.findall("./body/outline")
report["opml.xml"] = {
    "version": opml.get("version"),
    "title": opml.findtext("./head/title"),
    "feeds": [
        {"text": o.get("text"), "type": o.get("type"), "xmlUrl": o.get("xmlUrl"), "htmlUrl": o.get("htmlUrl")}
        for o in outlines
    ],
}

# listparser (by feedparser's maintainer) reads subscription lists as feed readers import them.
try:
    import listparser
except ImportError:
    report["opml.xml"]["listparser"] = None
else:
    parsed = listparser.parse((out / "opml.xml").read_text(encoding="utf-8"))
    report["opml.xml"]["listparser"] = {
        "bozo": bool(parsed.bozo),
        "bozo_exception": str(parsed.get("bozo_exception", "")),
        "title": parsed.meta.get("title"),
        "urls": [f.url for f in parsed.feeds],
    }

json.dump(report, sys.stdout, ensure_ascii=False)
