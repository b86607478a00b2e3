"""URLs given to `summarise` as PATHS: each fetched once, politely (robots.txt for pages), as a feed or a page."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import FetchConfig
from ..ingest.feed import looks_like_feed
from ..store import Store
from .http import FetchFailed, RequestLog, Response, get, make_client
from .politeness import HostBlocked, HostGate
from .robots import RobotsCache, RobotsUnavailable


@dataclass(frozen=True)
class Document:
    """One fetched URL: `kind` is "feed" or "page", so ingest reads it with the right reader."""

    url: str
    kind: str
    body: bytes
    content_type: str


def is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def fetch_documents(urls: list[str], config: FetchConfig, store: Store | None = None) -> tuple[list[Document], list[str]]:
    """Fetch each URL once; a failure is a warning naming the URL, never an exception."""
    documents: list[Document] = []
    warnings: list[str] = []
    requests = RequestLog()
    gate = HostGate(store, config.host_delay, config.connect_timeout + config.read_timeout)
    with make_client(config) as client:
        robots = RobotsCache(store, lambda u: _status_text(get(client, u, config, gate, requests)), config.robots_max_age)
        for url in urls:
            try:
                # Asked before the GET: whether the URL is a feed or a page is only known after it.
                if not robots.allowed(url):
                    warnings.append(f"skipped {url}: robots.txt disallows it")
                    continue
                response = get(client, url, config, gate, requests)
                if response.status != 200:
                    warnings.append(f"skipped {url}: HTTP {response.status}")
                    continue
                kind = "feed" if looks_like_feed(response.body) else "page"
            except (FetchFailed, HostBlocked, RobotsUnavailable) as exc:
                warnings.append(f"skipped {url}: {exc}")
                continue
            documents.append(Document(response.url, kind, response.body, response.headers.get("content-type", "")))
    if store is not None:
        store.log_fetches(requests.take())
    return documents, warnings


def _status_text(response: Response) -> tuple[int, str]:
    return response.status, response.body.decode("utf-8", errors="replace")
