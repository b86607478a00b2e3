"""Reading input files into raw articles: size limits, binary sniffing, duplicates; bad files become warnings."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from .clean import clean_body, split_title
from .decode import decode
from .records import SUPPORTED_SUFFIXES, read_records

_BINARY_SNIFF_BYTES = 8192


@dataclass(frozen=True)
class RawArticle:
    """An article as read from disk, before sentence analysis."""

    id: str
    title: str
    path: str
    sha256: str
    body: str
    # Known for feeds, web pages and JSON records; empty for plain text files.
    outlet: str = ""
    published: str = ""
    url: str = ""


@dataclass
class IngestResult:
    articles: list[RawArticle]
    warnings: list[str]
    # article id -> paths of other files with exactly its text (summarised once).
    duplicates: dict[str, list[str]] = field(default_factory=dict)


def read_articles(files: list[Path], max_file_mb: float) -> IngestResult:
    articles: list[RawArticle] = []
    warnings: list[str] = []
    seen_hashes: dict[str, str] = {}
    seen_ids: set[str] = set()
    duplicates: dict[str, list[str]] = {}
    for path, article in _read_all(files, max_file_mb, warnings):
        if article.sha256 in seen_hashes:
            original = seen_hashes[article.sha256]
            warnings.append(f"skipped {path}: same text as {original}")
            duplicates.setdefault(original, []).append(str(path))
            continue
        if article.id in seen_ids:
            # Two files with one stem in different folders: keep both, with distinct ids.
            article = replace(article, id=f"{article.id}_{article.sha256[:8]}")
        seen_hashes[article.sha256] = article.id
        seen_ids.add(article.id)
        articles.append(article)
    return IngestResult(articles, warnings, duplicates)


def _read_all(files: list[Path], max_file_mb: float, warnings: list[str]) -> Iterator[tuple[Path, RawArticle]]:
    for path in files:
        articles, file_warnings = read_one(path, max_file_mb)
        warnings.extend(file_warnings)
        for article in articles:
            yield path, article


def read_one(path: Path, max_file_mb: float) -> tuple[list[RawArticle], list[str]]:
    """The articles in one file (a feed or JSON file holds many), and what was skipped and why."""
    try:
        size = path.stat().st_size
        if size > max_file_mb * 1_000_000:
            return [], [f"skipped {path}: {size / 1e6:.1f} MB is over the {max_file_mb:g} MB limit (ingest.max_file_mb)"]
        data = path.read_bytes()
    except OSError as exc:
        return [], [f"skipped {path}: cannot read ({exc.strerror or exc})"]
    if path.suffix.lower() in SUPPORTED_SUFFIXES:
        # Web pages and feeds declare their own encoding; their readers decode them.
        return _structured(path, data)
    if b"\x00" in data[:_BINARY_SNIFF_BYTES]:
        return [], [f"skipped {path}: binary file, not text"]
    text, warning = decode(data, path)
    title, body = split_title(text)
    body = clean_body(body)
    if not body.strip():
        return [], [f"skipped {path}: no article text" + (" (empty file)" if not text.strip() else "")]
    return [_raw(path.stem, title, path, body)], [warning] if warning else []


def _structured(path: Path, data: bytes) -> tuple[list[RawArticle], list[str]]:
    records, warnings = read_records(path, data)
    articles = []
    for record in records:
        body = clean_body(record.text)
        if body.strip():
            articles.append(_raw(record.id, record.title, path, body, record.outlet, record.published, record.url))
        else:
            warnings.append(f"skipped {path} record {record.id}: no article text after cleaning")
    return articles, warnings


def _raw(article_id: str, title: str, path: Path, body: str, outlet: str = "", published: str = "", url: str = "") -> RawArticle:
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    return RawArticle(article_id, title, str(path), digest, body, outlet, published, url)
