"""digest.md: the page a person takes in at a glance; [n] markers number the sources list."""

from __future__ import annotations

from .schema import CitationModel, DigestReport
from .templating import env


def render_markdown(report: DigestReport, divergence_limit: int = 8) -> str:
    """A page a person takes in at a glance; [n] markers number the sources list."""
    number = {a.id: i + 1 for i, a in enumerate(report.articles)}
    title_of = {a.id: a.title for a in report.articles}

    def marks(citations: list[CitationModel]) -> str:
        nums = sorted({number[c.article] for c in citations if c.article in number})
        return "".join(f"[{n}]" for n in nums)

    def sources(article_ids: list[str]) -> str:
        return ", ".join(f"[{number[a]}]" for a in article_ids if a in number)

    return env.get_template("digest.md.j2").render(
        report=report, marks=marks, sources=sources, number=number, title_of=title_of,
        divergence_limit=divergence_limit,
    )
