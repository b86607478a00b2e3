"""Finding input files and reading them into raw articles; bad files become warnings."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from .text import clean_body, split_title

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


def discover(paths: Iterable[Path], extensions: Iterable[str]) -> tuple[list[Path], list[str]]:
    """Files under the given paths with an accepted extension, sorted, each once."""
    exts = {e.lower() for e in extensions}
    found: dict[Path, None] = {}
    warnings: list[str] = []
    for root in paths:
        if root.is_file():
            found[root] = None
        elif root.is_dir():
            for path in _walk(root):
                if path.suffix.lower() in exts:
                    found[path] = None
        else:
            warnings.append(f"skipped {root}: no such file or folder")
    return sorted(found, key=lambda p: str(p)), warnings


def _walk(root: Path) -> Iterable[Path]:
    # followlinks=False: a symlink loop cannot trap the walk; linked files still count.
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith("."):
                yield Path(dirpath) / name


def read_articles(files: list[Path], max_file_mb: float) -> IngestResult:
    articles: list[RawArticle] = []
    warnings: list[str] = []
    seen_hashes: dict[str, str] = {}
    seen_ids: set[str] = set()
    duplicates: dict[str, list[str]] = {}
    for path in files:
        article, warning = read_one(path, max_file_mb)
        if warning:
            warnings.append(warning)
        if article is None:
            continue
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


def read_one(path: Path, max_file_mb: float) -> tuple[RawArticle | None, str | None]:
    """One file to an article, or None with the reason it was skipped."""
    try:
        size = path.stat().st_size
        if size > max_file_mb * 1_000_000:
            return None, f"skipped {path}: {size / 1e6:.1f} MB is over the {max_file_mb:g} MB limit (ingest.max_file_mb)"
        data = path.read_bytes()
    except OSError as exc:
        return None, f"skipped {path}: cannot read ({exc.strerror or exc})"
    if b"\x00" in data[:_BINARY_SNIFF_BYTES]:
        return None, f"skipped {path}: binary file, not text"
    text, warning = decode(data, path)
    title, body = split_title(text)
    body = clean_body(body)
    if not body.strip():
        return None, f"skipped {path}: no article text" + (" (empty file)" if not text.strip() else "")
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    return RawArticle(id=path.stem, title=title, path=str(path), sha256=digest, body=body), warning


def decode(data: bytes, path: Path) -> tuple[str, str | None]:
    """UTF-8 (with or without BOM); otherwise Windows-1252, the commonest legacy news encoding."""
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), f"{path}: not UTF-8, read as Windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), f"{path}: not UTF-8, read as Latin-1"
