"""`newsdigest eval`: a thin wrapper around `eval.evaluate.evaluate`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .app import EXIT_CODES, app
from .errors import exit_on_error
from .libraries import quiet_libraries
from .output import Output, check_log_format


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
    log_format: Annotated[str, typer.Option("--log-format", help="text or json (one object per line).")] = "text",
) -> None:
    """Score story digests against reference summaries (ROUGE, faithfulness, length, time), beside peers."""
    from ..config import load_settings
    from ..errors import OutputError
    from ..eval.evaluate import evaluate
    from ..eval.render import render_json, render_markdown

    output = Output(quiet, log_format)
    quiet_libraries()
    overrides = list(set_ or [])
    if mode:
        overrides.append(f"summary.mode={mode}")
    peer_list = [p.strip() for p in peers.split(",") if p.strip() and p.strip() != "none"]
    with exit_on_error(output):
        check_log_format(log_format)
        settings = load_settings(config, overrides)
        with output.progress() as progress:
            result = evaluate(
                path, settings, limit=limit, words=words, match_reference_length=match_reference_length,
                peers=peer_list, progress=lambda done, total: progress("eval", done, total),
            )
        markdown = render_markdown(result)
        if out_md is not None:
            try:
                out_md.write_text(markdown, encoding="utf-8")
            except OSError as exc:
                raise OutputError(f"cannot write {out_md}: {exc.strerror or exc}") from None
    typer.echo(render_json(result) if as_json else markdown)
