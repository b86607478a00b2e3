"""Fetch benchmark: `fetch_due` against a naive poller, on loopback servers that log every request.

Usage: python bench/fetch.py [--hosts 20] [--feeds 200] [--entries 20] [--delay 1.0] [--parallel-hosts 20]
                             [--work /tmp/newsdigest-fetch-bench] [--skip-naive]

The world: `--hosts` HTTP servers, one per loopback address (127.0.0.1, 127.0.0.2, ...), serving `--feeds`
RSS feeds of `--entries` entries each, spread evenly over the hosts; every request waits 50-200 ms (uniform,
seeded). Half the entries are 30-word blurbs (their page must be fetched for the full text), half carry
the full article; articles are paragraphs of tests/data/fetch/articles.json. Feeds answer ETag / 304, pages are
plain HTML, robots.txt allows everything. Each client runs in its own process (so its peak RSS is its own):

- newsdigest: `fetch_due` with host_delay = --delay and parallel_hosts = --parallel-hosts, first poll on an
  empty store, then a second poll with nothing changed (every source made due again);
- naive: one sequential loop of plain GETs (httpx, no conditional headers, no delay) of every feed and every
  linked page, run once (a naive poller does the same on every poll).

Everything counted comes from the servers' own logs: requests, wall time of the client, the most
simultaneous requests to one host, and the smallest gap between two requests to one host. Prints Markdown.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.loopback import ARTICLES, Loopback, Reply, blurb, full, page_html, rss  # noqa: E402


def _latency(rng: random.Random) -> Callable[[], float]:
    """50-200 ms per request, uniform, from the host's own seeded generator."""
    return lambda: rng.uniform(0.05, 0.2)


def build_world(hosts: int, feeds: int, entries: int, seed: int = 14) -> tuple[list[Loopback], list[dict]]:
    rng = random.Random(seed)
    servers = [Loopback(f"127.0.0.{h + 1}", latency_s=_latency(random.Random(seed + h))) for h in range(hosts)]
    specs = []
    for f in range(feeds):
        server = servers[f % hosts]
        items = []
        for e in range(entries):
            article = ARTICLES[rng.randrange(len(ARTICLES))]
            path = f"/feed{f}/article{e}"
            titled = dict(article, title=f"{article['title']} (feed {f}, entry {e})",
                          paragraphs=[f"Feed {f} entry {e}."] + article["paragraphs"])
            text = blurb(titled) if e % 2 == 0 else full(titled)
            items.append({"title": titled["title"], "link": server.url(path), "guid": server.url(path), "text": text})
            server.routes[path] = Reply(200, page_html(titled), {"Content-Type": "text/html; charset=utf-8"})
        body, etag = rss(f"Feed {f}", items), f'"feed{f}-v1"'
        server.routes[f"/feed{f}.xml"] = (
            lambda headers, body=body, etag=etag: Reply(304) if headers.get("if-none-match") == etag
            else Reply(200, body, {"ETag": etag, "Content-Type": "application/rss+xml"}))
        specs.append({"url": server.url(f"/feed{f}.xml"), "name": f"Feed {f}"})
    for server in servers:
        server.routes["/robots.txt"] = Reply(200, b"User-agent: *\nAllow: /\n")
    return servers, specs


