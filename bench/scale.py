"""Scale-out: the local engine against --engine ray with 1 and 2 workers, on ~1,500 real articles.

Usage: python bench/scale.py [--articles 1500] [--work /tmp/newsdigest-scale] [--runs local,ray1,ray2]
                             [--json-out bench/scale.json]

The corpus: every AllSides story of ../shared/data/allsides_stories_dev.jsonl (left, centre and
right lead paragraphs) and Multi-News clusters of ../shared/data/multinews_validation.csv (2-10
full articles each), interleaved by story; the known story of each article is its AllSides story
or Multi-News cluster. Each run is a fresh process, cold (no cache), default settings (extractive),
so start-up, model loading, Ray start and peak memory all count. The 46 articles of
recession_articles.json (one story) come last. Reports articles per minute,
the peak resident memory of the driver and of each Ray worker (sampled every 0.5 s), and story
grouping against the known clusters (purity, inverse purity, ARI). Prints a Markdown section.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"


# --- corpus ---------------------------------------------------------------------------------

def build_corpus(folder: Path, n: int) -> Path:
    """AllSides stories and Multi-News clusters, alternating story by story, cut at n articles."""
    import ast
    import csv

    allsides: list[list[dict]] = []
    for line in (DATA / "allsides_stories_dev.jsonl").read_text().splitlines():
        story = json.loads(line)
        allsides.append([
            {"id": f"as{story['id']}-{side}", "title": item["newsTitle"], "text": "\n".join(item["newBody"]),
             "source": item["newsSource"]}
            for side, item in story["news"].items() if item.get("newBody")
        ])
    multinews: list[list[dict]] = []
    csv.field_size_limit(1 << 26)
    with open(DATA / "multinews_validation.csv", newline="") as f:
        for row_no, row in enumerate(csv.DictReader(f)):
            raw = row["documents"]
            docs = ast.literal_eval(raw) if raw.lstrip().startswith("[") else raw.split("|||||")
            multinews.append([{"id": f"mn{row_no}-{i}", "title": d.strip().split("\n")[0][:90], "text": d}
                              for i, d in enumerate(x for x in docs if x.strip())])
    recession = [{"id": f"rec-{i}", "title": r["title"], "text": r["content"], "url": r["url"]}
                 for i, r in enumerate(json.loads((DATA / "recession_articles.json").read_text()))]
    stories = [s for pair in zip(allsides, multinews) for s in pair]
    stories += allsides[len(multinews):] + multinews[len(allsides):] + [recession]
    records = [r for s in stories for r in s][:n]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "articles.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    return folder


def known_story(article_id: str) -> str:
    return article_id.split("-")[0]


def grouping_scores(groups: list[list[str]]) -> dict:
    from sklearn.metrics import adjusted_rand_score

    ids = [a for g in groups for a in g]
    labels = [known_story(a) for a in ids]
    predicted = [g_no for g_no, g in enumerate(groups) for _ in g]
    n = len(ids)
    purity = sum(Counter(known_story(a) for a in g).most_common(1)[0][1] for g in groups) / n
    by_story: dict[str, list[int]] = defaultdict(list)
    for label, p in zip(labels, predicted):
        by_story[label].append(p)
    inverse = sum(Counter(ps).most_common(1)[0][1] for ps in by_story.values()) / n
    return {"groups": len(groups), "known_stories": len(by_story), "purity": purity,
            "inverse_purity": inverse, "ari": adjusted_rand_score(labels, predicted)}


# --- one run, in a fresh process ------------------------------------------------------------

class MemorySampler:
    """Peak RSS per Ray worker process (actors are named ray::MapWorker...), sampled."""

    def __init__(self) -> None:
        self.peaks: dict[int, float] = {}
        self.system_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        import psutil

        # Only this run's cluster: a Ray started by this process runs under it.
        me = psutil.Process()
        while not self._stop.wait(0.5):
            system = 0.0
            for proc in me.children(recursive=True):
                try:
                    cmd = " ".join(proc.cmdline())
                    mb = proc.memory_info().rss / 2**20
                except psutil.Error:
                    continue
                if "MapWorker" in proc.name() or "MapWorker" in cmd:
                    self.peaks[proc.pid] = max(self.peaks.get(proc.pid, 0.0), mb)
                else:
                    system += mb
            self.system_mb = max(self.system_mb, system)


def child(folder: Path, engine: str, workers: int, started: float) -> dict:
    from pipeline.config import Settings
    from pipeline.run import summarise_paths

    open_engine = None
    if engine == "ray":
        import ray

        from pipeline.engine.ray import open_ray_engine

        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        open_engine = open_ray_engine(workers=workers)
    with MemorySampler() as memory:
        t0 = time.time()
        result = summarise_paths([folder], Settings(), out_dir=None, cache_dir=None, engine=open_engine)
        run_s = time.time() - t0
    report = result.report
    return {
        "engine": engine, "workers": workers, "articles": len(report.articles), "wall_s": time.time() - started,
        "run_s": run_s, "timings": report.timings, "driver_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "worker_peak_mb": sorted(memory.peaks.values(), reverse=True), "ray_system_peak_mb": memory.system_mb,
        "grouping": grouping_scores([list(s.article_ids) for s in report.stories]),
        "stories_2plus": sum(len(s.article_ids) > 1 for s in report.stories),
        "largest_story": max(len(s.article_ids) for s in report.stories),
    }


def run_child(folder: Path, engine: str, workers: int) -> dict:
    env = dict(os.environ, HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false", PYTHONPATH=str(ROOT))
    load_before = os.getloadavg()
    started = time.time()
    proc = subprocess.run([sys.executable, __file__, "--child", str(folder), engine, str(workers), str(started)],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=3600)
    if proc.returncode != 0:
        raise RuntimeError(f"{engine} x{workers} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1]) | {"load_before": load_before,
                                                               "load_after": os.getloadavg()}


# --- report ---------------------------------------------------------------------------------

def render(results: list[dict], command: str) -> str:
    first = results[0]
    lines = [
        f"- Command: `{command}`",
        f"- Machine: {os.cpu_count()} CPUs, no GPU, {platform.python_implementation()} {platform.python_version()}, "
        f"{datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}; another job shared the CPUs (load averages below).",
        f"- Corpus: {first['articles']} usable articles, {first['grouping']['known_stories']} known stories.",
        "",
        "| engine | workers | wall s | articles/min | analyse s | embed s | digests s | stories s | driver peak MB "
        "| actor peak MB (actors, all stages) | other Ray processes MB | groups | purity | inverse purity | ARI | load 1-min before/after |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        t, g = r["timings"], r["grouping"]
        peaks = r["worker_peak_mb"]
        workers = f"{max(peaks):.0f} max, {sorted(peaks)[len(peaks) // 2]:.0f} median of {len(peaks)}" if peaks else "–"
        lines.append(
            f"| {r['engine']} | {r['workers'] if r['engine'] == 'ray' else '–'} | {r['wall_s']:.1f} "
            f"| {r['articles'] / r['wall_s'] * 60:.0f} | {t['analyse_s']:.1f} | {t['embed_s']:.1f} "
            f"| {t['article_digests_s']:.1f} | {t['stories_s']:.1f} | {r['driver_peak_mb']:.0f} | {workers} "
            f"| {r['ray_system_peak_mb']:.0f} | {g['groups']} | {g['purity']:.3f} | {g['inverse_purity']:.3f} "
            f"| {g['ari']:.3f} | {r['load_before'][0]:.1f} / {r['load_after'][0]:.1f} |"
        )
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        folder, engine, workers, started = Path(sys.argv[2]), sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
        print(json.dumps(child(folder, engine, workers, started)))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1500)
    parser.add_argument("--work", type=Path, default=Path("/tmp/newsdigest-scale"))
    parser.add_argument("--runs", default="local,ray1,ray2")
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()
    folder = build_corpus(args.work / f"corpus{args.articles}", args.articles)
    results = []
    for name in args.runs.split(","):
        engine, workers = ("ray", int(name[3:])) if name.startswith("ray") else ("local", 0)
        results.append(run_child(folder, engine, workers))
        print(f"{name}: {results[-1]['wall_s']:.1f} s", file=sys.stderr)
        if args.json_out:
            args.json_out.write_text(json.dumps(results, indent=2))
    print(render(results, "python bench/scale.py " + " ".join(sys.argv[1:])))


if __name__ == "__main__":
    main()
