"""digest.md: the page a person takes in at a glance; [n] markers number the sources list."""

from __future__ import annotations

from .edition import coverage_line, new_since, shown_time, timeline
from .schema import CitationModel, DigestReport
from .templating import env


def render_markdown(report: DigestReport, divergence_limit: int = 8) -> str:
    """A page a person takes in at a glance; [n] markers number the sources list."""
    number = {a.id: i + 1 for i, a in enumerate(report.articles)}
    title_of = {a.id: a.title for a in report.articles}
    # The outlet beside each [n], so a reader sees who says it without looking it up.
    tag = {a.id: f"[{number[a.id]} · {a.outlet}]" if a.outlet else f"[{number[a.id]}]" for a in report.articles}

    def marks(citations: list[CitationModel]) -> str:
        ids = sorted({c.article for c in citations if c.article in number}, key=number.__getitem__)
        return "".join(tag[i] for i in ids)

    def sources(article_ids: list[str]) -> str:
        return ", ".join(tag[a] for a in article_ids if a in number)

    return env.get_template("digest.md.j2").render(
        report=report, marks=marks, sources=sources, number=number, title_of=title_of,
        divergence_limit=divergence_limit, label=new_since(report), coverage_line=coverage_line,
        shown_time=lambda stamp: shown_time(stamp, report), timeline=lambda story: timeline(story, report),
    )
