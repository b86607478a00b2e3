"""JSON and JSON-lines files of article records (a list, an object holding a list, or one per line)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..urls import safe_url
from .decode import decode
from .markup import MARKUP, UniqueIds, clean_lines, html_to_text, one_line, sanitise_id, shorten, slug, title_from_text
from ..domain import Article
from .records import Warnings


def read_json(path: Path, data: bytes) -> tuple[list[Article], Warnings]:
    text, warning = decode(data, path)
    warnings: Warnings = [warning] if warning else []
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
) -> tuple[list[Article], Warnings]:
    ids = UniqueIds()
    articles = []
    for where, record in records:
        if not isinstance(record, dict):
            warnings.append(f"skipped {path} {where}: a {type(record).__name__}, not an object")
            continue
        title = one_line(_first_str(record, "title", "headline"))
        text = clean_lines(_as_text(_first_value(record, "text", "content", "body", "content_text", "content_html")))
        label = where + (f' ("{shorten(title)}")' if title else "")
        if not text:
            warnings.append(f"skipped {path} {label}: no article text (expected `text` or `content`)")
            continue
        title = title or title_from_text(text)
        record_id = record.get("id", record.get("guid"))
        base = sanitise_id(str(record_id)) if isinstance(record_id, (str, int)) else ""
        articles.append(Article(
            id=ids.take(base or slug(title) or f"{path.stem}-{len(articles) + 1}"),
            title=title, path=str(path), sha256="", body=text,
            outlet=one_line(_outlet(record)),
            published=one_line(_first_str(record, "published", "published_at", "publishedAt",
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
    return html_to_text(value) if MARKUP.search(value) else value
