"""The `newsdigest` command line: parse options, call one core function, map errors to exit codes."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer

from .errors import NewsdigestError

EXIT_CODES = """\b
Exit codes:
  0   success (also when some inputs were skipped; see warnings)
  1   failure (e.g. a model cannot be loaded)
  2   usage or configuration error
  66  no usable input
  73  output folder cannot be written
  75  another run holds the output folder's lock"""

app = typer.Typer(
    add_completion=False, no_args_is_help=True, epilog=EXIT_CODES,
    help="Digests of news articles that show where the sources diverge.",
)


class Output:
    """Results go to stdout; logs and warnings to stderr, unless --quiet."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self._live_console = None  # set while a progress bar owns the terminal

    def log(self, message: str) -> None:
        if self.quiet:
            return
        if self._live_console is not None:
            self._live_console.print(message, markup=False, highlight=False)
        else:
            typer.echo(message, err=True)

    def error(self, message: str) -> None:
        typer.echo(f"newsdigest: error: {message}", err=True)

    @contextmanager
    def progress(self) -> Iterator[Callable[[str, int, int], None]]:
        """A progress bar on stderr when it is a terminal; otherwise nothing (cron, pipes)."""
        if self.quiet or not sys.stderr.isatty():
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
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Files or folders of articles (.txt, .md).")] = None,
    out: Annotated[Path, typer.Option("--out", help="Output folder: runs/<time>/ and latest -> it.")] = Path("outputs"),
    config: Annotated[Optional[Path], typer.Option("--config", help="A TOML settings file (see configs/).")] = None,
    set_: Annotated[Optional[list[str]], typer.Option("--set", help="Override a setting: key=value (repeatable).")] = None,
    formats: Annotated[Optional[str], typer.Option("--format", help="Comma-separated: md,json.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print errors only.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report JSON to stdout.")] = False,
) -> None:
    """Summarise articles per article and per story, with where the sources diverge."""
    from .config import load_settings
    from .run import summarise_paths

    output = Output(quiet)
    _quiet_libraries()
    overrides = list(set_ or [])
    if formats:
        overrides.append("output.formats=" + json.dumps([f.strip() for f in formats.split(",") if f.strip()]))
    try:
        settings = load_settings(config, overrides)
        with output.progress() as progress:
            result = summarise_paths(paths or [Path("seeds")], settings, out, log=output.log, progress=progress)
    except NewsdigestError as exc:
        output.error(str(exc))
        raise typer.Exit(exc.exit_code) from None
    if as_json:
        typer.echo(result.report.model_dump_json(indent=2))
    elif result.run_dir is not None:
        output.log(f"wrote {result.run_dir} ({result.report.timings['total_s']:.1f} s)")


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
    show_progress = not quiet and sys.stderr.isatty()
    try:
        settings = load_settings(config, overrides)
        if show_progress:
            from rich.console import Console
            from rich.progress import Progress

            with Progress(console=Console(stderr=True), transient=True) as bar:
                task = bar.add_task("eval", total=None)
                result = evaluate(
                    path, settings, limit=limit, words=words, match_reference_length=match_reference_length,
                    peers=peer_list, progress=lambda done, total: bar.update(task, completed=done, total=total),
                    log=output.log,
                )
        else:
            result = evaluate(
                path, settings, limit=limit, words=words, match_reference_length=match_reference_length,
                peers=peer_list, log=output.log,
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
