"""`fetch_due`: poll every due source once, politely, and store what is new; one transaction per feed."""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import httpx

from ..config import FetchConfig
from ..ingest.feed import looks_like_feed
from ..store import NewEntry, SaveCounts, SourceRow, SourceSpec, Store, content_hash
from .feeds import FeedItem, ParsedFeed, discover_feeds, parse_feed
from .fulltext import extract_article
from .http import FetchFailed, RequestLog, Response, get, make_client
from .politeness import HostBlocked, HostGate, host_of
from .robots import RobotsCache, RobotsUnavailable

log = logging.getLogger(__name__)
_FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"


@dataclass
class SourceResult:
    """What one source's poll did this run."""

    url: str
    name: str
    # new | not-modified | failed | gone | skipped (not due) | deferred (its host asked to wait: Retry-After)
    outcome: str = "skipped"
    new: int = 0
    revised: int = 0
    duplicates: int = 0
    pages: int = 0
    error: str = ""
    warnings: list[str] = field(default_factory=list)
    polled: bool = False  # a request was made for it this run


@dataclass
class FetchReport:
    results: list[SourceResult]
    pruned: int = 0
    requests: int = 0
    seconds: float = 0.0

    @property
    def succeeded(self) -> int:
        return sum(r.outcome in ("new", "not-modified") for r in self.results)

    @property
    def failed(self) -> int:
        return sum(r.outcome == "failed" for r in self.results)

    @property
    def polled(self) -> int:
        return sum(r.polled for r in self.results)

    @property
    def all_failed(self) -> bool:
        """Every polled source failed (exit 69); a run with nothing due has not failed."""
        return self.failed > 0 and self.succeeded == 0

    @property
    def warnings(self) -> list[str]:
        return [w for r in self.results for w in r.warnings]


@dataclass
class _Poll:
    """What one poll shares: the store, settings, the HTTP client, the host gate, robots and the request log."""

    store: Store
    config: FetchConfig
    client: httpx.Client
    gate: HostGate
    robots: RobotsCache
    requests: RequestLog
    now: float


def fetch_due(
    specs: Sequence[SourceSpec], store: Store, config: FetchConfig, keep_days: float,
    client: httpx.Client | None = None,
) -> FetchReport:
    """Poll the sources that are due, store new and revised articles, prune old ones; never raises for one source.

    Each source's warnings are logged as it is done (and kept in its `SourceResult`)."""
    started = time.time()
    store.sync_sources(specs)
    # One fetch per store at a time (the fetch lock): a claim left in the store is a killed fetch's.
    store.drop_claims(started + config.host_delay)
    rows = store.sources([s.url for s in specs])
    results: list[SourceResult] = []
    due: list[SourceRow] = []
    for row in rows:
        if row.status == "gone":
            gone = f"{row.name}: {row.url} is gone (410 Gone); it is no longer polled: remove it from the sources file"
            log.warning(gone)
            results.append(SourceResult(row.url, row.name, "gone", warnings=[gone]))
        elif row.next_poll is not None and row.next_poll > started:
            results.append(SourceResult(row.url, row.name, "skipped"))
        else:
            due.append(row)
    own_client = client is None
    http_client = client or make_client(config)
    requests = RequestLog()
    gate = HostGate(store, config.host_delay, config.connect_timeout + config.read_timeout)
    robots = RobotsCache(
        store, lambda url: _text_of(get(http_client, url, config, gate, requests, accept="text/plain")),
        config.robots_max_age,
    )
    poll = _Poll(store, config, http_client, gate, robots, requests, started)
    try:
        results.extend(_poll_all(poll, due))
    finally:
        if own_client:
            http_client.close()
    logged = requests.take()
    store.log_fetches(logged)
    pruned = store.prune(keep_days)
    return FetchReport(results, pruned, len(logged), time.time() - started)


