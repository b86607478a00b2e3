"""The report in each output format a run asks for: file name -> text."""

from __future__ import annotations

import json
from collections.abc import Sequence

from .atom import render_atom
from .html import render_html
from .jsonfeed import render_jsonfeed
from .markdown import render_markdown
from .schema import DigestReport


def render_json(report: DigestReport) -> str:
    return json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"


def render_files(report: DigestReport, formats: Sequence[str], divergence_limit: int) -> dict[str, str]:
    """Only the formats asked for; Markdown and JSON are the default pair."""
    files = {}
    if "json" in formats:
        files["digest.json"] = render_json(report)
    if "md" in formats:
        files["digest.md"] = render_markdown(report, divergence_limit)
    if "html" in formats:
        files["index.html"] = render_html(report, divergence_limit)
    if "atom" in formats:
        files["feed.atom"] = render_atom(report)
    if "jsonfeed" in formats:
        files["feed.json"] = render_jsonfeed(report)
    return files
