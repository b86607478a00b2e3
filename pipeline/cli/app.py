"""The Typer application every command registers on, and its help texts."""

from __future__ import annotations

import typer

EXIT_CODES = """\b
Exit codes:
  0   success (also when some inputs were skipped; see warnings)
  1   failure (e.g. a model cannot be loaded)
  2   usage or configuration error
  66  no usable input
  69  fetch: every source polled failed
  73  output folder or article store cannot be written
  75  another run holds the output folder's lock (fetch: another fetch holds the store)
  130 interrupted (Ctrl-C), 143 terminated (SIGTERM)"""

app = typer.Typer(
    add_completion=False, no_args_is_help=True, epilog=EXIT_CODES,
    help="Digests of news articles that show where the sources diverge.",
)
