"""Reading input files into raw articles: size limits, binary sniffing, duplicates; bad files become warnings."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..domain import Article
from .clean import clean_body, split_title
from .decode import decode
from .markup import named
from .records import SUPPORTED_SUFFIXES, read_records

_BINARY_SNIFF_BYTES = 8192


@dataclass
class IngestResult:
    articles: list[Article]
    warnings: list[str]
    # article id -> paths of other files with exactly its text (summarised once).
    duplicates: dict[str, list[str]] = field(default_factory=dict)


def read_articles(files: list[Path], max_file_mb: float) -> IngestResult:
    warnings: list[str] = []
    return collect(read_files(files, max_file_mb, warnings), warnings)


def collect(found: Iterable[tuple[Path | str, Article]], warnings: list[str]) -> IngestResult:
    """Articles from files, URLs and the store, each text once: a second copy is a warning and a duplicate."""
    articles: list[Article] = []
    seen_hashes: dict[str, Article] = {}
    seen_ids: set[str] = set()
    duplicates: dict[str, list[str]] = {}
    for path, article in found:
        if article.sha256 in seen_hashes:
            original = seen_hashes[article.sha256]
            warnings.append(f"skipped {named(article)}: same text as {named(original)}")
            duplicates.setdefault(original.id, []).append(str(path))
            continue
        if article.id in seen_ids:
            # Two files with one stem in different folders: keep both, with distinct ids.
            article = replace(article, id=f"{article.id}_{article.sha256[:8]}")
        seen_hashes[article.sha256] = article
        seen_ids.add(article.id)
        articles.append(article)
    return IngestResult(articles, warnings, duplicates)


def read_files(files: list[Path], max_file_mb: float, warnings: list[str]) -> Iterator[tuple[Path, Article]]:
    """Each file's articles, as they are read; what is skipped goes to `warnings`."""
    for path in files:
        articles, file_warnings = read_one(path, max_file_mb)
        warnings.extend(file_warnings)
        for article in articles:
            yield path, article


def read_one(path: Path, max_file_mb: float) -> tuple[list[Article], list[str]]:
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
        return read_structured(path, data)
    if b"\x00" in data[:_BINARY_SNIFF_BYTES]:
        return [], [f"skipped {path}: binary file, not text"]
    text, warning = decode(data, path)
    title, body = split_title(text)
    body = clean_body(body)
    if not body.strip():
        return [], [f"skipped {path}: no article text" + (" (empty file)" if not text.strip() else "")]
    article = Article(id=path.stem, title=title, path=str(path), sha256="", body=body)
    return [_identified(article)], [warning] if warning else []


def read_structured(path: Path, data: bytes) -> tuple[list[Article], list[str]]:
    records, warnings = read_records(path, data)
    articles = []
    for record in records:
        body = clean_body(record.body)
        if body.strip():
            articles.append(_identified(replace(record, path=str(path), body=body)))
        else:
            warnings.append(f"skipped {path} record {record.id}: no article text after cleaning")
    return articles, warnings


def _identified(article: Article) -> Article:
    """The article with its content hash: what duplicates and the cache are keyed on."""
    return replace(article, sha256=hashlib.sha256(article.body.encode("utf-8")).hexdigest())
