"""What the renderers show of an edition: times in the edition's zone, "new since" labels, each story's
timeline (its articles in time order) and its coverage by source tag."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from ..urls import safe_url
from .schema import ArticleModel, DigestReport, StoryModel, TagCoverageModel


def zone_of(report: DigestReport) -> tzinfo | None:
    """The zone of the edition's times (the offset its `until` carries); None outside editions."""
    if report.edition is None:
        return None
    return datetime.fromisoformat(report.edition.until).tzinfo


def shown_time(stamp: str | None, report: DigestReport, with_date: bool = True) -> str:
    """'2026-12-02 14:00' (or '14:00') in the edition's zone; other dates as given."""
    if not stamp:
        return ""
    moment = _parse(stamp)
    if moment is None:
        return stamp
    zone = zone_of(report)
    if zone is not None:
        moment = moment.astimezone(zone)
    return moment.strftime("%Y-%m-%d %H:%M" if with_date else "%H:%M")


def new_since(report: DigestReport) -> str:
    """'new since 14:00' ('new since 2026-12-01 14:00' across days); '' without a previous edition."""
    edition = report.edition
    if edition is None or edition.previous is None:
        return ""
    same_day = edition.previous[:10] == edition.until[:10]
    return f"new since {shown_time(edition.previous, report, with_date=not same_day)}"


@dataclass(frozen=True)
class TimelineEntry:
    time: str
    outlet: str
    title: str
    url: str | None
    new: bool


def timeline(story: StoryModel, report: DigestReport) -> list[TimelineEntry]:
    """The story's articles in time order (undated ones last, in report order)."""
    by_id = {a.id: a for a in report.articles}
    new = set(story.new_article_ids)
    articles = [by_id[a] for a in story.article_ids if a in by_id]

    def key(article_index: tuple[int, ArticleModel]) -> tuple[int, float, int]:
        index, article = article_index
        moment = _parse(article.published or "", dates_too=True)
        return (0, moment.timestamp(), index) if moment else (1, 0.0, index)

    ordered = [a for _, a in sorted(enumerate(articles), key=key)]
    return [TimelineEntry(shown_time(a.published, report), a.outlet or a.source or "", a.title, safe_url(a.url),
                          a.id in new) for a in ordered]


def coverage_line(coverage: TagCoverageModel) -> str:
    """'lean: left 3 · center 1 · right 0'."""
    return f"{coverage.tag}: " + " · ".join(f"{value} {count}" for value, count in coverage.counts.items())


def _parse(stamp: str, dates_too: bool = False) -> datetime | None:
    """An ISO time in the text as an aware time (UTC when it names no zone); a plain date only if `dates_too`
    (it sorts, but is shown as given: it names no time of day to convert)."""
    text = stamp.strip().replace("Z", "+00:00")
    if len(text) <= 10 and not dates_too:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
