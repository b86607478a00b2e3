"""The local article store: SQLite (WAL, versioned schema) of sources, articles and the fetch log."""

from .rows import (
    LogLine, NewEntry, SaveCounts, SourceRow, SourceSpec, StoredArticle, canonical_url, content_hash, utc_iso,
)
from .sqlite import SCHEMA_VERSION, Store, open_store

__all__ = [
    "SCHEMA_VERSION", "LogLine", "NewEntry", "SaveCounts", "SourceRow", "SourceSpec", "Store", "StoredArticle",
    "canonical_url", "content_hash", "open_store", "utc_iso",
]


def default_store_path(environ: dict[str, str] | None = None):
    """$NEWSDIGEST_STORE, else $XDG_DATA_HOME/newsdigest/store.sqlite (data, not cache: clearing caches keeps it)."""
    import os
    from pathlib import Path

    env = os.environ if environ is None else environ
    if env.get("NEWSDIGEST_STORE"):
        return Path(env["NEWSDIGEST_STORE"]).expanduser()
    data_home = Path(env.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return data_home / "newsdigest" / "store.sqlite"
