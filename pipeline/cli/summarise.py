"""`newsdigest summarise`: a thin wrapper around `run.summarise_paths`."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from ..errors import ConfigError
from .app import EXIT_CODES, app
from .errors import exit_on_error, stop_cleanly
from .libraries import quiet_libraries
from .output import Output, check_log_format

if TYPE_CHECKING:
    from ..config import Settings
    from ..engine import OpenEngine
    from ..ingest import StoreQuery


@app.command(epilog=EXIT_CODES)
def summarise(
    paths: Annotated[Optional[list[str]], typer.Argument(help="Files or folders of articles: .txt .md .html .json .jsonl and RSS/Atom (.rss .atom .xml); http(s) URLs of feeds or pages.")] = None,
    out: Annotated[Path, typer.Option("--out", help="Output folder: runs/<time>/ and latest -> it.")] = Path("outputs"),
    config: Annotated[Optional[Path], typer.Option("--config", help="A TOML settings file (see configs/).")] = None,
    set_: Annotated[Optional[list[str]], typer.Option("--set", help="Override a setting: key=value (repeatable).")] = None,
    formats: Annotated[Optional[str], typer.Option("--format", help="Comma-separated: md,json,html,atom,jsonfeed,eml [default: md,json].")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print errors only.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report JSON to stdout.")] = False,
    cache_dir: Annotated[Optional[Path], typer.Option(
        "--cache-dir", help="Cache folder (default: $NEWSDIGEST_CACHE_DIR, else $XDG_CACHE_HOME/newsdigest).")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Recompute everything; read and write no cache.")] = False,
    wait: Annotated[float, typer.Option("--wait", help="If another run holds the output folder, wait up to SECONDS.")] = 0.0,
    keep: Annotated[int, typer.Option("--keep", min=1, help="Keep the newest N run folders, delete older ones.")] = 30,
    log_format: Annotated[str, typer.Option("--log-format", help="text or json (one object per line).")] = "text",
    device: Annotated[Optional[str], typer.Option(
        "--device", help="auto (a CUDA GPU when present), cpu or cuda [default: models.device, auto].")] = None,
    engine: Annotated[str, typer.Option(
        "--engine", help="local (this process) or ray (Ray Data; needs pip install 'newsdigest\\[ray]').")] = "local",
    ray_address: Annotated[Optional[str], typer.Option(
        "--ray-address", help="--engine ray: auto (a running cluster here) or ray://host:10001 (default: start one).")] = None,
    workers: Annotated[Optional[int], typer.Option(
        "--workers", min=1, help="--engine ray: actors per stage (default: the cluster's CPUs).")] = None,
    store: Annotated[Optional[Path], typer.Option(
        "--store", help="Also digest the article store's articles (see `newsdigest fetch`); --since/--until pick a window.")] = None,
    since: Annotated[Optional[str], typer.Option(
        "--since", help="Store articles published (else first seen) at or after: 90m, 24h, 7d or an ISO time [default: edition.window before --until]. Implies the store.")] = None,
    until: Annotated[Optional[str], typer.Option(
        "--until", help="Store articles published (else first seen) before: a duration back from now or an ISO time.")] = None,
) -> None:
    """Summarise articles per article and per story, with where the sources diverge."""
    from ..config import load_settings
    from ..models.loaders import default_cache_dir
    from ..run import summarise_paths

    output = Output(quiet, log_format)
    quiet_libraries()
    overrides = list(set_ or [])
    if formats:
        overrides.append("output.formats=" + json.dumps([f.strip() for f in formats.split(",") if f.strip()]))
    if device:
        overrides.append(f"models.device={device}")
    with exit_on_error(output):
        check_log_format(log_format)
        settings = load_settings(config, overrides)
        open_engine = _engine(engine, ray_address, workers)
        files, urls = _split(paths or [])
        query = _store_query(store, since, until, settings)
        if not files and not urls and query is None:
            files = [Path("seeds")]
        with stop_cleanly(), output.progress() as progress:
            result = summarise_paths(
                files, settings, out, cache_dir=None if no_cache else (cache_dir or default_cache_dir()),
                progress=progress, wait_s=wait, keep=keep, engine=open_engine, urls=urls, store=query,
            )
    if as_json:
        typer.echo(result.report.model_dump_json(indent=2))
    elif result.run_dir is not None:
        output.log(f"wrote {result.run_dir} ({result.report.timings['total_s']:.1f} s)")


def _split(paths: list[str]) -> tuple[list[Path], list[str]]:
    """http(s) URLs are fetched; everything else is a file or folder."""
    urls = [p for p in paths if p.startswith(("http://", "https://"))]
    return [Path(p) for p in paths if p not in urls], urls


def _store_query(store: Path | None, since: str | None, until: str | None, settings: Settings) -> StoreQuery | None:
    from ..config import parse_moment
    from ..ingest import StoreQuery
    from ..store import default_store_path, utc_iso

    if store is None and since is None and until is None:
        return None
    edges = []
    for flag, value in (("--until", until), ("--since", since)):
        try:
            edges.append(parse_moment(value) if value else None)
        except ValueError as exc:
            raise ConfigError(f"{flag}: {exc}") from None
    end, start = edges
    if start is None:
        # An edition without --since covers edition.window before its end.
        start = (end or datetime.now(timezone.utc)) - timedelta(seconds=settings.edition.window)
    return StoreQuery(store if store is not None else default_store_path(settings.store.path), utc_iso(start),
                      utc_iso(end) if end else None)


def _engine(name: str, ray_address: str | None, workers: int | None) -> OpenEngine | None:
    """The `OpenEngine` for --engine; None is the local one. Ray options without Ray are a mistake."""
    if name == "ray":
        from ..engine.ray import open_ray_engine

        return open_ray_engine(ray_address, workers)
    if name != "local":
        raise ConfigError(f"--engine must be local or ray, not {name!r}")
    if ray_address is not None or workers is not None:
        raise ConfigError("--ray-address and --workers need --engine ray")
    return None
