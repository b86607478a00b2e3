"""Editions: stories that keep their id across runs over the article store, what is new since the previous
edition, and coverage by source tag. Plain functions; the store holds the SQL, run.py only calls these.

An edition is one run over the store, named by its time (`until`). Its stories are this run's groups
mapped onto the stories of earlier editions: an article already in a story stays in it, a group
that holds it joins that story, and a group that holds articles of two stories merges them under
the older id. Then each story is compared with what the previous edition showed of it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path

from .clock import parse_utc, utc_now
from .report.schema import DigestReport, EditionModel, StoryModel, TagCoverageModel
from .store import Store, open_store, utc_iso

# Names a new story from its article ids (stories.story_id).
NewId = Callable[[Sequence[str]], str]
# A story this many distinct sources covered is expected to be covered by every side that has sources.
BLIND_SPOT_MIN_SOURCES = 3


@dataclass(frozen=True)
class StoryAssignment:
    """One story of this edition: its id (kept from an earlier edition, or new), its articles in
    this run, and the ids of earlier stories this run found to be the same story."""

    id: str
    article_ids: tuple[str, ...]
    merged_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Edition:
    """One run over the store: its window (ISO UTC), the zone its times are shown in, and the store."""

    store_path: Path
    until: str
    since: str | None
    zone: tzinfo
    zone_name: str


def open_edition(store_path: Path, until: str | None, since: str | None, zone_name: str = "") -> Edition:
    """The edition a run over the store makes; `until` None is now."""
    zone, name = time_zone(zone_name)
    return Edition(store_path, until or utc_iso(utc_now()), since, zone, name)


def time_zone(name: str) -> tuple[tzinfo, str]:
    """The zone times are shown in: an IANA name, or "" for this machine's local zone."""
    if name:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name), name
    local = datetime.now().astimezone().tzinfo
    assert local is not None
    return local, _local_zone_name() or str(local)


def _local_zone_name() -> str:
    try:
        import tzlocal

        return str(tzlocal.get_localzone_name() or "")
    except Exception:  # noqa: BLE001 - only a nicer label; the offset is what matters
        return ""


def local_iso(stamp: str | None, zone: tzinfo) -> str | None:
    """An ISO UTC time as ISO 8601 in `zone`, with its offset."""
    return parse_utc(stamp).astimezone(zone).isoformat() if stamp else None


# --- stories that persist --------------------------------------------------------------------------


