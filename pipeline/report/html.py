"""index.html: one self-contained page (no scripts, no external assets, readable on a phone).

Article text is untrusted: the page is rendered with autoescaping and a Content-Security-Policy
that forbids scripts, and links are kept only for http(s) URLs.
"""

from __future__ import annotations

from .schema import DigestReport
from .sources import Sources
from .templating import env


def render_html(report: DigestReport, divergence_limit: int = 8) -> str:
    """One self-contained page: no scripts, no external assets, readable on a phone."""
    sources = Sources(report)
    return env.get_template("index.html.j2").render(
        report=report, sources=sources.of, cite_groups=sources.cite_groups,
        divergence_limit=max(0, divergence_limit), anchor=_anchor,
    )


def _anchor(index: int) -> str:
    # Anchors come from positions, never from titles or ids, so nothing from an article names them.
    return f"story-{index}"
