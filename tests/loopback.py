"""A real threaded HTTP server on loopback for the fetch tests and bench/fetch.py: routes, a request log with
times, injected latency, and builders of RSS feeds and article pages from tests/data/fetch/articles.json."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ARTICLES = json.loads((Path(__file__).parent / "data" / "fetch" / "articles.json").read_text(encoding="utf-8"))


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


@dataclass(frozen=True)
class Hit:
    start: float
    end: float
    path: str
    headers: dict[str, str]
    status: int


Route = Callable[[dict[str, str]], Reply]


class Loopback:
    """One server (one "host"); `routes[path]` is a Reply or a function of the request headers."""

    def __init__(self, host: str = "127.0.0.1", latency_s: Callable[[], float] | None = None) -> None:
        self.routes: dict[str, Reply | Route] = {}
        self._hits: list[Hit] = []
        self.latency_s = latency_s
        self.active = 0
        self.max_active = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                server._serve(self)

            def log_message(self, *_args: object) -> None:
                return None

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://{host}:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return self.base + path

    @property
    def hits(self) -> list[Hit]:
        """Every request served so far; waits (briefly) for handlers still noting theirs after the reply went out."""
        deadline = time.time() + 5
        while self.active and time.time() < deadline:
            time.sleep(0.005)
        with self._lock:
            return list(self._hits)

    def paths(self) -> list[str]:
        return [h.path for h in self.hits]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        start = time.time()
        with self._lock:
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        headers = {k.lower(): v for k, v in handler.headers.items()}
        route = self.routes.get(handler.path)
        reply = Reply(404, b"not found") if route is None else (route(headers) if callable(route) else route)
        end = 0.0
        try:
            delay = reply.delay_s + (self.latency_s() if self.latency_s else 0.0)
            if delay:
                time.sleep(delay)
            handler.send_response(reply.status)
            for name, value in reply.headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(reply.body)))
            handler.end_headers()
            handler.wfile.write(reply.body)
            handler.wfile.flush()
            end = time.time()  # the last byte is out: the client cannot have it any earlier
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            with self._lock:
                self.active -= 1
                self._hits.append(Hit(start, end or time.time(), handler.path, headers, reply.status))


def page_html(article: dict, feed_url: str | None = None) -> bytes:
    """An article page: navigation, the article's paragraphs, a footer; optionally a <link> to a feed."""
    link = f'<link rel="alternate" type="application/rss+xml" title="Feed" href="{escape(feed_url)}">' if feed_url else ""
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in article["paragraphs"])
    return (
        f"<!doctype html><html><head><title>{escape(article['title'])}</title>{link}</head><body>"
        f"<nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        f"<article><h1>{escape(article['title'])}</h1>{paragraphs}</article>"
        f"<footer>Copyright {escape(article['outlet'])}</footer></body></html>"
    ).encode("utf-8")


def rss(title: str, items: list[dict]) -> bytes:
    """An RSS 2.0 feed; each item: title, link, guid, text (HTML-escaped into description), optional date."""
    parts = [f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{escape(title)}</title>']
    for item in items:
        date = f"<pubDate>{item['date']}</pubDate>" if item.get("date") else ""
        guid = f"<guid isPermaLink=\"false\">{escape(item['guid'])}</guid>" if item.get("guid") else ""
        parts.append(
            f"<item><title>{escape(item['title'])}</title><link>{escape(item['link'])}</link>{guid}{date}"
            f"<description>{escape(item['text'])}</description></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode("utf-8")


def blurb(article: dict, words: int = 30) -> str:
    return " ".join(" ".join(article["paragraphs"]).split()[:words])


def full(article: dict) -> str:
    return "<p>" + "</p><p>".join(escape(p) for p in article["paragraphs"]) + "</p>"


def http_date(moment: float) -> str:
    return formatdate(moment, usegmt=True)
