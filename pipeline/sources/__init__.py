"""Live sources: the sources file, polite HTTP polling of feeds and pages, robots.txt, and `fetch_due`."""

from .fetch import FetchReport, SourceResult, fetch_due
from .lock import fetch_lock
from .sourcefile import load_sources

__all__ = ["FetchReport", "SourceResult", "fetch_due", "fetch_lock", "load_sources"]
