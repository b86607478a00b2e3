"""Renderers for readers and feed readers: index.html, feed.atom (Atom 1.0), feed.json (JSON Feed 1.1).

Everything here reads the `DigestReport` only. Article text is untrusted: the HTML is rendered
with autoescaping and a Content-Security-Policy that forbids scripts, and links are kept only
for http(s) URLs.
"""

from __future__ import annotations

import json
import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined

from .formats import safe_url
from .report import ArticleModel, CitationModel, DigestReport, StoryModel

ATOM_NS = "http://www.w3.org/2005/Atom"
JSONFEED_VERSION = "https://jsonfeed.org/version/1.1"
FEED_TITLE = "News digest"
# Entry ids are UUIDv5 of the story id under this namespace: the same story (same article ids)
# keeps its id across runs, and no two newsdigest stories share one.
_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:newsdigest:story")
# Characters XML 1.0 forbids even when escaped; a stray one would make the whole feed unreadable.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

_env = Environment(
    loader=PackageLoader("pipeline", "templates"),
    autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    keep_trailing_newline=True,
)
# The body of a feed entry: plain markup, since feed readers drop styles and inputs.
_ENTRY = _env.from_string("""\
<p>{% for s in story.digest.sentences %}{{ s.text }}{% for g in cite_groups(s.citations) %} [{{ g.source.number }}]{% endfor %} {% endfor %}</p>
{% if story.divergences %}
<h3>Where the sources diverge</h3>
<ul>
{% for d in story.divergences %}
<li><strong>{{ d.kind | capitalize }}: {{ d.topic }}{{ "" if d.topic.endswith(".") else "." }}</strong> {{ d.summary }}<ul>
{% for p in d.positions %}<li>{% for src in sources(p.article_ids) %}[{{ src.number }}] {% endfor %}{{ p.text }}</li>
{% endfor %}</ul></li>
{% endfor %}
</ul>
{% endif %}
<h3>Sources</h3>
<ol>
{% for src in sources(story.article_ids) %}
<li value="{{ src.number }}">{% if src.url %}<a href="{{ src.url }}" rel="noopener noreferrer">{{ src.article.title }}</a>{% else %}{{ src.article.title }}{% endif %}{% if src.article.outlet or src.article.published %} ({{ src.label }}){% endif %}</li>
{% endfor %}
</ol>
""")


@dataclass(frozen=True)
class Source:
    """An article as a numbered source: what the page shows beside each [n]."""

    number: int
    article: ArticleModel
    url: str | None  # http(s) only

    @property
    def host(self) -> str:
        host = (urlsplit(self.url).hostname or "") if self.url else ""
        return host.removeprefix("www.")

    @property
    def label(self) -> str:
        """'CNBC, 2021-06-28' or the title when the source has no outlet."""
        parts = [p for p in (self.article.outlet, self.article.published) if p]
        return ", ".join(parts) if parts else self.article.title


@dataclass(frozen=True)
class CiteGroup:
    """The sentences of one source that one digest sentence (or position) cites."""

    source: Source
    sentences: tuple[str, ...]

    @property
    def tooltip(self) -> str:
        quoted = " … ".join(f"“{s}”" for s in self.sentences) or "(cited sentence not in the report)"
        return f"[{self.source.number}] {self.source.label}: {quoted}"


class _Sources:
    def __init__(self, report: DigestReport) -> None:
        self.by_id = {
            a.id: Source(i + 1, a, safe_url(a.url)) for i, a in enumerate(report.articles)
        }

    def of(self, article_ids: list[str]) -> list[Source]:
        return sorted((self.by_id[a] for a in article_ids if a in self.by_id), key=lambda s: s.number)

    def cite_groups(self, citations: list[CitationModel]) -> list[CiteGroup]:
        grouped: dict[str, list[int]] = {}
        for c in citations:
            if c.article in self.by_id:
                grouped.setdefault(c.article, [])
                if c.sentence not in grouped[c.article]:
                    grouped[c.article].append(c.sentence)
        groups = []
        for article_id, indexes in grouped.items():
            source = self.by_id[article_id]
            sentences = source.article.sentences
            groups.append(CiteGroup(source, tuple(sentences[i] for i in sorted(indexes) if i < len(sentences))))
        return sorted(groups, key=lambda g: g.source.number)


# --- index.html --------------------------------------------------------------

