"""RSS and Atom feeds: one article per entry, read with feedparser."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path
from typing import Any

from ..domain import Article
from ..urls import safe_url
from .markup import UniqueIds, clean_lines, html_to_text, one_line, sanitise_id, shorten, slug, title_from_text
from .records import Warnings

# A sniff, not a parse: lenient about case, since feedparser decides what it can read.
_FEED_ROOT = re.compile(rb"<(rss|feed|rdf:RDF)[\s>]", re.IGNORECASE)


def looks_like_feed(body: bytes) -> bool:
    """Whether a document's start names an RSS, Atom or RDF root: for files named .xml and fetched bodies alike."""
    return bool(_FEED_ROOT.search(body[:4096]))


def read_feed(path: Path, data: bytes) -> tuple[list[Article], Warnings]:
    if path.suffix.lower() == ".xml" and not looks_like_feed(data):
        return [], [f"skipped {path}: XML, but not an RSS or Atom feed"]
    import feedparser

    # A stream, never a string: feedparser would fetch a string that looks like a URL.
    parsed = feedparser.parse(io.BytesIO(data), resolve_relative_uris=False, sanitize_html=True)
    warnings: Warnings = []
    if parsed.get("bozo"):
        problem = re.sub(r"^<unknown>:(\d+):(\d+): ", r"line \1, column \2: ", str(parsed.bozo_exception))
        if not parsed.entries:
            return [], [f"skipped {path}: not a readable feed ({problem})"]
        warnings.append(f"{path}: the feed is not well-formed ({problem}); read the entries that could be recovered")
    if not parsed.entries:
        return [], warnings + [f"skipped {path}: the feed has no entries"]
    feed_outlet = one_line(html_to_text(parsed.feed.get("title", "")))
    ids = UniqueIds()
    articles = []
    for index, entry in enumerate(parsed.entries, 1):
        title = one_line(html_to_text(entry.get("title", "")))
        label = f"entry {index}" + (f' ("{shorten(title)}")' if title else "")
        text = clean_lines(html_to_text(entry_markup(entry)))
        if not text:
            warnings.append(f"skipped {path} {label}: no article text (empty content and description)")
            continue
        title = title or title_from_text(text)
        source = entry.get("source") or {}
        # Titles make readable ids; feed guids are mostly URLs or opaque tags.
        fallback = sanitise_id(str(entry.get("id", ""))) or f"{path.stem}-{index}"
        articles.append(Article(
            id=ids.take(slug(title) or fallback), title=title, path=str(path), sha256="", body=text,
            outlet=one_line(html_to_text(source.get("title", ""))) or feed_outlet,
            published=entry_utc(entry) or one_line(entry.get("published") or entry.get("updated") or ""),
            url=safe_url(entry.get("link")) or "",
        ))
    return articles, warnings


def entry_markup(entry: Any) -> str:
    """The fullest body an entry carries: its longest content, else its description."""
    contents = [c.get("value", "") for c in entry.get("content", []) if c.get("value", "").strip()]
    if contents:
        return max(contents, key=len)
    return entry.get("summary", "") or ""


def entry_utc(entry: Any) -> str:
    """The entry's publication (else update) time as ISO 8601 UTC; "" when feedparser could not read one."""
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", parsed) if parsed else ""  # feedparser gives UTC
