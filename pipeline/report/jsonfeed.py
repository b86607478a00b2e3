"""feed.json: JSON Feed 1.1 with the same item ids as the Atom feed."""

from __future__ import annotations

import json

from .schema import DigestReport
from .sources import FEED_TITLE, Sources, counts, entry_id, rfc3339, story_html

JSONFEED_VERSION = "https://jsonfeed.org/version/1.1"


def render_jsonfeed(report: DigestReport) -> str:
    """JSON Feed 1.1 with the same item ids as the Atom feed; sources under `_newsdigest`."""
    updated = rfc3339(report.generated_at)
    sources = Sources(report)
    items = []
    for story in report.stories:
        story_sources = sources.of(story.article_ids)
        items.append({
            "id": entry_id(story),
            "title": story.title or "Untitled story",
            "content_html": story_html(story, sources),
            "content_text": story.digest.text,
            "summary": story.digest.sentences[0].text if story.digest.sentences else "",
            "date_modified": rfc3339(story.updated) if story.updated else updated,
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
        if story.first_seen:
            items[-1]["date_published"] = rfc3339(story.first_seen)
        if not items[-1]["authors"]:
            del items[-1]["authors"]
    feed = {
        "version": JSONFEED_VERSION,
        "title": FEED_TITLE,
        "description": counts(report) + f", generated {updated}",
        "authors": [{"name": "newsdigest"}],
        "items": items,
    }
    return json.dumps(feed, ensure_ascii=False, indent=2) + "\n"
