"""feed.atom: Atom 1.0, one entry per story, ids stable across runs."""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET

from .schema import DigestReport
from .sources import ID_NAMESPACE, FEED_TITLE, Sources, counts, entry_id, rfc3339, story_html

ATOM_NS = "http://www.w3.org/2005/Atom"
# Characters XML 1.0 forbids even when escaped; a stray one would make the whole feed unreadable.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def render_atom(report: DigestReport) -> str:
    """Atom 1.0: one entry per story; ids never change. In an edition an entry's `updated` is the
    last edition in which its story gained articles, so readers see it again only when it changed;
    outside editions it is the run's time."""
    ET.register_namespace("", ATOM_NS)
    updated = rfc3339(report.generated_at)
    sources = Sources(report)
    feed = ET.Element(_atom("feed"))
    _sub(feed, "title", FEED_TITLE)
    _sub(feed, "subtitle", counts(report))
    _sub(feed, "id", f"urn:uuid:{uuid.uuid5(ID_NAMESPACE, 'feed')}")
    _sub(feed, "updated", updated)
    _sub(_sub(feed, "author"), "name", "newsdigest")
    _sub(feed, "generator", "newsdigest")
    for story in report.stories:
        entry = _sub(feed, "entry")
        _sub(entry, "id", entry_id(story))
        _sub(entry, "title", story.title or "Untitled story")
        _sub(entry, "updated", rfc3339(story.updated) if story.updated else updated)
        if story.first_seen:
            _sub(entry, "published", rfc3339(story.first_seen))
        for source in sources.of(story.article_ids):
            if source.url:
                _sub(entry, "link", rel="related", href=source.url, title=source.article.title)
        if story.digest.sentences:
            _sub(entry, "summary", story.digest.sentences[0].text)
        _sub(entry, "content", story_html(story, sources), type="html")
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
