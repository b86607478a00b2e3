"""Reading structured inputs (web pages, JSON records, RSS and Atom feeds) into plain records.

One file may hold many articles. A bad record never stops the file: it becomes a warning that
names the file and the record (line number, entry index, title), and the good records are
returned. Hashing, cleaning and duplicate handling stay with `ingest`.
"""

from __future__ import annotations

import io
import json
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .text import is_boilerplate

HTML_SUFFIXES = frozenset({".html", ".htm"})
JSON_SUFFIXES = frozenset({".json", ".jsonl"})
FEED_SUFFIXES = frozenset({".xml", ".rss", ".atom"})
SUPPORTED_SUFFIXES = HTML_SUFFIXES | JSON_SUFFIXES | FEED_SUFFIXES

_ID_MAX = 80
_SLUG_MAX = 60
# A page is an article only if some line reads like a paragraph, not a menu.
_MIN_PARAGRAPH_WORDS = 8
# Pruned extraction is kept unless the unpruned one is more than twice as long.
_PRUNED_SHARE = 0.5
_TITLE_FROM_TEXT_WORDS = 12
# Short calls to action that page extractors and feeds let through; longer lines are reporting.
_CALL_TO_ACTION_MAX_WORDS = 40
_CALLS_TO_ACTION = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\bsubscribe (to|now|today|for|and)\b",
        r"\b(start|begin) your free trial\b",
        r"\balready (a subscriber|have an account)\b",
        r"\bsign up (for|to|now|today)\b",
        r"\b(log|sign) in to (read|continue|comment)\b",
        r"\b(we|this (web)?site) uses? cookies\b",
        r"\b(accept|manage) (all )?cookies\b",
        r"\bcookie (policy|settings|preferences)\b",
        r"\bby continuing to (browse|use)\b",
        r"\bnewsletter\b.*\b(inbox|sign up|subscribe)\b",
        r"^the post .+ appeared first on .+$",
        r"^(continue reading|read the full (story|article))\b",
    )
]
# Page parts that are never the article; pruned before extraction (a retry without them
# covers sites that put such words on the article's own wrapper).
_PRUNE_WORDS = ("cookie", "consent", "gdpr", "subscribe", "subscription", "paywall", "newsletter", "byline")
_PRUNE_TAGS = ("div", "aside", "section", "p", "span", "form", "ul", "footer", "header", "nav")
_FEED_ROOT = re.compile(rb"<(rss|feed|rdf:RDF)[\s>]")
_MARKUP = re.compile(
    r"<(p|br|div|span|a|em|strong|b|i|u|ul|ol|li|h[1-6]|blockquote|figure|figcaption|img|table|"
    r"script|style|iframe)\b[^>]*>", re.IGNORECASE,
)
_BLOCK_TAGS = frozenset({
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
    "figure", "figcaption", "table", "tr", "section", "article", "header", "footer", "aside", "hr", "dd", "dt",
})
_NEVER_TEXT_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg",
                    "math", "form", "button", "select", "textarea", "head")


@dataclass(frozen=True)
class RecordArticle:
    """One article read from a structured file; `text` has one paragraph per line."""

    id: str
    title: str
    text: str
    outlet: str = ""
    published: str = ""
    url: str = ""


Warnings = list[str]
Reader = Callable[[Path, bytes], tuple[list[RecordArticle], Warnings]]


def read_records(path: Path, data: bytes) -> tuple[list[RecordArticle], Warnings]:
    """Every article in one file, and a warning for each record (or file) that was skipped."""
    suffix = path.suffix.lower()
    reader = _READERS.get(suffix)
    if reader is None:
        return [], [f"skipped {path}: {suffix or 'no suffix'} is not a supported structured format"]
    try:
        return reader(path, data)
    except Exception as exc:  # noqa: BLE001 - a parser bug on one file must not stop the run
        return [], [f"skipped {path}: cannot read it as {suffix[1:]} ({type(exc).__name__}: {exc})"]


# --- web pages ---------------------------------------------------------------

