"""Articles that do not come from files: those of the store in a time window, and fetched URLs (feeds or pages)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import NoUsableInputError
from ..store import open_store
from .clean import clean_body
from ..domain import Article
from .read import read_structured

# The reader is chosen by suffix, so a fetched document is named after its kind.
_SUFFIX = {"feed": ".rss", "page": ".html"}


@dataclass(frozen=True)
class StoreQuery:
    """`summarise --store PATH --since ... --until ...`: which store, and the window as ISO UTC times."""

    path: Path
    since: str | None = None
    until: str | None = None


def read_store(query: StoreQuery) -> tuple[list[tuple[str, Article]], list[str]]:
    """The store's articles whose time lies in [since, until), read in one snapshot; blurbs are said to be blurbs."""
    path, since, until = query.path, query.since, query.until
    if not path.exists():
        raise NoUsableInputError(f"no article store at {path}: run `newsdigest fetch` first, or pass --store PATH")
    store = open_store(path)
    try:
        stored = store.articles(since, until)
    finally:
        store.close()
    found, warnings = [], []
    for article in stored:
        body = clean_body(article.body)
        if not body.strip():
            warnings.append(f"skipped {article.url or article.id} ({article.source}): no article text after cleaning")
            continue
        if article.is_blurb:
            warnings.append(f"{article.id} ({article.source}) is only the feed's blurb: its page gave no full text")
        origin = article.url or f"store:{article.id}"
        found.append((origin, Article(
            id=article.id, title=article.title, path=origin, sha256=hashlib.sha256(body.encode("utf-8")).hexdigest(),
            body=body, outlet=article.outlet, published=article.published or article.first_seen, url=article.url,
            source=article.source, tags=tuple(sorted(article.tags.items())),
        )))
    return found, warnings


def read_fetched(url: str, kind: str, data: bytes) -> tuple[list[tuple[str, Article]], list[str]]:
    """The articles of one fetched URL, read by the same readers as files; their path is the URL."""
    name = Path(re.sub(r"[^A-Za-z0-9._-]+", "_", url.split("://", 1)[-1]).strip("_")[:80] + _SUFFIX[kind])
    articles, warnings = read_structured(name, data)
    return list(_as_url(articles, url)), [w.replace(str(name), url) for w in warnings]


def _as_url(articles: list[Article], url: str) -> Iterator[tuple[str, Article]]:
    for article in articles:
        yield article.url or url, replace(article, path=url, url=article.url or url)
