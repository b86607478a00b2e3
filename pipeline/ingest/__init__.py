"""Stage 1, ingest: find input files and read them (text, web pages, JSON, feeds), fetched URLs and the store's
articles into cleaned articles."""

from .discover import discover
from .read import IngestResult, collect, read_articles, read_files, read_one
from .stored import StoreQuery, read_fetched, read_store

__all__ = [
    "IngestResult", "StoreQuery", "collect", "discover", "read_articles", "read_fetched", "read_files", "read_one",
    "read_store",
]
