"""Editions benchmark: three days of news replayed hour by hour through a real store, and coverage by tag.

1. Replay. The AllSides dev stories of the three busiest consecutive days (each article placed in the
   hours before its story's roundup, tagged with its stance) and the 46-article recession story (undated:
   spread evenly over the three days) are saved into a fresh store as they "arrive"; every hour an
   edition digests the last 24 hours (`summarise --store --since 24h --until <hour>`, real embedded
   models, extractive, cache on). Reported: time per hourly run warm (cache on, the few new articles
   computed) and cold (the same edition on a copy of the store with no cache: everything computed;
   models loaded once either way), peak memory of a run (tracemalloc: Python and numpy allocations) with
   the store as replayed and again after 30,000 old articles, stories and editions outside the window are
   added to it, and how many stories changed id between consecutive editions (an article whose story id
   differs from the one before, other than by a merge; expected 0).
2. Coverage by tag. For each AllSides dev story whose editors' roundup names the sides whose coverage
   differed ("Right-rated outlets tended to ..."), its three articles are digested as one story with
   `stance` as the tag; the coverage divergences are read for the sides they set apart. Reported: how
   often the top coverage item (and any item) sets apart the same sides as the roundup, beside the
   chance rate (one of three ways to set one side apart) and a peer that always names the most common
   roundup partition.

    nice /work/main/.venv/bin/python bench/editions.py --out /tmp/editions.md

Prints (and with --out writes) a Markdown section for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import re
import shutil
import sqlite3
import statistics
import tempfile
import time
import tracemalloc
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pipeline.config import Settings
from pipeline.ingest import StoreQuery
from pipeline.models.loaders import apply_offline_policy, load_bundle
from pipeline.run import summarise_paths
from pipeline.store import NewEntry, SourceSpec, content_hash, open_store, utc_iso

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "data" / "allsides_stories_dev.jsonl"
RECESSION = ROOT.parent / "shared" / "data" / "recession_articles.json"
SIDES = ("left", "center", "right")
HOUR = timedelta(hours=1)
# "right-rated", "left- and center-rated", "left-and-center rated", "center- or right-leaning"
_SIDE_PHRASE = re.compile(r"\b((?:(?:left|right|center)-?\s*(?:,|and|or)?\s*)+)[- ]?(?:rated|leaning)\b", re.I)


def dev_stories() -> list[dict]:
    rows = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if all(r["news"].get(s, {}).get("newBody") for s in SIDES)]


# --- the stream ------------------------------------------------------------------------------------


def busiest_days(rows: list[dict], days: int = 3) -> tuple[datetime, list[dict]]:
    dates = sorted({_when(r).date() for r in rows})
    best = max(dates, key=lambda d: sum(d <= _when(r).date() < d + timedelta(days=days) for r in rows))
    start = datetime(best.year, best.month, best.day, tzinfo=UTC)
    return start, [r for r in rows if start <= _when(r) < start + timedelta(days=days)]


def _when(row: dict) -> datetime:
    return datetime.fromisoformat(row["date"]).astimezone(UTC)


def stream(start: datetime, rows: list[dict], days: int = 3) -> list[tuple[datetime, str, NewEntry, dict]]:
    """(arrival, source name, entry, tags) in arrival order."""
    items = []
    for row in rows:
        for i, side in enumerate(SIDES):
            news = row["news"][side]
            text = "\n\n".join(news["newBody"])
            arrival = max(start, _when(row) - (3 - i) * HOUR / 2)
            items.append((arrival, news["newsSource"], NewEntry(
                f"allsides-{row['id']}-{side}", news["newsLink"] or f"https://allsides.test/{row['id']}/{side}",
                news["newsTitle"], text, utc_iso(arrival), content_hash(text), False, False, news["newsSource"]),
                {"stance": side}))
    recession = json.loads(RECESSION.read_text(encoding="utf-8"))
    span = timedelta(days=days) / len(recession)
    for k, record in enumerate(recession):
        arrival = start + k * span + timedelta(minutes=7)
        items.append((arrival, record["domain"], NewEntry(
            f"recession-{record['id']}", record["url"], record["title"], record["content"], utc_iso(arrival),
            content_hash(record["content"]), False, False, record["domain"]), {}))
    return sorted(items, key=lambda item: item[0])


def save(store_path: Path, arrived: list[tuple[datetime, str, NewEntry, dict]]) -> None:
    store = open_store(store_path)
    try:
        names = sorted({(name, json.dumps(tags, sort_keys=True)) for _, name, _, tags in arrived})
        store.sync_sources([SourceSpec(f"https://{re.sub(r'[^a-z0-9]+', '-', n.lower())}.test/feed", n,
                                       json.loads(t)) for n, t in names])
        by_name = {s.name: s for s in store.sources()}
        for arrival, name, entry, _ in arrived:
            store.save_poll(by_name[name], [entry], {}, now=arrival.timestamp())
    finally:
        store.close()


def replay(bundle, work: Path, hours: int, cold_every: int) -> dict:
    rows = dev_stories()
    start, chosen = busiest_days(rows)
    items = stream(start, chosen)
    store, out, cache = work / "store.sqlite", work / "out", work / "cache"
    settings = Settings.model_validate({"output": {"formats": ["md", "json", "html", "atom"]},
                                        "edition": {"timezone": "UTC"}})
    warm, cold, new_share, story_of_article, changed, memory = [], [], [], {}, 0, {}
    done, first = 0, []
    for hour in range(1, hours + 1):
        until = start + hour * HOUR
        arrived = [item for item in items[done:] if item[0] < until]
        done += len(arrived)
        save(store, arrived)
        query = StoreQuery(store, utc_iso(until - 24 * HOUR), utc_iso(until))
        measure = hour % cold_every == 0
        if measure:
            tracemalloc.start()
        began = time.perf_counter()
        try:
            report = summarise_paths([], settings, out, bundle, cache_dir=cache, keep=30, store=query).report
        except Exception as exc:  # an hour with nothing in the window
            if "no usable" not in str(exc):
                raise
            if measure:
                tracemalloc.stop()
            continue
        warm.append(time.perf_counter() - began)
        if len(warm) == 1:
            first = list(report.articles)
        if measure:
            memory[hour] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            cold.append(_cold_run(store, query, settings, bundle, work))
        new = sum(len(s.new_article_ids) for s in report.stories)
        new_share.append(new / max(1, len(report.articles)))
        for story in report.stories:
            for article in story.article_ids:
                before = story_of_article.get(article)
                if before is not None and before != story.id and before not in story.merged_ids:
                    changed += 1
                story_of_article[article] = story.id
    return {"start": start, "stories": len(chosen), "articles": len(items), "warm": warm, "cold": cold,
            "first": first,
            "new_share": new_share, "changed": changed, "memory": memory, "store": store, "settings": settings,
            "cache": cache, "out": out, "last_until": start + hours * HOUR,
            "merged": _merged_count(store)}


def _merged_count(store: Path) -> int:
    db = sqlite3.connect(store)
    try:
        return db.execute("SELECT COUNT(*) FROM stories WHERE merged_into IS NOT NULL").fetchone()[0]
    finally:
        db.close()


def _cold_run(store: Path, query: StoreQuery, settings: Settings, bundle, work: Path) -> float:
    """The same edition with nothing cached, on a copy of the store (the replay's store is not touched)."""
    copy = work / "cold.sqlite"
    shutil.copy(store, copy)
    for suffix in ("-wal", "-shm"):
        if Path(f"{store}{suffix}").exists():
            shutil.copy(f"{store}{suffix}", f"{copy}{suffix}")
    began = time.perf_counter()
    summarise_paths([], settings, None, bundle, cache_dir=None, store=StoreQuery(copy, query.since, query.until))
    return time.perf_counter() - began


def history_effect(bundle, result: dict, extra: int) -> dict:
    """The last edition re-run (same window), before and after `extra` old articles, stories and editions."""
    query = StoreQuery(result["store"], utc_iso(result["last_until"] - 24 * HOUR), utc_iso(result["last_until"]))
    measured = {}
    for label in ("as replayed", f"+{extra:,} old articles, stories, editions"):
        if label != "as replayed":
            _bloat(result["store"], extra)
        tracemalloc.start()
        began = time.perf_counter()
        summarise_paths([], result["settings"], None, bundle, cache_dir=result["cache"], store=query)
        seconds = time.perf_counter() - began
        measured[label] = (seconds, tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    return measured


def _bloat(store_path: Path, n: int) -> None:
    """History outside the window: n articles a year older, each in a story, 100 old editions."""
    db = sqlite3.connect(store_path)
    old = "2020-01-01T00:00:00Z"
    with db:
        source = db.execute("SELECT id FROM sources LIMIT 1").fetchone()[0]
        db.executemany(
            "INSERT INTO articles (id, source_id, guid, url, canonical_url, title, outlet, published, first_seen, "
            "window_time, text, content_hash, feed_hash, is_blurb, page_fetched) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,0,0)",
            [(f"old-{i}", source, f"old-{i}", f"https://old.test/{i}", f"https://old.test/{i}", f"Old story {i}",
              "old", old, old, old, "Old text. " * 60, f"oldhash{i}", f"oldhash{i}") for i in range(n)])
        db.executemany("INSERT INTO stories (id, first_seen, updated, recorded) VALUES (?,?,?,?)",
                       [(f"story_old{i // 3}", old, old, utc_iso(time.time())) for i in range(0, n, 3)])
        db.executemany("INSERT INTO story_articles (article_id, story_id, added, recorded) VALUES (?,?,?,?)",
                       [(f"old-{i}", f"story_old{i // 3}", old, utc_iso(time.time())) for i in range(n)])
        for e in range(100):
            edition = f"2020-01-{1 + e // 24:02d}T{e % 24:02d}:00:00Z"
            db.execute("INSERT INTO editions (until, since, made) VALUES (?,?,?)", (edition, None, utc_iso(time.time())))
            db.executemany("INSERT INTO edition_stories (edition, story_id, shown) VALUES (?,?,?)",
                           [(edition, f"story_old{i}", json.dumps({"articles": [f"old-{3 * i}"], "sentences": ["x" * 200],
                                                                   "divergences": []})) for i in range(n // 3)])
    db.close()


# --- coverage by tag -------------------------------------------------------------------------------


def roundup_partition(row: dict) -> frozenset[str] | None:
    """The sides the first roundup sentence about sides sets apart ({'right'} or {'left', 'center'}), or None
    when it names none or all three."""
    for sentence in re.split(r"(?<=[.!?])\s+", " ".join(row["roundup"])):
        sides = {w.lower() for phrase in _SIDE_PHRASE.findall(sentence)
                 for w in re.findall(r"left|right|center", phrase, re.I)}
        if sides:
            # All three, or both ends ("divided between left- and right-rated outlets"): no side set apart.
            return frozenset(sides) if len(sides) < 3 and sides != {"left", "right"} else None
    return None


def _apart(sides: frozenset[str]) -> frozenset[str]:
    """A partition of the three sides named by its smaller half (ties: the half without 'center')."""
    other = frozenset(SIDES) - sides
    if len(sides) != len(other):
        return sides if len(sides) < len(other) else other
    return sides if "center" not in sides else other


def coverage_by_tag(bundle, work: Path, limit: int | None) -> dict:
    rows = [(row, p) for row in dev_stories() if (p := roundup_partition(row))]
    rows = rows[:limit] if limit else rows
    settings = Settings.model_validate({"stories": {"group_threshold": 0.0}, "edition": {"timezone": "UTC"}})
    top_hits = any_hits = with_items = 0
    any_chance = 0.0  # per story: the share of the three one-side-apart partitions among its items
    most_hits = 0  # the side set apart by the most items (ties: none)
    named_top: Counter[frozenset[str]] = Counter()
    truth: Counter[frozenset[str]] = Counter()
    for row, partition in rows:
        store = work / f"cov-{row['id']}.sqlite"
        when = _when(row)
        save(store, [(when - HOUR, row["news"][s]["newsSource"] + f" ({s})", NewEntry(
            f"{row['id']}-{s}", f"https://{s}.test/{row['id']}", row["news"][s]["newsTitle"],
            "\n\n".join(row["news"][s]["newBody"]), utc_iso(when - HOUR),
            content_hash("\n\n".join(row["news"][s]["newBody"])), False, False, row["news"][s]["newsSource"]),
            {"stance": s}) for s in SIDES])
        report = summarise_paths([], settings, None, bundle, cache_dir=work / "cache",
                                 store=StoreQuery(store, utc_iso(when - 2 * HOUR), utc_iso(when))).report
        store.unlink()
        items = [d for s in report.stories for d in s.divergences if d.kind == "coverage" and d.tag_sides]
        wanted = _apart(partition)
        truth[wanted] += 1
        if not items:
            continue
        with_items += 1
        parts = [_apart(frozenset(d.tag_sides.get("carry", {}).get("stance", []))) for d in items
                 if d.tag_sides.get("carry", {}).get("stance")]
        if parts:
            named_top[parts[0]] += 1
            top_hits += parts[0] == wanted
            any_hits += wanted in parts
            any_chance += len({p for p in parts if len(p) == 1}) / 3
            counted = Counter(parts).most_common()
            if len(counted) == 1 or counted[0][1] > counted[1][1]:
                most_hits += counted[0][0] == wanted
    majority = truth.most_common(1)[0] if truth else (frozenset(), 0)
    return {"stories": len(rows), "with_items": with_items, "top": top_hits, "any": any_hits, "any_chance": any_chance, "most": most_hits,
            "majority": majority, "truth": truth, "named_top": named_top}


# --- report ----------------------------------------------------------------------------------------


def _ms(values: list[float]) -> str:
    if not values:
        return "n/a"
    p90 = statistics.quantiles(values, n=10, method="inclusive")[-1] if len(values) > 1 else values[0]
    return f"median {statistics.median(values):.2f} s, p90 {p90:.2f} s, max {max(values):.2f} s (n={len(values)})"


def render(replayed: dict | None, history: dict, coverage: dict, command: str, seconds: float) -> str:
    name = lambda p: "+".join(sorted(p)) or "none"  # noqa: E731
    head = [
        "## Editions (stories across runs, what is new, coverage by tag)", "",
        f"Command: `{command}` ({seconds / 60:.1f} min). Machine: {platform.machine()}, {os.cpu_count()} CPUs "
        f"shared with other jobs (load average {os.getloadavg()[0]:.0f} at the end), Python "
        + platform.python_version() + "; real embedded models (MiniLM, spaCy), extractive mode.", "",
    ]
    return "\n".join(head + (_replay_lines(replayed, history) if replayed else []) + _coverage_lines(coverage, name))


def _replay_lines(replayed: dict, history: dict) -> list[str]:
    return [
        f"**Replay**: {replayed['articles']} articles ({replayed['stories']} AllSides dev stories of "
        f"{replayed['start']:%Y-%m-%d} and the two days after, 3 articles each, and the 46-article recession story "
        f"spread over the same days), one edition per hour over the last 24 hours, {len(replayed['warm'])} editions.", "",
        f"- new articles per edition: mean {100 * sum(replayed['new_share']) / max(1, len(replayed['new_share'])):.1f}% "
        "of the window",
        f"- first edition (loads the models; {len(replayed['first'])} articles analysed and embedded): "
        f"{replayed['warm'][0]:.2f} s",
        f"- warm run (cache on, only new articles computed; editions after the first): {_ms(replayed['warm'][1:])}",
        f"- cold run (same edition, no cache, everything computed; models already loaded): {_ms(replayed['cold'])}",
        f"- stories that changed id between consecutive editions: **{replayed['changed']}** "
        f"(stories merged under an older id: {replayed['merged']})",
        "- peak traced memory of a run (tracemalloc, Python + numpy allocations), by hour: "
        + ", ".join(f"h{h}: {m / 1e6:.1f} MB" for h, m in replayed["memory"].items()),
        "",
        "History kept in the store, same window (the last edition re-run):", "",
        "| store | run time | peak traced memory |", "|---|---|---|",
        *[f"| {label} | {s:.2f} s | {m / 1e6:.1f} MB |" for label, (s, m) in history.items()],
        "",
    ]


def _coverage_lines(coverage: dict, name) -> list[str]:
    return [
        f"**Coverage by tag** (stance as the tag): {coverage['stories']} AllSides dev stories whose roundup sets one "
        f"or two sides apart; {coverage['with_items']} got coverage divergences with tagged sides.", "",
        "| what names the roundup's sides | stories | share of stories |", "|---|---|---|",
        f"| top coverage item | {coverage['top']} | {coverage['top'] / max(1, coverage['stories']):.1%} |",
        f"| any coverage item | {coverage['any']} | {coverage['any'] / max(1, coverage['stories']):.1%} |",
        f"| the side most items set apart (ties: none) | {coverage['most']} | {coverage['most'] / max(1, coverage['stories']):.1%} |",
        f"| chance, top item (one of three sides set apart) | | 33.3% |",
        f"| chance, any item (share of the three partitions the items set apart) | "
        f"{coverage['any_chance']:.1f} | {coverage['any_chance'] / max(1, coverage['stories']):.1%} |",
        f"| peer: always the commonest roundup partition ({name(coverage['majority'][0])}) | "
        f"{coverage['majority'][1]} | {coverage['majority'][1] / max(1, coverage['stories']):.1%} |",
        "",
        "Roundup partitions: " + ", ".join(f"{name(p)} {n}" for p, n in coverage["truth"].most_common())
        + "; top items named: " + ", ".join(f"{name(p)} {n}" for p, n in coverage["named_top"].most_common()) + ".",
        "",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hours", type=int, default=72)
    parser.add_argument("--cold-every", type=int, default=12, help="measure a cold run and memory every N hours")
    parser.add_argument("--history", type=int, default=30_000)
    parser.add_argument("--coverage-stories", type=int, default=0, help="0 = all with a roundup partition")
    parser.add_argument("--only-coverage", action="store_true", help="skip the replay (part 1)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    apply_offline_policy(False)
    logging.getLogger("pipeline").setLevel(logging.ERROR)  # skipped inputs are expected; the numbers are the output
    settings = Settings()
    cache_models = Path(os.environ.get("NEWSDIGEST_CACHE_DIR") or Path.home() / ".cache" / "newsdigest")
    bundle = load_bundle(settings.models, cache_models, settings.summary.max_new_tokens)
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-editions-") as tmp:
        work = Path(tmp)
        replayed = None if args.only_coverage else replay(bundle, work, args.hours, args.cold_every)
        history = history_effect(bundle, replayed, args.history) if replayed else {}
        coverage = coverage_by_tag(bundle, work, args.coverage_stories or None)
    command = "nice python bench/editions.py " + " ".join(
        f"--{k.replace('_', '-')}" + ("" if v is True else f" {v}")
        for k, v in vars(args).items() if v not in (None, False) and k != "out")
    text = render(replayed, history, coverage, command, time.perf_counter() - began)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
