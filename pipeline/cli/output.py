"""What the CLI prints: results to stdout; logs, warnings and errors to stderr, as text or JSON lines."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import typer


class Output:
    """Results go to stdout; logs, warnings and errors to stderr (errors only with --quiet),
    as plain lines or, with --log-format json, one JSON object per line for log collectors."""

    def __init__(self, quiet: bool, log_format: str = "text") -> None:
        self.quiet = quiet
        self.json_logs = log_format == "json"
        self._live_console = None  # set while a progress bar owns the terminal

    def log(self, message: str) -> None:
        if not self.quiet:
            level = "warning" if message.startswith("warning: ") else "info"
            self._emit(level, message.removeprefix("warning: ") if self.json_logs else message)

    def error(self, message: str) -> None:
        self._emit("error", message if self.json_logs else f"newsdigest: error: {message}")

    def _emit(self, level: str, message: str) -> None:
        if self.json_logs:
            from datetime import datetime, timezone

            stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            message = json.dumps({"time": stamp, "level": level, "message": message}, ensure_ascii=False)
        if self._live_console is not None:
            self._live_console.print(message, markup=False, highlight=False)
        else:
            typer.echo(message, err=True)

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
