"""`newsdigest fetch` and `sources` on the command line (exit codes 0, 2, 69, 73, 75; --json; --quiet), and
`summarise` over the store's window and over URLs, with the outlet beside each [n]."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli.app import app
from pipeline.config import Settings
from pipeline.ingest import StoreQuery
from pipeline.run import summarise_paths
from pipeline.store import NewEntry, SourceSpec, content_hash, open_store, utc_iso
from tests.loopback import ARTICLES, Loopback, Reply, full, page_html, rss

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


@pytest.fixture
def server():
    running = Loopback()
    running.routes["/robots.txt"] = Reply(404)
    yield running
    running.close()


def _sources(tmp_path, server, paths=("/feed.xml",)):
    text = "".join(f'[[feed]]\nname = "Loop {i}"\nurl = "{server.url(p)}"\ntags = {{ lean = "center" }}\n\n'
                   for i, p in enumerate(paths))
    path = tmp_path / "sources.toml"
    path.write_text(text)
    return path


def _feed(server, articles, prefix="/a/"):
    return rss("Loop", [{"title": a["title"], "link": server.url(f"{prefix}{i}"), "guid": f"{prefix}{i}",
                         "text": full(a)} for i, a in enumerate(articles)])


def _fetch(*args):
    return runner.invoke(app, ["fetch", "--set", "fetch.host_delay=0.01", *args])


def test_fetch_then_sources_lists_each_source(tmp_path, server):
    server.routes["/feed.xml"] = Reply(200, _feed(server, ARTICLES[:2]))
    sources, store = _sources(tmp_path, server), tmp_path / "store.sqlite"
    result = _fetch("--sources", str(sources), "--store", str(store), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["sources"][0]["new"] == 2 and report["succeeded"] == 1
    listing = runner.invoke(app, ["sources", "--store", str(store)])
    assert listing.exit_code == 0
    header, row = listing.stdout.splitlines()[:2]
    assert "last poll" in header and row.startswith("Loop 0") and " ok " in row and " 2 " in row


def test_an_invalid_sources_file_exits_2_naming_key_and_line(tmp_path):
    bad = tmp_path / "sources.toml"
    bad.write_text('[[feed]]\nname = "A"\nurl = "https://a.example/feed"\nmin_interval = "often"\n')
    result = _fetch("--sources", str(bad), "--store", str(tmp_path / "s.sqlite"))
    assert result.exit_code == 2 and "line 4" in result.output and "min_interval" in result.output


def test_every_source_failing_exits_69(tmp_path, server):
    server.routes["/feed.xml"] = Reply(500, b"down")
    result = _fetch("--sources", str(_sources(tmp_path, server)), "--store", str(tmp_path / "s.sqlite"))
    assert result.exit_code == 69 and "every source polled failed" in result.output


def test_an_unwritable_store_exits_73_with_path_and_reason(tmp_path, server):
    server.routes["/feed.xml"] = Reply(200, _feed(server, ARTICLES[:1]))
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    result = _fetch("--sources", str(_sources(tmp_path, server)), "--store", str(blocker / "store.sqlite"))
    assert result.exit_code == 73 and str(blocker) in result.output


def test_a_gone_feed_is_told_even_with_quiet(tmp_path, server):
    server.routes["/feed.xml"] = Reply(410, b"")
    args = ("--sources", str(_sources(tmp_path, server)), "--store", str(tmp_path / "s.sqlite"), "--quiet")
    _fetch(*args)
    again = _fetch(*args)
    assert "gone (410 Gone)" in again.stderr and len(server.hits) == 1


def test_two_fetches_at_once_exit_75_or_wait(tmp_path, server):
    server.latency_s = lambda: 0.3
    paths = [f"/f{n}.xml" for n in range(6)]
    for n, path in enumerate(paths):
        server.routes[path] = Reply(200, _feed(server, ARTICLES[n:n + 1], prefix=f"/f{n}/"))
    sources, store = _sources(tmp_path, server, paths), tmp_path / "store.sqlite"
    first = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "fetch", "--sources", str(sources), "--store", str(store), "--quiet"],
        env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT)
    try:
        deadline = time.time() + 30
        while not server.hits and time.time() < deadline:
            time.sleep(0.02)
        assert server.hits, "the first fetch never started"
        second = _fetch("--sources", str(sources), "--store", str(store))
        assert second.exit_code == 75 and "another newsdigest fetch" in second.output
        waited = _fetch("--sources", str(sources), "--store", str(store), "--wait", "60", "--json")
        assert first.wait(timeout=30) == 0
    finally:
        first.kill()
        first.wait()
    # It waited for the first fetch to finish, so every source was already polled and none was due.
    assert waited.exit_code == 0
    assert {s["outcome"] for s in json.loads(waited.stdout)["sources"]} == {"skipped"}


def _store_with_window(path: Path, now: float) -> None:
    store = open_store(path)
    store.sync_sources([SourceSpec("http://feeds.test/a", "Outlet A", {"lean": "left"})])
    [source] = store.sources()
    texts = {name: " ".join(ARTICLES[i]["paragraphs"]) for i, name in enumerate(("old", "in1", "in2", "undated", "late"))}
    dates = {"old": now - 3 * 86400, "in1": now - 5 * 3600, "in2": now - 20 * 3600, "late": now - 600}
    store.save_poll(source, [
        NewEntry(name, f"http://feeds.test/{name}", ARTICLES[i]["title"], texts[name],
                 utc_iso(dates[name]) if name in dates else "", content_hash(texts[name]), False, False)
        for i, name in enumerate(texts)
    ], {}, now=now)
    store.close()


def test_summarise_store_since_until_picks_exactly_the_window(tmp_path, fake_bundle):
    now = time.time()
    _store_with_window(tmp_path / "s.sqlite", now)
    query = StoreQuery(tmp_path / "s.sqlite", utc_iso(now - 86400), utc_iso(now - 3600))
    report = summarise_paths([], Settings(), None, fake_bundle, store=query).report
    assert sorted(a.url for a in report.articles) == ["http://feeds.test/in1", "http://feeds.test/in2"]
    assert all(a.source == "Outlet A" and a.tags == {"lean": "left"} for a in report.articles)
    undated = summarise_paths([], Settings(), None, fake_bundle, store=StoreQuery(
        tmp_path / "s.sqlite", utc_iso(now - 60), None)).report
    assert [a.url for a in undated.articles] == ["http://feeds.test/undated"]


def test_summarise_reads_urls_and_shows_the_outlet_beside_each_mark(tmp_path, fake_bundle, server):
    server.routes["/rss.xml"] = Reply(200, _feed(server, ARTICLES[:2]))
    server.routes["/page.html"] = Reply(200, page_html(ARTICLES[3]), {"Content-Type": "text/html"})
    result = summarise_paths([], Settings(), tmp_path / "out", fake_bundle,
                             urls=[server.url("/rss.xml"), server.url("/page.html")])
    urls = sorted(a.url for a in result.report.articles)
    assert urls == sorted([server.url("/a/0"), server.url("/a/1"), server.url("/page.html")])
    assert "[1 · Loop]" in result.markdown or "[2 · Loop]" in result.markdown


def test_store_articles_carry_source_tags_and_url_into_every_format(tmp_path, fake_bundle):
    now = time.time()
    _store_with_window(tmp_path / "s.sqlite", now)
    settings = Settings.model_validate({"output": {"formats": ["md", "json", "html"]}})
    result = summarise_paths([], settings, tmp_path / "out", fake_bundle,
                             store=StoreQuery(tmp_path / "s.sqlite", utc_iso(now - 86400), None))
    data = json.loads((result.run_dir / "digest.json").read_text())
    assert data["schema_version"] == 3
    assert {(a["source"], a["tags"]["lean"], a["url"].startswith("http://feeds.test/")) for a in data["articles"]} == {
        ("Outlet A", "left", True)}
    html = (result.run_dir / "index.html").read_text()
    cited = [s for story in data["stories"] if len(story["article_ids"]) > 1 for s in story["digest"]["sentences"]]
    assert cited, "the fake models made no multi-article story; the marks below are not exercised"
    assert '</span><span class="o">Outlet A</span>' in html
    assert "· Outlet A]" in result.markdown


def test_summarise_combines_the_store_with_paths(tmp_path, fake_bundle):
    now = time.time()
    _store_with_window(tmp_path / "s.sqlite", now)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "local.txt").write_text(ARTICLES[6]["title"] + "\n\n" + "\n\n".join(ARTICLES[6]["paragraphs"]))
    report = summarise_paths([folder], Settings(), None, fake_bundle,
                             store=StoreQuery(tmp_path / "s.sqlite", utc_iso(now - 60), None)).report
    assert sorted(a.path for a in report.articles) == sorted([str(folder / "local.txt"), "http://feeds.test/undated"])


def test_doctor_checks_the_sources_file_and_store_when_configured(tmp_path, monkeypatch):
    from pipeline.doctor import _live_sources

    bad = tmp_path / "sources.toml"
    bad.write_text('[[feed]]\nname = "A"\n')
    monkeypatch.setenv("NEWSDIGEST_STORE", str(tmp_path / "data" / "store.sqlite"))
    sources, store = _live_sources(Settings.model_validate({"sources": {"file": str(bad)}}))
    assert not sources.ok and "url" in sources.detail and store.ok and str(tmp_path / "data") in store.detail
