"""index.html: one self-contained page (no scripts, no external assets, readable on a phone).

Article text is untrusted: the page is rendered with autoescaping and a Content-Security-Policy
that forbids scripts, and links are kept only for http(s) URLs.
"""

from __future__ import annotations

import hashlib
import re

from markupsafe import Markup, escape

from .edition import coverage_line, new_since, shown_time, timeline
from .schema import DigestReport, StoryModel
from .sources import Sources
from .templating import env

_STORY_ID = re.compile(r"story_[0-9a-f]{6,64}")


def render_html(report: DigestReport, divergence_limit: int = 8, previous_href: str | None = None,
                archive_href: str | None = None) -> str:
    """One self-contained page: no scripts, no external assets, readable on a phone. Editions link
    the previous edition's page and the archive (relative links, given by the publisher)."""
    sources = Sources(report)
    return env.get_template("index.html.j2").render(
        report=report, sources=sources.of, cite_groups=sources.cite_groups,
        divergence_limit=max(0, divergence_limit), anchor=_anchor, highlight=highlight, label=new_since(report),
        coverage_line=coverage_line, shown_time=lambda stamp: shown_time(stamp, report),
        timeline=lambda story: timeline(story, report), previous_href=previous_href, archive_href=archive_href,
    )


def highlight(text: str, words: list[str]) -> Markup:
    """The text, escaped, with each of `words` (a framing item's loaded or hedging words) marked
    wherever it occurs as a whole word, in any case."""
    if not words:
        return escape(text)
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")\b", re.I)
    out, start = [], 0
    for found in pattern.finditer(text):
        out += [escape(text[start:found.start()]), Markup("<mark>"), escape(found.group(0)), Markup("</mark>")]
        start = found.end()
    out.append(escape(text[start:]))
    return Markup("").join(out)


def _anchor(story: StoryModel) -> str:
    # The story id (a hash newsdigest made, kept across editions), so a link to a story keeps working
    # in later editions; anything else is refused, so nothing from an article names an anchor.
    return story.id if _STORY_ID.fullmatch(story.id) else "story-" + hashlib.sha256(story.id.encode()).hexdigest()[:12]
