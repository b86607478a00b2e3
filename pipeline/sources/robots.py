"""robots.txt for article pages: fetched once per host (kept in the store for robots_max_age), parsed by protego."""

from __future__ import annotations

import threading
from collections.abc import Callable
from urllib.parse import urlsplit

from protego import Protego

from ..store import Store
from .http import FetchFailed

# The product token robots.txt groups match against (the User-Agent's first word).
ROBOTS_AGENT = "newsdigest"
_DISALLOW_ALL = "User-agent: *\nDisallow: /\n"


class RobotsCache:
    def __init__(self, store: Store | None, fetch_text: Callable[[str], tuple[int, str]], max_age_s: float) -> None:
        """`fetch_text(url) -> (status, text)` does a polite GET; raises FetchFailed when there is no answer."""
        self._store = store
        self._fetch_text = fetch_text
        self._max_age_s = max_age_s
        self._parsed: dict[str, Protego] = {}
        self._lock = threading.Lock()

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc.lower()}"
        with self._lock:
            rules = self._parsed.get(origin)
        if rules is None:
            rules = Protego.parse(self._body(origin))
            with self._lock:
                self._parsed[origin] = rules
        return rules.can_fetch(url, ROBOTS_AGENT)

    def _body(self, origin: str) -> str:
        if self._store is not None:
            cached = self._store.robots(origin, self._max_age_s)
            if cached is not None:
                return cached
        try:
            status, text = self._fetch_text(origin + "/robots.txt")
        except FetchFailed:
            # RFC 9309: robots.txt unreachable means assume the whole site is disallowed (for this run only).
            return _DISALLOW_ALL
        if 200 <= status < 300:
            body = text
        elif 400 <= status < 500:
            body = ""  # no robots.txt: everything is allowed
        else:
            return _DISALLOW_ALL
        if self._store is not None:
            self._store.save_robots(origin, body)
        return body
