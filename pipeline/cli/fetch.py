"""`newsdigest fetch` and `newsdigest sources`: thin wrappers around `sources.fetch_due` and the store's sources."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from ..config import Settings
from ..errors import ConfigError, NoUsableInputError, SourcesUnavailableError
from .app import EXIT_CODES, app
from .errors import exit_on_error, stop_cleanly
from .output import Output, check_log_format

if TYPE_CHECKING:
    from ..sources import FetchReport
    from ..store import SourceRow

_STORE_HELP = "The article store (default: $NEWSDIGEST_STORE, else store.path, else $XDG_DATA_HOME/newsdigest/store.sqlite)."


@app.command(epilog=EXIT_CODES)
def fetch(
    sources: Annotated[Optional[Path], typer.Option("--sources", help="The sources TOML (default: sources.file).")] = None,
    store: Annotated[Optional[Path], typer.Option("--store", help=_STORE_HELP)] = None,
    config: Annotated[Optional[Path], typer.Option("--config", help="A TOML settings file (see configs/).")] = None,
    set_: Annotated[Optional[list[str]], typer.Option("--set", help="Override a setting: key=value (repeatable).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print errors only (and feeds that are gone).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print what each source did as JSON to stdout.")] = False,
    wait: Annotated[float, typer.Option("--wait", help="If another fetch holds the store, wait up to SECONDS.")] = 0.0,
    log_format: Annotated[str, typer.Option("--log-format", help="text or json (one object per line).")] = "text",
) -> None:
    """Poll every due source politely and save new articles in the store."""
    from ..config import load_settings
    from ..sources import fetch_due, fetch_lock, load_sources
    from ..store import open_store

    output = Output(quiet, log_format)
    with exit_on_error(output):
        check_log_format(log_format)
        settings = load_settings(config, list(set_ or []))
        specs = load_sources(_sources_file(sources, settings), settings.fetch.min_interval)
        store_path = store_path_for(store, settings)
        with stop_cleanly(), fetch_lock(store_path, wait):
            opened = open_store(store_path)
            try:
                report = fetch_due(specs, opened, settings.fetch, settings.store.keep_days)
            finally:
                opened.close()
        # --quiet keeps errors only, but a gone feed needs the user: it is told on every run.
        for result in report.results:
            if result.outcome == "gone" and output.quiet:
                output.notice(result.warnings[0])
        if as_json:
            typer.echo(json.dumps(_report_json(report, store_path), indent=2))
        output.log(_summary(report, store_path))
        if report.all_failed:
            raise SourcesUnavailableError(f"every source polled failed ({report.failed}); see the warnings above")


@app.command("sources", epilog=EXIT_CODES)
def sources_(
    store: Annotated[Optional[Path], typer.Option("--store", help=_STORE_HELP)] = None,
    config: Annotated[Optional[Path], typer.Option("--config", help="A TOML settings file (see configs/).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the rows as JSON.")] = False,
) -> None:
    """One row per source: status, last poll, next poll, articles, last error."""
    from ..config import load_settings
    from ..store import open_store

    output = Output(False)
    with exit_on_error(output):
        store_path = store_path_for(store, load_settings(config))
        if not store_path.exists():
            raise NoUsableInputError(f"no article store at {store_path}: run `newsdigest fetch` first")
        opened = open_store(store_path)
        try:
            rows = opened.sources()
        finally:
            opened.close()
    if as_json:
        typer.echo(json.dumps([_source_json(r) for r in rows], indent=2))
        return
    typer.echo(_table(rows))


def store_path_for(option: Path | None, settings: Settings) -> Path:
    """--store, else $NEWSDIGEST_STORE, else store.path, else the XDG data folder."""
    from ..store import default_store_path

    return option if option is not None else default_store_path(settings.store.path)


def _sources_file(option: Path | None, settings: Settings) -> Path:
    if option is not None:
        return option
    if settings.sources.file:
        return Path(settings.sources.file).expanduser()
    raise ConfigError("no sources file: pass --sources FILE or set sources.file (see configs/sources.example.toml)")


def _summary(report: FetchReport, store_path: Path) -> str:
    polled = report.polled
    new = sum(r.new for r in report.results)
    revised = sum(r.revised for r in report.results)
    not_modified = sum(r.outcome == "not-modified" for r in report.results)
    return (f"polled {polled} of {len(report.results)} sources ({not_modified} unchanged, {report.failed} failed): "
            f"{new} new and {revised} revised articles, {report.requests} requests, {report.seconds:.1f} s; "
            f"store {store_path}" + (f"; pruned {report.pruned} old articles" if report.pruned else ""))


def _report_json(report: FetchReport, store_path: Path) -> dict:
    return {
        "store": str(store_path), "requests": report.requests, "seconds": round(report.seconds, 3),
        "pruned": report.pruned, "polled": report.polled, "succeeded": report.succeeded, "failed": report.failed,
        "sources": [asdict(r) for r in report.results],
    }


def _when(stamp: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(stamp)) if stamp else "-"


def _source_json(row: SourceRow) -> dict:
    return {"name": row.name, "url": row.url, "polled_url": row.fetch_url, "status": row.status,
            "last_poll": _when(row.last_poll), "next_poll": _when(row.next_poll) if row.status != "gone" else "never",
            "articles": row.articles, "errors": row.errors, "last_error": row.last_error, "note": row.note,
            "tags": row.tags}


def _table(rows: list[SourceRow]) -> str:
    header = ("name", "status", "last poll (UTC)", "next poll (UTC)", "articles", "last error")
    lines = [header] + [
        (r.name, r.status + (f" x{r.errors}" if r.errors else ""), _when(r.last_poll),
         "never" if r.status == "gone" else _when(r.next_poll), str(r.articles), r.last_error or r.note or "")
        for r in rows
    ]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header) - 1)]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths)) + "  " + line[-1] for line in lines)
