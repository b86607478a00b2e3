"""`fetch_due` against real HTTP servers on loopback: conditional GET, politeness, Retry-After, back-off,
moves, gone feeds, loops, timeouts, size caps, robots.txt, full text, duplicates, revisions and discovery."""

from __future__ import annotations

import gzip
import time

import pytest

from pipeline.config import FetchConfig
from pipeline.sources import fetch_due
from pipeline.store import SourceSpec, open_store
from tests.loopback import ARTICLES, Loopback, Reply, blurb, full, http_date, page_html, rss


@pytest.fixture
def server():
    running = Loopback()
    yield running
    running.close()


@pytest.fixture
def store(tmp_path):
    opened = open_store(tmp_path / "store.sqlite")
    yield opened
    opened.close()


FAST = FetchConfig(host_delay=0.05, read_timeout=2.0, connect_timeout=2.0)


def _items(server, articles, text=full, prefix="/a/"):
    return [{"title": a["title"], "link": server.url(f"{prefix}{i}"), "guid": f"{prefix}{i}", "text": text(a)}
            for i, a in enumerate(articles)]


def _spec(server, path="/feed.xml", **kw):
    return SourceSpec(server.url(path), kw.pop("name", "Loopback"), kw.pop("tags", {}), **kw)


def _due_again(store):
    """Make every source due now (as if min_interval had passed)."""
    for source in store.sources():
        store.record_poll(source, next_poll=0.0)


def test_etag_and_last_modified_round_trip_and_304_parses_nothing(server, store):
    modified = http_date(time.time() - 3600)

    def feed(headers):
        if headers.get("if-none-match") == '"v1"' and headers.get("if-modified-since") == modified:
            return Reply(304)
        return Reply(200, rss("N", _items(server, ARTICLES[:3])), {"ETag": '"v1"', "Last-Modified": modified})

    server.routes["/feed.xml"] = feed
    first = fetch_due([_spec(server)], store, FAST, 30)
    assert first.results[0].new == 3 and {a.outlet for a in store.articles()} == {"N"}
    [source] = store.sources()
    assert (source.etag, source.last_modified) == ('"v1"', modified)
    _due_again(store)
    second = fetch_due([_spec(server)], store, FAST, 30)
    assert second.results[0].outcome == "not-modified" and second.requests == 1
    assert server.hits[-1].status == 304 and len(store.articles()) == 3


def test_not_polled_again_before_min_interval(server, store):
    server.routes["/feed.xml"] = Reply(200, rss("N", _items(server, ARTICLES[:1])))
    fetch_due([_spec(server)], store, FAST, 30)
    again = fetch_due([_spec(server)], store, FAST, 30)
    assert again.results[0].outcome == "skipped" and len(server.hits) == 1


def test_429_retry_after_holds_the_whole_host(server, store):
    server.routes["/one.xml"] = Reply(429, b"slow down", {"Retry-After": "120"})
    server.routes["/two.xml"] = Reply(200, rss("N", _items(server, ARTICLES[:1])))
    report = fetch_due([_spec(server, "/one.xml", name="One"), _spec(server, "/two.xml", name="Two")], store, FAST, 30)
    by_name = {r.name: r for r in report.results}
    assert by_name["One"].outcome == "failed" and by_name["Two"].outcome == "deferred"
    assert server.paths() == ["/one.xml"]
    one = next(s for s in store.sources() if s.name == "One")
    assert one.next_poll - one.last_poll >= 119


def test_503_retry_after_as_an_http_date(server, store):
    server.routes["/feed.xml"] = Reply(503, b"busy", {"Retry-After": http_date(time.time() + 600)})
    fetch_due([_spec(server, min_interval_s=60)], store, FAST, 30)
    [source] = store.sources()
    assert 590 <= source.next_poll - source.last_poll <= 610 and source.errors == 1


