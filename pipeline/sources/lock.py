"""The fetch lock: one `newsdigest fetch` per store at a time (a second one exits 75 or waits with --wait)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from ..errors import FetchLockedError, StoreError


@contextmanager
def fetch_lock(store_path: Path, wait_s: float = 0.0) -> Iterator[None]:
    lock_path = store_path.with_name(store_path.name + ".fetch.lock")
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(lock_path), timeout=wait_s if wait_s > 0 else 0)
        lock.acquire()
    except Timeout:
        raise FetchLockedError(
            f"another newsdigest fetch is using the store {store_path} (lock {lock_path}); "
            "try later or pass --wait SECONDS") from None
    except OSError as exc:
        raise StoreError(f"cannot write the store {store_path}: {exc.strerror or exc}") from None
    try:
        yield
    finally:
        lock.release()
