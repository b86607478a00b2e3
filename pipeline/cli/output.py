"""What the CLI prints: results to stdout; logs, warnings and errors to stderr, as text or JSON lines.

The core logs with stdlib `logging` under the `pipeline` logger and never prints. `Output`
installs the one handler that turns those records into stderr lines (plain text, or one JSON
object per line with --log-format json) and keeps only errors with --quiet.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import typer

from ..clock import utc_stamp
from ..errors import ConfigError

LOGGER = "pipeline"
LOG_FORMATS = ("text", "json")
# Text lines carry their level the way compilers do; info lines are plain.
_TEXT_PREFIX = {"warning": "warning: ", "error": "newsdigest: error: ", "critical": "newsdigest: error: "}

log = logging.getLogger(f"{LOGGER}.cli")


class _StderrHandler(logging.Handler):
    """Hands each record of the `pipeline` logger to the `Output` of the command that runs."""

    def __init__(self, output: Output) -> None:
        super().__init__()
        self.output = output

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.output.emit(record.levelname.lower(), record.getMessage())
        except Exception:  # noqa: BLE001 - logging must never break the run
            self.handleError(record)


def check_log_format(log_format: str) -> None:
    if log_format not in LOG_FORMATS:
        raise ConfigError(f"--log-format must be text or json, not {log_format!r}")


class Output:
    """Results go to stdout; logs, warnings and errors to stderr (errors only with --quiet),
    as plain lines or, with --log-format json, one JSON object per line for log collectors."""

    def __init__(self, quiet: bool, log_format: str = "text") -> None:
        self.quiet = quiet
        self.json_logs = log_format == "json"
        self._live_console = None  # set while a progress bar owns the terminal
        self._install_handler()

    def _install_handler(self) -> None:
        """One handler on the `pipeline` logger: a later command in the same process replaces it."""
        logger = logging.getLogger(LOGGER)
        for handler in [h for h in logger.handlers if isinstance(h, _StderrHandler)]:
            logger.removeHandler(handler)
        logger.addHandler(_StderrHandler(self))
        logger.setLevel(logging.ERROR if self.quiet else logging.INFO)
        logger.propagate = False

    def log(self, message: str) -> None:
        log.info(message)

    def notice(self, message: str) -> None:
        """A warning the user must act on (a feed gone for good): shown even with --quiet."""
        self.emit("warning", message)

    def error(self, message: str) -> None:
        self.emit("error", message)

    def emit(self, level: str, message: str) -> None:
        if self.json_logs:
            line = json.dumps({"time": utc_stamp(fraction=True), "level": level, "message": message},
                              ensure_ascii=False)
        else:
            line = _TEXT_PREFIX.get(level, "") + message
        if self._live_console is not None:
            self._live_console.print(line, markup=False, highlight=False)
        else:
            typer.echo(line, err=True)

    @contextmanager
    def progress(self) -> Iterator[Callable[[str, int, int], None]]:
        """A progress bar on stderr when it is a terminal; otherwise nothing (cron, pipes)."""
        if self.quiet or self.json_logs or not sys.stderr.isatty():
            yield lambda _stage, _done, _total: None
            return
        from rich.console import Console
        from rich.progress import Progress

        console = Console(stderr=True)
        with Progress(console=console, transient=True) as bar:
            self._live_console = console
            tasks: dict[str, object] = {}

            def update(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=total)
                bar.update(tasks[stage], completed=done)

            try:
                yield update
            finally:
                self._live_console = None