def _poll_all(poll: _Poll, due: list[SourceRow]) -> list[SourceResult]:
    """Hosts in parallel (bounded), each host's feeds one after another."""
    by_host: dict[str, list[SourceRow]] = defaultdict(list)
    for row in due:
        by_host[host_of(row.fetch_url)].append(row)
    if not by_host:
        return []

    def poll_host(rows: list[SourceRow]) -> list[SourceResult]:
        done = []
        for row in rows:
            result = poll_source(poll, row)
            for warning in result.warnings:
                log.warning(warning)
            done.append(result)
        return done

    with ThreadPoolExecutor(max_workers=min(poll.config.parallel_hosts, len(by_host))) as pool:
        return [result for batch in pool.map(poll_host, by_host.values()) for result in batch]


def poll_source(poll: _Poll, row: SourceRow) -> SourceResult:
    """One feed: conditional GET, then its entries (and blurbs' pages) saved with its state in one transaction."""
    result = SourceResult(row.url, row.name, polled=True)
    conditional = {k: v for k, v in (("If-None-Match", row.etag), ("If-Modified-Since", row.last_modified)) if v}
    try:
        response = get(poll.client, row.fetch_url, poll.config, poll.gate, poll.requests, conditional, _FEED_ACCEPT)
    except HostBlocked as exc:
        # Another feed of this host was told to wait: not this feed's error, so no back-off.
        poll.store.record_poll(row, next_poll=exc.until)
        result.outcome = "deferred"
        result.warnings.append(f"{row.name}: not polled, {exc}")
        return result
    except FetchFailed as exc:
        return _failed(poll, row, result, str(exc))
    if response.status == 304:
        poll.store.record_poll(row, **_ok_state(poll, row, row.fetch_url, row.etag, row.last_modified, row.note))
        result.outcome = "not-modified"
        return result
    if response.status == 410:
        poll.store.record_poll(row, status="gone", last_poll=poll.now, last_error="410 Gone", errors=row.errors + 1)
        result.outcome = "gone"
        result.warnings.append(f"{row.name}: {row.fetch_url} is gone (410 Gone); it will not be polled again: remove it from the sources file")
        return result
    if response.status != 200:
        retry_at = poll.now + response.retry_after_s if response.retry_after_s is not None else None
        return _failed(poll, row, result, f"HTTP {response.status}", retry_at=retry_at)
    return _take_feed(poll, row, result, response)


def _take_feed(poll: _Poll, row: SourceRow, result: SourceResult, response: Response) -> SourceResult:
    fetch_url, note = row.fetch_url, row.note
    if response.permanent_url:
        fetch_url, note = response.permanent_url, f"moved permanently to {response.permanent_url}"
        result.warnings.append(f"{row.name}: {row.fetch_url} moved permanently to {response.permanent_url}; "
                               "polling the new address (update the sources file)")
    if not looks_like_feed(response.body):
        try:
            response = _discovered(poll, row, response)
        except FetchFailed as exc:
            return _failed(poll, row, result, str(exc))
        fetch_url, note = response.url, f"feed found on the page {row.fetch_url}"
        result.warnings.append(f"{row.name}: {row.fetch_url} is a web page; used the feed it links: {response.url}")
    feed = parse_feed(response.body, response.headers.get("content-type", ""), row.name)
    result.warnings.extend(feed.warnings)
    entries = [replace(e, outlet=e.outlet or feed.title) for e in _entries(poll, row, feed, result)]
    state = _ok_state(poll, row, fetch_url, response.headers.get("etag", ""), response.headers.get("last-modified", ""), note)
    counts: SaveCounts = poll.store.save_poll(row, entries, state, poll.now)
    result.outcome, result.new, result.revised, result.duplicates = "new", counts.new, counts.revised, counts.duplicates
    return result


def _discovered(poll: _Poll, row: SourceRow, page: Response) -> Response:
    """The feed an HTML page links to (searched once, never recursively)."""
    links = discover_feeds(page.body, page.url)
    if not links:
        raise FetchFailed(f"{page.url} is neither a feed nor a page that links one (<link rel=\"alternate\">)")
    feed = get(poll.client, links[0], poll.config, poll.gate, poll.requests, accept=_FEED_ACCEPT)
    if feed.status != 200 or not looks_like_feed(feed.body):
        raise FetchFailed(f"the feed {links[0]} linked from {page.url} answered HTTP {feed.status}, not a feed")
    return feed


