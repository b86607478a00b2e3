"""Structured inputs (web pages, JSON records, RSS and Atom feeds): which reader takes which file.

One file may hold many articles. A bad record never stops the file: it becomes a warning that
names the file and the record (line number, entry index, title), and the good records are
returned. Hashing, cleaning and duplicate handling stay with `read`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..domain import Article

HTML_SUFFIXES = frozenset({".html", ".htm"})
JSON_SUFFIXES = frozenset({".json", ".jsonl"})
FEED_SUFFIXES = frozenset({".xml", ".rss", ".atom"})
SUPPORTED_SUFFIXES = HTML_SUFFIXES | JSON_SUFFIXES | FEED_SUFFIXES


Warnings = list[str]
Reader = Callable[[Path, bytes], tuple[list[Article], Warnings]]


def read_records(path: Path, data: bytes) -> tuple[list[Article], Warnings]:
    """Every article in one file, and a warning for each record (or file) that was skipped."""
    suffix = path.suffix.lower()
    reader = _readers().get(suffix)
    if reader is None:
        return [], [f"skipped {path}: {suffix or 'no suffix'} is not a supported structured format"]
    try:
        return reader(path, data)
    except Exception as exc:  # noqa: BLE001 - a parser bug on one file must not stop the run
        return [], [f"skipped {path}: cannot read it as {suffix[1:]} ({type(exc).__name__}: {exc})"]


def _readers() -> dict[str, Reader]:
    # Imported here: each reader module imports Article from this one.
    from .feed import read_feed
    from .html import read_html
    from .jsonrecords import read_json

    return {**{s: read_html for s in HTML_SUFFIXES}, **{s: read_json for s in JSON_SUFFIXES},
            **{s: read_feed for s in FEED_SUFFIXES}}