def test_500_backs_off_exponentially_then_recovers(server, store):
    spec = _spec(server, min_interval_s=60)
    server.routes["/feed.xml"] = Reply(500, b"oops")
    delays = []
    for _ in range(3):
        report = fetch_due([spec], store, FAST, 30)
        [source] = store.sources()
        delays.append(round(source.next_poll - source.last_poll))
        _due_again(store)
    assert report.all_failed and delays == [60, 120, 240] and source.errors == 3 and source.status == "error"
    server.routes["/feed.xml"] = Reply(200, rss("N", _items(server, ARTICLES[:2])))
    report = fetch_due([spec], store, FAST, 30)
    [source] = store.sources()
    assert report.results[0].new == 2 and (source.errors, source.status, source.last_error) == (0, "ok", "")


def test_backoff_is_capped(server, store):
    spec = _spec(server, min_interval_s=3600)
    server.routes["/feed.xml"] = Reply(503, b"down")
    config = FetchConfig(host_delay=0.01, backoff_cap=7200)
    for _ in range(4):
        _due_again(store)
        fetch_due([spec], store, config, 30)
    [source] = store.sources()
    assert source.errors == 4 and round(source.next_poll - source.last_poll) == 7200


@pytest.mark.parametrize("status", [301, 308])
def test_a_permanent_redirect_moves_the_feed_and_says_so(server, store, status):
    server.routes["/old.xml"] = Reply(status, b"", {"Location": "/new.xml"})
    server.routes["/new.xml"] = Reply(200, rss("N", _items(server, ARTICLES[:1])))
    report = fetch_due([_spec(server, "/old.xml")], store, FAST, 30)
    assert any("moved permanently" in w and "/new.xml" in w for w in report.warnings)
    [source] = store.sources()
    assert source.fetch_url == server.url("/new.xml") and "moved permanently" in source.note
    _due_again(store)
    fetch_due([_spec(server, "/old.xml")], store, FAST, 30)
    assert server.paths() == ["/old.xml", "/new.xml", "/new.xml"]


def test_410_gone_stops_polling_and_warns_every_run(server, store):
    server.routes["/feed.xml"] = Reply(410, b"gone")
    fetch_due([_spec(server)], store, FAST, 30)
    _due_again(store)
    later = fetch_due([_spec(server)], store, FAST, 30)
    assert len(server.hits) == 1
    assert later.results[0].outcome == "gone" and any("remove it from the sources file" in w for w in later.warnings)


def test_a_temporary_redirect_keeps_the_address(server, store):
    server.routes["/old.xml"] = Reply(302, b"", {"Location": "/new.xml"})
    server.routes["/new.xml"] = Reply(200, rss("N", _items(server, ARTICLES[:1])))
    report = fetch_due([_spec(server, "/old.xml")], store, FAST, 30)
    assert report.results[0].new == 1 and store.sources()[0].fetch_url == server.url("/old.xml")


def test_a_redirect_loop_is_an_error_not_a_hang(server, store):
    server.routes["/a.xml"] = Reply(302, b"", {"Location": "/b.xml"})
    server.routes["/b.xml"] = Reply(302, b"", {"Location": "/a.xml"})
    report = fetch_due([_spec(server, "/a.xml")], store, FAST, 30)
    assert report.all_failed and "redirect loop" in report.results[0].error and len(server.hits) == 2


def test_a_server_slower_than_the_timeout_is_a_warning_and_the_run_goes_on(server, store):
    other = Loopback("127.0.0.2")
    try:
        server.routes["/feed.xml"] = Reply(200, rss("N", []), delay_s=3)
        other.routes["/feed.xml"] = Reply(200, rss("M", _items(other, ARTICLES[:1])))
        config = FetchConfig(host_delay=0.01, read_timeout=0.5)
        report = fetch_due([_spec(server, name="Slow"), _spec(other, name="Fine")], store, config, 30)
    finally:
        other.close()
    by_name = {r.name: r for r in report.results}
    assert "timed out" in by_name["Slow"].error and by_name["Fine"].new == 1 and not report.all_failed


def test_an_unreachable_host_fails_only_its_source(server, store):
    server.routes["/feed.xml"] = Reply(200, rss("N", _items(server, ARTICLES[:1])))
    dead = SourceSpec("http://127.0.0.1:9/feed.xml", "Dead")
    report = fetch_due([dead, _spec(server)], store, FAST, 30)
    assert {r.name: r.outcome for r in report.results} == {"Dead": "failed", "Loopback": "new"}


