"""Feeds as fetched: a safe pre-parse (no entity bombs, no external entities), feedparser for the entries, and
feed discovery from an HTML page's <link rel="alternate">."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as defused_fromstring

from ..ingest.feed import entry_markup, entry_utc
from ..ingest.markup import clean_lines, html_to_text, one_line

_DOCTYPE = re.compile(rb"<!DOCTYPE[^\[>]*(\[.*?\]\s*)?>", re.DOTALL | re.IGNORECASE)
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+xml", "application/rdf+xml")


@dataclass(frozen=True)
class FeedItem:
    guid: str
    url: str
    title: str
    text: str        # one paragraph per line
    published: str   # ISO UTC, or "" when the feed gives no date
    outlet: str = ""  # the entry's <source> title, if it names one

    @property
    def words(self) -> int:
        return len(self.text.split())


@dataclass
class ParsedFeed:
    title: str
    items: list[FeedItem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def discover_feeds(page: bytes, base_url: str) -> list[str]:
    """Feed URLs an HTML page announces with <link rel="alternate" type="application/rss+xml" href=...>."""
    from lxml import html as lxml_html

    try:
        root = lxml_html.fromstring(page)
    except Exception:  # noqa: BLE001 - an unparseable page simply announces nothing
        return []
    found = []
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        href = (link.get("href") or "").strip()
        if "alternate" in rel and kind in _FEED_TYPES and href:
            url = urljoin(base_url, href)
            if urlsplit(url).scheme in ("http", "https") and url not in found:
                found.append(url)
    return found


def parse_feed(body: bytes, content_type: str, label: str) -> ParsedFeed:
    """Entries of a feed; malformed XML, entity declarations, odd encodings and empty feeds become warnings."""
    import feedparser

    body, warnings = _defuse(body, label)
    # A stream, never a string: feedparser would fetch a string that looks like a URL.
    parsed = feedparser.parse(
        io.BytesIO(body), resolve_relative_uris=False, sanitize_html=True,
        response_headers={"content-type": content_type} if content_type else {},
    )
    if parsed.get("bozo"):
        problem = re.sub(r"^<unknown>:(\d+):(\d+): ", r"line \1, column \2: ", str(parsed.bozo_exception))
        warnings.append(f"{label}: the feed is not well-formed ({problem}); kept what could be recovered")
    feed = ParsedFeed(one_line(html_to_text(parsed.feed.get("title", ""))), warnings=warnings)
    for entry in parsed.entries:
        item = _item(entry)
        if item is not None:
            feed.items.append(item)
    if not feed.items:
        feed.warnings.append(f"{label}: the feed has no entries with text")
    return feed


def _defuse(body: bytes, label: str) -> tuple[bytes, list[str]]:
    """Refuse entity declarations and external references before feedparser sees the bytes."""
    try:
        defused_fromstring(body, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        stripped = _DOCTYPE.sub(b"", body, count=1)
        return stripped, [f"{label}: the feed declares entities ({type(exc).__name__}); its DOCTYPE was removed unread"]
    except Exception:  # noqa: BLE001 - malformed XML is feedparser's to recover
        pass
    return body, []


def _item(entry: Any) -> FeedItem | None:
    text = clean_lines(html_to_text(entry_markup(entry)))
    if not text:
        return None
    title = one_line(html_to_text(entry.get("title", ""))) or " ".join(text.split()[:12])
    link = entry.get("link") or ""
    url = link.strip() if urlsplit(link.strip()).scheme in ("http", "https") else ""
    outlet = one_line(html_to_text((entry.get("source") or {}).get("title", "")))
    return FeedItem(str(entry.get("id", "") or ""), url, title, text, entry_utc(entry), outlet)