def assign_stories(groups: Sequence[Sequence[str]], known: Mapping[str, str], first_seen: Mapping[str, str],
                   new_id: NewId) -> list[StoryAssignment]:
    """Map this run's groups (article ids) onto the stories of earlier editions.

    `known` is {article id: story id} for articles already in a story, `first_seen` {story id: time}.
    Groups that share an earlier story become that story; a group (or set of groups) that touches
    several earlier stories merges them under the oldest; a group touching none is a new story,
    named by `new_id(article ids)`. Order follows the groups."""
    parent = list(range(len(groups)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    group_of_story: dict[str, int] = {}
    for index, members in enumerate(groups):
        for article in members:
            story = known.get(article)
            if story is None:
                continue
            if story in group_of_story:
                parent[root(index)] = root(group_of_story[story])
            else:
                group_of_story[story] = index
    components: dict[int, list[int]] = {}
    for index in range(len(groups)):
        components.setdefault(root(index), []).append(index)
    assigned = []
    for indexes in sorted(components.values(), key=min):
        articles = tuple(a for i in indexes for a in groups[i])
        earlier = sorted({known[a] for a in articles if a in known}, key=lambda s: (first_seen.get(s, ""), s))
        if earlier:
            assigned.append(StoryAssignment(earlier[0], articles, tuple(earlier[1:])))
        else:
            assigned.append(StoryAssignment(new_id(articles), articles))
    return assigned


def assign_from_store(groups: Sequence[Sequence[str]], edition: Edition, new_id: NewId) -> list[StoryAssignment]:
    """`assign_stories` with what the store knows of these articles (and only of these)."""
    store = open_store(edition.store_path)
    try:
        known = store.story_of([a for g in groups for a in g])
        first_seen = {s: t[0] for s, t in store.story_times(list(set(known.values()))).items()}
    finally:
        store.close()
    return assign_stories(groups, known, first_seen, new_id)


# --- what is new -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """What one edition showed of one story: enough to tell what the next one adds."""

    article_ids: frozenset[str]
    sentences: frozenset[str]
    divergences: frozenset[str]

    def as_json(self) -> dict:
        return {"articles": sorted(self.article_ids), "sentences": sorted(self.sentences),
                "divergences": sorted(self.divergences)}

    @classmethod
    def from_json(cls, data: Mapping[str, list[str]]) -> Shown:
        return cls(frozenset(data.get("articles", ())), frozenset(data.get("sentences", ())),
                   frozenset(data.get("divergences", ())))


@dataclass(frozen=True)
class Previous:
    """The previous edition: its time and what it showed of the stories this edition has."""

    until: str
    stories: Mapping[str, Shown]


def divergence_key(kind: str, topic: str) -> str:
    return f"{kind}|{topic}"


def shown_of(story: StoryModel) -> Shown:
    return Shown(frozenset(story.article_ids), frozenset(s.text for s in story.digest.sentences),
                 frozenset(divergence_key(d.kind, d.topic) for d in story.divergences))


def mark_new(report: DigestReport, previous: Previous | None, times: Mapping[str, tuple[str, str]],
             merged: Mapping[str, Sequence[str]], edition: Edition) -> DigestReport:
    """The report as an edition: what each story adds since `previous`, its times, news first.

    `times` is {story id: (first seen, updated)} of stories earlier editions made; `merged`
    {story id: ids merged into it}. A story gains `updated` = this edition only when it has
    articles the previous edition did not show in it. What a merged story showed counts as shown."""
    stories = []
    for story in report.stories:
        seen = _shown_before(previous, [story.id, *merged.get(story.id, ())])
        new_articles = [a for a in story.article_ids if a not in seen.article_ids]
        first, updated = times.get(story.id, (edition.until, edition.until))
        if new_articles:
            updated = edition.until
        for sentence in story.digest.sentences:
            sentence.new = sentence.text not in seen.sentences
        for item in story.divergences:
            item.new = divergence_key(item.kind, item.topic) not in seen.divergences
        story.new_article_ids = new_articles
        story.merged_ids = list(merged.get(story.id, ()))
        story.first_seen, story.updated = local_iso(first, edition.zone), local_iso(updated, edition.zone)
        stories.append(story)
    _mark_new_articles(report, previous, merged)
    # News first; otherwise the order grouping gave (biggest story first), so the page stays put.
    report.stories = sorted(stories, key=lambda s: not s.new_article_ids)
    report.edition = EditionModel(
        since=local_iso(edition.since, edition.zone), until=local_iso(edition.until, edition.zone) or "",
        previous=local_iso(previous.until if previous else None, edition.zone), timezone=edition.zone_name,
    )
    return report


def _shown_before(previous: Previous | None, story_ids: Sequence[str]) -> Shown:
    if previous is None:
        return Shown(frozenset(), frozenset(), frozenset())
    parts = [previous.stories[s] for s in story_ids if s in previous.stories]
    return Shown(frozenset().union(*(p.article_ids for p in parts)), frozenset().union(*(p.sentences for p in parts)),
                 frozenset().union(*(p.divergences for p in parts)))


def _mark_new_articles(report: DigestReport, previous: Previous | None, merged: Mapping[str, Sequence[str]]) -> None:
    """An article's own digest is new when the previous edition showed the article in no story."""
    shown = _shown_before(previous, [s for story in report.stories for s in (story.id, *merged.get(story.id, ()))])
    for article in report.articles:
        for sentence in article.digest.sentences:
            sentence.new = article.id not in shown.article_ids


def previous_from_store(edition: Edition, story_ids: Sequence[str], merged: Mapping[str, Sequence[str]],
                        store: Store) -> Previous | None:
    """The previous edition's view of just these stories (and of those merged into them)."""
    before = store.previous_edition(edition.until)
    if before is None:
        return None
    wanted = [s for story in story_ids for s in (story, *merged.get(story, ()))]
    return Previous(before, {s: Shown.from_json(v) for s, v in store.shown_in(before, wanted).items()})


def make_edition(report: DigestReport, assignments: Sequence[StoryAssignment], edition: Edition) -> DigestReport:
    """Read what the store remembers of this run's stories, and mark the report as an edition."""
    ids = [a.id for a in assignments]
    store = open_store(edition.store_path)
    try:
        merged = {s: list(v) for s, v in store.merged_into(ids).items()}
        for a in assignments:
            merged[a.id] = list(dict.fromkeys([*merged.get(a.id, []), *a.merged_ids]))
        previous = previous_from_store(edition, ids, merged, store)
        times = store.story_times(ids)
    finally:
        store.close()
    return mark_new(report, previous, times, merged, edition)


def record_edition(report: DigestReport, assignments: Sequence[StoryAssignment], edition: Edition) -> None:
    """Remember this edition in the store (one transaction), once its report is published."""
    store = open_store(edition.store_path)
    try:
        store.record_edition(
            edition.until, edition.since, [(a.id, a.article_ids, a.merged_ids) for a in assignments],
            updated=[s.id for s in report.stories if s.new_article_ids],
            shown={s.id: shown_of(s).as_json() for s in report.stories},
        )
    finally:
        store.close()


# --- coverage by source tag ------------------------------------------------------------------------


def tag_coverage(report: DigestReport) -> DigestReport:
    """Each story's articles per source tag value, blind spots, and the tags on each side of a coverage item.

    Only the tags of this run's articles count: a value "has sources in the window" when some
    article of the run carries it. Reports without tags are left as they are."""
    tags_of = {a.id: a.tags for a in report.articles}
    values: dict[str, list[str]] = {}
    for a in report.articles:
        for tag, value in sorted(a.tags.items()):
            values.setdefault(tag, [])
            if value not in values[tag]:
                values[tag].append(value)
    if not values:
        return report
    source_of = {a.id: a.source or a.outlet or a.id for a in report.articles}
    for story in report.stories:
        covered_by = len({source_of[a] for a in story.article_ids if a in source_of})
        story.coverage = [_tag_counts(tag, sorted(vals), story.article_ids, tags_of, covered_by)
                          for tag, vals in sorted(values.items())]
        for item in story.divergences:
            if item.kind == "coverage":
                item.tag_sides = _tag_sides(item.positions, tags_of)
                item.summary = _with_sides(item.summary, item.tag_sides)
    return report


def _tag_counts(tag: str, values: list[str], article_ids: Sequence[str], tags_of: Mapping[str, Mapping[str, str]],
                covered_by: int) -> TagCoverageModel:
    counts = {v: 0 for v in values}
    for a in article_ids:
        value = tags_of.get(a, {}).get(tag)
        if value is not None:
            counts[value] += 1
    blind = [v for v, n in counts.items() if n == 0] if covered_by >= BLIND_SPOT_MIN_SOURCES else []
    return TagCoverageModel(tag=tag, counts=counts, blind_spots=blind)


def _tag_sides(positions: Sequence, tags_of: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, list[str]]]:
    """{"carry": {tag: values}, "omit": {tag: values}}: coverage positions without citations are the omissions."""
    sides: dict[str, dict[str, list[str]]] = {"carry": {}, "omit": {}}
    for position in positions:
        side = sides["carry" if position.citations else "omit"]
        for article in position.article_ids:
            for tag, value in sorted(tags_of.get(article, {}).items()):
                side.setdefault(tag, [])
                if value not in side[tag]:
                    side[tag].append(value)
    return {k: {t: sorted(v) for t, v in side.items()} for k, side in sides.items() if side}


def _with_sides(summary: str, sides: Mapping[str, Mapping[str, list[str]]]) -> str:
    def named(side: str) -> str:
        return "; ".join(f"{tag} {', '.join(vals)}" for tag, vals in sides.get(side, {}).items())

    parts = [f"carried by {named('carry')}" if sides.get("carry") else "",
             f"left out by {named('omit')}" if sides.get("omit") else ""]
    told = ", ".join(p for p in parts if p)
    return f"{summary} ({told[0].upper()}{told[1:]}.)" if told else summary
