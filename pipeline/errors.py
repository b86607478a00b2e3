"""The project's exceptions; `cli.py` turns each into one line and an exit code."""


class NewsdigestError(Exception):
    """Base class: a failure the user can act on, with a message that says how."""

    exit_code = 1


class ConfigError(NewsdigestError):
    """The configuration file, an env var or a --set override is invalid."""

    exit_code = 2


class ModelUnavailableError(NewsdigestError):
    """A configured model cannot be loaded here (missing package, offline hub model...)."""

    exit_code = 1


class NoUsableInputError(NewsdigestError):
    """Nothing in the given paths could be read as an article."""

    exit_code = 66


class OutputError(NewsdigestError):
    """The output folder cannot be written (permissions, disk full)."""

    exit_code = 73


class LockedError(NewsdigestError):
    """Another run holds the output folder's lock."""

    exit_code = 75


class StoreError(NewsdigestError):
    """The article store cannot be created, opened or written."""

    exit_code = 73


class SourcesFileError(ConfigError):
    """The sources file is missing or invalid; the message names the key and the line."""


class FetchLockedError(LockedError):
    """Another `newsdigest fetch` holds this store."""


class SourcesUnavailableError(NewsdigestError):
    """Every source polled in this fetch failed (unreachable, timeouts, HTTP errors)."""

    exit_code = 69


class Interrupted(BaseException):
    """SIGTERM or SIGINT: unwind (releasing the lock, removing temporaries) and exit 128+signal.

    A BaseException, like KeyboardInterrupt, so that no `except Exception` on the way swallows it.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(f"stopped by signal {signum}")
        self.exit_code = 128 + signum
