"""The report in each output format a run asks for: file name -> text."""

from __future__ import annotations

import json
from collections.abc import Sequence

from .archive import SUMMARY_NAME, edition_summary
from .atom import render_atom
from .eml import render_eml
from .html import render_html
from .jsonfeed import render_jsonfeed
from .markdown import render_markdown
from .schema import DigestReport


def render_json(report: DigestReport) -> str:
    return json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"


def render_files(report: DigestReport, formats: Sequence[str], divergence_limit: int,
                 previous_href: str | None = None, mail: tuple[str, str] | None = None) -> dict[str, str]:
    """Only the formats asked for; Markdown and JSON are the default pair. `previous_href` links the
    previous edition's page from index.html; `mail` is (From, To) of digest.eml."""
    files = {}
    if "json" in formats:
        files["digest.json"] = render_json(report)
    if "md" in formats:
        files["digest.md"] = render_markdown(report, divergence_limit)
    if "html" in formats:
        # An edition's page lives in OUT/runs/<time>/, the archive in OUT/; plain runs link neither.
        edition = report.edition is not None
        files["index.html"] = render_html(report, divergence_limit, previous_href if edition else None,
                                          "../../archive.html" if edition else None)
    if "eml" in formats:
        sender, recipient = mail or ("newsdigest@localhost", "newsdigest@localhost")
        files["digest.eml"] = render_eml(report, files.get("digest.md") or render_markdown(report, divergence_limit),
                                         render_html(report, divergence_limit), sender, recipient)
    if report.edition is not None:
        files[SUMMARY_NAME] = edition_summary(report)
    if "atom" in formats:
        files["feed.atom"] = render_atom(report)
    if "jsonfeed" in formats:
        files["feed.json"] = render_jsonfeed(report)
    return files
