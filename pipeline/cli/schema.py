"""`newsdigest schema`: the JSON Schema of digest.json."""

from __future__ import annotations

import json

import typer

from .app import app


@app.command()
def schema() -> None:
    """Print the JSON Schema of digest.json."""
    from ..report.schema import json_schema

    typer.echo(json.dumps(json_schema(), indent=2))
