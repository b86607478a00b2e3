"""The `newsdigest` command line: parse options, call one core function, map errors to exit codes."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from .errors import ConfigError, Interrupted, NewsdigestError

if TYPE_CHECKING:
    from .run import OpenEngine

EXIT_CODES = """\b
Exit codes:
  0   success (also when some inputs were skipped; see warnings)
  1   failure (e.g. a model cannot be loaded)
  2   usage or configuration error
  66  no usable input
  73  output folder cannot be written
  75  another run holds the output folder's lock
  130 interrupted (Ctrl-C), 143 terminated (SIGTERM)"""

app = typer.Typer(
    add_completion=False, no_args_is_help=True, epilog=EXIT_CODES,
    help="Digests of news articles that show where the sources diverge.",
)


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


@app.command(epilog=EXIT_CODES)
def summarise(
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Files or folders of articles: .txt .md .html .json .jsonl and RSS/Atom (.rss .atom .xml).")] = None,
    out: Annotated[Path, typer.Option("--out", help="Output folder: runs/<time>/ and latest -> it.")] = Path("outputs"),
    config: Annotated[Optional[Path], typer.Option("--config", help="A TOML settings file (see configs/).")] = None,
    set_: Annotated[Optional[list[str]], typer.Option("--set", help="Override a setting: key=value (repeatable).")] = None,
    formats: Annotated[Optional[str], typer.Option("--format", help="Comma-separated: md,json,html,atom,jsonfeed [default: md,json].")] = None,
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
) -> None:
    """Summarise articles per article and per story, with where the sources diverge."""
    from .config import load_settings
    from .models.loaders import default_cache_dir
    from .run import summarise_paths

    output = Output(quiet, log_format)
    _quiet_libraries()
    overrides = list(set_ or [])
    if formats:
        overrides.append("output.formats=" + json.dumps([f.strip() for f in formats.split(",") if f.strip()]))
    if device:
        overrides.append(f"models.device={device}")
    try:
        if log_format not in ("text", "json"):
            raise ConfigError(f"--log-format must be text or json, not {log_format!r}")
        settings = load_settings(config, overrides)
        open_engine = _engine(engine, ray_address, workers)
        with _stop_cleanly(), output.progress() as progress:
            result = summarise_paths(
                paths or [Path("seeds")], settings, out, cache_dir=None if no_cache else (cache_dir or default_cache_dir()),
                log=output.log, progress=progress, wait_s=wait, keep=keep, engine=open_engine,
            )
    except NewsdigestError as exc:
        output.error(str(exc))
        raise typer.Exit(exc.exit_code) from None
    except Interrupted as exc:
        output.error(f"{exc}; nothing was published, the previous output is intact")
        raise typer.Exit(exc.exit_code) from None
    if as_json:
        typer.echo(result.report.model_dump_json(indent=2))
    elif result.run_dir is not None:
        output.log(f"wrote {result.run_dir} ({result.report.timings['total_s']:.1f} s)")


def _engine(name: str, ray_address: str | None, workers: int | None) -> OpenEngine | None:
    """The `OpenEngine` for --engine; None is the local one. Ray options without Ray are a mistake."""
    if name == "ray":
        from .engine_ray import open_ray_engine

        return open_ray_engine(ray_address, workers)
    if name != "local":
        raise ConfigError(f"--engine must be local or ray, not {name!r}")
    if ray_address is not None or workers is not None:
        raise ConfigError("--ray-address and --workers need --engine ray")
    return None


@app.command()
def doctor(
    out: Annotated[Path, typer.Option("--out", help="Output folder to check.")] = Path("outputs"),
    config: Annotated[Optional[Path], typer.Option("--config", help="A TOML settings file.")] = None,
    set_: Annotated[Optional[list[str]], typer.Option("--set", help="Override a setting: key=value.")] = None,
    cache_dir: Annotated[Optional[Path], typer.Option("--cache-dir", help="Cache folder to check.")] = None,
) -> None:
    """Check models, cache and output folders and offline settings; print what to fix. Exit 1 if any fails."""
    from .config import load_settings
    from .doctor import run_checks
    from .models.loaders import default_cache_dir

    _quiet_libraries()
    try:
        checks = run_checks(load_settings(config, list(set_ or [])), out, cache_dir or default_cache_dir())
    except NewsdigestError as exc:
        Output(False).error(str(exc))
        raise typer.Exit(exc.exit_code) from None
    for check in checks:
        typer.echo(f"{'ok  ' if check.ok else 'FAIL'}  {check.name}: {check.detail}")
        if not check.ok and check.fix:
            typer.echo(f"      fix: {check.fix}")
    failed = sum(not c.ok for c in checks)
    typer.echo(f"{len(checks) - failed} ok, {failed} failed")
    raise typer.Exit(1 if failed else 0)


@app.command()
def schema() -> None:
    """Print the JSON Schema of digest.json."""
    from .report import json_schema

    typer.echo(json.dumps(json_schema(), indent=2))


@app.command("eval", epilog=EXIT_CODES)
def eval_(
    path: Annotated[Path, typer.Argument(help="Story clusters with references: Multi-News .csv, AllSides X.source (+ X.target), or .jsonl.")],
    limit: Annotated[Optional[int], typer.Option("--limit", help="Score only the first N clusters.")] = None,
    words: Annotated[Optional[int], typer.Option("--words", help="Story word budget for every cluster.")] = None,
    match_reference_length: Annotated[bool, typer.Option(
        "--match-reference-length", help="Word budget per cluster = the reference's word count.")] = False,
    mode: Annotated[Optional[str], typer.Option("--mode", help="extractive | hybrid | abstractive (default: configured).")] = None,
    peers: Annotated[str, typer.Option("--peers", help="Comma-separated peers: lead,lexrank,generator ('' for none).")] = "lead,lexrank",
    config: Annotated[Optional[Path], typer.Option("--config", help="A TOML settings file (see configs/).")] = None,
    set_: Annotated[Optional[list[str]], typer.Option("--set", help="Override a setting: key=value (repeatable).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as one JSON object.")] = False,
    out_md: Annotated[Optional[Path], typer.Option("--out", help="Also write the Markdown table to this file.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print errors only.")] = False,
) -> None:
    """Score story digests against reference summaries (ROUGE, faithfulness, length, time), beside peers."""
    from .config import load_settings
    from .errors import OutputError
    from .evaluate import evaluate, render_json, render_markdown

    output = Output(quiet)
    _quiet_libraries()
    overrides = list(set_ or [])
    if mode:
        overrides.append(f"summary.mode={mode}")
    peer_list = [p.strip() for p in peers.split(",") if p.strip() and p.strip() != "none"]
    try:
        settings = load_settings(config, overrides)
        with output.progress() as progress:
            result = evaluate(
                path, settings, limit=limit, words=words, match_reference_length=match_reference_length,
                peers=peer_list, progress=lambda done, total: progress("eval", done, total), log=output.log,
            )
        markdown = render_markdown(result)
        if out_md is not None:
            try:
                out_md.write_text(markdown, encoding="utf-8")
            except OSError as exc:
                raise OutputError(f"cannot write {out_md}: {exc.strerror or exc}") from None
    except NewsdigestError as exc:
        output.error(str(exc))
        raise typer.Exit(exc.exit_code) from None
    typer.echo(render_json(result) if as_json else markdown)


@contextmanager
def _stop_cleanly() -> Iterator[None]:
    """Turn SIGTERM and SIGINT into an exception, so locks and temporary folders are released."""
    import signal

    def stop(signum: int, _frame: object) -> None:
        raise Interrupted(signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _quiet_libraries() -> None:
    """Third-party progress bars and advisories would drown our own stderr."""
    import os

    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    logging.getLogger("transformers").setLevel(logging.ERROR)
    logging.getLogger("sentence_transformers").setLevel(logging.ERROR)


def main() -> None:
    app()


if __name__ == "__main__":
    sys.exit(main())
