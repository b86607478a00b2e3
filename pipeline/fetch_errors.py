"""Errors of fetching and the store (to be folded into errors.py once the layout commit lands)."""

from .errors import ConfigError, LockedError, NewsdigestError


class StoreError(NewsdigestError):
    """The article store cannot be created, opened or written."""

    exit_code = 73


class SourcesFileError(ConfigError):
    """The sources file is missing or invalid; the message names the key and the line."""


class FetchLockedError(LockedError):
    """Another `newsdigest fetch` holds this store."""
