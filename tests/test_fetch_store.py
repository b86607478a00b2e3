"""The article store: schema and migrations, WAL, duplicates by GUID / canonical URL / content hash, revisions,
pruning, the time window, and host claims shared across connections."""

from __future__ import annotations

import sqlite3
import time

import pytest

from pipeline.errors import StoreError
from pipeline.store import SCHEMA_VERSION, NewEntry, SourceSpec, canonical_url, content_hash, open_store, utc_iso


def _entry(guid: str, url: str, text: str, published: str = "", blurb: bool = False, page: bool = False) -> NewEntry:
    return NewEntry(guid, url, f"Title of {guid or url}", text, published, content_hash(text), blurb, page)


@pytest.fixture
def store(tmp_path):
    opened = open_store(tmp_path / "store.sqlite")
    opened.sync_sources([SourceSpec("http://a.test/feed", "Feed A", {"lean": "left"}),
                         SourceSpec("http://b.test/feed", "Feed B")])
    yield opened
    opened.close()


def _source(store, name):
    return next(s for s in store.sources() if s.name == name)


def test_canonical_url_drops_tracking_fragment_and_case():
    assert canonical_url("HTTPS://Example.ORG:443/a/b?utm_source=x&id=7&fbclid=abc#top") == "https://example.org/a/b?id=7"
    assert canonical_url("http://example.org:8080/x?gclid=1") == "http://example.org:8080/x"
    assert canonical_url("http://example.org/x?b=2&a=1") != canonical_url("http://example.org/x?a=1&b=3")


def test_new_store_is_wal_and_at_the_current_schema(tmp_path):
    path = tmp_path / "s.sqlite"
    open_store(path).close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 1
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"sources", "articles", "fetch_log", "hosts", "robots"} <= tables


def test_a_store_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "s.sqlite"
    open_store(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StoreError, match="newer"):
        open_store(path)


def test_an_unwritable_store_path_is_a_store_error_naming_it(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError) as caught:
        open_store(blocker / "store.sqlite")
    assert str(blocker / "store.sqlite") in str(caught.value)
    assert caught.value.exit_code == 73


def test_duplicates_by_guid_canonical_url_and_hash(store):
    a, b = _source(store, "Feed A"), _source(store, "Feed B")
    first = store.save_poll(a, [_entry("g1", "http://x.test/story?utm_medium=rss", "One text about rates.")], {})
    assert (first.new, first.duplicates) == (1, 0)
    same_url = store.save_poll(b, [_entry("other", "http://X.test/story#comments", "One text about rates.")], {})
    same_guid = store.save_poll(b, [_entry("g1", "http://y.test/elsewhere", "One text about rates.")], {})
    same_text = store.save_poll(b, [_entry("g9", "http://z.test/copy", "One   text about\nrates.")], {})
    assert (same_url.duplicates, same_guid.duplicates, same_text.duplicates) == (1, 1, 1)
    stored = store.articles()
    assert len(stored) == 1 and stored[0].source == "Feed A" and stored[0].tags == {"lean": "left"}


def test_new_text_for_the_same_url_is_a_revision(store):
    a = _source(store, "Feed A")
    store.save_poll(a, [_entry("g1", "http://x.test/s", "The bank raised rates by 0.25 points.")], {})
    counts = store.save_poll(a, [_entry("g1", "http://x.test/s", "The bank raised rates by 0.5 points.")], {})
    assert counts.revised == 1
    [article] = store.articles()
    assert article.revisions == 1 and "0.5 points" in article.body


def test_a_blurb_never_replaces_text_from_the_page(store):
    a = _source(store, "Feed A")
    store.save_poll(a, [_entry("g1", "http://x.test/s", "Full page text " * 50, page=True)], {})
    counts = store.save_poll(a, [_entry("g1", "http://x.test/s", "Short blurb.", blurb=True)], {})
    assert counts.duplicates == 1
    assert store.articles()[0].body.startswith("Full page text")


def test_window_uses_published_else_first_seen_and_distrusts_future_dates(store):
    a = _source(store, "Feed A")
    now = time.time()
    store.save_poll(a, [
        _entry("old", "http://x.test/old", "Old news.", utc_iso(now - 3 * 86400)),
        _entry("recent", "http://x.test/recent", "Recent news.", utc_iso(now - 3600)),
        _entry("undated", "http://x.test/undated", "Undated news."),
        _entry("future", "http://x.test/future", "Future-dated news.", utc_iso(now + 5 * 86400)),
    ], {}, now=now)
    window = {a.body for a in store.articles(since=utc_iso(now - 86400), until=utc_iso(now + 60))}
    assert window == {"Recent news.", "Undated news.", "Future-dated news."}


def test_prune_forgets_articles_first_seen_before_keep_days(store):
    a = _source(store, "Feed A")
    now = time.time()
    store.save_poll(a, [_entry("old", "http://x.test/old", "Old.")], {}, now=now - 40 * 86400)
    store.save_poll(a, [_entry("new", "http://x.test/new", "New.")], {}, now=now)
    assert store.prune(30, now=now) == 1
    assert [x.body for x in store.articles()] == ["New."]


def test_host_claims_are_shared_between_connections(tmp_path):
    path = tmp_path / "s.sqlite"
    one, two = open_store(path), open_store(path)
    now = 1000.0
    assert one.claim_host("h:80", hold_s=30, now=now) == (0.0, False)
    wait, blocked = two.claim_host("h:80", hold_s=30, now=now + 1)
    assert not blocked and wait == pytest.approx(29)
    one.release_host("h:80", next_allowed=now + 2, blocked_until=now + 100)
    wait, blocked = two.claim_host("h:80", hold_s=30, now=now + 3)
    assert blocked and wait == pytest.approx(97)


def test_sync_keeps_poll_state_and_updates_names(store):
    a = _source(store, "Feed A")
    store.record_poll(a, etag='"v1"', next_poll=123.0)
    store.sync_sources([SourceSpec("http://a.test/feed", "Renamed A", {}, "never", 60)])
    again = next(s for s in store.sources() if s.url == "http://a.test/feed")
    assert (again.name, again.etag, again.next_poll, again.full_text, again.min_interval_s) == (
        "Renamed A", '"v1"', 123.0, "never", 60)