def _entries(poll: _Poll, row: SourceRow, feed: ParsedFeed, result: SourceResult) -> list[NewEntry]:
    entries = []
    for item in feed.items:
        known, page_fetched = poll.store.known_article(item.guid, item.url)
        wants_page = row.full_text == "always" or (
            row.full_text == "auto" and item.words < poll.config.full_text_min_words)
        # A page is fetched once; only one never tried (its host said Retry-After) is tried on a later poll.
        if page_fetched or not wants_page or not item.url:
            entries.append(_entry(item, item.text, item.words < poll.config.full_text_min_words, False))
            continue
        entries.append(_with_page(poll, row, item, result))
    return entries


def _with_page(poll: _Poll, row: SourceRow, item: FeedItem, result: SourceResult) -> NewEntry:
    """Fetch an entry's page once for its full text; on any failure the blurb stays, marked as a blurb."""
    blurb = item.words < poll.config.full_text_min_words
    try:
        if not poll.robots.allowed(item.url):
            result.warnings.append(f"{row.name}: robots.txt disallows {item.url}; kept the feed's text")
            return _entry(item, item.text, blurb, True)
        page = get(poll.client, item.url, poll.config, poll.gate, poll.requests, accept="text/html")
    except (HostBlocked, RobotsUnavailable) as exc:
        result.warnings.append(f"{row.name}: page {item.url} not fetched yet ({exc}); kept the feed's text for now")
        return _entry(item, item.text, blurb, False)
    except FetchFailed as exc:
        result.warnings.append(f"{row.name}: page {item.url} failed ({exc}); kept the feed's text")
        return _entry(item, item.text, blurb, True)
    if page.status in (429, 503):
        result.warnings.append(f"{row.name}: page {item.url} answered HTTP {page.status}; will try it on a later poll")
        return _entry(item, item.text, blurb, False)
    result.pages += 1
    text = extract_article(page.body, page.url) if page.status == 200 else ""
    if len(text.split()) <= item.words:
        if page.status != 200:
            result.warnings.append(f"{row.name}: page {item.url} answered HTTP {page.status}; kept the feed's text")
        return _entry(item, item.text, blurb, True)
    return _entry(item, text, False, True)


def _entry(item: FeedItem, text: str, is_blurb: bool, page_fetched: bool) -> NewEntry:
    return NewEntry(item.guid, item.url, item.title, text, item.published, content_hash(item.text), is_blurb,
                    page_fetched, item.outlet)


def _ok_state(poll: _Poll, row: SourceRow, fetch_url: str, etag: str, last_modified: str, note: str) -> dict[str, object]:
    return {
        "fetch_url": fetch_url, "etag": etag, "last_modified": last_modified, "last_poll": poll.now,
        "next_poll": poll.now + row.min_interval_s, "errors": 0, "last_error": "", "status": "ok", "note": note,
    }


def _failed(poll: _Poll, row: SourceRow, result: SourceResult, error: str, retry_at: float | None = None) -> SourceResult:
    """Record the error and back off exponentially up to the cap; the source stays enabled."""
    errors = row.errors + 1
    delay = min(poll.config.backoff_cap, row.min_interval_s * 2 ** (errors - 1))
    next_poll = poll.now + delay
    if retry_at is not None:
        next_poll = max(next_poll, min(retry_at, poll.now + poll.config.backoff_cap))
    poll.store.record_poll(row, last_poll=poll.now, next_poll=next_poll, errors=errors, last_error=error, status="error")
    result.outcome, result.error = "failed", error
    result.warnings.append(f"{row.name}: {error} (error {errors} in a row; next try in {_span(next_poll - poll.now)})")
    return result


def _span(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _text_of(response: Response) -> tuple[int, str]:
    return response.status, response.body.decode("utf-8", errors="replace")
