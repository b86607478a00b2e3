"""The local article store: SQLite (WAL, versioned schema) of sources, articles and the fetch log."""

import os
from collections.abc import Mapping
from pathlib import Path

from .rows import (
    LogLine, NewEntry, SaveCounts, SourceRow, SourceSpec, StoredArticle, canonical_url, content_hash, utc_iso,
)
from .sqlite import SCHEMA_VERSION, Store, open_store


def default_store_path(configured: str = "", environ: Mapping[str, str] | None = None) -> Path:
    """$NEWSDIGEST_STORE, else the configured store.path, else $XDG_DATA_HOME/newsdigest/store.sqlite.

    Data, not cache: clearing caches never loses articles."""
    env = os.environ if environ is None else environ
    if env.get("NEWSDIGEST_STORE"):
        return Path(env["NEWSDIGEST_STORE"]).expanduser()
    if configured:
        return Path(configured).expanduser()
    data_home = Path(env.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return data_home / "newsdigest" / "store.sqlite"

__all__ = [
    "SCHEMA_VERSION", "LogLine", "NewEntry", "SaveCounts", "SourceRow", "SourceSpec", "Store", "StoredArticle",
    "canonical_url", "content_hash", "default_store_path", "open_store", "utc_iso",
]
