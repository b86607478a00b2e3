"""The store's SQL for stories and editions (a part of `Store`, kept apart to keep each module small):
which story each article is in, merges, and what each edition showed. pipeline/editions.py decides."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager

from .rows import utc_iso

# Keys bound per IN (...) query: well under SQLite's parameter limit.
_IN_CHUNK = 500


class StorySQL:
    """Mixed into `Store`, which provides the connection, its lock and the transaction helper."""

    def _read(self, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row]:
        raise NotImplementedError

    def _write(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def story_of(self, article_ids: Sequence[str]) -> dict[str, str]:
        """{article id: story id} of the given articles that are already in a story."""
        return dict(self._in_chunks("SELECT article_id, story_id FROM story_articles WHERE article_id IN ({})",
                                    article_ids))

    def story_times(self, story_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        """{story id: (first seen, last updated)}, as ISO UTC times."""
        rows = self._in_chunks("SELECT id, first_seen, updated FROM stories WHERE id IN ({})", story_ids)
        return {row[0]: (row[1], row[2]) for row in rows}

    def merged_into(self, story_ids: Sequence[str]) -> dict[str, list[str]]:
        """{story id: ids of the stories merged into it, oldest merge first}."""
        merged: dict[str, list[str]] = {}
        rows = self._in_chunks("SELECT merged_into, id FROM stories WHERE merged_into IN ({}) ORDER BY first_seen, id",
                               story_ids)
        for survivor, gone in rows:
            merged.setdefault(survivor, []).append(gone)
        return merged

    def previous_edition(self, before: str) -> str | None:
        """The time (`until`) of the newest edition before this one, or None for the first edition."""
        rows = self._read("SELECT MAX(until) FROM editions WHERE until < ?", (before,))
        return rows[0][0] if rows and rows[0][0] else None

    def shown_in(self, edition: str, story_ids: Sequence[str]) -> dict[str, dict]:
        """What the given edition showed of the given stories (as `record_edition` saved it)."""
        rows = self._in_chunks("SELECT story_id, shown FROM edition_stories WHERE edition = ? AND story_id IN ({})",
                               story_ids, (edition,))
        return {row[0]: json.loads(row[1]) for row in rows}

    def record_edition(self, until: str, since: str | None, stories: Sequence[tuple[str, Sequence[str], Sequence[str]]],
                       updated: Sequence[str], shown: dict[str, dict]) -> None:
        """Save one edition in one transaction: each story (id, article ids, ids merged into it), which
        stories gained articles (`updated`), and what the edition showed of each story.

        New articles join their story; an article already in a story keeps it unless that story was
        merged, in which case every article of it moves to the survivor. A re-run of the same edition
        replaces what it showed."""
        made = utc_iso(time.time())
        with self._write() as db:
            for story_id, article_ids, merged_ids in stories:
                db.execute("INSERT INTO stories (id, first_seen, updated, recorded) VALUES (?,?,?,?) "
                           "ON CONFLICT(id) DO UPDATE SET recorded = excluded.recorded", (story_id, until, until, made))
                for gone in merged_ids:
                    db.execute("UPDATE stories SET merged_into = ?, recorded = ? WHERE id = ?", (story_id, made, gone))
                    db.execute("UPDATE stories SET merged_into = ? WHERE merged_into = ?", (story_id, gone))
                    db.execute("UPDATE story_articles SET story_id = ? WHERE story_id = ?", (story_id, gone))
                db.executemany("INSERT INTO story_articles (article_id, story_id, added, recorded) VALUES (?,?,?,?) "
                               "ON CONFLICT(article_id) DO UPDATE SET recorded = excluded.recorded",
                               [(a, story_id, until, made) for a in article_ids])
            db.executemany("UPDATE stories SET updated = MAX(updated, ?) WHERE id = ?", [(until, s) for s in updated])
            db.execute("INSERT INTO editions (until, since, made) VALUES (?,?,?) "
                       "ON CONFLICT(until) DO UPDATE SET since = excluded.since, made = excluded.made",
                       (until, since, made))
            db.execute("DELETE FROM edition_stories WHERE edition = ?", (until,))
            db.executemany("INSERT INTO edition_stories (edition, story_id, shown) VALUES (?,?,?)",
                           [(until, s, json.dumps(v, sort_keys=True)) for s, v in shown.items()])

    def _in_chunks(self, sql: str, keys: Sequence[str], before: Sequence[object] = ()) -> list[sqlite3.Row]:
        """One query per slice of `keys` (SQLite caps bound parameters), so large runs work too."""
        rows: list[sqlite3.Row] = []
        keys = list(dict.fromkeys(keys))
        for start in range(0, len(keys), _IN_CHUNK):
            chunk = keys[start:start + _IN_CHUNK]
            rows += self._read(sql.format(",".join("?" * len(chunk))), (*before, *chunk))
        return rows

