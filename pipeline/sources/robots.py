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


class RobotsUnavailable(Exception):
    """robots.txt could not be read (no answer or a server error): RFC 9309 says to assume the whole
    site is disallowed. For now: the pages wait for a later poll, they are not given up."""


class RobotsCache:
    def __init__(self, store: Store | None, fetch_text: Callable[[str], tuple[int, str]], max_age_s: float) -> None:
        """`fetch_text(url) -> (status, text)` does a polite GET; raises FetchFailed when there is no answer."""
        self._store = store
        self._fetch_text = fetch_text
        self._max_age_s = max_age_s
        self._parsed: dict[str, Protego] = {}
        self._unavailable: dict[str, str] = {}  # origin -> why, asked once per run
        self._lock = threading.Lock()

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets us fetch `url`; raises RobotsUnavailable when it cannot be read."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc.lower()}"
        with self._lock:
            rules = self._parsed.get(origin)
            why = self._unavailable.get(origin)
        if why is not None:
            raise RobotsUnavailable(why)
        if rules is None:
            try:
                rules = Protego.parse(self._body(origin))
            except RobotsUnavailable as exc:
                with self._lock:
                    self._unavailable[origin] = str(exc)
                raise
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
        except FetchFailed as exc:
            raise RobotsUnavailable(f"{origin}/robots.txt could not be read ({exc})") from None
        if 200 <= status < 300:
            body = text
        elif 400 <= status < 500:
            body = ""  # no robots.txt: everything is allowed
        else:
            raise RobotsUnavailable(f"{origin}/robots.txt answered HTTP {status}")
        if self._store is not None:
            self._store.save_robots(origin, body)
        return body