def render_html(report: DigestReport, divergence_limit: int = 8) -> str:
    """One self-contained page: no scripts, no external assets, readable on a phone."""
    sources = _Sources(report)
    return _env.get_template("index.html.j2").render(
        report=report, sources=sources.of, cite_groups=sources.cite_groups,
        divergence_limit=max(0, divergence_limit), anchor=_anchor,
    )


def _anchor(index: int) -> str:
    # Anchors come from positions, never from titles or ids, so nothing from an article names them.
    return f"story-{index}"


# --- feed.atom ----------------------------------------------------------------

def entry_id(story: StoryModel) -> str:
    """Stable across runs: story ids are hashes of their article ids."""
    return f"urn:uuid:{uuid.uuid5(_ID_NAMESPACE, story.id)}"


def render_atom(report: DigestReport) -> str:
    """Atom 1.0: one entry per story; `updated` is the run's time, ids never change."""
    ET.register_namespace("", ATOM_NS)
    updated = _rfc3339(report.generated_at)
    sources = _Sources(report)
    feed = ET.Element(_atom("feed"))
    _sub(feed, "title", FEED_TITLE)
    _sub(feed, "subtitle", _counts(report))
    _sub(feed, "id", f"urn:uuid:{uuid.uuid5(_ID_NAMESPACE, 'feed')}")
    _sub(feed, "updated", updated)
    _sub(_sub(feed, "author"), "name", "newsdigest")
    _sub(feed, "generator", "newsdigest")
    for story in report.stories:
        entry = _sub(feed, "entry")
        _sub(entry, "id", entry_id(story))
        _sub(entry, "title", story.title or "Untitled story")
        _sub(entry, "updated", updated)
        for source in sources.of(story.article_ids):
            if source.url:
                _sub(entry, "link", rel="related", href=source.url, title=source.article.title)
        if story.digest.sentences:
            _sub(entry, "summary", story.digest.sentences[0].text)
        _sub(entry, "content", _story_html(story, sources), type="html")
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"


def _atom(tag: str) -> str:
    return f"{{{ATOM_NS}}}{tag}"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, _atom(tag), {k: _xml_text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = _xml_text(text)
    return element


def _xml_text(text: str) -> str:
    return _XML_ILLEGAL.sub("", text)


def _rfc3339(stamp: str) -> str:
    when = datetime.fromisoformat(stamp)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _counts(report: DigestReport) -> str:
    n_articles, n_stories = len(report.articles), len(report.stories)
    return (f"{n_articles} {'article' if n_articles == 1 else 'articles'}, "
            f"{n_stories} {'story' if n_stories == 1 else 'stories'}")


def _story_html(story: StoryModel, sources: _Sources) -> str:
    """The entry body feed readers show: digest, divergences, sources (escaped; readers sanitise too)."""
    return _ENTRY.render(story=story, sources=sources.of, cite_groups=sources.cite_groups).strip()


# --- feed.json ----------------------------------------------------------------

def render_jsonfeed(report: DigestReport) -> str:
    """JSON Feed 1.1 with the same item ids as the Atom feed; sources under `_newsdigest`."""
    updated = _rfc3339(report.generated_at)
    sources = _Sources(report)
    items = []
    for story in report.stories:
        story_sources = sources.of(story.article_ids)
        items.append({
            "id": entry_id(story),
            "title": story.title or "Untitled story",
            "content_html": _story_html(story, sources),
            "content_text": story.digest.text,
            "summary": story.digest.sentences[0].text if story.digest.sentences else "",
            "date_modified": updated,
            "authors": [{"name": n} for n in dict.fromkeys(s.article.outlet for s in story_sources if s.article.outlet)],
            "tags": sorted({d.kind for d in story.divergences}),
            "_newsdigest": {
                "story_id": story.id,
                "divergences": len(story.divergences),
                "sources": [
                    {"number": s.number, "article_id": s.article.id, "title": s.article.title,
                     "outlet": s.article.outlet, "published": s.article.published, "url": s.url}
                    for s in story_sources
                ],
            },
        })
        if not items[-1]["authors"]:
            del items[-1]["authors"]
    feed = {
        "version": JSONFEED_VERSION,
        "title": FEED_TITLE,
        "description": _counts(report) + f", generated {updated}",
        "authors": [{"name": "newsdigest"}],
        "items": items,
    }
    return json.dumps(feed, ensure_ascii=False, indent=2) + "\n"


__all__ = ["entry_id", "render_atom", "render_html", "render_jsonfeed"]
