"""The one place where the project's exceptions become a line on stderr and an exit code."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager

import typer

from ..errors import Interrupted, NewsdigestError
from .output import Output


@contextmanager
def exit_on_error(output: Output) -> Iterator[None]:
    """Run a command body: a `NewsdigestError` or a stop signal ends it with its message and exit code."""
    try:
        yield
    except NewsdigestError as exc:
        output.error(str(exc))
        raise typer.Exit(exc.exit_code) from None
    except Interrupted as exc:
        output.error(f"{exc}; nothing was published, the previous output is intact")
        raise typer.Exit(exc.exit_code) from None


@contextmanager
def stop_cleanly() -> Iterator[None]:
    """Turn SIGTERM and SIGINT into an exception, so locks and temporary folders are released."""

    def stop(signum: int, _frame: object) -> None:
        raise Interrupted(signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