def _read_html(path: Path, data: bytes) -> tuple[list[RecordArticle], Warnings]:
    warnings: Warnings = []
    doc, text = _best_extraction(data)
    if doc is None or not text:
        return [], [f"skipped {path}: no article text found in the page"]
    if not re.search(rb"</(html|body)\s*>", data[-4096:], re.IGNORECASE):
        warnings.append(f"{path}: the page looks cut off (no closing </html>); read the text it has")
    title = _one_line(doc.title or "") or _title_from_text(text)
    article = RecordArticle(
        id=path.stem, title=title, text=text,
        outlet=_one_line(doc.sitename or doc.hostname or ""),
        published=_one_line(doc.date or ""),
        url=safe_url(doc.url) or "",
    )
    return [article], warnings


def _best_extraction(data: bytes) -> tuple[Any, str]:
    """Extract with page furniture pruned, unless pruning took the article with it.

    Broken markup can nest the article inside an unclosed cookie banner; then the unpruned
    extraction (still filtered line by line) is much longer and wins.
    """
    candidates = []
    for prune in (True, False):
        doc = _extract_page(data, prune)
        text = _clean_lines(doc.text if doc is not None else "")
        if not any(len(line.split()) >= _MIN_PARAGRAPH_WORDS for line in text.splitlines()):
            text = ""  # menus and link lists only: not an article
        candidates.append((doc, text))
    (pruned_doc, pruned), (full_doc, full) = candidates
    if len(pruned) >= _PRUNED_SHARE * len(full):
        return (pruned_doc, pruned) if pruned else (None, "")
    return full_doc, full


def _extract_page(data: bytes, prune: bool) -> Any:
    import trafilatura
    from trafilatura.settings import set_date_params

    return trafilatura.bare_extraction(
        data, with_metadata=True, include_comments=False, include_tables=False, include_images=False,
        include_links=False, prune_xpath=_prune_xpath() if prune else None,
        # Only the page's own date markup: a guessed date from body text is worse than none.
        date_extraction_params=set_date_params(extensive=False),
    )


def _prune_xpath() -> str:
    lower = "translate(concat(@class, ' ', @id), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
    words = " or ".join(f"contains({lower}, '{w}')" for w in _PRUNE_WORDS)
    tags = " or ".join(f"self::{t}" for t in _PRUNE_TAGS)
    return f"//*[{tags}][{words}]"


# --- JSON and JSON lines -------------------------------------------------------

def _read_json(path: Path, data: bytes) -> tuple[list[RecordArticle], Warnings]:
    text, warnings = _decode(path, data)
    if path.suffix.lower() == ".jsonl":
        records, line_warnings = _json_lines(path, text)
        return _records_to_articles(path, records, warnings + line_warnings)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":  # a .json file that is really JSON lines
            records, line_warnings = _json_lines(path, text)
            return _records_to_articles(path, records, warnings + line_warnings)
        return [], warnings + [f"skipped {path}: not valid JSON ({_json_error(exc, with_line=True)})"]
    records = _json_records(value)
    if records is None:
        return [], warnings + [
            f"skipped {path}: no article records found (expected a list of objects with title and text)"
        ]
    return _records_to_articles(path, [(f"record {i}", r) for i, r in enumerate(records, 1)], warnings)


def _json_lines(path: Path, text: str) -> tuple[list[tuple[str, Any]], Warnings]:
    records, warnings = [], []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            records.append((f"line {lineno}", json.loads(line)))
        except json.JSONDecodeError as exc:
            warnings.append(f"skipped {path} line {lineno}: not valid JSON ({_json_error(exc, with_line=False)})")
    return records, warnings


def _json_error(exc: json.JSONDecodeError, with_line: bool) -> str:
    """'Expecting value at line 3, column 1', 'Unterminated string starting at column 111'."""
    where = f"line {exc.lineno}, column {exc.colno}" if with_line else f"column {exc.colno}"
    return f"{exc.msg.removesuffix(' at')} at {where}"


