"""Per-host politeness: one request at a time per host, a minimum gap between requests, and Retry-After for the host.

The host's next allowed time lives in the store, so two processes (a cron fetch and a summarise of a URL) and
successive runs keep the same pace; without a store it lives in memory for the one process."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..store import Store


class HostBlocked(Exception):
    """The host asked us (429/503 Retry-After) to stay away until `until`."""

    def __init__(self, host: str, until: float) -> None:
        super().__init__(f"{host} asked to wait (Retry-After) until {time.strftime('%H:%M:%S', time.gmtime(until))} UTC")
        self.host = host
        self.until = until


@dataclass
class Slot:
    """One request's turn at a host; set `blocked_until` when the host answers Retry-After."""

    host: str
    blocked_until: float = 0.0


def host_of(url: str) -> str:
    """The politeness key: host and port, lower-cased (two ports of one address are two servers)."""
    return urlsplit(url).netloc.lower()


class HostGate:
    def __init__(
        self, store: Store | None, delay_s: float, hold_s: float,
        clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._store = store
        self._delay_s = delay_s
        # A crashed process's claim expires after hold_s (the longest a request may take).
        self._hold_s = hold_s
        self._clock = clock
        self._sleep = sleep
        self._locks: dict[str, threading.Lock] = {}
        self._memory: dict[str, tuple[float, float]] = {}
        self._guard = threading.Lock()

    @contextmanager
    def slot(self, url: str) -> Iterator[Slot]:
        """Wait for the host's turn, hold it during the request, and set its next allowed time after it."""
        host = host_of(url)
        with self._host_lock(host):
            self._wait_turn(host)
            slot = Slot(host)
            try:
                yield slot
            finally:
                self._release(host, self._clock() + self._delay_s, slot.blocked_until)

    def _host_lock(self, host: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(host, threading.Lock())

    def _wait_turn(self, host: str) -> None:
        while True:
            wait, blocked = self._claim(host)
            if blocked:
                raise HostBlocked(host, self._clock() + wait)
            if wait <= 0:
                return
            self._sleep(wait)

    def _claim(self, host: str) -> tuple[float, bool]:
        now = self._clock()
        if self._store is not None:
            return self._store.claim_host(host, self._hold_s, now)
        next_allowed, blocked_until = self._memory.get(host, (0.0, 0.0))
        if blocked_until > now:
            return blocked_until - now, True
        if next_allowed > now:
            return next_allowed - now, False
        self._memory[host] = (now + self._hold_s, blocked_until)
        return 0.0, False

    def _release(self, host: str, next_allowed: float, blocked_until: float) -> None:
        if self._store is not None:
            self._store.release_host(host, next_allowed, blocked_until)
        else:
            self._memory[host] = (next_allowed, max(blocked_until, self._memory.get(host, (0.0, 0.0))[1]))
