"""Numbered sources shared by the HTML page and the feeds: what is shown beside each [n], stable
entry ids, and the HTML body of one story as feed readers show it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..clock import parse_utc, utc_stamp
from ..urls import safe_url
from .schema import ArticleModel, CitationModel, DigestReport, StoryModel
from .templating import env

FEED_TITLE = "News digest"
# Entry ids are UUIDv5 of the story id under this namespace: the same story (same article ids)
# keeps its id across runs, and no two newsdigest stories share one.
ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:newsdigest:story")
# The body of a feed entry: plain markup, since feed readers drop styles and inputs.
_ENTRY = env.from_string("""\
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


class Sources:
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


def entry_id(story: StoryModel) -> str:
    """Stable across runs: story ids are hashes of their article ids."""
    return f"urn:uuid:{uuid.uuid5(ID_NAMESPACE, story.id)}"


def rfc3339(stamp: str) -> str:
    return utc_stamp(parse_utc(stamp))


def counts(report: DigestReport) -> str:
    n_articles, n_stories = len(report.articles), len(report.stories)
    return (f"{n_articles} {'article' if n_articles == 1 else 'articles'}, "
            f"{n_stories} {'story' if n_stories == 1 else 'stories'}")


def story_html(story: StoryModel, sources: Sources) -> str:
    """The entry body feed readers show: digest, divergences, sources (escaped; readers sanitise too)."""
    return _ENTRY.render(story=story, sources=sources.of, cite_groups=sources.cite_groups).strip()
