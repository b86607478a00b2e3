"""The `newsdigest` command line: one Typer app, one file per command, one error-to-exit-code table.

Each command parses options, calls one core function, and prints; only this package talks to
the terminal.
"""

from . import doctor, evaluate, fetch, schema, summarise  # noqa: F401 - each module registers its command
from .app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