def test_an_oversized_response_is_cut(server, store):
    server.routes["/feed.xml"] = Reply(200, b"<rss>" + b"x" * 300_000)
    report = fetch_due([_spec(server)], store, FetchConfig(host_delay=0.01, max_bytes=100_000), 30)
    assert "max_bytes" in report.results[0].error


def test_a_gzip_bomb_stops_early(server, store):
    bomb = gzip.compress(b"<rss>" + b" " * 30_000_000, compresslevel=9)
    assert len(bomb) < 100_000
    server.routes["/feed.xml"] = Reply(200, bomb, {"Content-Encoding": "gzip", "Content-Type": "application/rss+xml"})
    report = fetch_due([_spec(server)], store, FetchConfig(host_delay=0.01, max_bytes=1_000_000), 30)
    assert "after decompression" in report.results[0].error
    assert store.fetch_log()[-1].bytes == 0


def test_blurbs_get_full_text_once_and_robots_txt_is_obeyed(server, store):
    server.routes["/robots.txt"] = Reply(200, b"User-agent: *\nDisallow: /private/\n")
    items = _items(server, ARTICLES[:2], text=blurb) + _items(server, ARTICLES[2:3], text=blurb, prefix="/private/")
    server.routes["/feed.xml"] = Reply(200, rss("N", items))
    for i in range(3):
        server.routes[f"/a/{i}"] = server.routes[f"/private/{i}"] = Reply(200, page_html(ARTICLES[i]))
    report = fetch_due([_spec(server)], store, FAST, 30)
    assert sorted(server.paths()) == ["/a/0", "/a/1", "/feed.xml", "/robots.txt"]
    assert any("robots.txt disallows" in w for w in report.warnings)
    by_title = {a.title: a for a in store.articles()}
    assert not by_title[ARTICLES[0]["title"]].is_blurb and ARTICLES[0]["paragraphs"][-1] in by_title[ARTICLES[0]["title"]].body
    assert by_title[ARTICLES[2]["title"]].is_blurb and by_title[ARTICLES[2]["title"]].body == blurb(ARTICLES[2])
    _due_again(store)
    fetch_due([_spec(server)], store, FAST, 30)
    assert sorted(server.paths()) == ["/a/0", "/a/1", "/feed.xml", "/feed.xml", "/robots.txt"]


def test_a_page_whose_robots_txt_cannot_be_read_waits_for_a_later_poll(server, store):
    # RFC 9309: robots.txt answering 5xx means "disallow all" for now; the page must not be given up.
    server.routes["/robots.txt"] = Reply(503, b"busy")
    server.routes["/feed.xml"] = Reply(200, rss("N", _items(server, ARTICLES[:2], text=blurb)))
    server.routes["/a/0"] = Reply(200, page_html(ARTICLES[0]))
    server.routes["/a/1"] = Reply(200, page_html(ARTICLES[1]))
    report = fetch_due([_spec(server)], store, FAST, 30)
    assert "/a/0" not in server.paths() and "/a/1" not in server.paths()
    assert server.paths().count("/robots.txt") == 1  # asked once per run, not once per page
    assert sum("robots.txt answered HTTP 503" in w for w in report.warnings) == 2
    assert all(a.is_blurb for a in store.articles())
    server.routes["/robots.txt"] = Reply(404)
    _due_again(store)
    fetch_due([_spec(server)], store, FAST, 30)
    assert not any(a.is_blurb for a in store.articles())
    assert server.paths().count("/a/0") == 1 and server.paths().count("/a/1") == 1


def test_a_page_held_back_by_retry_after_is_fetched_on_a_later_poll(server, store):
    server.routes["/robots.txt"] = Reply(404)
    server.routes["/feed.xml"] = Reply(200, rss("N", _items(server, ARTICLES[:2], text=blurb)))
    server.routes["/a/0"] = Reply(429, b"", {"Retry-After": "1"})
    server.routes["/a/1"] = Reply(200, page_html(ARTICLES[1]))
    fetch_due([_spec(server)], store, FAST, 30)
    assert "/a/1" not in server.paths()  # the host said wait: its other page waited too
    assert all(a.is_blurb for a in store.articles())
    time.sleep(1.1)
    server.routes["/a/0"] = Reply(200, page_html(ARTICLES[0]))
    _due_again(store)
    fetch_due([_spec(server)], store, FAST, 30)
    assert not any(a.is_blurb for a in store.articles()) and all(a.revisions == 0 for a in store.articles())
    _due_again(store)
    fetch_due([_spec(server)], store, FAST, 30)
    assert server.paths().count("/a/0") == 2 and server.paths().count("/a/1") == 1