def _json_records(value: Any) -> list[Any] | None:
    """The list of records in a parsed JSON document: a list, a JSON Feed, or a wrapper object."""
    if isinstance(value, list):
        return value
    if not isinstance(value, dict):
        return None
    if str(value.get("version", "")).startswith("https://jsonfeed.org/version/"):
        outlet = value.get("title") or ""
        items = value.get("items")
        if not isinstance(items, list):
            return None
        return [{"source": outlet, **i} if isinstance(i, dict) and outlet else i for i in items]
    for key in ("articles", "items", "records", "entries", "data"):
        if isinstance(value.get(key), list):
            return value[key]
    if any(k in value for k in ("text", "content", "body", "content_text", "content_html")):
        return [value]
    return None


def _records_to_articles(
    path: Path, records: list[tuple[str, Any]], warnings: Warnings,
) -> tuple[list[RecordArticle], Warnings]:
    ids = _UniqueIds()
    articles = []
    for where, record in records:
        if not isinstance(record, dict):
            warnings.append(f"skipped {path} {where}: a {type(record).__name__}, not an object")
            continue
        title = _one_line(_first_str(record, "title", "headline"))
        text = _clean_lines(_as_text(_first_value(record, "text", "content", "body", "content_text", "content_html")))
        label = where + (f' ("{_short(title)}")' if title else "")
        if not text:
            warnings.append(f"skipped {path} {label}: no article text (expected `text` or `content`)")
            continue
        title = title or _title_from_text(text)
        record_id = record.get("id", record.get("guid"))
        base = _sanitise_id(str(record_id)) if isinstance(record_id, (str, int)) else ""
        articles.append(RecordArticle(
            id=ids.take(base or slug(title) or f"{path.stem}-{len(articles) + 1}"),
            title=title, text=text,
            outlet=_one_line(_outlet(record)),
            published=_one_line(_first_str(record, "published", "published_at", "publishedAt",
                                           "date_published", "pubDate", "date")),
            url=safe_url(_first_str(record, "url", "link", "external_url")) or "",
        ))
    return articles, warnings


def _outlet(record: dict) -> str:
    source = record.get("source")
    if isinstance(source, dict):  # NewsAPI style: {"id": ..., "name": ...}
        source = source.get("name") or source.get("title")
    if isinstance(source, str) and source.strip():
        return source
    return _first_str(record, "outlet", "publisher", "site_name", "sitename", "domain")


def _first_value(record: dict, *keys: str) -> Any:
    for key in keys:
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            return value
        if isinstance(value, list) and any(isinstance(v, str) and v.strip() for v in value):
            return value
    return ""


def _first_str(record: dict, *keys: str) -> str:
    for key in keys:
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return ""


def _as_text(value: Any) -> str:
    if isinstance(value, list):  # paragraphs as a list of strings
        value = "\n".join(v for v in value if isinstance(v, str))
    if not isinstance(value, str):
        return ""
    return html_to_text(value) if _MARKUP.search(value) else value


# --- RSS and Atom --------------------------------------------------------------

def _read_feed(path: Path, data: bytes) -> tuple[list[RecordArticle], Warnings]:
    if path.suffix.lower() == ".xml" and not _FEED_ROOT.search(data[:4096]):
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
    feed_outlet = _one_line(html_to_text(parsed.feed.get("title", "")))
    ids = _UniqueIds()
    articles = []
    for index, entry in enumerate(parsed.entries, 1):
        title = _one_line(html_to_text(entry.get("title", "")))
        label = f"entry {index}" + (f' ("{_short(title)}")' if title else "")
        text = _clean_lines(html_to_text(_entry_markup(entry)))
        if not text:
            warnings.append(f"skipped {path} {label}: no article text (empty content and description)")
            continue
        title = title or _title_from_text(text)
        source = entry.get("source") or {}
        # Titles make readable ids; feed guids are mostly URLs or opaque tags.
        fallback = _sanitise_id(str(entry.get("id", ""))) or f"{path.stem}-{index}"
        articles.append(RecordArticle(
            id=ids.take(slug(title) or fallback), title=title, text=text,
            outlet=_one_line(html_to_text(source.get("title", ""))) or feed_outlet,
            published=_entry_date(entry),
            url=safe_url(entry.get("link")) or "",
        ))
    return articles, warnings


