"""Stage 1, ingest: find input files and read them (text, web pages, JSON, feeds) into cleaned raw articles."""

from .discover import discover
from .read import IngestResult, RawArticle, read_articles, read_one

__all__ = ["IngestResult", "RawArticle", "discover", "read_articles", "read_one"]