def test_a_failed_page_keeps_the_blurb_marked(server, store):
    server.routes["/robots.txt"] = Reply(404)
    server.routes["/feed.xml"] = Reply(200, rss("N", _items(server, ARTICLES[:1], text=blurb)))
    server.routes["/a/0"] = Reply(500, b"err")
    report = fetch_due([_spec(server)], store, FAST, 30)
    [article] = store.articles()
    assert article.is_blurb and article.body == blurb(ARTICLES[0]) and report.results[0].outcome == "new"


def test_the_same_article_in_two_feeds_with_tracking_parameters_is_stored_once(server, store):
    one = [{"title": ARTICLES[0]["title"], "link": server.url("/a/0?utm_source=feed1"), "guid": "feed1-0", "text": full(ARTICLES[0])}]
    two = [{"title": ARTICLES[0]["title"], "link": server.url("/a/0?utm_source=feed2&fbclid=zz#top"), "guid": "feed2-0",
            "text": full(ARTICLES[0]).replace("<p>", "<p> ")}]
    server.routes["/one.xml"] = Reply(200, rss("One", one))
    server.routes["/two.xml"] = Reply(200, rss("Two", two))
    report = fetch_due([_spec(server, "/one.xml", name="One"), _spec(server, "/two.xml", name="Two")], store, FAST, 30)
    assert sum(r.new for r in report.results) == 1 and sum(r.duplicates for r in report.results) == 1
    assert len(store.articles()) == 1


def test_a_revised_article_updates_and_counts(server, store):
    article = dict(ARTICLES[0])
    server.routes["/feed.xml"] = Reply(200, rss("N", _items(server, [article])))
    fetch_due([_spec(server)], store, FAST, 30)
    revised = dict(article, paragraphs=article["paragraphs"] + ["Correction: an earlier version misstated the rate."])
    server.routes["/feed.xml"] = Reply(200, rss("N", _items(server, [revised])))
    _due_again(store)
    report = fetch_due([_spec(server)], store, FAST, 30)
    [stored] = store.articles()
    assert report.results[0].revised == 1 and stored.revisions == 1 and "Correction:" in stored.body


def test_an_html_page_that_links_its_feed(server, store):
    server.routes["/"] = Reply(200, page_html(ARTICLES[0], feed_url="/rss.xml"), {"Content-Type": "text/html"})
    server.routes["/rss.xml"] = Reply(200, rss("N", _items(server, ARTICLES[:2])))
    report = fetch_due([_spec(server, "/")], store, FAST, 30)
    assert report.results[0].new == 2
    assert any("is a web page; used the feed it links" in w and "/rss.xml" in w for w in report.warnings)
    [source] = store.sources()
    assert source.fetch_url == server.url("/rss.xml")


def test_requests_to_one_host_are_one_at_a_time_and_spaced(server, store):
    server.latency_s = lambda: 0.05
    specs = []
    for n in range(4):
        server.routes[f"/f{n}.xml"] = Reply(200, rss("N", _items(server, ARTICLES[n:n + 1], prefix=f"/f{n}/")))
        specs.append(_spec(server, f"/f{n}.xml", name=f"F{n}"))
    fetch_due(specs, store, FetchConfig(host_delay=0.3, parallel_hosts=8), 30)
    assert server.max_active == 1 and len(server.hits) == 4
    # As the client logged them: each request starts at least host_delay after the previous one ended.
    log = store.fetch_log()
    assert min(b.time - (a.time + a.ms / 1000) for a, b in zip(log, log[1:])) >= 0.3 - 0.002  # ms are whole
    # As the server saw them: the same, less the time its thread may take to note the end on a busy machine.
    hits = sorted(server.hits, key=lambda h: h.start)
    assert min(b.start - a.end for a, b in zip(hits, hits[1:])) >= 0.25
