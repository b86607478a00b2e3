"""All SQL of the article store: schema and migrations, sources, articles, host politeness, the fetch log, and
the stories and editions that persist across runs (pipeline/editions.py decides; this module only stores)."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from ..errors import StoreError
from .stories import StorySQL
from .rows import (
    LogLine, NewEntry, SaveCounts, SourceRow, SourceSpec, StoredArticle, article_id, canonical_url, content_hash,
    utc_iso,
)

# Each step moves the schema one version forward; PRAGMA user_version says how many have run.
_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE sources (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        fetch_url TEXT NOT NULL,
        name TEXT NOT NULL,
        tags TEXT NOT NULL DEFAULT '{}',
        full_text TEXT NOT NULL DEFAULT 'auto',
        min_interval_s REAL NOT NULL DEFAULT 900,
        etag TEXT NOT NULL DEFAULT '',
        last_modified TEXT NOT NULL DEFAULT '',
        last_poll REAL,
        next_poll REAL,
        errors INTEGER NOT NULL DEFAULT 0,
        last_error TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'ok',
        note TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE articles (
        id TEXT PRIMARY KEY,
        source_id INTEGER NOT NULL REFERENCES sources(id),
        guid TEXT NOT NULL,
        url TEXT NOT NULL,
        canonical_url TEXT NOT NULL,
        title TEXT NOT NULL,
        outlet TEXT NOT NULL,
        published TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        window_time TEXT NOT NULL,
        text TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        feed_hash TEXT NOT NULL,
        revisions INTEGER NOT NULL DEFAULT 0,
        is_blurb INTEGER NOT NULL,
        page_fetched INTEGER NOT NULL
    );
    CREATE INDEX articles_guid ON articles(guid) WHERE guid != '';
    CREATE INDEX articles_canonical ON articles(canonical_url) WHERE canonical_url != '';
    CREATE INDEX articles_hash ON articles(content_hash);
    CREATE INDEX articles_window ON articles(window_time);
    CREATE TABLE fetch_log (
        time REAL NOT NULL, url TEXT NOT NULL, status INTEGER NOT NULL,
        bytes INTEGER NOT NULL, ms INTEGER NOT NULL, error TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX fetch_log_time ON fetch_log(time);
    CREATE TABLE hosts (
        host TEXT PRIMARY KEY,
        next_allowed REAL NOT NULL DEFAULT 0,
        blocked_until REAL NOT NULL DEFAULT 0
    );
    CREATE TABLE robots (
        host TEXT PRIMARY KEY, body TEXT NOT NULL, fetched REAL NOT NULL
    );
    """,
    # 2: editions. Edition times (`until`, `first_seen`, `updated`, `added`) are the news' times, which a
    # replay sets in the past; `made` and `recorded` are when this machine wrote them, which pruning uses.
    # Stories keep their id across runs; an article, once in a story, stays in it
    # (story_articles is keyed by the article). Each edition remembers what it showed of each
    # story, so the next one can tell what is new; only the stories a run touches are ever read.
    """
    CREATE TABLE stories (
        id TEXT PRIMARY KEY,
        first_seen TEXT NOT NULL,
        updated TEXT NOT NULL,
        merged_into TEXT,
        recorded TEXT NOT NULL
    );
    CREATE INDEX stories_merged ON stories(merged_into) WHERE merged_into IS NOT NULL;
    CREATE TABLE story_articles (
        article_id TEXT PRIMARY KEY,
        story_id TEXT NOT NULL,
        added TEXT NOT NULL,
        recorded TEXT NOT NULL
    );
    CREATE INDEX story_articles_story ON story_articles(story_id);
    CREATE TABLE editions (
        until TEXT PRIMARY KEY,
        since TEXT,
        made TEXT NOT NULL
    );
    CREATE TABLE edition_stories (
        edition TEXT NOT NULL,
        story_id TEXT NOT NULL,
        shown TEXT NOT NULL,
        PRIMARY KEY (edition, story_id)
    );
    """,
)
SCHEMA_VERSION = len(_MIGRATIONS)
_BUSY_TIMEOUT_S = 30.0
_SOURCE_COLUMNS = (
    "s.id, s.url, s.fetch_url, s.name, s.tags, s.full_text, s.min_interval_s, s.etag, s.last_modified, "
    "s.last_poll, s.next_poll, s.errors, s.last_error, s.status, s.note"
)


