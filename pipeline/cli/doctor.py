"""`newsdigest doctor`: print each check of `doctor.run_checks` and what to fix; exit 1 if any fails."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .app import app
from .errors import exit_on_error
from .libraries import quiet_libraries
from .output import Output, check_log_format


@app.command()
def doctor(
    out: Annotated[Path, typer.Option("--out", help="Output folder to check.")] = Path("outputs"),
    config: Annotated[Optional[Path], typer.Option("--config", help="A TOML settings file.")] = None,
    set_: Annotated[Optional[list[str]], typer.Option("--set", help="Override a setting: key=value.")] = None,
    cache_dir: Annotated[Optional[Path], typer.Option("--cache-dir", help="Cache folder to check.")] = None,
    log_format: Annotated[str, typer.Option("--log-format", help="text or json (one object per line).")] = "text",
) -> None:
    """Check models, cache and output folders and offline settings; print what to fix. Exit 1 if any fails."""
    from ..config import load_settings
    from ..doctor import run_checks
    from ..models.loaders import default_cache_dir

    quiet_libraries()
    with exit_on_error(Output(False, log_format)):
        check_log_format(log_format)
        checks = run_checks(load_settings(config, list(set_ or [])), out, cache_dir or default_cache_dir())
    for check in checks:
        typer.echo(f"{'ok  ' if check.ok else 'FAIL'}  {check.name}: {check.detail}")
        if not check.ok and check.fix:
            typer.echo(f"      fix: {check.fix}")
    failed = sum(not c.ok for c in checks)
    typer.echo(f"{len(checks) - failed} ok, {failed} failed")
    raise typer.Exit(1 if failed else 0)
