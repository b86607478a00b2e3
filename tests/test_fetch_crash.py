"""Crashes and concurrency: `kill -9` in the middle of a fetch leaves a readable store and a complete second
fetch; a second fetch on one store is refused (or waits); summarise-style reads go on during a fetch."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.config import FetchConfig
from pipeline.errors import FetchLockedError
from pipeline.sources import fetch_due, fetch_lock
from pipeline.store import SourceSpec, open_store
from tests.loopback import ARTICLES, Loopback, Reply, full, rss

ROOT = Path(__file__).resolve().parents[1]
FEEDS = 12


@pytest.fixture
def slow_server():
    server = Loopback()
    server.latency_s = lambda: 0.15
    for n in range(FEEDS):
        items = [{"title": f"{a['title']} ({n})", "link": server.url(f"/f{n}/{i}"), "guid": f"f{n}-{i}",
                  "text": full(a) + f"<p>Feed {n} copy {i}.</p>"} for i, a in enumerate(ARTICLES[:3])]
        server.routes[f"/f{n}.xml"] = Reply(200, rss(f"Feed {n}", items))
    yield server
    server.close()


def _specs(server):
    return [SourceSpec(server.url(f"/f{n}.xml"), f"Feed {n}") for n in range(FEEDS)]


def _child(server, store_path):
    """`newsdigest fetch` in its own process, as cron would run it."""
    sources = store_path.with_name("sources.toml")
    sources.write_text("".join(f'[[feed]]\nname = "Feed {n}"\nurl = "{server.base}/f{n}.xml"\n\n' for n in range(FEEDS)))
    command = [sys.executable, "-m", "pipeline.cli", "fetch", "--sources", str(sources), "--store", str(store_path),
               "--set", "fetch.host_delay=0.05", "--quiet"]
    return subprocess.Popen(command, env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT)


def _wait_for_hits(server, count, timeout=30.0):
    deadline = time.time() + timeout
    while len(server.hits) < count:
        assert time.time() < deadline, "the child fetch never reached the server"
        time.sleep(0.02)


def test_kill_9_mid_fetch_leaves_a_readable_store_and_a_complete_second_fetch(slow_server, tmp_path):
    store_path = tmp_path / "store.sqlite"
    child = _child(slow_server, store_path)
    _wait_for_hits(slow_server, FEEDS // 2)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    served_before = len(slow_server.hits)
    assert served_before < FEEDS, "the fetch finished before it was killed; the test proves nothing"
    store = open_store(store_path)
    assert store.integrity() == "ok"
    per_source = {}
    for article in store.articles():
        per_source[article.source] = per_source.get(article.source, 0) + 1
    # One transaction per feed: a feed has all its articles or none.
    assert set(per_source.values()) <= {3}
    for source in store.sources():
        store.record_poll(source, next_poll=0.0)  # due again; unpolled ones are due anyway
    report = fetch_due(_specs(slow_server), store, FetchConfig(host_delay=0.01), 30)
    assert report.failed == 0 and len(store.articles()) == 3 * FEEDS


def test_a_second_fetch_on_one_store_is_refused_with_75(slow_server, tmp_path):
    store_path = tmp_path / "store.sqlite"
    with fetch_lock(store_path):
        with pytest.raises(FetchLockedError) as caught:
            with fetch_lock(store_path):
                pass
    assert caught.value.exit_code == 75
    with fetch_lock(store_path, wait_s=1.0):
        pass  # free again once the first is done


def test_reads_see_a_consistent_snapshot_while_a_fetch_writes(slow_server, tmp_path):
    store_path = tmp_path / "store.sqlite"
    child = _child(slow_server, store_path)
    try:
        _wait_for_hits(slow_server, 2)
        reader = open_store(store_path)
        counts = []
        while child.poll() is None:
            counts.append(len(reader.articles()))
            time.sleep(0.05)
        counts.append(len(reader.articles()))
    finally:
        child.kill()
        child.wait()
    assert all(c % 3 == 0 for c in counts) and counts == sorted(counts) and counts[-1] == 3 * FEEDS


def test_a_fetch_killed_mid_request_does_not_hold_its_host_for_the_next(tmp_path):
    server = Loopback()
    try:
        server.routes["/slow.xml"] = Reply(200, rss("S", []), delay_s=5)
        server.routes["/f0.xml"] = Reply(200, rss("F", [{"title": "t", "link": server.url("/a"), "guid": "a",
                                                        "text": full(ARTICLES[0])}]))
        sources = tmp_path / "sources.toml"
        sources.write_text(f'[[feed]]\nname = "Slow"\nurl = "{server.url("/slow.xml")}"\n')
        store_path = tmp_path / "store.sqlite"
        child = subprocess.Popen(
            [sys.executable, "-m", "pipeline.cli", "fetch", "--sources", str(sources), "--store", str(store_path)],
            env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT)
        deadline = time.time() + 30
        while server.active == 0:
            assert time.time() < deadline, "the child fetch never reached the server"
            time.sleep(0.02)
        os.kill(child.pid, signal.SIGKILL)  # in the middle of its request: its claim on the host stays in the store
        child.wait()
        store = open_store(store_path)
        started = time.monotonic()
        report = fetch_due([SourceSpec(server.url("/f0.xml"), "Fast")], store, FetchConfig(host_delay=0.1), 30)
        assert report.results[0].new == 1 and time.monotonic() - started < 3
    finally:
        server.close()