class Store(StorySQL):
    """One open store. Safe to share between threads: every statement runs under one lock."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self._db = connection
        self._lock = threading.RLock()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One transaction; IMMEDIATE takes the write lock up front, so a busy store waits instead of failing mid-way."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                yield self._db
                self._db.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                self._rollback()
                raise StoreError(f"cannot write the store {self.path}: {exc}") from None
            except BaseException:
                self._rollback()
                raise

    def _rollback(self) -> None:
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")

    def _read(self, sql: str, params: Sequence[object] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    # --- sources --------------------------------------------------------------

    def sync_sources(self, specs: Sequence[SourceSpec]) -> None:
        """Add new sources and refresh names, tags and settings of known ones; state (ETag, polls) is kept."""
        with self._write() as db:
            for spec in specs:
                db.execute(
                    "INSERT INTO sources (url, fetch_url, name, tags, full_text, min_interval_s) VALUES (?,?,?,?,?,?) "
                    "ON CONFLICT(url) DO UPDATE SET name=excluded.name, tags=excluded.tags, "
                    "full_text=excluded.full_text, min_interval_s=excluded.min_interval_s",
                    (spec.url, spec.url, spec.name, json.dumps(spec.tags, sort_keys=True), spec.full_text,
                     spec.min_interval_s),
                )

    def sources(self, urls: Sequence[str] | None = None) -> list[SourceRow]:
        rows = self._read(
            f"SELECT {_SOURCE_COLUMNS}, (SELECT COUNT(*) FROM articles a WHERE a.source_id = s.id) "
            "FROM sources s ORDER BY s.name, s.url"
        )
        found = [_source(row) for row in rows]
        wanted = None if urls is None else set(urls)
        return found if wanted is None else [s for s in found if s.url in wanted]

    def record_poll(self, source: SourceRow, **changes: object) -> None:
        """Save what one poll learnt about a source (ETag, next poll, errors, status...)."""
        allowed = {"fetch_url", "etag", "last_modified", "last_poll", "next_poll", "errors", "last_error", "status", "note"}
        unknown = set(changes) - allowed
        if unknown:
            raise ValueError(f"not a source field: {sorted(unknown)}")
        if not changes:
            return
        assignments = ", ".join(f"{key} = ?" for key in changes)
        with self._write() as db:
            db.execute(f"UPDATE sources SET {assignments} WHERE id = ?", (*changes.values(), source.id))

    # --- articles -------------------------------------------------------------

    def known_article(self, guid: str, url: str) -> tuple[bool, bool]:
        """(seen before, its page already fetched): a page is fetched once, never on later polls."""
        canon = canonical_url(url) if url else ""
        rows = self._read(
            "SELECT page_fetched FROM articles WHERE (guid = ? AND guid != '') OR (canonical_url = ? AND canonical_url != '') "
            "LIMIT 1", (guid, canon),
        )
        return (bool(rows), bool(rows and rows[0][0]))

    def save_poll(self, source: SourceRow, entries: Sequence[NewEntry], poll: dict[str, object],
                  now: float | None = None) -> SaveCounts:
        """Store one feed's entries and its poll state in one transaction: a crash keeps all of it or none."""
        counts = SaveCounts()
        seen = utc_iso(time.time() if now is None else now)
        with self._write() as db:
            for entry in entries:
                _save_entry(db, source.id, entry, seen, counts)
            if poll:
                assignments = ", ".join(f"{key} = ?" for key in poll)
                db.execute(f"UPDATE sources SET {assignments} WHERE id = ?", (*poll.values(), source.id))
        return counts

    def articles(self, since: str | None = None, until: str | None = None) -> list[StoredArticle]:
        """Articles whose time (published, else first seen) lies in [since, until), read in one snapshot."""
        sql = (
            "SELECT a.id, a.title, a.url, a.text, a.content_hash, s.name, a.outlet, s.tags, a.published, a.first_seen, "
            "a.revisions, a.is_blurb FROM articles a JOIN sources s ON s.id = a.source_id WHERE 1=1"
        )
        params: list[object] = []
        if since:
            sql += " AND a.window_time >= ?"
            params.append(since)
        if until:
            sql += " AND a.window_time < ?"
            params.append(until)
        rows = self._read(sql + " ORDER BY a.window_time, a.id", params)
        return [_article(row) for row in rows]

    def prune(self, keep_days: float, now: float | None = None) -> int:
        """Forget articles first seen more than keep_days ago, and fetch log lines, editions and story
        memberships as old; returns articles removed."""
        cutoff = (time.time() if now is None else now) - keep_days * 86400
        with self._write() as db:
            removed = db.execute("DELETE FROM articles WHERE first_seen < ?", (utc_iso(cutoff),)).rowcount
            db.execute("DELETE FROM fetch_log WHERE time < ?", (cutoff,))
            old = utc_iso(cutoff)
            db.execute("DELETE FROM story_articles WHERE recorded < ?", (old,))
            db.execute("DELETE FROM edition_stories WHERE edition IN (SELECT until FROM editions WHERE made < ?)", (old,))
            db.execute("DELETE FROM editions WHERE made < ?", (old,))
            db.execute("DELETE FROM stories WHERE recorded < ? AND id NOT IN (SELECT story_id FROM story_articles)",
                       (old,))
        return removed

    # --- hosts and robots -----------------------------------------------------

    def claim_host(self, host: str, hold_s: float, now: float | None = None) -> tuple[float, bool]:
        """(seconds to wait, whether the host asked us to stay away); (0, False) means the slot is ours for hold_s.

        The claim is written in the store, so a second process polling the same host waits too."""
        now = time.time() if now is None else now
        with self._write() as db:
            row = db.execute("SELECT next_allowed, blocked_until FROM hosts WHERE host = ?", (host,)).fetchone()
            if row and row[1] > now:
                return row[1] - now, True
            if row and row[0] > now:
                return row[0] - now, False
            db.execute(
                "INSERT INTO hosts (host, next_allowed) VALUES (?, ?) "
                "ON CONFLICT(host) DO UPDATE SET next_allowed = excluded.next_allowed",
                (host, now + hold_s),
            )
        return 0.0, False

    def drop_claims(self, next_allowed: float) -> None:
        """Cut every host's turn back to `next_allowed` at the latest (Retry-After stays): called by a fetch that
        holds the fetch lock, so any claim still in the store was left by a fetch that died mid-request."""
        with self._write() as db:
            db.execute("UPDATE hosts SET next_allowed = MIN(next_allowed, ?)", (next_allowed,))

    def release_host(self, host: str, next_allowed: float, blocked_until: float = 0.0) -> None:
        with self._write() as db:
            db.execute(
                "UPDATE hosts SET next_allowed = ?, blocked_until = MAX(blocked_until, ?) WHERE host = ?",
                (next_allowed, blocked_until, host),
            )

    def robots(self, host: str, max_age_s: float, now: float | None = None) -> str | None:
        now = time.time() if now is None else now
        rows = self._read("SELECT body FROM robots WHERE host = ? AND fetched > ?", (host, now - max_age_s))
        return rows[0][0] if rows else None

    def save_robots(self, host: str, body: str, now: float | None = None) -> None:
        with self._write() as db:
            db.execute(
                "INSERT INTO robots (host, body, fetched) VALUES (?,?,?) "
                "ON CONFLICT(host) DO UPDATE SET body = excluded.body, fetched = excluded.fetched",
                (host, body, time.time() if now is None else now),
            )

    def log_fetches(self, lines: Sequence[LogLine]) -> None:
        if not lines:
            return
        with self._write() as db:
            db.executemany(
                "INSERT INTO fetch_log (time, url, status, bytes, ms, error) VALUES (?,?,?,?,?,?)",
                [(ln.time, ln.url, ln.status, ln.bytes, ln.ms, ln.error) for ln in lines],
            )

    def fetch_log(self) -> list[LogLine]:
        rows = self._read("SELECT time, url, status, bytes, ms, error FROM fetch_log ORDER BY time")
        return [LogLine(*row) for row in rows]

    def integrity(self) -> str:
        return self._read("PRAGMA integrity_check")[0][0]