def _entry_markup(entry: Any) -> str:
    """The fullest body an entry carries: its longest content, else its description."""
    contents = [c.get("value", "") for c in entry.get("content", []) if c.get("value", "").strip()]
    if contents:
        return max(contents, key=len)
    return entry.get("summary", "") or ""


def _entry_date(entry: Any) -> str:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if parsed:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", parsed)  # feedparser gives UTC
    return _one_line(entry.get("published") or entry.get("updated") or "")


# --- shared helpers -----------------------------------------------------------

_READERS: dict[str, Reader] = {
    **{s: _read_html for s in HTML_SUFFIXES},
    **{s: _read_json for s in JSON_SUFFIXES},
    **{s: _read_feed for s in FEED_SUFFIXES},
}


def html_to_text(markup: str) -> str:
    """Readable text of an HTML fragment: scripts and styles dropped, one block per line."""
    if not markup or "<" not in markup and "&" not in markup:
        return markup or ""
    from lxml import html as lxml_html

    try:
        root = lxml_html.fragment_fromstring(markup, create_parent="div")
    except Exception:  # noqa: BLE001 - unparseable markup: strip tags the crude way
        import html

        return html.unescape(re.sub(r"<[^>]*>", " ", markup))
    for element in root.xpath("|".join(f"//{t}" for t in _NEVER_TEXT_TAGS)):
        element.drop_tree()
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.lower() in _BLOCK_TAGS:
            element.text = "\n" + (element.text or "")
            element.tail = "\n" + (element.tail or "")
    return root.text_content()


def _clean_lines(text: str) -> str:
    """One paragraph per line, spaces collapsed, page furniture (bylines, calls to action) dropped."""
    lines = (re.sub(r"\s+", " ", line).strip() for line in (text or "").splitlines())
    return "\n".join(line for line in lines if line and not _is_furniture(line))


def _is_furniture(line: str) -> bool:
    if is_boilerplate(line):
        return True
    return len(line.split()) <= _CALL_TO_ACTION_MAX_WORDS and any(p.search(line) for p in _CALLS_TO_ACTION)


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def _short(title: str, limit: int = 60) -> str:
    return title if len(title) <= limit else title[: limit - 1] + "…"


def _title_from_text(text: str) -> str:
    words = text.split("\n", 1)[0].split()
    if len(words) <= _TITLE_FROM_TEXT_WORDS:
        return " ".join(words)
    return " ".join(words[:_TITLE_FROM_TEXT_WORDS]) + " …"


def _decode(path: Path, data: bytes) -> tuple[str, Warnings]:
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), [f"{path}: not UTF-8, read as Windows-1252"]


def safe_url(url: Any) -> str | None:
    """The URL if it is a plain http(s) address; None for javascript:, data:, relative or odd ones."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not url or any(ord(ch) <= 0x20 or ord(ch) == 0x7F for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def slug(title: str) -> str:
    """A file- and URL-safe name from a title: ASCII letters, digits and hyphens only."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    out = ""
    for word in words:
        if len(out) + len(word) + 1 > _SLUG_MAX:
            break
        out = f"{out}-{word}" if out else word
    return out or "-".join(words)[:_SLUG_MAX]


def _sanitise_id(raw: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", raw).strip("-")[:_ID_MAX].strip("-")


class _UniqueIds:
    """Ids made unique within one file: the second `x` becomes `x-2`, and so on."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def take(self, base: str) -> str:
        candidate, n = base, 1
        while candidate in self.taken:
            n += 1
            candidate = f"{base}-{n}"
        self.taken.add(candidate)
        return candidate


__all__ = ["SUPPORTED_SUFFIXES", "RecordArticle", "html_to_text", "read_records", "safe_url", "slug"]