def client_newsdigest(args: argparse.Namespace) -> dict:
    """Runs in the child: one poll with fetch_due on the given store; prints what it did."""
    import resource

    from pipeline.config import FetchConfig
    from pipeline.sources import fetch_due
    from pipeline.store import SourceSpec, open_store

    specs = [SourceSpec(s["url"], s["name"]) for s in json.loads(Path(args.specs).read_text())]
    store = open_store(Path(args.store))
    for source in store.sources():
        store.record_poll(source, next_poll=0.0)  # due again, as after min_interval
    config = FetchConfig(host_delay=args.delay, parallel_hosts=args.parallel_hosts)
    started = time.perf_counter()
    report = fetch_due(specs, store, config, keep_days=30)
    wall = time.perf_counter() - started
    return {"wall_s": wall, "new": sum(r.new for r in report.results), "failed": report.failed,
            "articles": len(store.articles()), "blurbs": sum(a.is_blurb for a in store.articles()),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def client_naive(args: argparse.Namespace) -> dict:
    """Runs in the child: every feed, then every page it links, one plain GET after another."""
    import resource

    import feedparser
    import httpx

    specs = json.loads(Path(args.specs).read_text())
    started = time.perf_counter()
    pages = 0
    with httpx.Client(timeout=30) as client:
        for spec in specs:
            feed = feedparser.parse(client.get(spec["url"]).content)
            for entry in feed.entries:
                client.get(entry.link)
                pages += 1
    return {"wall_s": time.perf_counter() - started, "pages": pages,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def run_client(kind: str, args: argparse.Namespace, specs_file: Path) -> dict:
    command = [sys.executable, __file__, "--client", kind, "--specs", str(specs_file), "--store", str(args.store),
               "--delay", str(args.delay), "--parallel-hosts", str(args.parallel_hosts)]
    out = subprocess.run(command, capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return json.loads(out.stdout.strip().splitlines()[-1])


def server_stats(servers: list[Loopback], since: float, delay: float) -> dict:
    """Requests, pages and feeds, and per-host concurrency and smallest gap, from the servers' logs."""
    hits_by_host = [[h for h in s.hits if h.start >= since] for s in servers]
    gaps = []
    concurrent = 0
    for hits in hits_by_host:
        ordered = sorted(hits, key=lambda h: h.start)
        gaps += [b.start - a.end for a, b in zip(ordered, ordered[1:])]
        # Most requests in flight at once on this host, from the intervals themselves.
        events = sorted([(h.start, 1) for h in hits] + [(h.end, -1) for h in hits])
        level = 0
        for _, step in events:
            level += step
            concurrent = max(concurrent, level)
    every = [h for hits in hits_by_host for h in hits]
    gaps.sort()
    return {
        "requests": len(every),
        "feeds": sum(h.path.endswith(".xml") for h in every),
        "conditional": sum("if-none-match" in h.headers for h in every),
        "not_modified": sum(h.status == 304 for h in every),
        "pages": sum("/article" in h.path for h in every),
        "robots": sum(h.path == "/robots.txt" for h in every),
        "max_concurrent_per_host": concurrent,
        "min_gap_s": gaps[0] if gaps else float("nan"),
        "p01_gap_s": gaps[len(gaps) // 100] if gaps else float("nan"),
        "gaps": len(gaps),
        "gaps_below_delay": sum(g < delay for g in gaps),
    }


def client_gaps(store_path: Path, since: float) -> dict:
    """The same gaps as the client saw them (its fetch log: start and duration of each request)."""
    from collections import defaultdict
    from urllib.parse import urlsplit

    from pipeline.store import open_store

    store = open_store(store_path)
    by_host = defaultdict(list)
    for line in store.fetch_log():
        if line.time >= since:
            by_host[urlsplit(line.url).netloc].append(line)
    store.close()
    gaps = [b.time - (a.time + a.ms / 1000) for lines in by_host.values() for a, b in zip(lines, lines[1:])]
    return {"client_min_gap_s": min(gaps) if gaps else float("nan")}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--entries", type=int, default=20)
    parser.add_argument("--delay", type=float, default=1.0)
    parser.add_argument("--parallel-hosts", type=int, default=20)
    parser.add_argument("--work", type=Path, default=Path("/tmp/newsdigest-fetch-bench"))
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--client")
    parser.add_argument("--specs")
    parser.add_argument("--store")
    args = parser.parse_args()
    if args.client:
        print(json.dumps((client_newsdigest if args.client == "newsdigest" else client_naive)(args)))
        return
    args.work.mkdir(parents=True, exist_ok=True)
    args.store = args.work / "store.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{args.store}{suffix}").unlink(missing_ok=True)
    servers, specs = build_world(args.hosts, args.feeds, args.entries)
    specs_file = args.work / "specs.json"
    specs_file.write_text(json.dumps(specs))
    rows = {}
    for label, kind in (("newsdigest, first poll", "newsdigest"), ("newsdigest, second poll (nothing changed)", "newsdigest"),
                        *(() if args.skip_naive else (("naive (sequential plain GETs)", "naive"),))):
        mark = time.time()
        result = run_client(kind, args, specs_file)
        rows[label] = {**result, **server_stats(servers, mark, args.delay)}
        if kind == "newsdigest":
            rows[label].update(client_gaps(args.store, mark))
        print(f"{label}: {json.dumps(rows[label])}", file=sys.stderr)
    for server in servers:
        server.close()
    print(markdown(rows, args))


def markdown(rows: dict, args: argparse.Namespace) -> str:
    lines = [
        f"- Command: `python bench/fetch.py --hosts {args.hosts} --feeds {args.feeds} --entries {args.entries} "
        f"--delay {args.delay:g} --parallel-hosts {args.parallel_hosts}`",
        f"- Machine: {os.cpu_count()} CPU cores, CPython {platform.python_version()}, {datetime.now(UTC):%Y-%m-%d}",
        "",
        "| client | wall s | requests | feeds (304) | pages | robots | max per host at once | min gap s (server) "
        "| 1st percentile gap s | gaps < delay | min gap s (client log) | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, r in rows.items():
        client = f"{r['client_min_gap_s']:.3f}" if "client_min_gap_s" in r else "-"
        lines.append(f"| {label} | {r['wall_s']:.1f} | {r['requests']} | {r['feeds']} ({r['not_modified']}) | {r['pages']} "
                     f"| {r['robots']} | {r['max_concurrent_per_host']} | {r['min_gap_s']:.3f} | {r['p01_gap_s']:.3f} "
                     f"| {r['gaps_below_delay']} of {r['gaps']} | {client} | {r['peak_rss_mb']:.0f} |")
    first = rows.get("newsdigest, first poll")
    naive = rows.get("naive (sequential plain GETs)")
    if first and naive:
        lines.append("")
        lines.append(f"Naive / newsdigest first poll: wall time x{naive['wall_s'] / first['wall_s']:.2f}, "
                     f"requests x{naive['requests'] / first['requests']:.2f}.")
        second = rows["newsdigest, second poll (nothing changed)"]
        lines.append(f"Naive (every poll) / newsdigest second poll: wall time x{naive['wall_s'] / second['wall_s']:.1f}, "
                     f"requests x{naive['requests'] / second['requests']:.1f}.")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