def open_store(path: Path) -> Store:
    """Open (creating if need be) the store, in WAL mode, migrated to the current schema.

    Raises StoreError, naming the path and the reason, when it cannot be created or written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, timeout=_BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA foreign_keys = ON")
        _migrate(db)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(f"cannot open the store {path}: {getattr(exc, 'strerror', None) or exc}") from None
    return Store(path, db)


def _migrate(db: sqlite3.Connection) -> None:
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise sqlite3.DatabaseError(f"schema version {version} is newer than this newsdigest ({SCHEMA_VERSION})")
    for number in range(version, SCHEMA_VERSION):
        db.execute("BEGIN IMMEDIATE")
        try:
            for statement in _MIGRATIONS[number].split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {number + 1}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise


def _save_entry(db: sqlite3.Connection, source_id: int, entry: NewEntry, seen: str, counts: SaveCounts) -> None:
    canon = canonical_url(entry.url) if entry.url else ""
    text_hash = content_hash(entry.text)
    row = db.execute(
        "SELECT id, feed_hash, page_fetched, is_blurb FROM articles "
        "WHERE (guid = ? AND guid != '') OR (canonical_url = ? AND canonical_url != '') OR content_hash = ? LIMIT 1",
        (entry.guid, canon, text_hash),
    ).fetchone()
    if row is None:
        key = entry.guid or canon or text_hash
        # A future date is not trusted for the window: the time first seen stands in for it.
        published = entry.published if entry.published and entry.published <= seen else ""
        db.execute(
            "INSERT INTO articles (id, source_id, guid, url, canonical_url, title, outlet, published, first_seen, "
            "window_time, text, content_hash, feed_hash, is_blurb, page_fetched) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (_free_id(db, article_id(entry.title, key)), source_id, entry.guid, entry.url, canon, entry.title,
             entry.outlet, entry.published, seen, published or seen, entry.text, text_hash, entry.feed_hash,
             int(entry.is_blurb), int(entry.page_fetched)),
        )
        counts.new += 1
        return
    stored_id, stored_feed_hash, page_fetched, _ = row
    if entry.page_fetched and not page_fetched and entry.feed_hash == stored_feed_hash:
        # The page of a known blurb, fetched at last: the same article, more of it, not a revision.
        db.execute("UPDATE articles SET text = ?, content_hash = ?, is_blurb = ?, page_fetched = 1 WHERE id = ?",
                   (entry.text, text_hash, int(entry.is_blurb), stored_id))
        counts.duplicates += 1
        return
    # A blurb never replaces the full text a page gave; a changed feed text is a revision.
    if entry.feed_hash == stored_feed_hash or (entry.is_blurb and page_fetched and not entry.page_fetched):
        counts.duplicates += 1
        return
    db.execute(
        "UPDATE articles SET title = ?, text = ?, content_hash = ?, feed_hash = ?, is_blurb = ?, "
        "revisions = revisions + 1 WHERE id = ?",
        (entry.title, entry.text, text_hash, entry.feed_hash, int(entry.is_blurb), stored_id),
    )
    counts.revised += 1


def _free_id(db: sqlite3.Connection, base: str) -> str:
    candidate, n = base, 1
    while db.execute("SELECT 1 FROM articles WHERE id = ?", (candidate,)).fetchone():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _source(row: Sequence[object]) -> SourceRow:
    values = list(row)
    values[4] = json.loads(str(values[4]))
    return SourceRow(*values)  # type: ignore[arg-type]


def _article(row: Sequence[object]) -> StoredArticle:
    (aid, title, url, text, digest, source, outlet, tags, published, first_seen, revisions, is_blurb) = row
    return StoredArticle(
        id=str(aid), title=str(title), url=str(url), body=str(text), sha256=str(digest), source=str(source),
        outlet=str(outlet or source), tags=json.loads(str(tags)), published=str(published), first_seen=str(first_seen),
        revisions=int(revisions), is_blurb=bool(is_blurb),  # type: ignore[arg-type]
    )
