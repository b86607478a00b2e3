"""Typed rows of the article store (sources, articles, fetch log) and the pure helpers that shape them."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..clock import utc_stamp

# Query parameters that only say where a click came from; the same article with and without them is one article.
_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "__hs")
_TRACKING_NAMES = frozenset({"fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "mkt_tok", "ocid", "cmpid", "_ga"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


def utc_iso(moment: datetime | float) -> str:
    """One textual form for every stored time, so times compare as strings: 2026-12-02T06:00:00Z."""
    return utc_stamp(moment if isinstance(moment, datetime) else datetime.fromtimestamp(moment, timezone.utc))


def canonical_url(url: str) -> str:
    """The URL with tracking parameters and fragment removed, scheme and host lower-cased, default port dropped."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if parts.port and parts.port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{parts.port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    return urlunsplit((scheme, host, parts.path or "/", urlencode(query), ""))


def _is_tracking(name: str) -> bool:
    low = name.lower()
    return low in _TRACKING_NAMES or low.startswith(_TRACKING_PREFIXES)


def content_hash(text: str) -> str:
    """Hash of the text with whitespace normalised, so re-wrapped copies of one text match."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def article_id(title: str, key: str) -> str:
    """A readable, stable id: a slug of the first title seen plus a hash of the article's first key."""
    words = re.findall(r"[a-z0-9]+", title.lower())
    slug = "-".join(words)[:48].strip("-") or "article"
    return f"{slug}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:10]}"


@dataclass(frozen=True)
class SourceSpec:
    """One feed as the user names it in the sources file."""

    url: str
    name: str
    tags: dict[str, str] = field(default_factory=dict)
    full_text: str = "auto"  # auto | always | never
    min_interval_s: float = 900.0


@dataclass(frozen=True)
class SourceRow:
    """A source as the store remembers it between runs."""

    id: int
    url: str           # as the sources file names it (the key)
    fetch_url: str     # where it is polled now: differs after a permanent redirect or feed discovery
    name: str
    tags: dict[str, str]
    full_text: str
    min_interval_s: float
    etag: str
    last_modified: str
    last_poll: float | None
    next_poll: float | None
    errors: int
    last_error: str
    status: str        # ok | error | gone
    note: str          # what the user should know: moved to, feed found on page
    articles: int = 0


@dataclass(frozen=True)
class NewEntry:
    """An article as a poll found it, ready to be stored."""

    guid: str
    url: str
    title: str
    text: str
    published: str     # ISO UTC or ""
    feed_hash: str     # hash of the entry's own text in the feed, to notice revisions
    is_blurb: bool
    page_fetched: bool
    outlet: str = ""   # as the feed names itself (its title, or the entry's <source>)


@dataclass(frozen=True)
class StoredArticle:
    """An article as read back from the store; `sha256` hashes `body`, like ingest's articles."""

    id: str
    title: str
    url: str
    body: str
    sha256: str
    source: str
    outlet: str
    tags: dict[str, str]
    published: str
    first_seen: str
    revisions: int
    is_blurb: bool


@dataclass
class SaveCounts:
    """What storing one feed's entries did."""

    new: int = 0
    revised: int = 0
    duplicates: int = 0


@dataclass(frozen=True)
class LogLine:
    time: float
    url: str
    status: int
    bytes: int
    ms: int
    error: str = ""
