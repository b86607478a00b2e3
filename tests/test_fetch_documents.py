"""URLs as PATHS: each fetched once as a feed or a page, robots.txt asked first, failures are warnings."""

from __future__ import annotations

import pytest

from pipeline.config import FetchConfig
from pipeline.sources.documents import fetch_documents
from tests.loopback import ARTICLES, Loopback, Reply, full, page_html, rss


@pytest.fixture
def server():
    running = Loopback()
    yield running
    running.close()


def test_feeds_and_pages_are_told_apart_and_robots_obeyed(server):
    server.routes["/robots.txt"] = Reply(200, b"User-agent: *\nDisallow: /private\n")
    server.routes["/rss.xml"] = Reply(200, rss("N", [{"title": "t", "link": server.url("/a"), "guid": "a", "text": full(ARTICLES[0])}]))
    server.routes["/page.html"] = Reply(200, page_html(ARTICLES[1]), {"Content-Type": "text/html"})
    server.routes["/private.html"] = Reply(200, page_html(ARTICLES[2]))
    urls = [server.url(p) for p in ("/rss.xml", "/page.html", "/private.html", "/missing")]
    documents, warnings = fetch_documents(urls, FetchConfig(host_delay=0.01))
    assert [(d.url.rsplit("/", 1)[-1], d.kind) for d in documents] == [("rss.xml", "feed"), ("page.html", "page")]
    assert any("robots.txt disallows" in w and "private" in w for w in warnings)
    assert any("/missing: HTTP 404" in w for w in warnings)
    assert "/private.html" not in server.paths() and server.paths().count("/robots.txt") == 1
