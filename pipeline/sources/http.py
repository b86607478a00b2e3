"""HTTP GET for feeds and pages: httpx, streamed and cut at max_bytes after decompression, redirects followed by
hand (to tell permanent moves and loops), each request through the host gate and recorded in a log."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

import httpx

from .. import __version__
from ..config import FetchConfig
from ..store import LogLine
from .politeness import HostGate

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})


class FetchFailed(Exception):
    """The request gave no usable answer: unreachable host, DNS or TLS failure, timeout, loop, too large."""


@dataclass(frozen=True)
class Response:
    url: str                     # where the answer came from, after redirects
    status: int
    headers: httpx.Headers
    body: bytes
    permanent_url: str | None    # where permanent redirects from the asked URL lead, if they do
    retry_after_s: float | None = None


@dataclass
class RequestLog:
    """Every request of a run, for the store's fetch log; shared by threads."""

    lines: list[LogLine] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, line: LogLine) -> None:
        with self._lock:
            self.lines.append(line)

    def take(self) -> list[LogLine]:
        with self._lock:
            taken, self.lines = self.lines, []
        return taken


def user_agent(config: FetchConfig) -> str:
    return config.user_agent or f"newsdigest/{__version__} (+https://pypi.org/project/newsdigest/)"


def make_client(config: FetchConfig) -> httpx.Client:
    return httpx.Client(
        headers={"User-Agent": user_agent(config), "Accept-Encoding": "gzip, deflate"},
        timeout=httpx.Timeout(config.read_timeout, connect=config.connect_timeout),
        follow_redirects=False,
        limits=httpx.Limits(max_connections=config.parallel_hosts * 2, max_keepalive_connections=config.parallel_hosts * 2),
    )


def get(
    client: httpx.Client, url: str, config: FetchConfig, gate: HostGate, log: RequestLog,
    headers: dict[str, str] | None = None, accept: str = "*/*",
) -> Response:
    """GET url politely; raises FetchFailed (and HostBlocked while a host's Retry-After runs)."""
    visited = [url]
    permanent: str | None = url
    current = url
    request_headers = {"Accept": accept, **(headers or {})}
    while True:
        response = _one_request(client, current, config, gate, log, request_headers)
        location = response.headers.get("location")
        if response.status not in _REDIRECTS or not location:
            moved = permanent if permanent and permanent != url else None
            return Response(current, response.status, response.headers, response.body, moved, response.retry_after_s)
        target = urljoin(current, location)
        if target in visited:
            raise FetchFailed(f"redirect loop: {' -> '.join(visited + [target])}")
        if len(visited) > config.max_redirects:
            raise FetchFailed(f"more than {config.max_redirects} redirects (fetch.max_redirects) from {url}")
        permanent = target if permanent is not None and response.status in _PERMANENT else None
        visited.append(target)
        current = target


def _one_request(
    client: httpx.Client, url: str, config: FetchConfig, gate: HostGate, log: RequestLog, headers: dict[str, str],
) -> Response:
    with gate.slot(url) as slot:
        started = time.time()
        status, body, response_headers, error = 0, b"", httpx.Headers(), ""
        try:
            with client.stream("GET", url, headers=headers) as answer:
                status, response_headers = answer.status_code, answer.headers
                if status not in _REDIRECTS and status != 304:
                    body = _read_capped(answer, config.max_bytes)
        except FetchFailed as exc:
            error = str(exc)
        except httpx.TimeoutException:
            error = f"timed out (connect {config.connect_timeout:g} s, read {config.read_timeout:g} s)"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        retry_after = _retry_after(response_headers, time.time()) if status in (429, 503) else None
        if retry_after is not None:
            slot.blocked_until = time.time() + retry_after
        log.add(LogLine(started, url, status, len(body), int((time.time() - started) * 1000), error))
    if error:
        raise FetchFailed(error)
    return Response(url, status, response_headers, body, None, retry_after)


def _read_capped(answer: httpx.Response, max_bytes: int) -> bytes:
    """The body, decompressed; stops as soon as it passes max_bytes (a gzip bomb is cut early)."""
    declared = answer.headers.get("content-length", "")
    if declared.isdigit() and not answer.headers.get("content-encoding") and int(declared) > max_bytes:
        raise FetchFailed(f"response of {int(declared):,} bytes is over fetch.max_bytes ({max_bytes:,})")
    chunks, total = [], 0
    for chunk in answer.iter_bytes():
        total += len(chunk)
        if total > max_bytes:
            raise FetchFailed(f"response is over fetch.max_bytes ({max_bytes:,} bytes after decompression); cut")
        chunks.append(chunk)
    return b"".join(chunks)


def _retry_after(headers: httpx.Headers, now: float) -> float | None:
    """Retry-After in seconds, from either of its forms (delta seconds or an HTTP date)."""
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError):
        return None
